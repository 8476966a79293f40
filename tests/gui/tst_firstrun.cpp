// The first run as a person meets it: the guided panel when Docker cannot be used (missing,
// refusing, permission denied) and when it can; the offer to build a missing image (with a fake
// build script); the tour; the Help menu. Offscreen, with the real Docker engine.
#include "AboutDialog.h"
#include "AnswerPanel.h"
#include "Autosave.h"
#include "DockerSetupPanel.h"
#include "DockerTestSupport.h"
#include "FirstRunTour.h"
#include "ImageBuildPanel.h"
#include "ImageBuilder.h"
#include "MainWindow.h"
#include "RunSession.h"
#include "Settings.h"
#include "SettingsDialog.h"
#include "SocketProxy.h"
#include "WindowTestSupport.h"
#include "CodeEditor.h"
#include "docker/ContainerPool.h"
#include "e2b/E2BBackend.h"
#include "http/HttpClient.h"

#include <QClipboard>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QUuid>
#include <QtTest>
#include <Qsci/qsciglobal.h>
#include <csignal>
#include <curl/curl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace cc;

namespace {

/// Set in the copy of this test that runs as nobody (uid 65534) for the permission case.
constexpr const char* kAsNobody = "CODECOURIER_TEST_AS_NOBODY";

/// A unix socket file that nobody listens on: connecting to it is refused, as with a dead engine
/// whose socket file was left behind.
bool makeRefusingSocket(const QString& path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray native = QFile::encodeName(path);
    if (native.size() >= qsizetype(sizeof(address.sun_path))) {
        ::close(fd);
        return false;
    }
    std::memcpy(address.sun_path, native.constData(), native.size());
    const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    ::close(fd);  // never listened: the file stays, connections are refused
    return bound;
}

bool groupAlive(qint64 groupId)
{
    return groupId > 0 && ::kill(-pid_t(groupId), 0) == 0;
}

} // namespace

class TestFirstRun : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void readyEngineShowsNoPanel();
    void missingSocketShowsTheFixAndRecheckClearsIt();
    void refusingSocketSaysNothingAnswers();
    void socketPermissionDeniedShowsTheGroupCommand();
    void e2bIsOfferedAndUsedWhenConfigured();
    void e2bWithoutKeyOpensTheSettings();
    void missingImageOffersABuildThatSucceedsAndRuns();
    void failedBuildShowsTheErrorInTheLog();
    void cancelledBuildLeavesNoProcess();
    void foreignImageIsNotOfferedABuild();
    void imageTypedInTheRunBarIsChecked();
    void buildThatCannotStartSaysWhy();
    void realScriptStopsWhenItsInputCloses();
    void tourShowsOnceAndNeverAgainAfterSkip();
    void tourWalksThroughItsSteps();
    void userGuideNamesEveryVerdict();
    void shortcutsListTheRealOnes();
    void aboutShowsTheVersions();
    void aboutSaysWhenDockerIsNotReachable();

private:
    /// A window over a session whose Docker backend talks to socketPath (empty: the real engine).
    void createWindow(const QString& socketPath = {}, bool withE2B = false, const QString& e2bKey = {});
    docker::DockerHealth waitForDockerCheck();
    docker::ImageCheck waitForImageCheck();
    template <typename T> T* child(const char* name) { return test::namedChild<T>(m_window.get(), name); }
    QString uniqueImage() const
    {
        return QStringLiteral("codecourier/runner:firstrun-test-%1")
            .arg(QUuid::createUuid().toString(QUuid::Id128).left(10));
    }
    void untag(const QString& image);

    http::HttpClient m_http;
    bool m_asNobody = false;
    QTemporaryDir m_root;
    QString m_stateDir;
    std::unique_ptr<docker::DockerBackend> m_backend;
    std::unique_ptr<e2b::E2BBackend> m_e2b;
    std::unique_ptr<docker::DockerBackend> m_realEngine;  // for the tests' own calls (tags, versions)
    std::unique_ptr<Settings> m_settings;
    std::unique_ptr<Autosave> m_autosave;
    std::unique_ptr<RunSession> m_session;
    std::unique_ptr<MainWindow> m_window;
    QStringList m_tagsToRemove;
};

void TestFirstRun::initTestCase()
{
    m_asNobody = qEnvironmentVariableIsSet(kAsNobody);
    QVERIFY(m_root.isValid());
    // The copy running as nobody writes its settings here too.
    QFile::setPermissions(m_root.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                             | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther);
    if (m_asNobody)
        return;
    m_realEngine = std::make_unique<docker::DockerBackend>(&m_http, docker::DockerEndpoint::fromEnvironment());
    QString why;
    if (!test::engineReady(*m_realEngine->api(), &why))
        QFAIL(qPrintable(why));
}

void TestFirstRun::init()
{
    m_stateDir = m_root.filePath(QString::fromLatin1(QTest::currentTestFunction()));
    QDir().mkpath(m_stateDir);
    m_settings = std::make_unique<Settings>(m_stateDir + QStringLiteral("/settings.conf"));
    m_settings->setImageBuildScript(QStringLiteral(FIXTURE_DIR "/fake-build-images.sh"));
    qunsetenv("FAKE_BUILD_MODE");
}

void TestFirstRun::cleanup()
{
    if (m_session && m_session->isRunning()) {
        m_session->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!m_session->isRunning(), 20'000);
    }
    m_window.reset();
    m_session.reset();
    m_autosave.reset();
    m_backend.reset();
    m_e2b.reset();
}

void TestFirstRun::cleanupTestCase()
{
    for (const QString& image : std::as_const(m_tagsToRemove))
        untag(image);
}

void TestFirstRun::untag(const QString& image)
{
    if (m_realEngine)
        test::callSync(*m_realEngine->api(), "DELETE", "/images/" + docker::DockerApi::query(image));
}

void TestFirstRun::createWindow(const QString& socketPath, bool withE2B, const QString& e2bKey)
{
    m_window.reset();
    m_session.reset();
    docker::DockerEndpoint endpoint = docker::DockerEndpoint::fromEnvironment();
    if (!socketPath.isEmpty())
        endpoint = docker::DockerEndpoint{socketPath, {}};
    m_backend = std::make_unique<docker::DockerBackend>(&m_http, endpoint);
    m_autosave = std::make_unique<Autosave>(m_stateDir + QStringLiteral("/autosave"));
    m_session = std::make_unique<RunSession>(m_backend.get(), *m_settings);
    if (withE2B) {
        // Loopback only: the tests never reach the real E2B service (nothing here calls it anyway).
        QProcessEnvironment env;
        env.insert(QStringLiteral("E2B_API_URL"), QStringLiteral("http://127.0.0.1:9"));
        env.insert(QStringLiteral("E2B_SANDBOX_URL"), QStringLiteral("http://127.0.0.1:9"));
        if (!e2bKey.isEmpty())
            env.insert(QStringLiteral("E2B_API_KEY"), e2bKey);
        m_e2b = std::make_unique<e2b::E2BBackend>(&m_http, e2b::E2BConfig::fromEnvironment(env));
        m_session->addBackend(m_e2b.get());
    }
    m_window = std::make_unique<MainWindow>(m_session.get(), m_settings.get(), m_autosave.get());
    Prompter prompter;
    prompter.confirm = [](const QString&, const QString&) { return false; };
    prompter.inform = [](const QString&, const QString&) {};
    prompter.chooseFolder = [](const QString&) { return QString(); };
    m_window->setPrompter(prompter);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

// The window checks by itself when it opens, maybe before a spy could listen: these ask again
// (as Re-check does) and wait for that answer; an older one still in flight is ignored by the window.
docker::DockerHealth TestFirstRun::waitForDockerCheck()
{
    QSignalSpy checked(m_window.get(), &MainWindow::dockerChecked);
    m_window->checkDocker();
    if (!checked.wait(15'000))
        return {};
    return checked.last().first().value<docker::DockerHealth>();
}

docker::ImageCheck TestFirstRun::waitForImageCheck()
{
    QSignalSpy checked(m_window.get(), &MainWindow::imageChecked);
    m_window->checkDocker();
    if (!checked.wait(15'000))
        return {};
    return checked.last().first().value<docker::ImageCheck>();
}

void TestFirstRun::readyEngineShowsNoPanel()
{
    createWindow();
    const docker::DockerHealth health = waitForDockerCheck();
    QCOMPARE(docker::DockerHealth::statusName(health.status), QStringLiteral("ready"));
    QVERIFY(!health.engineVersion.isEmpty());
    QVERIFY(!child<DockerSetupPanel>("dockerSetupPanel")->isVisible());
    // The runner image is there: no offer to build it either.
    QCOMPARE(int(waitForImageCheck().state), int(docker::ImageCheck::State::Present));
    QVERIFY(!child<ImageBuildPanel>("imageBuildPanel")->isVisible());
    QVERIFY2(!m_window->findChild<FirstRunTour*>(), "the tour never starts by itself in tests");
}

void TestFirstRun::missingSocketShowsTheFixAndRecheckClearsIt()
{
    const QString socket = m_stateDir + QStringLiteral("/docker.sock");
    createWindow(socket);
    // As the app does at start: a warm pool that cannot start a container must not take the window down.
    m_backend->pool()->setSize(1);
    m_session->prewarm();
    const docker::DockerHealth health = waitForDockerCheck();
    auto* panel = child<DockerSetupPanel>("dockerSetupPanel");
    QVERIFY(panel->isVisible());
    // dockerd is installed on a machine that runs these tests, so this reads "not running".
    const bool installed = docker::DockerHealth::daemonInstalled();
    QCOMPARE(docker::DockerHealth::statusName(health.status),
             installed ? QStringLiteral("not_running") : QStringLiteral("not_installed"));
    auto* command = child<QLineEdit>("dockerFixCommand");
    QVERIFY(command->isVisible());
    QVERIFY(command->isReadOnly());
    QCOMPARE(command->text(), installed ? QStringLiteral("sudo systemctl start docker")
                                        : QStringLiteral("sudo apt install docker.io"));
    QVERIFY(child<QLabel>("dockerSetupTitle")->text().startsWith(QLatin1String("Docker is not")));
    QCOMPARE(child<QLabel>("dockerSetupSentence")->textFormat(), Qt::PlainText);
    QVERIFY(child<QLabel>("dockerSetupSentence")->text().contains(socket));
    QVERIFY(!child<ImageBuildPanel>("imageBuildPanel")->isVisible());

    // Copy puts the command on the clipboard as it stands.
    QTest::mouseClick(child<QPushButton>("copyFixCommandButton"), Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), command->text());

    // Re-check while still down: still there.
    QSignalSpy checked(m_window.get(), &MainWindow::dockerChecked);
    QTest::mouseClick(child<QPushButton>("recheckDockerButton"), Qt::LeftButton);
    QVERIFY(checked.wait(15'000));
    QVERIFY(panel->isVisible());

    // The engine "starts": the socket now leads to the real engine, and Re-check clears the panel.
    test::SocketProxy proxy(socket, QString::fromLatin1(docker::kDefaultDockerSocket));
    QVERIFY(proxy.start());
    QTest::mouseClick(child<QPushButton>("recheckDockerButton"), Qt::LeftButton);
    QVERIFY(checked.wait(15'000));
    QVERIFY(checked.last().first().value<docker::DockerHealth>().ready());
    QVERIFY(!panel->isVisible());
}

void TestFirstRun::refusingSocketSaysNothingAnswers()
{
    const QString socket = m_stateDir + QStringLiteral("/refusing.sock");
    QVERIFY(makeRefusingSocket(socket));
    createWindow(socket);
    const docker::DockerHealth health = waitForDockerCheck();
    QCOMPARE(docker::DockerHealth::statusName(health.status), QStringLiteral("not_running"));
    QVERIFY(child<DockerSetupPanel>("dockerSetupPanel")->isVisible());
    QVERIFY2(child<QLabel>("dockerSetupSentence")->text().contains(QLatin1String("nothing answers")),
             qPrintable(child<QLabel>("dockerSetupSentence")->text()));
    QCOMPARE(child<QLineEdit>("dockerFixCommand")->text(), QStringLiteral("sudo systemctl start docker"));
}

void TestFirstRun::socketPermissionDeniedShowsTheGroupCommand()
{
    QString socket = QString::fromLatin1(docker::kDefaultDockerSocket);
    if (!m_asNobody && ::geteuid() == 0) {
        // Root may open any socket: the case runs again in a copy of this test as nobody.
        const QString home = m_root.filePath(QStringLiteral("nobody"));
        QVERIFY(QDir().mkpath(home));
        QFile::setPermissions(home, QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther
                                        | QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(kAsNobody), QStringLiteral("1"));
        env.insert(QStringLiteral("HOME"), home);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home);
        env.insert(QStringLiteral("TMPDIR"), home);
        child.setProcessEnvironment(env);
        child.setProcessChannelMode(QProcess::MergedChannels);
        child.start(QStringLiteral("setpriv"),
                    {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"), QStringLiteral("--clear-groups"),
                     QCoreApplication::applicationFilePath(), QStringLiteral("socketPermissionDeniedShowsTheGroupCommand")});
        QVERIFY(child.waitForStarted());
        QVERIFY(child.waitForFinished(60'000));
        const QByteArray output = child.readAll();
        QVERIFY2(child.exitCode() == 0 && output.contains("PASS   : TestFirstRun::socketPermissionDenied"),
                 output.constData());
        return;
    }
    QTemporaryDir ownDir;
    if (!m_asNobody) {
        // An unprivileged user (not in the docker group): a socket file it may not open stands in.
        socket = ownDir.filePath(QStringLiteral("locked.sock"));
        QVERIFY(makeRefusingSocket(socket));
        QVERIFY(QFile::setPermissions(socket, {}));
    }
    createWindow(socket);
    const docker::DockerHealth health = waitForDockerCheck();
    QCOMPARE(docker::DockerHealth::statusName(health.status), QStringLiteral("permission_denied"));
    QVERIFY(child<DockerSetupPanel>("dockerSetupPanel")->isVisible());
    QCOMPARE(child<QLineEdit>("dockerFixCommand")->text(), QStringLiteral("sudo usermod -aG docker $USER"));
    QVERIFY(child<QLabel>("dockerAfterFix")->isVisible());
    QVERIFY(child<QLabel>("dockerAfterFix")->text().contains(QLatin1String("log out and in again")));
    QVERIFY(child<QLabel>("dockerSetupTitle")->text().contains(QLatin1String("may not use it")));
}

void TestFirstRun::e2bIsOfferedAndUsedWhenConfigured()
{
    createWindow(m_stateDir + QStringLiteral("/absent.sock"), true, QStringLiteral("e2b_test_key_not_real"));
    QVERIFY(!waitForDockerCheck().ready());
    auto* useE2B = child<QPushButton>("useE2BButton");
    QCOMPARE(useE2B->text(), QStringLiteral("Use E2B instead"));
    QTest::mouseClick(useE2B, Qt::LeftButton);
    QCOMPARE(m_session->backend()->name(), QStringLiteral("e2b"));
    QCOMPARE(child<QComboBox>("backendCombo")->currentData().toString(), QStringLiteral("e2b"));
    QVERIFY2(!child<DockerSetupPanel>("dockerSetupPanel")->isVisible(), "runs go to E2B now: Docker is not in the way");
    // Back to Docker: the check runs again and the panel returns.
    QSignalSpy checked(m_window.get(), &MainWindow::dockerChecked);
    child<QComboBox>("backendCombo")->setCurrentIndex(child<QComboBox>("backendCombo")->findData(QStringLiteral("docker")));
    QVERIFY(checked.wait(15'000));
    QVERIFY(child<DockerSetupPanel>("dockerSetupPanel")->isVisible());
}

void TestFirstRun::e2bWithoutKeyOpensTheSettings()
{
    createWindow(m_stateDir + QStringLiteral("/absent.sock"), true);
    QVERIFY(!waitForDockerCheck().ready());
    auto* useE2B = child<QPushButton>("useE2BButton");
    QVERIFY(useE2B->text().startsWith(QLatin1String("Set up E2B")));
    // The settings dialog is modal: look at it, then close it, from inside its own event loop.
    QString seen;
    QTimer::singleShot(200, this, [&] {
        if (auto* dialog = qobject_cast<SettingsDialog*>(QApplication::activeModalWidget())) {
            seen = dialog->windowTitle();
            dialog->reject();
        }
    });
    QTest::mouseClick(useE2B, Qt::LeftButton);
    QVERIFY2(!seen.isEmpty(), "Set up E2B opens the settings, where the key is entered");
    QCOMPARE(m_session->backend()->name(), QStringLiteral("docker"));
}

void TestFirstRun::missingImageOffersABuildThatSucceedsAndRuns()
{
    const QString image = uniqueImage();
    m_tagsToRemove << image;
    m_settings->setImageForLanguage(QStringLiteral("bash"), image);
    createWindow();
    m_session->setLanguage(QStringLiteral("bash"));
    QCOMPARE(m_session->image(), image);
    docker::ImageCheck check = waitForImageCheck();
    QCOMPARE(check.image, image);
    QCOMPARE(int(check.state), int(docker::ImageCheck::State::Missing));
    auto* panel = child<ImageBuildPanel>("imageBuildPanel");
    QVERIFY(panel->isVisible());
    QVERIFY(child<QLabel>("imageBuildExplanation")->text().contains(QLatin1String("a few minutes")));
    QVERIFY(child<QLabel>("imageBuildTitle")->text().contains(image));
    auto* build = child<QPushButton>("buildImageButton");
    QVERIFY(build->isVisible() && build->isEnabled());

    QSignalSpy finished(m_window->imageBuilder(), &ImageBuilder::finished);
    QSignalSpy progress(m_window->imageBuilder(), &ImageBuilder::progress);
    QSignalSpy checked(m_window.get(), &MainWindow::imageChecked);
    QTest::mouseClick(build, Qt::LeftButton);
    QVERIFY(child<QPushButton>("cancelBuildButton")->isVisible());
    QVERIFY(child<QProgressBar>("imageBuildProgress")->isVisible());
    QVERIFY(finished.wait(30'000));
    QCOMPARE(finished.first().first().value<ImageBuilder::Outcome>(), ImageBuilder::Outcome::Built);
    // Every stage the script named moved the bar, in order.
    QCOMPARE(progress.size(), 5);
    QCOMPARE(progress.last().at(0).toInt(), 5);
    QCOMPARE(child<QProgressBar>("imageBuildProgress")->value(), child<QProgressBar>("imageBuildProgress")->maximum());
    QVERIFY(child<QPlainTextEdit>("imageBuildLog")->toPlainText().contains(QLatin1String("[4/5] importing as ") + image));
    // The panel goes once the engine has the image (an answer to a check from before the build
    // may still arrive first: the window ignores it, and so does this wait).
    QTRY_VERIFY_WITH_TIMEOUT(!checked.isEmpty()
                                 && checked.last().first().value<docker::ImageCheck>().state
                                        == docker::ImageCheck::State::Present,
                             15'000);
    QVERIFY(!panel->isVisible());
    // ...and a run in it works.
    m_window->editor()->setText(QStringLiteral("echo built and running\n"));
    const RunResult result = test::clickRunAndWait(*m_window, 60'000);
    QCOMPARE(verdictName(result.verdict), QStringLiteral("ok"));
    QCOMPARE(result.image, image);
}

void TestFirstRun::failedBuildShowsTheErrorInTheLog()
{
    const QString image = uniqueImage();
    m_settings->setImageForLanguage(QStringLiteral("python"), image);
    qputenv("FAKE_BUILD_MODE", "fail");
    createWindow();
    m_session->setLanguage(QStringLiteral("python"));
    QTRY_VERIFY_WITH_TIMEOUT(child<ImageBuildPanel>("imageBuildPanel")->isVisible(), 15'000);
    QSignalSpy finished(m_window->imageBuilder(), &ImageBuilder::finished);
    QTest::mouseClick(child<QPushButton>("buildImageButton"), Qt::LeftButton);
    QVERIFY(finished.wait(30'000));
    QCOMPARE(finished.first().first().value<ImageBuilder::Outcome>(), ImageBuilder::Outcome::Failed);
    const QString log = child<QPlainTextEdit>("imageBuildLog")->toPlainText();
    QVERIFY2(log.contains(QLatin1String("Failed getting release file")), qPrintable(log));
    const QString stage = child<QLabel>("imageBuildStage")->text();
    QVERIFY2(stage.contains(QLatin1String("debootstrap failed")), qPrintable(stage));
    QVERIFY(child<ImageBuildPanel>("imageBuildPanel")->isVisible());
    QCOMPARE(child<QPushButton>("buildImageButton")->text(), QStringLiteral("Try again"));
    QVERIFY(!child<QPushButton>("cancelBuildButton")->isVisible());
}

void TestFirstRun::cancelledBuildLeavesNoProcess()
{
    const QString image = uniqueImage();
    m_settings->setImageForLanguage(QStringLiteral("python"), image);
    qputenv("FAKE_BUILD_MODE", "hang");
    createWindow();
    m_session->setLanguage(QStringLiteral("python"));
    QTRY_VERIFY_WITH_TIMEOUT(child<ImageBuildPanel>("imageBuildPanel")->isVisible(), 15'000);
    ImageBuilder* builder = m_window->imageBuilder();
    QSignalSpy finished(builder, &ImageBuilder::finished);
    QTest::mouseClick(child<QPushButton>("buildImageButton"), Qt::LeftButton);
    // Wait until the script has started its long child, so that the whole group has to go.
    QTRY_VERIFY_WITH_TIMEOUT(child<QPlainTextEdit>("imageBuildLog")->toPlainText().contains(QLatin1String("sleeping child")),
                             15'000);
    const QString log = child<QPlainTextEdit>("imageBuildLog")->toPlainText();
    const qint64 sleeper = log.section(QLatin1String("sleeping child "), 1).section(QLatin1Char('\n'), 0, 0).toLongLong();
    const qint64 group = builder->processId();
    QVERIFY(sleeper > 0);
    QVERIFY(groupAlive(group));
    QCOMPARE(::getpgid(pid_t(sleeper)), pid_t(group));

    QTest::mouseClick(child<QPushButton>("cancelBuildButton"), Qt::LeftButton);
    QVERIFY(finished.wait(15'000));
    QCOMPARE(finished.first().first().value<ImageBuilder::Outcome>(), ImageBuilder::Outcome::Cancelled);
    QTRY_VERIFY_WITH_TIMEOUT(!groupAlive(group), 10'000);
    QVERIFY2(::kill(pid_t(sleeper), 0) != 0, "the script's child must be gone too");
    QVERIFY(!builder->isRunning());
    QVERIFY(child<QLabel>("imageBuildStage")->text().contains(QLatin1String("cancelled")));
    QVERIFY(child<QPushButton>("buildImageButton")->isEnabled());
}

void TestFirstRun::foreignImageIsNotOfferedABuild()
{
    m_settings->setImageForLanguage(QStringLiteral("python"), QStringLiteral("example.invalid/someone/python:never"));
    createWindow();
    m_session->setLanguage(QStringLiteral("python"));
    QTRY_VERIFY_WITH_TIMEOUT(child<ImageBuildPanel>("imageBuildPanel")->isVisible(), 15'000);
    QVERIFY(!child<QPushButton>("buildImageButton")->isVisible());
    QVERIFY(child<QLabel>("imageBuildExplanation")->text().contains(QLatin1String("pull this one")));
}

void TestFirstRun::imageTypedInTheRunBarIsChecked()
{
    createWindow();
    QVERIFY(waitForDockerCheck().ready());
    auto* panel = child<ImageBuildPanel>("imageBuildPanel");
    QTRY_VERIFY(!panel->isVisible());
    auto* image = child<QLineEdit>("imageEdit");
    const QString missing = uniqueImage();
    image->selectAll();
    QTest::keyClicks(image, missing);
    QTest::keyClick(image, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(panel->isVisible(), 15'000);
    QCOMPARE(panel->image(), missing);
    image->selectAll();
    QTest::keyClicks(image, QString::fromLatin1(test::kRunnerImage));
    QTest::keyClick(image, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isVisible(), 15'000);
}

void TestFirstRun::buildThatCannotStartSaysWhy()
{
    // Executable, but its interpreter does not exist: the exec itself fails.
    const QString script = m_stateDir + QStringLiteral("/broken-build.sh");
    {
        QFile file(script);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("#!/nonexistent/interpreter\n");
    }
    QVERIFY(QFile::setPermissions(script, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    m_settings->setImageBuildScript(script);
    m_settings->setImageForLanguage(QStringLiteral("python"), uniqueImage());
    createWindow();
    QTRY_VERIFY_WITH_TIMEOUT(child<ImageBuildPanel>("imageBuildPanel")->isVisible(), 15'000);
    QSignalSpy finished(m_window->imageBuilder(), &ImageBuilder::finished);
    QTest::mouseClick(child<QPushButton>("buildImageButton"), Qt::LeftButton);
    QVERIFY(finished.wait(10'000));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().value<ImageBuilder::Outcome>(), ImageBuilder::Outcome::Failed);
    QVERIFY2(child<QLabel>("imageBuildStage")->text().startsWith(QLatin1String("The build could not start")),
             qPrintable(child<QLabel>("imageBuildStage")->text()));
    QVERIFY(!child<QPushButton>("cancelBuildButton")->isVisible());
    QVERIFY(child<QPushButton>("buildImageButton")->isEnabled());
}

void TestFirstRun::realScriptStopsWhenItsInputCloses()
{
    // The real build-images.sh, as the window starts it, up to its first Docker call: a stand-in
    // `docker` on the PATH that just sleeps, so nothing is built and nothing leaves the machine.
    // Through pkexec the app cannot signal the root script; closing its stdin is how it cancels.
    QTemporaryDir bin;
    const QString docker = bin.filePath(QStringLiteral("docker"));
    {
        QFile file(docker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        // The script hides `docker version`'s output: the stand-in says it was called in a file.
        file.write(QStringLiteral("#!/bin/sh\necho $$ > '%1'\nexec sleep 60\n").arg(bin.filePath(QStringLiteral("called"))).toUtf8());
    }
    QVERIFY(QFile::setPermissions(docker, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    QProcess script;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PATH"), bin.path() + QStringLiteral(":/usr/bin:/bin"));
    script.setProcessEnvironment(env);
    script.setProcessChannelMode(QProcess::MergedChannels);
    script.setChildProcessModifier([] { ::setsid(); });
    script.start(QStringLiteral(CODECOURIER_SOURCE_DIR "/packaging/images/build-images.sh"),
                 {QStringLiteral("--image"), QStringLiteral("codecourier/runner:never-built"), QStringLiteral("--stop-on-eof")});
    QVERIFY(script.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(bin.filePath(QStringLiteral("called"))).size() > 0, 10'000);
    // While its input is open it keeps going (it must not read a background job's /dev/null as EOF).
    QTest::qWait(500);
    QCOMPARE(script.state(), QProcess::Running);
    const qint64 group = script.processId();
    script.closeWriteChannel();
    QVERIFY(script.waitForFinished(5'000));
    QCOMPARE(script.exitCode(), 143);
    QTRY_VERIFY_WITH_TIMEOUT(!groupAlive(group), 5'000);
}

void TestFirstRun::tourShowsOnceAndNeverAgainAfterSkip()
{
    createWindow();
    QVERIFY(!m_window->findChild<FirstRunTour*>());
    QVERIFY(m_window->startTourIfNew());
    FirstRunTour* tour = m_window->tour();
    QVERIFY(tour && tour->isVisible());
    QCOMPARE(tour->currentStep(), 0);
    QTest::mouseClick(test::namedChild<QPushButton>(tour, "tourSkipButton"), Qt::LeftButton);
    QTRY_VERIFY(!m_window->tour());
    QVERIFY(m_settings->tourSeen());
    // Never again: not in this window, not in the next one with the same settings file.
    QVERIFY(!m_window->startTourIfNew());
    m_settings = std::make_unique<Settings>(m_stateDir + QStringLiteral("/settings.conf"));
    createWindow();
    QVERIFY(!m_window->startTourIfNew());
    QVERIFY(!m_window->findChild<FirstRunTour*>());
}

void TestFirstRun::tourWalksThroughItsSteps()
{
    createWindow();
    QVERIFY(m_window->startTourIfNew());
    FirstRunTour* tour = m_window->tour();
    QVERIFY(tour);
    QVERIFY(tour->stepCount() >= 3 && tour->stepCount() <= 4);
    auto* callout = test::namedChild<QWidget>(tour, "tourCallout");
    auto* title = test::namedChild<QLabel>(tour, "tourTitle");
    // Each step's callout stands beside the widget it is about, inside the window.
    const QList<QWidget*> targets{static_cast<QWidget*>(m_window->answerPanel()), m_window->findChild<QWidget*>(QStringLiteral("grantsBar")),
                                  m_window->findChild<QWidget*>(QStringLiteral("resourceMonitor"))};
    QStringList titles;
    for (int step = 0; step < tour->stepCount(); ++step) {
        QCOMPARE(tour->currentStep(), step);
        titles << title->text();
        QVERIFY(m_window->rect().contains(callout->geometry()));
        if (step < targets.size() && targets.at(step)) {
            const QRect target(targets.at(step)->mapTo(m_window.get(), QPoint(0, 0)), targets.at(step)->size());
            const QRect near = target.adjusted(-60, -60, 60, 60);
            QVERIFY2(near.intersects(callout->geometry()) || target.intersects(callout->geometry()),
                     qPrintable(QStringLiteral("step %1: callout %2,%3 far from its widget").arg(step).arg(callout->x()).arg(callout->y())));
        }
        QTest::mouseClick(test::namedChild<QPushButton>(tour, "tourNextButton"), Qt::LeftButton);
    }
    QTRY_VERIFY(!m_window->tour());
    QVERIFY(m_settings->tourSeen());
    QVERIFY(titles.join(QLatin1Char(' ')).contains(QLatin1String("AI")));
    QVERIFY(titles.join(QLatin1Char(' ')).contains(QLatin1String("closed")));
}

void TestFirstRun::userGuideNamesEveryVerdict()
{
    createWindow();
    // F1, as a person would.
    m_window->activateWindow();
    auto* focus = child<QComboBox>("languageCombo");
    focus->setFocus();
    QTest::keyClick(focus, Qt::Key_F1);
    auto* guide = m_window->findChild<QDialog*>(QStringLiteral("userGuideDialog"));
    QVERIFY2(guide && guide->isVisible(), "F1 opens the user guide");
    const QString text = test::namedChild<QTextBrowser>(guide, "userGuideDialogText")->toPlainText();
    for (const char* verdict : {"ok", "exit_nonzero", "timeout", "memory_limit", "output_limit", "pids_limit", "cancelled",
                                "backend_error"})
        QVERIFY2(text.contains(QLatin1String(verdict)), verdict);
    for (const char* word : {"Network", "Folder", "Time", "Memory", "CPUs", "Processes", "Output"})
        QVERIFY2(text.contains(QLatin1String(word)), word);
}

void TestFirstRun::shortcutsListTheRealOnes()
{
    createWindow();
    QAction* action = m_window->findChild<QAction*>(QStringLiteral("shortcutsAction"));
    QVERIFY(action);
    action->trigger();
    auto* dialog = m_window->findChild<QDialog*>(QStringLiteral("shortcutsDialog"));
    QVERIFY(dialog && dialog->isVisible());
    const QString text = test::namedChild<QTextBrowser>(dialog, "shortcutsDialogText")->toPlainText();
    const auto native = [](QKeySequence keys) { return keys.toString(QKeySequence::NativeText); };
    for (const QKeySequence& keys : {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::Key_Escape),
                                     QKeySequence(Qt::CTRL | Qt::Key_Period), QKeySequence(Qt::CTRL | Qt::Key_H),
                                     QKeySequence(QKeySequence::Open), QKeySequence(Qt::Key_F1)})
        QVERIFY2(text.contains(native(keys)), qPrintable(native(keys)));
    // Every line is a shortcut the window really has: pressing Ctrl+H, listed, opens the history.
    QVERIFY(text.contains(QLatin1String("Run history")));
    QVERIFY(!m_window->findChild<QDockWidget*>(QStringLiteral("historyDock"))->isVisible());
    dialog->close();
    m_window->activateWindow();
    auto* focus = child<QComboBox>("languageCombo");
    focus->setFocus();
    QTest::keyClick(focus, Qt::Key_H, Qt::ControlModifier);
    QVERIFY(m_window->findChild<QDockWidget*>(QStringLiteral("historyDock"))->isVisible());
    for (const auto& [what, keys] : m_window->shortcutList()) {
        QVERIFY2(!what.isEmpty(), qPrintable(keys));
        QVERIFY(text.contains(keys));
    }
}

void TestFirstRun::aboutShowsTheVersions()
{
    createWindow();
    QVERIFY(waitForDockerCheck().ready());
    m_window->findChild<QAction*>(QStringLiteral("aboutAction"))->trigger();
    auto* about = m_window->findChild<AboutDialog*>(QStringLiteral("aboutDialog"));
    QVERIFY(about && about->isVisible());
    const QString versions = test::namedChild<QLabel>(about, "aboutVersions")->text();
    QVERIFY2(versions.contains(QStringLiteral("Qt ") + QString::fromLatin1(qVersion())), qPrintable(versions));
    QVERIFY2(versions.contains(QStringLiteral("QScintilla " QSCINTILLA_VERSION_STR)), qPrintable(versions));
    QVERIFY2(versions.contains(QStringLiteral("libcurl ") + QString::fromLatin1(curl_version_info(CURLVERSION_NOW)->version)),
             qPrintable(versions));
    const auto version = test::callSync(*m_realEngine->api(), "GET", "/version").json();
    const QString engine = QString::fromStdString(version.value("Version", std::string()));
    QVERIFY(!engine.isEmpty());
    auto* docker = test::namedChild<QLabel>(about, "aboutDocker");
    QTRY_VERIFY2(docker->text().contains(QStringLiteral("Docker engine ") + engine), qPrintable(docker->text()));
}

void TestFirstRun::aboutSaysWhenDockerIsNotReachable()
{
    createWindow(m_stateDir + QStringLiteral("/absent.sock"));
    QVERIFY(!waitForDockerCheck().ready());
    m_window->findChild<QAction*>(QStringLiteral("aboutAction"))->trigger();
    auto* about = m_window->findChild<AboutDialog*>(QStringLiteral("aboutDialog"));
    QVERIFY(about);
    auto* docker = test::namedChild<QLabel>(about, "aboutDocker");
    QTRY_VERIFY2(docker->text().contains(QLatin1String("not reachable")), qPrintable(docker->text()));
    QCOMPARE(docker->textFormat(), Qt::PlainText);
}

QTEST_MAIN(TestFirstRun)
#include "tst_firstrun.moc"
