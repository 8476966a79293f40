#include "ArtifactPreview.h"

#include "PlainLabel.h"
#include "VerdictDecider.h"

#include <QBuffer>
#include <QFontDatabase>
#include <QImageReader>
#include <QLabel>
#include <QPainter>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QStackedWidget>
#include <QSvgRenderer>
#include <QVBoxLayout>
#include <QXmlStreamReader>

namespace cc {

namespace {

/// Where a picture too large for the preview is cut down to when an SVG is rendered: enough to
/// read a chart, small enough that a hostile size costs nothing.
constexpr int kSvgRenderSide = 1600;
/// QImageReader's own allocation cap for one decode, in MiB (its default is 256 too; said here
/// so that a change of Qt's default cannot loosen it).
constexpr int kImageAllocationMiB = 256;

/// bytes cut at max, without splitting a UTF-8 sequence at the end (which would add a stray
/// replacement character to the last line shown).
QByteArray cutUtf8(const QByteArray& bytes, qsizetype max)
{
    if (bytes.size() <= max)
        return bytes;
    qsizetype end = max;
    // Step back over continuation bytes (10xxxxxx) to the lead byte of the last sequence.
    qsizetype lead = end - 1;
    while (lead > 0 && lead > end - 4 && (uchar(bytes.at(lead)) & 0xC0) == 0x80)
        --lead;
    const uchar c = uchar(bytes.at(lead));
    const int length = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    if (lead + length > end)
        end = lead;
    return bytes.left(end);
}

QString hexDump(const QByteArray& bytes)
{
    QString out;
    for (qsizetype row = 0; row < bytes.size(); row += 16) {
        QString hex, ascii;
        for (qsizetype i = row; i < row + 16; ++i) {
            if (i < bytes.size()) {
                const uchar c = uchar(bytes.at(i));
                hex += QStringLiteral("%1 ").arg(c, 2, 16, QLatin1Char('0'));
                ascii += (c >= 0x20 && c < 0x7f) ? QChar(c) : QLatin1Char('.');
            } else {
                hex += QStringLiteral("   ");
            }
        }
        out += QStringLiteral("%1  %2 |%3|\n").arg(row, 8, 16, QLatin1Char('0')).arg(hex, ascii);
    }
    return out;
}

} // namespace

ArtifactPreview::ArtifactPreview(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("artifactPreview"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    // The note quotes the artifact's name, which the sandbox chose.
    m_note = new PlainLabel(QStringLiteral("artifactPreviewNote"), this);

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("artifactText"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    m_picture = new QLabel;
    m_picture->setObjectName(QStringLiteral("artifactImage"));
    m_picture->setAlignment(Qt::AlignCenter);
    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("artifactImageArea"));
    m_scroll->setAlignment(Qt::AlignCenter);
    m_scroll->setWidget(m_picture);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_text);
    m_stack->addWidget(m_scroll);
    layout->addWidget(m_note);
    layout->addWidget(m_stack, 1);
    clear();
}

void ArtifactPreview::clear()
{
    m_kind = Kind::None;
    m_image = QImage();
    m_picture->clear();
    m_picture->adjustSize();
    m_text->clear();
    m_stack->setCurrentWidget(m_text);
    m_note->setText(tr("Select an artifact to preview it."));
}

void ArtifactPreview::showArtifact(const Artifact& artifact)
{
    clear();
    m_note->setText(QStringLiteral("%1 · %2 · %3").arg(artifact.path, humanBytes(artifact.size),
                                                      artifactTypeName(artifact.type)));
    switch (artifact.type) {
    case ArtifactType::Text:
        showText(artifact.bytes);
        break;
    case ArtifactType::Png:
    case ArtifactType::Jpeg:
        showRaster(artifact);
        break;
    case ArtifactType::Svg:
        showSvg(artifact.bytes);
        break;
    case ArtifactType::Other:
        showHex(artifact.bytes);
        break;
    }
}

void ArtifactPreview::showText(const QByteArray& bytes)
{
    m_kind = Kind::Text;
    // fromUtf8 turns invalid sequences into U+FFFD; setPlainText never reads markup.
    m_text->setPlainText(QString::fromUtf8(cutUtf8(bytes, kMaxTextBytes)));
    if (bytes.size() > kMaxTextBytes)
        m_note->setText(m_note->text() + tr(" — showing the first %1; save it to read the rest.")
                                              .arg(humanBytes(kMaxTextBytes)));
    m_stack->setCurrentWidget(m_text);
}

void ArtifactPreview::showHex(const QByteArray& bytes)
{
    m_kind = Kind::Hex;
    m_text->setPlainText(hexDump(bytes.left(kHexBytes)));
    m_note->setText(m_note->text() + (bytes.size() > kHexBytes
                                          ? tr(" — not text or a picture: the first %1 bytes in hex.").arg(kHexBytes)
                                          : tr(" — not text or a picture: its bytes in hex.")));
    m_stack->setCurrentWidget(m_text);
}

void ArtifactPreview::showRaster(const Artifact& artifact)
{
    QByteArray bytes = artifact.bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    // The format comes from the bytes (the engine's type), never from the name.
    QImageReader reader(&buffer, artifact.type == ArtifactType::Png ? "png" : "jpeg");
    reader.setAllocationLimit(kImageAllocationMiB);
    // The header is read first: an absurd size is refused before a pixel is decoded.
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty()) {
        showRefusal(tr("The picture's header could not be read: %1.").arg(reader.errorString()));
        return;
    }
    if (size.width() > kMaxImageSide || size.height() > kMaxImageSide ||
        qint64(size.width()) * size.height() > kMaxImagePixels) {
        showRefusal(tr("The picture says it is %1 × %2 pixels, more than the preview decodes (%3 a side, %4 "
                       "megapixels); save it to open it elsewhere.")
                        .arg(size.width())
                        .arg(size.height())
                        .arg(kMaxImageSide)
                        .arg(kMaxImagePixels / (1024 * 1024)));
        return;
    }
    const QImage image = reader.read();
    if (image.isNull()) {
        showRefusal(tr("The picture could not be decoded: %1.").arg(reader.errorString()));
        return;
    }
    m_note->setText(m_note->text() + tr(" · %1 × %2 pixels").arg(image.width()).arg(image.height()));
    showPicture(image);
}

QString ArtifactPreview::svgProblem(const QByteArray& bytes)
{
    QXmlStreamReader xml(bytes);
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.tokenType() == QXmlStreamReader::DTD && !xml.entityDeclarations().isEmpty())
            return tr("It declares XML entities.");
        if (xml.tokenType() != QXmlStreamReader::StartElement)
            continue;
        for (const QXmlStreamAttribute& attribute : xml.attributes()) {
            if (attribute.name() != QLatin1String("href"))
                continue;
            // Qt SVG fetches nothing from the network, but an <image> with a file path would show a
            // file of this computer: only references inside the picture are allowed.
            const QStringView value = attribute.value().trimmed();
            if (!value.startsWith(QLatin1Char('#')) && !value.startsWith(QLatin1String("data:"), Qt::CaseInsensitive))
                return tr("It refers to something outside itself (%1).").arg(value.left(80).toString());
        }
    }
    if (xml.hasError())
        return tr("It is not well-formed XML: %1.").arg(xml.errorString());
    return {};
}

void ArtifactPreview::showSvg(const QByteArray& bytes)
{
    if (bytes.size() > kMaxSvgBytes) {
        showRefusal(tr("SVG pictures larger than %1 are not rendered; save it to open it elsewhere.")
                        .arg(humanBytes(kMaxSvgBytes)));
        return;
    }
    if (const QString problem = svgProblem(bytes); !problem.isEmpty()) {
        showRefusal(tr("This SVG is not rendered: %1").arg(problem));
        return;
    }
    QSvgRenderer renderer(bytes);
    if (!renderer.isValid()) {
        showRefusal(tr("Qt SVG could not read this picture."));
        return;
    }
    // The picture's own size, within kSvgRenderSide; a size it does not state gets a square.
    QSize size = renderer.defaultSize();
    if (size.isEmpty())
        size = QSize(400, 400);
    if (size.width() > kSvgRenderSide || size.height() > kSvgRenderSide)
        size.scale(kSvgRenderSide, kSvgRenderSide, Qt::KeepAspectRatio);
    size = size.expandedTo(QSize(1, 1));
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    // Charts assume paper: a transparent picture on a dark theme would be unreadable.
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        renderer.render(&painter);
    }
    m_note->setText(m_note->text() + tr(" · rendered at %1 × %2 pixels").arg(size.width()).arg(size.height()));
    showPicture(image);
}

void ArtifactPreview::showRefusal(const QString& sentence)
{
    m_kind = Kind::Refused;
    m_text->setPlainText(sentence);
    m_stack->setCurrentWidget(m_text);
}

void ArtifactPreview::showPicture(const QImage& image)
{
    m_kind = Kind::Image;
    m_image = image;
    m_stack->setCurrentWidget(m_scroll);
    updatePicture();
}

void ArtifactPreview::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    updatePicture();
}

void ArtifactPreview::updatePicture()
{
    if (m_image.isNull())
        return;
    // Shrunk to fit the preview, never enlarged: what is shown is what is there.
    const QSize room = m_scroll->viewport()->size() - QSize(4, 4);
    QPixmap pixmap = QPixmap::fromImage(m_image);
    if (room.isValid() && (m_image.width() > room.width() || m_image.height() > room.height()))
        pixmap = pixmap.scaled(room, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    m_picture->setPixmap(pixmap);
    m_picture->resize(pixmap.size());
}

} // namespace cc
