// The settings dialog writes through the typed Settings wrapper and refuses values it cannot use.
#include "Settings.h"
#include "SettingsDialog.h"

#include <QLineEdit>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace cc;

class TestSettingsDialog : public QObject
{
    Q_OBJECT

private slots:
    void acceptStoresEveryField();
    void unusableEndpointKeepsTheDialogOpen();
    void e2bKeyIsNeverAPlainSetting();
};

void TestSettingsDialog::acceptStoresEveryField()
{
    QTemporaryDir dir;
    Settings settings(dir.filePath(QStringLiteral("s.conf")));
    SettingsDialog dialog(&settings);
    dialog.findChild<QLineEdit*>(QStringLiteral("dockerHostEdit"))->setText(QStringLiteral("unix:///tmp/other.sock"));
    dialog.findChild<QLineEdit*>(QStringLiteral("runtimeEdit"))->setText(QStringLiteral("runsc"));
    dialog.findChild<QSpinBox*>(QStringLiteral("poolSizeSpin"))->setValue(3);
    dialog.findChild<QLineEdit*>(QStringLiteral("imageEdit_python"))->setText(QStringLiteral("python:3.12-slim"));
    dialog.findChild<QLineEdit*>(QStringLiteral("e2bTemplateEdit"))->setText(QStringLiteral("code-interpreter"));
    dialog.findChild<QSpinBox*>(QStringLiteral("memorySpin"))->setValue(512);
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(settings.dockerHost(), QStringLiteral("unix:///tmp/other.sock"));
    QCOMPARE(settings.dockerRuntime(), QStringLiteral("runsc"));
    QCOMPARE(settings.poolSize(), 3);
    QCOMPARE(settings.imageForLanguage(QStringLiteral("python")), QStringLiteral("python:3.12-slim"));
    QCOMPARE(settings.e2bTemplate(), QStringLiteral("code-interpreter"));
    QCOMPARE(settings.defaultLimits().memoryBytes, 512LL << 20);
}

void TestSettingsDialog::unusableEndpointKeepsTheDialogOpen()
{
    QTemporaryDir dir;
    Settings settings(dir.filePath(QStringLiteral("s.conf")));
    SettingsDialog dialog(&settings);
    dialog.findChild<QLineEdit*>(QStringLiteral("dockerHostEdit"))->setText(QStringLiteral("tcp://192.0.2.1:2375"));
    // The refusal is a message box: answer it as a person would.
    QTimer::singleShot(200, [] {
        if (QWidget* box = QApplication::activeModalWidget())
            box->close();
    });
    dialog.accept();
    QVERIFY(dialog.result() != int(QDialog::Accepted));
    QCOMPARE(settings.dockerHost(), QString());
}

void TestSettingsDialog::e2bKeyIsNeverAPlainSetting()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("s.conf"));
    {
        Settings settings(file);  // written to disk when it goes out of scope
        SettingsDialog dialog(&settings);
        auto* key = dialog.findChild<QLineEdit*>(QStringLiteral("e2bKeyEdit"));
        QVERIFY(key);
        QCOMPARE(key->echoMode(), QLineEdit::Password);
        key->setText(QStringLiteral("e2b_secret_value_123"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
    }
    QFile stored(file);
    QVERIFY(stored.open(QIODevice::ReadOnly));
    QVERIFY(!stored.readAll().contains("e2b_secret_value_123"));
}

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
