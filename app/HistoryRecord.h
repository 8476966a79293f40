#pragma once

#include "RunSpec.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace cc {

/// Where a recorded run stands. Separate from the engine's verdict: a run that is still going,
/// or whose process died before the engine could decide, has no verdict at all.
enum class HistoryState {
    Running,       ///< written when the run started; its process is (or was) still running it
    Finished,      ///< the engine delivered a RunResult; the record has a verdict
    Interrupted,   ///< its process died mid-run (crash, SIGKILL, power loss): no verdict
};

/// "running", "finished", "interrupted".
QString historyStateName(HistoryState state);
std::optional<HistoryState> historyStateFromName(const QString& name);

/// A run's output as the history keeps it: the first kCapBytes of stdout and stderr together
/// (two blobs, bytes as they came), and how much there was in all.
struct HistoryOutput
{
    /// 256 KiB per run: enough to read what happened, small enough for thousands of runs.
    static constexpr qint64 kCapBytes = 256 * 1024;

    QByteArray stdoutBytes;
    QByteArray stderrBytes;
    qint64 totalBytes = 0;   ///< everything the run printed, kept or not

    /// Keeps what still fits under cap and counts the rest.
    void append(bool isStderr, const QByteArray& bytes, qint64 cap = kCapBytes);
    bool clipped() const { return totalBytes > stdoutBytes.size() + stderrBytes.size(); }
    /// "[history kept the first 256 KiB of 1.2 MiB of output]", or empty when nothing was cut.
    QString truncationMark() const;
};

/// One run as the history keeps it: what was run, where, with which limits and grants, and
/// (once finished) how it ended. Code, answer, stdin and output are bytes, never re-encoded.
struct HistoryRecord
{
    qint64 id = 0;
    HistoryState state = HistoryState::Running;
    QString owner;                  ///< ProcessOwner::tag() of the process that ran it
    QDateTime startedAt;            ///< UTC
    QDateTime endedAt;              ///< invalid while running and when interrupted

    QString language;
    QString backend;                ///< "docker", "e2b"
    QString image;                  ///< Docker image or E2B template
    QString runtime;                ///< Docker OCI runtime; empty = the engine's default
    QByteArray code;                ///< the entry file; list() gives only its first 4 KiB
    QByteArray answer;              ///< the AI answer the code came from; empty when typed or from a file
    QByteArray stdinData;
    bool hasStdin = false;
    Limits limits;
    Grants grants;
    /// Names of the variables the user typed; their values are not kept (they are often secrets),
    /// so a re-run gets them only when they are given again.
    QStringList envNames;

    // Known once finished.
    QString verdict;                ///< the engine's verdict name; empty unless state is Finished
    QString message;
    int exitCode = -1;
    int signal = 0;
    qint64 wallMs = -1;
    qint64 cpuMs = -1;
    qint64 peakMemoryBytes = -1;
    bool peakMemoryIsSample = false;
    QString sandboxId;
    HistoryOutput output;
    QByteArray artifactsJson = "[]"; ///< a JSON array: path, size and type of each artifact
    /// A review run's change set and what the person decided (ChangeSetJson); empty for other runs.
    QByteArray hostChangesJson;

    /// The verdict when finished, else the state ("running", "interrupted").
    QString outcome() const;
    /// The code's first non-empty line with control characters made visible, at most maxChars.
    QString firstLine(int maxChars = 60) const;
    /// The whole record as one JSON object (see HistoryRecord.cpp for the encoding of bytes).
    QByteArray toJson() const;
    /// A JSON array of short objects for lists: id, start time, language, backend, state,
    /// verdict, wall time, first line of code.
    static QByteArray listJson(const QList<HistoryRecord>& records);
};

/// What the history panel and `codecourier history` ask for. Empty fields match everything.
struct HistoryFilter
{
    QString outcome;                ///< a verdict name, or "running" / "interrupted"
    QString language;
    QString backend;
    std::optional<bool> granted;    ///< true: network or a folder was granted; false: neither
    QByteArray text;                ///< bytes found in the code, the answer or the output (exact, case-sensitive)
    int limit = 200;
};

} // namespace cc
