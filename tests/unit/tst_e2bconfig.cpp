#include "e2b/E2BConfig.h"

#include <QProcessEnvironment>
#include <QTest>

using cc::e2b::E2BConfig;

namespace {

QProcessEnvironment environment(const QStringList& assignments)
{
    QProcessEnvironment env;
    for (const QString& a : assignments) {
        const qsizetype eq = a.indexOf(QLatin1Char('='));
        env.insert(a.left(eq), a.mid(eq + 1));
    }
    return env;
}

} // namespace

class TestE2BConfig : public QObject
{
    Q_OBJECT

private slots:
    void derivation_data();
    void derivation();
    void fallbackDomainIsBelowTheEnvironment();
    void problemSaysWhatIsMissing();
};

void TestE2BConfig::derivation_data()
{
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QString>("responseDomain"); // the create answer's "domain"
    QTest::addColumn<QString>("apiUrl");
    QTest::addColumn<QString>("envdUrl");         // for sandbox "isb1"
    QTest::addColumn<bool>("debug");

    // clang-format off
    QTest::newRow("defaults") << QStringList{} << ""
        << "https://api.e2b.app" << "https://sandbox.e2b.app" << false;
    QTest::newRow("E2B_DOMAIN e2b.dev (a gateway domain)") << QStringList{"E2B_DOMAIN=e2b.dev"} << ""
        << "https://api.e2b.dev" << "https://sandbox.e2b.dev" << false;
    QTest::newRow("E2B_DOMAIN e2b-staging.dev") << QStringList{"E2B_DOMAIN=e2b-staging.dev"} << ""
        << "https://api.e2b-staging.dev" << "https://sandbox.e2b-staging.dev" << false;
    QTest::newRow("self-hosted domain: per-sandbox host") << QStringList{"E2B_DOMAIN=e2b.example.org"} << ""
        << "https://api.e2b.example.org" << "https://49983-isb1.e2b.example.org" << false;
    QTest::newRow("the create answer's domain wins for envd") << QStringList{} << "eu.e2b.example.org"
        << "https://api.e2b.app" << "https://49983-isb1.eu.e2b.example.org" << false;
    QTest::newRow("answer's gateway domain") << QStringList{"E2B_DOMAIN=e2b.example.org"} << "e2b.dev"
        << "https://api.e2b.example.org" << "https://sandbox.e2b.dev" << false;
    QTest::newRow("E2B_API_URL, trailing slash dropped") << QStringList{"E2B_API_URL=http://127.0.0.1:3000/"} << ""
        << "http://127.0.0.1:3000" << "https://sandbox.e2b.app" << false;
    QTest::newRow("E2B_SANDBOX_URL wins over every domain")
        << QStringList{"E2B_SANDBOX_URL=http://127.0.0.1:49983", "E2B_DOMAIN=e2b.example.org"} << "x.example"
        << "https://api.e2b.example.org" << "http://127.0.0.1:49983" << false;
    QTest::newRow("both overrides")
        << QStringList{"E2B_API_URL=http://127.0.0.1:3000", "E2B_SANDBOX_URL=http://127.0.0.1:49983/"} << ""
        << "http://127.0.0.1:3000" << "http://127.0.0.1:49983" << false;
    QTest::newRow("E2B_DEBUG=true") << QStringList{"E2B_DEBUG=true"} << ""
        << "http://localhost:3000" << "http://localhost:49983" << true;
    QTest::newRow("E2B_DEBUG=TRUE, case-insensitive") << QStringList{"E2B_DEBUG=TRUE"} << "e2b.dev"
        << "http://localhost:3000" << "http://localhost:49983" << true;
    QTest::newRow("E2B_DEBUG=1 is not true") << QStringList{"E2B_DEBUG=1"} << ""
        << "https://api.e2b.app" << "https://sandbox.e2b.app" << false;
    QTest::newRow("debug, but explicit URLs win")
        << QStringList{"E2B_DEBUG=true", "E2B_API_URL=http://10.0.0.1:3000", "E2B_SANDBOX_URL=http://10.0.0.1:5000"}
        << "" << "http://10.0.0.1:3000" << "http://10.0.0.1:5000" << true;
    QTest::newRow("empty variables count as unset") << QStringList{"E2B_DOMAIN=", "E2B_API_URL=", "E2B_SANDBOX_URL="}
        << "" << "https://api.e2b.app" << "https://sandbox.e2b.app" << false;
    // clang-format on
}

void TestE2BConfig::derivation()
{
    QFETCH(QStringList, env);
    QFETCH(QString, responseDomain);
    QFETCH(QString, apiUrl);
    QFETCH(QString, envdUrl);
    QFETCH(bool, debug);
    const E2BConfig config = E2BConfig::fromEnvironment(environment(env));
    QCOMPARE(config.apiUrl(), apiUrl);
    QCOMPARE(config.envdUrl(QStringLiteral("isb1"), responseDomain), envdUrl);
    QCOMPARE(config.debug(), debug);
}

void TestE2BConfig::fallbackDomainIsBelowTheEnvironment()
{
    const E2BConfig fromSetting = E2BConfig::fromEnvironment(environment({}), QStringLiteral("e2b.example.org"));
    QCOMPARE(fromSetting.domain(), QStringLiteral("e2b.example.org"));
    QCOMPARE(fromSetting.apiUrl(), QStringLiteral("https://api.e2b.example.org"));
    const E2BConfig fromEnv =
        E2BConfig::fromEnvironment(environment({QStringLiteral("E2B_DOMAIN=e2b.dev")}), QStringLiteral("e2b.example.org"));
    QCOMPARE(fromEnv.domain(), QStringLiteral("e2b.dev"));
}

void TestE2BConfig::problemSaysWhatIsMissing()
{
    const E2BConfig none = E2BConfig::fromEnvironment(environment({}));
    QVERIFY(!none.hasApiKey());
    QVERIFY(none.problem().contains(QLatin1String("E2B_API_KEY")));

    const QString key = QStringLiteral("e2b_secret_0123456789");
    const E2BConfig set = E2BConfig::fromEnvironment(environment({QStringLiteral("E2B_API_KEY=") + key}));
    QVERIFY(set.hasApiKey());
    QCOMPARE(set.apiKey(), key);
    QVERIFY(set.problem().isEmpty());

    // Debug mode talks to a local envd without a key, as the SDK does.
    QVERIFY(E2BConfig::fromEnvironment(environment({QStringLiteral("E2B_DEBUG=true")})).problem().isEmpty());
}

QTEST_APPLESS_MAIN(TestE2BConfig)
#include "tst_e2bconfig.moc"
