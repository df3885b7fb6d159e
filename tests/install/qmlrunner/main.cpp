// qml-runner FILE.qml URL: loads FILE with the root property serverUrl = URL and returns the code
// the QML passes to Qt.exit(). No GUI: the QML may use QtQml and WsClient only.
#include <QtCore/qcoreapplication.h>
#include <QtCore/qurl.h>
#include <QtQml/qqmlapplicationengine.h>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() != 3) {
        qCritical("usage: qml-runner FILE.qml URL");
        return 2;
    }
    QQmlApplicationEngine engine;
    qInfo().noquote() << "import paths:" << engine.importPathList().join(QStringLiteral(" "));
    engine.setInitialProperties({ { QStringLiteral("serverUrl"), QUrl(arguments.at(2)) } });
    engine.load(QUrl::fromLocalFile(arguments.at(1)));
    if (engine.rootObjects().isEmpty())
        return 3; // the engine printed why (e.g. module "WsClient" is not installed)
    return QCoreApplication::exec();
}
