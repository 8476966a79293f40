#include "ChangeSetJson.h"

#include <nlohmann/json.hpp>

namespace cc {

QByteArray changeSetJson(const ChangeSet& set, const ChangeDecision& decision, qsizetype maxDiffBytes)
{
    qsizetype diffRoom = maxDiffBytes;
    using nlohmann::json;
    const auto text = [](const QString& s) { return s.toStdString(); };
    const auto texts = [&text](const QStringList& list) {
        json array = json::array();
        for (const QString& s : list)
            array.push_back(text(s));
        return array;
    };
    json changes = json::array();
    for (const FileChange& c : set.changes) {
        const ChangeApplier::Outcome* outcome = nullptr;
        for (const ChangeApplier::Outcome& o : decision.outcomes)
            if (o.path == c.path && o.kind == c.kind)
                outcome = &o;
        const char* verdict = !decision.decided    ? "pending"
                              : !outcome           ? "rejected"
                              : outcome->applied() ? "applied"
                                                   : "refused";
        const bool keepDiff = c.text && c.diff.size() <= diffRoom;
        if (keepDiff)
            diffRoom -= c.diff.size();
        changes.push_back(
            {{"kind", text(changeKindName(c.kind))},
             {"path", text(c.path)},
             {"old_size", c.kind == ChangeKind::Added ? json(nullptr) : json(c.oldSize)},
             {"new_size", c.kind == ChangeKind::Deleted ? json(nullptr) : json(c.newSize)},
             {"text", c.text},
             {"diff", keepDiff ? json(text(c.diff)) : json(nullptr)},
             {"diff_omitted", c.text && !keepDiff},
             {"diff_truncated", c.diffTruncated},
             {"lines_added", c.linesAdded},
             {"lines_removed", c.linesRemoved},
             {"decision", verdict},
             {"applied", outcome && outcome->applied()},
             {"apply_error", outcome && !outcome->applied() ? json(text(outcome->error)) : json(nullptr)}});
    }
    json refused = json::array();
    for (const RefusedArtifact& r : set.refused)
        refused.push_back({{"path", text(r.path)}, {"reason", text(r.reason)}});
    const json doc = {{"folder", text(set.folder)},
                      {"changes", changes},
                      {"refused", refused},
                      {"removed_folders", texts(set.removedFolders)},
                      {"folders_removed_on_host", texts(decision.removedFolders)},
                      {"decided", decision.decided},
                      {"note", set.note.isEmpty() ? json(nullptr) : json(text(set.note))}};
    // Paths and diffs came from the sandbox and need not be valid UTF-8 everywhere: replace, never throw.
    return QByteArray::fromStdString(doc.dump(-1, ' ', false, json::error_handler_t::replace));
}

} // namespace cc
