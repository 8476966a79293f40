// `codecourier run --mount DIR:review` through the built binary and the real Docker engine: the
// changes are listed (and in --json), nothing is written without --apply, and --apply writes only
// what is safe, telling which change it refused and why.
#include "CliTestSupport.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

// Appends a line to notes.txt, adds added.txt, deletes old/ with gone.txt in it and plants a link.
const QByteArray kSnippet = R"PY(
import os, shutil, sys, time
h = '/workspace/host'
print('ready', flush=True)
time.sleep(float(os.environ.get('WAIT', '0')))
with open(h + '/notes.txt', 'a') as f:
    f.write('four\n')
open(h + '/added.txt', 'w').write('new file\n')
shutil.rmtree(h + '/old')
os.symlink('/etc/passwd', h + '/passwd-link')
)PY";

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}

} // namespace

class TestCliReview : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void listsChangesAndWritesNothing();
    void jsonHasTheChangeSet();
    void applyWritesTheSafeChanges();
    void applyRefusesAFileChangedOnTheHostDuringTheRun();
    void applyNeedsReview();
    void historyKeepsTheChangesAndWhatWasApplied();

private:
    QStringList args(const QStringList& extra) const;

    QString m_binary;
    QTemporaryDir m_dir;
    QString m_script;
    std::unique_ptr<QTemporaryDir> m_folder;
};

void TestCliReview::initTestCase()
{
    m_binary = qEnvironmentVariable("CODECOURIER_BINARY");
    QVERIFY2(QFileInfo(m_binary).isExecutable(), "CODECOURIER_BINARY must name the built codecourier binary");
    QVERIFY(m_dir.isValid());
    qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8()); // default settings only
    m_script = cc::test::writeTestFile(m_dir.filePath(QStringLiteral("review.py")), kSnippet);
    QVERIFY(!m_script.isEmpty());
}

void TestCliReview::init()
{
    m_folder = std::make_unique<QTemporaryDir>();
    QVERIFY(m_folder->isValid());
    QVERIFY(QDir(m_folder->path()).mkpath(QStringLiteral("old")));
    QVERIFY(!cc::test::writeTestFile(m_folder->filePath(QStringLiteral("notes.txt")), "one\ntwo\nthree\n").isEmpty());
    QVERIFY(!cc::test::writeTestFile(m_folder->filePath(QStringLiteral("old/gone.txt")), "remove me\n").isEmpty());
    QVERIFY(!cc::test::writeTestFile(m_folder->filePath(QStringLiteral("data.bin")), QByteArray("\x00\x01\x02", 3))
                 .isEmpty());
}

QStringList TestCliReview::args(const QStringList& extra) const
{
    return QStringList{QStringLiteral("run"), m_script, QStringLiteral("--mount"),
                       m_folder->path() + QStringLiteral(":review")} +
           extra;
}

void TestCliReview::listsChangesAndWritesNothing()
{
    const cc::test::CliResult r = cc::test::runCli(m_binary, args({QStringLiteral("--diff")}));
    QVERIFY2(r.status == 0, r.err.constData());
    QCOMPARE(r.out, QByteArray("ready\n"));
    QVERIFY2(r.err.contains("3 files changed in the sandbox's copy"), r.err.constData());
    QVERIFY(r.err.contains("codecourier:   added    added.txt (9 bytes, +1 -0 lines)\n"));
    QVERIFY(r.err.contains("codecourier:   modified notes.txt (14 bytes -> 19 bytes, +1 -0 lines)\n"));
    QVERIFY(r.err.contains("codecourier:   deleted  old/gone.txt (10 bytes, +0 -1 lines)\n"));
    QVERIFY(r.err.contains("@@ -1,3 +1,4 @@\n one\n two\n three\n+four\n"));
    QVERIFY(r.err.contains("codecourier:   refused  passwd-link: It is a symbolic link"));
    QVERIFY(r.err.contains("nothing was written to"));
    QVERIFY(r.err.contains("--apply"));
    // Nothing was written.
    QCOMPARE(readAll(m_folder->filePath(QStringLiteral("notes.txt"))), QByteArray("one\ntwo\nthree\n"));
    QCOMPARE(readAll(m_folder->filePath(QStringLiteral("old/gone.txt"))), QByteArray("remove me\n"));
    QVERIFY(!QFileInfo::exists(m_folder->filePath(QStringLiteral("added.txt"))));
    QVERIFY(!QFileInfo(m_folder->filePath(QStringLiteral("passwd-link"))).isSymLink());
}

void TestCliReview::jsonHasTheChangeSet()
{
    const cc::test::CliResult r = cc::test::runCli(m_binary, args({QStringLiteral("--json")}));
    QVERIFY2(r.status == 0, r.err.constData());
    QJsonParseError error;
    const QJsonObject doc = QJsonDocument::fromJson(r.out, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject host = doc.value("host_changes").toObject();
    QCOMPARE(host.value("folder").toString(), QDir(m_folder->path()).canonicalPath());
    const QJsonArray changes = host.value("changes").toArray();
    QStringList seen;
    for (const QJsonValue& v : changes) {
        const QJsonObject c = v.toObject();
        seen << c.value("kind").toString() + QLatin1Char(' ') + c.value("path").toString();
        QCOMPARE(c.value("applied").toBool(), false);
        QVERIFY(c.value("text").toBool());
    }
    QCOMPARE(seen, (QStringList{"added added.txt", "modified notes.txt", "deleted old/gone.txt"}));
    QCOMPARE(changes.at(1).toObject().value("diff").toString(),
             QStringLiteral("@@ -1,3 +1,4 @@\n one\n two\n three\n+four\n"));
    QCOMPARE(host.value("refused").toArray().size(), 1);
    QCOMPARE(readAll(m_folder->filePath(QStringLiteral("notes.txt"))), QByteArray("one\ntwo\nthree\n"));
}

void TestCliReview::applyWritesTheSafeChanges()
{
    const cc::test::CliResult r = cc::test::runCli(m_binary, args({QStringLiteral("--apply")}));
    QVERIFY2(r.status == 0, r.err.constData());
    QVERIFY2(r.err.contains("modified notes.txt (14 bytes -> 19 bytes, +1 -0 lines): applied\n"), r.err.constData());
    QCOMPARE(readAll(m_folder->filePath(QStringLiteral("notes.txt"))), QByteArray("one\ntwo\nthree\nfour\n"));
    QCOMPARE(readAll(m_folder->filePath(QStringLiteral("added.txt"))), QByteArray("new file\n"));
    QVERIFY(!QFileInfo::exists(m_folder->filePath(QStringLiteral("old/gone.txt"))));
    // The program removed old/ whole, and the accepted deletion left it empty: it goes too.
    QVERIFY2(r.err.contains("codecourier:   removed  old/ "), r.err.constData());
    QVERIFY(!QFileInfo::exists(m_folder->filePath(QStringLiteral("old"))));
    QCOMPARE(readAll(m_folder->filePath(QStringLiteral("data.bin"))), QByteArray("\x00\x01\x02", 3));
    // The planted link is never written to the host.
    QVERIFY(!QFileInfo(m_folder->filePath(QStringLiteral("passwd-link"))).isSymLink());
    QVERIFY(!QFileInfo::exists(m_folder->filePath(QStringLiteral("passwd-link"))));
    QVERIFY(QDir(m_folder->path()).entryList({QStringLiteral(".codecourier-*")}, QDir::Hidden | QDir::Files).isEmpty());
}

void TestCliReview::applyRefusesAFileChangedOnTheHostDuringTheRun()
{
    QProcess process;
    process.start(m_binary, args({QStringLiteral("--apply"), QStringLiteral("--env"), QStringLiteral("WAIT=3")}));
    QVERIFY(process.waitForStarted());
    process.closeWriteChannel();
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += process.readAllStandardOutput()).contains("ready\n"), 60'000);
    // The person edits the file while the snippet runs.
    QVERIFY(!cc::test::writeTestFile(m_folder->filePath(QStringLiteral("notes.txt")), "my own edit\n").isEmpty());
    QVERIFY(process.waitForFinished(60'000));
    const QByteArray err = process.readAllStandardError();
    QVERIFY2(process.exitCode() == 0, err.constData());
    QVERIFY2(err.contains(
                 "notes.txt (14 bytes -> 19 bytes, +1 -0 lines): not applied: notes.txt changed on the host since it "
                 "was copied into the sandbox"),
             err.constData());
    QVERIFY2(err.contains("(--force replaces it)\n"), err.constData());
    QCOMPARE(readAll(m_folder->filePath(QStringLiteral("notes.txt"))), QByteArray("my own edit\n"));
    // The other changes were independent and went in.
    QCOMPARE(readAll(m_folder->filePath(QStringLiteral("added.txt"))), QByteArray("new file\n"));
    QVERIFY(!QFileInfo::exists(m_folder->filePath(QStringLiteral("old/gone.txt"))));

    // With --force (on a fresh folder) the person's edit is replaced by the sandbox's version.
    init();
    QProcess forced;
    forced.start(m_binary, args({QStringLiteral("--apply"), QStringLiteral("--force"), QStringLiteral("--env"),
                                 QStringLiteral("WAIT=3")}));
    QVERIFY(forced.waitForStarted());
    forced.closeWriteChannel();
    out.clear();
    QTRY_VERIFY_WITH_TIMEOUT((out += forced.readAllStandardOutput()).contains("ready\n"), 60'000);
    QVERIFY(!cc::test::writeTestFile(m_folder->filePath(QStringLiteral("notes.txt")), "edited again\n").isEmpty());
    QVERIFY(forced.waitForFinished(60'000));
    const QByteArray forcedErr = forced.readAllStandardError();
    QVERIFY2(forced.exitCode() == 0, forcedErr.constData());
    QVERIFY2(forcedErr.contains("modified notes.txt (14 bytes -> 19 bytes, +1 -0 lines): applied\n"),
             forcedErr.constData());
    QCOMPARE(readAll(m_folder->filePath(QStringLiteral("notes.txt"))), QByteArray("one\ntwo\nthree\nfour\n"));
}

void TestCliReview::applyNeedsReview()
{
    const cc::test::CliResult r =
        cc::test::runCli(m_binary, {QStringLiteral("run"), m_script, QStringLiteral("--mount"), m_folder->path(),
                                    QStringLiteral("--apply")});
    QCOMPARE(r.status, 125);
    QVERIFY2(r.err.contains("--mount DIR:review"), r.err.constData());
    const cc::test::CliResult ro =
        cc::test::runCli(m_binary, {QStringLiteral("run"), m_script, QStringLiteral("--mount"),
                                    m_folder->path() + QStringLiteral(":ro"), QStringLiteral("--json")});
    const QJsonObject doc = QJsonDocument::fromJson(ro.out).object();
    QCOMPARE(doc.value("mounts").toArray().size(), 1);
    QVERIFY(doc.value("host_changes").isNull());
}

void TestCliReview::historyKeepsTheChangesAndWhatWasApplied()
{
    const QString history = m_dir.filePath(QStringLiteral("history.sqlite"));
    const QStringList withHistory{QStringLiteral("--history-file"), history};
    const cc::test::CliResult r =
        cc::test::runCli(m_binary, args(QStringList{QStringLiteral("--apply")} + withHistory));
    QVERIFY2(r.status == 0, r.err.constData());
    const cc::test::CliResult list =
        cc::test::runCli(m_binary, QStringList{QStringLiteral("history"), QStringLiteral("--json")} + withHistory);
    const QJsonArray runs = QJsonDocument::fromJson(list.out).array();
    QVERIFY2(!runs.isEmpty(), list.err.constData());
    const QString id = QString::number(runs.at(0).toObject().value("id").toInteger());
    const cc::test::CliResult shown = cc::test::runCli(
        m_binary,
        QStringList{QStringLiteral("history"), QStringLiteral("show"), id, QStringLiteral("--json")} + withHistory);
    const QJsonObject doc = QJsonDocument::fromJson(shown.out).object();
    QCOMPARE(doc.value("grants").toObject().value("host_folder_mode").toString(), QStringLiteral("review"));
    const QJsonObject changes = doc.value("host_changes").toObject();
    QVERIFY2(changes.value("decided").toBool(), shown.out.constData());
    QStringList decisions;
    for (const QJsonValue& v : changes.value("changes").toArray())
        decisions << v.toObject().value("path").toString() + QLatin1Char('=') +
                         v.toObject().value("decision").toString();
    QCOMPARE(decisions, (QStringList{"added.txt=applied", "notes.txt=applied", "old/gone.txt=applied"}));
    QCOMPARE(changes.value("folders_removed_on_host").toArray(), QJsonArray{QStringLiteral("old")});
    QCOMPARE(changes.value("refused").toArray().size(), 1);

    // A run without --apply (on a fresh folder) is kept with every change pending.
    init();
    QVERIFY(cc::test::runCli(m_binary, args(withHistory)).status == 0);
    const QJsonArray after =
        QJsonDocument::fromJson(
            cc::test::runCli(m_binary, QStringList{QStringLiteral("history"), QStringLiteral("--json")} + withHistory)
                .out)
            .array();
    const cc::test::CliResult pending =
        cc::test::runCli(m_binary, QStringList{QStringLiteral("history"), QStringLiteral("show"),
                                               QString::number(after.at(0).toObject().value("id").toInteger())} +
                                       withHistory);
    QVERIFY2(pending.out.contains("changed in the sandbox's copy of"), pending.out.constData());
    QVERIFY2(pending.out.contains("(nothing decided)"), pending.out.constData());
}

QTEST_GUILESS_MAIN(TestCliReview)
#include "tst_cli_review.moc"
