// The window with both backends: E2B is offered when configured and explains itself when not;
// switching to it runs the code in an E2B sandbox (the fake server) with network off, and grants
// go off on a switch; its artifacts show in the Artifacts tab, and a review run's changes in the
// Changes tab, where only the ticked ones reach the folder.
#include "Autosave.h"
#include "ChangeReviewPanel.h"
#include "CodeEditor.h"
#include "FakeE2BServer.h"
#include "FileTestSupport.h"
#include "MainWindow.h"
#include "RunSession.h"
#include "Settings.h"
#include "WindowTestSupport.h"
#include "docker/DockerBackend.h"
#include "e2b/E2BBackend.h"
#include "http/HttpClient.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

using namespace cc;

class TestMainWindowE2B : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void runsOnE2BAfterSwitching();
    void unconfiguredE2BIsOfferedWithTheReason();
    void reviewRunOnE2BWritesOnlyTheTickedChanges();

private:
    /// E2B set up to talk to the fake server.
    e2b::E2BConfig fakeConfig() const
    {
        return e2b::E2BConfig::fromValues(QString::fromStdString(m_fake->options().apiKey), {}, false,
                                          QString::fromStdString(m_fake->apiUrl()),
                                          QString::fromStdString(m_fake->sandboxUrl()));
    }

    std::unique_ptr<test::FakeE2BServer> m_fake;
    http::HttpClient m_http;
    QTemporaryDir m_dir;
};

void TestMainWindowE2B::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_fake = std::make_unique<test::FakeE2BServer>();
    std::string error;
    QVERIFY2(m_fake->start(&error), error.c_str());
}

void TestMainWindowE2B::cleanupTestCase()
{
    m_fake->stop();
}

void TestMainWindowE2B::runsOnE2BAfterSwitching()
{
    Settings settings(m_dir.filePath(QStringLiteral("a.conf")));
    Autosave autosave(m_dir.filePath(QStringLiteral("autosave-a")));
    docker::DockerBackend docker(&m_http, docker::DockerEndpoint::fromEnvironment());
    e2b::E2BBackend e2b(&m_http, fakeConfig());
    RunSession session(&docker, settings);
    session.addBackend(&e2b);
    MainWindow window(&session, &settings, &autosave);
    Prompter yes;
    yes.confirm = [](const QString&, const QString&) { return true; };
    window.setPrompter(yes);
    window.show();

    // A grant given on Docker does not follow the switch.
    window.findChild<QToolButton*>(QStringLiteral("networkToggle"))->click();
    QVERIFY(session.grants().network);
    auto* backends = window.findChild<QComboBox*>(QStringLiteral("backendCombo"));
    const int e2bIndex = backends->findData(QStringLiteral("e2b"));
    QVERIFY(e2bIndex >= 0);
    backends->setCurrentIndex(e2bIndex);
    QCOMPARE(session.backend()->name(), QStringLiteral("e2b"));
    QVERIFY2(!session.grants().network, "switching backends turns grants off");
    QCOMPARE(window.findChild<QLineEdit*>(QStringLiteral("imageEdit"))->text(), settings.e2bTemplate());

    // (The fake runs the snippet on this machine with /workspace as its cwd: relative paths.)
    window.editor()->setText(QStringLiteral("echo from e2b\nprintf 'written on e2b\\n' > out/note.txt\n"));
    session.setLanguage(QStringLiteral("bash"));
    const RunResult result = test::clickRunAndWait(window, 30'000);
    QVERIFY2(result.verdict == Verdict::Ok, qPrintable(result.message));
    QCOMPARE(result.backend, QStringLiteral("e2b"));
    // The Artifacts tab reads the result alone: an E2B run lists and previews like a Docker one.
    auto* artifacts = window.findChild<QTreeWidget*>(QStringLiteral("artifactList"));
    QVERIFY(artifacts);
    QCOMPARE(artifacts->topLevelItemCount(), 1);
    QCOMPARE(artifacts->topLevelItem(0)->text(0), QStringLiteral("note.txt"));
    QCOMPARE(artifacts->topLevelItem(0)->text(2), QStringLiteral("text"));
    artifacts->setCurrentItem(artifacts->topLevelItem(0));
    QCOMPARE(window.findChild<QPlainTextEdit*>(QStringLiteral("artifactText"))->toPlainText(),
             QStringLiteral("written on e2b\n"));
    // The sandbox was created with the internet off, and deleted after the run.
    const auto creates = m_fake->creates();
    QVERIFY(!creates.empty());
    QCOMPARE(creates.back().body.value("allow_internet_access", true), false);
    QTRY_VERIFY(m_fake->liveSandboxes().empty());
}

void TestMainWindowE2B::unconfiguredE2BIsOfferedWithTheReason()
{
    Settings settings(m_dir.filePath(QStringLiteral("b.conf")));
    Autosave autosave(m_dir.filePath(QStringLiteral("autosave-b")));
    docker::DockerBackend docker(&m_http, docker::DockerEndpoint::fromEnvironment());
    e2b::E2BBackend e2b(&m_http, e2b::E2BConfig::fromValues({}, {}, false, {}, {}));
    QVERIFY(!e2b.unavailableReason().isEmpty());
    RunSession session(&docker, settings);
    session.addBackend(&e2b);
    MainWindow window(&session, &settings, &autosave);
    auto* backends = window.findChild<QComboBox*>(QStringLiteral("backendCombo"));
    const int e2bIndex = backends->findData(QStringLiteral("e2b"));
    QVERIFY(e2bIndex >= 0);
    auto* model = qobject_cast<QStandardItemModel*>(backends->model());
    QVERIFY(!model->item(e2bIndex)->isEnabled());
    QCOMPARE(backends->itemData(e2bIndex, Qt::ToolTipRole).toString(), e2b.unavailableReason());

    // A key that arrives later (read from the keychain, typed in the settings) enables it at once.
    e2b.setConfig(e2b.config().withApiKey(QStringLiteral("e2b_later"), QStringLiteral("the system keychain")));
    QVERIFY(model->item(e2bIndex)->isEnabled());
    QVERIFY(!backends->itemText(e2bIndex).contains(QLatin1String("not set up")));
    QVERIFY(!backends->itemData(e2bIndex, Qt::ToolTipRole).toString().contains(QLatin1String("e2b_later")));
    // And removing it takes the offer back.
    e2b.setConfig(e2b.config().withApiKey({}, {}));
    QVERIFY(!model->item(e2bIndex)->isEnabled());
}

void TestMainWindowE2B::reviewRunOnE2BWritesOnlyTheTickedChanges()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    QVERIFY(test::makeTestFile(folder.filePath(QStringLiteral("notes.txt")), "one\n"));
    QVERIFY(test::makeTestFile(folder.filePath(QStringLiteral("drop.txt")), "drop\n"));
    Settings settings(m_dir.filePath(QStringLiteral("c.conf")));
    Autosave autosave(m_dir.filePath(QStringLiteral("autosave-c")));
    docker::DockerBackend docker(&m_http, docker::DockerEndpoint::fromEnvironment());
    e2b::E2BBackend e2b(&m_http, fakeConfig());
    RunSession session(&docker, settings);
    session.addBackend(&e2b);
    QVERIFY(session.setBackend(QStringLiteral("e2b")));
    MainWindow window(&session, &settings, &autosave);
    Prompter prompter;
    prompter.confirm = [](const QString&, const QString&) { return true; };
    prompter.confirmWrite = [](const QString&, const QString&) { return true; };
    prompter.confirmDelete = [](const QString&, const QString&) { return true; };
    prompter.chooseFolder = [&folder](const QString&) { return folder.path(); };
    window.setPrompter(prompter);
    window.show();

    window.findChild<QAction*>(QStringLiteral("grantFolderReview"))->trigger();
    QCOMPARE(session.grants().hostFolderMode, Grants::HostFolderMode::Review);
    // (The fake runs the snippet on this machine with /workspace as its cwd: relative paths.)
    window.editor()->setText(QStringLiteral("echo two >> host/notes.txt\nrm host/drop.txt\necho new > host/new.txt\n"));
    session.setLanguage(QStringLiteral("bash"));
    const RunResult result = test::clickRunAndWait(window, 30'000);
    QVERIFY2(result.verdict == Verdict::Ok, qPrintable(result.message));
    QCOMPARE(result.backend, QStringLiteral("e2b"));
    // Nothing was written by the run; the Changes tab lists what the code wants.
    QCOMPARE(test::readTestFile(folder.filePath(QStringLiteral("notes.txt"))), QByteArray("one\n"));
    QVERIFY(QFileInfo::exists(folder.filePath(QStringLiteral("drop.txt"))));
    ChangeReviewPanel* panel = window.changeReviewPanel();
    QCOMPARE(panel->changeCount(), 3);
    QVERIFY(panel->setTicked(QStringLiteral("drop.txt"), false));
    panel->applySelected();
    QCOMPARE(test::readTestFile(folder.filePath(QStringLiteral("notes.txt"))), QByteArray("one\ntwo\n"));
    QCOMPARE(test::readTestFile(folder.filePath(QStringLiteral("new.txt"))), QByteArray("new\n"));
    QCOMPARE(test::readTestFile(folder.filePath(QStringLiteral("drop.txt"))), QByteArray("drop\n"));
    QCOMPARE(panel->undecidedCount(), 1);
    QTRY_VERIFY(m_fake->liveSandboxes().empty());
}

QTEST_MAIN(TestMainWindowE2B)
#include "tst_mainwindow_e2b.moc"
