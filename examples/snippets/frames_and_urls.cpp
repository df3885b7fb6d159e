// The protocol helpers without a connection: Frame (websocket-client's ABNF) and parseUrl
// (docs/from-websocket-client.md).
#include <WsClient/Frame>
#include <WsClient/ParsedUrl>

#include <QtCore/qdebug.h>

int main()
{
    //! [frame]
    const WsClient::Frame hello = WsClient::Frame::createText(QStringLiteral("Hello")); // ABNF.create_frame
    const QByteArray key = QByteArray::fromHex("37fa213d");
    qInfo() << hello.serialize(key).toHex(' '); // ABNF.format(), with a fixed mask key
    qInfo() << WsClient::Frame::mask(key, "Hello").toHex(' '); // ABNF.mask()

    QString why;
    const WsClient::Frame bad = WsClient::Frame::createClose(999);
    qInfo() << bad.validate(&why) << why; // ABNF.validate()
    //! [frame]

    //! [url]
    const WsClient::ParsedUrl url = WsClient::parseUrl(QStringLiteral("wss://example.com/chat?room=1"));
    qInfo() << url.host << url.port << url.resource << url.secure; // parse_url()
    const WsClient::ParsedUrl wrong = WsClient::parseUrl(QStringLiteral("ws://example.com:0/"));
    qInfo() << wrong.error << wrong.errorString;
    //! [url]
    return 0;
}
