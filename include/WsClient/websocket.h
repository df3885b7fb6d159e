#pragma once

#include <WsClient/connectionend.h>
#include <WsClient/error.h>
#include <WsClient/frame.h>
#include <WsClient/options.h>

#include <QtCore/qobject.h>
#include <QtCore/qscopedpointer.h>
#include <QtCore/qurl.h>
#include <QtNetwork/qauthenticator.h>
#include <QtNetwork/qhostaddress.h>

#include <memory>

namespace WsClient {

class WebSocketPrivate;

/*! One received message or control frame, as returned by the blocking receive functions. */
struct WSCLIENT_EXPORT Message
{
    /*!
        Text or Binary; with receiveData(…, true) also Ping, Pong or Close; with
        fireContinuationFrames, Continuation for the later frames of a message.
    */
    Opcode opcode = Opcode::Continuation;
    /*! The payload: UTF-8 for Text, the close code + reason bytes for Close. */
    QByteArray data;
    /*! False only for a non-final frame delivered with fireContinuationFrames. */
    bool isFinal = true;
    /*! True when something was received, false on a timeout or at the end of the connection. */
    bool isValid() const { return m_valid; }
    /*! Marks the message as received (what the receive functions return). */
    void setValid(bool valid) { m_valid = valid; }
    /*! True for a text message (opcode Text). */
    bool isText() const { return opcode == Opcode::Text; }
    /*! The payload decoded from UTF-8 (meaningful for text messages). */
    QString text() const { return QString::fromUtf8(data); }

private:
    bool m_valid = false;
};

/*!
    A WebSocket client connection (RFC 6455) over TCP, TLS or any QIODevice: the port of
    websocket-client's WebSocket and create_connection.

    Use it with signals on an event loop (open(), then react to connected(), textMessageReceived()
    and friends), or in the blocking style of QAbstractSocket from a thread without an event loop
    (waitForConnected(), receive(), waitForDisconnected()). Sending is safe from any thread: calls
    from other threads are queued to the object's thread, each thread's order kept, each message whole.

    <b>Authentication.</b> A server that answers the upgrade with 401 gets Basic (RFC 7617) or
    Digest (RFC 7616: SHA-256, MD5 and their -sess forms, qop auth) on a new connection, with the
    user info of the URL (`ws://user:password@host/`) or the answer to authenticationRequired();
    an HTTP CONNECT proxy's 407 likewise, with ProxyOptions' user and password or the answer to
    proxyAuthenticationRequired(). Each set of credentials is tried once per realm: refused ones
    end with Error::AuthenticationFailed unless the signal supplies others. See \ref authentication.
*/
class WSCLIENT_EXPORT WebSocket : public QObject
{
    Q_OBJECT
    /*! Where the connection is in its life; see State. */
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    /*! The URL given to open(); see effectiveUrl() for the one after redirects. */
    Q_PROPERTY(QUrl url READ url NOTIFY urlChanged)
    /*! The subprotocol the server chose, or empty. */
    Q_PROPERTY(QString subprotocol READ subprotocol NOTIFY subprotocolChanged)
    /*! Default wait of the blocking calls, in ms; -1 waits forever. Also bounds open() when set. */
    Q_PROPERTY(int timeout READ timeout WRITE setTimeout NOTIFY timeoutChanged)
    /*! The last error; Error::NoError after a successful open(). */
    Q_PROPERTY(WsClient::Error error READ error NOTIFY errorChanged)
    /*! The cause of the last error, for people. */
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorChanged)
    /*! How the last connection ended; see closeCode(). */
    Q_PROPERTY(int closeCode READ closeCode NOTIFY closeCodeChanged)
    /*! The reason that came with closeCode(). */
    Q_PROPERTY(QString closeReason READ closeReason NOTIFY closeCodeChanged)
    /*! Bytes accepted by send calls and not yet handed to the kernel; see bytesToWrite(). */
    Q_PROPERTY(qint64 bytesToWrite READ bytesToWrite)

public:
    /*! The connection's states, in the order a connection goes through them. */
    enum class State {
        Unconnected, //!< Not connected (initial, after close, after an error).
        Connecting, //!< Resolving, connecting, TLS, proxy or HTTP handshake under way.
        Open, //!< Handshake done: messages flow.
        Closing, //!< Close sent or received; waiting for the other side.
    };
    Q_ENUM(State)

    /*! An unconnected socket with \a parent; its timeout() is defaultTimeout(). */
    explicit WebSocket(QObject *parent = nullptr);
    /*! Drops an open connection at once, without a Close frame and without signals. */
    ~WebSocket() override;

    /*! Starts connecting to \a url (ws:// or wss://); returns at once. connected() or errorOccurred()
     * follows. */
    void open(const QUrl &url, const ConnectOptions &options = {});
    /*!
        Opens a connection and waits for it (websocket-client's create_connection): the returned
        socket is Open, or Unconnected with error() and errorString() telling why. For use from a
        thread without an event loop as well.
    */
    static std::unique_ptr<WebSocket> connectTo(const QUrl &url, const ConnectOptions &options = {});

    /*! Blocks until Open (true) or failed (false); \a msecs -1 means timeout(). */
    bool waitForConnected(int msecs = -1);
    /*! Blocks until Unconnected (true) or \a msecs passed (false); \a msecs -1 means timeout(). */
    bool waitForDisconnected(int msecs = -1);
    /*! Writes queued data to the transport now, without waiting for the event loop. */
    bool flush();
    /*! Blocks until everything queued is handed to the transport, or \a msecs passed. */
    bool waitForBytesWritten(int msecs = -1);
    /*!
        Bytes that send calls accepted and that have not been handed to the kernel yet (frame
        headers included), as QAbstractSocket::bytesToWrite(). Bounded by
        ConnectOptions::sendBufferLimit(); any thread.
    */
    qint64 bytesToWrite() const;

    // Sending. Each returns the payload size queued, or -1 (error() tells why) when refused.
    /*!
        Sends \a text as one text message (UTF-8). Returns the payload size queued, or -1 when the
        connection is not Open (error() ConnectionClosed) or the send buffer is full
        (Error::SendBufferFull: wait for bytesWritten() and send again). Any thread; see the class
        description. A message accepted here is written before a later Close frame, or the
        connection's end reports it as undelivered (ConnectionEnd::undeliveredMessages()).
    */
    qint64 sendText(const QString &text);
    /*! Sends \a utf8, already UTF-8, as one text message without converting it; as sendText(). */
    qint64 sendTextUtf8(const QByteArray &utf8);
    /*! Sends \a data as one binary message; returns as sendText(). */
    qint64 sendBinary(const QByteArray &data);
    /*! Sends \a data as one message with \a opcode (Text, Binary, or a control opcode). */
    qint64 send(const QByteArray &data, Opcode opcode = Opcode::Text);
    /*! Sends \a frame as is (fragments, RSV bits, custom opcodes); it is masked on the way out. */
    qint64 sendFrame(const Frame &frame);
    /*!
        Sends a Ping with \a payload (at most 125 bytes, else -1 and Error::InvalidArgument); the
        server's Pong arrives as pongReceived().
    */
    qint64 ping(const QByteArray &payload = {});
    /*! Sends an unsolicited Pong with \a payload (at most 125 bytes); Pings are answered without it. */
    qint64 pong(const QByteArray &payload = {});
    /*! Sends a Close frame without waiting for the answer (websocket-client's send_close). */
    qint64 sendClose(quint16 code = quint16(CloseCode::Normal), const QString &reason = {});

    // Blocking receive. Each waits up to msecs (-1: timeout()) and returns an invalid Message
    // on timeout (error() Timeout) or when the connection ends (error() ConnectionClosed).
    /*! Next Text or Binary message (websocket-client's recv). Pings are answered meanwhile. */
    Message receive(int msecs = -1);
    /*! Next message, or with \a includeControlFrames also Ping/Pong/Close (recv_data). */
    Message receiveData(int msecs = -1, bool includeControlFrames = false);
    /*!
        Next frame as received, control frames included (recv_frame). Frames are kept for it from
        its first call on. False on timeout or end.
    */
    bool receiveFrame(Frame *frame, int msecs = -1);

    /*!
        Starts the closing handshake (websocket-client's close): everything already queued is
        written first, then a Close with \a code and \a reason; the connection ends when the
        server answers with its Close. \a timeoutMs (-1: ConnectOptions::closeTimeout()) counts
        from when the Close frame reached the kernel, and while messages before it are still being
        written, from their last progress: running out ends the connection with Error::Timeout and
        code 1006, naming what was not delivered.
    */
    void close(quint16 code = quint16(CloseCode::Normal), const QString &reason = {}, int timeoutMs = -1);
    /*! Drops the connection at once, without a Close frame. */
    void abort();
    /*! Closes the transport after writing what is queued, without a closing handshake (shutdown). */
    void shutdown();

    /*! The current state; safe to read from any thread. */
    State state() const;
    /*! True when state() is Open: messages can be sent. */
    bool isOpen() const { return state() == State::Open; }
    /*! The URL given to open(). */
    QUrl url() const;
    /*! The URL requested last, after redirects. */
    QUrl effectiveUrl() const;
    /*!
        Address of the TCP peer: the server, or the proxy when going through one; null over a
        device (ConnectOptions::setDevice()) that is not a QAbstractSocket.
    */
    QHostAddress peerAddress() const;
    /*! Port of the TCP peer; see peerAddress(). */
    quint16 peerPort() const;

    /*! The HTTP status of the handshake response (getstatus), 0 before one arrived. */
    int handshakeStatus() const;
    /*! The fields of the handshake response (getheaders), names as sent, repeats kept. */
    ConnectOptions::HeaderList handshakeHeaders() const;
    /*! The fields of the handshake request, as sent. */
    ConnectOptions::HeaderList requestHeaders() const;
    /*! The response body of a failed handshake (BadStatus). */
    QByteArray handshakeBody() const;
    /*! The subprotocol the server chose (getsubprotocol), or empty. */
    QString subprotocol() const;
    /*! The Sec-WebSocket-Extensions the server accepted. */
    QByteArray extensions() const;
    /*!
        The permessage-deflate parameters in effect: isEnabled() is false when compression was not
        offered or the server declined it; otherwise the window and context-takeover settings the
        server agreed to, with the local settings (level, memory level, limits) as requested.
    */
    CompressionOptions compression() const;

    /*!
        How the last connection ended: the code of the server's Close frame (1005 if it had none),
        the code WsClient closed with after a protocol violation (1002, 1007, 1009), 1006 if the
        connection dropped or was aborted without a closing handshake; 0 if it never opened.
    */
    int closeCode() const;
    /*! The reason of the server's Close frame, or of WsClient's own when it failed the connection. */
    QString closeReason() const;

    /*! The last error (owner thread); sends and blocking calls set it too. */
    Error error() const;
    /*! The cause of error(), naming the host, status, rule or certificate problem involved. */
    QString errorString() const;

    /*! Default wait of blocking calls and of open(), in ms; -1 (the default) waits forever. */
    int timeout() const;
    /*! Sets timeout() to \a msecs (-1: forever). */
    void setTimeout(int msecs);
    /*! The timeout new WebSocket objects start with (setdefaulttimeout). -1 (default): none. */
    static void setDefaultTimeout(int msecs);
    /*! The timeout new WebSocket objects start with; see setDefaultTimeout(). */
    static int defaultTimeout();

    /*! The options the connection was opened with. */
    ConnectOptions options() const;
    /*! How the last connection ended (see finished()); a default ConnectionEnd before the first end. */
    ConnectionEnd connectionEnd() const;

Q_SIGNALS:
    /*! The state changed to \a state. */
    void stateChanged(WsClient::WebSocket::State state);
    /*! The opening handshake succeeded: the state is Open. */
    void connected();
    /*!
        A connection that had been Open ended (closed by either side, dropped or aborted); the
        state is Unconnected and closeCode() tells how. Not emitted when opening fails.
    */
    void disconnected();
    /*!
        A failure, with its cause: emitted once per failure, and at most once per connection. When
        opening fails, the state is already Unconnected here, so a slot may call open() again at once.
    */
    void errorOccurred(WsClient::Error error, const QString &errorString);
    /*!
        The server answered the opening handshake with 401 and no credentials are left to try (none
        in the URL, or they were refused). Fill in \a authenticator's user and password to try them
        on a new connection; leave both empty to give up (Error::BadStatus with the 401, or
        Error::AuthenticationFailed after a refusal). realm() names the protection space,
        option("scheme") the scheme ("Basic" or "Digest") and effectiveUrl() the URL.

        Answer before returning: connect directly (the default within one thread; from another
        thread, Qt::BlockingQueuedConnection). The answer is kept for later requests to the same
        origin (scheme, host, port), reopening included; no credentials follow a redirect to
        another origin. The open timeout (ConnectOptions::timeout()) keeps running meanwhile.
    */
    void authenticationRequired(QAuthenticator *authenticator);
    /*!
        \a proxy (an HTTP CONNECT proxy answering 407, or a SOCKS5 proxy that requires username and
        password) wants credentials that are not known or were refused: fill in \a authenticator as
        for authenticationRequired(); option("scheme") is "Basic", "Digest" or "SOCKS5". The
        answer is kept for this proxy, and the tunnel is tried again on a new connection.
    */
    void proxyAuthenticationRequired(const WsClient::ProxyOptions &proxy, QAuthenticator *authenticator);

    /*!
        A complete text \a message. Not emitted with ConnectOptions::fireContinuationFrames, where
        data arrives through fragmentReceived().
    */
    void textMessageReceived(const QString &message);
    /*! A complete binary \a message; as textMessageReceived(). */
    void binaryMessageReceived(const QByteArray &message);
    /*! Every complete message as raw bytes, text included (no UTF-16 conversion). */
    void messageReceived(const QByteArray &data, WsClient::Opcode opcode);
    /*!
        With fireContinuationFrames: each data frame as it arrives; \a opcode is Text or Binary for
        the first frame of a message and Continuation after it.
    */
    void fragmentReceived(const QByteArray &data, WsClient::Opcode opcode, bool isFinal);
    /*!
        Every frame as received, control frames included. Costs nothing unless connected. With
        permessage-deflate the payloads are as on the wire: compressed, RSV1 set on the first frame
        of a compressed message.
    */
    void frameReceived(const WsClient::Frame &frame);
    /*!
        The server sent a Ping with \a payload. It has already been answered with a Pong carrying the
        same payload (unless a Close was sent before).
    */
    void pingReceived(const QByteArray &payload);
    /*! A Pong with \a payload arrived (the answer to ping(), or unsolicited). */
    void pongReceived(const QByteArray &payload);
    /*! The server's Close frame arrived: \a code is 1005 when it carried none. */
    void closeReceived(int code, const QString &reason);
    /*!
        Every frame as sent, the library's own Pong and Close frames included (unmasked payload;
        compressed as on the wire with permessage-deflate). Costs nothing unless connected.
    */
    void frameSent(const WsClient::Frame &frame);
    /*! Bytes handed to the transport, for progress of large sends and for back-pressure. */
    void bytesWritten(qint64 bytes);
    /*!
        The connection ended, once for every open(): it failed to open, was closed by either side,
        dropped or was aborted. \a end tells how; the state is Unconnected.
    */
    void finished(const WsClient::ConnectionEnd &end);

    /*! url() changed (open() with another URL). */
    void urlChanged();
    /*! subprotocol() changed (a connection opened). */
    void subprotocolChanged();
    /*! timeout() changed. */
    void timeoutChanged();
    /*! error() or errorString() changed. */
    void errorChanged();
    /*! closeCode() or closeReason() changed. */
    void closeCodeChanged();

protected:
    /*! Runs the writes that this and other threads queued for the socket's thread. */
    bool event(QEvent *event) override;
    /*! Notes that frameSent() has a receiver, so that sent frames are only copied for one. */
    void connectNotify(const QMetaMethod &signal) override;

private:
    Q_DECLARE_PRIVATE(WebSocket)
    Q_DISABLE_COPY_MOVE(WebSocket)
    QScopedPointer<WebSocketPrivate> d_ptr;
};

} // namespace WsClient
