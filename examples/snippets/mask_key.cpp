// A custom mask key generator (docs/examples.md; websocket-client's get_mask_key / set_mask_key).
#include "snippetenv.h"

#include <WsClient/Frame>
#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QUrl url = Snippet::url(QStringLiteral("/"));

    //! [generator]
    // Called for every frame sent; must return `length` (4) bytes. Only for tests and debugging:
    // RFC 6455 wants an unpredictable key, which is what the default (system random) gives.
    WsClient::ConnectOptions options;
    options.setMaskKeyGenerator([](int length) { return QByteArray::fromHex("37fa213d").left(length); });
    auto ws = WsClient::WebSocket::connectTo(url, options);
    ws->sendText(QStringLiteral("Hello"));
    qInfo() << ws->receive(5000).text();
    //! [generator]

    //! [wire]
    // What that key makes of "Hello" on the wire (RFC 6455 §5.7):
    const QByteArray wire
        = WsClient::Frame::createText(QStringLiteral("Hello")).serialize(QByteArray::fromHex("37fa213d"));
    qInfo() << wire.toHex(' '); // 81 85 37 fa 21 3d 7f 9f 4d 51 58
    //! [wire]
    ws->close();
    ws->waitForDisconnected();
    return 0;
}
