// The fault suite: the engine vanishing mid-run, the app killed mid-run, a socket the user may
// not open. Every fault ends in a clear sentence, nothing hangs, and nothing is left behind.
#include "DockerTestSupport.h"
#include "SocketProxy.h"
#include "http/HttpClient.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>

using namespace cc;
using namespace cc::test;

class TestFaults : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void engineStoppedMidRunIsABackendErrorAndRecovers();
    void engineGoneBeforeTheRunStarts();
    void appKilledMidRunIsSweptAtTheNextStart();
    void socketPermissionDeniedSaysWhatToDo();
    void unknownLanguageSaysWhatToDo();

private:
    http::HttpClient m_http;
    docker::DockerBackend* m_backend = nullptr;
    QTemporaryDir m_dir;
    QString m_binary;
};

void TestFaults::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_binary = qEnvironmentVariable("CODECOURIER_BINARY");
    QVERIFY2(QFileInfo(m_binary).isExecutable(), "CODECOURIER_BINARY must name the built codecourier binary");
    m_backend = new docker::DockerBackend(&m_http, docker::DockerEndpoint::fromEnvironment(), this);
    QString why;
    if (!engineReady(*m_backend->api(), &why))
        QFAIL(qPrintable(why));
}

void TestFaults::cleanupTestCase()
{
    QTRY_VERIFY_WITH_TIMEOUT(labelledContainers(*m_backend->api()).isEmpty(), 15'000);
}

void TestFaults::engineStoppedMidRunIsABackendErrorAndRecovers()
{
    SocketProxy proxy(m_dir.filePath(QStringLiteral("engine.sock")), m_backend->api()->endpoint().socketPath);
    QVERIFY(proxy.start());
    docker::DockerBackend viaProxy(&m_http, docker::DockerEndpoint::fromDockerHost(QStringLiteral("unix://") + proxy.path()));

    RunSpec spec = makeSpec(QStringLiteral("bash"), "echo started; sleep 30");
    spec.limits.wallTimeoutMs = 60'000;
    Run* run = viaProxy.start(spec);
    QSignalSpy finished(run, &Run::finished);
    QByteArray out;
    connect(run, &Run::output, this, [&](Run::Stream, const QByteArray& bytes) { out += bytes; });
    QTRY_VERIFY_WITH_TIMEOUT(out.contains("started"), 20'000);
    QElapsedTimer clock;
    clock.start();
    proxy.stop();
    QVERIFY(finished.wait(10'000));
    QVERIFY2(clock.elapsed() < 5'000, "an engine that vanished must end the run within seconds");
    const RunResult result = finished.first().first().value<RunResult>();
    QCOMPARE(verdictName(result.verdict), QStringLiteral("backend_error"));
    QVERIFY2(result.message.startsWith(QLatin1String("Lost contact with Docker")), qPrintable(result.message));
    QVERIFY2(result.message.contains(QLatin1String("could not be removed")), qPrintable(result.message));
    const QString orphan = result.sandboxId;
    QVERIFY(labelledContainers(*m_backend->api()).contains(orphan));

    // The engine is back: the next run works, and what the broken one left behind is removed.
    QVERIFY(proxy.start());
    const RunOutcome next = runToEnd(viaProxy, makeSpec(QStringLiteral("bash"), "echo back again"));
    QCOMPARE(next.out, QByteArray("back again\n"));
    QTRY_VERIFY_WITH_TIMEOUT(!labelledContainers(*m_backend->api()).contains(orphan), 15'000);
    delete run;
}

void TestFaults::engineGoneBeforeTheRunStarts()
{
    SocketProxy proxy(m_dir.filePath(QStringLiteral("gone.sock")), m_backend->api()->endpoint().socketPath);
    QVERIFY(proxy.start());
    docker::DockerBackend viaProxy(&m_http, docker::DockerEndpoint::fromDockerHost(QStringLiteral("unix://") + proxy.path()));
    proxy.stop();
    QElapsedTimer clock;
    clock.start();
    const RunOutcome o = runToEnd(viaProxy, makeSpec(QStringLiteral("bash"), "echo never"));
    QCOMPARE(verdictName(o.result.verdict), QStringLiteral("backend_error"));
    QVERIFY2(o.result.message.startsWith(QLatin1String("Docker is not running")), qPrintable(o.result.message));
    QVERIFY(clock.elapsed() < 5'000);
    QCOMPARE(o.finishedCount, 1);
}

void TestFaults::appKilledMidRunIsSweptAtTheNextStart()
{
    const QString file = m_dir.filePath(QStringLiteral("long.sh"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("echo running; sleep 60");
    }
    QProcess app;
    app.start(m_binary, {QStringLiteral("run"), file, QStringLiteral("--timeout"), QStringLiteral("60")});
    QVERIFY(app.waitForStarted());
    // Find the sandbox that this very process owns, by the owner label.
    const QString ownerPrefix = QStringLiteral("%1/%2/").arg(QSysInfo::machineHostName()).arg(app.processId());
    QString orphan;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const QByteArray filter = docker::DockerApi::query(QStringLiteral("{\"label\":[\"org.codecourier\"]}"));
            const auto list = callSync(*m_backend->api(), "GET", "/containers/json?filters=" + filter).json();
            for (const auto& c : list)
                if (QString::fromStdString(c["Labels"].value("org.codecourier.owner", "")).startsWith(ownerPrefix))
                    orphan = QString::fromStdString(c.value("Id", ""));
            return !orphan.isEmpty();
        }(),
        20'000);
    ::kill(pid_t(app.processId()), SIGKILL);
    QVERIFY(app.waitForFinished(5'000));
    QVERIFY2(labelledContainers(*m_backend->api()).contains(orphan), "a killed app cannot clean up after itself");

    // The next start of the app sweeps it.
    QProcess next;
    next.start(m_binary, {QStringLiteral("run"), QStringLiteral("-"), QStringLiteral("--lang"), QStringLiteral("bash")});
    next.write("echo hello");
    next.closeWriteChannel();
    QVERIFY(next.waitForFinished(60'000));
    QCOMPARE(next.exitCode(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!labelledContainers(*m_backend->api()).contains(orphan), 15'000);
}

void TestFaults::socketPermissionDeniedSaysWhatToDo()
{
    // As an unprivileged user (nobody), the root-owned engine socket cannot be opened.
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), m_dir.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.path());
    process.setProcessEnvironment(env);
    process.start(QStringLiteral("setpriv"), {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                              QStringLiteral("--clear-groups"), m_binary, QStringLiteral("run"),
                                              QStringLiteral("-"), QStringLiteral("--lang"), QStringLiteral("bash")});
    QVERIFY(process.waitForStarted());
    process.write("echo hi");
    process.closeWriteChannel();
    QVERIFY(process.waitForFinished(30'000));
    const QByteArray err = process.readAllStandardError();
    QCOMPARE(process.exitCode(), 125);
    QVERIFY2(err.contains("Permission denied on the Docker socket") && err.contains("docker group"), err.constData());
}

void TestFaults::unknownLanguageSaysWhatToDo()
{
    QProcess process;
    process.start(m_binary, {QStringLiteral("run"), QStringLiteral("script.rb")});
    QVERIFY(process.waitForFinished(30'000));
    QCOMPARE(process.exitCode(), 125);
    const QByteArray err = process.readAllStandardError();
    QVERIFY2(err.contains("Cannot tell the language") && err.contains("--lang"), err.constData());
}

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
