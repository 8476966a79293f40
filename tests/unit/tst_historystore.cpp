// The run history on real SQLite files in a temporary folder: records written at start and
// completed at the end, abandoned runs, migrations, files it must leave alone, hostile bytes,
// the query API the history panel uses, and the recorder the front ends use.
#include "HistoryCommand.h"
#include "HistoryRecorder.h"
#include "HistoryStore.h"
#include "ProcessOwner.h"
#include "Run.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace cc;

namespace {

/// A Run the test drives by hand: output and finished when the test says so.
class FakeRun : public Run
{
public:
    explicit FakeRun(const RunSpec& spec) : Run(spec) {}
    void cancel() override {}
    void end(const RunResult& result) { finish(result); }
};

RunSpec specFor(const QByteArray& code, const QString& language = QStringLiteral("python"))
{
    RunSpec spec;
    spec.language = language;
    spec.image = QStringLiteral("codecourier/runner:bookworm-1");
    spec.files.append({QStringLiteral("main.py"), code});
    spec.command = {QStringLiteral("python3"), QStringLiteral("main.py")};
    return spec;
}

RunResult resultWith(Verdict verdict, int exitCode = 0)
{
    RunResult r;
    r.verdict = verdict;
    r.exitCode = exitCode;
    r.wallMs = 420;
    r.cpuMs = 37;
    r.peakMemoryBytes = 9 << 20;
    r.message = QStringLiteral("Exited normally (code 0) after 0.42 s.");
    r.backend = QStringLiteral("docker");
    r.sandboxId = QStringLiteral("abc123");
    return r;
}

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Runs statements on the file through a connection of the test's own (not the store's).
bool rawExec(const QString& path, const QStringList& statements, QString* error = nullptr)
{
    const QString name = QStringLiteral("raw-") + QString::number(QRandomGenerator::global()->generate64());
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ok = db.open();
        QSqlQuery q(db);
        for (const QString& sql : statements) {
            if (ok && !q.exec(sql)) {
                ok = false;
                if (error)
                    *error = q.lastError().text();
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

/// PRAGMA user_version as another connection sees it (in WAL mode the main file's header lags).
int userVersion(const QString& path)
{
    int version = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("version"));
        db.setDatabaseName(path);
        QSqlQuery q(db);
        if (db.open() && q.exec(QStringLiteral("PRAGMA user_version")) && q.next())
            version = q.value(0).toInt();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("version"));
    return version;
}

// Version 1 of the schema exactly as it was released: frozen here, on purpose separate from the
// code's copy, so that a change to the code's v1 cannot hide a broken migration.
const QStringList kFrozenV1 = {
    QStringLiteral("CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, state TEXT NOT NULL, owner TEXT NOT NULL,"
                   " started_ms INTEGER NOT NULL, ended_ms INTEGER, language TEXT NOT NULL, backend TEXT NOT NULL,"
                   " image TEXT NOT NULL, code BLOB NOT NULL, answer BLOB NOT NULL, wall_timeout_ms INTEGER NOT NULL,"
                   " memory_bytes INTEGER NOT NULL, cpus REAL NOT NULL, pids INTEGER NOT NULL,"
                   " output_limit_bytes INTEGER NOT NULL, grant_network INTEGER NOT NULL, grant_folder TEXT NOT NULL,"
                   " verdict TEXT, message TEXT, exit_code INTEGER, signal INTEGER, wall_ms INTEGER, cpu_ms INTEGER,"
                   " peak_memory_bytes INTEGER, stdout BLOB, stderr BLOB, output_total_bytes INTEGER)"),
    QStringLiteral("CREATE INDEX runs_by_start ON runs (started_ms)"),
    QStringLiteral("PRAGMA user_version = 1"),
};

// Version 2 as released: v1 plus these columns.
QStringList frozenV2()
{
    QStringList v2 = kFrozenV1;
    v2.removeLast();
    v2 << QStringLiteral("ALTER TABLE runs ADD COLUMN runtime TEXT NOT NULL DEFAULT ''")
       << QStringLiteral("ALTER TABLE runs ADD COLUMN file_size_bytes INTEGER")
       << QStringLiteral("ALTER TABLE runs ADD COLUMN tmpfs_bytes INTEGER")
       << QStringLiteral("ALTER TABLE runs ADD COLUMN stdin BLOB")
       << QStringLiteral("ALTER TABLE runs ADD COLUMN env_names TEXT NOT NULL DEFAULT '[]'")
       << QStringLiteral("ALTER TABLE runs ADD COLUMN peak_memory_is_sample INTEGER NOT NULL DEFAULT 0")
       << QStringLiteral("ALTER TABLE runs ADD COLUMN sandbox_id TEXT NOT NULL DEFAULT ''")
       << QStringLiteral("ALTER TABLE runs ADD COLUMN artifacts TEXT NOT NULL DEFAULT '[]'")
       << QStringLiteral("PRAGMA user_version = 2");
    return v2;
}

} // namespace

class TestHistoryStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void newFileIsWalAtTheCurrentVersion();
    void startThenFinishRoundTrip();
    void historySurvivesReopening();
    void deadOwnersRecordBecomesInterrupted();
    void migratesAHandBuiltV1File();
    void migratesAHandBuiltV2File();
    void newerVersionIsLeftUntouched();
    void unusableFileIsLeftUntouched_data();
    void unusableFileIsLeftUntouched();
    void lockedFileGivesASentenceAfterTheBusyTimeout();
    void lockDuringUseFailsTheWriteNotTheStore();
    void outputIsCappedWithATruncationMark();
    void hostileBytesSurviveTheRoundTrip();
    void filtersForThePanel();
    void deleteRemovesOneRun();
    void exportIsValidJsonWithEveryField();
    void recorderRecordsStartAndFinish();
    void recorderReportsAProblemOnce();
    void rerunSpecKeepsTheRunButNotItsGrants();
    void reviewRunKeepsItsChangesAndTheDecision();

private:
    QString path(const QString& name = QStringLiteral("history.sqlite")) const { return m_dir->filePath(name); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestHistoryStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestHistoryStore::newFileIsWalAtTheCurrentVersion()
{
    const QString file = path(QStringLiteral("sub/folder/history.sqlite"));
    {
        HistoryStore store(file);
        QVERIFY2(store.isEnabled(), qPrintable(store.disabledReason()));
    }
    const QByteArray header = fileBytes(file).left(100);
    QVERIFY(header.startsWith("SQLite format 3"));
    QCOMPARE(int(header.at(18)), 2);  // file format write version 2 = WAL
    QCOMPARE(userVersion(file), HistoryStore::kSchemaVersion);
}

void TestHistoryStore::startThenFinishRoundTrip()
{
    HistoryStore store(path());
    QVERIFY(store.isEnabled());
    RunSpec spec = specFor("print('hi')\n");
    spec.limits.wallTimeoutMs = 2500;
    spec.limits.memoryBytes = 64LL << 20;
    spec.limits.cpus = 0.5;
    spec.limits.pids = 32;
    spec.limits.outputBytes = 4096;
    spec.grants.network = true;
    spec.grants.hostFolder = QStringLiteral("/home/someone/data");
    spec.env = {{QStringLiteral("TOKEN"), QStringLiteral("s3cret-value")}};
    spec.stdinData = "input\n";
    spec.hasStdin = true;
    spec.runtime = QStringLiteral("runsc");
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const std::optional<qint64> id = store.begin(spec, QStringLiteral("docker"), "Here is code:\n```py\nprint('hi')\n```");
    QVERIFY2(id, qPrintable(store.error()));

    std::optional<HistoryRecord> running = store.get(*id);
    QVERIFY(running);
    QCOMPARE(running->state, HistoryState::Running);
    QCOMPARE(running->outcome(), QStringLiteral("running"));
    QVERIFY(running->verdict.isEmpty());
    QCOMPARE(running->owner, ProcessOwner::tag());
    QVERIFY(running->startedAt.toMSecsSinceEpoch() >= before);
    QVERIFY(!running->endedAt.isValid());
    QCOMPARE(running->code, QByteArray("print('hi')\n"));
    QVERIFY(running->answer.startsWith("Here is code:"));
    QCOMPARE(running->limits.wallTimeoutMs, 2500);
    QCOMPARE(running->limits.memoryBytes, 64LL << 20);
    QCOMPARE(running->limits.cpus, 0.5);
    QCOMPARE(running->limits.pids, 32);
    QCOMPARE(running->limits.outputBytes, qint64(4096));
    QCOMPARE(running->grants.network, true);
    QCOMPARE(running->grants.hostFolder, QStringLiteral("/home/someone/data"));
    QCOMPARE(running->envNames, QStringList{QStringLiteral("TOKEN")});
    QCOMPARE(running->stdinData, QByteArray("input\n"));
    QVERIFY(running->hasStdin);
    QCOMPARE(running->runtime, QStringLiteral("runsc"));
    QCOMPARE(running->backend, QStringLiteral("docker"));
    QVERIFY(!running->toJson().contains("s3cret-value"));  // a typed value is never stored

    HistoryOutput output;
    output.append(false, "hi\n");
    output.append(true, "warning\n");
    RunResult result = resultWith(Verdict::Ok);
    result.artifacts.append({QStringLiteral("plots/chart.png"), 4, QByteArray("\x89PNG"), ArtifactType::Png});
    QVERIFY2(store.finish(*id, result, output), qPrintable(store.error()));
    const std::optional<HistoryRecord> done = store.get(*id);
    QVERIFY(done);
    QCOMPARE(done->state, HistoryState::Finished);
    QCOMPARE(done->verdict, QStringLiteral("ok"));
    QCOMPARE(done->outcome(), QStringLiteral("ok"));
    QCOMPARE(done->exitCode, 0);
    QCOMPARE(done->wallMs, qint64(420));
    QCOMPARE(done->cpuMs, qint64(37));
    QCOMPARE(done->peakMemoryBytes, qint64(9 << 20));
    QCOMPARE(done->sandboxId, QStringLiteral("abc123"));
    QCOMPARE(done->output.stdoutBytes, QByteArray("hi\n"));
    QCOMPARE(done->output.stderrBytes, QByteArray("warning\n"));
    QVERIFY(!done->output.clipped());
    QVERIFY(done->endedAt.isValid() && done->endedAt >= done->startedAt);
    // The artifacts' names, sizes and types are kept; their bytes are not.
    QCOMPARE(done->artifactsJson, QByteArray(R"([{"path":"plots/chart.png","size":4,"type":"png"}])"));
    QVERIFY(!fileBytes(path()).contains("s3cret-value"));
}

void TestHistoryStore::historySurvivesReopening()
{
    qint64 id = 0;
    {
        HistoryStore store(path());
        id = store.begin(specFor("print(1)"), QStringLiteral("e2b")).value_or(0);
        QVERIFY(id > 0);
        QVERIFY(store.finish(id, resultWith(Verdict::ExitNonzero, 3), {}));
    }
    HistoryStore reopened(path());
    QVERIFY(reopened.isEnabled());
    QCOMPARE(reopened.interruptedAtOpen(), 0);
    const QList<HistoryRecord> all = reopened.list();
    QCOMPARE(all.size(), 1);
    QCOMPARE(all.first().id, id);
    QCOMPARE(all.first().verdict, QStringLiteral("exit_nonzero"));
    QCOMPARE(all.first().exitCode, 3);
    QCOMPARE(all.first().backend, QStringLiteral("e2b"));
}

void TestHistoryStore::deadOwnersRecordBecomesInterrupted()
{
    qint64 dead = 0, reused = 0, alive = 0, foreign = 0;
    {
        HistoryStore store(path());
        dead = store.begin(specFor("import time; time.sleep(30)"), QStringLiteral("docker")).value_or(0);
        reused = store.begin(specFor("print(2)"), QStringLiteral("docker")).value_or(0);
        alive = store.begin(specFor("print(3)"), QStringLiteral("docker")).value_or(0);
        foreign = store.begin(specFor("print(4)"), QStringLiteral("docker")).value_or(0);
        QVERIFY(dead && reused && alive && foreign);
    }
    const QString host = QSysInfo::machineHostName();
    // A pid beyond pid_max never lives; our own pid with another start time is a reused pid.
    QVERIFY(rawExec(path(), {QStringLiteral("UPDATE runs SET owner = '%1/999999999/1' WHERE id = %2").arg(host).arg(dead),
                             QStringLiteral("UPDATE runs SET owner = '%1/%2/1' WHERE id = %3")
                                 .arg(host)
                                 .arg(QCoreApplication::applicationPid())
                                 .arg(reused),
                             QStringLiteral("UPDATE runs SET owner = 'another-host.example/1/1' WHERE id = %1").arg(foreign)}));
    HistoryStore store(path());
    QVERIFY(store.isEnabled());
    QCOMPARE(store.interruptedAtOpen(), 2);
    QCOMPARE(store.get(dead)->state, HistoryState::Interrupted);
    QCOMPARE(store.get(dead)->outcome(), QStringLiteral("interrupted"));
    QVERIFY(store.get(dead)->verdict.isEmpty());
    QCOMPARE(store.get(reused)->state, HistoryState::Interrupted);
    QCOMPARE(store.get(alive)->state, HistoryState::Running);    // this process still runs it
    QCOMPARE(store.get(foreign)->state, HistoryState::Running);  // not ours to judge
    // A run that still finishes after all (the live one) completes normally.
    QVERIFY(store.finish(alive, resultWith(Verdict::Ok), {}));
    QCOMPARE(store.get(alive)->state, HistoryState::Finished);
    HistoryFilter interrupted;
    interrupted.outcome = QStringLiteral("interrupted");
    QCOMPARE(store.list(interrupted).size(), 2);
}

void TestHistoryStore::migratesAHandBuiltV1File()
{
    QString error;
    QStringList v1 = kFrozenV1;
    v1 << QStringLiteral("INSERT INTO runs (state, owner, started_ms, ended_ms, language, backend, image, code, answer,"
                         " wall_timeout_ms, memory_bytes, cpus, pids, output_limit_bytes, grant_network, grant_folder,"
                         " verdict, message, exit_code, signal, wall_ms, cpu_ms, peak_memory_bytes, stdout, stderr,"
                         " output_total_bytes) VALUES ('finished', 'old/1/1', 1700000000000, 1700000001000, 'bash',"
                         " 'docker', 'codecourier/runner:bookworm-1', X'6563686F206869', X'', 5000, 134217728, 1.0,"
                         " 64, 1024, 0, '', 'ok', 'Exited normally (code 0) after 1 s.', 0, 0, 1000, 5, 1000000,"
                         " X'68690A', X'', 3)")
       << QStringLiteral("INSERT INTO runs (state, owner, started_ms, language, backend, image, code, answer,"
                         " wall_timeout_ms, memory_bytes, cpus, pids, output_limit_bytes, grant_network, grant_folder)"
                         " VALUES ('running', 'gone-host-tag', 1700000002000, 'python', 'docker', 'img', X'7072696E74',"
                         " X'', 10000, 268435456, 1.0, 128, 1048576, 1, '')");
    QVERIFY2(rawExec(path(), v1, &error), qPrintable(error));

    HistoryStore store(path());
    QVERIFY2(store.isEnabled(), qPrintable(store.disabledReason()));
    QCOMPARE(store.interruptedAtOpen(), 1);  // 'gone-host-tag' is not a tag: nobody owns it
    const QList<HistoryRecord> all = store.list();
    QCOMPARE(all.size(), 2);
    const HistoryRecord old = *store.get(all.last().id);
    QCOMPARE(old.code, QByteArray("echo hi"));
    QCOMPARE(old.language, QStringLiteral("bash"));
    QCOMPARE(old.verdict, QStringLiteral("ok"));
    QCOMPARE(old.output.stdoutBytes, QByteArray("hi\n"));
    QCOMPARE(old.limits.wallTimeoutMs, 5000);
    QCOMPARE(old.limits.pids, 64);
    QCOMPARE(old.limits.fileSizeBytes, Limits{}.fileSizeBytes);  // v2 column, default for v1 rows
    QVERIFY(!old.hasStdin);
    QCOMPARE(old.artifactsJson, QByteArray("[]"));
    QCOMPARE(old.startedAt.toMSecsSinceEpoch(), 1700000000000LL);
    QCOMPARE(store.get(all.first().id)->state, HistoryState::Interrupted);
    // The migrated file takes new runs with the v2 columns.
    RunSpec spec = specFor("print(5)");
    spec.hasStdin = true;
    spec.stdinData = "x";
    const qint64 id = store.begin(spec, QStringLiteral("docker")).value_or(0);
    QVERIFY2(id > 0, qPrintable(store.error()));
    QCOMPARE(store.get(id)->stdinData, QByteArray("x"));
    QCOMPARE(userVersion(path()), HistoryStore::kSchemaVersion);
    // v3 columns, defaults for older rows: a read-only folder grant, no change set.
    QCOMPARE(old.grants.hostFolderMode, Grants::HostFolderMode::ReadOnly);
    QVERIFY(old.hostChangesJson.isEmpty());
}

void TestHistoryStore::migratesAHandBuiltV2File()
{
    QString error;
    QStringList v2 = frozenV2();
    v2 << QStringLiteral("INSERT INTO runs (state, owner, started_ms, ended_ms, language, backend, image, code, answer,"
                         " wall_timeout_ms, memory_bytes, cpus, pids, output_limit_bytes, grant_network, grant_folder,"
                         " verdict, message, exit_code, runtime, artifacts) VALUES ('finished', 'old/1/1',"
                         " 1700000000000, 1700000001000, 'python', 'docker', 'img', X'7072696E74', X'', 5000,"
                         " 134217728, 1.0, 64, 1024, 0, '/srv/data', 'ok', 'fine', 0, 'runsc',"
                         " '[{\"path\":\"a.txt\",\"size\":1,\"type\":\"text\"}]')");
    QVERIFY2(rawExec(path(), v2, &error), qPrintable(error));

    HistoryStore store(path());
    QVERIFY2(store.isEnabled(), qPrintable(store.disabledReason()));
    QCOMPARE(userVersion(path()), HistoryStore::kSchemaVersion);
    const QList<HistoryRecord> all = store.list();
    QCOMPARE(all.size(), 1);
    const HistoryRecord old = *store.get(all.first().id);
    QCOMPARE(old.runtime, QStringLiteral("runsc"));
    QCOMPARE(old.grants.hostFolder, QStringLiteral("/srv/data"));
    // A v2 folder grant was always read-only; v2 runs have no change set.
    QCOMPARE(old.grants.hostFolderMode, Grants::HostFolderMode::ReadOnly);
    QVERIFY(old.hostChangesJson.isEmpty());
    QVERIFY(old.artifactsJson.contains("a.txt"));
    QVERIFY(QJsonDocument::fromJson(old.toJson()).object().value(QLatin1String("host_changes")).isNull());
}

void TestHistoryStore::newerVersionIsLeftUntouched()
{
    QVERIFY(rawExec(path(), {QStringLiteral("CREATE TABLE runs (id INTEGER PRIMARY KEY, future TEXT)"),
                             QStringLiteral("INSERT INTO runs (future) VALUES ('from a later version')"),
                             QStringLiteral("PRAGMA user_version = %1").arg(HistoryStore::kSchemaVersion + 1)}));
    const QByteArray before = fileBytes(path());
    QVERIFY(!before.isEmpty());
    {
        HistoryStore store(path());
        QVERIFY(!store.isEnabled());
        QVERIFY2(store.disabledReason().contains(QLatin1String("newer CodeCourier")), qPrintable(store.disabledReason()));
        QVERIFY(store.disabledReason().contains(QLatin1String("left untouched")));
        QVERIFY(!store.begin(specFor("print(1)"), QStringLiteral("docker")));
        QVERIFY(store.list().isEmpty());
    }
    QCOMPARE(fileBytes(path()), before);
    QVERIFY(!QFile::exists(path() + QStringLiteral("-wal")));
}

void TestHistoryStore::unusableFileIsLeftUntouched_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("random bytes") << "random" << "damaged";
    QTest::newRow("truncated mid-page") << "cut-mid-page" << "damaged";
    QTest::newRow("truncated at a page boundary") << "cut-at-page" << "damaged";
    QTest::newRow("garbage after a good header") << "garbage-pages" << "damaged";
    QTest::newRow("only a header's first bytes") << "cut-header" << "damaged";
    QTest::newRow("another program's database") << "foreign" << "another program";
}

void TestHistoryStore::unusableFileIsLeftUntouched()
{
    QFETCH(QString, kind);
    QFETCH(QString, expected);
    const QString file = path();
    QByteArray bytes;
    if (kind == QLatin1String("random")) {
        bytes.resize(8192);
        QRandomGenerator(42).fillRange(reinterpret_cast<quint32*>(bytes.data()), bytes.size() / 4);
    } else if (kind == QLatin1String("foreign")) {
        QVERIFY(rawExec(file, {QStringLiteral("CREATE TABLE contacts (name TEXT)"),
                               QStringLiteral("INSERT INTO contacts VALUES ('Ada')")}));
        bytes = fileBytes(file);
    } else {
        {
            HistoryStore store(path(QStringLiteral("good.sqlite")));
            for (int i = 0; i < 20; ++i) {
                const qint64 id = store.begin(specFor(QByteArray(3000, 'x')), QStringLiteral("docker")).value_or(0);
                QVERIFY(store.finish(id, resultWith(Verdict::Ok), {}));
            }
        }
        // Fold the WAL into the main file, so that the cut below cuts real pages.
        QVERIFY(rawExec(path(QStringLiteral("good.sqlite")), {QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")}));
        const QByteArray good = fileBytes(path(QStringLiteral("good.sqlite")));
        QVERIFY(good.size() >= 4 * 4096);
        if (kind == QLatin1String("cut-mid-page"))
            bytes = good.left(4096 * 2 + 1000);
        else if (kind == QLatin1String("cut-at-page"))
            bytes = good.left(4096 * 2);
        else if (kind == QLatin1String("cut-header"))
            bytes = good.left(50);
        else
            bytes = good.left(100) + QByteArray(good.size() - 100, '\xA5');
    }
    if (kind != QLatin1String("foreign")) {
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes);
    }
    {
        HistoryStore store(file);
        QVERIFY(!store.isEnabled());
        QVERIFY2(store.disabledReason().contains(expected), qPrintable(store.disabledReason()));
        QVERIFY(store.disabledReason().contains(file));
        QVERIFY(store.disabledReason().contains(QLatin1String("History is off for this session")));
        QVERIFY(!store.begin(specFor("print(1)"), QStringLiteral("docker")));
        QCOMPARE(store.error(), store.disabledReason());
    }
    QCOMPARE(fileBytes(file), bytes);
}

void TestHistoryStore::lockedFileGivesASentenceAfterTheBusyTimeout()
{
    {
        HistoryStore store(path());
        QVERIFY(store.isEnabled());
    }
    const QByteArray before = fileBytes(path());
    {
        QSqlDatabase locker = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("locker"));
        locker.setDatabaseName(path());
        QVERIFY(locker.open());
        QSqlQuery q(locker);
        QVERIFY2(q.exec(QStringLiteral("BEGIN EXCLUSIVE")), qPrintable(q.lastError().text()));
        QElapsedTimer clock;
        clock.start();
        {
            HistoryStore store(path(), 400);
            QVERIFY(!store.isEnabled());
            QVERIFY2(store.disabledReason().contains(QLatin1String("is locked by another program")),
                     qPrintable(store.disabledReason()));
            QVERIFY(store.disabledReason().contains(QLatin1String("History is off for this session")));
        }
        QVERIFY2(clock.elapsed() >= 350, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
        q.finish();
        locker.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("locker"));
    QCOMPARE(fileBytes(path()), before);
    HistoryStore again(path());
    QVERIFY(again.isEnabled());
}

void TestHistoryStore::lockDuringUseFailsTheWriteNotTheStore()
{
    HistoryStore store(path(), 300);
    QVERIFY(store.isEnabled());
    const qint64 first = store.begin(specFor("print(1)"), QStringLiteral("docker")).value_or(0);
    QVERIFY(first > 0);
    {
        QSqlDatabase locker = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("locker2"));
        locker.setDatabaseName(path());
        QVERIFY(locker.open());
        QSqlQuery q(locker);
        QVERIFY(q.exec(QStringLiteral("BEGIN EXCLUSIVE")));
        QVERIFY(!store.begin(specFor("print(2)"), QStringLiteral("docker")));
        QVERIFY2(store.error().contains(QLatin1String("is locked by another program")), qPrintable(store.error()));
        QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
        q.finish();
        locker.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("locker2"));
    QVERIFY(store.isEnabled());
    QVERIFY(store.finish(first, resultWith(Verdict::Ok), {}));
    QVERIFY(store.begin(specFor("print(3)"), QStringLiteral("docker")));
}

void TestHistoryStore::outputIsCappedWithATruncationMark()
{
    HistoryOutput output;
    const QByteArray chunk(100 * 1024, 'o');
    for (int i = 0; i < 5; ++i)
        output.append(i % 2 == 1, chunk);
    QCOMPARE(output.totalBytes, qint64(500 * 1024));
    QCOMPARE(output.stdoutBytes.size() + output.stderrBytes.size(), HistoryOutput::kCapBytes);
    // In arrival order: chunk 0 (out), 1 (err), the first 56 KiB of 2 (out); 3 and 4 came when it was full.
    QCOMPARE(output.stdoutBytes.size(), qsizetype(156 * 1024));
    QCOMPARE(output.stderrBytes.size(), qsizetype(100 * 1024));
    QVERIFY(output.clipped());
    QCOMPARE(output.truncationMark(), QStringLiteral("[history kept the first 256 KiB of 500 KiB of output]"));

    HistoryStore store(path());
    const qint64 id = store.begin(specFor("print('o' * 10**6)"), QStringLiteral("docker")).value_or(0);
    // Even when handed more than the cap, the store keeps only the cap.
    HistoryOutput tooMuch;
    tooMuch.stdoutBytes = QByteArray(300 * 1024, 'a');
    tooMuch.stderrBytes = QByteArray(10, 'b');
    tooMuch.totalBytes = 300 * 1024 + 10;
    QVERIFY(store.finish(id, resultWith(Verdict::OutputLimit), tooMuch));
    const HistoryRecord r = *store.get(id);
    QCOMPARE(r.output.stdoutBytes.size(), HistoryOutput::kCapBytes);
    QCOMPARE(r.output.stderrBytes.size(), 0);
    QCOMPARE(r.output.totalBytes, 300 * 1024 + 10);
    QVERIFY(r.output.clipped());
    QVERIFY(HistoryCommand::details(r, false).contains("[history kept the first 256 KiB of 300.0 KiB of output]"));
    QCOMPARE(QJsonDocument::fromJson(r.toJson()).object().value("output_truncated").toBool(), true);

    HistoryOutput small;
    small.append(false, "fits");
    QVERIFY(!small.clipped());
    QVERIFY(small.truncationMark().isEmpty());
}

void TestHistoryStore::hostileBytesSurviveTheRoundTrip()
{
    const QByteArray code("print('\xff\xfe')\x00'); DROP TABLE runs; --\n\x1b]0;owned\x07", 40);
    const QByteArray out("\x00\x01\xc3\x28 not utf-8 \xed\xa0\x80 \xf0\x9f\x98\x80\n", 25);
    const QByteArray answer("answer with \x00 NUL and \x80", 23);
    QCOMPARE(code.size(), 40);
    HistoryStore store(path());
    RunSpec spec = specFor(code);
    spec.image = QStringLiteral("img'; DELETE FROM runs; --");
    const qint64 id = store.begin(spec, QStringLiteral("docker"), answer).value_or(0);
    QVERIFY(id > 0);
    HistoryOutput output;
    output.append(false, out);
    output.append(true, code);
    QVERIFY(store.finish(id, resultWith(Verdict::Ok), output));
    const HistoryRecord r = *store.get(id);
    QCOMPARE(r.code, code);
    QCOMPARE(r.answer, answer);
    QCOMPARE(r.image, spec.image);
    QCOMPARE(r.output.stdoutBytes, out);
    QCOMPARE(r.output.stderrBytes, code);
    QCOMPARE(store.list().size(), 1);  // the table is still there

    // The export is valid JSON whatever the bytes; the exact bytes come back from the base64 fields.
    QJsonParseError error;
    const QJsonObject doc = QJsonDocument::fromJson(r.toJson(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(QByteArray::fromBase64(doc.value("code_base64").toString().toLatin1()), code);
    QCOMPARE(QByteArray::fromBase64(doc.value("stdout_base64").toString().toLatin1()), out);
    QCOMPARE(QByteArray::fromBase64(doc.value("answer_base64").toString().toLatin1()), answer);
    QVERIFY(doc.value("stdout").toString().contains(QChar::ReplacementCharacter));
    QVERIFY(doc.value("stdout").toString().contains(QStringLiteral(" not utf-8 ")));
    QVERIFY(!doc.contains("stdin_base64"));  // valid UTF-8 (empty) needs no copy
    // The list's first line makes the escape sequence visible instead of passing it on.
    QVERIFY(!r.firstLine().contains(QChar(0x1b)));
    QVERIFY(!HistoryRecord::listJson(store.list()).contains('\x1b'));
    // The terminal form drops the escape sequence; the raw form keeps every byte.
    QVERIFY(!HistoryCommand::details(r, true).contains("\x1b]0;owned"));
    QVERIFY(HistoryCommand::details(r, false).contains(code));
}

void TestHistoryStore::filtersForThePanel()
{
    HistoryStore store(path());
    auto add = [&](const QByteArray& code, const QString& language, const QString& backend, bool network,
                   Verdict verdict, const QByteArray& out) {
        RunSpec spec = specFor(code, language);
        spec.grants.network = network;
        const qint64 id = store.begin(spec, backend).value_or(0);
        HistoryOutput output;
        output.append(false, out);
        store.finish(id, resultWith(verdict), output);
        return id;
    };
    const qint64 a = add("print('alpha')", QStringLiteral("python"), QStringLiteral("docker"), false, Verdict::Ok, "alpha\n");
    const qint64 b = add("echo beta", QStringLiteral("bash"), QStringLiteral("docker"), true, Verdict::Timeout, "beta\n");
    const qint64 c = add("console.log(1)", QStringLiteral("node"), QStringLiteral("e2b"), false, Verdict::Ok,
                         QByteArray("needle\x00\xff", 8));
    const qint64 d = store.begin(specFor("while True: pass"), QStringLiteral("docker")).value_or(0);
    QVERIFY(a && b && c && d);

    auto ids = [&](const HistoryFilter& filter) {
        QList<qint64> out;
        for (const HistoryRecord& r : store.list(filter))
            out << r.id;
        return out;
    };
    QCOMPARE(ids({}), (QList<qint64>{d, c, b, a}));  // newest first
    HistoryFilter f;
    f.outcome = QStringLiteral("ok");
    QCOMPARE(ids(f), (QList<qint64>{c, a}));
    f = {};
    f.outcome = QStringLiteral("running");
    QCOMPARE(ids(f), QList<qint64>{d});
    f = {};
    f.language = QStringLiteral("bash");
    QCOMPARE(ids(f), QList<qint64>{b});
    f = {};
    f.backend = QStringLiteral("e2b");
    QCOMPARE(ids(f), QList<qint64>{c});
    f = {};
    f.granted = true;
    QCOMPARE(ids(f), QList<qint64>{b});
    f.granted = false;
    QCOMPARE(ids(f), (QList<qint64>{d, c, a}));
    f = {};
    f.text = "alpha";
    QCOMPARE(ids(f), QList<qint64>{a});
    f.text = QByteArray("needle\x00\xff", 8);  // found in output bytes, NUL and all
    QCOMPARE(ids(f), QList<qint64>{c});
    f.text = "%";  // not a LIKE pattern: nothing has a percent sign
    QCOMPARE(ids(f), QList<qint64>{});
    f = {};
    f.outcome = QStringLiteral("ok");
    f.backend = QStringLiteral("docker");
    QCOMPARE(ids(f), QList<qint64>{a});
    f = {};
    f.limit = 2;
    QCOMPARE(ids(f), (QList<qint64>{d, c}));
    // The list carries no output: the panel loads one run in full with get().
    QVERIFY(store.list().first().output.stdoutBytes.isEmpty());
}

void TestHistoryStore::deleteRemovesOneRun()
{
    HistoryStore store(path());
    const qint64 a = store.begin(specFor("print(1)"), QStringLiteral("docker")).value_or(0);
    const qint64 b = store.begin(specFor("print(2)"), QStringLiteral("docker")).value_or(0);
    QVERIFY(store.remove(a));
    QVERIFY(!store.get(a));
    QVERIFY(store.error().isEmpty());  // no such run is not an error
    QVERIFY(store.get(b));
    QVERIFY(!store.remove(a));
    QCOMPARE(store.list().size(), 1);
    // A run deleted while it ran cannot be completed, and says so.
    QVERIFY(store.remove(b));
    QVERIFY(!store.finish(b, resultWith(Verdict::Ok), {}));
    QVERIFY2(store.error().contains(QLatin1String("deleted")), qPrintable(store.error()));
}

void TestHistoryStore::exportIsValidJsonWithEveryField()
{
    HistoryStore store(path());
    const qint64 id = store.begin(specFor("print('hi')\n"), QStringLiteral("docker"), "the answer").value_or(0);
    HistoryOutput output;
    output.append(false, "hi\n");
    QVERIFY(store.finish(id, resultWith(Verdict::Ok), output));
    QJsonParseError error;
    const QJsonObject doc = QJsonDocument::fromJson(store.get(id)->toJson(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    for (const char* key : {"id", "state", "verdict", "message", "started_at", "ended_at", "language", "backend", "image",
                            "runtime", "limits", "grants", "env_names", "exit_code", "signal", "wall_ms", "cpu_ms",
                            "peak_memory_bytes", "code", "answer", "stdout", "stderr", "output_total_bytes",
                            "output_truncated", "artifacts", "sandbox_id"})
        QVERIFY2(doc.contains(QLatin1String(key)), key);
    QCOMPARE(doc.value("id").toInteger(), id);
    QCOMPARE(doc.value("state").toString(), QStringLiteral("finished"));
    QCOMPARE(doc.value("verdict").toString(), QStringLiteral("ok"));
    QCOMPARE(doc.value("code").toString(), QStringLiteral("print('hi')\n"));
    QCOMPARE(doc.value("answer").toString(), QStringLiteral("the answer"));
    QCOMPARE(doc.value("stdout").toString(), QStringLiteral("hi\n"));
    QVERIFY(!doc.contains("stdout_base64"));
    QCOMPARE(doc.value("artifacts").toArray().size(), 0);
    QCOMPARE(doc.value("limits").toObject().value("memory_bytes").toInteger(), Limits{}.memoryBytes);
    QCOMPARE(doc.value("grants").toObject().value("network").toBool(), false);
    QVERIFY(QDateTime::fromString(doc.value("started_at").toString(), Qt::ISODateWithMs).isValid());
}

void TestHistoryStore::recorderRecordsStartAndFinish()
{
    HistoryStore store(path());
    HistoryRecorder recorder(&store);
    QSignalSpy started(&recorder, &HistoryRecorder::recordStarted);
    QSignalSpy finished(&recorder, &HistoryRecorder::recordFinished);
    QSignalSpy problems(&recorder, &HistoryRecorder::problem);
    FakeRun run(specFor("print('x')"));
    recorder.record(&run, QStringLiteral("docker"), "from an answer");
    QCOMPARE(started.size(), 1);
    const qint64 id = started.first().first().toLongLong();
    QCOMPARE(store.get(id)->state, HistoryState::Running);  // written before any output
    emit run.output(Run::Stream::Stdout, "one ");
    emit run.output(Run::Stream::Stderr, "err");
    emit run.output(Run::Stream::Stdout, "two");
    run.end(resultWith(Verdict::Ok));
    QCOMPARE(finished.size(), 1);
    const HistoryRecord r = *store.get(id);
    QCOMPARE(r.state, HistoryState::Finished);
    QCOMPARE(r.output.stdoutBytes, QByteArray("one two"));
    QCOMPARE(r.output.stderrBytes, QByteArray("err"));
    QCOMPARE(r.answer, QByteArray("from an answer"));
    QCOMPARE(problems.size(), 0);
}

void TestHistoryStore::recorderReportsAProblemOnce()
{
    QFile junk(path());
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not a database at all, just text that a person keeps here\n");
    junk.close();
    HistoryStore store(path());
    QVERIFY(!store.isEnabled());
    HistoryRecorder recorder(&store);
    QSignalSpy problems(&recorder, &HistoryRecorder::problem);
    for (int i = 0; i < 3; ++i) {
        FakeRun run(specFor("print(1)"));
        recorder.record(&run, QStringLiteral("docker"));
        run.end(resultWith(Verdict::Ok));
        QVERIFY(run.isFinished());  // the run itself is untouched
    }
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.first().first().toString(), store.disabledReason());

    // No store at all (history switched off): silence.
    HistoryRecorder none(nullptr);
    QSignalSpy quiet(&none, &HistoryRecorder::problem);
    FakeRun run(specFor("print(1)"));
    none.record(&run, QStringLiteral("docker"));
    QCOMPARE(quiet.size(), 0);
}

void TestHistoryStore::rerunSpecKeepsTheRunButNotItsGrants()
{
    HistoryStore store(path());
    RunSpec spec = specFor("print(1)\n");
    spec.limits.wallTimeoutMs = 3000;
    spec.limits.memoryBytes = 100LL << 20;
    spec.grants.network = true;
    spec.grants.hostFolder = QStringLiteral("/srv/data");
    spec.env = {{QStringLiteral("KEY"), QStringLiteral("value")}};
    spec.runtime = QStringLiteral("runsc");
    spec.hasStdin = true;
    spec.stdinData = "in";
    const qint64 id = store.begin(spec, QStringLiteral("docker")).value_or(0);
    QString error;
    const std::optional<HistoryRecord> record = HistoryCommand::load(&store, id, &error);
    QVERIFY(record);

    const std::optional<RunSpec> again = HistoryCommand::rerunSpec(*record, RunOptions{}, &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(again->files.first().content, QByteArray("print(1)\n"));
    QCOMPARE(again->files.first().relativePath, QStringLiteral("main.py"));
    QCOMPARE(again->language, QStringLiteral("python"));
    QCOMPARE(again->image, spec.image);
    QCOMPARE(again->runtime, QStringLiteral("runsc"));
    QCOMPARE(again->limits.wallTimeoutMs, 3000);
    QCOMPARE(again->limits.memoryBytes, 100LL << 20);
    QCOMPARE(again->stdinData, QByteArray("in"));
    QVERIFY(again->hasStdin);
    QCOMPARE(again->grants.network, false);
    QVERIFY(again->grants.hostFolder.isEmpty());
    QVERIFY(again->env.isEmpty());

    RunOptions granted;
    granted.allowNetwork = true;
    granted.mountDir = m_dir->path();
    granted.env = {{QStringLiteral("KEY"), QStringLiteral("typed again")}};
    const std::optional<RunSpec> withGrants = HistoryCommand::rerunSpec(*record, granted, &error);
    QVERIFY(withGrants);
    QCOMPARE(withGrants->grants.network, true);
    QCOMPARE(withGrants->grants.hostFolder, m_dir->path());
    QCOMPARE(withGrants->env.size(), 1);

    QVERIFY(!HistoryCommand::load(&store, id + 100, &error));
    QVERIFY2(error.contains(QStringLiteral("no run #%1").arg(id + 100)), qPrintable(error));
    // A hand-edited record with impossible limits is refused, not run.
    HistoryRecord edited = *record;
    edited.limits.memoryBytes = 1;
    QVERIFY(!HistoryCommand::rerunSpec(edited, RunOptions{}, &error));
    QVERIFY2(error.contains(QStringLiteral("limits")), qPrintable(error));
}

void TestHistoryStore::reviewRunKeepsItsChangesAndTheDecision()
{
    RunSpec spec = specFor("open('host/a.txt','w').write('new')");
    spec.grants.hostFolder = QStringLiteral("/home/someone/project");
    spec.grants.hostFolderMode = Grants::HostFolderMode::Review;
    RunResult result = resultWith(Verdict::Ok);
    ChangeSet& set = result.hostChanges;
    set.folder = spec.grants.hostFolder;
    FileChange modified;
    modified.kind = ChangeKind::Modified;
    modified.path = QStringLiteral("a.txt");
    modified.oldSize = 3;
    modified.newSize = 3;
    modified.newBytes = "new";
    modified.text = true;
    modified.diff = QStringLiteral("@@ -1 +1 @@\n-old\n+new\n");
    modified.linesAdded = modified.linesRemoved = 1;
    FileChange added;
    added.kind = ChangeKind::Added;
    added.path = QStringLiteral("sub/b.bin");
    added.newSize = 2;
    added.newBytes = QByteArray("\0\1", 2);
    FileChange deleted;
    deleted.kind = ChangeKind::Deleted;
    deleted.path = QStringLiteral("old/c.txt");
    deleted.oldSize = 1;
    deleted.text = true;
    deleted.diff = QStringLiteral("@@ -1 +0,0 @@\n-c\n");
    set.changes = {modified, deleted, added};
    set.refused = {{QStringLiteral("link"),
                    QStringLiteral("It is a symbolic link (to \"/etc/shadow\"); links are never followed.")}};
    set.removedFolders = {QStringLiteral("old")};

    qint64 id = 0;
    {
        HistoryStore store(path());
        id = store.begin(spec, QStringLiteral("docker")).value_or(0);
        QVERIFY2(id > 0, qPrintable(store.error()));
        QVERIFY(store.finish(id, result, {}));
        const QJsonObject pending = QJsonDocument::fromJson(store.get(id)->hostChangesJson).object();
        QCOMPARE(pending.value(QLatin1String("decided")).toBool(true), false);
        QCOMPARE(pending.value(QLatin1String("changes")).toArray().size(), 3);
        for (const QJsonValue& c : pending.value(QLatin1String("changes")).toArray())
            QCOMPARE(c.toObject().value(QLatin1String("decision")).toString(), QStringLiteral("pending"));

        // The person accepts the edit and the deletion (refused: the host file changed), rejects the addition.
        ChangeDecision decision;
        decision.decided = true;
        decision.outcomes = {
            {QStringLiteral("a.txt"), ChangeKind::Modified, {}, false},
            {QStringLiteral("old/c.txt"), ChangeKind::Deleted,
             QStringLiteral("old/c.txt changed on the host since it was copied into the sandbox, so it "
                            "was not deleted."),
             false}};
        QVERIFY2(store.recordChanges(id, set, decision), qPrintable(store.error()));
        QVERIFY(!store.recordChanges(id + 1000, set, decision));
        QVERIFY(store.error().contains(QLatin1String("no longer in the history")));
    }
    HistoryStore reopened(path());
    const std::optional<HistoryRecord> record = reopened.get(id);
    QVERIFY(record);
    QCOMPARE(record->grants.hostFolderMode, Grants::HostFolderMode::Review);
    QCOMPARE(record->grants.hostFolder, QStringLiteral("/home/someone/project"));
    const QJsonObject doc = QJsonDocument::fromJson(record->toJson()).object();
    QCOMPARE(doc.value(QLatin1String("grants")).toObject().value(QLatin1String("host_folder_mode")).toString(),
             QStringLiteral("review"));
    const QJsonObject changes = doc.value(QLatin1String("host_changes")).toObject();
    QCOMPARE(changes.value(QLatin1String("decided")).toBool(), true);
    QCOMPARE(changes.value(QLatin1String("folder")).toString(), QStringLiteral("/home/someone/project"));
    QStringList decisions;
    for (const QJsonValue& c : changes.value(QLatin1String("changes")).toArray())
        decisions << c.toObject().value(QLatin1String("path")).toString() + QLatin1Char('=') +
                         c.toObject().value(QLatin1String("decision")).toString();
    QCOMPARE(decisions, (QStringList{"a.txt=applied", "old/c.txt=refused", "sub/b.bin=rejected"}));
    // Never the new bytes; the diff of text files, null for binary ones.
    QVERIFY(!record->hostChangesJson.contains("\"new\""));
    QCOMPARE(changes.value(QLatin1String("changes")).toArray().at(0).toObject().value(QLatin1String("diff")).toString(),
             modified.diff);
    QVERIFY(changes.value(QLatin1String("changes")).toArray().at(2).toObject().value(QLatin1String("diff")).isNull());
    QCOMPARE(changes.value(QLatin1String("refused")).toArray().size(), 1);

    // The text form says the same, with the diffs.
    const QString text = QString::fromUtf8(HistoryCommand::details(*record, false));
    QVERIFY2(text.contains(QLatin1String("folder /home/someone/project (copied for review)")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("modified a.txt: applied")), qPrintable(text));
    QVERIFY(text.contains(QLatin1String("deleted  old/c.txt: refused (old/c.txt changed on the host")));
    QVERIFY(text.contains(QLatin1String("added    sub/b.bin: rejected")));
    QVERIFY(text.contains(QLatin1String("refused  link: It is a symbolic link")));
    QVERIFY(text.contains(QLatin1String("--- diff a.txt ---\n@@ -1 +1 @@\n-old\n+new\n")));
}

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "tst_historystore.moc"
