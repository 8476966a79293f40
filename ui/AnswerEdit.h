#pragma once

#include <QPlainTextEdit>

namespace cc {

/// The text area of the AI-answer panel: plain text only, and bounded. A paste that would make
/// the answer larger than maximumCharacters() keeps only what fits (laying out tens of
/// megabytes would freeze the window for seconds) and says so through pasteTruncated().
class AnswerEdit : public QPlainTextEdit
{
    Q_OBJECT
public:
    /// AI answers are rarely beyond 100 KB; 2 Mi characters leaves ample room.
    static constexpr qsizetype kMaximumCharacters = 2 * 1024 * 1024;

    explicit AnswerEdit(QWidget* parent = nullptr);
    qsizetype maximumCharacters() const { return kMaximumCharacters; }

signals:
    /// A paste or a restored text was cut to fit; originalCharacters is what was offered.
    void pasteTruncated(qsizetype originalCharacters);

protected:
    bool canInsertFromMimeData(const QMimeData* source) const override;
    void insertFromMimeData(const QMimeData* source) override;
};

} // namespace cc
