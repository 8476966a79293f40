#include "ImageBuildPanel.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace cc {

namespace {
constexpr int kMaximumLogLines = 2'000;
}

ImageBuildPanel::ImageBuildPanel(ImageBuilder* builder, QWidget* parent) : QFrame(parent), m_builder(builder)
{
    setObjectName(QStringLiteral("imageBuildPanel"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, pal.color(QPalette::AlternateBase));
    setPalette(pal);

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("imageBuildTitle"));
    m_title->setTextFormat(Qt::PlainText);  // the image name is the user's setting
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_explain = new QLabel(this);
    m_explain->setObjectName(QStringLiteral("imageBuildExplanation"));
    m_explain->setTextFormat(Qt::PlainText);
    m_explain->setWordWrap(true);
    m_explain->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_build = new QPushButton(tr("Build image"), this);
    m_build->setObjectName(QStringLiteral("buildImageButton"));
    connect(m_build, &QPushButton::clicked, this, &ImageBuildPanel::startBuild);
    m_cancel = new QPushButton(tr("Cancel build"), this);
    m_cancel->setObjectName(QStringLiteral("cancelBuildButton"));
    connect(m_cancel, &QPushButton::clicked, m_builder, &ImageBuilder::cancel);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("imageBuildProgress"));
    m_stage = new QLabel(this);
    m_stage->setObjectName(QStringLiteral("imageBuildStage"));
    m_stage->setTextFormat(Qt::PlainText);  // the script's words
    m_stage->setWordWrap(true);
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("imageBuildLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(kMaximumLogLines);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setMaximumHeight(140);

    auto* row = new QHBoxLayout;
    row->addWidget(m_build);
    row->addWidget(m_cancel);
    row->addWidget(m_progress, 3);
    row->addStretch(1);  // the Build button keeps its size while the bar is hidden
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_explain);
    layout->addLayout(row);
    layout->addWidget(m_stage);
    layout->addWidget(m_log);

    connect(m_builder, &ImageBuilder::logLine, m_log, &QPlainTextEdit::appendPlainText);
    connect(m_builder, &ImageBuilder::progress, this, &ImageBuildPanel::onProgress);
    connect(m_builder, &ImageBuilder::finished, this, &ImageBuildPanel::onFinished);
    m_cancel->hide();
    m_progress->hide();
    m_stage->hide();
    m_log->hide();
    hide();
}

void ImageBuildPanel::offer(const QString& image, const QString& languages)
{
    if (m_builder->isRunning())
        return;
    const bool newImage = image != m_image;
    m_image = image;
    m_title->setText(tr("The image for %1 is missing: %2").arg(languages, image));
    QString explanation;
    const QString reason = m_builder->unavailableReason();
    if (!ImageBuilder::canBuild(image)) {
        explanation = tr("Snippets run inside this container image, and Docker does not have it. CodeCourier can only "
                         "build its own runner images (codecourier/runner:…): pull this one, or choose another "
                         "image in the run bar or in Settings.");
    } else if (!reason.isEmpty()) {
        explanation = reason;
    } else {
        explanation = tr("Snippets run inside this container image, and Docker does not have it yet. CodeCourier can "
                         "build it from the Debian archive; that usually takes a few minutes.");
        explanation += QLatin1Char(' ');
        explanation += m_builder->needsElevation()
                           ? tr("Building needs root: you will be asked for your password (pkexec).")
                           : tr("It runs as root, as this app does.");
    }
    m_explain->setText(explanation);
    m_build->setVisible(ImageBuilder::canBuild(image));
    m_build->setEnabled(reason.isEmpty());
    m_build->setToolTip(tr("Runs: %1").arg(m_builder->commandLine(image).join(QLatin1Char(' '))));
    if (newImage) {
        // A new image starts a new story; an old build's log stays for the image it was about.
        m_build->setText(tr("Build image"));
        m_progress->hide();
        m_stage->hide();
        m_log->hide();
        m_log->clear();
    }
    show();
}

void ImageBuildPanel::withdraw()
{
    if (!m_builder->isRunning())
        hide();
}

void ImageBuildPanel::startBuild()
{
    m_log->clear();
    m_log->show();
    if (!m_builder->start(m_image)) {
        m_stage->setText(m_builder->unavailableReason());
        m_stage->show();
        return;
    }
    m_log->appendPlainText(QStringLiteral("$ ") + m_builder->commandLine(m_image).join(QLatin1Char(' ')));
    m_build->setEnabled(false);
    m_cancel->show();
    m_cancel->setEnabled(true);
    m_progress->setRange(0, 0);  // busy until the script names its first stage
    m_progress->show();
    m_stage->setText(m_builder->needsElevation() ? tr("Starting… Enter your password when asked.") : tr("Starting…"));
    m_stage->show();
}

void ImageBuildPanel::onProgress(int step, int steps, const QString& stage)
{
    if (steps <= 0)
        return;
    m_progress->setRange(0, steps);
    // A stage line announces the work, so the bar fills up to the stage before it.
    m_progress->setValue(qBound(0, step - 1, steps));
    m_stage->setText(tr("Step %1 of %2: %3").arg(step).arg(steps).arg(stage));
}

void ImageBuildPanel::onFinished(ImageBuilder::Outcome outcome, const QString& sentence)
{
    m_cancel->hide();
    m_build->setEnabled(true);
    m_stage->setText(sentence);
    if (outcome == ImageBuilder::Outcome::Built) {
        m_progress->setRange(0, 1);
        m_progress->setValue(1);
        emit built(m_image);
        return;
    }
    m_progress->hide();
    m_build->setText(tr("Try again"));
}

} // namespace cc
