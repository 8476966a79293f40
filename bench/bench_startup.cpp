// Start-up benchmark: time to the first output byte and total time of a hello-world Python
// snippet, measured side by side in one invocation, interleaved round by round:
//   1. `docker run --rm` with the same image and hardened flags (the reference a user would type)
//   2. `codecourier run` (the command line; a fresh process, no pool)
//   3. the engine in-process, cold (pool off)
//   4. the engine in-process, warm (a pre-started container taken from the pool)
// then the engine's output intake before the cap, and the process's resident memory over many
// runs. Prints medians, spreads and ratios to (1).
//
//   bench_startup [ROUNDS] [MEMORY_RUNS]   (CODECOURIER_BINARY names the codecourier binary to time;
//                                           defaults 10 and 500)
#include "ProcessOwner.h"
#include "Run.h"
#include "docker/ContainerPool.h"
#include "docker/ContainerProfile.h"
#include "docker/DockerApi.h"
#include "docker/DockerBackend.h"
#include "docker/SeccompProfile.h"
#include "http/HttpClient.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTemporaryFile>
#include <QTimer>
#include <algorithm>
#include <cstdio>

using namespace cc;

namespace {

constexpr const char* kImage = "codecourier/runner:bookworm-1";

struct Sample
{
    double firstByteMs = -1;
    double totalMs = -1;
};

struct Series
{
    const char* name;
    QList<Sample> samples;
};

// The reference gets exactly our profile, seccomp filter included (the CLI takes it as a file).
QStringList referenceCommand(const QString& seccompFile)
{
    return {QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("--network"), QStringLiteral("none"),
            QStringLiteral("--user"), QStringLiteral("65534:65534"), QStringLiteral("--cap-drop"), QStringLiteral("ALL"),
            QStringLiteral("--security-opt"), QStringLiteral("no-new-privileges"), QStringLiteral("--security-opt"),
            QStringLiteral("seccomp=") + seccompFile, QStringLiteral("--read-only"),
            QStringLiteral("--tmpfs"), QStringLiteral("/tmp:rw,nosuid,nodev,size=64m"), QStringLiteral("--tmpfs"),
            QStringLiteral("/workspace:rw,nosuid,nodev,size=64m,uid=65534,gid=65534"), QStringLiteral("--memory"),
            QStringLiteral("256m"), QStringLiteral("--memory-swap"), QStringLiteral("256m"), QStringLiteral("--cpus"),
            QStringLiteral("1"), QStringLiteral("--pids-limit"), QStringLiteral("128"), QStringLiteral("--ulimit"),
            QStringLiteral("nofile=256:256"), QStringLiteral("--ulimit"), QStringLiteral("fsize=67108864:67108864"),
            QStringLiteral("--init"), QStringLiteral("-w"), QStringLiteral("/workspace"), QString::fromLatin1(kImage),
            QStringLiteral("python3"), QStringLiteral("-u"), QStringLiteral("-c"), QStringLiteral("print('hello')")};
}

Sample timeProcess(const QString& program, const QStringList& args, const QByteArray& input = {})
{
    Sample s;
    QProcess process;
    QElapsedTimer clock;
    QEventLoop loop;
    QObject::connect(&process, &QProcess::readyReadStandardOutput, &loop, [&] {
        if (s.firstByteMs < 0)
            s.firstByteMs = clock.nsecsElapsed() / 1e6;
        process.readAllStandardOutput();
    });
    QObject::connect(&process, &QProcess::finished, &loop, [&] {
        s.totalMs = clock.nsecsElapsed() / 1e6;
        loop.quit();
    });
    clock.start();
    process.start(program, args);
    process.write(input);
    process.closeWriteChannel();
    loop.exec();
    return s;
}

RunSpec helloSpec()
{
    RunSpec spec;
    spec.language = QStringLiteral("python");
    spec.image = QString::fromLatin1(kImage);
    spec.files.append({QStringLiteral("main.py"), "print('hello')\n"});
    spec.command = {QStringLiteral("python3"), QStringLiteral("-u"), QStringLiteral("main.py")};
    return spec;
}

Sample timeEngine(docker::DockerBackend& backend, const RunSpec& spec)
{
    Sample s;
    QElapsedTimer clock;
    QEventLoop loop;
    clock.start();
    Run* run = backend.start(spec);
    QObject::connect(run, &Run::output, &loop, [&] {
        if (s.firstByteMs < 0)
            s.firstByteMs = clock.nsecsElapsed() / 1e6;
    });
    QObject::connect(run, &Run::finished, &loop, [&] {
        s.totalMs = clock.nsecsElapsed() / 1e6;
        loop.quit();
    });
    loop.exec();
    delete run;
    return s;
}

void waitForPool(docker::DockerBackend& backend, const RunSpec& spec)
{
    QEventLoop loop;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (backend.pool()->readyCount(spec) > 0)
            loop.quit();
    });
    poll.start(5);
    QTimer::singleShot(30'000, &loop, &QEventLoop::quit);
    loop.exec();
}

// One API call, waited for.
docker::DockerResponse callAndWait(docker::DockerApi& api, const QByteArray& method, const QByteArray& path,
                                   const nlohmann::json& body = nullptr)
{
    docker::DockerResponse response;
    QEventLoop loop;
    api.call(method, path, body, &loop, [&](const docker::DockerResponse& r) {
        response = r;
        loop.quit();
    });
    loop.exec();
    return response;
}

// The floor under any warm start: one exec of `true` (create + start, which returns when it exits)
// in a running container with the same profile. Nothing that runs a new process in a sandbox
// through the engine can be faster than this.
QList<double> execFloor(docker::DockerBackend& backend, const RunSpec& spec, int rounds)
{
    QList<double> totals;
    docker::ContainerPlacement placement;
    placement.labels.insert(QString::fromLatin1(docker::DockerBackend::kLabel), QStringLiteral("1"));
    placement.labels.insert(QString::fromLatin1(docker::DockerBackend::kOwnerLabel), ProcessOwner::tag());
    placement.idleSeconds = 600;
    docker::DockerApi& api = *backend.api();
    const auto created = callAndWait(api, "POST", "/containers/create", docker::hardenedContainerConfig(spec, placement));
    const std::string id = created.json().value("Id", std::string());
    if (!created.ok() || id.empty())
        return totals;
    const QByteArray container = QByteArray::fromStdString(id);
    if (callAndWait(api, "POST", "/containers/" + container + "/start").ok()) {
        for (int i = 0; i < rounds; ++i) {
            QElapsedTimer clock;
            clock.start();
            const auto exec = callAndWait(api, "POST", "/containers/" + container + "/exec",
                                          docker::execConfig({QStringLiteral("true")}));
            const QByteArray execId = QByteArray::fromStdString(exec.json().value("Id", std::string()));
            const auto started =
                callAndWait(api, "POST", "/exec/" + execId + "/start", nlohmann::json{{"Detach", false}, {"Tty", false}});
            if (exec.ok() && started.ok())
                totals << clock.nsecsElapsed() / 1e6;
        }
    }
    callAndWait(api, "DELETE", "/containers/" + container + "?force=true");
    return totals;
}

qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

struct Stats
{
    double median, min, max;
};

Stats stats(QList<double> v)
{
    std::sort(v.begin(), v.end());
    const qsizetype n = v.size();
    const double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return {median, v.first(), v.last()};
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const int rounds = argc > 1 ? QByteArray(argv[1]).toInt() : 10;
    const int memoryRuns = argc > 2 ? QByteArray(argv[2]).toInt() : 500;
    QTemporaryFile seccomp;
    if (!seccomp.open() || seccomp.write(QByteArray::fromStdString(docker::seccompProfile().dump())) < 0
        || !seccomp.flush()) {
        std::fprintf(stderr, "bench_startup: could not write the seccomp profile to a temporary file\n");
        return 1;
    }
    // The docker CLI reads it as another user may: readable, as docker cp'd files are.
    seccomp.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
    const QString binary = qEnvironmentVariable("CODECOURIER_BINARY", QStringLiteral("build/codecourier"));
    http::HttpClient http;
    docker::DockerBackend cold(&http, docker::DockerEndpoint::fromEnvironment());
    docker::DockerBackend warm(&http, docker::DockerEndpoint::fromEnvironment());
    warm.pool()->setSize(1);
    const RunSpec spec = helloSpec();

    Series series[] = {{"docker run --rm (reference)", {}},
                       {"codecourier run (CLI, cold)", {}},
                       {"engine, cold (pool off)", {}},
                       {"engine, warm (pool)", {}}};
    // One untimed round warms caches for everyone.
    timeProcess(QStringLiteral("docker"), referenceCommand(seccomp.fileName()));
    timeProcess(binary, {QStringLiteral("run"), QStringLiteral("-"), QStringLiteral("--lang"), QStringLiteral("python")},
                "print('hello')\n");
    timeEngine(cold, spec);
    warm.prewarm(spec);
    waitForPool(warm, spec);
    timeEngine(warm, spec);

    for (int i = 0; i < rounds; ++i) {
        series[0].samples << timeProcess(QStringLiteral("docker"), referenceCommand(seccomp.fileName()));
        series[1].samples << timeProcess(binary, {QStringLiteral("run"), QStringLiteral("-"), QStringLiteral("--lang"),
                                                  QStringLiteral("python")},
                                         "print('hello')\n");
        series[2].samples << timeEngine(cold, spec);
        waitForPool(warm, spec);  // a person reads the output before the next run; the pool refills meanwhile
        series[3].samples << timeEngine(warm, spec);
    }

    std::printf("Start-up, %d interleaved rounds (ms)\n", rounds);
    std::printf("%-30s %22s %22s %9s %9s\n", "", "first byte med [min-max]", "total med [min-max]", "1st/ref", "total/ref");
    QList<double> refFirst, refTotal;
    for (const Sample& s : series[0].samples) {
        refFirst << s.firstByteMs;
        refTotal << s.totalMs;
    }
    const Stats rf = stats(refFirst), rt = stats(refTotal);
    const QList<double> floor = execFloor(cold, spec, rounds);
    for (const Series& row : series) {
        QList<double> first, total;
        for (const Sample& s : row.samples) {
            first << s.firstByteMs;
            total << s.totalMs;
        }
        const Stats f = stats(first), t = stats(total);
        std::printf("%-30s %7.0f [%5.0f-%5.0f]   %7.0f [%5.0f-%5.0f]   %7.2f %9.2f\n", row.name, f.median, f.min, f.max,
                    t.median, t.min, t.max, f.median / rf.median, t.median / rt.median);
    }

    if (!floor.isEmpty()) {
        const Stats f = stats(floor);
        std::printf("%-30s %7s %7s   %7.0f [%5.0f-%5.0f]   %7.2f %9s\n", "floor: exec `true` (warm)", "", "", f.median,
                    f.min, f.max, f.median / rf.median, "");
    }

    // Output intake: 100 MB through the engine with the cap above it.
    RunSpec flood = spec;
    flood.files = {{QStringLiteral("main.sh"), "head -c 100000000 /dev/zero\n"}};
    flood.command = {QStringLiteral("bash"), QStringLiteral("main.sh")};
    flood.limits.outputBytes = 120'000'000;
    flood.limits.wallTimeoutMs = 120'000;
    QList<double> rates;
    for (int i = 0; i < 3; ++i) {
        qint64 bytes = 0;
        QElapsedTimer clock;
        QEventLoop loop;
        Run* run = cold.start(flood);
        QObject::connect(run, &Run::started, &loop, [&] { clock.start(); });
        QObject::connect(run, &Run::output, &loop, [&](Run::Stream, const QByteArray& b) { bytes += b.size(); });
        QObject::connect(run, &Run::finished, &loop, [&] { loop.quit(); });
        loop.exec();
        rates << bytes / 1e6 / (clock.nsecsElapsed() / 1e9);
        delete run;
    }
    const Stats r = stats(rates);
    std::printf("\nOutput intake, 100 MB through the engine: median %.0f MB/s [%.0f-%.0f] over 3 runs\n", r.median, r.min,
                r.max);

    // Resident memory of this process over many sequential engine runs (cold, as the window does
    // when its pool is off). The first runs fill caches and allocator pools; growth after them is
    // what a long session would feel.
    if (memoryRuns > 0) {
        std::printf("\nResident memory over %d sequential runs (KiB)\n", memoryRuns);
        const qint64 before = residentKiB();
        qint64 after20 = -1;
        int failures = 0;
        for (int i = 1; i <= memoryRuns; ++i) {
            QEventLoop loop;
            Run* run = cold.start(spec);
            QObject::connect(run, &Run::finished, &loop, [&](const RunResult& result) {
                failures += result.verdict == Verdict::Ok ? 0 : 1;
                loop.quit();
            });
            loop.exec();
            delete run;
            if (i == 20)
                after20 = residentKiB();
            if (i == 20 || i == 100 || i % 250 == 0 || i == memoryRuns)
                std::printf("  after %4d runs: %7lld\n", i, static_cast<long long>(residentKiB()));
            std::fflush(stdout);
        }
        const qint64 last = residentKiB();
        std::printf("  before the first run %lld; growth from run 20 to run %d: %lld KiB (%.1f%%); runs not ok: %d\n",
                    static_cast<long long>(before), memoryRuns, static_cast<long long>(last - after20),
                    after20 > 0 ? 100.0 * (last - after20) / after20 : 0.0, failures);
    }

    bool done = false;
    warm.shutdown([&] { done = true; });
    QEventLoop loop;
    QTimer::singleShot(5'000, &loop, &QEventLoop::quit);
    if (!done)
        loop.exec();
    return 0;
}
