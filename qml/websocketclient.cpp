#include "websocketclient.h"

#include <WsClient/compression.h>
#include <WsClient/frame.h>
#include <WsClient/websocket.h>
#include <WsClient/websocketapp.h>

#include <QtCore/qloggingcategory.h>
#include <QtQml/qjsvalue.h>

#include <utility>

namespace WsClient {

Q_LOGGING_CATEGORY(lcQml, "wsclient.qml", QtInfoMsg)

namespace {

// QML hands a JS object or array to a `var` property as a QJSValue or already converted; make it a
// QVariantMap / QVariantList either way.
QVariant plainVariant(const QVariant &value)
{
    if (value.metaType() == QMetaType::fromType<QJSValue>())
        return value.value<QJSValue>().toVariant();
    return value;
}

// The two forms websocket-client accepts for header=: {name: value} (null or undefined removes a
// default field such as Origin) or a list of "Name: value" lines. Returns why \a value is neither.
QString applyHeaders(const QVariant &value, ConnectOptions *options)
{
    const QVariant plain = plainVariant(value);
    if (!plain.isValid() || plain.isNull())
        return {};
    switch (plain.metaType().id()) {
    case QMetaType::QVariantMap: {
        const QVariantMap map = plain.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it) {
            const bool remove = !it.value().isValid() || it.value().isNull();
            options->setHeader(it.key().toUtf8(), remove ? QByteArray() : it.value().toString().toUtf8());
        }
        return {};
    }
    case QMetaType::QStringList:
    case QMetaType::QVariantList: {
        QList<QByteArray> lines;
        const QVariantList list = plain.toList();
        for (const QVariant &line : list) {
            if (line.metaType().id() != QMetaType::QString)
                return QStringLiteral("headers: a list must hold \"Name: value\" strings, not %1")
                    .arg(QString::fromLatin1(line.metaType().name()));
            lines.append(line.toString().toUtf8());
        }
        options->setHeaders(lines);
        return {};
    }
    default:
        return QStringLiteral(
            "headers must be a JS object {name: value} or a list of \"Name: value\" strings, "
            "not %1")
            .arg(QString::fromLatin1(plain.metaType().name()));
    }
}

} // namespace

WebSocketClient::WebSocketClient(QObject *parent) : QObject(parent), m_app(new WebSocketApp(this))
{
    wireApp();
}

WebSocketClient::~WebSocketClient()
{
    // The app outlives this destructor as a child; nothing it emits while it goes may reach us.
    disconnect(m_app, nullptr, this, nullptr);
    delete m_app;
}

void WebSocketClient::wireApp()
{
    connect(m_app, &WebSocketApp::stateChanged, this, [this] { updateStatus(); });
    connect(m_app, &WebSocketApp::connectionEnded, this, &WebSocketClient::onConnectionEnded);
    connect(m_app, &WebSocketApp::bytesWritten, this, &WebSocketClient::updateBufferedAmount);
    connect(m_app, &WebSocketApp::opened, this, [this] { onAppOpened(false); });
    connect(m_app, &WebSocketApp::reconnected, this, [this] { onAppOpened(true); });
    connect(m_app, &WebSocketApp::errorOccurred, this,
        [this](WsClient::Error, const QString &why) { onAppError(why); });
    connect(m_app, &WebSocketApp::closed, this, &WebSocketClient::onAppClosed);
    // dataReceived comes first, so that a message handler sees the counter with its message in it.
    connect(m_app, &WebSocketApp::dataReceived, this, [this](const QByteArray &data) {
        m_bytesReceived += data.size();
        Q_EMIT bytesReceivedChanged();
    });
    connect(m_app, &WebSocketApp::textMessageReceived, this, &WebSocketClient::textMessageReceived);
    connect(m_app, &WebSocketApp::binaryMessageReceived, this, &WebSocketClient::binaryMessageReceived);
    connect(m_app, &WebSocketApp::pingReceived, this, &WebSocketClient::pingReceived);
    connect(m_app, &WebSocketApp::pongReceived, this, &WebSocketClient::pongReceived);
}

void WebSocketClient::classBegin()
{
    m_complete = false;
}

void WebSocketClient::componentComplete()
{
    m_complete = true;
    applyOptions();
    if (m_active)
        activate();
}

// ---------------------------------------------------------------------------------------------
// Runs: one WebSocketApp::start() to its closed()

void WebSocketClient::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    Q_EMIT activeChanged(active);
    if (!m_complete)
        return;
    if (active)
        activate();
    else
        stop(int(CloseCode::Normal), QString());
}

void WebSocketClient::open()
{
    setActive(true);
}

void WebSocketClient::close(int code, const QString &reason)
{
    if (!isValidCloseCode(code)) {
        reportLocalError(
            QStringLiteral("close code %1 cannot be sent: use 1000-1003, 1007-1014 or 3000-4999").arg(code));
        return;
    }
    if (reason.toUtf8().size() > Frame::MaxCloseReason) {
        reportLocalError(
            QStringLiteral("close reason of %1 bytes exceeds the %2 bytes a Close frame can carry")
                .arg(reason.toUtf8().size())
                .arg(Frame::MaxCloseReason));
        return;
    }
    if (m_active) {
        m_active = false;
        Q_EMIT activeChanged(false);
    }
    if (m_complete)
        stop(code, reason);
}

void WebSocketClient::activate()
{
    if (m_bytesReceived != 0) {
        m_bytesReceived = 0;
        Q_EMIT bytesReceivedChanged();
    }
    if (m_bytesSent != 0) {
        m_bytesSent = 0;
        Q_EMIT bytesSentChanged();
    }
    m_reconnectNext = false;
    if (m_app->state() != WebSocketApp::State::Unconnected) {
        // The previous run is still closing (active was switched off and on again): start()
        // would be ignored now, so start once it has ended.
        m_restartPending = true;
        updateStatus();
        return;
    }
    beginRun();
}

void WebSocketClient::beginRun()
{
    m_failed = false;
    m_stopRequested = false;
    applyOptions();
    if (!m_app->start()) {
        m_failed = true;
        // Settings that no connection can satisfy (pingTimeout >= pingInterval, ...): errorOccurred
        // has told why; like any failure without a retry, the element stops.
        m_active = false;
        Q_EMIT activeChanged(false);
    }
    updateStatus();
}

void WebSocketClient::stop(int code, const QString &reason)
{
    m_restartPending = false;
    m_switchingUrl = false;
    m_reconnectNext = false;
    m_stopRequested = true;
    m_app->close(quint16(code), reason);
    updateStatus();
}

void WebSocketClient::onAppOpened(bool again)
{
    m_failed = false;
    const QString chosen = m_app->socket()->subprotocol();
    if (chosen != m_subprotocol) {
        m_subprotocol = chosen;
        Q_EMIT subprotocolChanged();
    }
    updateStatus();
    // WebSocketApp starts a new run for a new URL, but for QML it is the same element coming back.
    const bool back = std::exchange(m_reconnectNext, false) || again;
    if (back)
        Q_EMIT reconnected();
    else
        Q_EMIT opened();
}

void WebSocketClient::onAppError(const QString &why)
{
    setErrorString(why);
    Q_EMIT errorOccurred(why);
}

void WebSocketClient::onAppClosed(int code, const QString &reason)
{
    setCloseInfo(code, reason);
    const bool switching = std::exchange(m_switchingUrl, false);
    if (m_restartPending && m_active) {
        if (!switching)
            Q_EMIT closed(code, reason); // the run the user switched off did end
        if (m_restartPending && m_active) { // unless a slot of closed() changed its mind
            m_restartPending = false;
            m_reconnectNext = switching;
            beginRun();
        }
        return;
    }
    m_restartPending = false;
    if (m_active) {
        m_active = false;
        Q_EMIT activeChanged(false);
    }
    updateStatus();
    Q_EMIT closed(code, reason);
}

void WebSocketClient::onConnectionEnded(const ConnectionEnd &end)
{
    // What WebSocketApp::closed() gives if this connection is the last one.
    m_failed = end.error() != WsClient::Error::NoError;
    if (end.closeCode() > 0 && !m_failed)
        setCloseInfo(end.closeCode(), end.closeReason());
    else
        setCloseInfo(int(CloseCode::Abnormal), end.errorString());
    updateBufferedAmount();
}

void WebSocketClient::updateBufferedAmount()
{
    const qint64 now = m_app->bytesToWrite();
    if (now == m_bufferedAmount)
        return;
    m_bufferedAmount = now;
    Q_EMIT bufferedAmountChanged();
}

void WebSocketClient::updateStatus()
{
    Status status = Closed;
    switch (m_app->state()) {
    case WebSocketApp::State::Connecting:
        status = Connecting;
        break;
    case WebSocketApp::State::Open:
        status = Open;
        break;
    case WebSocketApp::State::Closing:
        status = Closing;
        break;
    case WebSocketApp::State::Reconnecting:
        // Only failures lead here: the element never sets reconnectOnClose.
        status = Error;
        break;
    case WebSocketApp::State::Unconnected:
        if (m_restartPending && m_active)
            status = Connecting;
        else if (m_failed && !m_stopRequested)
            status = Error;
        else
            status = Closed;
        break;
    }
    if (status == m_status)
        return;
    m_status = status;
    Q_EMIT statusChanged(status);
}

// ---------------------------------------------------------------------------------------------
// Sending

bool WebSocketClient::sendTextMessage(const QString &message)
{
    const qint64 n = m_app->sendText(message);
    addBytesSent(n);
    return n >= 0;
}

bool WebSocketClient::sendBinaryMessage(const QByteArray &message)
{
    const qint64 n = m_app->sendBinary(message);
    addBytesSent(n);
    return n >= 0;
}

bool WebSocketClient::ping(const QVariant &payload)
{
    QByteArray bytes;
    if (payload.metaType() == QMetaType::fromType<QByteArray>()) {
        bytes = payload.toByteArray();
    } else if (payload.metaType() == QMetaType::fromType<QString>()) {
        bytes = payload.toString().toUtf8();
    } else if (payload.isValid() && !payload.isNull()) {
        // A typed array or a number would otherwise become its text ("7,8") without a word.
        reportLocalError(QStringLiteral(
            "ping payload must be a string or an ArrayBuffer (of a typed array: its .buffer)"));
        return false;
    }
    if (!m_app->ready()) {
        reportLocalError(QStringLiteral("ping not sent: the connection is not open"));
        return false;
    }
    if (m_app->socket()->ping(bytes) < 0) {
        reportLocalError(m_app->socket()->errorString());
        return false;
    }
    return true;
}

void WebSocketClient::addBytesSent(qint64 n)
{
    if (n <= 0)
        return;
    m_bytesSent += n;
    Q_EMIT bytesSentChanged();
    updateBufferedAmount();
}

// ---------------------------------------------------------------------------------------------
// Errors and close information

void WebSocketClient::setErrorString(const QString &why)
{
    if (m_errorString == why)
        return;
    m_errorString = why;
    Q_EMIT errorStringChanged(why);
}

// A call of the element itself was refused; the connection (and so status) is not affected.
void WebSocketClient::reportLocalError(const QString &why)
{
    qCDebug(lcQml).noquote() << why;
    setErrorString(why);
    Q_EMIT errorOccurred(why);
}

void WebSocketClient::setCloseInfo(int code, const QString &reason)
{
    if (m_closeCode != code) {
        m_closeCode = code;
        Q_EMIT closeCodeChanged();
    }
    if (m_closeReason != reason) {
        m_closeReason = reason;
        Q_EMIT closeReasonChanged();
    }
}

// ---------------------------------------------------------------------------------------------
// Settings: they apply from the next connection attempt on (reconnects included)

void WebSocketClient::setUrl(const QUrl &url)
{
    if (m_url == url)
        return;
    m_url = url;
    m_app->setUrl(url);
    Q_EMIT urlChanged();
    if (!m_complete || !m_active)
        return;
    if (m_app->state() == WebSocketApp::State::Unconnected) {
        if (!m_restartPending)
            beginRun();
        return; // a pending restart picks the new URL up
    }
    // Leave the old URL with a closing handshake, then start over: see onAppClosed().
    m_restartPending = true;
    m_switchingUrl = true;
    m_app->close(quint16(CloseCode::GoingAway), QString());
    updateStatus();
}

QString WebSocketClient::applyOptions()
{
    ConnectOptions options;
    options.setSubprotocols(m_requestedSubprotocols);
    if (!m_origin.isEmpty())
        options.setOrigin(m_origin.toUtf8());
    if (m_compression)
        options.setCompression(CompressionOptions::enabledDefaults());
    if (m_ignoreSslErrors) {
        SslOptions ssl;
        ssl.setVerifyPeer(false);
        ssl.setCheckHostname(false);
        options.setSslOptions(ssl);
    }
    const QString invalidHeaders = applyHeaders(m_headers, &options);
    m_app->setOptions(options);
    return invalidHeaders;
}

void WebSocketClient::setRequestedSubprotocols(const QStringList &protocols)
{
    if (m_requestedSubprotocols == protocols)
        return;
    m_requestedSubprotocols = protocols;
    applyOptions();
    Q_EMIT requestedSubprotocolsChanged();
}

void WebSocketClient::setHeaders(const QVariant &headers)
{
    m_headers = headers;
    const QString invalid = applyOptions();
    Q_EMIT headersChanged();
    if (!invalid.isEmpty())
        reportLocalError(invalid); // and the connection goes without them
}

void WebSocketClient::setOrigin(const QString &origin)
{
    if (m_origin == origin)
        return;
    m_origin = origin;
    applyOptions();
    Q_EMIT originChanged();
}

int WebSocketClient::pingInterval() const
{
    return m_app->pingInterval();
}

void WebSocketClient::setPingInterval(int msecs)
{
    if (m_app->pingInterval() == msecs)
        return;
    m_app->setPingInterval(msecs);
    Q_EMIT pingIntervalChanged();
}

int WebSocketClient::pingTimeout() const
{
    return m_app->pingTimeout();
}

void WebSocketClient::setPingTimeout(int msecs)
{
    if (m_app->pingTimeout() == msecs)
        return;
    m_app->setPingTimeout(msecs);
    Q_EMIT pingTimeoutChanged();
}

int WebSocketClient::reconnectDelay() const
{
    return m_app->reconnectDelay();
}

void WebSocketClient::setReconnectDelay(int msecs)
{
    if (m_app->reconnectDelay() == msecs)
        return;
    m_app->setReconnectDelay(msecs);
    Q_EMIT reconnectDelayChanged();
}

void WebSocketClient::setCompression(bool on)
{
    if (m_compression == on)
        return;
    m_compression = on;
    applyOptions();
    Q_EMIT compressionChanged();
}

void WebSocketClient::setIgnoreSslErrors(bool on)
{
    if (m_ignoreSslErrors == on)
        return;
    m_ignoreSslErrors = on;
    applyOptions();
    Q_EMIT ignoreSslErrorsChanged();
}

} // namespace WsClient
