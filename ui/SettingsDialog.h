#pragma once

#include <QDialog>
#include <QMap>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace cc {

class ApiKeyStore;
class LimitsEditor;
class Settings;

/// The settings a person may change: the Docker endpoint, the image per language, the default
/// limits of new runs and the E2B service. The E2B API key goes to the system keychain through
/// keyStore, never into the plain settings file, and is never shown again once stored; without a
/// keyStore the key field stays off and E2B_API_KEY is the only way.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(Settings* settings, ApiKeyStore* keyStore = nullptr, QWidget* parent = nullptr);

    /// Saves the plain settings, then (asynchronously) a newly typed key; the dialog closes only
    /// once the keychain took it, and stays open with the typed key and a sentence when it did not.
    void accept() override;

signals:
    /// The keychain's answer to a read, write or removal arrived and the key status shows it.
    void keyStatusShown();

private:
    void showKeyStatus();
    void removeKey();
    void showKeyError(const QString& sentence);

    Settings* m_settings;
    ApiKeyStore* m_keyStore;
    QLineEdit* m_e2bKey;
    QLabel* m_keyStatus;
    QPushButton* m_removeKey;
    QDialogButtonBox* m_buttons;
    QLineEdit* m_dockerHost;
    QLineEdit* m_runtime;
    QSpinBox* m_poolSize;
    QLineEdit* m_e2bDomain;
    QLineEdit* m_e2bTemplate;
    QMap<QString, QLineEdit*> m_images;
    QLineEdit* m_buildScript;
    LimitsEditor* m_limits;
};

} // namespace cc
