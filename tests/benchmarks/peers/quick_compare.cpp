// A quick side-by-side of WsClient::WebSocket and QtWebSockets' QWebSocket on the same echo server:
// round trips of small messages (one in flight) and echo throughput of 64 KiB messages (one in
// flight), both event-loop driven. Prints RESULT and RATIO lines. The full suite is tests/benchmarks/run.
//
// usage: quick_compare ws://127.0.0.1:PORT/ [seconds-per-case]

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qtimer.h>
#include <QtWebSockets/qwebsocket.h>

#include <cstdio>
#include <functional>

namespace {

struct Outcome
{
    qint64 messages = 0;
    double seconds = 0;
};

// Drives one echo client: `send` sends a message, `onEcho` is wired so that each echo calls back.
Outcome runEcho(const std::function<void()> &send, const std::function<void(std::function<void()>)> &onEcho,
                double seconds)
{
    Outcome out;
    QElapsedTimer timer;
    QEventLoop loop;
    const qint64 limitNs = qint64(seconds * 1e9);
    onEcho([&] {
        ++out.messages;
        if (timer.nsecsElapsed() >= limitNs)
            loop.quit();
        else
            send();
    });
    timer.start();
    send();
    QTimer::singleShot(int(seconds * 1000) + 10000, &loop, &QEventLoop::quit); // guard against a stall
    loop.exec();
    out.seconds = double(timer.nsecsElapsed()) / 1e9;
    return out;
}

Outcome wsclientCase(const QUrl &url, const QByteArray &payload, double seconds)
{
    WsClient::WebSocket ws;
    ws.open(url);
    if (!ws.waitForConnected(10000)) {
        std::fprintf(stderr, "WsClient: %s\n", qPrintable(ws.errorString()));
        return {};
    }
    std::function<void()> echoed;
    QObject::connect(&ws, &WsClient::WebSocket::binaryMessageReceived, &ws, [&](const QByteArray &) { echoed(); });
    const Outcome o = runEcho([&] { ws.sendBinary(payload); }, [&](std::function<void()> f) { echoed = std::move(f); },
                              seconds);
    ws.close();
    ws.waitForDisconnected(3000);
    return o;
}

Outcome qtwsCase(const QUrl &url, const QByteArray &payload, double seconds)
{
    QWebSocket ws;
    QEventLoop wait;
    QObject::connect(&ws, &QWebSocket::connected, &wait, &QEventLoop::quit);
    QTimer::singleShot(10000, &wait, &QEventLoop::quit);
    ws.open(url);
    wait.exec();
    if (ws.state() != QAbstractSocket::ConnectedState) {
        std::fprintf(stderr, "QWebSocket: %s\n", qPrintable(ws.errorString()));
        return {};
    }
    std::function<void()> echoed;
    QObject::connect(&ws, &QWebSocket::binaryMessageReceived, &ws, [&](const QByteArray &) { echoed(); });
    const Outcome o = runEcho([&] { ws.sendBinaryMessage(payload); },
                              [&](std::function<void()> f) { echoed = std::move(f); }, seconds);
    ws.close();
    return o;
}

void report(const char *name, const Outcome &ours, const Outcome &peer, double bytesPerMessage)
{
    const double oursRate = ours.seconds > 0 ? double(ours.messages) / ours.seconds : 0;
    const double peerRate = peer.seconds > 0 ? double(peer.messages) / peer.seconds : 0;
    std::printf("RESULT %s_wsclient_msgs_per_s %.0f msg/s\n", name, oursRate);
    std::printf("RESULT %s_qtws_msgs_per_s %.0f msg/s\n", name, peerRate);
    if (bytesPerMessage > 1000) {
        std::printf("RESULT %s_wsclient_mb_per_s %.1f MB/s\n", name, oursRate * bytesPerMessage * 2 / 1e6);
        std::printf("RESULT %s_qtws_mb_per_s %.1f MB/s\n", name, peerRate * bytesPerMessage * 2 / 1e6);
    }
    if (peerRate > 0)
        std::printf("RATIO %s_vs_qtws %.2f\n", name, oursRate / peerRate);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: quick_compare ws://127.0.0.1:PORT/ [seconds]\n");
        return 2;
    }
    const QUrl url(QString::fromLocal8Bit(argv[1]));
    const double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
    const QByteArray small(64, 'x');
    const QByteArray large(64 * 1024, 'y');

    // Alternate the clients so a warming server or CPU frequency changes favour neither.
    const Outcome ws1 = wsclientCase(url, small, seconds);
    const Outcome qt1 = qtwsCase(url, small, seconds);
    report("rt64", ws1, qt1, 64);
    const Outcome ws2 = wsclientCase(url, large, seconds);
    const Outcome qt2 = qtwsCase(url, large, seconds);
    report("echo64k", ws2, qt2, 64 * 1024);
    std::fflush(stdout);
    return 0;
}
