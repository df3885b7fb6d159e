// WebSocketPrivate: opening (transport, handshake, redirects), the deadlines, closing, and the one
// report of each connection's end.

#include "websocket_p.h"

#include "cookiejar_p.h"
#include "protocol/permessagedeflate.h"
#include "trace_p.h"

#include <QtCore/qabstracteventdispatcher.h>
#include <QtCore/qmetaobject.h>

#include <limits>

namespace WsClient {

QString stateName(WebSocket::State state)
{
    return QString::fromLatin1(QMetaEnum::fromType<WebSocket::State>().valueToKey(int(state)));
}

void WebSocketPrivate::open(const QUrl &url, const ConnectOptions &opts)
{
    Q_Q(WebSocket);
    if (state != WebSocket::State::Unconnected) {
        qWarning("WsClient::WebSocket::open: already %s; call abort() or close() first",
            qPrintable(stateName(state)));
        return;
    }
    releaseTransport();
    retireConnection();
    const bool urlChanged = requestedUrl != url;
    requestedUrl = url;
    options = opts;
    redirects = 0;
    ended = false;
    errorReported = false;
    shuttingDown = false;
    end = ConnectionEnd();
    setError(Error::NoError, {});
    queue.clear();
    frameQueue.clear();
    queuedBytes = 0;
    writer.reset();
    writer.setLimit(options.sendBufferLimit());
    bodyDeadline = closeDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
    closeWaitMs = options.closeTimeout();
    closeFrameSeenHanded = false;
    lastHanded = 0;
    setState(WebSocket::State::Connecting);
    if (urlChanged)
        Q_EMIT q->urlChanged();
    armOpenDeadline();
    startAttempt(url);
}

int WebSocketPrivate::openLimit() const
{
    if (options.timeout() != -1)
        return options.timeout();
    return timeout != -1 ? timeout : ConnectOptions::DefaultOpenTimeout;
}

void WebSocketPrivate::startAttempt(const QUrl &url)
{
    Q_Q(WebSocket);
    currentUrl = url;
    parsed = parseUrl(url);
    if (!parsed.isValid()) {
        failOpening(parsed.error, parsed.errorString);
        return;
    }
    prepareAuth(url);
    const QString compressionProblem = Protocol::compressionOptionsProblem(options.compression());
    if (!compressionProblem.isNull()) {
        failOpening(Error::InvalidArgument, compressionProblem);
        return;
    }
    if (QIODevice *given = options.device()) {
        if (!given->isOpen()) {
            failOpening(Error::InvalidArgument, QStringLiteral("the device given in ConnectOptions is not open"));
            return;
        }
        beginHandshake(given, false);
        return;
    }
    connector = new Transport::Connector(parsed, options, q);
    wireConnectorAuth(connector);
    QObject::connect(connector, &Transport::Connector::ready, q, [this] { onTransportReady(); });
    QObject::connect(connector, &Transport::Connector::failed, q,
        [this](Error e, const QString &why) { failOpening(e, why); });
    connector->start();
}

void WebSocketPrivate::onTransportReady()
{
    QAbstractSocket *s = connector->takeSocket();
    connector->deleteLater();
    connector = nullptr;
    s->setParent(q_ptr);
    beginHandshake(s, true);
}

void WebSocketPrivate::beginHandshake(QIODevice *dev, bool owned)
{
    device.attach(dev, owned, q_ptr, this);
    Protocol::ClientConnection::Config config;
    Protocol::ClientHandshake::Config &handshake = config.handshake;
    handshake.request.url = parsed;
    handshake.request.host = options.host();
    handshake.request.origin = options.origin();
    handshake.request.suppressOrigin = options.suppressOrigin();
    handshake.request.headers = options.headers();
    handshake.request.cookie = handshakeCookieHeader(options, parsed);
    handshake.request.subprotocols = options.subprotocols();
    handshake.request.connection = options.connectionHeader();
    handshake.compression = options.compression();
    handshake.maxHeaderSize = qsizetype(options.maxHeaderSize());
    handshake.url = currentUrl;
    handshake.redirectLimit = options.redirectLimit();
    handshake.redirectsFollowed = redirects;
    handshake.canRedirect = options.device() == nullptr;
    configureHandshakeAuth(handshake);
    config.reader.frames.maxFrameSize = quint64(qMax<qint64>(0, options.maxFrameSize()));
    config.reader.messages.maxMessageSize = quint64(qMax<qint64>(0, options.maxMessageSize()));
    config.reader.messages.validateUtf8 = !options.skipUtf8Validation();
    config.reader.messages.fireContinuationFrames = options.fireContinuationFrames();
    config.writer.fragmentSize = options.outgoingFrameSize();
    config.writer.maskKeys = options.maskKeyGenerator();
    retireConnection();
    conn = std::make_unique<Protocol::ClientConnection>(config, *this, *this);
    conn->start();
    if (ended)
        return;
    // Data may already be waiting (a device handed over with the response in its buffer).
    if (device.bytesAvailable() > 0)
        QMetaObject::invokeMethod(q_ptr, [this] { readAvailable(); }, Qt::QueuedConnection);
}

void WebSocketPrivate::failOpening(Error e, const QString &why)
{
    if (ended)
        return;
    if (conn && conn->state() == Protocol::ClientConnection::State::Connecting) {
        conn->fail({ e, CloseCode::Abnormal, why }); // reported through failed()
        return;
    }
    retireConnection();
    end.setError(e, why); // no connection object holds this failure: finish() takes it from here
    finish();
}

// ---------------------------------------------------------------------------------------------
// ConnectionSink: what the connection decided

void WebSocketPrivate::opened()
{
    Q_Q(WebSocket);
    storeHandshakeCookies(options, parsed, conn->handshake().response());
    openDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
    rearmTimer();
    if (Trace::isOn()) {
        const Protocol::HttpResponseParser &response = conn->handshake().response();
        QByteArray head = response.httpVersion() + ' ' + QByteArray::number(response.statusCode()) + ' '
            + response.reasonPhrase() + '\n';
        for (const auto &field : response.headers())
            head += field.first + ": " + field.second + '\n';
        Trace::headerBlock("response header", head);
    }
    setState(WebSocket::State::Open);
    if (!conn->handshake().outcome().subprotocol.isEmpty())
        Q_EMIT q->subprotocolChanged();
    Q_EMIT q->connected();
}

void WebSocketPrivate::redirected(const QUrl &url)
{
    Q_Q(WebSocket);
    storeHandshakeCookies(options, parsed, conn->handshake().response()); // before the next hop asks
    ++redirects;
    qCDebug(lcTraceCategory).noquote() << "redirect" << conn->handshake().response().statusCode() << "to"
                                       << url.toDisplayString();
    releaseTransport();
    // Leave this call stack first: the old socket's signal is still being delivered.
    QMetaObject::invokeMethod(
        q,
        [this, url] {
            if (state == WebSocket::State::Connecting && !ended && !connector && !device.isAttached())
                startAttempt(url);
        },
        Qt::QueuedConnection);
}

void WebSocketPrivate::failed(const Protocol::Failure &failure)
{
    qCDebug(lcTraceCategory).noquote() << "connection failed:" << errorName(failure.error) << failure.message;
    if (!conn->wasOpen()) // an error status or a refused 101 may set cookies too, as in browsers
        storeHandshakeCookies(options, parsed, conn->handshake().response());
    if (conn->state() == Protocol::ClientConnection::State::Closed) {
        finish();
        return;
    }
    // Closing: the Close is written; the end follows when the transport has closed.
    setState(WebSocket::State::Closing);
    reportError(failure.error, failure.message);
}

void WebSocketPrivate::closeTransport()
{
    writer.flush();
    // Bounds the wait for the transport to close (a peer that never reads our Close).
    if (closeDeadline.isForever())
        armCloseDeadline(closeWaitMs);
    device.disconnectGracefully();
    if (device.isUnconnected())
        deviceEnded();
}

// ---------------------------------------------------------------------------------------------
// Transport events

void WebSocketPrivate::deviceReadyRead()
{
    readAvailable();
}

void WebSocketPrivate::deviceBytesWritten(qint64 bytes)
{
    Q_Q(WebSocket);
    writer.noteProgress();
    Q_EMIT q->bytesWritten(bytes);
    noteWriteProgress();
}

void WebSocketPrivate::deviceEnded()
{
    if (ended || !conn || !device.isAttached())
        return;
    // Whatever arrived before the end is still processed.
    if (device.bytesAvailable() > 0)
        readAvailable();
    if (ended || !conn)
        return;
    if (shuttingDown) {
        conn->abort();
        finish();
        return;
    }
    const bool opening = conn->state() == Protocol::ClientConnection::State::Connecting;
    const Protocol::Undelivered u = writer.undelivered();
    conn->transportClosed(target(), opening ? device.socketErrorString() : device.endCause(), u);
    if (!ended && conn->state() == Protocol::ClientConnection::State::Closed)
        finish();
}

// ---------------------------------------------------------------------------------------------
// Closing

void WebSocketPrivate::closeConnection(quint16 code, const QString &reason, int timeoutMs)
{
    switch (state.load()) {
    case WebSocket::State::Unconnected:
        return;
    case WebSocket::State::Connecting:
        abortConnection();
        return;
    case WebSocket::State::Open:
        drainPending(); // what other threads sent before goes first
        if (conn->close(code, reason))
            setState(WebSocket::State::Closing);
        break;
    case WebSocket::State::Closing:
        break;
    }
    closeWaitMs = timeoutMs >= 0 ? timeoutMs : options.closeTimeout();
    closeFrameSeenHanded = false;
    armCloseDeadline(closeWaitMs);
    noteWriteProgress();
}

void WebSocketPrivate::abortConnection()
{
    if (state == WebSocket::State::Unconnected)
        return;
    if (conn)
        conn->abort();
    finish();
}

void WebSocketPrivate::shutdownConnection()
{
    if (state == WebSocket::State::Unconnected)
        return;
    if (state == WebSocket::State::Connecting) {
        abortConnection();
        return;
    }
    drainPending();
    shuttingDown = true;
    setState(WebSocket::State::Closing);
    closeTransport();
}

// ---------------------------------------------------------------------------------------------
// Deadlines

void WebSocketPrivate::armOpenDeadline()
{
    const int limit = openLimit();
    openDeadline = limit > 0 ? QDeadlineTimer(limit, Qt::PreciseTimer) : QDeadlineTimer(QDeadlineTimer::Forever);
    rearmTimer();
}

void WebSocketPrivate::armCloseDeadline(int msecs)
{
    closeDeadline = QDeadlineTimer(qMax(0, msecs), Qt::PreciseTimer);
    rearmTimer();
}

QDeadlineTimer WebSocketPrivate::nearestDeadline() const
{
    return qMin(openDeadline, qMin(bodyDeadline, closeDeadline));
}

void WebSocketPrivate::rearmTimer()
{
    stopTimer();
    const QDeadlineTimer next = nearestDeadline();
    // A thread without an event loop has no timers: its blocking waits watch the deadlines.
    if (next.isForever() || !(deadlineScheduler = DeadlineScheduler::forCurrentThread()))
        return;
    deadlineToken = deadlineScheduler->schedule(this, next);
}

void WebSocketPrivate::stopTimer()
{
    if (deadlineScheduler)
        deadlineScheduler->cancel(std::exchange(deadlineToken, 0));
}

void WebSocketPrivate::deadlineReached()
{
    deadlineToken = 0;
    onDeadline();
}

void WebSocketPrivate::onDeadline()
{
    if (ended)
        return;
    if (openDeadline.hasExpired()) {
        openDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
        if (state == WebSocket::State::Connecting) {
            const QString why = QStringLiteral("opening %1 timed out after %2 ms")
                                    .arg(currentUrl.toDisplayString())
                                    .arg(openLimit());
            if (conn && conn->state() == Protocol::ClientConnection::State::Connecting)
                conn->handshakeTimedOut(why);
            else
                failOpening(Error::Timeout, why);
            return;
        }
    }
    if (bodyDeadline.hasExpired()) {
        bodyDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
        if (conn)
            conn->bodyTimedOut();
        if (ended)
            return;
    }
    if (closeDeadline.hasExpired()) {
        closeDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
        if (conn && conn->awaitingClose() && !conn->failure().isFailure()) {
            conn->closeTimedOut(closeTimeoutReason());
        } else {
            // The transport did not close in time after the closing handshake or a failure.
            if (conn)
                conn->abort();
            finish();
        }
        return;
    }
    rearmTimer();
}

void WebSocketPrivate::noteWriteProgress()
{
    const qint64 at = writer.handed();
    // The close timeout counts from when the Close frame reached the kernel, and until then from
    // the last progress of what was queued before it.
    if (conn && conn->awaitingClose() && !closeDeadline.isForever() && !closeFrameSeenHanded) {
        if (writer.closeFrameHanded()) {
            closeFrameSeenHanded = true;
            armCloseDeadline(closeWaitMs);
        } else if (at > lastHanded) {
            armCloseDeadline(closeWaitMs);
        }
    }
    lastHanded = at;
}

QString WebSocketPrivate::closeTimeoutReason() const
{
    if (writer.closeFrameHanded())
        return QStringLiteral("the server did not answer the Close frame within %1 ms").arg(closeWaitMs);
    const Protocol::Undelivered u = writer.undelivered();
    return QStringLiteral("closing timed out: nothing could be written for %1 ms, the server stopped reading%2")
        .arg(closeWaitMs)
        .arg(u.describe());
}

// ---------------------------------------------------------------------------------------------
// The end

void WebSocketPrivate::finish()
{
    Q_Q(WebSocket);
    if (ended)
        return;
    ended = true;
    openDeadline = bodyDeadline = closeDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
    stopTimer();
    ConnectionEnd e = end; // carries a failure from before any connection object (failOpening())
    if (conn) {
        conn->abort(); // nothing if it is Closed already
        e.setClose(conn->closeCode(), conn->closeReason());
        e.setWasOpen(conn->wasOpen());
        e.setCloseFrames(conn->closeSent(), conn->closeReceived(), conn->closedByServer());
        if (conn->failure().isFailure())
            e.setError(conn->failure().error, conn->failure().message);
    }
    const Protocol::Undelivered u = writer.undelivered();
    e.setUndelivered(u.bytes, u.messages);
    releaseTransport();
    writer.reset();
    end = e;
    const bool wasOpen = e.wasOpen();
    const bool failure = e.error() != Error::NoError && !errorReported;
    QPointer<WebSocket> alive(q);
    if (failure && wasOpen) // still Closing or Open in the slot, as the failure happened
        reportError(e.error(), e.errorString());
    if (!alive)
        return;
    setState(WebSocket::State::Unconnected);
    if (!alive)
        return;
    if (wasOpen)
        Q_EMIT q->closeCodeChanged();
    if (failure && !wasOpen) // Unconnected in the slot, which may open() again at once
        reportError(e.error(), e.errorString());
    if (!alive)
        return;
    if (wasOpen)
        Q_EMIT q->disconnected();
    if (alive)
        Q_EMIT q->finished(e);
}

void WebSocketPrivate::releaseTransport()
{
    if (connector) {
        QObject::disconnect(connector, nullptr, q_ptr, nullptr);
        connector->deleteLater();
        connector = nullptr;
    }
    device.release();
    dropSpare();
}

void WebSocketPrivate::retireConnection()
{
    // A connection whose own call is still on the stack (a slot reopened the socket) is kept until
    // that call has returned.
    if (dispatching > 0)
        retired = std::move(conn);
    else
        conn.reset();
}

} // namespace WsClient
