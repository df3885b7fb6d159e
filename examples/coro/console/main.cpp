// The two first WsClient programs, echo-client and app-client, as C++20 coroutines (WsClient::Coro,
// through QCoro): they read top to bottom like the blocking style, but run on the event loop.
//
//   coro-client echo ws://127.0.0.1:8765/
//   coro-client app ws://127.0.0.1:8765/ [--ping-interval MS] [--reconnect MS] [--send TEXT] [--count N]
//
// "echo" exchanges a few messages and closes. "app" keeps a WebSocketApp connection up (keepalive,
// reconnect), prints every message, and stops after N messages (--count), after a normal close by
// the server, or on Ctrl-C.
#include <WsClient/Coro>

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qcoreapplication.h>
#include <QtCore/qtextstream.h>
#include <QtCore/qtimer.h>

#include <csignal>

using namespace WsClient;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

volatile std::sig_atomic_t g_interrupted = 0;

void onInterrupt(int)
{
    g_interrupted = 1;
}

QCoro::Task<int> echo(QUrl url)
{
    WebSocket ws;
    ConnectOptions options;
    options.setTimeout(5000);
    const Coro::Result opened = co_await coro(ws).open(url, options);
    if (!opened) {
        out() << "error: " << errorName(opened.error()) << ": " << opened.errorString() << Qt::endl;
        co_return 1;
    }
    out() << "connected to " << ws.effectiveUrl().toDisplayString() << " (HTTP " << ws.handshakeStatus()
          << ")" << Qt::endl;

    const QStringList texts = { QStringLiteral("Hello, World"), QStringLiteral("Grüße aus Köln ✓") };
    for (const QString &text : texts) {
        ws.sendText(text);
        out() << "> " << text << Qt::endl;
        const Coro::MessageResult reply = co_await coro(ws).receive(5000);
        if (!reply) {
            out() << "error: " << errorName(reply.error()) << ": " << reply.errorString() << Qt::endl;
            co_return 1;
        }
        out() << "< " << reply->text() << Qt::endl;
    }

    const QByteArray bytes = QByteArray::fromHex("00ff10207f80");
    ws.sendBinary(bytes);
    out() << "> binary " << bytes.toHex(' ') << Qt::endl;
    const Coro::MessageResult reply = co_await coro(ws).receive(5000);
    out() << "< binary " << reply->data.toHex(' ') << Qt::endl;

    const ConnectionEnd end = co_await coro(ws).close(quint16(CloseCode::Normal), QStringLiteral("bye"));
    out() << "closed: code " << end.closeCode() << (end.isClean() ? " (clean)" : "") << Qt::endl;
    co_return reply->data == bytes ? 0 : 1;
}

QCoro::Task<int> longLived(WebSocketApp *app, QString greeting, int count)
{
    // Progress the coroutine does not wait for still comes as signals.
    QObject::connect(app, &WebSocketApp::errorOccurred, app,
        [](Error error, const QString &why) { out() << errorName(error) << ": " << why << Qt::endl; });
    QObject::connect(app, &WebSocketApp::reconnectScheduled, app, [](int attempt, int ms) {
        out() << "reconnect attempt " << attempt << " in " << ms << " ms" << Qt::endl;
    });
    QObject::connect(app, &WebSocketApp::reconnected, app, [app, greeting] {
        out() << "Reconnected" << Qt::endl;
        if (!greeting.isEmpty())
            app->sendText(greeting);
    });

    const Coro::Result started = co_await coro(app).start();
    if (!started) {
        out() << "error: " << errorName(started.error()) << ": " << started.errorString() << Qt::endl;
        co_return 1;
    }
    out() << "Opened connection" << Qt::endl;
    if (!greeting.isEmpty())
        app->sendText(greeting);

    int received = 0;
    // Every message of every connection, until the app stops for good.
    QCORO_FOREACH(const Message &message, coro(app).messages())
    {
        if (message.isText())
            out() << message.text() << Qt::endl;
        else
            out() << "binary " << message.data.toHex(' ') << Qt::endl;
        if (++received == count)
            app->close(quint16(CloseCode::Normal), QStringLiteral("done"));
    }
    const ConnectionEnd end = co_await coro(app).closed();
    out() << "### closed ### " << end.closeCode() << ' ' << end.closeReason() << Qt::endl;
    co_return end.error() == Error::NoError ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("WsClient's echo and long-lived examples as coroutines."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("mode"), QStringLiteral("echo or app"));
    parser.addPositionalArgument(QStringLiteral("url"), QStringLiteral("ws:// or wss:// URL"));
    const QCommandLineOption pingOption(QStringLiteral("ping-interval"),
        QStringLiteral("app: ping every MS ms (0: off)."), QStringLiteral("ms"), QStringLiteral("5000"));
    const QCommandLineOption reconnectOption(QStringLiteral("reconnect"),
        QStringLiteral("app: reconnect after MS ms, backing off (0: never)."), QStringLiteral("ms"),
        QStringLiteral("5000"));
    const QCommandLineOption sendOption(
        QStringLiteral("send"), QStringLiteral("app: send TEXT after each connect."), QStringLiteral("text"));
    const QCommandLineOption countOption(QStringLiteral("count"),
        QStringLiteral("app: stop after N messages."), QStringLiteral("n"), QStringLiteral("0"));
    parser.addOptions({ pingOption, reconnectOption, sendOption, countOption });
    parser.process(application);
    const QStringList args = parser.positionalArguments();
    if (args.size() != 2 || (args.at(0) != QLatin1String("echo") && args.at(0) != QLatin1String("app")))
        parser.showHelp(2);
    const QUrl url(args.at(1));

    if (args.at(0) == QLatin1String("echo"))
        return QCoro::waitFor(echo(url)); // runs the event loop until the coroutine is done

    WebSocketApp app(url);
    app.setPingInterval(parser.value(pingOption).toInt());
    app.setReconnectDelay(parser.value(reconnectOption).toInt());
    std::signal(SIGINT, onInterrupt);
    QTimer interruptWatch;
    QObject::connect(&interruptWatch, &QTimer::timeout, &app, [&app] {
        if (g_interrupted)
            app.close(quint16(CloseCode::Normal), QStringLiteral("bye"));
    });
    interruptWatch.start(100);
    return QCoro::waitFor(longLived(&app, parser.value(sendOption), parser.value(countOption).toInt()));
}
