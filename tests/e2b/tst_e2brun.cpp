// The E2B backend end to end against the protocol-faithful fake E2B server (control plane and
// envd on loopback): runs, limits, cancel, grants, cleanup, every error the issue lists, streams
// split at every byte, and `codecourier run --backend e2b` as a script would call it.
#include "ChangeSet.h"
#include "CliTestSupport.h"
#include "FakeE2BServer.h"
#include "FileTestSupport.h"
#include "Run.h"
#include "e2b/E2BApi.h"
#include "e2b/E2BBackend.h"
#include "http/HttpClient.h"

#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <csignal>
#include <memory>

using cc::Run;
using cc::RunResult;
using cc::RunSpec;
using cc::Verdict;
using cc::e2b::E2BBackend;
using cc::e2b::E2BConfig;
using cc::test::FakeE2BFault;
using cc::test::FakeE2BServer;
using cc::test::FakeE2BServerOptions;

Q_DECLARE_METATYPE(cc::test::FakeE2BFault)

namespace {

/// Everything a run produced, in the order it arrived.
struct Outcome
{
    RunResult result;
    QByteArray out;
    QByteArray err;
    QStringList events;          ///< "created", "started", "output", "stats", "finished" (repeats collapsed)
    QStringList progress;
    int statsCount = 0;
    int finishedCount = 0;
    QString sandboxId;
};

using Hook = std::function<void(Run*, const QString& event)>;

/// Starts spec and waits until finished (or the deadline, which fails the test), then a little
/// longer to catch a second finished().
Outcome runToEnd(cc::Backend& backend, const RunSpec& spec, const Hook& hook = {}, int deadlineMs = 60'000)
{
    Outcome o;
    Run* run = backend.start(spec);
    QEventLoop loop;
    auto note = [&o](const QString& event) {
        if (o.events.isEmpty() || o.events.last() != event)
            o.events << event;
    };
    QObject::connect(run, &Run::created, &loop, [&, run](const QString& id) {
        o.sandboxId = id;
        note(QStringLiteral("created"));
        if (hook)
            hook(run, QStringLiteral("created"));
    });
    QObject::connect(run, &Run::started, &loop, [&, run] {
        note(QStringLiteral("started"));
        if (hook)
            hook(run, QStringLiteral("started"));
    });
    QObject::connect(run, &Run::output, &loop, [&, run](Run::Stream stream, const QByteArray& bytes) {
        note(QStringLiteral("output"));
        (stream == Run::Stream::Stdout ? o.out : o.err).append(bytes);
        if (hook)
            hook(run, QStringLiteral("output"));
    });
    QObject::connect(run, &Run::stats, &loop, [&](const cc::StatsSample&) {
        ++o.statsCount;
        note(QStringLiteral("stats"));
    });
    QObject::connect(run, &Run::progress, &loop, [&](const QString& text) { o.progress << text; });
    QObject::connect(run, &Run::finished, &loop, [&](const RunResult& result) {
        ++o.finishedCount;
        note(QStringLiteral("finished"));
        o.result = result;
        loop.quit();
    });
    if (hook)
        hook(run, QStringLiteral("begin"));
    QTimer::singleShot(deadlineMs, &loop, [&] { loop.quit(); });
    if (!run->isFinished())
        loop.exec();
    // A second finished() would arrive now, if there were one.
    QTest::qWait(150);
    return o;
}

RunSpec bashSpec(const QByteArray& script)
{
    RunSpec spec;
    spec.language = QStringLiteral("bash");
    spec.image = QStringLiteral("base");
    spec.files.append({QStringLiteral("main.sh"), script});
    spec.command = {QStringLiteral("bash"), QStringLiteral("main.sh")};
    spec.limits.wallTimeoutMs = 20'000;
    return spec;
}

RunSpec pythonSpec(const QByteArray& code)
{
    RunSpec spec = bashSpec({});
    spec.language = QStringLiteral("python");
    spec.files = {{QStringLiteral("main.py"), code}};
    spec.command = {QStringLiteral("python3"), QStringLiteral("-u"), QStringLiteral("main.py")};
    return spec;
}

/// The statuses the fake answered requests to path with, in order.
std::vector<int> statusesOf(const FakeE2BServer& fake, const std::string& path)
{
    std::vector<int> statuses;
    for (const auto& r : fake.requests()) {
        if (r.path == path)
            statuses.push_back(r.status);
    }
    return statuses;
}

QString describe(const Outcome& o)
{
    return QStringLiteral("verdict %1: %2 | events %3 | out [%4] err [%5]")
        .arg(cc::verdictName(o.result.verdict), o.result.message, o.events.join(QLatin1Char(',')),
             QString::fromUtf8(o.out.left(300)), QString::fromUtf8(o.err.left(300)));
}

} // namespace

class TestE2BRun : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void normalRun();
    void exitCodes_data();
    void exitCodes();
    void staticStdinAndEnv();
    void requestsCarryTheProtocolHeaders();
    void networkGrantInTheCreateBody_data();
    void networkGrantInTheCreateBody();
    void fallsBackToV1WhenV2IsUnknown();
    void rateLimitIsRetriedAfterRetryAfter();
    void timeout();
    void localTimeLimitWhenEnvdIgnoresIt();
    void outputLimitIsByteExact();
    void cancel_data();
    void cancel();
    void metricsAreSampled();
    void hostFolderIsCopied();
    void hostFolderPolicyApplies();
    void errors_data();
    void errors();
    void sandboxExpiresMidRun();
    void tlsFailure();
    void apiUnreachable();
    void streamSplitAtEveryByte();
    void unicodeSplitAcrossChunks();
    void cliJson();
    void cliGrantsStdinAndEnv();
    void cliExitStatuses_data();
    void cliExitStatuses();
    void cliInterruptDeletesTheSandbox();
    void doctorProbesTheApi();
    void artifactsAreCollected();
    void noArtifactsIsNoError();
    void artifactFolderReplacedByALink();
    void artifactsAfterTheTimeLimit();
    void artifactCapsAndCancel();
    void artifactFaultsLeaveTheVerdictAlone();
    void cliSavesArtifacts();
    void reviewBringsTheChangesBack();
    void reviewOfAnEmptyFolderWithoutArtifacts();
    void reviewAfterTheTimeLimit();
    void reviewDeeperThanTheListDepth();
    void reviewCopyReplaced_data();
    void reviewCopyReplaced();
    void reviewFaultsLeaveTheVerdictAlone();
    void cliReview();

private:
    std::unique_ptr<E2BBackend> backend(const E2BConfig& config);
    std::unique_ptr<E2BBackend> backend();
    E2BConfig config(const QString& key = {}) const;
    void verifyEverySandboxDeleted();
    QProcessEnvironment cliEnvironment() const;

    std::unique_ptr<FakeE2BServer> m_fake;
    std::unique_ptr<cc::http::HttpClient> m_http;
    QTemporaryDir m_dir;
    QString m_key;
};

void TestE2BRun::initTestCase()
{
    qRegisterMetaType<cc::RunResult>();
    QVERIFY(m_dir.isValid());
    m_fake = std::make_unique<FakeE2BServer>();
    std::string error;
    QVERIFY2(m_fake->start(&error), error.c_str());
    m_key = QString::fromStdString(m_fake->options().apiKey);
    m_http = std::make_unique<cc::http::HttpClient>();
}

void TestE2BRun::init()
{
    m_fake->clearFaults();
    m_fake->clearRecords();
}

void TestE2BRun::cleanup()
{
    m_fake->clearFaults();
}

void TestE2BRun::cleanupTestCase()
{
    m_http.reset();
    m_fake->stop();
}

E2BConfig TestE2BRun::config(const QString& key) const
{
    return E2BConfig::fromValues(key.isEmpty() ? m_key : key, {}, false, QString::fromStdString(m_fake->apiUrl()),
                                 QString::fromStdString(m_fake->sandboxUrl()));
}

std::unique_ptr<E2BBackend> TestE2BRun::backend(const E2BConfig& config)
{
    return std::make_unique<E2BBackend>(m_http.get(), config);
}

std::unique_ptr<E2BBackend> TestE2BRun::backend()
{
    return backend(config());
}

void TestE2BRun::verifyEverySandboxDeleted()
{
    QVERIFY2(m_fake->liveSandboxes().empty(), "a sandbox was left alive");
    QVERIFY(m_fake->waitForNoLiveProcesses(5'000));
    for (const auto& create : m_fake->creates()) {
        if (create.sandboxId.empty())
            continue;
        bool deleted = false;
        for (const auto& d : m_fake->deletes())
            deleted = deleted || (d.sandboxId == create.sandboxId && (d.status == 204 || d.status == 404));
        QVERIFY2(deleted, ("no DELETE for sandbox " + create.sandboxId).c_str());
    }
}

QProcessEnvironment TestE2BRun::cliEnvironment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("E2B_API_KEY"), m_key);
    env.insert(QStringLiteral("E2B_API_URL"), QString::fromStdString(m_fake->apiUrl()));
    env.insert(QStringLiteral("E2B_SANDBOX_URL"), QString::fromStdString(m_fake->sandboxUrl()));
    env.remove(QStringLiteral("E2B_DOMAIN"));
    env.remove(QStringLiteral("E2B_DEBUG"));
    // Default settings only.
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
    return env;
}

// ---------------------------------------------------------------------------------------------

void TestE2BRun::normalRun()
{
    auto b = backend();
    const Outcome o = runToEnd(*b, bashSpec("echo hello; echo second line; pwd; ls"));
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    QCOMPARE(o.finishedCount, 1);
    QCOMPARE(o.result.exitCode, 0);
    QCOMPARE(o.result.signal, 0);
    QVERIFY(o.out.startsWith("hello\nsecond line\n"));
    // The stdin file is not there; the artifacts folder is.
    QVERIFY2(o.out.endsWith("/workspace\nmain.sh\nout\n"), o.out.constData());
    QVERIFY(o.err.isEmpty());
    QCOMPARE(o.events.first(), QStringLiteral("created"));
    QCOMPARE(o.events.at(1), QStringLiteral("started"));
    QCOMPARE(o.events.last(), QStringLiteral("finished"));
    QCOMPARE(o.result.backend, QStringLiteral("e2b"));
    QCOMPARE(o.result.image, QStringLiteral("base"));
    QCOMPARE(o.result.sandboxId, o.sandboxId);
    QVERIFY(!o.result.sandboxId.isEmpty());
    QCOMPARE(o.result.outputBytes, qint64(o.out.size()));
    QVERIFY(!o.result.outputTruncated);
    QVERIFY(!o.result.network);
    QVERIFY(o.result.message.startsWith(QLatin1String("Exited normally (code 0)")));
    QVERIFY2(o.result.message.contains(QLatin1String("come from the E2B template")), qPrintable(o.result.message));
    verifyEverySandboxDeleted();
    QCOMPARE(m_fake->creates().size(), size_t(1));
    QCOMPARE(m_fake->creates().front().path, std::string("/v2/sandboxes"));
    QCOMPARE(m_fake->creates().front().body.value("templateID", ""), std::string("base"));
    QVERIFY(m_fake->creates().front().body.value("timeout", 0) >= 20);
}

void TestE2BRun::exitCodes_data()
{
    QTest::addColumn<QByteArray>("script");
    QTest::addColumn<int>("verdict");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<int>("signal");
    QTest::addColumn<QByteArray>("stderr");
    QTest::newRow("exit 3 with stderr") << QByteArray("echo failing >&2; exit 3") << int(Verdict::ExitNonzero) << 3 << 0
                                        << QByteArray("failing\n");
    QTest::newRow("exit 255") << QByteArray("exit 255") << int(Verdict::ExitNonzero) << 255 << 0 << QByteArray();
    QTest::newRow("killed by its own SIGKILL") << QByteArray("kill -9 $$") << int(Verdict::ExitNonzero) << 137 << 9
                                               << QByteArray();
    QTest::newRow("SIGSEGV") << QByteArray("kill -SEGV $$") << int(Verdict::ExitNonzero) << 139 << 11 << QByteArray();
    QTest::newRow("stderr only, exit 0") << QByteArray("echo warn >&2") << int(Verdict::Ok) << 0 << 0
                                         << QByteArray("warn\n");
}

void TestE2BRun::exitCodes()
{
    QFETCH(QByteArray, script);
    QFETCH(int, verdict);
    QFETCH(int, exitCode);
    QFETCH(int, signal);
    QFETCH(QByteArray, stderr);
    auto b = backend();
    const Outcome o = runToEnd(*b, bashSpec(script));
    QVERIFY2(o.result.verdict == Verdict(verdict), qPrintable(describe(o)));
    QCOMPARE(o.result.exitCode, exitCode);
    QCOMPARE(o.result.signal, signal);
    QCOMPARE(o.err, stderr);
    QCOMPARE(o.finishedCount, 1);
    verifyEverySandboxDeleted();
}

void TestE2BRun::staticStdinAndEnv()
{
    auto b = backend();
    RunSpec spec = bashSpec("read -r first; echo \"got $first\"; cat; echo \"K=$K\"; ls -A");
    spec.stdinData = "line one\nline two\n";
    spec.hasStdin = true;
    spec.env = {{QStringLiteral("K"), QStringLiteral("value with $(spaces) and 'quotes'")}};
    const Outcome o = runToEnd(*b, spec);
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    // The stdin file is removed once the program has it open; the artifacts folder is there.
    QCOMPARE(o.out, QByteArray("got line one\nline two\nK=value with $(spaces) and 'quotes'\nmain.sh\nout\n"));

    // Without stdin the program reads EOF at once.
    const Outcome none = runToEnd(*b, bashSpec("cat; echo done"));
    QCOMPARE(none.out, QByteArray("done\n"));
    verifyEverySandboxDeleted();
}

void TestE2BRun::requestsCarryTheProtocolHeaders()
{
    auto b = backend();
    RunSpec spec = bashSpec("echo hi");
    spec.limits.wallTimeoutMs = 7'500;
    const Outcome o = runToEnd(*b, spec);
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));

    const auto create = m_fake->lastRequestHeaders("/v2/sandboxes");
    QCOMPARE(create.at("x-api-key"), std::string("<valid>"));
    QCOMPARE(create.at("content-type"), std::string("application/json"));

    const auto start = m_fake->lastRequestHeaders("/process.Process/Start");
    QCOMPARE(start.at("content-type"), std::string("application/connect+json"));
    QCOMPARE(start.at("connect-protocol-version"), std::string("1"));
    QCOMPARE(start.at("connect-timeout-ms"), std::string("7500"));
    QCOMPARE(start.at("x-access-token"), std::string("<valid>"));
    QCOMPARE(start.at("e2b-sandbox-id"), o.sandboxId.toStdString());
    QCOMPARE(start.at("e2b-sandbox-port"), std::string("49983"));
    QVERIFY(!start.count("x-api-key"));  // the API key never goes to a sandbox

    const auto upload = m_fake->lastRequestHeaders("/files");
    QCOMPARE(upload.at("x-access-token"), std::string("<valid>"));
    QCOMPARE(upload.at("e2b-sandbox-id"), o.sandboxId.toStdString());

    const auto processes = m_fake->processes();
    QVERIFY(!processes.empty());
    QCOMPARE(processes.back().cwd, std::string("/workspace"));
    QCOMPARE(processes.back().cmd, std::string("/bin/bash"));
    verifyEverySandboxDeleted();
}

void TestE2BRun::networkGrantInTheCreateBody_data()
{
    QTest::addColumn<bool>("granted");
    QTest::newRow("not granted: internet off") << false;
    QTest::newRow("granted") << true;
}

void TestE2BRun::networkGrantInTheCreateBody()
{
    QFETCH(bool, granted);
    auto b = backend();
    RunSpec spec = bashSpec("echo hi");
    spec.grants.network = granted;
    const Outcome o = runToEnd(*b, spec);
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    QCOMPARE(o.result.network, granted);
    const auto creates = m_fake->creates();
    QCOMPARE(creates.size(), size_t(1));
    // Always sent, never left to E2B's default (which is internet ON).
    QVERIFY(creates.front().body.contains("allow_internet_access"));
    QCOMPARE(creates.front().body["allow_internet_access"].get<bool>(), granted);
    const auto sandbox = m_fake->sandbox(creates.front().sandboxId);
    QVERIFY(sandbox);
    QCOMPARE(sandbox->allowInternetAccess, std::optional<bool>(granted));
    verifyEverySandboxDeleted();
}

void TestE2BRun::fallsBackToV1WhenV2IsUnknown()
{
    FakeE2BServerOptions options;
    options.acceptV2 = false;
    FakeE2BServer old(options);
    std::string error;
    QVERIFY2(old.start(&error), error.c_str());
    auto b = backend(E2BConfig::fromValues(m_key, {}, false, QString::fromStdString(old.apiUrl()),
                                           QString::fromStdString(old.sandboxUrl())));
    const Outcome first = runToEnd(*b, bashSpec("echo v1"));
    QVERIFY2(first.result.verdict == Verdict::Ok, qPrintable(describe(first)));
    QCOMPARE(first.out, QByteArray("v1\n"));
    QCOMPARE(statusesOf(old, "/v2/sandboxes"), std::vector<int>{404});
    auto creates = old.creates();
    QCOMPARE(creates.size(), size_t(1));
    QCOMPARE(creates[0].path, std::string("/sandboxes"));
    QCOMPARE(creates[0].status, 201);
    QCOMPARE(creates[0].body.value("secure", false), true);
    QCOMPARE(creates[0].body.value("allow_internet_access", true), false);

    // The backend remembers: the next run goes to v1 straight away.
    const Outcome second = runToEnd(*b, bashSpec("echo again"));
    QVERIFY2(second.result.verdict == Verdict::Ok, qPrintable(describe(second)));
    QCOMPARE(statusesOf(old, "/v2/sandboxes").size(), size_t(1));
    QCOMPARE(old.creates().size(), size_t(2));

    // An unknown template on an old server is still an unknown template.
    RunSpec missing = bashSpec("echo");
    missing.image = QStringLiteral("no-such-template");
    const Outcome unknown = runToEnd(*b, missing);
    QCOMPARE(unknown.result.verdict, Verdict::BackendError);
    QVERIFY2(unknown.result.message.contains(QLatin1String("no template \"no-such-template\"")),
             qPrintable(unknown.result.message));
    QVERIFY(old.liveSandboxes().empty());
    old.stop();
}

void TestE2BRun::rateLimitIsRetriedAfterRetryAfter()
{
    m_fake->addFault(FakeE2BFault::rateLimited("/v2/sandboxes", 1));
    auto b = backend();
    QElapsedTimer clock;
    clock.start();
    const Outcome o = runToEnd(*b, bashSpec("echo after the wait"));
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    QVERIFY2(clock.elapsed() >= 950, "Retry-After was not honoured");
    QCOMPARE(statusesOf(*m_fake, "/v2/sandboxes"), (std::vector<int>{429, 201}));
    verifyEverySandboxDeleted();
}

void TestE2BRun::timeout()
{
    auto b = backend();
    RunSpec spec = bashSpec("echo before; sleep 30; echo never");
    spec.limits.wallTimeoutMs = 1'500;
    QElapsedTimer clock;
    clock.start();
    const Outcome o = runToEnd(*b, spec);
    QVERIFY2(o.result.verdict == Verdict::Timeout, qPrintable(describe(o)));
    QVERIFY(clock.elapsed() < 10'000);
    QCOMPARE(o.out, QByteArray("before\n"));
    QCOMPARE(o.result.signal, 9);
    QCOMPARE(o.result.exitCode, -1);
    QVERIFY2(o.result.message.startsWith(QLatin1String("Killed after 1.5 s: the time limit.")),
             qPrintable(o.result.message));
    QVERIFY(o.result.wallMs >= 1'000 && o.result.wallMs < 5'000);
    QCOMPARE(o.finishedCount, 1);
    const auto processes = m_fake->processes();
    QVERIFY(!processes.empty());
    QVERIFY(!processes.back().running);
    verifyEverySandboxDeleted();
}

void TestE2BRun::localTimeLimitWhenEnvdIgnoresIt()
{
    // envd's deadline normally ends the stream first; when it does not (an envd that lost the
    // header, a proxy that strips it), the client's own timer must: SIGKILL, then DELETE.
    FakeE2BFault ignore;
    ignore.path = "/process.Process/Start";
    ignore.ignoreTimeout = true;
    m_fake->addFault(ignore);
    auto b = backend();
    RunSpec spec = bashSpec("echo before; sleep 30");
    spec.limits.wallTimeoutMs = 1'200;
    QElapsedTimer clock;
    clock.start();
    const Outcome o = runToEnd(*b, spec);
    QVERIFY2(o.result.verdict == Verdict::Timeout, qPrintable(describe(o)));
    QVERIFY(clock.elapsed() < 10'000);
    QCOMPARE(o.out, QByteArray("before\n"));
    QVERIFY2(o.result.message.startsWith(QLatin1String("Killed after 1.2 s: the time limit.")),
             qPrintable(o.result.message));
    QVERIFY(o.result.wallMs >= 1'200);
    const auto processes = m_fake->processes();
    QVERIFY(!processes.empty());
    QCOMPARE(processes.back().signalsSent, std::vector<int>{9});
    QVERIFY(!processes.back().deadlineExceeded);
    QCOMPARE(statusesOf(*m_fake, "/process.Process/SendSignal"), std::vector<int>{200});
    verifyEverySandboxDeleted();
}

void TestE2BRun::outputLimitIsByteExact()
{
    auto b = backend();
    RunSpec spec = bashSpec("while :; do echo 0123456789; echo abcdefghij >&2; done");
    spec.limits.outputBytes = 1'000;
    const Outcome o = runToEnd(*b, spec);
    QVERIFY2(o.result.verdict == Verdict::OutputLimit, qPrintable(describe(o)));
    QCOMPARE(o.out.size() + o.err.size(), qsizetype(1'000));
    QCOMPARE(o.result.outputBytes, qint64(1'000));
    QVERIFY(o.result.outputTruncated);
    QCOMPARE(o.result.signal, 9);
    QVERIFY(o.result.message.contains(QLatin1String("output limit")));
    verifyEverySandboxDeleted();
}

void TestE2BRun::cancel_data()
{
    QTest::addColumn<QString>("when");      // the event at which cancel() is called
    QTest::addColumn<int>("delayMs");       // ... after this delay
    QTest::addColumn<QByteArray>("faultPath"); // a slow step to cancel inside, if any
    QTest::addColumn<bool>("expectSignal"); // SendSignal before DELETE
    QTest::newRow("before anything happened") << "begin" << 0 << QByteArray() << false;
    QTest::newRow("while E2B creates the sandbox") << "begin" << 200 << QByteArray("/v2/sandboxes") << false;
    QTest::newRow("as the sandbox is created") << "created" << 0 << QByteArray() << false;
    QTest::newRow("while the files upload") << "created" << 200 << QByteArray("/files") << false;
    QTest::newRow("while the program runs") << "started" << 300 << QByteArray() << true;
    QTest::newRow("on its first output") << "output" << 0 << QByteArray() << true;
}

void TestE2BRun::cancel()
{
    QFETCH(QString, when);
    QFETCH(int, delayMs);
    QFETCH(QByteArray, faultPath);
    QFETCH(bool, expectSignal);
    if (!faultPath.isEmpty())
        m_fake->addFault(FakeE2BFault::delayed(faultPath.toStdString(), 1'500));
    auto b = backend();
    bool cancelled = false;
    QElapsedTimer clock;
    const Outcome o = runToEnd(*b, bashSpec("echo running; sleep 30"), [&](Run* run, const QString& event) {
        if (event != when || cancelled)
            return;
        cancelled = true;
        clock.start();
        if (delayMs == 0)
            run->cancel();
        else
            QTimer::singleShot(delayMs, run, [run] { run->cancel(); });
    });
    QVERIFY(cancelled);
    QVERIFY2(o.result.verdict == Verdict::Cancelled, qPrintable(describe(o)));
    QCOMPARE(o.finishedCount, 1);
    QCOMPARE(o.result.signal, 9);
    QVERIFY2(clock.elapsed() < 5'000, "cancel took too long");
    verifyEverySandboxDeleted();
    if (when == QLatin1String("begin") && delayMs == 0)
        QVERIFY(m_fake->creates().empty());

    // When the program was running: SIGKILL through SendSignal, then DELETE, in that order.
    int signalAt = -1;
    int deleteAt = -1;
    const auto requests = m_fake->requests();
    for (int i = 0; i < int(requests.size()); ++i) {
        if (requests[i].path == "/process.Process/SendSignal" && signalAt < 0)
            signalAt = i;
        if (requests[i].method == "DELETE" && deleteAt < 0)
            deleteAt = i;
    }
    if (expectSignal) {
        QVERIFY2(signalAt >= 0, "no SendSignal");
        QVERIFY(signalAt < deleteAt);
        QVERIFY(requests[size_t(signalAt)].body.find("SIGNAL_SIGKILL") != std::string::npos);
        const auto processes = m_fake->processes();
        QVERIFY(!processes.empty());
        QCOMPARE(processes.back().signalsSent, std::vector<int>{9});
    } else {
        QCOMPARE(signalAt, -1);
    }
    // Cancel again, afterwards: nothing happens.
}

void TestE2BRun::metricsAreSampled()
{
    auto b = backend();
    RunSpec spec = bashSpec("end=$((SECONDS + 3)); while [ $SECONDS -lt $end ]; do :; done; echo spun");
    const Outcome o = runToEnd(*b, spec);
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    QVERIFY2(o.statsCount >= 2, qPrintable(QString::number(o.statsCount)));
    QVERIFY(o.result.peakMemoryBytes > 0);
    QVERIFY(o.result.peakMemoryIsSample);
    QVERIFY(o.result.memoryLimitBytes > 0);
    QVERIFY2(o.result.cpuMs > 0, qPrintable(QString::number(o.result.cpuMs)));  // it spun for ~3 s
    QVERIFY(o.result.message.contains(QLatin1String("samples")));
    verifyEverySandboxDeleted();
}

void TestE2BRun::hostFolderIsCopied()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    QDir(folder.path()).mkpath(QStringLiteral("sub"));
    QFile a(folder.filePath(QStringLiteral("a.txt")));
    QVERIFY(a.open(QIODevice::WriteOnly));
    a.write("alpha\n");
    a.close();
    QFile bFile(folder.filePath(QStringLiteral("sub/b.txt")));
    QVERIFY(bFile.open(QIODevice::WriteOnly));
    bFile.write("beta\n");
    bFile.close();
    QVERIFY(QFile::link(QDir::homePath() + QStringLiteral("/.bashrc"), folder.filePath(QStringLiteral("link"))));

    auto b = backend();
    RunSpec spec = bashSpec("cat host/a.txt host/sub/b.txt; ls host; echo changed > host/a.txt");
    spec.grants.hostFolder = folder.path();
    const Outcome o = runToEnd(*b, spec);
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    QCOMPARE(o.out, QByteArray("alpha\nbeta\na.txt\nsub\n"));  // the symbolic link stayed behind
    QCOMPARE(o.result.mountedFolder, QFileInfo(folder.path()).canonicalFilePath());
    // A copy: nothing comes back.
    QVERIFY(a.open(QIODevice::ReadOnly));
    QCOMPARE(a.readAll(), QByteArray("alpha\n"));
    QVERIFY(o.progress.join(QLatin1Char('\n')).contains(QLatin1String("symbolic link")));
    verifyEverySandboxDeleted();
}

void TestE2BRun::hostFolderPolicyApplies()
{
    auto b = backend();
    RunSpec spec = bashSpec("echo never");
    spec.grants.hostFolder = QDir::homePath();
    const Outcome o = runToEnd(*b, spec);
    QCOMPARE(o.result.verdict, Verdict::BackendError);
    QVERIFY2(o.result.message.contains(QLatin1String("Refused to share")), qPrintable(o.result.message));
    QVERIFY(m_fake->creates().empty());  // refused before any sandbox existed
}

void TestE2BRun::errors_data()
{
    QTest::addColumn<FakeE2BFault>("fault");
    QTest::addColumn<QString>("key");       // empty: the right key
    QTest::addColumn<QString>("templ");
    QTest::addColumn<QString>("mentions");
    QTest::addColumn<bool>("sandboxMade");

    const FakeE2BFault none{};
    FakeE2BFault noRetryFits = FakeE2BFault::rateLimited("/v2/sandboxes", 600);
    FakeE2BFault alwaysLimited = FakeE2BFault::rateLimited("/v2/sandboxes", 0);
    alwaysLimited.times = -1;
    QTest::newRow("401 key rejected") << none << "e2b_wrong" << "base" << "rejected the API key (401)" << false;
    QTest::newRow("404 unknown template") << none << "" << "no-such-template" << "no template \"no-such-template\" (404)"
                                          << false;
    QTest::newRow("429, Retry-After beyond the request's time") << noRetryFits << "" << "base" << "rate limiting this key (429)"
                                                                << false;
    QTest::newRow("429 after every retry") << alwaysLimited << "" << "base" << "rate limiting this key (429)" << false;
    QTest::newRow("500 on create") << FakeE2BFault::serverError("/v2/sandboxes", 500) << "" << "base"
                                   << "server error (500)" << false;
    QTest::newRow("503 on create") << FakeE2BFault::serverError("/v2/sandboxes", 503) << "" << "base" << "busy (503)"
                                   << false;
    QTest::newRow("malformed create answer") << FakeE2BFault::malformed("/v2/sandboxes") << "" << "base" << "not JSON"
                                             << false;
    QTest::newRow("502 on upload: sandbox gone") << FakeE2BFault::sandboxGone("/files") << "" << "base"
                                                 << "sandbox was not found" << true;
    QTest::newRow("500 on upload") << FakeE2BFault::serverError("/files", 500) << "" << "base" << "server error (500)"
                                   << true;
    QTest::newRow("502 on start: sandbox gone") << FakeE2BFault::sandboxGone() << "" << "base" << "sandbox is gone"
                                                << true;
    QTest::newRow("503 on start") << FakeE2BFault::serverError("/process.Process/Start", 503) << "" << "base"
                                  << "server error (503)" << true;
    QTest::newRow("malformed JSON in the stream") << FakeE2BFault::malformed("/process.Process/Start") << "" << "base"
                                                  << "not a JSON object" << true;
    QTest::newRow("dropped stream") << FakeE2BFault::dropStream(2) << "" << "base" << "broke during the run" << true;
    QTest::newRow("no end event") << FakeE2BFault::noEndEvent() << "" << "base" << "no end event" << true;
    QTest::newRow("no end-stream envelope") << FakeE2BFault::noEndStream() << "" << "base"
                                            << "without its end-of-stream message" << true;
}

void TestE2BRun::errors()
{
    QFETCH(FakeE2BFault, fault);
    QFETCH(QString, key);
    QFETCH(QString, templ);
    QFETCH(QString, mentions);
    QFETCH(bool, sandboxMade);
    if (!fault.path.empty())
        m_fake->addFault(fault);
    auto b = backend(config(key));
    RunSpec spec = bashSpec("echo out; echo err >&2");
    spec.image = templ;
    const Outcome o = runToEnd(*b, spec);
    QVERIFY2(o.result.verdict == Verdict::BackendError, qPrintable(describe(o)));
    QCOMPARE(o.finishedCount, 1);
    QVERIFY2(o.result.message.contains(mentions), qPrintable(o.result.message));
    QVERIFY(!o.result.message.contains(m_key));
    QCOMPARE(o.events.contains(QStringLiteral("created")), sandboxMade);
    QCOMPARE(!o.result.sandboxId.isEmpty(), sandboxMade);
    verifyEverySandboxDeleted();
}

void TestE2BRun::sandboxExpiresMidRun()
{
    auto b = backend();
    const Outcome o = runToEnd(*b, bashSpec("echo started; sleep 30"), [&](Run*, const QString& event) {
        if (event == QLatin1String("output"))
            QTimer::singleShot(100, [this] {
                for (const auto& s : m_fake->liveSandboxes())
                    m_fake->expireSandbox(s.sandboxId);
            });
    });
    QVERIFY2(o.result.verdict == Verdict::BackendError, qPrintable(describe(o)));
    QVERIFY2(o.result.message.contains(QLatin1String("broke during the run")), qPrintable(o.result.message));
    QCOMPARE(o.out, QByteArray("started\n"));
    QCOMPARE(o.finishedCount, 1);
    // The DELETE still went out; a gone sandbox answers 404, which is fine.
    QVERIFY(!m_fake->deletes().empty());
    verifyEverySandboxDeleted();
}

void TestE2BRun::tlsFailure()
{
    // The fake speaks plain HTTP: a TLS client gets no handshake, as with a broken or intercepted
    // connection. Verification is never switched off, so this must fail with a clear sentence.
    const QString https = QString::fromStdString(m_fake->apiUrl()).replace(QLatin1String("http://"), QLatin1String("https://"));
    auto b = backend(E2BConfig::fromValues(m_key, {}, false, https, QString::fromStdString(m_fake->sandboxUrl())));
    const Outcome o = runToEnd(*b, bashSpec("echo never"));
    QCOMPARE(o.result.verdict, Verdict::BackendError);
    QVERIFY2(o.result.message.contains(QLatin1String("secure (TLS) connection")), qPrintable(o.result.message));
    QVERIFY(m_fake->liveSandboxes().empty());
}

void TestE2BRun::apiUnreachable()
{
    auto b = backend(E2BConfig::fromValues(m_key, {}, false, QStringLiteral("http://127.0.0.1:1"), {}));
    const Outcome o = runToEnd(*b, bashSpec("echo never"));
    QCOMPARE(o.result.verdict, Verdict::BackendError);
    QVERIFY2(o.result.message.contains(QLatin1String("Could not reach the E2B API at 127.0.0.1:1")),
             qPrintable(o.result.message));

    auto noKey = backend(E2BConfig::fromValues({}, {}, false, QString::fromStdString(m_fake->apiUrl()), {}));
    const Outcome keyless = runToEnd(*noKey, bashSpec("echo never"));
    QCOMPARE(keyless.result.verdict, Verdict::BackendError);
    QVERIFY(keyless.result.message.contains(QLatin1String("No E2B API key is set")));
    QVERIFY(m_fake->creates().empty());
}

void TestE2BRun::streamSplitAtEveryByte()
{
    // Every byte of the Start response in a write (and HTTP chunk) of its own: envelope headers,
    // JSON and base64 are cut at every boundary.
    FakeE2BFault split = FakeE2BFault::splitStream();
    split.times = -1;
    m_fake->addFault(split);
    auto b = backend();
    const Outcome o = runToEnd(*b, bashSpec("echo one; echo two >&2; printf 'three\\n'; exit 4"));
    QVERIFY2(o.result.verdict == Verdict::ExitNonzero, qPrintable(describe(o)));
    QCOMPARE(o.result.exitCode, 4);
    QCOMPARE(o.out, QByteArray("one\nthree\n"));
    QCOMPARE(o.err, QByteArray("two\n"));
    verifyEverySandboxDeleted();
}

void TestE2BRun::unicodeSplitAcrossChunks()
{
    // The program writes a character's bytes in separate writes, so envd sends them in separate
    // data messages; with tiny writes on top, each message arrives byte by byte.
    FakeE2BFault split = FakeE2BFault::splitStream();
    split.times = -1;
    m_fake->addFault(split);
    auto b = backend();
    const QByteArray code = "import sys, time\n"
                            "for chunk in (b'\\xc3', b'\\xa9\\xe2', b'\\x82', b'\\xac\\xf0\\x9f', b'\\x98\\x80\\n'):\n"
                            "    sys.stdout.buffer.write(chunk); sys.stdout.buffer.flush(); time.sleep(0.05)\n"
                            "sys.stderr.buffer.write('ü\\n'.encode()[:1]); sys.stderr.buffer.flush(); time.sleep(0.05)\n"
                            "sys.stderr.buffer.write('ü\\n'.encode()[1:])\n";
    const Outcome o = runToEnd(*b, pythonSpec(code));
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    QCOMPARE(o.out, QStringLiteral("é€😀\n").toUtf8());
    QCOMPARE(QString::fromUtf8(o.out), QStringLiteral("é€😀\n"));
    QCOMPARE(o.err, QStringLiteral("ü\n").toUtf8());
    verifyEverySandboxDeleted();
}

void TestE2BRun::cliJson()
{
    const QString binary = qEnvironmentVariable("CODECOURIER_BINARY");
    QVERIFY2(QFileInfo(binary).isExecutable(), "CODECOURIER_BINARY must name the built codecourier binary");
    QFile file(m_dir.filePath(QStringLiteral("hello.py")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("import sys\nprint('hi')\nprint('oops', file=sys.stderr)\n");
    file.close();

    QProcess process;
    process.setProcessEnvironment(cliEnvironment());
    process.start(binary, {QStringLiteral("run"), file.fileName(), QStringLiteral("--backend"), QStringLiteral("e2b"),
                           QStringLiteral("--json")});
    QVERIFY(process.waitForStarted());
    process.closeWriteChannel();
    QVERIFY(process.waitForFinished(60'000));
    const QByteArray out = process.readAllStandardOutput();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QVERIFY2(process.exitCode() == 0, (out + process.readAllStandardError()).constData());
    QJsonParseError error;
    const QJsonObject doc = QJsonDocument::fromJson(out, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    for (const char* key : {"verdict", "exit_code", "signal", "stdout", "stderr", "wall_ms", "cpu_ms",
                            "peak_memory_bytes", "peak_memory_is_sample", "output_truncated", "backend", "image",
                            "sandbox_id", "network", "mounts", "message"})
        QVERIFY2(doc.contains(QLatin1String(key)), key);
    QCOMPARE(doc.value("verdict").toString(), QStringLiteral("ok"));
    QCOMPARE(doc.value("exit_code").toInt(), 0);
    QVERIFY(doc.value("signal").isNull());
    QCOMPARE(doc.value("stdout").toString(), QStringLiteral("hi\n"));
    QCOMPARE(doc.value("stderr").toString(), QStringLiteral("oops\n"));
    QCOMPARE(doc.value("backend").toString(), QStringLiteral("e2b"));
    QCOMPARE(doc.value("image").toString(), QStringLiteral("base"));
    QCOMPARE(doc.value("network").toBool(), false);
    QVERIFY(!doc.value("sandbox_id").toString().isEmpty());
    QVERIFY(!out.contains(m_key.toUtf8()));
    QVERIFY(m_fake->liveSandboxes().empty());
    const auto creates = m_fake->creates();
    QCOMPARE(creates.size(), size_t(1));
    QCOMPARE(creates.front().body.value("allow_internet_access", true), false);
}

void TestE2BRun::cliGrantsStdinAndEnv()
{
    QTemporaryDir folder;
    QFile shared(folder.filePath(QStringLiteral("data.txt")));
    QVERIFY(shared.open(QIODevice::WriteOnly));
    shared.write("shared data\n");
    shared.close();
    QFile input(m_dir.filePath(QStringLiteral("input.txt")));
    QVERIFY(input.open(QIODevice::WriteOnly));
    input.write("from stdin\n");
    input.close();
    QFile script(m_dir.filePath(QStringLiteral("grants.sh")));
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("cat; cat host/data.txt; echo \"$GREETING\"");
    script.close();

    QProcess process;
    process.setProcessEnvironment(cliEnvironment());
    process.start(qEnvironmentVariable("CODECOURIER_BINARY"),
                  {QStringLiteral("run"), script.fileName(), QStringLiteral("--backend"), QStringLiteral("e2b"),
                   QStringLiteral("--allow-network"), QStringLiteral("--mount"), folder.path(), QStringLiteral("--stdin"),
                   input.fileName(), QStringLiteral("--env"), QStringLiteral("GREETING=hello there"),
                   QStringLiteral("--json")});
    QVERIFY(process.waitForFinished(60'000));
    const QByteArray out = process.readAllStandardOutput();
    QVERIFY2(process.exitCode() == 0, (out + process.readAllStandardError()).constData());
    const QJsonObject doc = QJsonDocument::fromJson(out).object();
    QCOMPARE(doc.value("stdout").toString(), QStringLiteral("from stdin\nshared data\nhello there\n"));
    QCOMPARE(doc.value("network").toBool(), true);
    const QJsonArray mounts = doc.value("mounts").toArray();
    QCOMPARE(mounts.size(), 1);
    QCOMPARE(mounts.at(0).toObject().value("host").toString(), QFileInfo(folder.path()).canonicalFilePath());
    QCOMPARE(mounts.at(0).toObject().value("target").toString(), QStringLiteral("/workspace/host"));
    QCOMPARE(mounts.at(0).toObject().value("copy").toBool(), true);
    const auto creates = m_fake->creates();
    QCOMPARE(creates.size(), size_t(1));
    QCOMPARE(creates.front().body.value("allow_internet_access", false), true);
    QVERIFY(m_fake->liveSandboxes().empty());
}

void TestE2BRun::cliExitStatuses_data()
{
    QTest::addColumn<QByteArray>("script");
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("summary");
    QTest::newRow("own exit code") << QByteArray("exit 7") << QStringList{} << "" << 7 << "exit_nonzero";
    QTest::newRow("timeout") << QByteArray("sleep 30") << QStringList{QStringLiteral("--timeout"), QStringLiteral("1")}
                             << "" << 124 << "timeout";
    QTest::newRow("output limit") << QByteArray("yes") << QStringList{QStringLiteral("--output-limit"), QStringLiteral("1K")}
                                  << "" << 141 << "output_limit";
    QTest::newRow("unknown template") << QByteArray("exit 0")
                                      << QStringList{QStringLiteral("--template"), QStringLiteral("nope")} << "" << 125
                                      << "no template \"nope\"";
    QTest::newRow("key rejected") << QByteArray("exit 0") << QStringList{} << "e2b_rejected" << 125
                                  << "rejected the API key";
}

void TestE2BRun::cliExitStatuses()
{
    QFETCH(QByteArray, script);
    QFETCH(QStringList, options);
    QFETCH(QString, key);
    QFETCH(int, status);
    QFETCH(QString, summary);
    QFile file(m_dir.filePath(QStringLiteral("status.sh")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(script);
    file.close();
    QProcessEnvironment env = cliEnvironment();
    if (!key.isEmpty())
        env.insert(QStringLiteral("E2B_API_KEY"), key);
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(qEnvironmentVariable("CODECOURIER_BINARY"),
                  QStringList{QStringLiteral("run"), file.fileName(), QStringLiteral("--backend=e2b")} + options);
    QVERIFY(process.waitForFinished(60'000));
    const QByteArray err = process.readAllStandardError();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QVERIFY2(process.exitCode() == status, err.constData());
    QVERIFY2(err.contains(summary.toUtf8()), err.constData());
    QVERIFY(!err.contains(key.isEmpty() ? m_key.toUtf8() : key.toUtf8()));
    QVERIFY(m_fake->liveSandboxes().empty());
}

void TestE2BRun::cliInterruptDeletesTheSandbox()
{
    QFile script(m_dir.filePath(QStringLiteral("long.sh")));
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("echo waiting; sleep 30");
    script.close();
    QProcess process;
    process.setProcessEnvironment(cliEnvironment());
    process.start(qEnvironmentVariable("CODECOURIER_BINARY"),
                  {QStringLiteral("run"), script.fileName(), QStringLiteral("--backend"), QStringLiteral("e2b")});
    QVERIFY(process.waitForStarted());
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += process.readAllStandardOutput()).contains("waiting"), 30'000);
    QCOMPARE(m_fake->liveSandboxes().size(), size_t(1));
    ::kill(pid_t(process.processId()), SIGINT);
    QVERIFY(process.waitForFinished(30'000));
    const QByteArray err = process.readAllStandardError();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QVERIFY2(process.exitCode() == 130, err.constData());
    QVERIFY2(err.contains("codecourier: cancelled"), err.constData());
    QVERIFY(m_fake->liveSandboxes().empty());
    QVERIFY(m_fake->waitForNoLiveProcesses(5'000));
}

void TestE2BRun::doctorProbesTheApi()
{
    QProcess process;
    process.setProcessEnvironment(cliEnvironment());
    process.start(qEnvironmentVariable("CODECOURIER_BINARY"), {QStringLiteral("doctor")});
    QVERIFY(process.waitForFinished(60'000));
    const QByteArray out = process.readAllStandardOutput();
    // Docker may or may not be here; only the E2B lines are this test's business.
    QVERIFY2(out.contains("API key from E2B_API_KEY (not shown)"), out.constData());
    QVERIFY2(out.contains("[ok]   E2B: The E2B API at 127.0.0.1:"), out.constData());
    QVERIFY(!out.contains(m_key.toUtf8()));
    QVERIFY(m_fake->creates().empty());  // a probe creates nothing

    QProcessEnvironment rejected = cliEnvironment();
    rejected.insert(QStringLiteral("E2B_API_KEY"), QStringLiteral("e2b_rejected"));
    process.setProcessEnvironment(rejected);
    process.start(qEnvironmentVariable("CODECOURIER_BINARY"), {QStringLiteral("doctor")});
    QVERIFY(process.waitForFinished(60'000));
    const QByteArray rejectedOut = process.readAllStandardOutput();
    QVERIFY2(rejectedOut.contains("[fix]  E2B: E2B rejected the API key (401)"), rejectedOut.constData());
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(!rejectedOut.contains("e2b_rejected"));

    QProcessEnvironment keyless = cliEnvironment();
    keyless.remove(QStringLiteral("E2B_API_KEY"));
    process.setProcessEnvironment(keyless);
    process.start(qEnvironmentVariable("CODECOURIER_BINARY"), {QStringLiteral("doctor")});
    QVERIFY(process.waitForFinished(60'000));
    QVERIFY(process.readAllStandardOutput().contains("[info] E2B: no API key: E2B_API_KEY is not set"));
}

// --- artifacts ---------------------------------------------------------------------------------

namespace {

QStringList artifactPaths(const RunResult& r)
{
    QStringList out;
    for (const cc::Artifact& a : r.artifacts)
        out << a.path;
    return out;
}

const cc::RefusedArtifact* refusalOf(const RunResult& r, const QString& path)
{
    for (const cc::RefusedArtifact& a : r.refusedArtifacts)
        if (a.path == path)
            return &a;
    return nullptr;
}

} // namespace

void TestE2BRun::artifactsAreCollected()
{
    // Relative paths: the fake runs the snippet on this machine with /workspace as its cwd.
    const QByteArray code = R"PY(
import os, struct, zlib
print('out', os.path.isdir('out'), os.access('out', os.W_OK), len(os.listdir('out')))
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 1, 1, 8, 2, 0, 0, 0))
       + chunk(b'IDAT', zlib.compress(b'\x00\xff\x00\x00')) + chunk(b'IEND', b''))
open('out/result.txt', 'w').write('hello from the sandbox\n')
open('out/plot.png', 'wb').write(png)
os.makedirs('out/sub')
open('out/sub/data.csv', 'w').write('a,b\n1,2\n')
os.symlink('/etc/passwd', 'out/passwd')
os.mkfifo('out/pipe')
os.makedirs('out/zz-many')
for i in range(150):
    open('out/zz-many/f%03d.txt' % i, 'w').write(str(i))
)PY";
    auto b = backend();
    const Outcome o = runToEnd(*b, pythonSpec(code));
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    QCOMPARE(o.out, QByteArray("out True True 0\n"));

    QCOMPARE(o.result.artifacts.size(), 100);
    QCOMPARE(artifactPaths(o.result).mid(0, 4),
             (QStringList{"plot.png", "result.txt", "sub/data.csv", "zz-many/f000.txt"}));
    QCOMPARE(o.result.artifacts.at(0).type, cc::ArtifactType::Png);
    QCOMPARE(o.result.artifacts.at(1).bytes, QByteArray("hello from the sandbox\n"));
    QCOMPARE(o.result.artifacts.at(1).type, cc::ArtifactType::Text);
    QCOMPARE(o.result.artifacts.at(2).bytes, QByteArray("a,b\n1,2\n"));
    const cc::RefusedArtifact* link = refusalOf(o.result, QStringLiteral("passwd"));
    QVERIFY(link);
    QVERIFY2(link->reason.contains(QLatin1String("symbolic link (to \"/etc/passwd\")")), qPrintable(link->reason));
    const cc::RefusedArtifact* fifo = refusalOf(o.result, QStringLiteral("pipe"));
    QVERIFY(fifo);
    QVERIFY2(fifo->reason.contains(QLatin1String("not a plain file")), qPrintable(fifo->reason));
    QVERIFY(refusalOf(o.result, QStringLiteral("zz-many/f149.txt")));
    QCOMPARE(o.result.refusedArtifacts.size(), 2 + 53);
    QVERIFY2(o.result.artifactsNote.contains(QLatin1String("55 entries in /workspace/out were refused")),
             qPrintable(o.result.artifactsNote));

    // The protocol: MakeDir before Start, one ListDir of /workspace/out, one GET /files per kept file,
    // none for the link, the FIFO or what was over the cap.
    int makeDir = -1, start = -1, listDir = -1, downloads = 0;
    const auto requests = m_fake->requests();
    for (int i = 0; i < int(requests.size()); ++i) {
        const auto& r = requests[size_t(i)];
        if (r.path == "/filesystem.Filesystem/MakeDir" && makeDir < 0) {
            makeDir = i;
            QCOMPARE(nlohmann::json::parse(r.body).value("path", ""), std::string("/workspace/out"));
        } else if (r.path == "/process.Process/Start") {
            start = i;
        } else if (r.path == "/filesystem.Filesystem/ListDir") {
            listDir = i;
            const auto body = nlohmann::json::parse(r.body);
            QCOMPARE(body.value("path", ""), std::string("/workspace/out"));
            QVERIFY(body.value("depth", 0) > 1);
        } else if (r.plane == "envd" && r.method == "GET" && r.path == "/files") {
            ++downloads;
            QVERIFY2(r.query.find("passwd") == std::string::npos && r.query.find("pipe") == std::string::npos,
                     r.query.c_str());
        }
    }
    QVERIFY(makeDir >= 0 && makeDir < start && start < listDir);
    QCOMPARE(downloads, 100);
    verifyEverySandboxDeleted();
}

void TestE2BRun::noArtifactsIsNoError()
{
    auto b = backend();
    const Outcome o = runToEnd(*b, bashSpec("echo nothing to keep"));
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    QVERIFY(o.result.artifacts.isEmpty());
    QVERIFY(o.result.refusedArtifacts.isEmpty());
    QVERIFY2(o.result.artifactsNote.isEmpty(), qPrintable(o.result.artifactsNote));
    verifyEverySandboxDeleted();
}

void TestE2BRun::artifactFolderReplacedByALink()
{
    // envd lists the folder the link points to; its paths are not under /workspace/out.
    auto b = backend();
    const Outcome o = runToEnd(*b, bashSpec("rmdir out && mkdir elsewhere && echo secret > elsewhere/s.txt && "
                                            "ln -s elsewhere out"));
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    QVERIFY(o.result.artifacts.isEmpty());
    QVERIFY2(o.result.artifactsNote.contains(QLatin1String("symbolic link")), qPrintable(o.result.artifactsNote));
    verifyEverySandboxDeleted();
}

void TestE2BRun::artifactsAfterTheTimeLimit()
{
    RunSpec spec = bashSpec("echo partial > out/partial.txt; sleep 30");
    spec.limits.wallTimeoutMs = 1'000;
    auto b = backend();
    const Outcome o = runToEnd(*b, spec);
    QVERIFY2(o.result.verdict == Verdict::Timeout, qPrintable(describe(o)));
    QCOMPARE(artifactPaths(o.result), QStringList{"partial.txt"});
    QCOMPARE(o.result.artifacts.first().bytes, QByteArray("partial\n"));
    QVERIFY2(o.result.artifactsNote.contains(QLatin1String("may be incomplete")), qPrintable(o.result.artifactsNote));
    verifyEverySandboxDeleted();
}

void TestE2BRun::artifactCapsAndCancel()
{
    auto b = backend();
    RunSpec spec = bashSpec("head -c 60000 /dev/zero > out/a.bin; head -c 60000 /dev/zero > out/b.bin; "
                            "echo small > out/c.txt");
    spec.limits.artifactBytes = 100'000;
    const Outcome capped = runToEnd(*b, spec);
    QCOMPARE(artifactPaths(capped.result), (QStringList{"a.bin", "c.txt"}));
    QCOMPARE(capped.result.artifacts.first().size, qint64(60'000));
    QCOMPARE(capped.result.refusedArtifacts.size(), 1);
    QVERIFY(capped.result.refusedArtifacts.first().reason.contains(QLatin1String("past their")));

    const Outcome cancelled = runToEnd(*b, bashSpec("echo x > out/x.txt; sleep 30"), [](Run* run, const QString& event) {
        if (event == QLatin1String("started"))
            QTimer::singleShot(300, run, &Run::cancel);
    });
    QVERIFY2(cancelled.result.verdict == Verdict::Cancelled, qPrintable(describe(cancelled)));
    QVERIFY(cancelled.result.artifacts.isEmpty());
    QVERIFY(cancelled.result.artifactsNote.contains(QLatin1String("stopped before")));
    verifyEverySandboxDeleted();
}

void TestE2BRun::artifactFaultsLeaveTheVerdictAlone()
{
    // A failed download refuses that file only; a failed or garbled listing collects nothing; the
    // run's own verdict never changes, and the sandbox is deleted every time.
    auto b = backend();
    const RunSpec spec = bashSpec("echo a > out/a.txt; echo b > out/b.txt; echo c > out/c.txt");

    FakeE2BFault download = FakeE2BFault::serverError("/files", 500);
    download.method = "GET";
    m_fake->addFault(download);
    const Outcome one = runToEnd(*b, spec);
    QVERIFY2(one.result.verdict == Verdict::Ok, qPrintable(describe(one)));
    QCOMPARE(artifactPaths(one.result), (QStringList{"b.txt", "c.txt"}));
    QCOMPARE(one.result.refusedArtifacts.size(), 1);
    QCOMPARE(one.result.refusedArtifacts.first().path, QStringLiteral("a.txt"));
    QVERIFY2(one.result.refusedArtifacts.first().reason.contains(QLatin1String("500")),
             qPrintable(one.result.refusedArtifacts.first().reason));

    m_fake->addFault(FakeE2BFault::sandboxGone("/filesystem.Filesystem/ListDir"));
    const Outcome gone = runToEnd(*b, spec);
    QVERIFY2(gone.result.verdict == Verdict::Ok, qPrintable(describe(gone)));
    QVERIFY(gone.result.artifacts.isEmpty());
    QVERIFY2(!gone.result.artifactsNote.isEmpty(), "a failed listing must be said");

    m_fake->addFault(FakeE2BFault::malformed("/filesystem.Filesystem/ListDir"));
    const Outcome garbled = runToEnd(*b, spec);
    QVERIFY2(garbled.result.verdict == Verdict::Ok, qPrintable(describe(garbled)));
    QVERIFY(garbled.result.artifacts.isEmpty());
    QVERIFY2(garbled.result.artifactsNote.contains(QLatin1String("not a JSON object")),
             qPrintable(garbled.result.artifactsNote));
    verifyEverySandboxDeleted();
}

void TestE2BRun::cliSavesArtifacts()
{
    const QString binary = qEnvironmentVariable("CODECOURIER_BINARY");
    QVERIFY2(QFileInfo(binary).isExecutable(), "CODECOURIER_BINARY must name the built codecourier binary");
    QFile file(m_dir.filePath(QStringLiteral("artifacts.sh")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("mkdir out/nested && echo one > out/nested/one.txt && ln -s /etc/passwd out/passwd\n");
    file.close();
    const QString target = m_dir.filePath(QStringLiteral("e2b-artifacts"));

    QProcess process;
    process.setProcessEnvironment(cliEnvironment());
    process.start(binary, {QStringLiteral("run"), file.fileName(), QStringLiteral("--backend"), QStringLiteral("e2b"),
                           QStringLiteral("--artifacts"), target, QStringLiteral("--json")});
    QVERIFY(process.waitForStarted());
    process.closeWriteChannel();
    QVERIFY(process.waitForFinished(60'000));
    const QByteArray out = process.readAllStandardOutput();
    QVERIFY2(process.exitCode() == 0, (out + process.readAllStandardError()).constData());
    const QJsonObject doc = QJsonDocument::fromJson(out).object();
    const QJsonArray artifacts = doc.value("artifacts").toArray();
    QCOMPARE(artifacts.size(), 1);
    QCOMPARE(artifacts.at(0).toObject().value("path").toString(), QStringLiteral("nested/one.txt"));
    QCOMPARE(artifacts.at(0).toObject().value("saved_to").toString(), target + QStringLiteral("/nested/one.txt"));
    QCOMPARE(doc.value("refused_artifacts").toArray().at(0).toObject().value("path").toString(), QStringLiteral("passwd"));
    QFile saved(target + QStringLiteral("/nested/one.txt"));
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QCOMPARE(saved.readAll(), QByteArray("one\n"));
    QVERIFY(!QFileInfo::exists(target + QStringLiteral("/passwd")));
}

// --- review runs -------------------------------------------------------------------------------

namespace {

QStringList changeList(const cc::ChangeSet& set)
{
    QStringList kinds;
    for (const cc::FileChange& c : set.changes)
        kinds << cc::changeKindName(c.kind) + QLatin1Char(' ') + c.path;
    return kinds;
}

const cc::FileChange* changeOf(const cc::ChangeSet& set, const QString& path)
{
    for (const cc::FileChange& c : set.changes)
        if (c.path == path)
            return &c;
    return nullptr;
}

RunSpec reviewSpec(RunSpec spec, const QString& folder)
{
    spec.grants.hostFolder = folder;
    spec.grants.hostFolderMode = cc::Grants::HostFolderMode::Review;
    return spec;
}

/// The paths of the MakeDir calls the fake saw.
QStringList madeFolders(const FakeE2BServer& fake)
{
    QStringList paths;
    for (const auto& r : fake.requests()) {
        if (r.path == "/filesystem.Filesystem/MakeDir")
            paths << QString::fromStdString(nlohmann::json::parse(r.body).value("path", std::string()));
    }
    return paths;
}

/// "d01/d02/…" with levels parts.
QString nested(const QString& stem, int levels)
{
    QStringList parts;
    for (int i = 1; i <= levels; ++i)
        parts << stem + QString::number(i).rightJustified(2, QLatin1Char('0'));
    return parts.join(QLatin1Char('/'));
}

} // namespace

void TestE2BRun::reviewBringsTheChangesBack()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    QVERIFY(cc::test::makeTestFile(folder.filePath(QStringLiteral("notes.txt")), "one\ntwo\nthree\n"));
    QVERIFY(cc::test::makeTestFile(folder.filePath(QStringLiteral("keep.txt")), "unchanged\n"));
    QVERIFY(cc::test::makeTestFile(folder.filePath(QStringLiteral("old/gone.txt")), "remove me\n"));
    QByteArray binary;
    for (int i = 0; i < 3000; ++i)
        binary += char(i * 7);
    QVERIFY(cc::test::makeTestFile(folder.filePath(QStringLiteral("data.bin")), binary));
    QVERIFY(QDir(folder.path()).mkpath(QStringLiteral("empty")));
    const QMap<QString, QByteArray> before = cc::test::folderTree(folder.path());

    // Relative paths: the fake runs the snippet on this machine with /workspace as its cwd.
    const QByteArray code = R"PY(
import hashlib, os
h = 'host'
print(sorted(os.listdir(h)), os.listdir(h + '/empty'), os.access(h + '/notes.txt', os.W_OK))
print(hashlib.sha256(open(h + '/data.bin', 'rb').read()).hexdigest())
with open(h + '/notes.txt', 'a') as f:
    f.write('four\n')
os.makedirs(h + '/new/sub')
open(h + '/new/sub/added.txt', 'w').write('new file\n')
os.remove(h + '/old/gone.txt')
os.symlink('/etc/passwd', h + '/passwd-link')
os.mkfifo(h + '/pipe')
)PY";
    auto b = backend();
    const Outcome o = runToEnd(*b, reviewSpec(pythonSpec(code), folder.path()));
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    // The copy holds the snapshot's bytes and its empty folder, and it is writable.
    QCOMPARE(o.out, "['data.bin', 'empty', 'keep.txt', 'notes.txt', 'old'] [] True\n" +
                        QCryptographicHash::hash(binary, QCryptographicHash::Sha256).toHex() + '\n');
    // Only the folder without files needed a MakeDir; the uploads made the others.
    QCOMPARE(madeFolders(*m_fake), (QStringList{"/workspace/host/empty", "/workspace/out"}));
    // A copy, not a mount.
    QVERIFY(o.result.mountedFolder.isEmpty());

    const cc::ChangeSet& set = o.result.hostChanges;
    QCOMPARE(set.folder, QDir(folder.path()).canonicalPath());
    QCOMPARE(changeList(set), (QStringList{"added new/sub/added.txt", "modified notes.txt", "deleted old/gone.txt"}));
    const cc::FileChange* notes = changeOf(set, QStringLiteral("notes.txt"));
    QVERIFY(notes->text);
    QCOMPARE(notes->diff, QStringLiteral("@@ -1,3 +1,4 @@\n one\n two\n three\n+four\n"));
    QCOMPARE(notes->newBytes, QByteArray("one\ntwo\nthree\nfour\n"));
    QCOMPARE(notes->oldSize, qint64(14));
    QCOMPARE(notes->oldSha256, QCryptographicHash::hash("one\ntwo\nthree\n", QCryptographicHash::Sha256));
    const cc::FileChange* added = changeOf(set, QStringLiteral("new/sub/added.txt"));
    QCOMPARE(added->newBytes, QByteArray("new file\n"));
    QCOMPARE(added->diff, QStringLiteral("@@ -0,0 +1,1 @@\n+new file\n"));
    const cc::FileChange* gone = changeOf(set, QStringLiteral("old/gone.txt"));
    QCOMPARE(gone->oldSize, qint64(10));
    QCOMPARE(gone->diff, QStringLiteral("@@ -1,1 +0,0 @@\n-remove me\n"));
    // What the snippet planted is refused, never a change.
    QCOMPARE(set.refused.size(), 2);
    QCOMPARE(set.refused.at(0).path, QStringLiteral("passwd-link"));
    QVERIFY2(set.refused.at(0).reason.contains(QLatin1String("symbolic link (to \"/etc/passwd\")")),
             qPrintable(set.refused.at(0).reason));
    QCOMPARE(set.refused.at(1).path, QStringLiteral("pipe"));
    QVERIFY2(set.refused.at(1).reason.contains(QLatin1String("not a plain file")),
             qPrintable(set.refused.at(1).reason));
    QCOMPARE(set.note, QStringLiteral("2 entries in /workspace/host were refused; each says why."));
    // The host folder is exactly as it was.
    QCOMPARE(cc::test::folderTree(folder.path()), before);
    verifyEverySandboxDeleted();
}

void TestE2BRun::reviewOfAnEmptyFolderWithoutArtifacts()
{
    // No artifacts wanted (the command line's default) still collects the copy; an empty folder
    // still gets its /workspace/host.
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    RunSpec spec =
        reviewSpec(bashSpec("ls -a host; echo made > host/made.txt; echo ignored > out/x.txt"), folder.path());
    spec.limits.artifactFiles = 0;
    auto b = backend();
    const Outcome o = runToEnd(*b, spec);
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    QCOMPARE(o.out, QByteArray(".\n..\n"));
    QCOMPARE(madeFolders(*m_fake), (QStringList{"/workspace/host", "/workspace/out"}));
    QCOMPARE(changeList(o.result.hostChanges), QStringList{"added made.txt"});
    QVERIFY(o.result.artifacts.isEmpty());
    QVERIFY(o.result.hostChanges.note.isEmpty());
    QVERIFY(cc::test::folderTree(folder.path()).isEmpty());
    verifyEverySandboxDeleted();
}

void TestE2BRun::reviewAfterTheTimeLimit()
{
    QTemporaryDir folder;
    QVERIFY(cc::test::makeTestFile(folder.filePath(QStringLiteral("a.txt")), "alpha\n"));
    RunSpec spec = reviewSpec(bashSpec("echo changed > host/a.txt; echo new > host/b.txt; sleep 30"), folder.path());
    spec.limits.wallTimeoutMs = 1'000;
    auto b = backend();
    const Outcome o = runToEnd(*b, spec);
    QVERIFY2(o.result.verdict == Verdict::Timeout, qPrintable(describe(o)));
    QCOMPARE(changeList(o.result.hostChanges), (QStringList{"modified a.txt", "added b.txt"}));
    QCOMPARE(changeOf(o.result.hostChanges, QStringLiteral("a.txt"))->newBytes, QByteArray("changed\n"));
    QVERIFY2(o.result.hostChanges.note.contains(QLatin1String("stopped at its limit")),
             qPrintable(o.result.hostChanges.note));
    QCOMPARE(cc::test::readTestFile(folder.filePath(QStringLiteral("a.txt"))), QByteArray("alpha\n"));
    QVERIFY(!QFileInfo::exists(folder.filePath(QStringLiteral("b.txt"))));
    verifyEverySandboxDeleted();
}

void TestE2BRun::reviewDeeperThanTheListDepth()
{
    // ListDir stops at a depth. A folder nested deeper in the snapshot is still listed whole; one the
    // snippet nests deeper than the listing goes makes the copy incomplete, so that nothing there is
    // taken for deleted.
    QTemporaryDir folder;
    const QString deep = nested(QStringLiteral("d"), 40);
    QVERIFY(cc::test::makeTestFile(folder.filePath(QStringLiteral("top.txt")), "top\n"));
    QVERIFY(cc::test::makeTestFile(folder.filePath(deep + QStringLiteral("/deep.txt")), "deep\n"));
    auto b = backend();

    const Outcome touched = runToEnd(*b, reviewSpec(bashSpec("echo more >> host/top.txt"), folder.path()));
    QVERIFY2(touched.result.verdict == Verdict::Ok, qPrintable(describe(touched)));
    QCOMPARE(changeList(touched.result.hostChanges), QStringList{"modified top.txt"});
    QVERIFY2(touched.result.hostChanges.note.isEmpty(), qPrintable(touched.result.hostChanges.note));

    const QString deeper = nested(QStringLiteral("n"), 45);
    const Outcome moved =
        runToEnd(*b, reviewSpec(bashSpec(QStringLiteral("mkdir -p host/%1 && mv host/top.txt host/%1/top.txt && "
                                                        "echo changed > host/%2/deep.txt")
                                             .arg(deeper, deep)
                                             .toUtf8()),
                                folder.path()));
    QVERIFY2(moved.result.verdict == Verdict::Ok, qPrintable(describe(moved)));
    // The deep file of the snapshot came back; top.txt, moved out of the listing's reach, is not
    // reported deleted.
    QCOMPARE(changeList(moved.result.hostChanges), QStringList{"modified " + deep + "/deep.txt"});
    QVERIFY2(moved.result.hostChanges.note.contains(QLatin1String("levels deep in /workspace/host was not listed")) &&
                 moved.result.hostChanges.note.contains(QLatin1String("no file is shown as deleted")),
             qPrintable(moved.result.hostChanges.note));
    QCOMPARE(cc::test::readTestFile(folder.filePath(QStringLiteral("top.txt"))), QByteArray("top\n"));
    verifyEverySandboxDeleted();
}

void TestE2BRun::reviewCopyReplaced_data()
{
    QTest::addColumn<QByteArray>("script");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("link to a folder") << QByteArray("rm -rf host && mkdir elsewhere && echo x > elsewhere/a.txt && "
                                                    "ln -s elsewhere host")
                                      << QStringLiteral("symbolic link");
    // Listed through the link, an empty folder would look like a copy whose files were all deleted.
    QTest::newRow("link to an empty folder")
        << QByteArray("rm -rf host && mkdir elsewhere && ln -s elsewhere host") << QStringLiteral("symbolic link");
    QTest::newRow("removed") << QByteArray("rm -rf host") << QStringLiteral("removed /workspace/host");
    QTest::newRow("a file") << QByteArray("rm -rf host && echo x > host") << QStringLiteral("not a folder");
}

void TestE2BRun::reviewCopyReplaced()
{
    QFETCH(QByteArray, script);
    QFETCH(QString, mentions);
    QTemporaryDir folder;
    QVERIFY(cc::test::makeTestFile(folder.filePath(QStringLiteral("a.txt")), "a\n"));
    auto b = backend();
    const Outcome o = runToEnd(*b, reviewSpec(bashSpec(script), folder.path()));
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
    const cc::ChangeSet& set = o.result.hostChanges;
    QVERIFY(set.changes.isEmpty());
    QVERIFY(set.refused.isEmpty());
    QCOMPARE(set.folder, QDir(folder.path()).canonicalPath());
    QVERIFY2(set.note.startsWith(QLatin1String("The sandbox's copy of the folder did not come back, so there are no "
                                               "changes to review.")) &&
                 set.note.contains(mentions),
             qPrintable(set.note));
    QCOMPARE(cc::test::folderTree(folder.path()), (QMap<QString, QByteArray>{{"a.txt", "a\n"}}));
    verifyEverySandboxDeleted();
}

void TestE2BRun::reviewFaultsLeaveTheVerdictAlone()
{
    // A run with artifacts lists /workspace/out, then /workspace (what stands at host), then
    // /workspace/host. A failure of either of the last two brings no change back, a failed download
    // refuses that file only; the verdict and the artifacts stay as they were.
    QTemporaryDir folder;
    QVERIFY(cc::test::makeTestFile(folder.filePath(QStringLiteral("a.txt")), "a\n"));
    QVERIFY(cc::test::makeTestFile(folder.filePath(QStringLiteral("b.txt")), "b\n"));
    const RunSpec spec = reviewSpec(bashSpec("echo art > out/art.txt; echo changed > host/b.txt"), folder.path());
    auto b = backend();

    for (int skip : {1, 2}) {
        FakeE2BFault fault = FakeE2BFault::serverError("/filesystem.Filesystem/ListDir", 500);
        fault.skip = skip;
        m_fake->addFault(fault);
        const Outcome o = runToEnd(*b, spec);
        QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(describe(o)));
        QCOMPARE(artifactPaths(o.result), QStringList{"art.txt"});
        QVERIFY(o.result.hostChanges.changes.isEmpty());
        QCOMPARE(o.result.hostChanges.folder, QDir(folder.path()).canonicalPath());
        QVERIFY2(o.result.hostChanges.note.startsWith(QLatin1String("The sandbox's copy of the folder did not come "
                                                                    "back")) &&
                     o.result.hostChanges.note.contains(QLatin1String("500")),
                 qPrintable(o.result.hostChanges.note));
        QCOMPARE(statusesOf(*m_fake, "/filesystem.Filesystem/ListDir").size(), size_t(skip + 1));
        m_fake->clearRecords();
    }

    // The edge proxy's 502 for the copy's own listing.
    FakeE2BFault gone = FakeE2BFault::sandboxGone("/filesystem.Filesystem/ListDir");
    gone.skip = 2;
    m_fake->addFault(gone);
    const Outcome lost = runToEnd(*b, spec);
    QVERIFY2(lost.result.verdict == Verdict::Ok, qPrintable(describe(lost)));
    QVERIFY(lost.result.hostChanges.changes.isEmpty());
    QVERIFY2(lost.result.hostChanges.note.contains(QLatin1String("did not come back")),
             qPrintable(lost.result.hostChanges.note));

    // The first download is out/art.txt; the second is host/a.txt.
    FakeE2BFault download = FakeE2BFault::serverError("/files", 500);
    download.method = "GET";
    download.skip = 1;
    m_fake->addFault(download);
    const Outcome one = runToEnd(*b, spec);
    QVERIFY2(one.result.verdict == Verdict::Ok, qPrintable(describe(one)));
    QCOMPARE(changeList(one.result.hostChanges), QStringList{"modified b.txt"});
    QCOMPARE(one.result.hostChanges.refused.size(), 1);
    QCOMPARE(one.result.hostChanges.refused.first().path, QStringLiteral("a.txt"));
    QVERIFY(one.result.hostChanges.refused.first().reason.contains(QLatin1String("500")));
    QCOMPARE(cc::test::folderTree(folder.path()), (QMap<QString, QByteArray>{{"a.txt", "a\n"}, {"b.txt", "b\n"}}));
    verifyEverySandboxDeleted();
}

void TestE2BRun::cliReview()
{
    const QString binary = qEnvironmentVariable("CODECOURIER_BINARY");
    QVERIFY2(QFileInfo(binary).isExecutable(), "CODECOURIER_BINARY must name the built codecourier binary");
    const QString script = m_dir.filePath(QStringLiteral("review.sh"));
    QVERIFY(cc::test::makeTestFile(script, "printf 'four\\n' >> host/notes.txt; echo 'new file' > host/added.txt; "
                                           "rm host/old/gone.txt; ln -s /etc/passwd host/passwd-link\n"));
    QTemporaryDir folder;
    QVERIFY(cc::test::makeTestFile(folder.filePath(QStringLiteral("notes.txt")), "one\ntwo\nthree\n"));
    QVERIFY(cc::test::makeTestFile(folder.filePath(QStringLiteral("old/gone.txt")), "remove me\n"));
    QVERIFY(cc::test::makeTestFile(folder.filePath(QStringLiteral("data.bin")), QByteArray("\x00\x01\x02", 3)));
    const QMap<QString, QByteArray> before = cc::test::folderTree(folder.path());
    const QStringList args{QStringLiteral("run"),       script,
                           QStringLiteral("--backend"), QStringLiteral("e2b"),
                           QStringLiteral("--mount"),   folder.path() + QStringLiteral(":review")};

    const cc::test::CliResult json =
        cc::test::runCli(binary, args + QStringList{QStringLiteral("--json")}, {}, cliEnvironment());
    QVERIFY2(json.status == 0, (json.out + json.err).constData());
    QJsonParseError error;
    const QJsonObject doc = QJsonDocument::fromJson(json.out, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject host = doc.value("host_changes").toObject();
    QCOMPARE(host.value("folder").toString(), QDir(folder.path()).canonicalPath());
    QStringList seen;
    for (const QJsonValue& v : host.value("changes").toArray()) {
        const QJsonObject c = v.toObject();
        seen << c.value("kind").toString() + QLatin1Char(' ') + c.value("path").toString();
        QCOMPARE(c.value("applied").toBool(), false);
    }
    QCOMPARE(seen, (QStringList{"added added.txt", "modified notes.txt", "deleted old/gone.txt"}));
    QCOMPARE(host.value("changes").toArray().at(1).toObject().value("diff").toString(),
             QStringLiteral("@@ -1,3 +1,4 @@\n one\n two\n three\n+four\n"));
    QCOMPARE(host.value("refused").toArray().size(), 1);
    QCOMPARE(host.value("refused").toArray().at(0).toObject().value("path").toString(), QStringLiteral("passwd-link"));
    QCOMPARE(cc::test::folderTree(folder.path()), before);

    const cc::test::CliResult apply =
        cc::test::runCli(binary, args + QStringList{QStringLiteral("--apply")}, {}, cliEnvironment());
    QVERIFY2(apply.status == 0, apply.err.constData());
    QVERIFY2(apply.err.contains("modified notes.txt (14 bytes -> 19 bytes, +1 -0 lines): applied\n"),
             apply.err.constData());
    QVERIFY(apply.err.contains("refused  passwd-link: It is a symbolic link"));
    // Exactly the changes, and nothing the snippet planted.
    QCOMPARE(cc::test::folderTree(folder.path()),
             (QMap<QString, QByteArray>{{"added.txt", "new file\n"},
                                        {"data.bin", QByteArray("\x00\x01\x02", 3)},
                                        {"notes.txt", "one\ntwo\nthree\nfour\n"},
                                        {"old", "<folder>"}}));
    QVERIFY(m_fake->liveSandboxes().empty());
}

QTEST_MAIN(TestE2BRun)
#include "tst_e2brun.moc"
