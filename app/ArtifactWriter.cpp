#include "ArtifactWriter.h"

#include "UniqueFd.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QStringList>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cc {

namespace {

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace

ArtifactWriter::ArtifactWriter(QString directory, bool overwrite) : m_directory(std::move(directory)), m_overwrite(overwrite)
{
}

ArtifactWriter::~ArtifactWriter()
{
    if (m_dirFd >= 0)
        ::close(m_dirFd);
}

QString ArtifactWriter::open()
{
    if (m_directory.isEmpty())
        return QStringLiteral("No folder was given for the artifacts.");
    if (!QDir().mkpath(m_directory))
        return QStringLiteral("Could not create the artifacts folder %1: check that its parent exists and is writable.")
            .arg(m_directory);
    m_dirFd = ::open(QFile::encodeName(m_directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (m_dirFd < 0)
        return QStringLiteral("Could not open the artifacts folder %1: %2.").arg(m_directory, errnoText(errno));
    return {};
}

QString ArtifactWriter::write(const Artifact& artifact, QString* savedPath)
{
    if (m_dirFd < 0)
        return QStringLiteral("The artifacts folder is not open.");
    if (const QString problem = checkArtifactPath(artifact.path.toUtf8()); !problem.isEmpty())
        return problem;
    const QStringList parts = artifact.path.split(QLatin1Char('/'));

    QString walked;
    UniqueFd dir(openFolderNoFollow(m_dirFd, parts.mid(0, parts.size() - 1), true, &walked));
    if (!dir.valid()) {
        if (errno == ELOOP || errno == ENOTDIR)
            return QStringLiteral("%1 is already in the artifacts folder as a symbolic link or a file, not a folder; "
                                  "links are never followed.")
                .arg(walked);
        return QStringLiteral("Could not open or create the folder %1: %2.").arg(walked, errnoText(errno));
    }

    const QByteArray name = QFile::encodeName(parts.last());
    struct stat existing{};
    if (::fstatat(dir.get(), name.constData(), &existing, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!m_overwrite)
            return QStringLiteral("%1 already exists in the artifacts folder and was left as it is (--force replaces "
                                  "files).")
                .arg(artifact.path);
        if (!S_ISREG(existing.st_mode))
            return QStringLiteral("%1 already exists in the artifacts folder and is not a plain file (a link or a "
                                  "folder); it is never replaced.")
                .arg(artifact.path);
    }

    // Short, so that it fits wherever the final name (up to 255 bytes) fits.
    const QByteArray temp = ".codecourier-" + QByteArray::number(QRandomGenerator::system()->generate64(), 16) + ".tmp";
    {
        UniqueFd file(::openat(dir.get(), temp.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (file.get() < 0)
            return QStringLiteral("Could not create a file in the artifacts folder: %1.").arg(errnoText(errno));
        if (!writeAllToFd(file.get(), artifact.bytes) || ::fsync(file.get()) != 0) {
            const int error = errno;
            ::unlinkat(dir.get(), temp.constData(), 0);
            return QStringLiteral("Could not write %1: %2.").arg(artifact.path, errnoText(error));
        }
    }
    int renamed;
    if (m_overwrite) {
        // Replaces the entry itself, atomically; a link planted since the check is replaced, not followed.
        renamed = ::renameat(dir.get(), temp.constData(), dir.get(), name.constData());
    } else {
        renamed = ::renameat2(dir.get(), temp.constData(), dir.get(), name.constData(), RENAME_NOREPLACE);
        if (renamed != 0 && (errno == EINVAL || errno == ENOSYS)) {
            // A filesystem without RENAME_NOREPLACE: link() refuses an existing name just the same.
            renamed = ::linkat(dir.get(), temp.constData(), dir.get(), name.constData(), 0);
            if (renamed == 0)
                ::unlinkat(dir.get(), temp.constData(), 0);
        }
    }
    if (renamed != 0) {
        const int error = errno;
        ::unlinkat(dir.get(), temp.constData(), 0);
        if (error == EEXIST)
            return QStringLiteral("%1 appeared in the artifacts folder while saving and was left as it is.")
                .arg(artifact.path);
        return QStringLiteral("Could not save %1: %2.").arg(artifact.path, errnoText(error));
    }
    if (savedPath)
        *savedPath = QDir(m_directory).filePath(artifact.path);
    return {};
}

} // namespace cc
