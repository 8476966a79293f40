#include "ArtifactPanel.h"

#include "ArtifactPreview.h"
#include "ArtifactWriter.h"
#include "PlainLabel.h"
#include "RefusedEntryList.h"
#include "VerdictDecider.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cc {

namespace {

QString files(qsizetype count)
{
    return count == 1 ? ArtifactPanel::tr("1 file") : ArtifactPanel::tr("%1 files").arg(count);
}

/// Whether something (a file, a folder, or a link, even a dangling one) is at path.
bool entryExists(const QString& path)
{
    const QFileInfo info(path);
    return info.exists() || info.isSymLink();
}

} // namespace

ArtifactPanel::ArtifactPanel(Prompter prompter, QWidget* parent) : QWidget(parent), m_prompter(std::move(prompter))
{
    setObjectName(QStringLiteral("artifactPanel"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("artifactSplitter"));
    layout->addWidget(splitter);

    auto* side = new QWidget(splitter);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    m_summary = new PlainLabel(QStringLiteral("artifactSummary"), side);

    m_list = new QTreeWidget(side);
    m_list->setObjectName(QStringLiteral("artifactList"));
    m_list->setHeaderLabels({tr("Name"), tr("Size"), tr("Type")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_list->header()->setStretchLastSection(false);
    m_list->setToolTip(tr("The files the program wrote to /workspace/out, collected after it ended. Nothing is "
                          "written to your disk until you save."));

    m_refusedList = new RefusedEntryList(QStringLiteral("refusedArtifactList"), tr("Not collected:"), side);

    m_note = new PlainLabel(QStringLiteral("artifactNote"), side);

    auto* buttons = new QHBoxLayout;
    m_saveButton = new QPushButton(tr("Save As…"), side);
    m_saveButton->setObjectName(QStringLiteral("saveArtifactButton"));
    m_saveButton->setToolTip(tr("Save the selected artifact to a file you choose."));
    m_saveAllButton = new QPushButton(tr("Save all…"), side);
    m_saveAllButton->setObjectName(QStringLiteral("saveAllArtifactsButton"));
    m_saveAllButton->setToolTip(tr("Save every artifact, with its folders, in a folder you choose."));
    buttons->addWidget(m_saveButton);
    buttons->addWidget(m_saveAllButton);
    buttons->addStretch(1);
    m_status = new PlainLabel(QStringLiteral("artifactStatus"), side);

    sideLayout->addWidget(m_summary);
    sideLayout->addWidget(m_list, 1);
    sideLayout->addWidget(m_refusedList);
    sideLayout->addWidget(m_note);
    sideLayout->addLayout(buttons);
    sideLayout->addWidget(m_status);

    m_preview = new ArtifactPreview(splitter);
    splitter->addWidget(side);
    splitter->addWidget(m_preview);
    splitter->setStretchFactor(1, 2);

    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &ArtifactPanel::onSelectionChanged);
    connect(m_saveButton, &QPushButton::clicked, this, &ArtifactPanel::saveSelectedAs);
    connect(m_saveAllButton, &QPushButton::clicked, this, &ArtifactPanel::saveAll);
    clear();
}

void ArtifactPanel::clear()
{
    m_artifacts.clear();
    m_refused.clear();
    m_list->clear();
    m_refusedList->clear();
    m_note->clear();
    m_note->hide();
    m_status->clear();
    m_preview->clear();
    m_summary->setText(tr("Files the program writes to /workspace/out are listed here after the run."));
    updateButtons();
    emit countChanged(0, 0);
}

void ArtifactPanel::showResult(const RunResult& result)
{
    clear();
    m_artifacts = result.artifacts;
    m_refused = result.refusedArtifacts;
    for (qsizetype i = 0; i < m_artifacts.size(); ++i) {
        const Artifact& artifact = m_artifacts.at(i);
        // Item views draw text as text: a name like "<b>x</b>" stays those characters.
        auto* item = new QTreeWidgetItem(m_list, {artifact.path, humanBytes(artifact.size),
                                                  artifactTypeName(artifact.type)});
        item->setData(0, Qt::UserRole, int(i));
        item->setToolTip(1, tr("%1 bytes").arg(artifact.size));
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    }
    m_list->resizeColumnToContents(1);
    m_list->resizeColumnToContents(2);
    m_refusedList->setEntries(m_refused);
    m_note->setText(result.artifactsNote);
    m_note->setVisible(!result.artifactsNote.isEmpty());

    qint64 total = 0;
    for (const Artifact& artifact : m_artifacts)
        total += artifact.size;
    if (m_artifacts.isEmpty())
        m_summary->setText(m_refused.isEmpty() ? tr("The run left no files in /workspace/out.")
                                               : tr("No files collected from /workspace/out."));
    else
        m_summary->setText(tr("%1 from /workspace/out, %2 in all. Select one to preview it.")
                               .arg(files(m_artifacts.size()), humanBytes(total)));
    updateButtons();
    emit countChanged(artifactCount(), refusedCount());
}

bool ArtifactPanel::selectFirstPicture()
{
    if (m_list->topLevelItemCount() == 0)
        return false;
    // A decoded picture is what the person most likely came for (a chart); then a drawing.
    int row = -1;
    for (const bool raster : {true, false}) {
        for (int i = 0; row < 0 && i < m_artifacts.size(); ++i) {
            const ArtifactType type = m_artifacts.at(i).type;
            if (raster ? (type == ArtifactType::Png || type == ArtifactType::Jpeg) : type == ArtifactType::Svg)
                row = i;
        }
    }
    m_list->setCurrentItem(m_list->topLevelItem(qMax(row, 0)));
    return true;
}

const Artifact* ArtifactPanel::selectedArtifact() const
{
    const QList<QTreeWidgetItem*> items = m_list->selectedItems();
    if (items.isEmpty())
        return nullptr;
    const int index = items.first()->data(0, Qt::UserRole).toInt();
    return index >= 0 && index < m_artifacts.size() ? &m_artifacts.at(index) : nullptr;
}

void ArtifactPanel::onSelectionChanged()
{
    m_status->clear();
    if (const Artifact* artifact = selectedArtifact())
        m_preview->showArtifact(*artifact);
    else
        m_preview->clear();
    updateButtons();
}

void ArtifactPanel::updateButtons()
{
    m_saveButton->setEnabled(selectedArtifact() != nullptr);
    m_saveAllButton->setEnabled(!m_artifacts.isEmpty());
}

void ArtifactPanel::saveSelectedAs()
{
    const Artifact* selected = selectedArtifact();
    if (!selected || !m_prompter.chooseNewFile)
        return;
    const QString title = tr("Save artifact");
    const QString path = m_prompter.chooseNewFile(title, QFileInfo(selected->path).fileName());
    if (path.isEmpty())
        return;
    const QFileInfo target(path);
    bool replace = false;
    if (entryExists(path)) {
        if (target.isSymLink() || !target.isFile()) {
            m_prompter.inform(title, tr("%1 is a link or a folder; it is never replaced. Choose another name.")
                                         .arg(target.absoluteFilePath()));
            return;
        }
        if (!m_prompter.confirmReplace ||
            !m_prompter.confirmReplace(title, tr("%1 already exists. Replace it with %2 from the sandbox?")
                                                  .arg(target.absoluteFilePath(), selected->path))) {
            m_status->setText(tr("Not saved: %1 was left as it is.").arg(target.absoluteFilePath()));
            return;
        }
        replace = true;
    }
    // The person chose the name; the writer still checks it and saves the same careful way as the
    // command line: no link followed, a temporary file renamed into place.
    Artifact copy = *selected;
    copy.path = target.fileName();
    ArtifactWriter writer(target.absolutePath(), replace);
    QString problem = writer.open();
    QString savedTo;
    if (problem.isEmpty())
        problem = writer.write(copy, &savedTo);
    if (!problem.isEmpty()) {
        m_status->setText(tr("Not saved: %1").arg(problem));
        m_prompter.inform(title, problem);
        return;
    }
    m_status->setText(tr("Saved as %1.").arg(savedTo));
}

void ArtifactPanel::saveAll()
{
    if (m_artifacts.isEmpty() || !m_prompter.chooseFolder)
        return;
    const QString title = tr("Save all artifacts");
    const QString folder = m_prompter.chooseFolder(title);
    if (folder.isEmpty())
        return;
    const QDir dir(folder);
    QStringList existing;
    for (const Artifact& artifact : m_artifacts)
        if (entryExists(dir.filePath(artifact.path)))
            existing << artifact.path;
    bool replace = false;
    if (!existing.isEmpty() && m_prompter.confirmReplace)
        replace = m_prompter.confirmReplace(
            title, tr("Already in %1: %2.\n\nReplace these plain files? Links and folders are never replaced; "
                      "without replacing, the other artifacts are still saved.")
                       .arg(folder, existing.join(QStringLiteral(", "))));

    ArtifactWriter writer(dir.absolutePath(), replace);
    if (const QString problem = writer.open(); !problem.isEmpty()) {
        m_status->setText(tr("Not saved: %1").arg(problem));
        m_prompter.inform(title, problem);
        return;
    }
    int saved = 0;
    QStringList failures;
    for (const Artifact& artifact : m_artifacts) {
        if (!replace && existing.contains(artifact.path)) {
            failures << tr("%1 is already there and was left as it is.").arg(artifact.path);
            continue;
        }
        const QString problem = writer.write(artifact);
        if (problem.isEmpty())
            ++saved;
        else
            failures << problem;
    }
    QString summary = tr("Saved %1 in %2.").arg(files(saved), dir.absolutePath());
    if (!failures.isEmpty())
        summary += QLatin1Char(' ') + tr("%1 not saved:").arg(failures.size()) + QLatin1Char('\n') +
                   failures.join(QLatin1Char('\n'));
    m_status->setText(summary);
    if (!failures.isEmpty())
        m_prompter.inform(title, summary);
}

} // namespace cc
