#include "websocket_p.h"

#include "protocol/closepayload.h"
#include "protocol/framewriter.h"
#include "protocol/masking.h"
#include "protocol/permessagedeflate.h"
#include "trace_p.h"
#include "transport/directsocketio.h"

#include <QtCore/qabstracteventdispatcher.h>
#include <QtCore/qcoreapplication.h>
#include <QtCore/qmetaobject.h>
#include <QtCore/qthread.h>
#include <QtNetwork/qabstractsocket.h>
#include <QtNetwork/qlocalsocket.h>

#include <cstring>

namespace WsClient {

namespace {

std::atomic<int> g_defaultTimeout { -1 };

// Frames at least this large are encoded into their own buffer and handed to the socket as a
// QByteArray, which QIODevice can keep without copying; smaller ones share a reused buffer.
constexpr qsizetype OwnBufferThreshold = 4096;
// Reading stops (back-pressure) while this much waits unread in the blocking-API queue.
constexpr qint64 MaxQueuedBytes = 64 * 1024 * 1024;
// How long a failed handshake's body is waited for after the head.
constexpr int BadStatusBodyWaitMs = 2000;
constexpr qint64 MaxBadStatusBody = 64 * 1024;
// Slice of a blocking wait while other threads send through this connection.
constexpr int CrossThreadPollMs = 5;
constexpr int IdlePollMs = 50;
// Bytes asked of the transport per read when no payload is being gathered.
constexpr qint64 ReadChunk = 256 * 1024;
// Held small frames are written without waiting for the end of the dispatch beyond this size.
constexpr qsizetype MaxHeldBytes = 64 * 1024;
// Messages this large are offered back to the reader once the slots are done with them, and kept
// for this long for the next large frame.
constexpr qsizetype SpareMinimum = 1024 * 1024;
constexpr int SpareKeepMs = 250;

QString stateName(WebSocket::State state)
{
    return QString::fromLatin1(QMetaEnum::fromType<WebSocket::State>().valueToKey(int(state)));
}

} // namespace

// ---------------------------------------------------------------------------------------------
// WebSocketPrivate: opening

WebSocketPrivate::WebSocketPrivate(WebSocket *q) : q_ptr(q), timeout(g_defaultTimeout.load()) { }

WebSocketPrivate::~WebSocketPrivate()
{
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
    error = e;
    errorString = why;
}

void WebSocketPrivate::open(const QUrl &url, const ConnectOptions &opts)
{
    if (state != WebSocket::State::Unconnected) {
        qWarning("WsClient::WebSocket::open: already %s; call abort() or close() first",
            qPrintable(stateName(state)));
        return;
    }
    releaseTransport();
    requestedUrl = url;
    options = opts;
    redirects = 0;
    closeSent = false;
    connectedEmitted = false;
    closeCode = 0;
    closeReason.clear();
    setError(Error::NoError, {});
    queue.clear();
    frameQueue.clear();
    queuedBytes = 0;
    outcome = {};
    compression = CompressionOptions();
    stopCompressing();
    body.clear();

    const int limit = options.timeout() == -1 ? timeout : options.timeout();
    openDeadline = limit > 0 ? QDeadlineTimer(limit) : QDeadlineTimer(QDeadlineTimer::Forever);
    setState(WebSocket::State::Connecting);
    if (limit > 0) {
        if (!openTimer) {
            openTimer = new QTimer(q_ptr);
            openTimer->setSingleShot(true);
            openTimer->setTimerType(Qt::PreciseTimer);
            QObject::connect(openTimer, &QTimer::timeout, q_ptr, [this, limit] {
                if (state == WebSocket::State::Connecting)
                    failConnecting(Error::Timeout,
                        QStringLiteral("opening %1 timed out after %2 ms")
                            .arg(currentUrl.toDisplayString())
                            .arg(limit));
            });
        }
        openTimer->start(limit);
    }
    startAttempt(url);
}

void WebSocketPrivate::startAttempt(const QUrl &url)
{
    currentUrl = url;
    parsed = parseUrl(url);
    if (!parsed.isValid()) {
        failConnecting(parsed.error, parsed.errorString);
        return;
    }
    response = Protocol::HandshakeResponseParser(qsizetype(options.maxHeaderSize()));
    const QString compressionProblem = Protocol::compressionOptionsProblem(options.compression());
    if (!compressionProblem.isNull()) {
        failConnecting(Error::InvalidArgument, compressionProblem);
        return;
    }
    if (QIODevice *given = options.device()) {
        if (!given->isOpen()) {
            failConnecting(
                Error::InvalidArgument, QStringLiteral("the device given in ConnectOptions is not open"));
            return;
        }
        attachDevice(given, false);
        sendHandshake();
        return;
    }
    phase = Phase::Transport;
    connector = new Transport::Connector(parsed, options, q_ptr);
    QObject::connect(connector, &Transport::Connector::ready, q_ptr, [this] { onTransportReady(); });
    QObject::connect(connector, &Transport::Connector::failed, q_ptr,
        [this](Error e, const QString &why) { failConnecting(e, why); });
    connector->start();
}

void WebSocketPrivate::onTransportReady()
{
    QAbstractSocket *s = connector->takeSocket();
    connector->deleteLater();
    connector = nullptr;
    s->setParent(q_ptr);
    attachDevice(s, true);
    sendHandshake();
}

void WebSocketPrivate::attachDevice(QIODevice *dev, bool owned)
{
    Q_Q(WebSocket);
    device = dev;
    ownsDevice = owned;
    socket = qobject_cast<QAbstractSocket *>(dev);
    localSocket = qobject_cast<QLocalSocket *>(dev);
    plainTcp = Transport::directIoFor(dev);
    QObject::connect(dev, &QIODevice::readyRead, q, [this] { onReadyRead(); });
    QObject::connect(dev, &QIODevice::bytesWritten, q, &WebSocket::bytesWritten);
    if (socket) {
        lastPeerAddress = socket->peerAddress();
        lastPeerPort = socket->peerPort();
        QObject::connect(socket, &QAbstractSocket::disconnected, q, [this] { onDeviceDisconnected(); });
        QObject::connect(socket, &QAbstractSocket::errorOccurred, q, [this](QAbstractSocket::SocketError e) {
            // The remote end closing is handled by disconnected(); a timeout of one of our own blocking
            // waits leaves the socket usable; any other error ends the connection here.
            if (e != QAbstractSocket::RemoteHostClosedError && e != QAbstractSocket::SocketTimeoutError
                && device)
                onDeviceDisconnected();
        });
    } else if (localSocket) {
        QObject::connect(localSocket, &QLocalSocket::disconnected, q, [this] { onDeviceDisconnected(); });
    } else {
        QObject::connect(dev, &QIODevice::readChannelFinished, q, [this] { onDeviceDisconnected(); });
    }
}

void WebSocketPrivate::sendHandshake()
{
    Protocol::HandshakeRequestParams params;
    params.url = parsed;
    params.host = options.host();
    params.origin = options.origin();
    params.suppressOrigin = options.suppressOrigin();
    params.headers = options.headers();
    params.cookie = options.cookie();
    params.subprotocols = options.subprotocols();
    params.connection = options.connectionHeader();
    if (options.compression().isEnabled())
        params.extensions = Protocol::deflateOffer(options.compression());
    request = Protocol::buildHandshakeRequest(params);
    if (request.error != Error::NoError) {
        failConnecting(request.error, request.errorString);
        return;
    }
    phase = Phase::Handshake;
    Trace::headerBlock("request header", request.bytes);
    outgoing += request.bytes;
    flushOutgoing();
    if (directlyWritten > 0)
        scheduleFlush(); // reports them as bytesWritten()
    request.bytes = QByteArray(); // sent; requestHeaders() keeps what was in it
    // Data may already be waiting (a device handed over with the response in its buffer).
    if (device->bytesAvailable() > 0)
        QMetaObject::invokeMethod(
            q_ptr, [this] { onReadyRead(); }, Qt::QueuedConnection);
}

// ---------------------------------------------------------------------------------------------
// Receiving

void WebSocketPrivate::onReadyRead()
{
    if (!device)
        return;
    if (phase == Phase::Handshake)
        readHandshake();
    if (phase == Phase::BadStatusBody)
        readBadStatusBody(false);
    if (phase == Phase::Frames)
        readFrames();
}

void WebSocketPrivate::readHandshake()
{
    while (phase == Phase::Handshake && device && device->bytesAvailable() > 0) {
        readBuffer.resize(qsizetype(qMin(device->bytesAvailable(), ReadChunk)));
        const qint64 n = device->read(readBuffer.data(), readBuffer.size());
        if (n <= 0)
            return;
        qsizetype used = 0;
        const auto status = response.feed(QByteArrayView(readBuffer.constData(), qsizetype(n)), &used);
        if (status == Protocol::HandshakeResponseParser::Status::Failed) {
            failConnecting(response.error(), response.errorString());
            return;
        }
        if (status == Protocol::HandshakeResponseParser::Status::Complete) {
            handleHandshakeComplete(QByteArrayView(readBuffer.constData() + used, qsizetype(n) - used));
            readBuffer = QByteArray(); // sized again by the first frames; an idle connection keeps none
            return;
        }
    }
}

void WebSocketPrivate::handleHandshakeComplete(QByteArrayView rest)
{
    Q_Q(WebSocket);
    if (Trace::isOn()) {
        QByteArray head = response.httpVersion() + ' ' + QByteArray::number(response.statusCode()) + ' '
            + response.reasonPhrase() + '\n';
        for (const auto &field : response.headers())
            head += field.first + ": " + field.second + '\n';
        Trace::headerBlock("response header", head);
    }
    Protocol::HandshakeExpectations expected;
    expected.key = request.key;
    expected.subprotocols = options.subprotocols();
    if (options.compression().isEnabled())
        expected.extensions.append(QByteArray(Protocol::PerMessageDeflateName));
    expected.requestUrl = currentUrl;
    outcome = Protocol::evaluateHandshake(response, expected);

    switch (outcome.kind) {
    case Protocol::ResponseKind::Upgrade:
        break;
    case Protocol::ResponseKind::Redirect: {
        if (options.device()) {
            failConnecting(Error::Handshake,
                QStringLiteral("redirect to %1 cannot be followed on a user-supplied device")
                    .arg(outcome.redirectUrl.toDisplayString()));
            return;
        }
        if (redirects >= options.redirectLimit()) {
            failConnecting(Error::TooManyRedirects,
                QStringLiteral("too many redirects: the limit is %1, next Location was %2")
                    .arg(options.redirectLimit())
                    .arg(outcome.redirectUrl.toDisplayString()));
            return;
        }
        ++redirects;
        qCDebug(lcTraceCategory).noquote()
            << "redirect" << response.statusCode() << "to" << outcome.redirectUrl.toDisplayString();
        releaseTransport();
        const QUrl next = outcome.redirectUrl;
        // Leave this call stack first: the old socket's signal is still being delivered.
        QMetaObject::invokeMethod(
            q,
            [this, next] {
                if (state == WebSocket::State::Connecting)
                    startAttempt(next);
            },
            Qt::QueuedConnection);
        phase = Phase::Transport;
        return;
    }
    case Protocol::ResponseKind::BadStatus:
        body = rest.toByteArray();
        bodyExpected = response.contentLength();
        bodyDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
        phase = Phase::BadStatusBody;
        readBadStatusBody(false);
        return;
    case Protocol::ResponseKind::Invalid:
        failConnecting(outcome.error, outcome.errorString);
        return;
    }

    const QString compressionProblem
        = Protocol::negotiateDeflate(options.compression(), outcome.extensions, &compression);
    if (!compressionProblem.isNull()) {
        failConnecting(Error::Compression, compressionProblem);
        return;
    }

    // Open.
    if (openTimer)
        openTimer->stop();
    Protocol::ProtocolReader::Config config;
    config.frames.maxFrameSize = quint64(qMax<qint64>(0, options.maxFrameSize()));
    config.messages.maxMessageSize = quint64(qMax<qint64>(0, options.maxMessageSize()));
    config.messages.validateUtf8 = !options.skipUtf8Validation();
    config.messages.fireContinuationFrames = options.fireContinuationFrames();
    if (compression.isEnabled()) {
        config.messages.inflate = true;
        config.messages.inflateWindowBits = compression.serverMaxWindowBits();
        config.messages.inflateResetEachMessage = compression.serverNoContextTakeover();
        config.messages.maxInflatedSize = quint64(compression.maxDecompressedSize());
        startCompressing();
    }
    reader = Protocol::ProtocolReader(config);
    phase = Phase::Frames;
    setState(WebSocket::State::Open);
    connectedEmitted = true;
    Q_EMIT q->connected();
    if (!rest.isEmpty() && phase == Phase::Frames) {
        // Frames that came in the same read as the response head.
        QByteArray early = rest.toByteArray();
        reader.setTapFrames(
            frameQueueOn || q->isSignalConnected(QMetaMethod::fromSignal(&WebSocket::frameReceived)));
        reader.feed(early.data(), early.size(), *this);
        if (reader.hasFailed())
            failOpen(reader.failure().error, reader.failure().message, quint16(reader.failure().closeCode));
    }
    if (phase == Phase::Frames && device && device->bytesAvailable() > 0)
        readFrames();
}

void WebSocketPrivate::readBadStatusBody(bool atEnd)
{
    if (device && device->bytesAvailable() > 0)
        body += device->read(qMax<qint64>(0, MaxBadStatusBody - body.size()));
    const bool complete
        = atEnd || body.size() >= MaxBadStatusBody || (bodyExpected >= 0 && body.size() >= bodyExpected);
    if (bodyExpected >= 0 && body.size() > bodyExpected)
        body.truncate(qsizetype(bodyExpected));
    if (complete) {
        failConnecting(Error::BadStatus, outcome.errorString);
        return;
    }
    // A server that neither sends a length nor closes gets a short grace period, not the whole timeout.
    if (bodyDeadline.isForever())
        bodyDeadline = QDeadlineTimer(BadStatusBodyWaitMs);
    QTimer::singleShot(BadStatusBodyWaitMs, q_ptr, [this, attempt = request.key] {
        if (phase == Phase::BadStatusBody && request.key == attempt)
            readBadStatusBody(true);
    });
}

void WebSocketPrivate::readFrames()
{
    Q_Q(WebSocket);
    struct DispatchScope
    {
        explicit DispatchScope(WebSocketPrivate *owner) : d(owner) { ++d->dispatching; }
        ~DispatchScope() { d->endDispatch(); }
        WebSocketPrivate *d;
    } scope(this);
    reader.setTapFrames(
        frameQueueOn || q->isSignalConnected(QMetaMethod::fromSignal(&WebSocket::frameReceived)));
    while (phase == Phase::Frames && device && wantsMore()) {
        if (queuedBytes >= MaxQueuedBytes)
            return; // resumed by the blocking receive calls as they drain the queue
        qsizetype room = 0;
        if (char *target = reader.directTarget(&room)) {
            // A large payload is being gathered: let the transport copy straight into it, and once
            // Qt's buffer is empty the kernel too (QAbstractSocket would copy everything through
            // its own buffer first). Qt reads nothing behind our back meanwhile: it reads only in
            // its read notifier or its waitFor functions, and then behind what it has buffered.
            qint64 n = device->read(target, room);
            if (n == 0 && plainTcp)
                n = Transport::receiveNow(socket->socketDescriptor(), target, room);
            if (n <= 0)
                return;
            reader.commitDirect(qsizetype(n), *this);
        } else {
            const qint64 available = device->bytesAvailable();
            if (available <= 0)
                return;
            readBuffer.resize(qsizetype(qMin(available, ReadChunk)));
            const qint64 n = device->read(readBuffer.data(), readBuffer.size());
            if (n <= 0)
                return;
            reader.feed(readBuffer.data(), qsizetype(n), *this);
        }
        if (reader.hasFailed()) {
            const Protocol::Failure &f = reader.failure();
            failOpen(f.error, f.message, quint16(f.closeCode));
            return;
        }
    }
}

bool WebSocketPrivate::wantsMore() const
{
    return phase == Phase::Frames && !reader.closeReceived() && state != WebSocket::State::Unconnected;
}

void WebSocketPrivate::frameReceived(const Protocol::FrameHeader &header, QByteArrayView payload)
{
    Q_Q(WebSocket);
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
        if (q_ptr->isSignalConnected(signal))
            return false;
    }
    return !frameQueueOn;
}

void WebSocketPrivate::enqueue(Opcode opcode, QByteArray data, bool fin)
{
    queuedBytes += data.size();
    queue.push_back(Message { opcode, std::move(data), fin, true });
}

void WebSocketPrivate::messageReceived(Opcode opcode, QByteArray &&message)
{
    Q_Q(WebSocket);
    Trace::frame("Rcv message", true, 0, opcode, message);
    static const QMetaMethod textSignal = QMetaMethod::fromSignal(&WebSocket::textMessageReceived);
    static const QMetaMethod binarySignal = QMetaMethod::fromSignal(&WebSocket::binaryMessageReceived);
    static const QMetaMethod rawSignal = QMetaMethod::fromSignal(&WebSocket::messageReceived);
    // The other type's signal is asked about only when it decides between emitting and queueing:
    // isSignalConnected() was 12% of the client's instructions echoing small messages.
    const bool text = opcode == Opcode::Text;
    const bool wantsOwn = q->isSignalConnected(text ? textSignal : binarySignal);
    const bool wantsRaw = q->isSignalConnected(rawSignal);
    if (!wantsOwn && !wantsRaw && !q->isSignalConnected(text ? binarySignal : textSignal)) {
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
    if (message.size() < SpareMinimum)
        return;
    reader.parser().setSpareBuffer(std::move(message));
    // A thread without an event loop (blocking use from a std::thread) has no timers: there the
    // next gathered frame takes the spare or lets it go.
    if (!QAbstractEventDispatcher::instance())
        return;
    if (!spareTimer) {
        spareTimer = new QTimer(q_ptr);
        spareTimer->setSingleShot(true);
        QObject::connect(spareTimer, &QTimer::timeout, q_ptr, [this] { reader.parser().dropSpareBuffer(); });
    }
    spareTimer->start(SpareKeepMs);
}

void WebSocketPrivate::fragmentReceived(Opcode opcode, QByteArray &&data, bool fin)
{
    Q_Q(WebSocket);
    if (blockingMode()) {
        enqueue(opcode, std::move(data), fin);
        return;
    }
    Q_EMIT q->fragmentReceived(data, opcode, fin);
}

void WebSocketPrivate::pingReceived(QByteArrayView payload)
{
    Q_Q(WebSocket);
    const QByteArray data = payload.toByteArray();
    if (!closeSent)
        writeFrame(Opcode::Pong, true, 0, data);
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
    closeCode = code;
    closeReason = reason;
    qCDebug(lcTraceCategory).noquote() << "close received:" << code << reason;
    if (!closeSent) {
        // Echo the code (RFC 6455 §5.5.1); a Close without a code is answered without one.
        drainPending();
        writeFrame(Opcode::Close, true, 0, Protocol::encodeClosePayload(code));
        closeSent = true;
    }
    setState(WebSocket::State::Closing);
    if (blockingMode())
        enqueue(Opcode::Close, Protocol::encodeClosePayload(code, reason));
    Q_EMIT q->closeReceived(code, reason);
    disconnectTransport();
}

void WebSocketPrivate::onDeviceDisconnected()
{
    Q_Q(WebSocket);
    if (!device || phase == Phase::Done)
        return;
    // Whatever arrived before the end is still processed.
    if (device->bytesAvailable() > 0 && phase != Phase::Transport)
        onReadyRead();
    if (!device || phase == Phase::Done)
        return;
    switch (phase) {
    case Phase::Handshake:
        failConnecting(Error::Network,
            QStringLiteral("%1 closed the connection during the opening handshake%2")
                .arg(target(), socket ? QStringLiteral(": ") + socket->errorString() : QString()));
        return;
    case Phase::BadStatusBody:
        readBadStatusBody(true);
        return;
    case Phase::Frames:
        if (!reader.closeReceived() && closeCode == 0)
            closeCode = int(CloseCode::Abnormal);
        if (!closeSent && !reader.closeReceived()) {
            closeCode = int(CloseCode::Abnormal);
            const QString cause = socket && socket->error() != QAbstractSocket::RemoteHostClosedError
                    && socket->error() != QAbstractSocket::UnknownSocketError
                ? socket->errorString()
                : QStringLiteral("the server closed the connection without a Close frame");
            setError(
                Error::ConnectionClosed, QStringLiteral("connection to %1 lost: %2").arg(target(), cause));
            Q_EMIT q->errorOccurred(error, errorString);
        }
        finish();
        return;
    default:
        finish();
        return;
    }
}

// ---------------------------------------------------------------------------------------------
// Sending

Protocol::MaskKey WebSocketPrivate::nextMaskKey()
{
    const auto &generator = options.maskKeyGenerator();
    if (!generator)
        return Protocol::randomMaskKey();
    const QByteArray key = generator(4);
    if (key.size() != 4) {
        qWarning("WsClient: the mask key generator returned %lld bytes instead of 4; using a random key",
            qlonglong(key.size()));
        return Protocol::randomMaskKey();
    }
    Protocol::MaskKey k;
    std::memcpy(k.data(), key.constData(), 4);
    return k;
}

Protocol::FrameHeader WebSocketPrivate::maskedHeader(
    Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload)
{
    Protocol::FrameHeader header;
    header.fin = fin;
    header.rsv = rsv;
    header.opcode = opcode;
    header.masked = true;
    header.maskKey = nextMaskKey();
    Trace::frame("Sent", fin, rsv, opcode, payload);
    return header;
}

void WebSocketPrivate::appendMaskedFrame(
    QByteArray &out, Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload)
{
    Protocol::appendFrame(out, maskedHeader(opcode, fin, rsv, payload), payload);
}

void WebSocketPrivate::queueForOwner(QByteArray &&frames)
{
    QMutexLocker lock(&pendingMutex);
    if (pending.isEmpty())
        pending.swap(frames);
    else
        pending.append(frames);
    hasPending = true;
    crossThreadSenders = true;
    if (!flushPosted) {
        flushPosted = true;
        QMetaObject::invokeMethod(q_ptr, "writePendingFrames", Qt::QueuedConnection);
    }
}

void WebSocketPrivate::writeFrame(Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload)
{
    if (!onOwnerThread()) {
        // Encoded outside the lock: the mask key generator is user code.
        QByteArray frame;
        appendMaskedFrame(frame, opcode, fin, rsv, payload);
        queueForOwner(std::move(frame));
        return;
    }
    if (!beginOwnerWrite())
        return;
    if (payload.size() >= OwnBufferThreshold) {
        flushOutgoing(); // keeps the order
        const Protocol::FrameHeader header = maskedHeader(opcode, fin, rsv, payload);
        if (plainTcp && socket->bytesToWrite() == 0) {
            sendLargeFrame(header, payload);
            return;
        }
        QByteArray frame;
        Protocol::appendFrame(frame, header, payload);
        writeThroughDevice(frame);
        return;
    }
    appendMaskedFrame(outgoing, opcode, fin, rsv, payload);
    outgoingAppended();
}

// The frames of one fragmented message reach the wire contiguously: no frame of another thread's
// message lands between them (RFC 6455 §5.4 allows no data frame of another message inside it).
void WebSocketPrivate::writeMessage(QByteArray &&frames)
{
    if (!onOwnerThread()) {
        queueForOwner(std::move(frames));
        return;
    }
    if (!beginOwnerWrite())
        return;
    if (frames.size() >= OwnBufferThreshold) {
        writeThroughDevice(frames);
        return;
    }
    outgoing += frames;
    outgoingAppended();
}

bool WebSocketPrivate::beginOwnerWrite()
{
    // What other threads queued was sent before: it goes first.
    if (hasPending)
        drainPending();
    return device != nullptr;
}

void WebSocketPrivate::writeThroughDevice(const QByteArray &frames)
{
    flushOutgoing(); // keeps the order
    device->write(frames);
    scheduleFlush();
}

void WebSocketPrivate::outgoingAppended()
{
    if (!plainTcp || outgoing.size() >= MaxHeldBytes) {
        flushOutgoing();
        scheduleFlush();
    } else if (dispatching > 0) {
        holdWhileDispatching();
    } else {
        scheduleFlush();
    }
}

void WebSocketPrivate::sendLargeFrame(Protocol::FrameHeader header, QByteArrayView payload)
{
    // Sent in slices masked into a small buffer while the kernel takes them: the peer starts reading
    // at once, and no buffer of the frame's size is filled (and its fresh pages faulted in) first.
    // What the kernel does not take is masked into one buffer and left to the socket, as on other
    // devices.
    constexpr qsizetype Slice = MaxHeldBytes;
    header.payloadLength = quint64(payload.size());
    const qintptr fd = socket->socketDescriptor();
    qsizetype done = 0; // payload bytes masked so far
    QByteArray slice;
    slice.reserve(Protocol::MaxFrameHeaderSize + qMin(Slice, payload.size()));
    slice.resize(Protocol::MaxFrameHeaderSize);
    slice.resize(Protocol::writeFrameHeader(slice.data(), header));
    for (;;) {
        const qsizetype n = qMin(Slice, payload.size() - done);
        const qsizetype at = slice.size();
        slice.resize(at + n);
        Protocol::maskCopy(slice.data() + at, payload.data() + done, n, header.maskKey, quint64(done));
        done += n;
        const qint64 taken = Transport::sendNow(fd, slice.constData(), slice.size());
        directlyWritten += taken;
        if (taken < slice.size()) {
            QByteArray rest;
            rest.reserve(slice.size() - taken + payload.size() - done);
            rest.append(slice.constData() + taken, slice.size() - taken);
            const qsizetype tail = rest.size();
            rest.resize(tail + payload.size() - done);
            Protocol::maskCopy(rest.data() + tail, payload.data() + done, payload.size() - done,
                header.maskKey, quint64(done));
            device->write(rest);
            break;
        }
        slice.resize(0);
        if (done == payload.size())
            break;
    }
    scheduleFlush(); // also reports the bytes sent here (bytesWritten() is never emitted from a send)
}

void WebSocketPrivate::flushOutgoing()
{
    if (outgoing.isEmpty())
        return;
    qint64 sent = 0;
    if (device && plainTcp && socket->bytesToWrite() == 0) {
        sent = Transport::sendNow(socket->socketDescriptor(), outgoing.constData(), outgoing.size());
        directlyWritten += sent;
    }
    if (device && sent < outgoing.size())
        device->write(outgoing.constData() + sent, outgoing.size() - sent);
    if (outgoing.capacity() > MaxHeldBytes)
        outgoing = QByteArray();
    else
        outgoing.resize(0);
}

void WebSocketPrivate::reportDirectlyWritten()
{
    // Like QAbstractSocket: reported from the event loop or a flush/wait, never from inside a send,
    // and not again while a slot of the signal runs.
    if (directlyWritten == 0 || reportingWritten)
        return;
    Q_Q(WebSocket);
    const qint64 n = std::exchange(directlyWritten, 0);
    QPointer<WebSocket> alive(q);
    reportingWritten = true;
    Q_EMIT q->bytesWritten(n);
    if (alive)
        reportingWritten = false;
}

void WebSocketPrivate::holdWhileDispatching()
{
    if (!QAbstractEventDispatcher::instance()) {
        flushOutgoing(); // no event loop, so no nested one either: nothing to wait for
        return;
    }
    if (!dispatchFlushTimer) {
        dispatchFlushTimer = new QTimer(q_ptr);
        dispatchFlushTimer->setSingleShot(true);
        dispatchFlushTimer->setInterval(0);
        QObject::connect(dispatchFlushTimer, &QTimer::timeout, q_ptr, [this] {
            flushOutgoing();
            reportDirectlyWritten();
        });
    }
    if (!dispatchFlushTimer->isActive())
        dispatchFlushTimer->start();
}

void WebSocketPrivate::endDispatch()
{
    if (--dispatching > 0)
        return;
    if (dispatchFlushTimer && dispatchFlushTimer->isActive())
        dispatchFlushTimer->stop();
    flushOutgoing();
    if (directlyWritten > 0)
        scheduleFlush(); // reports them as bytesWritten(), outside the dispatch
}

void WebSocketPrivate::scheduleFlush()
{
    // Hand what this event-loop pass wrote to the kernel right after it, in one write: sooner than
    // the socket's write notifier (one poll later), and still one syscall for a burst of frames.
    if (ownerFlushPosted)
        return;
    ownerFlushPosted = true;
    QMetaObject::invokeMethod(q_ptr, "writePendingFrames", Qt::QueuedConnection);
}

void WebSocketPrivate::drainPending()
{
    QByteArray data;
    {
        QMutexLocker lock(&pendingMutex);
        data.swap(pending);
        hasPending = false;
        flushPosted = false;
    }
    if (data.isEmpty() || !device)
        return;
    if (plainTcp)
        outgoing += data; // behind the owner's held frames; written by the caller's flush
    else
        device->write(data);
}

bool WebSocketPrivate::refuseSend(const char *what)
{
    const WebSocket::State s = state;
    if (s == WebSocket::State::Open)
        return false;
    // error()/errorString() belong to the owner thread; other threads only get the -1.
    if (onOwnerThread())
        setError(Error::ConnectionClosed,
            QStringLiteral("cannot send %1: the connection is %2, not Open")
                .arg(QLatin1String(what), stateName(s)));
    return true;
}

qint64 WebSocketPrivate::sendMessage(Opcode opcode, QByteArrayView payload)
{
    if (refuseSend("a message"))
        return -1;
    if (quint8(opcode) & 0x8) {
        if (payload.size() > Frame::MaxControlPayload) {
            if (onOwnerThread())
                setError(Error::InvalidArgument,
                    QStringLiteral("control frame payload of %1 bytes exceeds 125").arg(payload.size()));
            return -1;
        }
        writeFrame(opcode, true, 0, payload);
        return payload.size();
    }
    const qint64 compressFrom = compressMinimum.load(std::memory_order_acquire);
    if (compressFrom >= 0 && payload.size() >= compressFrom) {
        // The compressor's window follows the wire order: compress and queue under one lock.
        QMutexLocker lock(&deflateMutex);
        if (deflater) {
            writeMessageFrames(opcode, Protocol::Rsv1, deflater->compress(payload, deflateResetEachMessage));
            return payload.size();
        }
    }
    writeMessageFrames(opcode, 0, payload);
    return payload.size();
}

void WebSocketPrivate::startCompressing()
{
    // zlib cannot write an 8-bit window: then this side sends uncompressed (RFC 7692 §6.1).
    if (compression.clientMaxWindowBits() <= CompressionOptions::MinWindowBits)
        return;
    QMutexLocker lock(&deflateMutex);
    deflater = std::make_unique<Protocol::Deflater>(
        compression.clientMaxWindowBits(), compression.compressionLevel(), compression.memoryLevel());
    deflateResetEachMessage = compression.clientNoContextTakeover();
    compressMinimum.store(compression.minimumSize(), std::memory_order_release);
}

void WebSocketPrivate::stopCompressing()
{
    compressMinimum.store(-1, std::memory_order_release);
    QMutexLocker lock(&deflateMutex);
    deflater.reset();
}

void WebSocketPrivate::writeMessageFrames(Opcode opcode, quint8 rsv, QByteArrayView payload)
{
    const qint64 limit = options.outgoingFrameSize();
    if (limit <= 0 || payload.size() <= limit) {
        writeFrame(opcode, true, rsv, payload);
        return;
    }
    QByteArray frames;
    frames.reserve(payload.size() + (payload.size() / limit + 1) * Protocol::MaxFrameHeaderSize);
    // RSV1 marks the message, so only its first frame carries it (RFC 7692 §6.1).
    for (qsizetype offset = 0; offset < payload.size(); offset += qsizetype(limit)) {
        const qsizetype n = qMin<qsizetype>(qsizetype(limit), payload.size() - offset);
        appendMaskedFrame(frames, offset == 0 ? opcode : Opcode::Continuation, offset + n == payload.size(),
            offset == 0 ? rsv : 0, payload.sliced(offset, n));
    }
    writeMessage(std::move(frames));
}

qint64 WebSocketPrivate::sendRawFrame(const Frame &frame)
{
    if (refuseSend("a frame"))
        return -1;
    const quint8 rsv = quint8((frame.rsv1() ? Protocol::Rsv1 : 0) | (frame.rsv2() ? Protocol::Rsv2 : 0)
        | (frame.rsv3() ? Protocol::Rsv3 : 0));
    const QByteArray payload = frame.payload();
    writeFrame(frame.opcode(), frame.isFinal(), rsv, payload);
    if (frame.opcode() == Opcode::Close && onOwnerThread()) {
        closeSent = true;
        setState(WebSocket::State::Closing);
    }
    return payload.size();
}

// ---------------------------------------------------------------------------------------------
// Closing and failing

void WebSocketPrivate::startClose(quint16 code, const QString &reason, int timeoutMs)
{
    Q_Q(WebSocket);
    switch (state.load()) {
    case WebSocket::State::Unconnected:
        return;
    case WebSocket::State::Connecting:
        releaseTransport();
        phase = Phase::Done;
        setState(WebSocket::State::Unconnected);
        return;
    case WebSocket::State::Closing:
    case WebSocket::State::Open:
        break;
    }
    if (!closeSent) {
        drainPending();
        writeFrame(Opcode::Close, true, 0, Protocol::encodeClosePayload(code, reason));
        closeSent = true;
    }
    setState(WebSocket::State::Closing);
    const int wait = timeoutMs >= 0 ? timeoutMs : options.closeTimeout();
    closeDeadline = QDeadlineTimer(qMax(0, wait));
    if (!closeTimer) {
        closeTimer = new QTimer(q);
        closeTimer->setSingleShot(true);
        closeTimer->setTimerType(Qt::PreciseTimer);
        QObject::connect(closeTimer, &QTimer::timeout, q, [this] { onCloseTimeout(); });
    }
    closeTimer->start(qMax(0, wait));
}

void WebSocketPrivate::onCloseTimeout()
{
    if (state == WebSocket::State::Unconnected || reader.closeReceived())
        return;
    qCDebug(lcTraceCategory) << "no Close from the server in time; closing the connection";
    closeCode = int(CloseCode::Abnormal);
    closeReason = QStringLiteral("the server did not answer the Close frame in time");
    releaseTransport();
    finish();
}

void WebSocketPrivate::failConnecting(Error e, const QString &why)
{
    Q_Q(WebSocket);
    if (state == WebSocket::State::Unconnected && phase == Phase::Done)
        return;
    qCDebug(lcTraceCategory).noquote() << "connection failed:" << errorName(e) << why;
    if (openTimer)
        openTimer->stop();
    releaseTransport();
    phase = Phase::Done;
    setError(e, why);
    setState(WebSocket::State::Unconnected);
    Q_EMIT q->errorOccurred(e, why);
}

void WebSocketPrivate::failOpen(Error e, const QString &why, quint16 code)
{
    Q_Q(WebSocket);
    qCDebug(lcTraceCategory).noquote() << "failing the connection:" << code << why;
    setError(e, why);
    closeCode = code;
    closeReason = why;
    if (!closeSent) {
        // RFC 6455 §7.1.7: send a Close with the reason, then drop the connection without waiting.
        const QByteArray reasonUtf8 = why.toUtf8();
        writeFrame(Opcode::Close, true, 0,
            Protocol::encodeClosePayload(
                code, QString::fromUtf8(Protocol::truncateUtf8(reasonUtf8, Protocol::MaxCloseReasonBytes))));
        closeSent = true;
    }
    setState(WebSocket::State::Closing);
    Q_EMIT q->errorOccurred(e, why);
    disconnectTransport();
}

void WebSocketPrivate::disconnectTransport()
{
    if (closeTimer)
        closeTimer->stop();
    flushOutgoing();
    if (!device) {
        finish();
        return;
    }
    if (socket) {
        if (socket->state() == QAbstractSocket::UnconnectedState) {
            finish();
            return;
        }
        socket->disconnectFromHost(); // writes what is queued first; disconnected() calls finish()
        if (socket && socket->state() == QAbstractSocket::UnconnectedState)
            finish();
        return;
    }
    if (localSocket) {
        if (localSocket->state() == QLocalSocket::UnconnectedState) {
            finish();
            return;
        }
        localSocket->disconnectFromServer();
        if (localSocket && localSocket->state() == QLocalSocket::UnconnectedState)
            finish();
        return;
    }
    device->close();
    finish();
}

void WebSocketPrivate::finish()
{
    Q_Q(WebSocket);
    if (phase == Phase::Done && state == WebSocket::State::Unconnected)
        return;
    phase = Phase::Done;
    if (openTimer)
        openTimer->stop();
    if (closeTimer)
        closeTimer->stop();
    releaseTransport();
    setState(WebSocket::State::Unconnected);
    if (connectedEmitted) {
        connectedEmitted = false;
        Q_EMIT q->disconnected();
    }
}

void WebSocketPrivate::releaseTransport()
{
    if (connector) {
        QObject::disconnect(connector, nullptr, q_ptr, nullptr);
        connector->deleteLater();
        connector = nullptr;
    }
    if (device) {
        QObject::disconnect(device, nullptr, q_ptr, nullptr);
        if (ownsDevice) {
            if (socket)
                socket->abort();
            device->deleteLater();
        }
    }
    device = nullptr;
    socket = nullptr;
    localSocket = nullptr;
    ownsDevice = false;
    plainTcp = false;
    outgoing = QByteArray();
    reader.parser().dropSpareBuffer();
    if (spareTimer)
        spareTimer->stop();
    if (dispatchFlushTimer)
        dispatchFlushTimer->stop();
}

// ---------------------------------------------------------------------------------------------
// Blocking API

bool WebSocketPrivate::waitOnce(QDeadlineTimer deadline)
{
    const int ms = deadline.isForever() ? -1 : int(qMax<qint64>(0, deadline.remainingTime()));
    if (phase == Phase::Transport && connector) {
        // A failure clears `connector` (the object itself is only deleteLater()'d) from inside the wait.
        Transport::Connector *waiting = connector;
        return waiting->waitForReady(deadline) || connector != waiting;
    }
    if (phase == Phase::Transport) {
        // Between a redirect and the next attempt: run the queued start.
        QCoreApplication::sendPostedEvents(q_ptr, QEvent::MetaCall);
        return true;
    }
    if (!device)
        return false;
    if (hasPending)
        drainPending();
    flushOutgoing();
    reportDirectlyWritten(); // a blocking wait reports writes, as QAbstractSocket's waits do
    if (!device)
        return false;
    if (device->bytesAvailable() > 0) {
        onReadyRead();
        return true;
    }
    if (ms == 0)
        return false;
    // A blocked owner thread cannot see other threads' queued frames arrive: it waits in slices,
    // short ones once another thread has sent through this connection.
    const int pollMs = crossThreadSenders ? CrossThreadPollMs : IdlePollMs;
    const int slice = ms < 0 || ms > pollMs ? pollMs : ms;
    if (socket && socket->state() == QAbstractSocket::ClosingState)
        return socket->waitForDisconnected(slice);
    return device->waitForReadyRead(slice) || (device && !device->isOpen()) || slice != ms;
}

bool WebSocketPrivate::waitUntil(const std::function<bool()> &done, int msecs)
{
    const int wait = effectiveWait(msecs);
    QDeadlineTimer deadline = wait < 0 ? QDeadlineTimer(QDeadlineTimer::Forever) : QDeadlineTimer(wait);
    while (!done()) {
        if (state == WebSocket::State::Unconnected)
            return done();
        // The timers of open() and close() do not fire without an event loop: check them here.
        QDeadlineTimer effective = deadline;
        if (state == WebSocket::State::Connecting && openDeadline < effective)
            effective = openDeadline;
        if (state == WebSocket::State::Closing && closeSent && closeDeadline < effective)
            effective = closeDeadline;
        if (state == WebSocket::State::Connecting && openDeadline.hasExpired()) {
            failConnecting(
                Error::Timeout, QStringLiteral("opening %1 timed out").arg(currentUrl.toDisplayString()));
            return done();
        }
        if (phase == Phase::BadStatusBody && bodyDeadline < effective)
            effective = bodyDeadline;
        if (phase == Phase::BadStatusBody && bodyDeadline.hasExpired()) {
            readBadStatusBody(true);
            continue;
        }
        if (state == WebSocket::State::Closing && closeSent && closeDeadline.hasExpired()) {
            onCloseTimeout();
            return done();
        }
        if (deadline.hasExpired())
            return false;
        waitOnce(effective);
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
// WebSocket

WebSocket::WebSocket(QObject *parent) : QObject(parent), d_ptr(new WebSocketPrivate(this)) { }

WebSocket::~WebSocket() = default;

void WebSocket::open(const QUrl &url, const ConnectOptions &options)
{
    Q_D(WebSocket);
    d->open(url, options);
}

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

void WebSocket::writePendingFrames()
{
    Q_D(WebSocket);
    d->ownerFlushPosted = false;
    d->drainPending();
    d->flushOutgoing();
    if (d->socket)
        d->socket->flush();
    else if (d->localSocket)
        d->localSocket->flush();
    d->reportDirectlyWritten();
}

bool WebSocket::flush()
{
    Q_D(WebSocket);
    d->drainPending();
    const qint64 before = d->directlyWritten;
    d->flushOutgoing();
    const bool sentDirectly = d->directlyWritten > before;
    bool flushed = false;
    if (d->socket)
        flushed = d->socket->flush();
    else if (d->localSocket)
        flushed = d->localSocket->flush();
    d->reportDirectlyWritten();
    return flushed || sentDirectly;
}

bool WebSocket::waitForBytesWritten(int msecs)
{
    Q_D(WebSocket);
    d->drainPending();
    d->flushOutgoing();
    QPointer<WebSocket> alive(this);
    d->reportDirectlyWritten();
    if (!alive || !d->device)
        return false;
    const int wait = d->effectiveWait(msecs);
    while (d->device && d->device->bytesToWrite() > 0) {
        if (!d->device->waitForBytesWritten(wait))
            return false;
    }
    return true;
}

qint64 WebSocket::sendText(const QString &text)
{
    Q_D(WebSocket);
    return d->sendMessage(Opcode::Text, text.toUtf8());
}

qint64 WebSocket::sendTextUtf8(const QByteArray &utf8)
{
    Q_D(WebSocket);
    return d->sendMessage(Opcode::Text, utf8);
}

qint64 WebSocket::sendBinary(const QByteArray &data)
{
    Q_D(WebSocket);
    return d->sendMessage(Opcode::Binary, data);
}

qint64 WebSocket::send(const QByteArray &data, Opcode opcode)
{
    Q_D(WebSocket);
    if (opcode == Opcode::Close) {
        // A Close changes the state: it is sent from the owner thread so that nothing follows it.
        if (d->refuseSend("a Close"))
            return -1;
        if (d->onOwnerThread())
            return d->sendRawFrame(Frame::create(data, Opcode::Close));
        QMetaObject::invokeMethod(
            this, [d, data] { d->sendRawFrame(Frame::create(data, Opcode::Close)); }, Qt::QueuedConnection);
        return data.size();
    }
    return d->sendMessage(opcode, data);
}

qint64 WebSocket::sendFrame(const Frame &frame)
{
    Q_D(WebSocket);
    return d->sendRawFrame(frame);
}

qint64 WebSocket::ping(const QByteArray &payload)
{
    Q_D(WebSocket);
    return d->sendMessage(Opcode::Ping, payload);
}

qint64 WebSocket::pong(const QByteArray &payload)
{
    Q_D(WebSocket);
    return d->sendMessage(Opcode::Pong, payload);
}

qint64 WebSocket::sendClose(quint16 code, const QString &reason)
{
    return send(Protocol::encodeClosePayload(code, reason), Opcode::Close);
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
        if (!m.isValid() && d->phase == WebSocketPrivate::Phase::Frames && d->queuedBytes < MaxQueuedBytes
            && d->device && d->device->bytesAvailable() > 0)
            d->readFrames(); // reading may have paused for back-pressure
        if (!m.isValid())
            m = d->takeQueued(includeControlFrames);
        return m.isValid();
    };
    const bool received = d->waitUntil(ready, msecs) && m.isValid();
    // A spare buffer offered by the previous call and not taken during this one goes: a blocking
    // caller may have no event loop to run the timer that would drop it.
    d->reader.parser().dropSpareBuffer();
    if (received) {
        // Shared with the caller: reused only if the caller has let go of it by the next large frame
        // (in the next call).
        QByteArray spare = m.data;
        d->offerAsSpare(spare);
        return m;
    }
    if (!m.isValid()) {
        if (d->state == State::Unconnected || d->state == State::Closing) {
            if (d->error == Error::NoError)
                d->setError(Error::ConnectionClosed, QStringLiteral("the connection is closed"));
        } else {
            d->setError(
                Error::Timeout, QStringLiteral("no message within %1 ms").arg(d->effectiveWait(msecs)));
        }
    }
    return m;
}

bool WebSocket::receiveFrame(Frame *frame, int msecs)
{
    Q_D(WebSocket);
    d->frameQueueOn = true;
    auto ready = [d] {
        if (d->frameQueue.empty() && d->phase == WebSocketPrivate::Phase::Frames && d->device
            && d->device->bytesAvailable() > 0)
            d->readFrames();
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

void WebSocket::close(quint16 code, const QString &reason, int timeoutMs)
{
    Q_D(WebSocket);
    if (!d->onOwnerThread()) {
        QMetaObject::invokeMethod(
            this, [this, code, reason, timeoutMs] { close(code, reason, timeoutMs); }, Qt::QueuedConnection);
        return;
    }
    d->startClose(code, reason, timeoutMs);
}

void WebSocket::abort()
{
    Q_D(WebSocket);
    if (d->state == State::Unconnected)
        return;
    // An open connection dropped without a closing handshake ended abnormally.
    if (d->connectedEmitted && !d->reader.closeReceived())
        d->closeCode = int(CloseCode::Abnormal);
    d->releaseTransport();
    d->finish();
}

void WebSocket::shutdown()
{
    Q_D(WebSocket);
    if (d->state == State::Unconnected)
        return;
    d->drainPending();
    d->setState(State::Closing);
    d->disconnectTransport();
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
    return d_func()->lastPeerAddress;
}
quint16 WebSocket::peerPort() const
{
    return d_func()->lastPeerPort;
}
int WebSocket::handshakeStatus() const
{
    return d_func()->response.statusCode();
}
ConnectOptions::HeaderList WebSocket::handshakeHeaders() const
{
    return d_func()->response.headers();
}
ConnectOptions::HeaderList WebSocket::requestHeaders() const
{
    return d_func()->request.headers;
}
QByteArray WebSocket::handshakeBody() const
{
    return d_func()->body;
}
QString WebSocket::subprotocol() const
{
    return d_func()->outcome.subprotocol;
}
QByteArray WebSocket::extensions() const
{
    return d_func()->outcome.extensions;
}
CompressionOptions WebSocket::compression() const
{
    return d_func()->compression;
}
int WebSocket::closeCode() const
{
    return d_func()->closeCode;
}
QString WebSocket::closeReason() const
{
    return d_func()->closeReason;
}
Error WebSocket::error() const
{
    return d_func()->error;
}
QString WebSocket::errorString() const
{
    return d_func()->errorString;
}
int WebSocket::timeout() const
{
    return d_func()->timeout;
}
void WebSocket::setTimeout(int msecs)
{
    d_func()->timeout = msecs;
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
    const WebSocketPrivate *d = d_func();
    return d->outgoing.size() + (d->device ? d->device->bytesToWrite() : 0);
}
ConnectionEnd WebSocket::connectionEnd() const
{
    return {};
}

} // namespace WsClient
