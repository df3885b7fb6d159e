// The lifecycle guarantees against hostile peers on 127.0.0.1: what a send call accepted is delivered
// before the Close or reported as lost, the send buffer is bounded, opening has a default timeout,
// one failure is one error, refused calls say why, invalid UTF-8 fails at the first bad piece, and
// an endless message costs about its limit in memory.

#include "pacedserver.h"
#include "scriptedserver.h"

#include <WsClient/WebSocket>

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfile.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qtimer.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <thread>

#include <sys/resource.h>

using namespace WsClient;

Q_DECLARE_METATYPE(WsClient::Error)

namespace {

constexpr int Wait = 5000;
constexpr qint64 MB = 1000 * 1000;
constexpr qint64 MiB = 1024 * 1024;
#if defined(__SANITIZE_ADDRESS__)
constexpr bool MeasuresMemory = false;
#else
constexpr bool MeasuresMemory = true;
#endif

// /proc/self/status field \a name (VmRSS, VmHWM) in bytes.
qint64 statusBytes(const char *name)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(name))
            return line.mid(qstrlen(name) + 1).trimmed().split(' ').first().toLongLong() * 1024;
    }
    return -1;
}

// Resets VmHWM to the current resident size (Linux >= 4.0).
void resetPeakRss()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    if (clear.open(QIODevice::WriteOnly))
        clear.write("5");
}

// A message that carries its index in its first 8 bytes (what PacedServer checks).
QByteArray numbered(qint64 size, qint64 index)
{
    QByteArray m(size, 'm');
    qToLittleEndian(index, m.data());
    return m;
}

// Sends \a count numbered messages of \a size, waiting for the send buffer to drain whenever a send
// is refused; returns how many were accepted.
int sendWithBackpressure(WebSocket &ws, int count, qint64 size)
{
    int accepted = 0;
    while (accepted < count && ws.state() == WebSocket::State::Open) {
        if (ws.sendBinary(numbered(size, accepted)) >= 0)
            ++accepted;
        else if (!ws.waitForBytesWritten(Wait))
            break;
    }
    return accepted;
}

} // namespace

class tst_Lifecycle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void closeDeliversEverythingAccepted();
    void closeReportsWhatWasNotDelivered();
    void floodToNonReaderIsBounded();
    void openTimesOutByDefault();
    void oneErrorPerFailure_data();
    void oneErrorPerFailure();
    void refusedSendsSetTheError();
    void closeTimeoutIsAnError();
    void invalidUtf8FailsAtFirstBadPiece_data();
    void invalidUtf8FailsAtFirstBadPiece();
    void endlessFragmentedMessageStaysNearLimit();
    void fullReceiveQueuePausesReading();
    void soakDelivery();
    void soakReaderStopsHalfway();
};

void tst_Lifecycle::initTestCase()
{
    qRegisterMetaType<WsClient::Error>();
}

// 100 x 1 MB and then close() to a server that reads 12 MB/s: the Close goes after the last message,
// the close timeout starts once it is written, and the server gets every message.
void tst_Lifecycle::closeDeliversEverythingAccepted()
{
    PacedServer server({ 12 * MB });
    WebSocket ws;
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    QSignalSpy finished(&ws, &WebSocket::finished);
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    QCOMPARE(sendWithBackpressure(ws, 100, MB), 100);
    ws.close();
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, 30000);
    QCOMPARE(server.messages(), 100);
    QCOMPARE(server.misordered(), 0);
    QCOMPARE(server.closeCode(), 1000);
    QCOMPARE(ws.closeCode(), 1000);
    QCOMPARE(errors.count(), 0);
    // error() keeps the last refusal (SendBufferFull while the buffer was full); the end says how it went.
    QCOMPARE(finished.count(), 1);
    const ConnectionEnd end = finished.first().at(0).value<ConnectionEnd>();
    QCOMPARE(end.error(), Error::NoError);
    QVERIFY(end.isClean());
    QCOMPARE(end.undeliveredBytes(), 0);
    QCOMPARE(end.undeliveredMessages(), 0);
    QCOMPARE(ws.connectionEnd().closeCode(), 1000);
}

// The reader stops for good halfway: close() cannot deliver what is queued, and says so once.
void tst_Lifecycle::closeReportsWhatWasNotDelivered()
{
    PacedServer::Config config;
    config.stopReadingAfter = 10 * MB;
    PacedServer server(config);
    WebSocket ws;
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    int accepted = 0;
    while (accepted < 60 && ws.sendBinary(numbered(MB, accepted)) >= 0)
        ++accepted;
    QVERIFY(accepted > 10);
    QElapsedTimer timer;
    timer.start();
    ws.close();
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, 20000);
    QCOMPARE(errors.count(), 1);
    QCOMPARE(ws.error(), Error::Timeout);
    QCOMPARE(errors.first().at(0).value<WsClient::Error>(), Error::Timeout);
    QVERIFY2(ws.errorString().contains(QStringLiteral("not delivered")), qPrintable(ws.errorString()));
    QVERIFY2(ws.errorString().contains(QRegularExpression(QStringLiteral("\\d+ messages?"))),
        qPrintable(ws.errorString()));
    QCOMPARE(ws.closeCode(), 1006);
    QVERIFY(server.messages() < accepted);
    const ConnectionEnd end = ws.connectionEnd();
    QCOMPARE(end.error(), Error::Timeout);
    QVERIFY(end.undeliveredMessages() > 0);
    QVERIFY(end.undeliveredMessages() <= accepted - server.messages());
    QVERIFY(end.undeliveredBytes() >= qint64(end.undeliveredMessages() - 1) * MB);
    QVERIFY(!end.isClean());
    QVERIFY(end.closeSent());
    QVERIFY(!end.closeReceived());
}

// 500 x 1 MiB to a server that never reads: memory stays bounded, sends past the bound are refused.
void tst_Lifecycle::floodToNonReaderIsBounded()
{
    PacedServer::Config config;
    config.neverRead = true;
    PacedServer server(config);
    WebSocket ws;
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    const QByteArray message(MiB, 'x');
    const qint64 before = statusBytes("VmRSS");
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < 500; ++i) {
        if (ws.sendBinary(message) >= 0)
            ++accepted;
        else
            ++refused;
        if (i % 50 == 0)
            QCoreApplication::processEvents();
    }
    const qint64 grown = statusBytes("VmRSS") - before;
    qInfo("accepted %d, refused %d, RSS grew by %lld KiB", accepted, refused, grown / 1024);
    if (!MeasuresMemory)
        qInfo("memory not judged under AddressSanitizer (its quarantine keeps freed memory resident)");
    else
        QVERIFY2(grown < 2 * 16 * MiB + 16 * MiB, qPrintable(QStringLiteral("RSS grew by %1 MiB").arg(grown / MiB)));
    QVERIFY(refused > 0);
    QCOMPARE(ws.state(), WebSocket::State::Open);
    QCOMPARE(ws.error(), Error::SendBufferFull);
    QVERIFY2(ws.errorString().contains(QStringLiteral("sendBufferLimit")), qPrintable(ws.errorString()));
    QVERIFY(ws.bytesToWrite() <= ConnectOptions::DefaultSendBufferLimit);
    QVERIFY(ws.bytesToWrite() > 0);
    // Nothing of a refused send was queued: the bound holds after any number of refusals.
    const qint64 waiting = ws.bytesToWrite();
    QCOMPARE(ws.sendBinary(message), -1);
    QCOMPARE(ws.bytesToWrite(), waiting);
    ws.abort();
    QVERIFY(ws.connectionEnd().undeliveredBytes() > 0);
    QCOMPARE(ws.connectionEnd().error(), Error::NoError); // abort() drops on request: no failure
}

// A server that accepts TCP and never answers, and one that trickles a byte every 0.5 s: opening
// fails with Timeout after the default open timeout (10 s), without any option set.
void tst_Lifecycle::openTimesOutByDefault()
{
    ScriptedServer silent;
    silent.onRequest = [](ScriptedServer::Peer &) { };
    ScriptedServer trickle;
    const QByteArray head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nX-Slow: ";
    trickle.onRequest = [head](ScriptedServer::Peer &p) {
        auto *timer = new QTimer(p.socket);
        QObject::connect(timer, &QTimer::timeout, p.socket, [s = p.socket, head, sent = 0]() mutable {
            s->write(QByteArray(1, sent < head.size() ? head.at(sent) : 'x'));
            ++sent;
        });
        timer->start(500);
    };
    WebSocket a;
    WebSocket b;
    QSignalSpy errorsA(&a, &WebSocket::errorOccurred);
    QSignalSpy errorsB(&b, &WebSocket::errorOccurred);
    QElapsedTimer timer;
    timer.start();
    a.open(silent.url());
    b.open(trickle.url());
    QTRY_COMPARE_WITH_TIMEOUT(errorsA.count(), 1, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(errorsB.count(), 1, 5000);
    QVERIFY(timer.elapsed() >= 9500);
    QCOMPARE(a.error(), Error::Timeout);
    QCOMPARE(b.error(), Error::Timeout);
    QCOMPARE(a.state(), WebSocket::State::Unconnected);
    QCOMPARE(b.state(), WebSocket::State::Unconnected);
    QVERIFY2(a.errorString().contains(QStringLiteral("10000 ms")), qPrintable(a.errorString()));
}

void tst_Lifecycle::oneErrorPerFailure_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<WsClient::Error>("error");
    QTest::addColumn<int>("code");
    const QByteArray part(400 * 1024, 'p');
    QTest::newRow("fragmented message over the limit")
        << ScriptedServer::frame(0x02, part) + ScriptedServer::frame(0x00, part) + ScriptedServer::frame(0x80, part)
        << Error::MessageTooBig << 1009;
    const QByteArray large(300 * 1024, 'l');
    QTest::newRow("fragmented message of large frames over the limit")
        << ScriptedServer::frame(0x02, large) + ScriptedServer::frame(0x00, large)
            + ScriptedServer::frame(0x00, large) + ScriptedServer::frame(0x00, large)
            + ScriptedServer::frame(0x80, large)
        << Error::MessageTooBig << 1009;
    QTest::newRow("frame over the limit") << ScriptedServer::frame(0x82, QByteArray(1024 * 1024 + 1, 'f'))
                                          << Error::MessageTooBig << 1009;
    QTest::newRow("invalid utf-8 then more frames")
        << ScriptedServer::frame(0x81, QByteArray::fromHex("ff")) + ScriptedServer::frame(0x81, "x")
        << Error::Payload << 1007;
    QTest::newRow("reserved opcode then a close")
        << ScriptedServer::frame(0x83, "x") + ScriptedServer::frame(0x88, ScriptedServer::closePayload(1000))
        << Error::Protocol << 1002;
}

void tst_Lifecycle::oneErrorPerFailure()
{
    QFETCH(QByteArray, bytes);
    QFETCH(WsClient::Error, error);
    QFETCH(int, code);
    ScriptedServer server;
    server.onRequest = [&](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key) + bytes); };
    ConnectOptions options;
    options.setMaxMessageSize(1024 * 1024);
    options.setMaxFrameSize(1024 * 1024);
    WebSocket ws;
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    QSignalSpy disconnects(&ws, &WebSocket::disconnected);
    QSignalSpy finished(&ws, &WebSocket::finished);
    QObject::connect(&ws, &WebSocket::binaryMessageReceived, &ws, [] { });
    ws.open(server.url(), options);
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, Wait);
    QTest::qWait(200); // anything emitted late would arrive now
    QCOMPARE(errors.count(), 1);
    QCOMPARE(errors.first().at(0).value<WsClient::Error>(), error);
    QCOMPARE(ws.error(), error);
    QCOMPARE(ws.closeCode(), code);
    QCOMPARE(disconnects.count(), 1);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(0).value<ConnectionEnd>().error(), error);
    QCOMPARE(finished.first().at(0).value<ConnectionEnd>().closeCode(), code);
    QTRY_COMPARE_WITH_TIMEOUT(server.clientCloseCode(), code, Wait);
}

void tst_Lifecycle::refusedSendsSetTheError()
{
    WebSocket never;
    QCOMPARE(never.sendText(QStringLiteral("x")), -1);
    QCOMPARE(never.error(), Error::ConnectionClosed);

    ScriptedServer server;
    server.onRequest = [](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key)); };
    server.onFrame = [](ScriptedServer::Peer &p, const ClientFrame &f) {
        if (f.opcode == 0x8) {
            p.socket->write(ScriptedServer::frame(0x88, f.payload));
            p.socket->disconnectFromHost();
        }
    };
    WebSocket ws;
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    QCOMPARE(ws.ping(QByteArray(126, 'p')), -1);
    QCOMPARE(ws.error(), Error::InvalidArgument);
    QVERIFY2(ws.errorString().contains(QStringLiteral("126")), qPrintable(ws.errorString()));
    QCOMPARE(ws.pong(QByteArray(200, 'p')), -1);
    QCOMPARE(ws.error(), Error::InvalidArgument);
    QCOMPARE(ws.ping(QByteArray(125, 'p')), 125);
    // From another thread the refusal sets the error as well.
    qint64 fromThread = 0;
    std::thread([&] { fromThread = ws.ping(QByteArray(130, 'p')); }).join();
    QCOMPARE(fromThread, -1);
    QCOMPARE(ws.error(), Error::InvalidArgument);
    QVERIFY2(ws.errorString().contains(QStringLiteral("130")), qPrintable(ws.errorString()));
    ws.close();
    QVERIFY(ws.waitForDisconnected(Wait));
    QCOMPARE(ws.closeCode(), 1000);
    std::thread([&] { fromThread = ws.sendText(QStringLiteral("late")); }).join();
    QCOMPARE(fromThread, -1);
    QCOMPARE(ws.error(), Error::ConnectionClosed);
    QCOMPARE(ws.sendText(QStringLiteral("late")), -1);
    QCOMPARE(ws.error(), Error::ConnectionClosed);
    QVERIFY2(ws.errorString().contains(QStringLiteral("Unconnected")), qPrintable(ws.errorString()));
    QCOMPARE(ws.sendBinary("late"), -1);
    QCOMPARE(ws.error(), Error::ConnectionClosed);
}

void tst_Lifecycle::closeTimeoutIsAnError()
{
    ScriptedServer server;
    server.onRequest = [](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key)); };
    WebSocket ws;
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    ws.close(1000, QStringLiteral("bye"), 300);
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, Wait);
    QCOMPARE(errors.count(), 1);
    QCOMPARE(ws.error(), Error::Timeout);
    QVERIFY2(ws.errorString().contains(QStringLiteral("300 ms")), qPrintable(ws.errorString()));
    QCOMPARE(ws.closeCode(), 1006);
    QCOMPARE(server.clientCloseCode(), 1000);
}

// One text frame of 1 MB announced, arriving in pieces: the first bad byte fails the connection,
// without waiting for the rest of the frame.
void tst_Lifecycle::invalidUtf8FailsAtFirstBadPiece_data()
{
    QTest::addColumn<int>("badPiece");
    QTest::newRow("first piece") << 0;
    QTest::newRow("second piece") << 1;
    QTest::newRow("fifth piece") << 4;
}

void tst_Lifecycle::invalidUtf8FailsAtFirstBadPiece()
{
    QFETCH(int, badPiece);
    ScriptedServer server;
    server.onRequest = [badPiece](ScriptedServer::Peer &p) {
        QByteArray head = QByteArray::fromHex("817f00000000000f4240"); // text, FIN, 1 000 000 bytes
        p.socket->write(ScriptedServer::upgradeResponse(p.key) + head);
        auto *timer = new QTimer(p.socket);
        QObject::connect(timer, &QTimer::timeout, p.socket, [s = p.socket, badPiece, n = 0]() mutable {
            QByteArray piece(4000, 'a');
            if (n == badPiece)
                piece[1234] = char(0xff);
            if (n <= badPiece)
                s->write(piece); // and nothing after the bad piece: the frame never completes
            ++n;
        });
        timer->start(50);
    };
    WebSocket ws;
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    QObject::connect(&ws, &WebSocket::textMessageReceived, &ws, [] { });
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 3000);
    QCOMPARE(ws.error(), Error::Payload);
    QCOMPARE(ws.closeCode(), 1007);
    QTRY_COMPARE_WITH_TIMEOUT(server.clientCloseCode(), 1007, Wait);
}

// A fragmented message that never ends: the client fails it with 1009 at the default limit (64 MiB),
// and its memory peaks near that limit, not at a multiple of it.
void tst_Lifecycle::endlessFragmentedMessageStaysNearLimit()
{
    PacedServer::Config config;
    config.floodFragmentSize = MiB;
    PacedServer server(config);
    WebSocket ws;
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    QObject::connect(&ws, &WebSocket::binaryMessageReceived, &ws, [] { });
    resetPeakRss();
    const qint64 before = statusBytes("VmRSS");
    ws.open(server.url());
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 30000);
    QCOMPARE(ws.error(), Error::MessageTooBig);
    QCOMPARE(ws.closeCode(), 1009);
    const qint64 peak = statusBytes("VmHWM") - before;
    const qint64 limit = ConnectOptions::DefaultMaxMessageSize;
    qInfo("peak RSS growth %lld KiB for a limit of %lld KiB (%.2fx)", peak / 1024, limit / 1024,
        double(peak) / double(limit));
    if (MeasuresMemory)
        QVERIFY2(peak <= limit * 5 / 4, qPrintable(QStringLiteral("peak %1 MiB").arg(peak / MiB)));
}

// A blocking-style reader that runs an event loop but does not call receive(): the queue stops at
// its bound, and reading stops with it, without the event loop spinning on a socket it does not
// read; receive() resumes it.
void tst_Lifecycle::fullReceiveQueuePausesReading()
{
    PacedServer::Config config;
    config.floodFragmentSize = MiB;
    config.floodWholeMessages = true;
    PacedServer server(config);
    WebSocket ws; // no message signal connected: messages are queued for receive()
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    QTest::qWait(1500); // fills the queue (64 MiB) over loopback
    auto cpuSeconds = [] {
        rusage usage {};
        ::getrusage(RUSAGE_SELF, &usage);
        return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    };
    const double before = cpuSeconds();
    QTest::qWait(1000);
    const double spent = cpuSeconds() - before;
    qInfo("CPU while the full queue waits: %.3f s in 1 s", spent);
    QVERIFY2(spent < 0.3, qPrintable(QStringLiteral("the event loop spun: %1 s of CPU").arg(spent)));
    QCOMPARE(ws.state(), WebSocket::State::Open);
    for (int i = 0; i < 100; ++i) { // more than the queue holds: reading resumed
        const Message m = ws.receive(Wait);
        QVERIFY2(m.isValid(), qPrintable(QStringLiteral("message %1: %2").arg(i).arg(ws.errorString())));
        QCOMPARE(m.data.size(), MiB);
        QCOMPARE(m.data.at(MiB - 1), 'f');
    }
}

// The soak of the delivery guarantee (ctest tst_lifecycle_soak, WSCLIENT_SOAK=1): 1 000 x 1 MB to a
// server that reads 10 MB/s, then close() with default options.
void tst_Lifecycle::soakDelivery()
{
    if (!qEnvironmentVariableIsSet("WSCLIENT_SOAK"))
        QSKIP("the soak runs as tst_lifecycle_soak (WSCLIENT_SOAK=1)");
    PacedServer server({ 10 * MB });
    WebSocket ws;
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(sendWithBackpressure(ws, 1000, MB), 1000);
    ws.close();
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, 60000);
    qInfo("1000 MB delivered in %lld ms", qlonglong(timer.elapsed()));
    QCOMPARE(server.messages(), 1000);
    QCOMPARE(server.misordered(), 0);
    QCOMPARE(ws.closeCode(), 1000);
    QCOMPARE(errors.count(), 0);
    QCOMPARE(ws.connectionEnd().error(), Error::NoError); // error() keeps the last SendBufferFull
    QVERIFY(ws.connectionEnd().isClean());
}

// The same, with the reader stopping for good halfway: one clear error naming what was not delivered.
void tst_Lifecycle::soakReaderStopsHalfway()
{
    if (!qEnvironmentVariableIsSet("WSCLIENT_SOAK"))
        QSKIP("the soak runs as tst_lifecycle_soak (WSCLIENT_SOAK=1)");
    PacedServer::Config config;
    config.bytesPerSecond = 10 * MB;
    config.stopReadingAfter = 500 * MB;
    PacedServer server(config);
    WebSocket ws;
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));
    const int accepted = sendWithBackpressure(ws, 1000, MB);
    QVERIFY(accepted >= 500);
    QVERIFY(accepted < 1000);
    ws.close();
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, 20000);
    qInfo("accepted %d, delivered %d: %s", accepted, server.messages(), qPrintable(ws.errorString()));
    QCOMPARE(errors.count(), 1);
    QCOMPARE(ws.error(), Error::Timeout);
    QVERIFY2(ws.errorString().contains(QStringLiteral("not delivered")), qPrintable(ws.errorString()));
    QCOMPARE(ws.closeCode(), 1006);
    // What reached the kernel but not the server is TCP's; what did not reach the kernel is named.
    QVERIFY(ws.connectionEnd().undeliveredMessages() > 0);
    QVERIFY(ws.connectionEnd().undeliveredMessages() <= accepted - server.messages());
}

QTEST_MAIN(tst_Lifecycle)
#include "tst_lifecycle.moc"
