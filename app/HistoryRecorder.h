#pragma once

#include "ChangeSetJson.h"
#include "HistoryStore.h"

#include <QObject>

namespace cc {

class Run;

/// Records runs into the history for a front end (the command line's RunCommand, the window's
/// RunSession): a `running` record as soon as a run starts, completed with its result and output
/// when it finishes. A history failure never touches the run; it is reported once, through
/// problem(), however many runs it affects. Lives in the thread of the runs it records.
class HistoryRecorder : public QObject
{
    Q_OBJECT
public:
    /// store may be nullptr: nothing is recorded and nothing reported (history switched off).
    explicit HistoryRecorder(HistoryStore* store, QObject* parent = nullptr);

    HistoryStore* store() const { return m_store; }
    /// Starts recording run; call right after Backend::start(), before the event loop runs again.
    /// backend is the backend's name; answer the AI answer the code came from, if any.
    void record(Run* run, const QString& backend, const QByteArray& answer = {});

    /// Keeps what became of a review run's changes with its record (id from recordStarted()).
    void recordChanges(qint64 id, const ChangeSet& changes, const ChangeDecision& decision);

signals:
    /// A sentence saying why runs are not (fully) recorded; emitted at most once per recorder.
    void problem(const QString& sentence);
    /// The record exists (state `running`).
    void recordStarted(qint64 id);
    /// The record is complete.
    void recordFinished(qint64 id);

private:
    void report(const QString& sentence);

    HistoryStore* m_store;
    bool m_reported = false;
};

} // namespace cc
