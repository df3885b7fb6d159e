#pragma once

// A small SOCKS4/4a/5 server (no authentication) on 127.0.0.1 for tests: it records each request
// (so tests can see whether a name or an address was sent) and either relays to the target or
// misbehaves as scripted. Runs on its own thread, so blocking clients on the test thread get answers.

#include <QtCore/qbytearray.h>
#include <QtCore/qendian.h>
#include <QtCore/qlist.h>
#include <QtCore/qmutex.h>
#include <QtCore/qthread.h>
#include <QtNetwork/qhostinfo.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>

class SocksRecorder
{
public:
    enum class Behaviour {
        Relay, // connect to the target and pipe bytes both ways
        CloseAtOnce, // close the connection as soon as the greeting arrives
        Garbage, // answer the greeting with bytes no SOCKS server sends
        Silent, // read everything, answer nothing
        RefuseRequest, // answer the connect request with replyCode
    };

    struct Request
    {
        int version = 0; // 4 or 5
        bool byName = false; // SOCKS4a name / SOCKS5 ATYP 3
        QString host; // the name, or the address as text
        quint16 port = 0;
    };

    explicit SocksRecorder(Behaviour behaviour, quint8 replyCode = 0)
        : m_behaviour(behaviour), m_replyCode(replyCode)
    {
        m_thread.start();
        m_server = new QTcpServer;
        m_server->moveToThread(&m_thread);
        QMetaObject::invokeMethod(
            m_server,
            [this] {
                QObject::connect(m_server, &QTcpServer::newConnection, m_server, [this] { accept(); });
                m_server->listen(QHostAddress::LocalHost, 0);
                m_port = m_server->serverPort();
            },
            Qt::BlockingQueuedConnection);
    }

    ~SocksRecorder()
    {
        QMetaObject::invokeMethod(
            m_server, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    quint16 port() const { return m_port; }
    QList<Request> requests() const
    {
        QMutexLocker lock(&m_mutex);
        return m_requests;
    }

private:
    void accept()
    {
        while (QTcpSocket *client = m_server->nextPendingConnection()) {
            auto *buffer = new QByteArray;
            QObject::connect(client, &QObject::destroyed, [buffer] { delete buffer; });
            QObject::connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
            QObject::connect(client, &QTcpSocket::readyRead, client, [this, client, buffer] {
                if (client->property("relaying").toBool())
                    return; // the relay's own connection forwards the bytes
                buffer->append(client->readAll());
                process(client, *buffer);
            });
        }
    }

    void process(QTcpSocket *client, QByteArray &in)
    {
        if (client->property("relaying").toBool() || in.isEmpty())
            return;
        switch (m_behaviour) {
        case Behaviour::CloseAtOnce:
            client->disconnectFromHost();
            return;
        case Behaviour::Garbage:
            client->write(QByteArrayLiteral("\x17\x42garbage"));
            in.clear();
            return;
        case Behaviour::Silent:
            in.clear();
            return;
        default:
            break;
        }
        if (in.at(0) == 4)
            processSocks4(client, in);
        else if (in.at(0) == 5)
            processSocks5(client, in);
        else
            client->abort();
    }

    void processSocks4(QTcpSocket *client, QByteArray &in)
    {
        const qsizetype userEnd = in.indexOf('\0', 8);
        if (in.size() < 9 || userEnd < 0)
            return;
        Request request;
        request.version = 4;
        request.port = quint16((quint8(in.at(2)) << 8) | quint8(in.at(3)));
        const bool named = in.at(4) == 0 && in.at(5) == 0 && in.at(6) == 0 && in.at(7) != 0;
        if (named) {
            const qsizetype nameEnd = in.indexOf('\0', userEnd + 1);
            if (nameEnd < 0)
                return;
            request.byName = true;
            request.host = QString::fromUtf8(in.mid(userEnd + 1, nameEnd - userEnd - 1));
        } else {
            request.host = QHostAddress(qFromBigEndian<quint32>(in.constData() + 4)).toString();
        }
        in.clear();
        record(request);
        const bool ok = m_behaviour == Behaviour::Relay && relay(client, request);
        client->write(QByteArray("\0", 1) + char(ok ? 90 : 91) + QByteArray(6, '\0'));
        if (!ok)
            client->disconnectFromHost();
    }

    void processSocks5(QTcpSocket *client, QByteArray &in)
    {
        if (!client->property("greeted").toBool()) {
            if (in.size() < 2 || in.size() < 2 + quint8(in.at(1)))
                return;
            in.remove(0, 2 + quint8(in.at(1)));
            client->setProperty("greeted", true);
            client->write(QByteArray("\5\0", 2));
        }
        if (in.size() < 5)
            return;
        Request request;
        request.version = 5;
        qsizetype portAt;
        if (in.at(3) == 1) {
            portAt = 8;
            request.host = QHostAddress(qFromBigEndian<quint32>(in.constData() + 4)).toString();
        } else if (in.at(3) == 3) {
            portAt = 5 + quint8(in.at(4));
            request.byName = true;
            request.host = QString::fromUtf8(in.mid(5, quint8(in.at(4))));
        } else {
            portAt = 20;
            request.host = QHostAddress(reinterpret_cast<const quint8 *>(in.constData() + 4)).toString();
        }
        if (in.size() < portAt + 2)
            return;
        request.port = quint16((quint8(in.at(portAt)) << 8) | quint8(in.at(portAt + 1)));
        in.clear();
        record(request);
        const bool ok = m_behaviour == Behaviour::Relay && relay(client, request);
        const char code = char(ok ? 0 : (m_replyCode ? m_replyCode : 1));
        client->write(QByteArray("\5", 1) + code + QByteArray("\0\1\0\0\0\0\0\0", 8));
        if (!ok)
            client->disconnectFromHost();
    }

    bool relay(QTcpSocket *client, const Request &request)
    {
        auto *upstream = new QTcpSocket(client);
        const QHostInfo info = QHostInfo::fromName(request.host);
        if (info.addresses().isEmpty())
            return false;
        upstream->connectToHost(info.addresses().constFirst(), request.port);
        if (!upstream->waitForConnected(5000))
            return false;
        client->setProperty("relaying", true);
        QObject::connect(upstream, &QTcpSocket::readyRead, client,
            [client, upstream] { client->write(upstream->readAll()); });
        QObject::connect(client, &QTcpSocket::readyRead, upstream,
            [client, upstream] { upstream->write(client->readAll()); });
        QObject::connect(upstream, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
        QObject::connect(client, &QTcpSocket::disconnected, upstream, &QTcpSocket::disconnectFromHost);
        return true;
    }

    void record(const Request &request)
    {
        QMutexLocker lock(&m_mutex);
        m_requests.append(request);
    }

    Behaviour m_behaviour;
    quint8 m_replyCode;
    QThread m_thread;
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    QList<Request> m_requests;
};
