// permessage-deflate in the protocol core: the zlib codec, the negotiation rules of RFC 7692 §7.1
// and compressed messages through the ProtocolReader, including the RFC's own examples (§7.2.3)
// and hostile input (bad data, bombs, RSV1 where it is not allowed).

#include "protocol/deflatecodec.h"
#include "protocol/permessagedeflate.h"
#include "protocol/protocolreader.h"

#include <QtTest/QtTest>

#include <sys/resource.h>
#include <zlib.h>

using namespace WsClient;
using namespace WsClient::Protocol;

namespace {

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(QByteArray(text));
}

// An unmasked server frame with \a firstByte (FIN, RSV, opcode) around \a payload.
QByteArray serverFrame(quint8 firstByte, const QByteArray &payload)
{
    QByteArray frame(1, char(firstByte));
    if (payload.size() < 126) {
        frame.append(char(payload.size()));
    } else if (payload.size() < 65536) {
        frame.append(char(126));
        frame.append(char(payload.size() >> 8));
        frame.append(char(payload.size() & 0xff));
    } else {
        frame.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(payload.size()) >> shift) & 0xff));
    }
    return frame + payload;
}

class Sink : public FrameSink
{
public:
    void messageReceived(Opcode opcode, QByteArray &&message) override
    {
        Q_UNUSED(opcode);
        messages.append(message);
    }
    void fragmentReceived(Opcode opcode, QByteArray &&data, bool fin) override
    {
        fragments.append(QStringLiteral("%1 %2 %3")
                             .arg(int(opcode))
                             .arg(QString::fromLatin1(data))
                             .arg(fin ? QStringLiteral("fin") : QStringLiteral("more")));
    }
    void pingReceived(QByteArrayView) override { }
    void pongReceived(QByteArrayView) override { }
    void closeReceived(quint16, const QString &) override { }

    QList<QByteArray> messages;
    QStringList fragments;
};

ProtocolReader::Config inflating(bool resetEachMessage = false, quint64 maxInflated = 64 * 1024 * 1024)
{
    ProtocolReader::Config config;
    config.messages.inflate = true;
    config.messages.inflateResetEachMessage = resetEachMessage;
    config.messages.maxInflatedSize = maxInflated;
    config.frames.maxFrameSize = quint64(1) << 32;
    config.messages.maxMessageSize = quint64(1) << 32;
    return config;
}

// Feeds \a wire to a fresh reader; returns what was delivered, failure in *failure.
QList<QByteArray> readAll(const ProtocolReader::Config &config, QByteArray wire, Failure *failure = nullptr)
{
    ProtocolReader reader(config);
    Sink sink;
    reader.feed(wire.data(), wire.size(), sink);
    if (failure)
        *failure = reader.failure();
    return sink.messages;
}

// Raw DEFLATE of \a size zero bytes with a sync flush, tail removed, made without holding them all.
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

long maxRssKiB()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

} // namespace

class tst_PerMessageDeflate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfcHelloIsCompressedAsInTheRfc();
    void contextTakeoverSharesTheWindow();
    void noContextTakeoverRepeatsTheSameBytes();
    void roundTripsEverySize_data();
    void roundTripsEverySize();
    void rfcExamplesInflate_data();
    void rfcExamplesInflate();
    void fragmentedCompressedMessage();
    void fireContinuationFramesInflatesEachFrame();
    void utf8IsValidatedAfterInflation();
    void serverNoContextTakeoverForgetsTheWindow();
    void emptyCompressedMessage();
    void hostileFrames_data();
    void hostileFrames();
    void bombStopsAtTheLimit();
    void offer_data();
    void offer();
    void negotiation_data();
    void negotiation();
    void invalidOptions_data();
    void invalidOptions();
};

void tst_PerMessageDeflate::rfcHelloIsCompressedAsInTheRfc()
{
    // RFC 7692 §7.2.3.1: "Hello" is f2 48 cd c9 c9 07 00 with the tail removed.
    Deflater deflater(15, -1, 8);
    QVERIFY(deflater.isValid());
    QCOMPARE(deflater.compress("Hello", false).toHex(), QByteArray("f248cdc9c90700"));
}

void tst_PerMessageDeflate::contextTakeoverSharesTheWindow()
{
    // §7.2.3.2: the second "Hello" refers back to the first: f2 00 11 00 00.
    Deflater deflater(15, -1, 8);
    deflater.compress("Hello", false);
    QCOMPARE(deflater.compress("Hello", false).toHex(), QByteArray("f200110000"));
}

void tst_PerMessageDeflate::noContextTakeoverRepeatsTheSameBytes()
{
    Deflater deflater(15, -1, 8);
    const QByteArray message = QByteArray("{\"type\":\"tick\",\"price\":101.25}").repeated(8);
    const QByteArray first = deflater.compress(message, true);
    QCOMPARE(deflater.compress(message, true), first);
    QVERIFY(first.size() < message.size());
}

void tst_PerMessageDeflate::roundTripsEverySize_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("windowBits");
    for (int size : { 0, 1, 125, 126, 65535, 65536, 1 << 20, 5 << 20 })
        for (int bits : { 9, 12, 15 })
            QTest::addRow("%d bytes, window %d", size, bits) << size << bits;
}

void tst_PerMessageDeflate::roundTripsEverySize()
{
    QFETCH(int, size);
    QFETCH(int, windowBits);
    // Half text-like, half random: both compressible and incompressible stretches.
    QByteArray message(size, Qt::Uninitialized);
    QRandomGenerator random(size);
    for (int i = 0; i < size; ++i)
        message[i] = i < size / 2 ? char('a' + (i * 7 % 13)) : char(random.bounded(256));
    Deflater deflater(windowBits, 6, 8);
    Inflater inflater(windowBits);
    for (int round = 0; round < 3; ++round) {
        const QByteArray compressed = deflater.compress(message, false);
        QByteArray out;
        QCOMPARE(inflater.inflate(compressed, true, out, quint64(size)), Inflater::Result::Ok);
        QCOMPARE(out.size(), message.size());
        QVERIFY(out == message);
    }
}

void tst_PerMessageDeflate::rfcExamplesInflate_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QList<QByteArray>>("messages");
    const QList<QByteArray> hello { QByteArray("Hello") };
    QTest::newRow("7.2.3.1 one frame") << hex("c107f248cdc9c90700") << hello;
    QTest::newRow("7.2.3.1 two fragments") << hex("4103f248cd8004c9c90700") << hello;
    QTest::newRow("7.2.3.2 shared window")
        << hex("c107f248cdc9c90700c105f200110000") << QList<QByteArray> { "Hello", "Hello" };
    QTest::newRow("7.2.3.3 no compression") << hex("c10b0005 00faff48656c6c6f00") << hello;
    QTest::newRow("7.2.3.4 BFINAL, then another message")
        << hex("c108f348cdc9c9070000c107f248cdc9c90700") << QList<QByteArray> { "Hello", "Hello" };
    QTest::newRow("7.2.3.5 two DEFLATE blocks") << hex("c10df24805000000ffffcac9c90700") << hello;
    QTest::newRow("uncompressed message between compressed ones") << hex(
        "c107f248cdc9c90700810548656c6c6fc105f200110000") << QList<QByteArray> { "Hello", "Hello", "Hello" };
}

void tst_PerMessageDeflate::rfcExamplesInflate()
{
    QFETCH(QByteArray, wire);
    QFETCH(QList<QByteArray>, messages);
    Failure failure;
    QCOMPARE(readAll(inflating(), wire, &failure), messages);
    QVERIFY2(!failure.isFailure(), qPrintable(failure.message));
}

void tst_PerMessageDeflate::fragmentedCompressedMessage()
{
    // A 200 KiB text compressed once, then cut into frames at odd places, one byte at a time.
    QByteArray text;
    for (int i = 0; text.size() < 200 * 1024; ++i)
        text += "line " + QByteArray::number(i) + " \xc3\xa9t\xc3\xa9 \xe2\x82\xac\n";
    Deflater deflater(15, 6, 8);
    const QByteArray compressed = deflater.compress(text, false);
    QByteArray wire;
    const int cuts[] = { 1, 7, 1000, 4096 };
    qsizetype offset = 0;
    for (int i = 0; offset < compressed.size(); ++i) {
        const qsizetype n = qMin<qsizetype>(cuts[i % 4], compressed.size() - offset);
        const bool fin = offset + n == compressed.size();
        const quint8 first = quint8((fin ? 0x80 : 0) | (i == 0 ? 0x41 : 0x00));
        wire += serverFrame(first, compressed.mid(offset, n));
        offset += n;
    }
    ProtocolReader reader(inflating());
    Sink sink;
    for (qsizetype i = 0; i < wire.size(); ++i)
        reader.feed(wire.data() + i, 1, sink);
    QVERIFY2(!reader.hasFailed(), qPrintable(reader.failure().message));
    QCOMPARE(sink.messages.size(), 1);
    QVERIFY(sink.messages.first() == text);
}

void tst_PerMessageDeflate::fireContinuationFramesInflatesEachFrame()
{
    ProtocolReader::Config config = inflating();
    config.messages.fireContinuationFrames = true;
    ProtocolReader reader(config);
    Sink sink;
    QByteArray wire = hex("4103f248cd8004c9c90700");
    reader.feed(wire.data(), wire.size(), sink);
    QVERIFY2(!reader.hasFailed(), qPrintable(reader.failure().message));
    QCOMPARE(sink.fragments, QStringList({ QStringLiteral("1 He more"), QStringLiteral("0 llo fin") }));
}

void tst_PerMessageDeflate::utf8IsValidatedAfterInflation()
{
    Deflater deflater(15, 6, 8);
    // "é" split across two frames of the compressed stream still validates...
    const QByteArray first = deflater.compress("caf\xc3", false);
    Failure failure;
    QByteArray wire = serverFrame(0x41, first);
    Deflater d2(15, 6, 8);
    const QByteArray whole = d2.compress("caf\xc3\xa9", false);
    wire = serverFrame(0x41, whole.left(3)) + serverFrame(0x80, whole.mid(3));
    QCOMPARE(readAll(inflating(), wire, &failure), QList<QByteArray>({ QByteArray("caf\xc3\xa9") }));
    QVERIFY(!failure.isFailure());
    // ... and invalid UTF-8 inside compressed text fails with 1007.
    Deflater d3(15, 6, 8);
    readAll(inflating(), serverFrame(0xc1, d3.compress("bad \xff byte", false)), &failure);
    QCOMPARE(failure.error, Error::Payload);
    QCOMPARE(failure.closeCode, CloseCode::InvalidPayload);
    // Incrementally: the first frame of a compressed message inflates to invalid UTF-8, and the
    // message fails there, before (without) its final frame.
    Deflater d4(15, 6, 8);
    failure = {};
    readAll(inflating(), serverFrame(0x41, d4.compress("bad \xff byte, then much more to come", false)),
        &failure);
    QCOMPARE(failure.error, Error::Payload);
    QCOMPARE(failure.closeCode, CloseCode::InvalidPayload);
}

void tst_PerMessageDeflate::serverNoContextTakeoverForgetsTheWindow()
{
    // The RFC's shared-window message needs the previous one: without takeover it cannot inflate.
    Failure failure;
    const QByteArray wire = hex("c107f248cdc9c90700c105f200110000");
    QCOMPARE(readAll(inflating(true), wire, &failure), QList<QByteArray>({ QByteArray("Hello") }));
    QCOMPARE(failure.error, Error::Compression);
    QCOMPARE(failure.closeCode, CloseCode::InvalidPayload);
    QVERIFY2(
        failure.message.contains(QStringLiteral("invalid compressed data")), qPrintable(failure.message));
}

void tst_PerMessageDeflate::emptyCompressedMessage()
{
    // No DEFLATE data at all, and a flushed empty block ("00"): both are empty messages, and the
    // window is intact for the next message.
    Failure failure;
    const QByteArray wire = hex("c107f248cdc9c90700c100c10100c105f200110000");
    QCOMPARE(readAll(inflating(), wire, &failure), QList<QByteArray>({ "Hello", "", "", "Hello" }));
    QVERIFY2(!failure.isFailure(), qPrintable(failure.message));
}

void tst_PerMessageDeflate::hostileFrames_data()
{
    QTest::addColumn<bool>("negotiated");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<WsClient::Error>("error");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("RSV1 without negotiation")
        << false << hex("c107f248cdc9c90700") << Error::Protocol << 1002 << QStringLiteral("RSV1");
    QTest::newRow("RSV1 on a continuation frame")
        << true << hex("4103f248cdc004c9c90700") << Error::Protocol << 1002 << QStringLiteral("continuation");
    QTest::newRow("RSV1 on a ping") << true << hex("c9026869") << Error::Protocol << 1002
                                    << QStringLiteral("control");
    QTest::newRow("RSV2 with deflate")
        << true << hex("a1026869") << Error::Protocol << 1002 << QStringLiteral("RSV2");
    QTest::newRow("invalid block type") << true << hex("c103ffffff") << Error::Compression << 1007
                                        << QStringLiteral("invalid compressed data");
    QTest::newRow("stored block with a bad length") << true << hex("c1050005000000") << Error::Compression
                                                    << 1007 << QStringLiteral("invalid compressed data");
    QTest::newRow("distance beyond the window") << true << hex("c105f200110000") << Error::Compression << 1007
                                                << QStringLiteral("invalid compressed data");
}

void tst_PerMessageDeflate::hostileFrames()
{
    QFETCH(bool, negotiated);
    QFETCH(QByteArray, wire);
    QFETCH(WsClient::Error, error);
    QFETCH(int, code);
    QFETCH(QString, mentions);
    Failure failure;
    const QList<QByteArray> delivered
        = readAll(negotiated ? inflating() : ProtocolReader::Config(), wire, &failure);
    QVERIFY(delivered.isEmpty());
    QCOMPARE(failure.error, error);
    QCOMPARE(int(failure.closeCode), code);
    QVERIFY2(failure.message.contains(mentions), qPrintable(failure.message));
}

void tst_PerMessageDeflate::bombStopsAtTheLimit()
{
    // 1 GiB of zeros is about 1 MB compressed; the default 64 MiB limit stops it after 64 MiB plus
    // at most one inflate step, so the process never comes near holding the gigabyte.
    const QByteArray bomb = compressedZeros(qint64(1) << 30);
    QVERIFY(bomb.size() < 2 * 1024 * 1024);
    const long before = maxRssKiB();
    Failure failure;
    QVERIFY(readAll(inflating(), serverFrame(0xc2, bomb), &failure).isEmpty());
    QCOMPARE(failure.error, Error::MessageTooBig);
    QCOMPARE(failure.closeCode, CloseCode::MessageTooBig);
    QVERIFY2(failure.message.contains(QStringLiteral("67108864")), qPrintable(failure.message));
    const long grownMiB = (maxRssKiB() - before) / 1024;
    qInfo("peak RSS grew by %ld MiB inflating the 1 GiB bomb", grownMiB);
    QVERIFY2(grownMiB < 200, qPrintable(QString::number(grownMiB)));

    // A small limit stops it almost at once, also in pieces (frame by frame).
    Inflater inflater(15);
    QByteArray out;
    QCOMPARE(inflater.inflate(bomb.left(4096), false, out, 100000), Inflater::Result::TooBig);
    QVERIFY(out.size() <= 100000 + 1024 * 1024);
}

void tst_PerMessageDeflate::offer_data()
{
    QTest::addColumn<CompressionOptions>("options");
    QTest::addColumn<QByteArray>("offer");
    CompressionOptions options = CompressionOptions::enabledDefaults();
    QTest::newRow("defaults") << options << QByteArray("permessage-deflate; client_max_window_bits");
    options.setClientNoContextTakeover(true);
    options.setServerNoContextTakeover(true);
    options.setClientMaxWindowBits(10);
    options.setServerMaxWindowBits(9);
    QTest::newRow("everything") << options
                                << QByteArray("permessage-deflate; client_no_context_takeover; "
                                              "server_no_context_takeover; client_max_window_bits=10; "
                                              "server_max_window_bits=9");
}

void tst_PerMessageDeflate::offer()
{
    QFETCH(CompressionOptions, options);
    QFETCH(QByteArray, offer);
    QCOMPARE(deflateOffer(options), offer);
}

void tst_PerMessageDeflate::negotiation_data()
{
    QTest::addColumn<int>("clientBits"); // offered; 15 = without value
    QTest::addColumn<int>("serverBits"); // requested; 15 = not requested
    QTest::addColumn<bool>("askServerNoTakeover");
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<QString>("problem"); // empty: accepted
    QTest::addColumn<QString>("agreed"); // enabled/cbits/sbits/cnct/snct

    QTest::newRow("declined") << 15 << 15 << false << QByteArray() << QString()
                              << QStringLiteral("0/15/15/0/0");
    QTest::newRow("plain") << 15 << 15 << false << QByteArray("permessage-deflate") << QString()
                           << QStringLiteral("1/15/15/0/0");
    QTest::newRow("case and spaces") << 15 << 15 << false
                                     << QByteArray("Permessage-Deflate ;Server_No_Context_Takeover ")
                                     << QString() << QStringLiteral("1/15/15/0/1");
    QTest::newRow("server picks windows")
        << 15 << 15 << false
        << QByteArray("permessage-deflate; server_max_window_bits=12; client_max_window_bits=12") << QString()
        << QStringLiteral("1/12/12/0/0");
    QTest::newRow("quoted value") << 15 << 15 << false
                                  << QByteArray("permessage-deflate; client_max_window_bits=\"10\"")
                                  << QString() << QStringLiteral("1/10/15/0/0");
    QTest::newRow("server asks client no takeover")
        << 15 << 15 << false << QByteArray("permessage-deflate; client_no_context_takeover") << QString()
        << QStringLiteral("1/15/15/1/0");
    QTest::newRow("requests answered")
        << 10 << 9 << true
        << QByteArray("permessage-deflate; server_no_context_takeover; server_max_window_bits=9") << QString()
        << QStringLiteral("1/10/9/0/1");
    QTest::newRow("smaller than requested")
        << 10 << 12 << false
        << QByteArray("permessage-deflate; server_max_window_bits=8; client_max_window_bits=8") << QString()
        << QStringLiteral("1/8/8/0/0");

    const auto bad
        = [](const char *name, int cbits, int sbits, bool snct, const char *response, const char *problem) {
              QTest::newRow(name) << cbits << sbits << snct << QByteArray(response)
                                  << QString::fromUtf8(problem) << QString();
          };
    bad("unknown extension", 15, 15, false, "x-webkit-deflate-frame", "not offered");
    bad("twice", 15, 15, false, "permessage-deflate, permessage-deflate", "more than one");
    bad("unknown parameter", 15, 15, false, "permessage-deflate; x=1", "unknown parameter");
    bad("duplicate parameter", 15, 15, false,
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover", "twice");
    bad("value on a flag", 15, 15, false, "permessage-deflate; client_no_context_takeover=1",
        "takes no value");
    bad("window too big", 15, 15, false, "permessage-deflate; server_max_window_bits=16", "8..15");
    bad("window too small", 15, 15, false, "permessage-deflate; server_max_window_bits=7", "8..15");
    bad("leading zero", 15, 15, false, "permessage-deflate; server_max_window_bits=09", "8..15");
    bad("window without value", 15, 15, false, "permessage-deflate; server_max_window_bits", "8..15");
    bad("not a number", 15, 15, false, "permessage-deflate; client_max_window_bits=ten", "8..15");
    bad("client window above offer", 10, 15, false, "permessage-deflate; client_max_window_bits=11",
        "above the 10 offered");
    bad("server window above request", 15, 10, false, "permessage-deflate; server_max_window_bits=12",
        "above the 10 offered");
    bad("server window request ignored", 15, 10, false, "permessage-deflate", "server_max_window_bits=10");
    bad("no takeover request ignored", 15, 15, true, "permessage-deflate", "server_no_context_takeover");
    bad("malformed parameter", 15, 15, false, "permessage-deflate; =12", "malformed");
}

void tst_PerMessageDeflate::negotiation()
{
    QFETCH(int, clientBits);
    QFETCH(int, serverBits);
    QFETCH(bool, askServerNoTakeover);
    QFETCH(QByteArray, response);
    QFETCH(QString, problem);
    QFETCH(QString, agreed);
    CompressionOptions offered = CompressionOptions::enabledDefaults();
    offered.setClientMaxWindowBits(clientBits);
    offered.setServerMaxWindowBits(serverBits);
    offered.setServerNoContextTakeover(askServerNoTakeover);
    CompressionOptions result;
    const QString found = negotiateDeflate(offered, response, &result);
    if (problem.isEmpty()) {
        QVERIFY2(found.isNull(), qPrintable(found));
        QCOMPARE(QStringLiteral("%1/%2/%3/%4/%5")
                     .arg(int(result.isEnabled()))
                     .arg(result.clientMaxWindowBits())
                     .arg(result.serverMaxWindowBits())
                     .arg(int(result.clientNoContextTakeover()))
                     .arg(int(result.serverNoContextTakeover())),
            agreed);
    } else {
        QVERIFY2(found.contains(problem), qPrintable(found));
        QVERIFY2(found.startsWith(QStringLiteral("permessage-deflate"))
                || found.contains(QStringLiteral("Extensions")),
            qPrintable(found));
    }
}

void tst_PerMessageDeflate::invalidOptions_data()
{
    QTest::addColumn<CompressionOptions>("options");
    QTest::addColumn<QString>("problem");
    CompressionOptions base = CompressionOptions::enabledDefaults();
    CompressionOptions o = base;
    o.setClientMaxWindowBits(16);
    QTest::newRow("client window") << o << QStringLiteral("client max window bits must be 8..15, not 16");
    o = base;
    o.setServerMaxWindowBits(7);
    QTest::newRow("server window") << o << QStringLiteral("server max window bits must be 8..15, not 7");
    o = base;
    o.setCompressionLevel(10);
    QTest::newRow("level") << o << QStringLiteral("level must be -1..9, not 10");
    o = base;
    o.setMemoryLevel(0);
    QTest::newRow("memory level") << o << QStringLiteral("memory level must be 1..9, not 0");
    o = base;
    o.setMaxDecompressedSize(0);
    QTest::newRow("limit") << o << QStringLiteral("decompressed size limit must be positive");
    o = CompressionOptions();
    o.setClientMaxWindowBits(99);
    QTest::newRow("disabled is never checked") << o << QString();
}

void tst_PerMessageDeflate::invalidOptions()
{
    QFETCH(CompressionOptions, options);
    QFETCH(QString, problem);
    const QString found = compressionOptionsProblem(options);
    if (problem.isEmpty())
        QVERIFY(found.isNull());
    else
        QVERIFY2(found.contains(problem), qPrintable(found));
}

QTEST_APPLESS_MAIN(tst_PerMessageDeflate)
#include "tst_permessagedeflate.moc"
