#include "DockerBackend.h"

#include "ContainerPool.h"
#include "DockerApi.h"
#include "DockerRun.h"
#include "ProcessOwner.h"

#include <QUuid>
#include <memory>

namespace cc::docker {

namespace {

QString randomSuffix()
{
    return QUuid::createUuid().toString(QUuid::Id128).left(16);
}

} // namespace

DockerBackend::DockerBackend(http::HttpClient* http, DockerEndpoint endpoint, QObject* parent)
    : Backend(parent), m_api(new DockerApi(http, std::move(endpoint), this))
{
    QMap<QString, QString> labels;
    labels.insert(QString::fromLatin1(kLabel), QStringLiteral("1"));
    labels.insert(QString::fromLatin1(kOwnerLabel), ProcessOwner::tag());
    m_pool = new ContainerPool(m_api, labels, this);
}

void DockerBackend::checkEngine(QObject* context, std::function<void(const DockerHealth&)> done)
{
    m_api->probe(context, std::move(done));
}

void DockerBackend::checkImage(const QString& image, QObject* context, std::function<void(const ImageCheck&)> done)
{
    m_api->call("GET", "/images/" + DockerApi::query(image) + "/json", nullptr, context,
                [image, done = std::move(done)](const DockerResponse& r) {
                    ImageCheck check;
                    check.image = image;
                    if (r.ok()) {
                        check.state = ImageCheck::State::Present;
                    } else if (r.status == 404) {
                        check.state = ImageCheck::State::Missing;
                        check.sentence = QStringLiteral("The image %1 is not on this machine.").arg(image);
                    } else {
                        check.sentence = r.error;
                    }
                    done(check);
                },
                10'000);
}

void DockerBackend::prewarm(const RunSpec& spec)
{
    m_pool->prewarm(spec);
}

void DockerBackend::shutdown(std::function<void()> done)
{
    m_pool->shutdown(std::move(done));
}

Run* DockerBackend::start(const RunSpec& spec, QObject* parent)
{
    DockerRun::Setup setup;
    setup.labels.insert(QString::fromLatin1(kLabel), QStringLiteral("1"));
    setup.labels.insert(QString::fromLatin1(kOwnerLabel), ProcessOwner::tag());
    setup.labels.insert(QStringLiteral("org.codecourier.language"), spec.language);
    const QString suffix = randomSuffix();
    setup.containerName = QStringLiteral("codecourier-%1").arg(suffix);
    if (spec.grants.network)
        setup.networkName = QStringLiteral("codecourier-net-%1").arg(suffix);
    setup.pooledContainerId = m_pool->take(spec);
    retryLeftBehind();
    auto* run = new DockerRun(m_api, spec, setup, parent ? parent : this);
    connect(run, &DockerRun::leftBehind, this, [this](const QString& containerId, const QString& networkId) {
        if (!containerId.isEmpty())
            m_containersLeftBehind.insert(containerId);
        if (!networkId.isEmpty())
            m_networksLeftBehind.insert(networkId);
    });
    // The next run of this profile should find a sandbox ready.
    connect(run, &Run::finished, m_pool, [pool = m_pool, spec] { pool->prewarm(spec); });
    run->begin();
    return run;
}

void DockerBackend::retryLeftBehind()
{
    auto removeFrom = [this](QSet<QString>* set, const QByteArray& path, const QString& id) {
        m_api->call("DELETE", path, nullptr, this, [set, id](const DockerResponse& r) {
            if (r.ok() || r.status == 404)
                set->remove(id);
        });
    };
    // Copies: the answers arrive later and edit the sets.
    for (const QString& id : QSet<QString>(m_containersLeftBehind))
        removeFrom(&m_containersLeftBehind, "/containers/" + id.toLatin1() + "?force=true&v=true", id);
    for (const QString& id : QSet<QString>(m_networksLeftBehind))
        removeFrom(&m_networksLeftBehind, "/networks/" + id.toLatin1(), id);
}

void DockerBackend::sweepOrphans(std::function<void(int removed, const QString& error)> done)
{
    retryLeftBehind();
    // Containers first, networks once they are gone: a network cannot be removed while a
    // container is attached to it.
    const QByteArray filter = DockerApi::query(QStringLiteral("{\"label\":[\"%1\"]}").arg(QLatin1String(kLabel)));
    sweepList("/containers/json?all=true&filters=" + filter, "/containers/", "?force=true&v=true",
              [this, filter, done = std::move(done)](int containers, const QString& error) {
                  if (!error.isEmpty()) {
                      done(containers, error);
                      return;
                  }
                  sweepList("/networks?filters=" + filter, "/networks/", "",
                            [containers, done](int networks, const QString& networkError) { done(containers + networks, networkError); });
              });
}

void DockerBackend::sweepList(const QByteArray& listPath, const QByteArray& deletePrefix, const QByteArray& deleteSuffix,
                              std::function<void(int removed, const QString& error)> done)
{
    m_api->call("GET", listPath, nullptr, this, [=, this](const DockerResponse& r) {
        if (!r.ok()) {
            done(0, r.error);
            return;
        }
        QList<QByteArray> orphans;
        const auto list = r.json();
        if (list.is_array()) {
            for (const auto& item : list) {
                const auto labels = item.value("Labels", nlohmann::json::object());
                const QByteArray id = QByteArray::fromStdString(item.value("Id", std::string()));
                if (labels.is_object() && !id.isEmpty()
                    && !ProcessOwner::alive(QString::fromStdString(labels.value(kOwnerLabel, std::string()))))
                    orphans << id;
            }
        }
        if (orphans.isEmpty()) {
            done(0, {});
            return;
        }
        auto pending = std::make_shared<int>(orphans.size());
        auto removed = std::make_shared<int>(0);
        for (const QByteArray& id : orphans) {
            m_api->call("DELETE", deletePrefix + id + deleteSuffix, nullptr, this,
                        [pending, removed, done](const DockerResponse& deleted) {
                            if (deleted.ok())
                                ++*removed;
                            if (--*pending == 0)
                                done(*removed, {});
                        });
        }
    });
}
} // namespace cc::docker
