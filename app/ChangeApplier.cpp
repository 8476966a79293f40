#include "ChangeApplier.h"

#include "RelativePath.h"
#include "UniqueFd.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>
#include <QSet>
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

QString appearedSentence(const QString& path)
{
    return QStringLiteral("%1 appeared on the host since the copy was made, so the file there was kept.").arg(path);
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

QString ChangeApplier::hostFileProblem(int parentFd, const QByteArray& name, const FileChange& change, bool* changed)
{
    *changed = false;
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
    const QString changedSentence =
        change.kind == ChangeKind::Deleted
            ? QStringLiteral("%1 changed on the host since it was copied into the sandbox, so it was not deleted.")
                  .arg(change.path)
            : QStringLiteral("%1 changed on the host since it was copied into the sandbox, so your version was kept.")
                  .arg(change.path);
    if (st.st_size != change.oldSize || mtimeNs(st) != change.oldMtimeNs) {
        *changed = true;
        return changedSentence;
    }
    UniqueFd fd(::openat(parentFd, name.constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    QByteArray bytes;
    if (!fd.valid() || !readAllFromFd(fd.get(), change.oldSize, &bytes))
        return QStringLiteral("Could not read %1 on the host: %2.").arg(change.path, errnoText(errno));
    if (QCryptographicHash::hash(bytes, QCryptographicHash::Sha256) != change.oldSha256) {
        *changed = true;
        return changedSentence;
    }
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
            return appearedSentence(change.path);
        return QStringLiteral("Could not write %1: %2.").arg(change.path, errnoText(error));
    }
    return {};
}

ChangeApplier::Outcome ChangeApplier::apply(const FileChange& change)
{
    Outcome outcome{change.path, change.kind, {}, false};
    const auto refuse = [&outcome](const QString& sentence, bool conflict = false) {
        outcome.error = sentence;
        outcome.conflict = conflict;
        return outcome;
    };
    if (const QString problem = checkArtifactPath(change.path.toUtf8()); !problem.isEmpty())
        return refuse(problem);
    int rawParent = -1;
    if (const QString problem = openParent(change.path, change.kind == ChangeKind::Added, &rawParent);
        !problem.isEmpty())
        return refuse(problem);
    UniqueFd parent(rawParent);
    const QByteArray name = QFile::encodeName(change.path.section(QLatin1Char('/'), -1));
    struct stat st
    {
    };
    const auto exists = [&] { return ::fstatat(parent.get(), name.constData(), &st, AT_SYMLINK_NOFOLLOW) == 0; };

    switch (change.kind) {
    case ChangeKind::Added: {
        const bool there = exists();
        if (there && !S_ISREG(st.st_mode))
            return refuse(QStringLiteral("%1 exists on the host and is not a plain file (a link or a folder); it is "
                                         "never replaced.")
                              .arg(change.path));
        if (there && !m_overwrite)
            return refuse(appearedSentence(change.path), true);
        const QString error = replace(parent.get(), name, change, !there);
        return refuse(error, error.startsWith(appearedSentence(change.path)));
    }
    case ChangeKind::Modified: {
        bool changed = false;
        const QString problem = hostFileProblem(parent.get(), name, change, &changed);
        if (problem.isEmpty())
            return refuse(replace(parent.get(), name, change, false));
        const bool there = exists();
        // A file that is gone, or still a plain file, may be written when the person says so;
        // a link or a folder put there never is.
        const bool conflict = changed || !there;
        if (!m_overwrite || !conflict)
            return refuse(problem, conflict);
        return refuse(replace(parent.get(), name, change, !there));
    }
    case ChangeKind::Deleted: {
        bool changed = false;
        if (const QString problem = hostFileProblem(parent.get(), name, change, &changed); !problem.isEmpty())
            return refuse(problem);
        if (::unlinkat(parent.get(), name.constData(), 0) != 0)
            return refuse(QStringLiteral("Could not delete %1: %2.").arg(change.path, errnoText(errno)));
        return outcome;
    }
    }
    return refuse(QStringLiteral("Unknown kind of change for %1.").arg(change.path));
}

bool ChangeApplier::removeEmptyFolder(const QString& folder)
{
    if (!checkArtifactPath(folder.toUtf8()).isEmpty())
        return false;
    int rawParent = -1;
    if (!openParent(folder, false, &rawParent).isEmpty())
        return false;
    UniqueFd parent(rawParent);
    const QByteArray name = QFile::encodeName(folder.section(QLatin1Char('/'), -1));
    // rmdir refuses a folder that is not empty and a link (ENOTDIR): nothing but an empty folder goes.
    return ::unlinkat(parent.get(), name.constData(), AT_REMOVEDIR) == 0;
}

QList<ChangeApplier::Outcome> ChangeApplier::applyAll(const QList<FileChange>& accepted,
                                                      const QStringList& removedFolders)
{
    QList<Outcome> outcomes;
    QSet<QString> emptied; // folders an applied deletion took a file from
    for (const FileChange& change : accepted) {
        outcomes.append(apply(change));
        if (change.kind == ChangeKind::Deleted && outcomes.last().applied())
            for (const QString& folder : parentFolders(change.path))
                emptied.insert(folder);
    }
    // A removed folder goes with the deletions accepted inside it, or inside a removed folder that
    // holds it (an empty sub-folder of a folder the program deleted whole); never on its own.
    const QSet<QString> removed(removedFolders.cbegin(), removedFolders.cend());
    const auto tiedToADeletion = [&](QString folder) {
        for (;;) {
            if (emptied.contains(folder) && removed.contains(folder))
                return true;
            const qsizetype slash = folder.lastIndexOf(QLatin1Char('/'));
            if (slash < 0)
                return false;
            folder.truncate(slash);
        }
    };
    m_removedFolders.clear();
    for (const QString& folder : removedFolders)
        if (tiedToADeletion(folder) && removeEmptyFolder(folder))
            m_removedFolders.append(folder);
    return outcomes;
}

} // namespace cc
