#include "DockerFrameDecoder.h"

namespace cc::docker {

namespace {
constexpr int kHeaderSize = 8;
}

QList<DockerFrameDecoder::Chunk> DockerFrameDecoder::feed(const QByteArray& bytes)
{
    QList<Chunk> chunks;
    qsizetype pos = 0;
    while (pos < bytes.size() && !m_error) {
        if (m_remaining > 0) {
            const qsizetype take = qMin<qint64>(m_remaining, bytes.size() - pos);
            // Adjacent pieces on the same stream are merged: fewer, larger deliveries downstream.
            if (!chunks.isEmpty() && chunks.last().stream == m_stream)
                chunks.last().payload.append(bytes.constData() + pos, take);
            else
                chunks.append({m_stream, bytes.mid(pos, take)});
            pos += take;
            m_remaining -= take;
            continue;
        }
        const qsizetype need = kHeaderSize - m_header.size();
        const qsizetype take = qMin<qsizetype>(need, bytes.size() - pos);
        m_header.append(bytes.constData() + pos, take);
        pos += take;
        if (m_header.size() < kHeaderSize)
            break;
        const auto* h = reinterpret_cast<const unsigned char*>(m_header.constData());
        if (h[0] > 2 || h[1] != 0 || h[2] != 0 || h[3] != 0) {
            m_error = true;
            break;
        }
        m_stream = static_cast<Stream>(h[0]);
        m_remaining = (qint64(h[4]) << 24) | (qint64(h[5]) << 16) | (qint64(h[6]) << 8) | qint64(h[7]);
        m_header.clear();
    }
    return chunks;
}

} // namespace cc::docker
