// Fuzzes the terminal-output filters (app/AnsiFilter.h, app/TerminalSanitizer.h) with what a
// hostile snippet may print: no control character or escape sequence other than SGR colour may
// come out, memory held between feeds stays bounded, and the result does not depend on how the
// bytes were split across feed() calls.

#include "FuzzCheck.h"

#include "AnsiFilter.h"
#include "TerminalSanitizer.h"

#include <QByteArray>
#include <QString>
#include <QStringDecoder>

using cc::AnsiFilter;
using cc::TerminalSanitizer;
using cc::TermColor;
using cc::TextStyle;

namespace {

void checkColor(const TermColor& color)
{
    if (color.kind == TermColor::Kind::Ansi16)
        FUZZ_CHECK(color.index < 16);
    if (color.kind == TermColor::Kind::Default || color.kind == TermColor::Kind::Ansi16
        || color.kind == TermColor::Kind::Indexed256)
        FUZZ_CHECK(color.red == 0 && color.green == 0 && color.blue == 0);
}

bool allowedInText(char16_t c)
{
    if (c == '\n' || c == '\t')
        return true;
    if (c < 0x20 || c == 0x7f)
        return false; // C0 controls (ESC among them) and DEL
    return c < 0x80 || c > 0x9f; // C1 controls
}

/// Everything a filter produced, merged across feeds as a consumer would see it.
struct FilterOutput
{
    AnsiFilter::Segments segments;
    TextStyle finalStyle;

    void add(const AnsiFilter::Segments& feedSegments, const AnsiFilter& filter)
    {
        for (qsizetype i = 0; i < feedSegments.size(); ++i) {
            const AnsiFilter::Segment& segment = feedSegments[i];
            FUZZ_CHECK(!segment.text.isEmpty());
            for (const QChar ch : segment.text)
                FUZZ_CHECK(allowedInText(ch.unicode()));
            // Adjacent text of one style is merged within one feed.
            FUZZ_CHECK(i == 0 || !(feedSegments[i - 1].style == segment.style));
            checkColor(segment.style.foreground);
            checkColor(segment.style.background);
            if (!segments.isEmpty() && segments.last().style == segment.style)
                segments.last().text += segment.text;
            else
                segments.append(segment);
        }
        FUZZ_CHECK(filter.bufferedSize() >= 0);
        FUZZ_CHECK(filter.bufferedSize() <= AnsiFilter::kMaxSequenceLength + 3);
    }

    QByteArray utf8Text() const
    {
        QString text;
        for (const AnsiFilter::Segment& segment : segments)
            text += segment.text;
        return text.toUtf8();
    }
};

template <typename FeedAll> FilterOutput runFilter(FeedAll feedAll)
{
    AnsiFilter filter;
    FilterOutput output;
    feedAll([&](const char* data, size_t size) {
        output.add(filter.feed(QByteArrayView(data, qsizetype(size))), filter);
    });
    output.add(filter.finish(), filter);
    FUZZ_CHECK(filter.bufferedSize() == 0);
    output.finalStyle = filter.currentStyle();
    return output;
}

template <typename FeedAll> QByteArray runSanitizer(FeedAll feedAll)
{
    TerminalSanitizer sanitizer;
    QByteArray output;
    feedAll([&](const char* data, size_t size) { output += sanitizer.feed(QByteArrayView(data, qsizetype(size))); });
    output += sanitizer.finish();
    return output;
}

/// What a terminal would see: valid UTF-8, no control but "\n", "\t" and well-formed SGR
/// sequences (ESC [ digits and ';' m), and the default style restored at the end. Returns the
/// output without its SGR sequences.
QByteArray checkTerminalOutput(const QByteArray& output)
{
    QByteArray text;
    QByteArray lastSgr;
    const qsizetype size = output.size();
    for (qsizetype i = 0; i < size; ++i) {
        const auto c = static_cast<unsigned char>(output[i]);
        if (c == 0x1b) {
            FUZZ_CHECK(i + 1 < size && output[i + 1] == '[');
            qsizetype end = i + 2;
            while (end < size && ((output[end] >= '0' && output[end] <= '9') || output[end] == ';'))
                ++end;
            FUZZ_CHECK(end < size && output[end] == 'm');
            lastSgr = output.mid(i, end + 1 - i);
            i = end;
            continue;
        }
        FUZZ_CHECK(c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f));
        text += char(c);
    }
    if (!lastSgr.isEmpty())
        FUZZ_CHECK(lastSgr == TerminalSanitizer::sgrFor(TextStyle{}));

    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString decoded = decoder(text);
    FUZZ_CHECK(!decoder.hasError());
    for (const QChar ch : decoded)
        FUZZ_CHECK(allowedInText(ch.unicode()));
    return text;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const ccfuzz::SplitFeeds feeds(data, size, 16);
    const auto whole = feeds.whole();
    const auto twoPieces = feeds.twoPieces();
    const auto manyPieces = feeds.manyPieces();

    const FilterOutput expected = runFilter(whole);
    const FilterOutput split2 = runFilter(twoPieces);
    FUZZ_CHECK(split2.segments == expected.segments);
    FUZZ_CHECK(split2.finalStyle == expected.finalStyle);
    const FilterOutput splitMany = runFilter(manyPieces);
    FUZZ_CHECK(splitMany.segments == expected.segments);
    FUZZ_CHECK(splitMany.finalStyle == expected.finalStyle);

    const QByteArray sanitized = runSanitizer(whole);
    const QByteArray text = checkTerminalOutput(sanitized);
    // The sanitizer prints exactly the filter's text, only with colour added.
    FUZZ_CHECK(text == expected.utf8Text());
    FUZZ_CHECK(runSanitizer(twoPieces) == sanitized);
    FUZZ_CHECK(runSanitizer(manyPieces) == sanitized);
    return 0;
}
