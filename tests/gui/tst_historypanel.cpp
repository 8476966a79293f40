// The run history in the window, with real widgets (offscreen), a real SQLite file and, for the
// runs themselves, the real Docker engine: the window records its runs, the panel lists and
// filters them, opens one with grants off, re-runs, compares, exports and deletes.
#include "AnswerPanel.h"
#include "Autosave.h"
#include "CodeEditor.h"
#include "DockerTestSupport.h"
#include "HistoryCompareDialog.h"
#include "HistoryPanel.h"
#include "HistoryRecorder.h"
#include "HistoryStore.h"
#include "LimitsEditor.h"
#include "MainWindow.h"
#include "RunSession.h"
#include "Settings.h"
#include "WindowTestSupport.h"
#include "http/HttpClient.h"

#include <QComboBox>
#include <QDockWidget>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

using namespace cc;

namespace {

const char* const kAnswer = R"MD(Run this:

```python
print("from the answer")
```
)MD";

RunSpec pythonSpec(const QByteArray& code)
{
    RunSpec spec;
    spec.language = QStringLiteral("python");
    spec.image = QString::fromLatin1(test::kRunnerImage);
    spec.files.append({QStringLiteral("main.py"), code});
    spec.command = {QStringLiteral("python3"), QStringLiteral("main.py")};
    return spec;
}

} // namespace

class TestHistoryPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void windowRunIsRecordedWithItsAnswer();
    void filtersAndSearchNarrowTheList();
    void openRestoresCodeAndLimitsWithGrantsOff();
    void rerunRunsAgainAndIsRecorded();
    void compareShowsTwoOutputsSideBySide();
    void deleteAsksFirst();
    void exportWritesTheRunAsJson();
    void historyTextIsNeverMarkup();
    void unusableHistorySaysWhyAndRunsGoOn();

private:
    void createWindow(const QString& historyPath);
    qint64 addFinished(const RunSpec& spec, const QString& backend, Verdict verdict, const QByteArray& out);
    RunResult runAndWait(int deadlineMs = 60'000);
    QList<qint64> listedIds();
    template <typename T> T* child(const char* name) { return test::namedChild<T>(m_ui.window(), name); }

    http::HttpClient m_http;
    docker::DockerBackend* m_backend = nullptr;
    QTemporaryDir m_root;
    QString m_stateDir;
    test::TestWindow m_ui;
    int m_deleteQuestions = 0;
    bool m_deleteAnswer = false;
    QString m_savePath;
    QStringList m_informed;
};

void TestHistoryPanel::initTestCase()
{
    QVERIFY(m_root.isValid());
    m_backend = new docker::DockerBackend(&m_http, docker::DockerEndpoint::fromEnvironment(), this);
    QString why;
    if (!test::engineReady(*m_backend->api(), &why))
        QFAIL(qPrintable(why));
}

void TestHistoryPanel::createWindow(const QString& historyPath)
{
    Prompter prompter;
    prompter.confirm = [](const QString&, const QString&) { return true; };
    prompter.confirmDelete = [this](const QString&, const QString&) {
        ++m_deleteQuestions;
        return m_deleteAnswer;
    };
    prompter.chooseSaveFile = [this](const QString&, const QString&) { return m_savePath; };
    prompter.chooseFolder = [](const QString&) { return QString(); };
    prompter.inform = [this](const QString&, const QString& message) { m_informed << message; };
    QVERIFY(m_ui.open(m_backend, m_stateDir, prompter, historyPath));
    m_ui.window()->findChild<QDockWidget*>(QStringLiteral("historyDock"))->show();
}

void TestHistoryPanel::init()
{
    m_deleteQuestions = 0;
    m_deleteAnswer = false;
    m_savePath.clear();
    m_informed.clear();
    m_stateDir = m_root.filePath(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY(QDir().mkpath(m_stateDir));
    createWindow(m_stateDir + QStringLiteral("/history.sqlite"));
}

void TestHistoryPanel::cleanup()
{
    m_ui.close();
}

qint64 TestHistoryPanel::addFinished(const RunSpec& spec, const QString& backend, Verdict verdict, const QByteArray& out)
{
    const qint64 id = m_ui.store()->begin(spec, backend).value_or(0);
    HistoryOutput output;
    output.append(false, out);
    RunResult result;
    result.verdict = verdict;
    result.exitCode = verdict == Verdict::Ok ? 0 : 1;
    result.wallMs = 100;
    m_ui.store()->finish(id, result, output);
    return id;
}

RunResult TestHistoryPanel::runAndWait(int deadlineMs)
{
    return test::clickRunAndWait(*m_ui.window(), deadlineMs);
}

QList<qint64> TestHistoryPanel::listedIds()
{
    QList<qint64> ids;
    auto* list = child<QTreeWidget>("historyList");
    for (int i = 0; i < list->topLevelItemCount(); ++i)
        ids << list->topLevelItem(i)->text(0).toLongLong();
    return ids;
}

void TestHistoryPanel::windowRunIsRecordedWithItsAnswer()
{
    QSignalSpy started(m_ui.recorder(), &HistoryRecorder::recordStarted);
    m_ui.window()->answerPanel()->setAnswerText(QString::fromUtf8(kAnswer));
    QCOMPARE(m_ui.window()->editor()->text().trimmed(), QStringLiteral("print(\"from the answer\")"));
    QSignalSpy runStarted(m_ui.session(), &RunSession::runStarted);
    QTest::mouseClick(child<QPushButton>("runButton"), Qt::LeftButton);
    QCOMPARE(started.size(), 1);  // written as the run starts, before any output
    const qint64 id = started.first().first().toLongLong();
    QCOMPARE(m_ui.store()->get(id)->state, HistoryState::Running);
    QCOMPARE(listedIds(), QList<qint64>{id});
    QTRY_VERIFY_WITH_TIMEOUT(!m_ui.session()->isRunning(), 60'000);

    QTRY_COMPARE_WITH_TIMEOUT(m_ui.store()->get(id)->state, HistoryState::Finished, 5'000);
    const HistoryRecord r = *m_ui.store()->get(id);
    QCOMPARE(r.verdict, QStringLiteral("ok"));
    QCOMPARE(r.output.stdoutBytes, QByteArray("from the answer\n"));
    QCOMPARE(QString::fromUtf8(r.answer), QString::fromUtf8(kAnswer));
    QCOMPARE(r.backend, QStringLiteral("docker"));
    QCOMPARE(child<QTreeWidget>("historyList")->topLevelItem(0)->text(4), QStringLiteral("ok"));
}

void TestHistoryPanel::filtersAndSearchNarrowTheList()
{
    RunSpec bash = pythonSpec("echo needle-in-code");
    bash.language = QStringLiteral("bash");
    RunSpec granted = pythonSpec("print('net')");
    granted.grants.network = true;
    const qint64 a = addFinished(pythonSpec("print(1)"), QStringLiteral("docker"), Verdict::Ok, "one\n");
    const qint64 b = addFinished(bash, QStringLiteral("docker"), Verdict::Timeout, "x\n");
    const qint64 c = addFinished(granted, QStringLiteral("e2b"), Verdict::Ok, "found-in-output\n");
    m_ui.window()->historyPanel()->refresh();
    QCOMPARE(listedIds(), (QList<qint64>{c, b, a}));

    auto choose = [&](const char* combo, const QVariant& data) {
        auto* box = child<QComboBox>(combo);
        box->setCurrentIndex(box->findData(data));
    };
    choose("historyOutcomeFilter", QStringLiteral("ok"));
    QCOMPARE(listedIds(), (QList<qint64>{c, a}));
    choose("historyBackendFilter", QStringLiteral("docker"));
    QCOMPARE(listedIds(), QList<qint64>{a});
    choose("historyOutcomeFilter", QString());
    choose("historyBackendFilter", QString());
    choose("historyLanguageFilter", QStringLiteral("bash"));
    QCOMPARE(listedIds(), QList<qint64>{b});
    choose("historyLanguageFilter", QString());
    choose("historyGrantsFilter", 1);
    QCOMPARE(listedIds(), QList<qint64>{c});
    choose("historyGrantsFilter", 0);
    QCOMPARE(listedIds(), (QList<qint64>{b, a}));
    choose("historyGrantsFilter", -1);
    // The search runs once typing pauses.
    auto* search = child<QLineEdit>("historySearch");
    QTest::keyClicks(search, QStringLiteral("found-in-output"));
    QCOMPARE(listedIds().size(), 3);
    QTRY_COMPARE(listedIds(), QList<qint64>{c});
    search->setText(QStringLiteral("needle-in-code"));
    QTest::keyClick(search, Qt::Key_Return);  // at once
    QCOMPARE(listedIds(), QList<qint64>{b});
    search->clear();
    QTRY_COMPARE(listedIds().size(), 3);
}

void TestHistoryPanel::openRestoresCodeAndLimitsWithGrantsOff()
{
    RunSpec spec = pythonSpec("print('restored')\n");
    spec.limits.wallTimeoutMs = 4000;
    spec.limits.memoryBytes = 96LL << 20;
    spec.limits.pids = 48;
    spec.grants.network = true;
    const qint64 id = addFinished(spec, QStringLiteral("docker"), Verdict::Ok, "restored\n");
    m_ui.window()->historyPanel()->refresh();

    // A grant given now, for the code in the editor, must not carry over to the opened run.
    child<QToolButton>("networkToggle")->click();
    QVERIFY(m_ui.session()->grants().network);

    m_ui.window()->historyPanel()->selectIds({id});
    QVERIFY(child<QPlainTextEdit>("historyDetails")->toPlainText().contains(QLatin1String("print('restored')")));
    QVERIFY(child<QPushButton>("historyOpenButton")->isEnabled());
    QTest::mouseClick(child<QPushButton>("historyOpenButton"), Qt::LeftButton);
    QCOMPARE(m_ui.window()->editor()->text(), QStringLiteral("print('restored')\n"));
    QCOMPARE(m_ui.session()->code(), QStringLiteral("print('restored')\n"));
    QCOMPARE(m_ui.session()->language(), QStringLiteral("python"));
    QCOMPARE(m_ui.session()->limits().wallTimeoutMs, 4000);
    QCOMPARE(m_ui.session()->limits().memoryBytes, 96LL << 20);
    QCOMPARE(m_ui.session()->limits().pids, 48);
    QCOMPARE(m_ui.window()->findChild<LimitsEditor*>()->limits().pids, 48);
    QCOMPARE(m_ui.session()->image(), QString::fromLatin1(test::kRunnerImage));
    QVERIFY(!m_ui.session()->grants().network);
    QVERIFY(!child<QToolButton>("networkToggle")->isChecked());
    QVERIFY(m_ui.window()->statusBar()->currentMessage().contains(QLatin1String("Grants are off")));
}

void TestHistoryPanel::rerunRunsAgainAndIsRecorded()
{
    RunSpec spec = pythonSpec("import os\nprint('again', os.environ.get('HOME'))\n");
    spec.grants.network = true;
    spec.limits.wallTimeoutMs = 7000;
    const qint64 id = addFinished(spec, QStringLiteral("docker"), Verdict::Ok, "again /\n");
    m_ui.window()->historyPanel()->refresh();
    m_ui.window()->historyPanel()->selectIds({id});
    QSignalSpy ended(m_ui.window(), &MainWindow::runEnded);
    QTest::mouseClick(child<QPushButton>("historyRerunButton"), Qt::LeftButton);
    QVERIFY(ended.wait(60'000));
    const RunResult result = ended.first().first().value<RunResult>();
    QCOMPARE(result.verdict, Verdict::Ok);
    QCOMPARE(result.network, false);  // the grant stayed with the first run

    QTRY_COMPARE_WITH_TIMEOUT(m_ui.store()->list().size(), 2, 5'000);
    const HistoryRecord again = *m_ui.store()->get(m_ui.store()->list().first().id);
    QVERIFY(again.id > id);
    QTRY_COMPARE_WITH_TIMEOUT(m_ui.store()->get(again.id)->state, HistoryState::Finished, 5'000);
    QCOMPARE(m_ui.store()->get(again.id)->code, spec.files.first().content);
    QCOMPARE(again.limits.wallTimeoutMs, 7000);
    QCOMPARE(again.grants.network, false);
    QVERIFY(m_ui.store()->get(again.id)->output.stdoutBytes.startsWith("again "));
    QTRY_COMPARE_WITH_TIMEOUT(listedIds().size(), 2, 5'000);
}

void TestHistoryPanel::compareShowsTwoOutputsSideBySide()
{
    const qint64 a = addFinished(pythonSpec("print(1)"), QStringLiteral("docker"), Verdict::Ok, "same\nfirst\n");
    const qint64 b = addFinished(pythonSpec("print(2)"), QStringLiteral("docker"), Verdict::Ok, "same\nsecond\n");
    const qint64 c = addFinished(pythonSpec("print(3)"), QStringLiteral("docker"), Verdict::Ok, "same\nsecond\n");
    m_ui.window()->historyPanel()->refresh();
    m_ui.window()->historyPanel()->selectIds({a});
    QVERIFY(!child<QPushButton>("historyCompareButton")->isEnabled());  // two runs, not one
    m_ui.window()->historyPanel()->selectIds({a, b});
    QVERIFY(child<QPushButton>("historyCompareButton")->isEnabled());
    QVERIFY(!child<QPushButton>("historyOpenButton")->isEnabled());
    QTest::mouseClick(child<QPushButton>("historyCompareButton"), Qt::LeftButton);
    auto* dialog = m_ui.window()->findChild<HistoryCompareDialog*>(QStringLiteral("historyCompareDialog"));
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    const QString left = dialog->findChild<QPlainTextEdit*>(QStringLiteral("compareLeft"))->toPlainText();
    const QString right = dialog->findChild<QPlainTextEdit*>(QStringLiteral("compareRight"))->toPlainText();
    QVERIFY2(left.startsWith(QStringLiteral("Run #%1").arg(a)) && left.contains(QLatin1String("first")), qPrintable(left));
    QVERIFY2(right.startsWith(QStringLiteral("Run #%1").arg(b)) && right.contains(QLatin1String("second")), qPrintable(right));
    const QString summary = dialog->findChild<QLabel*>(QStringLiteral("compareSummary"))->text();
    QVERIFY2(summary.contains(QLatin1String("differ from line 3")), qPrintable(summary));
    QCOMPARE(dialog->findChild<QPlainTextEdit*>(QStringLiteral("compareLeft"))->extraSelections().size(), 1);
    dialog->close();

    m_ui.window()->historyPanel()->selectIds({b, c});
    QTest::mouseClick(child<QPushButton>("historyCompareButton"), Qt::LeftButton);
    QTRY_VERIFY(m_ui.window()->findChild<HistoryCompareDialog*>(QStringLiteral("historyCompareDialog")));
    const auto dialogs = m_ui.window()->findChildren<HistoryCompareDialog*>();
    auto* same = dialogs.last();
    QCOMPARE(same->findChild<QLabel*>(QStringLiteral("compareSummary"))->text(),
             QStringLiteral("The two runs printed the same output."));
    QCOMPARE(same->findChild<QPlainTextEdit*>(QStringLiteral("compareLeft"))->extraSelections().size(), 0);
}

void TestHistoryPanel::deleteAsksFirst()
{
    const qint64 a = addFinished(pythonSpec("print(1)"), QStringLiteral("docker"), Verdict::Ok, "1\n");
    const qint64 b = addFinished(pythonSpec("print(2)"), QStringLiteral("docker"), Verdict::Ok, "2\n");
    m_ui.window()->historyPanel()->refresh();
    m_ui.window()->historyPanel()->selectIds({a});
    m_deleteAnswer = false;
    QTest::mouseClick(child<QPushButton>("historyDeleteButton"), Qt::LeftButton);
    QCOMPARE(m_deleteQuestions, 1);
    QVERIFY(m_ui.store()->get(a));
    QCOMPARE(listedIds(), (QList<qint64>{b, a}));
    m_deleteAnswer = true;
    QTest::mouseClick(child<QPushButton>("historyDeleteButton"), Qt::LeftButton);
    QCOMPARE(m_deleteQuestions, 2);
    QVERIFY(!m_ui.store()->get(a));
    QVERIFY(m_ui.store()->get(b));
    QCOMPARE(listedIds(), QList<qint64>{b});
}

void TestHistoryPanel::exportWritesTheRunAsJson()
{
    const qint64 id = addFinished(pythonSpec("print('exported')"), QStringLiteral("docker"), Verdict::Ok,
                                  QByteArray("exported\n\xff", 10));
    m_ui.window()->historyPanel()->refresh();
    m_ui.window()->historyPanel()->selectIds({id});
    m_savePath.clear();  // cancelled: nothing written, nothing said
    QTest::mouseClick(child<QPushButton>("historyExportButton"), Qt::LeftButton);
    QVERIFY(m_informed.isEmpty());

    m_savePath = m_stateDir + QStringLiteral("/run.json");
    QTest::mouseClick(child<QPushButton>("historyExportButton"), Qt::LeftButton);
    QFile file(m_savePath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonParseError error;
    const QJsonObject doc = QJsonDocument::fromJson(file.readAll(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(doc.value("id").toInteger(), id);
    QCOMPARE(doc.value("code").toString(), QStringLiteral("print('exported')"));
    QCOMPARE(QByteArray::fromBase64(doc.value("stdout_base64").toString().toLatin1()), QByteArray("exported\n\xff", 10));

    m_savePath = m_stateDir + QStringLiteral("/no-such-folder/run.json");
    QTest::mouseClick(child<QPushButton>("historyExportButton"), Qt::LeftButton);
    QCOMPARE(m_informed.size(), 1);
    QVERIFY2(m_informed.first().contains(QLatin1String("no-such-folder")), qPrintable(m_informed.first()));
}

void TestHistoryPanel::historyTextIsNeverMarkup()
{
    const QByteArray markup = "<b>bold</b><img src=\"file:///etc/passwd\"><a href=\"x\">link</a>";
    const qint64 a = addFinished(pythonSpec("print('" + markup + "')"), QStringLiteral("docker"), Verdict::Ok, markup + "\n");
    const qint64 b = addFinished(pythonSpec(markup), QStringLiteral("docker"), Verdict::Ok, "plain\n");
    m_ui.window()->historyPanel()->refresh();
    auto* list = child<QTreeWidget>("historyList");
    QVERIFY(list->topLevelItem(1)->text(6).contains(QLatin1String("<b>bold</b>")));
    m_ui.window()->historyPanel()->selectIds({a});
    const QString details = child<QPlainTextEdit>("historyDetails")->toPlainText();
    QVERIFY2(details.contains(QString::fromUtf8(markup)), qPrintable(details));
    m_ui.window()->historyPanel()->selectIds({a, b});
    QTest::mouseClick(child<QPushButton>("historyCompareButton"), Qt::LeftButton);
    auto* dialog = m_ui.window()->findChild<HistoryCompareDialog*>(QStringLiteral("historyCompareDialog"));
    QVERIFY(dialog);
    QVERIFY(dialog->findChild<QPlainTextEdit*>(QStringLiteral("compareLeft"))->toPlainText().contains(QString::fromUtf8(markup)));
}

void TestHistoryPanel::unusableHistorySaysWhyAndRunsGoOn()
{
    const QString path = m_stateDir + QStringLiteral("/notes.sqlite");
    QFile notes(path);
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write("<b>not</b> a database\n");
    notes.close();
    cleanup();
    createWindow(path);
    auto* status = child<QLabel>("historyStatus");
    QVERIFY(status->isVisible());
    QCOMPARE(status->textFormat(), Qt::PlainText);
    QVERIFY2(status->text().contains(QLatin1String("damaged or not an SQLite database")), qPrintable(status->text()));
    QVERIFY(!child<QTreeWidget>("historyList")->isEnabled());

    m_ui.window()->editor()->setText(QStringLiteral("print('still runs')\n"));
    QSignalSpy problems(m_ui.session(), &RunSession::historyProblem);
    QCOMPARE(runAndWait().verdict, Verdict::Ok);
    QCOMPARE(problems.size(), 1);
    QVERIFY(m_ui.window()->statusBar()->currentMessage().startsWith(QLatin1String("History: ")));
    QCOMPARE(runAndWait().verdict, Verdict::Ok);
    QCOMPARE(problems.size(), 1);  // once per session
    QVERIFY(notes.open(QIODevice::ReadOnly));
    QCOMPARE(notes.readAll(), QByteArray("<b>not</b> a database\n"));
}

QTEST_MAIN(TestHistoryPanel)
#include "tst_historypanel.moc"
