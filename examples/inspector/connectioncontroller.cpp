#include "connectioncontroller.h"

#include "payloadtext.h"

#include <WsClient/Error>
#include <WsClient/Frame>
#include <WsClient/WebSocket>
#include <WsClient/url.h>

#include <QtCore/qdatetime.h>

using namespace WsClient;

namespace {

QString headerLines(const ConnectOptions::HeaderList &headers)
{
    QString text;
    for (const auto &field : headers)
        text += QString::fromLatin1(field.first) + QStringLiteral(": ") + QString::fromUtf8(field.second)
            + QLatin1Char('\n');
    return text;
}

} // namespace

ConnectionController::ConnectionController(QObject *parent) : QObject(parent)
{
    connect(&m_keepalive, &QTimer::timeout, this, [this] { sendPing({}); });
    wire();
}

void ConnectionController::wire()
{
    // The app keeps one WebSocket for all its connections, so these stay valid across reconnects.
    WebSocket *socket = m_app.socket();
    connect(socket, &WebSocket::frameReceived, this, &ConnectionController::onFrameReceived);
    // Every frame the library writes, its own Pong, Close echo and failure Close included.
    connect(socket, &WebSocket::frameSent, this, &ConnectionController::onFrameSent);
    connect(socket, &WebSocket::messageReceived, this, &ConnectionController::onMessageReceived);
    connect(socket, &WebSocket::pongReceived, this, &ConnectionController::onPongReceived);

    connect(&m_app, &WebSocketApp::opened, this, &ConnectionController::onOpened);
    connect(&m_app, &WebSocketApp::reconnected, this, &ConnectionController::onOpened);
    connect(&m_app, &WebSocketApp::stateChanged, this, &ConnectionController::onStateChanged);
    connect(&m_app, &WebSocketApp::errorOccurred, this, &ConnectionController::onError);
    connect(&m_app, &WebSocketApp::closed, this, &ConnectionController::closed);
    connect(&m_app, &WebSocketApp::reconnectScheduled, this, &ConnectionController::reconnectScheduled);
}

bool ConnectionController::open(const QString &url, const ConnectionSettings &settings, QString *error)
{
    if (m_app.state() != State::Unconnected) {
        *error = tr("already connected; disconnect first");
        return false;
    }
    const ParsedUrl parsed = parseUrl(url.trimmed());
    if (!parsed.isValid()) {
        *error = parsed.errorString;
        return false;
    }
    ConnectOptions options;
    if (!settings.toConnectOptions(&options, error))
        return false;

    m_app.setUrl(QUrl(url.trimmed(), QUrl::StrictMode));
    m_app.setOptions(options);
    m_app.setReconnectDelay(settings.reconnect ? ReconnectDelayMs : 0);
    m_keepalive.setInterval(settings.pingIntervalSeconds * 1000);
    m_statistics = {};
    m_pingOutstanding = false;
    Q_EMIT statisticsChanged();
    if (!m_app.start()) {
        *error = m_app.errorString();
        return false;
    }
    return true;
}

void ConnectionController::close(quint16 code, const QString &reason)
{
    m_app.close(code, reason);
}

bool ConnectionController::checkOpen()
{
    if (m_app.socket()->state() == WebSocket::State::Open)
        return true;
    Q_EMIT failed(tr("not connected"));
    return false;
}

bool ConnectionController::sendText(const QString &text)
{
    if (!checkOpen() || m_app.sendText(text) < 0)
        return false;
    if (m_deflate) // frameSent() shows it compressed: the log shows the message as sent
        log(Direction::Outgoing, Opcode::Text, text.toUtf8(), true, true);
    return true;
}

bool ConnectionController::sendBinary(const QByteArray &data)
{
    if (!checkOpen() || m_app.sendBinary(data) < 0)
        return false;
    if (m_deflate)
        log(Direction::Outgoing, Opcode::Binary, data, true, true);
    return true;
}

bool ConnectionController::sendPing(const QByteArray &payload)
{
    if (payload.size() > Frame::MaxControlPayload) {
        Q_EMIT failed(
            tr("a ping carries at most %1 bytes, not %2").arg(Frame::MaxControlPayload).arg(payload.size()));
        return false;
    }
    if (!checkOpen())
        return false;
    if (m_app.socket()->ping(payload) < 0) {
        Q_EMIT failed(m_app.socket()->errorString());
        return false;
    }
    m_pingPayload = payload;
    m_pingOutstanding = true;
    m_pingClock.start();
    return true;
}

void ConnectionController::log(
    Direction direction, Opcode opcode, const QByteArray &payload, bool final, bool compressed)
{
    FrameEntry entry;
    entry.timeMs = QDateTime::currentMSecsSinceEpoch();
    entry.direction = direction;
    entry.opcode = opcode;
    entry.final = final;
    entry.compressed = compressed;
    entry.payload = payload;
    m_statistics.count(entry);
    Q_EMIT frameLogged(entry);
    Q_EMIT statisticsChanged();
}

void ConnectionController::onOpened()
{
    m_deflate = m_app.socket()->compression().isEnabled();
    m_incomingCompressed = false;
    if (m_keepalive.interval() > 0)
        m_keepalive.start();
    Q_EMIT handshakeChanged();
}

void ConnectionController::onStateChanged(State state)
{
    if (state != State::Open)
        m_keepalive.stop();
    Q_EMIT stateChanged(state);
}

void ConnectionController::onFrameReceived(const Frame &frame)
{
    if (m_deflate && !frame.isControl()) {
        if (frame.opcode() != Opcode::Continuation)
            m_incomingCompressed = frame.rsv1();
        return; // logged whole by onMessageReceived()
    }
    log(Direction::Incoming, frame.opcode(), frame.payload(), frame.isFinal());
}

void ConnectionController::onMessageReceived(const QByteArray &data, Opcode opcode)
{
    if (m_deflate)
        log(Direction::Incoming, opcode, data, true, m_incomingCompressed);
}

void ConnectionController::onFrameSent(const Frame &frame)
{
    if (m_deflate && !frame.isControl())
        return; // logged uncompressed by the send call
    log(Direction::Outgoing, frame.opcode(), frame.payload(), frame.isFinal());
}

void ConnectionController::onPongReceived(const QByteArray &payload)
{
    if (!m_pingOutstanding || payload != m_pingPayload)
        return;
    m_pingOutstanding = false;
    m_statistics.lastRoundTripMs = double(m_pingClock.nsecsElapsed()) / 1e6;
    Q_EMIT statisticsChanged();
}

void ConnectionController::onError(Error error, const QString &errorString)
{
    if (error == Error::BadStatus || error == Error::Handshake || error == Error::Compression)
        Q_EMIT handshakeChanged();
    Q_EMIT failed(errorName(error) + QStringLiteral(": ") + errorString);
}

QString ConnectionController::handshakeReport() const
{
    const WebSocket *socket = m_app.socket();
    if (socket->handshakeStatus() == 0)
        return tr("No handshake yet.");
    QString text = tr("Request to %1\n").arg(socket->effectiveUrl().toDisplayString());
    text += headerLines(socket->requestHeaders());
    text += tr("\nResponse: HTTP %1\n").arg(socket->handshakeStatus());
    text += headerLines(socket->handshakeHeaders());
    if (socket->handshakeStatus() != 101) {
        if (!socket->handshakeBody().isEmpty())
            text += QLatin1Char('\n') + QString::fromUtf8(socket->handshakeBody()) + QLatin1Char('\n');
        return text;
    }
    text += tr("\nSubprotocol: %1\n")
                .arg(socket->subprotocol().isEmpty() ? tr("(none)") : socket->subprotocol());
    text += tr("Extensions: %1\n")
                .arg(socket->extensions().isEmpty() ? tr("(none)")
                                                    : QString::fromLatin1(socket->extensions()));
    return text;
}
