// WebSocketPrivate: reading from the transport into the connection, and handing what it decodes to
// the signals or, when nobody listens, to the blocking API's queue.

#include "websocket_p.h"

#include "protocol/closepayload.h"
#include "trace_p.h"

#include <QtCore/qabstracteventdispatcher.h>
#include <QtCore/qmetaobject.h>

namespace WsClient {

namespace {

// Reading stops (back-pressure) while this much waits unread in the blocking-API queue.
constexpr qint64 MaxQueuedBytes = 64 * 1024 * 1024;
// Bytes asked of the transport per read when no payload is being gathered.
constexpr qint64 ReadChunk = 256 * 1024;
// How long a failed handshake's body is waited for after the head.
constexpr int BadStatusBodyWaitMs = 2000;
// Messages this large are offered back to the reader once the slots are done with them, and kept
// for this long for the next large frame.
constexpr qsizetype SpareMinimum = 64 * 1024;
constexpr int SpareKeepMs = 250;

} // namespace

qint64 maxQueuedBytes()
{
    return MaxQueuedBytes;
}

void WebSocketPrivate::readAvailable()
{
    readDispatched();
    // An unbuffered socket ends without a signal: its last read says so.
    if (device.endedOnRead())
        deviceEnded();
}

void WebSocketPrivate::readDispatched()
{
    if (!conn || ended)
        return;
    // While the connection hands out what it decoded, slots may send (held and written once at
    // the end), reopen the socket (the connection is retired, not destroyed) or read again.
    struct Dispatch
    {
        explicit Dispatch(WebSocketPrivate *owner) : d(owner)
        {
            ++d->dispatching;
            d->writer.beginDispatch();
        }
        ~Dispatch()
        {
            d->writer.endDispatch();
            if (--d->dispatching == 0)
                d->retired.reset();
        }
        WebSocketPrivate *d;
    } scope(this);
    if (writer.hasPending())
        drainPending(); // what other threads sent goes before any answer to what arrives now
    Protocol::ClientConnection *c = conn.get();
    c->setTapFrames(tapReceivedFrames());
    bool drained = false;
    while (c == conn.get() && !ended && c->wantsData() && device.isAttached()) {
        if (queuedBytes >= MaxQueuedBytes)
            break; // resumed by the blocking receive calls as they drain the queue
        if (readOnce() != ReadResult::More) {
            drained = true;
            break;
        }
        if (!ended && c == conn.get() && c->awaitingBody() && bodyDeadline.isForever()) {
            // A server that neither sends a length nor closes gets a short grace period.
            bodyDeadline = QDeadlineTimer(BadStatusBodyWaitMs);
            rearmTimer();
        }
    }
    // Reading stopped with bytes maybe left in the kernel. An unbuffered socket then stays silent
    // until the next read (a full queue: receive() resumes it). Bytes after a Close or a failure
    // mean nothing (RFC 6455 §5.5.1): they are dropped, so that the end of the stream still shows.
    if (drained || c != conn.get() || ended || !device.isUnbuffered() || !device.isAttached()
        || c->wantsData())
        return;
    char discarded[16 * 1024];
    while (device.read(discarded, sizeof discarded) == qint64(sizeof discarded)) { }
}

WebSocketPrivate::ReadResult WebSocketPrivate::readOnce()
{
    Protocol::ClientConnection *c = conn.get();
    qsizetype room = 0;
    if (char *target = c->directTarget(&room)) {
        // A large payload is being gathered: the transport copies straight into it, and once Qt's
        // buffer is empty the kernel does (QAbstractSocket would copy everything through its own
        // buffer first).
        const quint64 notifications = device.readNotifications();
        const qint64 n = device.read(target, room);
        if (n <= 0)
            return ReadResult::Drained;
        c->commitDirect(qsizetype(n));
        // A short read from the kernel means it has no more now: asking again would cost a recv(2).
        return device.isUnbuffered() && n < room && !device.mayHoldUnannounced(notifications) ? ReadResult::Drained
                                                                                              : ReadResult::More;
    }
    if (device.isUnbuffered())
        return readUnbuffered();
    const qint64 available = device.bytesAvailable();
    if (available <= 0)
        return ReadResult::Drained;
    // A read nested in a slot (a blocking receive() there) must not reuse the buffer the outer
    // read's frames still point into.
    QByteArray nested;
    QByteArray &buffer = dispatching > 1 ? nested : readBuffer;
    buffer.resize(qsizetype(qMin(available, ReadChunk)));
    const qint64 n = device.readBuffered(buffer.data(), buffer.size());
    if (n <= 0)
        return ReadResult::Drained;
    const bool handshake = c->state() == Protocol::ClientConnection::State::Connecting;
    c->receiveData(buffer.data(), qsizetype(n));
    if (handshake && &buffer == &readBuffer)
        readBuffer = QByteArray(); // sized again by the first frames: an idle connection keeps none
    return ReadResult::More;
}

WebSocketPrivate::ReadResult WebSocketPrivate::readUnbuffered()
{
    // Without FIONREAD the size to come is unknown: the kernel's bytes go into a buffer of the
    // thread's, shared by its connections (an idle one keeps none), and the connection keeps what
    // it needs of them. A read nested in a slot (a blocking receive() there, on this connection
    // or another) must not reuse the buffer the outer read's frames still point into.
    struct Scratch
    {
        QByteArray bytes;
        bool inUse = false;
    };
    static thread_local Scratch scratch;
    QByteArray nested;
    const bool outer = !scratch.inUse;
    QByteArray &buffer = outer ? scratch.bytes : nested;
    if (buffer.size() != ReadChunk)
        buffer.resize(ReadChunk);
    const quint64 notifications = device.readNotifications();
    const qint64 n = device.read(buffer.data(), buffer.size());
    if (n <= 0)
        return ReadResult::Drained;
    scratch.inUse = true;
    conn->receiveData(buffer.data(), qsizetype(n));
    if (outer)
        scratch.inUse = false;
    // A short read means the kernel has no more now, unless a slot's nested event loop was told of
    // more meanwhile (which Qt does not announce, and may silence the notifier for).
    return n < buffer.size() && !device.mayHoldUnannounced(notifications) ? ReadResult::Drained : ReadResult::More;
}

bool WebSocketPrivate::isSignalConnected(const QMetaMethod &signal) const
{
    // Most signals never get a receiver; those are known without asking QObject (whose answer,
    // asked a few times per message, cost 4% of a small round trip's instructions).
    if (!(everConnected.load(std::memory_order_relaxed) & signalBit(signal)))
        return false;
    return q_ptr->isSignalConnected(signal);
}

bool WebSocketPrivate::tapReceivedFrames() const
{
    static const QMetaMethod signal = QMetaMethod::fromSignal(&WebSocket::frameReceived);
    return frameQueueOn || isSignalConnected(signal);
}

bool WebSocketPrivate::blockingMode() const
{
    // Nobody listens for messages: whatever arrives is kept for receive()/receiveData().
    static const QMetaMethod messageSignals[] = {
        QMetaMethod::fromSignal(&WebSocket::textMessageReceived),
        QMetaMethod::fromSignal(&WebSocket::binaryMessageReceived),
        QMetaMethod::fromSignal(&WebSocket::messageReceived),
        QMetaMethod::fromSignal(&WebSocket::fragmentReceived),
    };
    for (const QMetaMethod &signal : messageSignals) {
        if (isSignalConnected(signal))
            return false;
    }
    return !frameQueueOn;
}

void WebSocketPrivate::enqueue(Opcode opcode, QByteArray data, bool fin)
{
    queuedBytes += data.size();
    Message m;
    m.opcode = opcode;
    m.data = std::move(data);
    m.isFinal = fin;
    m.setValid(true);
    queue.push_back(std::move(m));
}

// ---------------------------------------------------------------------------------------------
// FrameSink: decoded traffic

bool WebSocketPrivate::wantsMore() const
{
    return !ended;
}

void WebSocketPrivate::frameReceived(const Protocol::FrameHeader &header, QByteArrayView payload)
{
    Q_Q(WebSocket);
    noteDelivery();
    Frame frame = Frame::create(payload.toByteArray(), header.opcode, header.fin);
    frame.setRsv1(header.rsv & Protocol::Rsv1);
    frame.setRsv2(header.rsv & Protocol::Rsv2);
    frame.setRsv3(header.rsv & Protocol::Rsv3);
    frame.setMasked(header.masked);
    if (frameQueueOn) {
        queuedBytes += payload.size();
        frameQueue.push_back(frame);
    }
    Q_EMIT q->frameReceived(frame);
}

void WebSocketPrivate::messageReceived(Opcode opcode, QByteArray &&message)
{
    Q_Q(WebSocket);
    noteDelivery();
    Trace::frame("Rcv message", true, 0, opcode, message);
    static const QMetaMethod textSignal = QMetaMethod::fromSignal(&WebSocket::textMessageReceived);
    static const QMetaMethod binarySignal = QMetaMethod::fromSignal(&WebSocket::binaryMessageReceived);
    static const QMetaMethod rawSignal = QMetaMethod::fromSignal(&WebSocket::messageReceived);
    // The other type's signal is asked about only when it decides between emitting and queueing:
    // isSignalConnected() was 12% of the client's instructions echoing small messages.
    const bool text = opcode == Opcode::Text;
    const bool wantsOwn = isSignalConnected(text ? textSignal : binarySignal);
    const bool wantsRaw = isSignalConnected(rawSignal);
    if (!wantsOwn && !wantsRaw && !isSignalConnected(text ? binarySignal : textSignal)) {
        if (blockingMode())
            enqueue(opcode, std::move(message));
        return;
    }
    if (wantsRaw)
        Q_EMIT q->messageReceived(message, opcode);
    if (wantsOwn && text)
        Q_EMIT q->textMessageReceived(QString::fromUtf8(message));
    else if (wantsOwn)
        Q_EMIT q->binaryMessageReceived(message);
    offerAsSpare(message);
}

void WebSocketPrivate::offerAsSpare(QByteArray &message)
{
    // If the slots (or the caller of receive()) let go of a large message, the next large frame is
    // gathered into its memory: pages already faulted in, instead of fresh ones (a third of a 16 MiB
    // echo's time). Who keeps the message keeps it to itself: the reader takes only a buffer nobody
    // else holds. Kept briefly, so that an idle connection does not pin a large buffer.
    if (message.size() < SpareMinimum || !conn)
        return;
    conn->reader().parser().setSpareBuffer(std::move(message));
    // A thread without an event loop (blocking use from a std::thread) has no timers: there the
    // next gathered frame takes the spare or lets it go.
    if (!QAbstractEventDispatcher::instance())
        return;
    if (spareTimerId != 0)
        q_ptr->killTimer(spareTimerId);
    spareTimerId = q_ptr->startTimer(std::chrono::milliseconds(SpareKeepMs));
}

void WebSocketPrivate::dropSpare()
{
    if (spareTimerId != 0)
        q_ptr->killTimer(std::exchange(spareTimerId, 0));
    if (conn)
        conn->reader().parser().dropSpareBuffer();
}

void WebSocketPrivate::fragmentReceived(Opcode opcode, QByteArray &&data, bool fin)
{
    Q_Q(WebSocket);
    if (blockingMode()) {
        enqueue(opcode, std::move(data), fin);
        return;
    }
    noteDelivery();
    Q_EMIT q->fragmentReceived(data, opcode, fin);
}

void WebSocketPrivate::noteDelivery()
{
    writer.setDispatchingLastOfInput(conn && conn->reader().inputLeft() == 0);
}

void WebSocketPrivate::pingReceived(QByteArrayView payload)
{
    Q_Q(WebSocket);
    const QByteArray data = payload.toByteArray(); // the connection has answered it already
    if (blockingMode())
        enqueue(Opcode::Ping, data);
    Q_EMIT q->pingReceived(data);
}

void WebSocketPrivate::pongReceived(QByteArrayView payload)
{
    Q_Q(WebSocket);
    const QByteArray data = payload.toByteArray();
    if (blockingMode())
        enqueue(Opcode::Pong, data);
    Q_EMIT q->pongReceived(data);
}

void WebSocketPrivate::closeReceived(quint16 code, const QString &reason)
{
    Q_Q(WebSocket);
    qCDebug(lcTraceCategory).noquote() << "close received:" << code << reason;
    setState(WebSocket::State::Closing);
    if (blockingMode())
        enqueue(Opcode::Close, Protocol::encodeClosePayload(code, reason));
    Q_EMIT q->closeCodeChanged();
    Q_EMIT q->closeReceived(code, reason);
}

} // namespace WsClient
