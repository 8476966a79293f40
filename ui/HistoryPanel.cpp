#include "HistoryPanel.h"

#include "HistoryCommand.h"
#include "HistoryCompareDialog.h"
#include "HistoryStore.h"
#include "Language.h"
#include "ProcessOwner.h"
#include "VerdictDecider.h"

#include <QComboBox>
#include <QFile>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cc {

namespace {

enum Column { IdColumn, StartedColumn, LanguageColumn, BackendColumn, ResultColumn, WallColumn, CodeColumn };

QComboBox* filterCombo(const QString& name, const QString& tip, QWidget* parent)
{
    auto* combo = new QComboBox(parent);
    combo->setObjectName(name);
    combo->setToolTip(tip);
    return combo;
}

QPushButton* actionButton(const QString& name, const QString& text, const QString& tip, QWidget* parent)
{
    auto* button = new QPushButton(text, parent);
    button->setObjectName(name);
    button->setToolTip(tip);
    return button;
}

} // namespace

HistoryPanel::HistoryPanel(HistoryStore* store, const Prompter& prompter, QWidget* parent)
    : QWidget(parent), m_store(store), m_prompter(prompter)
{
    setObjectName(QStringLiteral("historyPanel"));

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("historyStatus"));
    m_status->setTextFormat(Qt::PlainText);  // a path or an SQLite message, never markup
    m_status->setWordWrap(true);

    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("historySearch"));
    m_search->setPlaceholderText(tr("Search code, answers and output"));
    m_search->setClearButtonEnabled(true);

    m_outcome = filterCombo(QStringLiteral("historyOutcomeFilter"), tr("Show runs that ended this way"), this);
    m_outcome->addItem(tr("Any result"), QString());
    for (Verdict v : {Verdict::Ok, Verdict::ExitNonzero, Verdict::Timeout, Verdict::MemoryLimit, Verdict::OutputLimit,
                      Verdict::PidsLimit, Verdict::Cancelled, Verdict::BackendError})
        m_outcome->addItem(verdictName(v), verdictName(v));
    for (HistoryState state : {HistoryState::Running, HistoryState::Interrupted})
        m_outcome->addItem(historyStateName(state), historyStateName(state));
    m_language = filterCombo(QStringLiteral("historyLanguageFilter"), tr("Show runs in this language"), this);
    m_language->addItem(tr("Any language"), QString());
    for (const Language& language : LanguageTable::all())
        m_language->addItem(language.displayName, language.name);
    m_backend = filterCombo(QStringLiteral("historyBackendFilter"), tr("Show runs on this backend"), this);
    m_backend->addItem(tr("Any backend"), QString());
    m_backend->addItem(tr("Docker"), QStringLiteral("docker"));
    m_backend->addItem(tr("E2B"), QStringLiteral("e2b"));
    m_grants = filterCombo(QStringLiteral("historyGrantsFilter"), tr("Show runs that had network or a folder granted, or not"),
                           this);
    m_grants->addItem(tr("Grants or not"), -1);
    m_grants->addItem(tr("With grants"), 1);
    m_grants->addItem(tr("Without grants"), 0);

    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("historyList"));
    m_list->setHeaderLabels({tr("#"), tr("Started"), tr("Language"), tr("Backend"), tr("Result"), tr("Wall"), tr("Code")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);  // two runs to compare
    m_list->header()->setStretchLastSection(true);

    m_details = new QPlainTextEdit(this);
    m_details->setObjectName(QStringLiteral("historyDetails"));
    m_details->setReadOnly(true);
    m_details->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setPlaceholderText(tr("Select a run to see its code, limits, grants and output."));

    m_open = actionButton(QStringLiteral("historyOpenButton"), tr("Open"),
                          tr("Load the run's code, language, image and limits into the editor. Grants stay off."), this);
    m_rerun = actionButton(QStringLiteral("historyRerunButton"), tr("Re-run"),
                           tr("Load the run and run it again, with every grant off."), this);
    m_compare = actionButton(QStringLiteral("historyCompareButton"), tr("Compare"),
                             tr("Show the outputs of the two selected runs side by side."), this);
    m_export = actionButton(QStringLiteral("historyExportButton"), tr("Export…"),
                            tr("Save everything about the run as a JSON file."), this);
    m_delete = actionButton(QStringLiteral("historyDeleteButton"), tr("Delete…"),
                            tr("Remove the selected runs from the history."), this);

    auto* filters = new QHBoxLayout;
    filters->addWidget(m_outcome);
    filters->addWidget(m_language);
    filters->addWidget(m_backend);
    filters->addWidget(m_grants);
    auto* actions = new QHBoxLayout;
    for (QPushButton* b : {m_open, m_rerun, m_compare, m_export, m_delete})
        actions->addWidget(b);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_list);
    split->addWidget(m_details);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_search);
    layout->addLayout(filters);
    layout->addWidget(split, 1);
    layout->addLayout(actions);

    // A search reads every run's code and output (about 1 s for 3,000 runs with 200 KiB each):
    // it waits until typing pauses, or Return.
    m_searchDelay.setSingleShot(true);
    m_searchDelay.setInterval(300);
    connect(&m_searchDelay, &QTimer::timeout, this, &HistoryPanel::refresh);
    connect(m_search, &QLineEdit::textChanged, &m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &HistoryPanel::refresh);
    for (QComboBox* combo : {m_outcome, m_language, m_backend, m_grants})
        connect(combo, &QComboBox::currentIndexChanged, this, &HistoryPanel::refresh);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, [this] {
        showSelected();
        updateActions();
    });
    connect(m_list, &QTreeWidget::itemActivated, this, [this] {
        if (auto record = selectedRecord())
            emit openRequested(*record);
    });
    connect(m_open, &QPushButton::clicked, this, [this] {
        if (auto record = selectedRecord())
            emit openRequested(*record);
    });
    connect(m_rerun, &QPushButton::clicked, this, [this] {
        if (auto record = selectedRecord())
            emit rerunRequested(*record);
    });
    connect(m_compare, &QPushButton::clicked, this, &HistoryPanel::compareSelected);
    connect(m_export, &QPushButton::clicked, this, &HistoryPanel::exportSelected);
    connect(m_delete, &QPushButton::clicked, this, &HistoryPanel::deleteSelected);

    const bool enabled = m_store && m_store->isEnabled();
    for (QWidget* w : std::initializer_list<QWidget*>{m_search, m_outcome, m_language, m_backend, m_grants, m_list})
        w->setEnabled(enabled);
    if (!m_store)
        m_status->setText(tr("History is switched off."));
    else if (!enabled)
        m_status->setText(m_store->disabledReason());
    m_status->setVisible(!enabled);
    refresh();
}

HistoryFilter HistoryPanel::filter() const
{
    HistoryFilter f;
    f.text = m_search->text().toUtf8();
    f.outcome = m_outcome->currentData().toString();
    f.language = m_language->currentData().toString();
    f.backend = m_backend->currentData().toString();
    const int grants = m_grants->currentData().toInt();
    if (grants >= 0)
        f.granted = grants == 1;
    f.limit = 500;
    return f;
}

void HistoryPanel::refresh()
{
    if (!m_store || !m_store->isEnabled()) {
        updateActions();
        return;
    }
    m_searchDelay.stop();
    const QList<qint64> selected = selectedIds();
    QList<HistoryRecord> records = m_store->list(filter());
    // A run another process was running when the store opened may have been interrupted since.
    const QString me = ProcessOwner::tag();
    if (std::any_of(records.cbegin(), records.cend(),
                    [&](const HistoryRecord& r) { return r.state == HistoryState::Running && r.owner != me; })
        && m_store->reclaimAbandoned() > 0)
        records = m_store->list(filter());
    if (!m_store->error().isEmpty()) {
        m_status->setText(m_store->error());
        m_status->show();
    } else {
        m_status->hide();
    }
    {
        const QSignalBlocker block(m_list);
        m_list->clear();
        for (const HistoryRecord& r : records) {
            auto* item = new QTreeWidgetItem(m_list);
            item->setText(IdColumn, QString::number(r.id));
            item->setData(IdColumn, Qt::UserRole, r.id);
            item->setText(StartedColumn, r.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
            item->setText(LanguageColumn, r.language);
            item->setText(BackendColumn, r.backend);
            item->setText(ResultColumn, r.outcome());
            item->setToolTip(ResultColumn, r.message);
            item->setText(WallColumn, r.wallMs >= 0 ? humanDuration(r.wallMs) : QStringLiteral("-"));
            item->setText(CodeColumn, r.firstLine());
        }
    }
    selectIds(selected);
    showSelected();
    updateActions();
}

QList<qint64> HistoryPanel::selectedIds() const
{
    QList<qint64> ids;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i)
        if (m_list->topLevelItem(i)->isSelected())
            ids << m_list->topLevelItem(i)->data(IdColumn, Qt::UserRole).toLongLong();
    return ids;
}

void HistoryPanel::selectIds(const QList<qint64>& ids)
{
    const QSignalBlocker block(m_list);
    m_list->clearSelection();
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_list->topLevelItem(i);
        if (ids.contains(item->data(IdColumn, Qt::UserRole).toLongLong())) {
            item->setSelected(true);
            m_list->setCurrentItem(item, 0, QItemSelectionModel::NoUpdate);
        }
    }
    showSelected();
    updateActions();
}

std::optional<HistoryRecord> HistoryPanel::selectedRecord()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() != 1 || !m_store)
        return std::nullopt;
    std::optional<HistoryRecord> record = m_store->get(ids.first());
    if (!record)
        m_prompter.inform(tr("Run history"), m_store->error().isEmpty()
                                                 ? tr("Run #%1 is no longer in the history.").arg(ids.first())
                                                 : m_store->error());
    return record;
}

void HistoryPanel::showSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() != 1 || !m_store) {
        m_details->setPlainText(ids.size() > 1 ? tr("%1 runs selected.").arg(ids.size()) : QString());
        return;
    }
    const std::optional<HistoryRecord> record = m_store->get(ids.first());
    // Bytes as text, invalid UTF-8 shown as U+FFFD; never interpreted as markup.
    m_details->setPlainText(record ? QString::fromUtf8(HistoryCommand::details(*record, false)) : QString());
}

void HistoryPanel::updateActions()
{
    const qsizetype n = selectedIds().size();
    const bool usable = m_store && m_store->isEnabled();
    m_open->setEnabled(usable && n == 1);
    m_rerun->setEnabled(usable && n == 1);
    m_export->setEnabled(usable && n == 1);
    m_compare->setEnabled(usable && n == 2);
    m_delete->setEnabled(usable && n >= 1);
}

void HistoryPanel::compareSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() != 2)
        return;
    // Older on the left: the list is newest first.
    const std::optional<HistoryRecord> left = m_store->get(ids.at(1));
    const std::optional<HistoryRecord> right = m_store->get(ids.at(0));
    if (!left || !right) {
        m_prompter.inform(tr("Run history"), tr("One of the two runs is no longer in the history."));
        return;
    }
    auto* dialog = new HistoryCompareDialog(*left, *right, this);
    dialog->show();
}

void HistoryPanel::exportSelected()
{
    const std::optional<HistoryRecord> record = selectedRecord();
    if (!record)
        return;
    const QString path = m_prompter.chooseSaveFile(tr("Export run #%1").arg(record->id),
                                                   QStringLiteral("codecourier-run-%1.json").arg(record->id));
    if (path.isEmpty())
        return;
    QFile file(path);
    const QByteArray json = record->toJson();
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(json) != json.size() || !file.flush()) {
        m_prompter.inform(tr("Export failed"),
                          tr("Could not write %1: %2. Choose another folder.").arg(path, file.errorString()));
        return;
    }
}

void HistoryPanel::deleteSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.isEmpty() || !m_store)
        return;
    const QString question = ids.size() == 1
                                 ? tr("Delete run #%1 from the history? Its code and output will be gone.").arg(ids.first())
                                 : tr("Delete %1 runs from the history? Their code and output will be gone.").arg(ids.size());
    if (!m_prompter.confirmDelete(tr("Delete from history"), question))
        return;
    QStringList failures;
    for (qint64 id : ids)
        if (!m_store->remove(id) && !m_store->error().isEmpty())
            failures << m_store->error();
    if (!failures.isEmpty())
        m_prompter.inform(tr("Delete failed"), failures.first());
    refresh();
}

} // namespace cc
