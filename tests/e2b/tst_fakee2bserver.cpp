// The fake E2B server on its own, over plain HTTP with the project's HttpClient: the protocol
// shapes the E2B client relies on, and every fault option, so they are known to work before a
// client test leans on them. The SDK check (e2b_sdk_check) proves the same shapes against the SDK.

#include "FakeE2BServer.h"
#include "http/HttpClient.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>

using cc::http::HttpClient;
using cc::http::HttpReply;
using cc::http::HttpRequest;
using cc::test::FakeE2BFault;
using cc::test::FakeE2BServer;
using cc::test::FakeE2BServerOptions;
using json = nlohmann::json;

namespace {

// One Connect envelope as it came off the wire.
struct Envelope
{
    int flags = 0;
    QByteArray payload;
    json message() const { return json::parse(payload.toStdString(), nullptr, false); }
};

// Splits a Connect stream body; whatever does not form a whole envelope is left in rest.
QList<Envelope> parseEnvelopes(const QByteArray& body, QByteArray* rest = nullptr)
{
    QList<Envelope> out;
    qsizetype at = 0;
    while (body.size() - at >= 5) {
        const auto* p = reinterpret_cast<const unsigned char*>(body.constData() + at);
        const quint32 len = (quint32(p[1]) << 24) | (quint32(p[2]) << 16) | (quint32(p[3]) << 8) | quint32(p[4]);
        if (body.size() - at - 5 < qsizetype(len))
            break;
        out.append({p[0], body.mid(at + 5, len)});
        at += 5 + qsizetype(len);
    }
    if (rest)
        *rest = body.mid(at);
    return out;
}

QByteArray envelope(const json& message)
{
    const QByteArray payload = QByteArray::fromStdString(message.dump());
    QByteArray out(5, '\0');
    const quint32 n = quint32(payload.size());
    out[1] = char(n >> 24);
    out[2] = char(n >> 16);
    out[3] = char(n >> 8);
    out[4] = char(n);
    return out + payload;
}

struct Result
{
    int status = 0;
    QByteArray body;
    QString error;
    QList<QByteArray> chunks; // streaming requests: the pieces as they arrived
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray header(const QByteArray& name) const
    {
        for (const auto& [k, v] : headers)
            if (k.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        return {};
    }
    json bodyJson() const { return json::parse(body.toStdString(), nullptr, false); }
};

using Header = QPair<QByteArray, QByteArray>;

struct Sandbox
{
    std::string id;
    std::string token;
};

} // namespace

class TestFakeE2BServer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();

    // control plane
    void createAnswersAndRecordsTheBody();
    void wrongOrMissingApiKeyIs401();
    void unknownTemplateIs404InE2BShape();
    void badCreateBodiesAre400();
    void v1CreateIssuesATokenOnlyWhenSecure();
    void v2CanBeSwitchedOff();
    void deleteKillsAndASecondDeleteIs404();
    void infoTimeoutMetricsAndConnect();
    void sandboxesExpireAtTheirTimeout();

    // envd
    void envdRoutesBySandboxIdOrHost();
    void envdChecksTheAccessToken();
    void filesUploadAndDownload();
    void filesSignedUrls();
    void startStreamsStartDataEndAndTrailer();
    void commandsSeeSandboxPathsEnvAndCwd();
    void missingCwdIsAnEndStreamError();
    void deadlineKillsTheProcess();
    void keepalivesWhileQuiet();
    void sendSignalKillsAndEndsTheStream();
    void stdinAndReconnect();
    void connectProtocolErrors();
    void filesystemUnaryCalls();
    void expiredSandboxDropsOpenStreams();

    // faults
    void rateLimitedOnceWithRetryAfter();
    void serverErrors();
    void sandboxGoneOnEnvd();
    void malformedJsonBodies();
    void malformedStreamMessage();
    void streamDroppedMidway();
    void streamWithoutEndEvent();
    void streamWithoutEndStream();
    void streamInTinyPieces();
    void delayedAnswers();
    void faultsMatchPlaneMethodAndCount();

    // observability
    void secretsNeverRecorded();

private:
    Result send(const QByteArray& method, const QByteArray& url, QList<QPair<QByteArray, QByteArray>> headers = {},
                const QByteArray& body = {}, bool streaming = false, int timeoutMs = 20'000);
    Result api(const QByteArray& method, const QByteArray& path, const json& body = nullptr,
               const QByteArray& key = {});
    QList<QPair<QByteArray, QByteArray>> envdHeaders(const Sandbox& s) const;
    Result envdJson(const Sandbox& s, const QByteArray& path, const json& body);
    Result start(const Sandbox& s, const QString& command, int timeoutMs = 0, json extra = json::object(),
                 QList<QPair<QByteArray, QByteArray>> moreHeaders = {});
    Sandbox create(const json& extra = json::object());
    Result upload(const Sandbox& s, const QByteArray& path, const QByteArray& content);

    std::unique_ptr<FakeE2BServer> m_server;
    std::unique_ptr<HttpClient> m_client;
    QByteArray m_api;
    QByteArray m_envd;
};

void TestFakeE2BServer::initTestCase()
{
    for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
        qunsetenv(name);
    FakeE2BServerOptions options;
    options.templates.push_back({"tpl-python-id", "python"});
    m_server = std::make_unique<FakeE2BServer>(options);
    std::string error;
    QVERIFY2(m_server->start(&error), error.c_str());
    m_api = QByteArray::fromStdString(m_server->apiUrl());
    m_envd = QByteArray::fromStdString(m_server->sandboxUrl());
    QVERIFY(m_api.startsWith("http://127.0.0.1:"));
    QVERIFY(m_envd.startsWith("http://127.0.0.1:"));
    m_client = std::make_unique<HttpClient>();
}

void TestFakeE2BServer::cleanupTestCase()
{
    m_client.reset();
    m_server->stop();
    QVERIFY(m_server->liveProcesses().empty());
}

void TestFakeE2BServer::init()
{
    m_server->clearFaults();
    m_server->clearRecords();
}

Result TestFakeE2BServer::send(const QByteArray& method, const QByteArray& url,
                               QList<QPair<QByteArray, QByteArray>> headers, const QByteArray& body, bool streaming,
                               int timeoutMs)
{
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.headers = std::move(headers);
    request.body = body;
    request.streaming = streaming;
    request.timeoutMs = timeoutMs;
    std::unique_ptr<HttpReply> reply(m_client->send(request, nullptr));
    reply->setParent(nullptr);
    Result r;
    connect(reply.get(), &HttpReply::dataReceived, this, [&r](const QByteArray& chunk) {
        r.chunks.append(chunk);
        r.body += chunk;
    });
    QSignalSpy finished(reply.get(), &HttpReply::finished);
    if (!reply->isFinished() && !finished.wait(timeoutMs + 5000))
        qWarning("request did not finish");
    r.status = reply->status();
    if (!streaming)
        r.body = reply->body();
    r.error = reply->errorString();
    for (const char* name : {"Content-Type", "Retry-After", "Cache-Control", "Content-Disposition", "Content-Encoding",
                             "X-Total-Running"})
        if (!reply->header(name).isEmpty())
            r.headers.append({name, reply->header(name)});
    return r;
}

Result TestFakeE2BServer::api(const QByteArray& method, const QByteArray& path, const json& body, const QByteArray& key)
{
    QList<QPair<QByteArray, QByteArray>> headers = {
        {"X-API-KEY", key.isNull() ? QByteArray::fromStdString(m_server->options().apiKey) : key}};
    QByteArray payload;
    if (!body.is_null()) {
        headers.append(Header("Content-Type", "application/json"));
        payload = QByteArray::fromStdString(body.dump());
    }
    return send(method, m_api + path, headers, payload);
}

QList<QPair<QByteArray, QByteArray>> TestFakeE2BServer::envdHeaders(const Sandbox& s) const
{
    return {{"E2b-Sandbox-Id", QByteArray::fromStdString(s.id)},
            {"E2b-Sandbox-Port", "49983"},
            {"X-Access-Token", QByteArray::fromStdString(s.token)},
            {"Connect-Protocol-Version", "1"}};
}

Result TestFakeE2BServer::envdJson(const Sandbox& s, const QByteArray& path, const json& body)
{
    auto headers = envdHeaders(s);
    headers.append(Header("Content-Type", "application/json"));
    return send("POST", m_envd + path, headers, QByteArray::fromStdString(body.dump()));
}

Result TestFakeE2BServer::start(const Sandbox& s, const QString& command, int timeoutMs, json extra,
                                QList<QPair<QByteArray, QByteArray>> moreHeaders)
{
    json message = {{"process", {{"cmd", "/bin/bash"}, {"args", {"-l", "-c", command.toStdString()}}}}, {"stdin", false}};
    for (auto& [k, v] : extra.items())
        message["process"][k] = v;
    auto headers = envdHeaders(s);
    headers.append(Header("Content-Type", "application/connect+json"));
    headers.append(Header("Keepalive-Ping-Interval", "50"));
    if (timeoutMs > 0)
        headers.append(Header("Connect-Timeout-Ms", QByteArray::number(timeoutMs)));
    headers.append(moreHeaders);
    return send("POST", m_envd + "/process.Process/Start", headers, envelope(message), true);
}

Sandbox TestFakeE2BServer::create(const json& extra)
{
    json body = {{"templateID", "base"}, {"timeout", 120}};
    body.update(extra);
    const Result r = api("POST", "/v2/sandboxes", body);
    if (r.status != 201)
        qWarning("create answered %d: %s", r.status, r.body.constData());
    const json j = r.bodyJson();
    if (!j.is_object())
        return {};
    return {j.value("sandboxID", ""), j.value("envdAccessToken", "")};
}

Result TestFakeE2BServer::upload(const Sandbox& s, const QByteArray& path, const QByteArray& content)
{
    const QByteArray boundary = "----formdata-undici-012195625771";
    QByteArray body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + path +
                      "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
    auto headers = envdHeaders(s);
    headers.append(Header("Content-Type", "multipart/form-data; boundary=" + boundary));
    return send("POST", m_envd + "/files?path=" + QUrl::toPercentEncoding(path), headers, body);
}

// ---------------------------------------------------------------------------------------------

void TestFakeE2BServer::createAnswersAndRecordsTheBody()
{
    const json body = {{"templateID", "base"},
                       {"timeout", 60},
                       {"envVars", {{"MODE", "fast"}}},
                       {"metadata", {{"run", "42"}}},
                       {"allow_internet_access", false}};
    const Result r = api("POST", "/v2/sandboxes", body);
    QCOMPARE(r.status, 201);
    QCOMPARE(r.header("Content-Type"), QByteArray("application/json; charset=utf-8"));
    const json j = r.bodyJson();
    QVERIFY2(j.is_object(), r.body.constData());
    const std::string id = j["sandboxID"];
    QCOMPARE(id.size(), size_t(20));
    QCOMPARE(j["clientID"], json("6532622b"));
    QCOMPARE(j["envdVersion"], json("0.6.13"));
    QCOMPARE(j["templateID"], json("rki5dems9wqfm4r03t7g"));
    QCOMPARE(j["alias"], json("base"));
    QVERIFY(j["domain"].is_null());
    QVERIFY(j["trafficAccessToken"].is_null());
    QVERIFY(!j["envdAccessToken"].get<std::string>().empty());

    const auto creates = m_server->creates();
    QCOMPARE(creates.size(), size_t(1));
    QCOMPARE(creates[0].path, std::string("/v2/sandboxes"));
    QCOMPARE(creates[0].status, 201);
    QCOMPARE(creates[0].sandboxId, id);
    QCOMPARE(creates[0].body, body);
    QCOMPARE(creates[0].body["allow_internet_access"], json(false));

    const auto s = m_server->sandbox(id);
    QVERIFY(s.has_value());
    QVERIFY(s->alive);
    QCOMPARE(s->allowInternetAccess, std::optional<bool>(false));
    QCOMPARE(s->timeoutSeconds, 60);
    QCOMPARE(s->envVars, json({{"MODE", "fast"}}));
    QCOMPARE(s->metadata, json({{"run", "42"}}));
    QCOMPARE(s->envdAccessToken, j["envdAccessToken"].get<std::string>());
    QVERIFY(std::filesystem::is_directory(s->homeDir));
    QCOMPARE(s->homeDir, s->rootDir + "/home/user");

    // By alias or by id, and the v2 default timeout is 300 s.
    QCOMPARE(api("POST", "/v2/sandboxes", {{"templateID", "tpl-python-id"}}).status, 201);
    const auto last = m_server->sandbox(m_server->creates().back().sandboxId);
    QCOMPARE(last->alias, std::string("python"));
    QCOMPARE(last->timeoutSeconds, 300);
    QCOMPARE(m_server->lastRequestHeaders("/v2/sandboxes").at("x-api-key"), std::string("<valid>"));
}

void TestFakeE2BServer::wrongOrMissingApiKeyIs401()
{
    Result r = api("POST", "/v2/sandboxes", {{"templateID", "base"}}, "e2b_wrong");
    QCOMPARE(r.status, 401);
    json j = r.bodyJson();
    QCOMPARE(j["code"], json(401));
    QVERIFY(j["message"].is_string());
    r = send("DELETE", m_api + "/sandboxes/ixxxxxxxxxxxxxxxxxxx");
    QCOMPARE(r.status, 401);
    QCOMPARE(m_server->lastRequestHeaders("/v2/sandboxes").at("x-api-key"), std::string("<invalid>"));
    QCOMPARE(m_server->creates().size(), size_t(0));
    // The API's own health check needs no key.
    QCOMPARE(send("GET", m_api + "/health").status, 200);
}

void TestFakeE2BServer::unknownTemplateIs404InE2BShape()
{
    const Result r = api("POST", "/v2/sandboxes", {{"templateID", "nope"}});
    QCOMPARE(r.status, 404);
    QCOMPARE(r.bodyJson()["code"], json(404));
    QVERIFY(r.bodyJson()["message"].get<std::string>().find("nope") != std::string::npos);
    QCOMPARE(m_server->creates().at(0).status, 404);
    QVERIFY(m_server->creates().at(0).sandboxId.empty());
}

void TestFakeE2BServer::badCreateBodiesAre400()
{
    QCOMPARE(api("POST", "/v2/sandboxes", {{"templateID", "base"}, {"timeout", 0}}).bodyJson()["message"],
             json("Timeout must be greater than 0"));
    QCOMPARE(api("POST", "/v2/sandboxes", {{"timeout", 10}}).status, 400);
    QCOMPARE(api("POST", "/v2/sandboxes", {{"templateID", "base"}, {"envVars", {{"A", 1}}}}).status, 400);
    const Result r = send("POST", m_api + "/v2/sandboxes",
                          {{"X-API-KEY", QByteArray::fromStdString(m_server->options().apiKey)},
                           {"Content-Type", "application/json"}},
                          "{not json");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.bodyJson()["code"], json(400));
    QVERIFY(m_server->creates().back().body.is_null());
}

void TestFakeE2BServer::v1CreateIssuesATokenOnlyWhenSecure()
{
    Result r = api("POST", "/sandboxes", {{"templateID", "base"}});
    QCOMPARE(r.status, 201);
    QVERIFY(!r.bodyJson().contains("envdAccessToken"));
    const auto open = m_server->sandbox(r.bodyJson()["sandboxID"]);
    QVERIFY(!open->secure);
    QCOMPARE(open->timeoutSeconds, 15);
    // Without a token, envd takes any request for that sandbox.
    QCOMPARE(send("POST", m_envd + "/process.Process/List",
                  {{"E2b-Sandbox-Id", QByteArray::fromStdString(open->sandboxId)}, {"Content-Type", "application/json"}},
                  "{}").status,
             200);

    r = api("POST", "/sandboxes", {{"templateID", "base"}, {"secure", true}});
    QCOMPARE(r.status, 201);
    QVERIFY(!r.bodyJson()["envdAccessToken"].get<std::string>().empty());
    QCOMPARE(m_server->creates().back().path, std::string("/sandboxes"));
}

void TestFakeE2BServer::v2CanBeSwitchedOff()
{
    FakeE2BServerOptions options;
    options.acceptV2 = false;
    FakeE2BServer old(options);
    std::string error;
    QVERIFY2(old.start(&error), error.c_str());
    const QList<QPair<QByteArray, QByteArray>> headers = {{"X-API-KEY", QByteArray::fromStdString(options.apiKey)},
                                                          {"Content-Type", "application/json"}};
    const QByteArray url = QByteArray::fromStdString(old.apiUrl());
    Result r = send("POST", url + "/v2/sandboxes", headers, R"({"templateID":"base"})");
    QCOMPARE(r.status, 404);
    r = send("POST", url + "/sandboxes", headers, R"({"templateID":"base","secure":true})");
    QCOMPARE(r.status, 201);
    QCOMPARE(old.creates().size(), size_t(1)); // the refused v2 call created nothing
    QCOMPARE(old.requests().size(), size_t(2));
}

void TestFakeE2BServer::deleteKillsAndASecondDeleteIs404()
{
    const Sandbox s = create();
    QVERIFY(!s.id.empty());
    Result r = api("DELETE", "/sandboxes/" + QByteArray::fromStdString(s.id));
    QCOMPARE(r.status, 204);
    QVERIFY(r.body.isEmpty());
    QVERIFY(!m_server->sandbox(s.id)->alive);
    r = api("DELETE", "/sandboxes/" + QByteArray::fromStdString(s.id));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.bodyJson()["code"], json(404));
    const auto deletes = m_server->deletes();
    QCOMPARE(deletes.size(), size_t(2));
    QCOMPARE(deletes[0].sandboxId, s.id);
    QCOMPARE(deletes[0].status, 204);
    QCOMPARE(deletes[1].status, 404);
    // envd now answers as the edge proxy does for a vanished sandbox.
    r = send("GET", m_envd + "/health", envdHeaders(s));
    QCOMPARE(r.status, 502);
    QCOMPARE(r.bodyJson(), json({{"sandboxId", s.id}, {"message", "The sandbox was not found"}, {"code", 502}}));
}

void TestFakeE2BServer::infoTimeoutMetricsAndConnect()
{
    const Sandbox s = create({{"metadata", {{"k", "v"}}}});
    const QByteArray path = "/sandboxes/" + QByteArray::fromStdString(s.id);
    Result r = api("GET", path);
    QCOMPARE(r.status, 200);
    json j = r.bodyJson();
    QCOMPARE(j["sandboxID"], json(s.id));
    QCOMPARE(j["state"], json("running"));
    QCOMPARE(j["metadata"], json({{"k", "v"}}));
    QVERIFY(j["startedAt"].get<std::string>().back() == 'Z');
    QVERIFY(j.contains("endAt") && j.contains("cpuCount") && j.contains("memoryMB"));

    QCOMPARE(api("POST", path + "/timeout", {{"timeout", 30}}).status, 204);
    QCOMPARE(m_server->sandbox(s.id)->timeoutSeconds, 30);
    QCOMPARE(api("POST", path + "/timeout", {{"timeout", 0}}).status, 400);

    r = api("GET", path + "/metrics");
    QCOMPARE(r.status, 200);
    j = r.bodyJson();
    QVERIFY(j.is_array() && j.size() == 1);
    for (const char* field : {"timestamp", "timestampUnix", "cpuCount", "cpuUsedPct", "memUsed", "memTotal", "diskUsed",
                              "diskTotal"})
        QVERIFY2(j[0].contains(field), field);

    r = send("GET", m_envd + "/metrics", envdHeaders(s));
    QCOMPARE(r.status, 200);
    QVERIFY(r.bodyJson().contains("mem_used"));

    r = api("POST", "/v2" + path + "/connect", {{"timeout", 30}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.bodyJson()["envdAccessToken"], json(s.token));

    QCOMPARE(api("GET", "/sandboxes/inotthereatallxxxxxx").status, 404);
    QCOMPARE(api("POST", "/sandboxes/inotthereatallxxxxxx/timeout", {{"timeout", 5}}).bodyJson()["code"], json(404));
    QCOMPARE(api("GET", "/no/such/route").status, 404);
}

void TestFakeE2BServer::sandboxesExpireAtTheirTimeout()
{
    const Sandbox s = create({{"timeout", 1}});
    QCOMPARE(send("GET", m_envd + "/health", envdHeaders(s)).status, 204);
    QTRY_VERIFY_WITH_TIMEOUT(!m_server->sandbox(s.id)->alive, 3000);
    QCOMPARE(api("GET", "/sandboxes/" + QByteArray::fromStdString(s.id)).status, 404);
    QCOMPARE(send("GET", m_envd + "/health", envdHeaders(s)).status, 502);
}

void TestFakeE2BServer::envdRoutesBySandboxIdOrHost()
{
    const Sandbox a = create();
    const Sandbox b = create();
    QCOMPARE(upload(a, "/home/user/which.txt", "a").status, 200);
    QCOMPARE(upload(b, "/home/user/which.txt", "b").status, 200);
    Result r = send("GET", m_envd + "/files?path=/home/user/which.txt", envdHeaders(a));
    QCOMPARE(r.body, QByteArray("a"));
    r = send("GET", m_envd + "/files?path=/home/user/which.txt", envdHeaders(b));
    QCOMPARE(r.body, QByteArray("b"));
    // A per-sandbox host name routes as well (49983-<id>.<domain>).
    r = send("GET", m_envd + "/files?path=/home/user/which.txt",
             {{"Host", "49983-" + QByteArray::fromStdString(b.id) + ".e2b.app"},
              {"X-Access-Token", QByteArray::fromStdString(b.token)}});
    QCOMPARE(r.body, QByteArray("b"));

    r = send("GET", m_envd + "/health", envdHeaders(a));
    QCOMPARE(r.status, 204);
    QCOMPARE(r.header("Cache-Control"), QByteArray("no-store"));
    r = send("GET", m_envd + "/health", {{"E2b-Sandbox-Id", "iunknownsandboxxxxxx"}});
    QCOMPARE(r.status, 502);
    QCOMPARE(r.bodyJson()["message"], json("The sandbox was not found"));
    QCOMPARE(send("GET", m_envd + "/health").status, 502);
}

void TestFakeE2BServer::envdChecksTheAccessToken()
{
    const Sandbox s = create();
    Sandbox wrong = s;
    wrong.token = "not-the-token";
    for (const QByteArray& path : {QByteArray("/process.Process/List"), QByteArray("/filesystem.Filesystem/Stat")}) {
        const Result r = envdJson(wrong, path, {{"path", "/home/user"}});
        QCOMPARE(r.status, 401);
        QCOMPARE(r.body, QByteArray("{\"code\":401,\"message\":\"unauthorized access, please provide a valid access "
                                    "token or method signing if supported\"}\n"));
    }
    const Result stream = start(wrong, "echo hi");
    QCOMPARE(stream.status, 401); // also on streams: the middleware answers before Connect does
    QCOMPARE(send("GET", m_envd + "/metrics", envdHeaders(wrong)).status, 401);
    // /health is exempt; /files checks on its own.
    QCOMPARE(send("GET", m_envd + "/health", envdHeaders(wrong)).status, 204);
    QCOMPARE(send("GET", m_envd + "/files?path=/home/user", envdHeaders(wrong)).status, 401);
    auto noToken = envdHeaders(s);
    noToken.removeIf([](const auto& h) { return h.first == "X-Access-Token"; });
    QCOMPARE(send("GET", m_envd + "/files?path=x", noToken).status, 401);
    QCOMPARE(envdJson(s, "/process.Process/List", json::object()).status, 200);
    QCOMPARE(m_server->lastRequestHeaders("/process.Process/List").at("x-access-token"), std::string("<valid>"));
}

void TestFakeE2BServer::filesUploadAndDownload()
{
    const Sandbox s = create();
    const QByteArray content = QByteArray("print('hé')\n") + QByteArray(1, '\0') + QByteArray("\xff binary tail");
    Result r = upload(s, "/home/user/snippet.py", content);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.bodyJson(), json::parse(R"([{"path":"/home/user/snippet.py","name":"snippet.py","type":"file"}])"));
    const auto sb = m_server->sandbox(s.id);
    std::ifstream onHost(sb->homeDir + "/snippet.py", std::ios::binary);
    QCOMPARE(QByteArray::fromStdString(std::string(std::istreambuf_iterator<char>(onHost), {})), content);

    r = send("GET", m_envd + "/files?path=%2Fhome%2Fuser%2Fsnippet.py", envdHeaders(s));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, content);
    QCOMPARE(r.header("Content-Disposition"), QByteArray("inline; filename=snippet.py"));

    // Raw body upload; relative and ~ paths resolve against /home/user; parents are made.
    auto raw = envdHeaders(s);
    raw.append(Header("Content-Type", "application/octet-stream"));
    r = send("POST", m_envd + "/files?path=dir/sub/raw.txt", raw, "raw bytes");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.bodyJson()[0]["path"], json("/home/user/dir/sub/raw.txt"));
    QCOMPARE(send("GET", m_envd + "/files?path=~/dir/sub/raw.txt", envdHeaders(s)).body, QByteArray("raw bytes"));
    QCOMPARE(send("POST", m_envd + "/files", raw, "no path").status, 400);

    // Multipart without ?path: the part's filename is the path.
    auto multi = envdHeaders(s);
    multi.append(Header("Content-Type", "multipart/form-data; boundary=XyZ"));
    r = send("POST", m_envd + "/files", multi,
             "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"one.txt\"\r\n\r\n1\r\n"
             "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"/tmp/two.txt\"\r\n\r\n2\r\n--XyZ--\r\n");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.bodyJson().size(), size_t(2));
    QVERIFY(std::filesystem::exists(sb->rootDir + "/tmp/two.txt"));

    r = send("GET", m_envd + "/files?path=/home/user/absent", envdHeaders(s));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.bodyJson(), json({{"code", 404}, {"message", "path '/home/user/absent' does not exist"}}));
    QCOMPARE(send("GET", m_envd + "/files?path=/home/user", envdHeaders(s)).status, 400);
    QCOMPARE(send("GET", m_envd + "/files?path=x&username=nobody", envdHeaders(s)).status, 401);
    // Nothing escapes the sandbox folder.
    r = upload(s, "/../../../escape.txt", "x");
    QCOMPARE(r.bodyJson()[0]["path"], json("/escape.txt"));
    QVERIFY(std::filesystem::exists(sb->rootDir + "/escape.txt"));
}

void TestFakeE2BServer::filesSignedUrls()
{
    const Sandbox s = create();
    QCOMPARE(upload(s, "/home/user/signed.txt", "ok").status, 200);
    const QByteArray path = "/home/user/signed.txt";
    auto sign = [&](const QByteArray& op, const QByteArray& exp) {
        QByteArray material = path + ":" + op + "::" + QByteArray::fromStdString(s.token);
        if (!exp.isEmpty())
            material += ":" + exp;
        return "v1_" + QCryptographicHash::hash(material, QCryptographicHash::Sha256)
                           .toBase64(QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals);
    };
    const QList<QPair<QByteArray, QByteArray>> routing = {{"E2b-Sandbox-Id", QByteArray::fromStdString(s.id)}};
    const QByteArray base = m_envd + "/files?path=" + QUrl::toPercentEncoding(path);
    Result r = send("GET", base + "&signature=" + QUrl::toPercentEncoding(sign("read", {})), routing);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("ok"));
    QCOMPARE(send("GET", base + "&signature=" + QUrl::toPercentEncoding(sign("write", {})), routing).status, 401);
    const QByteArray future = QByteArray::number(QDateTime::currentSecsSinceEpoch() + 60);
    const QByteArray past = QByteArray::number(QDateTime::currentSecsSinceEpoch() - 60);
    QCOMPARE(send("GET", base + "&signature=" + QUrl::toPercentEncoding(sign("read", future)) +
                             "&signature_expiration=" + future, routing).status,
             200);
    QCOMPARE(send("GET", base + "&signature=" + QUrl::toPercentEncoding(sign("read", past)) +
                             "&signature_expiration=" + past, routing).status,
             401);
}

void TestFakeE2BServer::startStreamsStartDataEndAndTrailer()
{
    const Sandbox s = create();
    const Result r = start(s, "echo out; echo err >&2; exit 3", 10'000);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("Content-Type"), QByteArray("application/connect+json"));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QByteArray rest;
    const auto envelopes = parseEnvelopes(r.body, &rest);
    QVERIFY(rest.isEmpty());
    QVERIFY(envelopes.size() >= 4);
    const json first = envelopes.first().message();
    QCOMPARE(envelopes.first().flags, 0);
    QVERIFY(first["event"]["start"]["pid"].get<int>() > 0);
    QByteArray out, err;
    for (qsizetype i = 1; i < envelopes.size() - 2; ++i) {
        const json data = envelopes[i].message()["event"]["data"];
        QCOMPARE(envelopes[i].flags, 0);
        if (data.contains("stdout"))
            out += QByteArray::fromBase64(QByteArray::fromStdString(data["stdout"]));
        if (data.contains("stderr"))
            err += QByteArray::fromBase64(QByteArray::fromStdString(data["stderr"]));
    }
    QCOMPARE(out, QByteArray("out\n"));
    QCOMPARE(err, QByteArray("err\n"));
    const Envelope end = envelopes[envelopes.size() - 2];
    QCOMPARE(end.payload,
             QByteArray(R"({"event":{"end":{"exitCode":3,"exited":true,"status":"exit status 3","error":"exit status 3"}}})"));
    QCOMPARE(envelopes.last().flags, 2);
    QCOMPARE(envelopes.last().payload, QByteArray("{}"));

    // Exit 0 leaves out the zero values, as protojson does.
    const auto ok = parseEnvelopes(start(s, "true").body);
    QCOMPARE(ok[ok.size() - 2].payload, QByteArray(R"({"event":{"end":{"exited":true,"status":"exit status 0"}}})"));

    const auto procs = m_server->processes();
    QCOMPARE(procs.at(procs.size() - 2).exitCode, std::optional<int>(3));
    QCOMPARE(procs.at(procs.size() - 2).args, std::vector<std::string>({"-l", "-c", "echo out; echo err >&2; exit 3"}));
    QCOMPARE(m_server->lastRequestHeaders("/process.Process/Start").at("connect-protocol-version"), std::string("1"));
    QCOMPARE(m_server->requests().back().body,
             std::string(R"({"process":{"args":["-l","-c","true"],"cmd":"/bin/bash"},"stdin":false})"));
}

void TestFakeE2BServer::commandsSeeSandboxPathsEnvAndCwd()
{
    const Sandbox s = create({{"envVars", {{"FROM_SANDBOX", "1"}, {"OVERRIDDEN", "sandbox"}}}});
    QCOMPARE(upload(s, "/home/user/work/data.txt", "payload").status, 200);
    const Result r = start(s, "cat /home/user/work/data.txt; echo; echo $FROM_SANDBOX $OVERRIDDEN $USER; pwd; ls", 10'000,
                           {{"envs", {{"OVERRIDDEN", "request"}}}, {"cwd", "/home/user/work"}});
    QByteArray out;
    for (const auto& e : parseEnvelopes(r.body)) {
        const json m = e.message();
        if (m.contains("event") && m["event"].contains("data") && m["event"]["data"].contains("stdout"))
            out += QByteArray::fromBase64(QByteArray::fromStdString(m["event"]["data"]["stdout"]));
    }
    const auto lines = out.split('\n');
    QCOMPARE(lines.value(0), QByteArray("payload"));
    QCOMPARE(lines.value(1), QByteArray("1 request user"));
    QVERIFY2(lines.value(2).endsWith("/home/user/work"), lines.value(2).constData());
    QCOMPARE(lines.value(3), QByteArray("data.txt"));
    const auto proc = m_server->processes().back();
    QCOMPARE(proc.cwd, std::string("/home/user/work"));
    QCOMPARE(proc.envs.at("OVERRIDDEN"), std::string("request"));
}

void TestFakeE2BServer::missingCwdIsAnEndStreamError()
{
    const Sandbox s = create();
    const Result r = start(s, "ls", 5000, {{"cwd", "/home/user/nowhere"}});
    QCOMPARE(r.status, 200);
    const auto envelopes = parseEnvelopes(r.body);
    QCOMPARE(envelopes.size(), 1);
    QCOMPARE(envelopes[0].flags, 2);
    QCOMPARE(envelopes[0].message(),
             json({{"error", {{"code", "invalid_argument"}, {"message", "cwd '/home/user/nowhere' does not exist"}}}}));
}

void TestFakeE2BServer::deadlineKillsTheProcess()
{
    const Sandbox s = create();
    QElapsedTimer timer;
    timer.start();
    const Result r = start(s, "echo started; sleep 30", 500);
    QVERIFY(timer.elapsed() < 5000);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    const auto envelopes = parseEnvelopes(r.body);
    QVERIFY(envelopes.size() >= 2);
    QVERIFY(envelopes.first().message()["event"].contains("start"));
    QCOMPARE(envelopes.last().flags, 2);
    const QByteArray trailer = R"({"error":{"code":"deadline_exceeded","message":"context deadline exceeded"}})";
    QCOMPARE(envelopes.last().payload, trailer);
    QCOMPARE(trailer.size(), 0x4c); // as captured
    QVERIFY(m_server->waitForNoLiveProcesses(5000));
    const auto proc = m_server->processes().back();
    QVERIFY(proc.deadlineExceeded);
    QCOMPARE(proc.termSignal, std::optional<int>(SIGKILL));
}

void TestFakeE2BServer::keepalivesWhileQuiet()
{
    FakeE2BServerOptions options;
    options.keepaliveIntervalMs = 100;
    FakeE2BServer quick(options);
    std::string error;
    QVERIFY2(quick.start(&error), error.c_str());
    const Result created = send("POST", QByteArray::fromStdString(quick.apiUrl()) + "/v2/sandboxes",
                                {{"X-API-KEY", QByteArray::fromStdString(options.apiKey)}}, R"({"templateID":"base"})");
    const json j = created.bodyJson();
    const json message = {{"process", {{"cmd", "/bin/sh"}, {"args", {"-c", "sleep 0.65"}}}}};
    const Result r = send("POST", QByteArray::fromStdString(quick.sandboxUrl()) + "/process.Process/Start",
                          {{"E2b-Sandbox-Id", QByteArray::fromStdString(j["sandboxID"])},
                           {"X-Access-Token", QByteArray::fromStdString(j["envdAccessToken"])},
                           {"Content-Type", "application/connect+json"}},
                          envelope(message), true);
    int keepalives = 0;
    for (const auto& e : parseEnvelopes(r.body))
        if (e.payload == R"({"event":{"keepalive":{}}})")
            ++keepalives;
    QVERIFY2(keepalives >= 4, qPrintable(QString::number(keepalives)));
}

void TestFakeE2BServer::sendSignalKillsAndEndsTheStream()
{
    const Sandbox s = create();
    json message = {{"process", {{"cmd", "/bin/bash"}, {"args", {"-l", "-c", "sleep 30"}}}}, {"stdin", false}};
    auto headers = envdHeaders(s);
    headers.append(Header("Content-Type", "application/connect+json"));
    HttpRequest request;
    request.method = "POST";
    request.url = m_envd + "/process.Process/Start";
    request.headers = headers;
    request.body = envelope(message);
    request.streaming = true;
    request.timeoutMs = 20'000;
    std::unique_ptr<HttpReply> reply(m_client->send(request, nullptr));
    reply->setParent(nullptr);
    QByteArray body;
    connect(reply.get(), &HttpReply::dataReceived, this, [&](const QByteArray& chunk) { body += chunk; });
    QTRY_VERIFY(!parseEnvelopes(body).isEmpty());
    const int pid = parseEnvelopes(body).first().message()["event"]["start"]["pid"];
    QCOMPARE(m_server->liveProcesses().size(), size_t(1));

    Result r = envdJson(s, "/process.Process/List", json::object());
    QCOMPARE(r.bodyJson()["processes"][0]["pid"], json(pid));
    QCOMPARE(r.bodyJson()["processes"][0]["config"]["cmd"], json("/bin/bash"));

    r = envdJson(s, "/process.Process/SendSignal", {{"process", {{"pid", pid}}}, {"signal", "SIGNAL_SIGKILL"}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("{}"));
    QSignalSpy finished(reply.get(), &HttpReply::finished);
    QVERIFY(reply->isFinished() || finished.wait(5000));
    const auto envelopes = parseEnvelopes(body);
    QCOMPARE(envelopes[envelopes.size() - 2].payload,
             QByteArray(R"({"event":{"end":{"exitCode":-1,"status":"signal: killed","error":"signal: killed"}}})"));
    QCOMPARE(envelopes.last().flags, 2);
    QCOMPARE(m_server->processes().back().signalsSent, std::vector<int>({SIGKILL}));

    r = envdJson(s, "/process.Process/SendSignal", {{"process", {{"pid", pid}}}, {"signal", "SIGNAL_SIGKILL"}});
    QCOMPARE(r.status, 404);
    QCOMPARE(r.bodyJson()["code"], json("not_found"));
    QCOMPARE(envdJson(s, "/process.Process/SendSignal", {{"process", {{"pid", 1}}}, {"signal", 9}}).status, 404);
}

void TestFakeE2BServer::stdinAndReconnect()
{
    const Sandbox s = create();
    json message = {{"process", {{"cmd", "/bin/sh"}, {"args", {"-c", "read a; echo got $a; cat"}}}},
                    {"stdin", true}, {"tag", "t1"}};
    auto headers = envdHeaders(s);
    headers.append(Header("Content-Type", "application/connect+json"));
    HttpRequest request;
    request.method = "POST";
    request.url = m_envd + "/process.Process/Start";
    request.headers = headers;
    request.body = envelope(message);
    request.streaming = true;
    std::unique_ptr<HttpReply> first(m_client->send(request, nullptr));
    first->setParent(nullptr);
    QByteArray body;
    connect(first.get(), &HttpReply::dataReceived, this, [&](const QByteArray& chunk) { body += chunk; });
    QTRY_VERIFY(!parseEnvelopes(body).isEmpty());
    const int pid = parseEnvelopes(body).first().message()["event"]["start"]["pid"];

    Result r = envdJson(s, "/process.Process/SendInput", {{"process", {{"pid", pid}}}, {"input", {{"stdin", "b25lCg=="}}}});
    QCOMPARE(r.status, 200);
    QTRY_VERIFY(body.contains("Z290IG9uZQo=")); // "got one\n"

    // A second reader by tag gets a start event and what comes next.
    request.url = m_envd + "/process.Process/Connect";
    request.body = envelope({{"process", {{"tag", "t1"}}}});
    std::unique_ptr<HttpReply> second(m_client->send(request, nullptr));
    second->setParent(nullptr);
    QByteArray body2;
    connect(second.get(), &HttpReply::dataReceived, this, [&](const QByteArray& chunk) { body2 += chunk; });
    QTRY_VERIFY(!parseEnvelopes(body2).isEmpty());
    QCOMPARE(parseEnvelopes(body2).first().message()["event"]["start"]["pid"], json(pid));

    QCOMPARE(envdJson(s, "/process.Process/SendInput", {{"process", {{"pid", pid}}}, {"input", {{"stdin", "dHdvCg=="}}}})
                 .status,
             200);
    QCOMPARE(envdJson(s, "/process.Process/CloseStdin", {{"process", {{"pid", pid}}}}).status, 200);
    QSignalSpy done1(first.get(), &HttpReply::finished);
    QSignalSpy done2(second.get(), &HttpReply::finished);
    QVERIFY(first->isFinished() || done1.wait(5000));
    QVERIFY(second->isFinished() || done2.wait(5000));
    for (const QByteArray* b : {&body, &body2}) {
        QVERIFY(b->contains("dHdvCg==")); // "two\n"
        QCOMPARE(parseEnvelopes(*b).last().flags, 2);
    }
    QCOMPARE(envdJson(s, "/process.Process/Connect", {{"process", {{"pid", pid}}}}).status, 415); // unary type on a stream
}

void TestFakeE2BServer::connectProtocolErrors()
{
    const Sandbox s = create();
    auto headers = envdHeaders(s);
    headers.append(Header("Content-Type", "application/json"));
    QCOMPARE(send("POST", m_envd + "/process.Process/Start", headers, "{}").status, 415);
    QCOMPARE(send("POST", m_envd + "/process.Process/Nope", headers, "{}").status, 404);
    Result r = envdJson(s, "/process.Process/List", json::object());
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
    r = send("POST", m_envd + "/process.Process/List", headers, "{broken");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.bodyJson()["code"], json("invalid_argument"));

    auto streamHeaders = envdHeaders(s);
    streamHeaders.append(Header("Content-Type", "application/connect+json"));
    r = send("POST", m_envd + "/process.Process/Start", streamHeaders, QByteArray("\x00\x00\x00\x00\x09{}", 7));
    QCOMPARE(r.status, 200);
    QCOMPARE(parseEnvelopes(r.body).value(0).message()["error"]["code"], json("invalid_argument"));
    streamHeaders.append(Header("Connect-Timeout-Ms", "soon"));
    r = send("POST", m_envd + "/process.Process/Start", streamHeaders,
             envelope({{"process", {{"cmd", "/bin/true"}}}}));
    QCOMPARE(parseEnvelopes(r.body).value(0).message()["error"]["code"], json("invalid_argument"));
    // A user named by Basic auth: root works, an unknown one does not.
    r = start(s, "echo $USER", 5000, json::object(), {{"Authorization", "Basic " + QByteArray("root:").toBase64()}});
    QVERIFY(r.body.contains(QByteArray("cm9vdAo="))); // "root\n"
    r = start(s, "true", 5000, json::object(), {{"Authorization", "Basic " + QByteArray("mallory:").toBase64()}});
    QCOMPARE(parseEnvelopes(r.body).value(0).message()["error"]["code"], json("unauthenticated"));
}

void TestFakeE2BServer::filesystemUnaryCalls()
{
    const Sandbox s = create();
    QCOMPARE(upload(s, "/home/user/a.txt", "12345").status, 200);
    Result r = envdJson(s, "/filesystem.Filesystem/Stat", {{"path", "/home/user/a.txt"}});
    QCOMPARE(r.status, 200);
    json e = r.bodyJson()["entry"];
    QCOMPARE(e["name"], json("a.txt"));
    QCOMPARE(e["type"], json("FILE_TYPE_FILE"));
    QCOMPARE(e["size"], json("5")); // int64 as a string
    QCOMPARE(e["path"], json("/home/user/a.txt"));
    QVERIFY(e["permissions"].get<std::string>().size() == 10);
    r = envdJson(s, "/filesystem.Filesystem/Stat", {{"path", "/home/user/none"}});
    QCOMPARE(r.status, 404);
    QCOMPARE(r.bodyJson()["code"], json("not_found"));
    QCOMPARE(envdJson(s, "/filesystem.Filesystem/MakeDir", {{"path", "d/e"}}).status, 200);
    r = envdJson(s, "/filesystem.Filesystem/MakeDir", {{"path", "d/e"}});
    QCOMPARE(r.status, 409);
    QCOMPARE(r.bodyJson()["code"], json("already_exists"));
    r = envdJson(s, "/filesystem.Filesystem/ListDir", {{"path", "/home/user"}, {"depth", 2}});
    std::vector<std::string> paths;
    const json listing = r.bodyJson();
    for (const auto& entry : listing["entries"])
        paths.push_back(entry["path"]);
    QCOMPARE(paths, std::vector<std::string>({"/home/user/a.txt", "/home/user/d", "/home/user/d/e"}));
    QCOMPARE(envdJson(s, "/filesystem.Filesystem/Move", {{"source", "a.txt"}, {"destination", "b.txt"}}).bodyJson()["entry"]["name"],
             json("b.txt"));
    QCOMPARE(envdJson(s, "/filesystem.Filesystem/Remove", {{"path", "/home/user/d"}}).status, 200);
    QCOMPARE(envdJson(s, "/filesystem.Filesystem/Remove", {{"path", "/home/user/d"}}).status, 404);
}

void TestFakeE2BServer::expiredSandboxDropsOpenStreams()
{
    const Sandbox s = create();
    json message = {{"process", {{"cmd", "/bin/sh"}, {"args", {"-c", "echo up; sleep 30"}}}}};
    auto headers = envdHeaders(s);
    headers.append(Header("Content-Type", "application/connect+json"));
    HttpRequest request;
    request.method = "POST";
    request.url = m_envd + "/process.Process/Start";
    request.headers = headers;
    request.body = envelope(message);
    request.streaming = true;
    std::unique_ptr<HttpReply> reply(m_client->send(request, nullptr));
    reply->setParent(nullptr);
    QByteArray body;
    connect(reply.get(), &HttpReply::dataReceived, this, [&](const QByteArray& chunk) { body += chunk; });
    QTRY_VERIFY(parseEnvelopes(body).size() >= 2);
    QVERIFY(m_server->expireSandbox(s.id));
    QVERIFY(!m_server->expireSandbox(s.id));
    QSignalSpy finished(reply.get(), &HttpReply::finished);
    QVERIFY(reply->isFinished() || finished.wait(5000));
    QVERIFY2(!reply->errorString().isEmpty(), "the stream should break off, not end cleanly");
    for (const auto& e : parseEnvelopes(body))
        QCOMPARE(e.flags, 0);
    QVERIFY(m_server->waitForNoLiveProcesses(5000));
    QCOMPARE(send("GET", m_envd + "/health", envdHeaders(s)).status, 502);
}

// ---------------------------------------------------------------------------------------------
// Faults

void TestFakeE2BServer::rateLimitedOnceWithRetryAfter()
{
    m_server->addFault(FakeE2BFault::rateLimited("/v2/sandboxes", 2));
    Result r = api("POST", "/v2/sandboxes", {{"templateID", "base"}});
    QCOMPARE(r.status, 429);
    QCOMPARE(r.header("Retry-After"), QByteArray("2"));
    QCOMPARE(r.bodyJson()["code"], json(429));
    QVERIFY(m_server->creates().empty()); // refused before it reached the handler
    QVERIFY(m_server->pendingFaults().empty());
    QCOMPARE(api("POST", "/v2/sandboxes", {{"templateID", "base"}}).status, 201);
    QCOMPARE(m_server->requests().size(), size_t(2));
    QCOMPARE(m_server->requests()[0].status, 429);
}

void TestFakeE2BServer::serverErrors()
{
    m_server->addFault(FakeE2BFault::serverError("/sandboxes/*", 503));
    Result r = api("DELETE", "/sandboxes/iabc");
    QCOMPARE(r.status, 503);
    QCOMPARE(r.bodyJson()["code"], json(503));
    QVERIFY(r.header("Retry-After").isEmpty());
    m_server->addFault(FakeE2BFault::serverError("/v2/sandboxes"));
    r = api("POST", "/v2/sandboxes", {{"templateID", "base"}});
    QCOMPARE(r.status, 500);
    QCOMPARE(r.bodyJson(), json({{"code", 500}, {"message", "Internal server error"}}));
    QVERIFY(m_server->deletes().empty());
}

void TestFakeE2BServer::sandboxGoneOnEnvd()
{
    const Sandbox s = create();
    m_server->addFault(FakeE2BFault::sandboxGone("/process.Process/Start"));
    Result r = start(s, "echo hi");
    QCOMPARE(r.status, 502);
    QCOMPARE(r.bodyJson(), json({{"sandboxId", s.id}, {"message", "The sandbox was not found"}, {"code", 502}}));
    QVERIFY(m_server->processes().empty() || m_server->processes().back().sandboxId != s.id);
    QCOMPARE(start(s, "true").status, 200); // once only
}

void TestFakeE2BServer::malformedJsonBodies()
{
    m_server->addFault(FakeE2BFault::malformed("/v2/sandboxes"));
    Result r = api("POST", "/v2/sandboxes", {{"templateID", "base"}});
    QCOMPARE(r.status, 201);
    QVERIFY(!r.body.isEmpty());
    QVERIFY(r.bodyJson().is_discarded());
    const Sandbox s = create();
    m_server->addFault(FakeE2BFault::malformed("/process.Process/List"));
    r = envdJson(s, "/process.Process/List", json::object());
    QCOMPARE(r.status, 200);
    QVERIFY(r.bodyJson().is_discarded());
}

void TestFakeE2BServer::malformedStreamMessage()
{
    const Sandbox s = create();
    m_server->addFault(FakeE2BFault::malformed("/process.Process/Start"));
    const Result r = start(s, "echo hi");
    const auto envelopes = parseEnvelopes(r.body);
    QVERIFY(envelopes.size() >= 3);
    QVERIFY(envelopes[0].message().is_discarded());
    QCOMPARE(envelopes.last().flags, 2); // the rest of the stream is normal
}

void TestFakeE2BServer::streamDroppedMidway()
{
    const Sandbox s = create();
    m_server->addFault(FakeE2BFault::dropStream(2));
    const Result r = start(s, "echo one; sleep 0.1; echo two; sleep 0.1; echo three", 10'000);
    QCOMPARE(r.status, 200);
    QVERIFY2(!r.error.isEmpty(), "a cut chunked body is a transport error");
    QByteArray rest;
    const auto envelopes = parseEnvelopes(r.body, &rest);
    QCOMPARE(envelopes.size(), 2);
    QVERIFY(envelopes[0].message()["event"].contains("start"));
    QVERIFY(rest.isEmpty());
    // The process goes on, as in envd: a disconnect does not kill it.
    QVERIFY(m_server->waitForNoLiveProcesses(5000));
    QCOMPARE(m_server->processes().back().exitCode, std::optional<int>(0));
}

void TestFakeE2BServer::streamWithoutEndEvent()
{
    const Sandbox s = create();
    m_server->addFault(FakeE2BFault::noEndEvent());
    const Result r = start(s, "echo hi");
    QVERIFY(r.error.isEmpty());
    const auto envelopes = parseEnvelopes(r.body);
    QCOMPARE(envelopes.last().flags, 2);
    QCOMPARE(envelopes.last().payload, QByteArray("{}"));
    for (const auto& e : envelopes)
        QVERIFY(!e.payload.contains("\"end\""));
}

void TestFakeE2BServer::streamWithoutEndStream()
{
    const Sandbox s = create();
    m_server->addFault(FakeE2BFault::noEndStream());
    const Result r = start(s, "echo hi");
    QVERIFY2(r.error.isEmpty(), "the HTTP body ends cleanly");
    const auto envelopes = parseEnvelopes(r.body);
    QVERIFY(envelopes.last().payload.contains("\"end\""));
    for (const auto& e : envelopes)
        QCOMPARE(e.flags, 0);
}

void TestFakeE2BServer::streamInTinyPieces()
{
    const Sandbox s = create();
    const Result whole = start(s, "printf 'h\\xc3\\xa9llo\\n'; echo err >&2", 10'000);
    m_server->addFault(FakeE2BFault::splitStream());
    const Result split = start(s, "printf 'h\\xc3\\xa9llo\\n'; echo err >&2", 10'000);
    QVERIFY(split.error.isEmpty());
    auto normalise = [](const QList<Envelope>& envelopes) {
        QList<QByteArray> out;
        for (const auto& e : envelopes) {
            json m = e.message();
            if (m.contains("event") && m["event"].contains("start"))
                m["event"]["start"]["pid"] = 0;
            out.append(QByteArray::number(e.flags) + QByteArray::fromStdString(m.dump()));
        }
        return out;
    };
    QByteArray rest;
    QCOMPARE(normalise(parseEnvelopes(split.body, &rest)), normalise(parseEnvelopes(whole.body)));
    QVERIFY(rest.isEmpty());
    // The pieces: far more of them than envelopes, and envelope headers cut apart.
    QVERIFY2(split.chunks.size() > 20, qPrintable(QString::number(split.chunks.size())));
    qsizetype offset = 0;
    bool headerSplit = false;
    QSet<qsizetype> boundaries;
    for (const auto& chunk : split.chunks)
        boundaries.insert(offset += chunk.size());
    qsizetype at = 0;
    for (const auto& e : parseEnvelopes(split.body)) {
        for (qsizetype i = at + 1; i < at + 5; ++i)
            headerSplit = headerSplit || boundaries.contains(i);
        at += 5 + e.payload.size();
    }
    QVERIFY(headerSplit);
}

void TestFakeE2BServer::delayedAnswers()
{
    const Sandbox s = create();
    m_server->addFault(FakeE2BFault::delayed("/health", 1500));
    QElapsedTimer timer;
    timer.start();
    Result r = send("GET", m_envd + "/health", envdHeaders(s), {}, false, 400);
    QVERIFY2(r.error.contains("timed out", Qt::CaseInsensitive), qPrintable(r.error));
    QVERIFY(timer.elapsed() < 1400);
    r = send("GET", m_envd + "/health", envdHeaders(s), {}, false, 400);
    QCOMPARE(r.status, 204);

    // A delay goes before any other fault of the same rule.
    FakeE2BFault slowLimit = FakeE2BFault::rateLimited("/v2/sandboxes", 1);
    slowLimit.delayMs = 300;
    m_server->addFault(slowLimit);
    timer.restart();
    QCOMPARE(api("POST", "/v2/sandboxes", {{"templateID", "base"}}).status, 429);
    QVERIFY(timer.elapsed() >= 290);
}

void TestFakeE2BServer::faultsMatchPlaneMethodAndCount()
{
    FakeE2BFault always = FakeE2BFault::serverError("/sandboxes/*", 500);
    always.method = "GET";
    always.plane = "api";
    always.times = -1;
    m_server->addFault(always);
    FakeE2BFault twice = FakeE2BFault::serverError("/health", 503);
    twice.plane = "envd";
    twice.times = 2;
    m_server->addFault(twice);

    const Sandbox s = create();
    const QByteArray path = "/sandboxes/" + QByteArray::fromStdString(s.id);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(api("GET", path).status, 500);
    QCOMPARE(api("POST", path + "/timeout", {{"timeout", 30}}).status, 204); // other method
    QCOMPARE(send("GET", m_api + "/health").status, 200); // other plane
    QCOMPARE(send("GET", m_envd + "/health", envdHeaders(s)).status, 503);
    QCOMPARE(send("GET", m_envd + "/health", envdHeaders(s)).status, 503);
    QCOMPARE(send("GET", m_envd + "/health", envdHeaders(s)).status, 204);
    QCOMPARE(m_server->pendingFaults().size(), size_t(1));
    m_server->clearFaults();
    QCOMPARE(api("GET", path).status, 200);

    // skip: the first matching requests are served as if the fault were not there.
    FakeE2BFault third = FakeE2BFault::serverError("/health", 503);
    third.plane = "envd";
    third.skip = 2;
    m_server->addFault(third);
    QCOMPARE(send("GET", m_envd + "/health", envdHeaders(s)).status, 204);
    QCOMPARE(send("GET", m_api + "/health").status, 200); // other plane: not counted
    QCOMPARE(send("GET", m_envd + "/health", envdHeaders(s)).status, 204);
    QCOMPARE(send("GET", m_envd + "/health", envdHeaders(s)).status, 503);
    QCOMPARE(send("GET", m_envd + "/health", envdHeaders(s)).status, 204);
    QVERIFY(m_server->pendingFaults().empty());
}

void TestFakeE2BServer::secretsNeverRecorded()
{
    const Sandbox s = create();
    QCOMPARE(start(s, "true").status, 200);
    QCOMPARE(api("POST", "/v2/sandboxes", {{"templateID", "base"}}, "e2b_wrong_key_value").status, 401);
    const std::string key = m_server->options().apiKey;
    for (const auto& r : m_server->requests()) {
        for (const auto& [name, value] : r.headers) {
            QVERIFY2(value.find(key) == std::string::npos, name.c_str());
            QVERIFY2(value.find(s.token) == std::string::npos, name.c_str());
            QVERIFY2(value.find("e2b_wrong_key_value") == std::string::npos, name.c_str());
        }
        QVERIFY(r.query.find(s.token) == std::string::npos);
    }
    QVERIFY(m_server->lastRequestHeaders("/never").empty());
}

QTEST_GUILESS_MAIN(TestFakeE2BServer)
#include "tst_fakee2bserver.moc"
