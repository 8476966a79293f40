#include "E2BRun.h"

#include "ChangeSet.h"
#include "E2BApi.h"
#include "E2BErrors.h"
#include "HostFolderPolicy.h"
#include "RelativePath.h"
#include "docker/ExecPlan.h"
#include "http/HttpClient.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QSet>
#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcE2B, "codecourier.e2b", QtInfoMsg)

namespace cc::e2b {

namespace {

constexpr int kParallelUploads = 4;
constexpr int kMetricsIntervalMs = 1'000;
constexpr int kMaxMetricsFailures = 3;
/// Snippet files and stdin together; the granted folder has its own cap (HostFolderCopy).
constexpr qint64 kMaxSnippetBytes = 50LL * 1024 * 1024;
/// Collecting /workspace/out comes after the program ended: bounded, so that it never holds the run long.
constexpr int kCollectTimeoutMs = 30'000;
/// How deep the listing goes; deeper files are not seen (and so not collected).
constexpr int kListDepth = 32;
/// A listing larger than this is not read: it would be a flood of names, not artifacts.
constexpr qint64 kMaxListingBytes = 8LL * 1024 * 1024;
/// Where the Docker socket usually is: a folder holding it is refused on every backend alike.
constexpr const char* kDefaultDockerSocket = "/var/run/docker.sock";

QString shortId(const QString& id)
{
    return id.left(20);
}

} // namespace

E2BRun::E2BRun(E2BApi* api, RunSpec spec, QObject* parent)
    : Run(std::move(spec), parent), m_api(api), m_outputCap(this->spec().limits.outputBytes)
{
    m_facts.limits = this->spec().limits;
    for (QTimer* timer : {&m_wallTimer, &m_startTimer, &m_idleTimer})
        timer->setSingleShot(true);
    m_wallTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_wallTimer, &QTimer::timeout, this, [this] {
        if (m_phase != Phase::Running)
            return;
        m_facts.timedOut = true;
        emit progress(QStringLiteral("Time limit of %1 reached: killing the program and deleting the sandbox.")
                          .arg(humanDuration(this->spec().limits.wallTimeoutMs)));
        stopProgram();
    });
    connect(&m_startTimer, &QTimer::timeout, this, [this] {
        if (m_phase == Phase::Starting)
            fail(QStringLiteral("The E2B sandbox did not start the program within %1.")
                     .arg(humanDuration(kStartEventTimeoutMs)));
    });
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        if (m_phase == Phase::Running || m_phase == Phase::Starting)
            fail(QStringLiteral("The E2B sandbox's process stream went silent for %1 (not even a keepalive): the "
                                "connection was lost.")
                     .arg(humanDuration(kStreamIdleTimeoutMs)));
    });
    m_collectTimer.setSingleShot(true);
    connect(&m_collectTimer, &QTimer::timeout, this, [this] {
        if (m_phase != Phase::Collecting)
            return;
        if (m_collectReply) {
            m_collectReply->disconnect(this);
            m_collectReply->abort();
            m_collectReply->deleteLater();
            m_collectReply = nullptr;
        }
        for (const PendingArtifact& p : std::as_const(m_pendingArtifacts))
            m_collector->withdraw(QString::fromUtf8(p.path), p.size,
                                  QStringLiteral("It was not fetched before collecting stopped."));
        finishCollecting((m_collectingHost
                              ? QStringLiteral("Collecting the copy of the folder took longer than %1, so "
                                               "it stopped there.")
                              : QStringLiteral("Collecting the artifacts took longer than %1, so it stopped "
                                               "there."))
                             .arg(humanDuration(kCollectTimeoutMs)));
    });
    m_metricsTimer.setInterval(kMetricsIntervalMs);
    connect(&m_metricsTimer, &QTimer::timeout, this, &E2BRun::pollMetrics);
}

E2BRun::~E2BRun()
{
    abortAll();
    // Destroyed mid-run (the app is quitting): the sandbox must still go. Nobody waits for the
    // answer; if even this fails, E2B ends the sandbox at its own timeout.
    if (m_sandbox && !m_deleted && m_api)
        m_api->send(killSandboxRequest(m_api->config(), m_sandbox->id), m_api, [](const E2BResponse&) {});
}

void E2BRun::begin()
{
    QTimer::singleShot(0, this, [this] {
        if (isFinished() || m_phase != Phase::Idle)
            return;
        if (const QString problem = validate(); !problem.isEmpty()) {
            fail(problem);
            return;
        }
        createSandbox();
    });
}

QString E2BRun::validate()
{
    const RunSpec& s = spec();
    if (!m_api)
        return QStringLiteral("The E2B backend is gone.");
    if (QString problem = validateLimits(s.limits); !problem.isEmpty())
        return problem;
    if (QString problem = m_api->config().problem(); !problem.isEmpty())
        return problem;
    if (s.image.trimmed().isEmpty())
        return QStringLiteral("No E2B template is set: pass --template (E2B's default is \"base\").");
    if (s.command.isEmpty())
        return QStringLiteral("There is no command to run the snippet with.");
    qint64 totalBytes = s.stdinData.size();
    for (const SandboxFile& f : s.files) {
        if (QString problem = docker::checkWorkspacePath(f.relativePath); !problem.isEmpty())
            return problem;
        if (f.relativePath == QLatin1String(kStdinFileName))
            return QStringLiteral("The file name \"%1\" is reserved for the run's stdin.").arg(f.relativePath);
        totalBytes += f.content.size();
        m_uploads.append({workspacePath(f.relativePath), f.content, {}});
    }
    if (totalBytes > kMaxSnippetBytes)
        return QStringLiteral("The snippet and its stdin (%1) are larger than the %2 CodeCourier sends to E2B.")
            .arg(humanBytes(totalBytes), humanBytes(kMaxSnippetBytes));
    if (s.hasStdin)
        m_uploads.append({workspacePath(QLatin1String(kStdinFileName)), s.stdinData, {}});
    if (!s.grants.hostFolder.isEmpty()) {
        const HostFolderCheck check =
            checkHostFolder(s.grants.hostFolder, QDir::homePath(), QString::fromLatin1(kDefaultDockerSocket));
        if (!check.ok())
            return check.error;
        if (s.grants.hostFolderMode == Grants::HostFolderMode::Review)
            return takeReviewCopy(check.canonicalPath);
        m_hostFolder = check.canonicalPath;
        m_folderCopy = planHostFolderCopy(m_hostFolder);
        if (!m_folderCopy.ok())
            return m_folderCopy.error;
        for (const HostFolderCopy::File& f : std::as_const(m_folderCopy.files))
            m_uploads.append({QLatin1String(kHostFolderMountPoint) + QLatin1Char('/') + f.relativePath, {}, f.localPath});
    }
    return {};
}

QString E2BRun::takeReviewCopy(const QString& canonicalFolder)
{
    FolderSnapshot snapshot = takeFolderSnapshot(canonicalFolder, kReviewFolderMaxBytes, kReviewFolderMaxFiles);
    if (!snapshot.ok())
        return snapshot.error;
    const QString root = QLatin1String(kHostFolderMountPoint);
    // The hashed bytes themselves go up: a file that changes on the host meanwhile cannot make the
    // copy differ from the snapshot the changes are computed against.
    for (const FolderSnapshot::File& f : std::as_const(snapshot.files))
        m_uploads.append({root + QLatin1Char('/') + f.path, f.bytes, {}, false});
    // An upload makes the folders above its file, and MakeDir the folders above its own: only a
    // folder with nothing below it needs a call (the copy's root too, when the folder is empty).
    QSet<QString> above;
    int deepest = 0;
    const auto addAbove = [&above](const QString& path) {
        for (const QString& folder : parentFolders(path))
            above.insert(folder);
    };
    for (const QString& path : snapshot.files.keys())
        addAbove(path);
    for (const QString& folder : std::as_const(snapshot.folders)) {
        addAbove(folder);
        deepest = std::max(deepest, int(folder.count(QLatin1Char('/'))) + 1);
    }
    if (snapshot.files.isEmpty() && snapshot.folders.isEmpty())
        m_uploads.append({root, {}, {}, true});
    for (const QString& folder : std::as_const(snapshot.folders)) {
        if (!above.contains(folder))
            m_uploads.append({root + QLatin1Char('/') + folder, {}, {}, true});
    }
    // Deep enough to reach into the snapshot's deepest folder, so that an untouched copy comes back whole.
    m_hostListDepth = std::max(kListDepth, deepest + 1);
    m_hostCopy = std::move(snapshot);
    return {};
}

void E2BRun::createSandbox()
{
    m_phase = Phase::Creating;
    const RunSpec& s = spec();
    emit progress(QStringLiteral("Creating an E2B sandbox from template %1 (%2).")
                      .arg(s.image, s.grants.network ? QStringLiteral("internet access granted")
                                                     : QStringLiteral("internet access off")));
    CreateSandboxParams params;
    params.templateName = s.image.trimmed();
    params.allowInternetAccess = s.grants.network;
    // The sandbox ends by itself a little after the run's own limit, should we vanish before deleting it.
    params.timeoutSeconds = int(std::ceil(s.limits.wallTimeoutMs / 1000.0)) + kSandboxMarginSeconds;
    params.metadata.insert(QStringLiteral("app"), QStringLiteral("codecourier"));
    if (!s.language.isEmpty())
        params.metadata.insert(QStringLiteral("language"), s.language);
    const bool v2 = m_api->createWithV2();
    m_calls.append(m_api->send(createSandboxRequest(m_api->config(), params, v2), this,
                               [this, v2](const E2BResponse& r) { onCreateAnswer(r, v2); }));
}

void E2BRun::onCreateAnswer(const E2BResponse& r, bool v2)
{
    if (m_phase != Phase::Creating || r.aborted)
        return;
    // A server that predates POST /v2/sandboxes answers 404 or 405 for the path itself; the v1
    // path then decides (its 404 is an unknown template).
    if (v2 && r.transportOk() && (r.status == 404 || r.status == 405)) {
        qCDebug(lcE2B) << "POST /v2/sandboxes answered" << r.status << "- falling back to POST /sandboxes";
        m_api->setCreateWithV2(false);
        if (m_facts.cancelled) {
            finishNow();
            return;
        }
        createSandbox();
        return;
    }
    if (!r.transportOk()) {
        fail(describeTransportError(r.transportError, m_api->apiService()));
        return;
    }
    if (!r.ok()) {
        fail(describeApiError(r.status, r.body, ApiCall::CreateSandbox, spec().image));
        return;
    }
    QString error;
    m_sandbox = parseSandbox(r.body, m_api->config(), &error);
    if (!m_sandbox) {
        fail(error);
        return;
    }
    emit created(m_sandbox->id);
    if (m_facts.cancelled) {
        deleteAndFinish();
        return;
    }
    emit progress(QStringLiteral("Sandbox %1 created on E2B (envd %2). Memory and CPUs are the template's; "
                                 "CodeCourier enforces the time and output limits.")
                      .arg(shortId(m_sandbox->id), m_sandbox->envdVersion.isEmpty() ? QStringLiteral("?")
                                                                                    : m_sandbox->envdVersion));
    if (!m_hostFolder.isEmpty()) {
        QString note = QStringLiteral("Copying %1 (%2 files, %3) to %4; nothing comes back to this machine.")
                           .arg(m_hostFolder)
                           .arg(m_folderCopy.files.size())
                           .arg(humanBytes(m_folderCopy.totalBytes), QLatin1String(kHostFolderMountPoint));
        if (m_folderCopy.skippedLinks > 0)
            note += QStringLiteral(" %1 symbolic links were skipped.").arg(m_folderCopy.skippedLinks);
        emit progress(note);
    }
    if (m_hostCopy) {
        QString note = QStringLiteral("Copying %1 (%2 files, %3) to %4 for review; what the program changes there "
                                      "comes back as a list, and nothing is written to this machine.")
                           .arg(m_hostCopy->folder)
                           .arg(m_hostCopy->files.size())
                           .arg(humanBytes(m_hostCopy->totalBytes), QLatin1String(kHostFolderMountPoint));
        if (!m_hostCopy->skipped.isEmpty())
            note += QStringLiteral(" %1 links, special files or unusable names were skipped.")
                        .arg(m_hostCopy->skipped.size());
        emit progress(note);
    }
    m_phase = Phase::Uploading;
    uploadNext();
}

void E2BRun::uploadNext()
{
    if (m_phase != Phase::Uploading)
        return;
    if (m_nextUpload >= m_uploads.size()) {
        if (m_uploadsInFlight == 0)
            makeOutDir();
        return;
    }
    const bool multipart = !envdTakesRawUploads(m_sandbox->envdVersion);
    while (m_uploadsInFlight < kParallelUploads && m_nextUpload < m_uploads.size()) {
        const Upload& upload = m_uploads.at(m_nextUpload++);
        QByteArray content = upload.content;
        if (!upload.localPath.isEmpty()) {
            QFile file(upload.localPath);
            if (!file.open(QIODevice::ReadOnly)) {
                fail(QStringLiteral("Could not read %1 to copy it into the sandbox: %2.")
                         .arg(upload.localPath, file.errorString()));
                return;
            }
            content = file.read(kHostFolderMaxBytes + 1);
        }
        ++m_uploadsInFlight;
        const QString remotePath = upload.remotePath;
        const bool folder = upload.folder;
        const http::HttpRequest request = folder ? makeDirRequest(*m_sandbox, remotePath)
                                                 : uploadFileRequest(*m_sandbox, remotePath, content, multipart);
        m_calls.append(m_api->send(request, this, [this, remotePath, folder](const E2BResponse& r) {
            if (m_phase != Phase::Uploading || r.aborted)
                return;
            --m_uploadsInFlight;
            const QString doing = folder ? QStringLiteral("create the folder %1 in the sandbox").arg(remotePath)
                                         : QStringLiteral("copy %1 into the sandbox").arg(remotePath);
            if (!r.transportOk()) {
                fail(describeTransportError(r.transportError, QStringLiteral("the E2B sandbox"))
                         .prepend(QStringLiteral("Could not %1. ").arg(doing)));
                return;
            }
            // 409 already_exists: the folder is there, which is all a MakeDir is for.
            if (!r.ok() && !(folder && r.status == 409)) {
                fail(describeEnvdError(r.status, r.body, doing));
                return;
            }
            uploadNext();
        }));
    }
}

void E2BRun::makeOutDir()
{
    const QString dir = QLatin1String(kArtifactsDir);
    m_calls.append(m_api->send(makeDirRequest(*m_sandbox, dir), this, [this, dir](const E2BResponse& r) {
        if (m_phase != Phase::Uploading || r.aborted)
            return;
        // 409 already_exists: a snippet file under out/ made it; the program can write there either way.
        if (r.ok() || (r.transportOk() && r.status == 409)) {
            startProgram();
            return;
        }
        const QString doing = QStringLiteral("create %1 for the program's artifacts").arg(dir);
        fail(r.transportOk() ? describeEnvdError(r.status, r.body, doing)
                             : describeTransportError(r.transportError, QStringLiteral("the E2B sandbox"))
                                   .prepend(QStringLiteral("Could not %1. ").arg(doing)));
    }));
}

void E2BRun::startProgram()
{
    m_phase = Phase::Starting;
    m_calls.removeAll(nullptr);
    // Old uploads' contents are no longer needed: a big host folder should not stay in memory.
    m_uploads.clear();
    const RunSpec& s = spec();
    const nlohmann::json body = startProcessBody(s.command, s.env, QLatin1String(kWorkspaceDir), s.hasStdin);
    m_stream = m_api->stream(startProcessRequest(*m_sandbox, body, s.limits.wallTimeoutMs), this);
    connect(m_stream, &http::HttpReply::headersReceived, this, &E2BRun::onStreamHeaders);
    connect(m_stream, &http::HttpReply::dataReceived, this, &E2BRun::onStreamData);
    connect(m_stream, &http::HttpReply::finished, this, &E2BRun::onStreamFinished);
    m_startTimer.start(kStartEventTimeoutMs);
    m_idleTimer.start(kStreamIdleTimeoutMs);
}

void E2BRun::onStreamHeaders(int status)
{
    if (!m_stream || status != 200)
        return;  // the error body follows and is reported when the stream ends
    const QByteArray type = m_stream->header("Content-Type").trimmed().toLower();
    if (!type.isEmpty() && !type.startsWith("application/connect+json"))
        fail(QStringLiteral("The E2B sandbox answered the program start with \"%1\" instead of a Connect JSON stream.")
                 .arg(QString::fromLatin1(type.left(100))));
}

void E2BRun::onStreamData(const QByteArray& bytes)
{
    if ((m_phase != Phase::Running && m_phase != Phase::Starting) || !m_stream)
        return;
    m_idleTimer.start(kStreamIdleTimeoutMs);
    if (m_stream->status() != 200) {
        m_errorBody.append(bytes.left(4096 - m_errorBody.size()));
        return;
    }
    const auto events = m_reader.feed(bytes);
    for (const ProcessEvent& event : events) {
        onEvent(event);
        if (m_phase != Phase::Running && m_phase != Phase::Starting)
            return;
    }
    if (m_reader.hasError())
        fail(m_reader.error() + QStringLiteral(" The run was stopped."));
}

void E2BRun::onEvent(const ProcessEvent& event)
{
    switch (event.kind) {
    case ProcessEvent::Kind::Start:
        if (m_phase != Phase::Starting)
            return;
        m_pid = event.pid;
        m_phase = Phase::Running;
        m_startTimer.stop();
        m_wallClock.start();
        m_wallTimer.start(spec().limits.wallTimeoutMs);
        emit started();
        pollMetrics();
        m_metricsTimer.start();
        return;
    case ProcessEvent::Kind::Stdout:
    case ProcessEvent::Kind::Pty:
        deliverOutput(Stream::Stdout, event.data);
        return;
    case ProcessEvent::Kind::Stderr:
        deliverOutput(Stream::Stderr, event.data);
        return;
    case ProcessEvent::Kind::End:
        if (!m_end)
            m_end = event.end;
        return;
    case ProcessEvent::Kind::Keepalive:
        return;
    }
}

void E2BRun::deliverOutput(Stream stream, const QByteArray& bytes)
{
    if (m_phase != Phase::Running || bytes.isEmpty())
        return;
    // Exactly as with Docker: the cap is byte-exact over stdout and stderr together.
    const QByteArray admitted = m_outputCap.admit(bytes);
    if (!admitted.isEmpty())
        emit output(stream, admitted);
    if (m_outputCap.reached()) {
        m_facts.outputLimitReached = true;
        emit progress(QStringLiteral("Output limit of %1 reached: killing the program and deleting the sandbox.")
                          .arg(humanBytes(m_outputCap.cap())));
        stopProgram();
    }
}

void E2BRun::onStreamFinished()
{
    http::HttpReply* reply = m_stream;
    if (!reply)
        return;
    m_stream = nullptr;
    reply->deleteLater();
    if (m_phase != Phase::Running && m_phase != Phase::Starting)
        return;  // we ended it ourselves (limit, cancel, failure) and are already cleaning up
    stopTimers();
    if (m_wallClock.isValid())
        m_facts.wallMs = m_wallClock.elapsed();

    if (!reply->errorString().isEmpty()) {
        fail(QStringLiteral("The connection to the E2B sandbox broke during the run: %1.").arg(reply->errorString()));
        return;
    }
    if (reply->status() != 200) {
        fail(describeEnvdError(reply->status(), m_errorBody, QStringLiteral("start the program")));
        return;
    }
    if (m_reader.hasError()) {
        fail(m_reader.error());
        return;
    }
    if (const auto& error = m_reader.trailerError()) {
        if (error->code == QLatin1String("deadline_exceeded") && m_reader.sawStart()) {
            // envd's own deadline (Connect-Timeout-Ms = the time limit) got there first; it killed
            // the program, and the sandbox is still there for its artifacts.
            m_facts.timedOut = true;
            m_stoppedAtLimit = true;
            collectArtifacts();
            return;
        }
        fail(describeStreamError(*error));
        return;
    }
    if (!m_reader.sawEndStream()) {
        fail(m_end ? QStringLiteral("The E2B process stream stopped without its end-of-stream message after the program "
                                    "ended: the answer was cut short, so it cannot be trusted.")
                   : QStringLiteral("The E2B process stream stopped before the program ended, without an end event "
                                    "or an end-of-stream message: the connection was cut."));
        return;
    }
    if (!m_reader.sawStart()) {
        fail(QStringLiteral("The E2B process stream ended without starting the program."));
        return;
    }
    if (!m_end) {
        fail(QStringLiteral("The E2B process stream ended without saying how the program exited (no end event)."));
        return;
    }
    m_facts.exitStatus = m_end->shellStatus();
    if (!m_facts.exitStatus) {
        fail(QStringLiteral("E2B reported that the program ended (\"%1\") but not how.").arg(m_end->status));
        return;
    }
    collectArtifacts();
}

void E2BRun::pollMetrics()
{
    if (m_phase != Phase::Running || !m_sandbox || m_metricsCall)
        return;
    const bool fromApi = m_metricsFromApi;
    http::HttpRequest request;
    if (fromApi) {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        request = apiMetricsRequest(m_api->config(), m_sandbox->id, now - 60, now);
    } else {
        request = envdMetricsRequest(*m_sandbox);
    }
    m_metricsCall = m_api->send(request, this, [this, fromApi](const E2BResponse& r) { onMetricsAnswer(r, fromApi); });
}

void E2BRun::onMetricsAnswer(const E2BResponse& r, bool fromApi)
{
    m_metricsCall = nullptr;
    if (m_phase != Phase::Running || r.aborted)
        return;
    // envd's /metrics is the fresh figure; an envd without it leaves the API's (coarser) endpoint.
    if (!fromApi && r.transportOk() && (r.status == 404 || r.status == 405 || r.status == 501)) {
        m_metricsFromApi = true;
        return;
    }
    const auto metrics = r.ok() ? parseMetrics(r.json()) : std::nullopt;
    if (!metrics) {
        if (++m_metricsFailures >= kMaxMetricsFailures) {
            qCDebug(lcE2B) << "no usable metrics from" << (fromApi ? "the API" : "envd") << "- sampling stops";
            m_metricsTimer.stop();
        }
        return;
    }
    m_metricsFailures = 0;
    const qint64 nowMs = m_wallClock.elapsed();
    if (metrics->cpuCount > 0)
        m_cpuCount = metrics->cpuCount;
    if (metrics->memoryTotalBytes > 0)
        m_memoryTotal = metrics->memoryTotalBytes;
    // Percent of all CPUs together → percent of one core, as StatsSample counts it.
    const double cpuPercent = metrics->cpuUsedPercent * qMax(1, m_cpuCount);
    // CPU time is an estimate: the sampled rate over the interval since the previous sample.
    const qint64 intervalMs = nowMs - qMax<qint64>(0, m_lastSampleMs);
    m_cpuMsEstimate = qMax(0.0, m_cpuMsEstimate) + cpuPercent / 100.0 * double(qMax<qint64>(0, intervalMs));
    m_lastSampleMs = nowMs;
    if (metrics->memoryUsedBytes >= 0)
        m_peakMemory = qMax(m_peakMemory, metrics->memoryUsedBytes);

    StatsSample sample;
    sample.elapsedMs = nowMs;
    sample.cpuPercent = cpuPercent;
    sample.cpuMs = qint64(m_cpuMsEstimate);
    sample.memoryBytes = qMax<qint64>(0, metrics->memoryUsedBytes);
    sample.memoryLimitBytes = qMax<qint64>(0, m_memoryTotal);
    emit stats(sample);
}

void E2BRun::stopProgram()
{
    if (m_phase == Phase::Stopping || m_phase == Phase::Collecting || m_phase == Phase::Deleting || m_phase == Phase::Done)
        return;
    stopTimers();
    if (m_wallClock.isValid())
        m_facts.wallMs = m_wallClock.elapsed();
    // At a limit the program is killed, not the sandbox: what it wrote is still collected. A run the
    // user stopped is deleted at once.
    const auto afterStop = [this] {
        if (m_pid != 0 && m_facts.cancelled) {
            m_artifacts.note = QStringLiteral("No artifacts: the sandbox was stopped before they could be collected.");
        } else if (m_pid != 0) {
            m_stoppedAtLimit = true;
            collectArtifacts();
            return;
        }
        deleteAndFinish();
    };
    if (!m_sandbox || m_pid == 0 || m_end) {
        afterStop();
        return;
    }
    m_phase = Phase::Stopping;
    // Closing the stream would not stop the program (envd runs it detached from the request):
    // SIGKILL first, whatever the signal's answer.
    m_calls.append(m_api->send(sendSignalRequest(*m_sandbox, m_pid), this, [this, afterStop](const E2BResponse& r) {
        if (m_phase != Phase::Stopping)
            return;
        if (!r.ok() && !r.aborted)
            qCDebug(lcE2B) << "SendSignal failed:" << r.status << r.transportError;
        afterStop();
    }));
}

void E2BRun::collectArtifacts()
{
    const Limits& limits = spec().limits;
    if (!m_sandbox) {
        deleteAndFinish();
        return;
    }
    // No artifacts wanted does not mean no review: the copy is collected either way.
    if (limits.artifactFiles == 0 || limits.artifactBytes == 0) {
        collectHostCopy();
        return;
    }
    collectFolder(QLatin1String(kArtifactsDir), ArtifactCaps{limits.artifactBytes, limits.artifactFiles}, kListDepth);
    listFolder();
}

void E2BRun::collectHostCopy()
{
    if (!m_hostCopy || !m_sandbox || m_facts.cancelled) {
        deleteAndFinish();
        return;
    }
    m_collectingHost = true;
    const QString dir = QLatin1String(kHostFolderMountPoint);
    collectFolder(dir, reviewCollectionCaps(), m_hostListDepth);
    // ListDir resolves a link given as its path and names the entries after the target: a link to an
    // empty folder would pass for a copy whose files were all deleted. The parent's listing shows
    // what stands at /workspace/host itself.
    const QString parent = QLatin1String(kWorkspaceDir);
    fetchCapped(listDirRequest(*m_sandbox, parent, 1), kMaxListingBytes,
                [this, dir, parent](http::HttpReply* reply, const QByteArray& body, bool tooLarge) {
                    const std::optional<QList<ListedEntry>> entries = takeListing(reply, body, tooLarge, parent);
                    if (!entries)
                        return;
                    const auto it = std::find_if(entries->cbegin(), entries->cend(),
                                                 [&dir](const ListedEntry& e) { return e.path == dir; });
                    if (it == entries->cend())
                        return finishCollecting(QStringLiteral("The program removed %1 itself: nothing came back, "
                                                               "and no file is shown as deleted.")
                                                    .arg(dir));
                    if (it->kind == ListedEntry::Kind::Symlink)
                        return finishCollecting(QStringLiteral("The program replaced %1 with a symbolic link, which "
                                                               "is never followed: nothing came back.")
                                                    .arg(dir));
                    if (it->kind != ListedEntry::Kind::Directory)
                        return finishCollecting(QStringLiteral("The program replaced %1 with something that is not "
                                                               "a folder: nothing came back.")
                                                    .arg(dir));
                    listFolder();
                });
}

void E2BRun::collectFolder(const QString& dir, const ArtifactCaps& caps, int depth)
{
    m_phase = Phase::Collecting;
    stopTimers();
    m_collectDir = dir;
    m_collectDepth = depth;
    m_listed = false;
    m_collectProblems.clear();
    m_pendingArtifacts.clear();
    m_collector.emplace(caps);
    m_collectTimer.start(kCollectTimeoutMs);
}

void E2BRun::listFolder()
{
    fetchCapped(
        listDirRequest(*m_sandbox, m_collectDir, m_collectDepth), kMaxListingBytes,
        [this](http::HttpReply* reply, const QByteArray& body, bool tooLarge) { onListing(reply, body, tooLarge); });
}

http::HttpReply* E2BRun::fetchCapped(const http::HttpRequest& request, qint64 cap,
                                     std::function<void(http::HttpReply*, const QByteArray&, bool)> done)
{
    // Streamed and counted as it arrives: past the cap the transfer is cut, whatever it would say.
    auto body = std::make_shared<QByteArray>();
    auto tooLarge = std::make_shared<bool>(false);
    http::HttpReply* reply = m_api->stream(request, this);
    m_collectReply = reply;
    connect(reply, &http::HttpReply::dataReceived, this, [reply, body, tooLarge, cap](const QByteArray& chunk) {
        if (*tooLarge)
            return;
        // An error answer is not the file: it has its own, small, cap and is only kept to be described.
        if (reply->status() != 200) {
            body->append(chunk.left(4096 - body->size()));
            return;
        }
        if (chunk.size() > cap - body->size()) {
            *tooLarge = true;
            reply->abort();
            return;
        }
        body->append(chunk);
    });
    connect(reply, &http::HttpReply::finished, this, [this, reply, body, tooLarge, done] {
        reply->deleteLater();
        if (m_collectReply == reply)
            m_collectReply = nullptr;
        if (m_phase == Phase::Collecting)
            done(reply, *body, *tooLarge);
    });
    return reply;
}

std::optional<QList<ListedEntry>> E2BRun::takeListing(http::HttpReply* reply, const QByteArray& body, bool tooLarge,
                                                      const QString& dir)
{
    // Every way a listing can fail ends the folder's collection with the reason.
    QString problem;
    if (tooLarge)
        problem = QStringLiteral("The listing of %1 was larger than %2, so nothing was collected.")
                      .arg(dir, humanBytes(kMaxListingBytes));
    else if (!reply->errorString().isEmpty())
        problem = m_collectingHost
                      ? QStringLiteral("The copy of the folder could not be listed: %1.").arg(reply->errorString())
                      : QStringLiteral("The artifacts could not be listed: %1.").arg(reply->errorString());
    else if (reply->status() == 404)
        problem = m_collectingHost ? QStringLiteral("The program removed %1 itself: nothing came back, and no file is "
                                                    "shown as deleted.")
                                         .arg(m_collectDir)
                                   : QStringLiteral("No artifacts: the program removed %1.").arg(dir);
    else if (reply->status() != 200)
        problem = describeEnvdError(reply->status(), body, QStringLiteral("list %1").arg(dir));
    std::optional<QList<ListedEntry>> entries;
    if (problem.isEmpty())
        entries = parseListDir(body, &problem);
    if (!entries)
        finishCollecting(problem);
    return entries;
}

void E2BRun::onListing(http::HttpReply* reply, const QByteArray& body, bool tooLarge)
{
    const QString dir = m_collectDir;
    std::optional<QList<ListedEntry>> entries = takeListing(reply, body, tooLarge, dir);
    if (!entries)
        return;
    const QString prefix = dir + QLatin1Char('/');
    for (const ListedEntry& e : std::as_const(*entries)) {
        // envd lists the folder a link points to, with that folder's paths.
        if (!e.path.startsWith(prefix))
            return finishCollecting(m_collectingHost
                                        ? QStringLiteral("The program replaced %1 with a symbolic link, which is "
                                                         "never followed: nothing came back.")
                                              .arg(dir)
                                        : QStringLiteral("No artifacts: the program replaced %1 with a symbolic link, "
                                                         "which is never followed.")
                                              .arg(dir));
    }
    m_listed = true;
    // The order tar --sort=name gives on Docker: part by part.
    std::stable_sort(entries->begin(), entries->end(), [](const ListedEntry& a, const ListedEntry& b) {
        return a.path.split(QLatin1Char('/')) < b.path.split(QLatin1Char('/'));
    });
    bool deeper = false;
    for (const ListedEntry& e : std::as_const(*entries)) {
        const QByteArray name = e.path.mid(prefix.size()).toUtf8();
        switch (e.kind) {
        case ListedEntry::Kind::File:
            if (e.size < 0)
                m_collector->refuse(name, QStringLiteral("envd did not say its size."));
            else if (m_collector->admit(name, e.size))
                m_pendingArtifacts.append({name, e.size});
            break;
        case ListedEntry::Kind::Directory:
            m_collector->checkFolder(name);
            // A folder at the listing's depth is listed, what it holds is not.
            deeper = deeper || name.count('/') + 1 >= m_collectDepth;
            break;
        case ListedEntry::Kind::Symlink:
            m_collector->refuseLink(name, e.symlinkTarget.toUtf8());
            break;
        case ListedEntry::Kind::Other:
            m_collector->refuse(name, QStringLiteral("It is not a plain file (a FIFO, a socket or a device); only plain "
                                                     "files are collected."));
            break;
        }
    }
    if (deeper)
        m_collectProblems << QStringLiteral("What lies more than %1 levels deep in %2 was not listed, so it was not "
                                            "collected.")
                                 .arg(m_collectDepth)
                                 .arg(dir);
    downloadNextArtifact();
}

void E2BRun::downloadNextArtifact()
{
    if (m_pendingArtifacts.isEmpty())
        return finishCollecting();
    const PendingArtifact next = m_pendingArtifacts.first();
    const QString path = QString::fromUtf8(next.path);
    const QString remote = m_collectDir + QLatin1Char('/') + path;
    fetchCapped(downloadFileRequest(*m_sandbox, remote), next.size,
                [this, next, path](http::HttpReply* reply, const QByteArray& body, bool tooLarge) {
                    m_pendingArtifacts.removeFirst();
                    if (tooLarge)
                        m_collector->withdraw(path, next.size, QStringLiteral("It grew past its listed %1 while it was "
                                                                              "being collected.")
                                                                   .arg(humanBytes(next.size)));
                    else if (!reply->errorString().isEmpty())
                        m_collector->withdraw(path, next.size, QStringLiteral("It could not be downloaded: %1.")
                                                                   .arg(reply->errorString()));
                    else if (reply->status() == 404)
                        m_collector->withdraw(path, next.size, QStringLiteral("It disappeared before it could be "
                                                                              "collected."));
                    else if (reply->status() != 200)
                        m_collector->withdraw(path, next.size,
                                              describeEnvdError(reply->status(), body, QStringLiteral("download it")));
                    else
                        m_collector->add(path, body);
                    downloadNextArtifact();
                });
}

void E2BRun::finishCollecting(const QString& problem)
{
    m_collectTimer.stop();
    m_pendingArtifacts.clear();
    QStringList problems = m_collectProblems;
    if (!problem.isEmpty())
        problems << problem;
    ArtifactCollection collection = m_collector->finish(problems);
    if (m_stoppedAtLimit && !collection.files.isEmpty())
        collection.note = QStringLiteral("The program was stopped at its limit, so these files may be incomplete.") +
                          (collection.note.isEmpty() ? QString() : QLatin1Char(' ') + collection.note);
    if (!m_collectingHost) {
        m_artifacts = collection;
        collectHostCopy();
        return;
    }
    // A copy that was never listed did not come back at all: nothing is offered, nothing inferred.
    if (m_listed)
        m_hostCollection = collection;
    else
        m_hostProblem = problem;
    deleteAndFinish();
}

void E2BRun::cancel()
{
    if (isFinished() || m_facts.cancelled)
        return;
    m_facts.cancelled = true;
    switch (m_phase) {
    case Phase::Idle:
        finishNow();
        return;
    case Phase::Creating:
        // E2B may already have made it: wait for its id, then delete it.
        emit progress(QStringLiteral("Stopping: waiting for E2B to hand over the sandbox so it can be deleted."));
        return;
    case Phase::Stopping:
    case Phase::Deleting:
    case Phase::Done:
        return;
    case Phase::Collecting:
        emit progress(QStringLiteral("Stopped by you: the artifacts are not kept; deleting the sandbox."));
        m_artifacts = {};
        m_artifacts.note = QStringLiteral("No artifacts: the sandbox was stopped before they could be collected.");
        if (m_hostCopy)
            m_hostProblem = QStringLiteral("The sandbox was stopped before its copy of the folder was collected.");
        deleteAndFinish();
        return;
    default:
        emit progress(QStringLiteral("Stopped by you: killing the program and deleting the sandbox."));
        stopProgram();
        return;
    }
}

void E2BRun::fail(const QString& sentence)
{
    if (m_phase == Phase::Deleting || m_phase == Phase::Done)
        return;
    if (m_facts.backendError.isEmpty())
        m_facts.backendError = sentence;
    if (m_wallClock.isValid() && m_facts.wallMs == 0)
        m_facts.wallMs = m_wallClock.elapsed();
    qCDebug(lcE2B).noquote() << "run failed:" << sentence;
    deleteAndFinish();
}

void E2BRun::stopTimers()
{
    m_wallTimer.stop();
    m_startTimer.stop();
    m_idleTimer.stop();
    m_metricsTimer.stop();
}

void E2BRun::abortAll()
{
    stopTimers();
    m_collectTimer.stop();
    if (m_collectReply)
        m_collectReply->abort();
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->abort();
        m_stream->deleteLater();
        m_stream = nullptr;
    }
    const QList<QPointer<E2BCall>> calls = std::exchange(m_calls, {});
    for (const QPointer<E2BCall>& call : calls) {
        if (call)
            call->abort();
    }
    if (m_metricsCall)
        m_metricsCall->abort();
}

void E2BRun::deleteAndFinish()
{
    if (m_phase == Phase::Deleting || m_phase == Phase::Done)
        return;
    m_phase = Phase::Deleting;
    abortAll();
    if (!m_sandbox || !m_api) {
        finishNow();
        return;
    }
    const QString id = m_sandbox->id;
    m_api->send(killSandboxRequest(m_api->config(), id), this, [this, id](const E2BResponse& r) {
        // 404: already gone (it timed out, or E2B removed it). Both mean nothing is left running.
        if (r.ok() || (r.transportOk() && r.status == 404)) {
            m_deleted = true;
            emit progress(QStringLiteral("Sandbox %1 deleted.").arg(shortId(id)));
        } else {
            const QString why = r.transportOk() ? describeApiError(r.status, r.body, ApiCall::KillSandbox)
                                                : describeTransportError(r.transportError, m_api->apiService());
            m_cleanupNote += QStringLiteral(" The sandbox %1 could not be deleted (%2); E2B ends it by itself within "
                                            "%3.")
                                 .arg(shortId(id), why)
                                 .arg(humanDuration(spec().limits.wallTimeoutMs + kSandboxMarginSeconds * 1000));
            qCWarning(lcE2B).noquote() << "could not delete sandbox" << id << ":" << why;
        }
        finishNow();
    });
}

void E2BRun::finishNow()
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    abortAll();

    m_facts.peakMemoryBytes = m_peakMemory;
    // The VM's size is the only memory limit there is; without a sample it is unknown, and no
    // out-of-memory verdict can be inferred from figures.
    if (m_memoryTotal > 0)
        m_facts.limits.memoryBytes = m_memoryTotal;

    const VerdictDecision decision = decideVerdict(m_facts);
    RunResult result;
    result.verdict = decision.verdict;
    result.exitCode = decision.exitCode;
    result.signal = decision.signal;
    result.message = decision.message;
    switch (decision.verdict) {
    case Verdict::Ok:
    case Verdict::ExitNonzero:
    case Verdict::Timeout:
    case Verdict::OutputLimit:
    case Verdict::MemoryLimit:
    case Verdict::PidsLimit: {
        QString vm;
        if (m_cpuCount > 0 && m_memoryTotal > 0)
            vm = QStringLiteral(" (%1 CPUs, %2)").arg(m_cpuCount).arg(humanBytes(m_memoryTotal));
        result.message += QStringLiteral(" Memory and CPUs come from the E2B template%1, not from CodeCourier's limits; "
                                         "CPU and memory figures are samples of the whole sandbox.")
                              .arg(vm);
        break;
    }
    case Verdict::Cancelled:
    case Verdict::BackendError:
        break;
    }
    result.message += m_cleanupNote;
    result.wallMs = m_facts.wallMs;
    result.cpuMs = m_cpuMsEstimate >= 0 ? qint64(std::llround(m_cpuMsEstimate)) : -1;
    result.peakMemoryBytes = m_peakMemory;
    result.peakMemoryIsSample = m_peakMemory >= 0;
    result.memoryLimitBytes = m_memoryTotal > 0 ? m_memoryTotal : 0;
    result.outputBytes = m_outputCap.delivered();
    result.outputTruncated = m_outputCap.reached();
    result.backend = QStringLiteral("e2b");
    result.image = spec().image;
    result.sandboxId = m_sandbox ? m_sandbox->id : QString();
    result.network = spec().grants.network;
    result.mountedFolder = m_hostFolder;
    result.artifacts = m_artifacts.files;
    result.refusedArtifacts = m_artifacts.refused;
    result.artifactsNote = m_artifacts.note;
    if (m_hostCopy) {
        if (m_hostCollection) {
            result.hostChanges = computeChangeSet(*m_hostCopy, *m_hostCollection);
        } else {
            result.hostChanges = uncollectedChangeSet(m_hostCopy->folder, m_hostProblem);
        }
    }
    finish(result);
}

} // namespace cc::e2b
