#include "directsocketio.h"

#include <QtNetwork/qnetworkproxy.h>
#include <QtNetwork/qtcpsocket.h>

#include <typeinfo>

#if defined(Q_OS_UNIX)
#include <sys/socket.h>
#include <sys/types.h>
#endif

#if defined(Q_OS_UNIX) && defined(MSG_NOSIGNAL) && defined(MSG_DONTWAIT)
#define WSCLIENT_DIRECT_SOCKET_IO 1
#endif

namespace WsClient::Transport {

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

qint64 sendNow(qintptr descriptor, const char *data, qint64 size)
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

qint64 receiveNow(qintptr descriptor, char *data, qint64 size)
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

} // namespace WsClient::Transport
