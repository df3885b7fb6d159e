#pragma once

#include <WsClient/websocket.h>

#include "protocol/clientconnection.h"
#include "deadlinescheduler_p.h"
#include "statename_p.h"
#include "transport/connector.h"
#include "transport/deviceadapter.h"
#include "transport/writescheduler.h"

#include <QtCore/qdeadlinetimer.h>
#include <QtCore/qmetaobject.h>
#include <QtCore/qmutex.h>

#include <atomic>
#include <memory>

namespace WsClient {

/*!
    The QObject glue behind WebSocket: Connector (a byte stream) -> DeviceAdapter -> ClientConnection
    (the protocol, sans-I/O) <-> WriteScheduler (bytes to the kernel), plus the deadlines, the
    signals and the blocking API. It holds no protocol rule of its own: it feeds bytes in, carries
    out what the connection decides, and reports each connection's end once (finish()).

    Its parts live in websocketopen.cpp (opening, redirects, deadlines, the end), websocketauth.cpp
    (answering 401 and 407 challenges), websocketreceive.cpp (reading and handing out what arrives),
    websocketwait.cpp (the blocking API) and websocket.cpp (the public functions).
*/
class WebSocketPrivate final : public Protocol::ConnectionSink,
                               public Protocol::FrameOutput,
                               public Transport::DeviceAdapter::Listener,
                               public Transport::WriteScheduler::Wakeup,
                               public DeadlineScheduler::Client
{
    Q_DECLARE_PUBLIC(WebSocket)
public:
    explicit WebSocketPrivate(WebSocket *q);
    ~WebSocketPrivate() override;

    // --- Opening and ending (websocketopen.cpp) ------------------------------------------------
    void open(const QUrl &url, const ConnectOptions &options);
    void startAttempt(const QUrl &url);
    void onTransportReady();
    void beginHandshake(QIODevice *device, bool owned);
    void failOpening(Error error, const QString &why);
    void closeConnection(quint16 code, const QString &reason, int timeoutMs);
    void abortConnection();
    void shutdownConnection();
    void finish();
    void releaseTransport();
    void retireConnection();
    int openLimit() const;

    // Deadlines: one QTimer (when there is an event loop) set to the nearest; the blocking waits
    // look at the same deadlines.
    void armOpenDeadline();
    void armCloseDeadline(int msecs);
    void rearmTimer();
    QDeadlineTimer nearestDeadline() const;
    void onDeadline();
    void stopTimer();
    void deadlineReached() override;
    void noteWriteProgress();
    QString closeTimeoutReason() const;

    // --- Transport events (DeviceAdapter::Listener) --------------------------------------------
    void deviceReadyRead() override;
    void deviceBytesWritten(qint64 bytes) override;
    void deviceEnded() override;

    // --- Receiving (websocketreceive.cpp) ------------------------------------------------------
    void readAvailable();
    void readDispatched();
    enum class ReadResult { More, Drained };
    ReadResult readOnce();
    ReadResult readUnbuffered();
    bool tapReceivedFrames() const;
    bool blockingMode() const;
    void enqueue(Opcode opcode, QByteArray data, bool fin = true);
    void offerAsSpare(QByteArray &message);
    void dropSpare();

    // --- Authentication (websocketauth.cpp) ------------------------------------------------------
    void prepareAuth(const QUrl &url);
    void configureHandshakeAuth(Protocol::ClientHandshake::Config &handshake);
    void wireConnectorAuth(Transport::Connector *connector);
    void answerChallenge(Protocol::AuthVerdict verdict);

    // ConnectionSink
    void opened() override;
    void redirected(const QUrl &url) override;
    void authenticationRequired(const Protocol::AuthVerdict &verdict) override;
    void failed(const Protocol::Failure &failure) override;
    void closeTransport() override;
    void frameReceived(const Protocol::FrameHeader &header, QByteArrayView payload) override;
    void messageReceived(Opcode opcode, QByteArray &&message) override;
    void fragmentReceived(Opcode opcode, QByteArray &&data, bool fin) override;
    void pingReceived(QByteArrayView payload) override;
    void pongReceived(QByteArrayView payload) override;
    void closeReceived(quint16 code, const QString &reason) override;
    // Before slots run: whether the scheduler may send their first reply at once.
    void noteDelivery();
    bool wantsMore() const override;

    // --- Sending (websocket.cpp) ----------------------------------------------------------------
    // FrameOutput: traces and taps each frame, then hands it to the scheduler.
    void writeFrame(const Protocol::FrameHeader &header, QByteArrayView payload) override;
    void writeBytes(QByteArrayView bytes) override;
    // WriteScheduler::Wakeup
    void postFlush() override;
    bool wantsWrittenReports() const override;
    void flushPosted();
    qint64 send(Opcode opcode, const QByteArray &payload);
    qint64 sendRawFrame(const Frame &frame);
    qint64 refuse(Error error, const QString &why);
    void drainPending();
    void reportDirectlyWritten();
    bool onOwnerThread() const;

    // --- Blocking API (websocketwait.cpp) --------------------------------------------------------
    bool waitUntil(const std::function<bool()> &done, int msecs);
    void waitOnce(QDeadlineTimer deadline);
    Message takeQueued(bool includeControl);
    int effectiveWait(int msecs) const { return msecs == -1 ? timeout : msecs; }

    void setState(WebSocket::State state);
    void setError(Error error, const QString &why);
    void reportError(Error error, const QString &why);
    QString target() const { return parsed.hostAndPort(true); }
    bool isSignalConnected(const QMetaMethod &signal) const;
    // Signals that have (or had) a receiver, one bit per method index modulo 64 (a shared bit
    // only means asking QObject); set by WebSocket::connectNotify() on any thread.
    std::atomic<quint64> everConnected { 0 };
    static quint64 signalBit(const QMetaMethod &signal) { return quint64(1) << (signal.methodIndex() & 63); }

    WebSocket *q_ptr;

    // What was asked for
    QUrl requestedUrl;
    QUrl currentUrl;
    ConnectOptions options;
    ParsedUrl parsed;
    int timeout;
    int redirects = 0;
    std::atomic<WebSocket::State> state { WebSocket::State::Unconnected };

    // Credentials and challenges, kept across attempts and open() calls while the origin (and the
    // proxy) stays the same; see Protocol::AuthSession.
    Protocol::AuthSession serverAuth { Protocol::AuthSession::Side::Server };
    Protocol::AuthSession proxyAuth { Protocol::AuthSession::Side::Proxy };

    // The layers
    Transport::Connector *connector = nullptr;
    Transport::DeviceAdapter device;
    Transport::WriteScheduler writer;
    std::unique_ptr<Protocol::ClientConnection> conn;
    std::unique_ptr<Protocol::ClientConnection> retired; // replaced while its own call was running
    int dispatching = 0; // > 0 while the connection hands received traffic to slots
    bool tapSentFrames = false; // frameSent() has (or had) a receiver; see connectNotify()
    bool shuttingDown = false;
    bool ended = true; // finish() ran for the current open()
    bool errorReported = false; // errorOccurred() was emitted for the current connection

    // Deadlines, driven by the thread's DeadlineScheduler.
    DeadlineScheduler *deadlineScheduler = nullptr;
    quint64 deadlineToken = 0;
    QDeadlineTimer openDeadline { QDeadlineTimer::Forever };
    QDeadlineTimer bodyDeadline { QDeadlineTimer::Forever };
    QDeadlineTimer closeDeadline { QDeadlineTimer::Forever };
    int closeWaitMs = 0;
    bool closeFrameSeenHanded = false;
    qint64 lastHanded = 0;

    // Receiving
    QByteArray readBuffer;
    // Kept for the blocking API when no message signal is connected. QList, not std::deque: an
    // empty one allocates nothing (idle connections), and taking the first element is O(1) in Qt 6.
    QList<Message> queue;
    QList<Frame> frameQueue;
    qint64 queuedBytes = 0;
    bool frameQueueOn = false;
    int spareTimerId = 0; // lets the reader's spare buffer go (see offerAsSpare())
    bool reportingWritten = false; // a bytesWritten() of ours is being emitted

    // How the last connection ended, and the last error (the latter readable from any thread).
    ConnectionEnd end;
    mutable QMutex errorMutex;
    Error error = Error::NoError;
    QString errorString;
};

/*! Reading pauses while the blocking API's queue holds this many bytes. */
qint64 maxQueuedBytes();

} // namespace WsClient
