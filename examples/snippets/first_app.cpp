// Getting started: a first WebSocketApp, the long-lived connection (docs/getting-started.md).
#include "snippetenv.h"

#include <WsClient/WebSocketApp>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

int main(int argc, char **argv)
{
    QCoreApplication application(argc, argv);
    const QUrl url = Snippet::url(QStringLiteral("/"));

    //! [app]
    WsClient::WebSocketApp app(url);
    app.setPingInterval(20000); // a ping every 20 s ...
    app.setPingTimeout(10000); // ... answered within 10 s, or the connection counts as dead
    app.setReconnectDelay(1000); // after a drop: reconnect in 1 s, 2 s, 4 s ... (at most 30 s)

    QObject::connect(&app, &WsClient::WebSocketApp::opened, &app, [&app] {
        qInfo() << "opened";
        app.sendText(QStringLiteral("Hello, World"));
    });
    QObject::connect(
        &app, &WsClient::WebSocketApp::textMessageReceived, &app, [&app](const QString &message) {
            qInfo().noquote() << "received:" << message;
            app.close(); // stops for good: no reconnect after this
        });
    QObject::connect(
        &app, &WsClient::WebSocketApp::errorOccurred, &app, [](WsClient::Error error, const QString &why) {
            qInfo().noquote() << "error:" << WsClient::errorName(error) << why;
        });
    QObject::connect(&app, &WsClient::WebSocketApp::closed, &app,
        [](int code, const QString &reason) { qInfo() << "closed:" << code << reason; });

    const bool failed = app.runForever(); // websocket-client's run_forever(): returns once closed()
    //! [app]
    return failed ? 1 : 0;
}
