#include "DockerRun.h"

#include "ArtifactArchive.h"
#include "ChangeSet.h"
#include "CgroupReport.h"
#include "ContainerProfile.h"
#include "DockerApi.h"
#include "HostCgroup.h"
#include "HostFolderPolicy.h"
#include "http/HttpClient.h"

#include <QDir>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcDocker, "codecourier.docker", QtInfoMsg)

namespace cc::docker {

namespace {

constexpr int kMeasureTimeoutMs = 5'000;
constexpr int kRemoveTimeoutMs = 20'000;
constexpr int kStopWaitMs = 1'500;
// Collecting happens after the program ended, so it must not stretch the run much.
constexpr int kCollectTimeoutMs = 15'000;
// The idle process outlives the run's own limit by this much; it only matters if we vanish.
constexpr int kIdleMarginSeconds = 120;

const nlohmann::json kExecStartBody = {{"Detach", false}, {"Tty", false}};

// Streams /workspace/$1 (out: the artifacts; host: a review run's copy) as a tar. The archive
// endpoint of the engine does not see tmpfs mounts (GET /containers/{id}/archive answers 404 for a
// path on the workspace tmpfs, Docker 20.10), so tar runs in the sandbox, as the sandbox user. First every other process of the sandbox but its
// init gets SIGSTOP (kill -1 never reaches outside the sandbox's PID namespace): whatever the
// program left running, or the program itself at a limit, can no longer write, kill tar or swap
// the folder, and nothing exits, so the idle process keeps the sandbox up (SIGKILL would end it).
// A folder replaced by a link is not followed. Only these two fixed sentences on stderr are ours;
// anything else there is tar's (names included).
const char* const kCollectScript = R"SH(kill -STOP -1 2>/dev/null
[ -L "/workspace/$1" ] && { echo "codecourier: $1 is a link" >&2; exit 3; }
cd "/workspace/$1" 2>/dev/null || { echo "codecourier: $1 is missing" >&2; exit 4; }
exec tar --sort=name -cf - .
)SH";

/// What the tar stream may carry beyond the artifacts themselves: headers, long names, padding and
/// the entries that get refused. Past this, reading stops.
qint64 archiveCap(const ArtifactCaps& caps)
{
    return caps.maxBytes + qint64(caps.maxFiles + kMaxRefusedListed) * 8 * 1024 + 1024 * 1024;
}

QString shortId(const QString& id)
{
    return id.left(12);
}

template <typename T> T jsonNumber(const nlohmann::json& j, const char* key, T fallback)
{
    if (j.is_object() && j.contains(key) && j[key].is_number())
        return j[key].get<T>();
    return fallback;
}

} // namespace

DockerRun::DockerRun(DockerApi* api, RunSpec spec, Setup setup, QObject* parent)
    : Run(std::move(spec), parent), m_api(api), m_setup(std::move(setup)), m_outputCap(this->spec().limits.outputBytes)
{
    m_facts.limits = this->spec().limits;
    // Ours from the start: whatever happens next, removeAndFinish() removes it.
    m_containerId = m_setup.pooledContainerId;
    m_wallTimer.setSingleShot(true);
    m_wallTimer.setTimerType(Qt::PreciseTimer);
    m_collectTimer.setSingleShot(true);
    connect(&m_collectTimer, &QTimer::timeout, this, [this] {
        if (m_phase != Phase::Collecting || !m_artifactStream)
            return;
        m_archiveCut = true;
        m_artifacts.note = QStringLiteral("Collecting %1 took longer than %2, so it was stopped; what had "
                                          "arrived was kept.")
                               .arg(QLatin1String(collectCaps().folder), humanDuration(kCollectTimeoutMs));
        m_artifactStream->abort();
    });
    connect(&m_wallTimer, &QTimer::timeout, this, [this] {
        if (m_phase != Phase::Running)
            return;
        m_facts.timedOut = true;
        emit progress(QStringLiteral("Time limit of %1 reached: killing the sandbox.")
                          .arg(humanDuration(this->spec().limits.wallTimeoutMs)));
        killForLimit();
    });
}

DockerRun::~DockerRun()
{
    if (m_artifactStream)
        m_artifactStream->abort();
    if (m_programStream)
        m_programStream->abort();
    if (m_statsStream)
        m_statsStream->abort();
}

void DockerRun::begin()
{
    QTimer::singleShot(0, this, [this] {
        if (isFinished() || m_phase != Phase::Idle)
            return;
        const RunSpec& s = spec();
        QString problem = validateLimits(s.limits);
        if (problem.isEmpty() && s.image.trimmed().isEmpty())
            problem = QStringLiteral("No image is set for this language: choose one in the settings or pass --image.");
        if (problem.isEmpty() && s.command.isEmpty())
            problem = QStringLiteral("There is no command to run the snippet with.");
        qint64 totalBytes = s.stdinData.size();
        for (const SandboxFile& f : s.files) {
            if (problem.isEmpty())
                problem = checkWorkspacePath(f.relativePath);
            totalBytes += f.content.size();
        }
        if (problem.isEmpty() && totalBytes > s.limits.tmpfsBytes / 2)
            problem = QStringLiteral("The snippet and its stdin (%1) are too large for the sandbox's %2 workspace.")
                          .arg(humanBytes(totalBytes), humanBytes(s.limits.tmpfsBytes));
        if (problem.isEmpty() && !s.grants.hostFolder.isEmpty()) {
            const HostFolderCheck check =
                checkHostFolder(s.grants.hostFolder, QDir::homePath(), m_api->endpoint().socketPath);
            if (!check.ok())
                problem = check.error;
            else if (s.grants.hostFolderMode == Grants::HostFolderMode::ReadOnly)
                m_setup.hostFolder = check.canonicalPath;
            else
                problem = takeReviewCopy(check.canonicalPath, totalBytes);
        }
        if (problem.isEmpty() && !m_api->endpoint().error.isEmpty())
            problem = m_api->endpoint().error;
        if (!problem.isEmpty()) {
            fail(problem);
            return;
        }
        m_plan = planExecs(s, 1024 * 1024, 96 * 1024, m_hostCopy ? &*m_hostCopy : nullptr);
        if (!m_setup.pooledContainerId.isEmpty()) {
            // A pre-started, never-used container of exactly this profile: no create, no start.
            emit created(m_containerId);
            onSandboxStarted(QStringLiteral("ready (pre-started, never used)"));
        } else if (!m_setup.networkName.isEmpty()) {
            createNetwork();
        } else {
            createContainer();
        }
    });
}

void DockerRun::createNetwork()
{
    m_phase = Phase::CreatingNetwork;
    emit progress(QStringLiteral("Creating network %1 for this run (network access granted).").arg(m_setup.networkName));
    nlohmann::json labels = nlohmann::json::object();
    for (auto it = m_setup.labels.cbegin(); it != m_setup.labels.cend(); ++it)
        labels[it.key().toStdString()] = it.value().toStdString();
    const nlohmann::json body = {{"Name", m_setup.networkName.toStdString()},
                                 {"Driver", "bridge"},
                                 {"CheckDuplicate", true},
                                 {"Internal", false},
                                 {"Attachable", false},
                                 {"Labels", labels},
                                 {"Options", {{"com.docker.network.bridge.enable_icc", "false"}}}};
    m_api->call("POST", "/networks/create", body, this, [this](const DockerResponse& r) {
        if (!r.ok()) {
            fail(QStringLiteral("Could not create the run's network. %1").arg(r.error));
            return;
        }
        m_networkId = r.stringField("Id");
        if (m_facts.cancelled) {
            removeAndFinish();
            return;
        }
        createContainer();
    });
}

void DockerRun::createContainer()
{
    m_phase = Phase::Creating;
    const RunSpec& s = spec();
    emit progress(QStringLiteral("Creating a sandbox from image %1.").arg(s.image));
    ContainerPlacement placement;
    placement.networkName = m_setup.networkName;
    placement.hostFolder = m_setup.hostFolder;
    placement.labels = m_setup.labels;
    placement.idleSeconds = s.limits.wallTimeoutMs / 1000 + kIdleMarginSeconds;
    const nlohmann::json body = hardenedContainerConfig(s, placement);
    const QByteArray path = "/containers/create?name=" + DockerApi::query(m_setup.containerName);
    m_api->call("POST", path, body, this, [this](const DockerResponse& r) {
        if (!r.ok()) {
            QString why = r.error;
            if (r.status == 404)
                why = QStringLiteral("The image %1 is not in the Docker engine. Build CodeCourier's runner image with "
                                     "`codecourier-build-images` (in a source tree: "
                                     "`packaging/images/build-images.sh`), or pull the image (`docker pull %1`).")
                          .arg(spec().image);
            fail(why);
            return;
        }
        m_containerId = r.stringField("Id");
        if (m_containerId.isEmpty()) {
            fail(QStringLiteral("Docker created a container but did not say its id: the engine's answer was garbled."));
            return;
        }
        emit created(m_containerId);
        if (m_facts.cancelled) {
            removeAndFinish();
            return;
        }
        startContainer();
    });
}

void DockerRun::startContainer()
{
    m_phase = Phase::Starting;
    m_api->call("POST", "/containers/" + m_containerId.toLatin1() + "/start", nullptr, this,
                [this](const DockerResponse& r) {
                    if (m_phase != Phase::Starting)
                        return;
                    if (!r.ok()) {
                        fail(QStringLiteral("The sandbox could not start. %1").arg(r.error));
                        return;
                    }
                    onSandboxStarted(QStringLiteral("started"));
                });
}

void DockerRun::onSandboxStarted(const QString& how)
{
    const Limits& l = spec().limits;
    const QString network = m_setup.networkName.isEmpty() ? QStringLiteral("no network") : QStringLiteral("network granted");
    const QString folder =
        m_hostCopy ? QStringLiteral("a copy of %1 at %2 for review").arg(m_hostCopy->folder, QLatin1String(kHostFolderMountPoint))
        : m_setup.hostFolder.isEmpty()
            ? QStringLiteral("no host folder")
            : QStringLiteral("%1 read-only at %2").arg(m_setup.hostFolder, QLatin1String(kHostFolderMountPoint));
    emit progress(QStringLiteral("Sandbox %1 %2: %3, %4, %5 memory, %6 CPU, %7 processes.")
                      .arg(shortId(m_containerId), how, network, folder, humanBytes(l.memoryBytes))
                      .arg(l.cpus)
                      .arg(l.pids));
    m_sandboxStarted = true;
    startStats();
    locateHostCgroup();
    m_phase = Phase::Delivering;
    runNextDelivery();
}

void DockerRun::locateHostCgroup()
{
    // Off the critical path: by the time the program ends, the figures can be read directly.
    m_api->call("GET", "/containers/" + m_containerId.toLatin1() + "/json", nullptr, this, [this](const DockerResponse& r) {
        const auto body = r.json();
        const auto state = body.is_object() ? body.value("State", nlohmann::json::object()) : nlohmann::json();
        if (r.ok() && state.is_object())
            m_hostCgroup = HostCgroup::locate(jsonNumber<qint64>(state, "Pid", 0), m_containerId);
    });
}

void DockerRun::startStats()
{
    m_statsStream = m_api->stream("GET", "/containers/" + m_containerId.toLatin1() + "/stats?stream=true", nullptr, this);
    connect(m_statsStream, &http::HttpReply::dataReceived, this, &DockerRun::onStatsData);
    connect(m_statsStream, &http::HttpReply::finished, m_statsStream, &QObject::deleteLater);
}

void DockerRun::onStatsData(const QByteArray& bytes)
{
    if (m_statsStream && m_statsStream->status() != 200)
        return;
    m_statsBuffer.append(bytes);
    qsizetype newline;
    while ((newline = m_statsBuffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_statsBuffer.left(newline);
        m_statsBuffer.remove(0, newline + 1);
        const auto j = nlohmann::json::parse(line.constBegin(), line.constEnd(), nullptr, false);
        if (!j.is_object())
            continue;
        const auto& cpu = j.value("cpu_stats", nlohmann::json::object());
        const qint64 cpuNs = jsonNumber<qint64>(cpu.value("cpu_usage", nlohmann::json::object()), "total_usage", -1);
        const auto& mem = j.value("memory_stats", nlohmann::json::object());
        qint64 usage = jsonNumber<qint64>(mem, "usage", -1);
        if (usage < 0)
            continue;  // a container that is gone reports empty figures
        // As `docker stats` does: page cache that can be dropped at once is not counted as use.
        const auto& memStats = mem.value("stats", nlohmann::json::object());
        const qint64 inactiveFile = jsonNumber<qint64>(memStats, "total_inactive_file",
                                                       jsonNumber<qint64>(memStats, "inactive_file", 0));
        if (inactiveFile > 0 && inactiveFile < usage)
            usage -= inactiveFile;
        const qint64 maxUsage = jsonNumber<qint64>(mem, "max_usage", -1);
        m_maxSampledMemory = qMax(m_maxSampledMemory, qMax(usage, maxUsage));

        const qint64 nowMs = m_wallClock.isValid() ? m_wallClock.elapsed() : 0;
        StatsSample sample;
        sample.elapsedMs = nowMs;
        sample.cpuMs = cpuNs >= 0 ? cpuNs / 1'000'000 : 0;
        sample.memoryBytes = usage;
        sample.memoryLimitBytes = jsonNumber<qint64>(mem, "limit", spec().limits.memoryBytes);
        sample.pids = jsonNumber<int>(j.value("pids_stats", nlohmann::json::object()), "current", 0);
        if (m_lastCpuNs >= 0 && cpuNs >= m_lastCpuNs && nowMs > m_lastSampleMs)
            sample.cpuPercent = double(cpuNs - m_lastCpuNs) / 1e4 / double(nowMs - m_lastSampleMs);
        m_lastCpuNs = cpuNs;
        m_lastSampleMs = nowMs;
        m_lastSample = sample;
        if (m_phase == Phase::Running)
            emit stats(sample);
    }
}

void DockerRun::execBuffered(const QStringList& cmd, int timeoutMs,
                             std::function<void(const DockerResponse&, int, const QByteArray&, const QByteArray&)> done)
{
    const QByteArray createPath = "/containers/" + m_containerId.toLatin1() + "/exec";
    m_api->call("POST", createPath, execConfig(cmd), this, [this, timeoutMs, done](const DockerResponse& r) {
        if (!r.ok()) {
            done(r, -1, {}, {});
            return;
        }
        const QByteArray execId = r.stringField("Id").toLatin1();
        m_api->call(
            "POST", "/exec/" + execId + "/start", kExecStartBody, this,
            [this, execId, done](const DockerResponse& started) {
                if (!started.ok()) {
                    done(started, -1, {}, {});
                    return;
                }
                QByteArray out, err;
                DockerFrameDecoder decoder;
                for (const auto& chunk : decoder.feed(started.body))
                    (chunk.stream == DockerFrameDecoder::Stream::Stderr ? err : out).append(chunk.payload);
                m_api->call("GET", "/exec/" + execId + "/json", nullptr, this,
                            [done, out, err](const DockerResponse& inspected) {
                                const int code = jsonNumber<int>(inspected.json(), "ExitCode", -1);
                                done(inspected, code, out, err);
                            });
            },
            timeoutMs);
    });
}

void DockerRun::runNextDelivery()
{
    if (m_phase != Phase::Delivering)
        return;
    if (m_deliveryIndex >= m_plan.deliveryExecs.size()) {
        startProgram();
        return;
    }
    const QStringList cmd = m_plan.deliveryExecs.at(m_deliveryIndex++);
    execBuffered(cmd, 60'000, [this](const DockerResponse& r, int code, const QByteArray&, const QByteArray& err) {
        if (m_phase != Phase::Delivering)
            return;
        if (!r.ok() || code != 0) {
            fail(QStringLiteral("The snippet's files could not be copied into the sandbox. %1")
                     .arg(r.ok() ? QString::fromUtf8(err).trimmed() : r.error));
            return;
        }
        runNextDelivery();
    });
}

void DockerRun::startProgram()
{
    const QByteArray createPath = "/containers/" + m_containerId.toLatin1() + "/exec";
    m_api->call("POST", createPath, execConfig(m_plan.runExec, spec().env), this, [this](const DockerResponse& r) {
        if (m_phase != Phase::Delivering)
            return;
        if (!r.ok()) {
            fail(QStringLiteral("The program could not be started in the sandbox. %1").arg(r.error));
            return;
        }
        m_execId = r.stringField("Id");
        m_phase = Phase::Running;
        m_programStream = m_api->stream("POST", "/exec/" + m_execId.toLatin1() + "/start", kExecStartBody, this);
        connect(m_programStream, &http::HttpReply::headersReceived, this, [this](int status) {
            if (status != 200)
                return;  // the error body follows and is reported when the stream ends
            m_wallClock.start();
            m_wallTimer.start(spec().limits.wallTimeoutMs);
            emit started();
        });
        connect(m_programStream, &http::HttpReply::dataReceived, this, &DockerRun::onProgramOutput);
        connect(m_programStream, &http::HttpReply::finished, this, &DockerRun::onProgramStreamEnded);
    });
}

void DockerRun::onProgramOutput(const QByteArray& bytes)
{
    if (m_phase != Phase::Running || !m_programStream)
        return;
    if (m_programStream->status() != 200) {
        m_stderrHead.append(bytes.left(4096 - m_stderrHead.size()));
        return;
    }
    const auto chunks = m_decoder.feed(bytes);
    if (m_decoder.hasError()) {
        fail(QStringLiteral("Docker sent an output stream that is not in its documented format; the run was stopped."));
        return;
    }
    for (const auto& chunk : chunks) {
        const Stream stream = chunk.stream == DockerFrameDecoder::Stream::Stderr ? Stream::Stderr : Stream::Stdout;
        if (stream == Stream::Stderr && m_stderrHead.size() < 512)
            m_stderrHead.append(chunk.payload.left(512 - m_stderrHead.size()));
        const QByteArray admitted = m_outputCap.admit(chunk.payload);
        if (!admitted.isEmpty())
            emit output(stream, admitted);
        if (m_outputCap.reached()) {
            m_facts.outputLimitReached = true;
            emit progress(QStringLiteral("Output limit of %1 reached: killing the sandbox.")
                              .arg(humanBytes(m_outputCap.cap())));
            killForLimit();
            return;
        }
    }
}

void DockerRun::onProgramStreamEnded()
{
    http::HttpReply* reply = m_programStream;
    if (!reply)
        return;
    m_programStream = nullptr;
    reply->deleteLater();
    if (m_phase != Phase::Running)
        return;  // we ended it ourselves (limit, cancel, failure) and are already cleaning up
    m_wallTimer.stop();
    m_facts.wallMs = m_wallClock.isValid() ? m_wallClock.elapsed() : 0;
    if (!reply->errorString().isEmpty()) {
        fail(QStringLiteral("Lost contact with Docker during the run. %1")
                 .arg(m_api->describeTransportError(reply->errorString())));
        return;
    }
    if (reply->status() != 200) {
        fail(QStringLiteral("The program could not be started in the sandbox. %1")
                 .arg(DockerApi::describeApiError(reply->status(), m_stderrHead)));
        return;
    }
    measure();
}

void DockerRun::measure()
{
    m_phase = Phase::Measuring;
    auto pending = std::make_shared<int>(2);
    auto maybeDone = [this, pending] {
        if (--*pending == 0 && m_phase == Phase::Measuring)
            checkSandboxStillRunning();
    };
    m_api->call("GET", "/exec/" + m_execId.toLatin1() + "/json", nullptr, this, [this, maybeDone](const DockerResponse& r) {
        const auto j = r.json();
        if (r.ok() && j.is_object() && j.contains("ExitCode") && j["ExitCode"].is_number())
            m_facts.exitStatus = j["ExitCode"].get<int>();
        else
            m_facts.backendError = QStringLiteral("Lost contact with Docker before it reported how the program exited. %1")
                                       .arg(r.error);
        maybeDone();
    });
    auto applyReport = [this](const CgroupReport& report) {
        m_cpuNs = report.cpuNs;
        m_peakMemory = report.peakMemoryBytes;
        m_facts.oomKills = report.oomKills;
        m_facts.pidsLimitHits = report.pidsLimitHits;
    };
    // The kernel's own figures: straight from this host's cgroup files when the engine is local,
    // else from inside the sandbox. A sandbox at its pids limit cannot start that exec; the
    // sampled figures stand in then.
    if (m_hostCgroup) {
        const CgroupReport report = m_hostCgroup->read();
        if (report.cpuNs >= 0 && report.peakMemoryBytes >= 0) {
            applyReport(report);
            maybeDone();
            return;
        }
    }
    execBuffered(CgroupReport::command(), kMeasureTimeoutMs,
                 [this, maybeDone, applyReport](const DockerResponse& r, int code, const QByteArray& out,
                                                const QByteArray&) {
                     if (r.ok() && code == 0) {
                         applyReport(CgroupReport::parse(out));
                         maybeDone();
                         return;
                     }
                     qCDebug(lcDocker) << "cgroup figures unavailable:" << r.error << code;
                     maybeDone();
                 });
}

void DockerRun::checkSandboxStillRunning()
{
    // A SIGKILL that was neither ours nor the OOM killer's may mean the program ended the
    // sandbox's own main process, which takes everything with it. A sandbox that stops within a
    // moment did exactly that; one still running after the wait was not stopped.
    if (m_facts.exitStatus != 137 || m_facts.oomKills > 0) {
        collectArtifacts();
        return;
    }
    m_api->call("POST", "/containers/" + m_containerId.toLatin1() + "/wait?condition=not-running", nullptr, this,
                [this](const DockerResponse& waited) {
                    if (m_phase != Phase::Measuring)
                        return;
                    // 404: it stopped and the engine's auto-removal already took it.
                    if (waited.ok() || waited.status == 404)
                        m_sandboxStoppedEarly = true;
                    collectArtifacts();
                },
                kStopWaitMs);
}

QString DockerRun::takeReviewCopy(const QString& canonicalFolder, qint64 snippetBytes)
{
    // The copy lives on the workspace tmpfs with the snippet; half of it stays free for the program.
    const qint64 room = spec().limits.tmpfsBytes / 2 - snippetBytes;
    const qint64 cap = std::min(kReviewFolderMaxBytes, room);
    FolderSnapshot snapshot = takeFolderSnapshot(canonicalFolder, cap, kReviewFolderMaxFiles);
    if (!snapshot.ok()) {
        if (cap < kReviewFolderMaxBytes)
            return snapshot.error + QStringLiteral(" (The copy and the snippet may fill at most half of the sandbox's "
                                                   "%1 workspace.)")
                                        .arg(humanBytes(spec().limits.tmpfsBytes));
        return snapshot.error;
    }
    m_hostCopy = std::move(snapshot);
    return {};
}

ArtifactCaps DockerRun::collectCaps() const
{
    if (m_collectingHost)
        return reviewCollectionCaps();
    return {spec().limits.artifactBytes, spec().limits.artifactFiles, kArtifactsDir};
}

void DockerRun::collectionDone()
{
    if (m_collectingHost || !m_hostCopy || !m_facts.backendError.isEmpty() || m_phase == Phase::Removing
        || m_phase == Phase::Done) {
        removeAndFinish();
        return;
    }
    // /workspace/out is done (or skipped); now the review copy, with the same reader and its own caps.
    m_outArtifacts = std::move(m_artifacts);
    m_artifacts = {};
    m_collectingHost = true;
    m_archive.clear();
    m_archiveStderr.clear();
    m_archiveCut = false;
    m_artifactDecoder = DockerFrameDecoder();
    collectArtifacts();
}

void DockerRun::collectArtifacts()
{
    const Limits& limits = spec().limits;
    if (m_sandboxStoppedEarly) {
        m_artifacts.note = m_collectingHost
                               ? QStringLiteral("The sandbox stopped before its copy of the folder could be collected.")
                               : QStringLiteral("No artifacts: the sandbox stopped before they could be collected.");
        removeAndFinish();
        return;
    }
    if (!m_facts.backendError.isEmpty()) {
        removeAndFinish();
        return;
    }
    if (!m_collectingHost && (limits.artifactFiles == 0 || limits.artifactBytes == 0)) {
        collectionDone();
        return;
    }
    m_phase = Phase::Collecting;
    const QStringList cmd{QStringLiteral("/bin/sh"), QStringLiteral("-c"), QString::fromLatin1(kCollectScript),
                          QStringLiteral("codecourier"),
                          m_collectingHost ? QStringLiteral("host") : QStringLiteral("out")};
    m_api->call("POST", "/containers/" + m_containerId.toLatin1() + "/exec", execConfig(cmd), this,
                [this](const DockerResponse& r) {
                    if (m_phase != Phase::Collecting)
                        return;
                    if (!r.ok()) {
                        m_artifacts.note = collectFailedNote(r.error);
                        collectionDone();
                        return;
                    }
                    const QByteArray execId = QByteArray::fromStdString(r.json().value("Id", std::string()));
                    m_artifactStream = m_api->stream("POST", "/exec/" + execId + "/start", kExecStartBody, this);
                    connect(m_artifactStream, &http::HttpReply::dataReceived, this, &DockerRun::onArtifactData);
                    connect(m_artifactStream, &http::HttpReply::finished, this, &DockerRun::onArtifactStreamEnded);
                    m_collectTimer.start(kCollectTimeoutMs);
                });
}

QString DockerRun::collectFailedNote(const QString& why) const
{
    // At a limit, a sandbox that cannot start one more process (its process limit) is the usual why.
    if (m_collectingHost)
        return QStringLiteral("The copy of the folder could not be collected: %1").arg(why);
    if (m_programStoppedAtLimit)
        return QStringLiteral("No artifacts: the sandbox was stopped before they could be collected.");
    return QStringLiteral("The artifacts could not be collected: %1").arg(why);
}

void DockerRun::onArtifactData(const QByteArray& bytes)
{
    if (m_phase != Phase::Collecting || !m_artifactStream || m_archiveCut)
        return;
    if (m_artifactStream->status() != 200) {
        m_archiveStderr.append(bytes.left(1024 - m_archiveStderr.size()));
        return;
    }
    const auto chunks = m_artifactDecoder.feed(bytes);
    const qint64 cap = archiveCap(collectCaps());
    for (const auto& chunk : chunks) {
        if (chunk.stream == DockerFrameDecoder::Stream::Stderr) {
            m_archiveStderr.append(chunk.payload.left(1024 - m_archiveStderr.size()));
            continue;
        }
        if (chunk.payload.size() > cap - m_archive.size()) {
            // Every byte is the sandbox's: past the cap nothing more is read, whatever it would say.
            m_archive.append(chunk.payload.left(cap - m_archive.size()));
            m_archiveCut = true;
            m_artifacts.note = QStringLiteral("The archive of %1 was larger than %2, so reading stopped there; later "
                                              "entries were not collected.")
                                   .arg(QLatin1String(collectCaps().folder), humanBytes(cap));
            m_artifactStream->abort();
            return;
        }
        m_archive.append(chunk.payload);
    }
    if (m_artifactDecoder.hasError()) {
        m_archiveCut = true;
        m_artifacts.note = QStringLiteral("Docker sent the artifacts in a stream that is not in its documented format; "
                                          "they were not collected.");
        m_archive.clear();
        m_artifactStream->abort();
    }
}

void DockerRun::onArtifactStreamEnded()
{
    http::HttpReply* reply = m_artifactStream;
    if (!reply)
        return;
    m_artifactStream = nullptr;
    reply->deleteLater();
    m_collectTimer.stop();
    if (m_phase != Phase::Collecting)
        return;
    qCDebug(lcDocker) << "artifact archive:" << m_archive.size() << "bytes, cut:" << m_archiveCut
                      << "status:" << reply->status() << "stderr:" << m_archiveStderr.left(200);
    const QString cutNote = m_artifacts.note;
    if (!m_archiveCut && !reply->errorString().isEmpty()) {
        m_artifacts.note = QStringLiteral("Lost contact with Docker while collecting the artifacts; none were kept. %1")
                               .arg(m_api->describeTransportError(reply->errorString()));
        collectionDone();
        return;
    }
    if (reply->status() != 200) {
        m_artifacts.note = collectFailedNote(DockerApi::describeApiError(reply->status(), m_archiveStderr));
        collectionDone();
        return;
    }
    const QByteArray name = m_collectingHost ? "host" : "out";
    const QLatin1String dir(collectCaps().folder);
    if (m_collectingHost && m_archive.isEmpty() && m_archiveStderr.startsWith("codecourier: " + name + " is a link")) {
        m_artifacts.note = QStringLiteral("The program replaced %1 with a symbolic link, which is never followed: "
                                          "nothing came back.")
                               .arg(dir);
    } else if (m_collectingHost && m_archive.isEmpty() && m_archiveStderr.startsWith("codecourier: " + name + " is missing")) {
        m_artifacts.note = QStringLiteral("The program removed %1 itself: nothing came back, and no file is shown as "
                                          "deleted.")
                               .arg(dir);
    } else if (m_archive.isEmpty() && m_archiveStderr.startsWith("codecourier: " + name + " is a link")) {
        m_artifacts.note = QStringLiteral("No artifacts: the program replaced %1 with a symbolic link, which is never "
                                          "followed.")
                               .arg(QLatin1String(kArtifactsDir));
    } else if (m_archive.isEmpty() && m_archiveStderr.startsWith("codecourier: " + name + " is missing")) {
        m_artifacts.note = QStringLiteral("No artifacts: the program removed %1.").arg(QLatin1String(kArtifactsDir));
    } else if (m_archive.size() < 512 && !m_archiveCut) {
        // tar writes whole 10 KiB records, even for an empty folder. Less means it never ran: the
        // engine then sends its own error (runc could not start it) on the stream instead.
        m_artifacts.note = collectFailedNote(QStringLiteral("the sandbox could not start the process that reads "
                                                            "them (it may be at its process limit)."));
    } else {
        m_artifacts = readArtifactArchive(m_archive, collectCaps());
        m_hostCollected = m_collectingHost;
        QStringList note;
        if (!cutNote.isEmpty())
            note << cutNote;
        if (!m_archiveStderr.isEmpty())
            note << QStringLiteral("Some entries could not be read inside the sandbox (tar said so), so they were not "
                                   "collected.");
        if (!m_archiveStderr.isEmpty())
            m_artifacts.complete = false;
        // A cut archive ends inside an entry: the reader says so; that is the cut, not a second problem.
        if (!m_artifacts.note.isEmpty())
            note << m_artifacts.note;
        if (m_programStoppedAtLimit && !m_artifacts.files.isEmpty())
            note.prepend(QStringLiteral("The program was stopped at its limit, so these files may be incomplete."));
        m_artifacts.note = note.join(QLatin1Char(' '));
    }
    m_archive.clear();
    collectionDone();
}

void DockerRun::killForLimit()
{
    if (m_phase == Phase::Removing || m_phase == Phase::Done)
        return;
    const bool atLimit = m_phase == Phase::Running && !m_facts.cancelled;
    m_wallTimer.stop();
    if (m_wallClock.isValid())
        m_facts.wallMs = m_wallClock.elapsed();
    if (atLimit && ((spec().limits.artifactFiles > 0 && spec().limits.artifactBytes > 0) || m_hostCopy)) {
        // The collecting exec stops the program's processes before it reads anything.
        m_programStoppedAtLimit = true;
        collectArtifacts();
        return;
    }
    if (m_phase == Phase::Running || m_phase == Phase::Measuring || m_phase == Phase::Collecting) {
        m_artifacts = {};
        m_artifacts.note = m_collectingHost
                               ? QStringLiteral("The sandbox was stopped before its copy of the folder was collected.")
                               : QStringLiteral("No artifacts: the sandbox was stopped before they could be collected.");
    }
    removeAndFinish();
}

void DockerRun::cancel()
{
    if (isFinished() || m_facts.cancelled)
        return;
    m_facts.cancelled = true;
    switch (m_phase) {
    case Phase::Idle:
        finishNow();
        return;
    case Phase::CreatingNetwork:
    case Phase::Creating:
        // The engine may already have made it: wait for its id, then remove it.
        emit progress(QStringLiteral("Stopping: waiting for Docker to hand over the sandbox so it can be removed."));
        return;
    case Phase::Removing:
    case Phase::Done:
        return;
    default:
        emit progress(QStringLiteral("Stopped by you: removing the sandbox."));
        killForLimit();
        return;
    }
}

void DockerRun::fail(const QString& sentence)
{
    if (m_facts.backendError.isEmpty())
        m_facts.backendError = sentence;
    if (m_wallClock.isValid() && m_facts.wallMs == 0)
        m_facts.wallMs = m_wallClock.elapsed();
    removeAndFinish();
}

void DockerRun::removeAndFinish()
{
    if (m_phase == Phase::Removing || m_phase == Phase::Done)
        return;
    m_phase = Phase::Removing;
    m_wallTimer.stop();
    m_collectTimer.stop();
    if (m_artifactStream)
        m_artifactStream->abort();
    if (m_statsStream)
        m_statsStream->abort();
    if (m_containerId.isEmpty()) {
        removeNetworkAndFinish();
        return;
    }
    // A started container is created with AutoRemove: killing it is enough, and the engine removes
    // it the moment it stops, while the result is already on its way (about 100 ms sooner than
    // waiting for the removal). A container that never started, or one whose run network must go
    // after it, is removed outright. Either way no program runs in it once this call returns.
    const bool killOnly = m_sandboxStarted && m_networkId.isEmpty();
    const QByteArray path = killOnly ? "/containers/" + m_containerId.toLatin1() + "/kill?signal=KILL"
                                     : "/containers/" + m_containerId.toLatin1() + "?force=true&v=true";
    m_api->call(
        killOnly ? "POST" : "DELETE", path, nullptr, this,
        [this, killOnly](const DockerResponse& r) {
            // 404: already gone; 409: no longer running (the engine's auto-removal has it) or its
            // removal is already under way. All fine.
            if (!r.ok() && r.status != 404 && r.status != 409) {
                // The reason is said once: it is usually the one that ended the run.
                const QString why = m_facts.backendError.contains(r.error) ? QString() : QStringLiteral(" (%1)").arg(r.error);
                const QString note = QStringLiteral(" The sandbox %1 could not be removed%2; it is removed as soon as "
                                                    "Docker answers again, and ends by itself within minutes anyway.")
                                         .arg(shortId(m_containerId), why);
                m_cleanupNote += note;
                m_containerLeftBehind = true;
            } else {
                emit progress(killOnly ? QStringLiteral("Sandbox %1 stopped; Docker removes it.").arg(shortId(m_containerId))
                                       : QStringLiteral("Sandbox %1 removed.").arg(shortId(m_containerId)));
            }
            if (m_programStream)
                m_programStream->abort();
            removeNetworkAndFinish();
        },
        kRemoveTimeoutMs);
}

void DockerRun::removeNetworkAndFinish()
{
    if (m_networkId.isEmpty()) {
        finishNow();
        return;
    }
    m_api->call("DELETE", "/networks/" + m_networkId.toLatin1(), nullptr, this, [this](const DockerResponse& r) {
        if (!r.ok() && r.status != 404) {
            m_cleanupNote += QStringLiteral(" The run's network could not be removed (%1); it is swept at the next start.")
                                 .arg(r.error);
            m_networkLeftBehind = true;
        }
        finishNow();
    });
}

void DockerRun::finishNow()
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    if (m_containerLeftBehind || m_networkLeftBehind)
        emit leftBehind(m_containerLeftBehind ? m_containerId : QString(), m_networkLeftBehind ? m_networkId : QString());
    if (m_programStream)
        m_programStream->abort();
    if (m_statsStream)
        m_statsStream->abort();

    // Exact kernel figures when the measuring exec ran; otherwise the best sample.
    if (m_cpuNs < 0 && m_lastCpuNs >= 0)
        m_cpuNs = m_lastCpuNs;
    if (m_peakMemory < 0 && m_maxSampledMemory >= 0) {
        m_peakMemory = m_maxSampledMemory;
        m_peakIsSample = true;
    }
    m_facts.peakMemoryBytes = m_peakMemory;

    // A failure of the delivery script, not of the program: the program never ran.
    if (m_facts.exitStatus == kDeliveryFailedExitCode && m_stderrHead.startsWith(kDeliveryFailedMarker))
        m_facts.backendError = QString::fromUtf8(m_stderrHead).trimmed();

    const VerdictDecision decision = decideVerdict(m_facts);
    RunResult result;
    result.verdict = decision.verdict;
    result.exitCode = decision.exitCode;
    result.signal = decision.signal;
    result.message = decision.message;
    if (m_sandboxStoppedEarly && decision.verdict == Verdict::ExitNonzero)
        result.message += QStringLiteral(" The program stopped its own sandbox (it ended the sandbox's main process), "
                                         "which kills everything in it.");
    result.message += m_cleanupNote;
    result.wallMs = m_facts.wallMs;
    result.cpuMs = m_cpuNs >= 0 ? m_cpuNs / 1'000'000 : -1;
    result.peakMemoryBytes = m_peakMemory;
    result.peakMemoryIsSample = m_peakIsSample;
    result.memoryLimitBytes = spec().limits.memoryBytes;
    result.outputBytes = m_outputCap.delivered();
    result.outputTruncated = m_outputCap.reached();
    result.backend = QStringLiteral("docker");
    result.image = spec().image;
    result.sandboxId = m_containerId;
    result.network = spec().grants.network;
    result.mountedFolder = m_setup.hostFolder;
    // When the review copy was being collected, the artifacts are already set aside.
    const ArtifactCollection& out = m_collectingHost ? m_outArtifacts : m_artifacts;
    result.artifacts = out.files;
    result.refusedArtifacts = out.refused;
    result.artifactsNote = out.note;
    if (m_hostCopy) {
        if (m_hostCollected) {
            result.hostChanges = computeChangeSet(*m_hostCopy, m_artifacts);
        } else {
            result.hostChanges =
                uncollectedChangeSet(m_hostCopy->folder, m_collectingHost ? m_artifacts.note : QString());
        }
    }
    finish(result);
}

} // namespace cc::docker
