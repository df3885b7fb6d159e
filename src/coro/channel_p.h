// What the awaitables of WsClient::Coro wait on: one Channel per WebSocket (SocketChannel) or
// WebSocketApp (AppChannel), a hidden child of it that turns its signals into a message queue,
// "opened" and "ended" notices, and the last ConnectionEnd. Operations (operation_p.h) connect to a
// channel's signals with themselves as context, so that a destroyed operation is never called.
//
// Only the public API of WebSocket and WebSocketApp is used. The end of a connection is worked out
// from stateChanged(Unconnected) and the signals before it until the connection-core redesign makes
// WebSocket::finished() and connectionEnd() report it (see SocketChannel::noticeEnd()).
#pragma once

#include <WsClient/connectionend.h>
#include <WsClient/coro.h>
#include <WsClient/websocket.h>
#include <WsClient/websocketapp.h>

#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>

#include <deque>

namespace WsClient::Coro::detail {

class Channel : public QObject
{
    Q_OBJECT

public:
    ~Channel() override;

    // Starts queueing messages (once; connects to the message signals).
    void tapMessages();
    bool hasMessage() const { return !m_queue.empty(); }
    Message takeMessage();
    void clearMessages() { m_queue.clear(); }

    // A connection (attempt) or a run is under way: messages or an end may still come.
    virtual bool isRunning() const = 0;
    virtual bool isOpen() const = 0;
    // How the last connection ended (a default ConnectionEnd before any end was seen).
    virtual ConnectionEnd lastEnd() const { return m_lastEnd; }
    // Ends seen so far.
    quint64 endCount() const { return m_endCount; }
    // Why nothing more can come after \a end: its error, or ConnectionClosed.
    static Result endResult(const ConnectionEnd &end);

Q_SIGNALS:
    void messageArrived();
    void opened();
    void ended(const WsClient::ConnectionEnd &end);
    // The socket or app is being destroyed; \a end describes what that did to the connection.
    void gone(const WsClient::ConnectionEnd &end);

protected:
    explicit Channel(QObject *owner);
    virtual void connectMessageSignals() = 0;
    void push(Message message);
    void setEnded(const ConnectionEnd &end);
    // For the destructors of the subclasses: emits gone() once.
    void announceGone(const ConnectionEnd &end);

private:
    std::deque<Message> m_queue;
    ConnectionEnd m_lastEnd;
    quint64 m_endCount = 0;
    bool m_tapped = false;
    bool m_goneAnnounced = false;
};

class SocketChannel final : public Channel
{
    Q_OBJECT

public:
    // The channel of \a socket, made on first use; call on the socket's thread.
    static SocketChannel *of(WebSocket *socket);
    ~SocketChannel() override;

    WebSocket *socket() const { return m_socket.data(); }
    bool isRunning() const override;
    bool isOpen() const override;
    ConnectionEnd lastEnd() const override;

    // Records the end of the connection if the socket is Unconnected and the end is not recorded
    // yet: called on stateChanged(Unconnected), and by AppChannel, whose app may report the end
    // (closed()) from its own stateChanged slot, before this channel's slot ran.
    void noticeEnd();

private:
    explicit SocketChannel(WebSocket *socket);
    void onStateChanged(WebSocket::State state);
    void connectMessageSignals() override;

    QPointer<WebSocket> m_socket;
    // The current connection, as far as the signals tell it (until WebSocket::finished()).
    WebSocket::State m_state = WebSocket::State::Unconnected;
    bool m_wasOpen = false;
    bool m_closeSent = false;
    bool m_closeReceived = false;
    bool m_clientClosedFirst = false;
    Error m_error = Error::NoError;
    QString m_errorString;
};

class AppChannel final : public Channel
{
    Q_OBJECT

public:
    static AppChannel *of(WebSocketApp *app);
    ~AppChannel() override;

    WebSocketApp *app() const { return m_app.data(); }
    bool isRunning() const override;
    bool isOpen() const override;

private:
    explicit AppChannel(WebSocketApp *app);
    void onStateChanged(WebSocketApp::State state);
    void onClosed(int code, const QString &reason);
    void connectMessageSignals() override;

    QPointer<WebSocketApp> m_app;
    QPointer<SocketChannel> m_socketChannel;
    WebSocketApp::State m_state = WebSocketApp::State::Unconnected;
    bool m_lastOpened = false; // the last connection (attempt) of the run opened
    quint64 m_socketEndsAtOpen = 0;
    Error m_error = Error::NoError; // reported since the last connection opened
    QString m_errorString;
};

} // namespace WsClient::Coro::detail
