#pragma once

#include "ArtifactWriter.h"
#include "ChangeSetJson.h"
#include "CommandLine.h"
#include "RunResult.h"
#include "TerminalSanitizer.h"

#include <QByteArray>
#include <QObject>
#include <functional>
#include <memory>
#include <optional>

namespace cc {

class Backend;
class HistoryRecorder;
class Run;
class Settings;

/// `codecourier run`: turns the options into a RunSpec, runs it on a backend, streams its
/// output to this process's stdout and stderr (or collects it for --json) and ends with the
/// exit status the help text promises.
class RunCommand : public QObject
{
    Q_OBJECT
public:
    /// What became of one collected artifact with --artifacts: where it went, or why it did not.
    struct Saved
    {
        QString savedTo;
        QString error;
    };

    RunCommand(const RunOptions& options, const Settings& settings, Backend* backend, QObject* parent = nullptr);

    /// Records every run from now on (nullptr: none).
    void setHistory(HistoryRecorder* history) { m_history = history; }
    /// Starts; done(exitStatus) is called once, when the run ended and its sandbox is gone.
    void start(std::function<void(int exitStatus)> done);
    /// Starts a spec that is already complete (a re-run from the history) instead of building one
    /// from the options; the options still choose the output form (--json, --raw).
    void startSpec(const RunSpec& spec, std::function<void(int exitStatus)> done);
    /// Stops the run (Ctrl+C); it ends as `cancelled`.
    void interrupt();

    /// The process exit status for a result: the program's own, 124, 137, 141, 130 or 125.
    static int exitStatusFor(const RunResult& result);
    /// The one-line summary printed to stderr.
    static QString summaryLine(const RunResult& result);
    /// The --json document. saved: one entry per result.artifacts when --artifacts was given, else empty.
    /// decision: what --apply did with result.hostChanges (undecided without --apply).
    static QByteArray jsonDocument(const RunResult& result, const QString& language, const QByteArray& out,
                                   const QByteArray& err, const QList<Saved>& saved = {},
                                   const ChangeDecision& decision = {});
    /// The lines about artifacts printed to stderr after a run (none when there are none).
    static QString artifactLines(const RunResult& result, const QList<Saved>& saved, bool saving);
    /// The lines about a review run's changes printed to stderr (none for other runs): one per
    /// change (with its diff when withDiff), the refusals, and what was or was not written.
    static QString changeLines(const ChangeSet& changes, const ChangeDecision& decision, bool withDiff);

private:
    void fail(const QString& sentence);
    QList<Saved> saveArtifacts(const RunResult& result);

    RunOptions m_options;
    const Settings& m_settings;
    Backend* m_backend;
    HistoryRecorder* m_history = nullptr;
    std::optional<qint64> m_recordId; ///< the run's history record, once it has one
    Run* m_run = nullptr;
    // Only when the stream is a terminal and --raw was not given.
    std::optional<TerminalSanitizer> m_sanitizers[2];
    QByteArray m_stdout;
    QByteArray m_stderr;
    std::function<void(int)> m_done;
    std::unique_ptr<ArtifactWriter> m_writer;   // with --artifacts, opened before the run starts
};

/// Writes all of bytes to a file descriptor, retrying short writes and EINTR.
void writeFully(int fd, const QByteArray& bytes);

} // namespace cc
