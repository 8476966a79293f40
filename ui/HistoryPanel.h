#pragma once

#include "HistoryRecord.h"
#include "Prompter.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace cc {

class HistoryStore;

/// The run history beside the playground: a list of runs, newest first, with search and filters
/// (verdict or state, language, backend, grants), the details of the selected run, and actions:
/// open in the editor, re-run, compare two runs' outputs, export as JSON, delete. Everything that
/// came from a run (code, output, answers) is shown as plain text, never as markup.
class HistoryPanel : public QWidget
{
    Q_OBJECT
public:
    /// store may be nullptr or disabled: the panel then says why and offers nothing.
    HistoryPanel(HistoryStore* store, const Prompter& prompter, QWidget* parent = nullptr);

    void setPrompter(const Prompter& prompter) { m_prompter = prompter; }
    /// Reads the list again with the current filters, keeping the selection where it can.
    void refresh();
    /// The ids of the selected runs, in list order.
    QList<qint64> selectedIds() const;
    /// Selects exactly these runs (tests, and keeping a selection across refreshes).
    void selectIds(const QList<qint64>& ids);
    HistoryFilter filter() const;

signals:
    /// Load this run's code, language, backend, image and limits into the playground (grants off).
    void openRequested(const cc::HistoryRecord& record);
    /// The same, then run it.
    void rerunRequested(const cc::HistoryRecord& record);

private:
    void showSelected();
    void updateActions();
    std::optional<HistoryRecord> selectedRecord();
    void compareSelected();
    void exportSelected();
    void deleteSelected();

    HistoryStore* m_store;
    Prompter m_prompter;
    QLabel* m_status = nullptr;
    QLineEdit* m_search = nullptr;
    QTimer m_searchDelay;
    QComboBox* m_outcome = nullptr;
    QComboBox* m_language = nullptr;
    QComboBox* m_backend = nullptr;
    QComboBox* m_grants = nullptr;
    QTreeWidget* m_list = nullptr;
    QPlainTextEdit* m_details = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_rerun = nullptr;
    QPushButton* m_compare = nullptr;
    QPushButton* m_export = nullptr;
    QPushButton* m_delete = nullptr;
};

} // namespace cc
