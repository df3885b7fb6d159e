// Choosing the opcode, and raw frames (docs/examples.md, "Custom opcodes").
#include "snippetenv.h"

#include <WsClient/Frame>
#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    auto ws = WsClient::WebSocket::connectTo(Snippet::url(QStringLiteral("/")));

    //! [send-opcode]
    // websocket-client's ws.send(payload, opcode=ABNF.OPCODE_BINARY):
    ws->send(QByteArray::fromHex("cafe"), WsClient::Opcode::Binary);
    WsClient::Message echo = ws->receive(5000);
    qInfo() << echo.opcode << echo.data.toHex();
    ws->send("ping by opcode", WsClient::Opcode::Ping); // control opcodes too (payload <= 125 bytes)
    echo = ws->receiveData(5000, true);
    qInfo() << echo.opcode << echo.data;
    //! [send-opcode]

    //! [raw-frame]
    // Any frame as is (websocket-client's send_frame(ABNF…)): opcode, FIN and RSV bits are yours; it is
    // masked. A reserved opcode such as 0x3 is a protocol error for a conforming server:
    WsClient::Frame frame = WsClient::Frame::create("?", WsClient::Opcode(0x3));
    ws->sendFrame(frame);
    ws->waitForDisconnected();
    qInfo() << "the server closed with" << ws->closeCode() << ws->closeReason();
    //! [raw-frame]
    return 0;
}
