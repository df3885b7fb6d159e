// The blocking API from a thread without an event loop, and sends from several threads at once,
// against a real python3-websockets echo server, with and without compression. Also run under ThreadSanitizer
// (scripts/run-tests): the test itself shares nothing across threads through Qt's (uninstrumented) event
// queue.

#include "testserver.h"

#include <WsClient/WebSocket>

#include <QtCore/qthread.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace WsClient;

namespace {

constexpr int Wait = 20000;

} // namespace

class tst_Threading : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void blockingClientInThreadWithoutEventLoop();
    void sendFromFourThreads_data();
    void sendFromFourThreads();
};

void tst_Threading::blockingClientInThreadWithoutEventLoop()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    const QUrl url = server.url(QStringLiteral("/echo"));
    std::atomic<bool> done { false };
    QString failure;
    int echoed = 0;
    int closeCode = 0;

    // QThread::create runs the function without starting an event loop in the thread.
    QThread *worker = QThread::create([&] {
        auto ws = WebSocket::connectTo(url);
        if (!ws->isOpen()) {
            failure = QStringLiteral("connect: ") + ws->errorString();
        } else {
            for (int i = 0; i < 200; ++i) {
                const QByteArray payload = QByteArray::number(i).repeated(i + 1);
                if (i % 2)
                    ws->sendBinary(payload);
                else
                    ws->sendText(QString::fromLatin1(payload));
                const Message m = ws->receive(5000);
                if (!m.isValid() || m.data != payload
                    || m.opcode != (i % 2 ? Opcode::Binary : Opcode::Text)) {
                    failure = QStringLiteral("echo %1: %2").arg(i).arg(ws->errorString());
                    break;
                }
                ++echoed;
            }
            ws->close(4001, QStringLiteral("worker done"));
            if (!ws->waitForDisconnected(5000))
                failure += QStringLiteral(" close did not finish");
            closeCode = ws->closeCode();
        }
        done = true;
    });
    worker->start();
    QVERIFY(worker->wait(Wait));
    delete worker;
    QVERIFY(done.load());
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(echoed, 200);
    QCOMPARE(closeCode, 4001); // python3-websockets echoes the client's code
    QTRY_VERIFY_WITH_TIMEOUT(server.log().contains(QStringLiteral("code=4001")), Wait);
}

void tst_Threading::sendFromFourThreads_data()
{
    QTest::addColumn<bool>("compressed");
    QTest::addColumn<int>("frameSize"); // ConnectOptions::outgoingFrameSize; 0: one frame per message
    QTest::newRow("plain") << false << 0;
    // With context takeover the compressor's window must follow the wire order across threads,
    // or the server fails to inflate (and closes with 1007).
    QTest::newRow("permessage-deflate") << true << 0;
    // Every message split into 4-byte frames: no other message's frame may land between them
    // (the server would close with 1002).
    QTest::newRow("fragmented") << false << 4;
    QTest::newRow("fragmented, permessage-deflate") << true << 4;
}

void tst_Threading::sendFromFourThreads()
{
    QFETCH(bool, compressed);
    QFETCH(int, frameSize);
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    ConnectOptions options;
    options.setOutgoingFrameSize(frameSize);
    if (compressed)
        options.setCompression(CompressionOptions::enabledDefaults());
    ws.open(server.url(QStringLiteral("/echo")), options);
    QVERIFY(ws.waitForConnected(Wait));
    QCOMPARE(ws.compression().isEnabled(), compressed);

    constexpr int Threads = 4; // senders; the owner thread sends too, as sender number Threads
    constexpr int PerThread = 2000;
    constexpr int OwnerMessages = PerThread / 4;
    std::atomic<int> accepted { 0 };
    std::atomic<bool> go { false }; // all senders start at once, to contend
    std::vector<std::thread> senders;
    for (int t = 0; t < Threads; ++t) {
        senders.emplace_back([&ws, &accepted, &go, t] {
            while (!go.load())
                std::this_thread::yield();
            for (int i = 0; i < PerThread; ++i) {
                // Zero-padded so that a message spans several 4-byte frames.
                if (ws.sendText(QStringLiteral("%1:%2").arg(t).arg(i, 24, 10, QLatin1Char('0'))) >= 0)
                    ++accepted;
            }
        });
    }
    go = true;
    // The senders' frames are written by this (the owner) thread, meanwhile: the echoes come back
    // in the order the server received them, which is the order they were written. The owner's own
    // messages go out between the queued ones.
    QList<QByteArray> echoes;
    int ownerSent = 0;
    while (echoes.size() < Threads * PerThread + OwnerMessages) {
        if (ownerSent < OwnerMessages && echoes.size() % 4 == 0)
            QVERIFY(
                ws.sendText(QStringLiteral("%1:%2").arg(Threads).arg(ownerSent++, 24, 10, QLatin1Char('0')))
                > 0);
        const Message m = ws.receive(Wait);
        QVERIFY2(m.isValid(), qPrintable(ws.errorString()));
        echoes.append(m.data);
    }
    for (auto &s : senders)
        s.join();
    QCOMPARE(accepted.load(), Threads * PerThread);

    int next[Threads + 1] = {};
    for (const QByteArray &echo : std::as_const(echoes)) {
        const QList<QByteArray> parts = echo.split(':');
        QCOMPARE(parts.size(), 2);
        const int t = parts.at(0).toInt();
        QVERIFY(t >= 0 && t <= Threads);
        QCOMPARE(parts.at(1).toInt(), next[t]); // each thread's order kept
        ++next[t];
    }
    for (int t = 0; t < Threads; ++t)
        QCOMPARE(next[t], PerThread);
    QCOMPARE(next[Threads], OwnerMessages);
    ws.close();
    QVERIFY(ws.waitForDisconnected(Wait));
}

QTEST_MAIN(tst_Threading)
#include "tst_threading.moc"
