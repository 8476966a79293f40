#pragma once

// Helpers for tests that need the real Docker engine. A missing engine or image is a failure
// with a sentence saying what to start or build, never a silent skip.

#include "Run.h"
#include "docker/DockerApi.h"
#include "docker/DockerBackend.h"

#include <QEventLoop>
#include <QList>
#include <QPair>
#include <QTimer>
#include <QtTest>

namespace cc::test {

inline constexpr const char* kRunnerImage = "codecourier/runner:bookworm-1";
/// Label on containers and networks the tests create themselves (servers, probes).
inline constexpr const char* kTestLabel = "org.codecourier.test";

/// Calls the Docker API and waits for the answer (tests only: the product never blocks).
inline docker::DockerResponse callSync(docker::DockerApi& api, const QByteArray& method, const QByteArray& path,
                                       const nlohmann::json& body = nullptr, int timeoutMs = 60'000)
{
    docker::DockerResponse result;
    QEventLoop loop;
    QObject context;
    bool done = false;
    api.call(method, path, body, &context, [&](const docker::DockerResponse& r) {
        result = r;
        done = true;
        loop.quit();
    }, timeoutMs);
    if (!done)
        loop.exec();
    return result;
}

/// Everything a run produced, in the order it arrived.
struct RunOutcome
{
    RunResult result;
    QByteArray out;
    QByteArray err;
    QStringList events;        ///< "created", "started", "output", "stats", "finished"
    QList<StatsSample> samples;
    int finishedCount = 0;
};

/// Starts spec on backend and waits until finished (or the deadline, which fails the test).
inline RunOutcome runToEnd(Backend& backend, const RunSpec& spec, int deadlineMs = 120'000,
                           std::function<void(Run*)> whileRunning = {})
{
    RunOutcome outcome;
    Run* run = backend.start(spec);
    QEventLoop loop;
    QObject::connect(run, &Run::created, &loop, [&] { outcome.events << QStringLiteral("created"); });
    QObject::connect(run, &Run::started, &loop, [&, run] {
        outcome.events << QStringLiteral("started");
        if (whileRunning)
            whileRunning(run);
    });
    QObject::connect(run, &Run::output, &loop, [&](Run::Stream stream, const QByteArray& bytes) {
        if (outcome.events.isEmpty() || outcome.events.last() != QLatin1String("output"))
            outcome.events << QStringLiteral("output");
        (stream == Run::Stream::Stdout ? outcome.out : outcome.err).append(bytes);
    });
    QObject::connect(run, &Run::stats, &loop, [&](const StatsSample& s) {
        outcome.samples << s;
        if (outcome.events.isEmpty() || outcome.events.last() != QLatin1String("stats"))
            outcome.events << QStringLiteral("stats");
    });
    QObject::connect(run, &Run::finished, &loop, [&](const RunResult& r) {
        outcome.result = r;
        outcome.events << QStringLiteral("finished");
        ++outcome.finishedCount;
        // Let a stray second finished() show up before the loop ends.
        QTimer::singleShot(50, &loop, &QEventLoop::quit);
    });
    QTimer::singleShot(deadlineMs, &loop, &QEventLoop::quit);
    loop.exec();
    delete run;
    return outcome;
}

/// The Docker engine answers and the runner image exists; otherwise a failure saying what to do.
inline bool engineReady(docker::DockerApi& api, QString* why)
{
    const auto ping = callSync(api, "GET", "/_ping", nullptr, 10'000);
    if (!ping.ok()) {
        *why = QStringLiteral("These tests need a running Docker engine: %1 (`./dev.sh test` starts one).").arg(ping.error);
        return false;
    }
    const auto image = callSync(api, "GET", "/images/" + docker::DockerApi::query(QString::fromLatin1(kRunnerImage)) + "/json");
    if (!image.ok()) {
        *why = QStringLiteral("The runner image %1 is missing: build it with packaging/images/build-images.sh (%2).")
                   .arg(QString::fromLatin1(kRunnerImage), image.error);
        return false;
    }
    return true;
}

/// Ids of containers that carry CodeCourier's label (sandboxes, not the tests' own helpers).
inline QStringList labelledContainers(docker::DockerApi& api)
{
    const QByteArray filter = docker::DockerApi::query(QStringLiteral("{\"label\":[\"org.codecourier\"]}"));
    const auto r = callSync(api, "GET", "/containers/json?all=true&filters=" + filter);
    QStringList ids;
    const auto list = r.json();
    if (list.is_array())
        for (const auto& c : list)
            ids << QString::fromStdString(c.value("Id", std::string()));
    return ids;
}

/// A RunSpec for the runner image with the default (hardened) limits.
inline RunSpec makeSpec(const QString& language, const QByteArray& code)
{
    RunSpec spec;
    spec.language = language;
    spec.image = QString::fromLatin1(kRunnerImage);
    if (language == QLatin1String("python")) {
        spec.files.append({QStringLiteral("main.py"), code});
        spec.command = {QStringLiteral("python3"), QStringLiteral("-u"), QStringLiteral("main.py")};
    } else if (language == QLatin1String("node")) {
        spec.files.append({QStringLiteral("main.js"), code});
        spec.command = {QStringLiteral("node"), QStringLiteral("main.js")};
    } else {
        spec.files.append({QStringLiteral("main.sh"), code});
        spec.command = {QStringLiteral("bash"), QStringLiteral("main.sh")};
    }
    return spec;
}

} // namespace cc::test
