#include "E2BRequests.h"

#include "ConnectEnvelopeDecoder.h"
#include "RunSpec.h"

#include <QUrl>
#include <QVersionNumber>
#include <limits>

namespace cc::e2b {

namespace {

using nlohmann::json;

const QByteArray kUserAgent = "codecourier";

QByteArray query(const QString& value)
{
    return QUrl::toPercentEncoding(value);
}

void addHeader(http::HttpRequest& request, const QByteArray& name, const QByteArray& value)
{
    request.headers.append(qMakePair(name, value));
}

QString stringField(const json& object, const char* key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

} // namespace

json createSandboxBody(const CreateSandboxParams& params, bool v2)
{
    json body = json::object();
    body["templateID"] = params.templateName.toStdString();
    if (params.timeoutSeconds > 0)
        body["timeout"] = params.timeoutSeconds;
    if (!params.metadata.isEmpty()) {
        json metadata = json::object();
        for (auto it = params.metadata.cbegin(); it != params.metadata.cend(); ++it)
            metadata[it.key().toStdString()] = it.value().toStdString();
        body["metadata"] = metadata;
    }
    // Sent even when true: the grant is on record in the request, not implied by a default.
    body["allow_internet_access"] = params.allowInternetAccess;
    if (!v2)
        body["secure"] = true;  // v1 only; v2 sandboxes are always secured
    return body;
}

http::HttpRequest apiRequest(const E2BConfig& config, const QByteArray& method, const QByteArray& pathAndQuery,
                             const json& body, int timeoutMs)
{
    http::HttpRequest request;
    request.method = method;
    request.url = config.apiUrl().toUtf8() + pathAndQuery;
    request.timeoutMs = timeoutMs;
    request.connectTimeoutMs = 10'000;
    if (config.hasApiKey())
        addHeader(request, "X-API-KEY", config.apiKey().toUtf8());
    addHeader(request, "User-Agent", kUserAgent);
    addHeader(request, "Accept", "application/json");
    if (!body.is_null()) {
        request.body = QByteArray::fromStdString(body.dump());
        addHeader(request, "Content-Type", "application/json");
    }
    return request;
}

http::HttpRequest createSandboxRequest(const E2BConfig& config, const CreateSandboxParams& params, bool v2)
{
    return apiRequest(config, "POST", v2 ? "/v2/sandboxes" : "/sandboxes", createSandboxBody(params, v2),
                      kCreateTimeoutMs);
}

http::HttpRequest killSandboxRequest(const E2BConfig& config, const QString& sandboxId)
{
    return apiRequest(config, "DELETE", "/sandboxes/" + query(sandboxId), nullptr, kKillTimeoutMs);
}

http::HttpRequest apiMetricsRequest(const E2BConfig& config, const QString& sandboxId, qint64 startUnix, qint64 endUnix)
{
    return apiRequest(config, "GET",
                      "/sandboxes/" + query(sandboxId) + "/metrics?start=" + QByteArray::number(startUnix)
                          + "&end=" + QByteArray::number(endUnix),
                      nullptr, kMetricsTimeoutMs);
}

http::HttpRequest probeRequest(const E2BConfig& config, bool v2)
{
    return apiRequest(config, "GET", v2 ? "/v2/sandboxes?limit=1" : "/sandboxes", nullptr, kProbeTimeoutMs);
}

std::optional<E2BSandbox> parseSandbox(const QByteArray& body, const E2BConfig& config, QString* error)
{
    const json doc = json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    if (!doc.is_object()) {
        if (error)
            *error = QStringLiteral("E2B answered the create request with something that is not JSON.");
        return std::nullopt;
    }
    E2BSandbox sandbox;
    sandbox.id = stringField(doc, "sandboxID");
    if (sandbox.id.isEmpty()) {
        if (error)
            *error = QStringLiteral("E2B created a sandbox but did not say its id: the answer was garbled.");
        return std::nullopt;
    }
    sandbox.accessToken = stringField(doc, "envdAccessToken");
    sandbox.domain = stringField(doc, "domain");
    sandbox.templateId = stringField(doc, "templateID");
    sandbox.envdVersion = stringField(doc, "envdVersion");
    sandbox.envdUrl = config.envdUrl(sandbox.id, sandbox.domain);
    return sandbox;
}

http::HttpRequest envdRequest(const E2BSandbox& sandbox, const QByteArray& method, const QByteArray& pathAndQuery,
                              int timeoutMs)
{
    http::HttpRequest request;
    request.method = method;
    request.url = sandbox.envdUrl.toUtf8() + pathAndQuery;
    request.timeoutMs = timeoutMs;
    request.connectTimeoutMs = 10'000;
    // One envd URL may serve every sandbox (E2B's gateway, or E2B_SANDBOX_URL): these route it.
    addHeader(request, "E2b-Sandbox-Id", sandbox.id.toUtf8());
    addHeader(request, "E2b-Sandbox-Port", QByteArray::number(kEnvdPort));
    if (!sandbox.accessToken.isEmpty())
        addHeader(request, "X-Access-Token", sandbox.accessToken.toUtf8());
    addHeader(request, "User-Agent", kUserAgent);
    return request;
}

bool envdTakesRawUploads(const QString& envdVersion)
{
    const QVersionNumber version = QVersionNumber::fromString(envdVersion.trimmed());
    if (version.isNull())
        return true;
    return version >= QVersionNumber(0, 5, 7);
}

http::HttpRequest uploadFileRequest(const E2BSandbox& sandbox, const QString& remotePath, const QByteArray& content,
                                    bool multipart, const QByteArray& boundary)
{
    http::HttpRequest request = envdRequest(sandbox, "POST", "/files?path=" + query(remotePath), kUploadTimeoutMs);
    if (!multipart) {
        addHeader(request, "Content-Type", "application/octet-stream");
        request.body = content;
        return request;
    }
    // As the SDK's FormData: one part named "file" whose filename is the destination path.
    QByteArray filename = remotePath.toUtf8();
    filename.replace('\\', "\\\\").replace('"', "\\\"");
    QByteArray body;
    body += "--" + boundary + "\r\n";
    body += "Content-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n";
    body += "Content-Type: application/octet-stream\r\n\r\n";
    body += content;
    body += "\r\n--" + boundary + "--\r\n";
    addHeader(request, "Content-Type", "multipart/form-data; boundary=" + boundary);
    request.body = body;
    return request;
}

http::HttpRequest connectUnaryRequest(const E2BSandbox& sandbox, const QByteArray& procedure, const json& message,
                                      int timeoutMs)
{
    http::HttpRequest request = envdRequest(sandbox, "POST", "/" + procedure, timeoutMs);
    addHeader(request, "Content-Type", "application/json");
    addHeader(request, "Connect-Protocol-Version", "1");
    request.body = QByteArray::fromStdString(message.dump());
    return request;
}

http::HttpRequest startProcessRequest(const E2BSandbox& sandbox, const json& startRequest, int connectTimeoutMs)
{
    http::HttpRequest request = envdRequest(sandbox, "POST", "/process.Process/Start", 0);
    request.streaming = true;
    addHeader(request, "Content-Type", "application/connect+json");
    addHeader(request, "Connect-Protocol-Version", "1");
    if (connectTimeoutMs > 0)
        addHeader(request, "Connect-Timeout-Ms", QByteArray::number(connectTimeoutMs));
    addHeader(request, "Keepalive-Ping-Interval", "50");
    request.body = encodeEnvelope(0, QByteArray::fromStdString(startRequest.dump()));
    return request;
}

http::HttpRequest sendSignalRequest(const E2BSandbox& sandbox, quint32 pid, const char* signal)
{
    const json message = {{"process", {{"pid", pid}}}, {"signal", signal}};
    return connectUnaryRequest(sandbox, "process.Process/SendSignal", message, kSignalTimeoutMs);
}

http::HttpRequest envdMetricsRequest(const E2BSandbox& sandbox)
{
    return envdRequest(sandbox, "GET", "/metrics", kMetricsTimeoutMs);
}

http::HttpRequest makeDirRequest(const E2BSandbox& sandbox, const QString& path)
{
    return connectUnaryRequest(sandbox, "filesystem.Filesystem/MakeDir", {{"path", path.toStdString()}},
                               kUploadTimeoutMs);
}

http::HttpRequest listDirRequest(const E2BSandbox& sandbox, const QString& path, int depth)
{
    http::HttpRequest request = connectUnaryRequest(
        sandbox, "filesystem.Filesystem/ListDir", {{"path", path.toStdString()}, {"depth", depth}}, kUploadTimeoutMs);
    request.streaming = true;
    return request;
}

http::HttpRequest downloadFileRequest(const E2BSandbox& sandbox, const QString& remotePath)
{
    http::HttpRequest request = envdRequest(sandbox, "GET", "/files?path=" + query(remotePath), kUploadTimeoutMs);
    request.streaming = true;
    return request;
}

std::optional<QList<ListedEntry>> parseListDir(const QByteArray& body, QString* error)
{
    const json doc = json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    const auto fail = [error](const QString& why) -> std::optional<QList<ListedEntry>> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (!doc.is_object())
        return fail(QStringLiteral("envd answered the folder listing with something that is not a JSON object."));
    QList<ListedEntry> entries;
    const auto list = doc.find("entries");
    if (list == doc.end())
        return entries;  // an empty folder: protojson omits the empty list
    if (!list->is_array())
        return fail(QStringLiteral("envd's folder listing has \"entries\" that is not a list."));
    for (const json& e : *list) {
        if (!e.is_object())
            continue;
        ListedEntry entry;
        entry.path = stringField(e, "path");
        if (entry.path.isEmpty())
            continue;
        const auto type = e.find("type");
        if (type != e.end()) {
            const std::string name = type->is_string() ? type->get<std::string>() : std::string();
            const int number = type->is_number_integer() ? type->get<int>() : -1;
            if (name == "FILE_TYPE_FILE" || number == 1)
                entry.kind = ListedEntry::Kind::File;
            else if (name == "FILE_TYPE_DIRECTORY" || number == 2)
                entry.kind = ListedEntry::Kind::Directory;
            else if (name == "FILE_TYPE_SYMLINK" || number == 3)
                entry.kind = ListedEntry::Kind::Symlink;
        }
        const auto size = e.find("size");
        if (size == e.end()) {
            entry.size = 0;  // zero is omitted
        } else if (size->is_number_unsigned()) {
            const auto value = size->get<std::uint64_t>();
            entry.size = value <= std::uint64_t(std::numeric_limits<qint64>::max()) ? qint64(value) : -1;
        } else if (size->is_number_integer()) {
            entry.size = qMax<qint64>(-1, size->get<qint64>());
        } else if (size->is_string()) {
            bool ok = false;
            const QString text = QString::fromStdString(size->get<std::string>());
            const qint64 value = text.toLongLong(&ok);
            entry.size = ok && value >= 0 && !text.startsWith(QLatin1Char('+')) ? value : -1;
        }
        entry.symlinkTarget = stringField(e, "symlinkTarget");
        entries.append(entry);
    }
    return entries;
}

json startProcessBody(const QStringList& command, const QList<QPair<QString, QString>>& env, const QString& cwd,
                      bool redirectStdin)
{
    // "$@" is the program's argv exactly as given; bash never parses it as code. exec keeps the
    // program as the process envd watches, so its own exit status and signals come back.
    QString script = QStringLiteral("exec \"$@\"");
    if (redirectStdin)
        script = QStringLiteral("exec < %1 && rm -f %1 && exec \"$@\"").arg(QLatin1String(kStdinFileName));
    json args = json::array({"-l", "-c", script.toStdString(), "codecourier"});
    for (const QString& arg : command)
        args.push_back(arg.toStdString());
    json process = {{"cmd", "/bin/bash"}, {"args", args}};
    if (!env.isEmpty()) {
        json envs = json::object();
        for (const auto& [key, value] : env)
            envs[key.toStdString()] = value.toStdString();
        process["envs"] = envs;
    }
    if (!cwd.isEmpty())
        process["cwd"] = cwd.toStdString();
    return {{"process", process}, {"stdin", false}};
}

std::optional<SandboxMetrics> parseMetrics(const json& doc)
{
    const json* sample = &doc;
    if (doc.is_array()) {
        if (doc.empty())
            return std::nullopt;
        sample = &doc.back();
    }
    if (!sample->is_object())
        return std::nullopt;
    auto number = [sample](const char* snake, const char* camel) -> std::optional<double> {
        for (const char* key : {snake, camel}) {
            const auto it = sample->find(key);
            if (it != sample->end() && it->is_number())
                return it->get<double>();
        }
        return std::nullopt;
    };
    const auto memUsed = number("mem_used", "memUsed");
    const auto cpuPct = number("cpu_used_pct", "cpuUsedPct");
    if (!memUsed && !cpuPct)
        return std::nullopt;
    SandboxMetrics m;
    m.cpuCount = int(number("cpu_count", "cpuCount").value_or(0));
    m.cpuUsedPercent = cpuPct.value_or(0);
    m.memoryUsedBytes = memUsed ? qint64(*memUsed) : -1;
    m.memoryTotalBytes = qint64(number("mem_total", "memTotal").value_or(-1));
    return m;
}

QString workspacePath(const QString& relativePath)
{
    return QLatin1String(kWorkspaceDir) + QLatin1Char('/') + relativePath;
}

} // namespace cc::e2b
