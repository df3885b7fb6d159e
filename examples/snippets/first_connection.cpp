// Getting started: a first connection with WebSocket in the blocking style (docs/getting-started.md).
#include "snippetenv.h"

//! [blocking]
#include <WsClient/WebSocket>

#include <QtCore/qdebug.h>

bool sayHello(const QUrl &url) // e.g. QUrl(QStringLiteral("ws://127.0.0.1:8765/"))
{
    auto ws = WsClient::WebSocket::connectTo(url); // blocks until open or failed
    if (!ws->isOpen()) {
        qInfo().noquote() << "cannot connect:" << ws->errorString();
        return false;
    }
    ws->sendText(QStringLiteral("Hello, World"));
    const WsClient::Message reply = ws->receive(5000); // waits at most 5 s
    qInfo().noquote() << "received:" << reply.text();

    ws->close(); // Close 1000, then waits (up to 3 s) for the server's Close
    ws->waitForDisconnected();
    qInfo() << "closed with code" << ws->closeCode();
    return reply.isValid();
}
//! [blocking]

#include <QtCore/qcoreapplication.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    return sayHello(Snippet::url(QStringLiteral("/"))) ? 0 : 1;
}
