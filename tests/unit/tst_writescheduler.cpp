// WriteScheduler over a real loopback TCP connection: when frames reach the kernel (held during a
// dispatch, flushed at the end of the pass), their order across the small, large and direct paths,
// the send-buffer bound, other threads' queue, and the delivery accounting.

#include "protocol/frameparser.h"
#include "protocol/messagewriter.h"
#include "transport/deviceadapter.h"
#include "transport/writescheduler.h"

#include <QtCore/qcoreapplication.h>
#include <QtNetwork/qnetworkproxy.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>
#include <QtTest/qtest.h>

#include <sys/socket.h>

#include <thread>

using namespace WsClient;
using namespace WsClient::Protocol;
using WsClient::Transport::DeviceAdapter;
using WsClient::Transport::WriteScheduler;

namespace {

struct CountingWakeup : WriteScheduler::Wakeup
{
    std::atomic<int> posts { 0 };
    void postFlush() override { ++posts; }
    bool wantsWrittenReports() const override { return reports; }
    bool reports = true;
};

struct IgnoringListener : DeviceAdapter::Listener
{
    void deviceReadyRead() override { }
    void deviceBytesWritten(qint64) override { }
    void deviceEnded() override { }
};

// A client socket connected to a server socket on 127.0.0.1, both on this thread.
struct Loopback
{
    QTcpServer server;
    QTcpSocket client;
    QTcpSocket *peer = nullptr;

    bool connect(int receiveBuffer = 0, bool direct = true)
    {
        if (!server.listen(QHostAddress::LocalHost))
            return false;
        if (direct)
            client.setProxy(QNetworkProxy::NoProxy); // as the Connector does: the descriptor is used directly
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        if (!client.waitForConnected(5000) || !server.waitForNewConnection(5000))
            return false;
        peer = server.nextPendingConnection();
        if (receiveBuffer > 0) {
            peer->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, receiveBuffer);
            client.setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, receiveBuffer);
        }
        return peer != nullptr;
    }

    // Everything the peer can read within \a msecs, decoded as client frames.
    QList<QByteArray> frames(qsizetype expected, int msecs = 5000)
    {
        QList<QByteArray> out;
        FrameParser::Config config;
        config.expectMasked = true;
        config.maxFrameSize = 1 << 30;
        FrameParser parser(config);
        QByteArray pending;
        QDeadlineTimer deadline(msecs);
        while (out.size() < expected && !deadline.hasExpired()) {
            client.flush();
            if (peer->bytesAvailable() == 0 && !peer->waitForReadyRead(20)) {
                client.waitForBytesWritten(20);
                continue;
            }
            pending += peer->readAll();
            for (;;) {
                qsizetype used = 0;
                const auto status = parser.parse(pending.data(), pending.size(), &used);
                pending.remove(0, used);
                if (status != FrameParser::Status::Frame)
                    break;
                out.append(parser.payload().toByteArray());
            }
        }
        return out;
    }
};

// A scheduler writing to the client end of a Loopback.
struct Rig
{
    Loopback loop;
    DeviceAdapter device;
    IgnoringListener listener;
    CountingWakeup wakeup;
    QObject context;
    WriteScheduler scheduler { device, &context, &wakeup };

    bool connect(int receiveBuffer = 0, bool direct = true)
    {
        if (!loop.connect(receiveBuffer, direct))
            return false;
        device.attach(&loop.client, false, &context, &listener);
        return true;
    }
};

FrameHeader header(Opcode opcode, qsizetype size, bool fin = true)
{
    FrameHeader h;
    h.opcode = opcode;
    h.fin = fin;
    h.masked = true;
    h.maskKey = { 1, 2, 3, 4 };
    h.payloadLength = quint64(size);
    return h;
}

QByteArray pattern(qsizetype size, char seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(seed + i * 7 + i / 251);
    return bytes;
}

} // namespace

class tst_WriteScheduler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void smallFramesWaitForTheEndOfThePass();
    void heldDuringDispatchWrittenOnceAtTheEnd();
    void replyToTheLastOfTheInputGoesAtOnce();
    void directWritesPostNothingWhenNobodyListens();
    void orderAcrossSmallLargeAndBufferedPaths();
    void largeFrameToAStalledPeerStaysInOrder();
    void sendBufferBound();
    void otherThreadsQueueInOrderAndCount();
    void deliveryAccounting();
    void resetForgetsTheLastConnection();
    void otherDevicesGoThroughQt();
};

void tst_WriteScheduler::smallFramesWaitForTheEndOfThePass()
{
    Rig rig;
    QVERIFY(rig.connect());
    Loopback &loop = rig.loop;
    DeviceAdapter &device = rig.device;
    CountingWakeup &wakeup = rig.wakeup;
    WriteScheduler &scheduler = rig.scheduler;
    QVERIFY(device.isDirect());
    scheduler.writeFrame(header(Opcode::Text, 5), "hello");
    scheduler.writeFrame(header(Opcode::Text, 5), "world");
    // Held until the pass ends: one wake-up for both, nothing handed to the kernel yet.
    QCOMPARE(wakeup.posts.load(), 1);
    QCOMPARE(scheduler.handed(), 0);
    QCOMPARE(scheduler.bytesToWrite(), 2 * (2 + 4 + 5));
    scheduler.flushPosted();
    QCOMPARE(scheduler.handed(), 2 * (2 + 4 + 5));
    QCOMPARE(scheduler.bytesToWrite(), 0);
    QCOMPARE(scheduler.takeDirectlyWritten(), 2 * (2 + 4 + 5)); // to be reported as bytesWritten()
    QCOMPARE(scheduler.takeDirectlyWritten(), 0);
    QCOMPARE(loop.frames(2), (QList<QByteArray> { "hello", "world" }));
}

void tst_WriteScheduler::heldDuringDispatchWrittenOnceAtTheEnd()
{
    Rig rig;
    QVERIFY(rig.connect());
    Loopback &loop = rig.loop;
    WriteScheduler &scheduler = rig.scheduler;
    scheduler.beginDispatch();
    scheduler.beginDispatch(); // nested
    for (int i = 0; i < 10; ++i)
        scheduler.writeFrame(header(Opcode::Binary, 3), QByteArray::number(100 + i));
    QCOMPARE(scheduler.handed(), 0);
    scheduler.endDispatch();
    QCOMPARE(scheduler.handed(), 0); // still inside the outer dispatch
    scheduler.endDispatch();
    QCOMPARE(scheduler.handed(), 10 * (2 + 4 + 3));
    const QList<QByteArray> frames = loop.frames(10);
    QCOMPARE(frames.size(), 10);
    for (int i = 0; i < 10; ++i)
        QCOMPARE(frames.at(i), QByteArray::number(100 + i));
}

// A round trip: the reply to the input's last message needs no timer and no posted flush.
void tst_WriteScheduler::replyToTheLastOfTheInputGoesAtOnce()
{
    Rig rig;
    QVERIFY(rig.connect());
    Loopback &loop = rig.loop;
    WriteScheduler &scheduler = rig.scheduler;
    scheduler.beginDispatch();
    scheduler.writeFrame(header(Opcode::Binary, 3), "one"); // an earlier message's reply: held
    QCOMPARE(scheduler.handed(), 0);
    scheduler.setDispatchingLastOfInput(true);
    scheduler.writeFrame(header(Opcode::Binary, 3), "two"); // goes at once, with the held one
    QCOMPARE(scheduler.handed(), 2 * (2 + 4 + 3));
    scheduler.writeFrame(header(Opcode::Binary, 5), "three"); // a burst's rest is held again
    QCOMPARE(scheduler.handed(), 2 * (2 + 4 + 3));
    scheduler.endDispatch();
    QCOMPARE(scheduler.handed(), 2 * (2 + 4 + 3) + 2 + 4 + 5);
    QCOMPARE(loop.frames(3), (QList<QByteArray> { "one", "two", "three" }));
    // A new dispatch starts without the mark.
    scheduler.beginDispatch();
    scheduler.writeFrame(header(Opcode::Binary, 4), "four");
    QCOMPARE(scheduler.handed(), 3 * (2 + 4) + 3 + 3 + 5);
    scheduler.endDispatch();
    QCOMPARE(loop.frames(1), (QList<QByteArray> { "four" }));
}

// bytesWritten() for bytes the kernel took is reported from a posted flush; with nobody to report
// to, nothing is posted (a post wakes the event loop: two system calls per message).
void tst_WriteScheduler::directWritesPostNothingWhenNobodyListens()
{
    for (const bool reports : { true, false }) {
        Rig rig;
        QVERIFY(rig.connect());
        rig.wakeup.reports = reports;
        WriteScheduler &scheduler = rig.scheduler;
        scheduler.beginDispatch();
        scheduler.writeFrame(header(Opcode::Binary, 3), "abc");
        scheduler.endDispatch();
        QCOMPARE(scheduler.handed(), 2 + 4 + 3);
        QCOMPARE(rig.wakeup.posts.load(), reports ? 1 : 0);
        QCOMPARE(scheduler.hasDirectlyWritten(), reports);
        const QByteArray large = pattern(8 * 1024, 'l'); // sent past the held buffer, taken whole
        scheduler.writeFrame(header(Opcode::Binary, large.size()), large);
        QCOMPARE(rig.wakeup.posts.load(), reports ? 1 : 0); // one post covers the pass
        QCOMPARE(scheduler.takeDirectlyWritten(), reports ? 2 + 4 + 3 + 2 + 2 + 4 + large.size() : 0);
        QCOMPARE(rig.loop.frames(2).size(), 2);
    }
}

void tst_WriteScheduler::orderAcrossSmallLargeAndBufferedPaths()
{
    Rig rig;
    QVERIFY(rig.connect());
    Loopback &loop = rig.loop;
    WriteScheduler &scheduler = rig.scheduler;
    const QByteArray large = pattern(300 * 1024, 'a');
    const QByteArray medium = pattern(5000, 'b');
    scheduler.writeFrame(header(Opcode::Text, 5), "first");
    scheduler.writeFrame(header(Opcode::Binary, large.size()), large); // flushes "first" before it
    scheduler.writeFrame(header(Opcode::Text, 6), "second");
    scheduler.writeFrame(header(Opcode::Binary, medium.size()), medium);
    scheduler.writeFrame(header(Opcode::Text, 5), "third");
    scheduler.flushPosted();
    const QList<QByteArray> frames = loop.frames(5);
    QCOMPARE(frames.size(), 5);
    QCOMPARE(frames.at(0), QByteArray("first"));
    QVERIFY(frames.at(1) == large);
    QCOMPARE(frames.at(2), QByteArray("second"));
    QVERIFY(frames.at(3) == medium);
    QCOMPARE(frames.at(4), QByteArray("third"));
}

void tst_WriteScheduler::largeFrameToAStalledPeerStaysInOrder()
{
    Rig rig;
    QVERIFY(rig.connect(64 * 1024));
    Loopback &loop = rig.loop;
    WriteScheduler &scheduler = rig.scheduler;
    const QByteArray large = pattern(8 * 1024 * 1024, 'x');
    scheduler.writeFrame(header(Opcode::Binary, large.size()), large);
    // The kernel took what fits; the rest waits, masked once, in the socket's buffer.
    const qint64 waiting = scheduler.bytesToWrite();
    QVERIFY2(waiting > 4 * 1024 * 1024, qPrintable(QString::number(waiting)));
    QVERIFY(scheduler.handed() > 0);
    QCOMPARE(scheduler.handed() + waiting, qint64(large.size()) + 2 + 8 + 4);
    scheduler.writeFrame(header(Opcode::Text, 5), "after");
    scheduler.flushPosted(); // Qt's buffer is not empty: the small frame goes behind it, not past it
    const QList<QByteArray> frames = loop.frames(2, 20000);
    QCOMPARE(frames.size(), 2);
    QVERIFY(frames.at(0) == large);
    QCOMPARE(frames.at(1), QByteArray("after"));
}

void tst_WriteScheduler::sendBufferBound()
{
    Rig rig;
    QVERIFY(rig.connect(64 * 1024));
    Loopback &loop = rig.loop;
    WriteScheduler &scheduler = rig.scheduler;
    QVERIFY(scheduler.accepts(1 << 30)); // no bound set
    scheduler.setLimit(1024 * 1024);
    QVERIFY(scheduler.accepts(4 * 1024 * 1024)); // larger than the bound, but nothing waits
    const QByteArray large = pattern(4 * 1024 * 1024, 'y');
    scheduler.writeFrame(header(Opcode::Binary, large.size()), large);
    QVERIFY(scheduler.bytesToWrite() > 1024 * 1024);
    QVERIFY(!scheduler.accepts(1));
    // The peer reads: the bound lets sends in again once the buffer has drained.
    QCOMPARE(loop.frames(1, 20000).size(), 1);
    scheduler.noteProgress();
    QCOMPARE(scheduler.bytesToWrite(), 0);
    QVERIFY(scheduler.accepts(1024 * 1024));
    QVERIFY(scheduler.accepts(1024 * 1024 + 1)); // empty: anything goes
}

void tst_WriteScheduler::otherThreadsQueueInOrderAndCount()
{
    Rig rig;
    QVERIFY(rig.connect());
    CountingWakeup &wakeup = rig.wakeup;
    WriteScheduler &scheduler = rig.scheduler;
    QVERIFY(!scheduler.hasCrossThreadSenders());
    std::thread sender([&] {
        for (int i = 0; i < 100; ++i)
            scheduler.queue({ WriteScheduler::Pending::Kind::Message, Opcode::Text, true, 0, QByteArray::number(i) });
    });
    sender.join();
    QCOMPARE(wakeup.posts.load(), 1); // one wake-up until the owner has taken the queue
    QVERIFY(scheduler.hasPending());
    QVERIFY(scheduler.hasCrossThreadSenders());
    qint64 bytes = 0;
    for (int i = 0; i < 100; ++i)
        bytes += QByteArray::number(i).size();
    QCOMPARE(scheduler.bytesToWrite(), bytes);
    QCOMPARE(scheduler.undelivered().messages, 100);
    const QList<WriteScheduler::Pending> taken = scheduler.takePending();
    QCOMPARE(taken.size(), 100);
    for (int i = 0; i < 100; ++i)
        QCOMPARE(taken.at(i).payload, QByteArray::number(i));
    QVERIFY(!scheduler.hasPending());
    QCOMPARE(scheduler.bytesToWrite(), 0);
    scheduler.queue({ WriteScheduler::Pending::Kind::Message, Opcode::Text, true, 0, "again" });
    QCOMPARE(wakeup.posts.load(), 2);
}

void tst_WriteScheduler::deliveryAccounting()
{
    Rig rig;
    QVERIFY(rig.connect(64 * 1024));
    Loopback &loop = rig.loop;
    WriteScheduler &scheduler = rig.scheduler;
    // Two fragments of one message, a ping, then a message of 8 MiB that the kernel cannot take whole.
    scheduler.writeFrame(header(Opcode::Text, 3, false), "abc");
    scheduler.writeFrame(header(Opcode::Continuation, 3, true), "def");
    scheduler.writeFrame(header(Opcode::Ping, 1), "p");
    QCOMPARE(scheduler.undelivered().messages, 1); // held, not handed yet; the ping is no message
    scheduler.flushPosted();
    QCOMPARE(scheduler.undelivered().messages, 0);
    const QByteArray large = pattern(8 * 1024 * 1024, 'z');
    scheduler.writeFrame(header(Opcode::Binary, large.size()), large);
    scheduler.writeFrame(header(Opcode::Close, 2), QByteArray("\x03\xe8", 2));
    scheduler.flushPosted();
    QCOMPARE(scheduler.undelivered().messages, 1);
    QVERIFY(scheduler.undelivered().bytes > 4 * 1024 * 1024);
    QVERIFY(!scheduler.closeFrameHanded());
    scheduler.addDropped(10, 1); // a send accepted on another thread that the owner could not write
    QCOMPARE(scheduler.undelivered().messages, 2);
    QCOMPARE(loop.frames(5, 20000).size(), 5);
    scheduler.noteProgress();
    QVERIFY(scheduler.closeFrameHanded());
    QCOMPARE(scheduler.undelivered().messages, 1);
    QCOMPARE(scheduler.undelivered().bytes, 10);
}

void tst_WriteScheduler::resetForgetsTheLastConnection()
{
    Rig rig;
    QVERIFY(rig.connect());
    DeviceAdapter &device = rig.device;
    WriteScheduler &scheduler = rig.scheduler;
    scheduler.writeFrame(header(Opcode::Text, 2), "hi");
    scheduler.writeFrame(header(Opcode::Close, 0), {});
    scheduler.queue({ WriteScheduler::Pending::Kind::Message, Opcode::Text, true, 0, "later" });
    scheduler.addDropped(3, 1);
    device.release();
    scheduler.reset();
    QCOMPARE(scheduler.bytesToWrite(), 0);
    QCOMPARE(scheduler.handed(), 0);
    QCOMPARE(scheduler.undelivered().bytes, 0);
    QCOMPARE(scheduler.undelivered().messages, 0);
    QVERIFY(!scheduler.closeFrameHanded());
    QVERIFY(!scheduler.hasPending());
}

// A socket whose descriptor may not be used directly (here: a Qt proxy setting): everything goes
// through QIODevice::write() at once, in order.
void tst_WriteScheduler::otherDevicesGoThroughQt()
{
    Rig rig;
    QVERIFY(rig.connect(0, false));
    Loopback &loop = rig.loop;
    DeviceAdapter &device = rig.device;
    WriteScheduler &scheduler = rig.scheduler;
    QVERIFY(!device.isDirect());
    scheduler.beginDispatch();
    scheduler.writeFrame(header(Opcode::Text, 3), "one");
    QCOMPARE(scheduler.bytesToWrite(), 2 + 4 + 3); // in Qt's buffer, not held
    QCOMPARE(loop.client.bytesToWrite(), 2 + 4 + 3);
    const QByteArray large = pattern(100 * 1024, 'q');
    scheduler.writeFrame(header(Opcode::Binary, large.size()), large);
    scheduler.writeFrame(header(Opcode::Text, 3), "two");
    scheduler.endDispatch();
    QCOMPARE(scheduler.takeDirectlyWritten(), 0);
    const QList<QByteArray> frames = loop.frames(3);
    QCOMPARE(frames.size(), 3);
    QCOMPARE(frames.at(0), QByteArray("one"));
    QVERIFY(frames.at(1) == large);
    QCOMPARE(frames.at(2), QByteArray("two"));
}

QTEST_GUILESS_MAIN(tst_WriteScheduler)
#include "tst_writescheduler.moc"
