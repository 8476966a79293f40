// The settings dialog writes through the typed Settings wrapper and refuses values it cannot use;
// the E2B API key goes to the system keychain (a private GNOME Keyring, see
// tests/support/with-secret-service.sh), never to the settings file, and is never shown again.
#include "ApiKeyStore.h"
#include "Settings.h"
#include "SettingsDialog.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
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
    void storedKeyIsNeverShownAndCanBeRemoved();
    void withoutAKeychainTheKeyFieldIsOff();
};

namespace {

// A keychain entry of the tests' own, on the private Secret Service.
const QString kService = QStringLiteral("org.codecourier.tests.settingsdialog");

ApiKeyStore::ReadResult readStored()
{
    ApiKeyStore keys(kService);
    return keys.readAndWait(10'000);
}

} // namespace

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
    dialog.findChild<QLineEdit*>(QStringLiteral("buildScriptEdit"))->setText(QStringLiteral("/opt/cc/build-images.sh"));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(settings.dockerHost(), QStringLiteral("unix:///tmp/other.sock"));
    QCOMPARE(settings.dockerRuntime(), QStringLiteral("runsc"));
    QCOMPARE(settings.poolSize(), 3);
    QCOMPARE(settings.imageForLanguage(QStringLiteral("python")), QStringLiteral("python:3.12-slim"));
    QCOMPARE(settings.e2bTemplate(), QStringLiteral("code-interpreter"));
    QCOMPARE(settings.defaultLimits().memoryBytes, 512LL << 20);
    QCOMPARE(settings.imageBuildScript(), QStringLiteral("/opt/cc/build-images.sh"));
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
    ApiKeyStore keys(kService);
    QSignalSpy changed(&keys, &ApiKeyStore::keyChanged);
    {
        Settings settings(file);  // written to disk when it goes out of scope
        SettingsDialog dialog(&settings, &keys);
        auto* key = dialog.findChild<QLineEdit*>(QStringLiteral("e2bKeyEdit"));
        QVERIFY(key);
        QVERIFY(key->isEnabled());
        QCOMPARE(key->echoMode(), QLineEdit::Password);
        key->setText(QStringLiteral("e2b_secret_value_123"));
        dialog.accept();
        // The keychain answers asynchronously; the dialog closes once it took the key.
        QTRY_COMPARE_WITH_TIMEOUT(dialog.result(), int(QDialog::Accepted), 10'000);
        QCOMPARE(key->text(), QString());
    }
    QCOMPARE(changed.count(), 1);
    const ApiKeyStore::ReadResult stored = readStored();
    QVERIFY2(stored.error.isEmpty(), qPrintable(stored.error));
    QCOMPARE(stored.key, QStringLiteral("e2b_secret_value_123"));
    QFile plain(file);
    QVERIFY(plain.open(QIODevice::ReadOnly));
    const QByteArray bytes = plain.readAll();
    QVERIFY(!bytes.isEmpty());  // the other settings were written, so the file was really looked at
    QVERIFY(!bytes.contains("e2b_secret_value_123"));
}

void TestSettingsDialog::storedKeyIsNeverShownAndCanBeRemoved()
{
    QTemporaryDir dir;
    Settings settings(dir.filePath(QStringLiteral("s.conf")));
    ApiKeyStore keys(kService);
    bool written = false;
    keys.write(QStringLiteral("e2b_never_shown_456"), [&](const QString& error) { written = error.isEmpty(); });
    QTRY_VERIFY_WITH_TIMEOUT(written, 10'000);

    SettingsDialog dialog(&settings, &keys);
    QSignalSpy shown(&dialog, &SettingsDialog::keyStatusShown);
    QVERIFY(shown.wait(10'000));
    auto* status = dialog.findChild<QLabel*>(QStringLiteral("e2bKeyStatus"));
    QCOMPARE(status->text(), QStringLiteral("A key is stored in the system keychain."));
    // Not in the field, not in any label or tooltip of the dialog.
    for (const QLineEdit* edit : dialog.findChildren<QLineEdit*>())
        QVERIFY(!edit->text().contains(QLatin1String("e2b_never_shown_456")));
    for (const QWidget* widget : dialog.findChildren<QWidget*>())
        QVERIFY(!widget->toolTip().contains(QLatin1String("e2b_never_shown_456")));
    for (const QLabel* label : dialog.findChildren<QLabel*>())
        QVERIFY(!label->text().contains(QLatin1String("e2b_never_shown_456")));

    auto* remove = dialog.findChild<QPushButton*>(QStringLiteral("e2bRemoveKeyButton"));
    QVERIFY(remove->isEnabled());
    shown.clear();
    remove->click();
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 10'000);
    QCOMPARE(status->text(), QStringLiteral("No key is stored."));
    QVERIFY(!remove->isEnabled());
    QVERIFY(!readStored().found);
}

void TestSettingsDialog::withoutAKeychainTheKeyFieldIsOff()
{
    QTemporaryDir dir;
    Settings settings(dir.filePath(QStringLiteral("s.conf")));
    SettingsDialog dialog(&settings);
    auto* key = dialog.findChild<QLineEdit*>(QStringLiteral("e2bKeyEdit"));
    QVERIFY(!key->isEnabled());
    QVERIFY(dialog.findChild<QLabel*>(QStringLiteral("e2bKeyStatus"))->text().contains(QLatin1String("E2B_API_KEY")));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
}

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
