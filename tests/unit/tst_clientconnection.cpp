#include "protocol/clientconnection.h"
#include "protocol/closepayload.h"
#include "protocol/deflatecodec.h"
#include "protocol/frameparser.h"
#include "protocol/framewriter.h"
#include "protocol/handshakerequest.h"
#include "protocol/utf8validator.h"

#include <WsClient/compression.h>
#include <WsClient/url.h>

#include <QtTest/QtTest>

#include <memory>

using namespace WsClient;
using namespace WsClient::Protocol;
using State = ClientConnection::State;

namespace WsClient::Protocol {
char *toString(ClientConnection::State state)
{
    return qstrdup(ClientConnection::stateName(state));
}
} // namespace WsClient::Protocol

namespace {

const QString Url = QStringLiteral("ws://example.com/chat");

QString opcodeName(Opcode opcode)
{
    const char *name = QMetaEnum::fromType<Opcode>().valueToKey(int(opcode));
    return name ? QString::fromLatin1(name) : QStringLiteral("0x%1").arg(int(opcode), 0, 16);
}

QString errorName(Error error)
{
    return QString::fromLatin1(QMetaEnum::fromType<Error>().valueToKey(int(error)));
}

// A frame the client wrote, as the server decodes it.
struct SentFrame
{
    bool fin = true;
    quint8 rsv = 0;
    Opcode opcode = Opcode::Text;
    QByteArray payload;
};

QString describeSent(const SentFrame &f)
{
    QString line = opcodeName(f.opcode);
    if (!f.fin)
        line += QStringLiteral(" nofin");
    if (f.rsv)
        line += QStringLiteral(" rsv%1").arg(f.rsv);
    if (f.opcode == Opcode::Close) {
        if (f.payload.size() >= 2)
            line += QStringLiteral(" %1").arg((uchar(f.payload[0]) << 8) | uchar(f.payload[1]));
        if (f.payload.size() > 2)
            line += QLatin1Char(' ') + QString::fromUtf8(f.payload.sliced(2));
        return line;
    }
    if (f.payload.isEmpty())
        return line;
    if (f.opcode == Opcode::Binary || f.rsv)
        return line + QLatin1Char(' ') + QString::fromLatin1(f.payload.toHex());
    return line + QLatin1Char(' ') + QString::fromUtf8(f.payload);
}

/*
    Both faces of the connection's surroundings: the ConnectionSink records every event as a
    readable line, the FrameOutput keeps the request bytes and decodes every frame with a
    server-side FrameParser (expectMasked), so the tests see what the server would. Broken
    promises seen on the way (an event in the wrong state, a frame after the Close, an unmasked
    frame, ...) go to problems, which every test checks at its end.
*/
class Recorder : public ConnectionSink, public FrameOutput
{
public:
    Recorder()
    {
        FrameParser::Config config;
        config.expectMasked = true;
        config.allowedRsv = Rsv1 | Rsv2 | Rsv3;
        m_parser = FrameParser(config);
    }

    const ClientConnection *conn = nullptr;
    bool closedSeen = false; // a call returned with the state Closed: nothing may follow

    QStringList events;
    QStringList problems;
    QByteArray request;
    int requestWrites = 0;
    QList<SentFrame> sent;
    QList<Failure> failures;
    QList<QUrl> redirects;
    QList<AuthVerdict> verdicts;
    bool closeWritten = false;

    QStringList sentLines() const
    {
        QStringList lines;
        for (const SentFrame &f : sent)
            lines << describeSent(f);
        return lines;
    }
    QByteArray requestKey() const
    {
        for (const QByteArray &line : request.split('\n')) {
            if (line.startsWith("Sec-WebSocket-Key:"))
                return line.mid(18).trimmed();
        }
        return {};
    }

    // ConnectionSink
    void opened() override
    {
        event(QStringLiteral("opened"));
        expectState(State::Open, "opened()");
    }
    void redirected(const QUrl &url) override
    {
        event(QStringLiteral("redirected ") + url.toString());
        redirects.append(url);
        expectState(State::Closed, "redirected()");
    }
    void authenticationRequired(const AuthVerdict &verdict) override
    {
        event(QStringLiteral("authenticationRequired %1 %2")
                  .arg(verdict.action == AuthVerdict::Action::Retry ? QStringLiteral("retry")
                                                                    : QStringLiteral("ask"),
                      QString::fromLatin1(verdict.scheme)));
        verdicts.append(verdict);
        expectState(State::Closed, "authenticationRequired()");
    }
    void failed(const Failure &failure) override
    {
        event(QStringLiteral("failed %1 %2").arg(errorName(failure.error)).arg(int(failure.closeCode)));
        failures.append(failure);
        if (conn && conn->state() != State::Closed && conn->state() != State::Closing)
            problems << QStringLiteral("failed() in state ") + QLatin1String(ClientConnection::stateName(conn->state()));
    }
    void closeTransport() override
    {
        event(QStringLiteral("closeTransport"));
        expectState(State::Closing, "closeTransport()");
    }
    void messageReceived(Opcode opcode, QByteArray &&message) override
    {
        event(QStringLiteral("message %1 %2")
                  .arg(opcodeName(opcode),
                      opcode == Opcode::Binary ? QString::fromLatin1(message.toHex()) : QString::fromUtf8(message)));
    }
    void pingReceived(QByteArrayView payload) override { event(QStringLiteral("ping ") + QString::fromUtf8(payload)); }
    void pongReceived(QByteArrayView payload) override { event(QStringLiteral("pong ") + QString::fromUtf8(payload)); }
    void closeReceived(quint16 code, const QString &reason) override
    {
        event(QStringLiteral("close %1 %2").arg(code).arg(reason));
    }

    // FrameOutput
    void writeFrame(const FrameHeader &header, QByteArrayView payload) override
    {
        if (closedSeen || (conn && conn->state() == State::Closed))
            problems << QStringLiteral("frame written after Closed");
        if (closeWritten)
            problems << QStringLiteral("frame written after the Close: ") + opcodeName(header.opcode);
        if (!header.masked)
            problems << QStringLiteral("unmasked frame");
        if (header.payloadLength != quint64(payload.size()))
            problems << QStringLiteral("payloadLength differs from the payload");
        QByteArray bytes;
        appendFrame(bytes, header, payload);
        wireBytes += bytes.size();
        qsizetype used = 0;
        if (m_parser.parse(bytes.data(), bytes.size(), &used) != FrameParser::Status::Frame || used != bytes.size()) {
            problems << QStringLiteral("server cannot parse a frame: ") + m_parser.failure().message;
            m_parser.reset();
            return;
        }
        const FrameHeader &h = m_parser.header();
        if (h.isControl() && (!h.fin || h.payloadLength > 125))
            problems << QStringLiteral("bad control frame");
        sent.append({ h.fin, h.rsv, h.opcode, m_parser.payload().toByteArray() });
        if (h.opcode == Opcode::Close)
            closeWritten = true;
    }
    void writeBytes(QByteArrayView bytes) override
    {
        if (conn && conn->state() != State::Connecting)
            problems << QStringLiteral("bytes written outside Connecting");
        request += bytes.toByteArray();
        ++requestWrites;
    }

    qint64 wireBytes = 0;

private:
    void event(const QString &line)
    {
        if (closedSeen)
            problems << QStringLiteral("event after Closed: ") + line;
        events << line;
    }
    void expectState(State state, const char *what)
    {
        if (conn && conn->state() != state)
            problems << QStringLiteral("%1 in state %2").arg(QLatin1String(what), QLatin1String(ClientConnection::stateName(conn->state())));
    }

    FrameParser m_parser;
};

QByteArray serverFrame(Opcode opcode, QByteArrayView payload, bool fin = true, quint8 rsv = 0)
{
    FrameHeader h;
    h.opcode = opcode;
    h.fin = fin;
    h.rsv = rsv;
    h.masked = false;
    QByteArray out;
    appendFrame(out, h, payload);
    return out;
}

QByteArray closeFrame(quint16 code, QByteArrayView reason = {})
{
    QByteArray payload;
    payload.append(char(code >> 8)).append(char(code & 0xFF)).append(reason);
    return serverFrame(Opcode::Close, payload);
}

QByteArray crlf(const QList<QByteArray> &lines, const QByteArray &body = {})
{
    QByteArray bytes;
    for (const QByteArray &line : lines)
        bytes += line + "\r\n";
    return bytes + "\r\n" + body;
}

QByteArray upgradeResponse(const QByteArray &key, const QList<QByteArray> &extra = {})
{
    QList<QByteArray> lines { "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Accept: " + computeAcceptKey(key) };
    return crlf(lines + extra);
}

ClientConnection::Config defaultConfig()
{
    ClientConnection::Config config;
    config.handshake.request.url = parseUrl(Url);
    config.handshake.url = QUrl(Url);
    return config;
}

// One connection driven from memory. Every call checks that the state only moved forward.
struct Fixture
{
    explicit Fixture(const ClientConnection::Config &config = defaultConfig())
        : conn(std::make_unique<ClientConnection>(config, rec, rec))
    {
        rec.conn = conn.get();
    }

    void start()
    {
        conn->start();
        after();
    }
    void feed(QByteArray bytes) // a copy: payloads are unmasked in place
    {
        conn->receiveData(bytes.data(), bytes.size());
        after();
    }
    void feedByteByByte(const QByteArray &bytes)
    {
        for (qsizetype i = 0; i < bytes.size(); ++i)
            feed(bytes.sliced(i, 1));
    }
    // Starts and answers with a valid 101 (plus \a extra fields and \a trailing bytes).
    void open(const QList<QByteArray> &extra = {}, const QByteArray &trailing = {})
    {
        start();
        feed(upgradeResponse(rec.requestKey(), extra) + trailing);
    }
    qint64 send(Opcode opcode, QByteArrayView payload, QString *refusal = nullptr)
    {
        const qint64 n = conn->send(opcode, payload, refusal);
        after();
        return n;
    }
    qint64 sendFrame(Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload, QString *refusal = nullptr)
    {
        const qint64 n = conn->sendFrame(opcode, fin, rsv, payload, refusal);
        after();
        return n;
    }
    bool close(quint16 code, const QString &reason)
    {
        const bool ok = conn->close(code, reason);
        after();
        return ok;
    }
    void fail(const Failure &failure)
    {
        conn->fail(failure);
        after();
    }
    void transportClosed(const Undelivered &undelivered = {})
    {
        conn->transportClosed(QStringLiteral("example.com:80"), QStringLiteral("the remote host closed the connection"),
            undelivered);
        after();
    }
    void closeTimedOut()
    {
        conn->closeTimedOut(QStringLiteral("no Close from the server within 3000 ms"));
        after();
    }
    void handshakeTimedOut()
    {
        conn->handshakeTimedOut(QStringLiteral("opening timed out after 10000 ms"));
        after();
    }
    void bodyTimedOut()
    {
        conn->bodyTimedOut();
        after();
    }
    void abort()
    {
        conn->abort();
        after();
    }

    void after()
    {
        const State now = conn->state();
        if (int(now) < int(lastState))
            rec.problems << QStringLiteral("state moved back from %1 to %2")
                                .arg(QLatin1String(ClientConnection::stateName(lastState)),
                                    QLatin1String(ClientConnection::stateName(now)));
        if (now == State::Closing && lastState != State::Closing && !conn->closeSent())
            rec.problems << QStringLiteral("Closing without a Close sent");
        lastState = now;
        if (now == State::Closed)
            rec.closedSeen = true;
        states.append(now);
    }

    // After Closed: nothing is written and nothing is delivered, whatever comes.
    void pokeAfterClosed()
    {
        const QStringList events = rec.events;
        const qsizetype frames = rec.sent.size();
        const QByteArray request = rec.request;
        QString refusal;
        if (send(Opcode::Text, "late", &refusal) != -1 || refusal.isEmpty())
            rec.problems << QStringLiteral("send accepted after Closed");
        if (send(Opcode::Ping, "late") != -1 || sendFrame(Opcode::Binary, true, 0, "late") != -1)
            rec.problems << QStringLiteral("send accepted after Closed");
        if (close(1000, QStringLiteral("late")))
            rec.problems << QStringLiteral("close accepted after Closed");
        feed(serverFrame(Opcode::Ping, "late") + serverFrame(Opcode::Text, "late") + closeFrame(1000));
        feed(QByteArray("\xff\xff\xff", 3)); // broken input
        fail(Failure::protocol(QStringLiteral("late")));
        transportClosed({ 10, 1 });
        closeTimedOut();
        handshakeTimedOut();
        bodyTimedOut();
        abort();
        qsizetype room = -1;
        if (conn->directTarget(&room) != nullptr || room != 0)
            rec.problems << QStringLiteral("directTarget after Closed");
        if (conn->wantsData())
            rec.problems << QStringLiteral("wantsData after Closed");
        if (rec.events != events || rec.sent.size() != frames || rec.request != request)
            rec.problems << QStringLiteral("activity after Closed");
        if (conn->state() != State::Closed)
            rec.problems << QStringLiteral("not Closed any more");
    }

    Recorder rec;
    std::unique_ptr<ClientConnection> conn;
    State lastState = State::Connecting;
    QList<State> states;
};

#define CHECK_NO_PROBLEMS(f) QVERIFY2((f).rec.problems.isEmpty(), qPrintable((f).rec.problems.join(QLatin1String("; "))))

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

QString closeReasonOf(const SentFrame &f)
{
    return QString::fromUtf8(f.payload.sliced(qMin<qsizetype>(2, f.payload.size())));
}

int closeCodeOf(const SentFrame &f)
{
    return f.payload.size() >= 2 ? (uchar(f.payload[0]) << 8) | uchar(f.payload[1]) : 1005;
}

QByteArray deflated(QByteArrayView message)
{
    Deflater deflater(15, -1, 8);
    return deflater.compress(message, true);
}

} // namespace

class TestClientConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Opening
    void startWritesTheRequest();
    void opensOnValid101();
    void opensWithResponseByteByByte();
    void framesWithTheResponseFollowOpened();
    void invalidUpgradeFails_data();
    void invalidUpgradeFails();
    void handshakeTimedOut();
    void transportClosedWhileConnecting();
    void badStatusWithContentLength();
    void badStatusBodySplitAcrossPieces();
    void badStatusBodyEndsWithTheStream();
    void badStatusBodyTimedOut();
    void badStatusWithoutBody();
    void redirectWithinLimit();
    void redirectRelativeLocation();
    void redirectBeyondLimit();
    void redirectNotPossible();
    void requestCannotBeBuilt();

    // Closing handshake
    void clientInitiatedClose();
    void clientCloseReasonTruncated();
    void serverInitiatedClose_data();
    void serverInitiatedClose();
    void serverCloseWithoutPayloadEchoedWithout();
    void serverCloseDuringFragmentedMessage();
    void clientCloseWhileServerFragmentsKeepComing();
    void framesAfterServerCloseIgnored();
    void invalidServerCloseFails_data();
    void invalidServerCloseFails();

    // Ping / Pong
    void pingAnsweredWithSamePayload();
    void pingBetweenFragmentsAnswered();
    void pingNotAnsweredAfterCloseSent();
    void pongDelivered();

    // Failures
    void failuresWriteACloseWithTheirCode_data();
    void failuresWriteACloseWithTheirCode();
    void failureWhileClosing();
    void failReasonTruncatedToValidUtf8_data();
    void failReasonTruncatedToValidUtf8();
    void transportClosedWhileOpen_data();
    void transportClosedWhileOpen();
    void transportClosedWhileClosing();
    void transportClosedWhileClosingWithUndelivered();
    void transportClosedAfterFailure();
    void closeTimedOut();
    void closeTimedOutIgnoredUnlessAwaitingClose();

    // Sending
    void sendWritesMessages();
    void sendRefusedWhenNotOpen();
    void sendRefusedForInvalidPayload();
    void sendCloseIsAClose();
    void sendFrameKeepsFragments();
    void sendFrameCloseMovesToClosing();
    void abortWritesNothing_data();
    void abortWritesNothing();

    // The transition table
    void statesOnlyMoveForward_data();
    void statesOnlyMoveForward();

    // permessage-deflate
    void deflateOfferedInRequest();
    void deflateNegotiatedEndToEnd();
    void deflateNoContextTakeover();
    void deflateNotAcceptedMeansUncompressed();
};

// ---------------------------------------------------------------------------------------------
// Opening

void TestClientConnection::startWritesTheRequest()
{
    Fixture f;
    QCOMPARE(f.conn->state(), State::Connecting);
    QVERIFY(f.rec.request.isEmpty());
    f.start();
    QCOMPARE(f.rec.requestWrites, 1);
    QVERIFY(f.rec.request.startsWith("GET /chat HTTP/1.1\r\n"));
    QVERIFY(f.rec.request.endsWith("\r\n\r\n"));
    QVERIFY(f.rec.request.contains("\r\nHost: example.com\r\n"));
    QVERIFY(f.rec.request.contains("\r\nUpgrade: websocket\r\n"));
    QVERIFY(f.rec.request.contains("\r\nSec-WebSocket-Version: 13\r\n"));
    QCOMPARE(QByteArray::fromBase64(f.rec.requestKey()).size(), 16);
    QCOMPARE(f.rec.requestKey(), f.conn->handshake().request().key);
    QVERIFY(f.rec.events.isEmpty());
    QVERIFY(f.rec.sent.isEmpty());
    QCOMPARE(f.conn->state(), State::Connecting);
    QVERIFY(f.conn->wantsData());
    QCOMPARE(f.conn->closeCode(), 0);
    QVERIFY(!f.conn->wasOpen());
    // Each connection sends a key of its own.
    Fixture other;
    other.start();
    QVERIFY(other.rec.requestKey() != f.rec.requestKey());
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::opensOnValid101()
{
    Fixture f;
    f.open();
    QCOMPARE(f.conn->state(), State::Open);
    QCOMPARE(f.rec.events, lines({ "opened" }));
    QVERIFY(f.conn->wasOpen());
    QVERIFY(!f.conn->failure().isFailure());
    QCOMPARE(f.conn->closeCode(), 1006); // until a Close says otherwise
    QVERIFY(f.rec.sent.isEmpty());
    QCOMPARE(f.rec.requestWrites, 1);
    // More bytes of nothing do not open it again.
    f.feed(QByteArray());
    QCOMPARE(f.rec.events, lines({ "opened" }));
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::opensWithResponseByteByByte()
{
    Fixture f;
    f.start();
    const QByteArray response = upgradeResponse(f.rec.requestKey()) + serverFrame(Opcode::Text, "hi");
    f.feedByteByByte(response);
    QCOMPARE(f.rec.events, lines({ "opened", "message Text hi" }));
    QCOMPARE(f.conn->state(), State::Open);
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::framesWithTheResponseFollowOpened()
{
    Fixture f;
    f.open({}, serverFrame(Opcode::Text, "first") + serverFrame(Opcode::Ping, "p1") + serverFrame(Opcode::Binary, "\x01\x02")
            + serverFrame(Opcode::Text, "frag", false) + serverFrame(Opcode::Continuation, "mented"));
    QCOMPARE(f.rec.events, lines({ "opened", "message Text first", "ping p1", "message Binary 0102", "message Text fragmented" }));
    QCOMPARE(f.rec.sentLines(), lines({ "Pong p1" }));
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::invalidUpgradeFails_data()
{
    QTest::addColumn<QByteArray>("response"); // KEY stands for the accept key
    QTest::addColumn<int>("error");

    QTest::newRow("wrong accept") << crlf({ "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
        "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" })
                                  << int(Error::Handshake);
    QTest::newRow("no accept") << crlf({ "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade" })
                               << int(Error::Handshake);
    QTest::newRow("no upgrade") << crlf({ "HTTP/1.1 101 Switching Protocols", "Connection: Upgrade",
        "Sec-WebSocket-Accept: KEY" }) << int(Error::Handshake);
    QTest::newRow("unknown extension") << crlf({ "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
        "Connection: Upgrade", "Sec-WebSocket-Accept: KEY", "Sec-WebSocket-Extensions: permessage-deflate" })
                                       << int(Error::Handshake);
    QTest::newRow("unasked subprotocol") << crlf({ "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
        "Connection: Upgrade", "Sec-WebSocket-Accept: KEY", "Sec-WebSocket-Protocol: chat" })
                                         << int(Error::Handshake);
    QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH_9.2p1\r\n") << int(Error::Handshake);
}

void TestClientConnection::invalidUpgradeFails()
{
    QFETCH(QByteArray, response);
    QFETCH(int, error);
    Fixture f;
    f.start();
    response.replace("KEY", computeAcceptKey(f.rec.requestKey()));
    f.feed(response + serverFrame(Opcode::Text, "never"));
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ QStringLiteral("failed %1 1006").arg(errorName(Error(error))) }));
    QCOMPARE(f.conn->failure().error, Error(error));
    QVERIFY(!f.conn->failure().message.isEmpty());
    QCOMPARE(f.conn->closeCode(), 0); // it never opened
    QVERIFY(!f.conn->wasOpen());
    QVERIFY(f.rec.sent.isEmpty()); // no Close before the connection is open
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::handshakeTimedOut()
{
    Fixture f;
    f.start();
    f.feed("HTTP/1.1 101 Switching Protocols\r\nUpgr"); // half a head
    f.handshakeTimedOut();
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "failed Timeout 1006" }));
    QCOMPARE(f.conn->failure().message, QStringLiteral("opening timed out after 10000 ms"));
    QCOMPARE(f.conn->closeCode(), 0);
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);

    // Once open, the opening deadline means nothing.
    Fixture open;
    open.open();
    open.handshakeTimedOut();
    QCOMPARE(open.conn->state(), State::Open);
    QCOMPARE(open.rec.events, lines({ "opened" }));
    CHECK_NO_PROBLEMS(open);
}

void TestClientConnection::transportClosedWhileConnecting()
{
    Fixture f;
    f.start();
    f.feed("HTTP/1.1 101 Switching");
    f.transportClosed();
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "failed Network 1006" }));
    QVERIFY(f.conn->failure().message.contains(QLatin1String("example.com:80")));
    QVERIFY(f.conn->failure().message.contains(QLatin1String("the remote host closed the connection")));
    QCOMPARE(f.conn->closeCode(), 0);
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::badStatusWithContentLength()
{
    Fixture f;
    f.start();
    f.feed(crlf({ "HTTP/1.1 404 Not Found", "Content-Type: text/plain", "Content-Length: 9" }, "not found"));
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "failed BadStatus 1006" }));
    QCOMPARE(f.conn->handshake().response().statusCode(), 404);
    QCOMPARE(f.conn->handshake().body(), QByteArray("not found"));
    QVERIFY(f.conn->failure().message.contains(QLatin1String("404")));
    QVERIFY(!f.conn->awaitingBody());
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::badStatusBodySplitAcrossPieces()
{
    Fixture f;
    f.start();
    f.feed(crlf({ "HTTP/1.1 403 Forbidden", "Content-Length: 12" }, "for"));
    QCOMPARE(f.conn->state(), State::Connecting);
    QVERIFY(f.conn->awaitingBody());
    QVERIFY(f.rec.events.isEmpty());
    f.feed("bid");
    QVERIFY(f.rec.events.isEmpty());
    QVERIFY(f.conn->awaitingBody());
    f.feed("den!!" "and more that is not the body");
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "failed BadStatus 1006" }));
    QCOMPARE(f.conn->handshake().body(), QByteArray("forbidden!!a"));
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::badStatusBodyEndsWithTheStream()
{
    Fixture f;
    f.start();
    f.feed(crlf({ "HTTP/1.1 500 Internal Server Error" }, "oops"));
    QVERIFY(f.conn->awaitingBody());
    f.feed(", sorry");
    QVERIFY(f.rec.events.isEmpty());
    f.transportClosed();
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "failed BadStatus 1006" }));
    QCOMPARE(f.conn->handshake().body(), QByteArray("oops, sorry"));
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::badStatusBodyTimedOut()
{
    Fixture f;
    f.start();
    f.feed(crlf({ "HTTP/1.1 503 Service Unavailable", "Content-Length: 1000" }, "partial"));
    QVERIFY(f.conn->awaitingBody());
    f.bodyTimedOut();
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "failed BadStatus 1006" }));
    QCOMPARE(f.conn->handshake().body(), QByteArray("partial"));
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);

    // bodyTimedOut() before a body is awaited changes nothing.
    Fixture early;
    early.start();
    early.bodyTimedOut();
    QCOMPARE(early.conn->state(), State::Connecting);
    QVERIFY(early.rec.events.isEmpty());
    early.open();
    early.bodyTimedOut();
    QCOMPARE(early.conn->state(), State::Open);
    CHECK_NO_PROBLEMS(early);
}

void TestClientConnection::badStatusWithoutBody()
{
    Fixture f;
    f.start();
    f.feed(crlf({ "HTTP/1.1 401 Unauthorized", "Content-Length: 0" }));
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "failed BadStatus 1006" }));
    QVERIFY(f.conn->handshake().body().isEmpty());
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::redirectWithinLimit()
{
    ClientConnection::Config config = defaultConfig();
    config.handshake.redirectLimit = 3;
    config.handshake.redirectsFollowed = 2;
    Fixture f(config);
    f.start();
    f.feed(crlf({ "HTTP/1.1 302 Found", "Location: wss://other.example:9000/next?x=1" }) + "trailing");
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "redirected wss://other.example:9000/next?x=1" }));
    QVERIFY(!f.conn->failure().isFailure());
    QCOMPARE(f.conn->closeCode(), 0);
    QVERIFY(f.rec.sent.isEmpty());
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::redirectRelativeLocation()
{
    Fixture f;
    f.start();
    f.feed(crlf({ "HTTP/1.1 307 Temporary Redirect", "Location: /elsewhere?y=2" }));
    QCOMPARE(f.rec.redirects, QList<QUrl>({ QUrl(QStringLiteral("ws://example.com/elsewhere?y=2")) }));
    QCOMPARE(f.conn->state(), State::Closed);
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::redirectBeyondLimit()
{
    ClientConnection::Config config = defaultConfig();
    config.handshake.redirectLimit = 3;
    config.handshake.redirectsFollowed = 3;
    Fixture f(config);
    f.start();
    f.feed(crlf({ "HTTP/1.1 301 Moved Permanently", "Location: ws://other.example/" }));
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "failed TooManyRedirects 1006" }));
    QVERIFY(f.conn->failure().message.contains(QLatin1String("ws://other.example/")));
    QVERIFY(f.rec.redirects.isEmpty());
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);

    ClientConnection::Config none = defaultConfig();
    none.handshake.redirectLimit = 0;
    Fixture zero(none);
    zero.start();
    zero.feed(crlf({ "HTTP/1.1 308 Permanent Redirect", "Location: ws://other.example/" }));
    QCOMPARE(zero.rec.events, lines({ "failed TooManyRedirects 1006" }));
    CHECK_NO_PROBLEMS(zero);
}

void TestClientConnection::redirectNotPossible()
{
    ClientConnection::Config config = defaultConfig();
    config.handshake.canRedirect = false;
    Fixture f(config);
    f.start();
    f.feed(crlf({ "HTTP/1.1 302 Found", "Location: ws://other.example/" }));
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "failed Handshake 1006" }));
    QVERIFY(f.conn->failure().message.contains(QLatin1String("user-supplied device")));
    QVERIFY(f.rec.redirects.isEmpty());
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::requestCannotBeBuilt()
{
    ClientConnection::Config config = defaultConfig();
    config.handshake.request.headers.append(qMakePair(QByteArray("X-Evil"), QByteArray("a\r\nInjected: 1")));
    Fixture f(config);
    f.start();
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "failed InvalidArgument 1006" }));
    QVERIFY(f.rec.request.isEmpty());
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

// ---------------------------------------------------------------------------------------------
// Closing handshake

void TestClientConnection::clientInitiatedClose()
{
    Fixture f;
    f.open();
    QVERIFY(f.close(1000, QStringLiteral("bye")));
    QCOMPARE(f.conn->state(), State::Closing);
    QCOMPARE(f.rec.sentLines(), lines({ "Close 1000 bye" }));
    QVERIFY(f.conn->closeSent());
    QVERIFY(f.conn->awaitingClose());
    QVERIFY(f.conn->wantsData());
    // A second close() writes nothing.
    QVERIFY(!f.close(1001, QStringLiteral("again")));
    QCOMPARE(f.rec.sent.size(), 1);
    // What the server sent before its Close is still delivered.
    f.feed(serverFrame(Opcode::Text, "in flight"));
    QCOMPARE(f.rec.events, lines({ "opened", "message Text in flight" }));
    f.feed(closeFrame(1000, "ok"));
    QCOMPARE(f.rec.events, lines({ "opened", "message Text in flight", "close 1000 ok", "closeTransport" }));
    QCOMPARE(f.rec.sent.size(), 1); // the answer is not answered
    QCOMPARE(f.conn->state(), State::Closing);
    QVERIFY(!f.conn->awaitingClose());
    QVERIFY(!f.conn->wantsData());
    f.transportClosed();
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.conn->closeCode(), 1000);
    QCOMPARE(f.conn->closeReason(), QStringLiteral("ok"));
    QVERIFY(!f.conn->closedByServer());
    QVERIFY(f.conn->closeSent());
    QVERIFY(f.conn->closeReceived());
    QVERIFY(!f.conn->failure().isFailure());
    QCOMPARE(f.rec.events.size(), 4);
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::clientCloseReasonTruncated()
{
    Fixture f;
    f.open();
    const QString reason = QString(60, QChar(0x20AC)); // 180 bytes of UTF-8
    QVERIFY(f.close(4000, reason));
    QCOMPARE(f.rec.sent.size(), 1);
    const SentFrame &close = f.rec.sent.first();
    QCOMPARE(close.payload.size(), 125);
    QCOMPARE(closeCodeOf(close), 4000);
    QCOMPARE(closeReasonOf(close), QString(41, QChar(0x20AC)));

    Fixture empty;
    empty.open();
    QVERIFY(empty.close(1005, QString())); // no status: a Close without payload
    QCOMPARE(empty.rec.sent.size(), 1);
    QVERIFY(empty.rec.sent.first().payload.isEmpty());
    CHECK_NO_PROBLEMS(f);
    CHECK_NO_PROBLEMS(empty);
}

void TestClientConnection::serverInitiatedClose_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QByteArray>("reason");
    QTest::newRow("1000") << 1000 << QByteArray("done");
    QTest::newRow("1001 no reason") << 1001 << QByteArray();
    QTest::newRow("1011") << 1011 << QByteArray("internal");
    QTest::newRow("3000") << 3000 << QByteArray("app");
    QTest::newRow("4999 long UTF-8 reason") << 4999
                                            << QByteArray(QString(40, QChar(0x00E9)).toUtf8() + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
}

void TestClientConnection::serverInitiatedClose()
{
    QFETCH(int, code);
    QFETCH(QByteArray, reason);
    Fixture f;
    f.open();
    f.feed(closeFrame(quint16(code), reason) + serverFrame(Opcode::Text, "after close"));
    QCOMPARE(f.rec.events,
        lines({ "opened", QStringLiteral("close %1 %2").arg(code).arg(QString::fromUtf8(reason)), "closeTransport" }));
    // Echoed with the same code (RFC 6455 §5.5.1).
    QCOMPARE(f.rec.sentLines(), lines({ QStringLiteral("Close %1").arg(code) }));
    QCOMPARE(f.conn->state(), State::Closing);
    QVERIFY(f.conn->closedByServer());
    QVERIFY(f.conn->closeSent());
    QVERIFY(f.conn->closeReceived());
    QVERIFY(!f.conn->awaitingClose());
    QVERIFY(!f.conn->wantsData());
    QCOMPARE(f.conn->closeCode(), code);
    QCOMPARE(f.conn->closeReason(), QString::fromUtf8(reason));
    QString refusal;
    QCOMPARE(f.send(Opcode::Text, "too late", &refusal), qint64(-1));
    QVERIFY(refusal.contains(QLatin1String("Closing")));
    QVERIFY(!f.close(1000, QString()));
    f.transportClosed();
    QCOMPARE(f.conn->state(), State::Closed);
    QVERIFY(!f.conn->failure().isFailure());
    QCOMPARE(f.conn->closeCode(), code);
    QCOMPARE(f.rec.sent.size(), 1);
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::serverCloseWithoutPayloadEchoedWithout()
{
    Fixture f;
    f.open();
    f.feed(serverFrame(Opcode::Close, QByteArrayView()));
    QCOMPARE(f.rec.events, lines({ "opened", "close 1005 ", "closeTransport" }));
    QCOMPARE(f.rec.sent.size(), 1);
    QCOMPARE(f.rec.sent.first().opcode, Opcode::Close);
    QVERIFY(f.rec.sent.first().payload.isEmpty());
    QCOMPARE(f.conn->closeCode(), 1005);
    QVERIFY(f.conn->closedByServer());
    f.transportClosed();
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.conn->closeCode(), 1005);
    QVERIFY(!f.conn->failure().isFailure());
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::serverCloseDuringFragmentedMessage()
{
    Fixture f;
    f.open();
    f.feed(serverFrame(Opcode::Text, "Hel", false) + serverFrame(Opcode::Continuation, "l", false));
    QCOMPARE(f.rec.events, lines({ "opened" }));
    f.feed(closeFrame(1001, "going away"));
    QCOMPARE(f.rec.events, lines({ "opened", "close 1001 going away", "closeTransport" }));
    QCOMPARE(f.rec.sentLines(), lines({ "Close 1001" }));
    // The rest of the message never counts.
    f.feed(serverFrame(Opcode::Continuation, "o"));
    QCOMPARE(f.rec.events.size(), 3);
    f.transportClosed();
    QCOMPARE(f.conn->state(), State::Closed);
    QVERIFY(!f.conn->failure().isFailure());
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::clientCloseWhileServerFragmentsKeepComing()
{
    Fixture f;
    f.open();
    f.feed(serverFrame(Opcode::Binary, "\x01", false));
    QVERIFY(f.close(1000, QStringLiteral("enough")));
    QCOMPARE(f.conn->state(), State::Closing);
    f.feed(serverFrame(Opcode::Continuation, "\x02", false));
    f.feed(serverFrame(Opcode::Ping, "ignored?"));
    f.feed(serverFrame(Opcode::Continuation, "\x03", true));
    f.feed(serverFrame(Opcode::Text, "one more"));
    // The message completes and is delivered, the ping is reported but not answered.
    QCOMPARE(f.rec.events, lines({ "opened", "ping ignored?", "message Binary 010203", "message Text one more" }));
    QCOMPARE(f.rec.sentLines(), lines({ "Close 1000 enough" }));
    f.feed(closeFrame(1000));
    QCOMPARE(f.rec.events.mid(4), lines({ "close 1000 ", "closeTransport" }));
    QCOMPARE(f.rec.sent.size(), 1);
    f.transportClosed();
    QCOMPARE(f.conn->state(), State::Closed);
    QVERIFY(!f.conn->closedByServer());
    QCOMPARE(f.conn->closeCode(), 1000);
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::framesAfterServerCloseIgnored()
{
    Fixture f;
    f.open({}, closeFrame(1000) + serverFrame(Opcode::Ping, "x") + serverFrame(Opcode::Text, "x"));
    QCOMPARE(f.rec.events, lines({ "opened", "close 1000 ", "closeTransport" }));
    QCOMPARE(f.rec.sentLines(), lines({ "Close 1000" })); // no Pong
    f.feed(serverFrame(Opcode::Ping, "y"));
    QCOMPARE(f.rec.events.size(), 3);
    QCOMPARE(f.rec.sent.size(), 1);
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::invalidServerCloseFails_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("code");
    QTest::newRow("1-byte payload") << QByteArray("\x03", 1) << 1002;
    QTest::newRow("code 1005") << QByteArray("\x03\xed", 2) << 1002;
    QTest::newRow("code 1006") << QByteArray("\x03\xee", 2) << 1002;
    QTest::newRow("code 999") << QByteArray("\x03\xe7", 2) << 1002;
    QTest::newRow("code 5000") << QByteArray("\x13\x88", 2) << 1002;
    QTest::newRow("reason not UTF-8") << QByteArray("\x03\xe8\xc3\x28", 4) << 1007;
}

void TestClientConnection::invalidServerCloseFails()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, code);
    Fixture f;
    f.open();
    f.feed(serverFrame(Opcode::Close, payload));
    QCOMPARE(f.rec.events.size(), 3);
    QCOMPARE(f.rec.events.at(1), QStringLiteral("failed %1 %2").arg(code == 1002 ? QLatin1String("Protocol") : QLatin1String("Payload")).arg(code));
    QCOMPARE(f.rec.events.at(2), QStringLiteral("closeTransport"));
    QCOMPARE(f.rec.sent.size(), 1);
    QCOMPARE(closeCodeOf(f.rec.sent.first()), code);
    QVERIFY(!f.conn->closeReceived());
    QCOMPARE(f.conn->closeCode(), code);
    CHECK_NO_PROBLEMS(f);
}

// ---------------------------------------------------------------------------------------------
// Ping / Pong

void TestClientConnection::pingAnsweredWithSamePayload()
{
    Fixture f;
    f.open();
    const QByteArray big(125, 'b');
    f.feed(serverFrame(Opcode::Ping, QByteArrayView()) + serverFrame(Opcode::Ping, "abc")
        + serverFrame(Opcode::Ping, QByteArray("\x00\xff\x80", 3)) + serverFrame(Opcode::Ping, big));
    QCOMPARE(f.rec.sent.size(), 4);
    const QList<QByteArray> payloads { QByteArray(), QByteArray("abc"), QByteArray("\x00\xff\x80", 3), big };
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(f.rec.sent.at(i).opcode, Opcode::Pong);
        QVERIFY(f.rec.sent.at(i).fin);
        QCOMPARE(f.rec.sent.at(i).payload, payloads.at(i));
    }
    QCOMPARE(f.rec.events.size(), 5);
    QCOMPARE(f.rec.events.at(2), QStringLiteral("ping abc"));
    QCOMPARE(f.conn->state(), State::Open);
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::pingBetweenFragmentsAnswered()
{
    ClientConnection::Config config = defaultConfig();
    config.writer.fragmentSize = 2;
    Fixture f(config);
    f.open();
    f.feed(serverFrame(Opcode::Text, "ab", false) + serverFrame(Opcode::Ping, "mid") + serverFrame(Opcode::Continuation, "cd"));
    QCOMPARE(f.rec.events, lines({ "opened", "ping mid", "message Text abcd" }));
    QCOMPARE(f.rec.sentLines(), lines({ "Pong mid" })); // a control frame: never split
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::pingNotAnsweredAfterCloseSent()
{
    Fixture f;
    f.open();
    QVERIFY(f.close(1000, QString()));
    f.feed(serverFrame(Opcode::Ping, "p"));
    QCOMPARE(f.rec.events, lines({ "opened", "ping p" }));
    QCOMPARE(f.rec.sentLines(), lines({ "Close 1000" }));

    Fixture raw;
    raw.open();
    QVERIFY(raw.sendFrame(Opcode::Close, true, 0, QByteArray("\x03\xe8", 2)) > 0);
    raw.feed(serverFrame(Opcode::Ping, "p"));
    QCOMPARE(raw.rec.sentLines(), lines({ "Close 1000" }));
    CHECK_NO_PROBLEMS(f);
    CHECK_NO_PROBLEMS(raw);
}

void TestClientConnection::pongDelivered()
{
    Fixture f;
    f.open();
    QVERIFY(f.send(Opcode::Ping, "hb-1") > 0);
    f.feed(serverFrame(Opcode::Pong, "hb-1") + serverFrame(Opcode::Pong, "unsolicited"));
    QCOMPARE(f.rec.events, lines({ "opened", "pong hb-1", "pong unsolicited" }));
    QCOMPARE(f.rec.sentLines(), lines({ "Ping hb-1" })); // a Pong is not answered
    CHECK_NO_PROBLEMS(f);
}

// ---------------------------------------------------------------------------------------------
// Failures

void TestClientConnection::failuresWriteACloseWithTheirCode_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("error");
    QTest::addColumn<int>("code");
    QTest::addColumn<QByteArray>("moreBadInput");

    const int protocol = int(Error::Protocol), payload = int(Error::Payload), tooBig = int(Error::MessageTooBig);
    const QByteArray bad = QByteArray(serverFrame(Opcode(0x3), "x") + QByteArray("\x81\x85\x01\x02\x03\x04xxxxx", 11));
    QTest::newRow("reserved opcode") << serverFrame(Opcode(0x3), "x") << protocol << 1002 << bad;
    QTest::newRow("masked server frame") << QByteArray("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11) << protocol
                                         << 1002 << bad;
    QTest::newRow("RSV1 not negotiated") << serverFrame(Opcode::Text, "x", true, Rsv1) << protocol << 1002 << bad;
    QTest::newRow("continuation without start") << serverFrame(Opcode::Continuation, "x") << protocol << 1002 << bad;
    QTest::newRow("data inside a fragmented message")
        << QByteArray(serverFrame(Opcode::Text, "a", false) + serverFrame(Opcode::Binary, "b")) << protocol << 1002 << bad;
    QTest::newRow("fragmented ping") << serverFrame(Opcode::Ping, "x", false) << protocol << 1002 << bad;
    QTest::newRow("ping of 126 bytes") << serverFrame(Opcode::Ping, QByteArray(126, 'p')) << protocol << 1002 << bad;
    QTest::newRow("invalid UTF-8") << serverFrame(Opcode::Text, "abc\xff") << payload << 1007
                                   << QByteArray(serverFrame(Opcode::Text, "\xc0\xaf") + bad);
    QTest::newRow("invalid UTF-8 across fragments")
        << QByteArray(serverFrame(Opcode::Text, "\xe2\x82", false) + serverFrame(Opcode::Continuation, "\x28")) << payload << 1007
        << bad;
    QTest::newRow("UTF-8 ends inside a sequence") << serverFrame(Opcode::Text, "\xe2\x82") << payload << 1007 << bad;
    QTest::newRow("frame too big") << serverFrame(Opcode::Binary, QByteArray(2000, 'x')) << tooBig << 1009 << bad;
    QTest::newRow("message too big")
        << QByteArray(serverFrame(Opcode::Binary, QByteArray(600, 'x'), false) + serverFrame(Opcode::Continuation, QByteArray(600, 'y')))
        << tooBig << 1009 << bad;
}

void TestClientConnection::failuresWriteACloseWithTheirCode()
{
    QFETCH(QByteArray, input);
    QFETCH(int, error);
    QFETCH(int, code);
    QFETCH(QByteArray, moreBadInput);

    ClientConnection::Config config = defaultConfig();
    config.reader.frames.maxFrameSize = 1000;
    config.reader.messages.maxMessageSize = 1000;
    Fixture f(config);
    f.open();
    f.feed(input);
    QCOMPARE(f.rec.events, lines({ "opened", QStringLiteral("failed %1 %2").arg(errorName(Error(error))).arg(code), "closeTransport" }));
    QCOMPARE(f.conn->state(), State::Closing);
    QCOMPARE(f.conn->failure().error, Error(error));
    QCOMPARE(int(f.conn->failure().closeCode), code);
    QCOMPARE(f.rec.failures.size(), 1);
    QCOMPARE(f.rec.failures.first().message, f.conn->failure().message);
    // One Close with the code and the failure's message as reason (short enough here to be whole).
    QCOMPARE(f.rec.sent.size(), 1);
    const SentFrame &close = f.rec.sent.first();
    QCOMPARE(close.opcode, Opcode::Close);
    QCOMPARE(closeCodeOf(close), code);
    QVERIFY(close.payload.size() <= 125);
    QVERIFY(Utf8Validator::isValid(close.payload.sliced(2)));
    QCOMPARE(close.payload.sliced(2), truncateUtf8(f.conn->failure().message.toUtf8(), 123).toByteArray());
    QCOMPARE(f.conn->closeCode(), code);
    QCOMPARE(f.conn->closeReason(), f.conn->failure().message);
    QVERIFY(f.conn->closeSent());
    QVERIFY(!f.conn->wantsData());

    // Failed once: more bad input, a server Close and fail() change nothing and write nothing.
    f.feed(moreBadInput);
    f.feed(closeFrame(1000));
    f.feed(serverFrame(Opcode::Ping, "p"));
    f.fail(Failure::tooBig(QStringLiteral("again")));
    QCOMPARE(f.rec.failures.size(), 1);
    QCOMPARE(f.rec.sent.size(), 1);
    QCOMPARE(f.rec.events.size(), 3);
    QCOMPARE(int(f.conn->failure().closeCode), code);
    QString refusal;
    QCOMPARE(f.send(Opcode::Text, "no", &refusal), qint64(-1));
    QVERIFY(!f.close(1000, QString()));
    f.closeTimedOut(); // the transport did not close in time: just Closed
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.failures.size(), 1);
    QCOMPARE(f.conn->closeCode(), code);
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::failureWhileClosing()
{
    // After the client's Close the server's frames are still judged: a violation fails without a
    // second Close.
    Fixture f;
    f.open();
    QVERIFY(f.close(1000, QStringLiteral("bye")));
    f.feed(serverFrame(Opcode::Text, "\xff"));
    QCOMPARE(f.rec.events, lines({ "opened", "failed Payload 1007", "closeTransport" }));
    QCOMPARE(f.rec.sentLines(), lines({ "Close 1000 bye" }));
    QCOMPARE(f.conn->state(), State::Closing);
    QCOMPARE(f.conn->closeCode(), 1007);
    f.transportClosed();
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.failures.size(), 1);
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::failReasonTruncatedToValidUtf8_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("reason");
    QTest::newRow("ASCII 200") << QString(200, QLatin1Char('a')) << QString(123, QLatin1Char('a'));
    QTest::newRow("ASCII 123") << QString(123, QLatin1Char('b')) << QString(123, QLatin1Char('b'));
    QTest::newRow("2-byte chars") << QString(100, QChar(0x00E9)) << QString(61, QChar(0x00E9)); // 122 bytes
    QTest::newRow("3-byte chars") << QString(60, QChar(0x20AC)) << QString(41, QChar(0x20AC)); // 123 bytes
    const QString emoji = QString::fromUtf8("\xF0\x9F\x98\x80"); // 4 bytes
    QTest::newRow("4-byte chars") << emoji.repeated(40) << emoji.repeated(30); // 120 bytes
    QTest::newRow("split at 123") << QString(QString(121, QLatin1Char('c')) + emoji) << QString(121, QLatin1Char('c'));
}

void TestClientConnection::failReasonTruncatedToValidUtf8()
{
    QFETCH(QString, message);
    QFETCH(QString, reason);
    // Each of the codes a failure closes with: protocol error, invalid payload, too big.
    const QList<Failure> failures { Failure::protocol(message), Failure::payload(message), Failure::tooBig(message) };
    for (const Failure &failure : failures) {
        Fixture f;
        f.open();
        f.fail(failure);
        QCOMPARE(f.rec.events,
            lines({ "opened", QStringLiteral("failed %1 %2").arg(errorName(failure.error)).arg(int(failure.closeCode)),
                "closeTransport" }));
        QCOMPARE(f.rec.sent.size(), 1);
        const SentFrame &close = f.rec.sent.first();
        QCOMPARE(closeCodeOf(close), int(failure.closeCode));
        QVERIFY(close.payload.size() <= 125);
        QVERIFY(Utf8Validator::isValid(close.payload.sliced(2)));
        QCOMPARE(closeReasonOf(close), reason);
        // The connection keeps the whole message; only the frame is bounded.
        QCOMPARE(f.conn->failure().message, message);
        QCOMPARE(f.conn->closeReason(), message);
        QCOMPARE(f.conn->closeCode(), int(failure.closeCode));
        // Once: a second failure is not reported and writes nothing.
        f.fail(Failure::protocol(message));
        f.feed(serverFrame(Opcode(0x3), "x"));
        QCOMPARE(f.rec.failures.size(), 1);
        QCOMPARE(f.rec.sent.size(), 1);
        CHECK_NO_PROBLEMS(f);
    }
}

void TestClientConnection::transportClosedWhileOpen_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<int>("messages");
    QTest::addColumn<QString>("tail");
    QTest::newRow("nothing undelivered") << qint64(0) << 0 << QString();
    QTest::newRow("one message") << qint64(1030) << 1
                                 << QStringLiteral("; 1 message (1030 bytes) accepted by send calls was not delivered");
    QTest::newRow("three messages") << qint64(3145728) << 3
                                    << QStringLiteral("; 3 messages (3145728 bytes) accepted by send calls were not delivered");
}

void TestClientConnection::transportClosedWhileOpen()
{
    QFETCH(qint64, bytes);
    QFETCH(int, messages);
    QFETCH(QString, tail);
    Fixture f;
    f.open();
    f.transportClosed({ bytes, messages });
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "opened", "failed ConnectionClosed 1006" }));
    QCOMPARE(f.conn->failure().message,
        QStringLiteral("connection to example.com:80 lost: the remote host closed the connection") + tail);
    QCOMPARE(f.conn->closeCode(), 1006);
    QVERIFY(f.rec.sent.isEmpty());
    QVERIFY(!f.conn->closeSent());
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::transportClosedWhileClosing()
{
    Fixture f;
    f.open();
    QVERIFY(f.close(1000, QString()));
    f.transportClosed();
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "opened" })); // not a failure: nothing was lost
    QVERIFY(!f.conn->failure().isFailure());
    QCOMPARE(f.conn->closeCode(), 1006); // the server's Close never came
    QVERIFY(!f.conn->closeReceived());
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::transportClosedWhileClosingWithUndelivered()
{
    Fixture f;
    f.open();
    QVERIFY(f.close(1000, QString()));
    f.transportClosed({ 2048, 2 });
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "opened", "failed ConnectionClosed 1006" }));
    QVERIFY(f.conn->failure().message.contains(QLatin1String("while closing")));
    QVERIFY(f.conn->failure().message.endsWith(
        QLatin1String("; 2 messages (2048 bytes) accepted by send calls were not delivered")));
    QCOMPARE(f.conn->closeCode(), 1006);
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::transportClosedAfterFailure()
{
    Fixture f;
    f.open();
    f.feed(serverFrame(Opcode::Continuation, "x"));
    QCOMPARE(f.rec.failures.size(), 1);
    f.transportClosed({ 100, 1 }); // the failure was reported already
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.failures.size(), 1);
    QCOMPARE(f.conn->failure().error, Error::Protocol);
    QCOMPARE(f.conn->closeCode(), 1002);
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::closeTimedOut()
{
    Fixture f;
    f.open();
    QVERIFY(f.close(1000, QStringLiteral("bye")));
    QVERIFY(f.conn->awaitingClose());
    f.closeTimedOut();
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, lines({ "opened", "failed Timeout 1006" }));
    QCOMPARE(f.conn->failure().message, QStringLiteral("no Close from the server within 3000 ms"));
    QCOMPARE(f.conn->closeCode(), 1006);
    QCOMPARE(f.rec.sent.size(), 1);
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::closeTimedOutIgnoredUnlessAwaitingClose()
{
    Fixture connecting;
    connecting.start();
    connecting.closeTimedOut();
    QCOMPARE(connecting.conn->state(), State::Connecting);

    Fixture open;
    open.open();
    open.closeTimedOut();
    QCOMPARE(open.conn->state(), State::Open);

    // The server's Close came: only the transport's end is awaited.
    Fixture answered;
    answered.open();
    answered.feed(closeFrame(1000));
    answered.closeTimedOut();
    QCOMPARE(answered.conn->state(), State::Closing);
    QVERIFY(!answered.conn->failure().isFailure());
    QCOMPARE(answered.rec.failures.size(), 0);
    CHECK_NO_PROBLEMS(connecting);
    CHECK_NO_PROBLEMS(open);
    CHECK_NO_PROBLEMS(answered);
}

// ---------------------------------------------------------------------------------------------
// Sending

void TestClientConnection::sendWritesMessages()
{
    ClientConnection::Config config = defaultConfig();
    config.writer.fragmentSize = 4;
    Fixture f(config);
    f.open();
    QCOMPARE(f.send(Opcode::Text, "hello"), qint64(6 + 4 + 6 + 1)); // two frames
    QCOMPARE(f.send(Opcode::Binary, "\x01\x02"), qint64(6 + 2));
    QCOMPARE(f.send(Opcode::Ping, "ping!"), qint64(6 + 5)); // never split
    QCOMPARE(f.send(Opcode::Pong, QByteArray(125, 'x')), qint64(6 + 125));
    QCOMPARE(f.rec.sentLines(),
        lines({ "Text nofin hell", "Continuation o", "Binary 0102", "Ping ping!", QStringLiteral("Pong ") + QString(125, QLatin1Char('x')) }));
    QCOMPARE(f.rec.wireBytes, qint64(17 + 8 + 11 + 131));
    QCOMPARE(f.conn->state(), State::Open);
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::sendRefusedWhenNotOpen()
{
    Fixture f;
    QString refusal;
    QCOMPARE(f.send(Opcode::Text, "early", &refusal), qint64(-1));
    QCOMPARE(refusal, QStringLiteral("the connection is Connecting, not Open"));
    f.start();
    refusal.clear();
    QCOMPARE(f.sendFrame(Opcode::Text, true, 0, "early", &refusal), qint64(-1));
    QCOMPARE(refusal, QStringLiteral("the connection is Connecting, not Open"));
    QVERIFY(!f.close(1000, QString()));
    QVERIFY(f.rec.sent.isEmpty());
    QCOMPARE(f.conn->state(), State::Connecting);

    f.feed(upgradeResponse(f.rec.requestKey()));
    QVERIFY(f.close(1000, QString()));
    refusal.clear();
    QCOMPARE(f.send(Opcode::Binary, "after close", &refusal), qint64(-1));
    QCOMPARE(refusal, QStringLiteral("the connection is Closing, not Open"));
    QCOMPARE(f.send(Opcode::Ping, "after close"), qint64(-1)); // no refusal asked for: still refused
    QCOMPARE(f.sendFrame(Opcode::Continuation, true, 0, "after close"), qint64(-1));
    QCOMPARE(f.rec.sentLines(), lines({ "Close 1000" }));
    f.transportClosed();
    refusal.clear();
    QCOMPARE(f.send(Opcode::Text, "closed", &refusal), qint64(-1));
    QCOMPARE(refusal, QStringLiteral("the connection is Closed, not Open"));
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::sendRefusedForInvalidPayload()
{
    Fixture f;
    f.open();
    QString refusal;
    QCOMPARE(f.send(Opcode::Ping, QByteArray(126, 'p'), &refusal), qint64(-1));
    QCOMPARE(refusal, QStringLiteral("control frame payload of 126 bytes exceeds 125"));
    QCOMPARE(f.send(Opcode::Pong, QByteArray(1000, 'p')), qint64(-1));
    QCOMPARE(f.send(Opcode::Close, QByteArray(126, 'p')), qint64(-1));
    QVERIFY(f.rec.sent.isEmpty());
    QCOMPARE(f.conn->state(), State::Open);
    QVERIFY(f.send(Opcode::Binary, QByteArray(126, 'p')) > 0); // data frames have no such limit
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::sendCloseIsAClose()
{
    // A Close through send() is still a Close: nothing may follow it and the server's answer is
    // not echoed.
    Fixture f;
    f.open();
    QCOMPARE(f.send(Opcode::Close, QByteArray("\x03\xe8" "bye", 5)), qint64(6 + 5));
    QCOMPARE(f.rec.sentLines(), lines({ "Close 1000 bye" }));
    QCOMPARE(f.conn->state(), State::Closing);
    QVERIFY(f.conn->closeSent());
    QCOMPARE(f.send(Opcode::Text, "after the Close"), qint64(-1));
    f.feed(serverFrame(Opcode::Ping, "p") + closeFrame(1000));
    QCOMPARE(f.rec.events, lines({ "opened", "ping p", "close 1000 ", "closeTransport" }));
    QCOMPARE(f.rec.sentLines(), lines({ "Close 1000 bye" }));
    QVERIFY(!f.conn->closedByServer());
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::sendFrameKeepsFragments()
{
    Fixture f;
    f.open();
    QCOMPARE(f.sendFrame(Opcode::Text, false, 0, "Hel"), qint64(6 + 3));
    QCOMPARE(f.sendFrame(Opcode::Ping, true, 0, "between"), qint64(6 + 7));
    QCOMPARE(f.sendFrame(Opcode::Continuation, true, Rsv2, "lo"), qint64(6 + 2));
    QCOMPARE(f.rec.sentLines(), lines({ "Text nofin Hel", "Ping between", "Continuation rsv2 6c6f" }));
    QCOMPARE(f.conn->state(), State::Open);
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::sendFrameCloseMovesToClosing()
{
    Fixture f;
    f.open();
    QVERIFY(f.sendFrame(Opcode::Close, true, 0, QByteArray("\x0f\xa0", 2)) > 0); // 4000
    QCOMPARE(f.conn->state(), State::Closing);
    QVERIFY(f.conn->closeSent());
    QVERIFY(f.conn->awaitingClose());
    QCOMPARE(f.sendFrame(Opcode::Text, true, 0, "after"), qint64(-1));
    f.feed(closeFrame(4000, "ack"));
    QCOMPARE(f.rec.events, lines({ "opened", "close 4000 ack", "closeTransport" }));
    QCOMPARE(f.rec.sentLines(), lines({ "Close 4000" }));
    f.transportClosed();
    QCOMPARE(f.conn->state(), State::Closed);
    QVERIFY(!f.conn->closedByServer());
    QCOMPARE(f.conn->closeCode(), 4000);
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::abortWritesNothing_data()
{
    QTest::addColumn<int>("when"); // 0 Connecting, 1 Open, 2 Closing (own Close), 3 Closing (server's Close)
    QTest::addColumn<int>("closeCode");
    QTest::newRow("connecting") << 0 << 0;
    QTest::newRow("open") << 1 << 1006;
    QTest::newRow("closing, awaiting the server") << 2 << 1006;
    QTest::newRow("closing, server closed") << 3 << 1001;
}

void TestClientConnection::abortWritesNothing()
{
    QFETCH(int, when);
    QFETCH(int, closeCode);
    Fixture f;
    f.start();
    if (when >= 1)
        f.feed(upgradeResponse(f.rec.requestKey()));
    if (when == 2)
        QVERIFY(f.close(1000, QString()));
    if (when == 3)
        f.feed(closeFrame(1001));
    const QStringList events = f.rec.events;
    const qsizetype frames = f.rec.sent.size();
    f.abort();
    QCOMPARE(f.conn->state(), State::Closed);
    QCOMPARE(f.rec.events, events); // no failure, no closeTransport
    QCOMPARE(f.rec.sent.size(), frames);
    QVERIFY(!f.conn->failure().isFailure());
    QCOMPARE(f.conn->closeCode(), closeCode);
    f.pokeAfterClosed();
    CHECK_NO_PROBLEMS(f);
}

// ---------------------------------------------------------------------------------------------
// The transition table

void TestClientConnection::statesOnlyMoveForward_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QString>("states"); // the distinct states passed through, in order

    // o open, c close(), s server Close, t transportClosed, x abort, b bad frame, T closeTimedOut,
    // h handshakeTimedOut, p server ping, m send a message, r redirect, f fail()
    QTest::newRow("clean client close") << "ocmsptx" << "Connecting Open Closing Closed";
    QTest::newRow("clean server close") << "omspsctx" << "Connecting Open Closing Closed";
    QTest::newRow("failure") << "obbcstTx" << "Connecting Open Closing Closed";
    QTest::newRow("close timeout") << "ocTtx" << "Connecting Open Closing Closed";
    QTest::newRow("dropped") << "omtcsx" << "Connecting Open Closed";
    QTest::newRow("aborted open") << "oxotcs" << "Connecting Open Closed";
    QTest::newRow("handshake timeout") << "hosct" << "Connecting Closed";
    QTest::newRow("redirect") << "rocs" << "Connecting Closed";
    QTest::newRow("fail open") << "offcsT" << "Connecting Open Closing Closed";
    QTest::newRow("fail connecting") << "fo" << "Connecting Closed";
}

void TestClientConnection::statesOnlyMoveForward()
{
    QFETCH(QString, script);
    QFETCH(QString, states);
    Fixture f;
    f.start();
    for (const QChar step : script) {
        switch (step.toLatin1()) {
        case 'o':
            f.feed(upgradeResponse(f.rec.requestKey()));
            break;
        case 'c':
            f.close(1000, QStringLiteral("c"));
            break;
        case 's':
            f.feed(closeFrame(1000, "s"));
            break;
        case 't':
            f.transportClosed();
            break;
        case 'x':
            f.abort();
            break;
        case 'b':
            f.feed(serverFrame(Opcode(0xB), "b"));
            break;
        case 'T':
            f.closeTimedOut();
            break;
        case 'h':
            f.handshakeTimedOut();
            break;
        case 'p':
            f.feed(serverFrame(Opcode::Ping, "p"));
            break;
        case 'm':
            f.send(Opcode::Text, "m");
            break;
        case 'r':
            f.feed(crlf({ "HTTP/1.1 301 Moved", "Location: ws://other.example/" }));
            break;
        case 'f':
            f.fail(Failure::protocol(QStringLiteral("f")));
            break;
        }
    }
    QStringList passed;
    for (const State s : f.states) {
        const QString name = QLatin1String(ClientConnection::stateName(s));
        if (passed.isEmpty() || passed.last() != name)
            passed << name;
    }
    passed.prepend(QStringLiteral("Connecting"));
    passed.removeDuplicates();
    QCOMPARE(passed.join(QLatin1Char(' ')), states);
    QVERIFY(f.rec.failures.size() <= 1);
    CHECK_NO_PROBLEMS(f);
}

// ---------------------------------------------------------------------------------------------
// permessage-deflate

void TestClientConnection::deflateOfferedInRequest()
{
    ClientConnection::Config config = defaultConfig();
    config.handshake.compression = CompressionOptions::enabledDefaults();
    Fixture f(config);
    f.start();
    QVERIFY2(f.rec.request.contains("\r\nSec-WebSocket-Extensions: permessage-deflate"), f.rec.request.constData());
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::deflateNegotiatedEndToEnd()
{
    ClientConnection::Config config = defaultConfig();
    config.handshake.compression = CompressionOptions::enabledDefaults();
    config.writer.fragmentSize = 8;
    Fixture f(config);
    f.open({ "Sec-WebSocket-Extensions: permessage-deflate" });
    QCOMPARE(f.rec.events, lines({ "opened" }));
    QVERIFY(f.conn->handshake().compression().isEnabled());

    // Sent: compressed, RSV1 on the first frame only, inflating back to the message.
    QByteArray message;
    for (int i = 0; i < 50; ++i)
        message += "tick " + QByteArray::number(i * 37) + "; ";
    const qint64 written = f.send(Opcode::Text, message);
    QCOMPARE(written, f.rec.wireBytes);
    QVERIFY(f.rec.sent.size() > 1);
    QByteArray compressed;
    for (int i = 0; i < f.rec.sent.size(); ++i) {
        const SentFrame &s = f.rec.sent.at(i);
        QCOMPARE(s.rsv, i == 0 ? quint8(Rsv1) : quint8(0));
        QCOMPARE(s.opcode, i == 0 ? Opcode::Text : Opcode::Continuation);
        QCOMPARE(s.fin, i == f.rec.sent.size() - 1);
        compressed += s.payload;
    }
    QVERIFY(compressed.size() < message.size());
    Inflater inflater(15);
    QByteArray inflated;
    QCOMPARE(inflater.inflate(compressed, true, inflated, 1 << 20), Inflater::Result::Ok);
    QCOMPARE(inflated, message);
    // Control frames are never compressed.
    const qsizetype before = f.rec.sent.size();
    f.send(Opcode::Ping, "hb");
    QCOMPARE(f.rec.sent.at(before).rsv, quint8(0));
    QCOMPARE(f.rec.sent.at(before).payload, QByteArray("hb"));

    // Received: a compressed message in one frame, one in two frames, an uncompressed one.
    const QByteArray hello = QByteArray::fromHex("f248cdc9c90700"); // RFC 7692 §7.2.3.1
    const QByteArray second = deflated("compressed in two frames");
    f.feed(serverFrame(Opcode::Text, hello, true, Rsv1) + serverFrame(Opcode::Binary, second.first(5), false, Rsv1)
        + serverFrame(Opcode::Continuation, second.sliced(5), true) + serverFrame(Opcode::Text, "plain"));
    QCOMPARE(f.rec.events,
        lines({ "opened", "message Text Hello",
            QStringLiteral("message Binary ") + QString::fromLatin1(QByteArray("compressed in two frames").toHex()),
            "message Text plain" }));
    // RSV1 on a continuation is still a protocol error.
    f.feed(serverFrame(Opcode::Text, hello.first(3), false, Rsv1) + serverFrame(Opcode::Continuation, hello.sliced(3), true, Rsv1));
    QCOMPARE(f.rec.events.last(), QStringLiteral("closeTransport"));
    QCOMPARE(f.rec.failures.size(), 1);
    QCOMPARE(f.rec.failures.first().error, Error::Protocol);
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::deflateNoContextTakeover()
{
    ClientConnection::Config config = defaultConfig();
    config.handshake.compression = CompressionOptions::enabledDefaults();
    config.handshake.compression.setClientNoContextTakeover(true);
    Fixture f(config);
    f.open({ "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover" });
    QVERIFY(f.conn->handshake().compression().clientNoContextTakeover());
    const QByteArray message = "the same message, again and again, the same message";
    f.send(Opcode::Text, message);
    f.send(Opcode::Text, message);
    QCOMPARE(f.rec.sent.size(), 2);
    for (const SentFrame &s : f.rec.sent) {
        QCOMPARE(s.rsv, quint8(Rsv1));
        Inflater fresh(15);
        QByteArray inflated;
        QCOMPARE(fresh.inflate(s.payload, true, inflated, 1 << 20), Inflater::Result::Ok);
        QCOMPARE(inflated, message);
    }
    CHECK_NO_PROBLEMS(f);
}

void TestClientConnection::deflateNotAcceptedMeansUncompressed()
{
    ClientConnection::Config config = defaultConfig();
    config.handshake.compression = CompressionOptions::enabledDefaults();
    Fixture f(config);
    f.open(); // the server ignores the offer
    QVERIFY(!f.conn->handshake().compression().isEnabled());
    f.send(Opcode::Text, QByteArray(300, 'u'));
    QCOMPARE(f.rec.sent.size(), 1);
    QCOMPARE(f.rec.sent.first().rsv, quint8(0));
    QCOMPARE(f.rec.sent.first().payload, QByteArray(300, 'u'));
    f.feed(serverFrame(Opcode::Text, QByteArray::fromHex("f248cdc9c90700"), true, Rsv1));
    QCOMPARE(f.rec.events, lines({ "opened", "failed Protocol 1002", "closeTransport" }));
    CHECK_NO_PROBLEMS(f);
}

QTEST_APPLESS_MAIN(TestClientConnection)
#include "tst_clientconnection.moc"
