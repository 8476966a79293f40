#pragma once

#include <QString>

namespace cc::docker {

/// Where the Docker engine listens. Only unix sockets are supported: a TCP endpoint without TLS
/// would hand the host to anyone on the network, and one with TLS needs certificates we do not manage.
struct DockerEndpoint
{
    QString socketPath;   ///< e.g. /var/run/docker.sock
    QString error;        ///< non-empty when DOCKER_HOST names something unusable

    /// From a DOCKER_HOST value ("unix:///path"); empty means the default socket.
    static DockerEndpoint fromDockerHost(const QString& dockerHost);
    /// From the process environment's DOCKER_HOST.
    static DockerEndpoint fromEnvironment();
};

inline constexpr const char* kDefaultDockerSocket = "/var/run/docker.sock";

} // namespace cc::docker
