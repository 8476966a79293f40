#pragma once

#include "Backend.h"
#include "DockerEndpoint.h"
#include "DockerHealth.h"

#include <QMap>
#include <QSet>
#include <functional>

namespace cc::http {
class HttpClient;
}

namespace cc::docker {

class ContainerPool;
class DockerApi;

/// Whether an image is on the engine, as DockerBackend::checkImage() found it.
struct ImageCheck
{
    enum class State { Present, Missing, Unknown };
    State state = State::Unknown;
    QString image;
    QString sentence;   ///< for Missing and Unknown: what is wrong, for a person (plain text)
};

/// Runs snippets in fresh, hardened containers of the local Docker engine. Every container and
/// network it creates carries its labels, naming this process as owner, so that a later start
/// can sweep what a crash left behind (sweepOrphans()). Lives in the thread that created it.
class DockerBackend : public Backend
{
    Q_OBJECT
public:
    DockerBackend(http::HttpClient* http, DockerEndpoint endpoint, QObject* parent = nullptr);

    QString name() const override { return QStringLiteral("docker"); }
    Run* start(const RunSpec& spec, QObject* parent = nullptr) override;
    void prewarm(const RunSpec& spec) override;

    DockerApi* api() const { return m_api; }
    /// Asks the engine whether it can be used (see DockerApi::probe()); done() in this thread.
    void checkEngine(QObject* context, std::function<void(const DockerHealth&)> done);
    /// Asks the engine whether image is there; done() in this thread unless context is gone.
    void checkImage(const QString& image, QObject* context, std::function<void(const ImageCheck&)> done);
    /// Pre-started containers for runs without grants; off until given a size.
    ContainerPool* pool() const { return m_pool; }
    /// Removes the pool's containers; done() once the engine answered. Call before quitting.
    void shutdown(std::function<void()> done);

    /// Removes labelled containers and networks whose owning process is gone (on this host).
    /// Calls done with how many were removed, or an error sentence when the engine is unreachable.
    void sweepOrphans(std::function<void(int removed, const QString& error)> done);

    /// The label every object of ours carries, and the one naming its owner.
    static constexpr const char* kLabel = "org.codecourier";
    static constexpr const char* kOwnerLabel = "org.codecourier.owner";  // value: ProcessOwner::tag()

private:
    /// Removes what earlier runs could not (the engine was unreachable then).
    void retryLeftBehind();
    /// Lists objects at listPath and removes those whose owner is gone.
    void sweepList(const QByteArray& listPath, const QByteArray& deletePrefix, const QByteArray& deleteSuffix,
                   std::function<void(int removed, const QString& error)> done);

    DockerApi* m_api;
    ContainerPool* m_pool;
    QSet<QString> m_containersLeftBehind;
    QSet<QString> m_networksLeftBehind;
};

} // namespace cc::docker
