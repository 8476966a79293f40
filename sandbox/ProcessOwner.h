#pragma once

#include <QString>

namespace cc {

/// Names a process so that a later process can tell whether it is still alive: the Docker
/// backend labels its containers with it, the run history stores it with a running record.
/// A pid alone is not enough (pids are reused), hence the process's start time beside it.
class ProcessOwner
{
public:
    /// "host/pid/start-time" of this process.
    static QString tag();
    /// Whether the process a tag names is still alive. Tags of other hosts count as alive (not
    /// ours to judge); a string that is not a tag counts as dead (nobody owns it).
    static bool alive(const QString& tag);
};

} // namespace cc
