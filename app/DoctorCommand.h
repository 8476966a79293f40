#pragma once

#include <QObject>
#include <QStringList>
#include <functional>

namespace cc {

class Settings;
namespace docker {
class DockerApi;
}

/// `codecourier doctor`: checks the Docker engine, each language's image, the available
/// runtimes and the E2B configuration, and says what to fix. Exit status 0 when a locked-down
/// run can work, 1 otherwise.
class DoctorCommand : public QObject
{
    Q_OBJECT
public:
    DoctorCommand(docker::DockerApi* api, const Settings& settings, QObject* parent = nullptr);
    void start(std::function<void(int exitStatus)> done);

private:
    void report(bool good, const QString& line);
    void checkImages();
    void checkInfo();
    void finishIfDone();

    docker::DockerApi* m_api;
    const Settings& m_settings;
    std::function<void(int)> m_done;
    int m_pending = 0;
    bool m_healthy = true;
};

} // namespace cc
