#include "AnsiFilter.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>

using cc::AnsiFilter;
using cc::TermColor;
using cc::TextStyle;

namespace {

QString describe(const TermColor& color)
{
    switch (color.kind) {
    case TermColor::Kind::Default:
        return {};
    case TermColor::Kind::Ansi16:
        return QStringLiteral("a%1").arg(color.index);
    case TermColor::Kind::Indexed256:
        return QStringLiteral("i%1").arg(color.index);
    case TermColor::Kind::Rgb:
        return QStringLiteral("#%1%2%3")
            .arg(color.red, 2, 16, QLatin1Char('0'))
            .arg(color.green, 2, 16, QLatin1Char('0'))
            .arg(color.blue, 2, 16, QLatin1Char('0'));
    }
    return {};
}

QString describe(const TextStyle& style)
{
    QStringList parts;
    if (!style.foreground.isDefault())
        parts << QStringLiteral("fg:") + describe(style.foreground);
    if (!style.background.isDefault())
        parts << QStringLiteral("bg:") + describe(style.background);
    if (style.bold)
        parts << QStringLiteral("b");
    if (style.dim)
        parts << QStringLiteral("d");
    if (style.italic)
        parts << QStringLiteral("i");
    if (style.underline)
        parts << QStringLiteral("u");
    if (style.inverse)
        parts << QStringLiteral("r");
    return parts.join(QLatin1Char(','));
}

// Adjacent segments of one style are one run of text, however the input was split.
AnsiFilter::Segments normalized(const AnsiFilter::Segments& segments)
{
    AnsiFilter::Segments out;
    for (const auto& segment : segments) {
        if (segment.text.isEmpty())
            continue;
        if (!out.isEmpty() && out.last().style == segment.style)
            out.last().text += segment.text;
        else
            out.append(segment);
    }
    return out;
}

// "{style}text" per run: "{fg:a1,b}red{} plain".
QString describe(const AnsiFilter::Segments& segments)
{
    QString out;
    for (const auto& segment : normalized(segments))
        out += QLatin1Char('{') + describe(segment.style) + QLatin1Char('}') + segment.text;
    return out;
}

QString plain(const AnsiFilter::Segments& segments)
{
    QString out;
    for (const auto& segment : segments)
        out += segment.text;
    return out;
}

AnsiFilter::Segments filterAll(const QByteArray& bytes)
{
    AnsiFilter filter;
    auto segments = filter.feed(bytes);
    segments += filter.finish();
    return segments;
}

// Nothing below U+0020 but '\n' and '\t', no DEL, no C1 survives.
bool onlySafeCharacters(const QString& text)
{
    for (const QChar ch : text) {
        const char16_t c = ch.unicode();
        if ((c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f))
            return false;
    }
    return true;
}

struct Sample
{
    const char* name;
    QByteArray input;
};

// Every row of both data tables, for the split-feed test.
QList<Sample> g_samples;

} // namespace

class TestAnsiFilter : public QObject
{
    Q_OBJECT

private slots:
    void stripsToVisibleText_data();
    void stripsToVisibleText();
    void rendersSgr_data();
    void rendersSgr();
    void splitAtEveryByteGivesSameResult();
    void incompleteUtf8AtEndBecomesReplacement();
    void longCsiIsBoundedAndDiscarded();
    void unterminatedOscIsBounded();
    void unterminatedDcsIsBounded();
    void resetForgetsStyleAndSequence();
    void randomBytesNeverLeakControls();
};

void TestAnsiFilter::stripsToVisibleText_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected");

    auto row = [](const char* name, const QByteArray& input, const QString& expected) {
        QTest::newRow(name) << input << expected;
        g_samples.append({name, input});
    };

    row("plain", "hello world\n", u"hello world\n"_qs);
    row("tab kept", "a\tb\n", u"a\tb\n"_qs);
    row("utf-8", "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80", u"h\u00e9llo \u2713 \U0001F600"_qs);
    row("markup is just text", "<b>x</b>&amp;", u"<b>x</b>&amp;"_qs);

    // Line ends
    row("crlf", "a\r\nb\r\n", u"a\nb\n"_qs);
    row("lone cr is a line break", "10%\r20%\r30%\n", u"10%\n20%\n30%\n"_qs);
    row("cr cr lf is one line end", "a\r\r\nb", u"a\nb"_qs);
    row("cr, erase line, text", "a\r\x1b[Kb", u"a\nb"_qs);
    row("lf lf", "a\n\nb", u"a\n\nb"_qs);

    // C0 controls
    row("nul bel bs vt ff del dropped",
        QByteArray("a\0b\x07"
                   "c\x08"
                   "d\x0b"
                   "e\x0c"
                   "f\x7fg",
                   13),
        u"abcdefg"_qs);
    row("so si and others dropped",
        "a\x0e\x0f\x01\x02\x1c\x1d\x1e\x1f"
        "b",
        u"ab"_qs);

    // CSI
    row("cursor moves", "a\x1b[2Ab\x1b[10;20Hc\x1b[5C\x1b[D", u"abc"_qs);
    row("clear screen and home", "\x1b[2J\x1b[Htext\x1b[3J", u"text"_qs);
    row("erase line", "abc\x1b[K\x1b[2K", u"abc"_qs);
    row("scroll region", "\x1b[1;24rX\x1b[r", u"X"_qs);
    row("alternate screen", "\x1b[?1049hX\x1b[?1049l", u"X"_qs);
    row("hide cursor, bracketed paste", "\x1b[?25l\x1b[?2004hX", u"X"_qs);
    row("device status report", "\x1b[6n\x1b[cX\x1b[>0c", u"X"_qs);
    row("window manipulation", "\x1b[8;100;200t\x1b[21tX", u"X"_qs);
    row("insert/delete lines", "\x1b[5L\x1b[3MX\x1b[2P\x1b[4@", u"X"_qs);
    row("csi with intermediate", "\x1b[2 qX\x1b[!p", u"X"_qs);
    row("newline inside csi is kept", "a\x1b[3\n1mb", u"a\nb"_qs);
    row("can aborts csi", "\x1b[31\x18x", u"x"_qs);
    row("non-ascii aborts csi", "\x1b[12\xc3\xa9", u"\u00e9"_qs);

    // OSC
    row("osc title bel",
        "\x1b]0;pwned\x07"
        "after",
        u"after"_qs);
    row("osc title st", "\x1b]2;pwned\x1b\\after", u"after"_qs);
    row("osc 8 hyperlink st", "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\", u"click me"_qs);
    row("osc 8 hyperlink bel", "see \x1b]8;id=1;file:///etc/passwd\x07here\x1b]8;;\x07.", u"see here."_qs);
    row("osc 52 clipboard", "\x1b]52;c;cm0gLXJmIH4=\x07rest", u"rest"_qs);
    row("osc 52 clipboard query", "\x1b]52;c;?\x1b\\rest", u"rest"_qs);
    row("osc colour change", "\x1b]4;1;rgb:ff/00/00\x07\x1b]10;?\x07X", u"X"_qs);
    row("newline inside osc swallowed",
        "\x1b]0;a\nb\x07"
        "c",
        u"c"_qs);
    row("esc inside osc starts a sequence", "\x1b]0;title\x1b[31mred", u"red"_qs);
    row("can aborts osc", "\x1b]0;title\x18shown", u"shown"_qs);

    // DCS, SOS, PM, APC
    row("dcs sixel",
        "\x1b"
        "Pq#0;2;0;0;0#0~~@@vv@@~~$-\x1b\\after",
        u"after"_qs);
    row("dcs decrqss",
        "\x1b"
        "P$qm\x1b\\after",
        u"after"_qs);
    row("bel does not end dcs",
        "\x1b"
        "Pabc\x07"
        "def\x1b\\after",
        u"after"_qs);
    row("sos", "\x1bXsos\x1b\\after", u"after"_qs);
    row("pm", "\x1b^pm\x1b\\after", u"after"_qs);
    row("apc", "\x1b_Gf=100;AAAA\x1b\\after", u"after"_qs);

    // Two-byte and intermediate ESC sequences
    row("esc c reset",
        "\x1b"
        "cX",
        u"X"_qs);
    row("esc 7 / esc 8",
        "\x1b"
        "7X\x1b"
        "8",
        u"X"_qs);
    row("keypad modes", "\x1b=X\x1b>", u"X"_qs);
    row("charset designation", "\x1b(BX\x1b)0\x1b(0", u"X"_qs);
    row("dec alignment test", "\x1b#8X", u"X"_qs);
    row("index, reverse index, nel",
        "\x1b"
        "DX\x1bM\x1b"
        "E",
        u"X"_qs);
    row("lone st", "a\x1b\\b", u"ab"_qs);
    row("esc esc", "\x1b\x1b[31mX", u"X"_qs);

    // C1 as code points (UTF-8 encoded) act like their ESC forms or are dropped
    row("c1 csi",
        "\xc2\x9b"
        "2JX",
        u"X"_qs);
    row("c1 osc st",
        "\xc2\x9d"
        "0;title\xc2\x9c"
        "after",
        u"after"_qs);
    row("c1 dcs",
        "\xc2\x90"
        "q#0\xc2\x9c"
        "after",
        u"after"_qs);
    row("c1 apc",
        "\xc2\x9f"
        "x\x1b\\after",
        u"after"_qs);
    row("c1 nel, ind, ri dropped",
        "a\xc2\x85"
        "b\xc2\x84"
        "c\xc2\x8d",
        u"abc"_qs);
    row(
        "every c1 code point",
        [] {
            QByteArray b;
            for (int c = 0x80; c <= 0x9f; ++c) {
                if (c == 0x90 || c == 0x98 || c == 0x9b || c == 0x9d || c == 0x9e || c == 0x9f)
                    continue; // these start a sequence
                b += "\xc2";
                b += char(c);
                b += 'x';
            }
            return b;
        }(),
        QString(26, QLatin1Char('x')));

    // C1 as raw bytes (not UTF-8) are removed
    row("raw c1 bytes",
        "a\x9b"
        "b\x9d"
        "c\x85"
        "d\x80",
        u"abcd"_qs);
    row("raw csi does not start a sequence",
        "\x9b"
        "31mX",
        u"31mX"_qs);
    row("utf-8 continuation in c1 range kept", "\xc3\x9b\xe2\x80\x9c", u"\u00db\u201c"_qs);

    // Invalid UTF-8
    row("invalid byte",
        "a\xff"
        "b",
        u"a\ufffdb"_qs);
    row("truncated sequence", "\xc3(", u"\ufffd("_qs);
    // Found by fuzz/fuzz_ansi_filter: cut after the first lead byte, the second one was lost.
    row("lead byte interrupted by a lead byte", "\xd9\xd9\r", u"\ufffd\ufffd\n"_qs);
    row("sequence interrupted by a longer one", // one U+FFFD per byte, as Qt decodes it
        "a\xe2\x82\xf0\x9f\x98\x80"
        "b",
        u"a\ufffd\ufffd\U0001F600b"_qs);
    row("surrogate encoded",
        "a\xed\xa0\x80"
        "b",
        QString());
    row("overlong", "\xc0\xaf", QString());
}

void TestAnsiFilter::stripsToVisibleText()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);

    const auto segments = filterAll(input);
    const QString text = plain(segments);
    if (expected.isEmpty()) // invalid input without an exact expectation: U+FFFD somewhere
        QVERIFY2(text.contains(QChar::ReplacementCharacter), qPrintable(text));
    else
        QCOMPARE(text, expected);
    QVERIFY2(onlySafeCharacters(text), qPrintable(text));
    QVERIFY(!text.contains(QLatin1Char('\x1b')));
}

void TestAnsiFilter::rendersSgr_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected");

    auto row = [](const char* name, const QByteArray& input, const QString& expected) {
        QTest::newRow(name) << input << expected;
        g_samples.append({name, input});
    };

    row("no sgr", "x", u"{}x"_qs);
    row("red then reset", "\x1b[31mred\x1b[0m plain", u"{fg:a1}red{} plain"_qs);
    row("empty parameter resets", "\x1b[31mA\x1b[mB\x1b[1;32;mC\x1b[;34mD", u"{fg:a1}A{}BC{fg:a4}D"_qs);
    row("bold green", "\x1b[1;32mX", u"{fg:a2,b}X"_qs);
    row("all sixteen foreground", "\x1b[30ma\x1b[37mb\x1b[90mc\x1b[97md", u"{fg:a0}a{fg:a7}b{fg:a8}c{fg:a15}d"_qs);
    row("backgrounds", "\x1b[41ma\x1b[47mb\x1b[100mc\x1b[107md", u"{bg:a1}a{bg:a7}b{bg:a8}c{bg:a15}d"_qs);
    row("default colours", "\x1b[31;41mA\x1b[39mB\x1b[49mC", u"{fg:a1,bg:a1}A{bg:a1}B{}C"_qs);
    row("256 colours", "\x1b[38;5;196mA\x1b[48;5;21mB", u"{fg:i196}A{fg:i196,bg:i21}B"_qs);
    row("rgb", "\x1b[38;2;255;128;0mA\x1b[48;2;1;2;3mB", u"{fg:#ff8000}A{fg:#ff8000,bg:#010203}B"_qs);
    row("colon 256", "\x1b[38:5:196mA", u"{fg:i196}A"_qs);
    row("colon rgb with colour space", "\x1b[38:2::255:128:0mA", u"{fg:#ff8000}A"_qs);
    row("colon rgb without colour space", "\x1b[48:2:255:128:0mA", u"{bg:#ff8000}A"_qs);
    row("colour then attribute", "\x1b[38;5;10;1mA", u"{fg:i10,b}A"_qs);
    row("attributes", "\x1b[1;2;3;4;7mX\x1b[22;23;24;27mY", u"{b,d,i,u,r}X{}Y"_qs);
    row("underline styles", "\x1b[4:3mA\x1b[4:0mB", u"{u}A{}B"_qs);
    row("22 clears bold and dim only", "\x1b[1;2;3mA\x1b[22mB", u"{b,d,i}A{i}B"_qs);
    row("256 index out of range ignored", "\x1b[38;5;300mX", u"{}X"_qs);
    row("rgb component out of range ignored", "\x1b[38;2;256;0;0mX", u"{}X"_qs);
    row("huge parameter saturates", "\x1b[38;5;99999999999999999999999999mX", u"{}X"_qs);
    row("leading zeros", "\x1b[0000000000000000000000000000031mX", u"{fg:a1}X"_qs);
    row("truncated 38 stops", "\x1b[1;38;5mX", u"{b}X"_qs);
    row("unknown attributes ignored", "\x1b[5;8;9;53;31mX", u"{fg:a1}X"_qs);
    row("private sgr ignored", "\x1b[?31mX\x1b[>4;2m", u"{}X"_qs);
    row("sgr with intermediate ignored", "\x1b[31 mX", u"{}X"_qs);
    row("other final with sgr parameters ignored", "\x1b[31nX", u"{}X"_qs);
    row("c1 csi sgr",
        "\xc2\x9b"
        "31mX",
        u"{fg:a1}X"_qs);
    row("style survives hidden sequences", "\x1b[31mA\x1b]0;t\x07\x1b[2JB", u"{fg:a1}AB"_qs);
    row("newline keeps style", "\x1b[34mA\nB", u"{fg:a4}A\nB"_qs);
}

void TestAnsiFilter::rendersSgr()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);
    QCOMPARE(describe(filterAll(input)), expected);
}

void TestAnsiFilter::splitAtEveryByteGivesSameResult()
{
    // The data functions filled g_samples; run them if this test is run on its own.
    if (g_samples.isEmpty()) {
        stripsToVisibleText_data();
        rendersSgr_data();
    }
    QVERIFY(g_samples.size() > 50);
    g_samples.append(Sample{"mixed",
                            "\x1b[1;38;2;10;20;30mh\xc3\xa9\r\n\x1b]8;;http://x\x1b\\\xf0\x9f\x98\x80\x1b]8;;\x07"
                            "\x1b"
                            "P1$r\x1b\\\xe2\x9c\x93\x1b[0m\x9b\xc2\x9b"
                            "1mz"});

    for (const Sample& sample : std::as_const(g_samples)) {
        const QByteArray& input = sample.input;
        const auto whole = normalized(filterAll(input));

        for (qsizetype cut = 1; cut < input.size(); ++cut) {
            AnsiFilter filter;
            auto segments = filter.feed(input.first(cut));
            segments += filter.feed(input.sliced(cut));
            segments += filter.finish();
            if (normalized(segments) != whole) {
                QFAIL(qPrintable(QStringLiteral("%1, cut at %2: %3 instead of %4")
                                     .arg(QLatin1String(sample.name))
                                     .arg(cut)
                                     .arg(describe(segments), describe(whole))));
            }
        }

        AnsiFilter filter;
        AnsiFilter::Segments segments;
        for (const char byte : input)
            segments += filter.feed(QByteArrayView(&byte, 1));
        segments += filter.finish();
        QVERIFY2(normalized(segments) == whole, sample.name);
    }
}

void TestAnsiFilter::incompleteUtf8AtEndBecomesReplacement()
{
    AnsiFilter filter;
    QCOMPARE(plain(filter.feed("a\xe2\x82")), u"a"_qs);
    QCOMPARE(plain(filter.feed("\xac")), u"\u20ac"_qs); // completed by the next feed
    QCOMPARE(plain(filter.feed("b\xe2\x82")), u"b"_qs);
    const QString tail = plain(filter.finish()); // never completed: U+FFFD (Qt gives one per byte)
    QVERIFY(!tail.isEmpty());
    QCOMPARE(tail, QString(tail.size(), QChar::ReplacementCharacter));
    QCOMPARE(plain(filter.feed("c")), u"c"_qs);
    QCOMPARE(plain(filter.finish()), QString());
}

void TestAnsiFilter::longCsiIsBoundedAndDiscarded()
{
    QByteArray parameters;
    for (int i = 0; i < 100000; ++i)
        parameters += "1;";
    const QByteArray input = "before\x1b[" + parameters + "31mX\x1b[32mY";

    AnsiFilter filter;
    AnsiFilter::Segments segments;
    qsizetype largest = 0;
    for (qsizetype pos = 0; pos < input.size(); pos += 4096) {
        segments += filter.feed(input.sliced(pos, qMin<qsizetype>(4096, input.size() - pos)));
        largest = qMax(largest, filter.bufferedSize());
    }
    QVERIFY(largest <= AnsiFilter::kMaxSequenceLength);
    QCOMPARE(filter.bufferedSize(), 0);
    // The oversized sequence is dropped whole (not applied); the next one works.
    QCOMPARE(describe(segments), u"{}beforeX{fg:a2}Y"_qs);

    // The same as one feed.
    QCOMPARE(describe(AnsiFilter().feed(input)), u"{}beforeX{fg:a2}Y"_qs);
}

void TestAnsiFilter::unterminatedOscIsBounded()
{
    const QByteArray chunk(64 * 1024, 'A');
    constexpr qsizetype kTotal = 10 * 1024 * 1024;

    AnsiFilter filter;
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(plain(filter.feed("shown\x1b]0;")), u"shown"_qs);
    for (qsizetype sent = 0; sent < kTotal; sent += chunk.size()) {
        const auto segments = filter.feed(chunk);
        QVERIFY(segments.isEmpty());
        QVERIFY(filter.bufferedSize() <= AnsiFilter::kMaxSequenceLength);
    }
    QCOMPARE(filter.bufferedSize(), 0); // OSC content is never stored
    QCOMPARE(plain(filter.feed("\x07"
                               "after\n")),
             u"after\n"_qs);
    qInfo("10 MiB unterminated OSC filtered in %lld ms", clock.elapsed());

    // One 10 MiB feed, ended by ST.
    AnsiFilter single;
    const QByteArray whole = "\x1b]8;;" + QByteArray(kTotal, 'h') + "\x1b\\link text";
    QCOMPARE(plain(single.feed(whole)), u"link text"_qs);
}

void TestAnsiFilter::unterminatedDcsIsBounded()
{
    AnsiFilter filter;
    QVERIFY(filter.feed("\x1bP").isEmpty());
    const QByteArray chunk(64 * 1024, 'q');
    for (int i = 0; i < 160; ++i) {
        QVERIFY(filter.feed(chunk).isEmpty());
        QCOMPARE(filter.bufferedSize(), 0);
    }
    QCOMPARE(plain(filter.feed("\x1b\\resumed")), u"resumed"_qs);
}

void TestAnsiFilter::resetForgetsStyleAndSequence()
{
    AnsiFilter filter;
    filter.feed("\x1b[31m\x1b]0;unterminated");
    QCOMPARE(filter.currentStyle().foreground, TermColor::ansi16(1));
    filter.reset();
    QCOMPARE(filter.currentStyle(), TextStyle{});
    QCOMPARE(describe(filter.feed("x")), u"{}x"_qs);
}

void TestAnsiFilter::randomBytesNeverLeakControls()
{
    QRandomGenerator generator(20261204);
    // Random bytes biased towards the interesting ones.
    static const char interesting[] = "\x1b[]P\\;:0123456789m\x07\x18\x1a\r\n\t\x9b\x9c\xc2\xe2\x80";
    for (int round = 0; round < 20; ++round) {
        QByteArray bytes(64 * 1024, Qt::Uninitialized);
        for (char& b : bytes) {
            const quint32 r = generator.generate();
            b = (r & 1) ? interesting[(r >> 1) % (sizeof(interesting) - 1)] : char(r >> 8);
        }
        AnsiFilter filter;
        AnsiFilter::Segments segments;
        for (qsizetype pos = 0; pos < bytes.size(); pos += 1000)
            segments += filter.feed(bytes.sliced(pos, qMin<qsizetype>(1000, bytes.size() - pos)));
        segments += filter.finish();
        QVERIFY(onlySafeCharacters(plain(segments)));
        QVERIFY(filter.bufferedSize() <= AnsiFilter::kMaxSequenceLength);
    }
}

QTEST_APPLESS_MAIN(TestAnsiFilter)
#include "tst_ansifilter.moc"
