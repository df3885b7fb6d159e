#include "protocol/frameparser.h"

#include <WsClient/frame.h>

#include <QtTest/QtTest>

using namespace WsClient;

namespace {

const QByteArray RfcKey = QByteArray::fromHex("37fa213d");

Frame frameWith(Opcode opcode, const QByteArray &payload, bool fin = true)
{
    return Frame::create(payload, opcode, fin);
}

QByteArray closePayload(quint16 code, const QByteArray &reason = {})
{
    QByteArray payload;
    payload.append(char(code >> 8)).append(char(code & 0xFF)).append(reason);
    return payload;
}

// Decodes a client frame the way a server would, to check serialize() from the other side.
Frame parseClientFrame(const QByteArray &wire)
{
    Protocol::FrameParser::Config config;
    config.expectMasked = true;
    Protocol::FrameParser parser(config);
    QByteArray buffer = wire;
    qsizetype consumed = 0;
    if (parser.parse(buffer.data(), buffer.size(), &consumed) != Protocol::FrameParser::Status::Frame
        || consumed != wire.size())
        return Frame::create(QByteArrayLiteral("<unparsable>"), Opcode(0x3));
    Frame frame = Frame::create(parser.payload().toByteArray(), parser.header().opcode, parser.header().fin);
    frame.setRsv1(parser.header().rsv & Protocol::Rsv1);
    frame.setRsv2(parser.header().rsv & Protocol::Rsv2);
    frame.setRsv3(parser.header().rsv & Protocol::Rsv3);
    return frame;
}

} // namespace

namespace WsClient {
// Lets QCOMPARE print frames that differ.
char *toString(const Frame &frame)
{
    return qstrdup(frame.toString().toUtf8().constData());
}
} // namespace WsClient

class TestFrame : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void factories();
    void createCloseTruncatesReason();
    void accessors();
    void isControl_data();
    void isControl();
    void isKnownOpcode();
    void validate_data();
    void validate();
    void serializeRfcExample();
    void serializeHeader_data();
    void serializeHeader();
    void serializeRoundTrip_data();
    void serializeRoundTrip();
    void serializeRandomKey();
    void serializeRejectsBadKey_data();
    void serializeRejectsBadKey();
    void mask();
    void toString_data();
    void toString();
    void equality();
    void copyOnWrite();
};

void TestFrame::defaults()
{
    const Frame frame;
    QVERIFY(frame.isFinal());
    QVERIFY(!frame.rsv1() && !frame.rsv2() && !frame.rsv3());
    QCOMPARE(frame.opcode(), Opcode::Text);
    QVERIFY(!frame.isMasked());
    QVERIFY(frame.payload().isEmpty());
    QCOMPARE(frame.validate(), Error::NoError);
}

void TestFrame::factories()
{
    const Frame binary = Frame::create(QByteArray("\x00\x01", 2), Opcode::Binary, false);
    QCOMPARE(binary.opcode(), Opcode::Binary);
    QVERIFY(!binary.isFinal());
    QCOMPARE(binary.payload(), QByteArray("\x00\x01", 2));

    const Frame text = Frame::createText(QStringLiteral("h\u00e9 \U0001F600"));
    QCOMPARE(text.opcode(), Opcode::Text);
    QVERIFY(text.isFinal());
    QCOMPARE(text.payload(), QByteArray("h\xC3\xA9 \xF0\x9F\x98\x80"));
    QVERIFY(!Frame::createText(QStringLiteral("part"), false).isFinal());

    const Frame close = Frame::createClose(1001, QStringLiteral("bye"));
    QCOMPARE(close.opcode(), Opcode::Close);
    QVERIFY(close.isFinal());
    QCOMPARE(close.payload(), closePayload(1001, "bye"));
    QCOMPARE(Frame::createClose().payload(), closePayload(1000));
    QVERIFY(Frame::createClose(quint16(CloseCode::NoStatus)).payload().isEmpty());
}

void TestFrame::createCloseTruncatesReason()
{
    // 122 ASCII bytes and a 2-byte character: 124 bytes, so the character must go entirely.
    const QString reason = QString(122, QLatin1Char('r')) + QStringLiteral("\u00e9");
    const Frame close = Frame::createClose(1000, reason);
    QCOMPARE(close.payload(), closePayload(1000, QByteArray(122, 'r')));
    QCOMPARE(close.validate(), Error::NoError);
}

void TestFrame::accessors()
{
    Frame frame;
    frame.setFinal(false);
    QVERIFY(!frame.isFinal());
    frame.setRsv2(true);
    QVERIFY(!frame.rsv1() && frame.rsv2() && !frame.rsv3());
    frame.setRsv1(true);
    frame.setRsv3(true);
    QVERIFY(frame.rsv1() && frame.rsv2() && frame.rsv3());
    frame.setRsv2(false);
    QVERIFY(frame.rsv1() && !frame.rsv2() && frame.rsv3());
    frame.setOpcode(Opcode::Ping);
    QCOMPARE(frame.opcode(), Opcode::Ping);
    frame.setMasked(true);
    QVERIFY(frame.isMasked());
    frame.setPayload("abc");
    QCOMPARE(frame.payload(), QByteArray("abc"));
}

void TestFrame::isControl_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<bool>("control");
    const struct
    {
        int opcode;
        bool control;
    } cases[] = { { 0x0, false }, { 0x1, false }, { 0x2, false }, { 0x3, false }, { 0x8, true },
        { 0x9, true }, { 0xA, true }, { 0xB, false } };
    for (const auto &c : cases)
        QTest::addRow("0x%x", c.opcode) << c.opcode << c.control;
}

void TestFrame::isControl()
{
    QFETCH(int, opcode);
    QFETCH(bool, control);
    QCOMPARE(frameWith(Opcode(opcode), {}).isControl(), control);
}

void TestFrame::isKnownOpcode()
{
    for (int opcode = -1; opcode <= 16; ++opcode) {
        const bool known
            = opcode == 0 || opcode == 1 || opcode == 2 || opcode == 8 || opcode == 9 || opcode == 10;
        QVERIFY2(Frame::isKnownOpcode(opcode) == known, qPrintable(QString::number(opcode)));
    }
}

void TestFrame::validate_data()
{
    QTest::addColumn<Frame>("frame");
    QTest::addColumn<Error>("expected");

    auto withRsv = [](int bit) {
        Frame frame = Frame::createText(QStringLiteral("x"));
        frame.setRsv1(bit == 1);
        frame.setRsv2(bit == 2);
        frame.setRsv3(bit == 3);
        return frame;
    };
    QTest::newRow("text") << Frame::createText(QStringLiteral("Hello")) << Error::NoError;
    QTest::newRow("binary fragment") << frameWith(Opcode::Binary, "ab", false) << Error::NoError;
    QTest::newRow("continuation") << frameWith(Opcode::Continuation, "ab", false) << Error::NoError;
    // Data frames are checked per frame only: their UTF-8 is the message's business.
    QTest::newRow("text with a partial sequence")
        << frameWith(Opcode::Text, "\xE2\x82", false) << Error::NoError;
    QTest::newRow("rsv1") << withRsv(1) << Error::Protocol;
    QTest::newRow("rsv2") << withRsv(2) << Error::Protocol;
    QTest::newRow("rsv3") << withRsv(3) << Error::Protocol;
    QTest::newRow("opcode 0x3") << frameWith(Opcode(0x3), {}) << Error::Protocol;
    QTest::newRow("opcode 0x7") << frameWith(Opcode(0x7), {}) << Error::Protocol;
    QTest::newRow("opcode 0xB") << frameWith(Opcode(0xB), {}) << Error::Protocol;
    QTest::newRow("opcode 0xF") << frameWith(Opcode(0xF), {}) << Error::Protocol;
    QTest::newRow("ping") << frameWith(Opcode::Ping, "p") << Error::NoError;
    QTest::newRow("fragmented ping") << frameWith(Opcode::Ping, "p", false) << Error::Protocol;
    QTest::newRow("fragmented pong") << frameWith(Opcode::Pong, {}, false) << Error::Protocol;
    QTest::newRow("fragmented close")
        << frameWith(Opcode::Close, closePayload(1000), false) << Error::Protocol;
    QTest::newRow("ping of 125 bytes") << frameWith(Opcode::Ping, QByteArray(125, 'p')) << Error::NoError;
    QTest::newRow("ping of 126 bytes") << frameWith(Opcode::Ping, QByteArray(126, 'p')) << Error::Protocol;
    QTest::newRow("pong of 126 bytes") << frameWith(Opcode::Pong, QByteArray(126, 'p')) << Error::Protocol;
    QTest::newRow("text of 126 bytes") << frameWith(Opcode::Text, QByteArray(126, 't')) << Error::NoError;
    QTest::newRow("close, empty") << frameWith(Opcode::Close, {}) << Error::NoError;
    QTest::newRow("close, 1 byte") << frameWith(Opcode::Close, "\x03") << Error::Protocol;
    QTest::newRow("close 1000") << frameWith(Opcode::Close, closePayload(1000)) << Error::NoError;
    QTest::newRow("close 3000 with reason")
        << frameWith(Opcode::Close, closePayload(3000, "ok")) << Error::NoError;
    QTest::newRow("close 1004") << frameWith(Opcode::Close, closePayload(1004)) << Error::Protocol;
    QTest::newRow("close 1005") << frameWith(Opcode::Close, closePayload(1005)) << Error::Protocol;
    QTest::newRow("close 1006") << frameWith(Opcode::Close, closePayload(1006)) << Error::Protocol;
    QTest::newRow("close 1015") << frameWith(Opcode::Close, closePayload(1015)) << Error::Protocol;
    QTest::newRow("close 2999") << frameWith(Opcode::Close, closePayload(2999)) << Error::Protocol;
    QTest::newRow("close 5000") << frameWith(Opcode::Close, closePayload(5000)) << Error::Protocol;
    QTest::newRow("close reason not utf-8")
        << frameWith(Opcode::Close, closePayload(1000, "\xFF")) << Error::Payload;
    QTest::newRow("close reason cut mid-sequence")
        << frameWith(Opcode::Close, closePayload(1000, "\xE2\x82")) << Error::Payload;
    QTest::newRow("close of 126 bytes")
        << frameWith(Opcode::Close, closePayload(1000, QByteArray(124, 'r'))) << Error::Protocol;
}

void TestFrame::validate()
{
    QFETCH(Frame, frame);
    QFETCH(Error, expected);
    QString why = QStringLiteral("stale");
    QCOMPARE(frame.validate(&why), expected);
    QCOMPARE(frame.validate(), expected);
    if (expected == Error::NoError)
        QVERIFY(why.isEmpty());
    else
        QVERIFY(!why.isEmpty() && why != QStringLiteral("stale"));
}

void TestFrame::serializeRfcExample()
{
    // RFC 6455 §5.7: a single-frame masked text message containing "Hello".
    const QByteArray wire = Frame::createText(QStringLiteral("Hello")).serialize(RfcKey);
    QCOMPARE(wire.toHex(' '), QByteArray("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
}

void TestFrame::serializeHeader_data()
{
    QTest::addColumn<Frame>("frame");
    QTest::addColumn<QByteArray>("expectedHeader"); // without the mask key
    QTest::newRow("empty text") << Frame::createText({}) << QByteArray::fromHex("8180");
    QTest::newRow("125 bytes") << frameWith(Opcode::Binary, QByteArray(125, 'a'))
                               << QByteArray::fromHex("82fd");
    QTest::newRow("126 bytes") << frameWith(Opcode::Binary, QByteArray(126, 'a'))
                               << QByteArray::fromHex("82fe007e");
    QTest::newRow("65535 bytes") << frameWith(Opcode::Binary, QByteArray(65535, 'a'))
                                 << QByteArray::fromHex("82feffff");
    QTest::newRow("65536 bytes") << frameWith(Opcode::Binary, QByteArray(65536, 'a'))
                                 << QByteArray::fromHex("82ff0000000000010000");
    QTest::newRow("not final") << frameWith(Opcode::Text, "a", false) << QByteArray::fromHex("0181");
    QTest::newRow("continuation") << frameWith(Opcode::Continuation, "a") << QByteArray::fromHex("8081");
    QTest::newRow("ping") << frameWith(Opcode::Ping, {}) << QByteArray::fromHex("8980");
    QTest::newRow("close") << Frame::createClose(1000) << QByteArray::fromHex("8882");
    Frame rsv = frameWith(Opcode::Binary, "a");
    rsv.setRsv1(true);
    rsv.setRsv3(true);
    QTest::newRow("rsv1+rsv3") << rsv << QByteArray::fromHex("d281");
    Frame unmaskedFlag = frameWith(Opcode::Text, "a");
    unmaskedFlag.setMasked(false); // serialize() masks regardless
    QTest::newRow("masked flag ignored") << unmaskedFlag << QByteArray::fromHex("8181");
}

void TestFrame::serializeHeader()
{
    QFETCH(Frame, frame);
    QFETCH(QByteArray, expectedHeader);
    const QByteArray wire = frame.serialize(RfcKey);
    QCOMPARE(wire.size(), expectedHeader.size() + 4 + frame.payload().size());
    QCOMPARE(wire.left(expectedHeader.size()), expectedHeader);
    QCOMPARE(wire.mid(expectedHeader.size(), 4), RfcKey);
    QCOMPARE(Frame::mask(RfcKey, wire.mid(expectedHeader.size() + 4)), frame.payload());
}

void TestFrame::serializeRoundTrip_data()
{
    QTest::addColumn<Frame>("frame");
    QTest::newRow("text") << Frame::createText(QStringLiteral("round trip \u00e9"));
    QTest::newRow("binary 70000") << frameWith(Opcode::Binary, QByteArray(70000, '\x5A'));
    QTest::newRow("close") << Frame::createClose(4000, QStringLiteral("done"));
    QTest::newRow("fragment") << frameWith(Opcode::Continuation, "tail", false);
}

void TestFrame::serializeRoundTrip()
{
    QFETCH(Frame, frame);
    QCOMPARE(parseClientFrame(frame.serialize()), frame);
    QCOMPARE(parseClientFrame(frame.serialize(QByteArray::fromHex("00000000"))), frame);
}

void TestFrame::serializeRandomKey()
{
    const Frame frame = frameWith(Opcode::Binary, QByteArray(16, '\0'));
    QSet<QByteArray> keys;
    for (int i = 0; i < 8; ++i) {
        const QByteArray wire = frame.serialize();
        QCOMPARE(wire.size(), 2 + 4 + 16);
        QVERIFY(uchar(wire[1]) & 0x80);
        const QByteArray key = wire.mid(2, 4);
        // Zero payload bytes: the masked payload is the key repeated.
        QCOMPARE(wire.mid(6), key.repeated(4));
        keys.insert(key);
    }
    // Eight draws of 32 random bits that all collide would mean the key is not random.
    QVERIFY(keys.size() > 1);
}

void TestFrame::serializeRejectsBadKey_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::newRow("1 byte") << QByteArray("\x01");
    QTest::newRow("3 bytes") << QByteArray("\x01\x02\x03");
    QTest::newRow("5 bytes") << QByteArray("\x01\x02\x03\x04\x05");
}

void TestFrame::serializeRejectsBadKey()
{
    QFETCH(QByteArray, key);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("mask key must be 4 bytes")));
    QVERIFY(Frame::createText(QStringLiteral("Hello")).serialize(key).isEmpty());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("mask key must be 4 bytes")));
    QVERIFY(Frame::mask(key, "Hello").isEmpty());
}

void TestFrame::mask()
{
    QCOMPARE(Frame::mask(RfcKey, "Hello").toHex(), QByteArray("7f9f4d5158"));
    QCOMPARE(Frame::mask(RfcKey, QByteArray::fromHex("7f9f4d5158")), QByteArray("Hello"));
    QVERIFY(Frame::mask(RfcKey, {}).isEmpty());
    QByteArray data;
    for (int i = 0; i < 1000; ++i)
        data.append(char(i * 7));
    const QByteArray key = QByteArray::fromHex("a1b2c3d4");
    const QByteArray masked = Frame::mask(key, data);
    QCOMPARE(masked.size(), data.size());
    QVERIFY(masked != data);
    for (int i = 0; i < data.size(); ++i)
        QCOMPARE(masked[i], char(data[i] ^ key[i % 4]));
    QCOMPARE(Frame::mask(key, masked), data);
}

void TestFrame::toString_data()
{
    QTest::addColumn<Frame>("frame");
    QTest::addColumn<QString>("expected");
    QTest::newRow("text") << Frame::createText(QStringLiteral("Hello"))
                          << QStringLiteral("Text fin=1 rsv=000 masked=0 len=5 \"Hello\"");
    QTest::newRow("utf-8 text") << Frame::createText(QStringLiteral("\u00e9t\u00e9"))
                                << QStringLiteral("Text fin=1 rsv=000 masked=0 len=5 \"\u00e9t\u00e9\"");
    QTest::newRow("escapes") << Frame::createText(QStringLiteral("a\"b\\c\nd\re\tf\x01"))
                             << QStringLiteral(
                                    "Text fin=1 rsv=000 masked=0 len=12 \"a\\\"b\\\\c\\nd\\re\\tf\\x01\"");
    QTest::newRow("binary") << frameWith(Opcode::Binary, QByteArray("\x00\x01\xFF", 3))
                            << QStringLiteral("Binary fin=1 rsv=000 masked=0 len=3 00 01 ff");
    QTest::newRow("binary that looks like text")
        << frameWith(Opcode::Binary, "AB") << QStringLiteral("Binary fin=1 rsv=000 masked=0 len=2 41 42");
    QTest::newRow("text not utf-8") << frameWith(Opcode::Text, "a\xFF")
                                    << QStringLiteral("Text fin=1 rsv=000 masked=0 len=2 61 ff");
    QTest::newRow("empty ping") << frameWith(Opcode::Ping, {})
                                << QStringLiteral("Ping fin=1 rsv=000 masked=0 len=0");
    QTest::newRow("pong") << frameWith(Opcode::Pong, "beat")
                          << QStringLiteral("Pong fin=1 rsv=000 masked=0 len=4 \"beat\"");
    QTest::newRow("close") << Frame::createClose(1000, QStringLiteral("bye"))
                           << QStringLiteral("Close fin=1 rsv=000 masked=0 len=5 code=1000 \"bye\"");
    QTest::newRow("close, code only")
        << Frame::createClose(1001) << QStringLiteral("Close fin=1 rsv=000 masked=0 len=2 code=1001");
    QTest::newRow("close, 1 byte") << frameWith(Opcode::Close, "\x03")
                                   << QStringLiteral("Close fin=1 rsv=000 masked=0 len=1 03");
    Frame flags = frameWith(Opcode::Continuation, "x", false);
    flags.setRsv1(true);
    flags.setRsv3(true);
    flags.setMasked(true);
    QTest::newRow("flags") << flags << QStringLiteral("Continuation fin=0 rsv=101 masked=1 len=1 \"x\"");
    QTest::newRow("unknown opcode") << frameWith(Opcode(0x3), {})
                                    << QStringLiteral("Opcode(0x3) fin=1 rsv=000 masked=0 len=0");
    QTest::newRow("long text") << frameWith(Opcode::Text, QByteArray(100, 'a'))
                               << QString(QStringLiteral("Text fin=1 rsv=000 masked=0 len=100 \"")
                                      + QString(64, QLatin1Char('a')) + QStringLiteral("\"..."));
    // The cut falls inside the 3-byte character at bytes 63..65: it is left out whole.
    QTest::newRow("long text cut on a boundary")
        << frameWith(Opcode::Text, QByteArray(63, 'a') + "\xE2\x82\xAC" + QByteArray(10, 'b'))
        << QString(QStringLiteral("Text fin=1 rsv=000 masked=0 len=76 \"") + QString(63, QLatin1Char('a'))
               + QStringLiteral("\"..."));
    QTest::newRow("long binary") << frameWith(Opcode::Binary, QByteArray(40, '\x0F'))
                                 << QString(QStringLiteral("Binary fin=1 rsv=000 masked=0 len=40 ")
                                        + QString::fromLatin1(QByteArray(32, '\x0F').toHex(' '))
                                        + QStringLiteral(" ..."));
}

void TestFrame::toString()
{
    QFETCH(Frame, frame);
    QFETCH(QString, expected);
    const QString text = frame.toString();
    QCOMPARE(text, expected);
    QVERIFY(!text.contains(QLatin1Char('\n')));
}

void TestFrame::equality()
{
    const Frame base = frameWith(Opcode::Binary, "abc");
    QVERIFY(base == frameWith(Opcode::Binary, "abc"));
    QVERIFY(!(base != frameWith(Opcode::Binary, "abc")));
    QVERIFY(base == base);

    Frame other = base;
    other.setFinal(false);
    QVERIFY(base != other);
    other = base;
    other.setRsv2(true);
    QVERIFY(base != other);
    other = base;
    other.setOpcode(Opcode::Text);
    QVERIFY(base != other);
    other = base;
    other.setMasked(true);
    QVERIFY(base != other);
    other = base;
    other.setPayload("abd");
    QVERIFY(base != other);
}

void TestFrame::copyOnWrite()
{
    Frame original = Frame::createText(QStringLiteral("original"));
    Frame copy = original;
    QVERIFY(copy == original);
    // Shared until written: the payload bytes are the same buffer.
    QVERIFY(copy.payload().constData() == original.payload().constData());

    copy.setPayload("changed");
    copy.setFinal(false);
    copy.setOpcode(Opcode::Binary);
    QCOMPARE(original.payload(), QByteArray("original"));
    QVERIFY(original.isFinal());
    QCOMPARE(original.opcode(), Opcode::Text);
    QVERIFY(copy != original);

    Frame moved = std::move(copy);
    QCOMPARE(moved.payload(), QByteArray("changed"));
    Frame assigned;
    assigned = moved;
    assigned.setRsv1(true);
    QVERIFY(!moved.rsv1());
}

QTEST_APPLESS_MAIN(TestFrame)
#include "tst_frame.moc"
