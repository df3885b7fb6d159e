#pragma once

#include <WsClient/error.h>
#include <WsClient/frame.h>
#include <WsClient/options.h>

#include <QtCore/qobject.h>
#include <QtCore/qscopedpointer.h>
#include <QtCore/qurl.h>
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
    /*! False when nothing was received (timeout or end of the connection). */
    bool valid = false;

    bool isValid() const { return valid; }
    bool isText() const { return opcode == Opcode::Text; }
    QString text() const { return QString::fromUtf8(data); }
};

/*!
    A WebSocket client connection (RFC 6455) over TCP, TLS or any QIODevice: the port of
    websocket-client's WebSocket and create_connection.

    Use it with signals on an event loop (open(), then react to connected(), textMessageReceived()
    and friends), or in the blocking style of QAbstractSocket from a thread without an event loop
    (waitForConnected(), receive(), waitForDisconnected()). Sending is safe from any thread: calls
    from other threads are queued to the object's thread, each thread's order kept.
*/
class WSCLIENT_EXPORT WebSocket : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QUrl url READ url)
    Q_PROPERTY(QString subprotocol READ subprotocol)
    Q_PROPERTY(int timeout READ timeout WRITE setTimeout)
    Q_PROPERTY(WsClient::Error error READ error)
    Q_PROPERTY(QString errorString READ errorString)
    Q_PROPERTY(int closeCode READ closeCode)
    Q_PROPERTY(QString closeReason READ closeReason)

public:
    enum class State {
        Unconnected, //!< Not connected (initial, after close, after an error).
        Connecting, //!< Resolving, connecting, TLS, proxy or HTTP handshake under way.
        Open, //!< Handshake done: messages flow.
        Closing, //!< Close sent or received; waiting for the other side.
    };
    Q_ENUM(State)

    explicit WebSocket(QObject *parent = nullptr);
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

    // Sending. Each returns the payload size queued, or -1 (error() tells why) when not Open.
    qint64 sendText(const QString &text);
    qint64 sendTextUtf8(const QByteArray &utf8);
    qint64 sendBinary(const QByteArray &data);
    /*! Sends \a data as one message with \a opcode (Text, Binary, or a control opcode). */
    qint64 send(const QByteArray &data, Opcode opcode = Opcode::Text);
    /*! Sends \a frame as is (fragments, RSV bits, custom opcodes); it is masked on the way out. */
    qint64 sendFrame(const Frame &frame);
    qint64 ping(const QByteArray &payload = {});
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
        server answers with its Close, or after \a timeoutMs (-1: ConnectOptions::closeTimeout()).
    */
    void close(quint16 code = quint16(CloseCode::Normal), const QString &reason = {}, int timeoutMs = -1);
    /*! Drops the connection at once, without a Close frame. */
    void abort();
    /*! Closes the transport after writing what is queued, without a closing handshake (shutdown). */
    void shutdown();

    State state() const;
    bool isOpen() const { return state() == State::Open; }
    QUrl url() const;
    /*! The URL requested last, after redirects. */
    QUrl effectiveUrl() const;
    QHostAddress peerAddress() const;
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
    QString closeReason() const;

    Error error() const;
    QString errorString() const;

    /*! Default wait of blocking calls and of open(), in ms; -1 (the default) waits forever. */
    int timeout() const;
    void setTimeout(int msecs);
    /*! The timeout new WebSocket objects start with (setdefaulttimeout). -1 (default): none. */
    static void setDefaultTimeout(int msecs);
    static int defaultTimeout();

    /*! The options the connection was opened with. */
    ConnectOptions options() const;

Q_SIGNALS:
    void stateChanged(WsClient::WebSocket::State state);
    void connected();
    void disconnected();
    /*!
        A failure, with its cause. When opening fails, the state is already Unconnected here, so a
        slot may call open() again at once.
    */
    void errorOccurred(WsClient::Error error, const QString &errorString);

    void textMessageReceived(const QString &message);
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
    void pingReceived(const QByteArray &payload);
    void pongReceived(const QByteArray &payload);
    /*! The server's Close frame arrived: \a code is 1005 when it carried none. */
    void closeReceived(int code, const QString &reason);
    /*! Bytes handed to the transport, for progress of large sends. */
    void bytesWritten(qint64 bytes);

private Q_SLOTS:
    // Writes the frames other threads queued; invoked by name so that the wake-up carries no
    // functor across threads.
    void writePendingFrames();

private:
    Q_DECLARE_PRIVATE(WebSocket)
    Q_DISABLE_COPY_MOVE(WebSocket)
    QScopedPointer<WebSocketPrivate> d_ptr;
};

} // namespace WsClient
