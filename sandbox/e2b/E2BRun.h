#pragma once

#include "ArtifactCollector.h"
#include "E2BRequests.h"
#include "FolderSnapshot.h"
#include "HostFolderCopy.h"
#include "ProcessStream.h"
#include "OutputCap.h"
#include "Run.h"
#include "VerdictDecider.h"

#include <QElapsedTimer>
#include <QList>
#include <QPointer>
#include <QTimer>
#include <optional>

namespace cc::http {
class HttpReply;
}

namespace cc::e2b {

class E2BApi;
class E2BCall;
struct E2BResponse;

/// One run in a fresh E2B sandbox (a Firecracker microVM):
/// create the sandbox (internet off unless granted) → upload the snippet, its stdin and the
/// granted folder's copy with envd's POST /files → make /workspace/out (Filesystem/MakeDir) →
/// start the program with process.Process/Start (Connect, JSON, streamed) → read output and the
/// end event → collect /workspace/out (Filesystem/ListDir, then GET /files for each plain file,
/// within the caps) → in a review run, collect /workspace/host the same way and compare it with
/// the snapshot the copy was made from (RunResult::hostChanges) → delete the sandbox, always.
/// A review run uploads exactly the snapshot's bytes (and makes its empty folders); nothing is
/// ever written to the host folder.
///
/// The time and output limits are enforced here (and the time limit by envd too, through
/// Connect-Timeout-Ms); on either, or on cancel(), the program gets SIGKILL (SendSignal) and the
/// sandbox is deleted. Memory and CPUs are what the template gives the VM: CodeCourier cannot set
/// them, and the result says so. CPU and memory figures are samples of the whole sandbox (envd's
/// /metrics, about once a second).
class E2BRun : public Run
{
    Q_OBJECT
public:
    E2BRun(E2BApi* api, RunSpec spec, QObject* parent = nullptr);
    ~E2BRun() override;

    /// Begins the run on the next event-loop turn.
    void begin();
    void cancel() override;

private:
    enum class Phase { Idle, Creating, Uploading, Starting, Running, Stopping, Collecting, Deleting, Done };

    struct Upload
    {
        QString remotePath;
        QByteArray content;  // snippet files, stdin, and a review copy's files (the snapshot's bytes)
        QString localPath;   // files of a read-only folder copy, read when their turn comes
        bool folder = false; // an empty folder of a review copy: made with MakeDir, no content
    };

    QString validate();
    QString takeReviewCopy(const QString& canonicalFolder);
    void createSandbox();
    void onCreateAnswer(const E2BResponse& r, bool v2);
    void uploadNext();
    void makeOutDir();
    void startProgram();
    void collectArtifacts();
    void collectHostCopy();
    void collectFolder(const QString& dir, const ArtifactCaps& caps, int depth);
    void listFolder();
    std::optional<QList<ListedEntry>> takeListing(http::HttpReply* reply, const QByteArray& body, bool tooLarge,
                                                  const QString& dir);
    void onListing(http::HttpReply* reply, const QByteArray& body, bool tooLarge);
    void downloadNextArtifact();
    void finishCollecting(const QString& problem = {});
    http::HttpReply* fetchCapped(const http::HttpRequest& request, qint64 cap,
                                 std::function<void(http::HttpReply*, const QByteArray&, bool)> done);
    void onStreamHeaders(int status);
    void onStreamData(const QByteArray& bytes);
    void onStreamFinished();
    void onEvent(const ProcessEvent& event);
    void deliverOutput(Stream stream, const QByteArray& bytes);
    void pollMetrics();
    void onMetricsAnswer(const E2BResponse& r, bool fromApi);
    void stopProgram();
    void fail(const QString& sentence);
    void deleteAndFinish();
    void finishNow();
    void stopTimers();
    void abortAll();

    QPointer<E2BApi> m_api;
    Phase m_phase = Phase::Idle;
    QString m_hostFolder; // a read-only copy's folder: canonical, checked
    HostFolderCopy m_folderCopy;
    QList<Upload> m_uploads;
    int m_nextUpload = 0;
    int m_uploadsInFlight = 0;
    QList<QPointer<E2BCall>> m_calls;
    std::optional<E2BSandbox> m_sandbox;
    bool m_deleted = false;

    QPointer<http::HttpReply> m_stream;
    ProcessStreamReader m_reader;
    QByteArray m_errorBody;         // body of a non-200 Start answer
    quint32 m_pid = 0;
    std::optional<ProcessEnd> m_end;

    QTimer m_wallTimer;
    QTimer m_startTimer;            // the start event must come within kStartEventTimeoutMs
    QTimer m_idleTimer;             // a stream silent beyond kStreamIdleTimeoutMs has died
    QTimer m_metricsTimer;
    QElapsedTimer m_wallClock;

    RunFacts m_facts;
    OutputCap m_outputCap;

    QPointer<E2BCall> m_metricsCall;
    bool m_metricsFromApi = false;
    int m_metricsFailures = 0;
    qint64 m_lastSampleMs = -1;
    double m_cpuMsEstimate = -1;
    qint64 m_peakMemory = -1;
    qint64 m_memoryTotal = -1;
    int m_cpuCount = 0;

    QString m_cleanupNote;

    // Collecting a folder (/workspace/out, then a review run's /workspace/host): the listing's
    // plain files that were admitted, fetched one at a time.
    struct PendingArtifact
    {
        QByteArray path;         // relative to m_collectDir
        qint64 size = 0;         // as listed and admitted
    };
    QString m_collectDir;
    int m_collectDepth = 0;
    bool m_listed = false;         // m_collectDir's listing was accepted; its files are being fetched
    QStringList m_collectProblems; // found while listing; each makes the collection incomplete
    std::optional<ArtifactCollector> m_collector;
    QList<PendingArtifact> m_pendingArtifacts;
    QPointer<http::HttpReply> m_collectReply;
    QTimer m_collectTimer;
    bool m_stoppedAtLimit = false;
    ArtifactCollection m_artifacts; // /workspace/out

    // Review runs: the snapshot copied into /workspace/host, how deep its listing must go, and the
    // copy as it came back (or why it did not).
    std::optional<FolderSnapshot> m_hostCopy;
    int m_hostListDepth = 0;
    bool m_collectingHost = false;
    std::optional<ArtifactCollection> m_hostCollection;
    QString m_hostProblem;
};

} // namespace cc::e2b
