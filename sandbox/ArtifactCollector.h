#pragma once

#include "Artifact.h"

#include <QSet>
#include <QStringList>

namespace cc {

/// Decides, entry by entry, what of /workspace/out is collected: the rules shared by the tar
/// reader (Docker) and the folder listing (E2B). A file is admitted when its name passes
/// checkArtifactPath(), no collected file stands where it needs a folder (or the other way round),
/// it is not a second entry of the same name, and it fits the caps; admitting reserves its place
/// and size, so that the caps hold before any byte is fetched. Every other entry is refused with a
/// reason; all refusals are counted, the first kMaxRefusedListed are listed.
class ArtifactCollector
{
public:
    explicit ArtifactCollector(ArtifactCaps caps);

    void refuse(const QByteArray& rawName, const QString& reason);
    /// A symbolic link is never followed, wherever it points.
    void refuseLink(const QByteArray& rawName, const QByteArray& target);
    /// A file entry of the given size; true when admitted (its bytes then come through add()).
    bool admit(const QByteArray& rawName, qint64 size);
    /// A folder entry: only its name is checked (the files say where they are).
    void checkFolder(const QByteArray& rawName);
    /// The bytes of an admitted file, at most the size it was admitted with.
    void add(const QString& path, const QByteArray& bytes);
    /// An admitted file that could not be fetched after all: its reservation is given back and it
    /// is refused with the reason.
    void withdraw(const QString& path, qint64 admittedSize, const QString& reason);

    /// The collection; the note starts with the problems given (sentences), then counts refusals.
    ArtifactCollection finish(const QStringList& problems);

private:
    QString conflict(const QString& path) const;
    /// Notes the folders an entry with an acceptable name stands in (and the entry itself when it
    /// is a folder), whether the entry is collected or not.
    void noteFolders(const QByteArray& rawName, bool isFolder);

    ArtifactCaps m_caps;
    ArtifactCollection m_result;
    qint64 m_reservedBytes = 0;
    int m_reservedFiles = 0;
    int m_refusedCount = 0;
    QSet<QString> m_files;
    QSet<QString> m_folders;
    QSet<QString> m_seenFolders;
};

} // namespace cc
