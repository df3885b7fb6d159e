#include "deviceadapter.h"

#include <QtNetwork/qabstractsocket.h>
#include <QtNetwork/qlocalsocket.h>
#include <QtNetwork/qnetworkproxy.h>
#include <QtNetwork/qtcpsocket.h>
#include <QtCore/qabstracteventdispatcher.h>
#include <QtCore/qcoreevent.h>
#include <QtCore/qsocketnotifier.h>

#include <typeinfo>

#if defined(Q_OS_UNIX)
#include <sys/socket.h>
#include <sys/types.h>
#endif

#if defined(Q_OS_UNIX) && defined(MSG_NOSIGNAL) && defined(MSG_DONTWAIT)
#define WSCLIENT_DIRECT_SOCKET_IO 1
#endif


namespace WsClient::Transport {

namespace {

// Non-blocking send(2)/recv(2) on a plain TCP socket's descriptor, past QAbstractSocket's buffers.
// QAbstractSocket arms and disarms its write notifier around every write (a wake-up of the event
// loop each time) and copies every byte through its own buffers; for small frames and large
// payloads the connection goes to the kernel directly instead. Only where bytes reach the
// descriptor unchanged: a plain QTcpSocket (no TLS, no Qt proxy engine, no subclass that overrides
// readData/writeData), on platforms with MSG_NOSIGNAL/MSG_DONTWAIT. Errors are left for the socket
// to meet on its own next read or write: these return 0 then.
bool directIoFor(const QIODevice *device)
{
#ifdef WSCLIENT_DIRECT_SOCKET_IO
    // The dynamic type, not the meta-object: a subclass without Q_OBJECT may still override
    // readData()/writeData().
    const auto *socket = qobject_cast<const QTcpSocket *>(device);
    return socket && typeid(*socket) == typeid(QTcpSocket) && socket->proxy().type() == QNetworkProxy::NoProxy
        && socket->socketDescriptor() >= 0;
#else
    Q_UNUSED(device);
    return false;
#endif
}

qint64 sendToKernel(qintptr descriptor, const char *data, qint64 size)
{
#ifdef WSCLIENT_DIRECT_SOCKET_IO
    const ssize_t n = ::send(int(descriptor), data, size_t(size), MSG_NOSIGNAL | MSG_DONTWAIT);
    return n > 0 ? qint64(n) : 0;
#else
    Q_UNUSED(descriptor);
    Q_UNUSED(data);
    Q_UNUSED(size);
    return 0;
#endif
}

qint64 receiveFromKernel(qintptr descriptor, char *data, qint64 size)
{
#ifdef WSCLIENT_DIRECT_SOCKET_IO
    const ssize_t n = ::recv(int(descriptor), data, size_t(size), MSG_DONTWAIT);
    return n > 0 ? qint64(n) : 0;
#else
    Q_UNUSED(descriptor);
    Q_UNUSED(data);
    Q_UNUSED(size);
    return 0;
#endif
}

// Counts the read notifications of the thread's unbuffered sockets. Qt's unbuffered socket emits
// readyRead() for a notification only outside its own readyRead() and turns its notifier off at
// the next one: a notification that comes in a slot's nested event loop is otherwise invisible to
// the reader below, which would stop at a short read and leave the socket silent for good. One per
// thread (a child of its event dispatcher), so that a connection costs no QObject of its own.
class ReadNotificationCounter : public QObject
{
public:
    /*! The thread's counter, made on first use; none without an event loop (no notifications). */
    static ReadNotificationCounter *forThread()
    {
        if (!current && QAbstractEventDispatcher::instance())
            current = new ReadNotificationCounter(QAbstractEventDispatcher::instance());
        return current;
    }
    static quint64 count() { return notifications; }
    /*! A blocking wait looked at an unbuffered socket: Qt notes readable bytes there the same way. */
    static void noteWait() { ++notifications; }

    void watch(QSocketNotifier *notifier) { notifier->installEventFilter(this); }

protected:
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::SockAct)
            ++notifications;
        return false;
    }

private:
    explicit ReadNotificationCounter(QObject *dispatcher) : QObject(dispatcher) { }
    ~ReadNotificationCounter() override { current = nullptr; }

    static thread_local ReadNotificationCounter *current;
    static thread_local quint64 notifications;
};

thread_local ReadNotificationCounter *ReadNotificationCounter::current = nullptr;
thread_local quint64 ReadNotificationCounter::notifications = 0;

} // namespace

void DeviceAdapter::attach(QIODevice *device, bool owned, QObject *context, Listener *listener)
{
    release();
    m_device = device;
    m_owned = owned;
    m_context = context;
    m_socket = qobject_cast<QAbstractSocket *>(device);
    m_localSocket = qobject_cast<QLocalSocket *>(device);
    m_direct = directIoFor(device);
    m_unbuffered = m_direct && device->openMode().testFlag(QIODevice::Unbuffered);
    m_endedOnRead = false;
    QObject::connect(device, &QIODevice::readyRead, context, [listener] { listener->deviceReadyRead(); });
    QObject::connect(device, &QIODevice::bytesWritten, context,
        [listener](qint64 bytes) { listener->deviceBytesWritten(bytes); });
    if (m_socket) {
        m_peerAddress = m_socket->peerAddress();
        m_peerPort = m_socket->peerPort();
        QObject::connect(m_socket, &QAbstractSocket::disconnected, context, [listener] { listener->deviceEnded(); });
        QObject::connect(m_socket, &QAbstractSocket::errorOccurred, context,
            [this, listener](QAbstractSocket::SocketError e) {
                // The remote end closing comes as disconnected(); a timeout of one of our own
                // blocking waits leaves the socket usable; any other error ends the stream here.
                if (e != QAbstractSocket::RemoteHostClosedError && e != QAbstractSocket::SocketTimeoutError
                    && m_device)
                    listener->deviceEnded();
            });
    } else if (m_localSocket) {
        QObject::connect(m_localSocket, &QLocalSocket::disconnected, context, [listener] { listener->deviceEnded(); });
    } else {
        QObject::connect(device, &QIODevice::readChannelFinished, context, [listener] { listener->deviceEnded(); });
    }
}

void DeviceAdapter::release()
{
    if (m_device) {
        QObject::disconnect(m_device, nullptr, m_context, nullptr);
        if (m_owned) {
            if (m_socket)
                m_socket->abort();
            m_device->deleteLater();
        }
    }
    m_device = nullptr;
    m_socket = nullptr;
    m_localSocket = nullptr;
    m_owned = false;
    m_direct = false;
    m_unbuffered = false;
    m_readNotifier = nullptr;
}

qint64 DeviceAdapter::bytesAvailable() const
{
    return m_device ? m_device->bytesAvailable() : 0;
}

qint64 DeviceAdapter::bufferedBytes() const
{
    return m_unbuffered ? 0 : bytesAvailable();
}

QSocketNotifier *DeviceAdapter::readNotifier() const
{
    // The socket engine's own read notifier (a child of the engine, itself a child of the
    // socket): QAbstractSocket has no public switch for it, and turns it on again after a read.
    if (!m_readNotifier && m_unbuffered && m_socket) {
        const qintptr fd = m_socket->socketDescriptor();
        for (QSocketNotifier *n : m_socket->findChildren<QSocketNotifier *>()) {
            if (n->type() == QSocketNotifier::Read && n->socket() == fd)
                m_readNotifier = n;
        }
        ReadNotificationCounter *counter = ReadNotificationCounter::forThread();
        if (m_readNotifier && counter && m_readNotifier->thread() == counter->thread())
            counter->watch(m_readNotifier);
    }
    return m_readNotifier;
}

quint64 DeviceAdapter::readNotifications() const
{
    readNotifier(); // watched from the first read on
    return ReadNotificationCounter::count();
}

bool DeviceAdapter::mayHoldUnannounced(quint64 before) const
{
    return readNotifierSilenced() || ReadNotificationCounter::count() != before;
}

bool DeviceAdapter::readNotifierSilenced() const
{
    const QSocketNotifier *n = readNotifier();
    return n && !n->isEnabled();
}

qint64 DeviceAdapter::read(char *data, qint64 maxSize)
{
    if (m_unbuffered) {
        // One recv(2). The end of the stream or an error leaves the socket unconnected without a
        // signal: the caller learns it from endedOnRead().
        const qint64 n = m_device ? m_device->read(data, maxSize) : -1;
        if (n < 0 && isUnconnected())
            m_endedOnRead = true;
        return n;
    }
    // Qt reads nothing behind our back meanwhile: only in its read notifier or its waitFor
    // functions, and then behind what it has buffered; so once its buffer is empty the kernel's
    // bytes come next.
    const qint64 n = readBuffered(data, maxSize);
    if (n == 0 && m_direct)
        return receiveFromKernel(m_socket->socketDescriptor(), data, maxSize);
    return n;
}

qint64 DeviceAdapter::readBuffered(char *data, qint64 maxSize)
{
    return m_device ? m_device->read(data, maxSize) : -1;
}

qint64 DeviceAdapter::write(const char *data, qint64 size)
{
    return m_device ? m_device->write(data, size) : -1;
}

qint64 DeviceAdapter::write(const QByteArray &data)
{
    return m_device ? m_device->write(data) : -1;
}

qint64 DeviceAdapter::sendNow(const char *data, qint64 size)
{
    if (!m_direct || m_socket->bytesToWrite() > 0)
        return 0;
    return sendToKernel(m_socket->socketDescriptor(), data, size);
}

qint64 DeviceAdapter::bytesToWrite() const
{
    return m_device ? m_device->bytesToWrite() : 0;
}

bool DeviceAdapter::flush()
{
    if (m_socket)
        return m_socket->flush();
    if (m_localSocket)
        return m_localSocket->flush();
    return false;
}

void DeviceAdapter::disconnectGracefully()
{
    if (!m_device)
        return;
    if (m_socket) {
        if (m_socket->state() != QAbstractSocket::UnconnectedState)
            m_socket->disconnectFromHost(); // writes what is queued first
    } else if (m_localSocket) {
        if (m_localSocket->state() != QLocalSocket::UnconnectedState)
            m_localSocket->disconnectFromServer();
    } else {
        m_device->close();
    }
}

bool DeviceAdapter::isUnconnected() const
{
    if (!m_device)
        return true;
    if (m_socket)
        return m_socket->state() == QAbstractSocket::UnconnectedState;
    if (m_localSocket)
        return m_localSocket->state() == QLocalSocket::UnconnectedState;
    return !m_device->isOpen();
}

QString DeviceAdapter::endCause() const
{
    if (m_socket && m_socket->error() != QAbstractSocket::RemoteHostClosedError
        && m_socket->error() != QAbstractSocket::UnknownSocketError)
        return m_socket->errorString();
    return QStringLiteral("the server closed the connection without a Close frame");
}

QString DeviceAdapter::socketErrorString() const
{
    return m_socket ? m_socket->errorString() : QString();
}

bool DeviceAdapter::waitForReadyRead(int msecs)
{
    const bool ready = m_device && m_device->waitForReadyRead(msecs);
    if (m_unbuffered)
        ReadNotificationCounter::noteWait();
    return ready;
}

bool DeviceAdapter::waitForBytesWritten(int msecs)
{
    const bool written = m_device && m_device->waitForBytesWritten(msecs);
    if (m_unbuffered)
        ReadNotificationCounter::noteWait();
    return written;
}

bool DeviceAdapter::waitWhileClosing(int msecs)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ClosingState)
        return false;
    m_socket->waitForDisconnected(msecs);
    if (m_unbuffered)
        ReadNotificationCounter::noteWait();
    return true;
}

} // namespace WsClient::Transport
