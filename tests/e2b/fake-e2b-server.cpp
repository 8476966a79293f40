// The fake E2B server as a program, for the SDK check and for trying a client by hand:
//   fake-e2b-server [--api-port N] [--envd-port N] [--api-key KEY] [--template ALIAS]... [--no-v2]
//                   [--debug-sandbox] [--root DIR] [--keepalive-ms N] [--fault SPEC]...
// SPEC is a comma-separated FakeE2BFault: path=P, method=M, plane=api|envd, times=N (default 1,
// -1 = always), skip=N, status=N, retryAfter=S, delay=MS, drop=N, malformed, noEndEvent, noEndStream,
// tiny[=gap ms], ignoreTimeout.
// Example: --fault path=/v2/sandboxes,status=429,retryAfter=1
// Prints E2B_API_URL, E2B_SANDBOX_URL and E2B_API_KEY lines, then "ready", and serves on
// 127.0.0.1 until SIGINT or SIGTERM.

#include "FakeE2BServer.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::optional<cc::test::FakeE2BFault> parseFault(const std::string& spec)
{
    cc::test::FakeE2BFault fault;
    std::stringstream in(spec);
    std::string item;
    while (std::getline(in, item, ',')) {
        const auto eq = item.find('=');
        const std::string key = item.substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
        const int number = std::atoi(value.c_str());
        if (key == "path")
            fault.path = value;
        else if (key == "method")
            fault.method = value;
        else if (key == "plane")
            fault.plane = value;
        else if (key == "times")
            fault.times = number;
        else if (key == "skip")
            fault.skip = number;
        else if (key == "status")
            fault.status = number;
        else if (key == "retryAfter")
            fault.retryAfterSeconds = number;
        else if (key == "delay")
            fault.delayMs = number;
        else if (key == "drop")
            fault.dropAfterMessages = number;
        else if (key == "malformed")
            fault.malformedJson = true;
        else if (key == "noEndEvent")
            fault.omitEndEvent = true;
        else if (key == "noEndStream")
            fault.omitEndStream = true;
        else if (key == "ignoreTimeout")
            fault.ignoreTimeout = true;
        else if (key == "tiny") {
            fault.tinyWrites = true;
            if (!value.empty())
                fault.tinyWriteGapMs = number;
        }
        else
            return std::nullopt;
    }
    return fault;
}

} // namespace

int main(int argc, char** argv)
{
    cc::test::FakeE2BServerOptions options;
    std::vector<cc::test::FakeE2BFault> faults;
    bool templatesGiven = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "fake-e2b-server: " << arg << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--api-port")
            options.apiPort = std::atoi(value().c_str());
        else if (arg == "--envd-port")
            options.envdPort = std::atoi(value().c_str());
        else if (arg == "--api-key")
            options.apiKey = value();
        else if (arg == "--template") {
            if (!templatesGiven)
                options.templates.clear();
            templatesGiven = true;
            const std::string alias = value();
            options.templates.push_back({alias == "base" ? "rki5dems9wqfm4r03t7g" : alias + "-template-id", alias});
        } else if (arg == "--no-v2")
            options.acceptV2 = false;
        else if (arg == "--debug-sandbox")
            options.debugSandbox = true;
        else if (arg == "--root")
            options.rootDir = value();
        else if (arg == "--keepalive-ms")
            options.keepaliveIntervalMs = std::atoi(value().c_str());
        else if (arg == "--fault") {
            const std::string spec = value();
            const auto fault = parseFault(spec);
            if (!fault) {
                std::cerr << "fake-e2b-server: cannot read the fault '" << spec << "'\n";
                return 2;
            }
            faults.push_back(*fault);
        } else {
            std::cerr << "usage: fake-e2b-server [--api-port N] [--envd-port N] [--api-key KEY] [--template ALIAS]..."
                         " [--no-v2] [--debug-sandbox] [--root DIR] [--keepalive-ms N] [--fault SPEC]...\n";
            return 2;
        }
    }

    // Block the stop signals before any thread starts, then wait for one of them here.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    cc::test::FakeE2BServer server(options);
    for (const auto& fault : faults)
        server.addFault(fault);
    std::string error;
    if (!server.start(&error)) {
        std::cerr << "fake-e2b-server: " << error << "\n";
        return 1;
    }
    std::cout << "E2B_API_URL=" << server.apiUrl() << "\n"
              << "E2B_SANDBOX_URL=" << server.sandboxUrl() << "\n"
              << "E2B_API_KEY=" << options.apiKey << "\n"
              << "ready" << std::endl;

    int received = 0;
    sigwait(&stopSignals, &received);
    server.stop();
    std::cout << "stopped after " << server.requests().size() << " requests" << std::endl;
    return 0;
}
