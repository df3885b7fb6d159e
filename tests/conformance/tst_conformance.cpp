// The client against a scripted hostile server: every failure rule of RFC 6455 that the design
// guide lists (§3) must end with the right error and Close code, never a hang or a crash.

#include "scriptedserver.h"
#include "tracecapture.h"

#include <WsClient/Trace>
#include <WsClient/WebSocket>

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qtimer.h>
#include <QtNetwork/qtcpsocket.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <sys/socket.h>

using namespace WsClient;

Q_DECLARE_METATYPE(WsClient::Error)

namespace {

constexpr int Wait = 5000;

QByteArray text(const char *s)
{
    return QByteArray(s);
}

} // namespace

class tst_Conformance : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void frameRuleViolations_data();
    void frameRuleViolations();
    void messageTooBig();
    void handshakeFailures_data();
    void handshakeFailures();
    void oversizedResponseHeader();
    void stallMidHandshakeTimesOut();
    void stallMidFrameBlockingReceiveTimesOut();
    void tcpResetMidMessage_data();
    void tcpResetMidMessage();
    void closeWithoutCloseFrameIs1006();
    void framesInSameWriteAsResponse();
    void pingIsAnsweredWithSamePayload();
    void clientCloseWaitsForServerClose();
    void closeTimeoutWhenServerNeverAnswers();
    void serverCloseIsEchoed();
    void badStatusKeepsBody();
    void redirectLoopStopsAtLimit();
    void queuedMessagesPrecedeClose();
    void skipUtf8ValidationDeliversInvalidText();
    void largeFrameWhileServerStalls();
    void receiveDataWithControlFrames();
    void receiveFrameGivesRawFrames();
    void sendFrameAndFragments();
    void customMaskKeyGenerator();
    void invalidArguments_data();
    void invalidArguments();
    void sendWhenNotOpenFails();
    void abortDropsAtOnce();
    void shutdownClosesWithoutHandshake();
    void traceLogsHeadersAndFrames();
    void frameSignalSeesEveryFrame();
};

// One scripted server writes the 101 and then the hostile bytes; the client must fail the
// connection with the expected error and send a Close with the expected code.
void tst_Conformance::frameRuleViolations_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<WsClient::Error>("error");
    QTest::addColumn<int>("code");

    const QByteArray hello = text("Hello");
    QTest::newRow("rsv1 without extension")
        << ScriptedServer::frame(0x80 | 0x40 | 0x1, hello) << Error::Protocol << 1002;
    QTest::newRow("rsv2") << ScriptedServer::frame(0x80 | 0x20 | 0x2, hello) << Error::Protocol << 1002;
    QTest::newRow("rsv3") << ScriptedServer::frame(0x80 | 0x10 | 0x2, hello) << Error::Protocol << 1002;
    QTest::newRow("opcode 3") << ScriptedServer::frame(0x83, hello) << Error::Protocol << 1002;
    QTest::newRow("opcode 0xB") << ScriptedServer::frame(0x8B, hello) << Error::Protocol << 1002;
    QTest::newRow("fragmented ping") << ScriptedServer::frame(0x09, hello) << Error::Protocol << 1002;
    QTest::newRow("ping of 126 bytes")
        << ScriptedServer::frame(0x89, QByteArray(126, 'p')) << Error::Protocol << 1002;
    QTest::newRow("masked server frame")
        << QByteArray::fromHex("818537fa213d7f9f4d5158") << Error::Protocol << 1002;
    QTest::newRow("continuation without message")
        << ScriptedServer::frame(0x80, hello) << Error::Protocol << 1002;
    QTest::newRow("new message inside fragmented")
        << ScriptedServer::frame(0x01, text("Hel")) + ScriptedServer::frame(0x81, text("lo"))
        << Error::Protocol << 1002;
    QTest::newRow("non-minimal 16-bit length")
        << QByteArray::fromHex("817e0005") + hello << Error::Protocol << 1002;
    QTest::newRow("non-minimal 64-bit length")
        << QByteArray::fromHex("817f0000000000000005") + hello << Error::Protocol << 1002;
    QTest::newRow("64-bit length top bit")
        << QByteArray::fromHex("827f8000000000000005") + hello << Error::Protocol << 1002;
    QTest::newRow("invalid utf-8") << ScriptedServer::frame(0x81, QByteArray::fromHex("48c328"))
                                   << Error::Payload << 1007;
    QTest::newRow("surrogate in text")
        << ScriptedServer::frame(0x81, QByteArray::fromHex("eda080")) << Error::Payload << 1007;
    QTest::newRow("invalid utf-8 across fragments") << ScriptedServer::frame(0x01, QByteArray::fromHex("f0"))
            + ScriptedServer::frame(0x80, QByteArray::fromHex("28"))
                                                    << Error::Payload << 1007;
    QTest::newRow("unfinished utf-8 at end")
        << ScriptedServer::frame(0x01, text("ok")) + ScriptedServer::frame(0x80, QByteArray::fromHex("e282"))
        << Error::Payload << 1007;
    QTest::newRow("close code 999") << ScriptedServer::frame(0x88, ScriptedServer::closePayload(999))
                                    << Error::Protocol << 1002;
    QTest::newRow("close code 1005") << ScriptedServer::frame(0x88, ScriptedServer::closePayload(1005))
                                     << Error::Protocol << 1002;
    QTest::newRow("close code 1006") << ScriptedServer::frame(0x88, ScriptedServer::closePayload(1006))
                                     << Error::Protocol << 1002;
    QTest::newRow("close code 5000") << ScriptedServer::frame(0x88, ScriptedServer::closePayload(5000))
                                     << Error::Protocol << 1002;
    QTest::newRow("close payload of 1 byte")
        << ScriptedServer::frame(0x88, QByteArray(1, '\x03')) << Error::Protocol << 1002;
    QTest::newRow("close reason not utf-8")
        << ScriptedServer::frame(0x88, ScriptedServer::closePayload(1000, QByteArray::fromHex("ff")))
        << Error::Payload << 1007;
}

void tst_Conformance::frameRuleViolations()
{
    QFETCH(QByteArray, bytes);
    QFETCH(WsClient::Error, error);
    QFETCH(int, code);

    ScriptedServer server;
    server.onRequest
        = [&](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key) + bytes); };
    WebSocket ws;
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    QSignalSpy disconnected(&ws, &WebSocket::disconnected);
    ws.open(server.url());
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, Wait);
    QCOMPARE(errors.count(), 1);
    QCOMPARE(errors.first().at(0).value<WsClient::Error>(), error);
    QVERIFY2(!ws.errorString().isEmpty(), "the error names its cause");
    QCOMPARE(ws.error(), error);
    QCOMPARE(ws.closeCode(), code);
    QCOMPARE(disconnected.count(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(server.clientCloseCode(), code, Wait);
}

void tst_Conformance::messageTooBig()
{
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) {
        p.socket->write(ScriptedServer::upgradeResponse(p.key)
            + ScriptedServer::frame(0x01, QByteArray(600, 'a'))
            + ScriptedServer::frame(0x80, QByteArray(600, 'b')));
    };
    ConnectOptions options;
    options.setMaxMessageSize(1000);
    WebSocket ws;
    QSignalSpy messages(&ws, &WebSocket::textMessageReceived);
    ws.open(server.url(), options);
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, Wait);
    QCOMPARE(ws.error(), Error::MessageTooBig);
    QCOMPARE(messages.count(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(server.clientCloseCode(), 1009, Wait);

    // A single frame above maxFrameSize is refused from its header, before the payload arrives.
    ScriptedServer server2;
    server2.onRequest = [&](ScriptedServer::Peer &p) {
        p.socket->write(ScriptedServer::upgradeResponse(p.key) + QByteArray::fromHex("827f0000000100000000"));
    };
    options.setMaxFrameSize(1 << 20);
    WebSocket ws2;
    ws2.open(server2.url(), options);
    QTRY_COMPARE_WITH_TIMEOUT(ws2.state(), WebSocket::State::Unconnected, Wait);
    QCOMPARE(ws2.error(), Error::MessageTooBig);
    QTRY_COMPARE_WITH_TIMEOUT(server2.clientCloseCode(), 1009, Wait);
}

void tst_Conformance::handshakeFailures_data()
{
    QTest::addColumn<QByteArray>("response"); // "%KEY%" is replaced by the right accept key
    QTest::addColumn<QStringList>("subprotocols");
    QTest::addColumn<WsClient::Error>("error");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("garbage") << text("HELLO THERE\r\n\r\n") << QStringList() << Error::Handshake
                             << QStringLiteral("HELLO");
    QTest::newRow("wrong accept key")
        << text("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n")
        << QStringList() << Error::Handshake << QStringLiteral("Sec-WebSocket-Accept");
    QTest::newRow("no upgrade header") << text(
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %KEY%\r\n\r\n")
                                       << QStringList() << Error::Handshake << QStringLiteral("Upgrade");
    QTest::newRow("no connection header") << text(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: %KEY%\r\n\r\n")
                                          << QStringList() << Error::Handshake
                                          << QStringLiteral("Connection");
    QTest::newRow("unrequested subprotocol")
        << text("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: %KEY%\r\nSec-WebSocket-Protocol: evil\r\n\r\n")
        << QStringList { QStringLiteral("chat") } << Error::Handshake << QStringLiteral("evil");
    QTest::newRow("unoffered extension")
        << text("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: %KEY%\r\nSec-WebSocket-Extensions: x-custom\r\n\r\n")
        << QStringList() << Error::Handshake << QStringLiteral("x-custom");
    QTest::newRow("redirect without location")
        << text("HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n") << QStringList() << Error::Handshake
        << QStringLiteral("Location");
    QTest::newRow("bad status") << text("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
                                << QStringList() << Error::BadStatus << QStringLiteral("500");
}

void tst_Conformance::handshakeFailures()
{
    QFETCH(QByteArray, response);
    QFETCH(QStringList, subprotocols);
    QFETCH(WsClient::Error, error);
    QFETCH(QString, mentions);

    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) {
        p.socket->write(QByteArray(response).replace("%KEY%", ScriptedServer::acceptKey(p.key)));
    };
    ConnectOptions options;
    options.setSubprotocols(subprotocols);
    WebSocket ws;
    QSignalSpy connected(&ws, &WebSocket::connected);
    ws.open(server.url(), options);
    QVERIFY(!ws.waitForConnected(Wait));
    QCOMPARE(ws.state(), WebSocket::State::Unconnected);
    QCOMPARE(ws.error(), error);
    QVERIFY2(ws.errorString().contains(mentions, Qt::CaseInsensitive), qPrintable(ws.errorString()));
    QCOMPARE(connected.count(), 0);
}

void tst_Conformance::oversizedResponseHeader()
{
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) {
        QByteArray r = "HTTP/1.1 101 Switching Protocols\r\n";
        for (int i = 0; i < 200; ++i)
            r += "X-Filler-" + QByteArray::number(i) + ": " + QByteArray(100, 'x') + "\r\n";
        p.socket->write(r); // never ends the head
    };
    ConnectOptions options;
    options.setMaxHeaderSize(8 * 1024);
    WebSocket ws;
    ws.open(server.url(), options);
    QVERIFY(!ws.waitForConnected(Wait));
    QCOMPARE(ws.error(), Error::Handshake);
    QVERIFY2(ws.errorString().contains(QStringLiteral("8192")), qPrintable(ws.errorString()));
}

void tst_Conformance::stallMidHandshakeTimesOut()
{
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) { p.socket->write("HTTP/1.1 101 Swi"); };
    ConnectOptions options;
    options.setTimeout(400);
    // Asynchronous: the open timer fires on the event loop.
    WebSocket ws;
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    QElapsedTimer timer;
    timer.start();
    ws.open(server.url(), options);
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, Wait);
    QCOMPARE(ws.error(), Error::Timeout);
    QVERIFY(timer.elapsed() >= 350);
    // Blocking: the same limit applies inside waitForConnected.
    auto blocking = WebSocket::connectTo(server.url(), options);
    QCOMPARE(blocking->state(), WebSocket::State::Unconnected);
    QCOMPARE(blocking->error(), Error::Timeout);
    // Without an option, the process-wide default (setdefaulttimeout) applies to new sockets.
    WebSocket::setDefaultTimeout(300);
    auto byDefault = WebSocket::connectTo(server.url());
    WebSocket::setDefaultTimeout(-1);
    QCOMPARE(byDefault->error(), Error::Timeout);
    QCOMPARE(byDefault->timeout(), 300);
}

void tst_Conformance::stallMidFrameBlockingReceiveTimesOut()
{
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) {
        p.socket->write(
            ScriptedServer::upgradeResponse(p.key) + QByteArray::fromHex("8264") + QByteArray(10, 'x'));
    };
    auto ws = WebSocket::connectTo(server.url());
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QElapsedTimer timer;
    timer.start();
    const Message m = ws->receive(300);
    QVERIFY(!m.isValid());
    QCOMPARE(ws->error(), Error::Timeout);
    QVERIFY(timer.elapsed() >= 250);
    QVERIFY(timer.elapsed() < Wait);
    QCOMPARE(ws->state(), WebSocket::State::Open);
}

void tst_Conformance::tcpResetMidMessage_data()
{
    QTest::addColumn<int>("announced"); // payload length in the frame header
    QTest::addColumn<int>("sent"); // payload bytes sent before the connection ends
    QTest::addColumn<bool>("reset"); // RST, else FIN
    QTest::newRow("small frame, reset") << 100 << 10 << true;
    // Large payloads are gathered straight from the socket (past Qt's buffer): the end of the
    // stream must still be seen, whether the kernel reports it to Qt or to that direct read.
    QTest::newRow("large frame, reset") << (8 << 20) << (3 << 20) << true;
    QTest::newRow("large frame, FIN") << (8 << 20) << (3 << 20) << false;
}

void tst_Conformance::tcpResetMidMessage()
{
    QFETCH(int, announced);
    QFETCH(int, sent);
    QFETCH(bool, reset);
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) {
        QByteArray header = QByteArray::fromHex("02");
        if (announced < 126) {
            header.append(char(announced));
        } else {
            header.append(char(127));
            for (int shift = 56; shift >= 0; shift -= 8)
                header.append(char((quint64(announced) >> shift) & 0xff));
        }
        p.socket->write(ScriptedServer::upgradeResponse(p.key) + header + QByteArray(sent, 'x'));
        while (p.socket->bytesToWrite() > 0 && p.socket->waitForBytesWritten(Wait)) { }
        if (reset) {
            // SO_LINGER 0 turns close() into a TCP RST.
            const linger l { 1, 0 };
            ::setsockopt(int(p.socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &l, sizeof l);
            p.socket->abort();
        } else {
            p.socket->disconnectFromHost();
        }
    };
    WebSocket ws;
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    QSignalSpy disconnected(&ws, &WebSocket::disconnected);
    ws.open(server.url());
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, Wait);
    QCOMPARE(errors.count(), 1);
    QCOMPARE(ws.error(), Error::ConnectionClosed);
    QCOMPARE(ws.closeCode(), 1006);
}

void tst_Conformance::closeWithoutCloseFrameIs1006()
{
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) {
        p.socket->write(
            ScriptedServer::upgradeResponse(p.key) + ScriptedServer::frame(0x81, text("last words")));
        p.socket->disconnectFromHost();
    };
    WebSocket ws;
    QSignalSpy messages(&ws, &WebSocket::textMessageReceived);
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    ws.open(server.url());
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, Wait);
    QCOMPARE(messages.count(), 1); // what arrived before the end is delivered
    QCOMPARE(messages.first().at(0).toString(), QStringLiteral("last words"));
    QCOMPARE(errors.count(), 1);
    QCOMPARE(ws.error(), Error::ConnectionClosed);
    QCOMPARE(ws.closeCode(), 1006);
}

void tst_Conformance::framesInSameWriteAsResponse()
{
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) {
        p.socket->write(ScriptedServer::upgradeResponse(p.key) + ScriptedServer::frame(0x81, text("early"))
            + ScriptedServer::frame(0x82, QByteArray::fromHex("0001")));
    };
    auto ws = WebSocket::connectTo(server.url());
    QVERIFY(ws->isOpen());
    Message m = ws->receive(Wait);
    QVERIFY(m.isValid());
    QCOMPARE(m.opcode, Opcode::Text);
    QCOMPARE(m.data, text("early"));
    m = ws->receive(Wait);
    QCOMPARE(m.opcode, Opcode::Binary);
    QCOMPARE(m.data, QByteArray::fromHex("0001"));
}

void tst_Conformance::pingIsAnsweredWithSamePayload()
{
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) {
        p.socket->write(ScriptedServer::upgradeResponse(p.key)
            + ScriptedServer::frame(0x89, text("are you there")) + ScriptedServer::frame(0x89, QByteArray()));
    };
    WebSocket ws;
    QSignalSpy pings(&ws, &WebSocket::pingReceived);
    ws.open(server.url());
    QTRY_COMPARE_WITH_TIMEOUT(pings.count(), 2, Wait);
    QCOMPARE(pings.first().at(0).toByteArray(), text("are you there"));
    QTRY_COMPARE_WITH_TIMEOUT(server.frames().size(), 2, Wait);
    const QList<ClientFrame> frames = server.frames();
    QCOMPARE(frames.at(0).opcode, quint8(0xA));
    QCOMPARE(frames.at(0).payload, text("are you there"));
    QVERIFY(frames.at(0).masked);
    QCOMPARE(frames.at(1).opcode, quint8(0xA));
    QCOMPARE(frames.at(1).payload, QByteArray());
}

void tst_Conformance::clientCloseWaitsForServerClose()
{
    ScriptedServer server;
    server.onRequest
        = [&](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key)); };
    server.onFrame = [&](ScriptedServer::Peer &p, const ClientFrame &f) {
        if (f.opcode != 0x8)
            return;
        QPointer<QTcpSocket> s = p.socket;
        QTimer::singleShot(300, s, [s] {
            s->write(ScriptedServer::frame(0x88, ScriptedServer::closePayload(4000, "see you")));
            s->disconnectFromHost();
        });
    };
    WebSocket ws;
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    QElapsedTimer timer;
    timer.start();
    ws.close(1000, QStringLiteral("done"));
    QCOMPARE(ws.state(), WebSocket::State::Closing);
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, Wait);
    QVERIFY(timer.elapsed() >= 250);
    QCOMPARE(server.clientCloseCode(), 1000);
    QCOMPARE(server.frames().last().payload.mid(2), text("done"));
    QCOMPARE(ws.closeCode(), 4000);
    QCOMPARE(ws.closeReason(), QStringLiteral("see you"));
    QCOMPARE(ws.error(), Error::NoError);
}

void tst_Conformance::closeTimeoutWhenServerNeverAnswers()
{
    ScriptedServer server;
    server.onRequest
        = [&](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key)); };
    auto ws = WebSocket::connectTo(server.url());
    QVERIFY(ws->isOpen());
    QElapsedTimer timer;
    timer.start();
    ws->close(1000, {}, 300);
    QVERIFY(ws->waitForDisconnected(Wait));
    QVERIFY(timer.elapsed() >= 250);
    QVERIFY(timer.elapsed() < Wait);
    QCOMPARE(ws->closeCode(), 1006);
}

void tst_Conformance::serverCloseIsEchoed()
{
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) {
        p.socket->write(ScriptedServer::upgradeResponse(p.key)
            + ScriptedServer::frame(0x88, ScriptedServer::closePayload(4321, "server says bye")));
    };
    WebSocket ws;
    QSignalSpy closes(&ws, &WebSocket::closeReceived);
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    ws.open(server.url());
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, Wait);
    QCOMPARE(closes.count(), 1);
    QCOMPARE(closes.first().at(0).toInt(), 4321);
    QCOMPARE(closes.first().at(1).toString(), QStringLiteral("server says bye"));
    QCOMPARE(errors.count(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(server.clientCloseCode(), 4321, Wait);
}

void tst_Conformance::badStatusKeepsBody()
{
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) {
        p.socket->write("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n");
        p.socket->write("go away, bot");
        p.socket->write("!");
    };
    auto ws = WebSocket::connectTo(server.url());
    QCOMPARE(ws->error(), Error::BadStatus);
    QCOMPARE(ws->handshakeStatus(), 403);
    QCOMPARE(ws->handshakeBody(), text("go away, bot!"));
    QVERIFY2(ws->errorString().contains(QStringLiteral("403")), qPrintable(ws->errorString()));
    bool sawType = false;
    for (const auto &h : ws->handshakeHeaders())
        sawType |= h.first == "Content-Type" && h.second == "text/plain";
    QVERIFY(sawType);
}

void tst_Conformance::redirectLoopStopsAtLimit()
{
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) {
        p.socket->write("HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n");
    };
    ConnectOptions options;
    options.setRedirectLimit(2);
    auto ws = WebSocket::connectTo(server.url(), options);
    QCOMPARE(ws->error(), Error::TooManyRedirects);
    QCOMPARE(server.connectionCount(), 3); // the first request + 2 redirects followed
    QVERIFY2(ws->errorString().contains(QStringLiteral("/again")), qPrintable(ws->errorString()));
}

void tst_Conformance::queuedMessagesPrecedeClose()
{
    ScriptedServer server;
    server.onRequest
        = [&](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key)); };
    server.onFrame = [&](ScriptedServer::Peer &p, const ClientFrame &f) {
        if (f.opcode == 0x8)
            p.socket->write(ScriptedServer::frame(0x88, f.payload));
    };
    WebSocket ws;
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    constexpr int Count = 10000;
    for (int i = 0; i < Count; ++i)
        ws.sendText(QString::number(i));
    ws.close();
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, 20000);
    const QList<ClientFrame> frames = server.frames();
    QCOMPARE(frames.size(), Count + 1);
    for (int i = 0; i < Count; ++i)
        QCOMPARE(frames.at(i).payload, QByteArray::number(i));
    QCOMPARE(frames.last().opcode, quint8(0x8));
}

void tst_Conformance::skipUtf8ValidationDeliversInvalidText()
{
    // websocket-client's skip_utf8_validation: invalid text is delivered as received, not failed with 1007.
    const QByteArray invalid = QByteArray::fromHex("48ff80eda080");
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) {
        p.socket->write(ScriptedServer::upgradeResponse(p.key) + ScriptedServer::frame(0x01, invalid.left(2))
            + ScriptedServer::frame(0x80, invalid.mid(2)) + ScriptedServer::frame(0x81, text("after")));
    };
    ConnectOptions options;
    options.setSkipUtf8Validation(true);
    WebSocket ws;
    ws.open(server.url(), options);
    QVERIFY(ws.waitForConnected(Wait));
    const Message m = ws.receive(Wait);
    QVERIFY2(m.isValid(), qPrintable(ws.errorString()));
    QCOMPARE(m.opcode, Opcode::Text);
    QCOMPARE(m.data, invalid);
    QCOMPARE(ws.receive(Wait).data, QByteArray("after"));
    QCOMPARE(ws.state(), WebSocket::State::Open);
}

// A large frame goes to a plain TCP socket in slices until the kernel refuses more; the rest waits
// in the socket's buffer (WebSocketPrivate::sendLargeFrame), and a frame sent after it must follow
// it on the wire.
void tst_Conformance::largeFrameWhileServerStalls()
{
    ScriptedServer server;
    server.onRequest = [](ScriptedServer::Peer &p) {
        p.socket->write(ScriptedServer::upgradeResponse(p.key));
        ScriptedServer::pauseReading(p);
    };
    WebSocket ws;
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    QByteArray large(16 << 20, Qt::Uninitialized);
    for (qsizetype i = 0; i < large.size(); ++i)
        large[i] = char(i * 7 + i / 4099);
    QCOMPARE(ws.sendBinary(large), large.size());
    ws.sendText(QStringLiteral("after"));
    server.resumeReading();
    QTRY_COMPARE_WITH_TIMEOUT(server.frames().size(), 2, Wait);
    const QList<ClientFrame> frames = server.frames();
    QCOMPARE(frames.at(0).opcode, quint8(0x2));
    QCOMPARE(frames.at(0).payload.size(), large.size());
    QVERIFY(frames.at(0).payload == large);
    QCOMPARE(frames.at(1).payload, text("after"));
}

void tst_Conformance::receiveDataWithControlFrames()
{
    ScriptedServer server;
    server.onRequest = [](ScriptedServer::Peer &p) {
        p.socket->write(ScriptedServer::upgradeResponse(p.key) + ScriptedServer::frame(0x89, text("p1"))
            + ScriptedServer::frame(0x8A, text("unsolicited")) + ScriptedServer::frame(0x81, text("data"))
            + ScriptedServer::frame(0x88, ScriptedServer::closePayload(1001, "away")));
    };
    auto ws = WebSocket::connectTo(server.url());
    // The Close came with the 101, so the connection may already be over: what came before it is kept.
    QCOMPARE(ws->error(), Error::NoError);
    Message m = ws->receiveData(Wait, true);
    QCOMPARE(m.opcode, Opcode::Ping);
    QCOMPARE(m.data, text("p1"));
    m = ws->receiveData(Wait, true);
    QCOMPARE(m.opcode, Opcode::Pong);
    m = ws->receiveData(Wait, true);
    QCOMPARE(m.opcode, Opcode::Text);
    QCOMPARE(m.data, text("data"));
    m = ws->receiveData(Wait, true);
    QCOMPARE(m.opcode, Opcode::Close);
    QCOMPARE(m.data, ScriptedServer::closePayload(1001, "away"));
    // Once closed and drained, receive() says so instead of waiting.
    QVERIFY(!ws->receive(Wait).isValid());
    QCOMPARE(ws->error(), Error::ConnectionClosed);
}

void tst_Conformance::receiveFrameGivesRawFrames()
{
    ScriptedServer server;
    server.onRequest
        = [](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key)); };
    server.onFrame = [](ScriptedServer::Peer &p, const ClientFrame &f) {
        if (f.payload == "go")
            p.socket->write(ScriptedServer::frame(0x01, text("He")) + ScriptedServer::frame(0x89, text("x"))
                + ScriptedServer::frame(0x80, text("llo")));
    };
    auto ws = WebSocket::connectTo(server.url());
    QVERIFY(ws->isOpen());
    Frame f;
    QVERIFY(!ws->receiveFrame(&f, 50)); // nothing yet: times out
    QCOMPARE(ws->error(), Error::Timeout);
    ws->sendTextUtf8("go");
    QVERIFY(ws->receiveFrame(&f, Wait));
    QCOMPARE(f.opcode(), Opcode::Text);
    QVERIFY(!f.isFinal());
    QCOMPARE(f.payload(), text("He"));
    QVERIFY(ws->receiveFrame(&f, Wait));
    QCOMPARE(f.opcode(), Opcode::Ping);
    QVERIFY(ws->receiveFrame(&f, Wait));
    QCOMPARE(f.opcode(), Opcode::Continuation);
    QVERIFY(f.isFinal());
    QCOMPARE(f.payload(), text("llo"));
}

void tst_Conformance::sendFrameAndFragments()
{
    ScriptedServer server;
    server.onRequest
        = [](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key)); };
    auto ws = WebSocket::connectTo(server.url());
    QVERIFY(ws->isOpen());
    ws->sendFrame(Frame::create(text("frag-"), Opcode::Text, false));
    ws->ping(text("between"));
    ws->sendFrame(Frame::create(text("ment"), Opcode::Continuation, true));
    Frame rsv = Frame::create(text("r"), Opcode::Binary);
    rsv.setRsv2(true);
    ws->sendFrame(rsv);
    ws->send(text("bin"), Opcode::Binary);
    QVERIFY(ws->flush() || ws->waitForBytesWritten(Wait));
    QTRY_COMPARE_WITH_TIMEOUT(server.frames().size(), 5, Wait);
    const QList<ClientFrame> frames = server.frames();
    QCOMPARE(frames.at(0).opcode, quint8(0x1));
    QVERIFY(!frames.at(0).fin);
    QCOMPARE(frames.at(1).opcode, quint8(0x9));
    QCOMPARE(frames.at(2).opcode, quint8(0x0));
    QVERIFY(frames.at(2).fin);
    QCOMPARE(frames.at(2).payload, text("ment"));
    QCOMPARE(frames.at(3).rsv, quint8(0x2));
    QCOMPARE(frames.at(4).opcode, quint8(0x2));
    for (const ClientFrame &f : frames)
        QVERIFY(f.masked);
    // Every frame gets its own key (RFC 6455 §5.3): no two in a row share one.
    for (int i = 1; i < frames.size(); ++i)
        QVERIFY(frames.at(i).maskKey != frames.at(i - 1).maskKey);
}

void tst_Conformance::customMaskKeyGenerator()
{
    ScriptedServer server;
    server.onRequest
        = [](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key)); };
    ConnectOptions options;
    int calls = 0;
    options.setMaskKeyGenerator([&calls](int length) {
        ++calls;
        return QByteArray(length, char(0x5A));
    });
    auto ws = WebSocket::connectTo(server.url(), options);
    QVERIFY(ws->isOpen());
    ws->sendText(QStringLiteral("masked with Z"));
    ws->flush();
    QTRY_COMPARE_WITH_TIMEOUT(server.frames().size(), 1, Wait);
    QCOMPARE(server.frames().first().maskKey, QByteArray(4, char(0x5A)));
    QCOMPARE(server.frames().first().payload, text("masked with Z"));
    QCOMPARE(calls, 1);
}

void tst_Conformance::invalidArguments_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QByteArray>("headerName");
    QTest::addColumn<QByteArray>("headerValue");
    QTest::addColumn<WsClient::Error>("error");
    const QUrl good(QStringLiteral("ws://127.0.0.1:1/"));
    QTest::newRow("http scheme") << QUrl(QStringLiteral("http://127.0.0.1/")) << QByteArray() << QByteArray()
                                 << Error::InvalidUrl;
    QTest::newRow("no host") << QUrl(QStringLiteral("ws:///path")) << QByteArray() << QByteArray()
                             << Error::InvalidUrl;
    QTest::newRow("CRLF in value") << good << QByteArray("X-A") << QByteArray("1\r\nX-Evil: 2")
                                   << Error::InvalidArgument;
    QTest::newRow("LF in name") << good << QByteArray("X\nB") << QByteArray("1") << Error::InvalidArgument;
}

void tst_Conformance::invalidArguments()
{
    QFETCH(QUrl, url);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);
    QFETCH(WsClient::Error, error);
    ScriptedServer server;
    server.onRequest
        = [](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key)); };
    QUrl target = url;
    if (target.port() == 1)
        target.setPort(server.port());
    ConnectOptions options;
    if (!headerName.isEmpty())
        options.setHeader(headerName, headerValue);
    WebSocket ws;
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    ws.open(target, options);
    QVERIFY(!ws.waitForConnected(Wait));
    QCOMPARE(ws.error(), error);
    QCOMPARE(errors.count(), 1);
    QVERIFY(!ws.errorString().isEmpty());
    // Nothing with an injected header line ever reached the server.
    for (int i = 0; i < server.connectionCount(); ++i)
        QVERIFY(server.frames(i).isEmpty());
}

void tst_Conformance::sendWhenNotOpenFails()
{
    WebSocket ws;
    QCOMPARE(ws.sendText(QStringLiteral("nobody there")), qint64(-1));
    QCOMPARE(ws.error(), Error::ConnectionClosed);
    QVERIFY(ws.errorString().contains(QStringLiteral("Unconnected")));
}

void tst_Conformance::abortDropsAtOnce()
{
    ScriptedServer server;
    server.onRequest
        = [](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key)); };
    WebSocket ws;
    QSignalSpy disconnected(&ws, &WebSocket::disconnected);
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    ws.abort();
    QCOMPARE(ws.state(), WebSocket::State::Unconnected);
    QCOMPARE(disconnected.count(), 1);
    QCOMPARE(ws.closeCode(), 1006);
    // Once the server has seen the connection end, everything the client sent has been read.
    QTRY_COMPARE_WITH_TIMEOUT(server.disconnectionCount(), 1, Wait);
    QCOMPARE(server.clientCloseCode(), -1);
}

void tst_Conformance::shutdownClosesWithoutHandshake()
{
    ScriptedServer server;
    server.onRequest
        = [](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key)); };
    WebSocket ws;
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    ws.sendText(QStringLiteral("last"));
    ws.shutdown();
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, Wait);
    QTRY_COMPARE_WITH_TIMEOUT(server.frames().size(), 1, Wait); // queued data written first
    QCOMPARE(server.clientCloseCode(), -1);
}

void tst_Conformance::traceLogsHeadersAndFrames()
{
    ScriptedServer server;
    server.onRequest = [](ScriptedServer::Peer &p) {
        p.socket->write(ScriptedServer::upgradeResponse(p.key) + ScriptedServer::frame(0x81, text("traced")));
    };
    std::unique_ptr<WebSocket> ws;
    {
        TraceCapture trace;
        ws = WebSocket::connectTo(server.url());
        ws->sendText(QStringLiteral("hello trace"));
        const Message m = ws->receive(Wait);
        trace.stop();
        QVERIFY(m.isValid());
        const QString all = trace.text();
        QVERIFY2(all.contains(QStringLiteral("--- request header ---")), qPrintable(all));
        QVERIFY(all.contains(QStringLiteral("GET / HTTP/1.1")));
        QVERIFY(all.contains(QStringLiteral("--- response header ---")));
        QVERIFY(all.contains(QStringLiteral("HTTP/1.1 101 Switching Protocols")));
        QVERIFY(all.contains(QStringLiteral("++Sent: fin=1 rsv=0 opcode=1 len=11 data=hello trace")));
        QVERIFY(all.contains(QStringLiteral("traced")));
    }
    // Off again: nothing more is logged.
    TraceCapture quiet(false);
    ws->sendText(QStringLiteral("quiet"));
    quiet.stop();
    QVERIFY(quiet.isEmpty());
}

void tst_Conformance::frameSignalSeesEveryFrame()
{
    ScriptedServer server;
    server.onRequest = [](ScriptedServer::Peer &p) {
        p.socket->write(ScriptedServer::upgradeResponse(p.key) + ScriptedServer::frame(0x01, text("a"))
            + ScriptedServer::frame(0x89, text("ping")) + ScriptedServer::frame(0x80, text("b")));
    };
    WebSocket ws;
    QSignalSpy frames(&ws, &WebSocket::frameReceived);
    QSignalSpy messages(&ws, &WebSocket::messageReceived);
    ws.open(server.url());
    QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 1, Wait);
    QCOMPARE(frames.count(), 3);
    QCOMPARE(frames.at(0).at(0).value<Frame>().opcode(), Opcode::Text);
    QCOMPARE(frames.at(1).at(0).value<Frame>().opcode(), Opcode::Ping);
    QCOMPARE(frames.at(2).at(0).value<Frame>().payload(), text("b"));
    QCOMPARE(messages.first().at(0).toByteArray(), text("ab"));
    QCOMPARE(messages.first().at(1).value<Opcode>(), Opcode::Text);
}

QTEST_MAIN(tst_Conformance)
#include "tst_conformance.moc"
