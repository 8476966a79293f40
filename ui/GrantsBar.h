#pragma once

#include "Prompter.h"
#include "RunSpec.h"

#include <QWidget>

class QLabel;
class QToolButton;

namespace cc {

class RunSession;

/// The Network and Filesystem toggles next to Run. Both are off by default and go off again
/// for every new snippet; turning one on asks for confirmation in a sentence that names the
/// consequence. The folder toggle shares read-only; its menu also offers review mode (a copy the
/// code may change, whose changes come back for the person to accept). Active grants stay visible
/// in a warning colour.
class GrantsBar : public QWidget
{
    Q_OBJECT
public:
    GrantsBar(RunSession* session, Prompter prompter, QWidget* parent = nullptr);

    void setPrompter(Prompter prompter) { m_prompter = std::move(prompter); }
    /// The line naming the active grants in a warning colour, hidden while there are none. Not in
    /// the bar's own layout: a long folder path would push Run off a toolbar, so the owner places
    /// it where it has the width (the window puts it above the playground).
    QLabel* warningLabel() const { return m_warning; }
    /// The sentence a person must agree to before the network is granted.
    static QString networkQuestion();
    /// The sentence a person must agree to before folder is shared in the given mode.
    static QString folderQuestion(const QString& folder, Grants::HostFolderMode mode);
    /// Asks for a folder, checks it, asks for agreement, then grants it in mode.
    void grantFolder(Grants::HostFolderMode mode);

private:
    void onNetworkToggled(bool on);
    void onFolderToggled(bool on);
    void showGrants(const Grants& grants);

    RunSession* m_session;
    Prompter m_prompter;
    QToolButton* m_network;
    QToolButton* m_folder;
    QLabel* m_warning;
};

} // namespace cc
