#include "SettingsDialog.h"

#include "ApiKeyStore.h"
#include "ImageBuilder.h"
#include "Language.h"
#include "LimitsEditor.h"
#include "Settings.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace cc {

SettingsDialog::SettingsDialog(Settings* settings, ApiKeyStore* keyStore, QWidget* parent)
    : QDialog(parent), m_settings(settings), m_keyStore(keyStore)
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
    m_buildScript = new QLineEdit(settings->imageBuildScript(), docker);
    m_buildScript->setObjectName(QStringLiteral("buildScriptEdit"));
    m_buildScript->setPlaceholderText(ImageBuilder::defaultScriptPath());
    m_buildScript->setToolTip(tr("The script that builds a missing runner image when you accept the window's offer "
                                 "(build-images.sh). Empty: the one installed with CodeCourier."));
    dockerForm->addRow(tr("Image build script"), m_buildScript);
    layout->addWidget(docker);

    auto* limits = new QGroupBox(tr("Default limits of new runs"), this);
    auto* limitsLayout = new QVBoxLayout(limits);
    m_limits = new LimitsEditor(limits);
    m_limits->setLimits(settings->defaultLimits());
    limitsLayout->addWidget(m_limits);
    layout->addWidget(limits);

    auto* e2b = new QGroupBox(tr("E2B (remote sandboxes)"), this);
    auto* e2bForm = new QFormLayout(e2b);
    m_e2bKey = new QLineEdit(e2b);
    m_e2bKey->setObjectName(QStringLiteral("e2bKeyEdit"));
    m_e2bKey->setEchoMode(QLineEdit::Password);
    m_e2bKey->setPlaceholderText(tr("paste a key to store it"));
    m_e2bKey->setToolTip(tr("Your E2B API key, from the E2B dashboard. It is kept in the system keychain, never in "
                            "CodeCourier's settings file, and is never shown again. E2B_API_KEY in the environment "
                            "wins over it."));
    m_keyStatus = new QLabel(e2b);
    m_keyStatus->setObjectName(QStringLiteral("e2bKeyStatus"));
    m_keyStatus->setTextFormat(Qt::PlainText);
    m_keyStatus->setWordWrap(true);
    m_removeKey = new QPushButton(tr("Remove stored key"), e2b);
    m_removeKey->setObjectName(QStringLiteral("e2bRemoveKeyButton"));
    m_removeKey->setEnabled(false);
    connect(m_removeKey, &QPushButton::clicked, this, &SettingsDialog::removeKey);
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
    e2bForm->addRow(tr("API key"), m_e2bKey);
    e2bForm->addRow(QString(), m_keyStatus);
    e2bForm->addRow(QString(), m_removeKey);
    e2bForm->addRow(tr("Domain"), m_e2bDomain);
    e2bForm->addRow(tr("Template"), m_e2bTemplate);
    layout->addWidget(e2b);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);

    if (m_keyStore) {
        m_keyStatus->setText(tr("Asking the system keychain whether a key is stored…"));
        showKeyStatus();
    } else {
        m_e2bKey->setEnabled(false);
        m_keyStatus->setText(tr("The system keychain is not available to this window: set E2B_API_KEY in the "
                                "environment CodeCourier starts from."));
    }
}

void SettingsDialog::showKeyStatus()
{
    // Only whether a key is stored is shown; the key itself never comes back into a widget.
    m_keyStore->read([this, alive = QPointer<SettingsDialog>(this)](const ApiKeyStore::ReadResult& r) {
        if (!alive)
            return;
        const bool fromEnvironment = !qEnvironmentVariableIsEmpty("E2B_API_KEY");
        QString status;
        if (!r.error.isEmpty())
            status = r.error;
        else if (r.found)
            status = tr("A key is stored in the system keychain.");
        else
            status = tr("No key is stored.");
        if (fromEnvironment)
            status += QLatin1Char(' ') + tr("E2B_API_KEY is set in the environment, so that key is used.");
        m_keyStatus->setText(status);
        m_removeKey->setEnabled(r.found);
        emit keyStatusShown();
    });
}

void SettingsDialog::removeKey()
{
    m_removeKey->setEnabled(false);
    m_keyStore->remove([this, alive = QPointer<SettingsDialog>(this)](const QString& error) {
        if (!alive)
            return;
        if (!error.isEmpty()) {
            showKeyError(error);
            m_removeKey->setEnabled(true);
            emit keyStatusShown();
            return;
        }
        showKeyStatus();
    });
}

void SettingsDialog::showKeyError(const QString& sentence)
{
    QMessageBox box(QMessageBox::Warning, tr("E2B API key"), sentence, QMessageBox::Ok, this);
    box.setTextFormat(Qt::PlainText);
    box.exec();
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
    m_settings->setImageBuildScript(m_buildScript->text());
    m_settings->setE2BTemplate(m_e2bTemplate->text());
    if (!m_keyStore || m_e2bKey->text().trimmed().isEmpty()) {
        QDialog::accept();
        return;
    }
    // The dialog waits for the keychain (it may ask to be unlocked); a failure keeps the typed key.
    m_buttons->setEnabled(false);
    m_keyStore->write(m_e2bKey->text(), [this, alive = QPointer<SettingsDialog>(this)](const QString& keyError) {
        if (!alive)
            return;
        m_buttons->setEnabled(true);
        if (!keyError.isEmpty()) {
            showKeyError(keyError);
            emit keyStatusShown();
            return;
        }
        m_e2bKey->clear();
        QDialog::accept();
    });
}

} // namespace cc
