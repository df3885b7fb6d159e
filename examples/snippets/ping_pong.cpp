// Ping, pong and keepalive (docs/examples.md). The server's /ping?payload=P path sends a Ping P
// right after the handshake and then the text "pong:P" once the Pong came back.
#include "snippetenv.h"

#include <WsClient/WebSocket>
#include <WsClient/WebSocketApp>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

namespace {

void manualPing(const QUrl &url)
{
    auto ws = WsClient::WebSocket::connectTo(url);
    //! [ping]
    ws->ping("are you there?"); // payload up to 125 bytes
    // Blocking style: receiveData(…, true) also returns control frames (websocket-client's recv_data(True)).
    const WsClient::Message pong = ws->receiveData(5000, true);
    qInfo() << pong.opcode << pong.data;
    //! [ping]
    ws->close();
    ws->waitForDisconnected();
}

void serverPings(const QUrl &url)
{
    auto ws = WsClient::WebSocket::connectTo(url);
    //! [server-ping]
    // A server's Ping is answered with a Pong carrying the same payload, automatically.
    // It is also reported: pingReceived() with signals, or as a Ping message here.
    WsClient::Message message = ws->receiveData(5000, true);
    qInfo() << message.opcode << message.data;
    message = ws->receiveData(5000, true); // the server's confirmation that our Pong arrived
    qInfo() << message.opcode << message.data;
    //! [server-ping]
    ws->close();
    ws->waitForDisconnected();
}

void keepalive(const QUrl &url)
{
    //! [keepalive]
    WsClient::WebSocketApp app(url);
    app.setPingInterval(200); // ms between pings (websocket-client's ping_interval, in ms instead of s)
    app.setPingTimeout(100); // a pong must come within 100 ms (ping_timeout); must be < pingInterval
    app.setPingPayload("keepalive"); // ping_payload
    int pongs = 0;
    QObject::connect(&app, &WsClient::WebSocketApp::pongReceived, &app, [&](const QByteArray &payload) {
        qInfo() << "pong" << ++pongs << payload;
        if (pongs == 2)
            app.close();
    });
    QObject::connect(&app, &WsClient::WebSocketApp::errorOccurred, &app,
        [](WsClient::Error error, const QString &) { qInfo() << "error" << error; });
    app.runForever();
    //! [keepalive]
}

void pongTimeout(const QUrl &url)
{
    WsClient::WebSocketApp app(url); // a server that never answers
    app.setPingInterval(200);
    app.setPingTimeout(100);
    QObject::connect(&app, &WsClient::WebSocketApp::errorOccurred, &app,
        [](WsClient::Error error, const QString &) { qInfo() << "error" << error; });
    QObject::connect(&app, &WsClient::WebSocketApp::closed, &app,
        [](int code, const QString &) { qInfo() << "closed" << code; });
    const bool failed = app.runForever();
    qInfo() << "runForever() returned" << failed;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication application(argc, argv);
    manualPing(Snippet::url(QStringLiteral("/")));
    serverPings(Snippet::url(QStringLiteral("/ping?payload=hi")));
    keepalive(Snippet::url(QStringLiteral("/")));
    pongTimeout(Snippet::url(QStringLiteral("/silent")));
    return 0;
}
