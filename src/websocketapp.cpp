#include "websocketapp_p.h"

#include <QtCore/qeventloop.h>
#include <QtCore/qmetaobject.h>
#include <QtCore/qpointer.h>

namespace WsClient {

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

void WebSocketApp::connectNotify(const QMetaMethod &signal)
{
    if (signal == QMetaMethod::fromSignal(&WebSocketApp::bytesWritten))
        d_func()->forwardBytesWritten();
    QObject::connectNotify(signal);
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
