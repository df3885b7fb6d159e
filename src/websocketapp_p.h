#pragma once

#include <WsClient/websocket.h>
#include <WsClient/websocketapp.h>

#include "deadlinescheduler_p.h"

#include <QtCore/qloggingcategory.h>
#include <QtCore/qtimer.h>

#include <atomic>
#include <exception>

QT_BEGIN_NAMESPACE
class QEventLoop;
QT_END_NAMESPACE

namespace WsClient {

Q_DECLARE_LOGGING_CATEGORY(lcApp)

/*!
    The policy behind WebSocketApp: keepalive, reconnection with backoff, the send policy. It owns
    the WebSocket and decides on its ConnectionEnd; websocketapprun.cpp holds the logic,
    websocketapp.cpp the public functions.
*/
class WebSocketAppPrivate final : public DeadlineScheduler::Client
{
    Q_DECLARE_PUBLIC(WebSocketApp)
public:
    explicit WebSocketAppPrivate(WebSocketApp *q);
    ~WebSocketAppPrivate();

    void wireSocket();
    void forwardBytesWritten();
    QString validateSettings() const;
    void connectNow();
    void onConnected();
    void onFinished(const ConnectionEnd &end);
    void scheduleReconnect();
    int backoffDelay(int attemptNumber) const;
    void finishRun(bool withError, int code, const QString &reason);
    void startKeepalive();
    void deadlineReached() override; // the keepalive's
    void sendKeepalivePing();
    void onPongTimeout();
    void armKeepalive(qint64 atNSecs, int periodMs);
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

    // Keepalive: one deadline at a time on the thread's DeadlineScheduler (the next ping, or the
    // pong due after one), not two QTimers: ten thousand apps then share a few wake-ups a second.
    DeadlineScheduler *keepaliveScheduler = nullptr;
    quint64 keepaliveToken = 0;
    bool awaitingPong = false;
    qint64 nextPingAt = 0; // QDeadlineTimer::deadlineNSecs(); pings keep this pace without drift

    QTimer reconnectTimer;

    std::atomic<bool> forwardingWritten { false }; // connectNotify() may run in any thread
};

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

} // namespace WsClient
