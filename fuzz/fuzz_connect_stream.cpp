// Fuzzes the E2B Connect stream readers (sandbox/e2b/ConnectEnvelopeDecoder.h, ProcessStream.h):
// the body of process.Process/Start comes from the network. The envelopes must equal a separate
// whole-buffer reference decoder's, and the process events, errors and trailer must not depend on
// how the bytes were split across feed() calls; output never precedes the start event.

#include "FuzzCheck.h"

#include "e2b/ConnectEnvelopeDecoder.h"
#include "e2b/ProcessStream.h"

#include <QByteArray>
#include <QList>

using cc::e2b::ConnectEnvelopeDecoder;
using cc::e2b::ProcessEvent;
using cc::e2b::ProcessStreamReader;

namespace {

struct Envelopes
{
    QList<QPair<quint8, QByteArray>> envelopes;
    bool error = false;
    bool endStream = false;
    bool midEnvelope = false;

    bool operator==(const Envelopes& other) const
    {
        return envelopes == other.envelopes && error == other.error && endStream == other.endStream
               && (error || midEnvelope == other.midEnvelope);
    }
};

/// The reference: the whole body at once, from the Connect protocol's description (flags byte,
/// big-endian uint32 length, message; 0x01 compressed, 0x02 end of stream, nothing after it).
Envelopes referenceDecode(const uint8_t* data, size_t size, quint32 maxMessage)
{
    Envelopes out;
    size_t pos = 0;
    while (pos < size) {
        if (size - pos < 5) {
            out.midEnvelope = true;
            break;
        }
        const uint8_t flags = data[pos];
        const uint32_t length = (uint32_t(data[pos + 1]) << 24) | (uint32_t(data[pos + 2]) << 16)
                                | (uint32_t(data[pos + 3]) << 8) | data[pos + 4];
        if ((flags & 0x01) || length > maxMessage) {
            out.error = true;
            break;
        }
        if (size - pos - 5 < length) {
            out.midEnvelope = true;
            break;
        }
        out.envelopes.append({flags, QByteArray(reinterpret_cast<const char*>(data + pos + 5), qsizetype(length))});
        pos += 5 + length;
        if (flags & 0x02) {
            out.endStream = true;
            out.error = pos < size;
            break;
        }
    }
    return out;
}

template <typename FeedAll> Envelopes decodeEnvelopes(quint32 maxMessage, FeedAll feedAll)
{
    ConnectEnvelopeDecoder decoder(maxMessage);
    Envelopes out;
    feedAll([&](const char* data, size_t size) {
        for (const auto& envelope : decoder.feed(QByteArray(data, qsizetype(size)))) {
            FUZZ_CHECK(quint32(envelope.message.size()) <= maxMessage);
            FUZZ_CHECK(!out.endStream); // nothing after the end of the stream
            out.envelopes.append({envelope.flags, envelope.message});
            out.endStream = envelope.isEndStream();
        }
    });
    out.error = decoder.hasError();
    FUZZ_CHECK(out.endStream == decoder.sawEndStream());
    out.midEnvelope = decoder.isMidEnvelope();
    return out;
}

struct Events
{
    QList<ProcessEvent> events;
    QString error;
    bool endStream = false;
    bool sawStart = false;
    std::optional<cc::e2b::ConnectError> trailer;
};

bool sameEvent(const ProcessEvent& a, const ProcessEvent& b)
{
    return a.kind == b.kind && a.pid == b.pid && a.data == b.data && a.end.exitCode == b.end.exitCode
           && a.end.exited == b.end.exited && a.end.status == b.end.status && a.end.error == b.end.error;
}

bool sameEvents(const Events& a, const Events& b)
{
    if (a.events.size() != b.events.size() || a.error != b.error || a.sawStart != b.sawStart
        || a.trailer.has_value() != b.trailer.has_value())
        return false;
    // After an error the reader stops reading; whether the end-stream envelope was among the
    // bytes it had already been given is not part of its answer.
    if (a.error.isEmpty() && a.endStream != b.endStream)
        return false;
    if (a.trailer && (a.trailer->code != b.trailer->code || a.trailer->message != b.trailer->message))
        return false;
    for (qsizetype i = 0; i < a.events.size(); ++i) {
        if (!sameEvent(a.events[i], b.events[i]))
            return false;
    }
    return true;
}

template <typename FeedAll> Events readEvents(FeedAll feedAll)
{
    ProcessStreamReader reader;
    Events out;
    bool started = false;
    feedAll([&](const char* data, size_t size) {
        const bool hadError = reader.hasError();
        const QList<ProcessEvent> events = reader.feed(QByteArray(data, qsizetype(size)));
        FUZZ_CHECK(!hadError || events.isEmpty()); // after an error nothing more
        for (const ProcessEvent& event : events) {
            if (event.kind == ProcessEvent::Kind::Start)
                started = true;
            else if (event.kind != ProcessEvent::Kind::Keepalive)
                FUZZ_CHECK(started); // output and the end only after the start event
            if (event.kind == ProcessEvent::Kind::End) {
                const std::optional<int> status = event.end.shellStatus();
                FUZZ_CHECK(!status || event.end.exited || *status > 0);
            }
            out.events.append(event);
        }
    });
    out.error = reader.error();
    FUZZ_CHECK(out.error.isEmpty() == !reader.hasError());
    out.endStream = reader.sawEndStream();
    out.sawStart = reader.sawStart();
    FUZZ_CHECK(out.sawStart == started);
    out.trailer = reader.trailerError();
    if (out.trailer)
        FUZZ_CHECK(!out.trailer->code.isEmpty());
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const ccfuzz::SplitFeeds feeds(data, size, 128);
    const auto whole = feeds.whole();
    const auto twoPieces = feeds.twoPieces();
    const auto manyPieces = feeds.manyPieces();

    // The default limit, and a small one so that the limit itself is reached.
    for (const quint32 maxMessage : {ConnectEnvelopeDecoder::kDefaultMaxMessageBytes, quint32(64)}) {
        const Envelopes expected = referenceDecode(data, size, maxMessage);
        FUZZ_CHECK(decodeEnvelopes(maxMessage, whole) == expected);
        FUZZ_CHECK(decodeEnvelopes(maxMessage, twoPieces) == expected);
        FUZZ_CHECK(decodeEnvelopes(maxMessage, manyPieces) == expected);
    }

    const Events events = readEvents(whole);
    FUZZ_CHECK(sameEvents(readEvents(twoPieces), events));
    FUZZ_CHECK(sameEvents(readEvents(manyPieces), events));
    return 0;
}
