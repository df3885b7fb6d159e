// The blocking API of WebSocket, for threads without an event loop: the waits drive the transport,
// the connection and its deadlines themselves.

#include "websocket_p.h"

#include <QtCore/qcoreapplication.h>

namespace WsClient {

namespace {

// Slice of a blocking wait while other threads send through this connection (their sends wait for
// this thread), and otherwise.
constexpr int CrossThreadPollMs = 5;
constexpr int IdlePollMs = 50;

} // namespace

void WebSocketPrivate::waitOnce(QDeadlineTimer deadline)
{
    const int ms = deadline.isForever() ? -1 : int(qMax<qint64>(0, deadline.remainingTime()));
    if (connector) {
        connector->waitForReady(deadline);
        return;
    }
    if (!device.isAttached()) {
        // Between a redirect and the next attempt: run the queued start.
        QCoreApplication::sendPostedEvents(q_ptr, QEvent::MetaCall);
        return;
    }
    drainPending();
    writer.flush();
    reportDirectlyWritten(); // a blocking wait reports writes, as QAbstractSocket's waits do
    noteWriteProgress();
    if (!device.isAttached())
        return;
    if (device.bufferedBytes() > 0 || (device.readNotifierSilenced() && queuedBytes < maxQueuedBytes())) {
        readAvailable();
        return;
    }
    if (ms == 0)
        return;
    const int pollMs = writer.hasCrossThreadSenders() ? CrossThreadPollMs : IdlePollMs;
    const int slice = ms < 0 || ms > pollMs ? pollMs : ms;
    if (device.waitWhileClosing(slice))
        return;
    device.waitForReadyRead(slice);
}

bool WebSocketPrivate::waitUntil(const std::function<bool()> &done, int msecs)
{
    const int wait = effectiveWait(msecs);
    const QDeadlineTimer deadline = wait < 0 ? QDeadlineTimer(QDeadlineTimer::Forever) : QDeadlineTimer(wait);
    while (!done()) {
        if (state == WebSocket::State::Unconnected)
            return done();
        // The connection's own deadlines (open, bad-status body, close) fire here when no event
        // loop runs their timer.
        if (nearestDeadline().hasExpired()) {
            onDeadline();
            continue;
        }
        if (deadline.hasExpired())
            return false;
        waitOnce(qMin(deadline, nearestDeadline()));
    }
    return true;
}

Message WebSocketPrivate::takeQueued(bool includeControl)
{
    while (!queue.isEmpty()) {
        Message m = queue.takeFirst();
        queuedBytes -= m.data.size();
        const bool control = quint8(m.opcode) & 0x8;
        if (!control || includeControl)
            return m;
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// The public blocking functions

std::unique_ptr<WebSocket> WebSocket::connectTo(const QUrl &url, const ConnectOptions &options)
{
    auto socket = std::make_unique<WebSocket>();
    socket->open(url, options);
    socket->waitForConnected(-1);
    return socket;
}

bool WebSocket::waitForConnected(int msecs)
{
    Q_D(WebSocket);
    return d->waitUntil([d] { return d->state != State::Connecting; }, msecs) && d->state == State::Open;
}

bool WebSocket::waitForDisconnected(int msecs)
{
    Q_D(WebSocket);
    return d->waitUntil([d] { return d->state == State::Unconnected; }, msecs);
}

bool WebSocket::waitForBytesWritten(int msecs)
{
    Q_D(WebSocket);
    d->drainPending();
    d->writer.flush();
    QPointer<WebSocket> alive(this);
    d->reportDirectlyWritten();
    if (!alive || !d->device.isAttached())
        return false;
    const int wait = d->effectiveWait(msecs);
    const QDeadlineTimer deadline = wait < 0 ? QDeadlineTimer(QDeadlineTimer::Forever) : QDeadlineTimer(wait);
    while (d->device.isAttached() && d->device.bytesToWrite() > 0) {
        const int left = deadline.isForever() ? -1 : int(qMax<qint64>(0, deadline.remainingTime()));
        if (left == 0 || !d->device.waitForBytesWritten(left))
            return false;
    }
    d->writer.noteProgress();
    d->noteWriteProgress();
    return true;
}

Message WebSocket::receive(int msecs)
{
    return receiveData(msecs, false);
}

Message WebSocket::receiveData(int msecs, bool includeControlFrames)
{
    Q_D(WebSocket);
    Message m;
    auto ready = [&] {
        m = d->takeQueued(includeControlFrames);
        if (!m.isValid() && d->conn && d->queuedBytes < maxQueuedBytes() && d->device.hasUnannounced())
            d->readAvailable(); // reading may have paused for back-pressure
        if (!m.isValid())
            m = d->takeQueued(includeControlFrames);
        return m.isValid();
    };
    const bool received = d->waitUntil(ready, msecs) && m.isValid();
    // The spares are not dropped here: with several messages in flight each next one needs one.
    // What they pin is bounded (FrameParser::MaxSpares, MaxSpareBytes) and goes with the connection.
    if (received) {
        // Shared with the caller: reused only if the caller has let go of it by the next large frame.
        QByteArray spare = m.data;
        d->offerAsSpare(spare);
        return m;
    }
    if (d->state == State::Unconnected || d->state == State::Closing) {
        if (d->error == Error::NoError)
            d->setError(Error::ConnectionClosed, QStringLiteral("the connection is closed"));
    } else {
        d->setError(Error::Timeout, QStringLiteral("no message within %1 ms").arg(d->effectiveWait(msecs)));
    }
    return m;
}

bool WebSocket::receiveFrame(Frame *frame, int msecs)
{
    Q_D(WebSocket);
    d->frameQueueOn = true;
    auto ready = [d] {
        if (d->frameQueue.empty() && d->conn && d->device.hasUnannounced())
            d->readAvailable();
        return !d->frameQueue.empty();
    };
    if (!d->waitUntil(ready, msecs) || d->frameQueue.empty()) {
        if (d->state == State::Open)
            d->setError(Error::Timeout, QStringLiteral("no frame within %1 ms").arg(d->effectiveWait(msecs)));
        else if (d->error == Error::NoError)
            d->setError(Error::ConnectionClosed, QStringLiteral("the connection is closed"));
        return false;
    }
    *frame = d->frameQueue.takeFirst();
    d->queuedBytes -= frame->payload().size();
    return true;
}

} // namespace WsClient
