#pragma once

// Shared by the fuzz targets: invariant checks that abort (so libFuzzer keeps the input) and a
// deterministic way to pick split points from the input itself.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

/// Aborts with the failed condition when an invariant does not hold. Stays on in release builds.
#define FUZZ_CHECK(condition)                                                                          \
    do {                                                                                               \
        if (!(condition)) {                                                                            \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition);   \
            std::abort();                                                                              \
        }                                                                                              \
    } while (false)

namespace ccfuzz {

/// A small, fast PRNG seeded from the input, so that every input always splits the same way and
/// libFuzzer's mutations move the split points around.
class SplitRng
{
public:
    SplitRng(const uint8_t* data, size_t size)
    {
        // FNV-1a over the input.
        uint64_t h = 1469598103934665603ull ^ size;
        for (size_t i = 0; i < size; ++i) {
            h ^= data[i];
            h *= 1099511628211ull;
        }
        m_state = h | 1;
    }

    uint64_t next()
    {
        // xorshift64*
        m_state ^= m_state >> 12;
        m_state ^= m_state << 25;
        m_state ^= m_state >> 27;
        return m_state * 2685821657736338717ull;
    }

    /// A value in [0, bound]; 0 when bound is 0.
    size_t upTo(size_t bound) { return bound == 0 ? 0 : size_t(next() % (uint64_t(bound) + 1)); }

private:
    uint64_t m_state;
};

/// Calls feed(offset, length) over [0, size) in pieces of 1..maxPiece bytes chosen by rng; the
/// first piece may be empty, so that an empty feed() is exercised too.
template <typename Feed> void feedInPieces(size_t size, SplitRng& rng, size_t maxPiece, Feed feed)
{
    size_t pos = 0;
    bool first = true;
    while (pos < size || first) {
        size_t length = first ? rng.upTo(maxPiece) : 1 + rng.upTo(maxPiece - 1);
        if (length > size - pos)
            length = size - pos;
        feed(pos, length);
        pos += length;
        first = false;
    }
}

/// The same input handed to a streaming reader three ways, each a callable taking
/// feed(const char* data, size_t size): whole, in two pieces cut at a point chosen from the input,
/// and in many small pieces of up to max(size / pieceDivisor, 15) bytes. A reader's answer must
/// not depend on which. (Small pieces, but not hundreds of feeds for a long input: that would only
/// slow the search, and the two-piece split already tries every cut point.)
class SplitFeeds
{
public:
    SplitFeeds(const uint8_t* data, size_t size, size_t pieceDivisor)
        : m_chars(reinterpret_cast<const char*>(data)), m_size(size)
    {
        SplitRng rng(data, size);
        m_split = rng.upTo(size);
        m_maxPiece = 1 + rng.upTo(size / pieceDivisor > 15 ? size / pieceDivisor : 15);
        m_piecesSeed = rng.next();
    }

    auto whole() const
    {
        return [this](auto feed) { feed(m_chars, m_size); };
    }
    auto twoPieces() const
    {
        return [this](auto feed) {
            feed(m_chars, m_split);
            feed(m_chars + m_split, m_size - m_split);
        };
    }
    auto manyPieces() const
    {
        return [this](auto feed) {
            SplitRng pieces(reinterpret_cast<const uint8_t*>(&m_piecesSeed), sizeof m_piecesSeed);
            feedInPieces(m_size, pieces, m_maxPiece,
                         [&](size_t offset, size_t length) { feed(m_chars + offset, length); });
        };
    }

private:
    const char* m_chars;
    size_t m_size;
    size_t m_split = 0;
    size_t m_maxPiece = 1;
    uint64_t m_piecesSeed = 0;
};

} // namespace ccfuzz
