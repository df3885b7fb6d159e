// Coroutines (docs/coroutines.md): open, exchange and close with co_await, errors as values.
#include "snippetenv.h"

#include <WsClient/Coro>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

//! [first]
QCoro::Task<> hello(QUrl url)
{
    WsClient::WebSocket ws;
    const WsClient::Coro::Result opened = co_await WsClient::coro(ws).open(url);
    if (!opened) { // no exception: the error is a value
        qInfo().noquote() << "open failed:" << WsClient::errorName(opened.error()) << opened.errorString();
        co_return;
    }
    qInfo() << "connected, HTTP" << ws.handshakeStatus();

    ws.sendText(QStringLiteral("Hello, World"));
    const WsClient::Coro::MessageResult reply = co_await WsClient::coro(ws).receive(5000);
    if (reply)
        qInfo().noquote() << "received:" << reply->text();
    else
        qInfo().noquote() << "no reply:" << WsClient::errorName(reply.error()) << reply.errorString();

    const WsClient::ConnectionEnd end = co_await WsClient::coro(ws).close(1000, QStringLiteral("done"));
    qInfo() << "closed with" << end.closeCode() << "clean:" << end.isClean();
}
//! [first]

QCoro::Task<> timeout(QUrl url)
{
    //! [timeout]
    WsClient::WebSocket ws;
    co_await WsClient::coro(ws).open(url); // the /silent path never answers a message
    const auto reply = co_await WsClient::coro(ws).receive(200);
    qInfo().noquote() << WsClient::errorName(reply.error()) + QLatin1Char(':') << reply.errorString();
    //! [timeout]
    ws.abort();
}

QCoro::Task<> errors(QUrl forbidden)
{
    //! [errors]
    WsClient::WebSocket ws;
    for (const QUrl &url : { QUrl(QStringLiteral("http://example.com/")),
             QUrl(QStringLiteral("ws://127.0.0.1:1/")), forbidden }) {
        const auto opened = co_await WsClient::coro(ws).open(url);
        qInfo().noquote() << WsClient::errorName(opened.error()) + QLatin1Char(':') << opened.errorString();
    }
    //! [errors]
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    //! [main]
    QCoro::waitFor(hello(Snippet::url(QStringLiteral("/")))); // runs the event loop until it is done
    //! [main]
    QCoro::waitFor(timeout(Snippet::url(QStringLiteral("/silent"))));
    QCoro::waitFor(errors(Snippet::url(QStringLiteral("/status?code=403"))));
    return 0;
}
