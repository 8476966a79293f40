// GUI responsiveness under an output flood: the real window (offscreen), the real engine, a snippet
// that prints as fast as it can for SECONDS seconds with the output cap raised out of its way.
// A 10 ms heartbeat timer runs in the window's event loop; its longest gap is how long the window
// could not answer a click. Also prints how many bytes reached the window and the heartbeat gap
// percentiles.
//
//   bench_gui_flood [SECONDS] [ROUNDS]     (QT_QPA_PLATFORM=offscreen is set when unset)
#include "Autosave.h"
#include "MainWindow.h"
#include "CodeEditor.h"
#include "RunSession.h"
#include "Settings.h"
#include "docker/DockerBackend.h"
#include "http/HttpClient.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>

using namespace cc;

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int seconds = argc > 1 ? std::max(1, QByteArray(argv[1]).toInt()) : 10;
    const int rounds = argc > 2 ? std::max(1, QByteArray(argv[2]).toInt()) : 3;

    QTemporaryDir state;
    Settings settings(state.filePath(QStringLiteral("settings.conf")));
    Autosave autosave(state.filePath(QStringLiteral("autosave")));
    http::HttpClient http;
    docker::DockerBackend backend(&http, docker::DockerEndpoint::fromEnvironment());
    RunSession session(&backend, settings);
    MainWindow window(&session, &settings, &autosave);
    window.resize(1200, 800);
    window.show();

    // Lines of 100 characters, as fast as Python writes them, until the time is up; the engine's
    // time limit is a little longer so that the program ends by itself.
    window.editor()->setText(QStringLiteral("import sys, time\n"
                                            "end = time.monotonic() + %1\n"
                                            "line = 'x' * 99 + '\\n'\n"
                                            "while time.monotonic() < end:\n"
                                            "    sys.stdout.write(line * 100)\n")
                                 .arg(seconds));
    session.setLanguage(QStringLiteral("python"));
    Limits limits = session.limits();
    limits.outputBytes = 1024LL * 1024 * 1024;
    limits.wallTimeoutMs = (seconds + 20) * 1000;
    session.setLimits(limits);

    std::printf("GUI heartbeat (10 ms timer) during a %d s output flood, offscreen, %d rounds\n", seconds, rounds);
    std::printf("%-8s %12s %12s %12s %14s %8s %10s\n", "round", "longest gap", "p99 gap", "median gap", "bytes shown",
                "flood s", "MB/s");
    for (int round = 1; round <= rounds; ++round) {
        QList<qint64> gaps;
        QElapsedTimer sinceBeat;
        QTimer heartbeat;
        heartbeat.setInterval(10);
        QObject::connect(&heartbeat, &QTimer::timeout, [&] {
            if (sinceBeat.isValid())
                gaps << sinceBeat.elapsed();
            sinceBeat.start();
        });
        QEventLoop loop;
        RunResult result;
        QElapsedTimer wall;
        QObject::connect(&window, &MainWindow::runEnded, &loop, [&](const RunResult& r) {
            result = r;
            loop.quit();
        });
        heartbeat.start();
        wall.start();
        window.startRun();
        loop.exec();
        heartbeat.stop();
        QObject::disconnect(&window, &MainWindow::runEnded, &loop, nullptr);
        std::sort(gaps.begin(), gaps.end());
        const qint64 longest = gaps.isEmpty() ? -1 : gaps.last();
        const qint64 p99 = gaps.isEmpty() ? -1 : gaps.at(std::min<qsizetype>(gaps.size() - 1, gaps.size() * 99 / 100));
        const qint64 median = gaps.isEmpty() ? -1 : gaps.at(gaps.size() / 2);
        // The flood ends at its time or, on a fast machine, at the 1 GiB output cap (the largest allowed).
        std::printf("%-8d %9lld ms %9lld ms %9lld ms %14lld %8.1f %10.0f   (%s)\n", round,
                    static_cast<long long>(longest), static_cast<long long>(p99), static_cast<long long>(median),
                    static_cast<long long>(result.outputBytes), result.wallMs / 1e3,
                    result.outputBytes / 1e6 / (result.wallMs / 1e3), qPrintable(verdictName(result.verdict)));
        std::fflush(stdout);
    }
    return 0;
}
