#pragma once

#include "ChangeSetJson.h"
#include "Prompter.h"

#include <QMap>
#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace cc {

class CodeEditor;
class RefusedEntryList;

/// What a review run (Grants::HostFolderMode::Review) wants to change in the shared folder, and
/// the person's say over it. Every added, modified and deleted file is listed with a tick box, its
/// sizes and line counts; the selected one's diff is shown (binary files say so); the entries the
/// engine refused and its note are listed apart. Nothing is written until "Apply selected…" is
/// confirmed, and then only the ticked changes, through ChangeApplier, each checked again first.
/// A file changed on the host since the copy is left alone and marked: the person may replace
/// their version with "Overwrite…" after a second question. Every decision is reported with
/// decided(), cumulatively, for the run history. Paths, diffs and notes came from the sandbox:
/// plain text only.
class ChangeReviewPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ChangeReviewPanel(Prompter prompter, QWidget* parent = nullptr);

    void setPrompter(Prompter prompter) { m_prompter = std::move(prompter); }

    /// Shows a review run's changes, replacing what was shown.
    void showChanges(const ChangeSet& set);
    /// Empties the panel (a new run starts).
    void clear();

    int changeCount() const { return int(m_set.changes.size()); }
    /// The host folder the shown changes are for; empty when none are shown.
    QString folder() const { return m_set.folder; }
    /// Changes neither written, refused nor discarded yet.
    int undecidedCount() const;
    /// Ticks (or unticks) every change that can still be written.
    void setAllTicked(bool ticked);
    /// Ticks or unticks one change by path; false when there is no such pending change.
    bool setTicked(const QString& path, bool ticked);

    /// Asks (Prompter::confirmWrite), then writes the ticked changes that are still pending.
    void applySelected();
    /// Asks (Prompter::confirmReplace), then writes the ticked changes whose host file changed since
    /// the copy, replacing the person's version.
    void overwriteSelected();
    /// Leaves every pending change unwritten, for good.
    void discard();

    /// Everything decided so far: the outcome of each change that was written or tried.
    ChangeDecision decision() const;

signals:
    /// The list changed (a result arrived, or it was cleared): how many changes it holds.
    void countChanged(int changes);
    /// Something was decided (applied, refused, overwritten or discarded); decision is cumulative.
    void decided(const cc::ChangeSet& set, const cc::ChangeDecision& decision);

private:
    enum class RowState
    {
        Pending,
        Applied,
        Refused,
        Conflict,
        Discarded
    };

    void onSelectionChanged();
    void showRow(int index);
    void updateButtons();
    QList<int> tickedRows(RowState state) const;
    void write(const QList<int>& rows, bool overwrite);
    void reportDecision(const QString& status);

    Prompter m_prompter;
    ChangeSet m_set;
    QList<RowState> m_states;
    QMap<int, ChangeApplier::Outcome> m_outcomes;
    QStringList m_removedFolders;
    bool m_discarded = false;
    QLabel* m_summary;
    QTreeWidget* m_list;
    RefusedEntryList* m_refusedList;
    QLabel* m_note;
    QPushButton* m_allButton;
    QPushButton* m_noneButton;
    QPushButton* m_applyButton;
    QPushButton* m_overwriteButton;
    QPushButton* m_discardButton;
    QLabel* m_status;
    CodeEditor* m_diff;
};

} // namespace cc
