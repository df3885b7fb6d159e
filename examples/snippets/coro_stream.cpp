// Coroutines (docs/coroutines.md): the messages of a connection as an async generator.
#include "snippetenv.h"

#include <WsClient/Coro>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

QCoro::Task<> stream(QUrl url)
{
    WsClient::WebSocket ws;
    if (!co_await WsClient::coro(ws).open(url))
        co_return;
    for (const char *text : { "one", "two", "three" })
        ws.sendText(QString::fromLatin1(text));
    //! [stream]
    int count = 0;
    QCORO_FOREACH(const WsClient::Message &message, WsClient::coro(ws).messages())
    {
        qInfo().noquote() << "message" << ++count << message.text();
        if (count == 3)
            ws.close(); // the stream ends with the connection
    }
    const WsClient::ConnectionEnd end = co_await WsClient::coro(ws).finished(); // how it ended
    qInfo() << "stream ended, close code" << end.closeCode();
    //! [stream]
}

QCoro::Task<> loop(QUrl url)
{
    WsClient::WebSocket ws;
    co_await WsClient::coro(ws).open(url);
    ws.sendText(QStringLiteral("four"));
    ws.sendText(QStringLiteral("five"));
    // clang-format's C++17 mode (the project's) would write "co_await++ it":
    // clang-format off
    //! [loop]
    auto messages = WsClient::coro(ws).messages();
    for (auto it = co_await messages.begin(); it != messages.end(); co_await ++it) {
        qInfo().noquote() << "got" << (*it).text();
        if ((*it).text() == QLatin1String("five"))
            ws.close();
    }
    //! [loop]
    // clang-format on
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoro::waitFor(stream(Snippet::url(QStringLiteral("/"))));
    QCoro::waitFor(loop(Snippet::url(QStringLiteral("/"))));
    return 0;
}
