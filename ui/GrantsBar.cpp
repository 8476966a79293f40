#include "GrantsBar.h"

#include "HostFolderPolicy.h"
#include "RunSession.h"

#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSignalBlocker>
#include <QToolButton>

namespace cc {

QString GrantsBar::networkQuestion()
{
    return tr("The code will be able to reach the internet and your local network during this run "
              "(it gets a network of its own, not your machine's). Allow network access for this run?");
}

GrantsBar::GrantsBar(RunSession* session, Prompter prompter, QWidget* parent)
    : QWidget(parent), m_session(session), m_prompter(std::move(prompter))
{
    setObjectName(QStringLiteral("grantsBar"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    m_network = new QToolButton(this);
    m_network->setObjectName(QStringLiteral("networkToggle"));
    m_network->setCheckable(true);
    m_network->setToolTip(tr("Network access is off by default: the code cannot reach the internet, your local "
                             "network or this machine. Turn it on only for code that must download or call a "
                             "service; it applies to one run."));
    m_folder = new QToolButton(this);
    m_folder->setObjectName(QStringLiteral("filesystemToggle"));
    m_folder->setCheckable(true);
    m_folder->setToolTip(tr("Files on this machine are out of reach by default. Turn this on to share one folder, "
                            "read-only, at /workspace/host for one run; or, from the arrow's menu, give the code a "
                            "copy it may change, and decide afterwards which changes reach the folder. Your home "
                            "folder, system folders and key stores are refused."));
    m_folder->setPopupMode(QToolButton::MenuButtonPopup);
    auto* folderMenu = new QMenu(m_folder);
    folderMenu->setObjectName(QStringLiteral("folderGrantMenu"));
    QAction* readOnly = folderMenu->addAction(tr("Share a folder read-only…"));
    readOnly->setObjectName(QStringLiteral("grantFolderReadOnly"));
    QAction* review = folderMenu->addAction(tr("Let the code change a copy of a folder (review)…"));
    review->setObjectName(QStringLiteral("grantFolderReview"));
    review->setToolTip(tr("The folder is copied into the sandbox; after the run you see what the code added, "
                          "changed or deleted, and only the changes you accept are written to the folder."));
    QAction* off = folderMenu->addAction(tr("Share no folder"));
    off->setObjectName(QStringLiteral("grantFolderOff"));
    m_folder->setMenu(folderMenu);
    connect(readOnly, &QAction::triggered, this, [this] { grantFolder(Grants::HostFolderMode::ReadOnly); });
    connect(review, &QAction::triggered, this, [this] { grantFolder(Grants::HostFolderMode::Review); });
    connect(off, &QAction::triggered, this, [this] { onFolderToggled(false); });
    m_warning = new QLabel(this);
    m_warning->setObjectName(QStringLiteral("grantsWarning"));
    m_warning->setTextFormat(Qt::PlainText);
    m_warning->setWordWrap(true);
    m_warning->setContentsMargins(6, 3, 6, 3);
    QPalette warn = m_warning->palette();
    warn.setColor(QPalette::WindowText, QColor(0xd3, 0x54, 0x00));
    m_warning->setPalette(warn);
    QFont bold = m_warning->font();
    bold.setBold(true);
    m_warning->setFont(bold);

    layout->addWidget(m_network);
    layout->addWidget(m_folder);

    connect(m_network, &QToolButton::toggled, this, &GrantsBar::onNetworkToggled);
    connect(m_folder, &QToolButton::toggled, this, &GrantsBar::onFolderToggled);
    connect(m_session, &RunSession::grantsChanged, this, &GrantsBar::showGrants);
    showGrants(m_session->grants());
}

void GrantsBar::onNetworkToggled(bool on)
{
    if (on && !m_session->grants().network) {
        if (!m_prompter.confirm || !m_prompter.confirm(tr("Allow network access?"), networkQuestion())) {
            showGrants(m_session->grants());
            return;
        }
    }
    m_session->setNetworkGranted(on);
    showGrants(m_session->grants());
}

void GrantsBar::onFolderToggled(bool on)
{
    if (on) {
        grantFolder(Grants::HostFolderMode::ReadOnly);
        return;
    }
    m_session->setHostFolder(QString());
    showGrants(m_session->grants());
}

QString GrantsBar::folderQuestion(const QString& folder, Grants::HostFolderMode mode)
{
    if (mode == Grants::HostFolderMode::Review)
        return tr("A copy of %1 (its plain files, at most 50 MiB) goes into the sandbox at /workspace/host, where the "
                  "code may read and change it during this run. Nothing is written to the folder itself: after the "
                  "run you see every file the code added, changed or deleted, and only the changes you accept are "
                  "written. Copy this folder for this run?")
            .arg(folder);
    return tr("The code will be able to read every file in %1 during this run. It appears read-only at "
              "/workspace/host: the code cannot change, add or delete anything there. Share this folder for this "
              "run?")
        .arg(folder);
}

void GrantsBar::grantFolder(Grants::HostFolderMode mode)
{
    const bool review = mode == Grants::HostFolderMode::Review;
    const QString folder = m_prompter.chooseFolder ? m_prompter.chooseFolder(review ? tr("Copy a folder for review")
                                                                                    : tr("Share a folder read-only"))
                                                   : QString();
    if (folder.isEmpty()) {
        showGrants(m_session->grants());
        return;
    }
    const HostFolderCheck check = m_session->checkFolder(folder);
    if (!check.ok()) {
        if (m_prompter.inform)
            m_prompter.inform(tr("Folder refused"), check.error);
        showGrants(m_session->grants());
        return;
    }
    if (!m_prompter.confirm || !m_prompter.confirm(review ? tr("Copy a folder for review?") : tr("Share a folder?"),
                                                   folderQuestion(check.canonicalPath, mode))) {
        showGrants(m_session->grants());
        return;
    }
    m_session->setHostFolder(check.canonicalPath, mode);
    showGrants(m_session->grants());
}

void GrantsBar::showGrants(const Grants& grants)
{
    const QSignalBlocker blockNetwork(m_network);
    const QSignalBlocker blockFolder(m_folder);
    m_network->setChecked(grants.network);
    m_network->setText(grants.network ? tr("Network: ON") : tr("Network: off"));
    m_folder->setChecked(!grants.hostFolder.isEmpty());
    const bool review = grants.hostFolderMode == Grants::HostFolderMode::Review;
    m_folder->setText(grants.hostFolder.isEmpty() ? tr("Folder: off")
                      : review                    ? tr("Folder: review")
                                                  : tr("Folder: read-only"));
    QStringList active;
    if (grants.network)
        active << tr("network on");
    if (!grants.hostFolder.isEmpty())
        active << (review ? tr("a copy of %1 changeable at /workspace/host (you review the changes)")
                          : tr("%1 readable at /workspace/host"))
                      .arg(QDir::toNativeSeparators(grants.hostFolder));
    m_warning->setText(active.isEmpty() ? QString() : QStringLiteral("⚠ ") + active.join(QStringLiteral(" · ")));
    m_warning->setVisible(!active.isEmpty());
}

} // namespace cc
