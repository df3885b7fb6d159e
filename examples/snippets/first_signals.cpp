// Getting started: the same exchange driven by signals on the event loop (docs/getting-started.md).
#include "snippetenv.h"

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QUrl url = Snippet::url(QStringLiteral("/"));

    //! [signals]
    auto *ws = new WsClient::WebSocket(&app);
    QObject::connect(ws, &WsClient::WebSocket::connected, ws, [ws] {
        qInfo() << "connected, subprotocol" << ws->subprotocol();
        ws->sendText(QStringLiteral("Hello, World"));
    });
    QObject::connect(ws, &WsClient::WebSocket::textMessageReceived, ws, [ws](const QString &message) {
        qInfo().noquote() << "received:" << message;
        ws->close(quint16(WsClient::CloseCode::Normal), QStringLiteral("done"));
    });
    QObject::connect(
        ws, &WsClient::WebSocket::errorOccurred, ws, [&app](WsClient::Error error, const QString &why) {
            qInfo().noquote() << "error:" << WsClient::errorName(error) << why;
            app.exit(1);
        });
    QObject::connect(ws, &WsClient::WebSocket::disconnected, ws, [ws, &app] {
        qInfo() << "disconnected, close code" << ws->closeCode() << ws->closeReason();
        app.quit();
    });
    ws->open(url); // returns at once; the event loop does the rest
    //! [signals]
    return app.exec();
}
