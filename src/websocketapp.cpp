#include <WsClient/websocket.h>
#include <WsClient/websocketapp.h>

#include "statename_p.h"

#include <QtCore/qeventloop.h>
#include <QtCore/qloggingcategory.h>
#include <QtCore/qmetaobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qrandom.h>
#include <QtCore/qthread.h>
#include <QtCore/qtimer.h>

#include <exception>

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

class WebSocketAppPrivate
{
    Q_DECLARE_PUBLIC(WebSocketApp)
public:
    explicit WebSocketAppPrivate(WebSocketApp *q);

    void wireSocket();
    QString validateSettings() const;
    void connectNow();
    void onConnected();
    void onFinished(const ConnectionEnd &end);
    void scheduleReconnect();
    int backoffDelay(int attemptNumber) const;
    void finishRun(bool withError, int code, const QString &reason);
    void sendKeepalivePing();
    void onPongTimeout();
    void stopKeepalive();
    void reportSendFailure();
    void setState(WebSocketApp::State newState);
    void reportError(Error error, const QString &why);

    void onMessage(const QByteArray &data, Opcode opcode);
    void onFragment(const QByteArray &data, Opcode opcode, bool isFinal);
    void emitMessage(const QByteArray &data, Opcode opcode);

    // Runs \a emitter (one Q_EMIT) so that an exception thrown by a user's slot ends here.
    template<typename Emitter> void guarded(const char *signal, Emitter &&emitter);

    WebSocketApp *q_ptr;
    WebSocket *socket;

    QUrl url;
    ConnectOptions options;
    WebSocketApp::HeaderProvider headerProvider;
    int pingInterval = 0;
    int pingTimeout = 0;
    QByteArray pingPayload;
    int reconnectDelay = 0;
    int maxReconnectDelay = WebSocketApp::DefaultMaxReconnectDelay;
    bool reconnectOnClose = false;

    WebSocketApp::State state = WebSocketApp::State::Unconnected;
    Error error = Error::NoError;
    QString errorString;

    // One run: from start() to closed().
    bool running = false;
    bool everOpened = false;
    bool stopRequested = false;
    quint16 stopCode = quint16(CloseCode::Normal);
    QString stopReason;
    int attempt = 0; // reconnect attempts since the last successful connection
    bool endedWithError = false;
    QList<QEventLoop *> loops; // runForever() calls waiting for the end, innermost last

    // One connection attempt: the app's own verdict on it (the socket's is in its ConnectionEnd).
    bool pongTimedOut = false;
    QString pongTimeoutString;

    QTimer pingTimer;
    QTimer pongTimer;
    QTimer reconnectTimer;
};

WebSocketAppPrivate::WebSocketAppPrivate(WebSocketApp *q) : q_ptr(q), socket(new WebSocket(q))
{
    pongTimer.setSingleShot(true);
    reconnectTimer.setSingleShot(true);
    // Keepalive deadlines of a few hundred ms must not drift by the 5% a coarse timer allows, and a
    // backoff delay must not end early.
    pingTimer.setTimerType(Qt::PreciseTimer);
    pongTimer.setTimerType(Qt::PreciseTimer);
    reconnectTimer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&pingTimer, &QTimer::timeout, q, [this] { sendKeepalivePing(); });
    QObject::connect(&pongTimer, &QTimer::timeout, q, [this] { onPongTimeout(); });
    QObject::connect(&reconnectTimer, &QTimer::timeout, q, [this] { connectNow(); });
    wireSocket();
}

template<typename Emitter> void WebSocketAppPrivate::guarded(const char *signal, Emitter &&emitter)
{
    Q_Q(WebSocketApp);
    QString what;
    try {
        emitter();
        return;
    } catch (const std::exception &e) {
        what = QString::fromLocal8Bit(e.what());
    } catch (...) {
        what = QStringLiteral("an unknown exception");
    }
    const QString why
        = QStringLiteral("the handler of WebSocketApp::%1 threw: %2").arg(QLatin1String(signal), what);
    qCWarning(lcApp).noquote() << why;
    error = Error::InvalidArgument;
    errorString = why;
    try {
        Q_EMIT q->errorOccurred(Error::InvalidArgument, why);
    } catch (...) {
        qCWarning(lcApp) << "a slot connected to WebSocketApp::errorOccurred threw as well";
    }
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
    QObject::connect(socket, &WebSocket::bytesWritten, q, [this](qint64 n) {
        guarded("bytesWritten", [&] { Q_EMIT q_ptr->bytesWritten(n); });
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
        pongTimer.stop();
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
    if (pingInterval > 0)
        pingTimer.start(pingInterval); // first ping one interval from now
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

void WebSocketAppPrivate::sendKeepalivePing()
{
    if (socket->state() != WebSocket::State::Open)
        return;
    socket->ping(pingPayload);
    if (pingTimeout > 0)
        pongTimer.start(pingTimeout);
}

void WebSocketAppPrivate::onPongTimeout()
{
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
    pingTimer.stop();
    pongTimer.stop();
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

// ---------------------------------------------------------------------------------------------
// WebSocketApp

WebSocketApp::WebSocketApp(QObject *parent) : QObject(parent), d_ptr(new WebSocketAppPrivate(this)) { }

WebSocketApp::WebSocketApp(const QUrl &url, const ConnectOptions &options, QObject *parent)
    : WebSocketApp(parent)
{
    Q_D(WebSocketApp);
    d->url = url;
    d->options = options;
}

WebSocketApp::~WebSocketApp()
{
    Q_D(WebSocketApp);
    // The socket is a child and would outlive d_ptr; nothing it emits may reach d from here on.
    QObject::disconnect(d->socket, nullptr, this, nullptr);
    delete d->socket;
    for (QEventLoop *loop : qAsConst(d->loops))
        loop->quit();
}

QUrl WebSocketApp::url() const
{
    return d_func()->url;
}

void WebSocketApp::setUrl(const QUrl &url)
{
    Q_D(WebSocketApp);
    if (d->url == url)
        return;
    d->url = url;
    Q_EMIT urlChanged();
}

ConnectOptions WebSocketApp::options() const
{
    return d_func()->options;
}
void WebSocketApp::setOptions(const ConnectOptions &options)
{
    d_func()->options = options;
}

WebSocketApp::HeaderProvider WebSocketApp::headerProvider() const
{
    return d_func()->headerProvider;
}
void WebSocketApp::setHeaderProvider(const HeaderProvider &provider)
{
    d_func()->headerProvider = provider;
}

int WebSocketApp::pingInterval() const
{
    return d_func()->pingInterval;
}

void WebSocketApp::setPingInterval(int msecs)
{
    Q_D(WebSocketApp);
    if (d->pingInterval == msecs)
        return;
    d->pingInterval = msecs;
    Q_EMIT pingIntervalChanged();
}

int WebSocketApp::pingTimeout() const
{
    return d_func()->pingTimeout;
}

void WebSocketApp::setPingTimeout(int msecs)
{
    Q_D(WebSocketApp);
    if (d->pingTimeout == msecs)
        return;
    d->pingTimeout = msecs;
    Q_EMIT pingTimeoutChanged();
}

QByteArray WebSocketApp::pingPayload() const
{
    return d_func()->pingPayload;
}

void WebSocketApp::setPingPayload(const QByteArray &payload)
{
    Q_D(WebSocketApp);
    if (d->pingPayload == payload)
        return;
    d->pingPayload = payload;
    Q_EMIT pingPayloadChanged();
}

int WebSocketApp::reconnectDelay() const
{
    return d_func()->reconnectDelay;
}

void WebSocketApp::setReconnectDelay(int msecs)
{
    Q_D(WebSocketApp);
    if (d->reconnectDelay == msecs)
        return;
    d->reconnectDelay = msecs;
    Q_EMIT reconnectDelayChanged();
}

int WebSocketApp::maxReconnectDelay() const
{
    return d_func()->maxReconnectDelay;
}

void WebSocketApp::setMaxReconnectDelay(int msecs)
{
    Q_D(WebSocketApp);
    if (d->maxReconnectDelay == msecs)
        return;
    d->maxReconnectDelay = msecs;
    Q_EMIT maxReconnectDelayChanged();
}

bool WebSocketApp::reconnectOnClose() const
{
    return d_func()->reconnectOnClose;
}

void WebSocketApp::setReconnectOnClose(bool on)
{
    Q_D(WebSocketApp);
    if (d->reconnectOnClose == on)
        return;
    d->reconnectOnClose = on;
    Q_EMIT reconnectOnCloseChanged();
}

WebSocketApp::State WebSocketApp::state() const
{
    return d_func()->state;
}
bool WebSocketApp::ready() const
{
    return d_func()->socket->state() == WebSocket::State::Open;
}
Error WebSocketApp::error() const
{
    return d_func()->error;
}
QString WebSocketApp::errorString() const
{
    return d_func()->errorString;
}
qint64 WebSocketApp::bytesToWrite() const
{
    return d_func()->socket->bytesToWrite();
}
WebSocket *WebSocketApp::socket() const
{
    return d_func()->socket;
}

bool WebSocketApp::start()
{
    Q_D(WebSocketApp);
    if (d->running)
        return true;
    const QString invalid = d->validateSettings();
    if (!invalid.isEmpty()) {
        d->endedWithError = true;
        d->reportError(Error::InvalidArgument, invalid);
        return false;
    }
    if (d->socket->state() != WebSocket::State::Unconnected) {
        // A close() of the previous run is still waiting for the server: end it now.
        d->socket->abort();
    }
    d->running = true;
    d->everOpened = false;
    d->stopRequested = false;
    d->attempt = 0;
    d->endedWithError = false;
    d->connectNow();
    return true;
}

bool WebSocketApp::runForever()
{
    Q_D(WebSocketApp);
    if (!d->running && !start())
        return true;
    if (!d->running)
        return d->endedWithError;
    QEventLoop loop;
    const QPointer<WebSocketApp> alive(this);
    d->loops.append(&loop);
    loop.exec();
    if (!alive)
        return false;
    d->loops.removeOne(&loop);
    return d->endedWithError;
}

void WebSocketApp::close(quint16 code, const QString &reason)
{
    Q_D(WebSocketApp);
    if (!d->running || d->stopRequested)
        return;
    d->stopRequested = true;
    d->stopCode = code;
    d->stopReason = reason;
    d->stopKeepalive();
    switch (d->socket->state()) {
    case WebSocket::State::Open:
    case WebSocket::State::Closing:
        d->setState(State::Closing);
        d->socket->close(code, reason);
        return;
    case WebSocket::State::Connecting:
        d->socket->abort(); // the end is handled once the socket is Unconnected
        return;
    case WebSocket::State::Unconnected:
        if (d->reconnectTimer.isActive())
            d->finishRun(false, code, reason);
        // else the end of the last connection is being handled: it sees stopRequested
        return;
    }
}

qint64 WebSocketApp::send(const QByteArray &data, Opcode opcode)
{
    Q_D(WebSocketApp);
    const qint64 n = d->socket->send(data, opcode);
    if (n < 0)
        d->reportSendFailure();
    return n;
}

qint64 WebSocketApp::sendText(const QString &text)
{
    Q_D(WebSocketApp);
    const qint64 n = d->socket->sendText(text);
    if (n < 0)
        d->reportSendFailure();
    return n;
}

qint64 WebSocketApp::sendBinary(const QByteArray &data)
{
    Q_D(WebSocketApp);
    const qint64 n = d->socket->sendBinary(data);
    if (n < 0)
        d->reportSendFailure();
    return n;
}

} // namespace WsClient
