// Timeouts: opening, blocking receives, closing; the process-wide default (docs/examples.md).
// The server's /silent path completes the handshake, then never answers anything.
#include "snippetenv.h"

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>
#include <QtNetwork/qtcpserver.h>

namespace {

void openTimeout(const QUrl &url)
{
    //! [open-timeout]
    WsClient::ConnectOptions options;
    options.setTimeout(
        300); // ms for name lookup + TCP + TLS + HTTP upgrade together (websocket-client's timeout=)
    auto ws = WsClient::WebSocket::connectTo(url, options);
    if (ws->error() == WsClient::Error::Timeout)
        qInfo() << "no handshake within 300 ms";
    //! [open-timeout]
}

void receiveTimeout(const QUrl &url)
{
    auto ws = WsClient::WebSocket::connectTo(url);
    //! [receive-timeout]
    const WsClient::Message message = ws->receive(200); // wait at most 200 ms
    if (!message.isValid() && ws->error() == WsClient::Error::Timeout)
        qInfo() << "nothing received within 200 ms; still" << ws->state();
    //! [receive-timeout]

    //! [object-timeout]
    ws->setTimeout(100); // the wait of every blocking call given -1 (settimeout)
    ws->receive(); // gives up after 100 ms
    //! [object-timeout]
    qInfo().noquote() << WsClient::errorName(ws->error()) << ws->errorString();

    //! [close-timeout]
    ws->close(quint16(WsClient::CloseCode::Normal), QString(), 250); // wait 250 ms for the server's Close
    ws->waitForDisconnected(1000); // an explicit wait: the default would be timeout(), 100 ms here
    qInfo() << "close code" << ws->closeCode() << ws->closeReason();
    //! [close-timeout]
}

void defaultTimeout(const QUrl &url)
{
    //! [default-timeout]
    WsClient::WebSocket::setDefaultTimeout(
        5000); // setdefaulttimeout(5): for WebSocket objects made from now on
    auto ws = WsClient::WebSocket::connectTo(url);
    qInfo() << "timeout of a new socket:" << ws->timeout() << "ms";
    //! [default-timeout]
    WsClient::WebSocket::setDefaultTimeout(-1);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // A listener that accepts TCP connections but never answers the HTTP upgrade.
    QTcpServer mute;
    mute.listen(QHostAddress::LocalHost);
    openTimeout(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(mute.serverPort())));
    receiveTimeout(Snippet::url(QStringLiteral("/silent")));
    defaultTimeout(Snippet::url(QStringLiteral("/")));
    return 0;
}
