// A connection that stays up, in the style of websocket-client's WebSocketApp example: print every
// message, ping every few seconds, come back after the server goes away.
//
//   app-client ws://127.0.0.1:8765/ --ping-interval 5000 --reconnect 5000 [--trace] [--send TEXT]
//
// Stops after the server closes the connection normally, or on Ctrl-C.
#include <WsClient/Trace>
#include <WsClient/WebSocketApp>

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qcoreapplication.h>
#include <QtCore/qtextstream.h>
#include <QtCore/qtimer.h>

#include <csignal>

using namespace WsClient;

namespace {

// A signal handler may only set a flag; a timer looks at it from the event loop.
volatile std::sig_atomic_t g_interrupted = 0;

void onInterrupt(int)
{
    g_interrupted = 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Long-lived WebSocket connection with keepalive and reconnect."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("url"), QStringLiteral("ws:// or wss:// URL"));
    const QCommandLineOption pingOption(QStringLiteral("ping-interval"),
        QStringLiteral("Ping every MS ms (0: off)."), QStringLiteral("ms"), QStringLiteral("5000"));
    const QCommandLineOption timeoutOption(QStringLiteral("ping-timeout"),
        QStringLiteral("Fail when a pong takes longer than MS ms (0: wait)."), QStringLiteral("ms"),
        QStringLiteral("0"));
    const QCommandLineOption reconnectOption(QStringLiteral("reconnect"),
        QStringLiteral("Reconnect after MS ms, backing off (0: never)."), QStringLiteral("ms"),
        QStringLiteral("5000"));
    const QCommandLineOption sendOption(
        QStringLiteral("send"), QStringLiteral("Send TEXT after each connect."), QStringLiteral("text"));
    const QCommandLineOption traceOption(
        QStringLiteral("trace"), QStringLiteral("Print headers and frames."));
    parser.addOptions({ pingOption, timeoutOption, reconnectOption, sendOption, traceOption });
    parser.process(application);
    if (parser.positionalArguments().size() != 1)
        parser.showHelp(2);

    QTextStream out(stdout);
    enableTrace(parser.isSet(traceOption));

    WebSocketApp app(QUrl(parser.positionalArguments().constFirst()));
    app.setPingInterval(parser.value(pingOption).toInt());
    app.setPingTimeout(parser.value(timeoutOption).toInt());
    app.setReconnectDelay(parser.value(reconnectOption).toInt());

    const QString greeting = parser.value(sendOption);
    auto greet = [&] {
        if (!greeting.isEmpty())
            app.sendText(greeting);
    };
    QObject::connect(&app, &WebSocketApp::opened, [&] {
        out << "Opened connection" << Qt::endl;
        greet();
    });
    QObject::connect(&app, &WebSocketApp::reconnected, [&] {
        out << "Reconnected" << Qt::endl;
        greet();
    });
    QObject::connect(&app, &WebSocketApp::textMessageReceived,
        [&](const QString &message) { out << message << Qt::endl; });
    QObject::connect(&app, &WebSocketApp::binaryMessageReceived,
        [&](const QByteArray &message) { out << "binary " << message.toHex(' ') << Qt::endl; });
    QObject::connect(&app, &WebSocketApp::errorOccurred,
        [&](Error error, const QString &why) { out << errorName(error) << ": " << why << Qt::endl; });
    QObject::connect(&app, &WebSocketApp::reconnectScheduled, [&](int attempt, int ms) {
        out << "reconnect attempt " << attempt << " in " << ms << " ms" << Qt::endl;
    });
    QObject::connect(&app, &WebSocketApp::closed, [&](int code, const QString &reason) {
        out << "### closed ### " << code << ' ' << reason << Qt::endl;
    });

    std::signal(SIGINT, onInterrupt);
    QTimer interruptWatch;
    QObject::connect(&interruptWatch, &QTimer::timeout, [&] {
        if (g_interrupted)
            app.close(quint16(CloseCode::Normal), QStringLiteral("bye"));
    });
    interruptWatch.start(100);
    return app.runForever() ? 1 : 0;
}
