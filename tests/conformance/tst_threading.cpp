// The blocking API from a thread without an event loop, and sends from several threads at once.
// The scripted server runs on the main thread's event loop; clients run elsewhere.

#include "scriptedserver.h"

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

// Echoes every data frame back unmasked, and answers a Close with the same payload.
void makeEcho(ScriptedServer &server)
{
    server.onRequest = [](ScriptedServer::Peer &p) { p.socket->write(ScriptedServer::upgradeResponse(p.key)); };
    server.onFrame = [](ScriptedServer::Peer &p, const ClientFrame &f) {
        if (f.opcode == 0x1 || f.opcode == 0x2)
            p.socket->write(ScriptedServer::frame(quint8(0x80 | f.opcode), f.payload));
        else if (f.opcode == 0x8)
            p.socket->write(ScriptedServer::frame(0x88, f.payload));
    };
}

} // namespace

class tst_Threading : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void blockingClientInThreadWithoutEventLoop();
    void sendFromFourThreads();
};

void tst_Threading::blockingClientInThreadWithoutEventLoop()
{
    ScriptedServer server;
    makeEcho(server);
    const QUrl url = server.url();
    std::atomic<bool> done{false};
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
                if (!m.isValid() || m.data != payload || m.opcode != (i % 2 ? Opcode::Binary : Opcode::Text)) {
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
    QTRY_VERIFY_WITH_TIMEOUT(done.load(), Wait);
    worker->wait();
    delete worker;
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(echoed, 200);
    QCOMPARE(closeCode, 4001);
    QCOMPARE(server.clientCloseCode(), 4001);
}

void tst_Threading::sendFromFourThreads()
{
    ScriptedServer server;
    makeEcho(server);
    WebSocket ws;
    ws.open(server.url());
    QVERIFY(ws.waitForConnected(Wait));

    constexpr int Threads = 4;
    constexpr int PerThread = 2000;
    std::atomic<int> accepted{0};
    std::vector<std::thread> senders;
    for (int t = 0; t < Threads; ++t) {
        senders.emplace_back([&ws, &accepted, t] {
            for (int i = 0; i < PerThread; ++i) {
                if (ws.sendText(QStringLiteral("%1:%2").arg(t).arg(i)) >= 0)
                    ++accepted;
            }
        });
    }
    // The senders' frames are written by this (the owner) thread's event loop, meanwhile.
    QTRY_COMPARE_WITH_TIMEOUT(accepted.load(), Threads * PerThread, Wait);
    for (auto &s : senders)
        s.join();
    QTRY_COMPARE_WITH_TIMEOUT(server.frames().size(), Threads * PerThread, Wait);

    int next[Threads] = {};
    const QList<ClientFrame> frames = server.frames();
    for (const ClientFrame &f : frames) {
        const QList<QByteArray> parts = f.payload.split(':');
        QCOMPARE(parts.size(), 2);
        const int t = parts.at(0).toInt();
        QVERIFY(t >= 0 && t < Threads);
        QCOMPARE(parts.at(1).toInt(), next[t]); // each thread's order kept
        ++next[t];
    }
    for (int t = 0; t < Threads; ++t)
        QCOMPARE(next[t], PerThread);
    ws.close();
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), WebSocket::State::Unconnected, Wait);
}

QTEST_MAIN(tst_Threading)
#include "tst_threading.moc"
