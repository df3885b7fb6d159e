// Threads: the blocking API in a worker thread, sending from other threads, a WebSocket living in
// a thread of its own (docs/threading.md).
#include "snippetenv.h"

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qthread.h>

#include <thread>
#include <vector>

namespace {

void blockingWorker(const QUrl &url)
{
    //! [worker]
    // A thread without an event loop: the blocking calls drive the connection themselves.
    QThread *worker = QThread::create([url] {
        auto ws = WsClient::WebSocket::connectTo(url); // created, used and deleted in this thread
        for (int i = 1; i <= 3; ++i) {
            ws->sendText(QStringLiteral("job %1").arg(i));
            qInfo().noquote() << "worker got" << ws->receive(5000).text();
        }
        ws->close();
        ws->waitForDisconnected();
    });
    worker->start();
    worker->wait();
    delete worker;
    //! [worker]
}

void sendFromThreads(const QUrl &url)
{
    //! [send-any-thread]
    WsClient::WebSocket ws; // belongs to this thread, which runs an event loop
    int received = 0;
    QEventLoop loop;
    QObject::connect(&ws, &WsClient::WebSocket::textMessageReceived, &loop, [&](const QString &) {
        if (++received == 4 * 100)
            loop.quit();
    });
    ws.open(url);
    ws.waitForConnected(5000);

    std::vector<std::thread> senders;
    for (int t = 0; t < 4; ++t) {
        senders.emplace_back([&ws, t] {
            for (int i = 0; i < 100; ++i)
                ws.sendText(QStringLiteral("%1:%2").arg(t).arg(i)); // safe from any thread, order kept
        });
    }
    loop.exec(); // the sockets' thread writes what the senders queued, and receives
    for (std::thread &sender : senders)
        sender.join();
    qInfo() << "echoes received:" << received;
    //! [send-any-thread]
    ws.close();
    ws.waitForDisconnected();
}

void ownThread(const QUrl &url)
{
    //! [affinity]
    // A WebSocket is a QObject: it lives in the thread it was created in, or moved to, and its
    // signals are emitted there. Give it a thread of its own with an event loop:
    QThread network;
    auto *ws = new WsClient::WebSocket;
    ws->moveToThread(&network);
    QObject::connect(&network, &QThread::finished, ws, &QObject::deleteLater);
    network.start();

    QEventLoop loop; // stands for the GUI thread's event loop
    QObject::connect(ws, &WsClient::WebSocket::textMessageReceived, &loop, [&](const QString &message) {
        // A queued connection: this runs in the receiver's (here: the main) thread.
        qInfo().noquote() << "main thread got" << message
                          << (QThread::currentThread() == qApp->thread() ? "(in the main thread)" : "");
        loop.quit();
    });
    QObject::connect(ws, &WsClient::WebSocket::connected, ws, [ws] {
        ws->sendText(QStringLiteral("from the network thread")); // runs in the network thread
    });
    // Calls that are not thread-safe go through the object's thread:
    QMetaObject::invokeMethod(ws, [ws, url] { ws->open(url); });
    loop.exec();

    // Closing: the thread ends once the closing handshake is done, and deletes the socket.
    QObject::connect(ws, &WsClient::WebSocket::disconnected, ws, [&network] { network.quit(); });
    QMetaObject::invokeMethod(ws, [ws] { ws->close(); });
    network.wait();
    //! [affinity]
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QUrl url = Snippet::url(QStringLiteral("/"));
    blockingWorker(url);
    sendFromThreads(url);
    ownThread(url);
    return 0;
}
