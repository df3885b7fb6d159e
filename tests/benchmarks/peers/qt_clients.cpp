// The Qt clients through one benchmark workload (see workload.h):
//   --client wsclient           WsClient::WebSocket, event-loop driven (signals)
//   --client wsclient-blocking  WsClient's blocking API (connectTo, sendBinary/sendText, receive)
//   --client wsclient-app       WsClient::WebSocketApp (the long-lived connection, as the QML element)
//   --client qtws               QtWebSockets' QWebSocket, event-loop driven
// The two event-loop clients go through the same drivers (echo, idle connections) behind one small
// interface, so that they do exactly the same work.

#include "workload.h"

#include <WsClient/WebSocket>
#include <WsClient/WebSocketApp>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qtimer.h>
#include <QtWebSockets/qwebsocket.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

namespace {

// How long anything may take before the run is declared stuck.
constexpr int StallMs = 30000;
// Connections being opened at once in the idle-connections run.
constexpr int ConnectConcurrency = 64;

// One connection of an event-loop client.
class Connection
{
public:
    virtual ~Connection() = default;
    virtual void open(const QUrl &url, bool compress) = 0;
    virtual void sendBinary(const QByteArray &data) = 0;
    virtual void sendText(const QString &text) = 0;
    // Closing handshake; returns once the connection has ended (or after a few seconds).
    virtual void closeAndWait() = 0;

    std::function<void()> connected;
    std::function<void(const QByteArray &)> binaryReceived;
    std::function<void(const QString &)> textReceived;
    std::function<void(const QString &)> failed;
};

class WsClientConnection final : public Connection
{
public:
    WsClientConnection()
    {
        QObject::connect(&m_ws, &WsClient::WebSocket::connected, &m_ws, [this] { connected(); });
        QObject::connect(&m_ws, &WsClient::WebSocket::binaryMessageReceived, &m_ws,
            [this](const QByteArray &m) { binaryReceived(m); });
        QObject::connect(&m_ws, &WsClient::WebSocket::textMessageReceived, &m_ws,
            [this](const QString &m) { textReceived(m); });
        QObject::connect(&m_ws, &WsClient::WebSocket::errorOccurred, &m_ws,
            [this](WsClient::Error, const QString &why) { failed(why); });
    }
    void open(const QUrl &url, bool compress) override
    {
        WsClient::ConnectOptions options;
        if (compress)
            options.setCompression(WsClient::CompressionOptions::enabledDefaults());
        m_ws.open(url, options);
    }
    void sendBinary(const QByteArray &data) override { m_ws.sendBinary(data); }
    void sendText(const QString &text) override { m_ws.sendText(text); }
    void closeAndWait() override
    {
        m_ws.close();
        m_ws.waitForDisconnected(5000);
    }

private:
    WsClient::WebSocket m_ws;
};

class WsClientAppConnection final : public Connection
{
public:
    WsClientAppConnection()
    {
        QObject::connect(&m_app, &WsClient::WebSocketApp::opened, &m_app, [this] { connected(); });
        QObject::connect(&m_app, &WsClient::WebSocketApp::binaryMessageReceived, &m_app,
            [this](const QByteArray &m) { binaryReceived(m); });
        QObject::connect(&m_app, &WsClient::WebSocketApp::textMessageReceived, &m_app,
            [this](const QString &m) { textReceived(m); });
        QObject::connect(&m_app, &WsClient::WebSocketApp::errorOccurred, &m_app,
            [this](WsClient::Error, const QString &why) { failed(why); });
    }
    void open(const QUrl &url, bool compress) override
    {
        WsClient::ConnectOptions options;
        if (compress)
            options.setCompression(WsClient::CompressionOptions::enabledDefaults());
        m_app.setUrl(url);
        m_app.setOptions(options);
        m_app.start();
    }
    void sendBinary(const QByteArray &data) override { m_app.sendBinary(data); }
    void sendText(const QString &text) override { m_app.sendText(text); }
    void closeAndWait() override
    {
        QEventLoop loop;
        QObject::connect(&m_app, &WsClient::WebSocketApp::closed, &loop, &QEventLoop::quit);
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        m_app.close();
        if (m_app.state() != WsClient::WebSocketApp::State::Unconnected)
            loop.exec();
    }

private:
    WsClient::WebSocketApp m_app;
};

class QtWsConnection final : public Connection
{
public:
    QtWsConnection()
    {
        QObject::connect(&m_ws, &QWebSocket::connected, &m_ws, [this] { connected(); });
        QObject::connect(&m_ws, &QWebSocket::binaryMessageReceived, &m_ws,
            [this](const QByteArray &m) { binaryReceived(m); });
        QObject::connect(
            &m_ws, &QWebSocket::textMessageReceived, &m_ws, [this](const QString &m) { textReceived(m); });
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
        QObject::connect(&m_ws, &QWebSocket::errorOccurred, &m_ws,
            [this](QAbstractSocket::SocketError) { failed(m_ws.errorString()); });
#else
        QObject::connect(&m_ws, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), &m_ws,
            [this](QAbstractSocket::SocketError) { failed(m_ws.errorString()); });
#endif
    }
    void open(const QUrl &url, bool compress) override
    {
        if (compress) {
            failed(QStringLiteral("QtWebSockets has no permessage-deflate"));
            return;
        }
        m_ws.open(url);
    }
    void sendBinary(const QByteArray &data) override
    {
        m_ws.sendBinaryMessage(data);
    }
    void sendText(const QString &text) override
    {
        m_ws.sendTextMessage(text);
    }
    void closeAndWait() override
    {
        if (m_ws.state() == QAbstractSocket::UnconnectedState)
            return;
        QEventLoop loop;
        QObject::connect(&m_ws, &QWebSocket::disconnected, &loop, &QEventLoop::quit);
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        m_ws.close();
        if (m_ws.state() != QAbstractSocket::UnconnectedState)
            loop.exec();
    }

private:
    QWebSocket m_ws;
};

std::unique_ptr<Connection> makeConnection(const std::string &client)
{
    if (client == "wsclient")
        return std::make_unique<WsClientConnection>();
    if (client == "wsclient-app")
        return std::make_unique<WsClientAppConnection>();
    if (client == "qtws")
        return std::make_unique<QtWsConnection>();
    return nullptr;
}

// The workload's messages as each API takes them; echo i must match message i % count().
struct Payloads
{
    explicit Payloads(const Bench::Workload &w)
    {
        for (const std::string &m : w.messages) {
            const QByteArray bytes = QByteArray::fromStdString(m);
            if (w.text)
                text.push_back(QString::fromUtf8(bytes));
            else
                binary.push_back(bytes);
        }
    }
    std::size_t count() const { return binary.size() + text.size(); }
    std::vector<QByteArray> binary;
    std::vector<QString> text;
};

bool openAndWait(Connection &c, const QUrl &url, bool compress)
{
    QEventLoop loop;
    bool ok = false;
    c.connected = [&] {
        ok = true;
        loop.quit();
    };
    c.failed = [&](const QString &why) {
        std::fprintf(stderr, "connecting: %s\n", qPrintable(why));
        loop.quit();
    };
    QTimer::singleShot(StallMs, &loop, &QEventLoop::quit);
    c.open(url, compress);
    loop.exec();
    return ok;
}

int runEcho(Connection &c, const Bench::Workload &w)
{
    if (!openAndWait(c, QUrl(QString::fromStdString(w.url)), w.compress))
        return 1;
    const Payloads payloads(w);
    const std::size_t count = payloads.count();
    QEventLoop loop;
    bool ok = true;
    bool done = false;
    long long sent = 0;
    auto sendNext = [&] {
        const std::size_t i = std::size_t(sent++) % count;
        if (w.text)
            c.sendText(payloads.text[i]);
        else
            c.sendBinary(payloads.binary[i]);
    };
    c.failed = [&](const QString &why) {
        std::fprintf(stderr, "echo: %s\n", qPrintable(why));
        ok = false;
        loop.quit();
    };
    for (int i = 0; i < w.inflight; ++i)
        sendNext();
    Bench::EchoClock clock(w);
    auto echoed = [&](bool same) {
        if (done)
            return; // echoes still in flight when the measurement ended
        if (!same) {
            std::fprintf(stderr, "echo %lld differs from what was sent\n", clock.total());
            ok = false;
        }
        if (!ok || !clock.echoed()) {
            done = true;
            loop.quit();
            return;
        }
        sendNext();
    };
    c.binaryReceived = [&](const QByteArray &m) {
        echoed(!w.text && Bench::sameEcho(m, payloads.binary[std::size_t(clock.total()) % count]));
    };
    c.textReceived = [&](const QString &m) {
        echoed(w.text && Bench::sameEcho(m, payloads.text[std::size_t(clock.total()) % count]));
    };
    QTimer stall;
    QObject::connect(&stall, &QTimer::timeout, &loop, [&] {
        std::fprintf(stderr, "echo: stalled\n");
        ok = false;
        loop.quit();
    });
    stall.start(int((w.warmup + w.seconds) * 1000) + StallMs);
    loop.exec();
    done = true;
    std::printf("SENT %lld\n", sent);
    c.closeAndWait();
    c.binaryReceived = [](const QByteArray &) {};
    c.textReceived = [](const QString &) {};
    c.failed = [](const QString &) {};
    return ok ? 0 : 1;
}

// Every open connection sends one 64-byte message naming it and awaits its echo; prints
// `MEASURE echoed=… echo_seconds=…` (echoed counts correct echoes; a wrong one is named on stderr).
void echoOnce(const std::vector<std::unique_ptr<Connection>> &connections, double limit)
{
    QEventLoop loop;
    std::size_t pending = 0;
    long long echoed = 0;
    std::vector<QByteArray> sent(connections.size());
    std::vector<bool> answered(connections.size());
    auto answer = [&](std::size_t i) {
        if (!answered[i]) {
            answered[i] = true;
            if (--pending == 0)
                loop.quit();
        }
    };
    for (std::size_t i = 0; i < connections.size(); ++i) {
        sent[i] = QByteArray::number(qulonglong(i)).leftJustified(64, '.');
        connections[i]->binaryReceived = [&, i](const QByteArray &m) {
            if (m == sent[i] && !answered[i])
                ++echoed;
            else
                std::fprintf(stderr, "echo-once: connection %zu got a wrong echo\n", i);
            answer(i);
        };
        connections[i]->failed = [&, i](const QString &why) {
            std::fprintf(stderr, "echo-once: connection %zu failed: %s\n", i, qPrintable(why));
            answer(i);
        };
    }
    QElapsedTimer timer;
    timer.start();
    for (std::size_t i = 0; i < connections.size(); ++i) {
        connections[i]->sendBinary(sent[i]);
        ++pending;
    }
    QTimer::singleShot(int(limit * 1000), &loop, [&] {
        std::fprintf(stderr, "echo-once: %zu echoes missing after %.0f s\n", pending, limit);
        loop.quit();
    });
    if (pending > 0)
        loop.exec();
    std::printf("MEASURE echoed=%lld echo_seconds=%.6f\n", echoed, double(timer.nsecsElapsed()) / 1e9);
    std::fflush(stdout);
}

// Opens w.connections idle connections, ConnectConcurrency at a time and spread over w.urls, and
// reports how fast they opened and how much resident memory each costs; with --echo-once, each then
// sends one message of its own and awaits its echo, all at once. A failure or the time limit stops
// the opening: what was reached is still measured (`opened=`) and the failure is named on stderr.
int runIdle(const std::string &client, const Bench::Workload &w)
{
    if (Bench::raiseFileLimit(w.connections + 1024) < w.connections + 64)
        std::fprintf(stderr, "idle: the descriptor limit is below %d connections\n", w.connections);
    std::vector<QUrl> urls;
    for (const std::string &u : w.urls)
        urls.emplace_back(QString::fromStdString(u));
    std::vector<std::unique_ptr<Connection>> connections;
    connections.reserve(std::size_t(w.connections) + 1);
    // One connection first, so that one-time set-up (meta-objects, proxy lookup, ...) is not counted.
    connections.push_back(makeConnection(client));
    if (!openAndWait(*connections.back(), urls.front(), false))
        return 1;
    const long rssBefore = Bench::residentKiB();
    const double serverCpuBefore = Bench::processCpuSeconds(w.serverPid);

    QEventLoop loop;
    bool failed = false;
    int opened = 0;
    int open = 0;
    std::function<void()> openMore = [&] {
        while (!failed && opened < w.connections && opened - open < ConnectConcurrency) {
            connections.push_back(makeConnection(client));
            Connection *c = connections.back().get();
            c->connected = [&] {
                if (++open == w.connections)
                    loop.quit();
                else
                    openMore();
            };
            c->failed = [&, index = opened](const QString &why) {
                if (!failed)
                    std::fprintf(stderr, "idle: connection %d of %d failed: %s\n", index + 1, w.connections,
                        qPrintable(why));
                failed = true;
                loop.quit();
            };
            c->open(urls[std::size_t(opened) % urls.size()], false);
            ++opened;
        }
    };
    QElapsedTimer timer;
    timer.start();
    QTimer limit;
    limit.setSingleShot(true);
    QObject::connect(&limit, &QTimer::timeout, &loop, [&] {
        std::fprintf(stderr, "idle: only %d of %d connections opened in %.0f s\n", open, w.connections, w.limit);
        failed = true;
        loop.quit();
    });
    limit.start(int(w.limit * 1000));
    openMore();
    loop.exec();
    limit.stop();
    const double connectSeconds = double(timer.nsecsElapsed()) / 1e9;
    if (open == 0)
        return 1;
    // Let whatever follows the handshake (deferred deletes, buffers) settle before measuring.
    QEventLoop settle;
    QTimer::singleShot(300, &settle, &QEventLoop::quit);
    settle.exec();
    const long rssAfter = Bench::residentKiB();
    std::printf("MEASURE connections=%d wanted=%d connect_seconds=%.6f rss_kib_per_conn=%.3f server_cpu=%.6f\n",
        open, w.connections, connectSeconds, double(rssAfter - rssBefore) / open,
        Bench::processCpuSeconds(w.serverPid) - serverCpuBefore);
    std::fflush(stdout);
    if (w.echoOnce)
        echoOnce(connections, w.limit);
    // Tearing down thousands of connections one by one measures nothing: the kernel closes them.
    std::_Exit(0);
}

int runBlocking(const Bench::Workload &w)
{
    WsClient::ConnectOptions options;
    if (w.compress)
        options.setCompression(WsClient::CompressionOptions::enabledDefaults());
    const auto ws = WsClient::WebSocket::connectTo(QUrl(QString::fromStdString(w.url)), options);
    if (!ws->isOpen()) {
        std::fprintf(stderr, "connecting: %s\n", qPrintable(ws->errorString()));
        return 1;
    }
    const Payloads payloads(w);
    const std::size_t count = payloads.count();
    long long sent = 0;
    auto sendNext = [&] {
        const std::size_t i = std::size_t(sent++) % count;
        if (w.text)
            ws->sendText(payloads.text[i]);
        else
            ws->sendBinary(payloads.binary[i]);
    };
    for (int i = 0; i < w.inflight; ++i)
        sendNext();
    Bench::EchoClock clock(w);
    for (;;) {
        const WsClient::Message m = ws->receive(StallMs);
        if (!m.isValid()) {
            std::fprintf(stderr, "receive: %s\n", qPrintable(ws->errorString()));
            return 1;
        }
        const std::size_t i = std::size_t(clock.total()) % count;
        if (w.text ? !Bench::sameEcho(m.text(), payloads.text[i])
                   : !Bench::sameEcho(m.data, payloads.binary[i])) {
            std::fprintf(stderr, "echo %lld differs from what was sent\n", clock.total());
            return 1;
        }
        if (!clock.echoed())
            break;
        sendNext();
    }
    std::printf("SENT %lld\n", sent);
    ws->close();
    ws->waitForDisconnected(5000);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const Bench::Workload w = Bench::parseWorkload(argc, argv);
    int status = 2;
    if (w.client == "wsclient-blocking") {
        status = w.connections > 0 ? 2 : runBlocking(w);
    } else if (const auto c = makeConnection(w.client)) {
        status = w.connections > 0 ? runIdle(w.client, w) : runEcho(*c, w);
    }
    if (status == 2)
        std::fprintf(stderr, "qt_clients: unknown client '%s' for this workload\n", w.client.c_str());
    std::fflush(stdout);
    return status;
}
