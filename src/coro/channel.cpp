#include "channel_p.h"

#include <QtCore/qthread.h>

namespace WsClient::Coro::detail {

namespace {

const char SocketChannelName[] = "WsClient::Coro::SocketChannel";
const char AppChannelName[] = "WsClient::Coro::AppChannel";

QString describeClose(const ConnectionEnd &end)
{
    if (end.closeCode() == 0)
        return QStringLiteral("the connection is closed");
    if (end.closeReason().isEmpty())
        return QStringLiteral("the connection is closed (code %1)").arg(end.closeCode());
    return QStringLiteral("the connection is closed (code %1, \"%2\")")
        .arg(end.closeCode())
        .arg(end.closeReason());
}

// A received message. Message marks "received" with a public member on this base and with
// setValid() after the connection-core redesign; this serves both until the merge (then: setValid).
template<typename M = Message> M receivedMessage(Opcode opcode, const QByteArray &data, bool isFinal)
{
    M m;
    m.opcode = opcode;
    m.data = data;
    m.isFinal = isFinal;
    if constexpr (requires { m.setValid(true); })
        m.setValid(true);
    else
        m.valid = true;
    return m;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Channel

Channel::Channel(QObject *owner) : QObject(owner) { }

Channel::~Channel() = default;

void Channel::tapMessages()
{
    if (m_tapped)
        return;
    m_tapped = true;
    connectMessageSignals();
}

Message Channel::takeMessage()
{
    Message m = std::move(m_queue.front());
    m_queue.pop_front();
    return m;
}

void Channel::push(Message message)
{
    m_queue.push_back(std::move(message));
    Q_EMIT messageArrived();
}

void Channel::setEnded(const ConnectionEnd &end)
{
    m_lastEnd = end;
    ++m_endCount;
    Q_EMIT ended(end);
}

void Channel::announceGone(const ConnectionEnd &end)
{
    if (m_goneAnnounced)
        return;
    m_goneAnnounced = true;
    Q_EMIT gone(end);
}

Result Channel::endResult(const ConnectionEnd &end)
{
    if (end.error() != Error::NoError)
        return Result(end.error(), end.errorString());
    return Result(Error::ConnectionClosed, describeClose(end));
}

// ---------------------------------------------------------------------------------------------
// SocketChannel

SocketChannel *SocketChannel::of(WebSocket *socket)
{
    Q_ASSERT(socket && socket->thread() == QThread::currentThread());
    // A handful of children (timers, the transport): cheaper than a property lookup by name.
    for (QObject *child : socket->children()) {
        if (child->objectName() == QLatin1String(SocketChannelName))
            if (auto *channel = qobject_cast<SocketChannel *>(child))
                return channel;
    }
    return new SocketChannel(socket);
}

SocketChannel::SocketChannel(WebSocket *socket) : Channel(socket), m_socket(socket), m_state(socket->state())
{
    setObjectName(QLatin1String(SocketChannelName));
    // Only the public signals. After the connection-core redesign, WebSocket::finished(end) replaces
    // the bookkeeping below (stateChanged for Closing/Unconnected, connected, closeReceived,
    // errorOccurred): connect finished to setEnded() and drop noticeEnd()'s reconstruction.
    QObject::connect(socket, &WebSocket::stateChanged, this, &SocketChannel::onStateChanged);
    QObject::connect(socket, &WebSocket::connected, this, [this] {
        m_wasOpen = true;
        Q_EMIT opened();
    });
    QObject::connect(socket, &WebSocket::closeReceived, this, [this] { m_closeReceived = true; });
    QObject::connect(socket, &WebSocket::errorOccurred, this, [this](Error error, const QString &why) {
        if (m_state != WebSocket::State::Unconnected) {
            m_error = error;
            m_errorString = why;
        }
    });
    if (m_state != WebSocket::State::Unconnected) {
        // Attached to a connection under way: what happened before is not known.
        m_wasOpen = m_state != WebSocket::State::Connecting;
        m_closeSent = m_state == WebSocket::State::Closing;
    }
}

SocketChannel::~SocketChannel()
{
    // The socket is being destroyed (this is its child): it drops an open connection at once,
    // without a Close frame and without signals. m_socket is already null here.
    ConnectionEnd end = Channel::lastEnd();
    if (m_state != WebSocket::State::Unconnected) {
        end = ConnectionEnd();
        end.setClose(m_wasOpen ? int(CloseCode::Abnormal) : 0,
            m_wasOpen ? QStringLiteral("the WebSocket was destroyed") : QString());
        end.setError(Error::ConnectionClosed, QStringLiteral("the WebSocket was destroyed"));
        end.setWasOpen(m_wasOpen);
        end.setCloseFrames(m_closeSent, m_closeReceived, m_closeReceived && !m_clientClosedFirst);
    }
    announceGone(end);
}

bool SocketChannel::isRunning() const
{
    return m_socket && m_socket->state() != WebSocket::State::Unconnected;
}

bool SocketChannel::isOpen() const
{
    return m_socket && m_socket->state() == WebSocket::State::Open;
}

ConnectionEnd SocketChannel::lastEnd() const
{
    if (endCount() > 0 || !m_socket)
        return Channel::lastEnd();
    // No end seen since the channel exists: the socket's report of its last connection.
    return m_socket->connectionEnd();
}

void SocketChannel::onStateChanged(WebSocket::State state)
{
    switch (state) {
    case WebSocket::State::Connecting:
        // A new connection (open()): forget the last one.
        m_wasOpen = m_closeSent = m_closeReceived = m_clientClosedFirst = false;
        m_error = Error::NoError;
        m_errorString.clear();
        m_state = state;
        break;
    case WebSocket::State::Open:
        m_state = state;
        break;
    case WebSocket::State::Closing:
        // Every way into Closing sends a Close: close(), the echo of the server's Close, or a
        // failure's 1002/1007/1009. The server's Close sets closeCode() before the state changes;
        // close() leaves it 0, a failure sets error() as well.
        if (m_state != WebSocket::State::Closing && m_socket) {
            m_clientClosedFirst
                = !m_closeReceived && (m_socket->closeCode() == 0 || m_socket->error() != Error::NoError);
        }
        m_closeSent = true;
        m_state = state;
        break;
    case WebSocket::State::Unconnected:
        noticeEnd();
        break;
    }
}

void SocketChannel::noticeEnd()
{
    if (m_state == WebSocket::State::Unconnected || !m_socket
        || m_socket->state() != WebSocket::State::Unconnected)
        return;
    m_state = WebSocket::State::Unconnected;
    // The socket's own report of the end, set before it turned Unconnected.
    setEnded(m_socket->connectionEnd());
}

void SocketChannel::connectMessageSignals()
{
    WebSocket *socket = m_socket.data();
    if (!socket)
        return;
    // messageReceived (raw bytes + opcode) rather than the text/binary signals: no UTF-16 round trip.
    QObject::connect(socket, &WebSocket::messageReceived, this,
        [this](const QByteArray &data, Opcode opcode) { push(receivedMessage(opcode, data, true)); });
    // Emitted only with ConnectOptions::fireContinuationFrames, instead of messageReceived.
    QObject::connect(socket, &WebSocket::fragmentReceived, this,
        [this](const QByteArray &data, Opcode opcode, bool isFinal) {
            push(receivedMessage(opcode, data, isFinal));
        });
}

// ---------------------------------------------------------------------------------------------
// AppChannel

AppChannel *AppChannel::of(WebSocketApp *app)
{
    Q_ASSERT(app && app->thread() == QThread::currentThread());
    for (QObject *child : app->children()) {
        if (child->objectName() == QLatin1String(AppChannelName))
            if (auto *channel = qobject_cast<AppChannel *>(child))
                return channel;
    }
    return new AppChannel(app);
}

AppChannel::AppChannel(WebSocketApp *app) : Channel(app), m_app(app), m_state(app->state())
{
    setObjectName(QLatin1String(AppChannelName));
    if (WebSocket *socket = app->socket())
        m_socketChannel = SocketChannel::of(socket);
    m_lastOpened = m_state == WebSocketApp::State::Open || m_state == WebSocketApp::State::Closing;
    auto onOpen = [this] {
        m_lastOpened = true;
        m_error = Error::NoError; // errors before a successful reconnect are history
        m_errorString.clear();
        m_socketEndsAtOpen = m_socketChannel ? m_socketChannel->endCount() : 0;
        Q_EMIT opened();
    };
    QObject::connect(app, &WebSocketApp::opened, this, onOpen);
    QObject::connect(app, &WebSocketApp::reconnected, this, onOpen);
    QObject::connect(app, &WebSocketApp::stateChanged, this, &AppChannel::onStateChanged);
    QObject::connect(app, &WebSocketApp::errorOccurred, this, [this](Error error, const QString &why) {
        m_error = error;
        m_errorString = why;
    });
    QObject::connect(app, &WebSocketApp::closed, this, &AppChannel::onClosed);
}

AppChannel::~AppChannel()
{
    ConnectionEnd end = lastEnd();
    if (m_state != WebSocketApp::State::Unconnected) {
        end = ConnectionEnd();
        end.setClose(m_lastOpened ? int(CloseCode::Abnormal) : 0, QString());
        end.setError(Error::ConnectionClosed, QStringLiteral("the WebSocketApp was destroyed"));
        end.setWasOpen(m_lastOpened);
    }
    announceGone(end);
}

bool AppChannel::isRunning() const
{
    return m_app && m_app->state() != WebSocketApp::State::Unconnected;
}

bool AppChannel::isOpen() const
{
    return m_app && m_app->state() == WebSocketApp::State::Open;
}

void AppChannel::onStateChanged(WebSocketApp::State state)
{
    if (state == WebSocketApp::State::Connecting || state == WebSocketApp::State::Reconnecting) {
        if (m_state == WebSocketApp::State::Unconnected) {
            m_error = Error::NoError; // a new run
            m_errorString.clear();
        }
        m_lastOpened = false; // a new attempt is under way, or will be
    }
    m_state = state;
}

void AppChannel::onClosed(int code, const QString &reason)
{
    m_state = WebSocketApp::State::Unconnected;
    ConnectionEnd end;
    // The app reports closed() from its slot on the socket's stateChanged, possibly before the socket
    // channel's slot ran: let it record the socket's end first.
    if (m_socketChannel)
        m_socketChannel->noticeEnd();
    if (m_lastOpened && m_socketChannel && m_socketChannel->endCount() > m_socketEndsAtOpen)
        end = m_socketChannel->lastEnd(); // the last connection's own end: close frames and all
    end.setClose(code, reason);
    end.setWasOpen(m_lastOpened);
    if (m_error != Error::NoError)
        end.setError(m_error, m_errorString);
    setEnded(end);
}

void AppChannel::connectMessageSignals()
{
    WebSocketApp *app = m_app.data();
    if (!app)
        return;
    QObject::connect(
        app, &WebSocketApp::dataReceived, this, [this](const QByteArray &data, Opcode opcode, bool isFinal) {
            push(receivedMessage(opcode, data, isFinal));
        });
}

} // namespace WsClient::Coro::detail
