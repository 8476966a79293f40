#pragma once

#include <QByteArray>
#include <QString>

namespace cc {

/// A unified diff of two texts, line by line ("@@ -a,b +c,d @@" hunks with 3 lines of context),
/// for showing a person what a sandbox changed in a file. Bounded: after the common head and tail
/// are set aside, the middle is compared with a longest-common-subsequence table only when it
/// holds at most maxCells line pairs; larger changes come out as one hunk that removes the old
/// middle and adds the new (still correct, just coarser). The text is cut after maxBytes.
struct LineDiff
{
    QString text;           ///< the hunks; empty when the texts are equal
    int added = 0;          ///< lines added
    int removed = 0;        ///< lines removed
    bool truncated = false; ///< text was cut at maxBytes
};

LineDiff diffLines(const QByteArray& before, const QByteArray& after, qsizetype maxBytes = 64 * 1024,
                   qint64 maxCells = 4'000'000);

} // namespace cc
