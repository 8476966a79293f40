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

QString DockerApi::describeTransportError(const QString& curlError) const
{
    if (!m_endpoint.error.isEmpty())
        return m_endpoint.error;
    const QString socket = m_endpoint.socketPath;
    const QFileInfo info(socket);
    const QByteArray native = QFile::encodeName(socket);
    if (!info.exists())
        return QStringLiteral("Docker is not running: there is no engine socket at %1. Start it with "
                              "`sudo systemctl start docker` (or `sudo dockerd &`), or set DOCKER_HOST to its socket.")
            .arg(socket);
    if (::access(native.constData(), R_OK | W_OK) != 0)
        return QStringLiteral("Permission denied on the Docker socket %1: add yourself to the docker group "
                              "(`sudo usermod -aG docker $USER`, then log out and in again), or run as root.")
            .arg(socket);
    if (curlError.contains(QLatin1String("connect"), Qt::CaseInsensitive))
        return QStringLiteral("Docker is not running: nothing answers on %1. Start it with `sudo systemctl start docker` "
                              "(or `sudo dockerd &`).")
            .arg(socket);
    return QStringLiteral("The connection to Docker at %1 failed: %2. Check that the engine is healthy (`docker info`).")
        .arg(socket, curlError);
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
