#include "ChangeReviewPanel.h"

#include "CodeEditor.h"
#include "PlainLabel.h"
#include "RefusedEntryList.h"
#include "VerdictDecider.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cc {

namespace {

enum Column
{
    PathColumn,
    KindColumn,
    SizeColumn,
    LinesColumn,
    StatusColumn
};

QString changes(qsizetype count)
{
    return count == 1 ? ChangeReviewPanel::tr("1 change") : ChangeReviewPanel::tr("%1 changes").arg(count);
}

QString sizeText(const FileChange& c)
{
    switch (c.kind) {
    case ChangeKind::Added:
        return humanBytes(c.newSize);
    case ChangeKind::Modified:
        return QStringLiteral("%1 → %2").arg(humanBytes(c.oldSize), humanBytes(c.newSize));
    case ChangeKind::Deleted:
        return humanBytes(c.oldSize);
    }
    return {};
}

} // namespace

ChangeReviewPanel::ChangeReviewPanel(Prompter prompter, QWidget* parent)
    : QWidget(parent), m_prompter(std::move(prompter))
{
    setObjectName(QStringLiteral("changeReviewPanel"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    layout->addWidget(splitter);

    auto* side = new QWidget(splitter);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    m_summary = new PlainLabel(QStringLiteral("changeSummary"), side);

    m_list = new QTreeWidget(side);
    m_list->setObjectName(QStringLiteral("changeList"));
    m_list->setHeaderLabels({tr("File"), tr("Change"), tr("Size"), tr("Lines"), tr("Status")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setMinimumHeight(140);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->header()->setSectionResizeMode(PathColumn, QHeaderView::Stretch);
    m_list->header()->setStretchLastSection(false);
    m_list->setToolTip(tr("What the code changed in its copy of the folder. Tick the changes to keep; nothing is "
                          "written to the folder until you press Apply selected."));

    m_refusedList =
        new RefusedEntryList(QStringLiteral("refusedChangeList"), tr("Never written (refused by CodeCourier):"), side);
    m_note = new PlainLabel(QStringLiteral("changeNote"), side);

    auto* buttons = new QHBoxLayout;
    m_allButton = new QPushButton(tr("Tick all"), side);
    m_allButton->setObjectName(QStringLiteral("tickAllChangesButton"));
    m_noneButton = new QPushButton(tr("Tick none"), side);
    m_noneButton->setObjectName(QStringLiteral("tickNoChangesButton"));
    m_applyButton = new QPushButton(tr("Apply selected…"), side);
    m_applyButton->setObjectName(QStringLiteral("applyChangesButton"));
    m_applyButton->setToolTip(tr("Write the ticked changes to the folder, after one more question. Each file is "
                                 "checked again first: one that changed on your side since the run began is left "
                                 "alone."));
    m_overwriteButton = new QPushButton(tr("Overwrite…"), side);
    m_overwriteButton->setObjectName(QStringLiteral("overwriteChangesButton"));
    m_overwriteButton->setToolTip(tr("Replace your version of the ticked files that changed on your side since the "
                                     "run began with the code's version."));
    m_discardButton = new QPushButton(tr("Discard"), side);
    m_discardButton->setObjectName(QStringLiteral("discardChangesButton"));
    m_discardButton->setToolTip(tr("Write none of the remaining changes."));
    for (QPushButton* b : {m_allButton, m_noneButton, m_applyButton, m_overwriteButton, m_discardButton})
        buttons->addWidget(b);
    buttons->addStretch(1);
    m_status = new PlainLabel(QStringLiteral("changeStatus"), side);

    sideLayout->addWidget(m_summary);
    sideLayout->addWidget(m_list, 1);
    sideLayout->addWidget(m_refusedList);
    sideLayout->addWidget(m_note);
    sideLayout->addLayout(buttons);
    sideLayout->addWidget(m_status);

    m_diff = new CodeEditor(splitter);
    m_diff->setObjectName(QStringLiteral("changeDiff"));
    m_diff->setReadOnly(true);
    m_diff->setLexerName(QStringLiteral("diff"));
    m_diff->setFolding(QsciScintilla::NoFoldStyle);
    splitter->addWidget(side);
    splitter->addWidget(m_diff);
    splitter->setStretchFactor(1, 2);

    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &ChangeReviewPanel::onSelectionChanged);
    connect(m_list, &QTreeWidget::itemChanged, this, [this] { updateButtons(); });
    connect(m_allButton, &QPushButton::clicked, this, [this] { setAllTicked(true); });
    connect(m_noneButton, &QPushButton::clicked, this, [this] { setAllTicked(false); });
    connect(m_applyButton, &QPushButton::clicked, this, &ChangeReviewPanel::applySelected);
    connect(m_overwriteButton, &QPushButton::clicked, this, &ChangeReviewPanel::overwriteSelected);
    connect(m_discardButton, &QPushButton::clicked, this, &ChangeReviewPanel::discard);
    clear();
}

void ChangeReviewPanel::clear()
{
    m_set = ChangeSet{};
    m_states.clear();
    m_outcomes.clear();
    m_removedFolders.clear();
    m_discarded = false;
    m_list->clear();
    m_refusedList->clear();
    m_note->clear();
    m_note->hide();
    m_status->clear();
    m_diff->setText(QString());
    m_summary->setText(tr("Share a folder in review mode (the Folder button's menu) and the changes the code makes "
                          "to its copy are listed here after the run, for you to accept or not."));
    updateButtons();
    emit countChanged(0);
}

void ChangeReviewPanel::showChanges(const ChangeSet& set)
{
    clear();
    m_set = set;
    m_states = QList<RowState>(set.changes.size(), RowState::Pending);
    const QSignalBlocker block(m_list);
    for (qsizetype i = 0; i < set.changes.size(); ++i) {
        const FileChange& c = set.changes.at(i);
        auto* item = new QTreeWidgetItem(m_list);
        item->setText(PathColumn, c.path);
        item->setData(PathColumn, Qt::UserRole, int(i));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(PathColumn, Qt::Checked);
        item->setText(KindColumn, changeKindName(c.kind));
        item->setText(SizeColumn, sizeText(c));
        item->setText(LinesColumn,
                      c.text ? QStringLiteral("+%1 −%2").arg(c.linesAdded).arg(c.linesRemoved) : tr("binary"));
        item->setText(StatusColumn, tr("not written"));
    }
    for (int col = KindColumn; col <= StatusColumn; ++col)
        m_list->resizeColumnToContents(col);
    m_refusedList->setEntries(set.refused);
    m_note->setText(set.note);
    m_note->setVisible(!set.note.isEmpty());
    m_summary->setText(
        set.changes.isEmpty()
            ? tr("The code changed nothing in its copy of %1; there is nothing to write.").arg(set.folder)
            : tr("The code made %1 in its copy of %2. Nothing has been written to the folder: tick "
                 "what to keep and press Apply selected.")
                  .arg(changes(set.changes.size()), set.folder));
    if (m_list->topLevelItemCount() > 0)
        m_list->setCurrentItem(m_list->topLevelItem(0));
    updateButtons();
    emit countChanged(int(set.changes.size()));
}

int ChangeReviewPanel::undecidedCount() const
{
    return int(std::count(m_states.cbegin(), m_states.cend(), RowState::Pending));
}

void ChangeReviewPanel::setAllTicked(bool ticked)
{
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_list->topLevelItem(i);
        if (item->flags() & Qt::ItemIsUserCheckable)
            item->setCheckState(PathColumn, ticked ? Qt::Checked : Qt::Unchecked);
    }
    updateButtons();
}

bool ChangeReviewPanel::setTicked(const QString& path, bool ticked)
{
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_list->topLevelItem(i);
        if (item->text(PathColumn) == path && (item->flags() & Qt::ItemIsUserCheckable)) {
            item->setCheckState(PathColumn, ticked ? Qt::Checked : Qt::Unchecked);
            updateButtons();
            return true;
        }
    }
    return false;
}

QList<int> ChangeReviewPanel::tickedRows(RowState state) const
{
    QList<int> rows;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = m_list->topLevelItem(i);
        const int index = item->data(PathColumn, Qt::UserRole).toInt();
        if (item->checkState(PathColumn) == Qt::Checked && m_states.value(index) == state)
            rows << index;
    }
    return rows;
}

void ChangeReviewPanel::applySelected()
{
    const QList<int> rows = tickedRows(RowState::Pending);
    if (rows.isEmpty()) {
        m_status->setText(tr("Tick the changes to write first."));
        return;
    }
    int added = 0, modified = 0, deleted = 0;
    for (int i : rows)
        (m_set.changes.at(i).kind == ChangeKind::Added      ? added
         : m_set.changes.at(i).kind == ChangeKind::Modified ? modified
                                                            : deleted)++;
    const QString question =
        tr("Write %1 to %2: %3 added, %4 modified, %5 deleted? The changes you did not tick are not written. Each "
           "file is checked again first: one that changed on your side since the run began is left alone.")
            .arg(changes(rows.size()), m_set.folder)
            .arg(added)
            .arg(modified)
            .arg(deleted);
    if (!m_prompter.confirmWrite || !m_prompter.confirmWrite(tr("Write changes to your folder?"), question)) {
        m_status->setText(tr("Nothing was written."));
        return;
    }
    write(rows, false);
}

void ChangeReviewPanel::overwriteSelected()
{
    const QList<int> rows = tickedRows(RowState::Conflict);
    if (rows.isEmpty())
        return;
    QStringList names;
    for (int i : rows)
        names << m_set.changes.at(i).path;
    const QString question = tr("%1 changed in %2 since the run began: %3. Replace your version with the code's? "
                                "What you changed there is lost.")
                                 .arg(rows.size() == 1 ? tr("1 file") : tr("%1 files").arg(rows.size()), m_set.folder,
                                      names.join(QStringLiteral(", ")));
    if (!m_prompter.confirmReplace || !m_prompter.confirmReplace(tr("Replace your version?"), question)) {
        m_status->setText(tr("Nothing was replaced."));
        return;
    }
    write(rows, true);
}

void ChangeReviewPanel::write(const QList<int>& rows, bool overwrite)
{
    QList<FileChange> accepted;
    for (int i : rows)
        accepted << m_set.changes.at(i);
    ChangeApplier applier(m_set.folder, overwrite);
    const QList<ChangeApplier::Outcome> outcomes = applier.applyAll(accepted, m_set.removedFolders);
    m_removedFolders << applier.removedFolders();
    int written = 0, conflicts = 0, refused = 0;
    for (qsizetype k = 0; k < rows.size(); ++k) {
        const int index = rows.at(k);
        const ChangeApplier::Outcome& outcome = outcomes.at(k);
        m_outcomes.insert(index, outcome);
        m_states[index] = outcome.applied()  ? RowState::Applied
                          : outcome.conflict ? RowState::Conflict
                                             : RowState::Refused;
        (outcome.applied() ? written : outcome.conflict ? conflicts : refused)++;
    }
    QStringList status;
    if (written > 0)
        status << tr("%1 written to %2.").arg(changes(written), m_set.folder);
    if (!applier.removedFolders().isEmpty())
        status << tr("Removed the emptied folders %1.").arg(applier.removedFolders().join(QStringLiteral(", ")));
    if (conflicts > 0)
        status << tr("%1 left alone because the file changed on your side since the run began; select it to see "
                     "why, and press Overwrite… to replace your version.")
                      .arg(changes(conflicts));
    if (refused > 0)
        status << tr("%1 refused; select it to see why.").arg(changes(refused));
    reportDecision(status.join(QLatin1Char(' ')));
}

void ChangeReviewPanel::discard()
{
    if (undecidedCount() == 0)
        return;
    m_discarded = true;
    for (RowState& state : m_states)
        if (state == RowState::Pending)
            state = RowState::Discarded;
    reportDecision(tr("The remaining changes were discarded; they were not written to %1.").arg(m_set.folder));
}

void ChangeReviewPanel::reportDecision(const QString& status)
{
    const QSignalBlocker block(m_list);
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_list->topLevelItem(i);
        const int index = item->data(PathColumn, Qt::UserRole).toInt();
        const RowState state = m_states.value(index);
        const QString why = m_outcomes.value(index).error;
        switch (state) {
        case RowState::Pending:
            item->setText(StatusColumn, tr("not written"));
            break;
        case RowState::Applied:
            item->setText(StatusColumn, tr("written"));
            break;
        case RowState::Conflict:
            item->setText(StatusColumn, tr("changed on your side: kept yours"));
            break;
        case RowState::Refused:
            item->setText(StatusColumn, tr("refused"));
            break;
        case RowState::Discarded:
            item->setText(StatusColumn, tr("discarded"));
            break;
        }
        item->setToolTip(StatusColumn, why);
        // Done is done: a written, refused or discarded change can no longer be ticked.
        const bool open = state == RowState::Pending || state == RowState::Conflict;
        item->setFlags(open ? item->flags() | Qt::ItemIsUserCheckable : item->flags() & ~Qt::ItemIsUserCheckable);
        if (!open)
            item->setData(PathColumn, Qt::CheckStateRole, QVariant());
    }
    m_list->resizeColumnToContents(StatusColumn);
    const auto written = std::count(m_states.cbegin(), m_states.cend(), RowState::Applied);
    m_summary->setText(tr("The code made %1 in its copy of %2; %3 written to the folder, the rest not.")
                           .arg(changes(m_set.changes.size()), m_set.folder)
                           .arg(written));
    m_status->setText(status);
    onSelectionChanged();
    updateButtons();
    emit decided(m_set, decision());
}

ChangeDecision ChangeReviewPanel::decision() const
{
    ChangeDecision d;
    d.decided = !m_outcomes.isEmpty() || m_discarded;
    for (const ChangeApplier::Outcome& outcome : m_outcomes)
        d.outcomes << outcome;
    d.removedFolders = m_removedFolders;
    return d;
}

void ChangeReviewPanel::onSelectionChanged()
{
    const QList<QTreeWidgetItem*> selected = m_list->selectedItems();
    if (selected.isEmpty()) {
        m_diff->setText(QString());
        return;
    }
    showRow(selected.first()->data(PathColumn, Qt::UserRole).toInt());
}

void ChangeReviewPanel::showRow(int index)
{
    if (index < 0 || index >= m_set.changes.size())
        return;
    const FileChange& c = m_set.changes.at(index);
    QString text;
    if (const QString why = m_outcomes.value(index).error; !why.isEmpty())
        text += tr("# Not written: %1").arg(why) + QStringLiteral("\n\n");
    if (!c.text)
        text += tr("# Binary file (%1 %2): no text diff; the bytes are not shown.")
                    .arg(changeKindName(c.kind), sizeText(c));
    else if (c.diff.isEmpty())
        text += tr("# %1 empty file").arg(changeKindName(c.kind));
    else
        text += c.diff;
    if (c.diffTruncated)
        text += QStringLiteral("\n") + tr("# The diff was cut short here.");
    m_diff->setText(text);
}

void ChangeReviewPanel::updateButtons()
{
    const bool pending = undecidedCount() > 0;
    m_allButton->setEnabled(pending);
    m_noneButton->setEnabled(pending);
    m_applyButton->setEnabled(!tickedRows(RowState::Pending).isEmpty());
    m_overwriteButton->setVisible(m_states.contains(RowState::Conflict));
    m_overwriteButton->setEnabled(!tickedRows(RowState::Conflict).isEmpty());
    m_discardButton->setEnabled(pending);
}

} // namespace cc
