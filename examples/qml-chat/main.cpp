// A chat window on the WebSocketClient element (QML module WsClient): type a line, send it, see
// what the server answers.
//
//   QML_IMPORT_PATH=<prefix>/lib/qml qml-chat [ws://127.0.0.1:8765/]
//
// The URL can be changed in the window; the element reconnects to it.
#include <QtCore/qurl.h>
#include <QtGui/qguiapplication.h>
#include <QtQml/qqmlapplicationengine.h>

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    const QStringList arguments = QGuiApplication::arguments();
    const QUrl server(arguments.size() > 1 ? arguments.at(1) : QStringLiteral("ws://127.0.0.1:8765/"));

    QQmlApplicationEngine engine;
    engine.setInitialProperties({ { QStringLiteral("serverUrl"), server } });
    const QUrl main(QStringLiteral("qrc:/qt/qml/QmlChat/Main.qml"));
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreated, &app,
        [main](QObject *object, const QUrl &url) {
            if (!object && url == main)
                QCoreApplication::exit(1); // the errors were printed (e.g. module WsClient not found)
        },
        Qt::QueuedConnection);
    engine.load(main);
    return QGuiApplication::exec();
}
