#pragma once

#include "E2BConfig.h"
#include "http/HttpClient.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>
#include <QString>
#include <functional>
#include <nlohmann/json.hpp>

namespace cc::e2b {

/// A finished buffered request to the E2B API or to a sandbox's envd.
struct E2BResponse
{
    int status = 0;                 ///< 0 when no answer arrived
    QByteArray body;
    QString transportError;         ///< non-empty: no usable answer (HttpReply::errorString())
    bool aborted = false;
    int attempts = 1;               ///< > 1 when 429 answers were retried

    bool transportOk() const { return transportError.isEmpty(); }
    bool ok() const { return transportOk() && status >= 200 && status < 300; }
    nlohmann::json json() const;
};

/// One request in flight, retries included. Deleted by the API after its callback.
class E2BCall : public QObject
{
    Q_OBJECT
public:
    /// Ends the request (and any pending retry) at once; the callback runs with aborted = true.
    void abort();

private:
    friend class E2BApi;
    using QObject::QObject;
    QPointer<http::HttpReply> m_reply;
    std::function<void()> m_abort;
};

/// Requests to the E2B control plane (X-API-KEY) and to sandboxes' envd, asynchronous, over the
/// shared HttpClient. A 429 answer with an integer Retry-After (seconds) is retried up to three
/// times while the request's own timeout allows, as the SDK does. Lives in the thread that created
/// it; callbacks arrive there, exactly once per call, unless the context object is gone by then.
class E2BApi : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const E2BResponse&)>;

    E2BApi(http::HttpClient* http, E2BConfig config, QObject* parent = nullptr);

    const E2BConfig& config() const { return m_config; }
    /// Replaces the configuration (a key arrived from the keychain); requests sent from now on use it.
    void setConfig(E2BConfig config) { m_config = std::move(config); }
    /// "the E2B API at api.e2b.app", for sentences.
    QString apiService() const;

    /// Sends a buffered request (any of E2BRequests' builders).
    E2BCall* send(const http::HttpRequest& request, QObject* context, Callback done);
    /// Sends a streaming request; the caller owns the reply.
    http::HttpReply* stream(const http::HttpRequest& request, QObject* parent);

    /// Whether create goes to POST /v2/sandboxes; turned off for good once the server says it does
    /// not know that path.
    bool createWithV2() const { return m_createWithV2; }
    void setCreateWithV2(bool v2) { m_createWithV2 = v2; }

    static constexpr int kMaxRetries = 3;

private:
    void attempt(E2BCall* call, const http::HttpRequest& request, int attemptNo, QDeadlineTimer deadline,
                 Callback done, QPointer<QObject> context);

    http::HttpClient* m_http;
    E2BConfig m_config;
    bool m_createWithV2 = true;
};

} // namespace cc::e2b
