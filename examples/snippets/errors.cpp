// Telling what went wrong (docs/faq.md): error codes, messages, the failed handshake's status and body.
#include "snippetenv.h"

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

namespace {

void badStatus(const QUrl &url)
{
    //! [bad-status]
    auto ws = WsClient::WebSocket::connectTo(url); // the server answers the upgrade with 403
    if (ws->error() == WsClient::Error::BadStatus) { // websocket-client's WebSocketBadStatusException
        qInfo() << "HTTP status" << ws->handshakeStatus();
        qInfo() << "body" << ws->handshakeBody();
        for (const auto &[name, value] : ws->handshakeHeaders())
            if (name == "Content-Type")
                qInfo() << name << value;
    }
    //! [bad-status]
    qInfo().noquote() << WsClient::errorName(ws->error()) + QLatin1Char(':') << ws->errorString();
}

void refused(quint16 closedPort)
{
    //! [error-string]
    auto ws = WsClient::WebSocket::connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(closedPort)));
    if (!ws->isOpen())
        qInfo().noquote() << WsClient::errorName(ws->error()) + QLatin1Char(':') << ws->errorString();
    //! [error-string]
}

void invalidUrl()
{
    auto ws = WsClient::WebSocket::connectTo(QUrl(QStringLiteral("http://example.com/")));
    qInfo().noquote() << WsClient::errorName(ws->error()) + QLatin1Char(':') << ws->errorString();
}

void alreadyClosed(const QUrl &url)
{
    //! [already-closed]
    auto ws = WsClient::WebSocket::connectTo(url);
    ws->close();
    ws->waitForDisconnected();
    if (ws->sendText(QStringLiteral("too late")) < 0) // no exception: -1, and error() says why
        qInfo().noquote() << WsClient::errorName(ws->error()) + QLatin1Char(':') << ws->errorString();
    //! [already-closed]
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    badStatus(Snippet::url(QStringLiteral("/status?code=403&body=no%20entry")));
    refused(1); // nothing listens on port 1 of the loopback interface
    invalidUrl();
    alreadyClosed(Snippet::url(QStringLiteral("/")));
    return 0;
}
