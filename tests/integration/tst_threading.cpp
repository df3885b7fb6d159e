// The blocking API from a thread without an event loop, and sends from several threads at once,
// against a real python3-websockets echo server, with and without compression. Also run under ThreadSanitizer (scripts/run-tests):
// the test itself shares nothing across threads through Qt's (uninstrumented) event queue.

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
    QTest::newRow("plain") << false;
    // With context takeover the compressor's window must follow the wire order across threads,
    // or the server fails to inflate (and closes with 1007).
    QTest::newRow("permessage-deflate") << true;
}

void tst_Threading::sendFromFourThreads()
{
    QFETCH(bool, compressed);
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    ConnectOptions options;
    if (compressed)
        options.setCompression(CompressionOptions::enabledDefaults());
    ws.open(server.url(QStringLiteral("/echo")), options);
    QVERIFY(ws.waitForConnected(Wait));
    QCOMPARE(ws.compression().isEnabled(), compressed);

    constexpr int Threads = 4;
    constexpr int PerThread = 2000;
    std::atomic<int> accepted { 0 };
    std::vector<std::thread> senders;
    for (int t = 0; t < Threads; ++t) {
        senders.emplace_back([&ws, &accepted, t] {
            for (int i = 0; i < PerThread; ++i) {
                if (ws.sendText(QStringLiteral("%1:%2").arg(t).arg(i)) >= 0)
                    ++accepted;
            }
        });
    }
    // The senders' frames are written by this (the owner) thread, meanwhile: the echoes come back
    // in the order the server received them, which is the order they were written.
    QList<QByteArray> echoes;
    while (echoes.size() < Threads * PerThread) {
        const Message m = ws.receive(Wait);
        QVERIFY2(m.isValid(), qPrintable(ws.errorString()));
        echoes.append(m.data);
    }
    for (auto &s : senders)
        s.join();
    QCOMPARE(accepted.load(), Threads * PerThread);

    int next[Threads] = {};
    for (const QByteArray &echo : std::as_const(echoes)) {
        const QList<QByteArray> parts = echo.split(':');
        QCOMPARE(parts.size(), 2);
        const int t = parts.at(0).toInt();
        QVERIFY(t >= 0 && t < Threads);
        QCOMPARE(parts.at(1).toInt(), next[t]); // each thread's order kept
        ++next[t];
    }
    for (int t = 0; t < Threads; ++t)
        QCOMPARE(next[t], PerThread);
    ws.close();
    QVERIFY(ws.waitForDisconnected(Wait));
}

QTEST_MAIN(tst_Threading)
#include "tst_threading.moc"
