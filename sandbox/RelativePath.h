#pragma once

#include <QString>
#include <QStringList>

namespace cc {

/// The rules every relative file name that crosses the sandbox boundary follows, in either
/// direction (snippet files going in, artifacts coming out): not empty, not absolute, no control
/// characters (C0, DEL or C1: such a name could rewrite a terminal when printed), no empty, "." or
/// ".." part, at most 255 UTF-8 bytes per part and 4096 in all (Linux's NAME_MAX and PATH_MAX).
/// Returns an empty string when the name is acceptable, else a sentence saying what is wrong.
QString checkRelativePath(const QString& relativePath);

/// The folders a '/'-separated relative path stands in, outermost first: "a/b/c" gives "a", "a/b".
QStringList parentFolders(const QString& relativePath);

} // namespace cc
