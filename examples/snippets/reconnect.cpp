// Reconnecting with WebSocketApp (docs/faq.md, docs/examples.md). The server's /close path closes
// right after the handshake, as a restarting server would (code 1012).
#include "snippetenv.h"

#include <WsClient/WebSocket>
#include <WsClient/WebSocketApp>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

int main(int argc, char **argv)
{
    QCoreApplication application(argc, argv);
    const QUrl restarting = Snippet::url(QStringLiteral("/close?code=1012&reason=restarting"));
    const QUrl echo = Snippet::url(QStringLiteral("/echo"));

    //! [reconnect]
    WsClient::WebSocketApp app(restarting);
    app.setReconnectDelay(100); // first retry after 100 ms (websocket-client's run_forever(reconnect=…))
    app.setMaxReconnectDelay(5000); // doubling up to 5 s, minus up to 20% jitter
    app.setReconnectOnClose(true); // also come back after the server's Close frame
    app.setHeaderProvider([] { // evaluated before every attempt, e.g. for a fresh token
        return WsClient::ConnectOptions::HeaderList { { "Authorization", "Bearer fresh-token" } };
    });

    QObject::connect(&app, &WsClient::WebSocketApp::opened, &app, [] { qInfo() << "opened"; });
    QObject::connect(&app, &WsClient::WebSocketApp::reconnectScheduled, &app, [&](int attempt, int) {
        qInfo() << "reconnect attempt" << attempt << "after close code" << app.socket()->closeCode();
        app.setUrl(echo); // settings take effect at the next connection
    });
    QObject::connect(&app, &WsClient::WebSocketApp::reconnected, &app, [&app] {
        qInfo() << "reconnected";
        app.sendText(QStringLiteral("back again"));
    });
    QObject::connect(&app, &WsClient::WebSocketApp::textMessageReceived, &app, [&app](const QString &text) {
        qInfo() << "received" << text;
        app.close(); // a close() of our own never reconnects
    });
    QObject::connect(&app, &WsClient::WebSocketApp::closed, &app,
        [](int code, const QString &) { qInfo() << "closed for good:" << code; });
    app.runForever();
    //! [reconnect]
    return 0;
}
