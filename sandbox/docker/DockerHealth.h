#pragma once

#include <QString>

namespace cc::docker {

/// Whether the Docker engine can be used, as a person needs to hear it: what is wrong, in a
/// sentence, and the one command that fixes it. A value type; DockerApi::probe() produces it.
struct DockerHealth
{
    enum class Status {
        Ready,             ///< the engine answered /version
        NotInstalled,      ///< no socket and no dockerd on this machine
        NotRunning,        ///< no socket, or nothing answers on it
        PermissionDenied,  ///< the socket is there but this user may not open it (not in the docker group)
        Unhealthy,         ///< the engine was reached but failed (or answered something that is not the API)
    };

    Status status = Status::Unhealthy;
    QString sentence;        ///< what happened and what to do, for a person (plain text)
    QString fixCommand;      ///< the command to copy into a terminal; empty when there is none
    QString afterFix;        ///< what to do once the command ran ("log out and in again"); may be empty
    QString engineVersion;   ///< "20.10.24" when Ready
    QString apiVersion;      ///< "1.41" when Ready
    QString socketPath;

    bool ready() const { return status == Status::Ready; }
    /// "ready", "not_installed", "not_running", "permission_denied", "unhealthy".
    static QString statusName(Status status);

    /// What a failed connection means. Pure: the caller gathers the facts (socket present and
    /// accessible, dockerd installed, libcurl's error) so that every combination is testable.
    static DockerHealth diagnose(const QString& socketPath, bool socketExists, bool socketAccessible,
                                 bool daemonInstalled, const QString& transportError);
    /// Whether a Docker daemon is installed here (dockerd on the PATH or in the usual places).
    static bool daemonInstalled();
};

} // namespace cc::docker
