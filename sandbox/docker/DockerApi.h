#pragma once

#include "DockerEndpoint.h"
#include "DockerHealth.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>
#include <functional>
#include <nlohmann/json.hpp>

namespace cc::http {
class HttpClient;
class HttpReply;
} // namespace cc::http

namespace cc::docker {

/// A finished Docker Engine API call.
struct DockerResponse
{
    int status = 0;                 ///< 0 when the engine could not be reached
    QByteArray body;
    QString error;                  ///< non-empty: a sentence for a person (transport or API error)
    QString transportError;         ///< libcurl's own words when the engine could not be reached

    bool ok() const { return error.isEmpty(); }
    /// The body as JSON; a discarded value when it is not JSON.
    nlohmann::json json() const;
    /// A string member of the body's JSON object ("Id"); empty when the body is not an object with
    /// that string (an engine that is down answers nothing; a broken one answers garbage).
    QString stringField(const char* key) const;
};

/// The Docker Engine API (v1.41) over the engine's unix socket, asynchronous. Every call ends
/// in exactly one callback, in the API's thread, unless the context object is gone by then.
/// Errors arrive as sentences that say what to do ("Docker is not running: start it with ...").
class DockerApi : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const DockerResponse&)>;

    DockerApi(http::HttpClient* http, DockerEndpoint endpoint, QObject* parent = nullptr);

    const DockerEndpoint& endpoint() const { return m_endpoint; }

    /// A non-streaming call. path starts with "/" and has no version ("/containers/create").
    /// Statuses of 400 and above become errors built from the engine's message. Returns the
    /// reply so that a caller can abort() it; the API deletes it after the callback.
    http::HttpReply* call(const QByteArray& method, const QByteArray& path, const nlohmann::json& body,
                          QObject* context, Callback done, int timeoutMs = 30'000);

    /// A streaming call; the caller owns the reply and reads it as it arrives.
    http::HttpReply* stream(const QByteArray& method, const QByteArray& path, const nlohmann::json& body,
                            QObject* parent);

    /// A sentence for a transport failure (no engine, permission denied on the socket, ...).
    QString describeTransportError(const QString& curlError) const;
    /// What a transport failure means, looking at the socket and the machine (no engine call).
    DockerHealth diagnose(const QString& curlError) const;
    /// Asks the engine for its /version: done() gets Ready with the versions, or what is wrong and
    /// the command that fixes it. Never blocks; the answer arrives in the API's thread unless the
    /// context object is gone by then.
    void probe(QObject* context, std::function<void(const DockerHealth&)> done, int timeoutMs = 5'000);
    /// A sentence for an API error status, using the engine's own message.
    static QString describeApiError(int status, const QByteArray& body);

    /// Percent-encodes a value for a query string.
    static QByteArray query(const QString& value);

private:
    http::HttpClient* m_http;
    DockerEndpoint m_endpoint;
};

} // namespace cc::docker
