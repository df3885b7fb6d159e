#include "protocol/frameparser.h"
#include "protocol/framewriter.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qrandom.h>
#include <QtCore/qset.h>
#include <QtTest/QtTest>

using namespace WsClient;
using namespace WsClient::Protocol;
using Status = FrameParser::Status;

namespace {

struct ParsedFrame
{
    bool fin = true;
    quint8 rsv = 0;
    Opcode opcode = Opcode::Text;
    QByteArray payload;

    bool operator==(const ParsedFrame &other) const
    {
        return fin == other.fin && rsv == other.rsv && opcode == other.opcode && payload == other.payload;
    }
};

ParsedFrame frame(Opcode opcode, const QByteArray &payload, bool fin = true, quint8 rsv = 0)
{
    return { fin, rsv, opcode, payload };
}

// How a test reads each payload: as a view (copied by the test) or handed over by takePayload().
enum class Access { View, Take };

// Everything observable about parsing one byte stream, so that different chunkings can be
// compared as a whole.
struct Run
{
    QList<ParsedFrame> frames;
    bool failed = false;
    Error error = Error::NoError;
    CloseCode closeCode = CloseCode::Normal;
    QString message;
    QStringList problems; // broken API invariants seen along the way

    bool operator==(const Run &other) const
    {
        return frames == other.frames && failed == other.failed && error == other.error
            && closeCode == other.closeCode && message == other.message && problems == other.problems;
    }

    QByteArray describe() const
    {
        QByteArray text = QByteArray::number(frames.size()) + " frames:";
        for (const ParsedFrame &f : frames) {
            text += " [op " + QByteArray::number(int(f.opcode)) + (f.fin ? " fin" : "") + " rsv "
                + QByteArray::number(f.rsv) + " " + QByteArray::number(f.payload.size()) + " B]";
        }
        if (failed)
            text += " failed " + QByteArray::number(int(closeCode)) + ": " + message.toUtf8();
        if (!problems.isEmpty())
            text += " problems: " + problems.join(QLatin1String("; ")).toUtf8();
        return text;
    }
};

QByteArray serverFrame(Opcode opcode, QByteArrayView payload, bool fin = true, quint8 rsv = 0)
{
    FrameHeader header;
    header.opcode = opcode;
    header.fin = fin;
    header.rsv = rsv;
    header.masked = false;
    QByteArray out;
    appendFrame(out, header, payload);
    return out;
}

QByteArray patternPayload(qsizetype size, int seed = 0)
{
    QByteArray payload(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        payload[i] = char((i * 13 + seed * 7 + 1) & 0xFF);
    return payload;
}

FrameParser::Config clientConfig()
{
    return {};
}

FrameParser::Config serverConfig()
{
    FrameParser::Config config;
    config.expectMasked = true;
    return config;
}

/*
    Feeds \a wire to a fresh parser in chunks cut at \a cuts (ascending). Each chunk is a separate
    writable buffer, like successive socket reads; the chunk is drained before the next one is
    fed. Records frames and the failure, and checks the parse() contract along the way.
*/
Run parseChunks(const QByteArray &wire, const FrameParser::Config &config, const QList<qsizetype> &cuts,
    Access access = Access::View)
{
    FrameParser parser(config);
    Run run;
    QList<qsizetype> ends = cuts;
    ends.append(wire.size());
    qsizetype start = 0;
    for (qsizetype end : ends) {
        QByteArray chunk = wire.mid(start, end - start);
        start = end;
        chunk.detach();
        qsizetype position = 0;
        do {
            qsizetype consumed = -1;
            const Status status = parser.parse(chunk.data() + position, chunk.size() - position, &consumed);
            if (consumed < 0 || consumed > chunk.size() - position)
                run.problems.append(QStringLiteral("consumed out of range"));
            switch (status) {
            case Status::Frame: {
                const FrameHeader &header = parser.header();
                if (quint64(parser.payload().size()) != header.payloadLength)
                    run.problems.append(QStringLiteral("payload size differs from header"));
                ParsedFrame f { header.fin, header.rsv, header.opcode, {} };
                f.payload = access == Access::Take ? parser.takePayload() : parser.payload().toByteArray();
                run.frames.append(f);
                break;
            }
            case Status::NeedMore:
                if (consumed != chunk.size() - position)
                    run.problems.append(QStringLiteral("NeedMore without consuming everything"));
                break;
            case Status::Failed:
                if (consumed != 0)
                    run.problems.append(QStringLiteral("Failed with consumed != 0"));
                run.failed = true;
                run.error = parser.failure().error;
                run.closeCode = parser.failure().closeCode;
                run.message = parser.failure().message;
                return run;
            }
            position += qMax<qsizetype>(consumed, 0);
        } while (position < chunk.size());
    }
    return run;
}

// Compares pointers as addresses (QCOMPARE would compare two const char * as C strings).
const void *address(const char *pointer)
{
    return pointer;
}

QList<qsizetype> everyByte(qsizetype size)
{
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < size; ++i)
        cuts.append(i);
    return cuts;
}

QList<qsizetype> randomCuts(qsizetype size, quint32 seed, int maxChunk)
{
    QRandomGenerator generator(seed);
    QList<qsizetype> cuts;
    for (qsizetype at = generator.bounded(maxChunk + 1); at < size; at += 1 + generator.bounded(maxChunk))
        cuts.append(at);
    return cuts;
}

// Compares parsing the whole buffer with parsing it at every split point, byte by byte, and in
// random chunks, in both payload access modes. Returns the whole-buffer run, with the first
// difference found (if any) added to its problems.
Run checkChunkingInvariance(const QByteArray &wire, const FrameParser::Config &config, bool everySplit)
{
    Run whole = parseChunks(wire, config, {});
    auto differs = [&whole](const Run &run, const QByteArray &how) {
        if (run == whole)
            return false;
        whole.problems.append(QStringLiteral("chunked ") + QString::fromUtf8(how) + QStringLiteral(" gives ")
            + QString::fromUtf8(run.describe()));
        return true;
    };
    if (differs(parseChunks(wire, config, {}, Access::Take), "whole, takePayload"))
        return whole;
    if (differs(parseChunks(wire, config, everyByte(wire.size())), "one byte at a time"))
        return whole;
    if (differs(parseChunks(wire, config, everyByte(wire.size()), Access::Take), "one byte at a time, take"))
        return whole;
    for (quint32 seed = 1; seed <= 20; ++seed) {
        const QList<qsizetype> cuts = randomCuts(wire.size(), seed, seed < 10 ? 20 : 3000);
        if (differs(parseChunks(wire, config, cuts, seed % 2 ? Access::Take : Access::View),
                "randomly, seed " + QByteArray::number(seed)))
            return whole;
    }
    if (!everySplit)
        return whole;
    for (qsizetype cut = 0; cut <= wire.size(); ++cut) {
        if (differs(parseChunks(wire, config, { cut }), "at " + QByteArray::number(cut)))
            return whole;
    }
    // Three pieces, both cuts among the first header bytes.
    for (qsizetype first = 0; first <= qMin<qsizetype>(wire.size(), 24); ++first) {
        for (qsizetype second = first; second <= qMin<qsizetype>(wire.size(), 40); ++second) {
            if (differs(parseChunks(wire, config, { first, second }, Access::Take),
                    "at " + QByteArray::number(first) + " and " + QByteArray::number(second)))
                return whole;
        }
    }
    return whole;
}

} // namespace

Q_DECLARE_METATYPE(FrameParser::Config)
Q_DECLARE_METATYPE(QList<ParsedFrame>)

class TestFrameParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void announcedLengthIsNotReservedUpFront();
    void spareBufferIsReusedOnlyWhenFree();
    void severalSparesServeMessagesInFlight();
    void rfcExamples_data();
    void rfcExamples();
    void maskedFrameRejectedByClient();
    void lengthBoundaries_data();
    void lengthBoundaries();
    void rules_data();
    void rules();
    void failedParserStaysFailed();
    void resetRecovers();
    void negotiatedRsvAccepted();
    void chunkedSequences_data();
    void chunkedSequences();
    void largeFramesInChunks();
    void payloadInPlace();
    void maskedPayloadUnmaskedInPlace();
    void headerSplitPayloadInPlace();
    void gatheredPayloadMovedOut();
    void zeroLengthFrames();
    void directTarget_data();
    void directTarget();
    void directTargetOnlyWhileGathering();
    void maxFrameSizeFromHeaderAlone();
    void maxFrameSizeBoundary();
    void speedOfSmallFrames();
};

void TestFrameParser::rfcExamples_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<FrameParser::Config>("config");
    QTest::addColumn<QList<ParsedFrame>>("expected");

    // RFC 6455 §5.7.
    QTest::newRow("single-frame unmasked text") << QByteArray::fromHex("810548656c6c6f") << clientConfig()
                                                << QList<ParsedFrame> { frame(Opcode::Text, "Hello") };
    QTest::newRow("single-frame masked text")
        << QByteArray::fromHex("818537fa213d7f9f4d5158") << serverConfig()
        << QList<ParsedFrame> { frame(Opcode::Text, "Hello") };
    QTest::newRow("fragmented unmasked text")
        << QByteArray::fromHex("010348656c80026c6f") << clientConfig()
        << QList<ParsedFrame> { frame(Opcode::Text, "Hel", false), frame(Opcode::Continuation, "lo") };
    QTest::newRow("unmasked ping") << QByteArray::fromHex("890548656c6c6f") << clientConfig()
                                   << QList<ParsedFrame> { frame(Opcode::Ping, "Hello") };
    QTest::newRow("masked pong") << QByteArray::fromHex("8a8537fa213d7f9f4d5158") << serverConfig()
                                 << QList<ParsedFrame> { frame(Opcode::Pong, "Hello") };
    const QByteArray payload256 = patternPayload(256);
    QTest::newRow("256-byte unmasked binary") << QByteArray::fromHex("827e0100")
            + payload256 << clientConfig() << QList<ParsedFrame> { frame(Opcode::Binary, payload256) };
    const QByteArray payload64k = patternPayload(65536);
    QTest::newRow("64 KiB unmasked binary") << QByteArray::fromHex("827f0000000000010000")
            + payload64k << clientConfig() << QList<ParsedFrame> { frame(Opcode::Binary, payload64k) };
}

void TestFrameParser::rfcExamples()
{
    QFETCH(QByteArray, wire);
    QFETCH(FrameParser::Config, config);
    QFETCH(QList<ParsedFrame>, expected);

    const Run run = checkChunkingInvariance(wire, config, wire.size() < 1000);
    QVERIFY2(!run.failed && run.problems.isEmpty(), run.describe().constData());
    QCOMPARE(run.frames.size(), expected.size());
    QVERIFY2(run.frames == expected, run.describe().constData());
}

void TestFrameParser::maskedFrameRejectedByClient()
{
    // A server must not mask (RFC 6455 §5.1): the client's default configuration refuses it.
    const Run run = parseChunks(QByteArray::fromHex("818537fa213d7f9f4d5158"), clientConfig(), {});
    QVERIFY(run.failed);
    QCOMPARE(run.closeCode, CloseCode::ProtocolError);
    QCOMPARE(run.error, Error::Protocol);
    QVERIFY2(run.message.contains(QLatin1String("masked")), qPrintable(run.message));
    QVERIFY(run.frames.isEmpty());
}

void TestFrameParser::lengthBoundaries_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qsizetype>("length");

    QTest::newRow("0") << QByteArray::fromHex("8200") << qsizetype(0);
    QTest::newRow("1") << QByteArray::fromHex("8201") << qsizetype(1);
    QTest::newRow("125") << QByteArray::fromHex("827d") << qsizetype(125);
    QTest::newRow("126") << QByteArray::fromHex("827e007e") << qsizetype(126);
    QTest::newRow("127") << QByteArray::fromHex("827e007f") << qsizetype(127);
    QTest::newRow("65535") << QByteArray::fromHex("827effff") << qsizetype(65535);
    QTest::newRow("65536") << QByteArray::fromHex("827f0000000000010000") << qsizetype(65536);
    QTest::newRow("65537") << QByteArray::fromHex("827f0000000000010001") << qsizetype(65537);
}

void TestFrameParser::lengthBoundaries()
{
    QFETCH(QByteArray, header);
    QFETCH(qsizetype, length);

    const QByteArray payload = patternPayload(length, 5);
    // Hand-built unmasked frame, followed by a second frame to show the length was honoured.
    const QByteArray wire = header + payload + QByteArray::fromHex("8a0141");
    const Run whole = parseChunks(wire, clientConfig(), {});
    QVERIFY2(!whole.failed && whole.problems.isEmpty(), whole.describe().constData());
    QCOMPARE(whole.frames.size(), 2);
    QCOMPARE(whole.frames[0].payload.size(), length);
    QVERIFY(whole.frames[0] == frame(Opcode::Binary, payload));
    QVERIFY(whole.frames[1] == frame(Opcode::Pong, "A"));

    // Writer -> parser with masking, as a server would read a client, in assorted chunks.
    const MaskKey key { 0x5c, 0xa3, 0x0f, 0xe1 };
    const QByteArray masked = encodeFrame(Opcode::Binary, payload, key) + encodeFrame(Opcode::Pong, "A", key);
    for (const QList<qsizetype> &cuts : { QList<qsizetype> {}, QList<qsizetype> { 1 },
             QList<qsizetype> { 3, 9 }, randomCuts(masked.size(), quint32(length), 700) }) {
        const Run run = parseChunks(masked, serverConfig(), cuts, Access::Take);
        QVERIFY2(run == whole, run.describe().constData());
    }
}

void TestFrameParser::rules_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<FrameParser::Config>("config");
    QTest::addColumn<CloseCode>("closeCode");
    QTest::addColumn<QString>("message");

    const FrameParser::Config client = clientConfig();
    auto protocol = [&](const char *name, const char *hex, const QString &message,
                        const FrameParser::Config &config = clientConfig()) {
        QTest::newRow(name) << QByteArray::fromHex(hex) << config << CloseCode::ProtocolError << message;
    };

    protocol("RSV1 without extension", "c100", QStringLiteral("RSV1 set without a negotiated extension"));
    protocol("RSV2 without extension", "a100", QStringLiteral("RSV2 set without a negotiated extension"));
    protocol("RSV3 without extension", "9100", QStringLiteral("RSV3 set without a negotiated extension"));
    protocol("RSV1+RSV3 without extension", "d100",
        QStringLiteral("RSV1, RSV3 set without a negotiated extension"));
    FrameParser::Config deflate = client;
    deflate.allowedRsv = Rsv1;
    protocol("RSV2 with only RSV1 negotiated", "e100",
        QStringLiteral("RSV2 set without a negotiated extension"), deflate);

    for (int opcode : { 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF }) {
        const QByteArray name = "opcode 0x" + QByteArray::number(opcode, 16);
        QTest::newRow(name.constData())
            << QByteArray(1, char(0x80 | opcode)) + QByteArray(1, '\0') << client << CloseCode::ProtocolError
            << QStringLiteral("unknown opcode 0x") + QString::number(opcode, 16).toUpper();
    }
    // With FIN=0 too: an unknown opcode is reported as such, not as a fragmented control frame.
    protocol("opcode 0x3, FIN=0", "0300", QStringLiteral("unknown opcode 0x3"));

    protocol("fragmented close", "0800", QStringLiteral("fragmented control frame (opcode 0x8 with FIN=0)"));
    protocol("fragmented ping", "0900", QStringLiteral("fragmented control frame (opcode 0x9 with FIN=0)"));
    protocol("fragmented pong", "0a00", QStringLiteral("fragmented control frame (opcode 0xA with FIN=0)"));

    protocol("ping of 126 bytes", "897e007e", QStringLiteral("control frame of 126 bytes exceeds 125"));
    protocol("ping of 200 bytes", "897e00c8", QStringLiteral("control frame of 200 bytes exceeds 125"));
    protocol("close of 65536 bytes", "887f0000000000010000",
        QStringLiteral("control frame of 65536 bytes exceeds 125"));

    protocol("masked frame to a client", "818537fa213d",
        QStringLiteral("masked frame where none may be masked (server to client)"));
    protocol("unmasked frame to a server", "8105",
        QStringLiteral("unmasked frame where masking is required (client to server)"), serverConfig());

    protocol("0 in the 16-bit form", "827e0000",
        QStringLiteral("non-minimal length encoding: 0 bytes in the 16-bit form"));
    protocol("125 in the 16-bit form", "827e007d",
        QStringLiteral("non-minimal length encoding: 125 bytes in the 16-bit form"));
    protocol("0 in the 64-bit form", "827f0000000000000000",
        QStringLiteral("non-minimal length encoding: 0 bytes in the 64-bit form"));
    protocol("125 in the 64-bit form", "827f000000000000007d",
        QStringLiteral("non-minimal length encoding: 125 bytes in the 64-bit form"));
    protocol("65535 in the 64-bit form", "827f000000000000ffff",
        QStringLiteral("non-minimal length encoding: 65535 bytes in the 64-bit form"));
    protocol("64-bit length 2^63", "827f8000000000000000",
        QStringLiteral("64-bit payload length with the most significant bit set"));
    protocol("64-bit length 2^64-1", "827fffffffffffffffff",
        QStringLiteral("64-bit payload length with the most significant bit set"));

    auto tooBig = [&](const char *name, const char *hex, quint64 limit, const QString &message) {
        FrameParser::Config config = client;
        config.maxFrameSize = limit;
        QTest::newRow(name) << QByteArray::fromHex(hex) << config << CloseCode::MessageTooBig << message;
    };
    tooBig("1 byte over a limit of 0", "8201", 0, QStringLiteral("frame of 1 bytes exceeds the limit of 0"));
    tooBig("126 over 125", "827e007e", 125, QStringLiteral("frame of 126 bytes exceeds the limit of 125"));
    tooBig(
        "1001 over 1000", "827e03e9", 1000, QStringLiteral("frame of 1001 bytes exceeds the limit of 1000"));
    tooBig("2^62 over the default", "827f4000000000000000", FrameParser::Config().maxFrameSize,
        QStringLiteral("frame of 4611686018427387904 bytes exceeds the limit of 67108864"));
    tooBig("2^63-1 over 2^62", "827f7fffffffffffffff", quint64(1) << 62,
        QStringLiteral("frame of 9223372036854775807 bytes exceeds the limit of 4611686018427387904"));
}

void TestFrameParser::rules()
{
    QFETCH(QByteArray, wire);
    QFETCH(FrameParser::Config, config);
    QFETCH(CloseCode, closeCode);
    QFETCH(QString, message);

    // The wire holds only the offending header (no payload): every rule must be judged from the
    // header alone, however it is chunked.
    const Run run = checkChunkingInvariance(wire, config, true);
    QVERIFY2(run.failed, run.describe().constData());
    QCOMPARE(run.closeCode, closeCode);
    QCOMPARE(run.error, closeCode == CloseCode::MessageTooBig ? Error::MessageTooBig : Error::Protocol);
    QCOMPARE(run.message, message);
    QVERIFY(run.frames.isEmpty());
    QVERIFY2(run.problems.isEmpty(), run.describe().constData());

    // After a valid (empty, so within every limit) frame, the same header fails the same way.
    const QByteArray valid = config.expectMasked
        ? encodeFrame(Opcode::Text, QByteArrayView(), MaskKey { 1, 2, 3, 4 })
        : serverFrame(Opcode::Text, QByteArrayView());
    const Run after = checkChunkingInvariance(valid + wire, config, true);
    QCOMPARE(after.frames.size(), 1);
    QVERIFY(after.frames[0] == frame(Opcode::Text, QByteArray()));
    QVERIFY(after.failed);
    QCOMPARE(after.message, message);
    QVERIFY2(after.problems.isEmpty(), after.describe().constData());
}

void TestFrameParser::failedParserStaysFailed()
{
    FrameParser parser;
    QByteArray bad = QByteArray::fromHex("c105") + "Hello";
    qsizetype consumed = -1;
    QCOMPARE(parser.parse(bad.data(), bad.size(), &consumed), Status::Failed);
    QCOMPARE(consumed, 0);
    QVERIFY(parser.hasFailed());
    const QString message = parser.failure().message;

    // A perfectly valid frame afterwards is not decoded; nothing is consumed; the failure stays.
    QByteArray good = serverFrame(Opcode::Text, "fine");
    for (int attempt = 0; attempt < 3; ++attempt) {
        consumed = -1;
        QCOMPARE(parser.parse(good.data(), good.size(), &consumed), Status::Failed);
        QCOMPARE(consumed, 0);
    }
    QCOMPARE(parser.parse(nullptr, 0, &consumed), Status::Failed);
    QCOMPARE(parser.failure().message, message);
    QCOMPARE(parser.failure().closeCode, CloseCode::ProtocolError);
    QVERIFY(parser.payload().isEmpty());
    qsizetype room = -1;
    QCOMPARE(parser.directTarget(&room), nullptr);
    QCOMPARE(room, 0);
}

void TestFrameParser::resetRecovers()
{
    FrameParser parser;
    QByteArray bad = QByteArray::fromHex("8f00");
    qsizetype consumed;
    QCOMPARE(parser.parse(bad.data(), bad.size(), &consumed), Status::Failed);
    parser.reset();
    QVERIFY(!parser.hasFailed());
    QCOMPARE(parser.failure().error, Error::NoError);

    // reset() also drops a half-received frame.
    QByteArray partial = serverFrame(Opcode::Binary, patternPayload(300)).left(50);
    QCOMPARE(parser.parse(partial.data(), partial.size(), &consumed), Status::NeedMore);
    parser.reset();
    QByteArray good = serverFrame(Opcode::Text, "fresh");
    QCOMPARE(parser.parse(good.data(), good.size(), &consumed), Status::Frame);
    QCOMPARE(consumed, good.size());
    QCOMPARE(parser.payload(), QByteArrayView("fresh"));
}

void TestFrameParser::negotiatedRsvAccepted()
{
    // permessage-deflate negotiates RSV1; the parser passes the bit through for the assembler.
    const QByteArray wire
        = serverFrame(Opcode::Text, "compressed", true, Rsv1) + serverFrame(Opcode::Text, "x");
    FrameParser::Config config;
    config.allowedRsv = Rsv1;
    const Run run = checkChunkingInvariance(wire, config, true);
    QVERIFY2(!run.failed && run.problems.isEmpty(), run.describe().constData());
    QCOMPARE(run.frames.size(), 2);
    QCOMPARE(run.frames[0].rsv, quint8(Rsv1));
    QCOMPARE(run.frames[1].rsv, quint8(0));

    // setAllowedRsv() takes effect for the next frame.
    FrameParser parser;
    QByteArray copy = wire;
    qsizetype consumed;
    QCOMPARE(parser.parse(copy.data(), copy.size(), &consumed), Status::Failed);
    FrameParser negotiated;
    negotiated.setAllowedRsv(Rsv1);
    copy = wire;
    QCOMPARE(negotiated.parse(copy.data(), copy.size(), &consumed), Status::Frame);
    QCOMPARE(negotiated.header().rsv, quint8(Rsv1));
}

void TestFrameParser::chunkedSequences_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<FrameParser::Config>("config");
    QTest::addColumn<QList<ParsedFrame>>("expected");
    QTest::addColumn<bool>("endsInFailure");

    {
        QByteArray wire = QByteArray::fromHex("810548656c6c6f"
                                              "010348656c"
                                              "890548656c6c6f"
                                              "80026c6f"
                                              "827e0100")
            + patternPayload(256);
        QTest::newRow("rfc frames back to back")
            << wire << clientConfig()
            << QList<ParsedFrame> { frame(Opcode::Text, "Hello"), frame(Opcode::Text, "Hel", false),
                   frame(Opcode::Ping, "Hello"), frame(Opcode::Continuation, "lo"),
                   frame(Opcode::Binary, patternPayload(256)) }
            << false;
    }
    {
        QByteArray wire;
        QList<ParsedFrame> expected;
        int seed = 0;
        for (qsizetype size : { 0, 1, 2, 3, 4, 5, 7, 8, 9, 125, 126, 127, 300 }) {
            const MaskKey key { uchar(0x11 * seed), uchar(0xA0 + seed), uchar(0x3C), uchar(0xFF - seed) };
            const QByteArray payload = patternPayload(size, ++seed);
            wire += encodeFrame(Opcode::Binary, payload, key);
            expected.append(frame(Opcode::Binary, payload));
            wire += encodeFrame(Opcode::Ping, payload.left(125), key);
            expected.append(frame(Opcode::Ping, payload.left(125)));
        }
        QTest::newRow("masked client frames, every small size")
            << wire << serverConfig() << expected << false;
    }
    {
        QByteArray wire;
        QList<ParsedFrame> expected;
        for (Opcode opcode : { Opcode::Text, Opcode::Continuation, Opcode::Ping, Opcode::Pong, Opcode::Binary,
                 Opcode::Close }) {
            const bool fin = opcode != Opcode::Text;
            wire += serverFrame(opcode, QByteArrayView(), fin);
            expected.append(frame(opcode, QByteArray(), fin));
        }
        QTest::newRow("zero-length frames only") << wire << clientConfig() << expected << false;
    }
    {
        QByteArray wire;
        QList<ParsedFrame> expected;
        for (int i = 0; i < 3; ++i) {
            const QByteArray payload = patternPayload(10 + i * 60, i);
            wire += encodeFrame(Opcode::Text, payload, MaskKey {}, true, 0);
            expected.append(frame(Opcode::Text, payload));
            wire += encodeFrame(Opcode::Text, QByteArrayView(), MaskKey { 9, 8, 7, 6 });
            expected.append(frame(Opcode::Text, QByteArray()));
        }
        QTest::newRow("masked zero-length frames between others")
            << wire << serverConfig() << expected << false;
    }
    {
        const QByteArray wire = serverFrame(Opcode::Text, "ok")
            + serverFrame(Opcode::Binary, patternPayload(200)) + QByteArray::fromHex("c203") + "bad";
        QTest::newRow("valid frames, then a broken one")
            << wire << clientConfig()
            << QList<ParsedFrame> { frame(Opcode::Text, "ok"), frame(Opcode::Binary, patternPayload(200)) }
            << true;
    }
    {
        const QByteArray wire
            = serverFrame(Opcode::Text, "ok") + QByteArray::fromHex("827e0010") + "sixteen bytes..";
        QTest::newRow("valid frame, then a non-minimal length")
            << wire << clientConfig() << QList<ParsedFrame> { frame(Opcode::Text, "ok") } << true;
    }
}

void TestFrameParser::chunkedSequences()
{
    QFETCH(QByteArray, wire);
    QFETCH(FrameParser::Config, config);
    QFETCH(QList<ParsedFrame>, expected);
    QFETCH(bool, endsInFailure);

    const Run run = checkChunkingInvariance(wire, config, true);
    QVERIFY2(run.problems.isEmpty(), run.describe().constData());
    QCOMPARE(run.failed, endsInFailure);
    QCOMPARE(run.frames.size(), expected.size());
    QVERIFY2(run.frames == expected, run.describe().constData());
}

void TestFrameParser::largeFramesInChunks()
{
    // Too long to split at every byte position of the whole stream: split at every position
    // around each header, byte by byte, and in random chunk sizes.
    QByteArray wire;
    QList<ParsedFrame> expected;
    QList<qsizetype> frameStarts;
    int seed = 0;
    for (qsizetype size : { 65535, 10, 65536, 0, 100000, 126 }) {
        const QByteArray payload = patternPayload(size, ++seed);
        frameStarts.append(wire.size());
        wire += encodeFrame(Opcode::Binary, payload, MaskKey { uchar(seed), 0x42, 0x99, uchar(0xF0 | seed) });
        expected.append(frame(Opcode::Binary, payload));
    }
    const Run whole = checkChunkingInvariance(wire, serverConfig(), false);
    QVERIFY2(!whole.failed && whole.problems.isEmpty(), whole.describe().constData());
    QVERIFY(whole.frames == expected);

    for (qsizetype start : frameStarts) {
        for (qsizetype cut = qMax<qsizetype>(0, start - 20); cut <= qMin(wire.size(), start + 20); ++cut) {
            const Run run = parseChunks(wire, serverConfig(), { cut }, cut % 2 ? Access::Take : Access::View);
            QVERIFY2(run == whole, qPrintable(QString::number(cut)));
        }
    }
}

void TestFrameParser::payloadInPlace()
{
    QByteArray wire = serverFrame(Opcode::Text, "first") + serverFrame(Opcode::Binary, patternPayload(300));
    FrameParser parser;
    qsizetype consumed = 0;
    QCOMPARE(parser.parse(wire.data(), wire.size(), &consumed), Status::Frame);
    QCOMPARE(consumed, 7);
    // A view into the caller's buffer, right after the 2-byte header: no copy.
    QCOMPARE(address(parser.payload().data()), address(wire.constData() + 2));
    QCOMPARE(parser.payload(), QByteArrayView("first"));

    qsizetype second = 0;
    QCOMPARE(parser.parse(wire.data() + consumed, wire.size() - consumed, &second), Status::Frame);
    QCOMPARE(second, wire.size() - consumed);
    QCOMPARE(address(parser.payload().data()), address(wire.constData() + consumed + 4));
    QCOMPARE(parser.payload().size(), 300);

    // takePayload() of an in-place frame copies (the caller's buffer is not ours to give away).
    const QByteArray taken = parser.takePayload();
    QCOMPARE(taken, patternPayload(300));
    QVERIFY(taken.constData() != wire.constData() + consumed + 4);
    QVERIFY(parser.payload().isEmpty());
}

void TestFrameParser::maskedPayloadUnmaskedInPlace()
{
    QByteArray wire = QByteArray::fromHex("818537fa213d7f9f4d5158");
    FrameParser parser(serverConfig());
    qsizetype consumed = 0;
    QCOMPARE(parser.parse(wire.data(), wire.size(), &consumed), Status::Frame);
    QCOMPARE(consumed, wire.size());
    QVERIFY(parser.header().masked);
    QCOMPARE(parser.header().maskKey, (MaskKey { 0x37, 0xfa, 0x21, 0x3d }));
    QCOMPARE(address(parser.payload().data()), address(wire.constData() + 6));
    QCOMPARE(parser.payload(), QByteArrayView("Hello"));
    // The caller's buffer now holds the unmasked payload.
    QCOMPARE(wire.mid(6), QByteArray("Hello"));
}

void TestFrameParser::headerSplitPayloadInPlace()
{
    // Only the header straddles two reads: the payload still lies whole in the second read and
    // is handed out from there rather than gathered.
    const QByteArray full = serverFrame(Opcode::Binary, patternPayload(1000));
    QByteArray first = full.left(3);
    QByteArray second = full.mid(3);
    FrameParser parser;
    qsizetype consumed = 0;
    QCOMPARE(parser.parse(first.data(), first.size(), &consumed), Status::NeedMore);
    QCOMPARE(consumed, 3);
    qsizetype room = -1;
    QCOMPARE(parser.directTarget(&room), nullptr); // still in the header
    QCOMPARE(parser.parse(second.data(), second.size(), &consumed), Status::Frame);
    QCOMPARE(consumed, second.size());
    QCOMPARE(address(parser.payload().data()), address(second.constData() + 1));
    QCOMPARE(parser.payload(), QByteArrayView(patternPayload(1000)));
}

void TestFrameParser::gatheredPayloadMovedOut()
{
    const QByteArray payload = patternPayload(5000);
    const QByteArray full = encodeFrame(Opcode::Binary, payload, MaskKey { 1, 2, 3, 4 });
    FrameParser parser(serverConfig());
    qsizetype consumed = 0;
    QByteArray first = full.left(1000);
    QByteArray second = full.mid(1000);
    QCOMPARE(parser.parse(first.data(), first.size(), &consumed), Status::NeedMore);
    QCOMPARE(consumed, first.size());
    QCOMPARE(parser.parse(second.data(), second.size(), &consumed), Status::Frame);
    QCOMPARE(consumed, second.size());
    QCOMPARE(parser.payload(), QByteArrayView(payload));
    // Gathered in the parser's own buffer, so takePayload() hands that very buffer over.
    const char *gathered = parser.payload().data();
    QVERIFY(gathered < second.constData() || gathered >= second.constData() + second.size());
    const QByteArray taken = parser.takePayload();
    QCOMPARE(address(taken.constData()), address(gathered));
    QCOMPARE(taken, payload);
    QVERIFY(parser.payload().isEmpty());
    QVERIFY(parser.takePayload().isEmpty());
    // The caller's second read was not unmasked in place (it was copied while unmasking).
    QCOMPARE(second, full.mid(1000));

    // The next gathered frame gets a fresh buffer: the one handed over is untouched.
    QByteArray again = full;
    QCOMPARE(parser.parse(again.data(), 100, &consumed), Status::NeedMore);
    QCOMPARE(parser.parse(again.data() + 100, again.size() - 100, &consumed), Status::Frame);
    QCOMPARE(taken, payload);
    QCOMPARE(parser.payload(), QByteArrayView(payload));
}

void TestFrameParser::zeroLengthFrames()
{
    for (bool masked : { false, true }) {
        QByteArray wire = masked ? encodeFrame(Opcode::Ping, QByteArrayView(), MaskKey { 1, 2, 3, 4 })
                                 : serverFrame(Opcode::Ping, QByteArrayView());
        FrameParser parser(masked ? serverConfig() : clientConfig());
        qsizetype consumed = -1;
        QCOMPARE(parser.parse(wire.data(), wire.size(), &consumed), Status::Frame);
        QCOMPARE(consumed, wire.size());
        QCOMPARE(parser.header().payloadLength, quint64(0));
        QVERIFY(parser.payload().isEmpty());
        QVERIFY(parser.takePayload().isEmpty());

        // Header delivered byte by byte: the frame is complete with its last header byte, with no
        // buffer to gather into.
        FrameParser split(masked ? serverConfig() : clientConfig());
        for (qsizetype i = 0; i < wire.size(); ++i) {
            qsizetype room = -1;
            QCOMPARE(split.directTarget(&room), nullptr);
            const Status expected = i + 1 == wire.size() ? Status::Frame : Status::NeedMore;
            QCOMPARE(split.parse(wire.data() + i, 1, &consumed), expected);
            QCOMPARE(consumed, 1);
        }
        QVERIFY(split.payload().isEmpty());
        QCOMPARE(split.header().opcode, Opcode::Ping);

        // Empty input in between changes nothing.
        QCOMPARE(split.parse(nullptr, 0, &consumed), Status::NeedMore);
        QCOMPARE(consumed, 0);
    }
}

void TestFrameParser::directTarget_data()
{
    QTest::addColumn<bool>("masked");
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<qsizetype>("viaParse"); // payload bytes given through parse() first
    QTest::addColumn<qsizetype>("readSize"); // what each simulated socket read delivers

    QTest::newRow("unmasked, 100000, 4 KiB reads")
        << false << qsizetype(100000) << qsizetype(0) << qsizetype(4096);
    QTest::newRow("unmasked, some via parse")
        << false << qsizetype(100000) << qsizetype(777) << qsizetype(4096);
    QTest::newRow("masked, odd reads") << true << qsizetype(10007) << qsizetype(3) << qsizetype(333);
    QTest::newRow("masked, 1-byte reads") << true << qsizetype(130) << qsizetype(1) << qsizetype(1);
    QTest::newRow("masked, one read") << true << qsizetype(65536) << qsizetype(0) << qsizetype(1 << 20);
}

void TestFrameParser::directTarget()
{
    QFETCH(bool, masked);
    QFETCH(qsizetype, size);
    QFETCH(qsizetype, viaParse);
    QFETCH(qsizetype, readSize);

    const QByteArray payload = patternPayload(size, 3);
    const QByteArray frameBytes = masked
        ? encodeFrame(Opcode::Binary, payload, MaskKey { 0xA1, 0xB2, 0xC3, 0xD4 })
        : serverFrame(Opcode::Binary, payload);
    const QByteArray next = masked ? encodeFrame(Opcode::Text, "after", MaskKey { 5, 6, 7, 8 })
                                   : serverFrame(Opcode::Text, "after");
    const QByteArray wire = frameBytes + next;
    const qsizetype headerSize = frameHeaderSize(quint64(size), masked);

    FrameParser parser(masked ? serverConfig() : clientConfig());
    QByteArray start = wire.left(headerSize + viaParse);
    qsizetype consumed = -1;
    QCOMPARE(parser.parse(start.data(), start.size(), &consumed), Status::NeedMore);
    QCOMPARE(consumed, start.size());

    // The socket reads straight into the parser's buffer, never past the frame's end.
    qsizetype position = start.size();
    qsizetype room = 0;
    while (char *target = parser.directTarget(&room)) {
        QCOMPARE(room, size - (position - headerSize));
        const qsizetype n = qMin(room, readSize);
        std::memcpy(target, wire.constData() + position, size_t(n));
        parser.commitDirect(n);
        position += n;
    }
    QCOMPARE(room, 0);
    QCOMPARE(position, frameBytes.size());

    QCOMPARE(parser.parse(nullptr, 0, &consumed), Status::Frame);
    QCOMPARE(consumed, 0);
    QCOMPARE(parser.header().payloadLength, quint64(size));
    QCOMPARE(parser.payload(), QByteArrayView(payload));
    const QByteArray taken = parser.takePayload();
    QCOMPARE(taken, payload);

    // And the stream goes on normally.
    QByteArray rest = wire.mid(position);
    QCOMPARE(parser.parse(rest.data(), rest.size(), &consumed), Status::Frame);
    QCOMPARE(consumed, rest.size());
    QCOMPARE(parser.payload(), QByteArrayView("after"));
}

void TestFrameParser::directTargetOnlyWhileGathering()
{
    FrameParser parser;
    qsizetype room = -1;
    QCOMPARE(parser.directTarget(&room), nullptr);
    QCOMPARE(room, 0);

    // Mixed: direct reads and parse() calls may alternate.
    const QByteArray payload = patternPayload(50);
    QByteArray wire = serverFrame(Opcode::Binary, payload);
    qsizetype consumed;
    QCOMPARE(parser.parse(wire.data(), 12, &consumed), Status::NeedMore);
    char *target = parser.directTarget(&room);
    QVERIFY(target);
    QCOMPARE(room, 40);
    std::memcpy(target, wire.constData() + 12, 10);
    parser.commitDirect(10);
    QCOMPARE(parser.parse(wire.data() + 22, 10, &consumed), Status::NeedMore);
    QCOMPARE(consumed, 10);
    target = parser.directTarget(&room);
    QCOMPARE(room, 20);
    std::memcpy(target, wire.constData() + 32, 20);
    parser.commitDirect(20);
    QCOMPARE(parser.directTarget(&room), nullptr);
    QCOMPARE(room, 0);
    QCOMPARE(parser.parse(nullptr, 0, &consumed), Status::Frame);
    QCOMPARE(parser.payload(), QByteArrayView(payload));
    QCOMPARE(parser.directTarget(&room), nullptr);
}

void TestFrameParser::maxFrameSizeFromHeaderAlone()
{
    // A header announcing 1 TiB is refused before a single payload byte arrives, and nothing is
    // allocated for it (there is no gathering buffer to read into).
    FrameParser parser;
    QByteArray header = QByteArray::fromHex("827f0000010000000000");
    qsizetype consumed = -1;
    QCOMPARE(parser.parse(header.data(), header.size(), &consumed), Status::Failed);
    QCOMPARE(parser.failure().closeCode, CloseCode::MessageTooBig);
    QCOMPARE(parser.failure().error, Error::MessageTooBig);
    qsizetype room = -1;
    QCOMPARE(parser.directTarget(&room), nullptr);

    // Same when the header arrives byte by byte: the failure comes with its last length byte,
    // before the mask key or payload.
    FrameParser::Config config = serverConfig();
    config.maxFrameSize = 1000;
    FrameParser split(config);
    QByteArray masked = QByteArray::fromHex("82fe03e9") + "KEY!";
    for (qsizetype i = 0; i < 3; ++i)
        QCOMPARE(split.parse(masked.data() + i, 1, &consumed), Status::NeedMore);
    QCOMPARE(split.parse(masked.data() + 3, 1, &consumed), Status::Failed);
    QCOMPARE(split.failure().closeCode, CloseCode::MessageTooBig);
    QCOMPARE(split.directTarget(&room), nullptr);
}

void TestFrameParser::maxFrameSizeBoundary()
{
    FrameParser::Config config;
    config.maxFrameSize = 1000;
    const QByteArray atLimit = serverFrame(Opcode::Binary, patternPayload(1000));
    const Run ok = checkChunkingInvariance(atLimit, config, false);
    QVERIFY2(!ok.failed && ok.problems.isEmpty(), ok.describe().constData());
    QCOMPARE(ok.frames.size(), 1);

    const Run over = parseChunks(serverFrame(Opcode::Binary, patternPayload(1001)), config, {});
    QVERIFY(over.failed);
    QCOMPARE(over.closeCode, CloseCode::MessageTooBig);

    // setMaxFrameSize() applies from the next frame on.
    FrameParser parser(config);
    QByteArray wire = atLimit + atLimit;
    qsizetype consumed;
    QCOMPARE(parser.parse(wire.data(), wire.size(), &consumed), Status::Frame);
    parser.setMaxFrameSize(999);
    QCOMPARE(parser.config().maxFrameSize, quint64(999));
    QCOMPARE(parser.parse(wire.data() + consumed, wire.size() - consumed, &consumed), Status::Failed);
    QCOMPARE(parser.failure().message, QStringLiteral("frame of 1000 bytes exceeds the limit of 999"));
}

void TestFrameParser::speedOfSmallFrames()
{
    // The in-place path on a buffer of many small frames; the micro-benchmark target is >= 20 M
    // frames/s. Timing is reported, not asserted (shared CI machines, sanitizer builds).
    QByteArray wire;
    const QByteArray one = serverFrame(Opcode::Binary, patternPayload(14)); // 16 bytes
    constexpr int Frames = 100000;
    wire.reserve(one.size() * Frames);
    for (int i = 0; i < Frames; ++i)
        wire += one;

    FrameParser parser;
    int frames = 0;
    qint64 bytes = 0;
    QBENCHMARK
    {
        frames = 0;
        bytes = 0;
        qsizetype position = 0;
        while (position < wire.size()) {
            qsizetype consumed;
            if (parser.parse(wire.data() + position, wire.size() - position, &consumed) == Status::Frame) {
                ++frames;
                bytes += parser.payload().size();
            }
            position += consumed;
        }
    }
    QCOMPARE(frames, Frames);
    QCOMPARE(bytes, qint64(14) * Frames);
}

// A payload offered back with setSpareBuffer() is gathered into again, but only while nobody else
// holds it and when its size fits the next frame.
void TestFrameParser::spareBufferIsReusedOnlyWhenFree()
{
    FrameParser parser;
    // Parses one unmasked binary frame of `length` bytes fed in 256 KiB pieces (so it is gathered).
    auto receive = [&parser](qsizetype length, char fill) {
        QByteArray bytes = QByteArray::fromHex("827f");
        for (int i = 7; i >= 0; --i)
            bytes.append(char((quint64(length) >> (8 * i)) & 0xFF));
        bytes.append(QByteArray(length, fill));
        qsizetype position = 0;
        FrameParser::Status status = FrameParser::Status::NeedMore;
        while (position < bytes.size() && status == FrameParser::Status::NeedMore) {
            qsizetype used = 0;
            status = parser.parse(
                bytes.data() + position, qMin<qsizetype>(256 * 1024, bytes.size() - position), &used);
            position += used;
        }
        return status == FrameParser::Status::Frame ? parser.takePayload() : QByteArray();
    };
    const qsizetype large = 3 * 1024 * 1024;

    QByteArray first = receive(large, 'a');
    QCOMPARE(first, QByteArray(large, 'a'));
    const QByteArray kept = first; // the application keeps the message
    parser.setSpareBuffer(std::move(first));
    QByteArray second = receive(large, 'b');
    QVERIFY(second.constData() != kept.constData());
    QCOMPARE(kept, QByteArray(large, 'a'));

    const char *memory = second.constData(); // this one is dropped by the application
    parser.setSpareBuffer(std::move(second));
    QByteArray third = receive(large - 5, 'c');
    QCOMPARE(third.constData(), memory);
    QCOMPARE(third, QByteArray(large - 5, 'c'));

    // A frame less than half the spare's size does not take it (the message would pin the rest).
    memory = third.constData();
    parser.setSpareBuffer(std::move(third));
    const QByteArray small = receive(1024 * 1024, 'd');
    QVERIFY(small.constData() != memory);
    QCOMPARE(small, QByteArray(1024 * 1024, 'd'));
}

// Messages in flight (a blocking caller with four outstanding): the four buffers it let go of are
// filled again, each by one of the next four frames, whether a frame was gathered from pieces or
// came whole in one read; a fifth offer pushes out the oldest.
void TestFrameParser::severalSparesServeMessagesInFlight()
{
    for (const bool whole : { false, true }) {
        FrameParser parser;
        const qsizetype length = 64 * 1024;
        auto receive = [&parser, length, whole](char fill) {
            QByteArray bytes = QByteArray::fromHex("827f");
            for (int i = 7; i >= 0; --i)
                bytes.append(char((quint64(length) >> (8 * i)) & 0xFF));
            bytes.append(QByteArray(length, fill));
            qsizetype used = 0;
            // Fed whole, or in two pieces so that the payload is gathered.
            if (whole) {
                const auto status = parser.parse(bytes.data(), bytes.size(), &used);
                return status == FrameParser::Status::Frame ? parser.takePayload() : QByteArray();
            }
            parser.parse(bytes.data(), 100, &used);
            const qsizetype first = used;
            const auto status = parser.parse(bytes.data() + first, bytes.size() - first, &used);
            return status == FrameParser::Status::Frame ? parser.takePayload() : QByteArray();
        };
        QList<QByteArray> batch;
        for (char c = 'a'; c < 'a' + FrameParser::MaxSpares; ++c)
            batch.append(receive(c));
        QSet<const char *> offered;
        for (QByteArray &m : batch) {
            offered.insert(m.constData());
            parser.setSpareBuffer(std::move(m));
        }
        batch.clear();
        for (char c = 'e'; c < 'e' + FrameParser::MaxSpares; ++c) {
            QByteArray m = receive(c);
            QCOMPARE(m, QByteArray(length, c));
            QVERIFY2(offered.remove(m.constData()), "a fresh buffer instead of a spare");
            batch.append(m);
        }
        QVERIFY(offered.isEmpty());
        // Bounded: of MaxSpares + 1 offers, the oldest is let go.
        const char *oldest = batch.constFirst().constData();
        for (QByteArray &m : batch)
            parser.setSpareBuffer(std::move(m));
        parser.setSpareBuffer(QByteArray(length, 'z'));
        for (int i = 0; i < FrameParser::MaxSpares; ++i)
            QVERIFY(receive('y').constData() != oldest);
    }
}

// A header announcing a 60 MiB frame must not make the client commit 60 MiB before the bytes come:
// the gathering buffer starts small and grows with the data, and the frame still arrives whole.
void TestFrameParser::announcedLengthIsNotReservedUpFront()
{
    const qsizetype length = 60 * 1024 * 1024;
    QByteArray header = QByteArray::fromHex("827f");
    for (int i = 7; i >= 0; --i)
        header.append(char((quint64(length) >> (8 * i)) & 0xFF));
    FrameParser parser;
    qsizetype used = 0;
    QCOMPARE(parser.parse(header.data(), header.size(), &used), FrameParser::Status::NeedMore);
    qsizetype room = 0;
    QVERIFY(parser.directTarget(&room) != nullptr);
    QVERIFY2(room <= 1024 * 1024, qPrintable(QString::number(room)));

    // Feed the payload in 256 KiB reads through both paths; the result is one intact frame.
    QByteArray chunk(256 * 1024, Qt::Uninitialized);
    qsizetype sent = 0;
    FrameParser::Status status = FrameParser::Status::NeedMore;
    while (sent < length) {
        const qsizetype n = qMin<qsizetype>(chunk.size(), length - sent);
        for (qsizetype i = 0; i < n; ++i)
            chunk[i] = char((sent + i) % 251);
        if ((sent / chunk.size()) % 2) {
            char *target = parser.directTarget(&room);
            QVERIFY(target);
            // Memory follows what arrived: never more than four times it (or the first MiB) ahead.
            QVERIFY2(room <= 4 * qMax<qsizetype>(sent, 1024 * 1024), qPrintable(QString::number(room)));
            const qsizetype put = qMin(room, n);
            std::memcpy(target, chunk.constData(), size_t(put));
            parser.commitDirect(put);
            if (put < n)
                status = parser.parse(chunk.data() + put, n - put, &used);
            else
                status = parser.parse(nullptr, 0, &used);
        } else {
            status = parser.parse(chunk.data(), n, &used);
        }
        sent += n;
    }
    QCOMPARE(status, FrameParser::Status::Frame);
    const QByteArray payload = parser.takePayload();
    QCOMPARE(payload.size(), length);
    for (qsizetype i = 0; i < length; i += 4093)
        QCOMPARE(payload.at(i), char(i % 251));
}

QTEST_APPLESS_MAIN(TestFrameParser)
#include "tst_frameparser.moc"
