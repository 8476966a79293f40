#include "DockerEndpoint.h"

#include <QtGlobal>

namespace cc::docker {

DockerEndpoint DockerEndpoint::fromDockerHost(const QString& dockerHost)
{
    DockerEndpoint endpoint;
    const QString value = dockerHost.trimmed();
    if (value.isEmpty()) {
        endpoint.socketPath = QString::fromLatin1(kDefaultDockerSocket);
    } else if (value.startsWith(QLatin1String("unix://"))) {
        endpoint.socketPath = value.mid(7);
        if (!endpoint.socketPath.startsWith(QLatin1Char('/')))
            endpoint.error = QStringLiteral("DOCKER_HOST=%1 does not name an absolute socket path: use unix:///path/to/docker.sock.").arg(value);
    } else {
        endpoint.error = QStringLiteral("DOCKER_HOST=%1 is not supported: CodeCourier talks to Docker over a unix socket "
                                        "only. Use unix:///var/run/docker.sock, or forward a remote engine's socket "
                                        "with `ssh -L /tmp/docker.sock:/var/run/docker.sock host` and set "
                                        "DOCKER_HOST=unix:///tmp/docker.sock.")
                             .arg(value);
    }
    return endpoint;
}

DockerEndpoint DockerEndpoint::fromEnvironment()
{
    return fromDockerHost(qEnvironmentVariable("DOCKER_HOST"));
}

} // namespace cc::docker
