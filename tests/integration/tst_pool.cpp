// The warm pool: pre-started, never-used containers serve runs without grants; each is used by
// exactly one run; runs with grants or other limits start cold; the pool isolates like any sandbox.
#include "DockerTestSupport.h"
#include "docker/ContainerPool.h"
#include "http/HttpClient.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace cc;
using namespace cc::test;

class TestPool : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void warmRunUsesAPreStartedContainerOnce();
    void poolContainersHaveNoNetworkAndNoMounts();
    void grantedRunsAndOtherLimitsStartCold();
    void environmentReachesAWarmRun();
    void shutdownRemovesThePool();

private:
    void waitUntilReady(const RunSpec& spec, int count = 1);

    http::HttpClient m_http;
    std::unique_ptr<docker::DockerBackend> m_backend;
};

void TestPool::initTestCase()
{
    docker::DockerBackend probe(&m_http, docker::DockerEndpoint::fromEnvironment());
    QString why;
    if (!engineReady(*probe.api(), &why))
        QFAIL(qPrintable(why));
}

void TestPool::init()
{
    m_backend = std::make_unique<docker::DockerBackend>(&m_http, docker::DockerEndpoint::fromEnvironment());
    m_backend->pool()->setSize(1);
}

void TestPool::cleanup()
{
    bool done = false;
    m_backend->shutdown([&] { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, 15'000);
    QTRY_VERIFY_WITH_TIMEOUT(labelledContainers(*m_backend->api()).isEmpty(), 15'000);
    m_backend.reset();
}

void TestPool::waitUntilReady(const RunSpec& spec, int count)
{
    QTRY_VERIFY_WITH_TIMEOUT(m_backend->pool()->readyCount(spec) >= count, 30'000);
}

void TestPool::warmRunUsesAPreStartedContainerOnce()
{
    const RunSpec spec = makeSpec(QStringLiteral("python"), "print('warm')");
    m_backend->prewarm(spec);
    waitUntilReady(spec);
    const QString pooled = m_backend->pool()->containerIds().value(0);
    QVERIFY(!pooled.isEmpty());

    const RunOutcome first = runToEnd(*m_backend, spec);
    QCOMPARE(first.out, QByteArray("warm\n"));
    QCOMPARE(verdictName(first.result.verdict), QStringLiteral("ok"));
    QCOMPARE(first.result.sandboxId, pooled);
    // The used container is gone, never returned to the pool; a fresh one replaces it.
    QTRY_VERIFY_WITH_TIMEOUT(!labelledContainers(*m_backend->api()).contains(pooled), 5'000);
    waitUntilReady(spec);
    const QString replacement = m_backend->pool()->containerIds().value(0);
    QVERIFY(!replacement.isEmpty() && replacement != pooled);

    const RunOutcome second = runToEnd(*m_backend, spec);
    QCOMPARE(second.result.sandboxId, replacement);
    QVERIFY(second.result.sandboxId != first.result.sandboxId);
    // Nothing a run leaves behind can reach the next one.
    const RunOutcome writer = runToEnd(*m_backend, makeSpec(QStringLiteral("python"),
                                                            "open('/tmp/trace', 'w').write('x'); print('wrote')"));
    const RunOutcome reader = runToEnd(*m_backend, makeSpec(QStringLiteral("python"),
                                                            "import os; print(os.path.exists('/tmp/trace'))"));
    QCOMPARE(writer.out, QByteArray("wrote\n"));
    QCOMPARE(reader.out, QByteArray("False\n"));
}

void TestPool::poolContainersHaveNoNetworkAndNoMounts()
{
    const RunSpec spec = makeSpec(QStringLiteral("bash"), "true");
    m_backend->prewarm(spec);
    waitUntilReady(spec);
    const QString pooled = m_backend->pool()->containerIds().value(0);
    const auto inspected = callSync(*m_backend->api(), "GET", "/containers/" + pooled.toLatin1() + "/json").json();
    QCOMPARE(QString::fromStdString(inspected["HostConfig"].value("NetworkMode", "")), QStringLiteral("none"));
    QVERIFY(inspected["Mounts"].is_array() && inspected["Mounts"].empty());
    QCOMPARE(QString::fromStdString(inspected["Config"].value("User", "")), QStringLiteral("65534:65534"));
    QVERIFY(inspected["HostConfig"].value("ReadonlyRootfs", false));
    QVERIFY(inspected["Config"]["Env"].dump().find("CODECOURIER") == std::string::npos);
}

void TestPool::grantedRunsAndOtherLimitsStartCold()
{
    const RunSpec plain = makeSpec(QStringLiteral("bash"), "echo hi");
    m_backend->prewarm(plain);
    waitUntilReady(plain);
    const QString pooled = m_backend->pool()->containerIds().value(0);

    RunSpec networked = plain;
    networked.grants.network = true;
    const RunOutcome a = runToEnd(*m_backend, networked);
    QCOMPARE(verdictName(a.result.verdict), QStringLiteral("ok"));
    QVERIFY2(a.result.sandboxId != pooled, "a granted run never gets a pool container");

    QTemporaryDir dir;
    RunSpec mounted = plain;
    mounted.grants.hostFolder = dir.path();
    const RunOutcome b = runToEnd(*m_backend, mounted);
    QVERIFY(b.result.sandboxId != pooled);

    RunSpec bigger = plain;
    bigger.limits.memoryBytes = 512LL << 20;
    const RunOutcome c = runToEnd(*m_backend, bigger);
    QCOMPARE(verdictName(c.result.verdict), QStringLiteral("ok"));
    QVERIFY2(c.result.sandboxId != pooled, "other limits need another container");
    // The pool container is still there, unused.
    QVERIFY(m_backend->pool()->containerIds().contains(pooled));
}

void TestPool::environmentReachesAWarmRun()
{
    RunSpec spec = makeSpec(QStringLiteral("bash"), "echo \"$GREETING\"");
    m_backend->prewarm(spec);
    waitUntilReady(spec);
    spec.env = {{QStringLiteral("GREETING"), QStringLiteral("hello warm")}};
    const RunOutcome o = runToEnd(*m_backend, spec);
    QCOMPARE(o.out, QByteArray("hello warm\n"));
}

void TestPool::shutdownRemovesThePool()
{
    const RunSpec spec = makeSpec(QStringLiteral("node"), "1");
    m_backend->prewarm(spec);
    waitUntilReady(spec);
    QVERIFY(!labelledContainers(*m_backend->api()).isEmpty());
    bool done = false;
    m_backend->shutdown([&] { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, 15'000);
    QTRY_VERIFY_WITH_TIMEOUT(labelledContainers(*m_backend->api()).isEmpty(), 15'000);
}

QTEST_GUILESS_MAIN(TestPool)
#include "tst_pool.moc"
