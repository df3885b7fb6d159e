// A transport of your own: a unix-domain socket, or a TCP socket you set up yourself
// (docs/examples.md, "Custom sockets"; websocket-client's socket= option).
//   custom_socket unix   needs WSCLIENT_SNIPPET_UNIX (a server on a unix socket)
//   custom_socket tcp    needs WSCLIENT_SNIPPET_URL
#include "snippetenv.h"

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>
#include <QtNetwork/qlocalsocket.h>
#include <QtNetwork/qtcpsocket.h>

namespace {

void echo(WsClient::WebSocket &ws, const QString &text)
{
    ws.sendText(text);
    qInfo().noquote() << "echo:" << ws.receive(5000).text();
    ws.close();
    ws.waitForDisconnected();
}

bool unixDomain(const QString &path)
{
    //! [unix]
    QLocalSocket local; // must outlive the WebSocket's use of it
    local.connectToServer(path); // e.g. "/run/app/ws.sock"
    if (!local.waitForConnected(5000))
        return false;
    WsClient::ConnectOptions options;
    options.setDevice(&local); // not owned; any open, sequential QIODevice will do
    // The URL still gives the Host header and the resource.
    auto ws = WsClient::WebSocket::connectTo(QUrl(QStringLiteral("ws://localhost/echo")), options);
    //! [unix]
    qInfo() << "over a unix socket:" << ws->state();
    echo(*ws, QStringLiteral("through a unix socket"));
    return true;
}

bool ownTcpSocket(const QUrl &url)
{
    //! [tcp]
    QTcpSocket tcp;
    tcp.bind(QHostAddress::LocalHost); // e.g. choose the local address yourself
    tcp.connectToHost(url.host(), quint16(url.port()));
    if (!tcp.waitForConnected(5000))
        return false;
    tcp.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    WsClient::ConnectOptions options;
    options.setDevice(&tcp);
    auto ws = WsClient::WebSocket::connectTo(url, options);
    //! [tcp]
    qInfo() << "over an own TCP socket:" << ws->state();
    echo(*ws, QStringLiteral("through my socket"));
    return true;
}

void socketOptions(const QUrl &url)
{
    //! [sockopt]
    // Options for the socket WsClient makes itself (websocket-client's sockopt=). TCP_NODELAY and
    // SO_KEEPALIVE are on by default.
    WsClient::ConnectOptions options;
    options.setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, 1 << 20);
    options.setSocketOption(QAbstractSocket::KeepAliveOption, 0);
    auto ws = WsClient::WebSocket::connectTo(url, options);
    //! [sockopt]
    qInfo() << "with socket options:" << ws->state();
    echo(*ws, QStringLiteral("tuned"));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QString mode = app.arguments().value(1);
    if (mode == QLatin1String("unix"))
        return unixDomain(Snippet::env("WSCLIENT_SNIPPET_UNIX")) ? 0 : 1;
    if (mode == QLatin1String("tcp")) {
        socketOptions(Snippet::url(QStringLiteral("/")));
        return ownTcpSocket(Snippet::url(QStringLiteral("/"))) ? 0 : 1;
    }
    return 2;
}
