// What the E2B client puts on the wire: URLs, headers, bodies, and how it reads the answers.
#include "e2b/ConnectEnvelopeDecoder.h"
#include "e2b/E2BRequests.h"

#include <QTest>
#include <nlohmann/json.hpp>

using namespace cc::e2b;
using nlohmann::json;

namespace {

const QString kKey = QStringLiteral("e2b_0000000000000000000000000000000000000000");

E2BConfig fakeConfig(const QString& key = kKey)
{
    return E2BConfig::fromValues(key, {}, false, QStringLiteral("http://127.0.0.1:3000"),
                                 QStringLiteral("http://127.0.0.1:49983"));
}

E2BSandbox sandbox(const QString& token = QStringLiteral("tok-123"))
{
    E2BSandbox s;
    s.id = QStringLiteral("isandbox0000000000001");
    s.accessToken = token;
    s.envdUrl = QStringLiteral("http://127.0.0.1:49983");
    s.envdVersion = QStringLiteral("0.6.13");
    return s;
}

// Header values by name, case-insensitive; a list because a header must not appear twice.
QList<QByteArray> headers(const cc::http::HttpRequest& request, const QByteArray& name)
{
    QList<QByteArray> values;
    for (const auto& [key, value] : request.headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            values << value;
    }
    return values;
}

QByteArray header(const cc::http::HttpRequest& request, const QByteArray& name)
{
    const auto values = headers(request, name);
    return values.size() == 1 ? values.first() : QByteArray("<absent or repeated>");
}

json bodyJson(const QByteArray& body)
{
    return json::parse(body.constBegin(), body.constEnd(), nullptr, false);
}

// JSON compared as its canonical text, which QCOMPARE can also print.
QByteArray text(const json& value)
{
    return QByteArray::fromStdString(value.dump());
}

} // namespace

class TestE2BRequests : public QObject
{
    Q_OBJECT

private slots:
    void createBody_data();
    void createBody();
    void createRequest();
    void noKeyNoHeader();
    void killAndMetricsRequests();
    void envdIdentityHeaders();
    void startProcessRequest();
    void startProcessBody();
    void startProcessBodyWithStdinAndEnv();
    void uploadRaw();
    void uploadMultipart();
    void rawUploadsByEnvdVersion_data();
    void rawUploadsByEnvdVersion();
    void sendSignal();
    void parseCapturedSandbox();
    void parseSandboxRejectsGarbage_data();
    void parseSandboxRejectsGarbage();
    void parseMetrics();
    void artifactRequests();
    void parseListDir_data();
    void parseListDir();
};

void TestE2BRequests::createBody_data()
{
    QTest::addColumn<bool>("network");
    QTest::addColumn<bool>("v2");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("v2, network off") << false << true
                                     << QByteArray(R"({"allow_internet_access":false,"metadata":{"app":"codecourier"},)"
                                                   R"("templateID":"base","timeout":70})");
    QTest::newRow("v2, network granted") << true << true
                                         << QByteArray(R"({"allow_internet_access":true,"metadata":{"app":"codecourier"},)"
                                                       R"("templateID":"base","timeout":70})");
    QTest::newRow("v1, network off, secure") << false << false
                                             << QByteArray(R"({"allow_internet_access":false,"metadata":{"app":"codecourier"},)"
                                                           R"("secure":true,"templateID":"base","timeout":70})");
}

void TestE2BRequests::createBody()
{
    QFETCH(bool, network);
    QFETCH(bool, v2);
    QFETCH(QByteArray, expected);
    CreateSandboxParams params;
    params.allowInternetAccess = network;
    params.timeoutSeconds = 70;
    params.metadata.insert(QStringLiteral("app"), QStringLiteral("codecourier"));
    QCOMPARE(QByteArray::fromStdString(createSandboxBody(params, v2).dump()), expected);
}

void TestE2BRequests::createRequest()
{
    CreateSandboxParams params;
    params.templateName = QStringLiteral("code-interpreter-v1");
    const auto v2 = createSandboxRequest(fakeConfig(), params, true);
    QCOMPARE(v2.method, QByteArray("POST"));
    QCOMPARE(v2.url, QByteArray("http://127.0.0.1:3000/v2/sandboxes"));
    QCOMPARE(header(v2, "X-API-KEY"), kKey.toUtf8());
    QCOMPARE(header(v2, "Content-Type"), QByteArray("application/json"));
    QVERIFY(!header(v2, "User-Agent").isEmpty());
    QVERIFY(v2.timeoutMs > 0);
    QVERIFY(!v2.streaming);
    const json body = bodyJson(v2.body);
    QCOMPARE(body.value("templateID", ""), std::string("code-interpreter-v1"));
    QCOMPARE(body.value("allow_internet_access", true), false);
    QVERIFY(!body.contains("timeout"));  // 0: the server's default

    const auto v1 = createSandboxRequest(fakeConfig(), params, false);
    QCOMPARE(v1.url, QByteArray("http://127.0.0.1:3000/sandboxes"));
    QCOMPARE(bodyJson(v1.body).value("secure", false), true);
}

void TestE2BRequests::noKeyNoHeader()
{
    const auto request = killSandboxRequest(fakeConfig(QString()), QStringLiteral("x"));
    QVERIFY(headers(request, "X-API-KEY").isEmpty());
}

void TestE2BRequests::killAndMetricsRequests()
{
    const auto kill = killSandboxRequest(fakeConfig(), QStringLiteral("isb/../1"));
    QCOMPARE(kill.method, QByteArray("DELETE"));
    QCOMPARE(kill.url, QByteArray("http://127.0.0.1:3000/sandboxes/isb%2F..%2F1"));  // an id cannot change the path
    QVERIFY(kill.body.isEmpty());
    QVERIFY(kill.timeoutMs > 0);
    QCOMPARE(header(kill, "X-API-KEY"), kKey.toUtf8());

    const auto metrics = apiMetricsRequest(fakeConfig(), QStringLiteral("isb1"), 100, 160);
    QCOMPARE(metrics.url, QByteArray("http://127.0.0.1:3000/sandboxes/isb1/metrics?start=100&end=160"));
    QVERIFY(metrics.timeoutMs > 0);

    const auto envdMetrics = envdMetricsRequest(sandbox());
    QCOMPARE(envdMetrics.method, QByteArray("GET"));
    QCOMPARE(envdMetrics.url, QByteArray("http://127.0.0.1:49983/metrics"));
    QCOMPARE(header(envdMetrics, "X-Access-Token"), QByteArray("tok-123"));
    QVERIFY(envdMetrics.timeoutMs > 0);
}

void TestE2BRequests::envdIdentityHeaders()
{
    const auto request = envdRequest(sandbox(), "GET", "/health", 1000);
    QCOMPARE(header(request, "E2b-Sandbox-Id"), QByteArray("isandbox0000000000001"));
    QCOMPARE(header(request, "E2b-Sandbox-Port"), QByteArray("49983"));
    QCOMPARE(header(request, "X-Access-Token"), QByteArray("tok-123"));
    // The API key never goes to envd.
    QVERIFY(headers(request, "X-API-KEY").isEmpty());

    const auto unsecured = envdRequest(sandbox(QString()), "GET", "/health", 1000);
    QVERIFY(headers(unsecured, "X-Access-Token").isEmpty());
}

void TestE2BRequests::startProcessRequest()
{
    const json start = {{"process", {{"cmd", "/bin/bash"}}}, {"stdin", false}};
    const auto request = cc::e2b::startProcessRequest(sandbox(), start, 10'000);
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.url, QByteArray("http://127.0.0.1:49983/process.Process/Start"));
    QVERIFY(request.streaming);
    QCOMPARE(request.timeoutMs, 0);  // the run's own timers watch the stream
    QCOMPARE(header(request, "Content-Type"), QByteArray("application/connect+json"));
    QCOMPARE(header(request, "Connect-Protocol-Version"), QByteArray("1"));
    QCOMPARE(header(request, "Connect-Timeout-Ms"), QByteArray("10000"));
    QCOMPARE(header(request, "Keepalive-Ping-Interval"), QByteArray("50"));
    QCOMPARE(header(request, "X-Access-Token"), QByteArray("tok-123"));
    QCOMPARE(header(request, "E2b-Sandbox-Id"), QByteArray("isandbox0000000000001"));
    QCOMPARE(header(request, "E2b-Sandbox-Port"), QByteArray("49983"));

    ConnectEnvelopeDecoder decoder;
    const auto envelopes = decoder.feed(request.body);
    QCOMPARE(envelopes.size(), 1);  // exactly one envelope, nothing after it
    QCOMPARE(envelopes[0].flags, quint8(0));
    QVERIFY(!decoder.isMidEnvelope());
    QCOMPARE(text(bodyJson(envelopes[0].message)), text(start));

    const auto unlimited = cc::e2b::startProcessRequest(sandbox(), start, 0);
    QVERIFY(headers(unlimited, "Connect-Timeout-Ms").isEmpty());
}

void TestE2BRequests::startProcessBody()
{
    const json body = cc::e2b::startProcessBody({QStringLiteral("python3"), QStringLiteral("-u"), QStringLiteral("main.py")},
                                                {}, QStringLiteral("/workspace"), false);
    const json expected = {
        {"process",
         {{"cmd", "/bin/bash"},
          {"args", {"-l", "-c", "exec \"$@\"", "codecourier", "python3", "-u", "main.py"}},
          {"cwd", "/workspace"}}},
        {"stdin", false}};
    QCOMPARE(text(body), text(expected));
}

void TestE2BRequests::startProcessBodyWithStdinAndEnv()
{
    // Arguments travel as positional parameters: shell syntax in them stays inert.
    const QString tricky = QStringLiteral("$(touch /tmp/pwned); `id`; 'quoted'");
    const json body = cc::e2b::startProcessBody({QStringLiteral("bash"), QStringLiteral("main.sh"), tricky},
                                                {{QStringLiteral("K"), QStringLiteral("V")},
                                                 {QStringLiteral("EMPTY"), QString()}},
                                                QStringLiteral("/workspace"), true);
    const json& process = body["process"];
    QCOMPARE(text(process["envs"]), text(json{{"K", "V"}, {"EMPTY", ""}}));
    const json& args = process["args"];
    QCOMPARE(args.size(), size_t(7));
    QCOMPARE(args[2].get<std::string>(),
             std::string("exec < .codecourier-stdin && rm -f .codecourier-stdin && exec \"$@\""));
    QCOMPARE(args[6].get<std::string>(), tricky.toStdString());
    QCOMPARE(text(body["stdin"]), QByteArray("false"));
}

void TestE2BRequests::uploadRaw()
{
    const QByteArray content("print('hi')\n\0binary", 20);
    const auto request = uploadFileRequest(sandbox(), QStringLiteral("/workspace/dir name/main.py"), content, false);
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.url, QByteArray("http://127.0.0.1:49983/files?path=%2Fworkspace%2Fdir%20name%2Fmain.py"));
    QCOMPARE(header(request, "Content-Type"), QByteArray("application/octet-stream"));
    QCOMPARE(header(request, "X-Access-Token"), QByteArray("tok-123"));
    QCOMPARE(request.body, content);
    QVERIFY(request.timeoutMs > 0);
}

void TestE2BRequests::uploadMultipart()
{
    const auto request = uploadFileRequest(sandbox(), QStringLiteral("/workspace/main.py"), "abc", true, "BOUNDARY");
    QCOMPARE(header(request, "Content-Type"), QByteArray("multipart/form-data; boundary=BOUNDARY"));
    QCOMPARE(request.body, QByteArray("--BOUNDARY\r\n"
                                      "Content-Disposition: form-data; name=\"file\"; filename=\"/workspace/main.py\"\r\n"
                                      "Content-Type: application/octet-stream\r\n\r\n"
                                      "abc\r\n"
                                      "--BOUNDARY--\r\n"));
}

void TestE2BRequests::rawUploadsByEnvdVersion_data()
{
    QTest::addColumn<QString>("version");
    QTest::addColumn<bool>("raw");
    QTest::newRow("0.6.13") << "0.6.13" << true;
    QTest::newRow("0.5.7") << "0.5.7" << true;
    QTest::newRow("0.5.6") << "0.5.6" << false;
    QTest::newRow("0.1.0") << "0.1.0" << false;
    QTest::newRow("99.99.99 (debug)") << "99.99.99" << true;
    QTest::newRow("unknown") << "" << true;
}

void TestE2BRequests::rawUploadsByEnvdVersion()
{
    QFETCH(QString, version);
    QFETCH(bool, raw);
    QCOMPARE(envdTakesRawUploads(version), raw);
}

void TestE2BRequests::sendSignal()
{
    const auto request = sendSignalRequest(sandbox(), 20672);
    QCOMPARE(request.url, QByteArray("http://127.0.0.1:49983/process.Process/SendSignal"));
    QCOMPARE(header(request, "Content-Type"), QByteArray("application/json"));
    QCOMPARE(header(request, "Connect-Protocol-Version"), QByteArray("1"));
    QCOMPARE(header(request, "X-Access-Token"), QByteArray("tok-123"));
    QVERIFY(!request.streaming);
    QVERIFY(request.timeoutMs > 0);
    QCOMPARE(text(bodyJson(request.body)), text(json{{"process", {{"pid", 20672}}}, {"signal", "SIGNAL_SIGKILL"}}));
}

void TestE2BRequests::parseCapturedSandbox()
{
    const QByteArray body = R"({"alias":"base","clientID":"6532622b","domain":null,"envdAccessToken":"tok-9",)"
                            R"("envdVersion":"0.6.13","sandboxID":"i1234567890123456789","templateID":"rki5dems9wqfm4r03t7g",)"
                            R"("trafficAccessToken":null})";
    QString error;
    const auto overridden = parseSandbox(body, fakeConfig(), &error);
    QVERIFY2(overridden, qPrintable(error));
    QCOMPARE(overridden->id, QStringLiteral("i1234567890123456789"));
    QCOMPARE(overridden->accessToken, QStringLiteral("tok-9"));
    QCOMPARE(overridden->envdVersion, QStringLiteral("0.6.13"));
    QCOMPARE(overridden->templateId, QStringLiteral("rki5dems9wqfm4r03t7g"));
    QVERIFY(overridden->domain.isEmpty());
    QCOMPARE(overridden->envdUrl, QStringLiteral("http://127.0.0.1:49983"));

    const auto selfHosted = parseSandbox(
        R"({"sandboxID":"iabc","domain":"e2b.example.org","envdVersion":"0.6.13","templateID":"t","clientID":"c"})",
        E2BConfig::fromValues(kKey, {}, false, {}, {}), &error);
    QVERIFY(selfHosted);
    QCOMPARE(selfHosted->envdUrl, QStringLiteral("https://49983-iabc.e2b.example.org"));
}

void TestE2BRequests::parseSandboxRejectsGarbage_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("truncated") << QByteArray(R"({"sandboxID":"i12)");
    QTest::newRow("no id") << QByteArray(R"({"templateID":"base"})");
    QTest::newRow("id not a string") << QByteArray(R"({"sandboxID":12})");
    QTest::newRow("array") << QByteArray("[]");
}

void TestE2BRequests::parseSandboxRejectsGarbage()
{
    QFETCH(QByteArray, body);
    QString error;
    QVERIFY(!parseSandbox(body, fakeConfig(), &error));
    QVERIFY(!error.isEmpty());
}

void TestE2BRequests::parseMetrics()
{
    const auto envd = cc::e2b::parseMetrics(json::parse(
        R"({"ts":1,"cpu_count":2,"cpu_used_pct":25.5,"mem_total_mib":512,"mem_used_mib":100,)"
        R"("mem_total":536870912,"mem_used":104857600,"mem_cache":0,"disk_used":1,"disk_total":2})"));
    QVERIFY(envd);
    QCOMPARE(envd->cpuCount, 2);
    QCOMPARE(envd->cpuUsedPercent, 25.5);
    QCOMPARE(envd->memoryUsedBytes, 104857600);
    QCOMPARE(envd->memoryTotalBytes, 536870912);

    const auto api = cc::e2b::parseMetrics(json::parse(
        R"([{"cpuCount":2,"cpuUsedPct":1,"memUsed":1,"memTotal":10},{"cpuCount":2,"cpuUsedPct":50,"memUsed":7,"memTotal":10}])"));
    QVERIFY(api);
    QCOMPARE(api->cpuUsedPercent, 50.0);  // the newest sample
    QCOMPARE(api->memoryUsedBytes, 7);

    QVERIFY(!cc::e2b::parseMetrics(json::array()));
    QVERIFY(!cc::e2b::parseMetrics(json::parse(R"({"unrelated":1})")));
    QVERIFY(!cc::e2b::parseMetrics(json()));
}

void TestE2BRequests::artifactRequests()
{
    const auto makeDir = makeDirRequest(sandbox(), QStringLiteral("/workspace/out"));
    QCOMPARE(makeDir.url, QByteArray("http://127.0.0.1:49983/filesystem.Filesystem/MakeDir"));
    QCOMPARE(header(makeDir, "Content-Type"), QByteArray("application/json"));
    QCOMPARE(header(makeDir, "X-Access-Token"), QByteArray("tok-123"));
    QCOMPARE(text(bodyJson(makeDir.body)), text(json{{"path", "/workspace/out"}}));

    const auto list = listDirRequest(sandbox(), QStringLiteral("/workspace/out"), 32);
    QCOMPARE(list.url, QByteArray("http://127.0.0.1:49983/filesystem.Filesystem/ListDir"));
    QCOMPARE(header(list, "Connect-Protocol-Version"), QByteArray("1"));
    QVERIFY(list.streaming);
    QCOMPARE(text(bodyJson(list.body)), text(json{{"depth", 32}, {"path", "/workspace/out"}}));

    const auto download = downloadFileRequest(sandbox(), QStringLiteral("/workspace/out/a b&c.txt"));
    QCOMPARE(download.method, QByteArray("GET"));
    QCOMPARE(download.url, QByteArray("http://127.0.0.1:49983/files?path=%2Fworkspace%2Fout%2Fa%20b%26c.txt"));
    QCOMPARE(header(download, "X-Access-Token"), QByteArray("tok-123"));
    QVERIFY(headers(download, "Accept-Encoding").isEmpty());  // identity: the bytes counted are the file's
    QVERIFY(download.streaming);
}

void TestE2BRequests::parseListDir_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QStringList>("entries");  // path|kind|size|target

    QTest::newRow("envd's shape")
        << QByteArray(R"({"entries":[{"name":"a.txt","type":"FILE_TYPE_FILE","path":"/workspace/out/a.txt","size":"130",)"
                      R"("mode":420,"permissions":"-rw-r--r--","owner":"user","group":"user","modifiedTime":"2026-12-04T19:38:29.385Z"},)"
                      R"({"name":"sub","type":"FILE_TYPE_DIRECTORY","path":"/workspace/out/sub","size":"4096"},)"
                      R"({"name":"l","type":"FILE_TYPE_SYMLINK","path":"/workspace/out/l","size":"11","symlinkTarget":"/etc/passwd"},)"
                      R"({"name":"fifo","path":"/workspace/out/fifo","permissions":"prw-r--r--"}]})")
        << true
        << QStringList{"/workspace/out/a.txt|file|130|", "/workspace/out/sub|dir|4096|", "/workspace/out/l|link|11|/etc/passwd",
                       "/workspace/out/fifo|other|0|"};
    QTest::newRow("empty folder: entries omitted") << QByteArray("{}") << true << QStringList{};
    QTest::newRow("enums as numbers, size as a number")
        << QByteArray(R"({"entries":[{"type":1,"path":"/o/a","size":5},{"type":2,"path":"/o/d"},{"type":3,"path":"/o/l"}]})")
        << true << QStringList{"/o/a|file|5|", "/o/d|dir|0|", "/o/l|link|0|"};
    QTest::newRow("unknown fields and enum values")
        << QByteArray(R"({"entries":[{"type":"FILE_TYPE_SOCKET","path":"/o/s","x":[1]}],"next":1})") << true
        << QStringList{"/o/s|other|0|"};
    QTest::newRow("hostile sizes")
        << QByteArray(R"({"entries":[{"type":1,"path":"/o/a","size":"-1"},{"type":1,"path":"/o/b","size":"9223372036854775808"},)"
                      R"({"type":1,"path":"/o/c","size":18446744073709551615},{"type":1,"path":"/o/d","size":1.5},)"
                      R"({"type":1,"path":"/o/e","size":"+5"},{"type":1,"path":"/o/f","size":-3}]})")
        << true << QStringList{"/o/a|file|-1|", "/o/b|file|-1|", "/o/c|file|-1|", "/o/d|file|-1|", "/o/e|file|-1|", "/o/f|file|-1|"};
    QTest::newRow("entries without a path or not objects are skipped")
        << QByteArray(R"({"entries":[{"type":1},3,"x",{"path":""},{"path":"/o/k","type":1,"size":"1"}]})") << true
        << QStringList{"/o/k|file|1|"};
    QTest::newRow("not JSON") << QByteArray("<html>") << false << QStringList{};
    QTest::newRow("an array") << QByteArray("[]") << false << QStringList{};
    QTest::newRow("entries not a list") << QByteArray(R"({"entries":{}})") << false << QStringList{};
}

void TestE2BRequests::parseListDir()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QFETCH(QStringList, entries);
    QString error;
    const auto parsed = cc::e2b::parseListDir(body, &error);
    QCOMPARE(parsed.has_value(), ok);
    if (!ok) {
        QVERIFY(error.endsWith(QLatin1Char('.')));
        return;
    }
    QStringList described;
    for (const ListedEntry& e : *parsed) {
        const char* kind = e.kind == ListedEntry::Kind::File        ? "file"
                           : e.kind == ListedEntry::Kind::Directory ? "dir"
                           : e.kind == ListedEntry::Kind::Symlink   ? "link"
                                                                    : "other";
        described << QStringLiteral("%1|%2|%3|%4").arg(e.path, QLatin1String(kind)).arg(e.size).arg(e.symlinkTarget);
    }
    QCOMPARE(described, entries);
}

QTEST_APPLESS_MAIN(TestE2BRequests)
#include "tst_e2brequests.moc"
