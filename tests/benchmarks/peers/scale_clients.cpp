// WsClient at scale, beyond one connection's speed (see workload.h for the common options):
//   --mode keepalive   --connections N WebSocketApps with a ping every --ping-interval-ms (1000):
//                      CPU time, pongs and timer events over --seconds once all are open
//   --mode threads     --connections N WebSockets spread over --threads T threads (one event loop
//                      each), every one echoing --size bytes with one message in flight once all
//                      are open: messages/s
// Each prints one MEASURE line; connections are opened ConnectConcurrency at a time per thread,
// spread over the url and --also-ports.

#include "workload.h"

#include <WsClient/WebSocket>
#include <WsClient/WebSocketApp>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qcoreevent.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qthread.h>
#include <QtCore/qtimer.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

namespace {

constexpr int ConnectConcurrency = 64;

// Counts the timer events the process delivers (QTimer, the library's deadline timers, Qt's own).
class CountingApplication final : public QCoreApplication
{
public:
    using QCoreApplication::QCoreApplication;
    bool notify(QObject *receiver, QEvent *event) override
    {
        if (event->type() == QEvent::Timer)
            timerEvents.fetch_add(1, std::memory_order_relaxed);
        return QCoreApplication::notify(receiver, event);
    }
    std::atomic<long long> timerEvents { 0 };
};

std::vector<QUrl> urlsOf(const Bench::Workload &w)
{
    std::vector<QUrl> urls;
    for (const std::string &u : w.urls)
        urls.emplace_back(QString::fromStdString(u));
    return urls;
}

// Runs the event loop until `done` holds, or for `limitMs` at most; false on the limit.
template<typename Done> bool spinUntil(Done done, int limitMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > limitMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    }
    return true;
}

void spinFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

int runKeepalive(CountingApplication &app, const Bench::Workload &w, int pingIntervalMs)
{
    const std::vector<QUrl> urls = urlsOf(w);
    std::vector<std::unique_ptr<WsClient::WebSocketApp>> apps;
    int started = 0;
    int open = 0;
    int failures = 0;
    long long pongs = 0;
    auto startMore = [&] {
        while (started < w.connections && started - open - failures < ConnectConcurrency) {
            auto ws = std::make_unique<WsClient::WebSocketApp>(urls[std::size_t(started) % urls.size()]);
            ws->setPingInterval(pingIntervalMs);
            ws->setPingTimeout(pingIntervalMs / 2);
            QObject::connect(ws.get(), &WsClient::WebSocketApp::opened, ws.get(), [&] { ++open; });
            QObject::connect(ws.get(), &WsClient::WebSocketApp::pongReceived, ws.get(), [&] { ++pongs; });
            QObject::connect(ws.get(), &WsClient::WebSocketApp::errorOccurred, ws.get(),
                [&](WsClient::Error, const QString &why) {
                    if (failures++ == 0)
                        std::fprintf(stderr, "keepalive: %s\n", qPrintable(why));
                });
            ws->start();
            apps.push_back(std::move(ws));
            ++started;
        }
    };
    QElapsedTimer connecting;
    connecting.start();
    if (!spinUntil([&] {
            startMore();
            return open + failures == w.connections;
        }, int(w.limit * 1000))
        || failures > 0) {
        std::fprintf(stderr, "keepalive: %d of %d apps open, %d failed\n", open, w.connections, failures);
        return 1;
    }
    const double connectSeconds = double(connecting.nsecsElapsed()) / 1e9;
    spinFor(pingIntervalMs + 200); // every app has pinged once: the measured interval is steady
    const long long pongsBefore = pongs;
    const long long timersBefore = app.timerEvents.load();
    Bench::Meter meter(w.serverPid);
    meter.start();
    spinFor(int(w.seconds * 1000));
    std::printf("MEASURE apps=%d connect_seconds=%.6f pongs=%lld timer_events=%lld failures=%d\n",
        open, connectSeconds, pongs - pongsBefore, app.timerEvents.load() - timersBefore, failures);
    meter.report(pongs - pongsBefore);
    std::_Exit(0);
}

// The connections of one thread: they open, then echo until `stop`, counting echoes in `echoes`.
class EchoGroup final : public QObject
{
public:
    EchoGroup(std::vector<QUrl> urls, int count, int offset, const QByteArray &payload)
        : m_urls(std::move(urls)), m_count(count), m_offset(offset), m_payload(payload)
    {
    }
    void startOpening() { openMore(); }
    // Once all are open (echoing while opening would slow the opening, not measure the echo).
    void startEchoing()
    {
        for (WsClient::WebSocket *ws : findChildren<WsClient::WebSocket *>())
            ws->sendBinary(m_payload);
    }

    std::atomic<int> open { 0 };
    std::atomic<int> failures { 0 };
    std::atomic<long long> echoes { 0 };
    std::atomic<bool> stop { false };

private:
    void openMore()
    {
        while (m_started < m_count && m_started - open.load() - failures.load() < ConnectConcurrency) {
            auto *ws = new WsClient::WebSocket(this);
            connect(ws, &WsClient::WebSocket::connected, this, [this] {
                ++open;
                openMore();
            });
            connect(ws, &WsClient::WebSocket::binaryMessageReceived, this, [this, ws](const QByteArray &m) {
                if (m != m_payload) {
                    std::fprintf(stderr, "threads: an echo differs from what was sent\n");
                    ++failures;
                    return;
                }
                echoes.fetch_add(1, std::memory_order_relaxed);
                if (!stop.load(std::memory_order_relaxed))
                    ws->sendBinary(m_payload);
            });
            connect(ws, &WsClient::WebSocket::errorOccurred, this, [this](WsClient::Error, const QString &why) {
                if (failures++ == 0)
                    std::fprintf(stderr, "threads: %s\n", qPrintable(why));
                openMore();
            });
            ws->open(m_urls[std::size_t(m_offset + m_started) % m_urls.size()]);
            ++m_started;
        }
    }

    std::vector<QUrl> m_urls;
    int m_count;
    int m_offset;
    QByteArray m_payload;
    int m_started = 0;
};

int runThreads(const Bench::Workload &w, int threadCount)
{
    const QByteArray payload = QByteArray::fromStdString(w.messages.front());
    std::vector<std::unique_ptr<QThread>> threads;
    std::vector<EchoGroup *> groups;
    for (int t = 0; t < threadCount; ++t) {
        const int count = w.connections / threadCount + (t < w.connections % threadCount ? 1 : 0);
        auto *group = new EchoGroup(urlsOf(w), count, t, payload);
        threads.push_back(std::make_unique<QThread>());
        group->moveToThread(threads.back().get());
        threads.back()->start();
        QMetaObject::invokeMethod(group, [group] { group->startOpening(); });
        groups.push_back(group);
    }
    auto total = [&](auto field) {
        long long sum = 0;
        for (EchoGroup *g : groups)
            sum += (g->*field).load();
        return sum;
    };
    QElapsedTimer connecting;
    connecting.start();
    while (total(&EchoGroup::open) + total(&EchoGroup::failures) < w.connections
           && connecting.elapsed() < w.limit * 1000)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (total(&EchoGroup::open) < w.connections || total(&EchoGroup::failures) > 0) {
        std::fprintf(stderr, "threads: %lld of %d connections open, %lld failed\n", total(&EchoGroup::open),
            w.connections, total(&EchoGroup::failures));
        std::_Exit(1);
    }
    for (EchoGroup *g : groups)
        QMetaObject::invokeMethod(g, [g] { g->startEchoing(); });
    std::this_thread::sleep_for(std::chrono::duration<double>(w.warmup));
    Bench::Meter meter(w.serverPid);
    const long long before = total(&EchoGroup::echoes);
    meter.start();
    std::this_thread::sleep_for(std::chrono::duration<double>(w.seconds));
    const long long echoed = total(&EchoGroup::echoes) - before;
    std::printf("MEASURE threads=%d connections=%d connect_seconds=%.6f\n", threadCount, w.connections,
        double(connecting.nsecsElapsed()) / 1e9);
    meter.report(echoed);
    for (EchoGroup *g : groups)
        g->stop = true;
    // Tearing down thousands of connections one by one measures nothing: the kernel closes them.
    std::_Exit(total(&EchoGroup::failures) > 0 ? 1 : 0);
}

} // namespace

int main(int argc, char **argv)
{
    CountingApplication app(argc, argv);
    // The options of this program only; the rest goes to parseWorkload.
    std::string mode;
    int threadCount = 1;
    int pingIntervalMs = 1000;
    std::vector<char *> rest { argv[0] };
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--mode" && i + 1 < argc)
            mode = argv[++i];
        else if (arg == "--threads" && i + 1 < argc)
            threadCount = std::max(1, std::atoi(argv[++i]));
        else if (arg == "--ping-interval-ms" && i + 1 < argc)
            pingIntervalMs = std::max(1, std::atoi(argv[++i]));
        else
            rest.push_back(argv[i]);
    }
    const Bench::Workload w = Bench::parseWorkload(int(rest.size()), rest.data());
    if (w.connections <= 0 || (mode != "keepalive" && mode != "threads")) {
        std::fprintf(stderr, "usage: %s --mode keepalive|threads [--threads T] [--ping-interval-ms MS] "
                             "--connections N --url URL [workload options]\n", argv[0]);
        return 2;
    }
    if (Bench::raiseFileLimit(w.connections + 1024) < w.connections + 64)
        std::fprintf(stderr, "scale_clients: the descriptor limit is below %d connections\n", w.connections);
    return mode == "keepalive" ? runKeepalive(app, w, pingIntervalMs) : runThreads(w, threadCount);
}
