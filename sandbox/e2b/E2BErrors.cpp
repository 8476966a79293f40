#include "E2BErrors.h"

#include <QRegularExpression>
#include <nlohmann/json.hpp>

namespace cc::e2b {

namespace {

QString shortened(QString text)
{
    text = text.simplified();
    if (text.size() > 300)
        text = text.left(297) + QStringLiteral("...");
    return text;
}

QString saidSuffix(const E2BErrorBody& e)
{
    if (e.message.isEmpty())
        return {};
    QString said = e.message;
    if (!e.errorCode.isEmpty())
        said += QStringLiteral(" [%1]").arg(e.errorCode);
    return QStringLiteral(" E2B said: \"%1\"").arg(said);
}

QString withPeriod(const QString& sentence)
{
    return sentence.endsWith(QLatin1Char('.')) || sentence.endsWith(QLatin1Char('"')) ? sentence
                                                                                        : sentence + QLatin1Char('.');
}

} // namespace

E2BErrorBody parseErrorBody(const QByteArray& body)
{
    E2BErrorBody e;
    const auto doc = nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    if (doc.is_object()) {
        if (const auto it = doc.find("code"); it != doc.end()) {
            if (it->is_number_integer())
                e.code = it->get<int>();
            else if (it->is_string())
                e.connectCode = QString::fromStdString(it->get<std::string>());
        }
        if (const auto it = doc.find("message"); it != doc.end() && it->is_string())
            e.message = shortened(QString::fromStdString(it->get<std::string>()));
        if (const auto it = doc.find("error_code"); it != doc.end() && it->is_string())
            e.errorCode = QString::fromStdString(it->get<std::string>());
        return e;
    }
    // A proxy's HTML page or plain text: keep a readable start of it.
    QString text = QString::fromUtf8(body.left(2048));
    if (text.contains(QLatin1Char('<')))
        text.remove(QRegularExpression(QStringLiteral("<[^>]*>")));
    e.message = shortened(text);
    return e;
}

bool isSandboxGone(int status, const QByteArray& body)
{
    if (status == 502)
        return true;
    return parseErrorBody(body).message.contains(QLatin1String("sandbox was not found"), Qt::CaseInsensitive);
}

QString describeApiError(int status, const QByteArray& body, ApiCall call, const QString& templateName)
{
    const E2BErrorBody e = parseErrorBody(body);
    const QString said = saidSuffix(e);
    switch (status) {
    case 400:
        return withPeriod(QStringLiteral("E2B refused the request as invalid (400).%1").arg(said));
    case 401:
        return withPeriod(QStringLiteral("E2B rejected the API key (401): check E2B_API_KEY or the key stored "
                                         "in Settings (create a key at https://e2b.dev/dashboard).%1")
                              .arg(said));
    case 403:
        return withPeriod(QStringLiteral("E2B refused this key access (403): check the key's team and its "
                                         "permissions.%1")
                              .arg(said));
    case 404:
        if (call == ApiCall::CreateSandbox)
            return withPeriod(QStringLiteral("E2B has no template \"%1\" (404): check the name "
                                             "(`e2b template list`) or pass another with --template.%2")
                                  .arg(templateName, said));
        if (call == ApiCall::Probe)
            return withPeriod(QStringLiteral("The E2B API answered 404 for a sandbox listing: E2B_API_URL may not "
                                             "point at an E2B API.%1")
                                  .arg(said));
        return withPeriod(QStringLiteral("E2B does not know this sandbox (404): it was killed or its time ran out.%1")
                              .arg(said));
    case 429:
        return withPeriod(QStringLiteral("E2B is rate limiting this key (429): too many requests or sandboxes at "
                                         "once. Wait a moment and run again.%1")
                              .arg(said));
    case 502:
        return withPeriod(
            QStringLiteral("E2B's gateway could not reach the service (502): try again in a moment.%1").arg(said));
    case 503:
        return withPeriod(QStringLiteral("E2B is busy (503): no capacity right now. Try again in a moment.%1").arg(said));
    case 504:
        return withPeriod(QStringLiteral("E2B timed out handling the request (504): try again in a moment.%1").arg(said));
    default:
        break;
    }
    if (status >= 500)
        return withPeriod(
            QStringLiteral("E2B had a server error (%1): try again later.%2").arg(status).arg(said));
    return withPeriod(QStringLiteral("E2B answered with HTTP %1.%2").arg(status).arg(said));
}

QString describeEnvdError(int status, const QByteArray& body, const QString& doing)
{
    const E2BErrorBody e = parseErrorBody(body);
    const QString said = saidSuffix(e);
    if (isSandboxGone(status, body))
        return withPeriod(QStringLiteral("Could not %1: the E2B sandbox is gone (%2, the sandbox was not found); it was "
                                         "killed or its time ran out.%3")
                              .arg(doing)
                              .arg(status)
                              .arg(said));
    switch (status) {
    case 401:
        return withPeriod(QStringLiteral("Could not %1: the sandbox refused its access token (401).%2").arg(doing, said));
    case 404:
        return withPeriod(QStringLiteral("Could not %1: the sandbox's envd does not offer this (404); the template's "
                                         "envd may be too old.%2")
                              .arg(doing, said));
    case 415:
        return withPeriod(
            QStringLiteral("Could not %1: envd refused the content type (415).%2").arg(doing, said));
    case 429:
        return withPeriod(QStringLiteral("Could not %1: E2B is rate limiting this key (429). Wait a moment and run "
                                         "again.%2")
                              .arg(doing, said));
    case 507:
        return withPeriod(QStringLiteral("Could not %1: the sandbox's disk is full (507).%2").arg(doing, said));
    default:
        break;
    }
    if (status >= 500)
        return withPeriod(QStringLiteral("Could not %1: the sandbox had a server error (%2).%3").arg(doing).arg(status).arg(said));
    return withPeriod(QStringLiteral("Could not %1: the sandbox answered with HTTP %2.%3").arg(doing).arg(status).arg(said));
}

QString describeStreamError(const ConnectError& error)
{
    const QString said =
        error.message.isEmpty() ? QString() : QStringLiteral(" E2B said: \"%1\"").arg(shortened(error.message));
    if (error.code == QLatin1String("unavailable"))
        return withPeriod(QStringLiteral("The E2B sandbox stopped answering during the run (unavailable); it may have "
                                         "been killed or its time ran out.%1")
                              .arg(said));
    if (error.code == QLatin1String("invalid_argument"))
        return withPeriod(QStringLiteral("E2B could not start the program (invalid_argument).%1").arg(said));
    if (error.code == QLatin1String("unauthenticated"))
        return withPeriod(QStringLiteral("The sandbox refused its access token (unauthenticated).%1").arg(said));
    if (error.code == QLatin1String("resource_exhausted"))
        return withPeriod(QStringLiteral("E2B is rate limiting this key (resource_exhausted). Wait a moment and run "
                                         "again.%1")
                              .arg(said));
    if (error.code == QLatin1String("canceled"))
        return withPeriod(QStringLiteral("E2B cancelled the run (canceled).%1").arg(said));
    return withPeriod(QStringLiteral("The sandbox ended the run with an error (%1).%2").arg(error.code, said));
}

QString describeTransportError(const QString& httpError, const QString& service)
{
    if (httpError.startsWith(QLatin1String("Secure connection")))
        return QStringLiteral("Could not open a secure (TLS) connection to %1: %2. CodeCourier always verifies "
                              "certificates; check the system clock, the installed CA certificates and any proxy "
                              "that intercepts TLS.")
            .arg(service, httpError);
    if (httpError.startsWith(QLatin1String("Could not connect")) || httpError.startsWith(QLatin1String("Could not resolve")))
        return QStringLiteral("Could not reach %1: %2. Check the network connection and E2B_DOMAIN / E2B_API_URL.")
            .arg(service, httpError);
    if (httpError.startsWith(QLatin1String("Timed out")))
        return QStringLiteral("%1 did not answer in time: %2.").arg(service.at(0).toUpper() + service.mid(1), httpError);
    return QStringLiteral("The connection to %1 failed: %2.").arg(service, httpError);
}

} // namespace cc::e2b
