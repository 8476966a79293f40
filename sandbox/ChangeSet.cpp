#include "ChangeSet.h"

#include "LineDiff.h"
#include "RelativePath.h"
#include "RunSpec.h"

#include <QSet>

#include <algorithm>

namespace cc {

QString changeKindName(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Added:
        return QStringLiteral("added");
    case ChangeKind::Modified:
        return QStringLiteral("modified");
    case ChangeKind::Deleted:
        return QStringLiteral("deleted");
    }
    return QStringLiteral("modified");
}

ChangeSet uncollectedChangeSet(const QString& folder, const QString& why)
{
    ChangeSet set;
    set.folder = folder;
    set.note =
        QStringLiteral("The sandbox's copy of the folder did not come back, so there are no changes to review.") +
        (why.isEmpty() ? QString() : QLatin1Char(' ') + why);
    return set;
}

ArtifactCaps reviewCollectionCaps()
{
    return {kReviewFolderMaxBytes, kReviewFolderMaxFiles, kHostFolderMountPoint};
}

namespace {

void addDiff(FileChange& change, const QByteArray& before, const QByteArray& after)
{
    const auto isText = [](const QByteArray& bytes) {
        const ArtifactType type = detectArtifactType(bytes); // no bytes at all count as text
        return type == ArtifactType::Text || type == ArtifactType::Svg;
    };
    change.text = isText(before) && isText(after);
    if (!change.text)
        return;
    const LineDiff diff = diffLines(before, after);
    change.diff = diff.text;
    change.linesAdded = diff.added;
    change.linesRemoved = diff.removed;
    change.diffTruncated = diff.truncated;
}

void takeOld(FileChange& change, const FolderSnapshot::File& old)
{
    change.oldSize = old.size;
    change.oldMtimeNs = old.mtimeNs;
    change.oldSha256 = old.sha256;
    change.oldMode = old.mode;
}

} // namespace

ChangeSet computeChangeSet(const FolderSnapshot& snapshot, const ArtifactCollection& collected)
{
    ChangeSet set;
    set.folder = snapshot.folder;
    set.refused = collected.refused;
    set.note = collected.note;

    QSet<QString> seen;
    for (const Artifact& file : collected.files) {
        seen.insert(file.path);
        const auto old = snapshot.files.constFind(file.path);
        FileChange change;
        change.path = file.path;
        change.newSize = file.bytes.size();
        change.newBytes = file.bytes;
        if (old == snapshot.files.constEnd()) {
            change.kind = ChangeKind::Added;
            addDiff(change, QByteArray(), file.bytes);
        } else {
            if (old->bytes == file.bytes)
                continue;
            change.kind = ChangeKind::Modified;
            takeOld(change, *old);
            addDiff(change, old->bytes, file.bytes);
        }
        set.changes.append(change);
    }

    if (collected.complete) {
        QSet<QString> refused;
        for (const RefusedArtifact& r : collected.refused)
            refused.insert(r.path);
        for (const FolderSnapshot::File& old : snapshot.files) {
            if (seen.contains(old.path) || refused.contains(old.path))
                continue;
            FileChange change;
            change.kind = ChangeKind::Deleted;
            change.path = old.path;
            takeOld(change, old);
            addDiff(change, old.bytes, QByteArray());
            set.changes.append(change);
        }
        // A folder is still there when the collection names it or anything inside it.
        QSet<QString> present(collected.folders.cbegin(), collected.folders.cend());
        const auto addParents = [&present](const QString& path) {
            for (const QString& folder : parentFolders(path))
                present.insert(folder);
        };
        for (const Artifact& file : collected.files)
            addParents(file.path);
        for (const RefusedArtifact& r : collected.refused)
            addParents(r.path);
        for (const QString& folder : snapshot.folders)
            if (!present.contains(folder))
                set.removedFolders.append(folder);
        // Deepest first, so that a folder is tried only after the folders inside it.
        std::sort(set.removedFolders.begin(), set.removedFolders.end(), [](const QString& a, const QString& b) {
            const qsizetype depthA = a.count(QLatin1Char('/'));
            const qsizetype depthB = b.count(QLatin1Char('/'));
            return depthA != depthB ? depthA > depthB : a < b;
        });
    } else {
        const QString why = QStringLiteral("The copy did not come back whole, so no file is shown as deleted.");
        set.note = set.note.isEmpty() ? why : set.note + QLatin1Char(' ') + why;
    }
    std::sort(set.changes.begin(), set.changes.end(),
              [](const FileChange& a, const FileChange& b) { return a.path < b.path; });
    return set;
}

} // namespace cc
