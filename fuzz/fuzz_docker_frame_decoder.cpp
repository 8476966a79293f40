// Fuzzes Docker's multiplexed stream decoder (sandbox/docker/DockerFrameDecoder.h): whatever the
// engine (or something pretending to be it) sends, the decoder must hand back exactly the payload
// a straightforward whole-buffer decoder finds, however the bytes were split across feed() calls.

#include "FuzzCheck.h"

#include "docker/DockerFrameDecoder.h"

#include <QByteArray>
#include <QList>

using cc::docker::DockerFrameDecoder;

namespace {

struct Piece
{
    int stream;
    QByteArray payload;
};

/// Stream turns with adjacent pieces of one stream merged, plus how the stream ended.
struct Decoded
{
    QList<Piece> pieces;
    bool error = false;
    bool midFrame = false;

    void add(int stream, const char* data, qsizetype size)
    {
        if (size == 0)
            return;
        if (!pieces.isEmpty() && pieces.last().stream == stream)
            pieces.last().payload.append(data, size);
        else
            pieces.append({stream, QByteArray(data, size)});
    }

    bool operator==(const Decoded& other) const
    {
        if (error != other.error || pieces.size() != other.pieces.size())
            return false;
        // After a bad header "inside a frame" means nothing; isMidFrame() is only defined before.
        if (!error && midFrame != other.midFrame)
            return false;
        for (qsizetype i = 0; i < pieces.size(); ++i) {
            if (pieces[i].stream != other.pieces[i].stream || pieces[i].payload != other.pieces[i].payload)
                return false;
        }
        return true;
    }
};

/// The reference: the whole stream at once, written from Docker's documentation of the format
/// (header {stream 0|1|2, 0, 0, 0, big-endian uint32 size}, then size bytes), sharing no code with
/// the decoder under test.
Decoded referenceDecode(const uint8_t* data, size_t size)
{
    Decoded decoded;
    size_t pos = 0;
    while (pos < size) {
        if (size - pos < 8) {
            decoded.midFrame = true;
            break;
        }
        const uint8_t* h = data + pos;
        if (h[0] > 2 || h[1] != 0 || h[2] != 0 || h[3] != 0) {
            decoded.error = true;
            break;
        }
        const uint64_t length = (uint64_t(h[4]) << 24) | (uint64_t(h[5]) << 16) | (uint64_t(h[6]) << 8) | h[7];
        pos += 8;
        const uint64_t available = size - pos;
        const uint64_t take = length < available ? length : available;
        decoded.add(h[0], reinterpret_cast<const char*>(data + pos), qsizetype(take));
        pos += size_t(take);
        if (take < length) {
            decoded.midFrame = true;
            break;
        }
    }
    return decoded;
}

/// Collects one feed()'s chunks, checking what the API promises about each of them.
void collect(const QList<DockerFrameDecoder::Chunk>& chunks, size_t fed, Decoded& decoded)
{
    qsizetype bytes = 0;
    for (qsizetype i = 0; i < chunks.size(); ++i) {
        const DockerFrameDecoder::Chunk& chunk = chunks[i];
        const int stream = int(chunk.stream);
        FUZZ_CHECK(stream >= 0 && stream <= 2);
        FUZZ_CHECK(!chunk.payload.isEmpty());
        // Adjacent pieces of one stream within a feed are merged.
        FUZZ_CHECK(i == 0 || chunks[i - 1].stream != chunk.stream);
        bytes += chunk.payload.size();
        decoded.add(stream, chunk.payload.constData(), chunk.payload.size());
    }
    FUZZ_CHECK(size_t(bytes) <= fed); // payload never appears out of nowhere
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const Decoded expected = referenceDecode(data, size);
    const auto* chars = reinterpret_cast<const char*>(data);

    // One piece.
    {
        DockerFrameDecoder decoder;
        Decoded decoded;
        collect(decoder.feed(QByteArray(chars, qsizetype(size))), size, decoded);
        decoded.error = decoder.hasError();
        decoded.midFrame = decoder.isMidFrame();
        FUZZ_CHECK(decoded == expected);
    }

    ccfuzz::SplitRng rng(data, size);

    // Two pieces, split at a point derived from the data.
    {
        const size_t split = rng.upTo(size);
        DockerFrameDecoder decoder;
        Decoded decoded;
        collect(decoder.feed(QByteArray(chars, qsizetype(split))), split, decoded);
        collect(decoder.feed(QByteArray(chars + split, qsizetype(size - split))), size - split, decoded);
        decoded.error = decoder.hasError();
        decoded.midFrame = decoder.isMidFrame();
        FUZZ_CHECK(decoded == expected);
    }

    // Many small pieces (header bytes cut apart, several frames per piece, empty feeds).
    {
        DockerFrameDecoder decoder;
        Decoded decoded;
        const size_t maxPiece = 1 + rng.upTo(size / 16 > 23 ? size / 16 : 23);
        ccfuzz::feedInPieces(size, rng, maxPiece, [&](size_t offset, size_t length) {
            collect(decoder.feed(QByteArray(chars + offset, qsizetype(length))), length, decoded);
        });
        decoded.error = decoder.hasError();
        decoded.midFrame = decoder.isMidFrame();
        FUZZ_CHECK(decoded == expected);
    }
    return 0;
}
