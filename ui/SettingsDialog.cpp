#include "SettingsDialog.h"

#include "Language.h"
#include "LimitsEditor.h"
#include "Settings.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QSpinBox>
#include <QVBoxLayout>

namespace cc {

SettingsDialog::SettingsDialog(Settings* settings, QWidget* parent) : QDialog(parent), m_settings(settings)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));
    auto* layout = new QVBoxLayout(this);

    auto* docker = new QGroupBox(tr("Docker"), this);
    auto* dockerForm = new QFormLayout(docker);
    m_dockerHost = new QLineEdit(settings->dockerHost(), docker);
    m_dockerHost->setObjectName(QStringLiteral("dockerHostEdit"));
    m_dockerHost->setPlaceholderText(QStringLiteral("unix:///var/run/docker.sock"));
    m_dockerHost->setToolTip(tr("The Docker engine's socket, as DOCKER_HOST would name it. Empty: DOCKER_HOST or the "
                                "default socket. Takes effect at the next start."));
    dockerForm->addRow(tr("Endpoint"), m_dockerHost);
    m_runtime = new QLineEdit(settings->dockerRuntime(), docker);
    m_runtime->setObjectName(QStringLiteral("runtimeEdit"));
    m_runtime->setPlaceholderText(tr("engine default (runc)"));
    m_runtime->setToolTip(tr("The container runtime. runsc (gVisor) puts a user-space kernel between the code and "
                             "your machine's kernel; it must be installed and registered with Docker "
                             "(codecourier doctor says whether it is)."));
    dockerForm->addRow(tr("Runtime"), m_runtime);
    m_poolSize = new QSpinBox(docker);
    m_poolSize->setObjectName(QStringLiteral("poolSizeSpin"));
    m_poolSize->setRange(0, 8);
    m_poolSize->setValue(settings->poolSize());
    m_poolSize->setToolTip(tr("Sandboxes started ahead of time so that Run answers faster. Each is used for one run "
                              "only and never has network or host files. 0 turns this off. Takes effect at the next "
                              "start."));
    dockerForm->addRow(tr("Pre-started sandboxes"), m_poolSize);
    for (const Language& language : LanguageTable::all()) {
        auto* edit = new QLineEdit(settings->imageForLanguage(language.name), docker);
        edit->setObjectName(QStringLiteral("imageEdit_") + language.name);
        edit->setPlaceholderText(language.defaultImage);
        edit->setToolTip(tr("The image %1 snippets run in; it must contain `%2`.")
                             .arg(language.displayName, language.command.value(0)));
        dockerForm->addRow(tr("Image for %1").arg(language.displayName), edit);
        m_images.insert(language.name, edit);
    }
    layout->addWidget(docker);

    auto* limits = new QGroupBox(tr("Default limits of new runs"), this);
    auto* limitsLayout = new QVBoxLayout(limits);
    m_limits = new LimitsEditor(limits);
    m_limits->setLimits(settings->defaultLimits());
    limitsLayout->addWidget(m_limits);
    layout->addWidget(limits);

    auto* e2b = new QGroupBox(tr("E2B (remote sandboxes)"), this);
    auto* e2bForm = new QFormLayout(e2b);
    auto* key = new QLineEdit(e2b);
    key->setObjectName(QStringLiteral("e2bKeyEdit"));
    key->setEchoMode(QLineEdit::Password);
    key->setPlaceholderText(tr("from E2B_API_KEY"));
    // The key is a secret: it will live in the system keychain, never in this file. Until then it
    // comes from the environment only.
    key->setEnabled(false);
    key->setToolTip(tr("Set E2B_API_KEY in the environment CodeCourier starts from. Keeping the key in the system "
                       "keychain from here is not available yet."));
    m_e2bDomain = new QLineEdit(settings->e2bDomain(), e2b);
    m_e2bDomain->setObjectName(QStringLiteral("e2bDomainEdit"));
    m_e2bDomain->setPlaceholderText(QStringLiteral("e2b.app"));
    m_e2bDomain->setToolTip(tr("The E2B service's domain; change it for a self-hosted E2B. E2B_DOMAIN wins when set. "
                               "Takes effect at the next start."));
    m_e2bTemplate = new QLineEdit(settings->e2bTemplate(), e2b);
    m_e2bTemplate->setObjectName(QStringLiteral("e2bTemplateEdit"));
    m_e2bTemplate->setPlaceholderText(QStringLiteral("base"));
    m_e2bTemplate->setToolTip(tr("The sandbox template E2B runs start from; it decides the memory, CPUs and the "
                                 "interpreters available."));
    e2bForm->addRow(tr("API key"), key);
    e2bForm->addRow(tr("Domain"), m_e2bDomain);
    e2bForm->addRow(tr("Template"), m_e2bTemplate);
    layout->addWidget(e2b);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

void SettingsDialog::accept()
{
    QString error = m_settings->setDockerHost(m_dockerHost->text());
    if (error.isEmpty())
        error = m_settings->setDockerRuntime(m_runtime->text());
    if (error.isEmpty())
        error = m_settings->setE2BDomain(m_e2bDomain->text());
    if (!error.isEmpty()) {
        QMessageBox box(QMessageBox::Warning, tr("Docker endpoint"), error, QMessageBox::Ok, this);
        box.setTextFormat(Qt::PlainText);
        box.exec();
        return;
    }
    for (auto it = m_images.cbegin(); it != m_images.cend(); ++it)
        m_settings->setImageForLanguage(it.key(), it.value()->text());
    m_settings->setDefaultLimits(m_limits->limits());
    m_settings->setPoolSize(m_poolSize->value());
    m_settings->setE2BTemplate(m_e2bTemplate->text());
    QDialog::accept();
}

} // namespace cc
