#include "Artifact.h"

#include "RelativePath.h"

#include <QStringDecoder>

namespace cc {

namespace {

bool isValidUtf8(const QByteArray& bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = decoder.decode(bytes);  // decoding happens on conversion to QString
    return !decoder.hasError();
}

bool isTextByte(unsigned char c)
{
    return c >= 0x20 ? c != 0x7f : (c == '\t' || c == '\n' || c == '\r' || c == '\f');
}

bool looksLikeSvg(const QByteArray& text)
{
    // The first element decides: an XML declaration, comments and a doctype may come before it.
    qsizetype pos = 0;
    const QByteArray head = text.left(4096);
    if (head.startsWith("\xEF\xBB\xBF"))
        pos = 3;
    while (pos < head.size()) {
        while (pos < head.size() && QChar::isSpace(uchar(head.at(pos))))
            ++pos;
        if (head.mid(pos, 4) == "<svg")
            return pos + 4 < head.size() && (QChar::isSpace(uchar(head.at(pos + 4))) || head.at(pos + 4) == '>'
                                             || head.at(pos + 4) == '/');
        const QByteArray close = head.mid(pos, 4) == "<!--" ? QByteArray("-->")
                                 : head.mid(pos, 2) == "<?" || head.mid(pos, 2) == "<!" ? QByteArray(">")
                                                                                         : QByteArray();
        if (close.isEmpty())
            return false;
        const qsizetype end = head.indexOf(close, pos + 2);
        if (end < 0)
            return false;
        pos = end + close.size();
    }
    return false;
}

} // namespace

QString artifactTypeName(ArtifactType type)
{
    switch (type) {
    case ArtifactType::Text:
        return QStringLiteral("text");
    case ArtifactType::Png:
        return QStringLiteral("png");
    case ArtifactType::Jpeg:
        return QStringLiteral("jpeg");
    case ArtifactType::Svg:
        return QStringLiteral("svg");
    case ArtifactType::Other:
        break;
    }
    return QStringLiteral("other");
}

ArtifactType detectArtifactType(const QByteArray& bytes)
{
    if (bytes.startsWith("\x89PNG\r\n\x1a\n"))
        return ArtifactType::Png;
    if (bytes.startsWith("\xFF\xD8\xFF"))
        return ArtifactType::Jpeg;
    for (char c : bytes)
        if (!isTextByte(uchar(c)))
            return ArtifactType::Other;
    if (!isValidUtf8(bytes))
        return ArtifactType::Other;
    return looksLikeSvg(bytes) ? ArtifactType::Svg : ArtifactType::Text;
}

QString printableName(const QByteArray& raw)
{
    QString out;
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    for (qsizetype i = 0; i < raw.size() && out.size() < 200;) {
        // One UTF-8 sequence at a time: a valid one that is not a control character passes.
        const uchar lead = uchar(raw.at(i));
        const int length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : (lead >> 3) == 0x1e ? 4 : 0;
        const QString decoded = length > 0 && i + length <= raw.size() ? decoder.decode(raw.mid(i, length)) : QString();
        const bool ok = length > 0 && !decoder.hasError() && !decoded.isEmpty() && decoded.at(0) != QChar(0xFFFD)
                        && !(decoded.at(0).unicode() < 0x20 || decoded.at(0).unicode() == 0x7f
                             || (decoded.at(0).unicode() >= 0x80 && decoded.at(0).unicode() <= 0x9f));
        decoder.resetState();
        if (ok) {
            out += decoded;
            i += length;
        } else {
            out += QStringLiteral("\\x%1").arg(lead, 2, 16, QLatin1Char('0'));
            ++i;
        }
    }
    if (out.size() >= 200)
        out = out.left(200) + QStringLiteral("…");
    return out;
}

QString checkArtifactPath(const QByteArray& raw)
{
    if (raw.contains('\0'))
        return QStringLiteral("The name contains a NUL byte.");
    if (!isValidUtf8(raw))
        return QStringLiteral("The name is not valid UTF-8.");
    return checkRelativePath(QString::fromUtf8(raw));
}

} // namespace cc
