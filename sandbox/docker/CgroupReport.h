#pragma once

#include <QByteArray>
#include <QStringList>
#include <QtGlobal>

namespace cc::docker {

/// The kernel's own figures for a sandbox, read from inside the container after the program
/// ended (the container sees its own cgroup). Exact where the stats API only samples: total CPU
/// time, the peak memory the kernel recorded, and whether the OOM killer or the pids limit struck.
/// Works on cgroup v1 and v2; a figure the kernel does not offer stays -1.
struct CgroupReport
{
    qint64 cpuNs = -1;
    qint64 peakMemoryBytes = -1;
    qint64 oomKills = -1;        ///< processes the OOM killer ended in this sandbox
    qint64 pidsLimitHits = -1;   ///< fork/clone calls refused at the pids limit

    /// argv of the exec that prints the figures.
    static QStringList command();
    /// Parses what command() printed; unknown lines are ignored.
    static CgroupReport parse(const QByteArray& text);
};

} // namespace cc::docker
