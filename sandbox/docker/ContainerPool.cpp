#include "ContainerPool.h"

#include "ContainerProfile.h"
#include "DockerApi.h"

#include <QCryptographicHash>
#include <QUuid>
#include <memory>

namespace cc::docker {

namespace {
constexpr int kMaxProfiles = 2;
constexpr int kMarginSeconds = 60;
}

ContainerPool::ContainerPool(DockerApi* api, QMap<QString, QString> labels, QObject* parent)
    : QObject(parent), m_api(api), m_labels(std::move(labels))
{
}

bool ContainerPool::eligible(const RunSpec& spec)
{
    return !spec.grants.network && spec.grants.hostFolder.isEmpty();
}

QString ContainerPool::profileKey(const RunSpec& spec)
{
    // The container configuration itself, minus what differs per run (labels, name, lifetime).
    ContainerPlacement placement;
    placement.idleSeconds = kIdleSeconds;
    RunSpec normalized = spec;
    normalized.env.clear();
    const QByteArray config = QByteArray::fromStdString(hardenedContainerConfig(normalized, placement).dump());
    return QString::fromLatin1(QCryptographicHash::hash(config, QCryptographicHash::Sha256).toHex().left(24));
}

void ContainerPool::setSize(int size)
{
    m_size = qMax(0, size);
    if (m_size > 0)
        return;
    for (Profile& profile : m_profiles)
        for (const Ready& ready : std::as_const(profile.ready))
            remove(ready.id);
    m_profiles.clear();
    m_recent.clear();
}

QString ContainerPool::take(const RunSpec& spec)
{
    if (m_size == 0 || !eligible(spec))
        return {};
    const QString key = profileKey(spec);
    auto it = m_profiles.find(key);
    if (it == m_profiles.end())
        return {};
    QString taken;
    while (!it->ready.isEmpty() && taken.isEmpty()) {
        const Ready ready = it->ready.takeFirst();
        // Its idle process must outlive the run, or the sandbox would end under the program.
        if (ready.expires.remainingTime() / 1000 > spec.limits.wallTimeoutMs / 1000 + kMarginSeconds)
            taken = ready.id;
        else
            remove(ready.id);
    }
    prewarm(spec);
    return taken;
}

void ContainerPool::prewarm(const RunSpec& spec)
{
    if (m_size == 0 || !eligible(spec))
        return;
    const QString key = profileKey(spec);
    m_recent.removeAll(key);
    m_recent.prepend(key);
    Profile& profile = m_profiles[key];
    profile.spec = spec;
    profile.spec.env.clear();
    // A profile whose image cannot start (missing, say) is not retried in a loop.
    if (!profile.lastError.isEmpty())
        return;
    while (profile.ready.size() + profile.starting < m_size)
        startOne(key);
    dropStaleProfiles();
}

void ContainerPool::startOne(const QString& key)
{
    Profile& profile = m_profiles[key];
    ++profile.starting;
    ContainerPlacement placement;
    placement.idleSeconds = kIdleSeconds;
    placement.labels = m_labels;
    placement.labels.insert(QStringLiteral("org.codecourier.pool"), key);
    const nlohmann::json body = hardenedContainerConfig(profile.spec, placement);
    const QString name = QStringLiteral("codecourier-pool-%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(16));
    auto settle = [this, key](const QString& id, const QString& error) {
        auto it = m_profiles.find(key);
        if (it == m_profiles.end()) {
            if (!id.isEmpty())
                remove(id);  // the profile was dropped meanwhile
            return;
        }
        --it->starting;
        if (!error.isEmpty()) {
            it->lastError = error;
            if (!id.isEmpty())
                remove(id);
            return;
        }
        it->ready.append({id, QDeadlineTimer(std::chrono::seconds(kIdleSeconds))});
        emit containerReady(key, id);
    };
    m_api->call("POST", "/containers/create?name=" + DockerApi::query(name), body, this,
                [this, settle](const DockerResponse& created) {
                    const QString id = created.stringField("Id");
                    if (!created.ok() || id.isEmpty()) {
                        settle(QString(), created.error.isEmpty() ? QStringLiteral("no id") : created.error);
                        return;
                    }
                    m_starting << id;
                    m_api->call("POST", "/containers/" + id.toLatin1() + "/start", nullptr, this,
                                [this, id, settle](const DockerResponse& started) {
                                    m_starting.removeAll(id);
                                    settle(id, started.ok() ? QString() : started.error);
                                });
                });
}

void ContainerPool::remove(const QString& id)
{
    m_api->call("DELETE", "/containers/" + id.toLatin1() + "?force=true&v=true", nullptr, this,
                [](const DockerResponse&) {});
}

void ContainerPool::dropStaleProfiles()
{
    while (m_recent.size() > kMaxProfiles) {
        const QString key = m_recent.takeLast();
        for (const Ready& ready : std::as_const(m_profiles[key].ready))
            remove(ready.id);
        m_profiles.remove(key);
    }
}

int ContainerPool::readyCount(const RunSpec& spec) const
{
    const auto it = m_profiles.constFind(profileKey(spec));
    return it == m_profiles.constEnd() ? 0 : int(it->ready.size());
}

QStringList ContainerPool::containerIds() const
{
    QStringList ids = m_starting;
    for (const Profile& profile : m_profiles)
        for (const Ready& ready : profile.ready)
            ids << ready.id;
    return ids;
}

void ContainerPool::shutdown(std::function<void()> done)
{
    const QStringList ids = containerIds();
    m_profiles.clear();
    m_recent.clear();
    m_size = 0;
    if (ids.isEmpty()) {
        done();
        return;
    }
    auto pending = std::make_shared<int>(int(ids.size()));
    for (const QString& id : ids)
        m_api->call("DELETE", "/containers/" + id.toLatin1() + "?force=true&v=true", nullptr, this,
                    [pending, done](const DockerResponse&) {
                        if (--*pending == 0)
                            done();
                    },
                    5'000);
}

} // namespace cc::docker
