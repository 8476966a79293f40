#include "FolderSnapshot.h"

#include "Artifact.h"
#include "RelativePath.h"
#include "UniqueFd.h"
#include "VerdictDecider.h"

#include <QCryptographicHash>
#include <QFile>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cc {

namespace {

/// Deeper than this is not a project folder; it also bounds the descriptors held open.
constexpr int kMaxDepth = 64;

class Walker
{
public:
    Walker(FolderSnapshot& snapshot, qint64 maxBytes, int maxFiles)
        : m_snapshot(snapshot), m_maxBytes(maxBytes), m_maxFiles(maxFiles)
    {
    }

    /// False once an error was recorded.
    bool walk(int dirFd, const QString& prefix, int depth);

private:
    bool fail(const QString& sentence)
    {
        m_snapshot.error = sentence;
        return false;
    }
    bool tooLarge()
    {
        return fail(QStringLiteral("The folder %1 is too large to copy into the sandbox for review: the copy is "
                                   "capped at %2 and %3 files. Choose a smaller folder.")
                        .arg(m_snapshot.folder, humanBytes(m_maxBytes))
                        .arg(m_maxFiles));
    }
    bool readFile(int dirFd, const QByteArray& name, const QString& path);

    FolderSnapshot& m_snapshot;
    qint64 m_maxBytes;
    int m_maxFiles;
};

bool Walker::readFile(int dirFd, const QByteArray& name, const QString& path)
{
    // O_NONBLOCK: a FIFO swapped in since the listing must not block the open.
    UniqueFd fd(::openat(dirFd, name.constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!fd.valid()) {
        if (errno == ELOOP) {
            m_snapshot.skipped << path;
            return true;
        }
        return fail(QStringLiteral("Could not read %1 in %2: %3. Fix its permissions or choose another folder.")
                        .arg(path, m_snapshot.folder, QString::fromLocal8Bit(std::strerror(errno))));
    }
    struct stat st
    {
    };
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        m_snapshot.skipped << path;
        return true;
    }
    if (m_snapshot.files.size() + 1 > m_maxFiles || st.st_size > m_maxBytes - m_snapshot.totalBytes)
        return tooLarge();
    FolderSnapshot::File file;
    if (!readAllFromFd(fd.get(), m_maxBytes - m_snapshot.totalBytes, &file.bytes))
        return fail(QStringLiteral("Could not read %1 in %2: %3.")
                        .arg(path, m_snapshot.folder, QString::fromLocal8Bit(std::strerror(errno))));
    if (file.bytes.size() > m_maxBytes - m_snapshot.totalBytes)
        return tooLarge(); // it grew while being read
    file.path = path;
    file.size = file.bytes.size();
    file.mtimeNs = qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    file.sha256 = QCryptographicHash::hash(file.bytes, QCryptographicHash::Sha256);
    file.mode = int(st.st_mode & 0777);
    m_snapshot.totalBytes += file.size;
    m_snapshot.files.insert(path, file);
    return true;
}

bool Walker::walk(int dirFd, const QString& prefix, int depth)
{
    if (depth > kMaxDepth)
        return fail(QStringLiteral("The folder %1 is nested more than %2 levels deep: choose a smaller folder.")
                        .arg(m_snapshot.folder)
                        .arg(kMaxDepth));
    // fdopendir takes the descriptor it is given; a duplicate keeps dirFd usable for openat.
    const int listFd = ::fcntl(dirFd, F_DUPFD_CLOEXEC, 0);
    if (listFd < 0)
        return fail(QStringLiteral("Could not list %1: %2.")
                        .arg(m_snapshot.folder, QString::fromLocal8Bit(std::strerror(errno))));
    DIR* dir = ::fdopendir(listFd);
    if (!dir) {
        ::close(listFd);
        return fail(QStringLiteral("Could not list %1: %2.")
                        .arg(m_snapshot.folder, QString::fromLocal8Bit(std::strerror(errno))));
    }
    QList<QByteArray> names;
    while (const dirent* entry = ::readdir(dir)) {
        const QByteArray name(entry->d_name);
        if (name != "." && name != "..")
            names << name;
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());

    for (const QByteArray& name : names) {
        const QString path = prefix + QFile::decodeName(name);
        // A name that could not cross the sandbox boundary both ways (control characters, not
        // UTF-8, too long) is not copied: it could not be matched with what comes back.
        if (!checkArtifactPath(name).isEmpty() || !checkRelativePath(path).isEmpty()) {
            m_snapshot.skipped << path;
            continue;
        }
        struct stat st
        {
        };
        if (::fstatat(dirFd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            m_snapshot.skipped << path;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            UniqueFd sub(::openat(dirFd, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub.valid()) {
                m_snapshot.skipped << path;
                continue;
            }
            m_snapshot.folders << path;
            if (!walk(sub.get(), path + QLatin1Char('/'), depth + 1))
                return false;
        } else if (S_ISREG(st.st_mode)) {
            if (!readFile(dirFd, name, path))
                return false;
        } else {
            m_snapshot.skipped << path;
        }
    }
    return true;
}

} // namespace

FolderSnapshot takeFolderSnapshot(const QString& canonicalFolder, qint64 maxBytes, int maxFiles)
{
    FolderSnapshot snapshot;
    snapshot.folder = canonicalFolder;
    UniqueFd root(::open(QFile::encodeName(canonicalFolder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid()) {
        snapshot.error = QStringLiteral("Could not open the folder %1: %2.")
                             .arg(canonicalFolder, QString::fromLocal8Bit(std::strerror(errno)));
        return snapshot;
    }
    Walker walker(snapshot, maxBytes, maxFiles);
    if (!walker.walk(root.get(), QString(), 0)) {
        snapshot.files.clear();
        snapshot.folders.clear();
        snapshot.totalBytes = 0;
    }
    return snapshot;
}

} // namespace cc
