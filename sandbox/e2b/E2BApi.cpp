#include "E2BApi.h"

#include <QTimer>

#include <utility>
#include <QUrl>

namespace cc::e2b {

nlohmann::json E2BResponse::json() const
{
    return nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
}

void E2BCall::abort()
{
    // Moved out first: running it settles the call, which resets m_abort, and a std::function
    // must not be destroyed while it runs.
    if (auto abortNow = std::exchange(m_abort, nullptr))
        abortNow();
}

E2BApi::E2BApi(http::HttpClient* http, E2BConfig config, QObject* parent)
    : QObject(parent), m_http(http), m_config(std::move(config))
{
}

QString E2BApi::apiService() const
{
    const QUrl url(m_config.apiUrl());
    const QString where = url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(url.port()) : url.host();
    return QStringLiteral("the E2B API at %1").arg(where.isEmpty() ? m_config.apiUrl() : where);
}

E2BCall* E2BApi::send(const http::HttpRequest& request, QObject* context, Callback done)
{
    auto* call = new E2BCall(this);
    // Retries must fit in the request's own time limit, counted from the first attempt.
    const QDeadlineTimer deadline(request.timeoutMs > 0 ? request.timeoutMs : 60'000);
    attempt(call, request, 1, deadline, std::move(done), QPointer<QObject>(context));
    return call;
}

void E2BApi::attempt(E2BCall* call, const http::HttpRequest& request, int attemptNo, QDeadlineTimer deadline,
                     Callback done, QPointer<QObject> context)
{
    // Whichever comes first (the answer, abort()) settles the call; a retry hands it on.
    auto settle = [call, done, context](const E2BResponse& response) {
        call->m_abort = nullptr;
        call->deleteLater();
        if (context)
            done(response);
    };
    auto abortedResponse = [attemptNo] {
        E2BResponse response;
        response.aborted = true;
        response.transportError = QStringLiteral("aborted");
        response.attempts = attemptNo;
        return response;
    };

    http::HttpReply* reply = m_http->send(request, call);
    call->m_abort = [reply = QPointer<http::HttpReply>(reply), settle, abortedResponse] {
        if (reply) {
            reply->disconnect();
            reply->abort();
        }
        settle(abortedResponse());
    };
    connect(reply, &http::HttpReply::finished, call, [=, this] {
        reply->deleteLater();
        E2BResponse response;
        response.status = reply->status();
        response.body = reply->body();
        response.transportError = reply->errorString();
        response.aborted = reply->wasAborted();
        response.attempts = attemptNo;
        if (response.status == 429 && response.transportOk() && attemptNo <= kMaxRetries) {
            // Only an integer Retry-After counts, as in the SDK.
            bool ok = false;
            const qint64 waitMs = reply->header("Retry-After").trimmed().toLongLong(&ok) * 1000;
            if (ok && waitMs >= 0 && waitMs < deadline.remainingTime()) {
                auto* timer = new QTimer(call);
                timer->setSingleShot(true);
                call->m_abort = [timer, settle, abortedResponse] {
                    timer->stop();
                    settle(abortedResponse());
                };
                connect(timer, &QTimer::timeout, call, [=, this] {
                    timer->deleteLater();
                    http::HttpRequest next = request;
                    next.timeoutMs = int(qMax<qint64>(1'000, deadline.remainingTime()));
                    attempt(call, next, attemptNo + 1, deadline, done, context);
                });
                timer->start(int(waitMs));
                return;
            }
        }
        settle(response);
    });
}

http::HttpReply* E2BApi::stream(const http::HttpRequest& request, QObject* parent)
{
    return m_http->send(request, parent);
}

} // namespace cc::e2b
