#include "TerminalSanitizer.h"

#include <QtTest>

using cc::TerminalSanitizer;

class TestTerminalSanitizer : public QObject
{
    Q_OBJECT

private slots:
    void keepsColourDropsEverythingElse_data();
    void keepsColourDropsEverythingElse();
    void sequencesSplitAcrossFeedsAreStillCaught();
    void finishResetsAnActiveStyle();
};

void TestTerminalSanitizer::keepsColourDropsEverythingElse_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << QByteArray("hello\n") << QByteArray("hello\n");
    QTest::newRow("red then reset") << QByteArray("\x1b[31mred\x1b[0m!") << QByteArray("\x1b[0;31mred\x1b[0m!");
    QTest::newRow("bold 256 and rgb") << QByteArray("\x1b[1;38;5;208mA\x1b[48;2;1;2;3mB")
                                     << QByteArray("\x1b[0;1;38;5;208mA\x1b[0;1;38;5;208;48;2;1;2;3mB");
    QTest::newRow("window title") << QByteArray("\x1b]0;evil title\x07text") << QByteArray("text");
    QTest::newRow("clipboard write") << QByteArray("\x1b]52;c;ZXZpbA==\x1b\\text") << QByteArray("text");
    QTest::newRow("hyperlink keeps its text") << QByteArray("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\") << QByteArray("link");
    QTest::newRow("clear screen and home") << QByteArray("\x1b[2J\x1b[Hok") << QByteArray("ok");
    QTest::newRow("cursor up to overwrite") << QByteArray("fine\x1b[1A\x1b[2Kfaked") << QByteArray("finefaked");
    QTest::newRow("device status query") << QByteArray("\x1b[6nq") << QByteArray("q");
    QTest::newRow("alternate screen") << QByteArray("\x1b[?1049hz") << QByteArray("z");
    QTest::newRow("DCS string") << QByteArray("\x1bPq#0;2;0;0;0\x1b\\after") << QByteArray("after");
    QTest::newRow("C1 CSI as UTF-8") << QByteArray("\xc2\x9b" "2Jx") << QByteArray("x");
    QTest::newRow("bell and backspace") << QByteArray("a\x07\x08" "b") << QByteArray("ab");
}

void TestTerminalSanitizer::keepsColourDropsEverythingElse()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    TerminalSanitizer sanitizer;
    QByteArray out = sanitizer.feed(input);
    const QByteArray tail = sanitizer.finish();
    // finish() only adds a reset when a style is still active.
    if (!tail.isEmpty())
        QCOMPARE(tail, QByteArray("\x1b[0m"));
    QCOMPARE(out, expected);
}

void TestTerminalSanitizer::sequencesSplitAcrossFeedsAreStillCaught()
{
    const QByteArray input = "\x1b]0;evil\x07" "a\x1b[31mb\x1b[2Jc";
    for (int split = 1; split < input.size(); ++split) {
        TerminalSanitizer sanitizer;
        QByteArray out = sanitizer.feed(input.left(split));  // one statement each: the order matters
        out += sanitizer.feed(input.mid(split));
        out += sanitizer.finish();
        QCOMPARE(out, QByteArray("a\x1b[0;31mbc\x1b[0m"));
    }
}

void TestTerminalSanitizer::finishResetsAnActiveStyle()
{
    TerminalSanitizer sanitizer;
    QCOMPARE(sanitizer.feed("\x1b[4munderlined"), QByteArray("\x1b[0;4munderlined"));
    QCOMPARE(sanitizer.finish(), QByteArray("\x1b[0m"));
    TerminalSanitizer plain;
    QCOMPARE(plain.feed("x"), QByteArray("x"));
    QCOMPARE(plain.finish(), QByteArray());
}

QTEST_GUILESS_MAIN(TestTerminalSanitizer)
#include "tst_terminalsanitizer.moc"
