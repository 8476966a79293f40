// The E2B API key in the system keychain: stored, read back, removed; used by the command line when
// E2B_API_KEY is not set; and never leaked: not to envd, not into a sandbox's environment or output,
// not into a log line, the settings file or the JSON result.
//
// Runs on a private Secret Service (tests/support/with-secret-service.sh): GNOME Keyring on its own
// D-Bus session bus with a throwaway home, so no real key is ever touched.
#include "ApiKeyStore.h"
#include "FakeE2BServer.h"

#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace cc;
using cc::test::FakeE2BServer;

class TestE2BKeychain : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void storeReadReplaceRemove();
    void commandLineUsesTheStoredKey();
    void environmentKeyWinsOverTheKeychain();
    void keyNeverLeaks_data();
    void keyNeverLeaks();
    void noKeychainIsExplained();

private:
    QProcessEnvironment cliEnvironment(bool withEnvironmentKey) const;
    struct Cli
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    Cli runCli(const QStringList& args, const QProcessEnvironment& env, const QByteArray& snippet = {});
    ApiKeyStore::ReadResult readStored();
    QString store(const QString& key);

    std::unique_ptr<FakeE2BServer> m_fake;
    QTemporaryDir m_dir;
    QString m_key;
};

void TestE2BKeychain::initTestCase()
{
    QVERIFY2(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"),
             "run through tests/support/with-secret-service.sh (ctest does)");
    QVERIFY(m_dir.isValid());
    m_fake = std::make_unique<FakeE2BServer>();
    std::string error;
    QVERIFY2(m_fake->start(&error), error.c_str());
    m_key = QString::fromStdString(m_fake->options().apiKey);
}

void TestE2BKeychain::cleanupTestCase()
{
    m_fake->stop();
}

void TestE2BKeychain::init()
{
    m_fake->clearRecords();
    // Every case starts with an empty keychain.
    ApiKeyStore keys;
    QString error = QStringLiteral("unanswered");
    bool done = false;
    keys.remove([&](const QString& e) {
        error = e;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 10'000);
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

ApiKeyStore::ReadResult TestE2BKeychain::readStored()
{
    ApiKeyStore keys;
    return keys.readAndWait(10'000);
}

QString TestE2BKeychain::store(const QString& key)
{
    ApiKeyStore keys;
    QString error = QStringLiteral("unanswered");
    bool done = false;
    keys.write(key, [&](const QString& e) {
        error = e;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 10'000))
        return QStringLiteral("the keychain did not answer");
    return error;
}

QProcessEnvironment TestE2BKeychain::cliEnvironment(bool withEnvironmentKey) const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("E2B_API_KEY"));
    if (withEnvironmentKey)
        env.insert(QStringLiteral("E2B_API_KEY"), m_key);
    env.insert(QStringLiteral("E2B_API_URL"), QString::fromStdString(m_fake->apiUrl()));
    env.insert(QStringLiteral("E2B_SANDBOX_URL"), QString::fromStdString(m_fake->sandboxUrl()));
    env.remove(QStringLiteral("E2B_DOMAIN"));
    env.remove(QStringLiteral("E2B_DEBUG"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
    return env;
}

TestE2BKeychain::Cli TestE2BKeychain::runCli(const QStringList& args, const QProcessEnvironment& env,
                                              const QByteArray& snippet)
{
    Cli cli;
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(qEnvironmentVariable("CODECOURIER_BINARY"), args);
    if (!process.waitForStarted())
        return cli;
    process.write(snippet);
    process.closeWriteChannel();
    if (!process.waitForFinished(60'000))
        process.kill();
    cli.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    cli.out = process.readAllStandardOutput();
    cli.err = process.readAllStandardError();
    return cli;
}

void TestE2BKeychain::storeReadReplaceRemove()
{
    QVERIFY(!readStored().found);
    QVERIFY2(readStored().error.isEmpty(), qPrintable(readStored().error));

    ApiKeyStore keys;
    QSignalSpy changed(&keys, &ApiKeyStore::keyChanged);
    QString error = QStringLiteral("unanswered");
    keys.write(QStringLiteral("  e2b_first  \n"), [&](const QString& e) { error = e; });
    QTRY_VERIFY_WITH_TIMEOUT(error != QLatin1String("unanswered"), 10'000);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().first().toString(), QStringLiteral("e2b_first"));  // trimmed
    QCOMPARE(readStored().key, QStringLiteral("e2b_first"));

    QCOMPARE(store(QStringLiteral("e2b_second")), QString());
    const ApiKeyStore::ReadResult replaced = readStored();
    QVERIFY(replaced.found);
    QCOMPARE(replaced.key, QStringLiteral("e2b_second"));

    // An empty key is refused with a sentence and leaves the stored one alone.
    const QString empty = store(QStringLiteral("   "));
    QVERIFY2(empty.contains(QLatin1String("empty")), qPrintable(empty));
    QCOMPARE(readStored().key, QStringLiteral("e2b_second"));

    error = QStringLiteral("unanswered");
    keys.remove([&](const QString& e) { error = e; });
    QTRY_VERIFY_WITH_TIMEOUT(error != QLatin1String("unanswered"), 10'000);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.last().first().toString(), QString());
    QVERIFY(!readStored().found);
}

void TestE2BKeychain::commandLineUsesTheStoredKey()
{
    // Without a key anywhere the run is refused before any sandbox exists.
    const Cli keyless = runCli({QStringLiteral("run"), QStringLiteral("-"), QStringLiteral("--lang"),
                                QStringLiteral("bash"), QStringLiteral("--backend"), QStringLiteral("e2b")},
                               cliEnvironment(false), "echo never\n");
    QCOMPARE(keyless.exitCode, 125);
    QVERIFY2(keyless.err.contains("No E2B API key is set"), keyless.err.constData());
    QVERIFY(m_fake->creates().empty());

    QCOMPARE(store(m_key), QString());
    const Cli cli = runCli({QStringLiteral("run"), QStringLiteral("-"), QStringLiteral("--lang"), QStringLiteral("bash"),
                            QStringLiteral("--backend"), QStringLiteral("e2b")},
                           cliEnvironment(false), "echo from the keychain\n");
    QVERIFY2(cli.exitCode == 0, (cli.out + cli.err).constData());
    QCOMPARE(cli.out, QByteArray("from the keychain\n"));
    const auto creates = m_fake->creates();
    QCOMPARE(creates.size(), size_t(1));
    QCOMPARE(creates.front().status, 201);
    QTRY_VERIFY(m_fake->liveSandboxes().empty());

    const Cli doctor = runCli({QStringLiteral("doctor")}, cliEnvironment(false));
    QVERIFY2(doctor.out.contains("[info] E2B: API key from the system keychain (not shown)"), doctor.out.constData());
    QVERIFY2(doctor.out.contains("[ok]   E2B:"), doctor.out.constData());
    QVERIFY(!doctor.out.contains(m_key.toUtf8()));
}

void TestE2BKeychain::environmentKeyWinsOverTheKeychain()
{
    // A stale key in the keychain must not be used when E2B_API_KEY is set (as the SDKs read it).
    QCOMPARE(store(QStringLiteral("e2b_stale_key_in_the_keychain")), QString());
    const Cli cli = runCli({QStringLiteral("run"), QStringLiteral("-"), QStringLiteral("--lang"), QStringLiteral("bash"),
                            QStringLiteral("--backend"), QStringLiteral("e2b")},
                           cliEnvironment(true), "echo from the environment\n");
    QVERIFY2(cli.exitCode == 0, (cli.out + cli.err).constData());
    QCOMPARE(cli.out, QByteArray("from the environment\n"));

    // And with only the stale key, the API's refusal is what the person reads.
    const Cli stale = runCli({QStringLiteral("run"), QStringLiteral("-"), QStringLiteral("--lang"),
                              QStringLiteral("bash"), QStringLiteral("--backend"), QStringLiteral("e2b")},
                             cliEnvironment(false), "echo never\n");
    QCOMPARE(stale.exitCode, 125);
    QVERIFY2(stale.err.contains("E2B rejected the API key (401)"), stale.err.constData());
    QVERIFY(!stale.err.contains("e2b_stale_key_in_the_keychain"));
}

void TestE2BKeychain::keyNeverLeaks_data()
{
    QTest::addColumn<bool>("fromEnvironment");
    QTest::newRow("key from E2B_API_KEY") << true;
    QTest::newRow("key from the keychain") << false;
}

void TestE2BKeychain::keyNeverLeaks()
{
    QFETCH(bool, fromEnvironment);
    if (!fromEnvironment)
        QCOMPARE(store(m_key), QString());
    QProcessEnvironment env = cliEnvironment(fromEnvironment);
    // Every debug line of every category, so that a log of the key would show.
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=true"));
    // The snippet looks for the key everywhere a sandbox could see it.
    const QByteArray snippet = "printenv\n"
                               "cat /proc/self/environ | tr '\\0' '\\n'\n"
                               "echo \"args: $0 $*\"\n";
    const Cli cli = runCli({QStringLiteral("run"), QStringLiteral("-"), QStringLiteral("--lang"), QStringLiteral("bash"),
                            QStringLiteral("--backend"), QStringLiteral("e2b"), QStringLiteral("--json"),
                            QStringLiteral("--env"), QStringLiteral("VISIBLE=yes")},
                           env, snippet);
    QVERIFY2(cli.exitCode == 0, (cli.out + cli.err).constData());
    const QJsonObject doc = QJsonDocument::fromJson(cli.out).object();
    // The run really printed its environment, so an absent key is evidence, not an empty output.
    QVERIFY2(doc.value("stdout").toString().contains(QLatin1String("VISIBLE=yes")), cli.out.constData());

    const QByteArray key = m_key.toUtf8();
    QVERIFY2(!cli.out.contains(key), "the key is in the JSON result or the sandbox's output");
    QVERIFY2(!cli.err.contains(key), "the key is in a log line");
    // envd never receives it: it gets the sandbox's own access token. The control plane gets it
    // only as X-API-KEY (which the fake records as "<valid>", never as the value).
    const auto requests = m_fake->requests();
    QVERIFY(!requests.empty());
    for (const auto& r : requests) {
        QVERIFY2(r.body.find(m_key.toStdString()) == std::string::npos, (r.plane + " " + r.path).c_str());
        QVERIFY2(r.query.find(m_key.toStdString()) == std::string::npos, (r.plane + " " + r.path).c_str());
        for (const auto& [name, value] : r.headers) {
            QVERIFY2(value.find(m_key.toStdString()) == std::string::npos, (r.path + " " + name).c_str());
            if (r.plane == "envd")
                QVERIFY2(name != "x-api-key", ("envd got an X-API-KEY header on " + r.path).c_str());
        }
    }
    for (const auto& sandbox : m_fake->sandboxes())
        QVERIFY(sandbox.envVars.dump().find(m_key.toStdString()) == std::string::npos);
    // Nothing CodeCourier wrote to disk holds it (settings, autosave, history). The run was
    // recorded, so the history file is really among the files read.
    QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("data/codecourier/history.sqlite"))));
    for (const QString& root : {m_dir.filePath(QStringLiteral("config")), m_dir.filePath(QStringLiteral("data"))}) {
        QDirIterator files(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            QFile file(files.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(!file.readAll().contains(key), qPrintable(file.fileName()));
        }
    }
}

void TestE2BKeychain::noKeychainIsExplained()
{
    // No session bus at all: the keychain cannot answer, and both commands say so and what to do.
    QProcessEnvironment env = cliEnvironment(false);
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), m_dir.filePath(QStringLiteral("no-such-bus")).prepend(
                                                               QStringLiteral("unix:path=")));
    const Cli cli = runCli({QStringLiteral("run"), QStringLiteral("-"), QStringLiteral("--lang"), QStringLiteral("bash"),
                            QStringLiteral("--backend"), QStringLiteral("e2b")},
                           env, "echo never\n");
    QCOMPARE(cli.exitCode, 125);
    QVERIFY2(cli.err.contains("system keychain"), cli.err.constData());
    QVERIFY2(cli.err.contains("E2B_API_KEY"), cli.err.constData());
    QVERIFY(m_fake->creates().empty());

    const Cli doctor = runCli({QStringLiteral("doctor")}, env);
    QVERIFY2(doctor.out.contains("[info] E2B: no API key: E2B_API_KEY is not set and the system keychain could not "
                                 "be read, so --backend e2b cannot run"),
             doctor.out.constData());
    QVERIFY2(doctor.out.contains("[info] Keychain: "), doctor.out.constData());
}

QTEST_MAIN(TestE2BKeychain)
#include "tst_e2bkeychain.moc"
