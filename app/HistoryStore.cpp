#include "HistoryStore.h"

#include "ChangeSetJson.h"
#include "ProcessOwner.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QStandardPaths>
#include <QUuid>
#include <QtEndian>

namespace cc {

namespace {

// The schema, one list of statements per version. A released version's list is frozen: a change
// is a new version with ALTERs, so that every older file can be brought forward.
const char* const kSchemaV1[] = {
    "CREATE TABLE runs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " state TEXT NOT NULL,"                 // running | finished | interrupted
    " owner TEXT NOT NULL,"                 // ProcessOwner::tag() of the process running it
    " started_ms INTEGER NOT NULL,"         // ms since the epoch, UTC
    " ended_ms INTEGER,"
    " language TEXT NOT NULL,"
    " backend TEXT NOT NULL,"
    " image TEXT NOT NULL,"
    " code BLOB NOT NULL,"
    " answer BLOB NOT NULL,"
    " wall_timeout_ms INTEGER NOT NULL,"
    " memory_bytes INTEGER NOT NULL,"
    " cpus REAL NOT NULL,"
    " pids INTEGER NOT NULL,"
    " output_limit_bytes INTEGER NOT NULL,"
    " grant_network INTEGER NOT NULL,"
    " grant_folder TEXT NOT NULL,"
    " verdict TEXT,"                        // the engine's verdict name, once finished
    " message TEXT,"
    " exit_code INTEGER,"
    " signal INTEGER,"
    " wall_ms INTEGER,"
    " cpu_ms INTEGER,"
    " peak_memory_bytes INTEGER,"
    " stdout BLOB,"
    " stderr BLOB,"
    " output_total_bytes INTEGER)",
    "CREATE INDEX runs_by_start ON runs (started_ms)",
};

// v2: what a re-run needs to be the same run (runtime, stdin, file and tmpfs limits), the rest
// of the result, and the artifacts list. v1 rows read these as the defaults.
const char* const kSchemaV2[] = {
    "ALTER TABLE runs ADD COLUMN runtime TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE runs ADD COLUMN file_size_bytes INTEGER",
    "ALTER TABLE runs ADD COLUMN tmpfs_bytes INTEGER",
    "ALTER TABLE runs ADD COLUMN stdin BLOB",
    "ALTER TABLE runs ADD COLUMN env_names TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE runs ADD COLUMN peak_memory_is_sample INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE runs ADD COLUMN sandbox_id TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE runs ADD COLUMN artifacts TEXT NOT NULL DEFAULT '[]'",
};

// v3: review runs. The folder grant's mode, and the change set the run brought back with what the
// person decided about each change (ChangeSetJson); NULL for every other run.
const char* const kSchemaV3[] = {
    "ALTER TABLE runs ADD COLUMN grant_folder_mode TEXT NOT NULL DEFAULT 'read-only'",
    "ALTER TABLE runs ADD COLUMN host_changes TEXT",
};

// SQLite's primary result codes (sqlite3.h); Qt reports them as the native error code.
constexpr int kSqliteBusy = 5;
constexpr int kSqliteLocked = 6;
constexpr int kSqliteCorrupt = 11;
constexpr int kSqliteNotADatabase = 26;

/// Qt binds a null QByteArray or QString as SQL NULL; the NOT NULL columns want empty values.
QVariant blob(const QByteArray& bytes)
{
    return bytes.isNull() ? QVariant(QByteArray("")) : QVariant(bytes);
}

QVariant text(const QString& value)
{
    return value.isNull() ? QVariant(QString::fromLatin1("")) : QVariant(value);
}

QVariant intOrNull(qint64 value)
{
    return value < 0 ? QVariant() : QVariant(value);
}

/// SQLite's own sanity rules for the first 100 bytes, checked before SQLite sees the file, so that
/// a truncated or foreign file is refused before anything could write to it. Empty when it looks
/// like a database (or there is no file yet, or it is empty: SQLite starts those afresh).
QString headerProblem(const QString& path)
{
    QFile file(path);
    if (!file.exists() || file.size() == 0)
        return {};
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("it cannot be read: %1").arg(file.errorString());
    const QByteArray header = file.read(100);
    if (header.size() < 100 || !header.startsWith(QByteArrayLiteral("SQLite format 3\0")))
        return QStringLiteral("it does not start with an SQLite header");
    const auto* bytes = reinterpret_cast<const uchar*>(header.constData());
    const quint32 rawPageSize = qFromBigEndian<quint16>(bytes + 16);
    const quint32 pageSize = rawPageSize == 1 ? 65536 : rawPageSize;
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) != 0)
        return QStringLiteral("its header names an impossible page size");
    if (file.size() % pageSize != 0)
        return QStringLiteral("it ends in the middle of a page (truncated)");
    // The page count in the header is valid only when the change counters agree (SQLite's rule).
    const quint32 pages = qFromBigEndian<quint32>(bytes + 28);
    if (qFromBigEndian<quint32>(bytes + 24) == qFromBigEndian<quint32>(bytes + 92) && pages > 0
        && qint64(pages) * pageSize > file.size())
        return QStringLiteral("it is shorter than its header says (truncated)");
    return {};
}

QStringList jsonStrings(const QString& json)
{
    QStringList out;
    for (const QJsonValue& v : QJsonDocument::fromJson(json.toUtf8()).array())
        if (v.isString())
            out << v.toString();
    return out;
}

/// Fills a record from whichever columns the query selected.
HistoryRecord recordFrom(const QSqlQuery& q)
{
    const QSqlRecord columns = q.record();
    auto has = [&](const char* name) { return columns.indexOf(QLatin1String(name)) >= 0; };
    // A column the query did not select (list() leaves out the big ones) reads as NULL.
    auto value = [&](const char* name) { return has(name) ? q.value(QLatin1String(name)) : QVariant(); };
    auto number = [&](const char* name, qint64 fallback) {
        const QVariant v = value(name);
        return v.isNull() ? fallback : v.toLongLong();
    };
    HistoryRecord r;
    const Limits defaults;
    r.id = number("id", 0);
    r.state = historyStateFromName(value("state").toString()).value_or(HistoryState::Interrupted);
    r.owner = value("owner").toString();
    r.startedAt = QDateTime::fromMSecsSinceEpoch(number("started_ms", 0), Qt::UTC);
    if (const qint64 ended = number("ended_ms", -1); ended >= 0)
        r.endedAt = QDateTime::fromMSecsSinceEpoch(ended, Qt::UTC);
    r.language = value("language").toString();
    r.backend = value("backend").toString();
    r.image = value("image").toString();
    r.runtime = value("runtime").toString();
    r.code = value("code").toByteArray();
    r.answer = value("answer").toByteArray();
    r.hasStdin = !value("stdin").isNull();
    r.stdinData = r.hasStdin ? value("stdin").toByteArray() : QByteArray();
    r.limits.wallTimeoutMs = int(number("wall_timeout_ms", defaults.wallTimeoutMs));
    r.limits.memoryBytes = number("memory_bytes", defaults.memoryBytes);
    r.limits.cpus = value("cpus").isNull() ? defaults.cpus : value("cpus").toDouble();
    r.limits.pids = int(number("pids", defaults.pids));
    r.limits.outputBytes = number("output_limit_bytes", defaults.outputBytes);
    r.limits.fileSizeBytes = number("file_size_bytes", defaults.fileSizeBytes);
    r.limits.tmpfsBytes = number("tmpfs_bytes", defaults.tmpfsBytes);
    r.grants.network = number("grant_network", 0) != 0;
    r.grants.hostFolder = value("grant_folder").toString();
    r.grants.hostFolderMode = value("grant_folder_mode").toString() == QLatin1String("review")
                                  ? Grants::HostFolderMode::Review
                                  : Grants::HostFolderMode::ReadOnly;
    if (!value("host_changes").isNull())
        r.hostChangesJson = value("host_changes").toByteArray();
    r.envNames = jsonStrings(value("env_names").toString());
    if (r.state == HistoryState::Finished)
        r.verdict = value("verdict").toString();
    r.message = value("message").toString();
    r.exitCode = int(number("exit_code", -1));
    r.signal = int(number("signal", 0));
    r.wallMs = number("wall_ms", -1);
    r.cpuMs = number("cpu_ms", -1);
    r.peakMemoryBytes = number("peak_memory_bytes", -1);
    r.peakMemoryIsSample = number("peak_memory_is_sample", 0) != 0;
    r.sandboxId = value("sandbox_id").toString();
    r.output.stdoutBytes = value("stdout").toByteArray();
    r.output.stderrBytes = value("stderr").toByteArray();
    r.output.totalBytes = number("output_total_bytes", r.output.stdoutBytes.size() + r.output.stderrBytes.size());
    if (!value("artifacts").isNull())
        r.artifactsJson = value("artifacts").toByteArray();
    return r;
}

} // namespace

QString HistoryStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
         + QStringLiteral("/codecourier/history.sqlite");
}

QString HistoryStore::pathFromEnvironment()
{
    const QString fromEnv = qEnvironmentVariable("CODECOURIER_HISTORY");
    return fromEnv.isEmpty() ? defaultPath() : fromEnv;
}

HistoryStore::HistoryStore(const QString& path, int busyTimeoutMs)
    : m_path(path), m_connection(QStringLiteral("codecourier-history-") + QUuid::createUuid().toString(QUuid::Id128)),
      m_busyTimeoutMs(busyTimeoutMs)
{
    open();
}

HistoryStore::~HistoryStore()
{
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

bool HistoryStore::disable(const QString& reason)
{
    m_enabled = false;
    m_disabledReason = reason;
    m_error = reason;
    return false;
}

QString HistoryStore::sentenceFor(const QSqlError& error, const QString& doing) const
{
    const int code = error.nativeErrorCode().toInt() & 0xff;
    if (code == kSqliteBusy || code == kSqliteLocked)
        return QStringLiteral("The history file %1 is locked by another program (waited %2 s to %3). Close the "
                              "program holding it, or point CODECOURIER_HISTORY at another file.")
            .arg(m_path, QString::number(m_busyTimeoutMs / 1000.0, 'g', 3), doing);
    if (code == kSqliteCorrupt || code == kSqliteNotADatabase)
        return QStringLiteral("The history file %1 is damaged or not an SQLite database (%2). It was left "
                              "untouched: move it aside to start a new history.")
            .arg(m_path, error.databaseText());
    const QString detail = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    return QStringLiteral("Could not %1 the history file %2: %3. Check the folder's permissions and free space.")
        .arg(doing, m_path, detail);
}

bool HistoryStore::exec(const QString& sql, const QString& doing)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (q.exec(sql))
        return true;
    m_error = sentenceFor(q.lastError(), doing);
    return false;
}

bool HistoryStore::open()
{
    const QString off = QStringLiteral(" History is off for this session; runs go on unrecorded.");
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return disable(QStringLiteral("Qt's SQLite driver (QSQLITE) is not installed: install libqt6sql6-sqlite.") + off);
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath()))
        return disable(QStringLiteral("Could not create the folder %1 for the history file.").arg(info.absolutePath())
                       + off);
    if (const QString problem = headerProblem(m_path); !problem.isEmpty())
        return disable(QStringLiteral("The history file %1 is damaged or not an SQLite database (%2). It was left "
                                      "untouched: move it aside to start a new history.")
                           .arg(m_path, problem)
                       + off);

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(m_busyTimeoutMs));
    if (!db.open())
        return disable(sentenceFor(db.lastError(), QStringLiteral("open")) + off);

    // Read before any write: a file this build cannot use must come out byte for byte as it was.
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return disable(sentenceFor(q.lastError(), QStringLiteral("read")) + off);
    const int version = q.value(0).toInt();
    if (version > kSchemaVersion)
        return disable(QStringLiteral("The history file %1 was written by a newer CodeCourier (schema %2; this one "
                                      "knows up to %3). It was left untouched: update CodeCourier, or point "
                                      "CODECOURIER_HISTORY at another file.")
                           .arg(m_path)
                           .arg(version)
                           .arg(kSchemaVersion)
                       + off);
    if (!q.exec(QStringLiteral("SELECT count(*), count(CASE WHEN name = 'runs' THEN 1 END) FROM sqlite_master")) || !q.next())
        return disable(sentenceFor(q.lastError(), QStringLiteral("read")) + off);
    const int objects = q.value(0).toInt();
    const bool hasRuns = q.value(1).toInt() > 0;
    if ((version == 0 && objects > 0) || (version > 0 && !hasRuns))
        return disable(QStringLiteral("The file %1 is an SQLite database of another program. It was left untouched: "
                                      "point CODECOURIER_HISTORY or --history-file at another path.")
                           .arg(m_path)
                       + off);
    q.finish();

    // WAL: the window and command-line runs write at the same time without blocking readers.
    if (!exec(QStringLiteral("PRAGMA journal_mode=WAL"), QStringLiteral("open")))
        return disable(m_error + off);
    if (version < kSchemaVersion && !migrate(version))
        return disable(m_error + off);
    m_enabled = true;
    const int reclaimed = reclaimAbandoned();
    if (reclaimed < 0)
        return disable(m_error + off);
    m_interruptedAtOpen = reclaimed;
    m_error.clear();
    return true;
}

bool HistoryStore::migrate(int fromVersion)
{
    // IMMEDIATE takes the write lock first: two processes opening a new file at once migrate it once.
    if (!exec(QStringLiteral("BEGIN IMMEDIATE"), QStringLiteral("update")))
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    int version = fromVersion;
    if (q.exec(QStringLiteral("PRAGMA user_version")) && q.next())
        version = q.value(0).toInt();
    q.finish();
    bool ok = true;
    auto apply = [&](const auto& statements) {
        for (const char* sql : statements)
            ok = ok && exec(QString::fromLatin1(sql), QStringLiteral("update"));
    };
    if (version < 1)
        apply(kSchemaV1);
    if (version < 2)
        apply(kSchemaV2);
    if (version < 3)
        apply(kSchemaV3);
    if (ok && version < kSchemaVersion)
        ok = exec(QStringLiteral("PRAGMA user_version = %1").arg(kSchemaVersion), QStringLiteral("update"));
    if (ok && exec(QStringLiteral("COMMIT"), QStringLiteral("update")))
        return true;
    const QString error = m_error;
    exec(QStringLiteral("ROLLBACK"), QStringLiteral("update"));
    m_error = error;
    return false;
}

int HistoryStore::reclaimAbandoned()
{
    if (!m_enabled)
        return 0;
    if (!exec(QStringLiteral("BEGIN IMMEDIATE"), QStringLiteral("open")))
        return -1;
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery select(db);
    QList<qint64> abandoned;
    bool ok = select.exec(QStringLiteral("SELECT id, owner FROM runs WHERE state = 'running'"));
    while (ok && select.next())
        if (!ProcessOwner::alive(select.value(1).toString()))
            abandoned << select.value(0).toLongLong();
    if (!ok)
        m_error = sentenceFor(select.lastError(), QStringLiteral("read"));
    select.finish();
    QSqlQuery update(db);
    update.prepare(QStringLiteral("UPDATE runs SET state = 'interrupted' WHERE id = :id AND state = 'running'"));
    for (qint64 id : std::as_const(abandoned)) {
        update.bindValue(QStringLiteral(":id"), id);
        if (ok && !update.exec()) {
            ok = false;
            m_error = sentenceFor(update.lastError(), QStringLiteral("update"));
        }
    }
    if (ok && exec(QStringLiteral("COMMIT"), QStringLiteral("update")))
        return int(abandoned.size());
    const QString error = m_error;
    exec(QStringLiteral("ROLLBACK"), QStringLiteral("update"));
    m_error = error;
    return -1;
}

std::optional<qint64> HistoryStore::begin(const RunSpec& spec, const QString& backend, const QByteArray& answer)
{
    if (!m_enabled) {
        m_error = m_disabledReason;
        return std::nullopt;
    }
    QJsonArray envNames;
    for (const auto& [name, value] : spec.env)
        envNames.append(name);  // values stay out: a typed token is still a token
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral(
        "INSERT INTO runs (state, owner, started_ms, language, backend, image, runtime, code, answer, stdin,"
        " wall_timeout_ms, memory_bytes, cpus, pids, output_limit_bytes, file_size_bytes, tmpfs_bytes,"
        " grant_network, grant_folder, grant_folder_mode, env_names, artifacts)"
        " VALUES ('running', :owner, :started, :language, :backend, :image, :runtime, :code, :answer, :stdin,"
        " :wall, :memory, :cpus, :pids, :output, :fsize, :tmpfs, :network, :folder, :mode, :env, '[]')"));
    q.bindValue(QStringLiteral(":owner"), ProcessOwner::tag());
    q.bindValue(QStringLiteral(":started"), QDateTime::currentMSecsSinceEpoch());
    q.bindValue(QStringLiteral(":language"), text(spec.language));
    q.bindValue(QStringLiteral(":backend"), text(backend));
    q.bindValue(QStringLiteral(":image"), text(spec.image));
    q.bindValue(QStringLiteral(":runtime"), text(spec.runtime));
    q.bindValue(QStringLiteral(":code"), blob(spec.files.isEmpty() ? QByteArray() : spec.files.first().content));
    q.bindValue(QStringLiteral(":answer"), blob(answer));
    q.bindValue(QStringLiteral(":stdin"), spec.hasStdin ? blob(spec.stdinData) : QVariant());
    q.bindValue(QStringLiteral(":wall"), spec.limits.wallTimeoutMs);
    q.bindValue(QStringLiteral(":memory"), spec.limits.memoryBytes);
    q.bindValue(QStringLiteral(":cpus"), spec.limits.cpus);
    q.bindValue(QStringLiteral(":pids"), spec.limits.pids);
    q.bindValue(QStringLiteral(":output"), spec.limits.outputBytes);
    q.bindValue(QStringLiteral(":fsize"), spec.limits.fileSizeBytes);
    q.bindValue(QStringLiteral(":tmpfs"), spec.limits.tmpfsBytes);
    q.bindValue(QStringLiteral(":network"), spec.grants.network ? 1 : 0);
    q.bindValue(QStringLiteral(":folder"), text(spec.grants.hostFolder));
    q.bindValue(QStringLiteral(":mode"), spec.grants.hostFolderMode == Grants::HostFolderMode::Review
                                             ? QStringLiteral("review")
                                             : QStringLiteral("read-only"));
    q.bindValue(QStringLiteral(":env"), QString::fromUtf8(QJsonDocument(envNames).toJson(QJsonDocument::Compact)));
    if (!q.exec()) {
        m_error = sentenceFor(q.lastError(), QStringLiteral("record a run in"));
        return std::nullopt;
    }
    m_error.clear();
    return q.lastInsertId().toLongLong();
}

namespace {

// What the run left in /workspace/out, for the record: names, sizes and types, never the bytes
// (they can be megabytes; the person saves what they want from the run itself).
QString artifactsJson(const RunResult& result)
{
    QJsonArray list;
    for (const Artifact& a : result.artifacts)
        list.append(QJsonObject{{QStringLiteral("path"), a.path},
                                {QStringLiteral("size"), a.size},
                                {QStringLiteral("type"), artifactTypeName(a.type)}});
    return QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact));
}

} // namespace

bool HistoryStore::finish(qint64 id, const RunResult& result, const HistoryOutput& output)
{
    if (!m_enabled) {
        m_error = m_disabledReason;
        return false;
    }
    const QByteArray out = output.stdoutBytes.left(HistoryOutput::kCapBytes);
    const QByteArray err = output.stderrBytes.left(HistoryOutput::kCapBytes - out.size());
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral(
        "UPDATE runs SET state = 'finished', ended_ms = :ended, verdict = :verdict, message = :message,"
        " exit_code = :exit, signal = :signal, wall_ms = :wall, cpu_ms = :cpu, peak_memory_bytes = :peak,"
        " peak_memory_is_sample = :sample, sandbox_id = :sandbox, stdout = :out, stderr = :err,"
        " output_total_bytes = :total, artifacts = :artifacts,"
        // A decision recorded before the run's end reached the history is not undone.
        " host_changes = COALESCE(host_changes, :changes) WHERE id = :id"));
    q.bindValue(QStringLiteral(":ended"), QDateTime::currentMSecsSinceEpoch());
    q.bindValue(QStringLiteral(":verdict"), verdictName(result.verdict));
    q.bindValue(QStringLiteral(":message"), text(result.message));
    q.bindValue(QStringLiteral(":exit"), intOrNull(result.exitCode));
    q.bindValue(QStringLiteral(":signal"), result.signal);
    q.bindValue(QStringLiteral(":wall"), result.wallMs);
    q.bindValue(QStringLiteral(":cpu"), intOrNull(result.cpuMs));
    q.bindValue(QStringLiteral(":peak"), intOrNull(result.peakMemoryBytes));
    q.bindValue(QStringLiteral(":sample"), result.peakMemoryIsSample ? 1 : 0);
    q.bindValue(QStringLiteral(":sandbox"), text(result.sandboxId));
    q.bindValue(QStringLiteral(":out"), blob(out));
    q.bindValue(QStringLiteral(":err"), blob(err));
    q.bindValue(QStringLiteral(":total"), std::max(output.totalBytes, qint64(out.size() + err.size())));
    q.bindValue(QStringLiteral(":artifacts"), artifactsJson(result));
    q.bindValue(QStringLiteral(":changes"),
                result.hostChanges.folder.isEmpty()
                    ? QVariant()
                    : QVariant(QString::fromUtf8(changeSetJson(result.hostChanges, {}, kHistoryDiffBytes))));
    q.bindValue(QStringLiteral(":id"), id);
    if (!q.exec()) {
        m_error = sentenceFor(q.lastError(), QStringLiteral("complete a run in"));
        return false;
    }
    if (q.numRowsAffected() == 0) {
        m_error = QStringLiteral("Run #%1 is no longer in the history file %2 (deleted meanwhile): its end was not "
                                 "recorded.")
                      .arg(id)
                      .arg(m_path);
        return false;
    }
    m_error.clear();
    return true;
}

bool HistoryStore::recordChanges(qint64 id, const ChangeSet& changes, const ChangeDecision& decision)
{
    if (!m_enabled) {
        m_error = m_disabledReason;
        return false;
    }
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("UPDATE runs SET host_changes = :changes WHERE id = :id"));
    q.bindValue(QStringLiteral(":changes"), QString::fromUtf8(changeSetJson(changes, decision, kHistoryDiffBytes)));
    q.bindValue(QStringLiteral(":id"), id);
    if (!q.exec()) {
        m_error = sentenceFor(q.lastError(), QStringLiteral("record the review of a run in"));
        return false;
    }
    if (q.numRowsAffected() == 0) {
        m_error = QStringLiteral("Run #%1 is no longer in the history file %2 (deleted meanwhile): what was applied "
                                 "was not recorded.")
                      .arg(id)
                      .arg(m_path);
        return false;
    }
    m_error.clear();
    return true;
}

QList<HistoryRecord> HistoryStore::list(const HistoryFilter& filter)
{
    QList<HistoryRecord> records;
    if (!m_enabled) {
        m_error = m_disabledReason;
        return records;
    }
    QString sql = QStringLiteral(
        "SELECT id, state, owner, started_ms, ended_ms, language, backend, image, runtime,"
        " substr(code, 1, 4096) AS code, wall_timeout_ms, memory_bytes, cpus, pids, output_limit_bytes,"
        " file_size_bytes, tmpfs_bytes, grant_network, grant_folder, env_names, verdict, message, exit_code,"
        " signal, wall_ms, cpu_ms, peak_memory_bytes, peak_memory_is_sample, sandbox_id, output_total_bytes"
        " FROM runs WHERE 1 = 1");
    const QString stateOutcome = historyStateFromName(filter.outcome) ? filter.outcome : QString();
    if (!stateOutcome.isEmpty())
        sql += QStringLiteral(" AND state = :state");
    else if (!filter.outcome.isEmpty())
        sql += QStringLiteral(" AND state = 'finished' AND verdict = :verdict");
    if (!filter.language.isEmpty())
        sql += QStringLiteral(" AND language = :language");
    if (!filter.backend.isEmpty())
        sql += QStringLiteral(" AND backend = :backend");
    if (filter.granted)
        sql += *filter.granted ? QStringLiteral(" AND (grant_network <> 0 OR grant_folder <> '')")
                               : QStringLiteral(" AND grant_network = 0 AND grant_folder = ''");
    if (!filter.text.isEmpty())
        // instr() on BLOBs compares bytes: hostile output with NULs or invalid UTF-8 is searchable too.
        sql += QStringLiteral(" AND (instr(code, :t1) > 0 OR instr(answer, :t2) > 0 OR instr(stdout, :t3) > 0"
                              " OR instr(stderr, :t4) > 0)");
    sql += QStringLiteral(" ORDER BY started_ms DESC, id DESC LIMIT :limit");

    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    q.prepare(sql);
    if (!stateOutcome.isEmpty())
        q.bindValue(QStringLiteral(":state"), stateOutcome);
    else if (!filter.outcome.isEmpty())
        q.bindValue(QStringLiteral(":verdict"), filter.outcome);
    if (!filter.language.isEmpty())
        q.bindValue(QStringLiteral(":language"), filter.language);
    if (!filter.backend.isEmpty())
        q.bindValue(QStringLiteral(":backend"), filter.backend);
    if (!filter.text.isEmpty())
        for (const char* name : {":t1", ":t2", ":t3", ":t4"})
            q.bindValue(QLatin1String(name), filter.text);
    q.bindValue(QStringLiteral(":limit"), filter.limit > 0 ? filter.limit : -1);
    if (!q.exec()) {
        m_error = sentenceFor(q.lastError(), QStringLiteral("read"));
        return records;
    }
    while (q.next())
        records << recordFrom(q);
    m_error.clear();
    return records;
}

std::optional<HistoryRecord> HistoryStore::get(qint64 id)
{
    if (!m_enabled) {
        m_error = m_disabledReason;
        return std::nullopt;
    }
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT * FROM runs WHERE id = :id"));
    q.bindValue(QStringLiteral(":id"), id);
    if (!q.exec()) {
        m_error = sentenceFor(q.lastError(), QStringLiteral("read"));
        return std::nullopt;
    }
    m_error.clear();
    if (!q.next())
        return std::nullopt;
    return recordFrom(q);
}

bool HistoryStore::remove(qint64 id)
{
    if (!m_enabled) {
        m_error = m_disabledReason;
        return false;
    }
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("DELETE FROM runs WHERE id = :id"));
    q.bindValue(QStringLiteral(":id"), id);
    if (!q.exec()) {
        m_error = sentenceFor(q.lastError(), QStringLiteral("delete a run from"));
        return false;
    }
    m_error.clear();
    return q.numRowsAffected() > 0;
}

} // namespace cc
