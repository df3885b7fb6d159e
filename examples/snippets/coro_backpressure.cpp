// Coroutines (docs/coroutines.md): sending a large amount without growing the send buffer.
#include "snippetenv.h"

#include <WsClient/Coro>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

//! [backpressure]
// Sends chunks, letting at most 4 MiB wait to be written: the coroutine waits, not the thread.
QCoro::Task<bool> upload(WsClient::WebSocket &ws, int chunks, QByteArray chunk)
{
    constexpr qint64 HighWater = 4 << 20;
    for (int i = 0; i < chunks; ++i) {
        if (ws.bytesToWrite() > HighWater) {
            const auto drained = co_await WsClient::coro(ws).waitForBytesWritten(30000, HighWater / 2);
            if (!drained)
                co_return false; // Timeout, or ConnectionClosed when the connection ended
        }
        if (ws.sendBinary(chunk) < 0) {
            if (ws.error() != WsClient::Error::SendBufferFull)
                co_return false;
            --i; // ConnectOptions::sendBufferLimit() reached: wait, then send this one again
            if (!co_await WsClient::coro(ws).waitForBytesWritten(30000, HighWater / 2))
                co_return false;
        }
    }
    co_return bool(co_await WsClient::coro(ws).waitForBytesWritten(30000)); // all handed to the kernel
}
//! [backpressure]

QCoro::Task<> run(QUrl url)
{
    WsClient::WebSocket ws;
    if (!co_await WsClient::coro(ws).open(url))
        co_return;
    const bool sent = co_await upload(ws, 64, QByteArray(1 << 20, 'x'));
    qInfo() << "64 MiB sent:" << sent << "waiting now:" << ws.bytesToWrite();
    int echoes = 0;
    while (echoes < 64) {
        if (!co_await WsClient::coro(ws).receive(30000))
            break;
        ++echoes;
    }
    qInfo() << "echoes:" << echoes;
    co_await WsClient::coro(ws).close();
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoro::waitFor(run(Snippet::url(QStringLiteral("/"))));
    return 0;
}
