// The attack suite: hostile snippets against the default profile of the real engine. Every case
// asserts its verdict and message, that nothing leaked, and that the next run is unaffected.
// Network probes only target containers this test created on an internal network it created.
#include "DockerTestSupport.h"
#include "http/HttpClient.h"

#include <QStorageInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace cc;
using namespace cc::test;

class TestAttacks : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void forkBombs_data();
    void forkBombs();
    void memoryBombCannotUseSwap();
    void spinningAndSleepingEndAtTheTimeLimit_data();
    void spinningAndSleepingEndAtTheTimeLimit();
    void outputFloods_data();
    void outputFloods();
    void hugeLineWithoutNewline();
    void binaryAndInvalidUtf8OutputArriveIntact();
    void diskFillFailsInsideTheSandbox_data();
    void diskFillFailsInsideTheSandbox();
    void nothingPersistsBetweenRuns();
    void networkOffBlocksEveryKindOfTraffic();
    void privilegeEscalationFails_data();
    void privilegeEscalationFails();
    void grantedFolderSymlinksDoNotReachHostFiles();
    void injectionThroughOurInputsStaysLiteral();
    void concurrentRunsGetTheirOwnVerdicts();

private:
    RunOutcome run(const QString& language, const QByteArray& code, std::function<void(RunSpec&)> adjust = {});
    void assertNextRunWorks();

    http::HttpClient m_http;
    docker::DockerBackend* m_backend = nullptr;
};

void TestAttacks::initTestCase()
{
    m_backend = new docker::DockerBackend(&m_http, docker::DockerEndpoint::fromEnvironment(), this);
    QString why;
    if (!engineReady(*m_backend->api(), &why))
        QFAIL(qPrintable(why));
}

void TestAttacks::cleanupTestCase()
{
    QTRY_VERIFY_WITH_TIMEOUT(labelledContainers(*m_backend->api()).isEmpty(), 15'000);
}

void TestAttacks::init() {}

void TestAttacks::cleanup()
{
    // No case may leave a sandbox behind.
    QTRY_VERIFY_WITH_TIMEOUT(labelledContainers(*m_backend->api()).isEmpty(), 15'000);
}

RunOutcome TestAttacks::run(const QString& language, const QByteArray& code, std::function<void(RunSpec&)> adjust)
{
    RunSpec spec = makeSpec(language, code);
    if (adjust)
        adjust(spec);
    return runToEnd(*m_backend, spec);
}

void TestAttacks::assertNextRunWorks()
{
    const RunOutcome next = run(QStringLiteral("bash"), "echo next run fine");
    QCOMPARE(next.out, QByteArray("next run fine\n"));
    QCOMPARE(verdictName(next.result.verdict), QStringLiteral("ok"));
}

void TestAttacks::forkBombs_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QByteArray>("code");
    QTest::newRow("shell f(){ f|f& };f") << "bash" << QByteArray("f(){ f|f& };f; sleep 20");
    QTest::newRow("python os.fork loop")
        << "python"
        << QByteArray("import os, time\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        time.sleep(0.01)\n");
    QTest::newRow("python thread bomb")
        << "python"
        << QByteArray("import threading, time\nn = 0\nwhile True:\n    try:\n"
                      "        threading.Thread(target=time.sleep, args=(60,)).start(); n += 1\n"
                      "    except RuntimeError:\n        print('threads refused after', n, flush=True); time.sleep(60)\n");
}

void TestAttacks::forkBombs()
{
    QFETCH(QString, language);
    QFETCH(QByteArray, code);
    QElapsedTimer clock;
    clock.start();
    const RunOutcome o = run(language, code, [](RunSpec& s) { s.limits.wallTimeoutMs = 4'000; });
    int maxPids = 0;
    for (const StatsSample& s : o.samples)
        maxPids = qMax(maxPids, s.pids);
    QVERIFY2(maxPids <= 128, qPrintable(QStringLiteral("%1 processes").arg(maxPids)));
    QVERIFY2(o.result.verdict == Verdict::Timeout || o.result.verdict == Verdict::PidsLimit
                 || o.result.verdict == Verdict::ExitNonzero,
             qPrintable(verdictName(o.result.verdict) + QLatin1Char(' ') + o.result.message));
    QVERIFY2(clock.elapsed() < 20'000, "a bomb must not stretch the run far past its limit");
    if (language == QLatin1String("python") && code.contains("threading"))
        QVERIFY2(o.out.contains("threads refused after"), o.out.constData());
    assertNextRunWorks();
}

void TestAttacks::memoryBombCannotUseSwap()
{
    const RunOutcome o = run(QStringLiteral("python"),
                             "blocks = []\nwhile True:\n    blocks.append(bytearray(b'x' * (16 << 20)))\n",
                             [](RunSpec& s) { s.limits.memoryBytes = 96LL << 20; });
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("memory_limit"));
    QVERIFY2(o.result.message.contains(QLatin1String("memory limit of 96 MiB")), qPrintable(o.result.message));
    // Memory and swap together are capped at the limit: the peak cannot exceed it.
    QVERIFY(o.result.peakMemoryBytes > 0 && o.result.peakMemoryBytes <= 96LL << 20);
    assertNextRunWorks();
}

void TestAttacks::spinningAndSleepingEndAtTheTimeLimit_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QByteArray>("code");
    QTest::newRow("cpu spin") << "python" << QByteArray("while True:\n    pass\n");
    QTest::newRow("sleep forever") << "bash" << QByteArray("sleep infinity");
    QTest::newRow("node busy loop") << "node" << QByteArray("for (;;) {}");
}

void TestAttacks::spinningAndSleepingEndAtTheTimeLimit()
{
    QFETCH(QString, language);
    QFETCH(QByteArray, code);
    const RunOutcome o = run(language, code, [](RunSpec& s) { s.limits.wallTimeoutMs = 1'500; });
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("timeout"));
    QCOMPARE(o.result.message, QStringLiteral("Killed after 1.5 s: the time limit."));
    QVERIFY(o.result.wallMs >= 1'500 && o.result.wallMs < 5'000);
}

void TestAttacks::outputFloods_data()
{
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<bool>("toStdout");
    QTest::addColumn<bool>("toStderr");
    QTest::newRow("stdout") << QByteArray("yes 'flood on stdout'") << true << false;
    QTest::newRow("stderr") << QByteArray("yes 'flood on stderr' >&2") << false << true;
    QTest::newRow("both") << QByteArray("yes out & yes err >&2; wait") << true << true;
}

void TestAttacks::outputFloods()
{
    QFETCH(QByteArray, code);
    QFETCH(bool, toStdout);
    QFETCH(bool, toStderr);
    const qint64 cap = 100'003;  // not a multiple of any line or buffer size
    const RunOutcome o = run(QStringLiteral("bash"), code, [&](RunSpec& s) { s.limits.outputBytes = cap; });
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("output_limit"));
    QCOMPARE(o.out.size() + o.err.size(), cap);
    QCOMPARE(o.result.outputBytes, cap);
    QVERIFY(o.result.outputTruncated);
    if (!toStdout)
        QCOMPARE(o.out.size(), 0);
    if (!toStderr)
        QCOMPARE(o.err.size(), 0);
    assertNextRunWorks();
}

void TestAttacks::hugeLineWithoutNewline()
{
    // 50 MB in one line, with the cap raised above it: every byte arrives, none is lost or added.
    const RunOutcome o = run(QStringLiteral("python"),
                             "import sys\nfor _ in range(50):\n    sys.stdout.write('z' * 1_000_000)\n",
                             [](RunSpec& s) {
                                 s.limits.outputBytes = 60'000'000;
                                 s.limits.wallTimeoutMs = 60'000;
                             });
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("ok"));
    QCOMPARE(o.out.size(), 50'000'000);
    QCOMPARE(o.out.count('z'), 50'000'000);
    QVERIFY(!o.result.outputTruncated);
}

void TestAttacks::binaryAndInvalidUtf8OutputArriveIntact()
{
    const RunOutcome o = run(QStringLiteral("python"),
                             "import sys\nsys.stdout.buffer.write(bytes(range(256)) + b'\\xff\\xfe\\xc3(\\x00end')\n");
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("ok"));
    QByteArray expected;
    for (int i = 0; i < 256; ++i)
        expected.append(char(i));
    expected.append("\xff\xfe\xc3(", 4);
    expected.append('\0');
    expected.append("end");
    QCOMPARE(o.out, expected);
}

void TestAttacks::diskFillFailsInsideTheSandbox_data()
{
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("fill /tmp") << QByteArray("head -c 200M /dev/zero > /tmp/fill 2>&1 || echo WRITE_REFUSED")
                               << QByteArray("WRITE_REFUSED");
    QTest::newRow("fill the workspace") << QByteArray("head -c 200M /dev/zero > big 2>&1 || echo WRITE_REFUSED")
                                        << QByteArray("WRITE_REFUSED");
    QTest::newRow("exhaust inodes")
        << QByteArray("i=0; while [ $i -lt 20000 ]; do : > /tmp/f$i 2>/dev/null || { echo INODES_REFUSED_AT $i; break; }; "
                      "i=$((i+1)); done")
        << QByteArray("INODES_REFUSED_AT");
    QTest::newRow("one huge file beyond fsize") << QByteArray("head -c 100M /dev/zero > /dev/shm/x 2>&1; echo status $?")
                                                << QByteArray("status 1");
}

void TestAttacks::diskFillFailsInsideTheSandbox()
{
    QFETCH(QByteArray, code);
    QFETCH(QByteArray, expected);
    const qint64 hostFreeBefore = QStorageInfo(QStringLiteral("/var/lib/docker")).bytesAvailable();
    const RunOutcome o = run(QStringLiteral("bash"), code, [](RunSpec& s) { s.limits.wallTimeoutMs = 30'000; });
    QVERIFY2(o.out.contains(expected), (o.out + o.err).constData());
    QVERIFY2(o.result.verdict == Verdict::Ok || o.result.verdict == Verdict::ExitNonzero,
             qPrintable(o.result.message));
    const qint64 hostFreeAfter = QStorageInfo(QStringLiteral("/var/lib/docker")).bytesAvailable();
    // Scratch space is memory-backed and capped: the host disk did not absorb the fill.
    QVERIFY2(hostFreeBefore - hostFreeAfter < 50LL << 20,
             qPrintable(QStringLiteral("host disk shrank by %1 bytes").arg(hostFreeBefore - hostFreeAfter)));
    assertNextRunWorks();
}

void TestAttacks::nothingPersistsBetweenRuns()
{
    const QByteArray marker = "persist-" + QByteArray::number(QRandomGenerator::global()->generate());
    const RunOutcome first = run(QStringLiteral("bash"),
                                 "for d in /tmp /dev/shm /var/tmp $HOME /workspace; do echo " + marker
                                     + " > $d/left-behind 2>/dev/null && echo wrote $d; done");
    QVERIFY2(first.out.contains("wrote /tmp") && first.out.contains("wrote /workspace"), first.out.constData());
    // The marker comes through the environment so that the searching script does not contain it.
    const RunOutcome second = run(QStringLiteral("bash"), "grep -rs \"$MARKER\" /tmp /dev/shm /var/tmp $HOME /workspace; echo searched",
                                  [&](RunSpec& s) { s.env = {{QStringLiteral("MARKER"), QString::fromLatin1(marker)}}; });
    QCOMPARE(second.out, QByteArray("searched\n"));
}

void TestAttacks::networkOffBlocksEveryKindOfTraffic()
{
    // Addresses here are never reached: without an interface there is no route to anything.
    // The probes name TEST-NET and documentation addresses that belong to nobody.
    const RunOutcome o = run(QStringLiteral("python"), R"PY(
import socket, errno
def attempt(name, fn):
    try:
        fn(); print(name, 'SUCCEEDED')
    except OSError as e:
        print(name, 'failed', errno.errorcode.get(e.errno, e.errno))
def tcp():
    s = socket.socket(); s.settimeout(2); s.connect(('192.0.2.1', 80))
def udp_dns():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
    s.sendto(b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01', ('192.0.2.53', 53))
    s.recvfrom(512)
def resolve():
    socket.getaddrinfo('example.com', 80)
def raw():
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
def ipv6():
    s = socket.socket(socket.AF_INET6); s.settimeout(2); s.connect(('2001:db8::1', 80))
for name, fn in [('tcp', tcp), ('udp', udp_dns), ('dns', resolve), ('raw', raw), ('ipv6', ipv6)]:
    attempt(name, fn)
print(sorted(line.split(':')[0].strip() for line in open('/proc/net/dev').read().splitlines()[2:]))
)PY");
    QVERIFY2(!o.out.contains("SUCCEEDED"), o.out.constData());
    for (const char* name : {"tcp failed", "udp failed", "dns failed", "raw failed", "ipv6 failed"})
        QVERIFY2(o.out.contains(name), o.out.constData());
    QVERIFY2(o.out.contains("['lo']"), o.out.constData());
}

void TestAttacks::privilegeEscalationFails_data()
{
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("not root") << QByteArray("id -u; id -g") << QByteArray("65534\n65534\n");
    QTest::newRow("setuid binaries do not elevate")
        << QByteArray("for b in /usr/bin/su /usr/bin/passwd /usr/bin/newgrp /bin/mount; do [ -u $b ] && $b --help </dev/null "
                      ">/dev/null 2>&1; done; id -u")
        << QByteArray("65534\n");
    QTest::newRow("mount fails") << QByteArray("mount -t tmpfs none /mnt 2>/dev/null && echo MOUNTED || echo refused")
                                 << QByteArray("refused\n");
    QTest::newRow("unshare fails")
        << QByteArray("python3 -c 'import os; os.unshare(os.CLONE_NEWUSER)' 2>/dev/null && echo UNSHARED || echo refused")
        << QByteArray("refused\n");
    QTest::newRow("/proc/sys is read-only")
        << QByteArray("echo 1 > /proc/sys/kernel/sysrq 2>/dev/null && echo WROTE || echo refused") << QByteArray("refused\n");
    QTest::newRow("/sys is read-only")
        << QByteArray("echo 1 > /sys/kernel/mm/ksm/run 2>/dev/null && echo WROTE || echo refused") << QByteArray("refused\n");
    QTest::newRow("no capabilities at all") << QByteArray("grep -E '^Cap(Prm|Eff|Bnd|Amb)' /proc/self/status | cut -f2 | sort -u")
                                            << QByteArray("0000000000000000\n");
    QTest::newRow("no new privileges") << QByteArray("grep NoNewPrivs /proc/self/status | cut -f2") << QByteArray("1\n");
    // Processes of one sandbox run as one user; without the profile's seccomp rules a snippet could
    // attach to, read and steer its siblings (the engine's default profile allows ptrace on this
    // kernel). Each probe prints the errno name, so that "refused" is the kernel's answer.
    const QByteArray probe = "python3 - <<'EOF'\n"
                             "import ctypes, errno, os, signal, time\n"
                             "libc = ctypes.CDLL(None, use_errno=True)\n"
                             "def answer(r):\n"
                             "    print('ALLOWED' if r != -1 else errno.errorcode[ctypes.get_errno()])\n";
    QTest::newRow("ptrace attach to a sibling fails")
        << (probe + "pid = os.fork()\n"
                    "if pid == 0:\n    time.sleep(30); os._exit(0)\n"
                    "answer(libc.ptrace(16, pid, None, None))\n"  // PTRACE_ATTACH
                    "os.kill(pid, signal.SIGKILL)\nEOF")
        << QByteArray("EPERM\n");
    QTest::newRow("PTRACE_TRACEME fails") << (probe + "answer(libc.ptrace(0, 0, None, None))\nEOF") << QByteArray("EPERM\n");
    QTest::newRow("process_vm_readv of a sibling fails")
        << (probe + "pid = os.fork()\n"
                    "if pid == 0:\n    time.sleep(30); os._exit(0)\n"
                    "buf = ctypes.create_string_buffer(8)\n"
                    "class iovec(ctypes.Structure):\n"
                    "    _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]\n"
                    "local = iovec(ctypes.cast(buf, ctypes.c_void_p), 8)\n"
                    "remote = iovec(ctypes.cast(buf, ctypes.c_void_p), 8)\n"
                    "answer(libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0))\n"
                    "os.kill(pid, signal.SIGKILL)\nEOF")
        << QByteArray("EPERM\n");
    QTest::newRow("clone with CLONE_NEWUSER fails")
        << (probe + "answer(libc.syscall(56, 0x10000000 | 17, None, None, None, None))\nEOF")  // clone, SIGCHLD
        << QByteArray("EPERM\n");
    QTest::newRow("io_uring is refused") << (probe + "answer(libc.syscall(425, 8, None))\nEOF") << QByteArray("EPERM\n");
    QTest::newRow("a seccomp filter is in force") << QByteArray("grep '^Seccomp:' /proc/self/status | cut -f2")
                                                  << QByteArray("2\n");
}

void TestAttacks::privilegeEscalationFails()
{
    QFETCH(QByteArray, code);
    QFETCH(QByteArray, expected);
    const RunOutcome o = run(QStringLiteral("bash"), code);
    QCOMPARE(o.out, expected);
}

void TestAttacks::grantedFolderSymlinksDoNotReachHostFiles()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile::setPermissions(dir.path(), QFileDevice::Permissions(0x7755));
    const QString secret = dir.filePath(QStringLiteral("../codecourier-host-secret-%1").arg(QCoreApplication::applicationPid()));
    {
        QFile f(secret);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("HOST-SECRET-CONTENT\n");
        f.setPermissions(QFileDevice::Permissions(0x6644));
    }
    QVERIFY(QFile::link(QStringLiteral("/etc/shadow"), dir.filePath(QStringLiteral("shadow"))));
    QVERIFY(QFile::link(secret, dir.filePath(QStringLiteral("secret"))));
    QVERIFY(QFile::link(QDir::homePath() + QStringLiteral("/.ssh"), dir.filePath(QStringLiteral("ssh"))));

    const RunOutcome o = run(QStringLiteral("bash"),
                             "cat host/secret 2>&1; cat host/shadow 2>&1 | head -c 200; ls host/ssh/ 2>&1; "
                             "echo data > host/new 2>/dev/null && echo WROTE || echo READ_ONLY",
                             [&](RunSpec& s) { s.grants.hostFolder = dir.path(); });
    QFile::remove(secret);
    QVERIFY2(!o.out.contains("HOST-SECRET-CONTENT"), o.out.constData());
    QVERIFY2(!o.out.contains("root:"), "a link to /etc/shadow resolves inside the sandbox, never on the host");
    QVERIFY(o.out.contains("READ_ONLY"));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("new"))));

    for (const QString& refused : {QStringLiteral("/"), QDir::homePath(), QStringLiteral("/etc"),
                                   QStringLiteral("/var/run"), QDir::homePath() + QStringLiteral("/.ssh")}) {
        const RunOutcome r = run(QStringLiteral("bash"), "ls host", [&](RunSpec& s) { s.grants.hostFolder = refused; });
        QCOMPARE(verdictName(r.result.verdict), QStringLiteral("backend_error"));
        QVERIFY2(r.result.sandboxId.isEmpty(), "a refused folder never reaches the engine");
    }
}

void TestAttacks::injectionThroughOurInputsStaysLiteral()
{
    const QString canary = QDir::tempPath() + QStringLiteral("/codecourier-injection-canary");
    QFile::remove(canary);
    const QString hostile = QStringLiteral("$(touch %1)`touch %1`;touch %1;\n'\"").arg(canary);
    const RunOutcome o = run(QStringLiteral("bash"), "printf '%s|' \"$HOSTILE\" \"$@\"; ls",
                             [&](RunSpec& s) {
                                 s.env = {{QStringLiteral("HOSTILE"), hostile}};
                                 s.files.append({QStringLiteral("weird $(touch x);`y`'\".txt"), "content"});
                                 s.command << hostile;
                             });
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("ok"));
    QVERIFY2(o.out.startsWith((hostile + QLatin1Char('|') + hostile + QLatin1Char('|')).toUtf8()), o.out.constData());
    QVERIFY2(o.out.contains("weird $(touch x);`y`'\".txt"), o.out.constData());
    QVERIFY2(!QFile::exists(canary), "nothing from a snippet's inputs may run on the host");
    // An image name is data to the engine, never a command line.
    const RunOutcome image = run(QStringLiteral("bash"), "echo hi", [&](RunSpec& s) { s.image = QStringLiteral("x;touch ") + canary; });
    QCOMPARE(verdictName(image.result.verdict), QStringLiteral("backend_error"));
    QVERIFY(!QFile::exists(canary));
}

void TestAttacks::concurrentRunsGetTheirOwnVerdicts()
{
    struct Case
    {
        const char* language;
        QByteArray code;
        Verdict expected;
        int timeoutMs;
        qint64 outputBytes;
    };
    const QList<Case> cases{
        {"python", "print('fine')", Verdict::Ok, 30'000, 1 << 20},
        {"bash", "yes", Verdict::OutputLimit, 30'000, 50'000},
        {"bash", "f(){ f|f& };f; sleep 60", Verdict::Timeout, 6'000, 1 << 20},
        {"python", "b=[]\nwhile True: b.append(b'x' * (8 << 20))", Verdict::MemoryLimit, 30'000, 1 << 20},
        {"node", "process.exit(4)", Verdict::ExitNonzero, 30'000, 1 << 20},
        {"bash", "sleep 60", Verdict::Timeout, 4'000, 1 << 20},
        {"python", "while True: pass", Verdict::Timeout, 4'000, 1 << 20},
        {"bash", "echo concurrent ok", Verdict::Ok, 30'000, 1 << 20},
    };
    QList<Run*> runs;
    QList<RunResult> results(cases.size());
    int finished = 0;
    for (qsizetype i = 0; i < cases.size(); ++i) {
        RunSpec spec = makeSpec(QString::fromLatin1(cases[i].language), cases[i].code);
        spec.limits.wallTimeoutMs = cases[i].timeoutMs;
        spec.limits.outputBytes = cases[i].outputBytes;
        spec.limits.memoryBytes = 128LL << 20;
        Run* run = m_backend->start(spec);
        connect(run, &Run::finished, this, [&, i](const RunResult& r) {
            results[i] = r;
            ++finished;
        });
        runs << run;
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished, int(cases.size()), 120'000);
    for (qsizetype i = 0; i < cases.size(); ++i)
        QVERIFY2(results[i].verdict == cases[i].expected,
                 qPrintable(QStringLiteral("case %1: %2 (%3)").arg(i).arg(verdictName(results[i].verdict), results[i].message)));
    qDeleteAll(runs);
}

QTEST_GUILESS_MAIN(TestAttacks)
#include "tst_attacks.moc"
