#pragma once

#include "ImageBuilder.h"

#include <QFrame>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace cc {

/// Offers to build a missing runner image, then shows the build: a progress bar that follows the
/// script's stages, its log and a Cancel button. Says up front how long it usually takes and that
/// it needs root. The building itself is ImageBuilder's (app layer); this is only its face.
class ImageBuildPanel : public QFrame
{
    Q_OBJECT
public:
    ImageBuildPanel(ImageBuilder* builder, QWidget* parent = nullptr);

    /// image is missing on the engine; languages names what needs it ("Python, Bash").
    void offer(const QString& image, const QString& languages);
    /// The image is there (or another one is wanted now): hide, unless a build is going.
    void withdraw();
    QString image() const { return m_image; }

signals:
    /// The build of image ended well: check again, the panel goes once the engine has it.
    void built(const QString& image);

private:
    void startBuild();
    void onProgress(int step, int steps, const QString& stage);
    void onFinished(ImageBuilder::Outcome outcome, const QString& sentence);

    ImageBuilder* m_builder;
    QString m_image;
    QLabel* m_title;
    QLabel* m_explain;
    QPushButton* m_build;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
    QLabel* m_stage;
    QPlainTextEdit* m_log;
};

} // namespace cc
