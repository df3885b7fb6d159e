// Coroutines (docs/coroutines.md): WebSocketApp, a connection that stays up, with co_await.
#include "snippetenv.h"

#include <WsClient/Coro>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

//! [app]
QCoro::Task<> feed(QUrl url)
{
    WsClient::WebSocketApp app(url);
    app.setPingInterval(20000);
    app.setPingTimeout(10000);
    app.setReconnectDelay(1000); // reconnects after drops; the stream goes on across them

    const auto started = co_await WsClient::coro(app).start(); // the first connection
    if (!started) {
        qInfo().noquote() << "could not connect:" << started.errorString();
        co_return;
    }
    app.sendText(QStringLiteral("subscribe"));
    QCORO_FOREACH(const WsClient::Message &message, WsClient::coro(app).messages())
    {
        qInfo().noquote() << "received:" << message.text();
        app.close(); // stops for good: the stream ends
    }
    const WsClient::ConnectionEnd end = co_await WsClient::coro(app).closed();
    qInfo() << "stopped:" << end.closeCode() << "clean:" << end.isClean();
}
//! [app]

int main(int argc, char **argv)
{
    QCoreApplication application(argc, argv);
    QCoro::waitFor(feed(Snippet::url(QStringLiteral("/"))));
    return 0;
}
