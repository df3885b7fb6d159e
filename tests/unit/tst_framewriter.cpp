#include "protocol/frameparser.h"
#include "protocol/framewriter.h"

#include <QtCore/qbytearray.h>
#include <QtTest/QtTest>

using namespace WsClient;
using namespace WsClient::Protocol;

namespace {

const MaskKey RfcKey { 0x37, 0xfa, 0x21, 0x3d };

QByteArray patternPayload(qsizetype size)
{
    QByteArray payload(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        payload[i] = char((i * 7 + 3) & 0xFF);
    return payload;
}

QByteArray maskedReference(QByteArray payload, const MaskKey &key)
{
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = char(uchar(payload[i]) ^ key[size_t(i % 4)]);
    return payload;
}

FrameHeader makeHeader(Opcode opcode, bool masked, const MaskKey &key = RfcKey)
{
    FrameHeader header;
    header.opcode = opcode;
    header.masked = masked;
    header.maskKey = key;
    return header;
}

} // namespace

class TestFrameWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfcExamples_data();
    void rfcExamples();
    void lengthEncoding_data();
    void lengthEncoding();
    void firstByte_data();
    void firstByte();
    void appendFrame_appendsAfterExistingBytes();
    void appendFrame_manyFramesIntoOneBuffer();
    void roundTripThroughParser_data();
    void roundTripThroughParser();
};

void TestFrameWriter::rfcExamples_data()
{
    QTest::addColumn<QByteArray>("encoded");
    QTest::addColumn<QByteArray>("expected");

    // RFC 6455 §5.7.
    QTest::newRow("unmasked text Hello") << [] {
        QByteArray out;
        appendFrame(out, makeHeader(Opcode::Text, false), "Hello");
        return out;
    }() << QByteArray::fromHex("810548656c6c6f");
    QTest::newRow("masked text Hello")
        << encodeFrame(Opcode::Text, "Hello", RfcKey) << QByteArray::fromHex("818537fa213d7f9f4d5158");
    QTest::newRow("fragment Hel") << [] {
        QByteArray out;
        FrameHeader header = makeHeader(Opcode::Text, false);
        header.fin = false;
        appendFrame(out, header, "Hel");
        return out;
    }() << QByteArray::fromHex("010348656c");
    QTest::newRow("fragment lo") << [] {
        QByteArray out;
        appendFrame(out, makeHeader(Opcode::Continuation, false), "lo");
        return out;
    }() << QByteArray::fromHex("80026c6f");
    QTest::newRow("unmasked ping Hello") << [] {
        QByteArray out;
        appendFrame(out, makeHeader(Opcode::Ping, false), "Hello");
        return out;
    }() << QByteArray::fromHex("890548656c6c6f");
    QTest::newRow("masked pong Hello")
        << encodeFrame(Opcode::Pong, "Hello", RfcKey) << QByteArray::fromHex("8a8537fa213d7f9f4d5158");

    const QByteArray payload256 = patternPayload(256);
    QTest::newRow("256-byte binary") << [&] {
        QByteArray out;
        appendFrame(out, makeHeader(Opcode::Binary, false), payload256);
        return out;
    }() << QByteArray::fromHex("827e0100") + payload256;
    QTest::newRow("256-byte binary, masked") << encodeFrame(Opcode::Binary, payload256,
        RfcKey) << QByteArray::fromHex("82fe010037fa213d") + maskedReference(payload256, RfcKey);

    const QByteArray payload64k = patternPayload(65536);
    QTest::newRow("64 KiB binary") << [&] {
        QByteArray out;
        appendFrame(out, makeHeader(Opcode::Binary, false), payload64k);
        return out;
    }() << QByteArray::fromHex("827f0000000000010000") + payload64k;
    QTest::newRow("64 KiB binary, masked") << encodeFrame(Opcode::Binary, payload64k,
        RfcKey) << QByteArray::fromHex("82ff000000000001000037fa213d") + maskedReference(payload64k, RfcKey);
}

void TestFrameWriter::rfcExamples()
{
    QFETCH(QByteArray, encoded);
    QFETCH(QByteArray, expected);
    QCOMPARE(encoded.size(), expected.size());
    QCOMPARE(encoded, expected);
}

void TestFrameWriter::lengthEncoding_data()
{
    QTest::addColumn<quint64>("length");
    QTest::addColumn<bool>("masked");
    QTest::addColumn<QByteArray>("lengthBytes"); // second header byte onwards, before the key

    for (bool masked : { false, true }) {
        const char *suffix = masked ? "masked" : "unmasked";
        const char m = masked ? char(0x80) : 0;
        QTest::addRow("0, %s", suffix) << quint64(0) << masked << QByteArray(1, char(m | 0));
        QTest::addRow("1, %s", suffix) << quint64(1) << masked << QByteArray(1, char(m | 1));
        QTest::addRow("125, %s", suffix) << quint64(125) << masked << QByteArray(1, char(m | 125));
        QTest::addRow("126, %s", suffix)
            << quint64(126) << masked << QByteArray(1, char(m | 126)) + QByteArray::fromHex("007e");
        QTest::addRow("127, %s", suffix)
            << quint64(127) << masked << QByteArray(1, char(m | 126)) + QByteArray::fromHex("007f");
        QTest::addRow("65535, %s", suffix)
            << quint64(65535) << masked << QByteArray(1, char(m | 126)) + QByteArray::fromHex("ffff");
        QTest::addRow("65536, %s", suffix) << quint64(
            65536) << masked << QByteArray(1, char(m | 127)) + QByteArray::fromHex("0000000000010000");
        QTest::addRow("2^32, %s", suffix) << (quint64(1)
            << 32) << masked << QByteArray(1, char(m | 127)) + QByteArray::fromHex("0000000100000000");
        QTest::addRow("2^63-1, %s", suffix)
            << quint64(0x7FFFFFFFFFFFFFFFULL) << masked
            << QByteArray(1, char(m | 127)) + QByteArray::fromHex("7fffffffffffffff");
    }
}

void TestFrameWriter::lengthEncoding()
{
    QFETCH(quint64, length);
    QFETCH(bool, masked);
    QFETCH(QByteArray, lengthBytes);

    FrameHeader header = makeHeader(Opcode::Binary, masked, MaskKey { 1, 2, 3, 4 });
    header.payloadLength = length;
    char out[MaxFrameHeaderSize + 1];
    std::memset(out, 0x5A, sizeof out);
    const qsizetype written = writeFrameHeader(out, header);

    const qsizetype expectedSize = 1 + lengthBytes.size() + (masked ? 4 : 0);
    QCOMPARE(written, expectedSize);
    QCOMPARE(frameHeaderSize(length, masked), expectedSize);
    QCOMPARE(uchar(out[0]), uchar(0x82));
    QCOMPARE(QByteArrayView(out + 1, lengthBytes.size()), QByteArrayView(lengthBytes));
    if (masked)
        QCOMPARE(QByteArrayView(out + 1 + lengthBytes.size(), 4), QByteArrayView("\x01\x02\x03\x04", 4));
    // Nothing written past the header.
    for (qsizetype i = written; i < qsizetype(sizeof out); ++i)
        QCOMPARE(out[i], char(0x5A));
}

void TestFrameWriter::firstByte_data()
{
    QTest::addColumn<bool>("fin");
    QTest::addColumn<quint8>("rsv");
    QTest::addColumn<Opcode>("opcode");
    QTest::addColumn<uchar>("expected");

    QTest::newRow("fin text") << true << quint8(0) << Opcode::Text << uchar(0x81);
    QTest::newRow("no fin text") << false << quint8(0) << Opcode::Text << uchar(0x01);
    QTest::newRow("continuation") << false << quint8(0) << Opcode::Continuation << uchar(0x00);
    QTest::newRow("close") << true << quint8(0) << Opcode::Close << uchar(0x88);
    QTest::newRow("ping") << true << quint8(0) << Opcode::Ping << uchar(0x89);
    QTest::newRow("pong") << true << quint8(0) << Opcode::Pong << uchar(0x8A);
    QTest::newRow("rsv1 (deflate)") << true << quint8(Rsv1) << Opcode::Text << uchar(0xC1);
    QTest::newRow("rsv2") << true << quint8(Rsv2) << Opcode::Binary << uchar(0xA2);
    QTest::newRow("rsv3") << true << quint8(Rsv3) << Opcode::Binary << uchar(0x92);
    QTest::newRow("all rsv, no fin") << false << quint8(Rsv1 | Rsv2 | Rsv3) << Opcode::Binary << uchar(0x72);
}

void TestFrameWriter::firstByte()
{
    QFETCH(bool, fin);
    QFETCH(quint8, rsv);
    QFETCH(Opcode, opcode);
    QFETCH(uchar, expected);

    const QByteArray frame = encodeFrame(opcode, "x", RfcKey, fin, rsv);
    QCOMPARE(uchar(frame.at(0)), expected);
    QCOMPARE(uchar(frame.at(1)), uchar(0x81)); // masked, length 1
}

void TestFrameWriter::appendFrame_appendsAfterExistingBytes()
{
    QByteArray out("existing");
    appendFrame(out, makeHeader(Opcode::Text, true), "Hello");
    QCOMPARE(out, QByteArray("existing") + QByteArray::fromHex("818537fa213d7f9f4d5158"));

    // The header's own payloadLength is ignored: the payload decides.
    FrameHeader header = makeHeader(Opcode::Binary, false);
    header.payloadLength = 999;
    appendFrame(out, header, "ab");
    QCOMPARE(out.right(4), QByteArray::fromHex("82026162"));

    // An empty payload still makes a frame.
    appendFrame(out, makeHeader(Opcode::Ping, true), QByteArrayView());
    QCOMPARE(out.right(6), QByteArray::fromHex("898037fa213d"));
}

void TestFrameWriter::appendFrame_manyFramesIntoOneBuffer()
{
    // Batching frames into one write buffer: each lands intact after the previous ones.
    QByteArray out;
    QByteArray expected;
    for (int i = 0; i < 300; ++i) {
        const QByteArray payload = patternPayload(i);
        const MaskKey key { uchar(i), uchar(i + 1), uchar(i * 3), uchar(0xFF - i) };
        appendFrame(out, makeHeader(Opcode::Binary, true, key), payload);
        expected += encodeFrame(Opcode::Binary, payload, key);
    }
    QCOMPARE(out, expected);
}

void TestFrameWriter::roundTripThroughParser_data()
{
    QTest::addColumn<qsizetype>("length");
    QTest::addColumn<Opcode>("opcode");
    QTest::addColumn<bool>("fin");
    QTest::addColumn<quint8>("rsv");

    for (qsizetype length : { 0, 1, 3, 4, 5, 125, 126, 127, 65535, 65536, 100000 }) {
        QTest::addRow("binary %lld", qlonglong(length)) << length << Opcode::Binary << true << quint8(0);
        QTest::addRow("text fragment %lld", qlonglong(length))
            << length << Opcode::Text << false << quint8(0);
        QTest::addRow("continuation rsv1 %lld", qlonglong(length))
            << length << Opcode::Continuation << true << quint8(Rsv1);
    }
    for (qsizetype length : { 0, 1, 125 }) {
        QTest::addRow("ping %lld", qlonglong(length)) << length << Opcode::Ping << true << quint8(0);
        QTest::addRow("pong %lld", qlonglong(length)) << length << Opcode::Pong << true << quint8(0);
        QTest::addRow("close %lld", qlonglong(length)) << length << Opcode::Close << true << quint8(0);
    }
}

void TestFrameWriter::roundTripThroughParser()
{
    QFETCH(qsizetype, length);
    QFETCH(Opcode, opcode);
    QFETCH(bool, fin);
    QFETCH(quint8, rsv);

    // What a client writes, a server-side parser (expectMasked) reads back unchanged.
    const QByteArray payload = patternPayload(length);
    const MaskKey key { 0x9c, 0x01, 0xe7, 0x42 };
    QByteArray wire = encodeFrame(opcode, payload, key, fin, rsv);
    QCOMPARE(wire.size(), frameHeaderSize(quint64(length), true) + length);

    FrameParser::Config config;
    config.expectMasked = true;
    config.allowedRsv = Rsv1;
    FrameParser parser(config);
    qsizetype consumed = -1;
    QCOMPARE(parser.parse(wire.data(), wire.size(), &consumed), FrameParser::Status::Frame);
    QCOMPARE(consumed, wire.size());
    QCOMPARE(parser.header().opcode, opcode);
    QCOMPARE(parser.header().fin, fin);
    QCOMPARE(parser.header().rsv, rsv);
    QVERIFY(parser.header().masked);
    QCOMPARE(parser.header().maskKey, key);
    QCOMPARE(parser.header().payloadLength, quint64(length));
    QVERIFY(parser.payload() == payload);
}

QTEST_APPLESS_MAIN(TestFrameWriter)
#include "tst_framewriter.moc"
