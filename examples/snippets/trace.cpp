// Trace logging: request and response headers and every frame (docs/examples.md, "Trace logging").
#include "snippetenv.h"

#include <WsClient/Trace>
#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>
#include <QtCore/qloggingcategory.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);

    //! [enable]
    WsClient::enableTrace(true); // websocket.enableTrace(True)
    //! [enable]
    auto ws = WsClient::WebSocket::connectTo(Snippet::url(QStringLiteral("/")));
    ws->sendText(QStringLiteral("Hello, World"));
    ws->receive(5000);
    ws->close();
    ws->waitForDisconnected();

    //! [category]
    // The trace is the logging category "wsclient.trace" at debug level: the usual Qt switches apply,
    // e.g. QT_LOGGING_RULES="wsclient.trace.debug=true" in the environment, or rules in code
    // (here turning it off again):
    QLoggingCategory::setFilterRules(QStringLiteral("wsclient.trace.debug=false"));
    qInfo() << "trace on:" << WsClient::lcTrace().isDebugEnabled();
    //! [category]
    return 0;
}
