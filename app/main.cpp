// The composition root: the one file that knows every layer. It reads the command line, builds
// the engine (HTTP client, Docker backend) and hands it to the command line or to the window.
#include "ApiKeyStore.h"
#include "Autosave.h"
#include "CommandLine.h"
#include "DoctorCommand.h"
#include "ExtractCommand.h"
#include "HistoryCommand.h"
#include "HistoryRecorder.h"
#include "HistoryStore.h"
#include "MainWindow.h"
#include "RunCommand.h"
#include "RunSession.h"
#include "AnswerPanel.h"
#include "Settings.h"
#include "SignalWatcher.h"
#include "docker/ContainerPool.h"
#include "docker/DockerBackend.h"
#include "e2b/E2BBackend.h"
#include "http/HttpClient.h"

#include <QApplication>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QIcon>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTimer>
#include <Qsci/qsciglobal.h>
#include <memory>

namespace {

QString versionText()
{
    return QStringLiteral("codecourier %1 (Qt %2, QScintilla %3)\n")
        .arg(QStringLiteral(CODECOURIER_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QSCINTILLA_VERSION_STR));
}

cc::docker::DockerEndpoint endpointFor(const cc::Settings& settings)
{
    // The environment wins over the settings, as with the docker CLI.
    if (!qEnvironmentVariableIsEmpty("DOCKER_HOST") || settings.dockerHost().isEmpty())
        return cc::docker::DockerEndpoint::fromEnvironment();
    return cc::docker::DockerEndpoint::fromDockerHost(settings.dockerHost());
}

cc::e2b::E2BConfig e2bConfigFor(const cc::Settings& settings)
{
    // As the official SDKs read it; the environment wins over the settings' domain.
    return cc::e2b::E2BConfig::fromEnvironment(QProcessEnvironment::systemEnvironment(), settings.e2bDomain());
}

const QString kKeychainSource = QStringLiteral("the system keychain");

/// The key typed into the settings reaches the backend, unless E2B_API_KEY (which wins) is set.
void followStoredKey(cc::ApiKeyStore* store, cc::e2b::E2BBackend* backend, const cc::e2b::E2BConfig& base)
{
    if (base.hasApiKey())
        return;
    store->read([backend, base](const cc::ApiKeyStore::ReadResult& r) {
        if (r.found)
            backend->setConfig(base.withApiKey(r.key, kKeychainSource));
    });
    QObject::connect(store, &cc::ApiKeyStore::keyChanged, backend,
                     [backend, base](const QString& key) { backend->setConfig(base.withApiKey(key, kKeychainSource)); });
}

/// The command line needs the key before it starts: E2B_API_KEY, else the keychain (waited for).
/// Returns the keychain's problem, if it had one.
QString loadStoredKeyNow(cc::e2b::E2BBackend* backend)
{
    if (backend->config().hasApiKey())
        return {};
    cc::ApiKeyStore store;
    const cc::ApiKeyStore::ReadResult r = store.readAndWait(10'000);
    if (r.found)
        backend->setConfig(backend->config().withApiKey(r.key, kKeychainSource));
    return r.error;
}

QString historyPathFor(const cc::CommandLine& cl)
{
    return cl.historyFile.isEmpty() ? cc::HistoryStore::pathFromEnvironment() : cl.historyFile;
}

int runCommandLine(int argc, char** argv, const cc::CommandLine& cl)
{
    QCoreApplication app(argc, argv);
    cc::Settings settings;
    // Of the history commands only rerun comes here: list and show need no engine.
    const bool rerun = cl.command == cc::CommandLine::Command::History;
    std::unique_ptr<cc::HistoryStore> historyStore;
    std::optional<cc::RunSpec> rerunSpec;
    cc::RunOptions runOptions = cl.run;
    if (cl.command == cc::CommandLine::Command::Run || rerun) {
        historyStore = std::make_unique<cc::HistoryStore>(historyPathFor(cl));
        if (rerun) {
            QString error;
            const std::optional<cc::HistoryRecord> record = cc::HistoryCommand::load(historyStore.get(), cl.history.id, &error);
            if (record)
                rerunSpec = cc::HistoryCommand::rerunSpec(*record, cl.history.rerun, &error);
            if (!rerunSpec) {
                cc::writeFully(2, (QStringLiteral("codecourier: ") + error + QLatin1Char('\n')).toUtf8());
                return 125;
            }
            runOptions = cl.history.rerun;
            runOptions.language = rerunSpec->language;
            runOptions.backend = record->backend;
        }
    }
    cc::HistoryRecorder recorder(historyStore.get());
    // Once per process, on stderr: stdout stays the program's output (or the one JSON document).
    QObject::connect(&recorder, &cc::HistoryRecorder::problem, &app, [](const QString& sentence) {
        cc::writeFully(2, (QStringLiteral("codecourier: history: ") + sentence + QLatin1Char('\n')).toUtf8());
    });
    cc::http::HttpClient http;
    cc::docker::DockerBackend backend(&http, endpointFor(settings));
    cc::e2b::E2BBackend e2bBackend(&http, e2bConfigFor(settings));
    cc::SignalWatcher signalWatcher;

    int exitStatus = 125;
    int pending = 0;
    auto settle = [&] {
        if (--pending == 0)
            QCoreApplication::exit(exitStatus);
    };

    std::unique_ptr<cc::RunCommand> run;
    std::unique_ptr<cc::DoctorCommand> doctor;
    bool interrupted = false;  // lives as long as the event loop: the signal slot reads it
    if (cl.command == cc::CommandLine::Command::Run || rerun) {
        const bool onE2B = runOptions.backend == QLatin1String("e2b");
        if (onE2B) {
            const QString keychainProblem = loadStoredKeyNow(&e2bBackend);
            if (!e2bBackend.config().hasApiKey() && !keychainProblem.isEmpty())
                cc::writeFully(2, QStringLiteral("codecourier: %1\n").arg(keychainProblem).toUtf8());
        } else {
            // Containers and networks a crashed earlier process left behind go now, beside this run.
            // (An E2B sandbox left behind ends by itself at its timeout, a minute after its run's limit.)
            ++pending;
            backend.sweepOrphans([&](int, const QString&) { settle(); });
        }
        ++pending;
        run = std::make_unique<cc::RunCommand>(runOptions, settings,
                                               onE2B ? static_cast<cc::Backend*>(&e2bBackend) : &backend);
        run->setHistory(&recorder);
        QObject::connect(&signalWatcher, &cc::SignalWatcher::received, &app, [&](int) {
            if (interrupted)
                std::_Exit(130);  // a second Ctrl+C: leave now; the sandbox ends by itself
            interrupted = true;
            run->interrupt();
        });
        auto finished = [&](int status) {
            exitStatus = status;
            settle();
        };
        if (rerunSpec)
            run->startSpec(*rerunSpec, finished);
        else
            run->start(finished);
    } else {
        ++pending;
        const QString keychainProblem = loadStoredKeyNow(&e2bBackend);
        doctor = std::make_unique<cc::DoctorCommand>(backend.api(), &e2bBackend, settings);
        doctor->setKeychainProblem(keychainProblem);
        doctor->start([&](int status) {
            exitStatus = status;
            settle();
        });
    }
    return app.exec();
}

int runGui(int argc, char** argv, const cc::CommandLine& cl)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("CodeCourier"));
    QApplication::setDesktopFileName(QStringLiteral("org.codecourier.CodeCourier"));
    // The installed icon (packaging/), for window managers that take the icon from the window
    // rather than from the desktop entry.
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("org.codecourier.CodeCourier")));
    cc::Settings settings;
    cc::http::HttpClient http;
    cc::docker::DockerBackend backend(&http, endpointFor(settings));
    backend.sweepOrphans([](int, const QString&) {});
    backend.pool()->setSize(settings.poolSize());
    const cc::e2b::E2BConfig e2bConfig = e2bConfigFor(settings);
    cc::e2b::E2BBackend e2bBackend(&http, e2bConfig);
    cc::ApiKeyStore keyStore;
    followStoredKey(&keyStore, &e2bBackend, e2bConfig);
    // A screenshot must not overwrite what the person was working on, nor add to their history.
    QTemporaryDir scratch;
    cc::HistoryStore historyStore(cl.screenshotPath.isEmpty() ? historyPathFor(cl)
                                                              : scratch.filePath(QStringLiteral("history.sqlite")));
    cc::HistoryRecorder recorder(&historyStore);
    cc::RunSession session(&backend, settings);
    session.addBackend(&e2bBackend);
    session.setHistory(&recorder);
    cc::Autosave autosave(cl.screenshotPath.isEmpty() ? QString() : scratch.path());
    cc::MainWindow window(&session, &settings, &autosave);
    window.setApiKeyStore(&keyStore);
    window.show();
    // A screenshot shows the tour only when asked (--tour); it then must not count as seen.
    if (cl.showTour)
        window.startTour();
    else if (cl.screenshotPath.isEmpty())
        window.startTourIfNew();

    if (!cl.answerFile.isEmpty()) {
        QFile file(cl.answerFile);
        if (!file.open(QIODevice::ReadOnly)) {
            cc::writeFully(2, QStringLiteral("codecourier: could not read the answer %1: %2.\n")
                                  .arg(cl.answerFile, file.errorString())
                                  .toUtf8());
            return 125;
        }
        window.answerPanel()->setAnswerText(QString::fromUtf8(file.readAll()));
    }
    int exitStatus = 0;
    if (!cl.screenshotPath.isEmpty()) {
        auto capture = [&] {
            if (!window.grab().save(cl.screenshotPath)) {
                cc::writeFully(2, QStringLiteral("codecourier: could not write %1.\n").arg(cl.screenshotPath).toUtf8());
                exitStatus = 1;
            }
            QApplication::exit(exitStatus);
        };
        if (cl.runOnStart)
            QObject::connect(&window, &cc::MainWindow::runEnded, &app, [&] {
                // What the run wrote to /workspace/out is part of what it did: show it, a picture first.
                window.showArtifacts();
                QTimer::singleShot(400, &app, capture);
            });
        else
            QTimer::singleShot(600, &app, capture);
    }
    if (cl.runOnStart)
        QTimer::singleShot(300, &window, &cc::MainWindow::startRun);
    session.prewarm();
    const int status = app.exec();
    // Pre-started sandboxes go with the app.
    QEventLoop shutdown;
    bool removed = false;
    QTimer::singleShot(5'000, &shutdown, &QEventLoop::quit);
    backend.shutdown([&] {
        removed = true;
        shutdown.quit();
    });
    if (!removed)
        shutdown.exec();
    return status ? status : exitStatus;
}

} // namespace

int main(int argc, char** argv)
{
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const cc::CommandLine cl = cc::CommandLine::parse(arguments);

    if (!cl.error.isEmpty()) {
        cc::writeFully(2, (QStringLiteral("codecourier: ") + cl.error + QLatin1Char('\n')).toUtf8());
        return 125;
    }
    switch (cl.command) {
    case cc::CommandLine::Command::Version:
        cc::writeFully(1, versionText().toUtf8());
        return 0;
    case cc::CommandLine::Command::Help:
        cc::writeFully(1, (cl.helpForRun       ? cc::CommandLine::runHelpText()
                           : cl.helpForExtract ? cc::CommandLine::extractHelpText()
                           : cl.helpForHistory ? cc::CommandLine::historyHelpText()
                                               : cc::CommandLine::helpText())
                              .toUtf8());
        return 0;
    case cc::CommandLine::Command::Extract:
        // Parsing needs no engine: no HTTP client, no backend, no event loop.
        return cc::ExtractCommand(cl.extract).run();
    case cc::CommandLine::Command::History:
        if (cl.history.action != cc::HistoryOptions::Action::Rerun) {
            QCoreApplication app(argc, argv);  // for Qt's SQL driver plugin
            cc::HistoryStore store(historyPathFor(cl));
            return cc::HistoryCommand(cl.history, &store).run();
        }
        return runCommandLine(argc, argv, cl);
    case cc::CommandLine::Command::Run:
    case cc::CommandLine::Command::Doctor:
        return runCommandLine(argc, argv, cl);
    case cc::CommandLine::Command::Gui:
        break;
    }

    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        cc::writeFully(2, QByteArray("codecourier: no display to open the window on. Run it in a desktop session, "
                                     "under `xvfb-run`, or use the command line (codecourier --help).\n"));
        return 1;
    }
    return runGui(argc, argv, cl);
}
