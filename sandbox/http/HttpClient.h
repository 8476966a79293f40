#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

#include <memory>

namespace cc::http {

/// One HTTP request. Works over TCP (http/https, TLS always verified) or over a unix socket
/// (unixSocketPath set; the URL's host is then ignored by the server, e.g. "http://docker/v1.41/_ping").
struct HttpRequest
{
    QByteArray method = "GET";
    QByteArray url;
    QString unixSocketPath;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    /// Deliver the body piecewise through HttpReply::dataReceived() instead of buffering it.
    bool streaming = false;
    /// Whole-transfer limit in ms; 0 = none (long streams). The connect phase always has one.
    int timeoutMs = 30'000;
    int connectTimeoutMs = 5'000;
};

class HttpClient;

/// The reply to one request. Lives in the client's thread; all signals arrive there, never from
/// inside a libcurl callback, so a slot may abort() or delete any reply, this one included
/// (use deleteLater() for this one).
class HttpReply : public QObject
{
    Q_OBJECT
public:
    ~HttpReply() override;

    /// HTTP status, 0 until the response headers arrived (and on transport errors).
    int status() const { return m_status; }
    /// A response header (case-insensitive name), empty if absent.
    QByteArray header(const QByteArray& name) const;
    /// The buffered body (non-streaming requests), complete once finished() was emitted.
    const QByteArray& body() const { return m_body; }
    bool isFinished() const { return m_finished; }
    /// Empty on transport success (any HTTP status counts as success here), else what went wrong
    /// in a sentence ("could not connect to ...", "timed out after 30 s", "aborted").
    QString errorString() const { return m_error; }
    bool wasAborted() const { return m_aborted; }

    /// Ends the transfer at once; emits finished() with errorString "aborted" if it had not
    /// finished yet. Safe to call from any slot, any number of times.
    void abort();

signals:
    void headersReceived(int status);
    /// Streaming requests only: the next piece of the body, in order.
    void dataReceived(const QByteArray& chunk);
    /// Exactly once per reply.
    void finished();

private:
    friend class HttpClient;
    explicit HttpReply(HttpClient* client);

    // Hands out what libcurl buffered (headers, then data, then the end), re-checking after every
    // emission because a slot may have aborted or deleted this reply or the client.
    void deliverPending();
    void finish(const QString& error);
    // The client is being destroyed: drop the transfer and end on our own, later.
    void detachFromClient();

    HttpClient* m_client;
    void* m_easy = nullptr;  // CURL*
    int m_status = 0;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QByteArray m_body;
    QString m_error;
    bool m_finished = false;
    bool m_aborted = false;
    bool m_streaming = false;
    struct Private;
    std::unique_ptr<Private> d;
};

/// Asynchronous HTTP over libcurl's multi interface, driven by the Qt event loop of the thread
/// that owns it (CURLMOPT_SOCKETFUNCTION → QSocketNotifier, CURLMOPT_TIMERFUNCTION → QTimer).
/// No call blocks. Shared by the Docker and E2B backends.
class HttpClient : public QObject
{
    Q_OBJECT
public:
    explicit HttpClient(QObject* parent = nullptr);
    ~HttpClient() override;

    /// Starts a request. The reply is a child of parent (or of the client when null); the caller
    /// deletes it (deleteLater()) after finished().
    HttpReply* send(const HttpRequest& request, QObject* parent = nullptr);

    /// The libcurl this program runs with ("8.5.0"), from curl_version_info(), for About boxes.
    static QString libraryVersion();

private:
    friend class HttpReply;
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace cc::http
