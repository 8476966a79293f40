// Soak: hundreds of runs through one backend, then a burst of concurrent ones. Nothing may be
// left behind, and the process's memory must level off instead of growing with every run.
#include "DockerTestSupport.h"
#include "http/HttpClient.h"

#include <QFile>
#include <QtTest>

using namespace cc;
using namespace cc::test;

namespace {

qint64 residentBytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
    return -1;
}

} // namespace

class TestSoak : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void sequentialThenConcurrentRuns();

private:
    http::HttpClient m_http;
    docker::DockerBackend* m_backend = nullptr;
};

void TestSoak::initTestCase()
{
    m_backend = new docker::DockerBackend(&m_http, docker::DockerEndpoint::fromEnvironment(), this);
    QString why;
    if (!engineReady(*m_backend->api(), &why))
        QFAIL(qPrintable(why));
}

void TestSoak::sequentialThenConcurrentRuns()
{
    const int sequential = qEnvironmentVariableIntValue("CODECOURIER_SOAK_RUNS") > 0
                               ? qEnvironmentVariableIntValue("CODECOURIER_SOAK_RUNS")
                               : 300;
    const RunSpec spec = makeSpec(QStringLiteral("bash"), "echo soak; echo err >&2");
    qint64 afterWarmUp = 0;
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < sequential; ++i) {
        const RunOutcome o = runToEnd(*m_backend, spec);
        if (o.result.verdict != Verdict::Ok || o.out != "soak\n")
            QFAIL(qPrintable(QStringLiteral("run %1: %2 %3").arg(i).arg(verdictName(o.result.verdict), o.result.message)));
        if (i == 19)
            afterWarmUp = residentBytes();
    }
    const qint64 afterSequential = residentBytes();
    qInfo("%d sequential runs in %lld s; resident memory after 20 runs %lld KiB, after %d runs %lld KiB (growth %lld KiB)",
          sequential, clock.elapsed() / 1000, afterWarmUp / 1024, sequential, afterSequential / 1024,
          (afterSequential - afterWarmUp) / 1024);

    // A burst of 20 at once.
    int finished = 0;
    int ok = 0;
    QList<Run*> runs;
    for (int i = 0; i < 20; ++i) {
        Run* run = m_backend->start(spec);
        connect(run, &Run::finished, this, [&](const RunResult& r) {
            ++finished;
            ok += r.verdict == Verdict::Ok;
        });
        runs << run;
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished, 20, 120'000);
    QCOMPARE(ok, 20);
    qDeleteAll(runs);
    const qint64 afterBurst = residentBytes();
    qInfo("after 20 concurrent runs: resident memory %lld KiB", afterBurst / 1024);

    QTRY_VERIFY_WITH_TIMEOUT(labelledContainers(*m_backend->api()).isEmpty(), 15'000);
    // Leaks per run would show as growth proportional to the run count; allocator slack does not.
    // Under AddressSanitizer the resident size includes its quarantine of freed memory by design;
    // there LeakSanitizer, at exit, is the leak check instead.
#if defined(__SANITIZE_ADDRESS__)
    qInfo("AddressSanitizer build: resident size includes the quarantine; LeakSanitizer checks leaks at exit");
#else
    QVERIFY2(afterSequential - afterWarmUp < 16LL << 20,
             qPrintable(QStringLiteral("memory grew by %1 KiB over %2 runs").arg((afterSequential - afterWarmUp) / 1024).arg(sequential)));
#endif
}

QTEST_GUILESS_MAIN(TestSoak)
#include "tst_soak.moc"
