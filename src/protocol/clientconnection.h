#pragma once

#include "clienthandshake.h"
#include "messagewriter.h"
#include "protocolreader.h"

#include <QtCore/qurl.h>

namespace WsClient::Protocol {

/*!
    What a ClientConnection reports besides the received traffic (FrameSink). The QObject glue
    implements it; the unit tests record.
*/
class ConnectionSink : public FrameSink
{
public:
    /*! The opening handshake succeeded: the state is Open. Frames that came with the response follow. */
    virtual void opened() = 0;
    /*! The server redirected: this connection is Closed; a new one goes to \a url. */
    virtual void redirected(const QUrl &url) = 0;
    /*!
        The server asked for credentials (401) and \a verdict says to retry (the AuthSession holds
        the answer) or to ask the application: this connection is Closed, without a failure. A
        retry connects again to the same URL; giving up ends with
        handshake().challengeFailure() of the final verdict.
    */
    virtual void authenticationRequired(const AuthVerdict &verdict) = 0;
    /*!
        The connection failed: called once, when the failure is decided. The state is Closed when it
        failed before it was open, or when the transport is gone; otherwise Closing, with the Close
        frame written and closeTransport() about to follow.
    */
    virtual void failed(const Failure &failure) = 0;
    /*! The connection is done with the transport: write what is queued, then close it. */
    virtual void closeTransport() = 0;
};

/*! Bytes accepted by send calls that never reached the kernel, as the I/O layer counts them. */
struct Undelivered
{
    qint64 bytes = 0; //!< As on the wire, frame headers included.
    int messages = 0; //!< Data messages of which any part was not written.
    bool any() const { return bytes > 0 || messages > 0; }
    /*! "; 3 messages (3145728 bytes) accepted by send calls were not delivered", or empty. */
    QString describe() const;
};

/*!
    The client side of RFC 6455 as one object without I/O, timers or QObject, in the manner of
    python websockets' Protocol: bytes from the server go in (receiveData(), transportClosed()),
    API calls go in (send(), close(), fail(), abort()), the caller's deadlines go in as calls
    (handshakeTimedOut(), closeTimedOut(), bodyTimedOut()); events come out through a
    ConnectionSink and bytes through a FrameOutput.

    Its state is one enum with an explicit transition table:

        Connecting -> Open      the 101 was valid
        Connecting -> Closed    the handshake failed, was redirected, challenged (401) or timed out, or
   abort() Open       -> Closing   a Close was sent (close(), a failure) or received Open       -> Closed the
   transport ended without a Close, or abort() Closing    -> Closed    the transport ended, the close timed
   out, or abort()

    The rules it keeps: the handshake (ClientHandshake), every frame and message rule of the
    receive side (ProtocolReader), masking, fragmentation and deflate (MessageWriter), Pings
    answered with the same payload unless a Close was sent, a received Close echoed with its code,
    nothing sent after a Close, a failure answered with a Close carrying its code and a reason cut
    to 123 bytes (§7.1.7) and reported once, and the delivery rule: the end of a connection that
    still had accepted bytes it could not write is a failure naming them.
*/
class ClientConnection final : private FrameSink
{
public:
    enum class State : quint8 { Connecting, Open, Closing, Closed };

    struct Config
    {
        ClientHandshake::Config handshake;
        ProtocolReader::Config reader; //!< Frame and message limits; inflation is set up on open.
        MessageWriter::Config writer;
    };

    ClientConnection(const Config &config, ConnectionSink &sink, FrameOutput &out);

    /*! Writes the upgrade request (or fails at once when it cannot be built). */
    void start();

    State state() const { return m_state; }
    static const char *stateName(State state);

    // --- From the transport -----------------------------------------------------------------
    /*! Bytes the server sent; \a data is writable because payloads are unmasked in place. */
    void receiveData(char *data, qsizetype size);
    /*! Zero-copy path for a large payload; see FrameParser::directTarget(). Null when none. */
    char *directTarget(qsizetype *room);
    /*! \a written bytes were placed at directTarget(). */
    void commitDirect(qsizetype written);
    /*! True while bytes from the server are still wanted. */
    bool wantsData() const;
    /*!
        The transport ended. \a target and \a cause name the peer and how it ended (for messages);
        \a undelivered is what the caller could not write.
    */
    void transportClosed(const QString &target, const QString &cause, const Undelivered &undelivered = {});

    // --- From the API -------------------------------------------------------------------------
    /*!
        Sends a message (Text, Binary) or a control frame (Ping, Pong; a Close moves to Closing as
        with sendFrame()). Returns the bytes written to the output, or -1 when the state is not Open
        or the payload is invalid (\a refusal says why).
    */
    qint64 send(Opcode opcode, QByteArrayView payload, QString *refusal = nullptr);
    /*! Sends one frame as given (fragments, RSV bits); a Close frame moves to Closing. */
    qint64 sendFrame(Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload, QString *refusal = nullptr);
    /*!
        Starts the closing handshake with \a code and \a reason (Open: the Close is written, state
        Closing). Returns false in any other state (nothing written).
    */
    bool close(quint16 code, QStringView reason);
    /*! Fails the connection with \a failure (§7.1.7), reporting it once; ignored after an earlier failure. */
    void fail(const Failure &failure);
    /*! The caller's opening deadline passed before the handshake completed. */
    void handshakeTimedOut(const QString &why);
    /*! The caller's wait for a bad status's body ended. */
    void bodyTimedOut();
    /*! The caller's wait for the server's Close ended: Error::Timeout, code 1006. */
    void closeTimedOut(const QString &why);
    /*! Drops the connection at once: Closed, without a Close frame and without a failure. */
    void abort();

    // --- Facts ---------------------------------------------------------------------------------
    bool wasOpen() const { return m_wasOpen; }
    bool closeSent() const { return m_closeSent; }
    bool closeReceived() const { return m_closeReceived; }
    bool closedByServer() const { return m_closedByServer; }
    /*! The code the connection ended with; see WebSocket::closeCode(). 0 while it never opened. */
    int closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    /*! Why it failed (isFailure() false when it did not). */
    const Failure &failure() const { return m_failure; }
    bool awaitingBody() const { return m_state == State::Connecting && m_handshake.awaitingBody(); }
    /*! True while the server's Close is awaited after the client's own. */
    bool awaitingClose() const { return m_state == State::Closing && m_closeSent && !m_closeReceived; }

    const ClientHandshake &handshake() const { return m_handshake; }
    ProtocolReader &reader() { return m_reader; }
    /*! Report every received frame (FrameSink::frameReceived()) when \a on. */
    void setTapFrames(bool on) { m_reader.setTapFrames(on); }

private:
    void setState(State next);
    void feedHandshake(char *data, qsizetype size);
    void endHandshake();
    void becomeOpen();
    void afterReading();
    void writeClose(quint16 code, QStringView reason);
    void failWithClose(const Failure &failure);
    void failClosed(const Failure &failure);

    // FrameSink: the reader's events pass through here on their way to the sink.
    void frameReceived(const FrameHeader &header, QByteArrayView payload) override;
    void messageReceived(Opcode opcode, QByteArray &&message) override;
    void fragmentReceived(Opcode opcode, QByteArray &&data, bool fin) override;
    void pingReceived(QByteArrayView payload) override;
    void pongReceived(QByteArrayView payload) override;
    void closeReceived(quint16 code, const QString &reason) override;
    bool wantsMore() const override;

    ConnectionSink &m_sink;
    FrameOutput &m_out;
    ClientHandshake m_handshake;
    ProtocolReader m_reader;
    MessageWriter m_writer;
    State m_state = State::Connecting;
    bool m_wasOpen = false;
    bool m_closeSent = false;
    bool m_closeReceived = false;
    bool m_closedByServer = false;
    int m_closeCode = 0;
    QString m_closeReason;
    Failure m_failure;
};

} // namespace WsClient::Protocol
