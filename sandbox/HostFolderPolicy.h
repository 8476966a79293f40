#pragma once

#include <QString>

namespace cc {

/// The outcome of checking a folder the user wants to grant: either the canonical path to
/// mount (symlinks resolved) or a sentence saying why it is refused and what to do instead.
struct HostFolderCheck
{
    QString canonicalPath;
    QString error;
    bool ok() const { return error.isEmpty(); }
};

/// Decides whether a host folder may be shared with a sandbox. Refused: "/", the home folder
/// itself and every folder above it (they would expose ~/.ssh and the rest), system folders
/// (/etc, /proc, /sys, /dev, /boot, /root, /run, /var/run), anything holding the Docker socket,
/// and anything inside ~/.ssh, ~/.gnupg and similar secret stores. Symlinks are resolved first,
/// so a link cannot smuggle a refused folder in. Pure apart from resolving the path.
HostFolderCheck checkHostFolder(const QString& path, const QString& homeDir, const QString& dockerSocketPath);

} // namespace cc
