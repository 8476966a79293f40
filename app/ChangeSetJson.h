#pragma once

#include "ChangeApplier.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

#include <limits>

namespace cc {

/// What became of a review run's changes: nothing decided yet, or what happened to the changes
/// the person accepted (every change without an outcome was rejected).
struct ChangeDecision
{
    bool decided = false;
    QList<ChangeApplier::Outcome> outcomes; ///< one per accepted change, matched by path
    QStringList removedFolders;             ///< the folders the applier removed
};

/// A change set as one JSON object, the form `run --json` prints and the run history keeps:
/// folder, note, refusals, removed folders, and per change its kind, path, sizes, text diff and
/// decision ("pending", "applied", "refused" with apply_error, "rejected"). Never the new bytes:
/// they are too large for the history and are still in the sandbox's result when needed.
/// Diffs are kept in path order until maxDiffBytes is spent; later ones become null with
/// "diff_omitted": true.
QByteArray changeSetJson(const ChangeSet& set, const ChangeDecision& decision,
                         qsizetype maxDiffBytes = std::numeric_limits<qsizetype>::max());

/// How much diff text the run history keeps per run.
inline constexpr qsizetype kHistoryDiffBytes = 1024 * 1024;

} // namespace cc
