#pragma once

#include "FolderSnapshot.h"
#include "RunSpec.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace cc::docker {

/// How files, stdin and the program reach a running container without a writable root
/// filesystem and without a shell on the host: every byte of the snippet travels as a separate
/// argv element (base64) of a fixed in-container sh script, never as part of a command line.
///
/// Small snippets need a single exec that writes the files and then replaces itself with the
/// program (one round trip fewer); larger ones are delivered by extra execs first.
struct ExecPlan
{
    QList<QStringList> deliveryExecs;  ///< run in order before runExec, each must exit 0
    QStringList runExec;               ///< writes what is left, then exec's the program
};

/// Exit status of the delivery script when it could not write a file (a full workspace).
inline constexpr int kDeliveryFailedExitCode = 125;
/// The sentence the delivery script prints to stderr when it fails (followed by the path).
inline constexpr const char* kDeliveryFailedMarker = "codecourier: the sandbox could not receive the file ";

/// Returns an empty string when the path is an acceptable workspace-relative file name.
QString checkWorkspacePath(const QString& relativePath);

/// Builds the plan. argBudget bounds the bytes of argv per exec (the kernel's ARG_MAX is 2 MiB
/// by default); chunkSize bounds one argv element (the kernel's limit is 128 KiB). hostCopy, for a
/// review run, is written to /workspace/host (its folders, then its files) before the snippet.
ExecPlan planExecs(const RunSpec& spec, qsizetype argBudget = 1024 * 1024, qsizetype chunkSize = 96 * 1024,
                   const FolderSnapshot* hostCopy = nullptr);

} // namespace cc::docker
