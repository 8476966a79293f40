#include "http/HttpClient.h"

#include <QFile>
#include <QLoggingCategory>
#include <QPointer>
#include <QSocketNotifier>
#include <QTimer>
#include <QUrl>
#include <QtGlobal>

#include <curl/curl.h>

#include <algorithm>
#include <climits>
#include <map>
#include <utility>

namespace cc::http {

namespace {

// One line per finished request is too chatty by default; QT_LOGGING_RULES="codecourier.http.debug=true" shows it.
Q_LOGGING_CATEGORY(lcHttp, "codecourier.http", QtInfoMsg)

// curl_global_init is only thread-safe on some libcurl builds; a function-local static makes the
// first client do it exactly once, whichever thread it lives in.
bool ensureCurlGlobalInit()
{
    static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    return ok;
}

QString formatDuration(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms % 1000 == 0)
        return QStringLiteral("%1 s").arg(ms / 1000);
    return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'g', 3);
}

bool hasLineBreakOrNul(const QByteArray& text)
{
    return text.contains('\r') || text.contains('\n') || text.contains('\0');
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Per-reply state that libcurl's callbacks fill and deliverPending() hands out.

struct HttpReply::Private
{
    // The easy handle points into these, so they live exactly as long as it does.
    curl_slist* headerList = nullptr;
    QByteArray requestBody;
    char errorBuffer[CURL_ERROR_SIZE] = {};

    // For error sentences and the debug log: never the full URL (signed URLs carry secrets in
    // their query) and never a header.
    QByteArray method;
    QByteArray path;
    QString target;
    int timeoutMs = 0;
    int connectTimeoutMs = 0;

    // Written inside libcurl callbacks only; read outside them.
    int parsedStatus = 0;
    QList<QPair<QByteArray, QByteArray>> parsedHeaders;
    bool headersComplete = false;
    bool headersEmitted = false;
    QByteArray pendingData;
    bool done = false;
    QString doneError;
    bool hasPending = false;

    void releaseEasy(HttpReply* reply);
    QString describeError(CURL* easy, CURLcode result) const;

    static size_t onHeader(char* buffer, size_t size, size_t count, void* userdata);
    static size_t onWrite(char* buffer, size_t size, size_t count, void* userdata);
};

// ---------------------------------------------------------------------------------------------
// The multi handle and its bridge to the Qt event loop.

struct HttpClient::Private
{
    explicit Private(HttpClient* owner);
    ~Private();

    struct Watch
    {
        QSocketNotifier* read = nullptr;
        QSocketNotifier* write = nullptr;
    };

    HttpClient* q;
    CURLM* multi = nullptr;
    QTimer* timer = nullptr;
    std::map<curl_socket_t, Watch> watches;
    // Unfinished replies that still belong to this client (transfer running or events undelivered).
    QList<HttpReply*> replies;
    // > 0 while a notifier or the timer is calling into us: a slot may then destroy the client, and
    // the object whose signal is being emitted must outlive that.
    int dispatchDepth = 0;

    void drive(curl_socket_t socket, int events);
    void collectDone();
    void deliver(const QPointer<HttpClient>& alive);
    void dropWatch(Watch& watch);

    static int onSocket(CURL* easy, curl_socket_t socket, int what, void* userp, void* socketp);
    static int onTimer(CURLM* multi, long timeoutMs, void* userp);
};

HttpClient::Private::Private(HttpClient* owner) : q(owner)
{
    timer = new QTimer(q);
    timer->setSingleShot(true);
    // libcurl's timeouts are what it reports to the user ("timed out after 30 s"); a coarse timer
    // could add 5 % to them.
    timer->setTimerType(Qt::PreciseTimer);
    QObject::connect(timer, &QTimer::timeout, q, [this] { drive(CURL_SOCKET_TIMEOUT, 0); });

    if (!ensureCurlGlobalInit())
        return;
    multi = curl_multi_init();
    if (!multi)
        return;
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Private::onSocket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Private::onTimer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
}

HttpClient::Private::~Private()
{
    // Closes the cached connections; libcurl reports each closed socket through onSocket, which
    // still finds everything it needs here.
    if (multi)
        curl_multi_cleanup(multi);
    multi = nullptr;

    for (auto& [socket, watch] : watches)
        dropWatch(watch);
    watches.clear();
    timer->stop();
    timer->disconnect();

    if (dispatchDepth > 0) {
        // We are being destroyed from a slot that one of our notifiers or our timer is running;
        // deleting that sender now would pull it out from under its own signal emission. Leave
        // them to the event loop we are about to return to.
        const QList<QObject*> children = q->children();
        for (QObject* child : children) {
            if (child == timer || qobject_cast<QSocketNotifier*>(child)) {
                child->setParent(nullptr);
                child->deleteLater();
            }
        }
    }
}

void HttpClient::Private::dropWatch(Watch& watch)
{
    // libcurl may close or reuse the descriptor right after telling us, and we may be inside this
    // very notifier's activated(): disable now, delete later.
    for (QSocketNotifier* notifier : {watch.read, watch.write}) {
        if (!notifier)
            continue;
        notifier->setEnabled(false);
        notifier->disconnect();
        notifier->deleteLater();
    }
    watch = {};
}

int HttpClient::Private::onSocket(CURL*, curl_socket_t socket, int what, void* userp, void*)
{
    auto* self = static_cast<Private*>(userp);
    auto it = self->watches.find(socket);
    if (what == CURL_POLL_REMOVE) {
        if (it != self->watches.end()) {
            self->dropWatch(it->second);
            self->watches.erase(it);
        }
        return 0;
    }
    if (it == self->watches.end()) {
        Watch watch;
        watch.read = new QSocketNotifier(socket, QSocketNotifier::Read, self->q);
        watch.write = new QSocketNotifier(socket, QSocketNotifier::Write, self->q);
        QObject::connect(watch.read, &QSocketNotifier::activated, self->q,
                         [self, socket] { self->drive(socket, CURL_CSELECT_IN); });
        QObject::connect(watch.write, &QSocketNotifier::activated, self->q,
                         [self, socket] { self->drive(socket, CURL_CSELECT_OUT); });
        it = self->watches.emplace(socket, watch).first;
    }
    it->second.read->setEnabled(what & CURL_POLL_IN);
    it->second.write->setEnabled(what & CURL_POLL_OUT);
    return 0;
}

int HttpClient::Private::onTimer(CURLM*, long timeoutMs, void* userp)
{
    auto* self = static_cast<Private*>(userp);
    if (timeoutMs < 0)
        self->timer->stop();
    else // 0 means "as soon as possible": the next event loop pass, no artificial delay
        self->timer->start(int(std::min<long>(timeoutMs, INT_MAX)));
    return 0;
}

void HttpClient::Private::drive(curl_socket_t socket, int events)
{
    QPointer<HttpClient> alive(q);
    ++dispatchDepth;
    int running = 0;
    const CURLMcode rc = curl_multi_socket_action(multi, socket, events, &running);
    if (rc != CURLM_OK)
        qCWarning(lcHttp) << "curl_multi_socket_action failed:" << curl_multi_strerror(rc);
    collectDone();
    // Signals go out only now that libcurl has returned: slots may remove handles, which libcurl
    // forbids from inside its callbacks.
    deliver(alive);
    if (alive)
        --dispatchDepth;
}

void HttpClient::Private::collectDone()
{
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
        if (message->msg != CURLMSG_DONE)
            continue;
        CURL* easy = message->easy_handle;
        const CURLcode result = message->data.result; // read before the handle is removed
        char* priv = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
        auto* reply = reinterpret_cast<HttpReply*>(priv);
        if (!reply)
            continue;
        HttpReply::Private& rd = *reply->d;
        rd.done = true;
        rd.hasPending = true;
        rd.doneError = result == CURLE_OK ? QString() : rd.describeError(easy, result);

        if (lcHttp().isDebugEnabled()) {
            long status = 0;
            curl_off_t totalUs = 0;
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &totalUs);
            qCDebug(lcHttp).noquote() << rd.method << rd.target << rd.path << "->" << status << "in" << totalUs / 1000
                                      << "ms" << rd.doneError;
        }
        // Back to the connection cache at once, so the next request can reuse the connection.
        rd.releaseEasy(reply);
    }
}

void HttpClient::Private::deliver(const QPointer<HttpClient>& alive)
{
    QList<QPointer<HttpReply>> ready;
    for (HttpReply* reply : std::as_const(replies)) {
        if (reply->d->hasPending)
            ready.append(reply);
    }
    // Any slot below may delete the client (and with it this Private): touch nothing of ours after
    // that.
    for (const QPointer<HttpReply>& reply : std::as_const(ready)) {
        if (!alive)
            return;
        if (reply)
            reply->deliverPending();
    }
}

// ---------------------------------------------------------------------------------------------

void HttpReply::Private::releaseEasy(HttpReply* reply)
{
    if (reply->m_easy) {
        CURL* easy = static_cast<CURL*>(reply->m_easy);
        if (reply->m_client && reply->m_client->d->multi)
            curl_multi_remove_handle(reply->m_client->d->multi, easy);
        curl_easy_cleanup(easy);
        reply->m_easy = nullptr;
    }
    if (headerList) {
        curl_slist_free_all(headerList);
        headerList = nullptr;
    }
    requestBody.clear();
}

QString HttpReply::Private::describeError(CURL* easy, CURLcode result) const
{
    const QString detail =
        errorBuffer[0] ? QString::fromUtf8(errorBuffer).trimmed() : QString::fromUtf8(curl_easy_strerror(result));
    switch (result) {
    case CURLE_COULDNT_CONNECT: {
        // curl's own text ("Failed to connect to ... after 0 ms: Couldn't connect to server") hides
        // the reason a person can act on; the OS error has it (refused, no such file, ...).
        long osErrno = 0;
        curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &osErrno);
        const QString reason = osErrno ? qt_error_string(int(osErrno)) : detail;
        return QStringLiteral("Could not connect to %1: %2").arg(target, reason);
    }
    case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t connectUs = 0;
        curl_off_t totalUs = 0;
        curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connectUs);
        curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &totalUs);
        const bool wholeLimitReached = timeoutMs > 0 && totalUs / 1000 >= timeoutMs;
        if (connectUs == 0 && !wholeLimitReached)
            return QStringLiteral("Timed out after %1 while connecting to %2")
                .arg(formatDuration(connectTimeoutMs), target);
        if (timeoutMs > 0)
            return QStringLiteral("Timed out after %1").arg(formatDuration(timeoutMs));
        return QStringLiteral("Timed out talking to %1: %2").arg(target, detail);
    }
    case CURLE_COULDNT_RESOLVE_HOST:
        return QStringLiteral("Could not resolve the host of %1: %2").arg(target, detail);
    case CURLE_COULDNT_RESOLVE_PROXY:
        return QStringLiteral("Could not resolve the proxy for %1: %2").arg(target, detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        return QStringLiteral("Secure connection to %1 failed: %2").arg(target, detail);
    case CURLE_GOT_NOTHING:
        return QStringLiteral("%1 closed the connection without answering").arg(target);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        return QStringLiteral("The connection to %1 broke: %2").arg(target, detail);
    case CURLE_PARTIAL_FILE:
        return QStringLiteral("The response from %1 ended early: %2").arg(target, detail);
    case CURLE_WEIRD_SERVER_REPLY:
        return QStringLiteral("%1 did not answer with valid HTTP: %2").arg(target, detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return QStringLiteral("Invalid URL: %1").arg(detail);
    default:
        return QStringLiteral("HTTP request to %1 failed: %2").arg(target, detail);
    }
}

size_t HttpReply::Private::onHeader(char* buffer, size_t size, size_t count, void* userdata)
{
    auto* reply = static_cast<HttpReply*>(userdata);
    Private& rd = *reply->d;
    const size_t total = size * count;
    if (rd.headersComplete) // trailers of a chunked body: not part of the response headers
        return total;

    QByteArray line(buffer, qsizetype(total));
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);

    if (line.startsWith("HTTP/")) {
        // A new response begins (after a 1xx, or the first one): forget the previous one's headers.
        const QList<QByteArray> parts = line.split(' ');
        rd.parsedStatus = parts.size() > 1 ? parts.at(1).toInt() : 0;
        rd.parsedHeaders.clear();
    } else if (line.isEmpty()) {
        const bool informational = rd.parsedStatus >= 100 && rd.parsedStatus < 200 && rd.parsedStatus != 101;
        if (!informational && rd.parsedStatus != 0) {
            rd.headersComplete = true;
            rd.hasPending = true;
        }
    } else if ((line.front() == ' ' || line.front() == '\t') && !rd.parsedHeaders.isEmpty()) {
        // Obsolete line folding: a continuation of the previous header's value.
        rd.parsedHeaders.last().second += ' ' + line.trimmed();
    } else if (const qsizetype colon = line.indexOf(':'); colon > 0) {
        rd.parsedHeaders.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    return total;
}

size_t HttpReply::Private::onWrite(char* buffer, size_t size, size_t count, void* userdata)
{
    auto* reply = static_cast<HttpReply*>(userdata);
    const size_t total = size * count;
    // Only buffer here: the signals go out once libcurl has returned (see HttpClient::Private::drive).
    if (reply->m_streaming)
        reply->d->pendingData.append(buffer, qsizetype(total));
    else
        reply->m_body.append(buffer, qsizetype(total));
    reply->d->hasPending = true;
    return total;
}

// ---------------------------------------------------------------------------------------------

HttpReply::HttpReply(HttpClient* client) : m_client(client), d(std::make_unique<Private>()) {}

HttpReply::~HttpReply()
{
    // Deleted mid-transfer: clean up without a word.
    d->releaseEasy(this);
    if (m_client)
        m_client->d->replies.removeOne(this);
}

QByteArray HttpReply::header(const QByteArray& name) const
{
    for (const auto& [key, value] : m_headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

void HttpReply::abort()
{
    if (m_finished)
        return;
    m_aborted = true;
    finish(QStringLiteral("aborted"));
}

void HttpReply::finish(const QString& error)
{
    if (m_finished)
        return;
    d->releaseEasy(this);
    if (m_client)
        m_client->d->replies.removeOne(this);
    // A finished reply needs nothing more from the client, which may now go away before it.
    m_client = nullptr;
    m_finished = true;
    m_error = error;
    d->pendingData.clear();
    emit finished();
}

void HttpReply::deliverPending()
{
    if (m_finished)
        return;
    QPointer<HttpReply> alive(this);
    d->hasPending = false;

    if (d->headersComplete && !d->headersEmitted) {
        d->headersEmitted = true;
        m_status = d->parsedStatus;
        m_headers = std::exchange(d->parsedHeaders, {});
        emit headersReceived(m_status);
        if (!alive || m_finished)
            return;
    }
    // A loop, not a single emission: a slot that spins a nested event loop may let more arrive.
    while (m_streaming && d->headersEmitted && !d->pendingData.isEmpty()) {
        const QByteArray chunk = std::exchange(d->pendingData, {});
        emit dataReceived(chunk);
        if (!alive || m_finished)
            return;
    }
    if (d->done)
        finish(d->doneError);
}

void HttpReply::detachFromClient()
{
    d->releaseEasy(this);
    m_client = nullptr;
    if (!d->done) {
        d->done = true;
        d->doneError = QStringLiteral("The HTTP client was shut down before the request to %1 finished").arg(d->target);
    }
    d->hasPending = true;
    // Not now: we are inside the client's destructor. If this reply is one of its children it dies
    // next, and the queued call dies with it.
    QMetaObject::invokeMethod(
        this, [this] { deliverPending(); }, Qt::QueuedConnection);
}

// ---------------------------------------------------------------------------------------------

HttpClient::HttpClient(QObject* parent) : QObject(parent), d(std::make_unique<Private>(this)) {}

HttpClient::~HttpClient()
{
    // Replies parented elsewhere outlive us; each drops its transfer and finishes with an error.
    const QList<HttpReply*> replies = std::exchange(d->replies, {});
    for (HttpReply* reply : replies)
        reply->detachFromClient();
    d.reset();
}

QString HttpClient::libraryVersion()
{
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    return info && info->version ? QString::fromLatin1(info->version) : QString();
}

HttpReply* HttpClient::send(const HttpRequest& request, QObject* parent)
{
    auto* reply = new HttpReply(this);
    reply->setParent(parent ? parent : this);
    reply->m_streaming = request.streaming;
    d->replies.append(reply);

    HttpReply::Private& rd = *reply->d;
    rd.method = request.method.isEmpty() ? QByteArray("GET") : request.method;
    const QUrl url = QUrl::fromEncoded(request.url);
    rd.path = url.path(QUrl::FullyEncoded).toUtf8();
    if (!request.unixSocketPath.isEmpty()) {
        rd.target = request.unixSocketPath;
    } else {
        const QString host = url.host().contains(':') ? '[' + url.host() + ']' : url.host();
        rd.target = QStringLiteral("%1:%2").arg(host).arg(url.port(url.scheme() == QLatin1String("https") ? 443 : 80));
    }
    rd.timeoutMs = request.timeoutMs;
    // The header promises a connect limit always; libcurl's own default would be 300 s.
    rd.connectTimeoutMs = request.connectTimeoutMs > 0 ? request.connectTimeoutMs : 5'000;

    // Failures found here still end through finished(), but never from inside send(): the caller
    // has not connected to the reply yet.
    auto failLater = [reply](const QString& error) {
        reply->d->done = true;
        reply->d->doneError = error;
        reply->d->hasPending = true;
        QMetaObject::invokeMethod(
            reply, [reply] { reply->deliverPending(); }, Qt::QueuedConnection);
        return reply;
    };

    if (request.url.isEmpty())
        return failLater(QStringLiteral("Invalid URL: it is empty"));
    if (hasLineBreakOrNul(request.url) || hasLineBreakOrNul(rd.method))
        return failLater(QStringLiteral("Invalid request: the URL or method contains a line break"));
    for (const auto& [name, value] : request.headers) {
        if (name.isEmpty() || name.contains(':') || hasLineBreakOrNul(name) || hasLineBreakOrNul(value))
            // Name the header but never echo its value: it may be an API key.
            return failLater(QStringLiteral("Invalid request header \"%1\": refusing to send it")
                                 .arg(QString::fromUtf8(name.left(64)).simplified()));
    }
    if (!d->multi)
        return failLater(QStringLiteral("Could not initialise libcurl"));

    CURL* easy = curl_easy_init();
    if (!easy)
        return failLater(QStringLiteral("Could not set up the HTTP request (libcurl is out of memory)"));
    reply->m_easy = easy;

    curl_easy_setopt(easy, CURLOPT_PRIVATE, reply);
    curl_easy_setopt(easy, CURLOPT_URL, request.url.constData());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, rd.errorBuffer);
    // We run inside a GUI process: no SIGALRM-based DNS timeouts, no signal handlers.
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    // Redirects are the caller's decision: following one could carry an API key to another host.
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_1_1));
    // The defaults already, stated so nobody "fixes" a certificate problem by turning them off.
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    // A proxy's CONNECT answer would otherwise reach the header parser as if it were the response.
    curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(rd.connectTimeoutMs));
    if (request.timeoutMs > 0)
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(request.timeoutMs));
    // Output of a run can stay silent for minutes; keepalive notices a peer that vanished.
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &HttpReply::Private::onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, reply);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &HttpReply::Private::onWrite);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, reply);
    if (!request.unixSocketPath.isEmpty())
        curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, QFile::encodeName(request.unixSocketPath).constData());

    const QByteArray& method = rd.method;
    bool sendsBody = false;
    if (method == "HEAD") {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (method == "GET" && request.body.isEmpty()) {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
        if (!request.body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH") {
            // POST with an empty body still needs "Content-Length: 0" (Docker's start/kill/wait).
            sendsBody = true;
            rd.requestBody = request.body;
            curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(rd.requestBody.size()));
            curl_easy_setopt(easy, CURLOPT_POSTFIELDS, rd.requestBody.constData());
        }
        if (method != "POST")
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.constData());
    }

    bool hasExpect = false;
    bool hasContentType = false;
    for (const auto& [name, value] : request.headers) {
        hasExpect = hasExpect || name.compare("Expect", Qt::CaseInsensitive) == 0;
        hasContentType = hasContentType || name.compare("Content-Type", Qt::CaseInsensitive) == 0;
        // "Name;" is libcurl's spelling of a header with an empty value ("Name:" would remove it).
        const QByteArray line = value.isEmpty() ? name + ';' : name + ": " + value;
        rd.headerList = curl_slist_append(rd.headerList, line.constData());
    }
    // libcurl would wait up to a second for "100 Continue" before sending a large body.
    if (!hasExpect)
        rd.headerList = curl_slist_append(rd.headerList, "Expect:");
    // libcurl labels every body form-encoded unless told otherwise; say nothing rather than lie.
    if (sendsBody && !hasContentType)
        rd.headerList = curl_slist_append(rd.headerList, "Content-Type:");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, rd.headerList);

    const CURLMcode rc = curl_multi_add_handle(d->multi, easy);
    if (rc != CURLM_OK) {
        rd.releaseEasy(reply);
        return failLater(QStringLiteral("Could not start the HTTP request to %1: %2")
                             .arg(rd.target, QString::fromUtf8(curl_multi_strerror(rc))));
    }
    // libcurl now asks for a 0 ms timeout through onTimer; the transfer starts on the next pass of
    // the event loop, so nothing is emitted from inside send().
    return reply;
}

} // namespace cc::http
