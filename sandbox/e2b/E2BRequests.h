#pragma once

#include "E2BConfig.h"
#include "http/HttpClient.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>
#include <optional>

namespace cc::e2b {

/// Timeouts of the requests a run makes. The SDK's default request timeout is 60 s.
inline constexpr int kCreateTimeoutMs = 60'000;
inline constexpr int kUploadTimeoutMs = 60'000;
inline constexpr int kSignalTimeoutMs = 5'000;
inline constexpr int kKillTimeoutMs = 20'000;
inline constexpr int kMetricsTimeoutMs = 5'000;
inline constexpr int kProbeTimeoutMs = 15'000;
/// How long the program may take to report its start event (the SDK's requestTimeoutMs).
inline constexpr int kStartEventTimeoutMs = 60'000;
/// envd is asked for keepalives every 50 s; a stream silent for longer than this has died.
inline constexpr int kStreamIdleTimeoutMs = 120'000;
/// The sandbox outlives the run's own limit by this much (seconds): it only matters if we vanish
/// before deleting it, and then E2B ends it by itself.
inline constexpr int kSandboxMarginSeconds = 60;

/// Name (inside the workspace) of the file that carries the run's static stdin.
inline constexpr const char* kStdinFileName = ".codecourier-stdin";

/// A sandbox as the create call described it, plus where its envd is.
struct E2BSandbox
{
    QString id;
    QString accessToken;     ///< envdAccessToken; empty for an unsecured sandbox
    QString domain;          ///< the domain the API answered with, empty = the configured one
    QString envdUrl;         ///< base URL of its envd, derived by E2BConfig::envdUrl
    QString templateId;
    QString envdVersion;
};

/// What to create a sandbox with.
struct CreateSandboxParams
{
    QString templateName = QString::fromLatin1(kDefaultTemplate);
    int timeoutSeconds = 0;          ///< 0: leave the server's default
    bool allowInternetAccess = false;
    QMap<QString, QString> metadata;
};

/// The JSON body of POST /v2/sandboxes (v2) or POST /sandboxes (v1, which also gets "secure":true).
/// allow_internet_access is always present: E2B's default is internet ON.
nlohmann::json createSandboxBody(const CreateSandboxParams& params, bool v2);

/// A control-plane request: X-API-KEY, JSON content type, our User-Agent, a timeout.
http::HttpRequest apiRequest(const E2BConfig& config, const QByteArray& method, const QByteArray& pathAndQuery,
                             const nlohmann::json& body, int timeoutMs);
http::HttpRequest createSandboxRequest(const E2BConfig& config, const CreateSandboxParams& params, bool v2);
http::HttpRequest killSandboxRequest(const E2BConfig& config, const QString& sandboxId);
/// GET /sandboxes/{id}/metrics over the last start..end seconds.
http::HttpRequest apiMetricsRequest(const E2BConfig& config, const QString& sandboxId, qint64 startUnix, qint64 endUnix);
/// A cheap authenticated call that shows whether the API answers and accepts the key.
http::HttpRequest probeRequest(const E2BConfig& config, bool v2);

/// Parses the create/connect answer; std::nullopt (and a sentence in error) when it lacks a sandbox id.
std::optional<E2BSandbox> parseSandbox(const QByteArray& body, const E2BConfig& config, QString* error);

/// An envd request with the identity headers every envd call carries: E2b-Sandbox-Id,
/// E2b-Sandbox-Port and (secured sandboxes) X-Access-Token.
http::HttpRequest envdRequest(const E2BSandbox& sandbox, const QByteArray& method, const QByteArray& pathAndQuery,
                              int timeoutMs);
/// POST /files?path=…: raw application/octet-stream (envd ≥ 0.5.7), or multipart/form-data with
/// one "file" part (older envd).
http::HttpRequest uploadFileRequest(const E2BSandbox& sandbox, const QString& remotePath, const QByteArray& content,
                                    bool multipart, const QByteArray& boundary = "codecourier-e2b-boundary-7f3a9c");
/// Whether envd takes raw octet-stream uploads (0.5.7 and later; unknown versions are assumed new).
bool envdTakesRawUploads(const QString& envdVersion);
/// A unary Connect call with a JSON body (process.Process/SendSignal, ...).
http::HttpRequest connectUnaryRequest(const E2BSandbox& sandbox, const QByteArray& procedure,
                                      const nlohmann::json& message, int timeoutMs);
/// process.Process/Start as a streaming Connect call: one envelope, Connect-Timeout-Ms, keepalives.
/// No transfer timeout: the run's own timers watch it.
http::HttpRequest startProcessRequest(const E2BSandbox& sandbox, const nlohmann::json& startRequest,
                                      int connectTimeoutMs);
http::HttpRequest sendSignalRequest(const E2BSandbox& sandbox, quint32 pid, const char* signal = "SIGNAL_SIGKILL");
/// envd's GET /metrics.
http::HttpRequest envdMetricsRequest(const E2BSandbox& sandbox);
/// filesystem.Filesystem/MakeDir {"path"}: created as the sandbox's default user (the one the
/// program runs as); an existing folder answers 409 already_exists.
http::HttpRequest makeDirRequest(const E2BSandbox& sandbox, const QString& path);
/// filesystem.Filesystem/ListDir {"path","depth"}; streamed, so that the caller can cap its size.
http::HttpRequest listDirRequest(const E2BSandbox& sandbox, const QString& path, int depth);
/// GET /files?path=…, streamed, without Accept-Encoding (the bytes come as they are, countable).
http::HttpRequest downloadFileRequest(const E2BSandbox& sandbox, const QString& remotePath);

/// One entry of a ListDir answer.
struct ListedEntry
{
    enum class Kind { File, Directory, Symlink, Other };
    QString path;                ///< absolute, as envd reports it
    Kind kind = Kind::Other;     ///< FILE_TYPE_UNSPECIFIED (omitted: FIFOs, sockets, devices) is Other
    qint64 size = -1;            ///< -1 when missing or not a number (int64 comes as a string or a number)
    QString symlinkTarget;
};

/// Parses {"entries":[EntryInfo]} (protojson: zero values omitted, enums as names or numbers);
/// std::nullopt and a sentence in error when the shape is wrong. Entries without a path are skipped.
std::optional<QList<ListedEntry>> parseListDir(const QByteArray& body, QString* error);

/// The StartRequest for a run: /bin/bash -l -c (as the SDK's commands.run) with a fixed script that
/// takes the program's argv as positional parameters, so no argument is ever parsed as shell code.
/// With stdin, the script first redirects it from kStdinFileName (uploaded beside the snippet)
/// and removes that file.
nlohmann::json startProcessBody(const QStringList& command, const QList<QPair<QString, QString>>& env,
                                const QString& cwd, bool redirectStdin);

/// One resource sample of a whole sandbox.
struct SandboxMetrics
{
    int cpuCount = 0;
    double cpuUsedPercent = 0;   ///< of all the sandbox's CPUs together (0-100)
    qint64 memoryUsedBytes = -1;
    qint64 memoryTotalBytes = -1;
};

/// Parses envd's GET /metrics object ({"cpu_count","cpu_used_pct","mem_used","mem_total",...}) or
/// the API's GET /sandboxes/{id}/metrics array ([{"cpuCount","cpuUsedPct","memUsed","memTotal",...}],
/// the newest last); std::nullopt when neither shape fits.
std::optional<SandboxMetrics> parseMetrics(const nlohmann::json& doc);

/// The absolute path of a workspace-relative file inside the sandbox.
QString workspacePath(const QString& relativePath);

} // namespace cc::e2b
