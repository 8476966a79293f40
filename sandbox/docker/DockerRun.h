#pragma once

#include "Artifact.h"
#include "DockerFrameDecoder.h"
#include "FolderSnapshot.h"
#include "HostCgroup.h"
#include "OutputCap.h"
#include "ExecPlan.h"
#include "Run.h"
#include "VerdictDecider.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>
#include <optional>

namespace cc::http {
class HttpReply;
}

namespace cc::docker {

class DockerApi;
struct DockerResponse;

/// One run in a fresh Docker container:
/// (network) → create → start → deliver files → exec the program with attached output →
/// measure (exit status, the kernel's cgroup figures) → collect /workspace/out (a tar streamed
/// from an exec, read by readArtifactArchive) → in a review run, collect /workspace/host the same
/// way and compare it with the snapshot (RunResult::hostChanges) → remove the container (and network).
/// A review run mounts nothing: the snapshot's files are delivered into the workspace tmpfs with
/// the snippet, and together they may fill at most half of it (Limits::tmpfsBytes).
/// Time and output limits are enforced here; memory, pids and CPUs by the kernel. Collecting first
/// stops (SIGSTOP) every process the program left, so at the time or output limit /workspace/out is
/// still collected without more run time; a cancelled run is removed at once.
class DockerRun : public Run
{
    Q_OBJECT
public:
    /// Placement details decided by the backend for this run.
    struct Setup
    {
        QString hostFolder;               ///< canonical, checked
        QMap<QString, QString> labels;
        QString containerName;
        QString networkName;              ///< empty: no network
        QString pooledContainerId;        ///< a pre-started, never-used container to run in
    };

    DockerRun(DockerApi* api, RunSpec spec, Setup setup, QObject* parent = nullptr);
    ~DockerRun() override;

    /// Begins the run on the next event-loop turn.
    void begin();
    void cancel() override;

signals:
    /// The engine could not remove what this run created (it was unreachable, say). The backend
    /// keeps the ids and removes them once the engine answers again.
    void leftBehind(const QString& containerId, const QString& networkId);

private:
    enum class Phase { Idle, CreatingNetwork, Creating, Starting, Delivering, Running, Measuring, Collecting, Removing, Done };

    void createNetwork();
    void createContainer();
    void startContainer();
    void onSandboxStarted(const QString& how);
    void startStats();
    void locateHostCgroup();
    void runNextDelivery();
    void execBuffered(const QStringList& cmd, int timeoutMs, std::function<void(const DockerResponse&, int exitCode,
                                                                                  const QByteArray& out, const QByteArray& err)> done);
    void startProgram();
    void onProgramOutput(const QByteArray& bytes);
    void onProgramStreamEnded();
    void measure();
    void checkSandboxStillRunning();
    QString takeReviewCopy(const QString& canonicalFolder, qint64 snippetBytes);
    ArtifactCaps collectCaps() const;
    void collectArtifacts();
    void collectionDone();
    void onArtifactData(const QByteArray& bytes);
    void onArtifactStreamEnded();
    QString collectFailedNote(const QString& why) const;
    void onStatsData(const QByteArray& bytes);
    void killForLimit();
    void fail(const QString& sentence);
    void removeAndFinish();
    void removeNetworkAndFinish();
    void finishNow();

    DockerApi* m_api;
    Setup m_setup;
    ExecPlan m_plan;
    Phase m_phase = Phase::Idle;
    int m_deliveryIndex = 0;
    QString m_networkId;
    QString m_containerId;
    QString m_execId;

    QPointer<http::HttpReply> m_programStream;
    QPointer<http::HttpReply> m_statsStream;
    DockerFrameDecoder m_decoder;
    QByteArray m_statsBuffer;
    QByteArray m_stderrHead;    // first stderr bytes, to tell a delivery failure from the program's own
    QTimer m_wallTimer;
    QElapsedTimer m_wallClock;
    bool m_killRequested = false;

    RunFacts m_facts;
    OutputCap m_outputCap;
    std::optional<StatsSample> m_lastSample;
    qint64 m_lastCpuNs = -1;
    qint64 m_lastSampleMs = 0;
    qint64 m_maxSampledMemory = -1;
    qint64 m_cpuNs = -1;
    qint64 m_peakMemory = -1;
    bool m_peakIsSample = false;
    bool m_sandboxStoppedEarly = false;
    bool m_sandboxStarted = false;     // started with AutoRemove: a kill is enough to make it go
    std::optional<HostCgroup> m_hostCgroup;
    bool m_containerLeftBehind = false;
    bool m_networkLeftBehind = false;
    QString m_cleanupNote;      // appended to the verdict's sentence when removal failed

    // Artifacts: the tar of /workspace/out as it streams out of an exec, capped.
    QPointer<http::HttpReply> m_artifactStream;
    DockerFrameDecoder m_artifactDecoder;
    QByteArray m_archive;
    QByteArray m_archiveStderr;
    bool m_archiveCut = false;
    bool m_programStoppedAtLimit = false;
    QTimer m_collectTimer;
    ArtifactCollection m_artifacts;     // the collection in progress (out, then host in a review run)

    // Review runs: the snapshot copied into /workspace/host, and its copy collected back after
    // /workspace/out (m_outArtifacts keeps the artifacts meanwhile).
    std::optional<FolderSnapshot> m_hostCopy;
    bool m_collectingHost = false;
    bool m_hostCollected = false;
    ArtifactCollection m_outArtifacts;
};

} // namespace cc::docker
