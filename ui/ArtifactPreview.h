#pragma once

#include "Artifact.h"

#include <QImage>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QScrollArea;
class QStackedWidget;

namespace cc {

/// Shows one artifact as data: text as plain text (never rich text), PNG and JPEG decoded from
/// the bytes, SVG rendered by Qt SVG to a picture, anything else as the hex of its first bytes.
/// The bytes came out of a sandbox, so every path is capped: at most kMaxTextBytes of text, images
/// whose header announces more than kMaxImageSide pixels a side (or kMaxImagePixels in all) are not
/// decoded, and an SVG larger than kMaxSvgBytes or pointing outside itself is not rendered.
class ArtifactPreview : public QWidget
{
    Q_OBJECT
public:
    enum class Kind { None, Text, Image, Hex, Refused };

    static constexpr qsizetype kMaxTextBytes = 1024 * 1024;
    static constexpr qsizetype kMaxSvgBytes = 4 * 1024 * 1024;
    static constexpr qsizetype kHexBytes = 4096;
    static constexpr int kMaxImageSide = 16'384;
    static constexpr qint64 kMaxImagePixels = 64LL * 1024 * 1024;

    explicit ArtifactPreview(QWidget* parent = nullptr);

    void showArtifact(const Artifact& artifact);
    void clear();

    Kind kind() const { return m_kind; }
    /// The decoded picture (a PNG or JPEG at its own size, an SVG as rendered); null otherwise.
    QImage image() const { return m_image; }

    /// Why an SVG must not be rendered (a link to a file or URL, entity declarations, bad XML);
    /// empty when it only refers to itself and to data: URIs.
    static QString svgProblem(const QByteArray& bytes);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void showText(const QByteArray& bytes);
    void showHex(const QByteArray& bytes);
    void showRaster(const Artifact& artifact);
    void showSvg(const QByteArray& bytes);
    void showRefusal(const QString& sentence);
    void showPicture(const QImage& image);
    void updatePicture();

    Kind m_kind = Kind::None;
    QImage m_image;
    QLabel* m_note;
    QStackedWidget* m_stack;
    QPlainTextEdit* m_text;
    QScrollArea* m_scroll;
    QLabel* m_picture;
};

} // namespace cc
