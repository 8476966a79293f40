#pragma once

#include "CgroupReport.h"

#include <QMap>
#include <QString>
#include <optional>

namespace cc::docker {

/// A container's cgroup found on this host's file system, so that the kernel's figures can be
/// read the moment a program ends, without starting a process inside the sandbox. Only found
/// when the engine runs on this host and shares our view of processes: the cgroup path must
/// name the container, so a pid from another namespace can never point at someone else's figures.
class HostCgroup
{
public:
    /// Locates the cgroup of the container whose main process is pid (State.Pid).
    static std::optional<HostCgroup> locate(qint64 pid, const QString& containerId,
                                            const QString& procRoot = QStringLiteral("/proc"));
    /// The same figures CgroupReport::command() prints from inside the sandbox.
    CgroupReport read() const;

private:
    QMap<QString, QString> m_directories;  // controller ("memory", ...; "" for cgroup v2) → folder
};

} // namespace cc::docker
