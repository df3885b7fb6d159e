// WebSocketAppPrivate: connections, reconnection, keepalive, receiving and the send policy.

#include "websocketapp_p.h"

#include "statename_p.h"

#include <QtCore/qeventloop.h>
#include <QtCore/qloggingcategory.h>
#include <QtCore/qmetaobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qrandom.h>
#include <QtCore/qthread.h>
#include <QtCore/qtimer.h>

#include <exception>
#include <utility>

namespace WsClient {

Q_LOGGING_CATEGORY(lcApp, "wsclient.app", QtInfoMsg)

namespace {

// The jitter takes up to this share off each backoff delay, so that many clients of one server do
// not all come back at the same instant.
constexpr int JitterPercent = 20;

// Errors that come from the settings: trying again cannot help.
bool isRetryable(Error error)
{
    return error != Error::InvalidUrl && error != Error::InvalidArgument;
}

} // namespace

WebSocketAppPrivate::WebSocketAppPrivate(WebSocketApp *q) : q_ptr(q), socket(new WebSocket(q))
{
    reconnectTimer.setSingleShot(true);
    // A backoff delay must not end early.
    reconnectTimer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&reconnectTimer, &QTimer::timeout, q, [this] { connectNow(); });
    wireSocket();
}

WebSocketAppPrivate::~WebSocketAppPrivate()
{
    stopKeepalive();
}

void WebSocketAppPrivate::forwardBytesWritten()
{
    if (forwardingWritten.exchange(true))
        return;
    Q_Q(WebSocketApp);
    QObject::connect(socket, &WebSocket::bytesWritten, q, [this](qint64 n) {
        guarded("bytesWritten", [&] { Q_EMIT q_ptr->bytesWritten(n); });
    });
}

void WebSocketAppPrivate::wireSocket()
{
    Q_Q(WebSocketApp);
    QObject::connect(socket, &WebSocket::connected, q, [this] { onConnected(); });
    // The socket reports each failure once, when it happens; how the connection ended, and so
    // what comes next, is decided on its one end-of-connection report.
    QObject::connect(socket, &WebSocket::errorOccurred, q, [this](Error e, const QString &why) {
        if (running)
            reportError(e, why);
    });
    QObject::connect(socket, &WebSocket::stateChanged, q, [this](WebSocket::State s) {
        if (s == WebSocket::State::Closing && state == WebSocketApp::State::Open)
            setState(WebSocketApp::State::Closing);
        else if (s == WebSocket::State::Unconnected)
            stopKeepalive();
    });
    QObject::connect(socket, &WebSocket::finished, q, [this](const ConnectionEnd &end) { onFinished(end); });
    // bytesWritten() is passed on from its first receiver on (WebSocketApp::connectNotify()):
    // a socket whose bytesWritten() has a receiver reports every write from the event loop.
    // Passed on as they are, synchronously: the application fills the authenticator in.
    QObject::connect(socket, &WebSocket::authenticationRequired, q, [this](QAuthenticator *authenticator) {
        guarded("authenticationRequired", [&] { Q_EMIT q_ptr->authenticationRequired(authenticator); });
    });
    QObject::connect(socket, &WebSocket::proxyAuthenticationRequired, q,
        [this](const ProxyOptions &proxy, QAuthenticator *authenticator) {
            guarded("proxyAuthenticationRequired",
                [&] { Q_EMIT q_ptr->proxyAuthenticationRequired(proxy, authenticator); });
        });
    QObject::connect(socket, &WebSocket::messageReceived, q,
        [this](const QByteArray &data, Opcode opcode) { onMessage(data, opcode); });
    QObject::connect(socket, &WebSocket::fragmentReceived, q,
        [this](const QByteArray &data, Opcode opcode, bool fin) { onFragment(data, opcode, fin); });
    QObject::connect(socket, &WebSocket::pingReceived, q, [this](const QByteArray &payload) {
        guarded("pingReceived", [&] { Q_EMIT q_ptr->pingReceived(payload); });
    });
    QObject::connect(socket, &WebSocket::pongReceived, q, [this](const QByteArray &payload) {
        // Any pong proves the connection alive, as in the seed (last_pong_tm).
        if (awaitingPong) {
            awaitingPong = false;
            armKeepalive(nextPingAt, pingInterval);
        }
        guarded("pongReceived", [&] { Q_EMIT q_ptr->pongReceived(payload); });
    });
}

QString WebSocketAppPrivate::validateSettings() const
{
    if (pingInterval < 0)
        return QStringLiteral("pingInterval must be >= 0 ms (0: no pings), not %1").arg(pingInterval);
    if (pingTimeout < 0)
        return QStringLiteral("pingTimeout must be > 0 ms (0: no timeout), not %1").arg(pingTimeout);
    if (pingInterval > 0 && pingTimeout > 0 && pingInterval <= pingTimeout)
        return QStringLiteral("pingInterval (%1 ms) must be greater than pingTimeout (%2 ms)")
            .arg(pingInterval)
            .arg(pingTimeout);
    if (pingPayload.size() > Frame::MaxControlPayload)
        return QStringLiteral("pingPayload of %1 bytes exceeds the 125 bytes of a control frame")
            .arg(pingPayload.size());
    if (reconnectDelay < 0)
        return QStringLiteral("reconnectDelay must be >= 0 ms (0: no reconnect), not %1").arg(reconnectDelay);
    if (maxReconnectDelay < 0)
        return QStringLiteral("maxReconnectDelay must be >= 0 ms, not %1").arg(maxReconnectDelay);
    return {};
}

void WebSocketAppPrivate::setState(WebSocketApp::State newState)
{
    if (state == newState)
        return;
    state = newState;
    guarded("stateChanged", [&] { Q_EMIT q_ptr->stateChanged(newState); });
}

void WebSocketAppPrivate::reportError(Error e, const QString &why)
{
    const bool changed = error != e || errorString != why;
    error = e;
    errorString = why;
    if (changed)
        guarded("errorChanged", [&] { Q_EMIT q_ptr->errorChanged(); });
    guarded("errorOccurred", [&] { Q_EMIT q_ptr->errorOccurred(e, why); });
}

// ---------------------------------------------------------------------------------------------
// Connections

void WebSocketAppPrivate::connectNow()
{
    if (!running || stopRequested)
        return;
    pongTimedOut = false;
    pongTimeoutString.clear();
    ConnectOptions effective = options;
    if (headerProvider) {
        ConnectOptions::HeaderList extra;
        guarded("headerProvider", [&] { extra = headerProvider(); });
        for (const auto &field : qAsConst(extra))
            effective.setHeader(field.first, field.second);
    }
    setState(WebSocketApp::State::Connecting);
    qCDebug(lcApp).noquote() << "connecting to" << url.toDisplayString() << "attempt" << attempt;
    socket->open(url, effective);
}

void WebSocketAppPrivate::onConnected()
{
    Q_Q(WebSocketApp);
    if (!running)
        return;
    attempt = 0;
    setState(WebSocketApp::State::Open);
    startKeepalive();
    if (everOpened) {
        guarded("reconnected", [&] { Q_EMIT q->reconnected(); });
    } else {
        everOpened = true;
        guarded("opened", [&] { Q_EMIT q->opened(); });
    }
}

void WebSocketAppPrivate::onFinished(const ConnectionEnd &end)
{
    stopKeepalive();
    if (!running)
        return;
    ConnectionEnd verdict = end;
    if (pongTimedOut && end.error() == Error::NoError) {
        verdict.setError(Error::Timeout, pongTimeoutString);
        verdict.setClose(int(CloseCode::Abnormal), pongTimeoutString);
    }
    const QPointer<WebSocketApp> alive(q_ptr);
    guarded("connectionEnded", [&] { Q_EMIT q_ptr->connectionEnded(verdict); });
    if (!alive || !running)
        return;
    const int code = end.closeCode() > 0 ? end.closeCode() : int(CloseCode::Abnormal);
    if (stopRequested) {
        const bool hadClose = end.closeCode() > 0;
        finishRun(false, hadClose ? code : int(stopCode), hadClose ? end.closeReason() : stopReason);
        return;
    }
    const bool mayReconnect = reconnectDelay > 0;
    if (pongTimedOut || end.error() != Error::NoError) {
        const Error why = pongTimedOut ? Error::Timeout : end.error();
        if (mayReconnect && isRetryable(why))
            scheduleReconnect();
        else
            finishRun(true, code, pongTimedOut ? pongTimeoutString : end.errorString());
        return;
    }
    // The server closed with a Close frame: a normal end unless asked to come back.
    if (mayReconnect && reconnectOnClose)
        scheduleReconnect();
    else
        finishRun(false, code, end.closeReason());
}

int WebSocketAppPrivate::backoffDelay(int attemptNumber) const
{
    const qint64 cap = qMax(maxReconnectDelay, reconnectDelay);
    qint64 base = reconnectDelay;
    for (int i = 1; i < attemptNumber && base < cap; ++i)
        base *= 2;
    base = qMin(base, cap);
    const qint64 jitter = QRandomGenerator::global()->bounded(base * JitterPercent / 100 + 1);
    return int(qMax<qint64>(1, base - jitter));
}

void WebSocketAppPrivate::scheduleReconnect()
{
    Q_Q(WebSocketApp);
    ++attempt;
    const int delay = backoffDelay(attempt);
    qCDebug(lcApp) << "reconnect attempt" << attempt << "in" << delay << "ms";
    setState(WebSocketApp::State::Reconnecting);
    reconnectTimer.start(delay);
    const int n = attempt;
    guarded("reconnectScheduled", [&] { Q_EMIT q->reconnectScheduled(n, delay); });
}

void WebSocketAppPrivate::finishRun(bool withError, int code, const QString &reason)
{
    Q_Q(WebSocketApp);
    running = false;
    endedWithError = withError;
    reconnectTimer.stop();
    stopKeepalive();
    setState(WebSocketApp::State::Unconnected);
    for (QEventLoop *loop : qAsConst(loops))
        loop->quit();
    guarded("closed", [&] { Q_EMIT q->closed(code, reason); });
}

// ---------------------------------------------------------------------------------------------
// Keepalive

void WebSocketAppPrivate::startKeepalive()
{
    stopKeepalive();
    keepaliveScheduler = DeadlineScheduler::forCurrentThread(); // the app's thread, now
    if (pingInterval <= 0)
        return;
    nextPingAt = QDeadlineTimer(pingInterval).deadlineNSecs(); // first ping one interval from now
    armKeepalive(nextPingAt, pingInterval);
}

// A keepalive deadline may come up to 5% of its period late (never early), so that the deadlines
// of many apps coincide and fire in one timer event.
void WebSocketAppPrivate::armKeepalive(qint64 atNSecs, int periodMs)
{
    if (!keepaliveScheduler)
        return;
    keepaliveScheduler->cancel(std::exchange(keepaliveToken, 0));
    QDeadlineTimer when;
    when.setPreciseDeadline(atNSecs / 1000000000, atNSecs % 1000000000);
    keepaliveToken = keepaliveScheduler->schedule(this, when, qint64(periodMs) * 1000000 / 20);
}

void WebSocketAppPrivate::deadlineReached()
{
    keepaliveToken = 0;
    if (awaitingPong)
        onPongTimeout();
    else
        sendKeepalivePing();
}

void WebSocketAppPrivate::sendKeepalivePing()
{
    if (socket->state() != WebSocket::State::Open)
        return;
    socket->ping(pingPayload);
    const qint64 now = QDeadlineTimer::current().deadlineNSecs();
    const qint64 interval = qint64(pingInterval) * 1000000;
    // The next ping keeps the pace; after a stall (a blocked event loop) it restarts from now.
    nextPingAt = nextPingAt + interval > now ? nextPingAt + interval : now + interval;
    if (pingTimeout > 0) {
        awaitingPong = true;
        armKeepalive(now + qint64(pingTimeout) * 1000000, pingTimeout);
    } else {
        armKeepalive(nextPingAt, pingInterval);
    }
}

void WebSocketAppPrivate::onPongTimeout()
{
    awaitingPong = false;
    if (socket->state() != WebSocket::State::Open)
        return;
    stopKeepalive();
    pongTimedOut = true;
    pongTimeoutString = QStringLiteral("no pong from %1 within %2 ms of a ping")
                                .arg(url.toDisplayString())
                                .arg(pingTimeout);
    reportError(Error::Timeout, pongTimeoutString);
    // The peer is unresponsive: a closing handshake would only wait for it as well.
    socket->abort();
}

void WebSocketAppPrivate::stopKeepalive()
{
    awaitingPong = false;
    if (keepaliveScheduler)
        keepaliveScheduler->cancel(std::exchange(keepaliveToken, 0));
}

// ---------------------------------------------------------------------------------------------
// Receiving

void WebSocketAppPrivate::emitMessage(const QByteArray &data, Opcode opcode)
{
    Q_Q(WebSocketApp);
    if (opcode == Opcode::Text) {
        if (q->isSignalConnected(QMetaMethod::fromSignal(&WebSocketApp::textMessageReceived)))
            guarded("textMessageReceived", [&] { Q_EMIT q->textMessageReceived(QString::fromUtf8(data)); });
    } else {
        guarded("binaryMessageReceived", [&] { Q_EMIT q->binaryMessageReceived(data); });
    }
}

void WebSocketAppPrivate::onMessage(const QByteArray &data, Opcode opcode)
{
    Q_Q(WebSocketApp);
    const QPointer<WebSocketApp> alive(q);
    guarded("dataReceived", [&] { Q_EMIT q->dataReceived(data, opcode, true); });
    if (alive)
        emitMessage(data, opcode);
}

void WebSocketAppPrivate::onFragment(const QByteArray &data, Opcode opcode, bool isFinal)
{
    Q_Q(WebSocketApp);
    const QPointer<WebSocketApp> alive(q);
    guarded("dataReceived", [&] { Q_EMIT q->dataReceived(data, opcode, isFinal); });
    if (!alive)
        return;
    if (opcode == Opcode::Continuation)
        guarded("continuationReceived", [&] { Q_EMIT q->continuationReceived(data, isFinal); });
    else
        emitMessage(data, opcode);
}

// ---------------------------------------------------------------------------------------------
// Sending

void WebSocketAppPrivate::reportSendFailure()
{
    Q_Q(WebSocketApp);
    // The socket set why it refused (its error is readable from any thread); a refusal for the
    // state is reported in the app's words, naming the state.
    Error e = socket->error();
    QString why = socket->errorString();
    if (e != Error::InvalidArgument && e != Error::SendBufferFull) {
        e = Error::ConnectionClosed;
        why = QStringLiteral("message not sent: the connection is %1").arg(stateName(socket->state()));
    }
    if (QThread::currentThread() == q->thread()) {
        reportError(e, why);
        return;
    }
    QMetaObject::invokeMethod(q, [this, e, why] { reportError(e, why); }, Qt::QueuedConnection);
}

} // namespace WsClient
