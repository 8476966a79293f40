#pragma once

#include "Artifact.h"
#include "FolderSnapshot.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace cc {

/// What a review run changed in its copy of the host folder (/workspace/host), compared with the
/// snapshot taken when the copy was made. Nothing here has touched the host: a front end shows the
/// changes (a review dialog, the command line's listing), the person accepts some or all, and
/// ChangeApplier (app/) writes only those. The new bytes came out of the sandbox: show them as
/// data, never run them.
enum class ChangeKind
{
    Added,    ///< a regular file that was not in the snapshot
    Modified, ///< a file of the snapshot whose content differs
    Deleted,  ///< a file of the snapshot that is gone from the copy
};

/// "added", "modified", "deleted": the stable names used in --json.
QString changeKindName(ChangeKind kind);

struct FileChange
{
    ChangeKind kind = ChangeKind::Modified;
    QString path;          ///< relative to the folder, checked by checkArtifactPath()
    qint64 oldSize = 0;    ///< 0 for Added
    qint64 oldMtimeNs = 0; ///< from the snapshot (Modified, Deleted): the host file must still match
    QByteArray oldSha256;  ///< from the snapshot (Modified, Deleted)
    int oldMode = 0644;    ///< the host file's permission bits, kept when it is replaced
    qint64 newSize = 0;    ///< 0 for Deleted
    QByteArray newBytes;   ///< the file's new content (Added, Modified)
    bool text = false;     ///< both sides are text (detectArtifactType): diff is meaningful
    QString diff;          ///< a unified diff (LineDiff) when text; empty for binary files
    int linesAdded = 0;
    int linesRemoved = 0;
    bool diffTruncated = false;
};

struct ChangeSet
{
    QString folder;            ///< the host folder (canonical) the changes are for
    QList<FileChange> changes; ///< sorted by path
    /// Folders of the snapshot that are gone from the copy (only known when the copy came back
    /// whole), deepest first. They are not changes of their own: when the deletions a person
    /// accepted leave one of them empty on the host, the applier removes it too.
    QStringList removedFolders;
    /// Entries of the copy that can never be applied: links the snippet planted, special files,
    /// bad names, files past the caps. Each says why.
    QList<RefusedArtifact> refused;
    /// Sentences: what went wrong while collecting (e.g. the copy came back incomplete, so no
    /// deletion is inferred). Empty when all is well.
    QString note;
    bool isEmpty() const { return changes.isEmpty() && refused.isEmpty(); }
};

/// Compares the snapshot with what was collected from the sandbox's copy. A file missing from
/// the collection counts as deleted only when the collection is complete and the name was not
/// refused (a file the snippet replaced with a link is a refusal, not a deletion).
ChangeSet computeChangeSet(const FolderSnapshot& snapshot, const ArtifactCollection& collected);

/// The change set of a review run whose copy did not come back (the sandbox was stopped, the
/// listing failed, the copy was replaced by a link, ...): no change is offered and none is
/// inferred; the note says so, then why.
ChangeSet uncollectedChangeSet(const QString& folder, const QString& why);

/// The collection caps for a review copy: the snapshot's caps, so that a copy the snippet did not
/// grow always comes back whole.
ArtifactCaps reviewCollectionCaps();

} // namespace cc
