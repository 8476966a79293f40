// The playground window driven as a person would, with the real widgets and the real Docker
// engine, under QT_QPA_PLATFORM=offscreen.
#include "AnswerEdit.h"
#include "AnswerPanel.h"
#include "Autosave.h"
#include "CodeEditor.h"
#include "DockerTestSupport.h"
#include "MainWindow.h"
#include "OutputConsole.h"
#include "ResourceMonitor.h"
#include "RunSession.h"
#include "Settings.h"
#include "WindowTestSupport.h"
#include "http/HttpClient.h"

#include <QClipboard>
#include <QComboBox>
#include <Qsci/qscilexerpython.h>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

using namespace cc;

namespace {

const char* const kAnswer = R"MD(Sure! First install nothing, the standard library is enough:

```bash
pip install --upgrade pip
```

Then run this program:

```python
import sys
for i in range(3):
    print("line", i)
print("done", file=sys.stderr)
```

Expected output:

```text
line 0
line 1
line 2
```
)MD";

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void pastedAnswerPreselectsTheProgram();
    void grantsAreOffAtStartAndAfterNewCode();
    void grantNeedsConfirmationAndCancelLeavesItOff();
    void runStreamsOutputAndShowsTheVerdictCard();
    void stopEndsASleepingRunAsCancelled();
    void outputFloodKeepsTheWindowResponsive();
    void autosaveRestoresTextInANewWindow();
    void engineErrorsShowInline();
    void keyboardRunsAndStops();
    void hugePasteIsCutWithAMessage();
    void largeSnippetRuns();
    void editorFollowsADarkPalette();

private:
    void createWindow();
    RunResult runAndWait(int deadlineMs = 60'000);
    /// Everything the console shows once its batched output has been flushed.
    QString consoleText();
    template <typename T> T* child(const char* name) { return test::namedChild<T>(m_ui.window(), name); }

    http::HttpClient m_http;
    docker::DockerBackend* m_backend = nullptr;
    QTemporaryDir m_root;
    QString m_stateDir;   // settings and autosave of the current test
    test::TestWindow m_ui;
    int m_confirmations = 0;
    bool m_confirmAnswer = false;
};

void TestMainWindow::initTestCase()
{
    QVERIFY(m_root.isValid());
    m_backend = new docker::DockerBackend(&m_http, docker::DockerEndpoint::fromEnvironment(), this);
    QString why;
    if (!test::engineReady(*m_backend->api(), &why))
        QFAIL(qPrintable(why));
}

void TestMainWindow::createWindow()
{
    Prompter prompter;
    prompter.confirm = [this](const QString&, const QString&) {
        ++m_confirmations;
        return m_confirmAnswer;
    };
    prompter.chooseFolder = [](const QString&) { return QString(); };
    prompter.inform = [](const QString&, const QString&) {};
    QVERIFY(m_ui.open(m_backend, m_stateDir, prompter));
}

void TestMainWindow::init()
{
    m_confirmations = 0;
    m_confirmAnswer = false;
    m_stateDir = m_root.filePath(QString::fromLatin1(QTest::currentTestFunction()));
    createWindow();
}

void TestMainWindow::cleanup()
{
    m_ui.close();
}

RunResult TestMainWindow::runAndWait(int deadlineMs)
{
    return test::clickRunAndWait(*m_ui.window(), deadlineMs);
}

QString TestMainWindow::consoleText()
{
    auto* console = m_ui.window()->findChild<OutputConsole*>(QStringLiteral("outputConsole"));
    if (!console)
        return {};
    for (int waited = 0; console->hasPendingOutput() && waited < 5'000; waited += 20)
        QTest::qWait(20);
    return console->textView()->toPlainText();
}

void TestMainWindow::pastedAnswerPreselectsTheProgram()
{
    m_ui.window()->answerPanel()->setAnswerText(QString::fromUtf8(kAnswer));
    auto* blocks = child<QListWidget>("blockList");
    QCOMPARE(blocks->count(), 3);
    QCOMPARE(blocks->currentRow(), 1);
    QVERIFY(m_ui.window()->editor()->text().startsWith(QLatin1String("import sys\n")));
    QCOMPARE(m_ui.window()->editor()->lexerName(), QStringLiteral("python"));
    QCOMPARE(child<QComboBox>("languageCombo")->currentData().toString(), QStringLiteral("python"));
    QCOMPARE(m_ui.session()->language(), QStringLiteral("python"));
    // Choosing another block loads it, with its language.
    m_ui.window()->answerPanel()->chooseBlock(0);
    QCOMPARE(m_ui.window()->editor()->text().trimmed(), QStringLiteral("pip install --upgrade pip"));
    QCOMPARE(m_ui.session()->language(), QStringLiteral("bash"));
}

void TestMainWindow::grantsAreOffAtStartAndAfterNewCode()
{
    auto* network = child<QToolButton>("networkToggle");
    auto* folder = child<QToolButton>("filesystemToggle");
    QVERIFY(!network->isChecked());
    QVERIFY(!folder->isChecked());
    QVERIFY(!m_ui.session()->grants().network);

    m_confirmAnswer = true;
    network->click();
    QVERIFY(network->isChecked());
    QVERIFY(m_ui.session()->grants().network);
    QVERIFY(child<QLabel>("grantsWarning")->isVisible());

    m_ui.window()->answerPanel()->setAnswerText(QString::fromUtf8(kAnswer));
    QVERIFY2(!m_ui.session()->grants().network, "new code must start with every grant off");
    QVERIFY(!network->isChecked());
    QVERIFY(!child<QLabel>("grantsWarning")->isVisible());
}

void TestMainWindow::grantNeedsConfirmationAndCancelLeavesItOff()
{
    auto* network = child<QToolButton>("networkToggle");
    m_confirmAnswer = false;
    network->click();
    QCOMPARE(m_confirmations, 1);
    QVERIFY(!network->isChecked());
    QVERIFY(!m_ui.session()->grants().network);
    m_confirmAnswer = true;
    network->click();
    QCOMPARE(m_confirmations, 2);
    QVERIFY(m_ui.session()->grants().network);
    // Turning it off needs no question.
    network->click();
    QCOMPARE(m_confirmations, 2);
    QVERIFY(!m_ui.session()->grants().network);
}

void TestMainWindow::runStreamsOutputAndShowsTheVerdictCard()
{
    m_ui.window()->answerPanel()->setAnswerText(QString::fromUtf8(kAnswer));
    const RunResult result = runAndWait();
    QCOMPARE(verdictName(result.verdict), QStringLiteral("ok"));
    const QString text = consoleText();
    // stdout's lines in their order, each whole; stderr's "done" travels through another pipe, so
    // the engine may deliver it before the last stdout line.
    const qsizetype line0 = text.indexOf(QLatin1String("line 0\n")), line1 = text.indexOf(QLatin1String("line 1\n")),
                    line2 = text.indexOf(QLatin1String("line 2\n"));
    QVERIFY2(line0 >= 0 && line0 < line1 && line1 < line2, qPrintable(text));
    QVERIFY(text.contains(QLatin1String("done\n")));
    QVERIFY(child<QFrame>("resultCard")->isVisible());
    QVERIFY(child<QLabel>("verdictLabel")->text().contains(QLatin1String("ok")));
    QVERIFY(child<QLabel>("messageLabel")->text().startsWith(QLatin1String("Exited normally")));
    QCOMPARE(child<QPushButton>("runButton")->text(), QStringLiteral("▶ Run"));
}

void TestMainWindow::stopEndsASleepingRunAsCancelled()
{
    m_ui.window()->editor()->setText(QStringLiteral("echo sleeping; sleep 60\n"));
    m_ui.session()->setLanguage(QStringLiteral("bash"));
    QSignalSpy ended(m_ui.window(), &MainWindow::runEnded);
    QTest::mouseClick(child<QPushButton>("runButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(consoleText().contains(QLatin1String("sleeping")), 20'000);
    QCOMPARE(child<QPushButton>("runButton")->text(), QStringLiteral("■ Stop"));
    QTest::mouseClick(child<QPushButton>("runButton"), Qt::LeftButton);
    QVERIFY(ended.wait(20'000));
    QCOMPARE(verdictName(ended.first().first().value<RunResult>().verdict), QStringLiteral("cancelled"));
    QVERIFY(child<QLabel>("verdictLabel")->text().contains(QLatin1String("cancelled")));
}

void TestMainWindow::outputFloodKeepsTheWindowResponsive()
{
    m_ui.window()->editor()->setText(
        QStringLiteral("import sys\nwhile True:\n    sys.stdout.write('flood ' * 2000 + '\\n')\n"));
    m_ui.session()->setLanguage(QStringLiteral("python"));
    Limits limits = m_ui.session()->limits();
    limits.outputBytes = 8LL << 20;
    m_ui.session()->setLimits(limits);

    QElapsedTimer sinceBeat;
    qint64 longestGap = 0;
    QTimer heartbeat;
    heartbeat.setInterval(10);
    connect(&heartbeat, &QTimer::timeout, this, [&] {
        if (sinceBeat.isValid())
            longestGap = qMax(longestGap, sinceBeat.elapsed());
        sinceBeat.start();
    });
    heartbeat.start();
    const RunResult result = runAndWait();
    heartbeat.stop();
    qInfo("longest heartbeat gap during an 8 MiB flood: %lld ms", longestGap);
    QCOMPARE(verdictName(result.verdict), QStringLiteral("output_limit"));
    QCOMPARE(result.outputBytes, 8LL << 20);
    QVERIFY2(longestGap <= 100, qPrintable(QStringLiteral("the event loop stalled for %1 ms").arg(longestGap)));
    QTRY_VERIFY(consoleText().contains(QLatin1String("output limit")));
}

void TestMainWindow::autosaveRestoresTextInANewWindow()
{
    m_ui.window()->answerPanel()->setAnswerText(QString::fromUtf8(kAnswer));
    m_ui.window()->editor()->setText(QStringLiteral("print('edited by hand')\n"));
    m_ui.autosave()->flush();
    createWindow();
    QCOMPARE(m_ui.window()->answerPanel()->answerText(), QString::fromUtf8(kAnswer));
    QCOMPARE(m_ui.window()->editor()->text(), QStringLiteral("print('edited by hand')\n"));
    QCOMPARE(m_ui.session()->language(), QStringLiteral("python"));
    QVERIFY(!m_ui.session()->grants().network);
}

void TestMainWindow::engineErrorsShowInline()
{
    m_ui.window()->editor()->setText(QStringLiteral("echo hi\n"));
    m_ui.session()->setLanguage(QStringLiteral("bash"));
    m_ui.session()->setImageOverride(QStringLiteral("codecourier/not-built:0"));
    auto* image = child<QLineEdit>("imageEdit");
    image->setText(QStringLiteral("codecourier/not-built:0"));
    const RunResult result = runAndWait();
    QCOMPARE(verdictName(result.verdict), QStringLiteral("backend_error"));
    QVERIFY(child<QFrame>("resultCard")->isVisible());
    QVERIFY2(child<QLabel>("messageLabel")->text().contains(QLatin1String("build-images.sh")),
             qPrintable(child<QLabel>("messageLabel")->text()));
}

void TestMainWindow::keyboardRunsAndStops()
{
    m_ui.window()->editor()->setText(QStringLiteral("echo typing; sleep 60\n"));
    m_ui.session()->setLanguage(QStringLiteral("bash"));
    QSignalSpy ended(m_ui.window(), &MainWindow::runEnded);
    m_ui.window()->activateWindow();
    m_ui.window()->editor()->setFocus();
    QTest::keyClick(m_ui.window()->editor(), Qt::Key_Return, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(consoleText().contains(QLatin1String("typing")), 20'000);
    QVERIFY2(!m_ui.window()->editor()->text().contains(QLatin1String("\n\n")), "Ctrl+Return must not type a newline");
    QTest::keyClick(m_ui.window()->editor(), Qt::Key_Escape);
    QVERIFY(ended.wait(20'000));
    QCOMPARE(verdictName(ended.first().first().value<RunResult>().verdict), QStringLiteral("cancelled"));
}

void TestMainWindow::editorFollowsADarkPalette()
{
    m_ui.session()->setLanguage(QStringLiteral("python"));
    QPalette dark = m_ui.window()->palette();
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::Text, QColor(0xdd, 0xdd, 0xdd));
    m_ui.window()->editor()->setPalette(dark);
    QsciLexer* lexer = m_ui.window()->editor()->lexer();
    QVERIFY(lexer);
    QCOMPARE(lexer->paper(QsciLexerPython::Keyword), QColor(0x1e, 0x1e, 0x1e));
    // Every styled ink stays readable on the dark page.
    for (int style : {int(QsciLexerPython::Keyword), int(QsciLexerPython::Comment), int(QsciLexerPython::DoubleQuotedString),
                      int(QsciLexerPython::Default)})
        QVERIFY2(lexer->color(style).lightness() >= 128, qPrintable(QString::number(style)));
}

void TestMainWindow::hugePasteIsCutWithAMessage()
{
    QString huge;
    while (huge.size() < 20'000'000)
        huge += QStringLiteral("Prose that goes on and on, line after line, as a runaway paste would.\n");
    huge.prepend(QStringLiteral("```python\nprint('kept')\n```\n"));
    // Pasted as a person would (clipboard, then Ctrl+V); the paste must not freeze the window.
    QApplication::clipboard()->setText(huge);
    auto* edit = child<QPlainTextEdit>("answerEdit");
    edit->setFocus();
    QElapsedTimer clock;
    clock.start();
    QTest::keyClick(edit, Qt::Key_V, Qt::ControlModifier);
    const qint64 blocked = clock.elapsed();
    qInfo("a 20 MB paste blocked the window for %lld ms", blocked);
    QVERIFY2(blocked < 1'500, qPrintable(QStringLiteral("the paste froze the window for %1 ms").arg(blocked)));
    QCOMPARE(edit->toPlainText().size(), AnswerEdit::kMaximumCharacters);
    QTRY_VERIFY(m_ui.window()->answerPanel()->summaryText().contains(QLatin1String("only the first")));
    QTRY_VERIFY(m_ui.window()->editor()->text().contains(QLatin1String("print('kept')")));
    QApplication::clipboard()->clear();
}

void TestMainWindow::largeSnippetRuns()
{
    // A 5 MB snippet: edited, delivered into the sandbox and run like any other.
    QString code = QStringLiteral("import hashlib\ndata = \"\"\"");
    while (code.size() < 5'000'000)
        code += QStringLiteral("a line of data inside a very long snippet\n");
    code += QStringLiteral("\"\"\"\nprint(len(data) > 4_900_000, hashlib.sha256(data.encode()).hexdigest()[:12])\n");
    m_ui.window()->editor()->setText(code);
    m_ui.session()->setLanguage(QStringLiteral("python"));
    const RunResult result = runAndWait();
    QCOMPARE(verdictName(result.verdict), QStringLiteral("ok"));
    QVERIFY2(consoleText().contains(QLatin1String("True ")), qPrintable(consoleText().right(300)));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
