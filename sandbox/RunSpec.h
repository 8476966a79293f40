#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace cc {

/// The program's working directory in every sandbox, on every backend.
inline constexpr const char* kWorkspaceDir = "/workspace";
/// Where the program leaves files to be collected after the run (artifacts). It exists, empty and
/// writable by the sandbox user, when the program starts; it lives on the workspace's capped tmpfs.
inline constexpr const char* kArtifactsDir = "/workspace/out";
/// Where a granted host folder appears in every sandbox: mounted read-only, or (review mode) a
/// writable copy whose changes come back for the user to accept.
inline constexpr const char* kHostFolderMountPoint = "/workspace/host";

/// Resource limits of one run. The defaults are the hardened profile's (DESIGN.md); a front end
/// may lower or raise them per run, and every value is validated by validateLimits() first.
struct Limits
{
    int wallTimeoutMs = 10'000;                      ///< whole run, kills the sandbox when reached
    qint64 memoryBytes = 256LL * 1024 * 1024;        ///< RAM, no swap on top
    double cpus = 1.0;                               ///< CPU share (1.0 = one core)
    int pids = 128;                                  ///< processes and threads together
    qint64 outputBytes = 1024 * 1024;                ///< stdout + stderr together, then output_limit
    qint64 fileSizeBytes = 64LL * 1024 * 1024;       ///< largest single file the snippet may write
    qint64 tmpfsBytes = 64LL * 1024 * 1024;          ///< size of each writable tmpfs (/tmp, /workspace)
    qint64 artifactBytes = 16LL * 1024 * 1024;       ///< artifacts collected from /workspace/out, all together
    int artifactFiles = 100;                         ///< at most this many artifacts; 0 collects none
};

/// What the snippet may touch beyond its own sandbox. Everything is off by default and is
/// granted deliberately, for one run.
struct Grants
{
    /// How a granted host folder reaches the sandbox.
    enum class HostFolderMode {
        /// Mounted read-only at /workspace/host (Docker; E2B uploads a copy). Nothing comes back.
        ReadOnly,
        /// Copied (capped, regular files only) into /workspace/host, where the snippet may change
        /// it; after the run the changes come back as RunResult::hostChanges. Nothing is written to
        /// the host by the engine: only the changes a person accepts, through ChangeApplier (app/).
        Review,
    };

    bool network = false;       ///< on: a bridge network owned by CodeCourier, never the host's
    QString hostFolder;         ///< empty: none; else shared at /workspace/host as hostFolderMode says
    HostFolderMode hostFolderMode = HostFolderMode::ReadOnly;
};

/// A file delivered into the sandbox's workspace (/workspace) before the program starts.
struct SandboxFile
{
    QString relativePath;       ///< relative to /workspace, no "..", no absolute path
    QByteArray content;
};

/// Everything a backend needs to run one snippet. A value type: the engine never reads the
/// host's environment or settings behind the caller's back.
struct RunSpec
{
    QString language;           ///< canonical language name, kept for the record ("python")
    QString image;              ///< container image (Docker) or template (E2B)
    QList<SandboxFile> files;   ///< the entry file first
    QStringList command;        ///< argv run in /workspace, e.g. {"python3", "main.py"}
    QByteArray stdinData;       ///< static stdin; empty means stdin is at EOF at once
    bool hasStdin = false;      ///< true when stdinData was given (even if empty)
    QList<QPair<QString, QString>> env;   ///< only what the user typed
    Limits limits;
    Grants grants;
    QString runtime;            ///< Docker OCI runtime; empty = engine default (runc), "runsc" = gVisor
};

/// Returns an empty string when the limits are acceptable, else a sentence saying which value is
/// wrong and what range is allowed.
QString validateLimits(const Limits& limits);

} // namespace cc
