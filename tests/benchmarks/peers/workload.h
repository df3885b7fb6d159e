// One benchmark run of one client, as the orchestrator (run_peers.py) asks for it on the command line,
// and the MEASURE line each client program prints for it. Shared by the Beast client and the Qt
// clients so that they parse, build payloads and measure identically; no Qt here.
//
//   --url ws://127.0.0.1:PORT/     the echo server
//   --size N --inflight K          echo N-byte messages with K in flight ...
//   --seconds S --warmup W         ... for S seconds after W seconds not counted
//   --text 1                       text messages (UTF-8 with multi-byte characters) instead of binary
//   --messages FILE                text messages: the lines of FILE, in turn (instead of --size)
//   --compress 1                   offer permessage-deflate
//   --connections N                instead of echoing: open N idle connections ...
//   --also-ports P2,P3,...         ... spread over the url and the same url on these ports ...
//   --echo-once 1                  ... then each sends one message and awaits its echo
//   --limit S                      give up opening after S seconds (report how many opened)
//   --server-pid PID               whose CPU time to measure alongside
#pragma once

#include "../procstats.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace Bench {

struct Workload
{
    std::string client;
    std::string url;
    std::string host;
    std::string port;
    std::string path = "/";
    std::size_t size = 64;
    int inflight = 1;
    double seconds = 1;
    double warmup = 0.2;
    bool text = false;
    bool compress = false;
    int connections = 0;
    std::vector<std::string> urls; // url, then url on each of --also-ports
    bool echoOnce = false;
    double limit = 120;
    long serverPid = 0;
    // The messages sent in turn; the echo of message i must equal messages[i % size()].
    std::vector<std::string> messages;
};

// `size` bytes of UTF-8 mixing 1-, 2-, 3- and 4-byte sequences, so that validation has real work.
inline std::string textPayload(std::size_t size)
{
    static const char *const pieces[] = { "price ", "\xc3\xa9t\xc3\xa9 ", "\xe2\x82\xac\xe2\x9c\x93 ",
        "\xf0\x9f\x93\x88 ", "data-", "\xce\xb1\xce\xb2\xce\xb3 " };
    std::string text;
    for (std::size_t i = 0; text.size() < size; ++i) {
        const std::string piece = pieces[i % 6];
        text += text.size() + piece.size() <= size ? piece : std::string(size - text.size(), 'x');
    }
    return text;
}

inline std::string binaryPayload(std::size_t size)
{
    std::string data(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        data[i] = char(i * 131 + 7);
    return data;
}

// Whether an echo matches what was sent: the sizes, and 16 elements at the start, the middle and
// the end (enough to catch a broken echo without making the check a cost of its own). Works on
// std::string, std::string_view, QByteArray and QString alike.
template<typename Echo, typename Sent> bool sameEcho(const Echo &echo, const Sent &sent)
{
    const std::size_t n = std::size_t(sent.size());
    if (std::size_t(echo.size()) != n)
        return false;
    const auto *e = std::data(echo);
    const auto *s = std::data(sent);
    static_assert(sizeof(*e) == sizeof(*s), "elements of the same size");
    const std::size_t piece = n < 16 ? n : 16;
    for (const std::size_t start : { std::size_t(0), (n - piece) / 2, n - piece }) {
        if (std::memcmp(e + start, s + start, piece * sizeof(*e)) != 0)
            return false;
    }
    return true;
}

// Parses the options above; exits with a message on a bad command line.
inline Workload parseWorkload(int argc, char **argv)
{
    std::map<std::string, std::string> args;
    for (int i = 1; i + 1 < argc; i += 2)
        args[argv[i]] = argv[i + 1];
    if (argc % 2 == 0 || !args.count("--url")) {
        std::fprintf(stderr,
            "usage: %s --url ws://HOST:PORT/PATH [--client NAME] [--size N] [--inflight K] "
            "[--seconds S] [--warmup S] [--text 1] [--messages FILE] [--compress 1] "
            "[--connections N [--also-ports P,...] [--echo-once 1] [--limit S]] [--server-pid PID]\n",
            argv[0]);
        std::exit(2);
    }
    auto number = [&](const char *key, double fallback) {
        return args.count(key) ? std::atof(args[key].c_str()) : fallback;
    };
    Workload w;
    w.client = args["--client"];
    w.url = args["--url"];
    const std::string::size_type hostStart = w.url.find("://") + 3;
    const std::string::size_type pathStart = w.url.find('/', hostStart);
    const std::string authority = w.url.substr(hostStart, pathStart - hostStart);
    w.host = authority.substr(0, authority.rfind(':'));
    w.port = authority.substr(authority.rfind(':') + 1);
    if (pathStart != std::string::npos)
        w.path = w.url.substr(pathStart);
    w.size = std::size_t(number("--size", 64));
    w.inflight = int(number("--inflight", 1));
    w.seconds = number("--seconds", 1);
    w.warmup = number("--warmup", 0.2);
    w.text = number("--text", 0) != 0;
    w.compress = number("--compress", 0) != 0;
    w.connections = int(number("--connections", 0));
    w.echoOnce = number("--echo-once", 0) != 0;
    w.limit = number("--limit", 120);
    w.urls.push_back(w.url);
    for (std::string rest = args.count("--also-ports") ? args["--also-ports"] : ""; !rest.empty();) {
        const std::string::size_type comma = rest.find(',');
        const std::string port = rest.substr(0, comma);
        w.urls.push_back(w.url.substr(0, hostStart) + authority.substr(0, authority.rfind(':') + 1) + port
            + w.path);
        rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    }
    w.serverPid = long(number("--server-pid", 0));
    if (args.count("--messages")) {
        w.text = true;
        std::ifstream in(args["--messages"]);
        for (std::string line; std::getline(in, line);)
            w.messages.push_back(line);
    } else {
        w.messages.push_back(w.text ? textPayload(w.size) : binaryPayload(w.size));
    }
    return w;
}

// The measured interval of an echo run: wall time, this process's CPU time and the server's.
class Meter
{
public:
    void start()
    {
        m_wall = std::chrono::steady_clock::now();
        m_cpu = selfCpuSeconds();
        m_serverCpu = processCpuSeconds(m_serverPid);
    }
    explicit Meter(long serverPid) : m_serverPid(serverPid) { }

    // Prints `MEASURE messages=… seconds=… cpu=… server_cpu=…` for `messages` echoes since start().
    void report(long long messages) const
    {
        const double seconds
            = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_wall).count();
        std::printf("MEASURE messages=%lld seconds=%.6f cpu=%.6f server_cpu=%.6f\n", messages, seconds,
            selfCpuSeconds() - m_cpu, processCpuSeconds(m_serverPid) - m_serverCpu);
        std::fflush(stdout);
    }

private:
    long m_serverPid;
    std::chrono::steady_clock::time_point m_wall {};
    double m_cpu = 0;
    double m_serverCpu = 0;
};

// Decides, echo by echo, when the warm-up ends and when the measured interval is over.
class EchoClock
{
public:
    EchoClock(const Workload &w) : m_meter(w.serverPid), m_warmup(w.warmup), m_seconds(w.seconds)
    {
        m_begin = std::chrono::steady_clock::now();
        if (m_warmup <= 0)
            startMeasuring();
    }
    // Counts one echo; returns false once the measured interval is over (and has been reported).
    bool echoed()
    {
        ++m_total;
        if (m_measuring)
            ++m_counted;
        // The clock is read every 8th echo: at a million echoes per second, reading it for each
        // would be a cost of the harness counted against every client.
        if (m_total % 8 != 0)
            return true;
        const double elapsed
            = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_begin).count();
        if (!m_measuring) {
            if (elapsed >= m_warmup)
                startMeasuring();
            return true;
        }
        if (elapsed - m_measureStart < m_seconds)
            return true;
        m_meter.report(m_counted);
        return false;
    }
    long long total() const { return m_total; }

private:
    void startMeasuring()
    {
        m_measuring = true;
        m_measureStart = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_begin).count();
        m_meter.start();
    }
    Meter m_meter;
    double m_warmup;
    double m_seconds;
    std::chrono::steady_clock::time_point m_begin;
    double m_measureStart = 0;
    bool m_measuring = false;
    long long m_counted = 0;
    long long m_total = 0;
};

} // namespace Bench
