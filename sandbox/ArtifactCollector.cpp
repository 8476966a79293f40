#include "ArtifactCollector.h"

#include "RelativePath.h"
#include "RunSpec.h"
#include "VerdictDecider.h"

namespace cc {

ArtifactCollector::ArtifactCollector(ArtifactCaps caps) : m_caps(caps)
{
}

void ArtifactCollector::noteFolders(const QByteArray& rawName, bool isFolder)
{
    if (!checkArtifactPath(rawName).isEmpty())
        return;
    const QString path = QString::fromUtf8(rawName);
    for (const QString& folder : parentFolders(path))
        m_seenFolders.insert(folder);
    if (isFolder)
        m_seenFolders.insert(path);
}

void ArtifactCollector::refuse(const QByteArray& rawName, const QString& reason)
{
    noteFolders(rawName, false);
    ++m_refusedCount;
    if (m_result.refused.size() < kMaxRefusedListed)
        m_result.refused.append({printableName(rawName), reason});
}

void ArtifactCollector::refuseLink(const QByteArray& rawName, const QByteArray& target)
{
    refuse(rawName, QStringLiteral("It is a symbolic link (to \"%1\"); links are never followed.").arg(printableName(target)));
}

QString ArtifactCollector::conflict(const QString& path) const
{
    if (m_files.contains(path))
        return QStringLiteral("A second entry has the same name; the first was kept.");
    if (m_folders.contains(path))
        return QStringLiteral("A folder of that name holds other collected files.");
    for (const QString& folder : parentFolders(path))
        if (m_files.contains(folder))
            return QStringLiteral("It would need the collected file \"%1\" to be a folder.").arg(folder);
    return {};
}

void ArtifactCollector::checkFolder(const QByteArray& rawName)
{
    noteFolders(rawName, true);
    if (const QString problem = checkArtifactPath(rawName); !problem.isEmpty())
        refuse(rawName, problem);
}

bool ArtifactCollector::admit(const QByteArray& rawName, qint64 size)
{
    if (const QString problem = checkArtifactPath(rawName); !problem.isEmpty()) {
        refuse(rawName, problem);
        return false;
    }
    const QString path = QString::fromUtf8(rawName);
    if (const QString problem = conflict(path); !problem.isEmpty()) {
        refuse(rawName, problem);
        return false;
    }
    if (m_reservedFiles >= m_caps.maxFiles) {
        refuse(rawName, QStringLiteral("More than %1 files: the cap on files collected from %2 was reached.")
                            .arg(m_caps.maxFiles)
                            .arg(QLatin1String(m_caps.folder)));
        return false;
    }
    if (size < 0 || size > m_caps.maxBytes - m_reservedBytes) {
        refuse(rawName, QStringLiteral("Its %1 would take the files collected from %2 past their %3 cap.")
                            .arg(humanBytes(size), QLatin1String(m_caps.folder), humanBytes(m_caps.maxBytes)));
        return false;
    }
    m_reservedBytes += size;
    ++m_reservedFiles;
    m_files.insert(path);
    noteFolders(rawName, false);
    for (const QString& folder : parentFolders(path))
        m_folders.insert(folder);
    return true;
}

void ArtifactCollector::add(const QString& path, const QByteArray& bytes)
{
    Artifact artifact;
    artifact.path = path;
    artifact.size = bytes.size();
    artifact.bytes = bytes;
    artifact.type = detectArtifactType(bytes);
    m_result.files.append(artifact);
}

void ArtifactCollector::withdraw(const QString& path, qint64 admittedSize, const QString& reason)
{
    m_reservedBytes -= admittedSize;
    --m_reservedFiles;
    refuse(path.toUtf8(), reason);
}

ArtifactCollection ArtifactCollector::finish(const QStringList& problems)
{
    QStringList note = problems;
    if (m_refusedCount > 0)
        note << QStringLiteral("%1 %2 in %3 %4 refused; each says why.")
                    .arg(m_refusedCount)
                    .arg(m_refusedCount == 1 ? QStringLiteral("entry") : QStringLiteral("entries"),
                         QLatin1String(m_caps.folder), m_refusedCount == 1 ? QStringLiteral("was") : QStringLiteral("were"));
    if (m_refusedCount > m_result.refused.size())
        note << QStringLiteral("Only the first %1 refusals are listed.").arg(m_result.refused.size());
    m_result.note = note.join(QLatin1Char(' '));
    m_result.complete = problems.isEmpty() && m_refusedCount == m_result.refused.size();
    m_result.folders = QStringList(m_seenFolders.cbegin(), m_seenFolders.cend());
    m_result.folders.sort();
    return m_result;
}

} // namespace cc
