// Non-blocking send(2)/recv(2) on a plain TCP socket's descriptor, past QAbstractSocket's buffers.
//
// QAbstractSocket arms and disarms its write notifier around every write (a wake-up of the event loop
// each time) and copies every byte through its own buffers; for small frames and large payloads the
// connection goes to the kernel directly instead. Only where bytes reach the descriptor unchanged: a
// plain QTcpSocket (no TLS, no Qt proxy engine, no subclass that overrides readData/writeData), on
// platforms with MSG_NOSIGNAL/MSG_DONTWAIT. Everywhere else directIoFor() is false and the connection
// uses QIODevice::read/write only.
#pragma once

#include <QtCore/qglobal.h>

QT_BEGIN_NAMESPACE
class QIODevice;
QT_END_NAMESPACE

namespace WsClient::Transport {

/*! Whether \a device's descriptor may be written and read directly (see the file comment). */
bool directIoFor(const QIODevice *device);

/*! Sends what the kernel takes now of \a size bytes; 0 when it takes nothing or on an error
    (left for the socket to meet on its own next read or write). */
qint64 sendNow(qintptr descriptor, const char *data, qint64 size);

/*! Receives what is there now, up to \a size bytes; 0 when nothing is, at the end of the stream or on
    an error (which the socket meets on its own next read). */
qint64 receiveNow(qintptr descriptor, char *data, qint64 size);

} // namespace WsClient::Transport
