#pragma once

#include <QList>
#include <QString>

namespace cc::e2b {

/// What of a granted host folder goes into a remote sandbox. E2B cannot mount a folder of this
/// machine, so a copy is uploaded to /workspace/host; nothing comes back. Only regular files are
/// copied: symbolic links are skipped, never followed, so a link cannot carry a file from outside
/// the folder (~/.ssh/id_ed25519, say) along.
struct HostFolderCopy
{
    struct File
    {
        QString localPath;       ///< absolute path on this machine
        QString relativePath;    ///< relative to the granted folder, '/'-separated
        qint64 size = 0;
    };
    QList<File> files;
    qint64 totalBytes = 0;
    int skippedLinks = 0;
    int skippedOther = 0;        ///< sockets, fifos, devices, unreadable entries
    QString error;               ///< non-empty: too large or unreadable; a sentence
    bool ok() const { return error.isEmpty(); }
};

inline constexpr qint64 kHostFolderMaxBytes = 50LL * 1024 * 1024;
inline constexpr int kHostFolderMaxFiles = 2000;

/// Lists the folder (already checked by checkHostFolder) and stops with an error as soon as the
/// caps are exceeded, so a huge folder is not walked to its end.
HostFolderCopy planHostFolderCopy(const QString& canonicalFolder, qint64 maxBytes = kHostFolderMaxBytes,
                                  int maxFiles = kHostFolderMaxFiles);

} // namespace cc::e2b
