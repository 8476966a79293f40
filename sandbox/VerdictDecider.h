#pragma once

#include "RunResult.h"
#include "RunSpec.h"

#include <QString>
#include <optional>

namespace cc {

/// What a backend observed about a run's end, before any interpretation.
struct RunFacts
{
    QString backendError;          ///< non-empty: the sandbox could not run the program (a sentence)
    bool cancelled = false;        ///< the user stopped it
    bool timedOut = false;         ///< our wall-clock timer fired and killed the sandbox
    bool outputLimitReached = false;
    std::optional<int> exitStatus; ///< as the engine reports it (128 + N for signal N)
    qint64 wallMs = 0;
    qint64 oomKills = -1;          ///< from the kernel; -1 unknown
    qint64 pidsLimitHits = -1;     ///< from the kernel; -1 unknown
    qint64 peakMemoryBytes = -1;
    Limits limits;
};

struct VerdictDecision
{
    Verdict verdict = Verdict::BackendError;
    int exitCode = -1;
    int signal = 0;
    QString message;
};

/// The one place where a verdict and its explanation are decided, for every backend and every
/// front end. Precedence: the user's cancel (a cancelled run is always reported as cancelled), then a
/// backend failure, then the limits we enforce ourselves (time, output), then the kernel's (memory,
/// pids), then the program's own exit.
VerdictDecision decideVerdict(const RunFacts& facts);

/// "0.3 s", "10 s", "2 min 5 s": durations as people read them.
QString humanDuration(qint64 ms);
/// "512 KiB", "256 MiB", "1.5 GiB".
QString humanBytes(qint64 bytes);
/// "SIGSEGV" for 11, "signal 42" for unnamed ones.
QString signalName(int signal);

} // namespace cc
