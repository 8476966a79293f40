// What a failed connection to the Docker engine means, and the command that fixes it.
#include "docker/DockerApi.h"
#include "docker/DockerHealth.h"

#include <QtTest>

using namespace cc::docker;

class TestDockerHealth : public QObject
{
    Q_OBJECT

private slots:
    void diagnose_data();
    void diagnose();
    void stringFieldNeverThrows_data();
    void stringFieldNeverThrows();
};

void TestDockerHealth::diagnose_data()
{
    QTest::addColumn<bool>("exists");
    QTest::addColumn<bool>("accessible");
    QTest::addColumn<bool>("installed");
    QTest::addColumn<QString>("curlError");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("sentenceStart");

    QTest::newRow("nothing installed") << false << false << false << "Couldn't connect to server" << "not_installed"
                                       << "sudo apt install docker.io" << "Docker is not installed";
    QTest::newRow("installed, not started") << false << false << true << "Couldn't connect to server" << "not_running"
                                            << "sudo systemctl start docker" << "Docker is not running";
    QTest::newRow("socket left behind") << true << true << true << "Couldn't connect to server" << "not_running"
                                        << "sudo systemctl start docker" << "Docker is not running: nothing answers";
    QTest::newRow("not in the docker group") << true << false << true << "Couldn't connect to server"
                                             << "permission_denied" << "sudo usermod -aG docker $USER"
                                             << "Permission denied on the Docker socket";
    QTest::newRow("engine hangs") << true << true << true << "Timeout was reached" << "unhealthy"
                                  << "sudo systemctl restart docker" << "The connection to Docker";
}

void TestDockerHealth::diagnose()
{
    QFETCH(bool, exists);
    QFETCH(bool, accessible);
    QFETCH(bool, installed);
    QFETCH(QString, curlError);
    QFETCH(QString, status);
    QFETCH(QString, command);
    QFETCH(QString, sentenceStart);
    const DockerHealth health = DockerHealth::diagnose(QStringLiteral("/run/x.sock"), exists, accessible, installed, curlError);
    QCOMPARE(DockerHealth::statusName(health.status), status);
    QCOMPARE(health.fixCommand, command);
    QVERIFY2(health.sentence.startsWith(sentenceStart), qPrintable(health.sentence));
    QVERIFY(health.sentence.contains(QLatin1String("/run/x.sock")));
    // The sentence names the same command the panel offers to copy.
    QVERIFY2(health.sentence.contains(command.section(QLatin1Char(' '), 0, 2)), qPrintable(health.sentence));
    QVERIFY(!health.ready());
}

void TestDockerHealth::stringFieldNeverThrows_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("id");
    QTest::newRow("empty (engine down)") << QByteArray() << QString();
    QTest::newRow("not json") << QByteArray("<html>proxy error</html>") << QString();
    QTest::newRow("array") << QByteArray("[1,2]") << QString();
    QTest::newRow("id not a string") << QByteArray(R"({"Id": 12})") << QString();
    QTest::newRow("id") << QByteArray(R"({"Id": "abc123"})") << QStringLiteral("abc123");
}

void TestDockerHealth::stringFieldNeverThrows()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, id);
    DockerResponse response;
    response.body = body;
    QCOMPARE(response.stringField("Id"), id);
}

QTEST_GUILESS_MAIN(TestDockerHealth)
#include "tst_dockerhealth.moc"
