// WsClient::Coro (C++20 coroutines through QCoro) against real servers: python3-websockets started
// by the test, and an in-process peer that answers the handshake and then never reads (for
// back-pressure) or never answers (for a socket stuck in Connecting).
//
// Coroutines run under QCoro::waitFor() (a nested event loop). What a coroutine saw is returned as
// a value and checked outside it: QVERIFY cannot return from a coroutine.
//
// The cancellation cases (a socket or app destroyed while a coroutine waits, a coroutine destroyed
// while it waits, with or without its resume already posted) are what the ASan build checks.

#include "testserver.h"

#include <WsClient/Coro>

#include <QCoro/QCoroSignal>
#include <QCoro/QCoroTimer>

#include <QtCore/qcryptographichash.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qthread.h>
#include <QtCore/qtimer.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>
#include <QtTest/qtest.h>

#include <coroutine>
#include <exception>
#include <memory>
#include <optional>

using namespace WsClient;
using WsClient::Coro::MessageResult;
using WsClient::Coro::Result;

namespace {

constexpr int Wait = 15000;

quint16 refusedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

// Runs the event loop for \a msecs.
void spin(int msecs)
{
    QEventLoop loop;
    QTimer::singleShot(msecs, &loop, &QEventLoop::quit);
    loop.exec();
}

// A coroutine whose frame the test owns: it starts at once, stops at its end, and destroying the
// Fiber destroys the frame wherever it is suspended, the way a destroyed generator is.
struct Fiber
{
    struct promise_type
    {
        Fiber get_return_object()
        {
            return Fiber { std::coroutine_handle<promise_type>::from_promise(*this) };
        }
        std::suspend_never initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() { }
        void unhandled_exception() { std::terminate(); }
    };

    explicit Fiber(std::coroutine_handle<promise_type> h) : handle(h) { }
    Fiber(Fiber &&other) noexcept : handle(std::exchange(other.handle, {})) { }
    Fiber &operator=(Fiber &&) = delete;
    ~Fiber() { reset(); }
    void reset()
    {
        if (handle)
            std::exchange(handle, {}).destroy();
    }
    bool done() const { return handle && handle.done(); }

    std::coroutine_handle<promise_type> handle;
};

// A WebSocket peer in this process. NoAnswer never answers the handshake (the client stays
// Connecting); Stall answers it, then stops reading: the client's send buffer fills.
class RawServer : public QObject
{
public:
    enum class Mode { NoAnswer, Stall };
    explicit RawServer(Mode mode) : m_mode(mode)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *peer = m_server.nextPendingConnection()) {
                // Qt stops reading from the kernel once this much waits unread.
                peer->setReadBufferSize(16 * 1024);
                QObject::connect(peer, &QTcpSocket::readyRead, peer, [this, peer] { onReadyRead(peer); });
            }
        });
    }
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_server.serverPort())); }

private:
    void onReadyRead(QTcpSocket *peer)
    {
        if (m_mode == Mode::NoAnswer || peer->property("answered").toBool())
            return; // never read again
        const QByteArray request = peer->property("request").toByteArray() + peer->readAll();
        peer->setProperty("request", request);
        if (!request.contains("\r\n\r\n"))
            return;
        QByteArray key;
        for (const QByteArray &line : request.split('\n')) {
            if (line.toLower().startsWith("sec-websocket-key:"))
                key = line.mid(int(qstrlen("sec-websocket-key:"))).trimmed();
        }
        const QByteArray accept = QCryptographicHash::hash(
            QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"), QCryptographicHash::Sha1)
                                      .toBase64();
        peer->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Accept: "
            + accept + "\r\n\r\n");
        peer->setProperty("answered", true);
    }

    Mode m_mode;
    QTcpServer m_server;
};

} // namespace

class tst_Coro : public QObject
{
    Q_OBJECT

    // One echo server for the tests that do not stop it (starting one takes a third of a second).
    TestServer &echoServer()
    {
        if (!m_echo)
            m_echo.emplace(TestServer::python({ QStringLiteral("--no-compression") }));
        return *m_echo;
    }
    std::optional<TestServer> m_echo;

private Q_SLOTS:
    void openReceiveClose();
    void openErrorsAreValues_data();
    void openErrorsAreValues();
    void openWhenNotUnconnected();
    void receiveTimeouts();
    void queuedMessagesOutliveTheConnection();
    void serverClose();
    void generatorInOrder();
    void generatorEndsWithTheConnection();
    void fragmentsWithFireContinuationFrames();
    void waitForBytesWritten();
    void backPressureTimeout();
    void socketDestroyedWhileWaiting_data();
    void socketDestroyedWhileWaiting();
    void coroutineDestroyedWhileWaiting_data();
    void coroutineDestroyedWhileWaiting();
    void generatorDestroyedWhileWaiting();
    void wrongThread();
    void appStreamAcrossReconnect();
    void appErrorsAreValues();
    void appDestroyedWhileWaiting();
};

void tst_Coro::openReceiveClose()
{
    TestServer &server = echoServer();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    struct Seen
    {
        Result opened;
        MessageResult text, binary;
        ConnectionEnd end;
    };
    auto exchange = [&]() -> QCoro::Task<Seen> {
        Seen seen;
        seen.opened = co_await coro(ws).open(server.url(QStringLiteral("/")));
        if (!seen.opened)
            co_return seen;
        ws.sendText(QStringLiteral("Grüße"));
        ws.sendBinary(QByteArray::fromHex("00ff10"));
        seen.text = co_await coro(ws).receive(Wait);
        seen.binary = co_await coro(ws).receive(Wait);
        seen.end = co_await coro(ws).close(quint16(CloseCode::Normal), QStringLiteral("done"));
        co_return seen;
    };
    const Seen seen = QCoro::waitFor(exchange());
    QVERIFY2(seen.opened, qPrintable(seen.opened.errorString()));
    QVERIFY2(seen.text, qPrintable(seen.text.errorString()));
    QCOMPARE(seen.text->opcode, Opcode::Text);
    QCOMPARE(seen.text->text(), QStringLiteral("Grüße"));
    QVERIFY2(seen.binary, qPrintable(seen.binary.errorString()));
    QCOMPARE(seen.binary->opcode, Opcode::Binary);
    QCOMPARE(seen.binary->data, QByteArray::fromHex("00ff10"));
    QCOMPARE(seen.end.closeCode(), 1000);
    QCOMPARE(seen.end.error(), Error::NoError);
    QVERIFY(seen.end.wasOpen());
    QVERIFY(seen.end.closeSent());
    QVERIFY(seen.end.closeReceived());
    QVERIFY(!seen.end.closedByServer());
    QVERIFY(seen.end.isClean());
    QCOMPARE(ws.state(), WebSocket::State::Unconnected);

    // Closed: close() and finished() yield that end again at once; receive() says why nothing comes.
    const ConnectionEnd again = QCoro::waitFor(coro(ws).finished());
    QCOMPARE(again.closeCode(), 1000);
    const MessageResult none = QCoro::waitFor(coro(ws).receive(Wait));
    QVERIFY(!none);
    QCOMPARE(none.error(), Error::ConnectionClosed);
}

void tst_Coro::openErrorsAreValues_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<Error>("error");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("bad URL") << QStringLiteral("http://127.0.0.1/") << Error::InvalidUrl << QString();
    QTest::newRow("refused port") << QStringLiteral("ws://127.0.0.1:%1/").arg(refusedPort())
                                  << Error::ConnectionRefused << QString();
    QTest::newRow("bad status") << QStringLiteral("SERVER/status?code=403") << Error::BadStatus
                                << QStringLiteral("403");
}

void tst_Coro::openErrorsAreValues()
{
    QFETCH(QString, url);
    QFETCH(Error, error);
    QFETCH(QString, mentions);
    if (url.startsWith(QLatin1String("SERVER"))) {
        TestServer &server = echoServer();
        WSCLIENT_REQUIRE_SERVER(server);
        url = server.url(url.mid(6)).toString();
    }
    WebSocket ws;
    QElapsedTimer timer;
    timer.start();
    const Result opened = QCoro::waitFor(coro(ws).open(QUrl(url)));
    qInfo("open failed after %lld ms: %s", timer.elapsed(), qPrintable(opened.errorString()));
    QVERIFY(!opened);
    QCOMPARE(opened.error(), error);
    QVERIFY(!opened.errorString().isEmpty());
    if (!mentions.isEmpty())
        QVERIFY2(opened.errorString().contains(mentions), qPrintable(opened.errorString()));
    QCOMPARE(ws.state(), WebSocket::State::Unconnected);
    // The end of the failed attempt, as finished() reports it.
    const ConnectionEnd end = QCoro::waitFor(coro(ws).finished());
    QCOMPARE(end.error(), error);
    QVERIFY(!end.wasOpen());
    QCOMPARE(end.closeCode(), 0);
}

void tst_Coro::openWhenNotUnconnected()
{
    RawServer silent(RawServer::Mode::NoAnswer);
    WebSocket ws;
    ws.open(silent.url());
    const Result second = QCoro::waitFor(coro(ws).open(silent.url()));
    QCOMPARE(second.error(), Error::InvalidArgument);
    QVERIFY2(second.errorString().contains(QLatin1String("Connecting")), qPrintable(second.errorString()));

    // close() while Connecting ends the attempt: an open() waiting for it learns so.
    WebSocket other;
    auto openThenClose = [&]() -> QCoro::Task<Result> {
        QTimer::singleShot(50, &other, [&] { other.close(); });
        co_return co_await coro(other).open(silent.url());
    };
    const Result cancelled = QCoro::waitFor(openThenClose());
    QCOMPARE(cancelled.error(), Error::ConnectionClosed);
}

void tst_Coro::receiveTimeouts()
{
    TestServer &server = echoServer();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    const Result opened = QCoro::waitFor(coro(ws).open(server.url(QStringLiteral("/silent"))));
    QVERIFY2(opened, qPrintable(opened.errorString()));

    QElapsedTimer timer;
    timer.start();
    MessageResult r = QCoro::waitFor(coro(ws).receive(150));
    const qint64 elapsed = timer.elapsed();
    QCOMPARE(r.error(), Error::Timeout);
    QVERIFY2(elapsed >= 140 && elapsed < 2000, qPrintable(QString::number(elapsed)));

    timer.restart();
    r = QCoro::waitFor(coro(ws).receive(0)); // only what is queued: nothing
    QCOMPARE(r.error(), Error::Timeout);
    QVERIFY(timer.elapsed() < 100);

    ws.setTimeout(120); // -1 means the socket's timeout()
    timer.restart();
    r = QCoro::waitFor(coro(ws).receive());
    QCOMPARE(r.error(), Error::Timeout);
    QVERIFY(timer.elapsed() >= 110);
    qInfo("timeouts: 150 ms -> %lld ms; timeout() 120 ms -> %lld ms", elapsed, timer.elapsed());

    // A timed-out receive leaves the connection as it was.
    QCOMPARE(ws.state(), WebSocket::State::Open);
    ws.abort();
}

void tst_Coro::queuedMessagesOutliveTheConnection()
{
    TestServer &server = echoServer();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    auto run = [&]() -> QCoro::Task<QStringList> {
        QStringList seen;
        if (!co_await coro(ws).open(server.url(QStringLiteral("/"))))
            co_return seen;
        int echoed = 0;
        QObject::connect(&ws, &WebSocket::messageReceived, &ws, [&echoed] { ++echoed; });
        for (const char *text : { "a", "b", "c" })
            ws.sendText(QString::fromLatin1(text));
        // (python3-websockets drops echoes still to be sent once it has the client's Close.)
        while (echoed < 3)
            co_await QCoro::sleepFor(std::chrono::milliseconds(5));
        const ConnectionEnd end = co_await coro(ws).close();
        seen << QStringLiteral("end %1").arg(end.closeCode());
        // The echoes came before the server's Close: they wait in the queue.
        Q_FOREVER
        {
            const MessageResult m = co_await coro(ws).receive(Wait);
            if (!m) {
                seen << errorName(m.error());
                break;
            }
            seen << m->text();
        }
        co_return seen;
    };
    const QStringList seen = QCoro::waitFor(run());
    QCOMPARE(seen,
        QStringList({ QStringLiteral("end 1000"), QStringLiteral("a"), QStringLiteral("b"),
            QStringLiteral("c"), QStringLiteral("ConnectionClosed") }));
}

void tst_Coro::serverClose()
{
    TestServer &server = echoServer();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    auto run = [&]() -> QCoro::Task<std::pair<MessageResult, ConnectionEnd>> {
        co_await coro(ws).open(server.url(QStringLiteral("/close?code=4001&reason=bye")));
        MessageResult m = co_await coro(ws).receive(Wait);
        ConnectionEnd end = co_await coro(ws).finished();
        co_return std::make_pair(m, end);
    };
    const auto [m, end] = QCoro::waitFor(run());
    QCOMPARE(m.error(), Error::ConnectionClosed);
    QVERIFY2(m.errorString().contains(QLatin1String("4001")), qPrintable(m.errorString()));
    QCOMPARE(end.closeCode(), 4001);
    QCOMPARE(end.closeReason(), QStringLiteral("bye"));
    QVERIFY(end.closeReceived());
    QVERIFY(end.closeSent()); // the echo
    QVERIFY(end.closedByServer());
    QVERIFY(end.isClean());
}

void tst_Coro::generatorInOrder()
{
    TestServer &server = echoServer();
    WSCLIENT_REQUIRE_SERVER(server);
    constexpr int Count = 10000;
    WebSocket ws;
    QVERIFY(QCoro::waitFor(coro(ws).open(server.url(QStringLiteral("/")))));
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < Count; ++i)
        ws.sendTextUtf8("m" + QByteArray::number(i));
    struct Seen
    {
        int count = 0;
        int firstWrong = -1;
        ConnectionEnd end;
    };
    auto consume = [&]() -> QCoro::Task<Seen> {
        Seen seen;
        QCORO_FOREACH(const Message &m, coro(ws).messages())
        {
            if (seen.firstWrong < 0 && m.data != "m" + QByteArray::number(seen.count))
                seen.firstWrong = seen.count;
            if (++seen.count == Count)
                ws.close(); // the stream ends with the connection
        }
        seen.end = co_await coro(ws).finished();
        co_return seen;
    };
    const Seen seen = QCoro::waitFor(consume());
    qInfo("generator: %d messages echoed and iterated in %lld ms", seen.count, timer.elapsed());
    QCOMPARE(seen.firstWrong, -1);
    QCOMPARE(seen.count, Count);
    QCOMPARE(seen.end.closeCode(), 1000);
}

void tst_Coro::generatorEndsWithTheConnection()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    QVERIFY(QCoro::waitFor(coro(ws).open(server.url(QStringLiteral("/")))));
    ws.sendText(QStringLiteral("last words"));
    QTimer::singleShot(300, &ws, [&] { server.stop(); }); // the server dies: no Close frame
    auto consume = [&]() -> QCoro::Task<QStringList> {
        QStringList seen;
        QCORO_FOREACH(const Message &m, coro(ws).messages())
        seen << m.text();
        co_return seen;
    };
    QCOMPARE(QCoro::waitFor(consume()), QStringList { QStringLiteral("last words") });
    QCOMPARE(ws.closeCode(), 1006);
    const ConnectionEnd end = QCoro::waitFor(coro(ws).finished());
    QCOMPARE(end.closeCode(), 1006);
    QCOMPARE(end.error(), Error::ConnectionClosed);
    QVERIFY(!end.isClean());

    // On a socket that is not connected the stream ends at once.
    auto consumeAgain = [&]() -> QCoro::Task<int> {
        int n = 0;
        QCORO_FOREACH(const Message &m, coro(ws).messages())
        {
            Q_UNUSED(m);
            ++n;
        }
        co_return n;
    };
    QCOMPARE(QCoro::waitFor(consumeAgain()), 0);
}

void tst_Coro::fragmentsWithFireContinuationFrames()
{
    TestServer &server = echoServer();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    ConnectOptions options;
    options.setFireContinuationFrames(true);
    QVERIFY(QCoro::waitFor(coro(ws).open(server.url(QStringLiteral("/fragment?size=4")), options)));
    ws.sendText(QStringLiteral("abcdefghij")); // comes back as frames of 4, 4 and 2 bytes
    auto collect = [&]() -> QCoro::Task<QStringList> {
        QStringList frames;
        Q_FOREVER
        {
            const MessageResult m = co_await coro(ws).receive(Wait);
            if (!m)
                break;
            frames << QStringLiteral("%1 %2 %3")
                          .arg(int(m->opcode))
                          .arg(QString::fromUtf8(m->data),
                              m->isFinal ? QStringLiteral("final") : QStringLiteral("more"));
            if (m->isFinal)
                break;
        }
        co_return frames;
    };
    QCOMPARE(QCoro::waitFor(collect()),
        QStringList(
            { QStringLiteral("1 abcd more"), QStringLiteral("0 efgh more"), QStringLiteral("0 ij final") }));
    QCOMPARE(QCoro::waitFor(coro(ws).close()).closeCode(), 1000);
}

void tst_Coro::waitForBytesWritten()
{
    TestServer &server = echoServer();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    // Nothing waits on a socket that is not connected: done at once.
    QVERIFY(QCoro::waitFor(coro(ws).waitForBytesWritten(0)));
    QVERIFY(QCoro::waitFor(coro(ws).open(server.url(QStringLiteral("/")))));
    const QByteArray chunk(1 << 20, 'x');
    qint64 peak = 0;
    for (int i = 0; i < 16; ++i) {
        QCOMPARE(ws.sendBinary(chunk), qint64(chunk.size()));
        peak = qMax(peak, ws.bytesToWrite());
    }
    QElapsedTimer timer;
    timer.start();
    const Result written = QCoro::waitFor(coro(ws).waitForBytesWritten(Wait));
    qInfo("16 MiB: %lld bytes waited at most, all written after %lld ms", peak, timer.elapsed());
    QVERIFY2(written, qPrintable(written.errorString()));
    QCOMPARE(ws.bytesToWrite(), 0);
    // Take the echoes, then close.
    auto drain = [&]() -> QCoro::Task<int> {
        int n = 0;
        // Not `while (n < 16 && co_await ...)`: GCC 12 evaluates a co_await in the right operand
        // of && even when the left one is false.
        while (n < 16) {
            if (!co_await coro(ws).receive(Wait))
                break;
            ++n;
        }
        co_return n;
    };
    timer.restart();
    const int echoes = QCoro::waitFor(drain());
    qInfo("%d echoes in %lld ms", echoes, timer.elapsed());
    QCOMPARE(echoes, 16);
    QCOMPARE(QCoro::waitFor(coro(ws).close()).closeCode(), 1000);
}

void tst_Coro::backPressureTimeout()
{
    RawServer stall(RawServer::Mode::Stall);
    WebSocket ws;
    const Result opened = QCoro::waitFor(coro(ws).open(stall.url()));
    QVERIFY2(opened, qPrintable(opened.errorString()));
    const QByteArray chunk(1 << 20, 'x');
    for (int i = 0; i < 48; ++i)
        ws.sendBinary(chunk); // (once the send buffer bound is enforced, the last ones are refused)
    spin(200);
    const qint64 pending = ws.bytesToWrite();
    QVERIFY2(pending > 0, "the kernel took 48 MiB");
    QElapsedTimer timer;
    timer.start();
    const Result r = QCoro::waitFor(coro(ws).waitForBytesWritten(200));
    QCOMPARE(r.error(), Error::Timeout);
    QVERIFY(timer.elapsed() >= 190);
    QVERIFY2(r.errorString().contains(QLatin1String("bytes still wait")), qPrintable(r.errorString()));
    // A threshold above what waits is met at once.
    QVERIFY(QCoro::waitFor(coro(ws).waitForBytesWritten(200, ws.bytesToWrite())));
    // The connection ends with bytes left: ConnectionClosed.
    auto waitThenAbort = [&]() -> QCoro::Task<Result> {
        QTimer::singleShot(50, &ws, [&] { ws.abort(); });
        co_return co_await coro(ws).waitForBytesWritten(Wait);
    };
    const Result aborted = QCoro::waitFor(waitThenAbort());
    QCOMPARE(aborted.error(), Error::ConnectionClosed);
    qInfo("back-pressure: %lld bytes pending; %s", pending, qPrintable(aborted.errorString()));
}

void tst_Coro::socketDestroyedWhileWaiting_data()
{
    QTest::addColumn<QString>("operation");
    QTest::newRow("open") << QStringLiteral("open");
    QTest::newRow("receive") << QStringLiteral("receive");
    QTest::newRow("finished") << QStringLiteral("finished");
    QTest::newRow("waitForBytesWritten") << QStringLiteral("waitForBytesWritten");
    QTest::newRow("messages") << QStringLiteral("messages");
}

void tst_Coro::socketDestroyedWhileWaiting()
{
    QFETCH(QString, operation);
    RawServer peer(operation == QLatin1String("open") ? RawServer::Mode::NoAnswer : RawServer::Mode::Stall);
    auto *ws = new WebSocket;
    if (operation != QLatin1String("open")) {
        QVERIFY(QCoro::waitFor(coro(ws).open(peer.url())));
        if (operation == QLatin1String("waitForBytesWritten")) {
            for (int i = 0; i < 48; ++i)
                ws->sendBinary(QByteArray(1 << 20, 'x'));
        }
    }
    QTimer::singleShot(100, [ws] { delete ws; });
    auto wait = [&]() -> QCoro::Task<QString> {
        if (operation == QLatin1String("open")) {
            const Result r = co_await coro(ws).open(peer.url());
            co_return r.errorString();
        }
        if (operation == QLatin1String("receive")) {
            const MessageResult r = co_await coro(ws).receive(Wait);
            co_return r.errorString();
        }
        if (operation == QLatin1String("finished")) {
            const ConnectionEnd end = co_await coro(ws).finished();
            co_return end.errorString() + QStringLiteral(" / %1").arg(end.closeCode());
        }
        if (operation == QLatin1String("waitForBytesWritten")) {
            const Result r = co_await coro(ws).waitForBytesWritten(Wait);
            co_return r.errorString();
        }
        int n = 0;
        QCORO_FOREACH(const Message &m, coro(ws).messages())
        {
            Q_UNUSED(m);
            ++n;
        }
        co_return QStringLiteral("the stream ended after %1").arg(n);
    };
    QElapsedTimer timer;
    timer.start();
    const QString why = QCoro::waitFor(wait());
    QVERIFY2(timer.elapsed() < 5000, "the coroutine waited for its timeout instead");
    if (operation == QLatin1String("messages"))
        QCOMPARE(why, QStringLiteral("the stream ended after 0"));
    else
        QVERIFY2(why.startsWith(QLatin1String("the WebSocket was destroyed")), qPrintable(why));
    if (operation == QLatin1String("finished"))
        QVERIFY2(why.endsWith(QLatin1String("/ 1006")), qPrintable(why));
}

void tst_Coro::coroutineDestroyedWhileWaiting_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<bool>("resumePosted");
    QTest::newRow("receive") << QStringLiteral("receive") << false;
    QTest::newRow("receive, resume posted") << QStringLiteral("receive") << true;
    QTest::newRow("open") << QStringLiteral("open") << false;
    QTest::newRow("open, resume posted") << QStringLiteral("open") << true;
    QTest::newRow("finished") << QStringLiteral("finished") << false;
    QTest::newRow("waitForBytesWritten") << QStringLiteral("waitForBytesWritten") << false;
}

void tst_Coro::coroutineDestroyedWhileWaiting()
{
    QFETCH(QString, operation);
    QFETCH(bool, resumePosted);
    TestServer &server = echoServer();
    WSCLIENT_REQUIRE_SERVER(server);
    RawServer noAnswer(RawServer::Mode::NoAnswer);
    RawServer stall(RawServer::Mode::Stall);
    auto ws = std::make_unique<WebSocket>();
    if (operation == QLatin1String("receive") || operation == QLatin1String("finished"))
        QVERIFY(QCoro::waitFor(coro(*ws).open(server.url(QStringLiteral("/")))));
    if (operation == QLatin1String("waitForBytesWritten")) {
        QVERIFY(QCoro::waitFor(coro(*ws).open(stall.url())));
        for (int i = 0; i < 48; ++i)
            ws->sendBinary(QByteArray(1 << 20, 'x'));
    }

    bool resumed = false;
    // The awaitables are temporaries in the fiber's frame, as in ordinary use.
    auto body = [](WebSocket *socket, QString op, QUrl url, bool *flag) -> Fiber {
        if (op == QLatin1String("receive"))
            (void)co_await coro(socket).receive(Wait);
        else if (op == QLatin1String("open"))
            (void)co_await coro(socket).open(url);
        else if (op == QLatin1String("finished"))
            (void)co_await coro(socket).finished();
        else
            (void)co_await coro(socket).waitForBytesWritten(Wait);
        *flag = true;
    };
    Fiber fiber = body(ws.get(), operation, noAnswer.url(), &resumed);
    QVERIFY(!fiber.done());
    if (resumePosted) {
        // The socket goes: the operation completes and posts its resume; the frame goes before the
        // event loop delivers it.
        ws.reset();
    }
    fiber.reset();
    if (ws) {
        // What would have resumed it now happens: a message, the end, the written bytes.
        ws->sendText(QStringLiteral("echo me"));
        ws->close();
        spin(300);
        ws.reset();
    }
    spin(100);
    QVERIFY(!resumed);
}

void tst_Coro::generatorDestroyedWhileWaiting()
{
    TestServer &server = echoServer();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    QVERIFY(QCoro::waitFor(coro(ws).open(server.url(QStringLiteral("/")))));
    int seen = 0;
    {
        auto generator = std::make_unique<QCoro::AsyncGenerator<Message>>(coro(ws).messages());
        auto consume = [](QCoro::AsyncGenerator<Message> *g, int *count) -> Fiber {
            QCORO_FOREACH(const Message &m, *g)
            {
                Q_UNUSED(m);
                ++*count;
            }
        };
        ws.sendText(QStringLiteral("one"));
        Fiber consumer = consume(generator.get(), &seen);
        QTRY_COMPARE_WITH_TIMEOUT(seen, 1, Wait);
        // Both wait (the generator for the next message, the consumer for the generator): destroy them.
        consumer.reset();
        generator.reset();
    }
    ws.sendText(QStringLiteral("two")); // its echo finds nobody waiting; it is queued
    spin(300);
    QCOMPARE(seen, 1);
    const MessageResult queued = QCoro::waitFor(coro(ws).receive(Wait));
    QCOMPARE(queued->text(), QStringLiteral("two"));
    QCOMPARE(QCoro::waitFor(coro(ws).close()).closeCode(), 1000);
}

void tst_Coro::wrongThread()
{
    QThread thread;
    auto *ws = new WebSocket;
    ws->moveToThread(&thread);
    const Result r = QCoro::waitFor(coro(ws).open(QUrl(QStringLiteral("ws://127.0.0.1:1/"))));
    QCOMPARE(r.error(), Error::InvalidArgument);
    QVERIFY2(r.errorString().contains(QLatin1String("thread")), qPrintable(r.errorString()));
    QCOMPARE(QCoro::waitFor(coro(ws).receive(0)).error(), Error::InvalidArgument);
    QCOMPARE(ws->state(), WebSocket::State::Unconnected);
    delete ws; // not started: deleting from here is fine
}

void tst_Coro::appStreamAcrossReconnect()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocketApp app(server.url(QStringLiteral("/")));
    app.setReconnectDelay(100);
    struct Seen
    {
        Result started;
        Result reopened;
        QStringList messages;
        ConnectionEnd end;
    };
    auto run = [&]() -> QCoro::Task<Seen> {
        Seen seen;
        seen.started = co_await coro(app).start(Wait);
        if (!seen.started)
            co_return seen;
        app.sendText(QStringLiteral("before"));
        const MessageResult first = co_await coro(app).receive(Wait);
        seen.messages << (first ? first->text() : errorName(first.error()));
        // The server goes away and comes back: the app reconnects.
        server.restart();
        co_await qCoro(&app, &WebSocketApp::reconnected, std::chrono::milliseconds(Wait));
        seen.reopened = co_await coro(app).opened(Wait);
        app.sendText(QStringLiteral("after"));
        app.sendText(QStringLiteral("stop"));
        QCORO_FOREACH(const Message &m, coro(app).messages())
        {
            seen.messages << m.text();
            if (m.text() == QLatin1String("stop"))
                app.close(quint16(CloseCode::Normal), QStringLiteral("enough"));
        }
        seen.end = co_await coro(app).closed();
        co_return seen;
    };
    const Seen seen = QCoro::waitFor(run());
    QVERIFY2(seen.started, qPrintable(seen.started.errorString()));
    QVERIFY2(seen.reopened, qPrintable(seen.reopened.errorString()));
    QCOMPARE(seen.messages,
        QStringList({ QStringLiteral("before"), QStringLiteral("after"), QStringLiteral("stop") }));
    QCOMPARE(seen.end.closeCode(), 1000);
    QVERIFY(seen.end.wasOpen());
    QVERIFY2(seen.end.isClean(), qPrintable(seen.end.errorString()));
    QCOMPARE(app.state(), WebSocketApp::State::Unconnected);
    // Stopped: the stream ends at once, receive() says why, opened() too.
    QCOMPARE(QCoro::waitFor(coro(app).receive(Wait)).error(), Error::ConnectionClosed);
    QCOMPARE(QCoro::waitFor(coro(app).opened(Wait)).error(), Error::ConnectionClosed);
}

void tst_Coro::appErrorsAreValues()
{
    // Settings start() refuses.
    WebSocketApp invalid(QUrl(QStringLiteral("ws://127.0.0.1:1/")));
    invalid.setPingInterval(1000);
    invalid.setPingTimeout(2000);
    const Result refused = QCoro::waitFor(coro(invalid).start());
    QCOMPARE(refused.error(), Error::InvalidArgument);
    QVERIFY2(
        refused.errorString().contains(QLatin1String("pingInterval")), qPrintable(refused.errorString()));

    // A refused port without reconnecting: the run ends with the error.
    WebSocketApp app(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(refusedPort())));
    const Result started = QCoro::waitFor(coro(app).start(Wait));
    QCOMPARE(started.error(), Error::ConnectionRefused);
    const ConnectionEnd end = QCoro::waitFor(coro(app).closed());
    QCOMPARE(end.error(), Error::ConnectionRefused);
    QVERIFY(!end.wasOpen());

    // Not running: opened() says so instead of waiting.
    WebSocketApp idle(QUrl(QStringLiteral("ws://127.0.0.1:1/")));
    QCOMPARE(QCoro::waitFor(coro(idle).opened(Wait)).error(), Error::ConnectionClosed);

    // With reconnecting, opened() waits through the failed attempts until its own timeout.
    WebSocketApp retrying(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(refusedPort())));
    retrying.setReconnectDelay(50);
    QElapsedTimer timer;
    timer.start();
    const Result late = QCoro::waitFor(coro(retrying).start(400));
    QCOMPARE(late.error(), Error::Timeout);
    QVERIFY(timer.elapsed() >= 390);
    retrying.close();
}

void tst_Coro::appDestroyedWhileWaiting()
{
    RawServer noAnswer(RawServer::Mode::NoAnswer);
    auto *app = new WebSocketApp(noAnswer.url());
    QVERIFY(app->start()); // stays Connecting: the peer never answers
    QTimer::singleShot(100, [app] { delete app; });
    auto wait = [&]() -> QCoro::Task<std::pair<Result, MessageResult>> {
        // Two coroutines wait at once: one for a message, this one for the opening.
        auto receiving = [](WebSocketApp *a) -> QCoro::Task<MessageResult> {
            co_return co_await coro(a).receive();
        }(app);
        const Result opened = co_await coro(app).opened();
        const MessageResult m = co_await receiving;
        co_return std::make_pair(opened, m);
    };
    QElapsedTimer timer;
    timer.start();
    const auto [opened, m] = QCoro::waitFor(wait());
    QVERIFY(timer.elapsed() < 5000);
    QCOMPARE(opened.error(), Error::ConnectionClosed);
    QCOMPARE(opened.errorString(), QStringLiteral("the WebSocketApp was destroyed"));
    QCOMPARE(m.error(), Error::ConnectionClosed);
    QCOMPARE(m.errorString(), QStringLiteral("the WebSocketApp was destroyed"));
}

QTEST_GUILESS_MAIN(tst_Coro)
#include "tst_coro.moc"
