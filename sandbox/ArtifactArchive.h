#pragma once

#include "Artifact.h"

#include <QByteArray>

namespace cc {

/// Reads a tar archive of /workspace/out that came out of a sandbox: hostile input, read with no
/// trust at all. Understands what GNU tar writes: ustar headers (with the prefix field), GNU long
/// names and long link names ('L', 'K', base-256 sizes) and pax extended headers ('x': path, size,
/// linkpath). Never crashes and never reads past the buffer; every entry it does not collect is
/// refused with a reason:
///
/// - an absolute name, a ".." part, an empty or "." part, invalid UTF-8, control characters,
///   more than 255 bytes in a part or 4096 in all (checkArtifactPath())
/// - symbolic and hard links, character and block devices, FIFOs, sparse files, unknown types
/// - a second entry with the same name, or a name that needs a collected file to be a folder
/// - files past caps.maxFiles, or whose bytes would take the total past caps.maxBytes
///
/// A header with a bad checksum, no "ustar" magic or a size that is not a number (or overflows)
/// ends the reading: nothing after it can be framed. So does an archive cut short. The note then
/// says where and why. Directories are accepted silently (the files say where they are); "./" in
/// front of names, as `tar -C dir -cf - .` writes them, is dropped. A pax global header ('g')
/// that sets a path or size is refused, and reading stops.
///
/// Pure: no I/O, no Qt event loop. Safe on any bytes.
ArtifactCollection readArtifactArchive(const QByteArray& tar, const ArtifactCaps& caps);

} // namespace cc
