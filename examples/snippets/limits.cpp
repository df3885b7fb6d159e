// Limits: incoming message and frame size, handshake head, redirects (docs/examples.md, "Limits").
#include "snippetenv.h"

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

namespace {

void messageSize(const QUrl &url)
{
    //! [message-size]
    WsClient::ConnectOptions options;
    options.setMaxMessageSize(1024); // default 64 MiB (ConnectOptions::DefaultMaxMessageSize)
    options.setMaxFrameSize(1024); // default 64 MiB as well
    auto ws = WsClient::WebSocket::connectTo(url, options);
    ws->sendBinary(QByteArray(2000, 'x')); // the echo will be too big for us
    const WsClient::Message echo = ws->receive(5000);
    qInfo() << echo.isValid() << ws->error() << "close code" << ws->closeCode(); // 1009 sent to the server
    //! [message-size]
    ws->waitForDisconnected();
}

void redirects(const QUrl &twoRedirects)
{
    //! [redirects]
    WsClient::ConnectOptions options;
    options.setRedirectLimit(1); // default 3; 0 follows none
    auto ws = WsClient::WebSocket::connectTo(twoRedirects, options);
    qInfo() << ws->error();
    options.setRedirectLimit(WsClient::ConnectOptions::DefaultRedirectLimit);
    ws = WsClient::WebSocket::connectTo(twoRedirects, options);
    qInfo() << ws->state() << "at" << ws->effectiveUrl().path(); // the URL after the redirects
    //! [redirects]
    ws->close();
    ws->waitForDisconnected();
}

void headerSize(const QUrl &url)
{
    //! [header-size]
    WsClient::ConnectOptions options;
    options.setMaxHeaderSize(64); // bytes of the server's handshake response head; default 64 KiB
    auto ws = WsClient::WebSocket::connectTo(url, options);
    qInfo() << ws->error();
    //! [header-size]
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    messageSize(Snippet::url(QStringLiteral("/echo")));
    redirects(Snippet::url(QStringLiteral("/redirect?n=1&to=/echo")));
    headerSize(Snippet::url(QStringLiteral("/echo")));
    return 0;
}
