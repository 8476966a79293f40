#pragma once

#include <QByteArray>
#include <QStringList>

namespace cc {

/// Owns a POSIX file descriptor and closes it when it goes out of scope. Used wherever the
/// engine or the application walks a folder with openat() so that links are never followed.
class UniqueFd
{
public:
    explicit UniqueFd(int fd = -1) : m_fd(fd) {}
    ~UniqueFd();
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;

    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    void reset(int fd = -1);
    int release();

private:
    int m_fd;
};

/// Writes all the bytes (retrying after EINTR); false on any error, errno then says which.
bool writeAllToFd(int fd, const QByteArray& bytes);

/// Opens the folder folders[0]/folders[1]/... below dirFd one part at a time with
/// openat(O_NOFOLLOW | O_DIRECTORY), so that a symbolic link on the way is never followed; missing
/// folders are made (0755) when create is set. Returns the last folder's descriptor (the caller
/// owns it), or -1 with errno set (ELOOP or ENOTDIR: a link or a file stands there) and *walked
/// naming the part that failed ('/'-separated, from the first).
int openFolderNoFollow(int dirFd, const QStringList& folders, bool create, QString* walked);

/// Reads a whole descriptor, at most maxBytes (+1 to detect more); false on a read error.
bool readAllFromFd(int fd, qint64 maxBytes, QByteArray* out);

} // namespace cc
