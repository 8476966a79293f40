// E2B's answers turned into the sentences a person reads.
#include "e2b/E2BErrors.h"

#include <QTest>

using namespace cc::e2b;

class TestE2BErrors : public QObject
{
    Q_OBJECT

private slots:
    void errorBodies();
    void apiErrors_data();
    void apiErrors();
    void envdErrors_data();
    void envdErrors();
    void streamErrors_data();
    void streamErrors();
    void transportErrors_data();
    void transportErrors();
};

void TestE2BErrors::errorBodies()
{
    const E2BErrorBody rest = parseErrorBody(R"({"code":429,"message":"Rate limit exceeded","error_code":"rate_limited"})");
    QCOMPARE(rest.code, 429);
    QCOMPARE(rest.message, QStringLiteral("Rate limit exceeded"));
    QCOMPARE(rest.errorCode, QStringLiteral("rate_limited"));

    const E2BErrorBody connect = parseErrorBody(R"({"code":"not_found","message":"process with pid 7 not found"})");
    QCOMPARE(connect.code, 0);
    QCOMPARE(connect.connectCode, QStringLiteral("not_found"));

    const E2BErrorBody html = parseErrorBody("<html><body><h1>502 Bad Gateway</h1></body></html>");
    QCOMPARE(html.message, QStringLiteral("502 Bad Gateway"));

    const E2BErrorBody longText = parseErrorBody(QByteArray(5000, 'x'));
    QVERIFY(longText.message.size() <= 300);
}

void TestE2BErrors::apiErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("call");
    QTest::addColumn<QStringList>("mentions");
    const int create = int(ApiCall::CreateSandbox);
    const int kill = int(ApiCall::KillSandbox);
    QTest::newRow("401 key rejected") << 401 << QByteArray(R"({"code":401,"message":"Invalid API key"})") << create
                                      << QStringList{"rejected the API key", "401", "E2B_API_KEY", "Invalid API key"};
    QTest::newRow("404 unknown template") << 404 << QByteArray(R"({"code":404,"message":"template 'nope' not found"})")
                                          << create << QStringList{"no template \"nope\"", "404", "--template"};
    QTest::newRow("404 on kill") << 404 << QByteArray(R"({"code":404,"message":"sandbox not found"})") << kill
                                 << QStringList{"does not know this sandbox"};
    QTest::newRow("429 rate limited") << 429 << QByteArray(R"({"code":429,"message":"slow down"})") << create
                                      << QStringList{"rate limiting", "429", "slow down"};
    QTest::newRow("400 invalid") << 400 << QByteArray(R"({"code":400,"message":"Timeout must be greater than 0"})")
                                 << create << QStringList{"invalid (400)", "Timeout must be greater than 0"};
    QTest::newRow("500") << 500 << QByteArray(R"({"code":500,"message":"boom","error_code":"internal_server_error"})")
                         << create << QStringList{"server error (500)", "boom", "internal_server_error"};
    QTest::newRow("503 busy") << 503
                              << QByteArray(R"({"code":503,"message":"no capacity","error_code":"sandbox_capacity_unavailable"})")
                              << create << QStringList{"busy (503)", "sandbox_capacity_unavailable"};
    QTest::newRow("504") << 504 << QByteArray() << create << QStringList{"timed out", "504"};
    QTest::newRow("502 plain text") << 502 << QByteArray("Bad Gateway") << create << QStringList{"502", "Bad Gateway"};
    QTest::newRow("418 other") << 418 << QByteArray("I'm a teapot") << create << QStringList{"HTTP 418", "teapot"};
}

void TestE2BErrors::apiErrors()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(int, call);
    QFETCH(QStringList, mentions);
    const QString sentence = describeApiError(status, body, ApiCall(call), QStringLiteral("nope"));
    for (const QString& word : mentions)
        QVERIFY2(sentence.contains(word), qPrintable(sentence + QStringLiteral(" lacks ") + word));
    QVERIFY2(sentence.endsWith(QLatin1Char('.')) || sentence.endsWith(QLatin1Char('"')), qPrintable(sentence));
}

void TestE2BErrors::envdErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("mentions");
    QTest::newRow("502 from the edge proxy")
        << 502 << QByteArray(R"({"sandboxId":"i1","message":"The sandbox was not found","code":502})")
        << QStringList{"copy main.py", "gone", "sandbox was not found", "502"};
    QTest::newRow("sandbox was not found with another status")
        << 404 << QByteArray(R"({"message":"The sandbox was not found","code":404})") << QStringList{"gone"};
    QTest::newRow("401 token") << 401
                               << QByteArray(R"({"code":401,"message":"unauthorized access, please provide a valid access token"})")
                               << QStringList{"access token", "401"};
    QTest::newRow("507 disk full") << 507 << QByteArray(R"({"code":507,"message":"not enough disk space"})")
                                   << QStringList{"disk is full"};
    QTest::newRow("429") << 429 << QByteArray() << QStringList{"rate limiting"};
    QTest::newRow("500") << 500 << QByteArray(R"({"code":500,"message":"error writing file"})")
                         << QStringList{"server error (500)", "error writing file"};
    QTest::newRow("404 unknown route") << 404 << QByteArray("404 page not found\n") << QStringList{"does not offer"};
}

void TestE2BErrors::envdErrors()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QStringList, mentions);
    const QString sentence = describeEnvdError(status, body, QStringLiteral("copy main.py into the sandbox"));
    for (const QString& word : mentions)
        QVERIFY2(sentence.contains(word), qPrintable(sentence + QStringLiteral(" lacks ") + word));
    QVERIFY(sentence.startsWith(QLatin1String("Could not copy main.py into the sandbox")));
}

void TestE2BErrors::streamErrors_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("unavailable") << "unavailable" << "stopped answering";
    QTest::newRow("invalid_argument") << "invalid_argument" << "could not start the program";
    QTest::newRow("unauthenticated") << "unauthenticated" << "access token";
    QTest::newRow("resource_exhausted") << "resource_exhausted" << "rate limiting";
    QTest::newRow("internal") << "internal" << "error (internal)";
}

void TestE2BErrors::streamErrors()
{
    QFETCH(QString, code);
    QFETCH(QString, mentions);
    const QString sentence = describeStreamError({code, QStringLiteral("cwd '/nope' does not exist")});
    QVERIFY2(sentence.contains(mentions), qPrintable(sentence));
    QVERIFY2(sentence.contains(QLatin1String("cwd '/nope' does not exist")), qPrintable(sentence));
}

void TestE2BErrors::transportErrors_data()
{
    QTest::addColumn<QString>("httpError");
    QTest::addColumn<QStringList>("mentions");
    QTest::newRow("TLS") << "Secure connection to api.e2b.app:443 failed: SSL certificate problem: unable to get local issuer"
                         << QStringList{"secure (TLS)", "verifies certificates", "certificate problem"};
    QTest::newRow("refused") << "Could not connect to 127.0.0.1:1: Connection refused"
                             << QStringList{"Could not reach", "Connection refused", "E2B_API_URL"};
    QTest::newRow("DNS") << "Could not resolve the host of api.nowhere:443: x" << QStringList{"Could not reach"};
    QTest::newRow("timeout") << "Timed out after 60 s" << QStringList{"did not answer in time", "60 s"};
    QTest::newRow("broken") << "The connection to x broke: reset" << QStringList{"failed", "reset"};
}

void TestE2BErrors::transportErrors()
{
    QFETCH(QString, httpError);
    QFETCH(QStringList, mentions);
    const QString sentence = describeTransportError(httpError, QStringLiteral("the E2B API at api.e2b.app"));
    for (const QString& word : mentions)
        QVERIFY2(sentence.contains(word), qPrintable(sentence + QStringLiteral(" lacks ") + word));
}

QTEST_APPLESS_MAIN(TestE2BErrors)
#include "tst_e2berrors.moc"
