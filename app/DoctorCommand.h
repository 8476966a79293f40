#pragma once

#include <QObject>
#include <QStringList>
#include <functional>

namespace cc {

class Settings;
namespace docker {
class DockerApi;
}
namespace e2b {
class E2BBackend;
}

/// `codecourier doctor`: checks the Docker engine, each language's image, the available
/// runtimes and the E2B configuration, and says what to fix. Exit status 0 when a locked-down
/// run can work, 1 otherwise.
class DoctorCommand : public QObject
{
    Q_OBJECT
public:
    /// e2b may be null: the E2B lines are then left out.
    DoctorCommand(docker::DockerApi* api, e2b::E2BBackend* e2b, const Settings& settings, QObject* parent = nullptr);
    void start(std::function<void(int exitStatus)> done);
    /// Why the system keychain could not be read, when it could not; said beside a missing key.
    void setKeychainProblem(const QString& sentence) { m_keychainProblem = sentence; }

private:
    void report(bool good, const QString& line);
    void checkImages();
    void checkInfo();
    void checkE2B();
    void finishIfDone();

    docker::DockerApi* m_api;
    e2b::E2BBackend* m_e2b;
    const Settings& m_settings;
    std::function<void(int)> m_done;
    int m_pending = 0;
    bool m_healthy = true;
    QString m_keychainProblem;
};

} // namespace cc
