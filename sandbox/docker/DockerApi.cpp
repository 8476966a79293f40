#include "DockerApi.h"

#include "http/HttpClient.h"

#include <QFile>
#include <QFileInfo>
#include <QUrl>
#include <unistd.h>

namespace cc::docker {

namespace {
constexpr const char* kApiPrefix = "/v1.41";
}

nlohmann::json DockerResponse::json() const
{
    return nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
}

QString DockerResponse::stringField(const char* key) const
{
    const nlohmann::json j = json();
    if (!j.is_object())
        return {};
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

DockerApi::DockerApi(http::HttpClient* http, DockerEndpoint endpoint, QObject* parent)
    : QObject(parent), m_http(http), m_endpoint(std::move(endpoint))
{
}

QByteArray DockerApi::query(const QString& value)
{
    return QUrl::toPercentEncoding(value);
}

static http::HttpRequest makeRequest(const DockerEndpoint& endpoint, const QByteArray& method, const QByteArray& path,
                                     const nlohmann::json& body)
{
    http::HttpRequest request;
    request.method = method;
    // The host part is ignored by the engine on a unix socket; "docker" documents the intent.
    request.url = QByteArray("http://docker") + kApiPrefix + path;
    request.unixSocketPath = endpoint.socketPath;
    if (!body.is_null()) {
        request.body = QByteArray::fromStdString(body.dump());
        request.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    }
    return request;
}

http::HttpReply* DockerApi::call(const QByteArray& method, const QByteArray& path, const nlohmann::json& body,
                                 QObject* context, Callback done, int timeoutMs)
{
    http::HttpRequest request = makeRequest(m_endpoint, method, path, body);
    request.timeoutMs = timeoutMs;
    http::HttpReply* reply = m_http->send(request, this);
    QPointer<QObject> guard(context);
    connect(reply, &http::HttpReply::finished, this, [this, reply, guard, done = std::move(done)] {
        DockerResponse response;
        response.status = reply->status();
        response.body = reply->body();
        response.transportError = reply->errorString();
        if (!reply->errorString().isEmpty())
            response.error = reply->wasAborted() ? QStringLiteral("The request to Docker was cancelled.")
                                                 : describeTransportError(reply->errorString());
        else if (response.status >= 400)
            response.error = describeApiError(response.status, response.body);
        reply->deleteLater();
        if (guard)
            done(response);
    });
    return reply;
}

http::HttpReply* DockerApi::stream(const QByteArray& method, const QByteArray& path, const nlohmann::json& body,
                                   QObject* parent)
{
    http::HttpRequest request = makeRequest(m_endpoint, method, path, body);
    request.streaming = true;
    request.timeoutMs = 0;
    return m_http->send(request, parent);
}

DockerHealth DockerApi::diagnose(const QString& curlError) const
{
    if (!m_endpoint.error.isEmpty()) {
        DockerHealth health;
        health.socketPath = m_endpoint.socketPath;
        health.sentence = m_endpoint.error;
        return health;
    }
    const QString socket = m_endpoint.socketPath;
    const QByteArray native = QFile::encodeName(socket);
    const bool exists = QFileInfo::exists(socket);
    return DockerHealth::diagnose(socket, exists, exists && ::access(native.constData(), R_OK | W_OK) == 0,
                                  DockerHealth::daemonInstalled(), curlError);
}

QString DockerApi::describeTransportError(const QString& curlError) const
{
    return diagnose(curlError).sentence;
}

void DockerApi::probe(QObject* context, std::function<void(const DockerHealth&)> done, int timeoutMs)
{
    call("GET", "/version", nullptr, context, [this, done = std::move(done)](const DockerResponse& r) {
        DockerHealth health;
        if (r.status == 0) {
            health = diagnose(r.transportError);
        } else if (!r.ok()) {
            health.socketPath = m_endpoint.socketPath;
            health.fixCommand = QStringLiteral("sudo systemctl restart docker");
            health.sentence = r.error;
        } else {
            const auto j = r.json();
            health.socketPath = m_endpoint.socketPath;
            if (j.is_object() && j.contains("Version") && j["Version"].is_string()) {
                health.status = DockerHealth::Status::Ready;
                health.engineVersion = QString::fromStdString(j["Version"].get<std::string>());
                health.apiVersion = QString::fromStdString(j.value("ApiVersion", std::string()));
                health.sentence = QStringLiteral("Docker %1 answers on %2.").arg(health.engineVersion, health.socketPath);
            } else {
                health.sentence = QStringLiteral("Something answers on %1, but not as the Docker engine does: check "
                                                 "DOCKER_HOST and `docker info`.")
                                      .arg(health.socketPath);
            }
        }
        done(health);
    }, timeoutMs);
}

QString DockerApi::describeApiError(int status, const QByteArray& body)
{
    const auto parsed = nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    QString message;
    if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string())
        message = QString::fromStdString(parsed["message"].get<std::string>());
    else
        message = QString::fromUtf8(body.left(300)).trimmed();
    if (message.isEmpty())
        message = QStringLiteral("no details");
    return QStringLiteral("Docker refused the request (HTTP %1): %2").arg(status).arg(message);
}

} // namespace cc::docker
