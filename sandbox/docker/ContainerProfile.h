#pragma once

#include "RunSpec.h"

#include <QMap>
#include <QString>
#include <nlohmann/json.hpp>

namespace cc::docker {

/// Where the run's container lives, decided by the backend before the profile is built.
struct ContainerPlacement
{
    QString networkName;          ///< empty: NetworkMode "none"; else a network CodeCourier created for the run
    QString hostFolder;           ///< canonical, already checked by MountPolicy; empty: no mount
    QMap<QString, QString> labels;
    int idleSeconds = 3600;       ///< life of the idle process: a container whose owner vanished ends itself
};

/// The uid:gid every snippet runs as (nobody:nogroup), never root.
inline constexpr const char* kSandboxUser = "65534:65534";

/// Builds the body of POST /containers/create for one run: the hardened profile of DESIGN.md.
/// A pure function so that a unit test can read every field. The container's own process is an
/// idle sleep under Docker's init; the snippet runs later through an exec. The user's environment
/// variables are not part of it: they travel with the exec (execConfig), so that a pre-started
/// container fits any run with the same limits.
nlohmann::json hardenedContainerConfig(const RunSpec& spec, const ContainerPlacement& placement);

/// Builds the body of POST /containers/{id}/exec: argv run in /workspace as the sandbox user,
/// with only the environment variables the user typed.
nlohmann::json execConfig(const QStringList& command, const QList<QPair<QString, QString>>& env = {});

} // namespace cc::docker
