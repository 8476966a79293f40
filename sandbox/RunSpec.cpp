#include "RunSpec.h"

namespace cc {

QString validateLimits(const Limits& limits)
{
    constexpr qint64 MiB = 1024 * 1024;
    if (limits.wallTimeoutMs < 100 || limits.wallTimeoutMs > 24 * 3600 * 1000)
        return QStringLiteral("The time limit must be between 0.1 s and 24 hours.");
    if (limits.memoryBytes < 6 * MiB || limits.memoryBytes > 64 * 1024 * MiB)
        return QStringLiteral("The memory limit must be between 6 MiB (Docker's minimum) and 64 GiB.");
    if (limits.cpus < 0.01 || limits.cpus > 256)
        return QStringLiteral("The CPU limit must be between 0.01 and 256 CPUs.");
    if (limits.pids < 8 || limits.pids > 100'000)
        return QStringLiteral("The process limit must be between 8 and 100000.");
    if (limits.outputBytes < 1 || limits.outputBytes > 1024 * MiB)
        return QStringLiteral("The output limit must be between 1 byte and 1 GiB.");
    if (limits.fileSizeBytes < 1 || limits.fileSizeBytes > 64 * 1024 * MiB)
        return QStringLiteral("The file size limit must be between 1 byte and 64 GiB.");
    if (limits.tmpfsBytes < MiB || limits.tmpfsBytes > 64 * 1024 * MiB)
        return QStringLiteral("The scratch space limit must be between 1 MiB and 64 GiB.");
    if (limits.artifactBytes < 0 || limits.artifactBytes > 1024 * MiB)
        return QStringLiteral("The artifacts limit must be between 0 bytes and 1 GiB.");
    if (limits.artifactFiles < 0 || limits.artifactFiles > 10'000)
        return QStringLiteral("The artifact count limit must be between 0 and 10000 files.");
    return {};
}

} // namespace cc
