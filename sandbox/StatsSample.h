#pragma once

#include <QtGlobal>

namespace cc {

/// One resource sample of a running sandbox, taken about once a second.
struct StatsSample
{
    qint64 elapsedMs = 0;        ///< since the program started
    double cpuPercent = 0;       ///< over the last interval; 100 = one full core
    qint64 cpuMs = 0;            ///< CPU time used so far by everything in the sandbox
    qint64 memoryBytes = 0;      ///< current use
    qint64 memoryLimitBytes = 0;
    int pids = 0;                ///< processes and threads right now
};

} // namespace cc
