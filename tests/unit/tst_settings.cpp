#include "Language.h"
#include "Settings.h"

#include <QFileInfo>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using cc::Limits;
using cc::Settings;

namespace {

constexpr qint64 MiB = 1024 * 1024;

// Limits unlike the defaults in every stored field.
Limits customLimits()
{
    Limits limits;
    limits.wallTimeoutMs = 5000;
    limits.memoryBytes = 512 * MiB;
    limits.cpus = 1.5;
    limits.pids = 64;
    limits.outputBytes = 2 * MiB;
    return limits;
}

} // namespace

class TestSettings : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void defaults();
    void imageRoundTrip();
    void blankImageRestoresTheDefault();
    void unknownLanguageHasNoImage();
    void limitsRoundTrip();
    void invalidStoredLimitFallsBack_data();
    void invalidStoredLimitFallsBack();
    void dockerHostRoundTrip();
    void e2bTemplateAndDomain();
    void unusableDockerHostIsRefused();
    void runtimeRoundTripAndValidation();

private:
    QString m_file;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestSettings::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_file = m_dir->filePath(QStringLiteral("codecourier.conf"));
}

void TestSettings::cleanup()
{
    m_dir.reset();
}

void TestSettings::defaults()
{
    const Settings settings(m_file);
    QCOMPARE(settings.filePath(), m_file);
    QCOMPARE(settings.imageForLanguage(QStringLiteral("python")), QStringLiteral("codecourier/runner:bookworm-1"));
    for (const cc::Language& language : cc::LanguageTable::all())
        QCOMPARE(settings.imageForLanguage(language.name), language.defaultImage);
    const Limits limits = settings.defaultLimits();
    const Limits expected;
    QCOMPARE(limits.wallTimeoutMs, expected.wallTimeoutMs);
    QCOMPARE(limits.memoryBytes, expected.memoryBytes);
    QCOMPARE(limits.cpus, expected.cpus);
    QCOMPARE(limits.pids, expected.pids);
    QCOMPARE(limits.outputBytes, expected.outputBytes);
    QCOMPARE(limits.fileSizeBytes, expected.fileSizeBytes);
    QCOMPARE(limits.tmpfsBytes, expected.tmpfsBytes);
    QVERIFY(settings.dockerHost().isEmpty());
    // Reading defaults writes nothing.
    QVERIFY(!QFileInfo::exists(m_file));
}

void TestSettings::imageRoundTrip()
{
    {
        Settings settings(m_file);
        settings.setImageForLanguage(QStringLiteral("python"), QStringLiteral("  python:3.12-slim \n"));
        settings.setImageForLanguage(QStringLiteral("node"), QStringLiteral("node:20"));
        QCOMPARE(settings.imageForLanguage(QStringLiteral("python")), QStringLiteral("python:3.12-slim"));
    }
    QVERIFY(QFileInfo::exists(m_file));
    const Settings reopened(m_file);
    QCOMPARE(reopened.imageForLanguage(QStringLiteral("python")), QStringLiteral("python:3.12-slim"));
    QCOMPARE(reopened.imageForLanguage(QStringLiteral("node")), QStringLiteral("node:20"));
    QCOMPARE(reopened.imageForLanguage(QStringLiteral("bash")), QString::fromLatin1(cc::kDefaultRunnerImage));
}

void TestSettings::blankImageRestoresTheDefault()
{
    {
        Settings settings(m_file);
        settings.setImageForLanguage(QStringLiteral("python"), QStringLiteral("python:3.12-slim"));
        settings.setImageForLanguage(QStringLiteral("python"), QStringLiteral("   "));
    }
    const Settings reopened(m_file);
    QCOMPARE(reopened.imageForLanguage(QStringLiteral("python")), QString::fromLatin1(cc::kDefaultRunnerImage));
}

void TestSettings::unknownLanguageHasNoImage()
{
    const Settings settings(m_file);
    QVERIFY(settings.imageForLanguage(QStringLiteral("ruby")).isEmpty());
    QVERIFY(settings.imageForLanguage(QString()).isEmpty());
}

void TestSettings::limitsRoundTrip()
{
    const Limits custom = customLimits();
    {
        Settings settings(m_file);
        settings.setDefaultLimits(custom);
    }
    const Settings reopened(m_file);
    const Limits limits = reopened.defaultLimits();
    QCOMPARE(limits.wallTimeoutMs, custom.wallTimeoutMs);
    QCOMPARE(limits.memoryBytes, custom.memoryBytes);
    QCOMPARE(limits.cpus, custom.cpus);
    QCOMPARE(limits.pids, custom.pids);
    QCOMPARE(limits.outputBytes, custom.outputBytes);
}

void TestSettings::invalidStoredLimitFallsBack_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QVariant>("value");

    QTest::newRow("memory 1 byte") << "limits/memoryBytes" << QVariant(1);
    QTest::newRow("memory 1 TiB") << "limits/memoryBytes" << QVariant(1024LL * 1024 * MiB);
    QTest::newRow("memory text") << "limits/memoryBytes" << QVariant(QStringLiteral("lots"));
    QTest::newRow("timeout 0") << "limits/timeoutMs" << QVariant(0);
    QTest::newRow("timeout negative") << "limits/timeoutMs" << QVariant(-5000);
    QTest::newRow("timeout with unit") << "limits/timeoutMs" << QVariant(QStringLiteral("10s"));
    QTest::newRow("cpus 0") << "limits/cpus" << QVariant(0.0);
    QTest::newRow("cpus 1000") << "limits/cpus" << QVariant(1000.0);
    QTest::newRow("cpus text") << "limits/cpus" << QVariant(QStringLiteral("fast"));
    QTest::newRow("pids 1") << "limits/pids" << QVariant(1);
    QTest::newRow("output 0") << "limits/outputBytes" << QVariant(0);
    QTest::newRow("output 2 GiB") << "limits/outputBytes" << QVariant(2048 * MiB);
}

void TestSettings::invalidStoredLimitFallsBack()
{
    QFETCH(QString, key);
    QFETCH(QVariant, value);
    const Limits custom = customLimits();
    {
        Settings settings(m_file);
        settings.setDefaultLimits(custom);
    }
    {
        QSettings raw(m_file, QSettings::IniFormat);
        QVERIFY(raw.contains(key));
        raw.setValue(key, value);
    }
    const Limits limits = Settings(m_file).defaultLimits();
    QVERIFY(cc::validateLimits(limits).isEmpty());
    // The bad value is replaced by its default; the values that are fine are kept.
    const Limits defaults;
    const auto expect = [&](const char* field, auto expectedCustom, auto expectedDefault) {
        return key == QLatin1String(field) ? expectedDefault : expectedCustom;
    };
    QCOMPARE(limits.wallTimeoutMs, expect("limits/timeoutMs", custom.wallTimeoutMs, defaults.wallTimeoutMs));
    QCOMPARE(limits.memoryBytes, expect("limits/memoryBytes", custom.memoryBytes, defaults.memoryBytes));
    QCOMPARE(limits.cpus, expect("limits/cpus", custom.cpus, defaults.cpus));
    QCOMPARE(limits.pids, expect("limits/pids", custom.pids, defaults.pids));
    QCOMPARE(limits.outputBytes, expect("limits/outputBytes", custom.outputBytes, defaults.outputBytes));
}

void TestSettings::dockerHostRoundTrip()
{
    {
        Settings settings(m_file);
        settings.setDockerHost(QStringLiteral(" unix:///run/user/1000/docker.sock "));
    }
    QCOMPARE(Settings(m_file).dockerHost(), QStringLiteral("unix:///run/user/1000/docker.sock"));
}

void TestSettings::unusableDockerHostIsRefused()
{
    Settings settings(m_file);
    const QString error = settings.setDockerHost(QStringLiteral("tcp://10.0.0.5:2375"));
    QVERIFY2(error.contains(QLatin1String("not supported")), qPrintable(error));
    QCOMPARE(settings.dockerHost(), QString());
}

void TestSettings::runtimeRoundTripAndValidation()
{
    {
        Settings settings(m_file);
        QCOMPARE(settings.dockerRuntime(), QString());
        QCOMPARE(settings.setDockerRuntime(QStringLiteral(" runsc ")), QString());
        QVERIFY(!settings.setDockerRuntime(QStringLiteral("runsc --debug")).isEmpty());
        QVERIFY(!settings.setDockerRuntime(QStringLiteral("$(reboot)")).isEmpty());
    }
    QCOMPARE(Settings(m_file).dockerRuntime(), QStringLiteral("runsc"));
    // A hand-edited file with anything but a name yields the engine's default.
    QSettings(m_file, QSettings::IniFormat).setValue(QStringLiteral("docker/runtime"), QStringLiteral("runc;rm -rf /"));
    QCOMPARE(Settings(m_file).dockerRuntime(), QString());
}

void TestSettings::e2bTemplateAndDomain()
{
    {
        Settings settings(m_file);
        QCOMPARE(settings.e2bTemplate(), QStringLiteral("base"));
        QVERIFY(settings.e2bDomain().isEmpty());
        settings.setE2BTemplate(QStringLiteral(" team/python-tpl:2 "));
        QVERIFY(settings.setE2BDomain(QStringLiteral("e2b.example.org")).isEmpty());
        // Refused values change nothing and say why.
        QVERIFY(!settings.setE2BDomain(QStringLiteral("https://e2b.example.org/")).isEmpty());
        QVERIFY(!settings.setE2BDomain(QStringLiteral("a b")).isEmpty());
        settings.setE2BTemplate(QStringLiteral("bad template; rm -rf /"));
    }
    Settings reopened(m_file);
    QCOMPARE(reopened.e2bTemplate(), QStringLiteral("base"));  // the bad name removed the stored one
    QCOMPARE(reopened.e2bDomain(), QStringLiteral("e2b.example.org"));
    reopened.setE2BTemplate(QStringLiteral("code-interpreter-v1"));
    QCOMPARE(reopened.e2bTemplate(), QStringLiteral("code-interpreter-v1"));
    QVERIFY(reopened.setE2BDomain(QString()).isEmpty());
    QVERIFY(reopened.e2bDomain().isEmpty());
    // A hand-edited file with nonsense falls back to the defaults.
    {
        QSettings raw(m_file, QSettings::IniFormat);
        raw.setValue(QStringLiteral("e2b/template"), QStringLiteral("../../etc"));
        raw.setValue(QStringLiteral("e2b/domain"), QStringLiteral("not a domain"));
    }
    const Settings edited(m_file);
    QCOMPARE(edited.e2bTemplate(), QStringLiteral("base"));
    QVERIFY(edited.e2bDomain().isEmpty());
}

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"
