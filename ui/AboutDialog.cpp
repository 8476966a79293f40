#include "AboutDialog.h"

#include "http/HttpClient.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QVBoxLayout>
#include <Qsci/qsciglobal.h>

namespace cc {

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About CodeCourier"));
    auto* title = new QLabel(tr("CodeCourier %1").arg(QStringLiteral(CODECOURIER_VERSION)), this);
    QFont big = title->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.3);
    title->setFont(big);
    auto* what = new QLabel(tr("Runs code an AI wrote in a disposable sandbox: no network, no host files, limited "
                               "time, memory and processes unless you grant more for one run."),
                            this);
    what->setWordWrap(true);
    m_versions = new QLabel(this);
    m_versions->setObjectName(QStringLiteral("aboutVersions"));
    m_docker = new QLabel(tr("Docker engine: asking…"), this);
    m_docker->setObjectName(QStringLiteral("aboutDocker"));
    m_docker->setWordWrap(true);
    for (QLabel* label : {title, what, m_versions, m_docker}) {
        label->setTextFormat(Qt::PlainText);  // the engine's version is its own words
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    const QString curl = http::HttpClient::libraryVersion();
    m_versions->setText(tr("Qt %1\nQScintilla %2\nlibcurl %3")
                            .arg(QString::fromLatin1(qVersion()), QStringLiteral(QSCINTILLA_VERSION_STR),
                                 curl.isEmpty() ? tr("(unknown)") : curl));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(what);
    layout->addSpacing(8);
    layout->addWidget(m_versions);
    layout->addWidget(m_docker);
    layout->addWidget(buttons);
    setMinimumWidth(420);
}

void AboutDialog::setDockerHealth(const docker::DockerHealth& health)
{
    if (health.ready())
        m_docker->setText(tr("Docker engine %1 (API %2) at %3")
                              .arg(health.engineVersion, health.apiVersion.isEmpty() ? tr("?") : health.apiVersion,
                                   health.socketPath));
    else
        m_docker->setText(tr("Docker engine: not reachable. %1").arg(health.sentence));
}

QString AboutDialog::versionsText() const
{
    return m_versions->text() + QLatin1Char('\n') + m_docker->text();
}

} // namespace cc
