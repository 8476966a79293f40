#pragma once

#include "Artifact.h"

#include <QString>

namespace cc {

/// Saves a run's artifacts under a folder the user chose, as carefully as they were read: the
/// names came out of the sandbox.
///
/// - A name must pass checkArtifactPath() again (nothing absolute, no "..", valid on this host).
/// - The folder is walked one part at a time with openat(O_NOFOLLOW | O_DIRECTORY): a symbolic link
///   already in the folder (or planted while saving) is never followed, and a file where a folder
///   is needed is refused. Missing folders are created (0755).
/// - Each file is written to a temporary file beside it, flushed, then renamed into place: nobody
///   ever sees half a file.
/// - An existing entry is never replaced silently: without overwrite the save is refused with a
///   sentence (renameat2 RENAME_NOREPLACE makes the check and the rename one step); with
///   overwrite only a plain file is replaced, never a link or a folder.
///
/// The chosen folder itself is the user's: it is created if missing and may be a link.
class ArtifactWriter
{
public:
    ArtifactWriter(QString directory, bool overwrite);
    ~ArtifactWriter();
    ArtifactWriter(const ArtifactWriter&) = delete;
    ArtifactWriter& operator=(const ArtifactWriter&) = delete;

    /// Creates the folder if needed and opens it; an empty string on success, else a sentence.
    QString open();
    /// Saves one artifact. Returns an empty string and sets *savedPath on success, else a sentence
    /// saying why it was not saved (nothing is left behind then).
    QString write(const Artifact& artifact, QString* savedPath = nullptr);

private:
    QString m_directory;
    bool m_overwrite;
    int m_dirFd = -1;
};

} // namespace cc
