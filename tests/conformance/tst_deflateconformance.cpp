// permessage-deflate on the wire, against a scripted server: what the client offers and refuses
// in the handshake, what its compressed frames look like (RFC 7692 §7.2.3 bytes), and how it fails
// on hostile compressed input (bad data 1007, bombs 1009, RSV1 without negotiation 1002).

#include "scriptedserver.h"

#include <WsClient/WebSocket>

#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <zlib.h>

using namespace WsClient;

Q_DECLARE_METATYPE(WsClient::Error)

namespace {

constexpr int Wait = 5000;

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(QByteArray(text));
}

// Answers the upgrade with \a extensions (no header when empty) and then writes \a frames.
void answerWith(ScriptedServer &server, const QByteArray &extensions, const QByteArray &frames = {})
{
    server.onRequest = [extensions, frames](ScriptedServer::Peer &p) {
        const QByteArray header
            = extensions.isEmpty() ? QByteArray() : "Sec-WebSocket-Extensions: " + extensions + "\r\n";
        p.socket->write(ScriptedServer::upgradeResponse(p.key, header) + frames);
    };
}

ConnectOptions compressing(const CompressionOptions &compression = CompressionOptions::enabledDefaults())
{
    ConnectOptions options;
    options.setCompression(compression);
    return options;
}

// Raw DEFLATE of \a size zero bytes (sync flush, tail removed) without holding them all.
QByteArray compressedZeros(qint64 size)
{
    z_stream z {};
    deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 9, Z_RLE);
    const QByteArray zeros(1 << 20, '\0');
    QByteArray out;
    QByteArray buffer(1 << 16, Qt::Uninitialized);
    for (qint64 done = 0; done < size;) {
        const qint64 n = qMin<qint64>(zeros.size(), size - done);
        done += n;
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(zeros.constData()));
        z.avail_in = uInt(n);
        do {
            z.next_out = reinterpret_cast<Bytef *>(buffer.data());
            z.avail_out = uInt(buffer.size());
            deflate(&z, done == size ? Z_SYNC_FLUSH : Z_NO_FLUSH);
            out.append(buffer.constData(), buffer.size() - qsizetype(z.avail_out));
        } while (z.avail_out == 0);
    }
    deflateEnd(&z);
    out.chop(4);
    return out;
}

} // namespace

class tst_DeflateConformance : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void offerIsSentOnlyWhenEnabled();
    void negotiatedParametersAreExposed();
    void declinedOfferLeavesMessagesUncompressed();
    void badAnswersFailTheHandshake_data();
    void badAnswersFailTheHandshake();
    void invalidOptionsFailAtOpen();
    void outgoingFramesMatchTheRfc();
    void clientNoContextTakeoverRepeatsBytes();
    void fragmentsCarryRsv1OnlyOnTheFirstFrame();
    void smallMessagesAndEightBitWindowGoUncompressed();
    void incomingRfcMessagesAreInflated();
    void hostileCompressedInput_data();
    void hostileCompressedInput();
};

void tst_DeflateConformance::offerIsSentOnlyWhenEnabled()
{
    ScriptedServer server;
    answerWith(server, {});
    auto plain = WebSocket::connectTo(server.url());
    QVERIFY(plain->isOpen());
    CompressionOptions compression = CompressionOptions::enabledDefaults();
    compression.setServerNoContextTakeover(true);
    compression.setServerMaxWindowBits(10);
    auto offering = WebSocket::connectTo(server.url(), compressing(compression));
    // The server ignored the offer, which a client must accept: it fails only on bad answers.
    QVERIFY(offering->isOpen());
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 2, Wait);
    const QList<QPair<QByteArray, QByteArray>> first = plain->requestHeaders();
    QVERIFY(std::none_of(first.cbegin(), first.cend(),
        [](const auto &field) { return field.first == "Sec-WebSocket-Extensions"; }));
    bool found = false;
    for (const auto &field : offering->requestHeaders()) {
        if (field.first == "Sec-WebSocket-Extensions") {
            found = true;
            QCOMPARE(field.second,
                QByteArray("permessage-deflate; server_no_context_takeover; client_max_window_bits; "
                           "server_max_window_bits=10"));
        }
    }
    QVERIFY(found);
    QVERIFY(!offering->compression().isEnabled());
}

void tst_DeflateConformance::negotiatedParametersAreExposed()
{
    ScriptedServer server;
    answerWith(server,
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
        "server_max_window_bits=11; client_max_window_bits=12");
    CompressionOptions asked = CompressionOptions::enabledDefaults();
    asked.setCompressionLevel(9);
    auto ws = WebSocket::connectTo(server.url(), compressing(asked));
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    const CompressionOptions agreed = ws->compression();
    QVERIFY(agreed.isEnabled());
    QCOMPARE(agreed.serverNoContextTakeover(), true);
    QCOMPARE(agreed.clientNoContextTakeover(), true);
    QCOMPARE(agreed.serverMaxWindowBits(), 11);
    QCOMPARE(agreed.clientMaxWindowBits(), 12);
    QCOMPARE(agreed.compressionLevel(), 9); // local settings are kept as asked
    QVERIFY(ws->extensions().startsWith("permessage-deflate"));
}

void tst_DeflateConformance::declinedOfferLeavesMessagesUncompressed()
{
    ScriptedServer server;
    answerWith(server, {});
    auto ws = WebSocket::connectTo(server.url(), compressing());
    QVERIFY(ws->isOpen());
    ws->sendText(QStringLiteral("Hello"));
    ws->flush();
    QTRY_COMPARE_WITH_TIMEOUT(server.frames().size(), 1, Wait);
    QCOMPARE(server.frames().first().rsv, quint8(0));
    QCOMPARE(server.frames().first().payload, QByteArray("Hello"));
}

void tst_DeflateConformance::badAnswersFailTheHandshake_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("unknown extension") << QByteArray("x-webkit-deflate-frame") << QStringLiteral("x-webkit-deflate-frame");
    QTest::newRow("accepted twice") << QByteArray("permessage-deflate, permessage-deflate")
                                    << QStringLiteral("more than one");
    QTest::newRow("unknown parameter") << QByteArray("permessage-deflate; mode=fast")
                                       << QStringLiteral("unknown parameter \"mode\"");
    QTest::newRow("duplicate parameter")
        << QByteArray("permessage-deflate; client_max_window_bits=10; client_max_window_bits=10")
        << QStringLiteral("given twice");
    QTest::newRow("window out of range") << QByteArray("permessage-deflate; server_max_window_bits=16")
                                         << QStringLiteral("8..15");
    QTest::newRow("flag with a value") << QByteArray("permessage-deflate; server_no_context_takeover=yes")
                                       << QStringLiteral("takes no value");
    QTest::newRow("client window above the offer")
        << QByteArray("permessage-deflate; client_max_window_bits=15") << QStringLiteral("above the 10 offered");
}

void tst_DeflateConformance::badAnswersFailTheHandshake()
{
    QFETCH(QByteArray, answer);
    QFETCH(QString, mentions);
    ScriptedServer server;
    answerWith(server, answer);
    CompressionOptions compression = CompressionOptions::enabledDefaults();
    compression.setClientMaxWindowBits(10);
    WebSocket ws;
    QSignalSpy connected(&ws, &WebSocket::connected);
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    ws.open(server.url(), compressing(compression));
    QVERIFY(!ws.waitForConnected(Wait));
    QCOMPARE(connected.count(), 0);
    QCOMPARE(errors.count(), 1);
    QVERIFY(ws.error() == Error::Compression || ws.error() == Error::Handshake);
    QVERIFY2(ws.errorString().contains(mentions), qPrintable(ws.errorString()));
}

void tst_DeflateConformance::invalidOptionsFailAtOpen()
{
    ScriptedServer server;
    answerWith(server, {});
    CompressionOptions compression = CompressionOptions::enabledDefaults();
    compression.setServerMaxWindowBits(20);
    auto ws = WebSocket::connectTo(server.url(), compressing(compression));
    QVERIFY(!ws->isOpen());
    QCOMPARE(ws->error(), Error::InvalidArgument);
    QVERIFY2(ws->errorString().contains(QStringLiteral("server max window bits must be 8..15, not 20")),
        qPrintable(ws->errorString()));
    QCOMPARE(server.connectionCount(), 0);
}

void tst_DeflateConformance::outgoingFramesMatchTheRfc()
{
    ScriptedServer server;
    answerWith(server, "permessage-deflate");
    auto ws = WebSocket::connectTo(server.url(), compressing());
    QVERIFY(ws->isOpen());
    ws->sendText(QStringLiteral("Hello"));
    ws->sendText(QStringLiteral("Hello"));
    ws->ping("Hello");
    ws->flush();
    QTRY_COMPARE_WITH_TIMEOUT(server.frames().size(), 3, Wait);
    const QList<ClientFrame> frames = server.frames();
    // RFC 7692 §7.2.3.1 and §7.2.3.2: the second message refers back to the first.
    QCOMPARE(frames.at(0).rsv, quint8(4));
    QCOMPARE(frames.at(0).payload.toHex(), QByteArray("f248cdc9c90700"));
    QCOMPARE(frames.at(1).rsv, quint8(4));
    QCOMPARE(frames.at(1).payload.toHex(), QByteArray("f200110000"));
    // Control frames are never compressed.
    QCOMPARE(frames.at(2).opcode, quint8(0x9));
    QCOMPARE(frames.at(2).rsv, quint8(0));
    QCOMPARE(frames.at(2).payload, QByteArray("Hello"));
}

void tst_DeflateConformance::clientNoContextTakeoverRepeatsBytes()
{
    ScriptedServer server;
    // The server may demand it even when the client did not offer it (RFC 7692 §7.1.1.2).
    answerWith(server, "permessage-deflate; client_no_context_takeover");
    auto ws = WebSocket::connectTo(server.url(), compressing());
    QVERIFY(ws->isOpen());
    ws->sendText(QStringLiteral("Hello"));
    ws->sendText(QStringLiteral("Hello"));
    ws->flush();
    QTRY_COMPARE_WITH_TIMEOUT(server.frames().size(), 2, Wait);
    QCOMPARE(server.frames().at(1).payload.toHex(), QByteArray("f248cdc9c90700"));
}

void tst_DeflateConformance::fragmentsCarryRsv1OnlyOnTheFirstFrame()
{
    ScriptedServer server;
    answerWith(server, "permessage-deflate");
    ConnectOptions options = compressing();
    options.setOutgoingFrameSize(3);
    auto ws = WebSocket::connectTo(server.url(), options);
    QVERIFY(ws->isOpen());
    ws->sendText(QStringLiteral("Hello"));
    ws->flush();
    QTRY_COMPARE_WITH_TIMEOUT(server.frames().size(), 3, Wait);
    const QList<ClientFrame> frames = server.frames();
    QCOMPARE(frames.at(0).opcode, quint8(0x1));
    QCOMPARE(frames.at(0).rsv, quint8(4));
    QCOMPARE(frames.at(1).opcode, quint8(0x0));
    QCOMPARE(frames.at(1).rsv, quint8(0));
    QCOMPARE(frames.at(2).rsv, quint8(0));
    QVERIFY(frames.at(2).fin);
    QCOMPARE(QByteArray(frames.at(0).payload + frames.at(1).payload + frames.at(2).payload).toHex(),
        QByteArray("f248cdc9c90700"));
}

void tst_DeflateConformance::smallMessagesAndEightBitWindowGoUncompressed()
{
    ScriptedServer server;
    answerWith(server, "permessage-deflate");
    CompressionOptions compression = CompressionOptions::enabledDefaults();
    compression.setMinimumSize(6);
    auto ws = WebSocket::connectTo(server.url(), compressing(compression));
    QVERIFY(ws->isOpen());
    ws->sendText(QStringLiteral("Hello"));
    ws->sendText(QStringLiteral("Hello!"));
    ws->flush();
    QTRY_COMPARE_WITH_TIMEOUT(server.frames().size(), 2, Wait);
    QCOMPARE(server.frames().at(0).rsv, quint8(0));
    QCOMPARE(server.frames().at(0).payload, QByteArray("Hello"));
    QCOMPARE(server.frames().at(1).rsv, quint8(4));

    // zlib cannot write a 256-byte window: with client_max_window_bits=8 the client sends plain.
    ScriptedServer server8;
    answerWith(server8, "permessage-deflate; client_max_window_bits=8");
    auto ws8 = WebSocket::connectTo(server8.url(), compressing());
    QVERIFY(ws8->isOpen());
    QCOMPARE(ws8->compression().clientMaxWindowBits(), 8);
    ws8->sendText(QStringLiteral("Hello"));
    ws8->flush();
    QTRY_COMPARE_WITH_TIMEOUT(server8.frames().size(), 1, Wait);
    QCOMPARE(server8.frames().at(0).rsv, quint8(0));
    QCOMPARE(server8.frames().at(0).payload, QByteArray("Hello"));
}

void tst_DeflateConformance::incomingRfcMessagesAreInflated()
{
    ScriptedServer server;
    // §7.2.3.1 in one frame, then in two fragments, then §7.2.3.2's shared-window message.
    answerWith(server, "permessage-deflate", hex("c107f248cdc9c90700" "4103f248cd8004c9c90700" "c105f200110000"));
    WebSocket ws;
    QSignalSpy texts(&ws, &WebSocket::textMessageReceived);
    ws.open(server.url(), compressing());
    QTRY_COMPARE_WITH_TIMEOUT(texts.count(), 3, Wait);
    for (const QList<QVariant> &message : texts)
        QCOMPARE(message.first().toString(), QStringLiteral("Hello"));
    QCOMPARE(ws.state(), WebSocket::State::Open);
}

void tst_DeflateConformance::hostileCompressedInput_data()
{
    QTest::addColumn<bool>("negotiate");
    QTest::addColumn<QByteArray>("frames");
    QTest::addColumn<WsClient::Error>("error");
    QTest::addColumn<int>("code");
    QTest::newRow("RSV1 without negotiation") << false << hex("c107f248cdc9c90700") << Error::Protocol << 1002;
    QTest::newRow("RSV1 on a continuation") << true << hex("4103f248cdc004c9c90700") << Error::Protocol << 1002;
    QTest::newRow("invalid DEFLATE data") << true << hex("c103ffffff") << Error::Compression << 1007;
    QTest::newRow("1 GiB bomb") << true << ScriptedServer::frame(0xc2, compressedZeros(qint64(1) << 30))
                                << Error::MessageTooBig << 1009;
}

void tst_DeflateConformance::hostileCompressedInput()
{
    QFETCH(bool, negotiate);
    QFETCH(QByteArray, frames);
    QFETCH(WsClient::Error, error);
    QFETCH(int, code);
    ScriptedServer server;
    answerWith(server, negotiate ? QByteArray("permessage-deflate") : QByteArray(), frames);
    WebSocket ws;
    QSignalSpy messages(&ws, &WebSocket::messageReceived);
    ws.open(server.url(), compressing());
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, Wait);
    QCOMPARE(ws.error(), error);
    QVERIFY2(!ws.errorString().isEmpty(), "the error names its cause");
    QCOMPARE(ws.closeCode(), code);
    QCOMPARE(messages.count(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(server.clientCloseCode(), code, Wait);
}

QTEST_MAIN(tst_DeflateConformance)
#include "tst_deflateconformance.moc"
