#pragma once

#include <QByteArray>
#include <QList>

namespace cc::docker {

/// Decodes Docker's multiplexed attach/exec stream: frames of an 8-byte header
/// {stream, 0, 0, 0, size (big-endian uint32)} followed by size bytes of payload. Bytes may
/// arrive in any split: a frame across reads, several frames in one read, a header cut in two.
class DockerFrameDecoder
{
public:
    enum class Stream { Stdin = 0, Stdout = 1, Stderr = 2 };

    struct Chunk
    {
        Stream stream;
        QByteArray payload;
    };

    /// Feeds the next bytes; returns the payload pieces that are now complete, in order. A frame's
    /// payload may be returned in several pieces (as it arrives) so that output is never held back.
    QList<Chunk> feed(const QByteArray& bytes);

    /// True when the decoder saw a header it cannot accept (unknown stream number): the stream is
    /// not a multiplexed one and the rest is garbage.
    bool hasError() const { return m_error; }
    /// True when the stream stopped inside a frame (payload still owed or a partial header).
    bool isMidFrame() const { return m_remaining > 0 || !m_header.isEmpty(); }

private:
    QByteArray m_header;   // partial header bytes
    qint64 m_remaining = 0; // payload bytes still owed for the current frame
    Stream m_stream = Stream::Stdout;
    bool m_error = false;
};

} // namespace cc::docker
