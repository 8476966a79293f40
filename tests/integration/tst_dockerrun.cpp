// The Docker backend against the real engine: every verdict, the hardened profile as the
// snippet sees it, grants, cleanup. Network probes only ever target containers this test
// created on an internal network it created.
#include "DockerTestSupport.h"
#include "ProcessOwner.h"
#include "docker/DockerFrameDecoder.h"
#include "http/HttpClient.h"

#include <QFile>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

using namespace cc;
using namespace cc::test;

class TestDockerRun : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void helloInEachLanguage_data();
    void helloInEachLanguage();
    void eventsArriveInOrderAndFinishOnce();
    void stdoutAndStderrStayApart();
    void exitCodeIsReported();
    void staticStdinReachesTheProgram();
    void stdinIsEmptyByDefault();
    void userEnvironmentOnly();
    void rootFilesystemReadOnlyAndUserNotRoot();
    void timeoutKillsASleepingProgram();
    void memoryBombEndsAtTheMemoryLimit();
    void forkBombIsContainedAndTheNextRunWorks();
    void outputFloodStopsAtTheCapToTheByte();
    void cancelMidRunRemovesTheSandbox();
    void statsAreSampledWhileRunning();
    void cpuLimitThrottles();
    void networkOffCannotExchangeData();
    void networkGrantGivesAnInterfaceOfItsOwn();
    void hostFolderIsMountedReadOnly();
    void refusedHostFolderIsABackendError();
    void missingImageSaysHowToBuildIt();
    void engineDownSaysHowToStartIt();
    void sweepRemovesOrphansOnly();
    void largeSnippetIsDeliveredIntact();
    void programThatStopsItsSandboxIsExplained();

private:
    QString createTestContainer(const nlohmann::json& config);
    QByteArray execIn(const QString& containerId, const QStringList& cmd);

    http::HttpClient m_http;
    docker::DockerBackend* m_backend = nullptr;
    QStringList m_testContainers;
    QStringList m_testNetworks;
};

void TestDockerRun::initTestCase()
{
    m_backend = new docker::DockerBackend(&m_http, docker::DockerEndpoint::fromEnvironment(), this);
    QString why;
    if (!engineReady(*m_backend->api(), &why))
        QFAIL(qPrintable(why));
}

void TestDockerRun::cleanupTestCase()
{
    for (const QString& id : std::as_const(m_testContainers))
        callSync(*m_backend->api(), "DELETE", "/containers/" + id.toLatin1() + "?force=true");
    for (const QString& id : std::as_const(m_testNetworks))
        callSync(*m_backend->api(), "DELETE", "/networks/" + id.toLatin1());
    // Every sandbox this suite started must be gone.
    QTRY_VERIFY_WITH_TIMEOUT(labelledContainers(*m_backend->api()).isEmpty(), 10'000);
}

QString TestDockerRun::createTestContainer(const nlohmann::json& config)
{
    auto created = callSync(*m_backend->api(), "POST", "/containers/create", config);
    if (!created.ok())
        return {};
    const QString id = QString::fromStdString(created.json().value("Id", std::string()));
    m_testContainers << id;
    if (!callSync(*m_backend->api(), "POST", "/containers/" + id.toLatin1() + "/start").ok())
        return {};
    return id;
}

QByteArray TestDockerRun::execIn(const QString& containerId, const QStringList& cmd)
{
    nlohmann::json argv = nlohmann::json::array();
    for (const QString& a : cmd)
        argv.push_back(a.toStdString());
    const auto created = callSync(*m_backend->api(), "POST", "/containers/" + containerId.toLatin1() + "/exec",
                                  {{"AttachStdout", true}, {"AttachStderr", true}, {"Cmd", argv}});
    const QByteArray execId = QByteArray::fromStdString(created.json().value("Id", std::string()));
    const auto started = callSync(*m_backend->api(), "POST", "/exec/" + execId + "/start", {{"Detach", false}});
    docker::DockerFrameDecoder decoder;
    QByteArray out;
    for (const auto& chunk : decoder.feed(started.body))
        out += chunk.payload;
    return out;
}

void TestDockerRun::helloInEachLanguage_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QByteArray>("code");
    QTest::newRow("python") << "python" << QByteArray("print('hello from python')\n");
    QTest::newRow("node") << "node" << QByteArray("console.log('hello from node')\n");
    QTest::newRow("bash") << "bash" << QByteArray("echo hello from bash\n");
}

void TestDockerRun::helloInEachLanguage()
{
    QFETCH(QString, language);
    QFETCH(QByteArray, code);
    const RunOutcome o = runToEnd(*m_backend, makeSpec(language, code));
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("ok"));
    QCOMPARE(o.out, QByteArray("hello from " + language.toLatin1() + "\n"));
    QCOMPARE(o.result.exitCode, 0);
    QVERIFY(o.result.wallMs > 0);
    QVERIFY2(o.result.cpuMs > 0, "the kernel's CPU figure is read after the run");
    QVERIFY(o.result.peakMemoryBytes > 0);
    QCOMPARE(o.result.backend, QStringLiteral("docker"));
    QVERIFY(!o.result.sandboxId.isEmpty());
}

void TestDockerRun::eventsArriveInOrderAndFinishOnce()
{
    const RunOutcome o = runToEnd(*m_backend, makeSpec(QStringLiteral("bash"), "echo one; sleep 0.2; echo two"));
    QCOMPARE(o.finishedCount, 1);
    QCOMPARE(o.events.first(), QStringLiteral("created"));
    QCOMPARE(o.events.last(), QStringLiteral("finished"));
    QVERIFY(o.events.indexOf(QStringLiteral("started")) < o.events.indexOf(QStringLiteral("output")));
    QCOMPARE(o.out, QByteArray("one\ntwo\n"));
}

void TestDockerRun::stdoutAndStderrStayApart()
{
    const RunOutcome o = runToEnd(
        *m_backend, makeSpec(QStringLiteral("python"), "import sys\nprint('to out')\nprint('to err', file=sys.stderr)\n"));
    QCOMPARE(o.out, QByteArray("to out\n"));
    QCOMPARE(o.err, QByteArray("to err\n"));
}

void TestDockerRun::exitCodeIsReported()
{
    const RunOutcome o = runToEnd(*m_backend, makeSpec(QStringLiteral("node"), "process.exit(3)"));
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("exit_nonzero"));
    QCOMPARE(o.result.exitCode, 3);
    QVERIFY2(o.result.message.contains(QLatin1String("code 3")), qPrintable(o.result.message));
}

void TestDockerRun::staticStdinReachesTheProgram()
{
    RunSpec spec = makeSpec(QStringLiteral("python"), "import sys\nprint(sys.stdin.read().upper(), end='')\n");
    spec.stdinData = "line one\nline two\n";
    spec.hasStdin = true;
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(o.out, QByteArray("LINE ONE\nLINE TWO\n"));
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("ok"));
}

void TestDockerRun::stdinIsEmptyByDefault()
{
    QElapsedTimer clock;
    clock.start();
    RunSpec spec = makeSpec(QStringLiteral("python"), "try:\n    input()\nexcept EOFError:\n    print('EOF at once')\n");
    spec.limits.wallTimeoutMs = 20'000;
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(o.out, QByteArray("EOF at once\n"));
    QVERIFY2(clock.elapsed() < 10'000, "input() must not wait for the time limit");
}

void TestDockerRun::userEnvironmentOnly()
{
    const QByteArray marker = "cc-secret-" + QUuid::createUuid().toByteArray(QUuid::Id128);
    qputenv("CODECOURIER_TEST_SECRET", marker);
    RunSpec spec = makeSpec(QStringLiteral("bash"),
                            "env; tr '\\0' '\\n' < /proc/self/environ; tr '\\0' '\\n' < /proc/1/environ 2>&1; echo END");
    spec.env = {{QStringLiteral("GREETING"), QStringLiteral("hello there")}};
    const RunOutcome o = runToEnd(*m_backend, spec);
    qunsetenv("CODECOURIER_TEST_SECRET");
    QVERIFY(o.out.contains("END"));
    QVERIFY(o.out.contains("GREETING=hello there"));
    QVERIFY2(!o.out.contains(marker) && !o.err.contains(marker), "the host's environment must not reach the snippet");
}

void TestDockerRun::rootFilesystemReadOnlyAndUserNotRoot()
{
    const RunOutcome o = runToEnd(*m_backend, makeSpec(QStringLiteral("bash"), R"SH(
id -u
touch /usr/bin/planted 2>/dev/null && echo ROOTFS_WRITABLE || echo ROOTFS_READONLY
echo ok > /workspace/scratch && echo WORKSPACE_WRITABLE
grep CapEff /proc/self/status
grep NoNewPrivs /proc/self/status
)SH"));
    const QList<QByteArray> lines = o.out.split('\n');
    QCOMPARE(lines.value(0), QByteArray("65534"));
    QVERIFY(o.out.contains("ROOTFS_READONLY"));
    QVERIFY(!o.out.contains("ROOTFS_WRITABLE"));
    QVERIFY(o.out.contains("WORKSPACE_WRITABLE"));
    QVERIFY2(o.out.contains("CapEff:\t0000000000000000"), o.out.constData());
    QVERIFY2(o.out.contains("NoNewPrivs:\t1"), o.out.constData());
}

void TestDockerRun::timeoutKillsASleepingProgram()
{
    RunSpec spec = makeSpec(QStringLiteral("bash"), "echo going to sleep; sleep 60");
    spec.limits.wallTimeoutMs = 2'000;
    QElapsedTimer clock;
    clock.start();
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("timeout"));
    QCOMPARE(o.result.message, QStringLiteral("Killed after 2 s: the time limit."));
    QCOMPARE(o.out, QByteArray("going to sleep\n"));
    QVERIFY(o.result.wallMs >= 2'000);
    QVERIFY2(clock.elapsed() < 8'000, "the sandbox is killed at the limit, not later");
}

void TestDockerRun::memoryBombEndsAtTheMemoryLimit()
{
    RunSpec spec = makeSpec(QStringLiteral("python"),
                            "chunks = []\nwhile True:\n    chunks.append(b'x' * (8 << 20))  # touches every page\n");
    spec.limits.memoryBytes = 128LL << 20;
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("memory_limit"));
    QVERIFY2(o.result.message.contains(QLatin1String("memory limit of 128 MiB")), qPrintable(o.result.message));
    QCOMPARE(o.result.exitCode, 137);
    QVERIFY(o.result.peakMemoryBytes <= 128LL << 20);
    QVERIFY(o.result.peakMemoryBytes >= 120LL << 20);
}

void TestDockerRun::forkBombIsContainedAndTheNextRunWorks()
{
    RunSpec spec = makeSpec(QStringLiteral("bash"), "bomb() { bomb | bomb & }; bomb; sleep 30");
    spec.limits.wallTimeoutMs = 4'000;
    int maxPids = 0;
    const RunOutcome o = runToEnd(*m_backend, spec);
    for (const StatsSample& s : o.samples)
        maxPids = qMax(maxPids, s.pids);
    QVERIFY2(maxPids <= spec.limits.pids, qPrintable(QStringLiteral("pids reached %1").arg(maxPids)));
    QVERIFY2(o.result.verdict == Verdict::Timeout || o.result.verdict == Verdict::PidsLimit
                 || o.result.verdict == Verdict::ExitNonzero,
             qPrintable(verdictName(o.result.verdict) + QLatin1Char(' ') + o.result.message));

    const RunOutcome next = runToEnd(*m_backend, makeSpec(QStringLiteral("bash"), "echo still fine"));
    QCOMPARE(next.out, QByteArray("still fine\n"));
    QCOMPARE(verdictName(next.result.verdict), QStringLiteral("ok"));
}

void TestDockerRun::outputFloodStopsAtTheCapToTheByte()
{
    RunSpec spec = makeSpec(QStringLiteral("python"),
                            "import sys\nwhile True:\n    sys.stdout.write('o' * 1000)\n    sys.stderr.write('e' * 333)\n");
    spec.limits.outputBytes = 65'536;
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("output_limit"));
    QCOMPARE(o.out.size() + o.err.size(), 65'536);
    QCOMPARE(o.result.outputBytes, 65'536);
    QVERIFY(o.result.outputTruncated);
    // How the two pipes interleave is up to the scheduler; that they never mix is not.
    QVERIFY(o.out.count('o') == o.out.size() && o.err.count('e') == o.err.size());
    QVERIFY(o.out.size() > 0);
}

void TestDockerRun::cancelMidRunRemovesTheSandbox()
{
    RunSpec spec = makeSpec(QStringLiteral("bash"), "echo started; sleep 60");
    spec.limits.wallTimeoutMs = 60'000;
    QElapsedTimer clock;
    clock.start();
    const RunOutcome o = runToEnd(*m_backend, spec, 30'000, [](Run* run) { QTimer::singleShot(700, run, &Run::cancel); });
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("cancelled"));
    QVERIFY(clock.elapsed() < 10'000);
    QVERIFY(!o.result.sandboxId.isEmpty());
    // Stopped when the run ends; the engine's auto-removal takes it a moment later.
    QTRY_VERIFY_WITH_TIMEOUT(!labelledContainers(*m_backend->api()).contains(o.result.sandboxId), 5'000);
}

void TestDockerRun::statsAreSampledWhileRunning()
{
    RunSpec spec = makeSpec(QStringLiteral("python"),
                            "import time\n"
                            "# Spin until the process itself used 2 s of CPU, however busy the host is.\n"
                            "while time.process_time() < 2.0:\n    pass\nprint('done')\n");
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("ok"));
    QVERIFY2(o.samples.size() >= 2, qPrintable(QStringLiteral("%1 samples").arg(o.samples.size())));
    double busiest = 0;
    for (const StatsSample& s : o.samples) {
        busiest = qMax(busiest, s.cpuPercent);
        QVERIFY(s.memoryBytes > 0);
        QCOMPARE(s.memoryLimitBytes, spec.limits.memoryBytes);
    }
    QVERIFY2(busiest > 50, qPrintable(QStringLiteral("busiest sample %1 %").arg(busiest)));
    QVERIFY2(o.result.cpuMs >= 2'000, qPrintable(QStringLiteral("cpu %1 ms").arg(o.result.cpuMs)));
}

void TestDockerRun::cpuLimitThrottles()
{
    // Two busy processes under half a CPU: the kernel's CPU time stays near half the wall time.
    RunSpec spec = makeSpec(QStringLiteral("python"), "import multiprocessing, time\n"
                                                      "def spin():\n"
                                                      "    end = time.time() + 2\n"
                                                      "    while time.time() < end: pass\n"
                                                      "ps = [multiprocessing.Process(target=spin) for _ in range(2)]\n"
                                                      "[p.start() for p in ps]; [p.join() for p in ps]\n");
    spec.limits.cpus = 0.5;
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("ok"));
    QVERIFY2(o.result.cpuMs > 0 && o.result.cpuMs < o.result.wallMs * 7 / 10,
             qPrintable(QStringLiteral("cpu %1 ms over wall %2 ms").arg(o.result.cpuMs).arg(o.result.wallMs)));
}

void TestDockerRun::networkOffCannotExchangeData()
{
    docker::DockerApi& api = *m_backend->api();
    const QString netName = QStringLiteral("cctest-net-") + QUuid::createUuid().toString(QUuid::Id128).left(12);
    // Internal: nothing on this network can reach beyond it.
    const auto net = callSync(api, "POST", "/networks/create",
                              {{"Name", netName.toStdString()}, {"Internal", true}, {"Labels", {{kTestLabel, "1"}}}});
    QVERIFY2(net.ok(), qPrintable(net.error));
    m_testNetworks << QString::fromStdString(net.json().value("Id", std::string()));

    const char* server = "import socket\n"
                         "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                         "s.bind(('0.0.0.0', 9000)); s.listen()\n"
                         "n = 0\n"
                         "while True:\n"
                         "    c, _ = s.accept(); n += 1\n"
                         "    open('/tmp/connections', 'w').write(str(n)); c.sendall(b'pong'); c.close()\n";
    const QString serverId = createTestContainer(
        {{"Image", kRunnerImage},
         {"Cmd", {"python3", "-c", server}},
         {"User", "65534:65534"},
         {"Labels", {{kTestLabel, "1"}}},
         {"HostConfig", {{"NetworkMode", netName.toStdString()}, {"Tmpfs", {{"/tmp", "size=1m"}}}, {"CapDrop", {"ALL"}}}}});
    QVERIFY(!serverId.isEmpty());
    const auto inspected = callSync(api, "GET", "/containers/" + serverId.toLatin1() + "/json");
    const std::string ip = inspected.json()["NetworkSettings"]["Networks"][netName.toStdString()].value("IPAddress", "");
    QVERIFY2(!ip.empty(), "the test server has an address on the test network");
    const QString probe = QStringLiteral("import socket, sys\n"
                                         "try:\n"
                                         "    c = socket.create_connection(('%1', 9000), timeout=3)\n"
                                         "    c.sendall(b'ping'); print('CONNECTED', c.recv(4))\n"
                                         "except OSError as e:\n"
                                         "    print('BLOCKED', e.errno)\n")
                              .arg(QString::fromStdString(ip));

    // Control: the server answers on the test network (so a failure below means isolation).
    bool answered = false;
    for (int attempt = 0; attempt < 50 && !answered; ++attempt) {
        answered = execIn(serverId, {QStringLiteral("python3"), QStringLiteral("-c"), probe}).contains("CONNECTED b'pong'");
        if (!answered)
            QTest::qWait(200);
    }
    QVERIFY2(answered, "the test server must answer its own network before isolation is tested");
    const QByteArray connectionsBefore = execIn(serverId, {QStringLiteral("cat"), QStringLiteral("/tmp/connections")});

    const RunOutcome o = runToEnd(*m_backend, makeSpec(QStringLiteral("python"),
                                                       probe.toUtf8() + "print(open('/proc/net/dev').read())\n"));
    QVERIFY2(o.out.contains("BLOCKED"), o.out.constData());
    QVERIFY(!o.out.contains("CONNECTED"));
    QVERIFY2(!o.out.contains("eth0"), "no interface but loopback without the network grant");
    // Not a single connection reached the server from the sandbox.
    QCOMPARE(execIn(serverId, {QStringLiteral("cat"), QStringLiteral("/tmp/connections")}), connectionsBefore);
}

void TestDockerRun::networkGrantGivesAnInterfaceOfItsOwn()
{
    RunSpec spec = makeSpec(QStringLiteral("bash"), "grep -c eth0 /proc/net/dev");
    spec.grants.network = true;
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(o.out, QByteArray("1\n"));
    QVERIFY(o.result.network);
    // The run's own network is removed with it.
    const QByteArray filter = docker::DockerApi::query(QStringLiteral("{\"label\":[\"org.codecourier\"]}"));
    const auto nets = callSync(*m_backend->api(), "GET", "/networks?filters=" + filter);
    QVERIFY2(nets.json().is_array() && nets.json().empty(), nets.body.constData());
}

void TestDockerRun::hostFolderIsMountedReadOnly()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther
                                          | QFile::ExeOther | QFile::ReadGroup | QFile::ExeGroup);
    QFile data(dir.filePath(QStringLiteral("data.txt")));
    QVERIFY(data.open(QIODevice::WriteOnly));
    data.write("shared text\n");
    data.close();
    data.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther | QFile::ReadGroup);

    RunSpec spec = makeSpec(QStringLiteral("bash"),
                            "cat host/data.txt; echo x > host/new.txt 2>/dev/null && echo WROTE || echo READ_ONLY");
    spec.grants.hostFolder = dir.path();
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(o.out, QByteArray("shared text\nREAD_ONLY\n"));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("new.txt"))));
    QCOMPARE(o.result.mountedFolder, QFileInfo(dir.path()).canonicalFilePath());
}

void TestDockerRun::refusedHostFolderIsABackendError()
{
    RunSpec spec = makeSpec(QStringLiteral("bash"), "ls host");
    spec.grants.hostFolder = QStringLiteral("/etc");
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("backend_error"));
    QVERIFY2(o.result.message.startsWith(QLatin1String("Refused to share /etc")), qPrintable(o.result.message));
    QVERIFY(o.result.sandboxId.isEmpty());
}

void TestDockerRun::missingImageSaysHowToBuildIt()
{
    RunSpec spec = makeSpec(QStringLiteral("bash"), "echo hi");
    spec.image = QStringLiteral("codecourier/no-such-image:0");
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("backend_error"));
    QVERIFY2(o.result.message.contains(QLatin1String("is not in the Docker engine"))
                 && o.result.message.contains(QLatin1String("build-images.sh")),
             qPrintable(o.result.message));
}

void TestDockerRun::engineDownSaysHowToStartIt()
{
    docker::DockerBackend down(&m_http, docker::DockerEndpoint::fromDockerHost(QStringLiteral("unix:///nonexistent/docker.sock")));
    const RunOutcome o = runToEnd(down, makeSpec(QStringLiteral("bash"), "echo hi"));
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("backend_error"));
    QVERIFY2(o.result.message.startsWith(QLatin1String("Docker is not running"))
                 && o.result.message.contains(QLatin1String("start")),
             qPrintable(o.result.message));
    QCOMPARE(o.finishedCount, 1);
}

void TestDockerRun::sweepRemovesOrphansOnly()
{
    docker::DockerApi& api = *m_backend->api();
    auto labelled = [&](const QString& owner) {
        return createTestContainer({{"Image", kRunnerImage},
                                    {"Cmd", {"sleep", "300"}},
                                    {"Labels", {{"org.codecourier", "1"}, {"org.codecourier.owner", owner.toStdString()}}},
                                    {"HostConfig", {{"NetworkMode", "none"}}}});
    };
    const QString orphan = labelled(QSysInfo::machineHostName() + QStringLiteral("/999999999/1"));
    const QString alive = labelled(ProcessOwner::tag());
    QVERIFY(!orphan.isEmpty() && !alive.isEmpty());

    int removed = -1;
    m_backend->sweepOrphans([&](int n, const QString&) { removed = n; });
    QTRY_VERIFY_WITH_TIMEOUT(removed >= 0, 30'000);
    QVERIFY(removed >= 1);
    const QStringList left = labelledContainers(api);
    QVERIFY(!left.contains(orphan));
    QVERIFY(left.contains(alive));
    callSync(api, "DELETE", "/containers/" + alive.toLatin1() + "?force=true");
}

void TestDockerRun::largeSnippetIsDeliveredIntact()
{
    // Larger than one exec's argument budget: delivered in several steps, byte for byte.
    QByteArray blob;
    for (int i = 0; i < 300'000; ++i)
        blob += "# padding line " + QByteArray::number(i) + "\n";
    RunSpec spec = makeSpec(QStringLiteral("bash"), "sha256sum data.bin | cut -c1-64");
    spec.files.append({QStringLiteral("data.bin"), blob});
    spec.limits.tmpfsBytes = 64LL << 20;
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(o.out.trimmed(), QCryptographicHash::hash(blob, QCryptographicHash::Sha256).toHex());
}

void TestDockerRun::programThatStopsItsSandboxIsExplained()
{
    // The idle process runs as the same user as the snippet, which may end it; that stops the
    // whole sandbox, and the verdict must say so rather than blame a mystery SIGKILL.
    const RunOutcome o = runToEnd(*m_backend, makeSpec(QStringLiteral("bash"), R"SH(
for p in /proc/[0-9]*; do
  case "$(tr '\0' ' ' < $p/cmdline 2>/dev/null)" in sleep*) kill ${p#/proc/};; esac
done
sleep 5; echo survived
)SH"));
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("exit_nonzero"));
    QVERIFY(!o.out.contains("survived"));
    QVERIFY2(o.result.message.contains(QLatin1String("stopped its own sandbox")), qPrintable(o.result.message));
}

QTEST_GUILESS_MAIN(TestDockerRun)
#include "tst_dockerrun.moc"
