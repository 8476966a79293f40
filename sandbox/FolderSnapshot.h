#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

namespace cc {

/// A granted host folder as it was when it was copied into a sandbox for a review run
/// (Grants::HostFolderMode::Review). It is the reference the change set is computed against and
/// the proof the applier checks before touching a host file: a file whose size, modification time
/// or SHA-256 no longer match was changed on the host during the run.
///
/// Only regular files are taken. The folder is walked with openat(O_NOFOLLOW): a symbolic link is
/// never followed (neither a linked file nor a linked folder), and it, like a socket, FIFO or
/// device, is listed in skipped. The bytes are kept, so that what goes into the sandbox is exactly
/// what was hashed.
struct FolderSnapshot
{
    struct File
    {
        QString path; ///< relative to the folder, '/'-separated
        qint64 size = 0;
        qint64 mtimeNs = 0; ///< nanoseconds since the epoch
        QByteArray sha256;  ///< raw digest of the content
        QByteArray bytes;   ///< the content, as copied into the sandbox
        int mode = 0644;    ///< permission bits (0777 mask) on the host
    };

    QString folder;            ///< canonical path on the host
    QMap<QString, File> files; ///< by relative path
    QStringList folders;       ///< every sub-folder (relative), so empty ones are copied too
    QStringList skipped;       ///< links and special files that were not copied (relative paths)
    qint64 totalBytes = 0;
    QString error; ///< non-empty: too large or unreadable; a sentence
    bool ok() const { return error.isEmpty(); }
};

inline constexpr qint64 kReviewFolderMaxBytes = 50LL * 1024 * 1024;
inline constexpr int kReviewFolderMaxFiles = 2000;

/// Reads the folder (already checked by checkHostFolder). Stops with an error as soon as a cap is
/// exceeded, so a huge folder is not read to its end.
FolderSnapshot takeFolderSnapshot(const QString& canonicalFolder, qint64 maxBytes = kReviewFolderMaxBytes,
                                  int maxFiles = kReviewFolderMaxFiles);

} // namespace cc
