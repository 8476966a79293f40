#pragma once

#include "Prompter.h"
#include "RunResult.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace cc {

class ArtifactPreview;
class RefusedEntryList;

/// The files the last run left in /workspace/out: name, size and type of each, the entries that
/// were refused and why, and the engine's note; a preview of the selected one; Save As… and Save
/// all… through ArtifactWriter, asking (Prompter) before a plain file is replaced. It reads only
/// the RunResult, so Docker and E2B runs look alike. Names came from the sandbox: shown as plain
/// text only.
class ArtifactPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ArtifactPanel(Prompter prompter, QWidget* parent = nullptr);

    void setPrompter(Prompter prompter) { m_prompter = std::move(prompter); }

    /// Lists what this run collected, replacing the previous run's list.
    void showResult(const RunResult& result);
    /// Empties the list and the preview (a new run starts).
    void clear();

    int artifactCount() const { return int(m_artifacts.size()); }
    int refusedCount() const { return int(m_refused.size()); }
    /// Selects the first PNG or JPEG, else the first SVG, else the first artifact; false when there is none.
    bool selectFirstPicture();

    void saveSelectedAs();
    void saveAll();

signals:
    /// The list changed (a result arrived, or it was cleared).
    void countChanged(int artifacts, int refused);

private:
    void onSelectionChanged();
    const Artifact* selectedArtifact() const;
    void updateButtons();

    Prompter m_prompter;
    QList<Artifact> m_artifacts;
    QList<RefusedArtifact> m_refused;
    QLabel* m_summary;
    QTreeWidget* m_list;
    RefusedEntryList* m_refusedList;
    QLabel* m_note;
    QPushButton* m_saveButton;
    QPushButton* m_saveAllButton;
    QLabel* m_status;
    ArtifactPreview* m_preview;
};

} // namespace cc
