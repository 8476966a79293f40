// The fake follows ../shared/E2B-PROTOCOL.md (what SDK 2.51.0 sends and envd/the API answer).
// Wherever the doc says a detail was only read from source, the fake does what that source does.

#include "FakeE2BServer.h"

#include <httplib.h>

#include <QByteArray>
#include <QCryptographicHash>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace cc::test {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Faults

FakeE2BFault FakeE2BFault::rateLimited(std::string path, int retryAfterSeconds)
{
    FakeE2BFault f;
    f.path = std::move(path);
    f.status = 429;
    f.retryAfterSeconds = retryAfterSeconds;
    return f;
}

FakeE2BFault FakeE2BFault::serverError(std::string path, int status)
{
    FakeE2BFault f;
    f.path = std::move(path);
    f.status = status;
    return f;
}

FakeE2BFault FakeE2BFault::sandboxGone(std::string path)
{
    FakeE2BFault f;
    f.path = std::move(path);
    f.status = 502;
    return f;
}

FakeE2BFault FakeE2BFault::malformed(std::string path)
{
    FakeE2BFault f;
    f.path = std::move(path);
    f.malformedJson = true;
    return f;
}

FakeE2BFault FakeE2BFault::delayed(std::string path, int delayMs)
{
    FakeE2BFault f;
    f.path = std::move(path);
    f.delayMs = delayMs;
    return f;
}

FakeE2BFault FakeE2BFault::dropStream(int afterMessages, std::string path)
{
    FakeE2BFault f;
    f.path = std::move(path);
    f.dropAfterMessages = afterMessages;
    return f;
}

FakeE2BFault FakeE2BFault::noEndEvent(std::string path)
{
    FakeE2BFault f;
    f.path = std::move(path);
    f.omitEndEvent = true;
    return f;
}

FakeE2BFault FakeE2BFault::noEndStream(std::string path)
{
    FakeE2BFault f;
    f.path = std::move(path);
    f.omitEndStream = true;
    return f;
}

FakeE2BFault FakeE2BFault::splitStream(std::string path)
{
    FakeE2BFault f;
    f.path = std::move(path);
    f.tinyWrites = true;
    return f;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Small helpers

constexpr int kEnvdPort = 49983;
constexpr size_t kReadChunk = 32 * 1024; // envd reads pipes 32 KiB at a time
constexpr size_t kMaxBacklog = 1024 * 1024; // per subscriber, before the reader stops reading
const char* const kClientId = "6532622b";
const char* const kJsonUtf8 = "application/json; charset=utf-8";
const char* const kConnectJson = "application/connect+json";
const char* const kEnvdUnauthorized =
    "{\"code\":401,\"message\":\"unauthorized access, please provide a valid access token or method signing if "
    "supported\"}\n";

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

bool startsWith(const std::string& s, const std::string& prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

std::string randomString(size_t n, const std::string& alphabet)
{
    static std::mutex mutex;
    static std::mt19937_64 engine{std::random_device{}()};
    std::lock_guard lock(mutex);
    std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
    std::string out;
    for (size_t i = 0; i < n; ++i)
        out += alphabet[pick(engine)];
    return out;
}

std::string toBase64(const std::string& bytes)
{
    return QByteArray(bytes.data(), qsizetype(bytes.size())).toBase64().toStdString();
}

std::optional<std::string> fromBase64(const std::string& text)
{
    auto result = QByteArray::fromBase64Encoding(QByteArray::fromStdString(text),
                                                 QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return std::nullopt;
    return result.decoded.toStdString();
}

std::string rfc3339(std::chrono::system_clock::time_point t)
{
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = std::time_t(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[80];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, int(ms % 1000));
    return out;
}

std::string envelope(uint8_t flags, const std::string& payload)
{
    std::string out(5, '\0');
    out[0] = char(flags);
    const uint32_t n = uint32_t(payload.size());
    out[1] = char((n >> 24) & 0xff);
    out[2] = char((n >> 16) & 0xff);
    out[3] = char((n >> 8) & 0xff);
    out[4] = char(n & 0xff);
    return out + payload;
}

// Connect error code → HTTP status for unary answers (the Connect protocol's table).
int connectHttpStatus(const std::string& code)
{
    static const std::map<std::string, int> table = {
        {"canceled", 499},       {"unknown", 500},          {"invalid_argument", 400},  {"deadline_exceeded", 504},
        {"not_found", 404},      {"already_exists", 409},   {"permission_denied", 403}, {"resource_exhausted", 429},
        {"failed_precondition", 400}, {"aborted", 409},     {"out_of_range", 400},      {"unimplemented", 501},
        {"internal", 500},       {"unavailable", 503},      {"data_loss", 500},         {"unauthenticated", 401},
    };
    const auto it = table.find(code);
    return it == table.end() ? 500 : it->second;
}

void restError(httplib::Response& res, int status, const std::string& message)
{
    res.status = status;
    res.set_content(ojson{{"code", status}, {"message", message}}.dump(), kJsonUtf8);
}

void connectUnaryError(httplib::Response& res, const std::string& code, const std::string& message)
{
    res.status = connectHttpStatus(code);
    res.set_content(ojson{{"code", code}, {"message", message}}.dump(), "application/json");
}

std::string connectErrorTrailer(const std::string& code, const std::string& message)
{
    return envelope(0x02, ojson{{"error", {{"code", code}, {"message", message}}}}.dump());
}

// A gin router's answer for a route it does not have (what an API without v2 gives).
void noRoute(httplib::Response& res)
{
    res.status = 404;
    res.set_content("404 page not found", "text/plain");
}

// Go's os.ProcessState.String() for a signal: the lower-cased strsignal() text.
std::string signalText(int sig)
{
    std::string text = strsignal(sig) ? strsignal(sig) : ("signal " + std::to_string(sig));
    if (!text.empty())
        text[0] = char(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

ojson endEvent(int waitStatus)
{
    ojson end = ojson::object();
    if (WIFEXITED(waitStatus)) {
        const int code = WEXITSTATUS(waitStatus);
        const std::string status = "exit status " + std::to_string(code);
        if (code != 0)
            end["exitCode"] = code;
        end["exited"] = true;
        end["status"] = status;
        if (code != 0)
            end["error"] = status;
    } else {
        std::string status = "signal: " + signalText(WTERMSIG(waitStatus));
        if (WCOREDUMP(waitStatus))
            status += " (core dumped)";
        end["exitCode"] = -1;
        end["status"] = status;
        end["error"] = status;
    }
    return ojson{{"event", {{"end", end}}}};
}

// Resolves a VM path as envd does: "~" and relative paths are under the user's home; "." and
// ".." are cleaned without ever leaving "/".
std::string cleanVmPath(const std::string& path, const std::string& home)
{
    std::string p = path;
    if (p == "~")
        p = home;
    else if (startsWith(p, "~/"))
        p = home + p.substr(1);
    else if (p.empty() || p[0] != '/')
        p = home + "/" + p;
    std::vector<std::string> parts;
    std::stringstream in(p);
    std::string part;
    while (std::getline(in, part, '/')) {
        if (part.empty() || part == ".")
            continue;
        if (part == "..") {
            if (!parts.empty())
                parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    std::string out;
    for (const auto& piece : parts)
        out += "/" + piece;
    return out.empty() ? "/" : out;
}

std::string baseName(const std::string& vmPath)
{
    const auto at = vmPath.rfind('/');
    return at == std::string::npos ? vmPath : vmPath.substr(at + 1);
}

std::string goFileMode(const fs::file_status& st)
{
    std::string s;
    switch (st.type()) {
    case fs::file_type::directory: s = "d"; break;
    case fs::file_type::symlink: s = "L"; break;
    default: s = "-"; break;
    }
    const auto p = st.permissions();
    const std::pair<fs::perms, char> bits[] = {
        {fs::perms::owner_read, 'r'}, {fs::perms::owner_write, 'w'}, {fs::perms::owner_exec, 'x'},
        {fs::perms::group_read, 'r'}, {fs::perms::group_write, 'w'}, {fs::perms::group_exec, 'x'},
        {fs::perms::others_read, 'r'}, {fs::perms::others_write, 'w'}, {fs::perms::others_exec, 'x'},
    };
    for (const auto& [bit, c] : bits)
        s += (p & bit) != fs::perms::none ? c : '-';
    return s;
}

std::string mimeType(const std::string& name)
{
    const auto dot = name.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : lower(name.substr(dot + 1));
    static const std::map<std::string, std::string> types = {
        {"txt", "text/plain; charset=utf-8"}, {"py", "text/x-python; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"}, {"json", "application/json"},
        {"html", "text/html; charset=utf-8"}, {"sh", "text/x-sh; charset=utf-8"},
        {"md", "text/markdown; charset=utf-8"}, {"csv", "text/csv; charset=utf-8"},
        {"png", "image/png"}, {"gz", "application/gzip"},
    };
    const auto it = types.find(ext);
    return it == types.end() ? "application/octet-stream" : it->second;
}

// Inserts the sandbox folder in front of every absolute path in text whose first component is a
// top-level folder of the sandbox, so "python3 /home/user/a.py" runs the uploaded file.
std::string mapVmPaths(const std::string& text, const std::string& root, const std::set<std::string>& topLevel)
{
    auto isPathChar = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '/' || c == '~';
    };
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '/' && (i == 0 || !isPathChar(text[i - 1]))) {
            size_t end = i + 1;
            while (end < text.size() && text[end] != '/' && isPathChar(text[end]))
                ++end;
            if (topLevel.count(text.substr(i + 1, end - i - 1)))
                out += root;
        }
        out += text[i];
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Processes

struct Event
{
    enum Kind { Stdout, Stderr, End } kind;
    std::string data;
    int waitStatus = 0;
};

// One reader of a process's events: the Start stream and each Connect stream.
struct Subscriber
{
    std::deque<Event> queue;
    size_t bytes = 0;
};

struct Proc
{
    FakeE2BProcess info; // guarded by mutex
    std::string tag;
    ojson config;
    std::shared_ptr<std::atomic<bool>> sandboxAlive;
    int stdinFd = -1;
    int outFd = -1;
    int errFd = -1;
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::shared_ptr<Subscriber>> subscribers;
    bool finished = false;
    bool reaped = false;
    std::thread reader;

    // The process runs in its own group: a kill reaches what it started, too. Never after reaping,
    // when the id could belong to someone else.
    void killGroup(int sig, bool record)
    {
        std::lock_guard lock(mutex);
        if (record)
            info.signalsSent.push_back(sig);
        if (!reaped)
            ::kill(-info.pid, sig);
    }

    // Hands an event to every reader, waiting while one of them is too far behind. The end event
    // marks the process finished in the same step, so no call sees it ended but still findable.
    void push(Event event, const std::atomic<bool>& stopping)
    {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] {
            return stopping.load() || std::all_of(subscribers.begin(), subscribers.end(),
                                                  [](const auto& s) { return s->bytes < kMaxBacklog; });
        });
        for (auto& s : subscribers) {
            s->bytes += event.data.size();
            s->queue.push_back(event);
        }
        if (event.kind == Event::End)
            finished = true;
        cv.notify_all();
    }

    void detach(const std::shared_ptr<Subscriber>& sub)
    {
        std::lock_guard lock(mutex);
        subscribers.erase(std::remove(subscribers.begin(), subscribers.end(), sub), subscribers.end());
        cv.notify_all();
    }
};

// Reads stdout and stderr until both close, then reaps the process and delivers its end.
void readProcess(Proc& p, const std::atomic<bool>& stopping)
{
    pollfd fds[2] = {{p.outFd, POLLIN, 0}, {p.errFd, POLLIN, 0}};
    bool exited = false;
    Clock::time_point exitedAt;
    std::vector<char> buffer(kReadChunk);
    for (;;) {
        if (!exited) {
            siginfo_t si{};
            if (::waitid(P_PID, id_t(p.info.pid), &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == p.info.pid) {
                exited = true;
                exitedAt = Clock::now();
            }
        }
        const bool open = fds[0].fd >= 0 || fds[1].fd >= 0;
        if (!open)
            break;
        if (exited && Clock::now() - exitedAt > 200ms) {
            // Something it started in the background still holds the pipes: end it, as the
            // sandbox would end with the command as far as our tests care.
            p.killGroup(SIGKILL, false);
            break;
        }
        const int n = ::poll(fds, 2, exited ? 20 : 50);
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            const ssize_t got = ::read(fds[i].fd, buffer.data(), buffer.size());
            if (got > 0) {
                p.push(Event{i == 0 ? Event::Stdout : Event::Stderr, std::string(buffer.data(), size_t(got))}, stopping);
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0)
            ::close(f.fd);
    int status = 0;
    {
        // Reap under the lock so that killGroup() never signals a recycled id.
        std::lock_guard lock(p.mutex);
        while (::waitpid(p.info.pid, &status, 0) < 0 && errno == EINTR) {
        }
        p.reaped = true;
        p.info.running = false;
        if (WIFEXITED(status))
            p.info.exitCode = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
            p.info.termSignal = WTERMSIG(status);
        if (p.stdinFd >= 0) {
            ::close(p.stdinFd);
            p.stdinFd = -1;
        }
    }
    p.push(Event{Event::End, {}, status}, stopping);
}

struct SpawnResult
{
    int pid = -1;
    int stdinFd = -1;
    int outFd = -1;
    int errFd = -1;
    std::string error;
};

// Runs argv as envd does (through /bin/sh -c 'exec "$@"', so a missing command is the shell's
// "not found" and exit 127), in a process group of its own, with exactly the given environment.
SpawnResult spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& cwd,
                  bool withStdin)
{
    SpawnResult r;
    std::vector<std::string> full = {"/bin/sh", "-c", "exec \"$@\"", "--"};
    full.insert(full.end(), argv.begin(), argv.end());
    std::vector<char*> cargv;
    for (auto& a : full)
        cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    std::vector<char*> cenv;
    for (auto& e : env)
        cenv.push_back(const_cast<char*>(e.c_str()));
    cenv.push_back(nullptr);

    int in[2] = {-1, -1}, out[2], err[2], report[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 || ::pipe2(report, O_CLOEXEC) != 0) {
        r.error = std::strerror(errno);
        return r;
    }
    if (withStdin) {
        if (::pipe2(in, O_CLOEXEC) != 0) {
            r.error = std::strerror(errno);
            return r;
        }
    } else {
        in[0] = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }

    const pid_t pid = ::fork();
    if (pid == 0) {
        // Only async-signal-safe calls from here to exec.
        ::setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        int failure = 0;
        if (::chdir(cwd.c_str()) != 0)
            failure = errno;
        if (!failure && (::dup2(in[0], 0) < 0 || ::dup2(out[1], 1) < 0 || ::dup2(err[1], 2) < 0))
            failure = errno;
        if (!failure) {
            // Nothing else of ours leaks into the snippet (listening sockets, other pipes).
            const int keep = report[1];
            if (::syscall(SYS_close_range, 3u, unsigned(keep - 1), 0u) != 0 ||
                ::syscall(SYS_close_range, unsigned(keep + 1), ~0u, 0u) != 0) {
                for (int fd = 3; fd < 4096; ++fd)
                    if (fd != keep)
                        ::close(fd);
            }
            ::execve(cargv[0], cargv.data(), cenv.data());
            failure = errno;
        }
        (void)!::write(report[1], &failure, sizeof failure);
        ::_exit(127);
    }
    const int forkErrno = errno;
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    ::close(report[1]);
    if (pid < 0) {
        ::close(report[0]);
        ::close(out[0]);
        ::close(err[0]);
        if (in[1] >= 0)
            ::close(in[1]);
        r.error = std::strerror(forkErrno);
        return r;
    }
    ::setpgid(pid, pid);
    int childErrno = 0;
    ssize_t got;
    while ((got = ::read(report[0], &childErrno, sizeof childErrno)) < 0 && errno == EINTR) {
    }
    ::close(report[0]);
    if (got > 0) {
        ::waitpid(pid, nullptr, 0);
        ::close(out[0]);
        ::close(err[0]);
        if (in[1] >= 0)
            ::close(in[1]);
        r.error = std::strerror(childErrno);
        return r;
    }
    r.pid = pid;
    r.stdinFd = in[1];
    r.outFd = out[0];
    r.errFd = err[0];
    return r;
}

struct CpuSample
{
    long long ticks = 0;
    Clock::time_point at;
};

} // namespace

// ---------------------------------------------------------------------------------------------
// State

struct SandboxState
{
    FakeE2BSandbox info;
    std::shared_ptr<std::atomic<bool>> alive = std::make_shared<std::atomic<bool>>(true);
    std::chrono::system_clock::time_point startedAt;
    std::chrono::system_clock::time_point endAt;
    std::string trafficAccessToken;
    std::vector<std::shared_ptr<Proc>> procs;
    CpuSample lastCpu;
    std::map<std::string, ojson> fileMetadata; // VM path → what X-Metadata-* set (envd keeps it in xattrs)
};

struct FakeE2BServer::Private
{
    FakeE2BServerOptions options;
    httplib::Server api;
    httplib::Server envd;
    std::thread apiThread;
    std::thread envdThread;
    std::thread housekeeper;
    int apiPort = 0;
    int envdPort = 0;
    std::string rootDir;
    bool ownsRoot = false;
    bool started = false;
    std::atomic<bool> stopping{false};

    mutable std::mutex mutex;
    mutable std::condition_variable changed; // sandboxes or processes changed; stop requested
    std::vector<FakeE2BFault> faults;
    std::vector<FakeE2BRequest> requests;
    std::vector<FakeE2BCreate> creates;
    std::vector<FakeE2BDelete> deletes;
    std::map<std::string, std::shared_ptr<SandboxState>> sandboxes;
    std::vector<std::string> sandboxOrder;
    std::vector<std::shared_ptr<Proc>> procs;

    void setUpApi();
    void setUpEnvd();

    // Shared entry for every request on a plane: faults, then the handler, then the record.
    void serve(const std::string& plane, const httplib::Request& req, httplib::Response& res,
               const std::function<void(const httplib::Request&, httplib::Response&, const FakeE2BFault&)>& handler);
    std::optional<FakeE2BFault> takeFault(const std::string& plane, const std::string& method, const std::string& path);
    void record(const std::string& plane, const httplib::Request& req, int status);
    bool sleepUnlessStopping(int ms);

    // Control plane
    void handleApi(const httplib::Request& req, httplib::Response& res);
    void createSandbox(const httplib::Request& req, httplib::Response& res, bool v2);
    ojson sandboxJson(const SandboxState& s) const;
    ojson sandboxDetailJson(const SandboxState& s) const;
    ojson metricJson(SandboxState& s);
    bool killSandbox(const std::string& id);
    std::shared_ptr<SandboxState> liveSandbox(const std::string& id) const;

    // envd
    std::string envdSandboxId(const httplib::Request& req) const;
    void handleEnvd(const httplib::Request& req, httplib::Response& res, const FakeE2BFault& fault);
    void handleFilesUpload(const httplib::Request& req, httplib::Response& res, SandboxState& s);
    void handleFilesDownload(const httplib::Request& req, httplib::Response& res, SandboxState& s);
    bool filesAuthorized(const httplib::Request& req, const SandboxState& s, const std::string& operation);
    void handleProcessStart(const httplib::Request& req, httplib::Response& res, const std::shared_ptr<SandboxState>& s,
                            const json& message, const FakeE2BFault& fault, std::optional<Clock::time_point> deadline);
    void handleProcessConnect(const httplib::Request& req, httplib::Response& res,
                              const std::shared_ptr<SandboxState>& s, const json& message, const FakeE2BFault& fault,
                              std::optional<Clock::time_point> deadline);
    void streamEvents(httplib::Response& res, std::shared_ptr<Proc> proc, std::shared_ptr<Subscriber> sub,
                      const FakeE2BFault& fault, std::optional<Clock::time_point> deadline, int keepaliveMs,
                      bool killOnDeadline);
    void handleProcessUnary(const std::string& method, httplib::Response& res, SandboxState& s, const json& message);
    void handleFilesystemUnary(const std::string& method, httplib::Response& res, SandboxState& s,
                               const std::string& home, const json& message);
    std::shared_ptr<Proc> findProc(SandboxState& s, const json& selector);
    std::optional<std::string> userHome(const std::string& user) const;

    void expireDue();
    void killAll();
};

// ---------------------------------------------------------------------------------------------

FakeE2BServer::FakeE2BServer(FakeE2BServerOptions options) : d(std::make_unique<Private>())
{
    d->options = std::move(options);
}

FakeE2BServer::~FakeE2BServer()
{
    stop();
}

const FakeE2BServerOptions& FakeE2BServer::options() const
{
    return d->options;
}

int FakeE2BServer::apiPort() const
{
    return d->apiPort;
}

int FakeE2BServer::envdPort() const
{
    return d->envdPort;
}

std::string FakeE2BServer::apiUrl() const
{
    return "http://127.0.0.1:" + std::to_string(d->apiPort);
}

std::string FakeE2BServer::sandboxUrl() const
{
    return "http://127.0.0.1:" + std::to_string(d->envdPort);
}

bool FakeE2BServer::start(std::string* error)
{
    auto fail = [&](const std::string& why) {
        if (error)
            *error = why;
        stop();
        return false;
    };
    if (d->started)
        return fail("already started");
    // Writing to a snippet's closed stdin must be an error, not the end of this process.
    struct sigaction current{};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
        ::signal(SIGPIPE, SIG_IGN);

    if (d->options.rootDir.empty()) {
        std::string pattern = (fs::temp_directory_path() / "fake-e2b-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            return fail("could not make a temporary folder: " + std::string(std::strerror(errno)));
        d->rootDir = pattern;
        d->ownsRoot = true;
    } else {
        std::error_code ec;
        fs::create_directories(d->options.rootDir, ec);
        if (ec)
            return fail("could not make " + d->options.rootDir + ": " + ec.message());
        d->rootDir = fs::absolute(d->options.rootDir).string();
    }

    for (httplib::Server* server : {&d->api, &d->envd}) {
        // Each open stream holds a thread; the SDK and the client keep a few connections each.
        server->new_task_queue = [] { return new httplib::ThreadPool(64); };
        server->set_tcp_nodelay(true); // tiny writes must leave one by one
        server->set_keep_alive_timeout(2); // also bounds how long stop() waits for idle connections
        server->set_keep_alive_max_count(1000);
    }
    d->setUpApi();
    d->setUpEnvd();

    auto bind = [](httplib::Server& server, int wanted) {
        if (wanted > 0)
            return server.bind_to_port("127.0.0.1", wanted) ? wanted : -1;
        return server.bind_to_any_port("127.0.0.1");
    };
    d->apiPort = bind(d->api, d->options.apiPort);
    if (d->apiPort <= 0)
        return fail("could not listen on 127.0.0.1:" + std::to_string(d->options.apiPort) + " (API)");
    d->envdPort = bind(d->envd, d->options.envdPort);
    if (d->envdPort <= 0)
        return fail("could not listen on 127.0.0.1:" + std::to_string(d->options.envdPort) + " (envd)");

    if (d->options.debugSandbox) {
        auto s = std::make_shared<SandboxState>();
        s->info.sandboxId = "debug_sandbox_id";
        s->info.templateId = d->options.templates.empty() ? "base" : d->options.templates.front().id;
        s->info.alias = d->options.templates.empty() ? "base" : d->options.templates.front().alias;
        s->info.secure = false;
        s->info.rootDir = d->rootDir + "/debug_sandbox_id";
        s->info.homeDir = s->info.rootDir + "/home/user";
        s->info.timeoutSeconds = 0;
        s->startedAt = std::chrono::system_clock::now();
        s->endAt = std::chrono::system_clock::time_point::max();
        fs::create_directories(s->info.homeDir);
        d->sandboxes[s->info.sandboxId] = s;
        d->sandboxOrder.push_back(s->info.sandboxId);
    }

    d->started = true;
    d->apiThread = std::thread([this] { d->api.listen_after_bind(); });
    d->envdThread = std::thread([this] { d->envd.listen_after_bind(); });
    d->housekeeper = std::thread([this] {
        std::unique_lock lock(d->mutex);
        while (!d->stopping) {
            d->changed.wait_for(lock, 100ms);
            lock.unlock();
            d->expireDue();
            lock.lock();
        }
    });
    return true;
}

void FakeE2BServer::stop()
{
    if (d->stopping.exchange(true))
        return;
    {
        std::lock_guard lock(d->mutex);
        d->changed.notify_all();
    }
    d->killAll();
    std::vector<std::shared_ptr<Proc>> procs;
    {
        std::lock_guard lock(d->mutex);
        procs = d->procs;
    }
    // Wakes every stream and every reader waiting for a slow stream: they all check `stopping`.
    for (auto& p : procs) {
        std::lock_guard lock(p->mutex);
        p->cv.notify_all();
    }
    d->api.stop();
    d->envd.stop();
    // The listeners return once their worker threads are done, so no handler starts a process after this.
    for (std::thread* t : {&d->apiThread, &d->envdThread, &d->housekeeper})
        if (t->joinable())
            t->join();
    {
        std::lock_guard lock(d->mutex);
        procs = d->procs;
    }
    for (auto& p : procs) {
        {
            std::lock_guard lock(p->mutex);
            p->cv.notify_all();
        }
        if (p->reader.joinable())
            p->reader.join();
    }
    if (d->ownsRoot && !d->rootDir.empty()) {
        std::error_code ec;
        fs::remove_all(d->rootDir, ec);
    }
}

void FakeE2BServer::addFault(FakeE2BFault fault)
{
    std::lock_guard lock(d->mutex);
    d->faults.push_back(std::move(fault));
}

void FakeE2BServer::clearFaults()
{
    std::lock_guard lock(d->mutex);
    d->faults.clear();
}

std::vector<FakeE2BFault> FakeE2BServer::pendingFaults() const
{
    std::lock_guard lock(d->mutex);
    return d->faults;
}

std::vector<FakeE2BRequest> FakeE2BServer::requests() const
{
    std::lock_guard lock(d->mutex);
    return d->requests;
}

std::map<std::string, std::string> FakeE2BServer::lastRequestHeaders(const std::string& path) const
{
    std::lock_guard lock(d->mutex);
    for (auto it = d->requests.rbegin(); it != d->requests.rend(); ++it)
        if (it->path == path)
            return it->headers;
    return {};
}

std::vector<FakeE2BCreate> FakeE2BServer::creates() const
{
    std::lock_guard lock(d->mutex);
    return d->creates;
}

std::vector<FakeE2BDelete> FakeE2BServer::deletes() const
{
    std::lock_guard lock(d->mutex);
    return d->deletes;
}

std::vector<FakeE2BSandbox> FakeE2BServer::sandboxes() const
{
    std::lock_guard lock(d->mutex);
    std::vector<FakeE2BSandbox> out;
    for (const auto& id : d->sandboxOrder) {
        const auto& s = d->sandboxes.at(id);
        out.push_back(s->info);
        out.back().alive = s->alive->load();
    }
    return out;
}

std::vector<FakeE2BSandbox> FakeE2BServer::liveSandboxes() const
{
    auto all = sandboxes();
    all.erase(std::remove_if(all.begin(), all.end(), [](const auto& s) { return !s.alive; }), all.end());
    return all;
}

std::optional<FakeE2BSandbox> FakeE2BServer::sandbox(const std::string& sandboxId) const
{
    std::lock_guard lock(d->mutex);
    const auto it = d->sandboxes.find(sandboxId);
    if (it == d->sandboxes.end())
        return std::nullopt;
    FakeE2BSandbox info = it->second->info;
    info.alive = it->second->alive->load();
    return info;
}

std::vector<FakeE2BProcess> FakeE2BServer::processes() const
{
    std::vector<std::shared_ptr<Proc>> procs;
    {
        std::lock_guard lock(d->mutex);
        procs = d->procs;
    }
    std::vector<FakeE2BProcess> out;
    for (const auto& p : procs) {
        std::lock_guard lock(p->mutex);
        out.push_back(p->info);
    }
    return out;
}

std::vector<FakeE2BProcess> FakeE2BServer::liveProcesses() const
{
    auto all = processes();
    all.erase(std::remove_if(all.begin(), all.end(), [](const auto& p) { return !p.running; }), all.end());
    return all;
}

bool FakeE2BServer::waitForNoLiveProcesses(int timeoutMs) const
{
    const auto until = Clock::now() + std::chrono::milliseconds(timeoutMs);
    for (;;) {
        if (liveProcesses().empty())
            return true;
        if (Clock::now() >= until)
            return false;
        std::this_thread::sleep_for(10ms);
    }
}

void FakeE2BServer::clearRecords()
{
    std::lock_guard lock(d->mutex);
    d->requests.clear();
    d->creates.clear();
    d->deletes.clear();
}

bool FakeE2BServer::expireSandbox(const std::string& sandboxId)
{
    return d->killSandbox(sandboxId);
}

// ---------------------------------------------------------------------------------------------
// Plumbing shared by both planes

bool FakeE2BServer::Private::sleepUnlessStopping(int ms)
{
    std::unique_lock lock(mutex);
    changed.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping.load(); });
    return !stopping;
}

std::optional<FakeE2BFault> FakeE2BServer::Private::takeFault(const std::string& plane, const std::string& method,
                                                               const std::string& path)
{
    std::lock_guard lock(mutex);
    for (auto it = faults.begin(); it != faults.end(); ++it) {
        if (!it->plane.empty() && it->plane != plane)
            continue;
        if (!it->method.empty() && it->method != method)
            continue;
        if (!it->path.empty()) {
            const bool prefix = it->path.back() == '*';
            const std::string p = prefix ? it->path.substr(0, it->path.size() - 1) : it->path;
            if (prefix ? !startsWith(path, p) : path != p)
                continue;
        }
        if (it->skip > 0) {
            --it->skip;
            continue;
        }
        FakeE2BFault fault = *it;
        if (it->times > 0 && --it->times == 0)
            faults.erase(it);
        return fault;
    }
    return std::nullopt;
}

void FakeE2BServer::Private::record(const std::string& plane, const httplib::Request& req, int status)
{
    FakeE2BRequest r;
    r.plane = plane;
    r.method = req.method;
    r.path = req.path;
    const auto q = req.target.find('?');
    if (q != std::string::npos)
        r.query = req.target.substr(q + 1);
    r.status = status;
    std::string token;
    if (plane == "envd") {
        std::lock_guard lock(mutex);
        const auto it = sandboxes.find(envdSandboxId(req));
        if (it != sandboxes.end())
            token = it->second->info.envdAccessToken;
    }
    for (const auto& [name, value] : req.headers) {
        const std::string key = lower(name);
        if (key == "x-api-key")
            r.headers[key] = value == options.apiKey ? "<valid>" : "<invalid>";
        else if (key == "x-access-token")
            r.headers[key] = !token.empty() && value == token ? "<valid>" : "<invalid>";
        else
            r.headers[key] = value;
    }
    const std::string type = lower(req.get_header_value("Content-Type"));
    if (startsWith(type, "application/json"))
        r.body = req.body;
    else if (startsWith(type, kConnectJson) && req.body.size() >= 5)
        r.body = req.body.substr(5);
    std::lock_guard lock(mutex);
    requests.push_back(std::move(r));
}

void FakeE2BServer::Private::serve(
    const std::string& plane, const httplib::Request& req, httplib::Response& res,
    const std::function<void(const httplib::Request&, httplib::Response&, const FakeE2BFault&)>& handler)
{
    const FakeE2BFault fault = takeFault(plane, req.method, req.path).value_or(FakeE2BFault{});
    if (fault.delayMs > 0 && !sleepUnlessStopping(fault.delayMs)) {
        res.status = 503;
        record(plane, req, res.status);
        return;
    }
    if (fault.status > 0) {
        if (plane == "envd" && fault.status == 502) {
            res.status = 502;
            res.set_content(ojson{{"sandboxId", envdSandboxId(req)}, {"message", "The sandbox was not found"}, {"code", 502}}.dump(),
                            kJsonUtf8);
        } else if (plane == "envd" && fault.status == 401) {
            res.status = 401;
            res.set_content(kEnvdUnauthorized, kJsonUtf8);
        } else {
            static const std::map<int, std::string> messages = {
                {429, "Rate limit exceeded, please try again later."}, {500, "Internal server error"},
                {502, "Bad gateway"}, {503, "Service unavailable"}, {504, "Gateway timeout"}};
            const auto it = messages.find(fault.status);
            restError(res, fault.status, it != messages.end() ? it->second : "Fault injected by the fake");
        }
        if (fault.retryAfterSeconds >= 0)
            res.set_header("Retry-After", std::to_string(fault.retryAfterSeconds));
        record(plane, req, res.status);
        return;
    }
    const bool streaming = startsWith(lower(req.get_header_value("Content-Type")), kConnectJson);
    if (fault.malformedJson && !streaming) {
        res.status = req.method == "POST" && plane == "api" && (req.path == "/v2/sandboxes" || req.path == "/sandboxes")
                         ? 201 : 200;
        res.set_content("{\"sandboxID\":\"i", kJsonUtf8);
        record(plane, req, res.status);
        return;
    }
    try {
        handler(req, res, fault);
    } catch (const std::exception& e) {
        res.status = 500;
        res.set_content(ojson{{"code", 500}, {"message", std::string("fake E2B server: ") + e.what()}}.dump(), kJsonUtf8);
    }
    record(plane, req, res.status);
}

// ---------------------------------------------------------------------------------------------
// Control plane

void FakeE2BServer::Private::setUpApi()
{
    auto h = [this](const httplib::Request& req, httplib::Response& res) {
        serve("api", req, res, [this](const httplib::Request& rq, httplib::Response& rs, const FakeE2BFault&) {
            handleApi(rq, rs);
        });
    };
    api.Get(".*", h);
    api.Post(".*", h);
    api.Put(".*", h);
    api.Patch(".*", h);
    api.Delete(".*", h);
}

std::shared_ptr<SandboxState> FakeE2BServer::Private::liveSandbox(const std::string& id) const
{
    std::lock_guard lock(mutex);
    const auto it = sandboxes.find(id);
    if (it == sandboxes.end() || !it->second->alive->load())
        return nullptr;
    return it->second;
}

ojson FakeE2BServer::Private::sandboxJson(const SandboxState& s) const
{
    ojson j;
    j["alias"] = s.info.alias;
    j["clientID"] = kClientId;
    j["domain"] = nullptr;
    if (s.info.secure)
        j["envdAccessToken"] = s.info.envdAccessToken;
    j["envdVersion"] = options.envdVersion;
    j["sandboxID"] = s.info.sandboxId;
    j["templateID"] = s.info.templateId;
    j["trafficAccessToken"] = s.trafficAccessToken.empty() ? ojson(nullptr) : ojson(s.trafficAccessToken);
    return j;
}

ojson FakeE2BServer::Private::sandboxDetailJson(const SandboxState& s) const
{
    ojson j;
    j["alias"] = s.info.alias;
    if (s.info.allowInternetAccess)
        j["allowInternetAccess"] = *s.info.allowInternetAccess;
    j["clientID"] = kClientId;
    j["cpuCount"] = 2;
    j["diskSizeMB"] = 2048;
    j["domain"] = nullptr;
    j["endAt"] = rfc3339(s.endAt);
    if (s.info.secure)
        j["envdAccessToken"] = s.info.envdAccessToken;
    j["envdVersion"] = options.envdVersion;
    j["lifecycle"] = {{"autoResume", false}, {"onTimeout", "kill"}};
    j["memoryMB"] = 512;
    j["metadata"] = s.info.metadata;
    j["sandboxID"] = s.info.sandboxId;
    j["startedAt"] = rfc3339(s.startedAt);
    j["state"] = "running";
    j["templateID"] = s.info.templateId;
    return j;
}

// A sample made from the sandbox's processes (leaders only): resident memory and CPU since the last sample.
ojson FakeE2BServer::Private::metricJson(SandboxState& s)
{
    long long ticks = 0;
    long long rss = 0;
    const long page = ::sysconf(_SC_PAGESIZE);
    for (const auto& p : s.procs) {
        int pid;
        {
            std::lock_guard lock(p->mutex);
            if (p->reaped)
                continue;
            pid = p->info.pid;
        }
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        if (std::getline(stat, line)) {
            const auto close = line.rfind(')');
            std::istringstream rest(close == std::string::npos ? "" : line.substr(close + 2));
            std::vector<std::string> fields{std::istream_iterator<std::string>(rest), {}};
            if (fields.size() > 12)
                ticks += std::stoll(fields[11]) + std::stoll(fields[12]); // utime, stime
        }
        std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
        long long size = 0, resident = 0;
        if (statm >> size >> resident)
            rss += resident * page;
    }
    const auto now = Clock::now();
    double pct = 0;
    if (s.lastCpu.at != Clock::time_point{}) {
        const double wall = std::chrono::duration<double>(now - s.lastCpu.at).count();
        if (wall > 0)
            pct = std::max(0.0, double(ticks - s.lastCpu.ticks) / double(::sysconf(_SC_CLK_TCK)) / wall / 2 * 100);
    }
    s.lastCpu = {ticks, now};
    long long disk = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(s.info.rootDir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
        if (it->is_regular_file(ec))
            disk += (long long)it->file_size(ec);
    const auto wallNow = std::chrono::system_clock::now();
    ojson j;
    j["timestamp"] = rfc3339(wallNow);
    j["timestampUnix"] = std::chrono::duration_cast<std::chrono::seconds>(wallNow.time_since_epoch()).count();
    j["cpuCount"] = 2;
    j["cpuUsedPct"] = pct;
    j["memUsed"] = rss;
    j["memTotal"] = 512LL * 1024 * 1024;
    j["memCache"] = 0;
    j["diskUsed"] = disk;
    j["diskTotal"] = 2048LL * 1024 * 1024;
    return j;
}

bool FakeE2BServer::Private::killSandbox(const std::string& id)
{
    std::shared_ptr<SandboxState> s;
    std::vector<std::shared_ptr<Proc>> procsOfSandbox;
    {
        std::lock_guard lock(mutex);
        const auto it = sandboxes.find(id);
        if (it == sandboxes.end() || !it->second->alive->exchange(false))
            return false;
        s = it->second;
        s->info.alive = false;
        procsOfSandbox = s->procs;
        changed.notify_all();
    }
    for (auto& p : procsOfSandbox) {
        p->killGroup(SIGKILL, false);
        std::lock_guard lock(p->mutex);
        p->cv.notify_all(); // open streams notice the sandbox is gone
    }
    return true;
}

void FakeE2BServer::Private::expireDue()
{
    std::vector<std::string> due;
    {
        std::lock_guard lock(mutex);
        const auto now = std::chrono::system_clock::now();
        for (const auto& [id, s] : sandboxes)
            if (s->alive->load() && s->endAt <= now)
                due.push_back(id);
    }
    for (const auto& id : due)
        killSandbox(id);
}

void FakeE2BServer::Private::killAll()
{
    std::vector<std::string> ids;
    {
        std::lock_guard lock(mutex);
        for (const auto& [id, s] : sandboxes)
            ids.push_back(id);
    }
    for (const auto& id : ids)
        killSandbox(id);
}

void FakeE2BServer::Private::handleApi(const httplib::Request& req, httplib::Response& res)
{
    const std::string& path = req.path;
    if (req.method == "GET" && path == "/health") {
        res.status = 200;
        res.set_content("Health check successful", "text/plain; charset=utf-8");
        return;
    }
    if (req.get_header_value("X-API-KEY") != options.apiKey) {
        restError(res, 401, req.has_header("X-API-KEY") ? "Invalid API key" : "Missing API key");
        return;
    }

    static const std::regex sandboxPath(R"(^/sandboxes/([^/]+)$)");
    static const std::regex timeoutPath(R"(^/sandboxes/([^/]+)/timeout$)");
    static const std::regex metricsPath(R"(^/sandboxes/([^/]+)/metrics$)");
    static const std::regex connectPath(R"(^(/v2)?/sandboxes/([^/]+)/connect$)");
    std::smatch m;
    auto notFound = [&](const std::string& id) { restError(res, 404, "sandbox \"" + id + "\" doesn't exist or you don't have access to it"); };

    if (req.method == "POST" && path == "/v2/sandboxes") {
        if (!options.acceptV2)
            return noRoute(res);
        return createSandbox(req, res, true);
    }
    if (req.method == "POST" && path == "/sandboxes")
        return createSandbox(req, res, false);

    if (req.method == "GET" && (path == "/sandboxes" || (path == "/v2/sandboxes" && options.acceptV2))) {
        ojson list = ojson::array();
        std::lock_guard lock(mutex);
        for (const auto& id : sandboxOrder) {
            const auto& s = *sandboxes.at(id);
            if (!s.alive->load() || id == "debug_sandbox_id")
                continue;
            ojson item = sandboxDetailJson(s);
            item.erase("domain");
            item.erase("envdAccessToken");
            item.erase("lifecycle");
            list.push_back(item);
        }
        res.status = 200;
        res.set_header("X-Total-Running", std::to_string(list.size()));
        res.set_content(list.dump(), kJsonUtf8);
        return;
    }
    if (req.method == "GET" && path == "/sandboxes/metrics") {
        ojson out = {{"sandboxes", ojson::object()}};
        std::string ids = req.get_param_value("sandbox_ids");
        std::stringstream in(ids);
        std::string id;
        while (std::getline(in, id, ',')) {
            if (auto s = liveSandbox(id)) {
                std::lock_guard lock(mutex);
                out["sandboxes"][id] = metricJson(*s);
            }
        }
        res.status = 200;
        res.set_content(out.dump(), kJsonUtf8);
        return;
    }
    if (std::regex_match(path, m, sandboxPath)) {
        const std::string id = m[1];
        if (req.method == "DELETE") {
            const bool killed = killSandbox(id);
            {
                std::lock_guard lock(mutex);
                deletes.push_back({id, killed ? 204 : 404});
            }
            if (killed)
                res.status = 204;
            else
                notFound(id);
            return;
        }
        if (req.method == "GET") {
            auto s = liveSandbox(id);
            if (!s)
                return notFound(id);
            std::lock_guard lock(mutex);
            res.status = 200;
            res.set_content(sandboxDetailJson(*s).dump(), kJsonUtf8);
            return;
        }
    }
    if (req.method == "POST" && std::regex_match(path, m, timeoutPath)) {
        auto s = liveSandbox(m[1]);
        if (!s)
            return notFound(m[1]);
        const json body = json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.contains("timeout") || !body["timeout"].is_number_integer())
            return restError(res, 400, "Error when parsing request body");
        const int seconds = body["timeout"].get<int>();
        if (seconds <= 0)
            return restError(res, 400, "Timeout must be greater than 0");
        std::lock_guard lock(mutex);
        s->info.timeoutSeconds = seconds;
        s->endAt = std::chrono::system_clock::now() + std::chrono::seconds(seconds);
        res.status = 204;
        return;
    }
    if (req.method == "GET" && std::regex_match(path, m, metricsPath)) {
        auto s = liveSandbox(m[1]);
        if (!s)
            return notFound(m[1]);
        std::lock_guard lock(mutex);
        res.status = 200;
        res.set_content(ojson::array({metricJson(*s)}).dump(), kJsonUtf8);
        return;
    }
    if (req.method == "POST" && std::regex_match(path, m, connectPath)) {
        if (m[1].matched && !options.acceptV2)
            return noRoute(res);
        auto s = liveSandbox(m[2]);
        if (!s)
            return notFound(m[2]);
        const json body = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
        if (body.is_discarded())
            return restError(res, 400, "Error when parsing request body");
        std::lock_guard lock(mutex);
        if (body.contains("timeout") && body["timeout"].is_number_integer()) {
            const auto until = std::chrono::system_clock::now() + std::chrono::seconds(body["timeout"].get<int>());
            s->endAt = std::max(s->endAt, until);
        }
        res.status = 200;
        res.set_content(sandboxJson(*s).dump(), kJsonUtf8);
        return;
    }
    noRoute(res);
}

void FakeE2BServer::Private::createSandbox(const httplib::Request& req, httplib::Response& res, bool v2)
{
    FakeE2BCreate rec;
    rec.path = req.path;
    const json body = json::parse(req.body, nullptr, false);
    rec.body = body.is_discarded() ? json(nullptr) : body;
    auto finish = [&](int status, const std::string& message) {
        rec.status = status;
        if (status >= 400)
            restError(res, status, message);
        std::lock_guard lock(mutex);
        creates.push_back(rec);
    };
    if (body.is_discarded() || !body.is_object())
        return finish(400, "Error when parsing request body: request body has an error: value must be an object");
    if (!body.contains("templateID") || !body["templateID"].is_string())
        return finish(400, "Error when parsing request body: property \"templateID\" is missing");
    const std::string wanted = body["templateID"];
    const auto tmpl = std::find_if(options.templates.begin(), options.templates.end(),
                                   [&](const auto& t) { return t.id == wanted || t.alias == wanted; });
    if (tmpl == options.templates.end())
        return finish(404, "template '" + wanted + "' not found");
    int timeout = v2 ? 300 : 15;
    if (body.contains("timeout")) {
        if (!body["timeout"].is_number_integer())
            return finish(400, "Error when parsing request body: property \"timeout\" must be an integer");
        timeout = body["timeout"].get<int>();
        if (timeout <= 0)
            return finish(400, "Timeout must be greater than 0");
        if (timeout > 24 * 3600)
            return finish(400, "Timeout cannot be greater than 24 hours");
    }
    for (const char* field : {"envVars", "metadata"}) {
        if (!body.contains(field))
            continue;
        const json& map = body[field];
        if (!map.is_object() || !std::all_of(map.begin(), map.end(), [](const json& v) { return v.is_string(); }))
            return finish(400, std::string("Error when parsing request body: property \"") + field +
                                   "\" must be a map of strings");
    }
    if (body.contains("allow_internet_access") && !body["allow_internet_access"].is_boolean())
        return finish(400, "Error when parsing request body: property \"allow_internet_access\" must be a boolean");

    auto s = std::make_shared<SandboxState>();
    s->info.sandboxId = "i" + randomString(19, "abcdefghijklmnopqrstuvwxyz0123456789");
    s->info.templateId = tmpl->id;
    s->info.alias = tmpl->alias;
    s->info.secure = v2 || body.value("secure", false);
    if (s->info.secure)
        s->info.envdAccessToken = randomString(32, "abcdefghijklmnopqrstuvwxyz0123456789");
    s->info.timeoutSeconds = timeout;
    if (body.contains("allow_internet_access"))
        s->info.allowInternetAccess = body["allow_internet_access"].get<bool>();
    s->info.envVars = body.value("envVars", json::object());
    s->info.metadata = body.value("metadata", json::object());
    if (body.contains("network") && body["network"].is_object() &&
        body["network"].value("allowPublicTraffic", true) == false)
        s->trafficAccessToken = randomString(32, "abcdefghijklmnopqrstuvwxyz0123456789");
    s->info.rootDir = rootDir + "/" + s->info.sandboxId;
    s->info.homeDir = s->info.rootDir + "/home/user";
    std::error_code ec;
    fs::create_directories(s->info.homeDir, ec);
    if (ec)
        return finish(500, "could not make the sandbox folder: " + ec.message());
    s->startedAt = std::chrono::system_clock::now();
    s->endAt = s->startedAt + std::chrono::seconds(timeout);
    rec.sandboxId = s->info.sandboxId;
    {
        std::lock_guard lock(mutex);
        sandboxes[s->info.sandboxId] = s;
        sandboxOrder.push_back(s->info.sandboxId);
        res.status = 201;
        res.set_content(sandboxJson(*s).dump(), kJsonUtf8);
    }
    finish(201, {});
}

// ---------------------------------------------------------------------------------------------
// envd

void FakeE2BServer::Private::setUpEnvd()
{
    auto h = [this](const httplib::Request& req, httplib::Response& res) {
        serve("envd", req, res, [this](const httplib::Request& rq, httplib::Response& rs, const FakeE2BFault& fault) {
            handleEnvd(rq, rs, fault);
        });
    };
    envd.Get(".*", h);
    envd.Post(".*", h);
    envd.Put(".*", h);
    envd.Delete(".*", h);
}

// The shared gateway routes on E2b-Sandbox-Id; a per-sandbox host is 49983-<id>.<domain>.
std::string FakeE2BServer::Private::envdSandboxId(const httplib::Request& req) const
{
    std::string id = req.get_header_value("E2b-Sandbox-Id");
    if (!id.empty())
        return id;
    const std::string host = req.get_header_value("Host");
    const std::string prefix = std::to_string(kEnvdPort) + "-";
    if (startsWith(host, prefix)) {
        const auto dot = host.find('.', prefix.size());
        if (dot != std::string::npos)
            return host.substr(prefix.size(), dot - prefix.size());
    }
    return {};
}

std::optional<std::string> FakeE2BServer::Private::userHome(const std::string& user) const
{
    if (user.empty() || user == "user")
        return std::string("/home/user");
    if (user == "root")
        return std::string("/root");
    return std::nullopt;
}

void FakeE2BServer::Private::handleEnvd(const httplib::Request& req, httplib::Response& res, const FakeE2BFault& fault)
{
    const std::string id = envdSandboxId(req);
    const auto s = liveSandbox(id);
    if (!s) {
        // The edge proxy's answer: the sandbox is gone (killed, timed out) or never was.
        res.status = 502;
        res.set_content(ojson{{"sandboxId", id}, {"message", "The sandbox was not found"}, {"code", 502}}.dump(),
                        kJsonUtf8);
        return;
    }
    const std::string& path = req.path;
    const bool exempt = (req.method == "GET" && path == "/health") || path == "/files" ||
                        (req.method == "POST" && path == "/init");
    if (!exempt && s->info.secure && req.get_header_value("X-Access-Token") != s->info.envdAccessToken) {
        res.status = 401;
        res.set_content(kEnvdUnauthorized, kJsonUtf8);
        return;
    }

    if (path == "/health" && req.method == "GET") {
        res.status = 204;
        res.set_header("Cache-Control", "no-store");
        return;
    }
    if (path == "/files" && req.method == "POST")
        return handleFilesUpload(req, res, *s);
    if (path == "/files" && req.method == "GET")
        return handleFilesDownload(req, res, *s);
    if (path == "/metrics" && req.method == "GET") {
        ojson api;
        {
            std::lock_guard lock(mutex);
            api = metricJson(*s);
        }
        ojson j;
        j["ts"] = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        j["cpu_count"] = api["cpuCount"];
        j["cpu_used_pct"] = api["cpuUsedPct"];
        j["mem_total_mib"] = api["memTotal"].get<long long>() / (1024 * 1024);
        j["mem_used_mib"] = api["memUsed"].get<long long>() / (1024 * 1024);
        j["mem_total"] = api["memTotal"];
        j["mem_used"] = api["memUsed"];
        j["mem_cache"] = api["memCache"];
        j["disk_used"] = api["diskUsed"];
        j["disk_total"] = api["diskTotal"];
        res.status = 200;
        res.set_content(j.dump(), "application/json");
        return;
    }
    if (path == "/envs" && req.method == "GET") {
        res.status = 200;
        res.set_content(s->info.envVars.dump(), "application/json");
        return;
    }

    // Connect RPC: POST /<package>.<Service>/<Method>
    static const std::set<std::string> streamingMethods = {"/process.Process/Start", "/process.Process/Connect",
                                                          "/filesystem.Filesystem/WatchDir"};
    static const std::set<std::string> unaryMethods = {
        "/process.Process/List",        "/process.Process/SendInput",     "/process.Process/SendSignal",
        "/process.Process/CloseStdin",  "/process.Process/Update",        "/filesystem.Filesystem/Stat",
        "/filesystem.Filesystem/MakeDir", "/filesystem.Filesystem/ListDir", "/filesystem.Filesystem/Move",
        "/filesystem.Filesystem/Remove",
    };
    const bool streaming = streamingMethods.count(path) > 0;
    if (!streaming && !unaryMethods.count(path)) {
        res.status = 404;
        res.set_content("404 page not found\n", "text/plain; charset=utf-8");
        return;
    }
    if (req.method != "POST") {
        res.status = 405;
        res.set_header("Allow", "POST");
        return;
    }
    const std::string type = lower(req.get_header_value("Content-Type"));
    const bool typeOk = streaming ? startsWith(type, kConnectJson)
                                  : (type == "application/json" || startsWith(type, "application/json;"));
    if (!typeOk) {
        res.status = 415;
        res.set_header("Accept-Post", streaming ? "application/connect+json" : "application/json");
        return;
    }

    // Basic auth names the user (empty password); without it, the sandbox default user.
    std::string user = "user";
    const std::string authorization = req.get_header_value("Authorization");
    if (startsWith(authorization, "Basic ")) {
        const auto decoded = fromBase64(authorization.substr(6));
        if (decoded)
            user = decoded->substr(0, decoded->find(':'));
    }
    const auto home = userHome(user);

    if (!streaming) {
        if (!home)
            return connectUnaryError(res, "unauthenticated", "invalid username: '" + user + "'");
        const json message = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
        if (message.is_discarded() || !message.is_object())
            return connectUnaryError(res, "invalid_argument", "unmarshal into request message: invalid JSON");
        const std::string method = path.substr(path.rfind('/') + 1);
        if (startsWith(path, "/process."))
            return handleProcessUnary(method, res, *s, message);
        return handleFilesystemUnary(method, res, *s, *home, message);
    }

    // Streaming: errors are HTTP 200 with an end-stream error.
    auto streamError = [&](const std::string& code, const std::string& message) {
        res.status = 200;
        res.set_content(connectErrorTrailer(code, message), kConnectJson);
    };
    if (!home)
        return streamError("unauthenticated", "invalid username: '" + user + "'");
    std::optional<Clock::time_point> deadline;
    if (req.has_header("Connect-Timeout-Ms")) {
        const std::string ms = req.get_header_value("Connect-Timeout-Ms");
        if (ms.empty() || ms.size() > 10 || !std::all_of(ms.begin(), ms.end(), ::isdigit))
            return streamError("invalid_argument", "protocol error: invalid timeout \"" + ms + "\"");
        if (std::stoll(ms) > 0)
            deadline = Clock::now() + std::chrono::milliseconds(std::stoll(ms));
    }
    if (fault.ignoreTimeout)
        deadline.reset();
    const std::string& body = req.body;
    if (body.size() < 5)
        return streamError("invalid_argument", "protocol error: incomplete envelope");
    if (uint8_t(body[0]) & 0x01)
        return streamError("internal", "protocol error: sent compressed message without compression support");
    const uint32_t len = (uint32_t(uint8_t(body[1])) << 24) | (uint32_t(uint8_t(body[2])) << 16) |
                         (uint32_t(uint8_t(body[3])) << 8) | uint32_t(uint8_t(body[4]));
    if (body.size() != 5 + size_t(len))
        return streamError("invalid_argument", "protocol error: envelope length does not match the body");
    const json message = json::parse(body.substr(5), nullptr, false);
    if (message.is_discarded() || !message.is_object())
        return streamError("invalid_argument", "unmarshal into request message: invalid JSON");

    if (path == "/process.Process/Start")
        return handleProcessStart(req, res, s, message, fault, deadline);
    if (path == "/process.Process/Connect")
        return handleProcessConnect(req, res, s, message, fault, deadline);
    streamError("unimplemented", "filesystem.Filesystem.WatchDir is not implemented by the fake");
}

bool FakeE2BServer::Private::filesAuthorized(const httplib::Request& req, const SandboxState& s,
                                             const std::string& operation)
{
    if (!s.info.secure)
        return true;
    if (req.has_header("X-Access-Token"))
        return req.get_header_value("X-Access-Token") == s.info.envdAccessToken;
    // Signed URL: v1_ + base64 (no padding) of sha256("<path>:<op>:<user>:<token>[:<exp>]").
    const std::string signature = req.get_param_value("signature");
    if (signature.empty())
        return false;
    std::string material = req.get_param_value("path") + ":" + operation + ":" + req.get_param_value("username") +
                           ":" + s.info.envdAccessToken;
    if (req.has_param("signature_expiration")) {
        const std::string exp = req.get_param_value("signature_expiration");
        material += ":" + exp;
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
        if (std::atoll(exp.c_str()) < now)
            return false;
    }
    const QByteArray hash = QCryptographicHash::hash(QByteArray::fromStdString(material), QCryptographicHash::Sha256);
    const std::string expected =
        "v1_" + hash.toBase64(QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals).toStdString();
    return signature == expected;
}

void FakeE2BServer::Private::handleFilesUpload(const httplib::Request& req, httplib::Response& res, SandboxState& s)
{
    if (!filesAuthorized(req, s, "write"))
        return restError(res, 401, "unauthorized access, please provide a valid access token or method signing if supported");
    const std::string username = req.get_param_value("username");
    const auto home = userHome(username);
    if (!home)
        return restError(res, 401, "error looking up user '" + username + "': user: unknown user " + username);

    struct Item
    {
        std::string vmPath;
        const std::string* content;
    };
    std::vector<Item> items;
    const std::string type = lower(req.get_header_value("Content-Type"));
    const std::string pathParam = req.get_param_value("path");
    if (startsWith(type, "multipart/form-data")) {
        for (const auto& [field, part] : req.files) {
            if (field != "file")
                continue;
            const std::string target = !pathParam.empty() ? pathParam : part.filename;
            if (target.empty())
                return restError(res, 400, "no path given for the uploaded file");
            items.push_back({cleanVmPath(target, *home), &part.content});
        }
    } else if (startsWith(type, "application/octet-stream")) {
        if (pathParam.empty())
            return restError(res, 400, "path is required for an application/octet-stream upload");
        items.push_back({cleanVmPath(pathParam, *home), &req.body});
    } else {
        return restError(res, 400, "unsupported content type: " + req.get_header_value("Content-Type"));
    }

    // X-Metadata-<key>: printable ASCII, keys lower-cased.
    ojson metadata = ojson::object();
    for (const auto& [name, value] : req.headers) {
        const std::string key = lower(name);
        if (!startsWith(key, "x-metadata-"))
            continue;
        const bool printable = std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
        if (key.size() == std::strlen("x-metadata-") || !printable)
            return restError(res, 400, "invalid metadata header '" + name + "'");
        metadata[key.substr(std::strlen("x-metadata-"))] = value;
    }

    ojson out = ojson::array();
    for (const auto& item : items) {
        const fs::path host = fs::path(s.info.rootDir) / item.vmPath.substr(1);
        std::error_code ec;
        if (fs::is_directory(host, ec))
            return restError(res, 400, "path '" + item.vmPath + "' is a directory");
        fs::create_directories(host.parent_path(), ec);
        std::ofstream file(host, std::ios::binary | std::ios::trunc);
        if (!file || !file.write(item.content->data(), std::streamsize(item.content->size())))
            return restError(res, 500, "error writing file '" + item.vmPath + "'");
        ojson entry;
        entry["path"] = item.vmPath;
        entry["name"] = baseName(item.vmPath);
        entry["type"] = "file";
        std::lock_guard lock(mutex);
        if (!metadata.empty()) {
            entry["metadata"] = metadata;
            s.fileMetadata[item.vmPath] = metadata;
        } else {
            s.fileMetadata.erase(item.vmPath);
        }
        out.push_back(entry);
    }
    res.status = 200;
    res.set_content(out.dump(), "application/json");
}

void FakeE2BServer::Private::handleFilesDownload(const httplib::Request& req, httplib::Response& res, SandboxState& s)
{
    if (!filesAuthorized(req, s, "read"))
        return restError(res, 401, "unauthorized access, please provide a valid access token or method signing if supported");
    const std::string username = req.get_param_value("username");
    const auto home = userHome(username);
    if (!home)
        return restError(res, 401, "error looking up user '" + username + "': user: unknown user " + username);
    const std::string vmPath = cleanVmPath(req.get_param_value("path"), *home);
    const fs::path host = fs::path(s.info.rootDir) / vmPath.substr(1);
    std::error_code ec;
    if (!fs::exists(host, ec))
        return restError(res, 404, "path '" + vmPath + "' does not exist");
    if (fs::is_directory(host, ec))
        return restError(res, 400, "path '" + vmPath + "' is a directory");
    std::ifstream file(host, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    res.status = 200;
    res.set_header("Content-Disposition", "inline; filename=" + baseName(vmPath));
    // httplib compresses text types itself when the client accepts gzip, as envd would.
    res.set_content(content, mimeType(vmPath));
}

std::shared_ptr<Proc> FakeE2BServer::Private::findProc(SandboxState& s, const json& selector)
{
    std::lock_guard lock(mutex);
    for (auto& p : s.procs) {
        std::lock_guard plock(p->mutex);
        if (p->finished)
            continue;
        if (selector.contains("pid")) {
            const json& pid = selector["pid"];
            const long long wanted = pid.is_string() ? std::atoll(pid.get<std::string>().c_str())
                                                     : (pid.is_number() ? pid.get<long long>() : -1);
            if (wanted == p->info.pid)
                return p;
        } else if (selector.contains("tag") && selector["tag"].is_string() && selector["tag"] == p->tag && !p->tag.empty()) {
            return p;
        }
    }
    return nullptr;
}

void FakeE2BServer::Private::handleProcessStart(const httplib::Request& req, httplib::Response& res,
                                                const std::shared_ptr<SandboxState>& s, const json& message,
                                                const FakeE2BFault& fault, std::optional<Clock::time_point> deadline)
{
    auto streamError = [&](const std::string& code, const std::string& text) {
        res.status = 200;
        res.set_content(connectErrorTrailer(code, text), kConnectJson);
    };
    const json process = message.value("process", json::object());
    if (!process.is_object() || !process.contains("cmd") || !process["cmd"].is_string() ||
        process["cmd"].get<std::string>().empty())
        return streamError("invalid_argument", "process.cmd is required");

    std::string user = "user";
    const std::string authorization = req.get_header_value("Authorization");
    if (startsWith(authorization, "Basic ")) {
        if (const auto decoded = fromBase64(authorization.substr(6)))
            user = decoded->substr(0, decoded->find(':'));
    }
    const std::string home = userHome(user).value_or("/home/user");
    const std::string hostHome = s->info.rootDir + home;
    std::error_code ec;
    fs::create_directories(hostHome, ec);

    std::set<std::string> topLevel;
    for (const auto& entry : fs::directory_iterator(s->info.rootDir, ec))
        topLevel.insert(entry.path().filename().string());
    auto map = [&](const std::string& text) { return mapVmPaths(text, s->info.rootDir, topLevel); };

    std::string vmCwd = home;
    if (process.contains("cwd") && process["cwd"].is_string() && !process["cwd"].get<std::string>().empty())
        vmCwd = cleanVmPath(process["cwd"].get<std::string>(), home);
    const std::string hostCwd = s->info.rootDir + (vmCwd == "/" ? "" : vmCwd);
    if (!fs::is_directory(hostCwd, ec))
        return streamError("invalid_argument", "cwd '" + vmCwd + "' does not exist");

    std::vector<std::string> argv = {process["cmd"].get<std::string>()};
    std::vector<std::string> vmArgs;
    if (process.contains("args") && process["args"].is_array())
        for (const auto& a : process["args"])
            if (a.is_string()) {
                vmArgs.push_back(a.get<std::string>());
                argv.push_back(map(a.get<std::string>()));
            }

    // envd's order: PATH, HOME, USER, LOGNAME, then the sandbox's envVars, then the request's envs.
    std::map<std::string, std::string> requestEnvs;
    if (process.contains("envs") && process["envs"].is_object())
        for (const auto& [k, v] : process["envs"].items())
            if (v.is_string())
                requestEnvs[k] = v.get<std::string>();
    std::vector<std::pair<std::string, std::string>> env = {
        {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
        {"HOME", hostHome},
        {"USER", user},
        {"LOGNAME", user},
    };
    for (const auto& [k, v] : s->info.envVars.items())
        if (v.is_string())
            env.emplace_back(k, map(v.get<std::string>()));
    for (const auto& [k, v] : requestEnvs)
        env.emplace_back(k, map(v));
    std::map<std::string, std::string> merged;
    std::vector<std::string> order;
    for (const auto& [k, v] : env) {
        if (!merged.count(k))
            order.push_back(k);
        merged[k] = v;
    }
    std::vector<std::string> envStrings;
    for (const auto& k : order)
        envStrings.push_back(k + "=" + merged[k]);

    const bool withStdin = message.value("stdin", false) == true;
    SpawnResult spawned = spawn(argv, envStrings, hostCwd, withStdin);
    if (spawned.pid < 0)
        return streamError("internal", "error starting process '" + argv[0] + "': " + spawned.error);

    auto proc = std::make_shared<Proc>();
    proc->info.sandboxId = s->info.sandboxId;
    proc->info.pid = spawned.pid;
    proc->info.cmd = argv[0];
    proc->info.args = vmArgs;
    proc->info.envs = requestEnvs;
    proc->info.cwd = vmCwd;
    proc->tag = message.value("tag", std::string());
    proc->config = ojson::parse(process.dump());
    proc->sandboxAlive = s->alive;
    proc->stdinFd = spawned.stdinFd;
    proc->outFd = spawned.outFd;
    proc->errFd = spawned.errFd;
    auto sub = std::make_shared<Subscriber>();
    proc->subscribers.push_back(sub);
    {
        std::lock_guard lock(mutex);
        s->procs.push_back(proc);
        procs.push_back(proc);
    }
    proc->reader = std::thread([proc, this] { readProcess(*proc, stopping); });
    if (!s->alive->load()) // killed while we were starting it
        proc->killGroup(SIGKILL, false);

    int keepaliveMs = options.keepaliveIntervalMs;
    if (keepaliveMs <= 0) {
        const std::string header = req.get_header_value("Keepalive-Ping-Interval");
        keepaliveMs = 1000 * (header.empty() ? 90 : std::max(1, std::atoi(header.c_str())));
    }
    streamEvents(res, proc, sub, fault, deadline, keepaliveMs, true);
}

void FakeE2BServer::Private::handleProcessConnect(const httplib::Request& req, httplib::Response& res,
                                                  const std::shared_ptr<SandboxState>& s, const json& message,
                                                  const FakeE2BFault& fault, std::optional<Clock::time_point> deadline)
{
    const json selector = message.value("process", json::object());
    auto proc = findProc(*s, selector);
    if (!proc) {
        res.status = 200;
        res.set_content(connectErrorTrailer("not_found", "process with pid " + selector.value("pid", json(0)).dump() +
                                                             " not found"),
                        kConnectJson);
        return;
    }
    auto sub = std::make_shared<Subscriber>();
    {
        std::lock_guard lock(proc->mutex);
        proc->subscribers.push_back(sub);
    }
    int keepaliveMs = options.keepaliveIntervalMs;
    if (keepaliveMs <= 0) {
        const std::string header = req.get_header_value("Keepalive-Ping-Interval");
        keepaliveMs = 1000 * (header.empty() ? 90 : std::max(1, std::atoi(header.c_str())));
    }
    streamEvents(res, proc, sub, fault, deadline, keepaliveMs, false);
}

// Writes the process's events as Connect envelopes: start, data…, keepalives when quiet, end,
// then the end-stream envelope; or a deadline error; or nothing more when the sandbox vanished.
void FakeE2BServer::Private::streamEvents(httplib::Response& res, std::shared_ptr<Proc> proc,
                                          std::shared_ptr<Subscriber> sub, const FakeE2BFault& fault,
                                          std::optional<Clock::time_point> deadline, int keepaliveMs,
                                          bool killOnDeadline)
{
    res.status = 200;
    auto provider = [this, proc, sub, fault, deadline, keepaliveMs, killOnDeadline](size_t, httplib::DataSink& sink) {
        struct Detach
        {
            Proc& p;
            std::shared_ptr<Subscriber> s;
            ~Detach() { p.detach(s); }
        } detach{*proc, sub};

        int sent = 0;
        auto write = [&](const std::string& bytes) {
            if (fault.tinyWrites) {
                for (char c : bytes) {
                    if (!sink.write(&c, 1))
                        return false;
                    if (fault.tinyWriteGapMs > 0)
                        std::this_thread::sleep_for(std::chrono::milliseconds(fault.tinyWriteGapMs));
                }
                return true;
            }
            return sink.write(bytes.data(), bytes.size());
        };
        auto send = [&](uint8_t flags, const std::string& payload) {
            if (fault.dropAfterMessages >= 0 && sent >= fault.dropAfterMessages)
                return false; // cut: the connection closes without the chunked terminator
            ++sent;
            return write(envelope(flags, payload));
        };

        const std::string start = ojson{{"event", {{"start", {{"pid", proc->info.pid}}}}}}.dump();
        if (!send(0x00, fault.malformedJson ? start.substr(0, start.size() / 2) : start))
            return false;

        auto nextKeepalive = Clock::now() + std::chrono::milliseconds(keepaliveMs);
        for (;;) {
            std::unique_lock lock(proc->mutex);
            const auto wakeAt = deadline ? std::min(nextKeepalive, *deadline) : nextKeepalive;
            proc->cv.wait_until(lock, wakeAt, [&] {
                return !sub->queue.empty() || stopping.load() || !proc->sandboxAlive->load();
            });
            if (stopping || !proc->sandboxAlive->load())
                return false; // the VM is gone: so is the connection
            if (!sub->queue.empty()) {
                Event event = std::move(sub->queue.front());
                sub->queue.pop_front();
                sub->bytes -= event.data.size();
                proc->cv.notify_all();
                lock.unlock();
                if (event.kind == Event::End) {
                    if (!fault.omitEndEvent && !send(0x00, endEvent(event.waitStatus).dump()))
                        return false;
                    if (!fault.omitEndStream && !send(0x02, "{}"))
                        return false;
                    sink.done();
                    return true;
                }
                const char* stream = event.kind == Event::Stdout ? "stdout" : "stderr";
                if (!send(0x00, ojson{{"event", {{"data", {{stream, toBase64(event.data)}}}}}}.dump()))
                    return false;
                nextKeepalive = Clock::now() + std::chrono::milliseconds(keepaliveMs);
                continue;
            }
            lock.unlock();
            const auto now = Clock::now();
            if (deadline && now >= *deadline) {
                if (killOnDeadline) {
                    {
                        std::lock_guard plock(proc->mutex);
                        proc->info.deadlineExceeded = true;
                    }
                    proc->killGroup(SIGKILL, false);
                }
                if (!fault.omitEndStream &&
                    !send(0x02, ojson{{"error", {{"code", "deadline_exceeded"}, {"message", "context deadline exceeded"}}}}
                                    .dump()))
                    return false;
                sink.done();
                return true;
            }
            if (now >= nextKeepalive) {
                if (!send(0x00, R"({"event":{"keepalive":{}}})"))
                    return false;
                nextKeepalive = now + std::chrono::milliseconds(keepaliveMs);
            }
        }
    };
    res.set_chunked_content_provider(kConnectJson, provider);
}

void FakeE2BServer::Private::handleProcessUnary(const std::string& method, httplib::Response& res, SandboxState& s,
                                                const json& message)
{
    auto ok = [&](const ojson& body) {
        res.status = 200;
        res.set_content(body.dump(), "application/json");
    };
    if (method == "List") {
        ojson list = ojson::array();
        std::lock_guard lock(mutex);
        for (auto& p : s.procs) {
            std::lock_guard plock(p->mutex);
            if (p->finished)
                continue;
            ojson item;
            item["config"] = p->config;
            item["pid"] = p->info.pid;
            if (!p->tag.empty())
                item["tag"] = p->tag;
            list.push_back(item);
        }
        return ok(ojson{{"processes", list}});
    }
    const json selector = message.value("process", json::object());
    auto proc = findProc(s, selector);
    if (!proc) {
        const std::string which = selector.contains("tag") ? "tag " + selector["tag"].dump()
                                                           : "pid " + selector.value("pid", json(0)).dump();
        return connectUnaryError(res, "not_found", "process with " + which + " not found");
    }
    if (method == "SendSignal") {
        const json signal = message.value("signal", json("SIGNAL_UNSPECIFIED"));
        int sig = 0;
        if (signal == "SIGNAL_SIGKILL" || signal == 9)
            sig = SIGKILL;
        else if (signal == "SIGNAL_SIGTERM" || signal == 15)
            sig = SIGTERM;
        else
            return connectUnaryError(res, "invalid_argument", "invalid signal: " + signal.dump());
        proc->killGroup(sig, true);
        return ok(ojson::object());
    }
    if (method == "SendInput" || method == "CloseStdin") {
        std::lock_guard lock(proc->mutex);
        if (proc->stdinFd < 0)
            return connectUnaryError(res, "failed_precondition", "stdin is not enabled or was closed");
        if (method == "CloseStdin") {
            ::close(proc->stdinFd);
            proc->stdinFd = -1;
            return ok(ojson::object());
        }
        const json input = message.value("input", json::object());
        const auto bytes = fromBase64(input.value("stdin", input.value("pty", std::string())));
        if (!bytes)
            return connectUnaryError(res, "invalid_argument", "input is not valid base64");
        size_t done = 0;
        while (done < bytes->size()) {
            const ssize_t n = ::write(proc->stdinFd, bytes->data() + done, bytes->size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return connectUnaryError(res, "internal", "error writing to stdin: " + std::string(std::strerror(errno)));
            done += size_t(n);
        }
        return ok(ojson::object());
    }
    if (method == "Update")
        return connectUnaryError(res, "failed_precondition", "the process has no pty");
    connectUnaryError(res, "unimplemented", "process.Process." + method + " is not implemented");
}

void FakeE2BServer::Private::handleFilesystemUnary(const std::string& method, httplib::Response& res, SandboxState& s,
                                                   const std::string& home, const json& message)
{
    auto ok = [&](const ojson& body) {
        res.status = 200;
        res.set_content(body.dump(), "application/json");
    };
    auto hostOf = [&](const std::string& vm) { return fs::path(s.info.rootDir) / vm.substr(1); };
    auto entryInfo = [&](const std::string& vm) {
        const fs::path host = hostOf(vm);
        std::error_code ec;
        const auto st = fs::symlink_status(host, ec);
        ojson e;
        e["name"] = baseName(vm);
        // envd's getEntryType: anything but a file, a folder or a link (FIFO, socket, device) is
        // FILE_TYPE_UNSPECIFIED, the zero value, which protojson omits.
        if (st.type() == fs::file_type::regular)
            e["type"] = "FILE_TYPE_FILE";
        else if (st.type() == fs::file_type::directory)
            e["type"] = "FILE_TYPE_DIRECTORY";
        else if (st.type() == fs::file_type::symlink)
            e["type"] = "FILE_TYPE_SYMLINK";
        e["path"] = vm;
        if (st.type() == fs::file_type::regular) {
            const auto size = fs::file_size(host, ec);
            if (!ec && size > 0)
                e["size"] = std::to_string(size);
        } else if (st.type() == fs::file_type::directory) {
            struct stat sb{};
            if (::lstat(host.c_str(), &sb) == 0 && sb.st_size > 0)
                e["size"] = std::to_string(sb.st_size);
        }
        const int mode = int(st.permissions() & fs::perms::mask);
        if (mode)
            e["mode"] = mode;
        e["permissions"] = goFileMode(st);
        e["owner"] = "user";
        e["group"] = "user";
        struct stat sb{};
        if (::lstat(host.c_str(), &sb) == 0) {
            const auto t = std::chrono::system_clock::time_point(
                std::chrono::seconds(sb.st_mtim.tv_sec) +
                std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(sb.st_mtim.tv_nsec)));
            e["modifiedTime"] = rfc3339(t);
        }
        if (st.type() == fs::file_type::symlink)
            e["symlinkTarget"] = fs::read_symlink(host, ec).string();
        std::lock_guard lock(mutex);
        if (const auto it = s.fileMetadata.find(vm); it != s.fileMetadata.end())
            e["metadata"] = it->second;
        return e;
    };
    auto pathOf = [&](const char* field) {
        return cleanVmPath(message.contains(field) && message[field].is_string() ? message[field].get<std::string>() : "",
                           home);
    };
    std::error_code ec;
    if (method == "Stat") {
        const std::string vm = pathOf("path");
        if (!fs::exists(fs::symlink_status(hostOf(vm), ec)))
            return connectUnaryError(res, "not_found", "file not found: " + vm);
        return ok(ojson{{"entry", entryInfo(vm)}});
    }
    if (method == "MakeDir") {
        const std::string vm = pathOf("path");
        if (fs::is_directory(hostOf(vm), ec))
            return connectUnaryError(res, "already_exists", "directory already exists: " + vm);
        if (fs::exists(hostOf(vm), ec))
            return connectUnaryError(res, "invalid_argument", "path already exists but it is not a directory: " + vm);
        fs::create_directories(hostOf(vm), ec);
        if (ec)
            return connectUnaryError(res, "internal", "error creating directory: " + ec.message());
        return ok(ojson{{"entry", entryInfo(vm)}});
    }
    if (method == "ListDir") {
        // As envd: the requested path's links are resolved first (inside the sandbox), and the
        // entries are reported under the resolved folder's path.
        std::string vm = pathOf("path");
        for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(hostOf(vm), ec)); ++hops) {
            std::string target = fs::read_symlink(hostOf(vm), ec).string();
            // Commands here see the sandbox folder's host path where the VM would see "/".
            if (startsWith(target, s.info.rootDir + "/"))
                target = target.substr(s.info.rootDir.size());
            vm = cleanVmPath(!target.empty() && target[0] == '/' ? target : vm.substr(0, vm.rfind('/')) + "/" + target, home);
        }
        if (!fs::exists(hostOf(vm), ec))
            return connectUnaryError(res, "not_found", "directory not found: " + vm);
        if (!fs::is_directory(hostOf(vm), ec))
            return connectUnaryError(res, "invalid_argument", "path is not a directory: " + vm);
        const int depth = std::max(1, message.value("depth", 1));
        ojson entries = ojson::array();
        std::function<void(const std::string&, int)> walk = [&](const std::string& dir, int level) {
            std::vector<std::string> names;
            for (const auto& entry : fs::directory_iterator(hostOf(dir), ec))
                names.push_back(entry.path().filename().string());
            std::sort(names.begin(), names.end());
            for (const auto& name : names) {
                const std::string child = (dir == "/" ? "" : dir) + "/" + name;
                entries.push_back(entryInfo(child));
                if (level < depth && fs::is_directory(fs::symlink_status(hostOf(child), ec)))
                    walk(child, level + 1);
            }
        };
        walk(vm, 1);
        return ok(ojson{{"entries", entries}});
    }
    if (method == "Move") {
        const std::string from = pathOf("source");
        const std::string to = pathOf("destination");
        if (!fs::exists(fs::symlink_status(hostOf(from), ec)))
            return connectUnaryError(res, "not_found", "file not found: " + from);
        fs::create_directories(hostOf(to).parent_path(), ec);
        fs::rename(hostOf(from), hostOf(to), ec);
        if (ec)
            return connectUnaryError(res, "internal", "error renaming: " + ec.message());
        {
            std::lock_guard lock(mutex);
            if (auto node = s.fileMetadata.extract(from))
                s.fileMetadata[to] = node.mapped();
        }
        return ok(ojson{{"entry", entryInfo(to)}});
    }
    if (method == "Remove") {
        const std::string vm = pathOf("path");
        if (!fs::exists(fs::symlink_status(hostOf(vm), ec)))
            return connectUnaryError(res, "not_found", "file not found: " + vm);
        fs::remove_all(hostOf(vm), ec);
        std::lock_guard lock(mutex);
        s.fileMetadata.erase(vm);
        return ok(ojson::object());
    }
    connectUnaryError(res, "unimplemented", "filesystem.Filesystem." + method + " is not implemented");
}

} // namespace cc::test
