#include "deviceadapter.h"

#include "directsocketio.h"

#include <QtNetwork/qabstractsocket.h>
#include <QtNetwork/qlocalsocket.h>

namespace WsClient::Transport {

void DeviceAdapter::attach(QIODevice *device, bool owned, QObject *context, Listener *listener)
{
    release();
    m_device = device;
    m_owned = owned;
    m_context = context;
    m_socket = qobject_cast<QAbstractSocket *>(device);
    m_localSocket = qobject_cast<QLocalSocket *>(device);
    m_direct = directIoFor(device);
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
}

qint64 DeviceAdapter::bytesAvailable() const
{
    return m_device ? m_device->bytesAvailable() : 0;
}

qint64 DeviceAdapter::read(char *data, qint64 maxSize)
{
    // Qt reads nothing behind our back meanwhile: only in its read notifier or its waitFor
    // functions, and then behind what it has buffered; so once its buffer is empty the kernel's
    // bytes come next.
    const qint64 n = readBuffered(data, maxSize);
    if (n == 0 && m_direct)
        return receiveNow(m_socket->socketDescriptor(), data, maxSize);
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
    return Transport::sendNow(m_socket->socketDescriptor(), data, size);
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
    return m_device && m_device->waitForReadyRead(msecs);
}

bool DeviceAdapter::waitForBytesWritten(int msecs)
{
    return m_device && m_device->waitForBytesWritten(msecs);
}

bool DeviceAdapter::waitWhileClosing(int msecs)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ClosingState)
        return false;
    m_socket->waitForDisconnected(msecs);
    return true;
}

} // namespace WsClient::Transport
