#include "OutputConsole.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLocale>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTimer>

#include <functional>

using cc::OutputConsole;
using Stream = cc::Run::Stream;

namespace {

// A run that only emits what the test tells it to.
class FakeRun : public cc::Run
{
public:
    FakeRun() : cc::Run(cc::RunSpec{}) {}
    void cancel() override {}
    void say(Stream stream, const QByteArray& bytes) { emit output(stream, bytes); }
    void step(const QString& text) { emit progress(text); }
};

QString shownText(const OutputConsole& console)
{
    return console.textView()->toPlainText();
}

// The format of the text fragment that contains needle.
QTextCharFormat formatOf(const OutputConsole& console, const QString& needle)
{
    const QTextDocument* document = console.textView()->document();
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            if (it.fragment().text().contains(needle))
                return it.fragment().charFormat();
        }
    }
    return {};
}

bool reddish(const QColor& color)
{
    return color.red() > color.green() + 40 && color.red() > color.blue() + 40;
}

// Drives the event loop while producer() keeps being called from a timer (every intervalMs)
// until it returns false and the console has shown everything. Meanwhile a 10 ms heartbeat timer
// measures how long the event loop was ever kept from running it. Returns the longest gap in ms.
qint64 runWithHeartbeat(OutputConsole& console, int intervalMs, const std::function<bool()>& producer, int timeoutMs,
                        bool* finished)
{
    QEventLoop loop;
    QElapsedTimer clock;
    qint64 last = 0;
    qint64 longestGap = 0;

    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    heartbeat.setInterval(10);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        longestGap = qMax(longestGap, now - last);
        last = now;
    });

    bool producing = true;
    QTimer producerTimer;
    producerTimer.setTimerType(Qt::PreciseTimer);
    producerTimer.setInterval(intervalMs);
    QObject::connect(&producerTimer, &QTimer::timeout, [&] {
        if (!producer()) {
            producing = false;
            producerTimer.stop();
        }
    });

    QTimer done;
    done.setInterval(20);
    QObject::connect(&done, &QTimer::timeout, [&] {
        if (!producing && !console.hasPendingOutput()) {
            *finished = true;
            loop.quit();
        }
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);

    *finished = false;
    clock.start();
    heartbeat.start();
    producerTimer.start();
    done.start();
    loop.exec();
    // The gap up to the end counts too.
    longestGap = qMax(longestGap, clock.elapsed() - last);
    return longestGap;
}

} // namespace

class TestOutputConsole : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void hasObjectNames();
    void markupIsShownLiterally();
    void hostileSequencesAreStripped();
    void stdoutAndStderrHaveDifferentColours();
    void sgrColoursAreApplied();
    void streamsKeepTheirOwnEscapeState();
    void systemLinesAreDimmedItalicOnTheirOwnLine();
    void truncationIsMarked();
    void filterShowsOneStreamThenAll();
    void longLinesAreSplitForDisplay();
    void blockCountStaysBounded();
    void overflowingBacklogSaysBytesNotShown();
    void followsTheTailUnlessScrolledUp();
    void clearForgetsEverything();
    void connectsToARun();
    void followsPaletteChanges();
    void floodKeepsEventLoopResponsive();
    void hugeLineKeepsEventLoopResponsive();
    void streamsNeverInterleaveInsideALine();
    void unfinishedLineShowsAfterAMoment();

private:
    void waitUntilShown();

    OutputConsole* m_console = nullptr;
};

void TestOutputConsole::init()
{
    m_console = new OutputConsole;
    m_console->resize(900, 600);
    m_console->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_console));
}

void TestOutputConsole::cleanup()
{
    delete m_console;
    m_console = nullptr;
}

void TestOutputConsole::waitUntilShown()
{
    QTRY_VERIFY_WITH_TIMEOUT(!m_console->hasPendingOutput(), 30000);
}

void TestOutputConsole::hasObjectNames()
{
    QCOMPARE(m_console->objectName(), u"outputConsole"_qs);
    auto* filter = m_console->findChild<QComboBox*>(u"streamFilter"_qs);
    QVERIFY(filter);
    QCOMPARE(filter->count(), 3);
    auto* view = m_console->findChild<QPlainTextEdit*>(u"outputText"_qs);
    QVERIFY(view);
    QCOMPARE(view, m_console->textView());
    QVERIFY(view->isReadOnly());
    QVERIFY(!(view->textInteractionFlags() & Qt::LinksAccessibleByMouse));
    QVERIFY(!(view->textInteractionFlags() & Qt::TextEditable));
    QVERIFY(view->font().fixedPitch() || QFontInfo(view->font()).fixedPitch());
}

void TestOutputConsole::markupIsShownLiterally()
{
    const QByteArray markup = "<b>bold</b><a href=\"x\">link</a> &amp; <img src=\"y\"> <script>z</script>\n";
    m_console->appendOutput(Stream::Stdout, markup);
    m_console->appendOutput(Stream::Stderr, "<i>err</i>&lt;\n");
    m_console->appendSystemLine(u"<b>system</b> &amp;"_qs);
    waitUntilShown();

    const QString text = shownText(*m_console);
    QVERIFY2(text.contains(QString::fromUtf8(markup)), qPrintable(text));
    QVERIFY(text.contains(u"<i>err</i>&lt;\n"_qs));
    QVERIFY(text.contains(u"<b>system</b> &amp;"_qs));

    // Nothing became an anchor, an image or a rich-text structure.
    const QTextDocument* document = m_console->textView()->document();
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextCharFormat format = it.fragment().charFormat();
            QVERIFY(!format.isAnchor());
            QVERIFY(format.anchorHref().isEmpty());
            QVERIFY(!format.isImageFormat());
        }
    }
    QVERIFY(!document->toHtml().contains(u"<a "_qs));
    QVERIFY(!document->toHtml().contains(u"<img"_qs));
}

void TestOutputConsole::hostileSequencesAreStripped()
{
    const QString titleBefore = m_console->windowTitle();
    m_console->appendOutput(Stream::Stdout, "\x1b]0;pwned title\x07"
                                            "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
                                            "\x1b[2J\x1b[H\x1b[?1049h\x1b]52;c;cm0gLXJmIH4=\x07"
                                            "\x1bP1$r\x1b\\\x1b"
                                            "c\x1b[5A"
                                            " done\x07\x08\r\n"
                                            "para\xe2\x80\xa9sep\xef\xbf\xbcobj\n");
    waitUntilShown();
    QCOMPARE(shownText(*m_console), u"click done\npara\nsep\ufffdobj\n"_qs);
    QCOMPARE(m_console->windowTitle(), titleBefore);
    QVERIFY(!formatOf(*m_console, u"click"_qs).isAnchor());
}

void TestOutputConsole::stdoutAndStderrHaveDifferentColours()
{
    m_console->appendOutput(Stream::Stdout, "out line\n");
    m_console->appendOutput(Stream::Stderr, "err line\n");
    waitUntilShown();

    const QTextCharFormat out = formatOf(*m_console, u"out line"_qs);
    const QTextCharFormat err = formatOf(*m_console, u"err line"_qs);
    QVERIFY(out.hasProperty(QTextFormat::ForegroundBrush));
    QVERIFY(err.hasProperty(QTextFormat::ForegroundBrush));
    QCOMPARE(out.foreground().color(), m_console->textView()->palette().color(QPalette::Text));
    QVERIFY(out.foreground().color() != err.foreground().color());
    QVERIFY2(reddish(err.foreground().color()), qPrintable(err.foreground().color().name()));
}

void TestOutputConsole::sgrColoursAreApplied()
{
    m_console->appendOutput(Stream::Stdout, "\x1b[31mred\x1b[0m plain \x1b[1;38;2;0;0;200mblue\x1b[m "
                                            "\x1b[4munder\x1b[24m \x1b[3mslanted\x1b[23m\n");
    waitUntilShown();
    QCOMPARE(shownText(*m_console), u"red plain blue under slanted\n"_qs);

    const QColor plain = formatOf(*m_console, u" plain "_qs).foreground().color();
    const QTextCharFormat red = formatOf(*m_console, u"red"_qs);
    QVERIFY(red.foreground().color() != plain);
    QVERIFY2(reddish(red.foreground().color()), qPrintable(red.foreground().color().name()));
    const QTextCharFormat blue = formatOf(*m_console, u"blue"_qs);
    QVERIFY(blue.foreground().color().blue() > blue.foreground().color().red() + 40);
    QCOMPARE(blue.fontWeight(), int(QFont::Bold));
    QVERIFY(formatOf(*m_console, u"under"_qs).fontUnderline());
    QVERIFY(formatOf(*m_console, u"slanted"_qs).fontItalic());
}

void TestOutputConsole::streamsKeepTheirOwnEscapeState()
{
    // A sequence cut between chunks of stdout is not completed by stderr.
    m_console->appendOutput(Stream::Stdout, "\x1b[3");
    m_console->appendOutput(Stream::Stderr, "1mERR\n");
    m_console->appendOutput(Stream::Stdout, "2mOUT\n");
    waitUntilShown();
    QCOMPARE(shownText(*m_console), u"1mERR\nOUT\n"_qs);
    const QColor out = formatOf(*m_console, u"OUT"_qs).foreground().color();
    QVERIFY2(out.green() > out.red() + 40, qPrintable(out.name())); // SGR 32: green
}

void TestOutputConsole::systemLinesAreDimmedItalicOnTheirOwnLine()
{
    m_console->appendOutput(Stream::Stdout, "partial");
    m_console->appendSystemLine(u"container created"_qs);
    m_console->appendOutput(Stream::Stdout, "more\n");
    m_console->appendSystemLine(u"Killed after 10 s: the time limit"_qs);
    waitUntilShown();

    QCOMPARE(shownText(*m_console), u"partial\ncontainer created\nmore\nKilled after 10 s: the time limit\n"_qs);
    const QTextCharFormat system = formatOf(*m_console, u"container created"_qs);
    const QTextCharFormat normal = formatOf(*m_console, u"more"_qs);
    QVERIFY(system.fontItalic());
    QVERIFY(!normal.fontItalic());
    QVERIFY(system.foreground().color() != normal.foreground().color());
    // Dimmed: closer to the background than the normal text is.
    const QColor base = m_console->textView()->palette().color(QPalette::Base);
    auto distance = [&base](const QColor& c) {
        return qAbs(c.red() - base.red()) + qAbs(c.green() - base.green()) + qAbs(c.blue() - base.blue());
    };
    QVERIFY(distance(system.foreground().color()) < distance(normal.foreground().color()));
}

void TestOutputConsole::truncationIsMarked()
{
    m_console->appendOutput(Stream::Stdout, "some output");
    m_console->markTruncated(1024 * 1024);
    waitUntilShown();
    const QString text = shownText(*m_console);
    QVERIFY2(text.contains(u"\nOutput truncated: the run reached its output limit of"_qs), qPrintable(text));
    QCOMPARE(formatOf(*m_console, u"Output truncated"_qs).fontWeight(), int(QFont::Bold));
}

void TestOutputConsole::filterShowsOneStreamThenAll()
{
    m_console->appendOutput(Stream::Stdout, "o1\n");
    m_console->appendOutput(Stream::Stderr, "\x1b[1me1\n");
    m_console->appendOutput(Stream::Stdout, "o2\n");
    m_console->appendSystemLine(u"sys"_qs);
    m_console->appendOutput(Stream::Stderr, "e2\n");
    waitUntilShown();
    QCOMPARE(shownText(*m_console), u"o1\ne1\no2\nsys\ne2\n"_qs);

    auto* filter = m_console->findChild<QComboBox*>(u"streamFilter"_qs);
    QVERIFY(filter);
    filter->setCurrentIndex(2);
    QCOMPARE(m_console->streamFilter(), OutputConsole::StreamFilter::StderrOnly);
    waitUntilShown();
    QCOMPARE(shownText(*m_console), u"e1\nsys\ne2\n"_qs);
    QCOMPARE(formatOf(*m_console, u"e2"_qs).fontWeight(), int(QFont::Bold)); // style kept

    // New output respects the filter.
    m_console->appendOutput(Stream::Stdout, "o3\n");
    m_console->appendOutput(Stream::Stderr, "e3\n");
    waitUntilShown();
    QCOMPARE(shownText(*m_console), u"e1\nsys\ne2\ne3\n"_qs);

    m_console->setStreamFilter(OutputConsole::StreamFilter::StdoutOnly);
    QCOMPARE(filter->currentIndex(), 1);
    waitUntilShown();
    QCOMPARE(shownText(*m_console), u"o1\no2\nsys\no3\n"_qs);

    filter->setCurrentIndex(0);
    waitUntilShown();
    QCOMPARE(shownText(*m_console), u"o1\ne1\no2\nsys\ne2\no3\ne3\n"_qs);
    QVERIFY(formatOf(*m_console, u"o1"_qs).foreground() != formatOf(*m_console, u"e1"_qs).foreground());
}

void TestOutputConsole::longLinesAreSplitForDisplay()
{
    m_console->setMaximumLineLength(100);
    QByteArray line(1050, 'y');
    // 1048 UTF-16 characters; a surrogate pair at 499–500 straddles a split point and stays whole.
    line.replace(499, 4, "\xf0\x9f\x98\x80");
    m_console->appendOutput(Stream::Stdout, line.first(333));
    m_console->appendOutput(Stream::Stdout, line.sliced(333) + "\nshort\n");
    waitUntilShown();

    const QTextDocument* document = m_console->textView()->document();
    QCOMPARE(document->blockCount(), 13); // the long line in 11 display lines, "short", the empty last
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        QVERIFY(block.text().size() <= 100);
        QVERIFY(block.text().isEmpty() || !block.text().front().isLowSurrogate());
    }
    QString joined = shownText(*m_console);
    joined.remove(QLatin1Char('\n'));
    QCOMPARE(joined, QString::fromUtf8(line) + u"short"_qs);
}

void TestOutputConsole::blockCountStaysBounded()
{
    QCOMPARE(m_console->maximumLineCount(), OutputConsole::kDefaultMaximumLineCount);
    int line = 0;
    for (int chunk = 0; chunk < 100; ++chunk) {
        QByteArray bytes;
        for (int i = 0; i < 1000; ++i, ++line)
            bytes += "line " + QByteArray::number(line) + " \x1b[32mok\x1b[0m\n";
        m_console->appendOutput(chunk % 10 == 9 ? Stream::Stderr : Stream::Stdout, bytes);
        if (chunk % 20 == 0)
            QTest::qWait(0);
    }
    waitUntilShown();

    const QTextDocument* document = m_console->textView()->document();
    qInfo("100000 lines appended: %d blocks shown", document->blockCount());
    QVERIFY(document->blockCount() <= OutputConsole::kDefaultMaximumLineCount);
    QVERIFY(document->blockCount() >= OutputConsole::kDefaultMaximumLineCount / 2);
    QVERIFY(shownText(*m_console).endsWith(u"line 99999 ok\n"_qs));

    // The filter model is bounded too.
    m_console->setStreamFilter(OutputConsole::StreamFilter::StderrOnly);
    waitUntilShown();
    QVERIFY(document->blockCount() <= OutputConsole::kDefaultMaximumLineCount);
    QVERIFY(shownText(*m_console).endsWith(u"line 99999 ok\n"_qs));
}

void TestOutputConsole::overflowingBacklogSaysBytesNotShown()
{
    m_console->setMaximumBacklog(64 * 1024);
    // 1 MiB without a line break arrives before the first flush: only the newest 64 KiB can stay.
    for (int i = 0; i < 16; ++i)
        m_console->appendOutput(Stream::Stdout, QByteArray(64 * 1024, char('a' + i)));
    m_console->appendOutput(Stream::Stdout, "\nend\n");
    waitUntilShown();

    const QString text = shownText(*m_console);
    const qint64 skipped = 16 * 64 * 1024 + 5 - 64 * 1024;
    const QString notice = u"… %1 bytes not shown …"_qs.arg(QLocale().toString(skipped));
    QVERIFY2(text.startsWith(notice + QLatin1Char('\n')), qPrintable(text.left(200)));
    QVERIFY(text.endsWith(u"\nend\n"_qs));
    QVERIFY(formatOf(*m_console, u"bytes not shown"_qs).fontItalic());
    QString kept = text.sliced(notice.size() + 1);
    kept.remove(QLatin1Char('\n'));
    QCOMPARE(kept.size(), 64 * 1024 - 5 + 3);
    QVERIFY(kept.startsWith(QLatin1Char('p')));
}

void TestOutputConsole::followsTheTailUnlessScrolledUp()
{
    QScrollBar* scrollBar = m_console->textView()->verticalScrollBar();
    QByteArray lines;
    for (int i = 0; i < 500; ++i)
        lines += "line " + QByteArray::number(i) + '\n';
    m_console->appendOutput(Stream::Stdout, lines);
    waitUntilShown();
    QVERIFY(scrollBar->maximum() > 0);
    QTRY_COMPARE(scrollBar->value(), scrollBar->maximum());

    // The user scrolls up: new output does not pull the view down.
    scrollBar->setValue(10);
    m_console->appendOutput(Stream::Stdout, lines);
    waitUntilShown();
    QTest::qWait(50);
    QCOMPARE(scrollBar->value(), 10);

    // Back at the bottom: it follows again.
    scrollBar->setValue(scrollBar->maximum());
    m_console->appendOutput(Stream::Stdout, lines);
    waitUntilShown();
    QTRY_COMPARE(scrollBar->value(), scrollBar->maximum());
}

void TestOutputConsole::clearForgetsEverything()
{
    m_console->appendOutput(Stream::Stdout, "shown\n");
    waitUntilShown();
    m_console->appendOutput(Stream::Stdout, "\x1b[31mwaiting");
    m_console->clear();
    QVERIFY(!m_console->hasPendingOutput());
    QCOMPARE(shownText(*m_console), QString());
    m_console->appendOutput(Stream::Stdout, "after\n");
    waitUntilShown();
    QCOMPARE(shownText(*m_console), u"after\n"_qs);
    QCOMPARE(formatOf(*m_console, u"after"_qs).foreground().color(),
             m_console->textView()->palette().color(QPalette::Text)); // colour state was reset
}

void TestOutputConsole::connectsToARun()
{
    FakeRun run;
    connect(&run, &cc::Run::output, m_console, &OutputConsole::appendOutput);
    connect(&run, &cc::Run::progress, m_console, &OutputConsole::appendSystemLine);
    run.step(u"container created"_qs);
    run.say(Stream::Stdout, "hello\n");
    run.say(Stream::Stderr, "oops\n");
    waitUntilShown();
    QCOMPARE(shownText(*m_console), u"container created\nhello\noops\n"_qs);
}

void TestOutputConsole::followsPaletteChanges()
{
    m_console->appendOutput(Stream::Stdout, "out\n");
    m_console->appendOutput(Stream::Stderr, "err\n");
    waitUntilShown();
    const QColor lightErr = formatOf(*m_console, u"err"_qs).foreground().color();

    QPalette dark = m_console->palette();
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::Text, QColor(0xdd, 0xdd, 0xdd));
    m_console->setPalette(dark);
    waitUntilShown();

    QCOMPARE(shownText(*m_console), u"out\nerr\n"_qs);
    QCOMPARE(formatOf(*m_console, u"out"_qs).foreground().color(), QColor(0xdd, 0xdd, 0xdd));
    const QColor darkErr = formatOf(*m_console, u"err"_qs).foreground().color();
    QVERIFY(darkErr != lightErr);
    QVERIFY(reddish(darkErr));
    QVERIFY(darkErr.lightnessF() > 0.5); // light on the dark background
}

void TestOutputConsole::floodKeepsEventLoopResponsive()
{
    // 50 MiB of coloured lines in 64 KiB chunks, one chunk per millisecond timer tick.
    QByteArray chunk;
    for (int i = 0; chunk.size() < 64 * 1024 - 200; ++i)
        chunk += "\x1b[3" + QByteArray::number(i % 8) + "mline " + QByteArray::number(i) +
                 "\x1b[0m with some ordinary text after it, and a tab\there\n";
    chunk = chunk.leftJustified(64 * 1024, '.');
    const qint64 total = 50LL * 1024 * 1024;
    qint64 sent = 0;
    int turn = 0;

    QElapsedTimer clock;
    clock.start();
    bool finished = false;
    const qint64 longestGap = runWithHeartbeat(
        *m_console, 1,
        [&] {
            m_console->appendOutput(turn++ % 4 == 3 ? Stream::Stderr : Stream::Stdout, chunk);
            sent += chunk.size();
            return sent < total;
        },
        120000, &finished);
    QVERIFY(finished);
    qInfo("flood of %lld MiB in 64 KiB chunks: shown after %lld ms, longest heartbeat gap %lld ms", total >> 20,
          clock.elapsed(), longestGap);
    QVERIFY2(longestGap < 100, qPrintable(u"event loop blocked for %1 ms"_qs.arg(longestGap)));
    QVERIFY(m_console->textView()->document()->blockCount() <= m_console->maximumLineCount());
    QVERIFY(shownText(*m_console).contains(u"bytes not shown"_qs));
}

void TestOutputConsole::hugeLineKeepsEventLoopResponsive()
{
    const QByteArray chunk(64 * 1024, 'x');
    const qint64 total = 50LL * 1024 * 1024;
    qint64 sent = 0;

    QElapsedTimer clock;
    clock.start();
    bool finished = false;
    const qint64 longestGap = runWithHeartbeat(
        *m_console, 1,
        [&] {
            m_console->appendOutput(Stream::Stdout, chunk);
            sent += chunk.size();
            return sent < total;
        },
        120000, &finished);
    QVERIFY(finished);
    qInfo("one 50 MiB line in 64 KiB chunks: shown after %lld ms, longest heartbeat gap %lld ms", clock.elapsed(),
          longestGap);
    QVERIFY2(longestGap < 100, qPrintable(u"event loop blocked for %1 ms"_qs.arg(longestGap)));

    const QTextDocument* document = m_console->textView()->document();
    QVERIFY(document->blockCount() <= m_console->maximumLineCount());
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next())
        QVERIFY(block.text().size() <= m_console->maximumLineLength());

    // Still usable afterwards: a filter change re-renders without blocking either.
    finished = false;
    bool once = true;
    const qint64 rerenderGap = runWithHeartbeat(
        *m_console, 1,
        [&] {
            if (once)
                m_console->setStreamFilter(OutputConsole::StreamFilter::StdoutOnly);
            once = false;
            return false;
        },
        60000, &finished);
    QVERIFY(finished);
    qInfo("re-render after the huge line: longest heartbeat gap %lld ms", rerenderGap);
    QVERIFY(rerenderGap < 100);
}

void TestOutputConsole::streamsNeverInterleaveInsideALine()
{
    // An unbuffered program writes a line in pieces; stderr may arrive between them.
    m_console->appendOutput(cc::Run::Stream::Stdout, "line");
    m_console->appendOutput(cc::Run::Stream::Stderr, "warning\n");
    m_console->appendOutput(cc::Run::Stream::Stdout, " 2\nnext");
    m_console->appendOutput(cc::Run::Stream::Stdout, " line\n");
    waitUntilShown();
    QCOMPARE(m_console->textView()->toPlainText(), QStringLiteral("warning\nline 2\nnext line\n"));
}

void TestOutputConsole::unfinishedLineShowsAfterAMoment()
{
    QElapsedTimer clock;
    clock.start();
    m_console->appendOutput(cc::Run::Stream::Stdout, "Enter your name: ");
    QTRY_COMPARE_WITH_TIMEOUT(m_console->textView()->toPlainText(), QStringLiteral("Enter your name: "), 2000);
    QVERIFY2(clock.elapsed() < 1000, "a prompt must not wait for a newline that never comes");
}

QTEST_MAIN(TestOutputConsole)
#include "tst_outputconsole.moc"
