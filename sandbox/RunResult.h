#pragma once

#include "Artifact.h"
#include "ChangeSet.h"

#include <QString>
#include <QVariantMap>
#include <optional>

namespace cc {

/// How a run ended. Decided once, by the engine (VerdictDecider); front ends only display it.
enum class Verdict {
    Ok,              ///< exited with status 0
    ExitNonzero,     ///< exited with another status or was killed by a signal it caused itself
    Timeout,         ///< the wall-clock limit was reached; the sandbox was killed
    MemoryLimit,     ///< the kernel's OOM killer ended the program at the memory limit
    OutputLimit,     ///< stdout + stderr reached the output cap; the sandbox was killed
    PidsLimit,       ///< the process limit was hit and the program failed because of it
    Cancelled,       ///< the user stopped the run
    BackendError,    ///< the sandbox could not run the program (engine down, image missing, ...)
};

/// The stable machine name of a verdict ("ok", "exit_nonzero", "timeout", ...).
QString verdictName(Verdict verdict);
/// Parses a machine name back; std::nullopt for an unknown name.
std::optional<Verdict> verdictFromName(const QString& name);

/// The outcome of one run, complete: what ended it, in figures and in a sentence.
struct RunResult
{
    Verdict verdict = Verdict::BackendError;
    int exitCode = -1;               ///< -1 when the program never exited by itself
    int signal = 0;                  ///< signal that ended the program, 0 if none
    qint64 wallMs = 0;               ///< from program start to its end
    qint64 cpuMs = -1;               ///< CPU time of the whole sandbox; -1 when unknown
    qint64 peakMemoryBytes = -1;     ///< -1 when unknown
    bool peakMemoryIsSample = false; ///< true when the peak is the largest sample, not a kernel figure
    qint64 memoryLimitBytes = 0;
    qint64 outputBytes = 0;          ///< bytes of output delivered (after the cap)
    bool outputTruncated = false;
    QString message;                 ///< a sentence explaining the verdict to a person
    QString backend;                 ///< "docker", "e2b"
    QString image;
    QString sandboxId;               ///< container id or E2B sandbox id
    bool network = false;            ///< grants in force for this run, for the record
    QString mountedFolder;

    /// Files the program left in /workspace/out (kArtifactsDir), collected after it ended, within
    /// Limits::artifactBytes and Limits::artifactFiles, in the order the sandbox listed them. Every
    /// byte came from the sandbox: show it as data. Saving them is a front end's choice
    /// (ArtifactWriter), never automatic.
    QList<Artifact> artifacts;
    /// Entries of /workspace/out that were not collected, each with the reason (a link, a FIFO,
    /// a name that would leave the folder, past a cap, ...). At most kMaxRefusedListed.
    QList<RefusedArtifact> refusedArtifacts;
    /// Empty when every entry was collected (or there were none); otherwise sentences saying what
    /// was skipped or refused and why, e.g. "No artifacts: the sandbox was stopped before they could
    /// be collected."
    QString artifactsNote;

    /// A review run (Grants::HostFolderMode::Review) only: what the snippet changed in its copy of
    /// the host folder; hostChanges.folder is empty for every other run. Nothing of it has been
    /// written to the host: a front end shows it and applies what the person accepts
    /// (ChangeApplier). When the copy could not be collected, changes is empty and note says why.
    ChangeSet hostChanges;
};

} // namespace cc
