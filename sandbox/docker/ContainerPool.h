#pragma once

#include "RunSpec.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QStringList>
#include <functional>

namespace cc::docker {

class DockerApi;

/// Pre-started, never-used containers, kept ready per image and profile so that a run can skip
/// creating and starting its sandbox. A container leaves the pool for exactly one run and is
/// removed after it like any other: none is ever used twice. Only runs without grants are served
/// (pool containers have no network and no mounts); any other run starts cold. Lives in the
/// thread that created it.
class ContainerPool : public QObject
{
    Q_OBJECT
public:
    /// How long an idle pool container lives before it ends itself (and is replaced).
    static constexpr int kIdleSeconds = 1800;

    ContainerPool(DockerApi* api, QMap<QString, QString> labels, QObject* parent = nullptr);

    /// Containers kept ready per profile; 0 (the default) turns the pool off and empties it.
    void setSize(int size);
    int size() const { return m_size; }

    /// Whether a run can be served from the pool at all: no network, no host folder.
    static bool eligible(const RunSpec& spec);
    /// The profile a run needs: everything in its container's configuration.
    static QString profileKey(const RunSpec& spec);

    /// Hands over a ready container for this run, or returns an empty id (start cold then). The
    /// container is the caller's from now on; a replacement starts in the background.
    QString take(const RunSpec& spec);
    /// Starts containers until `size` are ready for this run's profile. Profiles not asked for
    /// recently are dropped so that the pool does not grow with every limit a person tries.
    void prewarm(const RunSpec& spec);
    int readyCount(const RunSpec& spec) const;
    /// Ids of every container the pool holds or is starting.
    QStringList containerIds() const;
    /// Removes every pool container; done() when the engine answered for all of them.
    void shutdown(std::function<void()> done);

signals:
    /// A container became ready (tests wait for this).
    void containerReady(const QString& profileKey, const QString& containerId);

private:
    struct Ready
    {
        QString id;
        QDeadlineTimer expires;
    };
    struct Profile
    {
        RunSpec spec;
        QList<Ready> ready;
        int starting = 0;
        QString lastError;
    };

    void startOne(const QString& key);
    void remove(const QString& id);
    void dropStaleProfiles();

    DockerApi* m_api;
    QMap<QString, QString> m_labels;
    int m_size = 0;  // off until the application asks for it
    QHash<QString, Profile> m_profiles;
    QStringList m_recent;  // profile keys, most recently asked for first
    QStringList m_starting; // ids created but not yet started
};

} // namespace cc::docker
