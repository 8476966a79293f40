#include "DockerSetupPanel.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTime>
#include <QVBoxLayout>

namespace cc {

namespace {

QString titleFor(docker::DockerHealth::Status status)
{
    using S = docker::DockerHealth::Status;
    switch (status) {
    case S::NotInstalled:
        return QObject::tr("Docker is not installed");
    case S::NotRunning:
        return QObject::tr("Docker is not running");
    case S::PermissionDenied:
        return QObject::tr("Docker is running, but your account may not use it yet");
    case S::Unhealthy:
    case S::Ready:
        break;
    }
    return QObject::tr("Docker does not answer as it should");
}

QLabel* plainLabel(QWidget* parent, const char* name)
{
    auto* label = new QLabel(parent);
    label->setObjectName(QLatin1String(name));
    // Sentences carry socket paths and engine words: never markup.
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

DockerSetupPanel::DockerSetupPanel(QWidget* parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("dockerSetupPanel"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, pal.color(QPalette::AlternateBase));
    setPalette(pal);

    m_title = plainLabel(this, "dockerSetupTitle");
    QFont big = m_title->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.15);
    m_title->setFont(big);
    m_sentence = plainLabel(this, "dockerSetupSentence");

    m_command = new QLineEdit(this);
    m_command->setObjectName(QStringLiteral("dockerFixCommand"));
    m_command->setReadOnly(true);
    m_command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_command->setToolTip(tr("Run this in a terminal. Select it, or press Copy."));
    m_copy = new QPushButton(tr("Copy"), this);
    m_copy->setObjectName(QStringLiteral("copyFixCommandButton"));
    connect(m_copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_command->text()); });
    m_afterFix = plainLabel(this, "dockerAfterFix");

    m_recheck = new QPushButton(tr("Re-check"), this);
    m_recheck->setObjectName(QStringLiteral("recheckDockerButton"));
    m_recheck->setToolTip(tr("Ask Docker again, after you ran the command."));
    connect(m_recheck, &QPushButton::clicked, this, &DockerSetupPanel::recheckRequested);
    m_e2b = new QPushButton(this);
    m_e2b->setObjectName(QStringLiteral("useE2BButton"));
    connect(m_e2b, &QPushButton::clicked, this,
            [this] { m_e2bReady ? emit useE2BRequested() : emit setUpE2BRequested(); });
    m_checked = plainLabel(this, "dockerCheckedLabel");
    m_checked->setEnabled(false);  // greyed: a footnote

    auto* commandRow = new QHBoxLayout;
    auto* commandLabel = new QLabel(tr("Fix it with:"), this);
    commandRow->addWidget(commandLabel);
    commandRow->addWidget(m_command, 1);
    commandRow->addWidget(m_copy);
    commandRow->addStretch(1);
    m_command->setMinimumWidth(m_command->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 36);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_recheck);
    buttons->addWidget(m_e2b);
    buttons->addWidget(m_checked, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_sentence);
    layout->addLayout(commandRow);
    layout->addWidget(m_afterFix);
    layout->addLayout(buttons);
    setE2BOffer(false);
    hide();
}

void DockerSetupPanel::showHealth(const docker::DockerHealth& health)
{
    setChecking(false);
    if (health.ready()) {
        hide();
        return;
    }
    m_title->setText(titleFor(health.status));
    m_sentence->setText(health.sentence);
    m_command->setText(health.fixCommand);
    m_command->setCursorPosition(0);
    m_command->setVisible(!health.fixCommand.isEmpty());
    m_copy->setVisible(!health.fixCommand.isEmpty());
    m_afterFix->setText(health.afterFix);
    m_afterFix->setVisible(!health.afterFix.isEmpty());
    m_checked->setText(tr("Checked at %1.").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss"))));
    show();
}

void DockerSetupPanel::setChecking(bool checking)
{
    m_recheck->setEnabled(!checking);
    m_recheck->setText(checking ? tr("Checking…") : tr("Re-check"));
}

void DockerSetupPanel::setE2BOffer(bool e2bReady)
{
    m_e2bReady = e2bReady;
    m_e2b->setText(e2bReady ? tr("Use E2B instead") : tr("Set up E2B instead…"));
    m_e2b->setToolTip(e2bReady ? tr("Run snippets in a remote E2B microVM: no Docker needed on this machine.")
                               : tr("Run snippets in a remote E2B microVM instead: enter your E2B API key in the "
                                    "settings (e2b.dev gives one)."));
}

QString DockerSetupPanel::command() const
{
    return m_command->text();
}

} // namespace cc
