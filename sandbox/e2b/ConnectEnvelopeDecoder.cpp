#include "ConnectEnvelopeDecoder.h"

namespace cc::e2b {

namespace {
constexpr qsizetype kHeaderBytes = 5;

quint32 readLength(const char* p)
{
    return (quint32(quint8(p[0])) << 24) | (quint32(quint8(p[1])) << 16) | (quint32(quint8(p[2])) << 8)
           | quint32(quint8(p[3]));
}
} // namespace

ConnectEnvelopeDecoder::ConnectEnvelopeDecoder(quint32 maxMessageBytes) : m_maxMessageBytes(maxMessageBytes) {}

QList<ConnectEnvelopeDecoder::Envelope> ConnectEnvelopeDecoder::feed(const QByteArray& bytes)
{
    QList<Envelope> envelopes;
    if (hasError() || bytes.isEmpty())
        return envelopes;
    if (m_endStream) {
        m_error = QStringLiteral("data followed the end-of-stream message");
        return envelopes;
    }
    m_buffer.append(bytes);
    qsizetype pos = 0;
    while (m_buffer.size() - pos >= kHeaderBytes) {
        const quint8 flags = quint8(m_buffer.at(pos));
        const quint32 length = readLength(m_buffer.constData() + pos + 1);
        if (flags & kCompressedFlag) {
            m_error = QStringLiteral("a compressed message arrived, but compression was never negotiated");
            break;
        }
        if (length > m_maxMessageBytes) {
            m_error = QStringLiteral("a message claimed %1 bytes, more than the %2 allowed").arg(length).arg(m_maxMessageBytes);
            break;
        }
        if (m_buffer.size() - pos - kHeaderBytes < qsizetype(length))
            break;
        envelopes.append({flags, m_buffer.mid(pos + kHeaderBytes, length)});
        pos += kHeaderBytes + length;
        if (flags & kEndStreamFlag) {
            m_endStream = true;
            if (pos < m_buffer.size())
                m_error = QStringLiteral("data followed the end-of-stream message");
            pos = m_buffer.size();
            break;
        }
    }
    if (hasError())
        m_buffer.clear();
    else
        m_buffer.remove(0, pos);
    return envelopes;
}

QByteArray encodeEnvelope(quint8 flags, const QByteArray& message)
{
    const auto size = quint32(message.size());
    QByteArray bytes;
    bytes.reserve(kHeaderBytes + message.size());
    bytes.append(char(flags));
    bytes.append(char((size >> 24) & 0xff));
    bytes.append(char((size >> 16) & 0xff));
    bytes.append(char((size >> 8) & 0xff));
    bytes.append(char(size & 0xff));
    bytes.append(message);
    return bytes;
}

} // namespace cc::e2b
