// Review mode in the window, as a person uses it: the folder granted for review from the Folder
// button's menu, a real run (Docker engine) changing its copy, the Changes tab listing what it
// wants, and only the ticked changes reaching the folder; a file changed on the host meanwhile is
// kept until the person says overwrite; leaving with undecided changes asks first; the history
// keeps what was decided.
#include "ChangeReviewPanel.h"
#include "CodeEditor.h"
#include "DockerTestSupport.h"
#include "FileTestSupport.h"
#include "GrantsBar.h"
#include "WindowTestSupport.h"
#include "http/HttpClient.h"

#include <QAction>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

using namespace cc;

namespace {

// Appends to notes.txt, adds added.txt and a binary file, removes old/ whole, plants a link and a
// file whose name is markup.
const char* const kChanger = R"PY(import os, shutil
h = '/workspace/host'
with open(h + '/notes.txt', 'a') as f:
    f.write('four' + chr(10))
open(h + '/added.txt', 'w').write('new file' + chr(10))
open(h + '/image.bin', 'wb').write(bytes(range(256)))
shutil.rmtree(h + '/old')
os.symlink('/etc/passwd', h + '/passwd-link')
open(h + '/<b>bold.txt', 'w').write('<script>alert(1)</script>' + chr(10))
print('changed')
)PY";

} // namespace

class TestChangeReview : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void reviewIsGrantedFromTheFolderMenu();
    void onlyTheTickedChangesReachTheFolder();
    void aFileChangedOnTheHostIsKeptUntilOverwrite();
    void leavingWithUndecidedChangesAsksFirst();

private:
    RunResult runReview();
    QTreeWidgetItem* row(const QString& path);
    QJsonObject recordedChanges();
    QMap<QString, QString> decisions();
    template <typename T> T* child(const char* name) { return test::namedChild<T>(m_ui.window(), name); }

    http::HttpClient m_http;
    docker::DockerBackend* m_backend = nullptr;
    QTemporaryDir m_root;
    std::unique_ptr<QTemporaryDir> m_folder;
    test::TestWindow m_ui;
    qint64 m_recordId = 0;
    bool m_confirmAnswer = true;
    QStringList m_confirmQuestions;
    bool m_writeAnswer = true;
    QStringList m_writeQuestions;
    bool m_replaceAnswer = true;
    QStringList m_replaceQuestions;
    bool m_deleteAnswer = false;
    QStringList m_deleteQuestions;
};

void TestChangeReview::initTestCase()
{
    QVERIFY(m_root.isValid());
    m_backend = new docker::DockerBackend(&m_http, docker::DockerEndpoint::fromEnvironment(), this);
    QString why;
    if (!test::engineReady(*m_backend->api(), &why))
        QFAIL(qPrintable(why));
}

void TestChangeReview::init()
{
    const QString state = m_root.filePath(QString::fromLatin1(QTest::currentTestFunction()));
    m_folder = std::make_unique<QTemporaryDir>();
    QVERIFY(m_folder->isValid());
    QVERIFY(test::makeTestFile(m_folder->filePath(QStringLiteral("notes.txt")), "one\ntwo\nthree\n"));
    QVERIFY(test::makeTestFile(m_folder->filePath(QStringLiteral("old/gone.txt")), "remove me\n"));
    QVERIFY(test::makeTestFile(m_folder->filePath(QStringLiteral("keep.txt")), "keep\n"));
    m_confirmAnswer = m_writeAnswer = m_replaceAnswer = true;
    m_deleteAnswer = false;
    m_confirmQuestions.clear();
    m_writeQuestions.clear();
    m_replaceQuestions.clear();
    m_deleteQuestions.clear();
    Prompter prompter;
    prompter.confirm = [this](const QString&, const QString& question) {
        m_confirmQuestions << question;
        return m_confirmAnswer;
    };
    prompter.confirmWrite = [this](const QString&, const QString& question) {
        m_writeQuestions << question;
        return m_writeAnswer;
    };
    prompter.confirmReplace = [this](const QString&, const QString& question) {
        m_replaceQuestions << question;
        return m_replaceAnswer;
    };
    prompter.confirmDelete = [this](const QString&, const QString& question) {
        m_deleteQuestions << question;
        return m_deleteAnswer;
    };
    prompter.chooseFolder = [this](const QString&) { return m_folder->path(); };
    prompter.inform = [](const QString&, const QString& message) { qWarning("informed: %s", qPrintable(message)); };
    QVERIFY(m_ui.open(m_backend, state, prompter, state + QStringLiteral("/history.sqlite")));
    QVERIFY2(m_ui.store()->isEnabled(), qPrintable(m_ui.store()->disabledReason()));
    connect(m_ui.recorder(), &HistoryRecorder::recordStarted, this, [this](qint64 id) { m_recordId = id; });
}

void TestChangeReview::cleanup()
{
    m_deleteAnswer = true; // let the window go whatever is left undecided
    m_ui.close();
}

RunResult TestChangeReview::runReview()
{
    auto* review = m_ui.window()->findChild<QAction*>(QStringLiteral("grantFolderReview"));
    if (!review)
        return {};
    review->trigger();
    m_ui.session()->setLanguage(QStringLiteral("python"));
    m_ui.window()->editor()->setText(QString::fromUtf8(kChanger));
    return test::clickRunAndWait(*m_ui.window());
}

QTreeWidgetItem* TestChangeReview::row(const QString& path)
{
    const QList<QTreeWidgetItem*> found = child<QTreeWidget>("changeList")->findItems(path, Qt::MatchExactly, 0);
    return found.size() == 1 ? found.first() : nullptr;
}

QJsonObject TestChangeReview::recordedChanges()
{
    const std::optional<HistoryRecord> record = m_ui.store()->get(m_recordId);
    return record ? QJsonDocument::fromJson(record->hostChangesJson).object() : QJsonObject();
}

QMap<QString, QString> TestChangeReview::decisions()
{
    QMap<QString, QString> all;
    for (const QJsonValue& v : recordedChanges().value(QLatin1String("changes")).toArray())
        all.insert(v.toObject().value(QLatin1String("path")).toString(),
                   v.toObject().value(QLatin1String("decision")).toString());
    return all;
}

void TestChangeReview::reviewIsGrantedFromTheFolderMenu()
{
    auto* button = child<QToolButton>("filesystemToggle");
    auto* review = m_ui.window()->findChild<QAction*>(QStringLiteral("grantFolderReview"));
    QVERIFY(button && review);
    QCOMPARE(button->text(), QStringLiteral("Folder: off"));
    // Declined: nothing is granted.
    m_confirmAnswer = false;
    review->trigger();
    QVERIFY(m_ui.session()->grants().hostFolder.isEmpty());
    QCOMPARE(m_confirmQuestions.size(), 1);
    QVERIFY2(m_confirmQuestions.first().contains(QLatin1String("Nothing is written to the folder itself")),
             qPrintable(m_confirmQuestions.first()));
    // Agreed: the copy is granted in review mode and the bar says so.
    m_confirmAnswer = true;
    review->trigger();
    QCOMPARE(m_ui.session()->grants().hostFolder, QDir(m_folder->path()).canonicalPath());
    QCOMPARE(m_ui.session()->grants().hostFolderMode, Grants::HostFolderMode::Review);
    QCOMPARE(button->text(), QStringLiteral("Folder: review"));
    auto* warning = child<QLabel>("grantsWarning");
    QVERIFY(warning->isVisible());
    QVERIFY(warning->text().contains(QLatin1String("you review the changes")));
    QVERIFY(warning->text().contains(QDir(m_folder->path()).canonicalPath()));
    // However long the folder's path, Run stays on the toolbar (the warning has a line of its own).
    QTRY_VERIFY(child<QPushButton>("runButton")->isVisible());
    // A click on the button itself takes the grant away; another shares read-only, as before.
    QTest::mouseClick(button, Qt::LeftButton, {}, QPoint(4, button->height() / 2));
    QVERIFY(m_ui.session()->grants().hostFolder.isEmpty());
    QTest::mouseClick(button, Qt::LeftButton, {}, QPoint(4, button->height() / 2));
    QCOMPARE(m_ui.session()->grants().hostFolderMode, Grants::HostFolderMode::ReadOnly);
    QCOMPARE(button->text(), QStringLiteral("Folder: read-only"));
}

void TestChangeReview::onlyTheTickedChangesReachTheFolder()
{
    const QMap<QString, QByteArray> before = test::folderTree(m_folder->path());
    const RunResult result = runReview();
    QVERIFY2(result.verdict == Verdict::Ok, qPrintable(result.message));
    // The run wrote nothing; the Changes tab came forward with what it wants.
    QCOMPARE(test::folderTree(m_folder->path()), before);
    auto* tabs = child<QTabWidget>("runTabs");
    QCOMPARE(tabs->currentWidget(), m_ui.window()->changeReviewPanel());
    QCOMPARE(tabs->tabText(tabs->currentIndex()), QStringLiteral("Changes (5)"));
    auto* list = child<QTreeWidget>("changeList");
    QStringList listed;
    for (int i = 0; i < list->topLevelItemCount(); ++i)
        listed << list->topLevelItem(i)->text(1) + QLatin1Char(' ') + list->topLevelItem(i)->text(0);
    QCOMPARE(listed, (QStringList{"added <b>bold.txt", "added added.txt", "added image.bin", "modified notes.txt",
                                  "deleted old/gone.txt"}));
    QCOMPARE(child<QTreeWidget>("refusedChangeList")->topLevelItemCount(), 1);
    QCOMPARE(child<QTreeWidget>("refusedChangeList")->topLevelItem(0)->text(0), QStringLiteral("passwd-link"));
    QCOMPARE(decisions().value(QStringLiteral("notes.txt")), QStringLiteral("pending"));

    // The diff of a text file, a sentence for a binary one, markup as plain text.
    list->setCurrentItem(row(QStringLiteral("notes.txt")));
    auto* diff = child<CodeEditor>("changeDiff");
    QCOMPARE(diff->text(), QStringLiteral("@@ -1,3 +1,4 @@\n one\n two\n three\n+four\n"));
    list->setCurrentItem(row(QStringLiteral("image.bin")));
    QVERIFY2(diff->text().startsWith(QLatin1String("# Binary file")), qPrintable(diff->text()));
    list->setCurrentItem(row(QStringLiteral("<b>bold.txt")));
    QVERIFY(diff->text().contains(QLatin1String("+<script>alert(1)</script>")));

    // Untick two, apply the rest.
    auto* panel = m_ui.window()->changeReviewPanel();
    QVERIFY(panel->setTicked(QStringLiteral("added.txt"), false));
    QVERIFY(panel->setTicked(QStringLiteral("<b>bold.txt"), false));
    // Asked first; a "no" writes nothing.
    m_writeAnswer = false;
    QTest::mouseClick(child<QPushButton>("applyChangesButton"), Qt::LeftButton);
    QCOMPARE(m_writeQuestions.size(), 1);
    QVERIFY2(m_writeQuestions.first().contains(QLatin1String("Write 3 changes to")),
             qPrintable(m_writeQuestions.first()));
    QCOMPARE(test::folderTree(m_folder->path()), before);
    m_writeAnswer = true;
    QTest::mouseClick(child<QPushButton>("applyChangesButton"), Qt::LeftButton);

    QMap<QString, QByteArray> expected = before;
    expected[QStringLiteral("notes.txt")] = "one\ntwo\nthree\nfour\n";
    expected[QStringLiteral("image.bin")] = QByteArray(256, 0);
    for (int i = 0; i < 256; ++i)
        expected[QStringLiteral("image.bin")][i] = char(i);
    expected.remove(QStringLiteral("old/gone.txt"));
    expected.remove(QStringLiteral("old")); // removed by the program, emptied by the accepted deletion
    QCOMPARE(test::folderTree(m_folder->path()), expected);
    QCOMPARE(row(QStringLiteral("notes.txt"))->text(4), QStringLiteral("written"));
    QCOMPARE(row(QStringLiteral("added.txt"))->text(4), QStringLiteral("not written"));
    QVERIFY2(child<QLabel>("changeStatus")->text().contains(QLatin1String("3 changes written")),
             qPrintable(child<QLabel>("changeStatus")->text()));
    QVERIFY(child<QLabel>("changeStatus")->text().contains(QLatin1String("Removed the emptied folders old")));

    // The rest is discarded; the history has every decision.
    QTest::mouseClick(child<QPushButton>("discardChangesButton"), Qt::LeftButton);
    QCOMPARE(row(QStringLiteral("added.txt"))->text(4), QStringLiteral("discarded"));
    QCOMPARE(test::folderTree(m_folder->path()), expected);
    QCOMPARE(decisions(), (QMap<QString, QString>{{"<b>bold.txt", "rejected"},
                                                  {"added.txt", "rejected"},
                                                  {"image.bin", "applied"},
                                                  {"notes.txt", "applied"},
                                                  {"old/gone.txt", "applied"}}));
    QCOMPARE(recordedChanges().value(QLatin1String("folders_removed_on_host")).toArray(),
             QJsonArray{QStringLiteral("old")});
    QVERIFY(!child<QPushButton>("applyChangesButton")->isEnabled());
}

void TestChangeReview::aFileChangedOnTheHostIsKeptUntilOverwrite()
{
    const RunResult result = runReview();
    QVERIFY2(result.verdict == Verdict::Ok, qPrintable(result.message));
    // The person edits notes.txt after the copy was made.
    QVERIFY(test::makeTestFile(m_folder->filePath(QStringLiteral("notes.txt")), "my own edit\n"));
    auto* panel = m_ui.window()->changeReviewPanel();
    panel->setAllTicked(false);
    QVERIFY(panel->setTicked(QStringLiteral("notes.txt"), true));
    QTest::mouseClick(child<QPushButton>("applyChangesButton"), Qt::LeftButton);
    QCOMPARE(test::readTestFile(m_folder->filePath(QStringLiteral("notes.txt"))), QByteArray("my own edit\n"));
    QCOMPARE(row(QStringLiteral("notes.txt"))->text(4), QStringLiteral("changed on your side: kept yours"));
    auto* overwrite = child<QPushButton>("overwriteChangesButton");
    QVERIFY(overwrite->isVisible() && overwrite->isEnabled());
    QCOMPARE(decisions().value(QStringLiteral("notes.txt")), QStringLiteral("refused"));

    // "No" keeps theirs; "yes" replaces it with the code's version.
    m_replaceAnswer = false;
    QTest::mouseClick(overwrite, Qt::LeftButton);
    QCOMPARE(test::readTestFile(m_folder->filePath(QStringLiteral("notes.txt"))), QByteArray("my own edit\n"));
    QVERIFY(m_replaceQuestions.first().contains(QLatin1String("notes.txt")));
    m_replaceAnswer = true;
    QTest::mouseClick(overwrite, Qt::LeftButton);
    QCOMPARE(test::readTestFile(m_folder->filePath(QStringLiteral("notes.txt"))),
             QByteArray("one\ntwo\nthree\nfour\n"));
    QCOMPARE(row(QStringLiteral("notes.txt"))->text(4), QStringLiteral("written"));
    QCOMPARE(decisions().value(QStringLiteral("notes.txt")), QStringLiteral("applied"));
    QVERIFY(!QFileInfo::exists(m_folder->filePath(QStringLiteral("added.txt"))));
}

void TestChangeReview::leavingWithUndecidedChangesAsksFirst()
{
    const RunResult result = runReview();
    QVERIFY2(result.verdict == Verdict::Ok, qPrintable(result.message));
    // Running again would replace them: asked, and "no" keeps them and runs nothing.
    QSignalSpy started(m_ui.session(), &RunSession::runStarted);
    QTest::mouseClick(child<QPushButton>("runButton"), Qt::LeftButton);
    QCOMPARE(m_deleteQuestions.size(), 1);
    QVERIFY2(m_deleteQuestions.first().startsWith(QLatin1String("5 changes from the last run have not been written")),
             qPrintable(m_deleteQuestions.first()));
    QCOMPARE(started.size(), 0);
    QCOMPARE(m_ui.window()->changeReviewPanel()->undecidedCount(), 5);
    // Closing asks too; "no" keeps the window.
    QVERIFY(!m_ui.window()->close());
    QCOMPARE(m_deleteQuestions.size(), 2);
    QVERIFY(m_ui.window()->isVisible());
    // "Yes": they are discarded, the folder is untouched and the history says so.
    m_deleteAnswer = true;
    QVERIFY(m_ui.window()->close());
    QCOMPARE(test::readTestFile(m_folder->filePath(QStringLiteral("notes.txt"))), QByteArray("one\ntwo\nthree\n"));
    QVERIFY(recordedChanges().value(QLatin1String("decided")).toBool());
    for (const QString& decision : decisions())
        QCOMPARE(decision, QStringLiteral("rejected"));
}

QTEST_MAIN(TestChangeReview)
#include "tst_changereview.moc"
