#include "RunResult.h"
#include "VerdictDecider.h"

#include <QTest>
#include <csignal>

using namespace cc;

Q_DECLARE_METATYPE(cc::Limits)

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;
constexpr qint64 GiB = 1024 * MiB;
constexpr int kNoExit = -1000; // row value meaning "the engine reported no exit status"

} // namespace

class TestVerdictDecider : public QObject
{
    Q_OBJECT

private slots:
    void decide_data();
    void decide();
    void backendErrorIsPassedThrough();
    void humanDuration_data();
    void humanDuration();
    void humanBytes_data();
    void humanBytes();
    void signalName_data();
    void signalName();
    void verdictNames_data();
    void verdictNames();
    void unknownVerdictName_data();
    void unknownVerdictName();
};

void TestVerdictDecider::decide_data()
{
    QTest::addColumn<bool>("cancelled");
    QTest::addColumn<QString>("backendError");
    QTest::addColumn<bool>("timedOut");
    QTest::addColumn<bool>("outputLimitReached");
    QTest::addColumn<int>("exitStatus");
    QTest::addColumn<qint64>("oomKills");
    QTest::addColumn<qint64>("pidsLimitHits");
    QTest::addColumn<qint64>("peakMemoryBytes");
    QTest::addColumn<qint64>("wallMs");
    QTest::addColumn<Limits>("limits");
    QTest::addColumn<QString>("verdict");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<int>("signal");
    QTest::addColumn<QStringList>("messageParts");

    const Limits defaults;
    Limits limits2500ms;
    limits2500ms.wallTimeoutMs = 2500;
    Limits limits90s;
    limits90s.wallTimeoutMs = 90'000;
    Limits memory512;
    memory512.memoryBytes = 512 * MiB;
    Limits output512k;
    output512k.outputBytes = 512 * KiB;
    Limits pids32;
    pids32.pids = 32;
    const qint64 mem = defaults.memoryBytes;
    const QString engineDown = QStringLiteral("Docker is not running: start it with `sudo systemctl start docker`.");

    // clang-format off
    //                                       cancel  backendError  timeout output  exit     oom  pids  peak        wall    limits
    QTest::newRow("ok")
        << false << QString() << false << false << 0 << qint64(0) << qint64(0) << 10 * MiB << qint64(1234) << defaults
        << "ok" << 0 << 0 << QStringList{"Exited normally", "code 0", "1.2 s"};
    QTest::newRow("exit 1")
        << false << QString() << false << false << 1 << qint64(0) << qint64(0) << 10 * MiB << qint64(500) << defaults
        << "exit_nonzero" << 1 << 0 << QStringList{"Exited with code 1", "0.5 s"};
    QTest::newRow("exit 128 is not a signal")
        << false << QString() << false << false << 128 << qint64(0) << qint64(0) << 10 * MiB << qint64(500) << defaults
        << "exit_nonzero" << 128 << 0 << QStringList{"Exited with code 128"};
    QTest::newRow("segfault")
        << false << QString() << false << false << 139 << qint64(0) << qint64(0) << 10 * MiB << qint64(2000) << defaults
        << "exit_nonzero" << 139 << 11 << QStringList{"SIGSEGV", "exit status 139", "2 s"};
    QTest::newRow("interrupted")
        << false << QString() << false << false << 130 << qint64(-1) << qint64(-1) << qint64(-1) << qint64(2000) << defaults
        << "exit_nonzero" << 130 << 2 << QStringList{"SIGINT"};
    QTest::newRow("timeout")
        << false << QString() << true << false << kNoExit << qint64(0) << qint64(0) << 10 * MiB << qint64(10'020) << defaults
        << "timeout" << -1 << 9 << QStringList{"Killed after 10 s: the time limit"};
    QTest::newRow("timeout 2.5 s")
        << false << QString() << true << false << kNoExit << qint64(-1) << qint64(-1) << qint64(-1) << qint64(2600) << limits2500ms
        << "timeout" << -1 << 9 << QStringList{"Killed after 2.5 s: the time limit"};
    QTest::newRow("timeout 90 s")
        << false << QString() << true << false << 137 << qint64(-1) << qint64(-1) << qint64(-1) << qint64(90'100) << limits90s
        << "timeout" << -1 << 9 << QStringList{"Killed after 90 s: the time limit"};
    QTest::newRow("timeout mentions pids limit hits")
        << false << QString() << true << false << kNoExit << qint64(0) << qint64(4) << 10 * MiB << qint64(10'020) << defaults
        << "timeout" << -1 << 9 << QStringList{"the time limit", "process limit of 128"};
    QTest::newRow("timeout beats OOM")
        << false << QString() << true << false << 137 << qint64(1) << qint64(0) << mem << qint64(10'000) << defaults
        << "timeout" << -1 << 9 << QStringList{"the time limit"};
    QTest::newRow("timeout beats output limit")
        << false << QString() << true << true << kNoExit << qint64(0) << qint64(0) << 10 * MiB << qint64(10'000) << defaults
        << "timeout" << -1 << 9 << QStringList{"the time limit"};
    QTest::newRow("output limit")
        << false << QString() << false << true << kNoExit << qint64(0) << qint64(0) << 10 * MiB << qint64(800) << defaults
        << "output_limit" << -1 << 9 << QStringList{"1 MiB of output", "the output limit", "kept"};
    QTest::newRow("output limit 512 KiB beats OOM")
        << false << QString() << false << true << 137 << qint64(1) << qint64(0) << mem << qint64(800) << output512k
        << "output_limit" << -1 << 9 << QStringList{"512 KiB of output", "the output limit"};
    QTest::newRow("OOM by kernel count")
        << false << QString() << false << false << 137 << qint64(1) << qint64(0) << mem << qint64(3000) << defaults
        << "memory_limit" << 137 << 9 << QStringList{"out-of-memory", "memory limit of 256 MiB", "3 s"};
    QTest::newRow("OOM with 512 MiB limit")
        << false << QString() << false << false << 137 << qint64(2) << qint64(-1) << qint64(-1) << qint64(3000) << memory512
        << "memory_limit" << 137 << 9 << QStringList{"memory limit of 512 MiB"};
    QTest::newRow("OOM of a child, parent exits 1")
        << false << QString() << false << false << 1 << qint64(1) << qint64(0) << mem << qint64(3000) << defaults
        << "memory_limit" << 1 << 0 << QStringList{"memory limit of 256 MiB"};
    QTest::newRow("OOM needs a non-zero exit")
        << false << QString() << false << false << 0 << qint64(2) << qint64(0) << mem << qint64(3000) << defaults
        << "ok" << 0 << 0 << QStringList{"Exited normally"};
    QTest::newRow("OOM unknown, SIGKILL, peak 96%")
        << false << QString() << false << false << 137 << qint64(-1) << qint64(-1) << mem * 96 / 100 << qint64(3000) << defaults
        << "memory_limit" << 137 << 9 << QStringList{"memory limit of 256 MiB"};
    QTest::newRow("OOM unknown, SIGKILL, peak exactly 95%")
        << false << QString() << false << false << 137 << qint64(-1) << qint64(-1) << mem * 95 / 100 << qint64(3000) << defaults
        << "memory_limit" << 137 << 9 << QStringList{"memory limit of 256 MiB"};
    QTest::newRow("OOM unknown, SIGKILL, low peak")
        << false << QString() << false << false << 137 << qint64(-1) << qint64(-1) << 20 * MiB << qint64(3000) << defaults
        << "exit_nonzero" << 137 << 9 << QStringList{"Killed by SIGKILL", "exit status 137"};
    QTest::newRow("OOM unknown, SIGKILL, peak unknown")
        << false << QString() << false << false << 137 << qint64(-1) << qint64(-1) << qint64(-1) << qint64(3000) << defaults
        << "exit_nonzero" << 137 << 9 << QStringList{"SIGKILL"};
    QTest::newRow("kernel says no OOM, SIGKILL at the limit")
        << false << QString() << false << false << 137 << qint64(0) << qint64(0) << mem << qint64(3000) << defaults
        << "exit_nonzero" << 137 << 9 << QStringList{"SIGKILL"};
    QTest::newRow("OOM unknown, exit 1 at the limit")
        << false << QString() << false << false << 1 << qint64(-1) << qint64(-1) << mem << qint64(3000) << defaults
        << "exit_nonzero" << 1 << 0 << QStringList{"Exited with code 1"};
    QTest::newRow("pids hit but exit 0")
        << false << QString() << false << false << 0 << qint64(0) << qint64(7) << 10 * MiB << qint64(400) << defaults
        << "ok" << 0 << 0 << QStringList{"Exited normally"};
    QTest::newRow("pids hit and exit 1")
        << false << QString() << false << false << 1 << qint64(0) << qint64(7) << 10 * MiB << qint64(400) << defaults
        << "pids_limit" << 1 << 0 << QStringList{"code 1", "process limit of 128"};
    QTest::newRow("pids hit, limit 32")
        << false << QString() << false << false << 2 << qint64(-1) << qint64(1) << qint64(-1) << qint64(400) << pids32
        << "pids_limit" << 2 << 0 << QStringList{"process limit of 32"};
    QTest::newRow("pids unknown, exit 1")
        << false << QString() << false << false << 1 << qint64(-1) << qint64(-1) << qint64(-1) << qint64(400) << defaults
        << "exit_nonzero" << 1 << 0 << QStringList{"Exited with code 1"};
    QTest::newRow("OOM beats pids")
        << false << QString() << false << false << 137 << qint64(1) << qint64(3) << mem << qint64(400) << defaults
        << "memory_limit" << 137 << 9 << QStringList{"memory limit"};
    QTest::newRow("cancelled")
        << true << QString() << false << false << kNoExit << qint64(-1) << qint64(-1) << qint64(-1) << qint64(3000) << defaults
        << "cancelled" << -1 << 9 << QStringList{"Stopped by you after 3 s"};
    QTest::newRow("cancelled beats backend error")
        << true << engineDown << false << false << kNoExit << qint64(-1) << qint64(-1) << qint64(-1) << qint64(3000) << defaults
        << "cancelled" << -1 << 9 << QStringList{"Stopped by you"};
    QTest::newRow("cancelled beats timeout and exit")
        << true << QString() << true << true << 137 << qint64(1) << qint64(1) << mem << qint64(3000) << defaults
        << "cancelled" << -1 << 9 << QStringList{"Stopped by you"};
    QTest::newRow("backend error")
        << false << engineDown << false << false << kNoExit << qint64(-1) << qint64(-1) << qint64(-1) << qint64(0) << defaults
        << "backend_error" << -1 << 0 << QStringList{engineDown};
    QTest::newRow("backend error beats timeout and exit")
        << false << engineDown << true << true << 0 << qint64(1) << qint64(1) << mem << qint64(10'000) << defaults
        << "backend_error" << -1 << 0 << QStringList{engineDown};
    QTest::newRow("no exit status")
        << false << QString() << false << false << kNoExit << qint64(-1) << qint64(-1) << qint64(-1) << qint64(700) << defaults
        << "backend_error" << -1 << 0 << QStringList{"without reporting how the program exited"};
    // clang-format on
}

void TestVerdictDecider::decide()
{
    QFETCH(bool, cancelled);
    QFETCH(QString, backendError);
    QFETCH(bool, timedOut);
    QFETCH(bool, outputLimitReached);
    QFETCH(int, exitStatus);
    QFETCH(qint64, oomKills);
    QFETCH(qint64, pidsLimitHits);
    QFETCH(qint64, peakMemoryBytes);
    QFETCH(qint64, wallMs);
    QFETCH(Limits, limits);
    QFETCH(QString, verdict);
    QFETCH(int, exitCode);
    QFETCH(int, signal);
    QFETCH(QStringList, messageParts);

    RunFacts facts;
    facts.cancelled = cancelled;
    facts.backendError = backendError;
    facts.timedOut = timedOut;
    facts.outputLimitReached = outputLimitReached;
    if (exitStatus != kNoExit)
        facts.exitStatus = exitStatus;
    facts.oomKills = oomKills;
    facts.pidsLimitHits = pidsLimitHits;
    facts.peakMemoryBytes = peakMemoryBytes;
    facts.wallMs = wallMs;
    facts.limits = limits;

    const VerdictDecision decision = decideVerdict(facts);
    QCOMPARE(verdictName(decision.verdict), verdict);
    QCOMPARE(decision.exitCode, exitCode);
    QCOMPARE(decision.signal, signal);
    for (const QString& part : messageParts)
        QVERIFY2(decision.message.contains(part), qPrintable(decision.message + QStringLiteral(" lacks: ") + part));
    // Every message is a sentence a person can read.
    QVERIFY(!decision.message.isEmpty());
    QVERIFY2(decision.message.at(0).isUpper(), qPrintable(decision.message));
    QVERIFY2(decision.message.endsWith(QLatin1Char('.')), qPrintable(decision.message));
}

void TestVerdictDecider::backendErrorIsPassedThrough()
{
    RunFacts facts;
    facts.backendError = QStringLiteral("The image codecourier/runner:bookworm-1 is missing: build it first.");
    facts.exitStatus = 0;
    const VerdictDecision decision = decideVerdict(facts);
    QCOMPARE(decision.verdict, Verdict::BackendError);
    QCOMPARE(decision.message, facts.backendError);
}

void TestVerdictDecider::humanDuration_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << qint64(0) << "0 s";
    QTest::newRow("50 ms") << qint64(50) << "0.05 s";
    QTest::newRow("120 ms") << qint64(120) << "0.12 s";
    QTest::newRow("300 ms") << qint64(300) << "0.3 s";
    QTest::newRow("1 s") << qint64(1000) << "1 s";
    QTest::newRow("1.2 s") << qint64(1234) << "1.2 s";
    QTest::newRow("1.5 s") << qint64(1500) << "1.5 s";
    QTest::newRow("2.5 s") << qint64(2500) << "2.5 s";
    QTest::newRow("just under 10 s") << qint64(9999) << "10 s";
    QTest::newRow("10 s") << qint64(10'000) << "10 s";
    QTest::newRow("10.4 s rounds down") << qint64(10'400) << "10 s";
    QTest::newRow("10.6 s rounds up") << qint64(10'600) << "11 s";
    QTest::newRow("59 s") << qint64(59'000) << "59 s";
    QTest::newRow("119 s") << qint64(119'000) << "119 s";
    QTest::newRow("2 min") << qint64(120'000) << "2 min";
    QTest::newRow("2 min 5 s") << qint64(125'000) << "2 min 5 s";
    QTest::newRow("1 hour") << qint64(3'600'000) << "60 min";
    QTest::newRow("24 hours") << qint64(86'400'000) << "1440 min";
}

void TestVerdictDecider::humanDuration()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(cc::humanDuration(ms), text);
}

void TestVerdictDecider::humanBytes_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << qint64(0) << "0 bytes";
    QTest::newRow("one") << qint64(1) << "1 byte";
    QTest::newRow("512 bytes") << qint64(512) << "512 bytes";
    QTest::newRow("1023 bytes") << qint64(1023) << "1023 bytes";
    QTest::newRow("1 KiB") << KiB << "1 KiB";
    QTest::newRow("1.5 KiB") << qint64(1536) << "1.5 KiB";
    QTest::newRow("512 KiB") << 512 * KiB << "512 KiB";
    QTest::newRow("1 MiB") << MiB << "1 MiB";
    QTest::newRow("256 MiB") << 256 * MiB << "256 MiB";
    QTest::newRow("1.5 GiB") << GiB + GiB / 2 << "1.5 GiB";
    QTest::newRow("64 GiB") << 64 * GiB << "64 GiB";
}

void TestVerdictDecider::humanBytes()
{
    QFETCH(qint64, bytes);
    QFETCH(QString, text);
    QCOMPARE(cc::humanBytes(bytes), text);
}

void TestVerdictDecider::signalName_data()
{
    QTest::addColumn<int>("signal");
    QTest::addColumn<QString>("name");
    // The platform's own numbers: the table must agree with them.
    QTest::newRow("SIGHUP") << SIGHUP << "SIGHUP";
    QTest::newRow("SIGINT") << SIGINT << "SIGINT";
    QTest::newRow("SIGQUIT") << SIGQUIT << "SIGQUIT";
    QTest::newRow("SIGILL") << SIGILL << "SIGILL";
    QTest::newRow("SIGTRAP") << SIGTRAP << "SIGTRAP";
    QTest::newRow("SIGABRT") << SIGABRT << "SIGABRT";
    QTest::newRow("SIGBUS") << SIGBUS << "SIGBUS";
    QTest::newRow("SIGFPE") << SIGFPE << "SIGFPE";
    QTest::newRow("SIGKILL") << SIGKILL << "SIGKILL";
    QTest::newRow("SIGUSR1") << SIGUSR1 << "SIGUSR1";
    QTest::newRow("SIGSEGV") << SIGSEGV << "SIGSEGV";
    QTest::newRow("SIGUSR2") << SIGUSR2 << "SIGUSR2";
    QTest::newRow("SIGPIPE") << SIGPIPE << "SIGPIPE";
    QTest::newRow("SIGALRM") << SIGALRM << "SIGALRM";
    QTest::newRow("SIGTERM") << SIGTERM << "SIGTERM";
    QTest::newRow("0") << 0 << "signal 0";
    QTest::newRow("42") << 42 << "signal 42";
    QTest::newRow("negative") << -1 << "signal -1";
}

void TestVerdictDecider::signalName()
{
    QFETCH(int, signal);
    QFETCH(QString, name);
    QCOMPARE(cc::signalName(signal), name);
}

void TestVerdictDecider::verdictNames_data()
{
    QTest::addColumn<int>("verdict");
    QTest::addColumn<QString>("name");
    QTest::newRow("ok") << int(Verdict::Ok) << "ok";
    QTest::newRow("exit_nonzero") << int(Verdict::ExitNonzero) << "exit_nonzero";
    QTest::newRow("timeout") << int(Verdict::Timeout) << "timeout";
    QTest::newRow("memory_limit") << int(Verdict::MemoryLimit) << "memory_limit";
    QTest::newRow("output_limit") << int(Verdict::OutputLimit) << "output_limit";
    QTest::newRow("pids_limit") << int(Verdict::PidsLimit) << "pids_limit";
    QTest::newRow("cancelled") << int(Verdict::Cancelled) << "cancelled";
    QTest::newRow("backend_error") << int(Verdict::BackendError) << "backend_error";
}

void TestVerdictDecider::verdictNames()
{
    QFETCH(int, verdict);
    QFETCH(QString, name);
    const auto v = static_cast<Verdict>(verdict);
    QCOMPARE(verdictName(v), name);
    const std::optional<Verdict> parsed = verdictFromName(name);
    QVERIFY(parsed.has_value());
    QCOMPARE(*parsed, v);
}

void TestVerdictDecider::unknownVerdictName_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("empty") << QString();
    QTest::newRow("upper case") << "OK";
    QTest::newRow("display text") << "exit nonzero";
    QTest::newRow("unknown") << "crashed";
    QTest::newRow("padded") << " ok";
}

void TestVerdictDecider::unknownVerdictName()
{
    QFETCH(QString, name);
    QVERIFY(!verdictFromName(name).has_value());
}

QTEST_GUILESS_MAIN(TestVerdictDecider)
#include "tst_verdictdecider.moc"
