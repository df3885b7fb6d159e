// Close codes, sending and receiving (docs/examples.md). The server's /close?code=N&reason=R path
// closes with N and R right after the handshake; /echo answers a Close with the same code.
#include "snippetenv.h"

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>
#include <QtCore/qeventloop.h>

namespace {

void sendingClose(const QUrl &url)
{
    auto ws = WsClient::WebSocket::connectTo(url);
    //! [send]
    ws->close(4000, QStringLiteral("client shutting down")); // 3000–4999: for applications
    ws->waitForDisconnected(); // the server answered with its Close (or 3 s passed)
    qInfo() << "closed with" << ws->closeCode() << ws->closeReason();
    //! [send]

    ws = WsClient::WebSocket::connectTo(url);
    //! [send-enum]
    ws->close(quint16(WsClient::CloseCode::GoingAway)); // 1001, no reason
    //! [send-enum]
    ws->waitForDisconnected();
    qInfo() << "closed with" << ws->closeCode();

    ws = WsClient::WebSocket::connectTo(url);
    //! [send-close]
    ws->sendClose(1000, QStringLiteral("bye")); // websocket-client's send_close(): no waiting here
    const WsClient::Message answer = ws->receiveData(3000, true); // the server's Close, as a message
    qInfo() << answer.opcode << answer.data.toHex(' ');
    //! [send-close]
    ws->waitForDisconnected();
}

void receivingClose(const QUrl &url)
{
    //! [receive-signal]
    WsClient::WebSocket ws;
    QEventLoop loop;
    QObject::connect(&ws, &WsClient::WebSocket::closeReceived, &ws, [](int code, const QString &reason) {
        qInfo() << "the server closed with" << code << reason; // 1005 when its Close had no code
    });
    QObject::connect(&ws, &WsClient::WebSocket::disconnected, &loop, &QEventLoop::quit);
    ws.open(url); // e.g. ws://…/close?code=4001&reason=maintenance
    loop.exec();
    //! [receive-signal]
}

void receivingBlocking(const QUrl &url)
{
    auto ws = WsClient::WebSocket::connectTo(url);
    //! [receive-blocking]
    const WsClient::Message message = ws->receive(5000); // no more messages: invalid
    if (!message.isValid() && ws->error() == WsClient::Error::ConnectionClosed)
        qInfo() << "closed by the server:" << ws->closeCode() << ws->closeReason();
    //! [receive-blocking]
}

void validCodes()
{
    //! [valid]
    // Codes a peer may send (RFC 6455 §7.4): 1000–1003, 1007–1014, 3000–4999.
    qInfo() << WsClient::isValidCloseCode(1000) << WsClient::isValidCloseCode(1006)
            << WsClient::isValidCloseCode(4999);
    //! [valid]
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    sendingClose(Snippet::url(QStringLiteral("/echo")));
    receivingClose(Snippet::url(QStringLiteral("/close?code=4001&reason=maintenance")));
    receivingBlocking(Snippet::url(QStringLiteral("/close?code=1001&reason=going%20away")));
    validCodes();
    return 0;
}
