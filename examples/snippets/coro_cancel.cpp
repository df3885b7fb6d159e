// Coroutines (docs/coroutines.md): what happens to a waiting coroutine when its socket goes away.
#include "snippetenv.h"

#include <WsClient/Coro>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>
#include <QtCore/qtimer.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QUrl url = Snippet::url(QStringLiteral("/silent"));
    //! [destroyed]
    auto *ws = new WsClient::WebSocket;
    auto waiter = [](WsClient::WebSocket *socket, QUrl to) -> QCoro::Task<> {
        co_await WsClient::coro(socket).open(to);
        QTimer::singleShot(100, [socket] { delete socket; }); // someone else deletes the socket
        const auto reply = co_await WsClient::coro(socket).receive(); // no timeout
        // Resumed, not left hanging: socket is dangling now, the result says why.
        qInfo().noquote() << WsClient::errorName(reply.error()) + QLatin1Char(':') << reply.errorString();
    };
    QCoro::waitFor(waiter(ws, url));
    //! [destroyed]
    return 0;
}
