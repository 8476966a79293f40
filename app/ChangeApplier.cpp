#include "ChangeApplier.h"

#include "UniqueFd.h"

#include <QCryptographicHash>
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

qint64 mtimeNs(const struct stat& st)
{
    return qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

} // namespace

ChangeApplier::ChangeApplier(QString folder, bool overwrite) : m_folder(std::move(folder)), m_overwrite(overwrite) {}

QString ChangeApplier::openParent(const QString& path, bool create, int* parentFd)
{
    UniqueFd dir(::open(QFile::encodeName(m_folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid())
        return QStringLiteral("Could not open the folder %1: %2.").arg(m_folder, errnoText(errno));
    const QStringList parts = path.split(QLatin1Char('/'));
    QString walked;
    dir.reset(openFolderNoFollow(dir.get(), parts.mid(0, parts.size() - 1), create, &walked));
    if (!dir.valid()) {
        if (errno == ELOOP || errno == ENOTDIR)
            return QStringLiteral("%1 is now a symbolic link or a file on the host, not a folder; links are never "
                                  "followed, so %2 was left as it is.")
                .arg(walked, path);
        if (errno == ENOENT)
            return QStringLiteral("The folder %1 is gone from the host, so %2 was left as it is.").arg(walked, path);
        return QStringLiteral("Could not open or create the folder %1: %2.").arg(walked, errnoText(errno));
    }
    *parentFd = dir.release();
    return {};
}

QString ChangeApplier::hostFileProblem(int parentFd, const QByteArray& name, const FileChange& change)
{
    struct stat st
    {
    };
    if (::fstatat(parentFd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            return QStringLiteral("%1 was removed from the host since it was copied into the sandbox.")
                .arg(change.path);
        return QStringLiteral("Could not check %1 on the host: %2.").arg(change.path, errnoText(errno));
    }
    if (!S_ISREG(st.st_mode))
        return QStringLiteral("%1 is no longer a plain file on the host (a link or a folder was put there); it is "
                              "never replaced.")
            .arg(change.path);
    const QString changed = QStringLiteral("%1 changed on the host since it was copied into the sandbox, so it was "
                                           "left as it is; apply again with overwrite to replace your version.")
                                .arg(change.path);
    if (st.st_size != change.oldSize || mtimeNs(st) != change.oldMtimeNs)
        return changed;
    UniqueFd fd(::openat(parentFd, name.constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    QByteArray bytes;
    if (!fd.valid() || !readAllFromFd(fd.get(), change.oldSize, &bytes))
        return QStringLiteral("Could not read %1 on the host: %2.").arg(change.path, errnoText(errno));
    if (QCryptographicHash::hash(bytes, QCryptographicHash::Sha256) != change.oldSha256)
        return changed;
    return {};
}

QString ChangeApplier::replace(int parentFd, const QByteArray& name, const FileChange& change, bool noReplace)
{
    // Short, so that it fits wherever the final name (up to 255 bytes) fits.
    const QByteArray temp = ".codecourier-" + QByteArray::number(QRandomGenerator::system()->generate64(), 16) + ".tmp";
    // The host's permission bits are kept for a modified file; the sandbox never chooses them.
    const mode_t mode = change.kind == ChangeKind::Modified ? mode_t(change.oldMode & 0777) : mode_t(0644);
    {
        UniqueFd file(::openat(parentFd, temp.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
        if (!file.valid())
            return QStringLiteral("Could not create a file beside %1: %2.").arg(change.path, errnoText(errno));
        if (!writeAllToFd(file.get(), change.newBytes) || ::fchmod(file.get(), mode) != 0 || ::fsync(file.get()) != 0) {
            const int error = errno;
            ::unlinkat(parentFd, temp.constData(), 0);
            return QStringLiteral("Could not write %1: %2.").arg(change.path, errnoText(error));
        }
    }
    int renamed;
    if (noReplace) {
        renamed = ::renameat2(parentFd, temp.constData(), parentFd, name.constData(), RENAME_NOREPLACE);
        if (renamed != 0 && (errno == EINVAL || errno == ENOSYS)) {
            // A filesystem without RENAME_NOREPLACE: link() refuses an existing name just the same.
            renamed = ::linkat(parentFd, temp.constData(), parentFd, name.constData(), 0);
            if (renamed == 0)
                ::unlinkat(parentFd, temp.constData(), 0);
        }
    } else {
        // Replaces the entry itself, atomically; a link planted since the check is replaced, not followed.
        renamed = ::renameat(parentFd, temp.constData(), parentFd, name.constData());
    }
    if (renamed != 0) {
        const int error = errno;
        ::unlinkat(parentFd, temp.constData(), 0);
        if (error == EEXIST)
            return QStringLiteral("%1 appeared on the host since the copy was made and was left as it is; apply again "
                                  "with overwrite to replace it.")
                .arg(change.path);
        return QStringLiteral("Could not write %1: %2.").arg(change.path, errnoText(error));
    }
    return {};
}

QString ChangeApplier::apply(const FileChange& change)
{
    if (const QString problem = checkArtifactPath(change.path.toUtf8()); !problem.isEmpty())
        return problem;
    int rawParent = -1;
    if (const QString problem = openParent(change.path, change.kind == ChangeKind::Added, &rawParent);
        !problem.isEmpty())
        return problem;
    UniqueFd parent(rawParent);
    const QByteArray name = QFile::encodeName(change.path.section(QLatin1Char('/'), -1));

    switch (change.kind) {
    case ChangeKind::Added: {
        struct stat st
        {
        };
        const bool exists = ::fstatat(parent.get(), name.constData(), &st, AT_SYMLINK_NOFOLLOW) == 0;
        if (exists && !m_overwrite)
            return QStringLiteral("%1 appeared on the host since the copy was made and was left as it is; apply again "
                                  "with overwrite to replace it.")
                .arg(change.path);
        if (exists && !S_ISREG(st.st_mode))
            return QStringLiteral("%1 exists on the host and is not a plain file (a link or a folder); it is never "
                                  "replaced.")
                .arg(change.path);
        return replace(parent.get(), name, change, !exists);
    }
    case ChangeKind::Modified: {
        const QString problem = hostFileProblem(parent.get(), name, change);
        if (!problem.isEmpty()) {
            struct stat st
            {
            };
            const bool exists = ::fstatat(parent.get(), name.constData(), &st, AT_SYMLINK_NOFOLLOW) == 0;
            if (!m_overwrite || (exists && !S_ISREG(st.st_mode)))
                return problem;
            return replace(parent.get(), name, change, !exists);
        }
        return replace(parent.get(), name, change, false);
    }
    case ChangeKind::Deleted: {
        if (const QString problem = hostFileProblem(parent.get(), name, change); !problem.isEmpty())
            return problem;
        if (::unlinkat(parent.get(), name.constData(), 0) != 0)
            return QStringLiteral("Could not delete %1: %2.").arg(change.path, errnoText(errno));
        return {};
    }
    }
    return QStringLiteral("Unknown kind of change for %1.").arg(change.path);
}

QList<ChangeApplier::Outcome> ChangeApplier::applyAll(const QList<FileChange>& accepted)
{
    QList<Outcome> outcomes;
    for (const FileChange& change : accepted)
        outcomes.append({change.path, change.kind, apply(change)});
    return outcomes;
}

} // namespace cc
