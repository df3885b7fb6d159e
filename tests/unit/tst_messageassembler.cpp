#include "protocol/framewriter.h"
#include "protocol/messageassembler.h"
#include "protocol/protocolreader.h"

#include <QtTest/QtTest>

#include <cstring>

using namespace WsClient;
using namespace WsClient::Protocol;

namespace {

// Lets expected event lists mix plain literals (UTF-8) with built QStrings.
struct Line
{
    Line(const char *utf8) : text(QString::fromUtf8(utf8)) { }
    Line(const QString &string) : text(string) { }
    template<typename A, typename B> Line(const QStringBuilder<A, B> &built) : text(built) { }
    QString text;
};

QStringList lines(std::initializer_list<Line> items)
{
    QStringList list;
    for (const Line &line : items)
        list.append(line.text);
    return list;
}

QString describeBytes(Opcode opcode, const QByteArray &data)
{
    if (opcode == Opcode::Binary)
        return QString::fromLatin1(data.toHex());
    return QString::fromUtf8(data);
}

QString opcodeName(Opcode opcode)
{
    return QString::fromLatin1(QMetaEnum::fromType<Opcode>().valueToKey(int(opcode)));
}

// Records every event as one readable line, so that a failing comparison shows the whole story.
class RecordingSink : public FrameSink
{
public:
    void frameReceived(const FrameHeader &header, QByteArrayView payload) override
    {
        events << QStringLiteral("frame %1 fin=%2 len=%3")
                      .arg(opcodeName(header.opcode))
                      .arg(int(header.fin))
                      .arg(payload.size());
    }
    void messageReceived(Opcode opcode, QByteArray &&message) override
    {
        lastMessage = message;
        events << QStringLiteral("message %1 %2").arg(opcodeName(opcode), describeBytes(opcode, message));
        ++messages;
    }
    void fragmentReceived(Opcode opcode, QByteArray &&data, bool fin) override
    {
        events << QStringLiteral("fragment %1 fin=%2 %3")
                      .arg(opcodeName(opcode))
                      .arg(int(fin))
                      .arg(QString::fromLatin1(data.toHex()));
    }
    void pingReceived(QByteArrayView payload) override
    {
        events << QStringLiteral("ping ") + QString::fromUtf8(payload);
    }
    void pongReceived(QByteArrayView payload) override
    {
        events << QStringLiteral("pong ") + QString::fromUtf8(payload);
    }
    void closeReceived(quint16 code, const QString &reason) override
    {
        events << QStringLiteral("close %1 %2").arg(code).arg(reason);
    }
    bool wantsMore() const override { return stopAfterMessages < 0 || messages < stopAfterMessages; }

    QStringList events;
    QByteArray lastMessage;
    int messages = 0;
    int stopAfterMessages = -1;
};

FrameHeader header(Opcode opcode, bool fin = true)
{
    FrameHeader h;
    h.opcode = opcode;
    h.fin = fin;
    return h;
}

// A frame as a server sends it: never masked.
QByteArray serverFrame(Opcode opcode, QByteArrayView payload, bool fin = true, quint8 rsv = 0)
{
    FrameHeader h = header(opcode, fin);
    h.rsv = rsv;
    h.masked = false;
    QByteArray out;
    appendFrame(out, h, payload);
    return out;
}

QByteArray closeFrame(quint16 code, QByteArrayView reason)
{
    QByteArray payload;
    payload.append(char(code >> 8)).append(char(code & 0xFF)).append(reason);
    return serverFrame(Opcode::Close, payload);
}

// The 4-byte character U+1F600 in UTF-8.
const QByteArray FourByteChar("\xF0\x9F\x98\x80");

struct Fragment
{
    Opcode opcode;
    QByteArray data;
    bool fin;
};

// Feeds fragments to an assembler; returns the index of the first rejected one, or -1.
int addAll(MessageAssembler &assembler, RecordingSink &sink, const QList<Fragment> &fragments)
{
    for (int i = 0; i < fragments.size(); ++i) {
        if (!assembler.addFrame(header(fragments[i].opcode, fragments[i].fin), fragments[i].data, sink))
            return i;
    }
    return -1;
}

struct FeedResult
{
    QStringList events;
    qsizetype consumed = 0;
    Failure failure;
    bool closeReceived = false;
};

// Feeds \a bytes to a fresh reader in the pieces given by \a cuts (ascending positions).
FeedResult feedInPieces(
    const QByteArray &bytes, const QList<qsizetype> &cuts, const ProtocolReader::Config &config = {})
{
    ProtocolReader reader(config);
    RecordingSink sink;
    QByteArray buffer = bytes;
    FeedResult result;
    qsizetype start = 0;
    QList<qsizetype> ends = cuts;
    ends.append(buffer.size());
    for (qsizetype end : ends) {
        const qsizetype used = reader.feed(buffer.data() + start, end - start, sink);
        result.consumed += used;
        if (used < end - start)
            break;
        start = end;
    }
    result.events = sink.events;
    result.failure = reader.failure();
    result.closeReceived = reader.closeReceived();
    return result;
}

FeedResult feedWhole(const QByteArray &bytes, const ProtocolReader::Config &config = {})
{
    return feedInPieces(bytes, {}, config);
}

FeedResult feedByteByByte(const QByteArray &bytes, const ProtocolReader::Config &config = {})
{
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < bytes.size(); ++i)
        cuts.append(i);
    return feedInPieces(bytes, cuts, config);
}

} // namespace

class TestMessageAssembler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // MessageAssembler
    void singleFrameMessages_data();
    void singleFrameMessages();
    void fragmentedMessages_data();
    void fragmentedMessages();
    void controlFramesBetweenFragments();
    void closeIsLeftToTheReader();
    void continuationRules_data();
    void continuationRules();
    void failureIsSticky();
    void resetClearsFailureAndOpenMessage();
    void utf8SplitAcrossFragments_data();
    void utf8SplitAcrossFragments();
    void invalidUtf8FailsAtItsFragment_data();
    void invalidUtf8FailsAtItsFragment();
    void unfinishedSequenceFailsAtFinalFragment();
    void invalidUtf8AllowedInBinaryOrWhenDisabled();
    void messageSizeLimit_data();
    void messageSizeLimit();
    void zeroLengthFragments();
    void ownedPayloadIsMovedNotCopied();
    void fireContinuationFrames();
    void fireContinuationFramesKeepsRules_data();
    void fireContinuationFramesKeepsRules();

    // ProtocolReader
    void readerRfcExamples_data();
    void readerRfcExamples();
    void readerConversationWhole();
    void readerConversationByteByByte();
    void readerConversationEverySplit();
    void readerConsumesNothingAfterClose();
    void readerTapsFrames();
    void readerTapDoesNotDependOnPieces_data();
    void readerTapDoesNotDependOnPieces();
    void readerFailures_data();
    void readerFailures();
    void readerStopsWhenSinkWantsNoMore();
    void readerDirectRead();
    void readerMovesGatheredPayload();
    void readerFiresContinuationFrames();
    void readerReset();

private:
    QByteArray conversation(QStringList *expectedEvents) const;
};

// ---------------------------------------------------------------- MessageAssembler

void TestMessageAssembler::singleFrameMessages_data()
{
    QTest::addColumn<Opcode>("opcode");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("expected");
    QTest::newRow("text") << Opcode::Text << QByteArray("Hello") << QStringLiteral("message Text Hello");
    QTest::newRow("text utf-8") << Opcode::Text << QByteArray("\xC3\xA9t\xC3\xA9 " + FourByteChar)
                                << QStringLiteral("message Text \u00e9t\u00e9 \U0001F600");
    QTest::newRow("empty text") << Opcode::Text << QByteArray() << QStringLiteral("message Text ");
    QTest::newRow("binary") << Opcode::Binary << QByteArray("\x00\xFF\x80", 3)
                            << QStringLiteral("message Binary 00ff80");
    QTest::newRow("empty binary") << Opcode::Binary << QByteArray() << QStringLiteral("message Binary ");
}

void TestMessageAssembler::singleFrameMessages()
{
    QFETCH(Opcode, opcode);
    QFETCH(QByteArray, payload);
    QFETCH(QString, expected);
    MessageAssembler assembler;
    RecordingSink sink;
    QVERIFY(assembler.addFrame(header(opcode), payload, sink));
    QCOMPARE(sink.events, lines({ expected }));
    QVERIFY(!assembler.inMessage());
    QVERIFY(!assembler.failure().isFailure());
}

void TestMessageAssembler::fragmentedMessages_data()
{
    QTest::addColumn<Opcode>("opcode");
    QTest::addColumn<QList<QByteArray>>("pieces");
    QTest::addColumn<QString>("expected");
    QTest::newRow("text 2") << Opcode::Text << QList<QByteArray> { "Hel", "lo" }
                            << QStringLiteral("message Text Hello");
    QTest::newRow("text 3") << Opcode::Text << QList<QByteArray> { "Hello", ", ", "World" }
                            << QStringLiteral("message Text Hello, World");
    QTest::newRow("binary 2") << Opcode::Binary << QList<QByteArray> { "\x01\x02", "\x03" }
                              << QStringLiteral("message Binary 010203");
    QTest::newRow("binary 4") << Opcode::Binary << QList<QByteArray> { "\xAA", "\xBB", "\xCC", "\xDD" }
                              << QStringLiteral("message Binary aabbccdd");
}

void TestMessageAssembler::fragmentedMessages()
{
    QFETCH(Opcode, opcode);
    QFETCH(QList<QByteArray>, pieces);
    QFETCH(QString, expected);
    MessageAssembler assembler;
    RecordingSink sink;
    for (int i = 0; i < pieces.size(); ++i) {
        const bool last = i == pieces.size() - 1;
        QVERIFY(assembler.addFrame(header(i == 0 ? opcode : Opcode::Continuation, last), pieces[i], sink));
        QCOMPARE(assembler.inMessage(), !last);
        if (!last)
            QVERIFY(sink.events.isEmpty());
    }
    QCOMPARE(sink.events, lines({ expected }));
}

void TestMessageAssembler::controlFramesBetweenFragments()
{
    MessageAssembler assembler;
    RecordingSink sink;
    QVERIFY(assembler.addFrame(header(Opcode::Text, false), "Hel", sink));
    QVERIFY(assembler.addFrame(header(Opcode::Ping), "p1", sink));
    QVERIFY(assembler.inMessage());
    QVERIFY(assembler.addFrame(header(Opcode::Continuation, false), "l", sink));
    QVERIFY(assembler.addFrame(header(Opcode::Pong), "p2", sink));
    QVERIFY(assembler.addFrame(header(Opcode::Ping), "", sink));
    QVERIFY(assembler.addFrame(header(Opcode::Continuation, true), "o", sink));
    QVERIFY(assembler.addFrame(header(Opcode::Pong), "after", sink));
    const QStringList expected = lines({ QStringLiteral("ping p1"), QStringLiteral("pong p2"),
        QStringLiteral("ping "), QStringLiteral("message Text Hello"), QStringLiteral("pong after") });
    QCOMPARE(sink.events, expected);
}

void TestMessageAssembler::closeIsLeftToTheReader()
{
    MessageAssembler assembler;
    RecordingSink sink;
    QVERIFY(assembler.addFrame(header(Opcode::Binary, false), "a", sink));
    QVERIFY(assembler.addFrame(header(Opcode::Close), "\x03\xE8", sink));
    QVERIFY(sink.events.isEmpty());
    QVERIFY(assembler.inMessage());
}

void TestMessageAssembler::continuationRules_data()
{
    QTest::addColumn<QList<Fragment>>("fragments");
    QTest::addColumn<int>("failingIndex");
    QTest::addColumn<QStringList>("eventsBefore");
    using F = Fragment;
    const auto cont = Opcode::Continuation;
    QTest::newRow("continuation first") << QList<F> { { cont, "a", true } } << 0 << QStringList();
    QTest::newRow("non-final continuation first") << QList<F> { { cont, "a", false } } << 0 << QStringList();
    QTest::newRow("continuation after complete message")
        << QList<F> { { Opcode::Text, "a", true }, { cont, "b", true } } << 1 << lines({ "message Text a" });
    QTest::newRow("continuation after finished fragments") << QList<F> { { Opcode::Binary, "a", false },
        { cont, "b", true }, { cont, "c", false } } << 2 << lines({ "message Binary 6162" });
    QTest::newRow("text inside text")
        << QList<F> { { Opcode::Text, "a", false }, { Opcode::Text, "b", true } } << 1 << QStringList();
    QTest::newRow("binary inside text")
        << QList<F> { { Opcode::Text, "a", false }, { cont, "b", false }, { Opcode::Binary, "c", true } } << 2
        << QStringList();
    QTest::newRow("text inside binary")
        << QList<F> { { Opcode::Binary, "a", false }, { Opcode::Text, "b", false } } << 1 << QStringList();
    QTest::newRow("unknown opcode") << QList<F> { { Opcode(0x3), "a", true } } << 0 << QStringList();
}

void TestMessageAssembler::continuationRules()
{
    QFETCH(QList<Fragment>, fragments);
    QFETCH(int, failingIndex);
    QFETCH(QStringList, eventsBefore);
    MessageAssembler assembler;
    RecordingSink sink;
    QCOMPARE(addAll(assembler, sink, fragments), failingIndex);
    QCOMPARE(assembler.failure().error, Error::Protocol);
    QCOMPARE(assembler.failure().closeCode, CloseCode::ProtocolError);
    QVERIFY(!assembler.failure().message.isEmpty());
    QCOMPARE(sink.events, eventsBefore);
}

void TestMessageAssembler::failureIsSticky()
{
    MessageAssembler assembler;
    RecordingSink sink;
    QVERIFY(!assembler.addFrame(header(Opcode::Continuation), "x", sink));
    QVERIFY(!assembler.addFrame(header(Opcode::Text), "fine", sink));
    QVERIFY(!assembler.addFrame(header(Opcode::Ping), "fine", sink));
    QVERIFY(sink.events.isEmpty());
    QCOMPARE(assembler.failure().closeCode, CloseCode::ProtocolError);
}

void TestMessageAssembler::resetClearsFailureAndOpenMessage()
{
    MessageAssembler assembler;
    RecordingSink sink;
    QVERIFY(assembler.addFrame(header(Opcode::Text, false), "stale", sink));
    assembler.reset();
    QVERIFY(!assembler.inMessage());
    QVERIFY(!assembler.addFrame(header(Opcode::Continuation), "x", sink));
    assembler.reset();
    QVERIFY(!assembler.failure().isFailure());
    // A sequence left open before reset() does not poison the next message.
    QVERIFY(assembler.addFrame(header(Opcode::Text, false), "\xE2\x82", sink));
    assembler.reset();
    QVERIFY(assembler.addFrame(header(Opcode::Text), "new", sink));
    QCOMPARE(sink.events, lines({ "message Text new" }));
}

void TestMessageAssembler::utf8SplitAcrossFragments_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<int>("first");
    QTest::addColumn<int>("second");
    // Every way of cutting "a" + U+1F600 + "b" into three fragments (empty ones included), so the
    // 4-byte sequence is split at each of its byte positions, once or twice.
    const QByteArray message = "a" + FourByteChar + "b";
    for (int i = 0; i <= message.size(); ++i) {
        for (int j = i; j <= message.size(); ++j)
            QTest::addRow("cut at %d and %d", i, j) << message << i << j;
    }
}

void TestMessageAssembler::utf8SplitAcrossFragments()
{
    QFETCH(QByteArray, message);
    QFETCH(int, first);
    QFETCH(int, second);
    MessageAssembler assembler;
    RecordingSink sink;
    const QList<Fragment> fragments { { Opcode::Text, message.left(first), false },
        { Opcode::Continuation, message.mid(first, second - first), false },
        { Opcode::Continuation, message.mid(second), true } };
    QCOMPARE(addAll(assembler, sink, fragments), -1);
    QCOMPARE(sink.events, lines({ "message Text a\U0001F600b" }));
}

void TestMessageAssembler::invalidUtf8FailsAtItsFragment_data()
{
    QTest::addColumn<QList<QByteArray>>("pieces");
    QTest::addColumn<int>("failingIndex");
    QTest::newRow("bad byte in first of three") << QList<QByteArray> { "ab\xFF", "cd", "ef" } << 0;
    QTest::newRow("overlong in first of three") << QList<QByteArray> { "\xC0\x80", "cd", "ef" } << 0;
    QTest::newRow("surrogate in second") << QList<QByteArray> { "ab", "\xED\xA0\x80", "ef" } << 1;
    QTest::newRow("bad continuation across fragments") << QList<QByteArray> { "a\xE2", "\x82", "x" } << 2;
    QTest::newRow("above U+10FFFF split") << QList<QByteArray> { "\xF4", "\x90", "\x80\x80" } << 1;
    QTest::newRow("bad byte in last") << QList<QByteArray> { "ab", "cd", "e\x80" } << 2;
}

void TestMessageAssembler::invalidUtf8FailsAtItsFragment()
{
    QFETCH(QList<QByteArray>, pieces);
    QFETCH(int, failingIndex);
    MessageAssembler assembler;
    RecordingSink sink;
    QList<Fragment> fragments;
    for (int i = 0; i < pieces.size(); ++i)
        fragments.append({ i == 0 ? Opcode::Text : Opcode::Continuation, pieces[i], i == pieces.size() - 1 });
    QCOMPARE(addAll(assembler, sink, fragments), failingIndex);
    QCOMPARE(assembler.failure().error, Error::Payload);
    QCOMPARE(assembler.failure().closeCode, CloseCode::InvalidPayload);
    QVERIFY(sink.events.isEmpty());
}

void TestMessageAssembler::unfinishedSequenceFailsAtFinalFragment()
{
    {
        MessageAssembler assembler;
        RecordingSink sink;
        const QList<Fragment> fragments { { Opcode::Text, "a\xF0\x9F", false },
            { Opcode::Continuation, "\x98", false }, { Opcode::Continuation, "", true } };
        QCOMPARE(addAll(assembler, sink, fragments), 2);
        QCOMPARE(assembler.failure().closeCode, CloseCode::InvalidPayload);
        QVERIFY(sink.events.isEmpty());
    }
    {
        MessageAssembler assembler;
        RecordingSink sink;
        QVERIFY(!assembler.addFrame(header(Opcode::Text), "\xE2\x82", sink));
        QCOMPARE(assembler.failure().error, Error::Payload);
        QVERIFY(sink.events.isEmpty());
    }
}

void TestMessageAssembler::invalidUtf8AllowedInBinaryOrWhenDisabled()
{
    MessageAssembler binary;
    RecordingSink sink;
    QVERIFY(binary.addFrame(header(Opcode::Binary, false), "\xFF", sink));
    QVERIFY(binary.addFrame(header(Opcode::Continuation), "\xE2", sink));
    QCOMPARE(sink.events, lines({ "message Binary ffe2" }));

    MessageAssembler::Config config;
    config.validateUtf8 = false;
    MessageAssembler unchecked(config);
    QVERIFY(unchecked.addFrame(header(Opcode::Text, false), "a\xFF", sink));
    QVERIFY(unchecked.addFrame(header(Opcode::Continuation), "\xE2", sink));
    QCOMPARE(sink.lastMessage, QByteArray("a\xFF\xE2"));
}

void TestMessageAssembler::messageSizeLimit_data()
{
    QTest::addColumn<QList<int>>("fragmentSizes");
    QTest::addColumn<int>("failingIndex");
    // The limit is 10 bytes.
    QTest::newRow("single at limit") << QList<int> { 10 } << -1;
    QTest::newRow("single above limit") << QList<int> { 11 } << 0;
    QTest::newRow("fragments at limit") << QList<int> { 4, 3, 3 } << -1;
    QTest::newRow("fragments one above limit") << QList<int> { 4, 3, 4 } << 2;
    QTest::newRow("first fragment above limit") << QList<int> { 11, 1 } << 0;
    QTest::newRow("empty fragments at limit") << QList<int> { 0, 10, 0, 0 } << -1;
    QTest::newRow("empty fragment after limit") << QList<int> { 5, 5, 0 } << -1;
    QTest::newRow("many small fragments") << QList<int> { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 } << 10;
}

void TestMessageAssembler::messageSizeLimit()
{
    QFETCH(QList<int>, fragmentSizes);
    QFETCH(int, failingIndex);
    for (Opcode opcode : { Opcode::Text, Opcode::Binary }) {
        MessageAssembler::Config config;
        config.maxMessageSize = 10;
        MessageAssembler assembler(config);
        RecordingSink sink;
        QList<Fragment> fragments;
        for (int i = 0; i < fragmentSizes.size(); ++i) {
            fragments.append({ i == 0 ? opcode : Opcode::Continuation, QByteArray(fragmentSizes[i], 'x'),
                i == fragmentSizes.size() - 1 });
        }
        QCOMPARE(addAll(assembler, sink, fragments), failingIndex);
        if (failingIndex < 0) {
            QCOMPARE(sink.messages, 1);
            QCOMPARE(sink.lastMessage.size(), 10);
        } else {
            QCOMPARE(sink.messages, 0);
            QCOMPARE(assembler.failure().error, Error::MessageTooBig);
            QCOMPARE(assembler.failure().closeCode, CloseCode::MessageTooBig);
        }
    }
}

void TestMessageAssembler::zeroLengthFragments()
{
    MessageAssembler assembler;
    RecordingSink sink;
    const QList<Fragment> fragments { { Opcode::Text, "", false }, { Opcode::Continuation, "", false },
        { Opcode::Continuation, "Hi", false }, { Opcode::Continuation, "", true },
        { Opcode::Binary, "", false }, { Opcode::Continuation, "", true } };
    QCOMPARE(addAll(assembler, sink, fragments), -1);
    QCOMPARE(sink.events, (lines({ "message Text Hi", "message Binary " })));
}

void TestMessageAssembler::ownedPayloadIsMovedNotCopied()
{
    MessageAssembler assembler;
    RecordingSink sink;
    QByteArray owned(1000, 'x');
    const char *const ownedData = owned.constData();
    QVERIFY(assembler.addFrame(header(Opcode::Binary), owned, sink, &owned));
    QVERIFY(sink.lastMessage.constData() == ownedData);
    QCOMPARE(sink.lastMessage.size(), 1000);

    // Without an owned buffer the message is a copy: the caller's bytes may go away.
    const QByteArray input(1000, 'y');
    QVERIFY(assembler.addFrame(header(Opcode::Binary), input, sink));
    QVERIFY(sink.lastMessage.constData() != input.constData());
    QCOMPARE(sink.lastMessage, input);

    // The first fragment's owned buffer becomes the message; later fragments are appended.
    QByteArray first("Hel");
    QVERIFY(assembler.addFrame(header(Opcode::Text, false), first, sink, &first));
    QVERIFY(assembler.addFrame(header(Opcode::Continuation), "lo", sink));
    QCOMPARE(sink.lastMessage, QByteArray("Hello"));
}

void TestMessageAssembler::fireContinuationFrames()
{
    MessageAssembler::Config config;
    config.fireContinuationFrames = true;
    config.maxMessageSize = 4; // nothing is buffered in this mode, so the limit does not apply
    MessageAssembler assembler(config);
    RecordingSink sink;
    QVERIFY(assembler.addFrame(header(Opcode::Text, false), "Hel", sink));
    QVERIFY(assembler.inMessage());
    QVERIFY(assembler.addFrame(header(Opcode::Ping), "p", sink));
    QVERIFY(assembler.addFrame(header(Opcode::Continuation, false), "l", sink));
    QVERIFY(assembler.addFrame(header(Opcode::Continuation, false), "", sink));
    QVERIFY(assembler.addFrame(header(Opcode::Continuation, true), "o", sink));
    QVERIFY(!assembler.inMessage());
    QVERIFY(assembler.addFrame(header(Opcode::Binary), "\x01\x02\x03\x04\x05", sink));
    QByteArray owned("zz");
    QVERIFY(assembler.addFrame(header(Opcode::Text), owned, sink, &owned));
    const QStringList expected = lines({ "fragment Text fin=0 48656c", "ping p",
        "fragment Continuation fin=0 6c", "fragment Continuation fin=0 ", "fragment Continuation fin=1 6f",
        "fragment Binary fin=1 0102030405", "fragment Text fin=1 7a7a" });
    QCOMPARE(sink.events, expected);
    QCOMPARE(sink.messages, 0);
    QVERIFY(owned.isEmpty()); // moved out, not copied
}

void TestMessageAssembler::fireContinuationFramesKeepsRules_data()
{
    QTest::addColumn<QList<Fragment>>("fragments");
    QTest::addColumn<int>("failingIndex");
    QTest::addColumn<int>("closeCode");
    QTest::addColumn<int>("fragmentsBefore");
    using F = Fragment;
    const auto cont = Opcode::Continuation;
    QTest::newRow("continuation first") << QList<F> { { cont, "a", true } } << 0 << 1002 << 0;
    QTest::newRow("text inside text")
        << QList<F> { { Opcode::Text, "a", false }, { Opcode::Text, "b", true } } << 1 << 1002 << 1;
    QTest::newRow("invalid utf-8 in second")
        << QList<F> { { Opcode::Text, "a", false }, { cont, "\xFF", false }, { cont, "c", true } } << 1
        << 1007 << 1;
    QTest::newRow("unfinished at the end")
        << QList<F> { { Opcode::Text, "a\xE2", false }, { cont, "\x82", true } } << 1 << 1007 << 1;
    QTest::newRow("split code point is fine")
        << QList<F> { { Opcode::Text, "\xF0\x9F", false }, { cont, "\x98", false }, { cont, "\x80", true } }
        << -1 << 0 << 3;
}

void TestMessageAssembler::fireContinuationFramesKeepsRules()
{
    QFETCH(QList<Fragment>, fragments);
    QFETCH(int, failingIndex);
    QFETCH(int, closeCode);
    QFETCH(int, fragmentsBefore);
    MessageAssembler::Config config;
    config.fireContinuationFrames = true;
    MessageAssembler assembler(config);
    RecordingSink sink;
    QCOMPARE(addAll(assembler, sink, fragments), failingIndex);
    if (failingIndex >= 0)
        QCOMPARE(int(assembler.failure().closeCode), closeCode);
    QCOMPARE(sink.events.size(), fragmentsBefore);
}

// ---------------------------------------------------------------- ProtocolReader

void TestMessageAssembler::readerRfcExamples_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("expected");
    // RFC 6455 §5.7.
    QTest::newRow("single-frame unmasked text")
        << QByteArray::fromHex("810548656c6c6f") << lines({ "message Text Hello" });
    QTest::newRow("fragmented unmasked text")
        << QByteArray::fromHex("010348656c8002 6c6f") << lines({ "message Text Hello" });
    QTest::newRow("unmasked ping") << QByteArray::fromHex("890548656c6c6f") << lines({ "ping Hello" });
    QTest::newRow("unmasked pong") << QByteArray::fromHex("8a0548656c6c6f") << lines({ "pong Hello" });
    QTest::newRow("256-byte binary") << QByteArray(QByteArray::fromHex("827e0100") + QByteArray(256, '\x01'))
                                     << lines({ QStringLiteral("message Binary ")
                                            + QString::fromLatin1(QByteArray(256, '\x01').toHex()) });
}

void TestMessageAssembler::readerRfcExamples()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, expected);
    const FeedResult whole = feedWhole(bytes);
    QCOMPARE(whole.events, expected);
    QCOMPARE(whole.consumed, bytes.size());
    QVERIFY(!whole.failure.isFailure());
    const FeedResult bytewise = feedByteByByte(bytes);
    QCOMPARE(bytewise.events, expected);
    QCOMPARE(bytewise.consumed, bytes.size());
}

// Text, binary, a fragmented text with a ping between fragments, a pong and a close.
QByteArray TestMessageAssembler::conversation(QStringList *expectedEvents) const
{
    QByteArray bytes;
    bytes += serverFrame(Opcode::Text, "Hello");
    bytes += serverFrame(Opcode::Binary, QByteArray(300, '\xAB'));
    bytes += serverFrame(Opcode::Text, "fr\xC3", false);
    bytes += serverFrame(Opcode::Ping, "are you there");
    bytes += serverFrame(Opcode::Continuation, "\xA9quent ", false);
    bytes += serverFrame(Opcode::Continuation, "", false);
    bytes += serverFrame(Opcode::Continuation, "\xF0\x9F\x98", false);
    bytes += serverFrame(Opcode::Continuation, "\x80", true);
    bytes += serverFrame(Opcode::Pong, "beat");
    bytes += serverFrame(Opcode::Binary, QByteArray(70000, '\x01'));
    bytes += closeFrame(1000, "bye \xE2\x82\xAC");
    *expectedEvents = lines({ "message Text Hello",
        QStringLiteral("message Binary ") + QString::fromLatin1(QByteArray(300, '\xAB').toHex()),
        "ping are you there", QStringLiteral("message Text fr\u00e9quent \U0001F600"), "pong beat",
        QStringLiteral("message Binary ") + QString::fromLatin1(QByteArray(70000, '\x01').toHex()),
        QStringLiteral("close 1000 bye \u20ac") });
    return bytes;
}

void TestMessageAssembler::readerConversationWhole()
{
    QStringList expected;
    const QByteArray bytes = conversation(&expected);
    const FeedResult result = feedWhole(bytes);
    QCOMPARE(result.events, expected);
    QCOMPARE(result.consumed, bytes.size());
    QVERIFY(result.closeReceived);
    QVERIFY(!result.failure.isFailure());
}

void TestMessageAssembler::readerConversationByteByByte()
{
    QStringList expected;
    const QByteArray bytes = conversation(&expected);
    const FeedResult result = feedByteByByte(bytes);
    QCOMPARE(result.events, expected);
    QCOMPARE(result.consumed, bytes.size());
    QVERIFY(result.closeReceived);
}

void TestMessageAssembler::readerConversationEverySplit()
{
    QStringList expected;
    QByteArray bytes = conversation(&expected);
    // The large binary frame would make every split point quadratic; a smaller conversation of the
    // same shape covers the same boundaries.
    QByteArray small;
    small += serverFrame(Opcode::Text, "Hello");
    small += serverFrame(Opcode::Binary, QByteArray(130, '\x02'));
    small += serverFrame(Opcode::Text, "a\xF0\x9F", false);
    small += serverFrame(Opcode::Ping, "p");
    small += serverFrame(Opcode::Continuation, "", false);
    small += serverFrame(Opcode::Continuation, "\x98\x80", true);
    small += serverFrame(Opcode::Pong, "");
    small += closeFrame(1001, "x");
    const QStringList smallExpected = lines({ "message Text Hello",
        QStringLiteral("message Binary ") + QString::fromLatin1(QByteArray(130, '\x02').toHex()), "ping p",
        QStringLiteral("message Text a\U0001F600"), "pong ", "close 1001 x" });
    for (qsizetype cut = 0; cut <= small.size(); ++cut) {
        const FeedResult result = feedInPieces(small, { cut });
        QCOMPARE(result.events, smallExpected);
        QCOMPARE(result.consumed, small.size());
    }
    // Three pieces over the large conversation at a stride that lands inside every frame.
    for (qsizetype cut = 0; cut < bytes.size(); cut += 97) {
        const FeedResult result = feedInPieces(bytes, { cut, qMin(cut + 5, bytes.size()) });
        QCOMPARE(result.events, expected);
    }
}

void TestMessageAssembler::readerConsumesNothingAfterClose()
{
    QByteArray bytes = serverFrame(Opcode::Text, "before") + closeFrame(1000, "");
    const qsizetype closeEnd = bytes.size();
    bytes += serverFrame(Opcode::Text, "after") + serverFrame(Opcode::Ping, "late");

    ProtocolReader reader;
    RecordingSink sink;
    QByteArray buffer = bytes;
    QCOMPARE(reader.feed(buffer.data(), buffer.size(), sink), closeEnd);
    QVERIFY(reader.closeReceived());
    QCOMPARE(sink.events, (lines({ "message Text before", "close 1000 " })));
    QCOMPARE(reader.feed(buffer.data() + closeEnd, buffer.size() - closeEnd, sink), 0);
    QCOMPARE(sink.events.size(), 2);

    // Byte by byte: the byte after the Close is the first one refused.
    const FeedResult bytewise = feedByteByByte(bytes);
    QCOMPARE(bytewise.consumed, closeEnd);
    QCOMPARE(bytewise.events, (lines({ "message Text before", "close 1000 " })));

    // A Close with no payload reports 1005.
    QCOMPARE(feedWhole(serverFrame(Opcode::Close, {})).events, lines({ "close 1005 " }));
}

void TestMessageAssembler::readerTapsFrames()
{
    ProtocolReader::Config config;
    config.tapFrames = true;
    const QByteArray bytes = serverFrame(Opcode::Text, "ab", false) + serverFrame(Opcode::Ping, "p")
        + serverFrame(Opcode::Continuation, "c") + closeFrame(1000, "");
    const QStringList expected = lines({ "frame Text fin=0 len=2", "frame Ping fin=1 len=1", "ping p",
        "frame Continuation fin=1 len=1", "message Text abc", "frame Close fin=1 len=2", "close 1000 " });
    QCOMPARE(feedWhole(bytes, config).events, expected);
    QCOMPARE(feedByteByByte(bytes, config).events, expected);

    ProtocolReader reader(config);
    reader.setTapFrames(false);
    RecordingSink sink;
    QByteArray buffer = serverFrame(Opcode::Text, "x");
    reader.feed(buffer.data(), buffer.size(), sink);
    QCOMPARE(sink.events, lines({ "message Text x" }));
}

void TestMessageAssembler::readerTapDoesNotDependOnPieces_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<quint64>("maxMessageSize");
    QTest::addColumn<bool>("fire");
    QTest::addColumn<QStringList>("expected");

    const QByteArray ok = serverFrame(Opcode::Text, "ok");
    // A frame the size or UTF-8 check refuses is not reported: a frame split across reads is
    // refused by the first bad piece, before it is complete, so it never is.
    QTest::newRow("invalid UTF-8") << QByteArray(ok + serverFrame(Opcode::Text, "He\xba\x00lo")) << quint64(1 << 20)
                                   << false << lines({ "frame Text fin=1 len=2", "message Text ok" });
    QTest::newRow("invalid UTF-8, firing")
        << QByteArray(serverFrame(Opcode::Text, "ab", false) + serverFrame(Opcode::Continuation, "c\xff d"))
        << quint64(1 << 20) << true << lines({ "frame Text fin=0 len=2", "fragment Text fin=0 6162" });
    QTest::newRow("message too big") << QByteArray(ok + serverFrame(Opcode::Binary, QByteArray(200, 'x'))) << quint64(100)
                                     << false << lines({ "frame Text fin=1 len=2", "message Text ok" });
    QTest::newRow("fragmented message too big")
        << QByteArray(serverFrame(Opcode::Binary, QByteArray(60, 'x'), false)
               + serverFrame(Opcode::Continuation, QByteArray(60, 'y')))
        << quint64(100) << false << lines({ "frame Binary fin=0 len=60" });
    // Rules judged only once the frame is complete report it first, however it arrived.
    QTest::newRow("ends inside a sequence") << serverFrame(Opcode::Text, "ab\xe2\x82") << quint64(1 << 20) << false
                                            << lines({ "frame Text fin=1 len=4" });
    QTest::newRow("continuation without a message") << serverFrame(Opcode::Continuation, "abc") << quint64(1 << 20)
                                                    << false << lines({ "frame Continuation fin=1 len=3" });
}

void TestMessageAssembler::readerTapDoesNotDependOnPieces()
{
    QFETCH(QByteArray, bytes);
    QFETCH(quint64, maxMessageSize);
    QFETCH(bool, fire);
    QFETCH(QStringList, expected);
    ProtocolReader::Config config;
    config.tapFrames = true;
    config.messages.maxMessageSize = maxMessageSize;
    config.messages.fireContinuationFrames = fire;
    const FeedResult whole = feedWhole(bytes, config);
    QCOMPARE(whole.events, expected);
    QVERIFY(whole.failure.isFailure());
    for (qsizetype cut = 1; cut < bytes.size(); ++cut) {
        const FeedResult pieces = feedInPieces(bytes, { cut }, config);
        QCOMPARE(pieces.events, expected);
        QCOMPARE(pieces.failure.error, whole.failure.error);
        QCOMPARE(pieces.failure.message, whole.failure.message);
    }
    QCOMPARE(feedByteByByte(bytes, config).events, expected);
}

void TestMessageAssembler::readerFailures_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("maxFrameSize");
    QTest::addColumn<int>("maxMessageSize");
    QTest::addColumn<Error>("error");
    QTest::addColumn<QStringList>("eventsBefore");
    const int big = 1 << 20;
    const QByteArray hello = serverFrame(Opcode::Text, "hi");
    const QStringList helloEvent = lines({ "message Text hi" });
    auto hex = [](const char *h) { return QByteArray::fromHex(h); };

    // 1002
    QTest::newRow("continuation without message")
        << QByteArray(hello + hex("000161")) << big << big << Error::Protocol << helloEvent;
    QTest::newRow("text inside fragmented message")
        << QByteArray(hex("010161") + hex("010162")) << big << big << Error::Protocol << QStringList();
    QTest::newRow("masked server frame")
        << hex("818537fa213d7f9f4d5158") << big << big << Error::Protocol << QStringList();
    QTest::newRow("rsv1 without extension")
        << QByteArray(hello + hex("c100")) << big << big << Error::Protocol << helloEvent;
    QTest::newRow("unknown opcode") << hex("8300") << big << big << Error::Protocol << QStringList();
    QTest::newRow("fragmented ping") << hex("0900") << big << big << Error::Protocol << QStringList();
    QTest::newRow("ping of 126 bytes") << QByteArray(hex("897e007e") + QByteArray(126, 'p')) << big << big
                                       << Error::Protocol << QStringList();
    QTest::newRow("close of 1 byte") << QByteArray(hello + hex("880103")) << big << big << Error::Protocol
                                     << helloEvent;
    QTest::newRow("close code 1005") << hex("880203ed") << big << big << Error::Protocol << QStringList();
    QTest::newRow("close code 999") << hex("880203e7") << big << big << Error::Protocol << QStringList();
    QTest::newRow("close code 5000") << hex("88021388") << big << big << Error::Protocol << QStringList();
    // 1007
    QTest::newRow("invalid utf-8 text")
        << QByteArray(hello + hex("8101ff")) << big << big << Error::Payload << helloEvent;
    QTest::newRow("invalid utf-8 in first fragment")
        << QByteArray(hex("0102c328") + hex("000161") + hex("800162")) << big << big << Error::Payload
        << QStringList();
    QTest::newRow("unfinished utf-8") << hex("8102e282") << big << big << Error::Payload << QStringList();
    QTest::newRow("invalid close reason")
        << hex("880303e8ff") << big << big << Error::Payload << QStringList();
    // 1009
    QTest::newRow("message too big") << QByteArray(hex("01056161616161") + hex("000162") + hex("800163"))
                                     << big << 6 << Error::MessageTooBig << QStringList();
    QTest::newRow("frame too big") << QByteArray(hello + hex("8205") + QByteArray(5, 'x')) << 4 << big
                                   << Error::MessageTooBig << helloEvent;
}

void TestMessageAssembler::readerFailures()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, maxFrameSize);
    QFETCH(int, maxMessageSize);
    QFETCH(Error, error);
    QFETCH(QStringList, eventsBefore);
    ProtocolReader::Config config;
    config.frames.maxFrameSize = quint64(maxFrameSize);
    config.messages.maxMessageSize = quint64(maxMessageSize);
    const CloseCode expectedCode = error == Error::Protocol ? CloseCode::ProtocolError
        : error == Error::Payload                           ? CloseCode::InvalidPayload
                                                            : CloseCode::MessageTooBig;

    const QByteArray trailer = serverFrame(Opcode::Text, "never delivered");
    const QList<FeedResult> results { feedWhole(bytes + trailer, config),
        feedByteByByte(bytes + trailer, config),
        feedInPieces(bytes + trailer, { bytes.size() / 2 }, config) };
    for (const FeedResult &result : results) {
        QCOMPARE(result.failure.error, error);
        QCOMPARE(result.failure.closeCode, expectedCode);
        QVERIFY(!result.failure.message.isEmpty());
        QCOMPARE(result.events, eventsBefore);
        QVERIFY(!result.closeReceived);
        QVERIFY(result.consumed <= bytes.size());
    }

    // A failed reader consumes nothing more.
    ProtocolReader reader(config);
    RecordingSink sink;
    QByteArray buffer = bytes;
    reader.feed(buffer.data(), buffer.size(), sink);
    QVERIFY(reader.hasFailed());
    QByteArray more = trailer;
    QCOMPARE(reader.feed(more.data(), more.size(), sink), 0);
}

void TestMessageAssembler::readerStopsWhenSinkWantsNoMore()
{
    const QByteArray first = serverFrame(Opcode::Text, "one");
    QByteArray bytes = first + serverFrame(Opcode::Ping, "p") + serverFrame(Opcode::Text, "two");
    ProtocolReader reader;
    RecordingSink sink;
    sink.stopAfterMessages = 1;
    QCOMPARE(reader.feed(bytes.data(), bytes.size(), sink), first.size());
    QCOMPARE(sink.events, lines({ "message Text one" }));
    QVERIFY(!reader.hasFailed());
    QVERIFY(!reader.closeReceived());

    // Decoding resumes where it stopped once the sink wants more.
    sink.stopAfterMessages = -1;
    QCOMPARE(reader.feed(bytes.data() + first.size(), bytes.size() - first.size(), sink),
        bytes.size() - first.size());
    QCOMPARE(sink.events, (lines({ "message Text one", "ping p", "message Text two" })));
}

void TestMessageAssembler::readerDirectRead()
{
    const QByteArray payload = QByteArray(100000, 'd') + "end";
    const QByteArray frame = serverFrame(Opcode::Binary, payload);
    const qsizetype headerSize = frameHeaderSize(quint64(payload.size()), false);

    ProtocolReader reader;
    RecordingSink sink;
    QByteArray start = frame.left(headerSize + 10);
    QCOMPARE(reader.feed(start.data(), start.size(), sink), start.size());
    QVERIFY(sink.events.isEmpty());

    qsizetype position = start.size();
    // Two direct reads, as a socket would deliver them.
    for (qsizetype chunk : { qsizetype(50000), frame.size() - start.size() - 50000 }) {
        qsizetype room = 0;
        char *target = reader.directTarget(&room);
        QVERIFY(target);
        QCOMPARE(room, frame.size() - position);
        std::memcpy(target, frame.constData() + position, size_t(chunk));
        reader.commitDirect(chunk, sink);
        position += chunk;
    }
    QCOMPARE(sink.messages, 1);
    QCOMPARE(sink.lastMessage, payload);

    // Nothing is being gathered between frames.
    qsizetype room = -1;
    QVERIFY(!reader.directTarget(&room));
}

void TestMessageAssembler::readerMovesGatheredPayload()
{
    // A frame split across feeds is gathered by the parser; its buffer becomes the message.
    const QByteArray payload(5000, 'g');
    QByteArray frame = serverFrame(Opcode::Text, payload);
    const qsizetype headerSize = frameHeaderSize(quint64(payload.size()), false);
    ProtocolReader reader;
    RecordingSink sink;
    QCOMPARE(reader.feed(frame.data(), headerSize, sink), headerSize);
    qsizetype room = 0;
    const char *const gatherBuffer = reader.directTarget(&room);
    QVERIFY(gatherBuffer);
    QCOMPARE(
        reader.feed(frame.data() + headerSize, frame.size() - headerSize, sink), frame.size() - headerSize);
    QCOMPARE(sink.lastMessage, payload);
    QVERIFY(sink.lastMessage.constData() == gatherBuffer);
}

void TestMessageAssembler::readerFiresContinuationFrames()
{
    ProtocolReader::Config config;
    config.messages.fireContinuationFrames = true;
    const QByteArray bytes = serverFrame(Opcode::Binary, "\x01", false) + serverFrame(Opcode::Ping, "p")
        + serverFrame(Opcode::Continuation, "\x02", true) + serverFrame(Opcode::Text, "ok");
    const QStringList expected = lines({ "fragment Binary fin=0 01", "ping p",
        "fragment Continuation fin=1 02", "fragment Text fin=1 6f6b" });
    QCOMPARE(feedWhole(bytes, config).events, expected);
    QCOMPARE(feedByteByByte(bytes, config).events, expected);
}

void TestMessageAssembler::readerReset()
{
    ProtocolReader reader;
    RecordingSink sink;
    QByteArray closing = closeFrame(1000, "");
    reader.feed(closing.data(), closing.size(), sink);
    QVERIFY(reader.closeReceived());
    reader.reset();
    QVERIFY(!reader.closeReceived());
    QByteArray bad = QByteArray::fromHex("8300");
    reader.feed(bad.data(), bad.size(), sink);
    QVERIFY(reader.hasFailed());
    reader.reset();
    QVERIFY(!reader.hasFailed());
    QByteArray text = serverFrame(Opcode::Text, "again");
    QCOMPARE(reader.feed(text.data(), text.size(), sink), text.size());
    QCOMPARE(sink.events.last(), QStringLiteral("message Text again"));
}

QTEST_APPLESS_MAIN(TestMessageAssembler)
#include "tst_messageassembler.moc"
