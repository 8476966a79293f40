// HttpClient against real servers in this process: cpp-httplib on 127.0.0.1 for ordinary HTTP, and
// small raw socket servers (TCP loopback and a unix socket) for what Docker does that a tidy HTTP
// server does not: bodies that simply end when the connection closes.

#include "http/HttpClient.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

using namespace cc::http;
using namespace std::chrono_literals;

namespace {

// A flag the server threads wait on and the test (GUI) thread sets; never a sleep on our side.
class Gate
{
public:
    void open()
    {
        {
            std::lock_guard lock(m_mutex);
            m_open = true;
        }
        m_cv.notify_all();
    }
    void reset()
    {
        std::lock_guard lock(m_mutex);
        m_open = false;
    }
    // Bounded so that a broken client makes the test fail instead of hanging the server.
    bool wait(std::chrono::milliseconds limit = 10s)
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, limit, [this] { return m_open; });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_open = false;
};

// A counter the test thread bumps and a server thread can wait for.
class Counter
{
public:
    void bump()
    {
        {
            std::lock_guard lock(m_mutex);
            ++m_value;
        }
        m_cv.notify_all();
    }
    void reset()
    {
        std::lock_guard lock(m_mutex);
        m_value = 0;
    }
    bool waitFor(int atLeast, std::chrono::milliseconds limit = 10s)
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, limit, [&] { return m_value >= atLeast; });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    int m_value = 0;
};

// Reads one request (head and Content-Length body) and returns its head. Closing with unread
// input would make the kernel answer with a reset instead of an orderly close.
std::string readRequest(int fd)
{
    std::string head;
    char c;
    while (head.find("\r\n\r\n") == std::string::npos && ::read(fd, &c, 1) == 1)
        head += c;
    const QByteArray lower = QByteArray::fromStdString(head).toLower();
    const qsizetype at = lower.indexOf("\r\ncontent-length:");
    if (at >= 0) {
        const qsizetype start = at + qsizetype(std::strlen("\r\ncontent-length:"));
        qint64 remaining = lower.mid(start, lower.indexOf("\r\n", start) - start).trimmed().toLongLong();
        char buffer[4096];
        while (remaining > 0) {
            const ssize_t n = ::read(fd, buffer, size_t(std::min<qint64>(remaining, sizeof buffer)));
            if (n <= 0)
                break;
            remaining -= n;
        }
    }
    return head;
}

bool writeAll(int fd, const std::string& data)
{
    size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += size_t(n);
    }
    return true;
}

// Accepts connections on one socket (TCP on 127.0.0.1 or a unix socket) and hands each to a
// handler on the server thread, one after the other.
class RawServer
{
public:
    using Handler = std::function<void(int fd)>;

    static std::unique_ptr<RawServer> loopback(Handler handler)
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0)
            return nullptr;
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        return std::unique_ptr<RawServer>(new RawServer(fd, ntohs(addr.sin_port), std::move(handler)));
    }

    static std::unique_ptr<RawServer> unixSocket(const QString& path, Handler handler)
    {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const QByteArray encoded = QFile::encodeName(path);
        if (fd < 0 || size_t(encoded.size()) >= sizeof addr.sun_path)
            return nullptr;
        std::memcpy(addr.sun_path, encoded.constData(), size_t(encoded.size()));
        if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0)
            return nullptr;
        return std::unique_ptr<RawServer>(new RawServer(fd, 0, std::move(handler)));
    }

    ~RawServer()
    {
        m_stopping = true;
        ::shutdown(m_fd, SHUT_RDWR); // wakes accept()
        m_thread.join();
        ::close(m_fd);
    }

    quint16 port() const { return m_port; }

private:
    RawServer(int fd, quint16 port, Handler handler) : m_fd(fd), m_port(port), m_handler(std::move(handler))
    {
        m_thread = std::thread([this] {
            while (!m_stopping) {
                const int client = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
                if (client < 0)
                    break;
                m_handler(client);
                ::close(client);
            }
        });
    }

    int m_fd;
    quint16 m_port;
    Handler m_handler;
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

} // namespace

class TestHttpClient : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void getBufferedBodyStatusAndHeaders();
    void postBodyIsEchoedWithoutExpect();
    void methods_data();
    void methods();
    void httpErrorStatusIsNotATransportError();
    void streamingDeliversChunksAsTheyArrive();
    void closeDelimitedResponse_data();
    void closeDelimitedResponse();
    void unixSocket();
    void connectionRefused();
    void missingUnixSocket();
    void connectTimeout();
    void wholeRequestTimeout();
    void invalidHeaderFailsAfterSend();
    void abortFromOutsideMidStream();
    void abortFromInsideDataReceived();
    void slotsMayAbortDeleteAndSendOthers();
    void deleteReplyMidTransfer();
    void destroyClientWithLiveReplies();
    void destroyClientFromAReplySlot();
    void manyConcurrentRequests();
    void reusesConnections();
    void noAddedLatency_data();
    void noAddedLatency();

private:
    QByteArray url(const char* path) const { return "http://127.0.0.1:" + QByteArray::number(m_port) + path; }
    HttpRequest get(const char* path, bool streaming = false) const
    {
        HttpRequest request;
        request.url = url(path);
        request.streaming = streaming;
        return request;
    }
    // Proves the event loop kept running without one more signal: a whole request completes.
    void roundTrip();

    httplib::Server m_server;
    std::thread m_serverThread;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};

    Counter m_chunksSeen; // dataReceived count on the client side, for /gated
    std::atomic<bool> m_sentLast{false};
    Gate m_slowGate; // releases /slow

    std::unique_ptr<HttpClient> m_client;
};

void TestHttpClient::initTestCase()
{
    // libcurl honours proxy variables; the tests talk to loopback only.
    for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
        qunsetenv(name);

    // Enough threads for the concurrency test: each open connection holds one.
    m_server.new_task_queue = [] { return new httplib::ThreadPool(80); };
    m_server.set_keep_alive_timeout(2);
    // Otherwise Nagle holds the body back behind the headers and every answer looks 20-40 ms slow.
    m_server.set_tcp_nodelay(true);

    m_server.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
        res.set_header("X-Test", "yes");
        res.set_content("hello world", "text/plain");
    });
    m_server.Get("/number", [](const httplib::Request& req, httplib::Response& res) {
        res.set_content("n=" + req.get_param_value("n"), "text/plain");
    });
    m_server.Get("/whoami", [](const httplib::Request& req, httplib::Response& res) {
        res.set_content(std::to_string(req.remote_port), "text/plain");
    });
    m_server.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
        res.set_header("X-Had-Expect", req.has_header("Expect") ? "yes" : "no");
        res.set_header("X-Got-Content-Type", req.get_header_value("Content-Type"));
        res.set_header("X-Got-Custom", req.get_header_value("X-Custom"));
        res.set_content(req.body, "application/octet-stream");
    });
    auto method = [](const httplib::Request& req, httplib::Response& res) {
        res.set_header("X-Method", req.method);
        res.set_content(req.body, "text/plain");
    };
    m_server.Get("/method", method);
    m_server.Post("/method", method);
    m_server.Put("/method", method);
    m_server.Patch("/method", method);
    m_server.Delete("/method", method);

    // Chunk i is sent only once the client has delivered chunk i-1 through dataReceived: the test
    // cannot pass unless data reaches the application while the response is still open.
    m_server.Get("/gated", [this](const httplib::Request&, httplib::Response& res) {
        res.set_chunked_content_provider("text/plain", [this](size_t, httplib::DataSink& sink) {
            for (int i = 0; i < 3; ++i) {
                if (!m_chunksSeen.waitFor(i))
                    return false;
                if (i == 2)
                    m_sentLast = true;
                const std::string chunk = "chunk-" + std::to_string(i) + "\n";
                if (!sink.write(chunk.data(), chunk.size()))
                    return false;
            }
            sink.done();
            return true;
        });
    });
    // Ticks until the client goes away (or the server stops).
    m_server.Get("/forever", [this](const httplib::Request&, httplib::Response& res) {
        res.set_chunked_content_provider("text/plain", [this](size_t, httplib::DataSink& sink) {
            Gate pace;
            while (!m_stopping) {
                if (!sink.write("tick\n", 5))
                    return false;
                pace.wait(20ms);
            }
            return false;
        });
    });
    m_server.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
        m_slowGate.wait();
        res.set_content("late", "text/plain");
    });

    m_port = m_server.bind_to_any_port("127.0.0.1");
    QVERIFY2(m_port > 0, "could not bind the test HTTP server to 127.0.0.1");
    m_serverThread = std::thread([this] { m_server.listen_after_bind(); });
}

void TestHttpClient::cleanupTestCase()
{
    m_stopping = true;
    m_slowGate.open();
    m_server.stop();
    if (m_serverThread.joinable())
        m_serverThread.join();
}

void TestHttpClient::init()
{
    m_client = std::make_unique<HttpClient>();
}

void TestHttpClient::cleanup()
{
    m_client.reset();
}

void TestHttpClient::roundTrip()
{
    std::unique_ptr<HttpReply> reply(m_client->send(get("/hello"), nullptr));
    reply->setParent(nullptr);
    QSignalSpy finished(reply.get(), &HttpReply::finished);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(reply->status(), 200);
}

void TestHttpClient::getBufferedBodyStatusAndHeaders()
{
    HttpReply* reply = m_client->send(get("/hello"));
    QStringList events;
    connect(reply, &HttpReply::headersReceived, this, [&](int status) {
        events << QStringLiteral("headers %1").arg(status);
        // Headers are readable from the headersReceived slot on.
        QCOMPARE(reply->header("x-test"), QByteArray("yes"));
    });
    connect(reply, &HttpReply::dataReceived, this, [&] { events << QStringLiteral("data"); });
    connect(reply, &HttpReply::finished, this, [&] { events << QStringLiteral("finished"); });
    QSignalSpy finished(reply, &HttpReply::finished);
    QCOMPARE(reply->parent(), m_client.get());
    QVERIFY(!reply->isFinished());

    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(events, QStringList({"headers 200", "finished"})); // buffered: no dataReceived
    QVERIFY(reply->isFinished());
    QCOMPARE(reply->status(), 200);
    QCOMPARE(reply->body(), QByteArray("hello world"));
    QCOMPARE(reply->errorString(), QString());
    QVERIFY(!reply->wasAborted());
    QCOMPARE(reply->header("X-TEST"), QByteArray("yes"));
    QCOMPARE(reply->header("content-type"), QByteArray("text/plain"));
    QCOMPARE(reply->header("Content-Length"), QByteArray("11"));
    QCOMPARE(reply->header("X-Absent"), QByteArray());
}

void TestHttpClient::postBodyIsEchoedWithoutExpect()
{
    // Above 1 MiB libcurl would normally send "Expect: 100-continue" and wait for the server.
    QByteArray body(2 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < body.size(); ++i)
        body[i] = char('a' + i % 26);

    HttpRequest request;
    request.method = "POST";
    request.url = url("/echo");
    request.body = body;
    request.headers = {{"X-Custom", "custom value"}};
    QObject owner;
    HttpReply* reply = m_client->send(request, &owner);
    QCOMPARE(reply->parent(), &owner);
    QSignalSpy finished(reply, &HttpReply::finished);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(reply->errorString(), QString());
    QCOMPARE(reply->status(), 200);
    QCOMPARE(reply->header("X-Had-Expect"), QByteArray("no"));
    QCOMPARE(reply->header("X-Got-Custom"), QByteArray("custom value"));
    // Not silently labelled form-encoded.
    QCOMPARE(reply->header("X-Got-Content-Type"), QByteArray());
    QCOMPARE(reply->body().size(), body.size());
    QVERIFY(reply->body() == body);

    request.body = R"({"a":1})";
    request.headers = {{"Content-Type", "application/json"}};
    HttpReply* json = m_client->send(request, &owner);
    QSignalSpy jsonFinished(json, &HttpReply::finished);
    QTRY_COMPARE(jsonFinished.count(), 1);
    QCOMPARE(json->header("X-Got-Content-Type"), QByteArray("application/json"));
    QCOMPARE(json->body(), QByteArray(R"({"a":1})"));
}

void TestHttpClient::methods_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expectedBody");

    QTest::newRow("GET") << QByteArray("GET") << QByteArray() << QByteArray();
    QTest::newRow("POST empty") << QByteArray("POST") << QByteArray() << QByteArray();
    QTest::newRow("POST") << QByteArray("POST") << QByteArray("posted") << QByteArray("posted");
    QTest::newRow("PUT") << QByteArray("PUT") << QByteArray("put body") << QByteArray("put body");
    QTest::newRow("PATCH") << QByteArray("PATCH") << QByteArray("patch") << QByteArray("patch");
    QTest::newRow("DELETE") << QByteArray("DELETE") << QByteArray() << QByteArray();
    QTest::newRow("HEAD") << QByteArray("HEAD") << QByteArray() << QByteArray();
}

void TestHttpClient::methods()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expectedBody);

    HttpRequest request;
    request.method = method;
    request.url = url("/method");
    request.body = body;
    HttpReply* reply = m_client->send(request);
    QSignalSpy finished(reply, &HttpReply::finished);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(reply->errorString(), QString());
    QCOMPARE(reply->status(), 200);
    QCOMPARE(reply->header("X-Method"), method);
    QCOMPARE(reply->body(), expectedBody);
}

void TestHttpClient::httpErrorStatusIsNotATransportError()
{
    HttpReply* reply = m_client->send(get("/missing"));
    QSignalSpy headers(reply, &HttpReply::headersReceived);
    QSignalSpy finished(reply, &HttpReply::finished);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(headers.count(), 1);
    QCOMPARE(headers.at(0).at(0).toInt(), 404);
    QCOMPARE(reply->status(), 404);
    QCOMPARE(reply->errorString(), QString());
}

void TestHttpClient::streamingDeliversChunksAsTheyArrive()
{
    m_chunksSeen.reset();
    m_sentLast = false;
    HttpReply* reply = m_client->send(get("/gated", true));
    QStringList events;
    QByteArray received;
    bool lastSentBeforeFirstChunk = true;
    connect(reply, &HttpReply::headersReceived, this, [&](int status) { events << QString::number(status); });
    connect(reply, &HttpReply::dataReceived, this, [&](const QByteArray& chunk) {
        if (events.size() == 1)
            lastSentBeforeFirstChunk = m_sentLast;
        events << QString::fromLatin1(chunk).trimmed();
        received += chunk;
        m_chunksSeen.bump();
    });
    connect(reply, &HttpReply::finished, this, [&] { events << QStringLiteral("finished"); });
    QSignalSpy finished(reply, &HttpReply::finished);

    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(reply->errorString(), QString());
    QVERIFY2(!lastSentBeforeFirstChunk, "the first chunk must reach the slot before the server sends the last");
    QCOMPARE(events, QStringList({"200", "chunk-0", "chunk-1", "chunk-2", "finished"}));
    QCOMPARE(received, QByteArray("chunk-0\nchunk-1\nchunk-2\n"));
    QVERIFY(reply->body().isEmpty());
}

void TestHttpClient::closeDelimitedResponse_data()
{
    QTest::addColumn<bool>("streaming");
    QTest::newRow("streaming") << true;
    QTest::newRow("buffered") << false;
}

void TestHttpClient::closeDelimitedResponse()
{
    QFETCH(bool, streaming);

    // What Docker's exec start answers: a 200, no Content-Length, no chunking, the stream until the
    // process ends and the engine closes the connection.
    Counter chunksSeen;
    auto server = RawServer::loopback([&](int fd) {
        readRequest(fd);
        writeAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n");
        writeAll(fd, "first part;");
        if (streaming)
            chunksSeen.waitFor(1); // the first part must be out before the second is written
        writeAll(fd, "second part");
    });
    QVERIFY(server);

    HttpRequest request;
    request.method = "POST";
    request.url = "http://127.0.0.1:" + QByteArray::number(server->port()) + "/exec/abc/start";
    request.body = R"({"Detach":false,"Tty":false})";
    request.streaming = streaming;
    HttpReply* reply = m_client->send(request);
    QByteArray received;
    QSignalSpy data(reply, &HttpReply::dataReceived);
    connect(reply, &HttpReply::dataReceived, this, [&](const QByteArray& chunk) {
        received += chunk;
        chunksSeen.bump();
    });
    QSignalSpy finished(reply, &HttpReply::finished);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(reply->errorString(), QString());
    QCOMPARE(reply->status(), 200);
    QCOMPARE(reply->header("Content-Type"), QByteArray("application/vnd.docker.raw-stream"));
    if (streaming) {
        QVERIFY(data.count() >= 2);
        QCOMPARE(data.at(0).at(0).toByteArray(), QByteArray("first part;"));
        QCOMPARE(received, QByteArray("first part;second part"));
        QVERIFY(reply->body().isEmpty());
    } else {
        QCOMPARE(data.count(), 0);
        QCOMPARE(reply->body(), QByteArray("first part;second part"));
    }
}

void TestHttpClient::unixSocket()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("engine.sock"));
    std::string seenHead;
    std::mutex seenMutex;
    auto server = RawServer::unixSocket(path, [&](int fd) {
        const std::string head = readRequest(fd);
        {
            std::lock_guard lock(seenMutex);
            seenHead = head;
        }
        writeAll(fd, "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK");
    });
    QVERIFY2(server, "could not listen on a unix socket in a temporary directory");

    HttpRequest request;
    request.url = "http://docker/v1.41/_ping";
    request.unixSocketPath = path;
    HttpReply* reply = m_client->send(request);
    QSignalSpy finished(reply, &HttpReply::finished);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(reply->errorString(), QString());
    QCOMPARE(reply->status(), 200);
    QCOMPARE(reply->body(), QByteArray("OK"));
    QCOMPARE(reply->header("api-version"), QByteArray("1.41"));
    std::lock_guard lock(seenMutex);
    QVERIFY2(QByteArray::fromStdString(seenHead).startsWith("GET /v1.41/_ping HTTP/1.1\r\n"), seenHead.c_str());
}

void TestHttpClient::connectionRefused()
{
    // A port that is bound but not listening refuses connections, and nobody else can take it
    // while we hold it.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QVERIFY(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const int port = ntohs(addr.sin_port);

    HttpRequest request;
    request.url = "http://127.0.0.1:" + QByteArray::number(port) + "/";
    HttpReply* reply = m_client->send(request);
    QSignalSpy headers(reply, &HttpReply::headersReceived);
    QSignalSpy finished(reply, &HttpReply::finished);
    QTRY_COMPARE(finished.count(), 1);
    ::close(fd);
    QCOMPARE(headers.count(), 0);
    QCOMPARE(reply->status(), 0);
    QCOMPARE(reply->errorString(), QStringLiteral("Could not connect to 127.0.0.1:%1: Connection refused").arg(port));
    QVERIFY(!reply->wasAborted());
}

void TestHttpClient::missingUnixSocket()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("docker.sock"));
    HttpRequest request;
    request.url = "http://docker/v1.41/_ping";
    request.unixSocketPath = path;
    HttpReply* reply = m_client->send(request);
    QSignalSpy finished(reply, &HttpReply::finished);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(reply->errorString(), QStringLiteral("Could not connect to %1: No such file or directory").arg(path));
}

void TestHttpClient::connectTimeout()
{
    // A loopback listener whose accept queue is full and that never accepts: Linux drops further
    // SYNs, so a new connect hangs exactly like one to an unreachable host.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QVERIFY(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    QVERIFY(::listen(fd, 0) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    std::vector<int> fillers;
    for (int i = 0; i < 4; ++i) {
        const int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        ::connect(filler, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        fillers.push_back(filler);
    }
    auto closeAll = qScopeGuard([&] {
        for (int filler : fillers)
            ::close(filler);
        ::close(fd);
    });

    HttpRequest request;
    request.url = "http://127.0.0.1:" + QByteArray::number(ntohs(addr.sin_port)) + "/";
    request.connectTimeoutMs = 300;
    request.timeoutMs = 0;
    QElapsedTimer clock;
    clock.start();
    HttpReply* reply = m_client->send(request);
    QSignalSpy finished(reply, &HttpReply::finished);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(reply->errorString(),
             QStringLiteral("Timed out after 300 ms while connecting to 127.0.0.1:%1").arg(ntohs(addr.sin_port)));
    QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
}

void TestHttpClient::wholeRequestTimeout()
{
    m_slowGate.reset();
    auto release = qScopeGuard([this] { m_slowGate.open(); });
    HttpRequest request = get("/slow");
    request.timeoutMs = 300;
    QElapsedTimer clock;
    clock.start();
    HttpReply* reply = m_client->send(request);
    QSignalSpy finished(reply, &HttpReply::finished);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(reply->errorString(), QStringLiteral("Timed out after 300 ms"));
    QCOMPARE(reply->status(), 0);
    QVERIFY(clock.elapsed() >= 290);
    QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
}

void TestHttpClient::invalidHeaderFailsAfterSend()
{
    HttpRequest request = get("/hello");
    request.headers = {{"X-Api-Key", "secret\r\nX-Injected: 1"}};
    HttpReply* reply = m_client->send(request);
    QSignalSpy finished(reply, &HttpReply::finished);
    QCOMPARE(finished.count(), 0); // never from inside send()
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY(reply->errorString().contains(QLatin1String("X-Api-Key")));
    QVERIFY(!reply->errorString().contains(QLatin1String("secret")));
}

void TestHttpClient::abortFromOutsideMidStream()
{
    HttpReply* reply = m_client->send(get("/forever", true));
    QSignalSpy data(reply, &HttpReply::dataReceived);
    QSignalSpy finished(reply, &HttpReply::finished);
    QTRY_VERIFY(data.count() >= 3);

    reply->abort();
    QCOMPARE(finished.count(), 1); // synchronously
    QVERIFY(reply->isFinished());
    QVERIFY(reply->wasAborted());
    QCOMPARE(reply->errorString(), QStringLiteral("aborted"));
    QCOMPARE(reply->status(), 200);
    const int dataAtAbort = data.count();

    reply->abort(); // harmless again
    roundTrip();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(data.count(), dataAtAbort);
}

void TestHttpClient::abortFromInsideDataReceived()
{
    HttpReply* reply = m_client->send(get("/forever", true));
    QSignalSpy data(reply, &HttpReply::dataReceived);
    QSignalSpy finished(reply, &HttpReply::finished);
    int finishedSeenInSlot = -1;
    connect(reply, &HttpReply::dataReceived, this, [&] {
        reply->abort();
        finishedSeenInSlot = int(finished.count());
        reply->abort();
    });
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finishedSeenInSlot, 1);
    QCOMPARE(data.count(), 1);
    QCOMPARE(reply->errorString(), QStringLiteral("aborted"));
    QVERIFY(reply->wasAborted());

    roundTrip();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(data.count(), 1);
}

void TestHttpClient::slotsMayAbortDeleteAndSendOthers()
{
    auto* trigger = m_client->send(get("/forever", true));
    QPointer<HttpReply> victim = m_client->send(get("/forever", true));
    auto* aborted = m_client->send(get("/forever", true));
    QSignalSpy victimFinished(victim.data(), &HttpReply::finished);
    QSignalSpy abortedFinished(aborted, &HttpReply::finished);
    // Let all three be mid-stream first.
    QSignalSpy victimData(victim.data(), &HttpReply::dataReceived);
    QSignalSpy abortedData(aborted, &HttpReply::dataReceived);
    QTRY_VERIFY(victimData.count() > 0 && abortedData.count() > 0);

    HttpReply* followUp = nullptr;
    int followUpFinished = 0;
    connect(trigger, &HttpReply::dataReceived, this, [&] {
        if (followUp)
            return;
        delete victim.data();
        aborted->abort();
        trigger->abort();
        followUp = m_client->send(get("/hello"));
        connect(followUp, &HttpReply::finished, this, [&] { ++followUpFinished; });
    });
    QTRY_VERIFY(followUp);
    QVERIFY(victim.isNull());
    QCOMPARE(victimFinished.count(), 0);
    QCOMPARE(abortedFinished.count(), 1);
    QCOMPARE(aborted->errorString(), QStringLiteral("aborted"));
    QVERIFY(trigger->isFinished());

    QTRY_COMPARE(followUpFinished, 1);
    QCOMPARE(followUp->body(), QByteArray("hello world"));
    QCOMPARE(abortedFinished.count(), 1);
}

void TestHttpClient::deleteReplyMidTransfer()
{
    QPointer<HttpReply> fromTest = m_client->send(get("/forever", true));
    QSignalSpy data(fromTest.data(), &HttpReply::dataReceived);
    QTRY_VERIFY(data.count() > 0);
    delete fromTest.data();

    // The documented way for a slot to get rid of its own reply.
    QPointer<HttpReply> fromSlot = m_client->send(get("/forever", true));
    QSignalSpy slotFinished(fromSlot.data(), &HttpReply::finished);
    connect(fromSlot, &HttpReply::dataReceived, fromSlot, &QObject::deleteLater);
    QTRY_VERIFY(fromSlot.isNull());
    QCOMPARE(slotFinished.count(), 0);

    roundTrip();
}

void TestHttpClient::destroyClientWithLiveReplies()
{
    QObject owner;
    HttpReply* outliving = m_client->send(get("/forever", true), &owner);
    QPointer<HttpReply> child = m_client->send(get("/forever", true));
    QSignalSpy data(outliving, &HttpReply::dataReceived);
    QSignalSpy outlivingFinished(outliving, &HttpReply::finished);
    QSignalSpy childFinished(child.data(), &HttpReply::finished);
    QTRY_VERIFY(data.count() > 0);

    m_client.reset();
    QVERIFY(child.isNull()); // it was the client's child
    QCOMPARE(childFinished.count(), 0);
    QCOMPARE(outlivingFinished.count(), 0); // not from inside the destructor
    QTRY_COMPARE(outlivingFinished.count(), 1);
    QVERIFY(outliving->isFinished());
    QVERIFY(!outliving->errorString().isEmpty());
    QVERIFY(!outliving->wasAborted());
    outliving->abort(); // harmless without a client
    QCOMPARE(outlivingFinished.count(), 1);

    // A reply that had already finished may outlive the client too.
    m_client = std::make_unique<HttpClient>();
    auto done = std::unique_ptr<HttpReply>(m_client->send(get("/hello"), &owner));
    QSignalSpy doneFinished(done.get(), &HttpReply::finished);
    QTRY_COMPARE(doneFinished.count(), 1);
    m_client.reset();
    done.reset();
}

void TestHttpClient::destroyClientFromAReplySlot()
{
    // The client goes away from inside a signal of one of its own children, emitted while a socket
    // notifier of that client is delivering.
    auto* client = m_client.release();
    QPointer<HttpReply> streaming = client->send(get("/forever", true));
    QObject owner;
    HttpReply* other = client->send(get("/forever", true), &owner);
    QSignalSpy otherFinished(other, &HttpReply::finished);
    QSignalSpy otherData(other, &HttpReply::dataReceived);
    QTRY_VERIFY(otherData.count() > 0);
    connect(streaming, &HttpReply::dataReceived, this, [client] { delete client; });
    QTRY_VERIFY(streaming.isNull());
    QTRY_COMPARE(otherFinished.count(), 1);
    QVERIFY(!other->errorString().isEmpty());

    // And from a finished() slot, with the timer or a notifier mid-dispatch.
    auto* second = new HttpClient;
    HttpReply* hello = second->send(get("/hello"), &owner);
    QSignalSpy helloFinished(hello, &HttpReply::finished);
    connect(hello, &HttpReply::finished, this, [second] { delete second; });
    QTRY_COMPARE(helloFinished.count(), 1);
    QCOMPARE(hello->errorString(), QString());
    QCOMPARE(hello->body(), QByteArray("hello world"));

    m_client = std::make_unique<HttpClient>();
    roundTrip();
}

void TestHttpClient::manyConcurrentRequests()
{
    constexpr int count = 50;
    QList<HttpReply*> replies;
    int finishedCount = 0;
    for (int i = 0; i < count; ++i) {
        HttpRequest request;
        request.url = url("/number?n=") + QByteArray::number(i);
        HttpReply* reply = m_client->send(request);
        connect(reply, &HttpReply::finished, this, [&finishedCount] { ++finishedCount; });
        replies << reply;
    }
    QTRY_COMPARE_WITH_TIMEOUT(finishedCount, count, 20000);
    for (int i = 0; i < count; ++i) {
        QCOMPARE(replies[i]->errorString(), QString());
        QCOMPARE(replies[i]->status(), 200);
        QCOMPARE(replies[i]->body(), "n=" + QByteArray::number(i));
    }
}

void TestHttpClient::reusesConnections()
{
    QByteArray ports[2];
    for (QByteArray& port : ports) {
        std::unique_ptr<HttpReply> reply(m_client->send(get("/whoami")));
        QSignalSpy finished(reply.get(), &HttpReply::finished);
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(reply->errorString(), QString());
        port = reply->body();
    }
    QVERIFY(!ports[0].isEmpty());
    QCOMPARE(ports[1], ports[0]); // same client port: the same connection
}

void TestHttpClient::noAddedLatency_data()
{
    QTest::addColumn<bool>("overUnixSocket");
    QTest::newRow("unix socket, a connection per request") << true;
    QTest::newRow("tcp, kept alive") << false;
}

void TestHttpClient::noAddedLatency()
{
    QFETCH(bool, overUnixSocket);

    // Every run makes several engine calls in a row, so a request must cost what the network costs.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("engine.sock"));
    auto server = RawServer::unixSocket(path, [](int fd) {
        readRequest(fd);
        writeAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK");
    });
    QVERIFY(server);
    HttpRequest request = get("/hello");
    if (overUnixSocket) {
        request.url = "http://docker/_ping";
        request.unixSocketPath = path;
    }

    constexpr int count = 20;
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < count; ++i) {
        std::unique_ptr<HttpReply> reply(m_client->send(request));
        // QTRY_* naps 10 ms between event-loop passes, which would hide a delay: a plain loop here.
        QEventLoop loop;
        connect(reply.get(), &HttpReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        loop.exec();
        QVERIFY(reply->isFinished());
        QCOMPARE(reply->errorString(), QString());
        QCOMPARE(reply->status(), 200);
    }
    const qint64 elapsed = clock.elapsed();
    // Well under a millisecond each on an idle machine; the bound is generous for a loaded CI
    // runner, yet a 10 ms pause per request would exceed it.
    QVERIFY2(elapsed < count * 10, qPrintable(QStringLiteral("%1 requests took %2 ms").arg(count).arg(elapsed)));
}

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
