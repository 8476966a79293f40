#pragma once

#include "docker/DockerHealth.h"

#include <QDialog>

class QLabel;

namespace cc {

/// Help ▸ About: what CodeCourier is and the versions it runs with: Qt, QScintilla, libcurl and
/// the Docker engine in use (which arrives later, from the engine layer's probe).
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(QWidget* parent = nullptr);

    /// The engine's answer: its version, or "not reachable" and why.
    void setDockerHealth(const docker::DockerHealth& health);
    /// What the versions say, one per line ("Qt 6.4.2"), as a person could paste it into a bug report.
    QString versionsText() const;

private:
    QLabel* m_versions;
    QLabel* m_docker;
};

} // namespace cc
