#include "HostFolderCopy.h"

#include "VerdictDecider.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

namespace cc::e2b {

HostFolderCopy planHostFolderCopy(const QString& canonicalFolder, qint64 maxBytes, int maxFiles)
{
    HostFolderCopy copy;
    const QDir root(canonicalFolder);
    if (!root.exists()) {
        copy.error = QStringLiteral("The folder %1 does not exist any more.").arg(canonicalFolder);
        return copy;
    }
    // No FollowSymlinks: a linked folder is not entered; linked files are seen and skipped below.
    QDirIterator it(canonicalFolder, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo info = it.fileInfo();
        if (info.isSymLink()) {
            ++copy.skippedLinks;
            continue;
        }
        if (info.isDir())
            continue;
        if (!info.isFile() || !info.isReadable()) {
            ++copy.skippedOther;
            continue;
        }
        copy.totalBytes += info.size();
        if (copy.files.size() + 1 > maxFiles || copy.totalBytes > maxBytes) {
            copy.error = QStringLiteral("The folder %1 is too large to copy into an E2B sandbox: the copy is capped at "
                                        "%2 and %3 files. Share a smaller folder.")
                             .arg(canonicalFolder, humanBytes(maxBytes))
                             .arg(maxFiles);
            copy.files.clear();
            return copy;
        }
        copy.files.append({info.absoluteFilePath(), root.relativeFilePath(info.absoluteFilePath()), info.size()});
    }
    return copy;
}

} // namespace cc::e2b
