#include "UniqueFd.h"

#include <QFile>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cc {

UniqueFd::~UniqueFd()
{
    reset();
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept
{
    if (this != &other)
        reset(other.release());
    return *this;
}

void UniqueFd::reset(int fd)
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = fd;
}

int UniqueFd::release()
{
    const int fd = m_fd;
    m_fd = -1;
    return fd;
}

bool writeAllToFd(int fd, const QByteArray& bytes)
{
    const char* data = bytes.constData();
    qsizetype left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, data, size_t(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        left -= n;
    }
    return true;
}

int openFolderNoFollow(int dirFd, const QStringList& folders, bool create, QString* walked)
{
    UniqueFd dir(::fcntl(dirFd, F_DUPFD_CLOEXEC, 0));
    if (!dir.valid())
        return -1;
    walked->clear();
    for (const QString& folder : folders) {
        const QByteArray part = QFile::encodeName(folder);
        *walked += (walked->isEmpty() ? QString() : QStringLiteral("/")) + folder;
        const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        int next = ::openat(dir.get(), part.constData(), flags);
        if (next < 0 && errno == ENOENT && create) {
            if (::mkdirat(dir.get(), part.constData(), 0755) != 0 && errno != EEXIST)
                return -1;
            next = ::openat(dir.get(), part.constData(), flags);
        }
        if (next < 0)
            return -1;
        dir.reset(next);
    }
    return dir.release();
}

bool readAllFromFd(int fd, qint64 maxBytes, QByteArray* out)
{
    out->clear();
    char buffer[64 * 1024];
    while (out->size() <= maxBytes) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            return true;
        out->append(buffer, n);
    }
    return true;
}

} // namespace cc
