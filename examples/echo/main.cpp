// A first WsClient program: connect, exchange a few messages, close — in the blocking style,
// so it reads top to bottom. Usage: echo-client ws://127.0.0.1:8765/
#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qtextstream.h>

using namespace WsClient;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        out << "usage: echo-client ws://host:port/path\n";
        return 2;
    }

    ConnectOptions options;
    options.setTimeout(5000);
    auto ws = WebSocket::connectTo(QUrl(args.at(1)), options);
    if (!ws->isOpen()) {
        out << "error: " << errorName(ws->error()) << ": " << ws->errorString() << "\n";
        return 1;
    }
    out << "connected to " << ws->effectiveUrl().toDisplayString() << " (HTTP " << ws->handshakeStatus()
        << ")\n";

    const QStringList texts = { QStringLiteral("Hello, World"), QStringLiteral("Grüße aus Köln ✓") };
    for (const QString &text : texts) {
        ws->sendText(text);
        out << "> " << text << "\n";
        const Message reply = ws->receive(5000);
        if (!reply.isValid()) {
            out << "error: " << ws->errorString() << "\n";
            return 1;
        }
        out << "< " << reply.text() << "\n";
    }

    const QByteArray bytes = QByteArray::fromHex("00ff10207f80");
    ws->sendBinary(bytes);
    out << "> binary " << bytes.toHex(' ') << "\n";
    const Message reply = ws->receive(5000);
    out << "< binary " << reply.data.toHex(' ') << "\n";

    ws->close(quint16(CloseCode::Normal), QStringLiteral("bye"));
    ws->waitForDisconnected(5000);
    out << "closed: code " << ws->closeCode() << " " << ws->closeReason() << "\n";
    return reply.data == bytes ? 0 : 1;
}
