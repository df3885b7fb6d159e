// wsinspector: open a WebSocket, watch every frame, send text, binary and pings, close with any code.
#include "mainwindow.h"

#include <WsClient/wsclient_global.h>

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qsettings.h>
#include <QtWidgets/qapplication.h>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("WsClient"));
    QApplication::setApplicationName(QStringLiteral("wsinspector"));
    QApplication::setApplicationVersion(QStringLiteral(WSCLIENT_VERSION_STR));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("A GUI inspector for WebSocket connections."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("url"),
        QStringLiteral("ws:// or wss:// URL to connect to at start"), QStringLiteral("[url]"));
    parser.process(app);

    QSettings settings;
    MainWindow window(&settings);
    window.show();
    if (!parser.positionalArguments().isEmpty()) {
        window.setUrl(parser.positionalArguments().constFirst());
        window.connectToServer();
    }
    return app.exec();
}
