#pragma once

// A hostile WebSocket server for conformance tests: a QTcpServer on 127.0.0.1 that answers the
// opening handshake and then writes exactly the bytes a test scripts, and decodes what the client
// sends back (so tests can assert the Close code the client chose).

#include <QtCore/qbytearray.h>
#include <QtCore/qcryptographichash.h>
#include <QtCore/qlist.h>
#include <QtCore/qmutex.h>
#include <QtCore/qpointer.h>
#include <QtCore/qthread.h>
#include <QtCore/qurl.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>

#include <functional>

struct ClientFrame
{
    quint8 opcode = 0;
    bool fin = true;
    bool masked = false;
    quint8 rsv = 0; // RSV1..3 as bits 4, 2, 1
    QByteArray maskKey;
    QByteArray payload; // unmasked

    int closeCode() const
    {
        return payload.size() >= 2 ? (quint8(payload[0]) << 8) | quint8(payload[1]) : 1005;
    }
};

// Runs on its own thread, so that a client blocking the test's thread (connectTo, receive) still
// gets answers. The scripts run on the server thread; the accessors return copies under a lock.
class ScriptedServer
{
public:
    struct Peer
    {
        QPointer<QTcpSocket> socket;
        QByteArray request; // the HTTP request head
        QByteArray key; // Sec-WebSocket-Key
        QByteArray received; // bytes after the request head
        bool handshakeDone = false;
        bool paused = false; // see pauseReading()
        QList<ClientFrame> frames;
    };

    /*!
        From a script: stops reading from \a peer, so that what the client sends backs up into the
        kernels' buffers and its writes stall; resumeReading() lets it through.
    */
    static void pauseReading(Peer &peer)
    {
        peer.paused = true;
        peer.socket->setReadBufferSize(1);
    }
    /*! Reads from connection \a index again, and decodes what waited. */
    void resumeReading(int index = 0)
    {
        QMetaObject::invokeMethod(
            m_listener,
            [this, index] {
                QMutexLocker lock(&m_mutex);
                Peer &peer = m_peers[index];
                peer.paused = false;
                peer.socket->setReadBufferSize(0);
                onReadyRead(peer);
            },
            Qt::BlockingQueuedConnection);
    }

    /*! Called on the server thread once the request head has arrived; writes the response. */
    std::function<void(Peer &)> onRequest;
    /*! Called on the server thread after each decoded client frame. */
    std::function<void(Peer &, const ClientFrame &)> onFrame;

    ScriptedServer()
    {
        m_thread.start();
        m_listener = new QTcpServer;
        m_listener->moveToThread(&m_thread);
        QMetaObject::invokeMethod(
            m_listener,
            [this] {
                QObject::connect(m_listener, &QTcpServer::newConnection, m_listener, [this] { accept(); });
                m_listener->listen(QHostAddress::LocalHost, 0);
                m_port = m_listener->serverPort();
            },
            Qt::BlockingQueuedConnection);
    }

    ~ScriptedServer()
    {
        QMetaObject::invokeMethod(
            m_listener,
            [this] {
                for (Peer &p : m_peers)
                    delete p.socket;
                delete m_listener;
            },
            Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    quint16 port() const { return m_port; }
    QUrl url(const QString &path = QStringLiteral("/")) const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1%2").arg(port()).arg(path));
    }
    int connectionCount() const
    {
        QMutexLocker lock(&m_mutex);
        return int(m_peers.size());
    }
    /*! How many client connections the server has seen end. */
    int disconnectionCount() const
    {
        QMutexLocker lock(&m_mutex);
        return m_disconnections;
    }
    /*! The frames the client sent on connection \a index so far. */
    QList<ClientFrame> frames(int index = 0) const
    {
        QMutexLocker lock(&m_mutex);
        return index < m_peers.size() ? m_peers.at(index).frames : QList<ClientFrame>();
    }

    /*! The close code of the first Close frame the client sent on any connection, or -1. */
    int clientCloseCode() const
    {
        QMutexLocker lock(&m_mutex);
        for (const Peer &p : m_peers) {
            for (const ClientFrame &f : p.frames) {
                if (f.opcode == 0x8)
                    return f.closeCode();
            }
        }
        return -1;
    }

    static QByteArray acceptKey(const QByteArray &key)
    {
        return QCryptographicHash::hash(
            QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"), QCryptographicHash::Sha1)
            .toBase64();
    }

    static QByteArray upgradeResponse(const QByteArray &key, const QByteArray &extraHeaders = {})
    {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Accept: "
            + acceptKey(key) + "\r\n" + extraHeaders + "\r\n";
    }

    /*! A server frame: \a firstByte is FIN|RSV|opcode as on the wire; length encoded minimally. */
    static QByteArray frame(quint8 firstByte, const QByteArray &payload)
    {
        QByteArray out;
        out.append(char(firstByte));
        const qsizetype n = payload.size();
        if (n < 126) {
            out.append(char(n));
        } else if (n <= 0xFFFF) {
            out.append(char(126));
            out.append(char(n >> 8));
            out.append(char(n & 0xFF));
        } else {
            out.append(char(127));
            for (int i = 7; i >= 0; --i)
                out.append(char((quint64(n) >> (8 * i)) & 0xFF));
        }
        return out + payload;
    }

    static QByteArray closePayload(int code, const QByteArray &reason = {})
    {
        QByteArray p;
        p.append(char(code >> 8));
        p.append(char(code & 0xFF));
        return p + reason;
    }

private:
    void accept()
    {
        while (QTcpSocket *s = m_listener->nextPendingConnection()) {
            QMutexLocker lock(&m_mutex);
            m_peers.append(Peer {});
            const int index = int(m_peers.size()) - 1;
            m_peers[index].socket = s;
            QObject::connect(s, &QTcpSocket::readyRead, m_listener, [this, index] {
                QMutexLocker peerLock(&m_mutex);
                onReadyRead(m_peers[index]);
            });
            QObject::connect(s, &QTcpSocket::disconnected, m_listener, [this] {
                QMutexLocker peerLock(&m_mutex);
                ++m_disconnections;
            });
        }
    }

    void onReadyRead(Peer &peer)
    {
        if (!peer.socket || peer.paused)
            return;
        if (!peer.handshakeDone) {
            peer.request += peer.socket->readAll();
            const qsizetype end = peer.request.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            peer.received = peer.request.mid(end + 4);
            peer.request.truncate(end + 4);
            for (const QByteArray &line : peer.request.split('\n')) {
                if (line.toLower().startsWith("sec-websocket-key:"))
                    peer.key = line.mid(line.indexOf(':') + 1).trimmed();
            }
            peer.handshakeDone = true;
            if (onRequest)
                onRequest(peer);
        } else {
            peer.received += peer.socket->readAll();
        }
        decodeFrames(peer);
    }

    void decodeFrames(Peer &peer)
    {
        for (;;) {
            const QByteArray &b = peer.received;
            if (b.size() < 2)
                return;
            const quint8 b0 = quint8(b[0]), b1 = quint8(b[1]);
            qsizetype pos = 2;
            quint64 len = b1 & 0x7F;
            if (len == 126) {
                if (b.size() < 4)
                    return;
                len = (quint8(b[2]) << 8) | quint8(b[3]);
                pos = 4;
            } else if (len == 127) {
                if (b.size() < 10)
                    return;
                len = 0;
                for (int i = 0; i < 8; ++i)
                    len = (len << 8) | quint8(b[2 + i]);
                pos = 10;
            }
            const bool masked = b1 & 0x80;
            const qsizetype keyPos = pos;
            if (masked)
                pos += 4;
            if (quint64(b.size() - pos) < len)
                return;
            ClientFrame f;
            f.opcode = b0 & 0x0F;
            f.fin = b0 & 0x80;
            f.masked = masked;
            f.rsv = quint8((b0 >> 4) & 0x7);
            if (masked)
                f.maskKey = b.mid(keyPos, 4);
            f.payload = b.mid(pos, qsizetype(len));
            if (masked) {
                for (qsizetype i = 0; i < f.payload.size(); ++i)
                    f.payload[i] = char(f.payload[i] ^ b[keyPos + (i % 4)]);
            }
            peer.received.remove(0, pos + qsizetype(len));
            peer.frames.append(f);
            if (onFrame)
                onFrame(peer, f);
        }
    }

    QThread m_thread;
    QTcpServer *m_listener = nullptr;
    quint16 m_port = 0;
    mutable QRecursiveMutex m_mutex;
    QList<Peer> m_peers;
    int m_disconnections = 0;
};
