// WebSocket's public functions, and the sending half of WebSocketPrivate: the checks every send
// makes (state, payload, send-buffer bound) on any thread, the queue to the owner thread, and the
// FrameOutput that traces and taps each frame on its way to the WriteScheduler.

#include "websocket_p.h"

#include "protocol/closepayload.h"
#include "trace_p.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qmetaobject.h>
#include <QtCore/qthread.h>
#include <QtCore/qcoreevent.h>

namespace WsClient {

namespace {

std::atomic<int> g_defaultTimeout { -1 };

// The event a flush is posted as: cheaper than a queued call, and carries no functor across threads.
QEvent::Type flushEventType()
{
    static const auto type = QEvent::Type(QEvent::registerEventType());
    return type;
}

} // namespace

WebSocketPrivate::WebSocketPrivate(WebSocket *q)
    : q_ptr(q), timeout(g_defaultTimeout.load()), writer(device, q, this)
{
}

WebSocketPrivate::~WebSocketPrivate()
{
    stopTimer();
    releaseTransport();
}

bool WebSocketPrivate::onOwnerThread() const
{
    return QThread::currentThread() == q_ptr->thread();
}

void WebSocketPrivate::setState(WebSocket::State newState)
{
    Q_Q(WebSocket);
    if (state.exchange(newState) != newState)
        Q_EMIT q->stateChanged(newState);
}

void WebSocketPrivate::setError(Error e, const QString &why)
{
    {
        QMutexLocker lock(&errorMutex);
        if (error == e && errorString == why)
            return;
        error = e;
        errorString = why;
    }
    WebSocket *q = q_ptr;
    if (onOwnerThread())
        Q_EMIT q->errorChanged();
    else
        QMetaObject::invokeMethod(q, [q] { Q_EMIT q->errorChanged(); }, Qt::QueuedConnection);
}

void WebSocketPrivate::reportError(Error e, const QString &why)
{
    Q_Q(WebSocket);
    errorReported = true;
    setError(e, why);
    Q_EMIT q->errorOccurred(e, why);
}

// ---------------------------------------------------------------------------------------------
// Sending

qint64 WebSocketPrivate::refuse(Error e, const QString &why)
{
    setError(e, why);
    return -1;
}

qint64 WebSocketPrivate::send(Opcode opcode, const QByteArray &payload)
{
    const WebSocket::State s = state;
    if (s != WebSocket::State::Open)
        return refuse(Error::ConnectionClosed,
            QStringLiteral("cannot send a message: the connection is %1, not Open").arg(stateName(s)));
    if (Q_UNLIKELY(!Protocol::MessageWriter::isValidPayload(opcode, payload.size())))
        return refuse(Error::InvalidArgument, Protocol::MessageWriter::payloadProblem(opcode, payload.size()));
    if (!writer.accepts(payload.size()))
        return refuse(Error::SendBufferFull,
            QStringLiteral("send buffer full: %1 bytes wait to be written and the limit is %2 "
                           "(ConnectOptions::sendBufferLimit); wait for bytesWritten() and send again")
                .arg(writer.bytesToWrite())
                .arg(writer.limit()));
    if (!onOwnerThread()) {
        writer.queue({ Transport::WriteScheduler::Pending::Kind::Message, opcode, true, 0, payload });
        return payload.size();
    }
    if (writer.hasPending())
        drainPending(); // other threads' sends came first
    QString why;
    if (!conn || conn->send(opcode, payload, &why) < 0)
        return refuse(Error::ConnectionClosed, QStringLiteral("cannot send a message: ") + why);
    return payload.size();
}

qint64 WebSocketPrivate::sendRawFrame(const Frame &frame)
{
    const WebSocket::State s = state;
    if (s != WebSocket::State::Open)
        return refuse(Error::ConnectionClosed,
            QStringLiteral("cannot send a frame: the connection is %1, not Open").arg(stateName(s)));
    const QByteArray payload = frame.payload();
    if (!writer.accepts(payload.size()))
        return refuse(Error::SendBufferFull,
            QStringLiteral("send buffer full: %1 bytes wait to be written and the limit is %2")
                .arg(writer.bytesToWrite())
                .arg(writer.limit()));
    const quint8 rsv = quint8((frame.rsv1() ? Protocol::Rsv1 : 0) | (frame.rsv2() ? Protocol::Rsv2 : 0)
        | (frame.rsv3() ? Protocol::Rsv3 : 0));
    if (!onOwnerThread()) {
        writer.queue(
            { Transport::WriteScheduler::Pending::Kind::Frame, frame.opcode(), frame.isFinal(), rsv, payload });
        return payload.size();
    }
    if (writer.hasPending())
        drainPending();
    QString why;
    if (!conn || conn->sendFrame(frame.opcode(), frame.isFinal(), rsv, payload, &why) < 0)
        return refuse(Error::ConnectionClosed, QStringLiteral("cannot send a frame: ") + why);
    if (frame.opcode() == Opcode::Close)
        setState(WebSocket::State::Closing);
    return payload.size();
}

void WebSocketPrivate::drainPending()
{
    if (!writer.hasPending())
        return;
    const QList<Transport::WriteScheduler::Pending> sends = writer.takePending();
    for (const Transport::WriteScheduler::Pending &p : sends) {
        const bool frame = p.kind == Transport::WriteScheduler::Pending::Kind::Frame;
        qint64 n = -1;
        if (conn && state == WebSocket::State::Open)
            n = frame ? conn->sendFrame(p.opcode, p.fin, p.rsv, p.payload) : conn->send(p.opcode, p.payload);
        if (n < 0) // accepted on its thread, refused here: the end of the connection reports it
            writer.addDropped(p.payload.size(), p.fin && !(quint8(p.opcode) & 0x8) ? 1 : 0);
        else if (frame && p.opcode == Opcode::Close)
            setState(WebSocket::State::Closing);
    }
}

void WebSocketPrivate::writeFrame(const Protocol::FrameHeader &header, QByteArrayView payload)
{
    Q_Q(WebSocket);
    if (Trace::isOn())
        Trace::frame("Sent", header.fin, header.rsv, header.opcode, payload);
    if (tapSentFrames) {
        static const QMetaMethod signal = QMetaMethod::fromSignal(&WebSocket::frameSent);
        tapSentFrames = isSignalConnected(signal);
        if (tapSentFrames) {
            Frame frame = Frame::create(payload.toByteArray(), header.opcode, header.fin);
            frame.setRsv1(header.rsv & Protocol::Rsv1);
            frame.setRsv2(header.rsv & Protocol::Rsv2);
            frame.setRsv3(header.rsv & Protocol::Rsv3);
            frame.setMasked(true);
            Q_EMIT q->frameSent(frame);
        }
    }
    writer.writeFrame(header, payload);
}

void WebSocketPrivate::writeBytes(QByteArrayView bytes)
{
    Trace::headerBlock("request header", bytes.toByteArray());
    writer.writeBytes(bytes);
}

void WebSocketPrivate::postFlush()
{
    QCoreApplication::postEvent(q_ptr, new QEvent(flushEventType()));
}

bool WebSocketPrivate::wantsWrittenReports() const
{
    static const QMetaMethod signal = QMetaMethod::fromSignal(&WebSocket::bytesWritten);
    return (conn && conn->awaitingClose()) || isSignalConnected(signal); // the close timeout follows progress
}

void WebSocketPrivate::flushPosted()
{
    drainPending();
    writer.flushPosted();
    reportDirectlyWritten();
    noteWriteProgress();
}

void WebSocketPrivate::reportDirectlyWritten()
{
    // Like QAbstractSocket: reported from the event loop or a flush/wait, never from inside a send,
    // and not again while a slot of the signal runs.
    if (!writer.hasDirectlyWritten() || reportingWritten)
        return;
    Q_Q(WebSocket);
    const qint64 n = writer.takeDirectlyWritten();
    QPointer<WebSocket> alive(q);
    reportingWritten = true;
    Q_EMIT q->bytesWritten(n);
    if (alive)
        reportingWritten = false;
}

// ---------------------------------------------------------------------------------------------
// WebSocket

WebSocket::WebSocket(QObject *parent) : QObject(parent), d_ptr(new WebSocketPrivate(this)) { }

WebSocket::~WebSocket() = default;

bool WebSocket::event(QEvent *event)
{
    Q_D(WebSocket);
    if (event->type() == flushEventType()) {
        d->flushPosted();
        return true;
    }
    if (event->type() == QEvent::Timer) {
        const int id = static_cast<QTimerEvent *>(event)->timerId();
        if (id == d->spareTimerId) {
            d->dropSpare();
            return true;
        }
    }
    return QObject::event(event);
}

void WebSocket::connectNotify(const QMetaMethod &signal)
{
    if (signal == QMetaMethod::fromSignal(&WebSocket::frameSent))
        d_func()->tapSentFrames = true;
    d_func()->everConnected.fetch_or(WebSocketPrivate::signalBit(signal), std::memory_order_relaxed);
    QObject::connectNotify(signal);
}

void WebSocket::open(const QUrl &url, const ConnectOptions &options)
{
    d_func()->open(url, options);
}

bool WebSocket::flush()
{
    Q_D(WebSocket);
    d->drainPending();
    const qint64 before = d->writer.handed();
    d->writer.flush();
    const bool flushed = d->device.flush();
    const bool progressed = d->writer.handed() > before || d->writer.hasDirectlyWritten();
    d->writer.noteProgress();
    d->reportDirectlyWritten();
    d->noteWriteProgress();
    return flushed || progressed;
}

qint64 WebSocket::sendText(const QString &text)
{
    return d_func()->send(Opcode::Text, text.toUtf8());
}

qint64 WebSocket::sendTextUtf8(const QByteArray &utf8)
{
    return d_func()->send(Opcode::Text, utf8);
}

qint64 WebSocket::sendBinary(const QByteArray &data)
{
    return d_func()->send(Opcode::Binary, data);
}

qint64 WebSocket::send(const QByteArray &data, Opcode opcode)
{
    Q_D(WebSocket);
    if (opcode == Opcode::Close) // a Close changes the state: sent as a frame of its own
        return d->sendRawFrame(Frame::create(data, Opcode::Close));
    return d->send(opcode, data);
}

qint64 WebSocket::sendFrame(const Frame &frame)
{
    return d_func()->sendRawFrame(frame);
}

qint64 WebSocket::ping(const QByteArray &payload)
{
    return d_func()->send(Opcode::Ping, payload);
}

qint64 WebSocket::pong(const QByteArray &payload)
{
    return d_func()->send(Opcode::Pong, payload);
}

qint64 WebSocket::sendClose(quint16 code, const QString &reason)
{
    return send(Protocol::encodeClosePayload(code, reason), Opcode::Close);
}

void WebSocket::close(quint16 code, const QString &reason, int timeoutMs)
{
    Q_D(WebSocket);
    if (!d->onOwnerThread()) {
        QMetaObject::invokeMethod(
            this, [this, code, reason, timeoutMs] { close(code, reason, timeoutMs); }, Qt::QueuedConnection);
        return;
    }
    d->closeConnection(code, reason, timeoutMs);
}

void WebSocket::abort()
{
    d_func()->abortConnection();
}

void WebSocket::shutdown()
{
    d_func()->shutdownConnection();
}

WebSocket::State WebSocket::state() const
{
    return d_func()->state;
}
QUrl WebSocket::url() const
{
    return d_func()->requestedUrl;
}
QUrl WebSocket::effectiveUrl() const
{
    return d_func()->currentUrl;
}
QHostAddress WebSocket::peerAddress() const
{
    return d_func()->device.peerAddress();
}
quint16 WebSocket::peerPort() const
{
    return d_func()->device.peerPort();
}
int WebSocket::handshakeStatus() const
{
    const WebSocketPrivate *d = d_func();
    return d->conn ? d->conn->handshake().response().statusCode() : 0;
}
ConnectOptions::HeaderList WebSocket::handshakeHeaders() const
{
    const WebSocketPrivate *d = d_func();
    return d->conn ? d->conn->handshake().response().headers() : ConnectOptions::HeaderList();
}
ConnectOptions::HeaderList WebSocket::requestHeaders() const
{
    const WebSocketPrivate *d = d_func();
    return d->conn ? d->conn->handshake().requestHeaders() : ConnectOptions::HeaderList();
}
QByteArray WebSocket::handshakeBody() const
{
    const WebSocketPrivate *d = d_func();
    return d->conn ? d->conn->handshake().body() : QByteArray();
}
QString WebSocket::subprotocol() const
{
    const WebSocketPrivate *d = d_func();
    return d->conn ? d->conn->handshake().outcome().subprotocol : QString();
}
QByteArray WebSocket::extensions() const
{
    const WebSocketPrivate *d = d_func();
    return d->conn ? d->conn->handshake().outcome().extensions : QByteArray();
}
CompressionOptions WebSocket::compression() const
{
    const WebSocketPrivate *d = d_func();
    return d->conn ? d->conn->handshake().compression() : CompressionOptions();
}
int WebSocket::closeCode() const
{
    const WebSocketPrivate *d = d_func();
    return d->conn ? d->conn->closeCode() : d->end.closeCode();
}
QString WebSocket::closeReason() const
{
    const WebSocketPrivate *d = d_func();
    return d->conn ? d->conn->closeReason() : d->end.closeReason();
}
Error WebSocket::error() const
{
    const WebSocketPrivate *d = d_func();
    QMutexLocker lock(&d->errorMutex);
    return d->error;
}
QString WebSocket::errorString() const
{
    const WebSocketPrivate *d = d_func();
    QMutexLocker lock(&d->errorMutex);
    return d->errorString;
}
int WebSocket::timeout() const
{
    return d_func()->timeout;
}
void WebSocket::setTimeout(int msecs)
{
    Q_D(WebSocket);
    if (d->timeout == msecs)
        return;
    d->timeout = msecs;
    Q_EMIT timeoutChanged();
}
void WebSocket::setDefaultTimeout(int msecs)
{
    g_defaultTimeout = msecs;
}
int WebSocket::defaultTimeout()
{
    return g_defaultTimeout;
}
ConnectOptions WebSocket::options() const
{
    return d_func()->options;
}
qint64 WebSocket::bytesToWrite() const
{
    return d_func()->writer.bytesToWrite();
}
ConnectionEnd WebSocket::connectionEnd() const
{
    return d_func()->end;
}

} // namespace WsClient
