#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cc::test {

/// A template the fake knows; a create may name it by id or by alias.
struct FakeE2BTemplate
{
    std::string id;
    std::string alias;
};

/// What the fake does to the requests a fault matches, instead of (or on top of) serving them.
/// Faults are checked in the order they were added; the first one with uses left applies.
struct FakeE2BFault
{
    /// Request path without the query ("/v2/sandboxes", "/process.Process/Start", "/files").
    /// A trailing '*' makes it a prefix ("/sandboxes/*"); empty matches every path.
    std::string path;
    /// "POST", "GET", ...; empty matches every method.
    std::string method;
    /// Which listener: "api", "envd" or empty for both.
    std::string plane;
    /// How many matching requests it affects; -1 = every one from now on (a per-server setting).
    int times = 1;
    /// How many matching requests it lets through first, served as if it were not there (to reach,
    /// say, the second ListDir of a run).
    int skip = 0;

    /// Hold the answer this long before anything else happens (for client timeouts).
    int delayMs = 0;
    /// Answer with this HTTP status and an error body in E2B's shape instead of serving the request:
    /// {"code":N,"message":…}; envd 502 gets the edge proxy's "The sandbox was not found" body.
    int status = 0;
    /// With status (429): send Retry-After with this many seconds.
    int retryAfterSeconds = -1;
    /// Unary and REST calls: a success status with a truncated JSON body (nothing is served).
    /// Streams: the first message (the start event) carries truncated JSON; the rest is normal.
    bool malformedJson = false;
    /// Streams: close the connection without ending the chunked body after this many messages.
    int dropAfterMessages = -1;
    /// Streams: end with the end-stream envelope {} but no `end` event.
    bool omitEndEvent = false;
    /// Streams: end the HTTP body cleanly after the `end` event, without the end-stream envelope.
    bool omitEndStream = false;
    /// Streams: every byte in a write (and HTTP chunk) of its own, so envelopes arrive split.
    bool tinyWrites = false;
    /// With tinyWrites: pause between bytes so that they also reach the client in separate reads.
    int tinyWriteGapMs = 1;
    /// Streams: serve as if no Connect-Timeout-Ms had been sent, so that only the client's own
    /// timer can stop the program (tests of a client's local time limit).
    bool ignoreTimeout = false;

    static FakeE2BFault rateLimited(std::string path, int retryAfterSeconds = 1);
    static FakeE2BFault serverError(std::string path, int status = 500);
    /// envd answers 502 as the edge proxy does for a sandbox that is gone; the API answers 502 too.
    static FakeE2BFault sandboxGone(std::string path = "/process.Process/Start");
    static FakeE2BFault malformed(std::string path);
    static FakeE2BFault delayed(std::string path, int delayMs);
    static FakeE2BFault dropStream(int afterMessages, std::string path = "/process.Process/Start");
    static FakeE2BFault noEndEvent(std::string path = "/process.Process/Start");
    static FakeE2BFault noEndStream(std::string path = "/process.Process/Start");
    static FakeE2BFault splitStream(std::string path = "/process.Process/Start");
};

struct FakeE2BServerOptions
{
    /// The one key the control plane accepts (X-API-KEY); anything else gets 401.
    std::string apiKey = "e2b_0000000000000000000000000000000000000000";
    std::vector<FakeE2BTemplate> templates = {{"rki5dems9wqfm4r03t7g", "base"}};
    /// false: POST /v2/sandboxes answers 404 like an API that predates it (the client must fall back).
    bool acceptV2 = true;
    std::string envdVersion = "0.6.13";
    /// Loopback ports; 0 picks free ones.
    int apiPort = 0;
    int envdPort = 0;
    /// Keepalive period for process streams; 0 = the request's Keepalive-Ping-Interval (s), else 90 s.
    int keepaliveIntervalMs = 0;
    /// Where sandbox folders are made; empty = a fresh temporary folder, removed by stop().
    std::string rootDir;
    /// Serve the SDK's debug-mode sandbox ("debug_sandbox_id", no token) on envd from the start.
    bool debugSandbox = false;
};

/// A request as the fake saw it. Header names are lower case; the values of X-API-KEY and
/// X-Access-Token are never stored, only "<valid>" or "<invalid>".
struct FakeE2BRequest
{
    std::string plane; // "api" or "envd"
    std::string method;
    std::string path;
    std::string query;
    std::map<std::string, std::string> headers;
    int status = 0;
    /// Request bodies of JSON calls (REST and unary RPC); envelope payload for streams. Empty otherwise.
    std::string body;
};

struct FakeE2BCreate
{
    std::string path; // "/v2/sandboxes" or "/sandboxes"
    nlohmann::json body; // as sent; null when it was not JSON
    int status = 0;
    std::string sandboxId; // empty when none was created
};

struct FakeE2BDelete
{
    std::string sandboxId;
    int status = 0; // 204, or 404 for an unknown or already killed sandbox
};

struct FakeE2BSandbox
{
    std::string sandboxId;
    std::string templateId;
    std::string alias;
    std::string envdAccessToken; // empty when not secured (v1 without "secure": true, debug)
    /// Host folder standing for the VM's "/"; /home/user is homeDir.
    std::string rootDir;
    std::string homeDir;
    int timeoutSeconds = 0;
    std::optional<bool> allowInternetAccess;
    nlohmann::json envVars = nlohmann::json::object();
    nlohmann::json metadata = nlohmann::json::object();
    bool alive = true;
    bool secure = true;
};

struct FakeE2BProcess
{
    std::string sandboxId;
    int pid = 0;
    std::string cmd;
    std::vector<std::string> args; // as sent (VM paths)
    std::map<std::string, std::string> envs;
    std::string cwd; // VM path
    bool running = true;
    std::optional<int> exitCode; // set when it exited
    std::optional<int> termSignal; // set when a signal ended it
    std::vector<int> signalsSent; // by SendSignal, in order
    bool deadlineExceeded = false; // killed because Connect-Timeout-Ms passed
};

/// A protocol-faithful stand-in for E2B on loopback: the control plane (REST, X-API-KEY) on one
/// port, envd (REST /files, /health, /metrics and Connect-RPC with JSON) on another, routing envd
/// requests by E2b-Sandbox-Id (or a 49983-<id>.<domain> Host) as the shared sandbox gateway does.
/// Sandboxes are folders; processes are local child processes (fine only for our own test snippets).
/// Every call is thread-safe; the servers run on their own threads and never need an event loop.
class FakeE2BServer
{
public:
    explicit FakeE2BServer(FakeE2BServerOptions options = {});
    ~FakeE2BServer();
    FakeE2BServer(const FakeE2BServer&) = delete;
    FakeE2BServer& operator=(const FakeE2BServer&) = delete;

    /// Binds both listeners on 127.0.0.1 and serves. False (with a reason) when it could not.
    bool start(std::string* error = nullptr);
    /// Kills every process, stops the listeners, removes a temporary root. Idempotent.
    void stop();

    int apiPort() const;
    int envdPort() const;
    std::string apiUrl() const; // E2B_API_URL, "http://127.0.0.1:<port>"
    std::string sandboxUrl() const; // E2B_SANDBOX_URL
    const FakeE2BServerOptions& options() const;

    void addFault(FakeE2BFault fault);
    void clearFaults();
    /// Faults that still have uses left.
    std::vector<FakeE2BFault> pendingFaults() const;

    std::vector<FakeE2BRequest> requests() const;
    /// Headers of the last request to this path (no query); empty if none came.
    std::map<std::string, std::string> lastRequestHeaders(const std::string& path) const;
    std::vector<FakeE2BCreate> creates() const;
    std::vector<FakeE2BDelete> deletes() const;
    /// Every sandbox ever created (killed ones with alive == false).
    std::vector<FakeE2BSandbox> sandboxes() const;
    std::vector<FakeE2BSandbox> liveSandboxes() const;
    std::optional<FakeE2BSandbox> sandbox(const std::string& sandboxId) const;
    std::vector<FakeE2BProcess> processes() const;
    std::vector<FakeE2BProcess> liveProcesses() const;
    /// Blocks up to timeoutMs until no process runs; true when none does.
    bool waitForNoLiveProcesses(int timeoutMs) const;
    /// Forgets requests, creates and deletes (not sandboxes or processes).
    void clearRecords();

    /// Makes a sandbox vanish as on a timeout: its processes die, envd answers 502 from now on,
    /// open streams drop. False if it did not exist or was gone already.
    bool expireSandbox(const std::string& sandboxId);

    struct Private;

private:
    std::unique_ptr<Private> d;
};

} // namespace cc::test
