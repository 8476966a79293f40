#pragma once

#include "docker/DockerHealth.h"

#include <QFrame>

class QLabel;
class QLineEdit;
class QPushButton;

namespace cc {

/// The guided panel above the playground when the Docker engine cannot be used: what is wrong,
/// the command that fixes it (selectable, with a Copy button), what to do after it, a Re-check
/// button and the way out through E2B. Shows what the engine layer diagnosed (DockerHealth);
/// it never looks at sockets itself. Hidden while the engine is ready.
class DockerSetupPanel : public QFrame
{
    Q_OBJECT
public:
    explicit DockerSetupPanel(QWidget* parent = nullptr);

    /// Shows the diagnosis, or hides the panel when the engine is ready.
    void showHealth(const docker::DockerHealth& health);
    /// While a check is under way the Re-check button is off and says so.
    void setChecking(bool checking);
    /// e2bReady: E2B has its key, so the button switches to it; otherwise it opens the settings.
    void setE2BOffer(bool e2bReady);

    QString command() const;

signals:
    void recheckRequested();
    void useE2BRequested();
    void setUpE2BRequested();

private:
    QLabel* m_title;
    QLabel* m_sentence;
    QLineEdit* m_command;
    QPushButton* m_copy;
    QLabel* m_afterFix;
    QPushButton* m_recheck;
    QPushButton* m_e2b;
    QLabel* m_checked;
    bool m_e2bReady = false;
};

} // namespace cc
