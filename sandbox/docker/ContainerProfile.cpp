#include "ContainerProfile.h"

#include "SeccompProfile.h"

#include <algorithm>
#include <cmath>

namespace cc::docker {

namespace {

std::string tmpfsOptions(const Limits& limits, bool ownedBySandboxUser)
{
    // Inodes are capped as well as bytes: a snippet creating millions of empty files would
    // otherwise pin kernel memory outside the byte cap.
    const qint64 inodes = std::clamp<qint64>(limits.tmpfsBytes / 16384, 1024, 65536);
    std::string options = "rw,nosuid,nodev,size=" + std::to_string(limits.tmpfsBytes)
                          + ",nr_inodes=" + std::to_string(inodes);
    if (ownedBySandboxUser)
        options += ",uid=65534,gid=65534,mode=0755";
    return options;
}

} // namespace

nlohmann::json hardenedContainerConfig(const RunSpec& spec, const ContainerPlacement& placement)
{
    using nlohmann::json;
    const Limits& limits = spec.limits;

    json labels = json::object();
    for (auto it = placement.labels.cbegin(); it != placement.labels.cend(); ++it)
        labels[it.key().toStdString()] = it.value().toStdString();

    json mounts = json::array();
    if (!placement.hostFolder.isEmpty()) {
        mounts.push_back({{"Type", "bind"},
                          {"Source", placement.hostFolder.toStdString()},
                          {"Target", kHostFolderMountPoint},
                          {"ReadOnly", true},
                          {"BindOptions", {{"Propagation", "rprivate"}}}});
    }

    json hostConfig = {
        {"NetworkMode", placement.networkName.isEmpty() ? std::string("none") : placement.networkName.toStdString()},
        {"Privileged", false},
        {"CapDrop", json::array({"ALL"})},
        {"CapAdd", json::array()},
        // Our own allow-list seccomp profile replaces the engine's default (SeccompProfile.h).
        {"SecurityOpt", json::array({"no-new-privileges", seccompSecurityOpt()})},
        {"ReadonlyRootfs", true},
        {"Tmpfs", {{"/tmp", tmpfsOptions(limits, false)}, {"/workspace", tmpfsOptions(limits, true)}}},
        {"ShmSize", limits.tmpfsBytes},
        {"Memory", limits.memoryBytes},
        {"MemorySwap", limits.memoryBytes},  // equal to Memory: no swap on top of the limit
        // Rounded, not truncated: 2.01 * 1e9 is 2009999999.99... in binary floating point.
        {"NanoCpus", std::llround(limits.cpus * 1e9)},
        {"PidsLimit", limits.pids},
        {"Ulimits", json::array({{{"Name", "nofile"}, {"Soft", 256}, {"Hard", 256}},
                                 {{"Name", "fsize"}, {"Soft", limits.fileSizeBytes}, {"Hard", limits.fileSizeBytes}}})},
        {"Init", true},
        {"IpcMode", "private"},
        // The sandbox is the host OOM killer's first choice should the host itself run short.
        {"OomScoreAdj", 500},
        // Removed by the engine as soon as it stops: a container whose owner died ends with its
        // idle process and leaves nothing behind even if no sweep ever runs.
        {"AutoRemove", true},
        {"LogConfig", {{"Type", "none"}, {"Config", json::object()}}},
        {"Mounts", mounts},
    };
    if (!spec.runtime.isEmpty())
        hostConfig["Runtime"] = spec.runtime.toStdString();

    return {
        {"Image", spec.image.toStdString()},
        {"Entrypoint", json::array({"sleep"})},
        {"Cmd", json::array({std::to_string(placement.idleSeconds)})},
        {"User", kSandboxUser},
        {"WorkingDir", "/workspace"},
        {"Env", json::array()},
        {"Labels", labels},
        {"AttachStdin", false},
        {"AttachStdout", false},
        {"AttachStderr", false},
        {"OpenStdin", false},
        {"Tty", false},
        {"NetworkDisabled", placement.networkName.isEmpty()},
        {"HostConfig", hostConfig},
    };
}

nlohmann::json execConfig(const QStringList& command, const QList<QPair<QString, QString>>& env)
{
    using nlohmann::json;
    json argv = json::array();
    for (const QString& a : command)
        argv.push_back(a.toStdString());
    json environment = json::array();
    for (const auto& [key, value] : env)
        environment.push_back((key + QLatin1Char('=') + value).toStdString());
    return {{"AttachStdin", false}, {"AttachStdout", true}, {"AttachStderr", true}, {"Tty", false},
            {"Cmd", argv},          {"Env", environment},   {"WorkingDir", "/workspace"},
            {"User", kSandboxUser}, {"Privileged", false}};
}

} // namespace cc::docker
