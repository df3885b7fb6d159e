// Fragmentation: sending a message in several frames, receiving frame by frame (docs/examples.md).
// The server's /fragment?size=N path echoes each message as frames of N payload bytes.
#include "snippetenv.h"

#include <WsClient/Frame>
#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

namespace {

void sendFrames(const QUrl &url)
{
    auto ws = WsClient::WebSocket::connectTo(url);
    //! [send-frames]
    // By hand: the first frame carries the opcode, continuations follow, the last one has FIN set.
    ws->sendFrame(WsClient::Frame::createText(QStringLiteral("Hello, "), false));
    ws->sendFrame(WsClient::Frame::create("Wor", WsClient::Opcode::Continuation, false));
    ws->sendFrame(WsClient::Frame::create("ld", WsClient::Opcode::Continuation, true));
    qInfo() << ws->receive(5000).text(); // the server got one message
    //! [send-frames]
    ws->close();
    ws->waitForDisconnected();
}

void splitOutgoing(const QUrl &url)
{
    //! [outgoing-size]
    // Or let WsClient split every message larger than 4 KiB into 4 KiB frames:
    WsClient::ConnectOptions options;
    options.setOutgoingFrameSize(4096);
    auto ws = WsClient::WebSocket::connectTo(url, options);
    ws->sendBinary(QByteArray(10000, 'x')); // three frames: 4096 + 4096 + 1808 bytes
    //! [outgoing-size]
    qInfo() << "echoed" << ws->receive(5000).data.size() << "bytes";
    ws->close();
    ws->waitForDisconnected();
}

void receiveFrames(const QUrl &url)
{
    //! [fire-cont-frame]
    // Each data frame as it arrives instead of whole messages (websocket-client's fire_cont_frame=True).
    WsClient::ConnectOptions options;
    options.setFireContinuationFrames(true);
    auto ws = WsClient::WebSocket::connectTo(url, options); // e.g. ws://…/fragment?size=4
    ws->sendText(QStringLiteral("Hello, World"));
    for (;;) {
        const WsClient::Message part = ws->receive(5000);
        qInfo() << part.opcode << part.data << "final:" << part.isFinal;
        if (!part.isValid() || part.isFinal)
            break;
    }
    //! [fire-cont-frame]
    ws->close();
    ws->waitForDisconnected();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    sendFrames(Snippet::url(QStringLiteral("/echo")));
    splitOutgoing(Snippet::url(QStringLiteral("/echo")));
    receiveFrames(Snippet::url(QStringLiteral("/fragment?size=4")));
    return 0;
}
