#pragma once

#include <QDialog>
#include <QMap>

class QLineEdit;
class QSpinBox;

namespace cc {

class LimitsEditor;
class Settings;

/// The settings a person may change: the Docker endpoint, the image per language and the
/// default limits of new runs. The E2B fields are shown greyed out until that backend exists.
/// Secrets never pass through here into the plain settings file.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(Settings* settings, QWidget* parent = nullptr);

    void accept() override;

private:
    Settings* m_settings;
    QLineEdit* m_dockerHost;
    QLineEdit* m_runtime;
    QSpinBox* m_poolSize;
    QLineEdit* m_e2bDomain;
    QLineEdit* m_e2bTemplate;
    QMap<QString, QLineEdit*> m_images;
    LimitsEditor* m_limits;
};

} // namespace cc
