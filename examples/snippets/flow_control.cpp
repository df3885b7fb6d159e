// Delivery and flow control: back-pressure with the send-buffer bound, blocking and with signals,
// and the end-of-connection report (docs/delivery.md). The server's /count path counts the
// messages it gets and answers "count?" with the number.
#include "snippetenv.h"

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>
#include <QtCore/qeventloop.h>

namespace {

void blocking(const QUrl &url)
{
    //! [blocking]
    WsClient::ConnectOptions options;
    options.setSendBufferLimit(4 * 1024 * 1024); // default 16 MiB (DefaultSendBufferLimit)
    auto ws = WsClient::WebSocket::connectTo(url, options);
    const QByteArray chunk(1024 * 1024, 'x');
    int sent = 0;
    while (sent < 40) {
        if (ws->sendBinary(chunk) >= 0)
            ++sent;
        else if (ws->error() == WsClient::Error::SendBufferFull)
            ws->waitForBytesWritten(5000); // room again once the kernel has taken some
        else
            break; // the connection is gone: error() says why
    }
    qInfo() << "sent" << sent << "messages of 1 MiB";
    //! [blocking]
    ws->sendText(QStringLiteral("count?"));
    qInfo() << "the server counted" << ws->receive(10000).text();

    //! [end]
    ws->close(); // what was accepted goes first, then the Close
    ws->waitForDisconnected();
    const WsClient::ConnectionEnd end = ws->connectionEnd();
    qInfo() << "clean:" << end.isClean() << "code" << end.closeCode() << "undelivered"
            << end.undeliveredMessages() << "messages," << end.undeliveredBytes() << "bytes";
    //! [end]
}

void withSignals(const QUrl &url)
{
    //! [signals]
    WsClient::WebSocket ws;
    const QByteArray chunk(256 * 1024, 'y');
    int left = 64;
    auto sendWhatFits = [&] {
        while (left > 0 && ws.sendBinary(chunk) >= 0) // refused (SendBufferFull) when the buffer is full
            --left;
        if (left == 0)
            ws.sendText(QStringLiteral("count?"));
    };
    QObject::connect(&ws, &WsClient::WebSocket::connected, &ws, sendWhatFits);
    QObject::connect(&ws, &WsClient::WebSocket::bytesWritten, &ws, [&] {
        if (left > 0)
            sendWhatFits(); // the buffer drained a little: go on
    });
    QObject::connect(&ws, &WsClient::WebSocket::textMessageReceived, &ws, [&](const QString &count) {
        qInfo() << "the server counted" << count;
        ws.close();
    });
    QEventLoop loop;
    QObject::connect(&ws, &WsClient::WebSocket::finished, &loop, [&](const WsClient::ConnectionEnd &end) {
        qInfo() << "finished: clean" << end.isClean() << "error" << end.error();
        loop.quit();
    });
    WsClient::ConnectOptions options;
    options.setSendBufferLimit(1024 * 1024);
    ws.open(url, options);
    loop.exec();
    //! [signals]
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    blocking(Snippet::url(QStringLiteral("/count")));
    withSignals(Snippet::url(QStringLiteral("/count")));
    return 0;
}
