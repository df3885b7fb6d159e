#include <WsClient/Frame>
#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv); // a QObject program has its application object first
    // RFC 6455 §5.7: a masked "Hello" with key 37 fa 21 3d.
    const QByteArray wire
        = WsClient::Frame::createText(QStringLiteral("Hello")).serialize(QByteArray::fromHex("37fa213d"));
    WsClient::WebSocket socket; // links the QObject side too
    std::printf("%s %d\n", wire.toHex().constData(), int(socket.state()));
    return wire == QByteArray::fromHex("818537fa213d7f9f4d5158") ? 0 : 1;
}
