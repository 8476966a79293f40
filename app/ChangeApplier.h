#pragma once

#include "ChangeSet.h"

#include <QList>
#include <QString>

namespace cc {

/// Writes the changes a person accepted from a review run (ChangeSet) into the host folder, and
/// nothing else. Every name and byte came out of the sandbox, and the host folder may have changed
/// since the copy was made, so each change is checked again right before it is applied:
///
/// - The name must pass checkArtifactPath() (nothing absolute, no "..", no control characters).
/// - The folder is walked one part at a time with openat(O_NOFOLLOW | O_DIRECTORY): a symbolic link
///   in the folder, also one planted after the copy, is never followed. Missing folders are created
///   for an added file only.
/// - Modified: the host file must still be a regular file matching the snapshot (size, mtime and
///   SHA-256); else it is refused with a sentence, unless overwrite is set, and even then only a
///   regular file is replaced. The new content goes to a temporary file beside it, is flushed and
///   renamed into place: nobody ever sees half a file. The host file's permission bits are kept.
/// - Added: nothing may exist under that name (RENAME_NOREPLACE makes the check and the rename one
///   step); with overwrite a regular file that appeared meanwhile is replaced.
/// - Deleted: only a regular file that still matches the snapshot is removed, whatever overwrite says.
///
/// - A folder the sandbox removed goes only when the accepted deletions leave it empty; rmdir()
///   never removes a folder that still holds something, nor a link.
///
/// Changes are independent: one refusal does not stop the others.
class ChangeApplier
{
public:
    /// folder: the canonical host folder of the change set.
    ChangeApplier(QString folder, bool overwrite);

    struct Outcome
    {
        QString path;
        ChangeKind kind = ChangeKind::Modified;
        QString error; ///< empty: applied; else a sentence saying why it was not
        /// Refused only because the host file changed (or appeared) since the copy was made: the
        /// person may decide to replace their version, by applying it again with overwrite.
        bool conflict = false;
        bool applied() const { return error.isEmpty(); }
    };

    /// Applies one change (nothing changed on the host when it is refused).
    Outcome apply(const FileChange& change);
    /// Applies the accepted changes in order, one outcome each. Then every folder of removedFolders
    /// (ChangeSet::removedFolders, deepest first) that an applied deletion left empty is removed
    /// as well; removedFolders() says which.
    QList<Outcome> applyAll(const QList<FileChange>& accepted, const QStringList& removedFolders = {});
    /// The folders the last applyAll() removed.
    QStringList removedFolders() const { return m_removedFolders; }

private:
    QString openParent(const QString& path, bool create, int* parentFd);
    /// Empty when the host file still matches the snapshot; else a sentence, and *changed says
    /// whether it was changed (rather than gone, replaced by a link or unreadable).
    QString hostFileProblem(int parentFd, const QByteArray& name, const FileChange& change, bool* changed);
    bool removeEmptyFolder(const QString& folder);
    QString replace(int parentFd, const QByteArray& name, const FileChange& change, bool noReplace);

    QString m_folder;
    bool m_overwrite;
    QStringList m_removedFolders;
};

} // namespace cc
