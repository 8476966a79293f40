#include "DockerHealth.h"

#include <QFileInfo>
#include <QStandardPaths>

namespace cc::docker {

QString DockerHealth::statusName(Status status)
{
    switch (status) {
    case Status::Ready:
        return QStringLiteral("ready");
    case Status::NotInstalled:
        return QStringLiteral("not_installed");
    case Status::NotRunning:
        return QStringLiteral("not_running");
    case Status::PermissionDenied:
        return QStringLiteral("permission_denied");
    case Status::Unhealthy:
        break;
    }
    return QStringLiteral("unhealthy");
}

bool DockerHealth::daemonInstalled()
{
    // A GUI started from a desktop menu often has no /usr/sbin on its PATH.
    if (!QStandardPaths::findExecutable(QStringLiteral("dockerd")).isEmpty())
        return true;
    for (const char* path : {"/usr/sbin/dockerd", "/usr/bin/dockerd", "/usr/local/bin/dockerd", "/snap/bin/dockerd"})
        if (QFileInfo(QString::fromLatin1(path)).isExecutable())
            return true;
    return false;
}

DockerHealth DockerHealth::diagnose(const QString& socketPath, bool socketExists, bool socketAccessible,
                                    bool daemonInstalled, const QString& transportError)
{
    DockerHealth health;
    health.socketPath = socketPath;
    const QString start = QStringLiteral("sudo systemctl start docker");
    if (!socketExists && !daemonInstalled) {
        health.status = Status::NotInstalled;
        health.fixCommand = QStringLiteral("sudo apt install docker.io");
        health.afterFix = QStringLiteral("Then add yourself to the docker group (`sudo usermod -aG docker $USER`) "
                                         "and log out and in again.");
        health.sentence = QStringLiteral("Docker is not installed: there is no engine socket at %1 and no dockerd on this "
                                         "machine. Install it with `sudo apt install docker.io`, or set DOCKER_HOST to "
                                         "an engine's socket.")
                              .arg(socketPath);
    } else if (!socketExists) {
        health.status = Status::NotRunning;
        health.fixCommand = start;
        health.sentence = QStringLiteral("Docker is not running: there is no engine socket at %1. Start it with "
                                         "`sudo systemctl start docker` (or `sudo dockerd &`), or set DOCKER_HOST to its "
                                         "socket.")
                              .arg(socketPath);
    } else if (!socketAccessible) {
        health.status = Status::PermissionDenied;
        health.fixCommand = QStringLiteral("sudo usermod -aG docker $USER");
        health.afterFix = QStringLiteral("Then log out and in again: the new group counts from the next login.");
        health.sentence = QStringLiteral("Permission denied on the Docker socket %1: add yourself to the docker group "
                                         "(`sudo usermod -aG docker $USER`, then log out and in again), or run as root.")
                              .arg(socketPath);
    } else if (transportError.contains(QLatin1String("connect"), Qt::CaseInsensitive)) {
        health.status = Status::NotRunning;
        health.fixCommand = start;
        health.sentence = QStringLiteral("Docker is not running: nothing answers on %1. Start it with "
                                         "`sudo systemctl start docker` (or `sudo dockerd &`).")
                              .arg(socketPath);
    } else {
        health.status = Status::Unhealthy;
        health.fixCommand = QStringLiteral("sudo systemctl restart docker");
        health.sentence = QStringLiteral("The connection to Docker at %1 failed: %2. Check that the engine is healthy "
                                         "(`docker info`), or restart it with `sudo systemctl restart docker`.")
                              .arg(socketPath, transportError);
    }
    return health;
}

} // namespace cc::docker
