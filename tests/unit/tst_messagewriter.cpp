#include "protocol/deflatecodec.h"
#include "protocol/frameparser.h"
#include "protocol/framewriter.h"
#include "protocol/messagewriter.h"

#include <WsClient/compression.h>

#include <QtCore/qset.h>
#include <QtTest/QtTest>

using namespace WsClient;
using namespace WsClient::Protocol;

namespace {

// One frame as the server would see it: decoded from the wire bytes the writer produced.
struct WireFrame
{
    FrameHeader header; // as handed to the output (mask key, payloadLength)
    bool parsed = false; // FrameParser(expectMasked) took it as one whole frame
    QString parseError;
    bool fin = false;
    quint8 rsv = 0;
    Opcode opcode = Opcode::Text;
    bool masked = false;
    MaskKey key {};
    QByteArray payload; // unmasked by the parser
    qsizetype wireSize = 0;
};

/*
    A FrameOutput that encodes each frame as the socket would (appendFrame() masks the payload
    with the header's key) and decodes it again with a server-side FrameParser, so every check
    is made on what would travel: the mask bit, the key, the length encoding, the unmasked
    payload.
*/
class RecordingOutput : public FrameOutput
{
public:
    RecordingOutput()
    {
        FrameParser::Config config;
        config.expectMasked = true;
        config.allowedRsv = Rsv1 | Rsv2 | Rsv3;
        config.maxFrameSize = 64 * 1024 * 1024;
        m_parser = FrameParser(config);
    }

    void writeFrame(const FrameHeader &header, QByteArrayView payload) override
    {
        WireFrame frame;
        frame.header = header;
        lengthMismatch |= header.payloadLength != quint64(payload.size());
        QByteArray bytes;
        appendFrame(bytes, header, payload);
        frame.wireSize = bytes.size();
        wire += bytes;
        qsizetype used = 0;
        const FrameParser::Status status = m_parser.parse(bytes.data(), bytes.size(), &used);
        if (status == FrameParser::Status::Frame && used == bytes.size()) {
            frame.parsed = true;
            frame.fin = m_parser.header().fin;
            frame.rsv = m_parser.header().rsv;
            frame.opcode = m_parser.header().opcode;
            frame.masked = m_parser.header().masked;
            frame.key = m_parser.header().maskKey;
            frame.payload = m_parser.payload().toByteArray();
        } else {
            frame.parseError = status == FrameParser::Status::Failed ? m_parser.failure().message
                                                                     : QStringLiteral("incomplete frame");
            m_parser.reset();
        }
        frames.append(frame);
    }

    void writeBytes(QByteArrayView bytes) override { rawBytes += bytes.toByteArray(); }

    QByteArray concatenatedPayload() const
    {
        QByteArray all;
        for (const WireFrame &f : frames)
            all += f.payload;
        return all;
    }

    QList<WireFrame> frames;
    QByteArray wire;
    QByteArray rawBytes;
    bool lengthMismatch = false;

private:
    FrameParser m_parser;
};

QByteArray pattern(qsizetype size)
{
    QByteArray data(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char('a' + (i * 7 + i / 13) % 26);
    return data;
}

// Inflates one message's payload (the frames' payloads concatenated) with \a inflater.
Inflater::Result inflateMessage(Inflater &inflater, const QByteArray &compressed, QByteArray *out)
{
    out->clear();
    return inflater.inflate(compressed, true, *out, 64 * 1024 * 1024);
}

MaskKey keyOf(const char (&bytes)[5])
{
    return { uchar(bytes[0]), uchar(bytes[1]), uchar(bytes[2]), uchar(bytes[3]) };
}

} // namespace

class TestMessageWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyFrameMaskedAndDecodable_data();
    void everyFrameMaskedAndDecodable();
    void keysAreFresh();
    void customGeneratorKeysAreUsed();
    void wrongLengthGeneratorFallsBackToRandom_data();
    void wrongLengthGeneratorFallsBackToRandom();
    void fragmentation_data();
    void fragmentation();
    void controlFramesNeverSplit_data();
    void controlFramesNeverSplit();
    void payloadProblem_data();
    void payloadProblem();
    void compressedMessageFragmented();
    void compressedSingleFrame();
    void compressedEmptyMessage();
    void controlFramesNotCompressed();
    void minimumSizeRespected();
    void eightBitClientWindowMeansNoCompression();
    void clientNoContextTakeover();
    void contextTakeoverSharesTheWindow();
    void startCompressingDisabledStops();
    void rawFrameKeepsFinRsvOpcode_data();
    void rawFrameKeepsFinRsvOpcode();
    void rawFrameNotCompressed();
    void continuationNotCompressed();
    void returnValueEqualsWireBytes_data();
    void returnValueEqualsWireBytes();
};

void TestMessageWriter::everyFrameMaskedAndDecodable_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<qint64>("fragmentSize");

    QTest::newRow("text") << int(Opcode::Text) << QByteArray("Hello") << qint64(0);
    QTest::newRow("empty text") << int(Opcode::Text) << QByteArray() << qint64(0);
    QTest::newRow("binary 125") << int(Opcode::Binary) << pattern(125) << qint64(0);
    QTest::newRow("binary 126") << int(Opcode::Binary) << pattern(126) << qint64(0);
    QTest::newRow("binary 65535") << int(Opcode::Binary) << pattern(65535) << qint64(0);
    QTest::newRow("binary 65536") << int(Opcode::Binary) << pattern(65536) << qint64(0);
    QTest::newRow("binary fragmented") << int(Opcode::Binary) << pattern(1000) << qint64(100);
    QTest::newRow("ping") << int(Opcode::Ping) << QByteArray("ping") << qint64(0);
    QTest::newRow("pong 125") << int(Opcode::Pong) << pattern(125) << qint64(0);
    QTest::newRow("close") << int(Opcode::Close) << QByteArray("\x03\xe8" "bye", 5) << qint64(0);
}

void TestMessageWriter::everyFrameMaskedAndDecodable()
{
    QFETCH(int, opcode);
    QFETCH(QByteArray, payload);
    QFETCH(qint64, fragmentSize);

    MessageWriter::Config config;
    config.fragmentSize = fragmentSize;
    MessageWriter writer(config);
    RecordingOutput out;
    writer.writeMessage(Opcode(opcode), payload, out);
    QVERIFY(!out.frames.isEmpty());
    QVERIFY(!out.lengthMismatch);
    for (const WireFrame &f : out.frames) {
        QVERIFY2(f.parsed, qPrintable(f.parseError));
        QVERIFY(f.header.masked);
        QVERIFY(f.masked);
        QCOMPARE(f.key, f.header.maskKey);
    }
    QCOMPARE(out.concatenatedPayload(), payload);
    QVERIFY(out.rawBytes.isEmpty());
    // The masked bytes on the wire are not the plain payload (a key of zeros would leave them so).
    if (payload.size() >= 16)
        QVERIFY(!out.wire.contains(payload.first(16)));
}

void TestMessageWriter::keysAreFresh()
{
    MessageWriter writer;
    RecordingOutput out;
    constexpr int Frames = 256;
    for (int i = 0; i < Frames; ++i)
        writer.writeMessage(i % 2 ? Opcode::Binary : Opcode::Ping, "x", out);
    QCOMPARE(out.frames.size(), Frames);
    QSet<quint32> keys;
    for (const WireFrame &f : out.frames) {
        QVERIFY2(f.parsed, qPrintable(f.parseError));
        keys.insert(quint32(f.key[0]) << 24 | quint32(f.key[1]) << 16 | quint32(f.key[2]) << 8 | f.key[3]);
    }
    // 256 draws from 2^32 keys: a repeat is possible but very unlikely; all equal would mean a constant key.
    QVERIFY2(keys.size() > Frames - 4, qPrintable(QString::number(keys.size())));
    QVERIFY(!keys.contains(0) || keys.size() > 1);

    // nextMaskKey() itself draws a new key each time.
    QSet<quint32> direct;
    for (int i = 0; i < 64; ++i) {
        const MaskKey k = writer.nextMaskKey();
        direct.insert(quint32(k[0]) << 24 | quint32(k[1]) << 16 | quint32(k[2]) << 8 | k[3]);
    }
    QVERIFY(direct.size() > 60);
}

void TestMessageWriter::customGeneratorKeysAreUsed()
{
    int calls = 0;
    QList<int> lengths;
    MessageWriter::Config config;
    config.fragmentSize = 4;
    config.maskKeys = [&calls, &lengths](int length) {
        lengths.append(length);
        ++calls;
        QByteArray key(4, Qt::Uninitialized);
        for (int i = 0; i < 4; ++i)
            key[i] = char(calls * 16 + i);
        return key;
    };
    MessageWriter writer(config);
    RecordingOutput out;
    writer.writeMessage(Opcode::Text, "Hello world", out); // 3 frames: 4 + 4 + 3
    writer.writeMessage(Opcode::Ping, "p", out);
    QCOMPARE(calls, 4);
    QCOMPARE(lengths, QList<int>({ 4, 4, 4, 4 }));
    QCOMPARE(out.frames.size(), 4);
    for (int n = 0; n < 4; ++n) {
        const WireFrame &f = out.frames.at(n);
        QVERIFY2(f.parsed, qPrintable(f.parseError));
        const int c = n + 1;
        const MaskKey expected { uchar(c * 16), uchar(c * 16 + 1), uchar(c * 16 + 2), uchar(c * 16 + 3) };
        QCOMPARE(f.key, expected);
    }
    QCOMPARE(out.concatenatedPayload(), QByteArray("Hello worldp")); // the three fragments, then the Ping

    // The RFC 6455 §5.7 example: "Hello" masked with 37 fa 21 3d.
    MessageWriter::Config rfc;
    rfc.maskKeys = [](int) { return QByteArray::fromHex("37fa213d"); };
    MessageWriter rfcWriter(rfc);
    RecordingOutput rfcOut;
    rfcWriter.writeMessage(Opcode::Text, "Hello", rfcOut);
    QCOMPARE(rfcOut.wire.toHex(), QByteArray("818537fa213d7f9f4d5158"));
    QCOMPARE(rfcOut.frames.at(0).key, keyOf("\x37\xfa\x21\x3d"));
}

void TestMessageWriter::wrongLengthGeneratorFallsBackToRandom_data()
{
    QTest::addColumn<QByteArray>("returned");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("3 bytes") << QByteArray("abc");
    QTest::newRow("5 bytes") << QByteArray("abcde");
    QTest::newRow("16 bytes") << QByteArray("abcdefghijklmnop");
}

void TestMessageWriter::wrongLengthGeneratorFallsBackToRandom()
{
    QFETCH(QByteArray, returned);
    MessageWriter::Config config;
    config.maskKeys = [returned](int) { return returned; };
    MessageWriter writer(config);
    RecordingOutput out;
    constexpr int Frames = 16;
    const QByteArray warning = "WsClient: the mask key generator returned " + QByteArray::number(returned.size())
        + " bytes instead of 4; using a random key";
    for (int i = 0; i < Frames; ++i) {
        QTest::ignoreMessage(QtWarningMsg, warning.constData());
        writer.writeMessage(Opcode::Binary, "payload", out);
    }
    QSet<quint32> keys;
    for (const WireFrame &f : out.frames) {
        QVERIFY2(f.parsed, qPrintable(f.parseError));
        QCOMPARE(f.payload, QByteArray("payload"));
        keys.insert(quint32(f.key[0]) << 24 | quint32(f.key[1]) << 16 | quint32(f.key[2]) << 8 | f.key[3]);
    }
    // Random, not the generator's bytes cut or padded to 4 (which would be the same every time).
    QVERIFY2(keys.size() > Frames / 2, qPrintable(QString::number(keys.size())));
}

void TestMessageWriter::fragmentation_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<qsizetype>("payloadSize");
    QTest::addColumn<qint64>("fragmentSize");
    QTest::addColumn<QList<qsizetype>>("frameSizes");

    using Sizes = QList<qsizetype>;
    const int text = int(Opcode::Text), binary = int(Opcode::Binary);
    QTest::newRow("0 never splits") << binary << qsizetype(100000) << qint64(0) << Sizes { 100000 };
    QTest::newRow("negative never splits") << binary << qsizetype(1000) << qint64(-1) << Sizes { 1000 };
    QTest::newRow("equal to payload") << binary << qsizetype(100) << qint64(100) << Sizes { 100 };
    QTest::newRow("payload + 1") << text << qsizetype(100) << qint64(101) << Sizes { 100 };
    QTest::newRow("payload - 1") << binary << qsizetype(100) << qint64(99) << Sizes { 99, 1 };
    QTest::newRow("half") << text << qsizetype(100) << qint64(50) << Sizes { 50, 50 };
    QTest::newRow("uneven") << binary << qsizetype(100) << qint64(40) << Sizes { 40, 40, 20 };
    QTest::newRow("1-byte fragments") << text << qsizetype(5) << qint64(1) << Sizes { 1, 1, 1, 1, 1 };
    QTest::newRow("empty message, tiny fragments") << text << qsizetype(0) << qint64(1) << Sizes { 0 };
    QTest::newRow("one byte, 1-byte fragments") << binary << qsizetype(1) << qint64(1) << Sizes { 1 };
    QTest::newRow("across the 16-bit length") << binary << qsizetype(70000) << qint64(65536)
                                               << Sizes { 65536, 4464 };
    QTest::newRow("126-byte frames") << binary << qsizetype(300) << qint64(126) << Sizes { 126, 126, 48 };
}

void TestMessageWriter::fragmentation()
{
    QFETCH(int, opcode);
    QFETCH(qsizetype, payloadSize);
    QFETCH(qint64, fragmentSize);
    QFETCH(QList<qsizetype>, frameSizes);

    MessageWriter::Config config;
    config.fragmentSize = fragmentSize;
    MessageWriter writer(config);
    RecordingOutput out;
    const QByteArray payload = pattern(payloadSize);
    const qint64 written = writer.writeMessage(Opcode(opcode), payload, out);

    QList<qsizetype> sizes;
    for (const WireFrame &f : out.frames)
        sizes.append(f.payload.size());
    QCOMPARE(sizes, frameSizes);
    for (int i = 0; i < out.frames.size(); ++i) {
        const WireFrame &f = out.frames.at(i);
        QVERIFY2(f.parsed, qPrintable(f.parseError));
        QVERIFY(f.masked);
        // The first frame carries the opcode, the rest are continuations; only the last has FIN.
        QCOMPARE(f.opcode, i == 0 ? Opcode(opcode) : Opcode::Continuation);
        QCOMPARE(f.fin, i == out.frames.size() - 1);
        QCOMPARE(f.rsv, quint8(0));
    }
    QCOMPARE(out.concatenatedPayload(), payload);
    QCOMPARE(written, qint64(out.wire.size()));
}

void TestMessageWriter::controlFramesNeverSplit_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<qsizetype>("payloadSize");
    QTest::addColumn<qint64>("fragmentSize");
    for (const Opcode op : { Opcode::Ping, Opcode::Pong, Opcode::Close }) {
        const char *name = QMetaEnum::fromType<Opcode>().valueToKey(int(op));
        QTest::addRow("%s 125, fragments of 1", name) << int(op) << qsizetype(125) << qint64(1);
        QTest::addRow("%s 10, fragments of 3", name) << int(op) << qsizetype(10) << qint64(3);
        QTest::addRow("%s empty, fragments of 1", name) << int(op) << qsizetype(0) << qint64(1);
    }
}

void TestMessageWriter::controlFramesNeverSplit()
{
    QFETCH(int, opcode);
    QFETCH(qsizetype, payloadSize);
    QFETCH(qint64, fragmentSize);

    MessageWriter::Config config;
    config.fragmentSize = fragmentSize;
    MessageWriter writer(config);
    RecordingOutput out;
    QByteArray payload = pattern(payloadSize);
    if (Opcode(opcode) == Opcode::Close && payloadSize >= 2)
        payload[0] = char(0x03), payload[1] = char(0xE8); // 1000
    writer.writeMessage(Opcode(opcode), payload, out);
    QCOMPARE(out.frames.size(), 1);
    const WireFrame &f = out.frames.first();
    QVERIFY2(f.parsed, qPrintable(f.parseError));
    QCOMPARE(f.opcode, Opcode(opcode));
    QVERIFY(f.fin);
    QCOMPARE(f.rsv, quint8(0));
    QCOMPARE(f.payload, payload);
}

void TestMessageWriter::payloadProblem_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<bool>("refused");

    for (const Opcode op : { Opcode::Ping, Opcode::Pong, Opcode::Close }) {
        const char *name = QMetaEnum::fromType<Opcode>().valueToKey(int(op));
        QTest::addRow("%s 0", name) << int(op) << qsizetype(0) << false;
        QTest::addRow("%s 125", name) << int(op) << qsizetype(125) << false;
        QTest::addRow("%s 126", name) << int(op) << qsizetype(126) << true;
        QTest::addRow("%s 1 MiB", name) << int(op) << qsizetype(1 << 20) << true;
    }
    QTest::newRow("reserved control 0xB 126") << 0xB << qsizetype(126) << true;
    for (const Opcode op : { Opcode::Text, Opcode::Binary, Opcode::Continuation }) {
        const char *name = QMetaEnum::fromType<Opcode>().valueToKey(int(op));
        QTest::addRow("%s 126", name) << int(op) << qsizetype(126) << false;
        QTest::addRow("%s 64 KiB", name) << int(op) << qsizetype(65536) << false;
        QTest::addRow("%s 4 GiB", name) << int(op) << qsizetype(qint64(4) << 30) << false;
        QTest::addRow("%s max", name) << int(op) << std::numeric_limits<qsizetype>::max() << false;
    }
}

void TestMessageWriter::payloadProblem()
{
    QFETCH(int, opcode);
    QFETCH(qsizetype, size);
    QFETCH(bool, refused);
    const QString problem = MessageWriter::payloadProblem(Opcode(opcode), size);
    QCOMPARE(!problem.isNull(), refused);
    if (refused) {
        QVERIFY(problem.contains(QString::number(size)));
        QVERIFY(problem.contains(QLatin1String("125")));
    }
}

void TestMessageWriter::compressedMessageFragmented()
{
    MessageWriter::Config config;
    config.fragmentSize = 16;
    MessageWriter writer(config);
    writer.startCompressing(CompressionOptions::enabledDefaults());
    QVERIFY(writer.isCompressing());
    RecordingOutput out;
    // Random-ish bytes compress poorly: enough left to need several 16-byte frames.
    QByteArray message;
    for (int i = 0; i < 400; ++i)
        message += QByteArray::number((i * 2654435761u) % 1000003u) + ' ';
    const qint64 written = writer.writeMessage(Opcode::Text, message, out);
    QVERIFY2(out.frames.size() > 2, qPrintable(QString::number(out.frames.size())));
    for (int i = 0; i < out.frames.size(); ++i) {
        const WireFrame &f = out.frames.at(i);
        QVERIFY2(f.parsed, qPrintable(f.parseError));
        QVERIFY(f.masked);
        // RSV1 marks the message, so it is on its first frame only (RFC 7692 §6.1).
        QCOMPARE(f.rsv, i == 0 ? quint8(Rsv1) : quint8(0));
        QCOMPARE(f.opcode, i == 0 ? Opcode::Text : Opcode::Continuation);
        QCOMPARE(f.fin, i == out.frames.size() - 1);
        QVERIFY(f.payload.size() <= 16);
    }
    const QByteArray compressed = out.concatenatedPayload();
    QVERIFY(compressed.size() < message.size());
    QVERIFY(!compressed.endsWith(QByteArray("\x00\x00\xff\xff", 4))); // the tail is removed
    Inflater inflater(15);
    QByteArray inflated;
    QCOMPARE(inflateMessage(inflater, compressed, &inflated), Inflater::Result::Ok);
    QCOMPARE(inflated, message);
    QCOMPARE(written, qint64(out.wire.size()));
}

void TestMessageWriter::compressedSingleFrame()
{
    MessageWriter writer;
    writer.startCompressing(CompressionOptions::enabledDefaults());
    RecordingOutput out;
    const QByteArray message(5000, 'z');
    writer.writeMessage(Opcode::Binary, message, out);
    QCOMPARE(out.frames.size(), 1);
    const WireFrame &f = out.frames.first();
    QVERIFY2(f.parsed, qPrintable(f.parseError));
    QCOMPARE(f.rsv, quint8(Rsv1));
    QCOMPARE(f.opcode, Opcode::Binary);
    QVERIFY(f.fin);
    QVERIFY(f.payload.size() < 100);
    Inflater inflater(15);
    QByteArray inflated;
    QCOMPARE(inflateMessage(inflater, f.payload, &inflated), Inflater::Result::Ok);
    QCOMPARE(inflated, message);
}

void TestMessageWriter::compressedEmptyMessage()
{
    MessageWriter writer;
    writer.startCompressing(CompressionOptions::enabledDefaults());
    RecordingOutput out;
    writer.writeMessage(Opcode::Text, QByteArrayView(), out);
    QCOMPARE(out.frames.size(), 1);
    const WireFrame &f = out.frames.first();
    QVERIFY2(f.parsed, qPrintable(f.parseError));
    QVERIFY(f.fin);
    Inflater inflater(15);
    QByteArray inflated;
    if (f.rsv == Rsv1)
        QCOMPARE(inflateMessage(inflater, f.payload, &inflated), Inflater::Result::Ok);
    else
        inflated = f.payload;
    QVERIFY(inflated.isEmpty());
}

void TestMessageWriter::controlFramesNotCompressed()
{
    MessageWriter::Config config;
    config.fragmentSize = 2;
    MessageWriter writer(config);
    writer.startCompressing(CompressionOptions::enabledDefaults());
    RecordingOutput out;
    const QByteArray payload(100, 'p');
    writer.writeMessage(Opcode::Ping, payload, out);
    writer.writeMessage(Opcode::Pong, payload, out);
    writer.writeMessage(Opcode::Close, QByteArray(QByteArray("\x03\xe8", 2) + payload.first(20)), out);
    QCOMPARE(out.frames.size(), 3);
    for (const WireFrame &f : out.frames) {
        QVERIFY2(f.parsed, qPrintable(f.parseError));
        QCOMPARE(f.rsv, quint8(0));
        QVERIFY(f.fin);
    }
    QCOMPARE(out.frames.at(0).payload, payload);
    QCOMPARE(out.frames.at(1).payload, payload);
}

void TestMessageWriter::minimumSizeRespected()
{
    CompressionOptions agreed = CompressionOptions::enabledDefaults();
    agreed.setMinimumSize(100);
    MessageWriter writer;
    writer.startCompressing(agreed);
    QVERIFY(writer.isCompressing());
    RecordingOutput out;
    const QByteArray shortMessage(99, 'a');
    const QByteArray exact(100, 'b');
    const QByteArray longMessage(1000, 'c');
    writer.writeMessage(Opcode::Text, shortMessage, out);
    writer.writeMessage(Opcode::Text, exact, out);
    writer.writeMessage(Opcode::Binary, longMessage, out);
    QCOMPARE(out.frames.size(), 3);
    for (const WireFrame &f : out.frames)
        QVERIFY2(f.parsed, qPrintable(f.parseError));
    // Shorter than the minimum: sent as it is, RSV1 clear.
    QCOMPARE(out.frames.at(0).rsv, quint8(0));
    QCOMPARE(out.frames.at(0).payload, shortMessage);
    // At the minimum and above: compressed.
    Inflater inflater(15);
    QByteArray inflated;
    QCOMPARE(out.frames.at(1).rsv, quint8(Rsv1));
    QCOMPARE(inflateMessage(inflater, out.frames.at(1).payload, &inflated), Inflater::Result::Ok);
    QCOMPARE(inflated, exact);
    QCOMPARE(out.frames.at(2).rsv, quint8(Rsv1));
    QCOMPARE(inflateMessage(inflater, out.frames.at(2).payload, &inflated), Inflater::Result::Ok);
    QCOMPARE(inflated, longMessage);
}

void TestMessageWriter::eightBitClientWindowMeansNoCompression()
{
    CompressionOptions agreed = CompressionOptions::enabledDefaults();
    agreed.setClientMaxWindowBits(8);
    MessageWriter::Config config;
    config.fragmentSize = 300;
    MessageWriter writer(config);
    writer.startCompressing(agreed);
    QVERIFY(!writer.isCompressing());
    RecordingOutput out;
    const QByteArray message(1000, 'x');
    writer.writeMessage(Opcode::Text, message, out);
    QCOMPARE(out.frames.size(), 4);
    for (const WireFrame &f : out.frames) {
        QVERIFY2(f.parsed, qPrintable(f.parseError));
        QCOMPARE(f.rsv, quint8(0));
    }
    QCOMPARE(out.concatenatedPayload(), message);

    // 9 bits is the smallest window zlib writes: compressed.
    agreed.setClientMaxWindowBits(9);
    writer.startCompressing(agreed);
    QVERIFY(writer.isCompressing());
    RecordingOutput nine;
    writer.writeMessage(Opcode::Text, message, nine);
    QCOMPARE(nine.frames.first().rsv, quint8(Rsv1));
    Inflater inflater(9);
    QByteArray inflated;
    QCOMPARE(inflateMessage(inflater, nine.concatenatedPayload(), &inflated), Inflater::Result::Ok);
    QCOMPARE(inflated, message);
}

void TestMessageWriter::clientNoContextTakeover()
{
    CompressionOptions agreed = CompressionOptions::enabledDefaults();
    agreed.setClientNoContextTakeover(true);
    MessageWriter writer;
    writer.startCompressing(agreed);
    RecordingOutput out;
    const QByteArray message = QByteArray("{\"sym\": \"ACME\", \"price\": 101.5, \"size\": 300} ") + pattern(200);
    for (int i = 0; i < 3; ++i)
        writer.writeMessage(Opcode::Text, message, out);
    QCOMPARE(out.frames.size(), 3);
    for (const WireFrame &f : out.frames) {
        QVERIFY2(f.parsed, qPrintable(f.parseError));
        QCOMPARE(f.rsv, quint8(Rsv1));
        // Each message stands alone: a fresh inflater decodes it.
        Inflater fresh(15);
        QByteArray inflated;
        QCOMPARE(inflateMessage(fresh, f.payload, &inflated), Inflater::Result::Ok);
        QCOMPARE(inflated, message);
    }
    // Without a shared window, the same message compresses to the same bytes each time.
    QCOMPARE(out.frames.at(1).payload, out.frames.at(0).payload);
    QCOMPARE(out.frames.at(2).payload, out.frames.at(0).payload);
}

void TestMessageWriter::contextTakeoverSharesTheWindow()
{
    // The counterpart of clientNoContextTakeover(): by default the window carries over, so the
    // second identical message refers back into the first and only an inflater that saw the
    // first decodes it. This shows that the check above can fail.
    MessageWriter writer;
    writer.startCompressing(CompressionOptions::enabledDefaults());
    RecordingOutput out;
    const QByteArray message = QByteArray("{\"sym\": \"ACME\", \"price\": 101.5, \"size\": 300} ") + pattern(200);
    writer.writeMessage(Opcode::Text, message, out);
    writer.writeMessage(Opcode::Text, message, out);
    QCOMPARE(out.frames.size(), 2);
    QVERIFY(out.frames.at(1).payload.size() < out.frames.at(0).payload.size());
    Inflater shared(15);
    QByteArray inflated;
    QCOMPARE(inflateMessage(shared, out.frames.at(0).payload, &inflated), Inflater::Result::Ok);
    QCOMPARE(inflated, message);
    QCOMPARE(inflateMessage(shared, out.frames.at(1).payload, &inflated), Inflater::Result::Ok);
    QCOMPARE(inflated, message);
    Inflater fresh(15);
    QVERIFY(inflateMessage(fresh, out.frames.at(1).payload, &inflated) != Inflater::Result::Ok
        || inflated != message);
}

void TestMessageWriter::startCompressingDisabledStops()
{
    MessageWriter writer;
    writer.startCompressing(CompressionOptions::enabledDefaults());
    QVERIFY(writer.isCompressing());
    writer.startCompressing(CompressionOptions());
    QVERIFY(!writer.isCompressing());
    RecordingOutput out;
    writer.writeMessage(Opcode::Text, QByteArray(500, 'q'), out);
    QCOMPARE(out.frames.size(), 1);
    QCOMPARE(out.frames.first().rsv, quint8(0));
    QCOMPARE(out.frames.first().payload, QByteArray(500, 'q'));
}

void TestMessageWriter::rawFrameKeepsFinRsvOpcode_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<bool>("fin");
    QTest::addColumn<int>("rsv");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("parsable"); // by a server: fragmented control frames are not

    QTest::newRow("text, no FIN") << int(Opcode::Text) << false << 0 << QByteArray("He") << true;
    QTest::newRow("continuation, FIN") << int(Opcode::Continuation) << true << 0 << QByteArray("llo") << true;
    QTest::newRow("binary, RSV1") << int(Opcode::Binary) << true << int(Rsv1) << QByteArray("x") << true;
    QTest::newRow("text, RSV2|RSV3, no FIN") << int(Opcode::Text) << false << int(Rsv2 | Rsv3) << QByteArray()
                                             << true;
    QTest::newRow("all RSV") << int(Opcode::Binary) << true << int(Rsv1 | Rsv2 | Rsv3) << pattern(300) << true;
    QTest::newRow("ping") << int(Opcode::Ping) << true << 0 << QByteArray("p") << true;
    QTest::newRow("close") << int(Opcode::Close) << true << 0 << QByteArray("\x03\xe8", 2) << true;
    QTest::newRow("ping without FIN") << int(Opcode::Ping) << false << 0 << QByteArray("p") << false;
    QTest::newRow("reserved opcode 3") << 0x3 << true << 0 << QByteArray("r") << false;
    QTest::newRow("large data frame, no FIN") << int(Opcode::Binary) << false << 0 << pattern(70000) << true;
}

void TestMessageWriter::rawFrameKeepsFinRsvOpcode()
{
    QFETCH(int, opcode);
    QFETCH(bool, fin);
    QFETCH(int, rsv);
    QFETCH(QByteArray, payload);
    QFETCH(bool, parsable);

    MessageWriter::Config config;
    config.fragmentSize = 1; // raw frames are never split
    MessageWriter writer(config);
    RecordingOutput out;
    const qint64 written = writer.writeRawFrame(Opcode(opcode), fin, quint8(rsv), payload, out);
    QCOMPARE(out.frames.size(), 1);
    const WireFrame &f = out.frames.first();
    QCOMPARE(written, qint64(out.wire.size()));
    // The header byte as sent, whatever a server would make of it.
    QCOMPARE(uchar(out.wire.at(0)), uchar((fin ? 0x80 : 0) | (rsv << 4) | opcode));
    QVERIFY(uchar(out.wire.at(1)) & 0x80); // masked
    QCOMPARE(f.header.fin, fin);
    QCOMPARE(f.header.rsv, quint8(rsv));
    QCOMPARE(int(f.header.opcode), opcode);
    QVERIFY(f.header.masked);
    QCOMPARE(f.parsed, parsable);
    if (parsable) {
        QCOMPARE(f.fin, fin);
        QCOMPARE(f.rsv, quint8(rsv));
        QCOMPARE(int(f.opcode), opcode);
        QCOMPARE(f.payload, payload);
    }
}

void TestMessageWriter::rawFrameNotCompressed()
{
    MessageWriter writer;
    writer.startCompressing(CompressionOptions::enabledDefaults());
    RecordingOutput out;
    const QByteArray payload(400, 'r');
    writer.writeRawFrame(Opcode::Text, true, 0, payload, out);
    writer.writeRawFrame(Opcode::Binary, true, Rsv1, payload, out);
    QCOMPARE(out.frames.size(), 2);
    QCOMPARE(out.frames.at(0).rsv, quint8(0));
    QCOMPARE(out.frames.at(0).payload, payload);
    QCOMPARE(out.frames.at(1).rsv, quint8(Rsv1));
    QCOMPARE(out.frames.at(1).payload, payload); // as given: the caller compressed it, or not
}

void TestMessageWriter::returnValueEqualsWireBytes_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<qint64>("fragmentSize");
    QTest::addColumn<bool>("compress");
    QTest::addColumn<qint64>("expected"); // -1: only compared with the wire

    const int text = int(Opcode::Text), binary = int(Opcode::Binary), ping = int(Opcode::Ping);
    QTest::newRow("empty") << text << qsizetype(0) << qint64(0) << false << qint64(6);
    QTest::newRow("125") << binary << qsizetype(125) << qint64(0) << false << qint64(125 + 6);
    QTest::newRow("126") << binary << qsizetype(126) << qint64(0) << false << qint64(126 + 8);
    QTest::newRow("65535") << binary << qsizetype(65535) << qint64(0) << false << qint64(65535 + 8);
    QTest::newRow("65536") << binary << qsizetype(65536) << qint64(0) << false << qint64(65536 + 14);
    QTest::newRow("ping 125") << ping << qsizetype(125) << qint64(0) << false << qint64(131);
    QTest::newRow("fragmented 300 by 126") << binary << qsizetype(300) << qint64(126) << false
                                           << qint64(126 + 8 + 126 + 8 + 48 + 6);
    QTest::newRow("fragmented 70000 by 65536") << binary << qsizetype(70000) << qint64(65536) << false
                                               << qint64(65536 + 14 + 4464 + 8);
    QTest::newRow("compressed") << text << qsizetype(5000) << qint64(0) << true << qint64(-1);
    QTest::newRow("compressed, fragmented") << text << qsizetype(5000) << qint64(7) << true << qint64(-1);
}

void TestMessageWriter::returnValueEqualsWireBytes()
{
    QFETCH(int, opcode);
    QFETCH(qsizetype, size);
    QFETCH(qint64, fragmentSize);
    QFETCH(bool, compress);
    QFETCH(qint64, expected);

    MessageWriter::Config config;
    config.fragmentSize = fragmentSize;
    MessageWriter writer(config);
    if (compress)
        writer.startCompressing(CompressionOptions::enabledDefaults());
    RecordingOutput out;
    const qint64 written = writer.writeMessage(Opcode(opcode), pattern(size), out);
    QCOMPARE(written, qint64(out.wire.size()));
    qint64 sum = 0;
    for (const WireFrame &f : out.frames) {
        QVERIFY2(f.parsed, qPrintable(f.parseError));
        sum += f.wireSize;
    }
    QCOMPARE(sum, written);
    if (expected >= 0)
        QCOMPARE(written, expected);
}

// send(data, Continuation) continues a message begun with sendFrame(): it is never compressed (RSV1
// belongs to a message's first frame only, and a continuation cannot start a deflate stream).
void TestMessageWriter::continuationNotCompressed()
{
    MessageWriter writer;
    writer.startCompressing(CompressionOptions::enabledDefaults());
    RecordingOutput out;
    const QByteArray payload = pattern(4096);
    writer.writeMessage(Opcode::Continuation, payload, out);
    QCOMPARE(out.frames.size(), 1);
    QCOMPARE(out.frames.at(0).opcode, Opcode::Continuation);
    QCOMPARE(out.frames.at(0).rsv, quint8(0));
    QCOMPARE(out.frames.at(0).payload, payload);
}

QTEST_APPLESS_MAIN(TestMessageWriter)
#include "tst_messagewriter.moc"
