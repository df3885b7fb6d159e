#pragma once

#include <QtCore/qpointer.h>
#include <QtCore/qstring.h>
#include <QtNetwork/qhostaddress.h>

QT_BEGIN_NAMESPACE
class QAbstractSocket;
class QIODevice;
class QLocalSocket;
class QObject;
class QSocketNotifier;
QT_END_NAMESPACE

namespace WsClient::Transport {

/*!
    One face for every transport a connection runs over: a QTcpSocket or QSslSocket of its own, or
    a user's device (ConnectOptions::setDevice(): a socket, a QLocalSocket, any sequential
    QIODevice). It is the only place that tells them apart: how the end of the stream shows, how to
    close gracefully, how to wait, and whether the descriptor may be used directly (a plain TCP
    socket on Unix: send(2)/recv(2) past Qt's buffers).
*/
class DeviceAdapter
{
public:
    /*! What the device reports, delivered on the context object's thread. */
    class Listener
    {
    public:
        virtual ~Listener() = default;
        virtual void deviceReadyRead() = 0;
        virtual void deviceBytesWritten(qint64 bytes) = 0;
        /*! The stream ended (closed by the peer, reset, or closed by us). */
        virtual void deviceEnded() = 0;
    };

    DeviceAdapter() = default;
    ~DeviceAdapter() { release(); }
    DeviceAdapter(const DeviceAdapter &) = delete;
    DeviceAdapter &operator=(const DeviceAdapter &) = delete;

    /*! Takes \a device (deleted on release() when \a owned) and reports to \a listener via \a context. */
    void attach(QIODevice *device, bool owned, QObject *context, Listener *listener);
    /*! Lets go of the device: signals disconnected, an owned socket aborted and deleted later. */
    void release();

    bool isAttached() const { return !m_device.isNull(); }
    QIODevice *device() const { return m_device; }
    /*! True when the descriptor is read and written directly (a plain TCP socket). */
    bool isDirect() const { return m_direct; }
    /*!
        True for a direct socket opened QIODevice::Unbuffered (Connector does so when no proxy is
        in between): Qt keeps no read buffer, asks the kernel nothing before readyRead() (no
        FIONREAD), and each read() is one recv(2). Its reader reads until a read comes back short.
        A readyRead() not followed by a read silences the notifier until the next read (Qt does
        that for unbuffered sockets): a reader that stops reading (a full queue) does not make the
        event loop spin.
    */
    bool isUnbuffered() const { return m_unbuffered; }
    /*! Bytes readable without asking the kernel (Qt's buffer); an unbuffered socket has none. */
    qint64 bufferedBytes() const;
    /*!
        True when the read notifier of an unbuffered socket is off: Qt turns it off when it fires
        inside the socket's own readyRead() (a slot's nested event loop) and on again only with a
        read, so the reader must read once more before it may stop.
    */
    bool readNotifierSilenced() const;
    /*!
        Whether bytes may wait that no readyRead() will announce: Qt's buffer holds some, or the
        socket is silenced (its waitForReadyRead() then polls without emitting; a read resumes it).
    */
    bool hasUnannounced() const { return bufferedBytes() > 0 || readNotifierSilenced(); }
    /*!
        A count of the read notifications the thread's unbuffered sockets got so far (and of the
        blocking waits, which look at the socket too). A reader takes it before a read: see
        mayHoldUnannounced().
    */
    quint64 readNotifications() const;
    /*!
        After a short read, whether the kernel may still hold bytes no readyRead() will announce:
        Qt announces nothing inside the socket's own readyRead(), so a notification that came in a
        slot's nested event loop (counted since \a before, taken before the read) or a silenced
        notifier means the reader must read once more before it may stop.
    */
    bool mayHoldUnannounced(quint64 before) const;
    /*! True once a read met the end of the stream; unbuffered sockets emit no disconnected() then. */
    bool endedOnRead() const { return m_endedOnRead; }

    qint64 bytesAvailable() const;
    /*!
        Reads what Qt has buffered, or, on a direct socket whose buffer is empty, what the kernel
        has; on an unbuffered one, one recv(2).
    */
    qint64 read(char *data, qint64 maxSize);
    /*! Reads only what Qt has buffered (never the kernel). */
    qint64 readBuffered(char *data, qint64 maxSize);
    qint64 write(const char *data, qint64 size);
    qint64 write(const QByteArray &data);
    /*!
        On a direct socket with nothing in Qt's write buffer, hands what the kernel takes now of
        \a size bytes to it and returns how many; 0 otherwise (the caller writes through Qt then).
    */
    qint64 sendNow(const char *data, qint64 size);
    /*! Bytes waiting in Qt's write buffer. */
    qint64 bytesToWrite() const;
    bool flush();

    /*! Writes what is queued, then closes; deviceEnded() follows (at once when already closed). */
    void disconnectGracefully();
    /*! True when the stream has ended (or was never attached). */
    bool isUnconnected() const;
    /*! How the stream ended, for messages: the socket's error, or that the server closed it. */
    QString endCause() const;
    /*! The last socket error text, or empty. */
    QString socketErrorString() const;

    bool waitForReadyRead(int msecs);
    bool waitForBytesWritten(int msecs);
    /*! Waits for a socket that is closing to finish; false when it is not closing. */
    bool waitWhileClosing(int msecs);

    /*! The TCP peer seen when attached (kept after release()). */
    QHostAddress peerAddress() const { return m_peerAddress; }
    quint16 peerPort() const { return m_peerPort; }

private:
    QSocketNotifier *readNotifier() const;

    QPointer<QIODevice> m_device;
    QAbstractSocket *m_socket = nullptr; // m_device as a socket, when it is one
    QLocalSocket *m_localSocket = nullptr; // m_device as a local socket, when it is one
    QObject *m_context = nullptr;
    bool m_owned = false;
    bool m_direct = false;
    bool m_unbuffered = false;
    bool m_endedOnRead = false;
    mutable QPointer<QSocketNotifier> m_readNotifier; // the socket engine's, when unbuffered
    QHostAddress m_peerAddress;
    quint16 m_peerPort = 0;
};

} // namespace WsClient::Transport
