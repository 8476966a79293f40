#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace cc::e2b {

/// Splits a Connect streaming body into its envelopes: flags (1 byte) | length (4 bytes,
/// big-endian) | message. Bytes may arrive in any split: an envelope across reads, several in
/// one read, a header cut anywhere. The last envelope carries the end-stream flag (0x02).
class ConnectEnvelopeDecoder
{
public:
    static constexpr quint8 kCompressedFlag = 0x01;
    static constexpr quint8 kEndStreamFlag = 0x02;
    /// envd sends at most 32 KiB of output per message (about 44 KiB as base64 JSON); anything
    /// near this bound is not a process stream.
    static constexpr quint32 kDefaultMaxMessageBytes = 16 * 1024 * 1024;

    struct Envelope
    {
        quint8 flags = 0;
        QByteArray message;
        bool isEndStream() const { return flags & kEndStreamFlag; }
    };

    explicit ConnectEnvelopeDecoder(quint32 maxMessageBytes = kDefaultMaxMessageBytes);

    /// Feeds the next bytes; returns the envelopes that are now complete, in order. After an error
    /// nothing more is returned.
    QList<Envelope> feed(const QByteArray& bytes);

    /// A sentence when the bytes broke the protocol (compressed message, oversized length, bytes
    /// after the end-stream envelope); empty otherwise.
    const QString& error() const { return m_error; }
    bool hasError() const { return !m_error.isEmpty(); }
    /// True once the end-stream envelope was complete.
    bool sawEndStream() const { return m_endStream; }
    /// True when the bytes stopped inside an envelope (a partial header or message).
    bool isMidEnvelope() const { return !m_buffer.isEmpty(); }

private:
    quint32 m_maxMessageBytes;
    QByteArray m_buffer;   // an incomplete envelope, header included
    bool m_endStream = false;
    QString m_error;
};

/// One envelope, as a client sends a streaming request's single message.
QByteArray encodeEnvelope(quint8 flags, const QByteArray& message);

} // namespace cc::e2b
