#pragma once

#include <WsClient/connectionend.h>
#include <WsClient/error.h>
#include <WsClient/options.h>

#include <QtCore/qobject.h>
#include <QtCore/qscopedpointer.h>
#include <QtCore/qurl.h>
#include <QtNetwork/qauthenticator.h>

#include <functional>

namespace WsClient {

class WebSocket;
class WebSocketAppPrivate;

/*!
    A connection that stays up: the port of websocket-client's WebSocketApp and run_forever.

    It owns one WebSocket and adds policy, never protocol: a keepalive ping with a pong timeout, and
    reconnection with exponential backoff. Run it on the caller's event loop with start(), or block
    in runForever(), which runs its own event loop until the connection ends for good.

    <b>Lifecycle.</b> The first successful connection emits opened(); every later one (after a reconnect)
    emits reconnected() instead. When the app stops for good, closed() is emitted exactly once.

    <b>When it reconnects</b> (only with reconnectDelay() > 0): after the connection dropped without a
    Close frame, after a protocol failure, after a ping timeout, and after a failed connection attempt
    (the first one included) — except for InvalidUrl and InvalidArgument, which no retry can fix.
    It does not reconnect after a normal close by either side: close(), or a Close frame from the
    server (whatever its code), unless reconnectOnClose() is set.
    The wait before attempt n is reconnectDelay() * 2^(n-1), capped at maxReconnectDelay(), minus a
    random jitter of up to 20%; it starts again from reconnectDelay() after each successful connection.

    <b>Send policy.</b> A send hands the message to the current connection when it is Open and returns
    its payload size. In every other state (connecting, waiting to reconnect, closing, stopped) the
    message is \e not queued: the send returns -1 and errorOccurred(ConnectionClosed, …) is emitted
    (on the app's thread, also for sends from other threads), so nothing is dropped silently.
    Like any TCP connection, messages already handed to a connection that then drops may be lost
    in flight; that drop is itself reported by errorOccurred() before the reconnect.

    <b>Threads.</b> send(), sendText() and sendBinary() may be called from any thread (see WebSocket).
    Everything else belongs to the app's thread.

    <b>Slots.</b> Signals are emitted from the app's own handlers: a slot may call close(), send(), or
    start() again, or deleteLater() the app. An exception escaping a slot connected to one of the
    app's signals is caught, logged and reported as errorOccurred(InvalidArgument, …); it never
    reaches the connection or the event loop (Qt itself does not allow exceptions through signals).

    Settings (url, options, header provider, keepalive, reconnect) take effect at the next connection.
*/
class WSCLIENT_EXPORT WebSocketApp : public QObject
{
    Q_OBJECT
    /*! The URL to connect to; a change takes effect at the next connection. */
    Q_PROPERTY(QUrl url READ url WRITE setUrl NOTIFY urlChanged)
    /*! Milliseconds between keepalive pings; 0 (default) sends none. */
    Q_PROPERTY(int pingInterval READ pingInterval WRITE setPingInterval NOTIFY pingIntervalChanged)
    /*! Milliseconds a keepalive ping waits for a pong; 0 (default) waits forever. */
    Q_PROPERTY(int pingTimeout READ pingTimeout WRITE setPingTimeout NOTIFY pingTimeoutChanged)
    /*! Payload of the keepalive pings. */
    Q_PROPERTY(QByteArray pingPayload READ pingPayload WRITE setPingPayload NOTIFY pingPayloadChanged)
    /*! Milliseconds before the first reconnect attempt; 0 (default) never reconnects. */
    Q_PROPERTY(int reconnectDelay READ reconnectDelay WRITE setReconnectDelay NOTIFY reconnectDelayChanged)
    /*! Upper bound of the reconnect backoff in ms (default 30 s). */
    Q_PROPERTY(int maxReconnectDelay READ maxReconnectDelay WRITE setMaxReconnectDelay NOTIFY
            maxReconnectDelayChanged)
    /*! Whether a Close frame from the server is followed by a reconnect too. Default false. */
    Q_PROPERTY(
        bool reconnectOnClose READ reconnectOnClose WRITE setReconnectOnClose NOTIFY reconnectOnCloseChanged)
    /*! Where the app is: connecting, open, closing, waiting to reconnect, or stopped. */
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    /*! The error reported last. */
    Q_PROPERTY(WsClient::Error error READ error NOTIFY errorChanged)
    /*! The cause of the error reported last. */
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorChanged)

public:
    /*! The app's states; unlike WebSocket::State, waiting to reconnect is a state of its own. */
    enum class State {
        Unconnected, //!< Not started, or stopped for good (closed() was emitted).
        Connecting, //!< A connection attempt is under way (the first one or a reconnect).
        Open, //!< Connected: messages flow.
        Closing, //!< A closing handshake is under way.
        Reconnecting, //!< Waiting for the backoff delay before the next attempt.
    };
    Q_ENUM(State)

    /*! Extra request headers computed before every (re)connect, for example a fresh auth token. */
    using HeaderProvider = std::function<ConnectOptions::HeaderList()>;

    /*! Default cap of the reconnect backoff: 30 s. */
    static constexpr int DefaultMaxReconnectDelay = 30000;

    /*! An app without a URL yet (see setUrl()), with \a parent. */
    explicit WebSocketApp(QObject *parent = nullptr);
    /*! An app for \a url, connecting with \a options (headers, cookie, subprotocols, TLS, proxy, limits…). */
    explicit WebSocketApp(const QUrl &url, const ConnectOptions &options = {}, QObject *parent = nullptr);
    ~WebSocketApp() override;

    /*! The URL to connect to. */
    QUrl url() const;
    /*! Sets the URL to \a url, used from the next connection attempt on. */
    void setUrl(const QUrl &url);
    /*! The options every connection attempt uses (plus headerProvider()'s fields). */
    ConnectOptions options() const;
    /*! Sets the connection options to \a options, used from the next connection attempt on. */
    void setOptions(const ConnectOptions &options);

    /*!
        Called before every connection attempt; the fields it returns are added to
        options().headers(), replacing fields of the same name. Called on the app's thread.
    */
    HeaderProvider headerProvider() const;
    /*! Calls \a provider before every connection attempt; see headerProvider(). */
    void setHeaderProvider(const HeaderProvider &provider);

    /*! Milliseconds between keepalive pings; 0 (default) sends none. The first ping goes one interval after
     * opening. */
    int pingInterval() const;
    /*! Pings every \a msecs (0: never); see pingInterval(). */
    void setPingInterval(int msecs);
    /*!
        Milliseconds a ping waits for a pong; 0 (default) waits forever. Without a pong in time the
        connection fails with Error::Timeout (and reconnects if enabled). Must be below pingInterval().
    */
    int pingTimeout() const;
    /*! Gives each ping \a msecs for its pong (0: forever); see pingTimeout(). */
    void setPingTimeout(int msecs);
    /*! Payload of the keepalive pings (at most 125 bytes). */
    QByteArray pingPayload() const;
    /*! Sends \a payload in the keepalive pings; see pingPayload(). */
    void setPingPayload(const QByteArray &payload);

    /*! Milliseconds before the first reconnect attempt; 0 (default) never reconnects. */
    int reconnectDelay() const;
    /*! Waits \a msecs before the first reconnect attempt (0: never reconnect); see reconnectDelay(). */
    void setReconnectDelay(int msecs);
    /*! Upper bound of the backoff delay (default 30 s; never below reconnectDelay()). */
    int maxReconnectDelay() const;
    /*! Caps the backoff delay at \a msecs; see maxReconnectDelay(). */
    void setMaxReconnectDelay(int msecs);
    /*! Also reconnect after the server closed with a Close frame. Default false. */
    bool reconnectOnClose() const;
    /*! Also reconnects after a Close frame from the server when \a on; see reconnectOnClose(). */
    void setReconnectOnClose(bool on);

    /*! The app's state. */
    State state() const;
    /*! True when connected and messages can be sent (state() is Open). */
    bool ready() const;
    /*! The error reported last (errorOccurred()), NoError before any. */
    Error error() const;
    /*! The cause of error(). */
    QString errorString() const;
    /*!
        Bytes accepted by send calls and not yet handed to the kernel (WebSocket::bytesToWrite());
        a send past ConnectOptions::sendBufferLimit() is refused with Error::SendBufferFull.
        Wait for bytesWritten() and send again. Any thread.
    */
    qint64 bytesToWrite() const;
    /*!
        The underlying connection, for what it tells (handshakeHeaders(), subprotocol(), …). Do not
        open or close it directly; the app does.
    */
    WebSocket *socket() const;

    /*!
        Starts connecting and returns at once; the caller's event loop drives the connection.
        Returns false, with errorOccurred(InvalidArgument, …), when the keepalive or reconnect
        settings break a rule: pingInterval >= 0, pingTimeout >= 0 (0: none), pingInterval >
        pingTimeout when both are set, pingPayload <= 125 bytes, reconnect delays >= 0.
        Does nothing (and returns true) when already running, also while a close() is finishing.
    */
    bool start();
    /*!
        start(), then blocks in an event loop of its own until the app stops for good (websocket-client's
        run_forever). Returns true when it ended because of an error (invalid settings, a failure
        without reconnect), false after a clean close by either side or close(), and when the app
        was deleted (deleteLater() from a slot) while it ran.
    */
    bool runForever();
    /*!
        Stops for good: closes the connection with \a code and \a reason (waiting for the server's
        Close as WebSocket::close() does), cancels a pending reconnect. closed() follows.
    */
    void close(quint16 code = quint16(CloseCode::Normal), const QString &reason = {});

    /*! Sends \a data as one message with \a opcode; see the send policy above. Any thread. */
    qint64 send(const QByteArray &data, Opcode opcode = Opcode::Text);
    /*! Sends \a text as one text message; see the send policy above. Any thread. */
    qint64 sendText(const QString &text);
    /*! Sends \a data as one binary message; see the send policy above. Any thread. */
    qint64 sendBinary(const QByteArray &data);

Q_SIGNALS:
    /*! The first connection of a run is open. */
    void opened();
    /*! A later connection of the same run is open (after a reconnect). */
    void reconnected();
    /*!
        Every received data message as bytes, before textMessageReceived()/binaryMessageReceived()
        (websocket-client's on_data). With ConnectOptions::fireContinuationFrames, every data frame:
        \a opcode Text/Binary for the first frame of a message, Continuation after it.
    */
    void dataReceived(const QByteArray &data, WsClient::Opcode opcode, bool isFinal);
    /*!
        A text message. With fireContinuationFrames, as in websocket-client, the first frame of a message
        (the rest follows in continuationReceived()); a code point may then be split between frames:
        use dataReceived() for the exact bytes.
    */
    void textMessageReceived(const QString &message);
    /*! A binary \a message (with fireContinuationFrames: its first frame, as textMessageReceived()). */
    void binaryMessageReceived(const QByteArray &message);
    /*! With fireContinuationFrames: each continuation frame of a message (websocket-client's on_cont_message). */
    void continuationReceived(const QByteArray &data, bool isFinal);
    /*! The server sent a Ping with \a payload (already answered with a Pong). */
    void pingReceived(const QByteArray &payload);
    /*! A Pong with \a payload arrived; any pong ends the wait of a keepalive ping. */
    void pongReceived(const QByteArray &payload);
    /*! A connection failed or dropped, a ping timed out, a send was refused, or settings are invalid. */
    void errorOccurred(WsClient::Error error, const QString &errorString);
    /*!
        The app stopped for good: \a code and \a reason of the last connection's Close (1006 and the
        error when it dropped or never opened; the given code and reason after close() while not connected).
    */
    void closed(int code, const QString &reason);
    /*!
        The server asks for credentials: WebSocket::authenticationRequired() of the app's socket,
        passed on synchronously. Fill in \a authenticator before returning; the answer is kept
        for every reconnect to the same origin, so the signal comes again only when the server
        refuses it.
    */
    void authenticationRequired(QAuthenticator *authenticator);
    /*! The proxy \a proxy asks for credentials: WebSocket::proxyAuthenticationRequired(), passed on. */
    void proxyAuthenticationRequired(const WsClient::ProxyOptions &proxy, QAuthenticator *authenticator);
    /*! The app's state changed to \a state. */
    void stateChanged(WsClient::WebSocketApp::State state);
    /*! Attempt \a attempt (1, 2, …) will start in \a delayMs. */
    void reconnectScheduled(int attempt, int delayMs);
    /*!
        A connection of the run ended (each one, before the app reconnects or stops): \a end is the
        socket's report with the app's verdict in it (a keepalive ping without a pong is
        Error::Timeout, code 1006).
    */
    void connectionEnded(const WsClient::ConnectionEnd &end);
    /*! \a bytes of what was sent were handed to the kernel: room in the send buffer. */
    void bytesWritten(qint64 bytes);
    /*! error() or errorString() changed. */
    void errorChanged();

    /*! url changed. */
    void urlChanged();
    /*! pingInterval changed. */
    void pingIntervalChanged();
    /*! pingTimeout changed. */
    void pingTimeoutChanged();
    /*! pingPayload changed. */
    void pingPayloadChanged();
    /*! reconnectDelay changed. */
    void reconnectDelayChanged();
    /*! maxReconnectDelay changed. */
    void maxReconnectDelayChanged();
    /*! reconnectOnClose changed. */
    void reconnectOnCloseChanged();

protected:
    /*! Reports the socket's bytesWritten() only once the app's has a receiver (see bytesWritten()). */
    void connectNotify(const QMetaMethod &signal) override;

private:
    Q_DECLARE_PRIVATE(WebSocketApp)
    Q_DISABLE_COPY_MOVE(WebSocketApp)
    QScopedPointer<WebSocketAppPrivate> d_ptr;
};

} // namespace WsClient
