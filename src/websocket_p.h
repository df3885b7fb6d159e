#pragma once

#include <WsClient/websocket.h>

#include "protocol/deflatecodec.h"
#include "protocol/handshakerequest.h"
#include "protocol/handshakeresponse.h"
#include "protocol/protocolreader.h"
#include "transport/connector.h"

#include <QtCore/qdeadlinetimer.h>
#include <QtCore/qmutex.h>
#include <QtCore/qpointer.h>
#include <QtCore/qtimer.h>

#include <atomic>

QT_BEGIN_NAMESPACE
class QAbstractSocket;
class QLocalSocket;
QT_END_NAMESPACE

namespace WsClient {

/*!
    The connection state machine behind WebSocket: transport → HTTP upgrade → frames → close.
    It is the FrameSink of its ProtocolReader, so decoded traffic arrives here as calls.
*/
class WebSocketPrivate final : public Protocol::FrameSink
{
    Q_DECLARE_PUBLIC(WebSocket)
public:
    explicit WebSocketPrivate(WebSocket *q);
    ~WebSocketPrivate() override;

    // Where the connection is within WebSocket::State::Connecting / Open / Closing.
    enum class Phase { Idle, Transport, Handshake, BadStatusBody, Frames, Done };

    void open(const QUrl &url, const ConnectOptions &options);
    void startAttempt(const QUrl &url);
    void onTransportReady();
    void attachDevice(QIODevice *device, bool owned);
    void sendHandshake();

    // Receiving
    void onReadyRead();
    void readHandshake();
    void readBadStatusBody(bool atEnd);
    void readFrames();
    void handleHandshakeComplete(QByteArrayView rest);
    void onDeviceDisconnected();

    // FrameSink
    void frameReceived(const Protocol::FrameHeader &header, QByteArrayView payload) override;
    void messageReceived(Opcode opcode, QByteArray &&message) override;
    void fragmentReceived(Opcode opcode, QByteArray &&data, bool fin) override;
    void pingReceived(QByteArrayView payload) override;
    void pongReceived(QByteArrayView payload) override;
    void closeReceived(quint16 code, const QString &reason) override;
    bool wantsMore() const override;
    bool blockingMode() const;
    void enqueue(Opcode opcode, QByteArray data, bool fin = true);
    void offerAsSpare(QByteArray &message);

    // Sending (any thread)
    qint64 sendMessage(Opcode opcode, QByteArrayView payload);
    void writeMessageFrames(Opcode opcode, quint8 rsv, QByteArrayView payload);
    void startCompressing();
    void stopCompressing();
    qint64 sendRawFrame(const Frame &frame);
    void writeFrame(Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload);
    void writeMessage(QByteArray &&frames);
    void queueForOwner(QByteArray &&frames);
    void outgoingAppended();
    bool beginOwnerWrite();
    void writeThroughDevice(const QByteArray &frames);
    Protocol::FrameHeader maskedHeader(Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload);
    void appendMaskedFrame(QByteArray &out, Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload);
    void sendLargeFrame(Protocol::FrameHeader header, QByteArrayView payload);
    Protocol::MaskKey nextMaskKey();
    void drainPending();
    void scheduleFlush();
    void flushOutgoing();
    void reportDirectlyWritten();
    void holdWhileDispatching();
    void endDispatch();
    bool onOwnerThread() const;
    bool refuseSend(const char *what);

    // Closing and failing
    void startClose(quint16 code, const QString &reason, int timeoutMs);
    void onCloseTimeout();
    void failConnecting(Error error, const QString &why);
    void failOpen(Error error, const QString &why, quint16 closeCode);
    void disconnectTransport();
    void finish();
    void releaseTransport();

    // Blocking API
    bool waitUntil(const std::function<bool()> &done, int msecs);
    bool waitOnce(QDeadlineTimer deadline);
    Message takeQueued(bool includeControl);
    int effectiveWait(int msecs) const { return msecs == -1 ? timeout : msecs; }

    void setState(WebSocket::State state);
    void setError(Error error, const QString &why);
    QString target() const { return parsed.hostAndPort(true); }

    WebSocket *q_ptr;

    // What was asked for
    QUrl requestedUrl;
    QUrl currentUrl;
    ConnectOptions options;
    Protocol::MaskKey fixedKeyScratch {};
    ParsedUrl parsed;
    int timeout;
    int redirects = 0;
    QDeadlineTimer openDeadline = QDeadlineTimer::Forever;

    std::atomic<WebSocket::State> state { WebSocket::State::Unconnected };
    Phase phase = Phase::Idle;

    // Transport
    Transport::Connector *connector = nullptr;
    QPointer<QIODevice> device;
    QAbstractSocket *socket = nullptr; // device as a socket, when it is one
    QLocalSocket *localSocket = nullptr; // device as a local socket, when it is one
    bool ownsDevice = false;
    QHostAddress lastPeerAddress;
    quint16 lastPeerPort = 0;

    // Handshake
    Protocol::HandshakeRequest request;
    Protocol::HandshakeResponseParser response;
    Protocol::HandshakeOutcome outcome;
    CompressionOptions compression; // negotiated permessage-deflate; disabled when not in use
    // Sending compressed, from any thread: the deflater's window must see messages in wire order.
    QMutex deflateMutex;
    std::unique_ptr<Protocol::Deflater> deflater; // guarded by deflateMutex
    bool deflateResetEachMessage = false; // guarded by deflateMutex
    std::atomic<qint64> compressMinimum { -1 }; // messages this long or longer are compressed; -1: off
    QByteArray body;
    qint64 bodyExpected = -1;
    QDeadlineTimer bodyDeadline = QDeadlineTimer::Forever;

    // Frames
    Protocol::ProtocolReader reader;
    QByteArray readBuffer;
    // Small frames are encoded here, and written from here in one go. On a plain TCP socket they
    // go straight to its descriptor when Qt's write buffer is empty: QAbstractSocket's own write
    // path arms and disarms its write notifier for every write, which on the glib event dispatcher
    // costs two wake-ups of the event loop (eventfd writes, extra polls) per message.
    QByteArray outgoing;
    bool plainTcp = false; // Transport::directIoFor(device): its descriptor is written and read
                           // directly (see readFrames)
    qint64 directlyWritten = 0; // sent past the socket, not yet reported as bytesWritten()
    bool reportingWritten = false; // a bytesWritten() of ours is being emitted
    // > 0 while received frames are handed out (readFrames): what the slots send meanwhile is held
    // in `outgoing` and written once at the end, or by dispatchFlushTimer if a slot runs a nested
    // event loop (or calls processEvents) first.
    int dispatching = 0;
    QTimer *dispatchFlushTimer = nullptr;
    bool closeSent = false;
    bool connectedEmitted = false;
    QDeadlineTimer closeDeadline = QDeadlineTimer::Forever;

    // Frames sent from other threads wait here for the owner thread, in order.
    QMutex pendingMutex;
    QByteArray pending;
    std::atomic<bool> hasPending { false };
    std::atomic<bool> crossThreadSenders { false };
    bool flushPosted = false; // guarded by pendingMutex: a drain is posted for other threads' frames
    bool ownerFlushPosted = false; // owner thread only: a flush is posted for this pass's writes

    // Kept for the blocking API when no message signal is connected.
    // QList, not std::deque: an empty one allocates nothing (idle connections), and taking the
    // first element is O(1) in Qt 6.
    QList<Message> queue;
    QList<Frame> frameQueue;
    qint64 queuedBytes = 0;
    bool frameQueueOn = false;

    QTimer *openTimer = nullptr;
    QTimer *spareTimer = nullptr; // lets the reader's spare buffer go (see offerAsSpare())
    QTimer *closeTimer = nullptr;

    int closeCode = int(CloseCode::Abnormal);
    QString closeReason;
    Error error = Error::NoError;
    QString errorString;
};

} // namespace WsClient
