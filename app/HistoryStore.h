#pragma once

#include "ChangeSetJson.h"
#include "HistoryRecord.h"
#include "RunResult.h"
#include "RunSpec.h"

#include <QList>
#include <QString>
#include <optional>

class QSqlError;

namespace cc {

/// The run history: one SQLite file (Qt's QSQLITE driver, WAL mode) shared by the app and the
/// command line, at $XDG_DATA_HOME/codecourier/history.sqlite (GenericDataLocation, so that the
/// window and `codecourier run` see the same runs whatever the application name).
///
/// A record is written when a run starts (state `running`, with this process's owner tag) and
/// completed when it ends; opening the store turns `running` records whose process is dead into
/// `interrupted`. The schema is versioned with PRAGMA user_version and migrated forwards.
///
/// The store never deletes, rewrites or "repairs" a file it cannot use: a corrupt, locked,
/// foreign or newer file disables history for this session with a sentence (disabledReason()),
/// and the runs themselves go on. Every value is bound, never spliced into SQL. Not thread-safe:
/// use it from the thread that created it.
class HistoryStore
{
public:
    /// The schema this build writes; files with a higher user_version are left alone.
    static constexpr int kSchemaVersion = 3;
    /// How long a write waits for another process's lock before giving up.
    static constexpr int kDefaultBusyTimeoutMs = 3000;

    /// $XDG_DATA_HOME/codecourier/history.sqlite (~/.local/share/... by default).
    static QString defaultPath();
    /// $CODECOURIER_HISTORY when set and not empty, else defaultPath().
    static QString pathFromEnvironment();

    /// Opens (creating or migrating) the file at path. Never fails loudly: check isEnabled().
    explicit HistoryStore(const QString& path, int busyTimeoutMs = kDefaultBusyTimeoutMs);
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    QString path() const { return m_path; }
    bool isEnabled() const { return m_enabled; }
    /// Why history is off for this session, as a sentence saying what to do; empty when on.
    QString disabledReason() const { return m_disabledReason; }
    /// How many records opening the store found abandoned and marked `interrupted`.
    int interruptedAtOpen() const { return m_interruptedAtOpen; }
    /// The last operation's error sentence; empty after a success.
    QString error() const { return m_error; }

    /// Writes a `running` record for spec (its entry file is the code); returns its id, or
    /// std::nullopt with error() set.
    std::optional<qint64> begin(const RunSpec& spec, const QString& backend, const QByteArray& answer = {});
    /// Completes a record with the engine's result and the output (clipped to HistoryOutput::kCapBytes).
    bool finish(qint64 id, const RunResult& result, const HistoryOutput& output);
    /// Records what became of a review run's changes (which were applied, refused or rejected).
    bool recordChanges(qint64 id, const ChangeSet& changes, const ChangeDecision& decision);

    /// Newest first. Records carry at most their code's first 4 KiB and no output, answer or stdin.
    QList<HistoryRecord> list(const HistoryFilter& filter = {});
    /// Everything about one run; std::nullopt when there is no such id (error() empty) or on error.
    std::optional<HistoryRecord> get(qint64 id);
    /// Deletes one run's record; false when there was none or on error.
    bool remove(qint64 id);

    /// Marks `running` records whose owner process is dead as `interrupted`; returns how many.
    /// Done at open; callable again (the panel refreshes with it).
    int reclaimAbandoned();

private:
    bool open();
    /// A sentence for a failed statement, naming the file; classifies busy and corrupt errors.
    QString sentenceFor(const QSqlError& error, const QString& doing) const;
    bool disable(const QString& reason);
    bool migrate(int fromVersion);
    bool exec(const QString& sql, const QString& doing);

    QString m_path;
    QString m_connection;
    int m_busyTimeoutMs = kDefaultBusyTimeoutMs;
    bool m_enabled = false;
    QString m_disabledReason;
    QString m_error;
    int m_interruptedAtOpen = 0;
};

} // namespace cc
