#include "clientconnection.h"

#include "closepayload.h"

namespace WsClient::Protocol {

namespace {

using State = ClientConnection::State;

// Allowed[from][to]: the transition table of the class comment.
constexpr bool Allowed[4][4] = {
    /* Connecting */ { false, true, false, true },
    /* Open       */ { false, false, true, true },
    /* Closing    */ { false, false, false, true },
    /* Closed     */ { false, false, false, false },
};

} // namespace

QString Undelivered::describe() const
{
    if (!any())
        return QString();
    return QStringLiteral("; %1 message%2 (%3 bytes) accepted by send calls %4 not delivered")
        .arg(messages)
        .arg(messages == 1 ? QString() : QStringLiteral("s"))
        .arg(bytes)
        .arg(messages == 1 ? QStringLiteral("was") : QStringLiteral("were"));
}

ClientConnection::ClientConnection(const Config &config, ConnectionSink &sink, FrameOutput &out)
    : m_sink(sink), m_out(out), m_handshake(config.handshake), m_reader(config.reader), m_writer(config.writer)
{
}

const char *ClientConnection::stateName(State state)
{
    static const char *const names[] = { "Connecting", "Open", "Closing", "Closed" };
    return names[int(state)];
}

void ClientConnection::setState(State next)
{
    Q_ASSERT_X(Allowed[int(m_state)][int(next)], "ClientConnection", "transition not in the table");
    m_state = next;
}

void ClientConnection::start()
{
    if (m_handshake.status() == ClientHandshake::Status::Failed) {
        failClosed(m_handshake.failure());
        return;
    }
    m_out.writeBytes(m_handshake.request().bytes);
    m_handshake.requestSent();
}

// ---------------------------------------------------------------------------------------------
// Receiving

void ClientConnection::receiveData(char *data, qsizetype size)
{
    if (m_state == State::Connecting) {
        feedHandshake(data, size);
        return;
    }
    if (!wantsData())
        return;
    m_reader.feed(data, size, *this);
    afterReading();
}

char *ClientConnection::directTarget(qsizetype *room)
{
    *room = 0;
    return wantsData() && m_state != State::Connecting ? m_reader.directTarget(room) : nullptr;
}

void ClientConnection::commitDirect(qsizetype written)
{
    m_reader.commitDirect(written, *this);
    afterReading();
}

bool ClientConnection::wantsData() const
{
    return m_state == State::Connecting || m_state == State::Open
        || (m_state == State::Closing && !m_closeReceived && !m_failure.isFailure());
}

void ClientConnection::afterReading()
{
    if (m_reader.hasFailed() && !m_failure.isFailure() && m_state != State::Closed)
        failWithClose(m_reader.failure());
}

void ClientConnection::feedHandshake(char *data, qsizetype size)
{
    const qsizetype used = m_handshake.feed(QByteArrayView(data, size));
    if (m_handshake.status() != ClientHandshake::Status::Open) {
        endHandshake();
        return;
    }
    becomeOpen();
    // Frames that came in the same read as the response head.
    if (used < size && wantsData())
        receiveData(data + used, size - used);
}

void ClientConnection::endHandshake()
{
    switch (m_handshake.status()) {
    case ClientHandshake::Status::Running:
    case ClientHandshake::Status::Open:
        return;
    case ClientHandshake::Status::Failed:
        failClosed(m_handshake.failure());
        return;
    case ClientHandshake::Status::Redirect:
        setState(State::Closed);
        m_sink.redirected(m_handshake.redirectUrl());
        return;
    case ClientHandshake::Status::Challenged:
        setState(State::Closed);
        m_sink.authenticationRequired(m_handshake.authVerdict());
        return;
    }
}

void ClientConnection::becomeOpen()
{
    const CompressionOptions &agreed = m_handshake.compression();
    if (agreed.isEnabled()) {
        ProtocolReader::Config config = m_reader.config();
        config.messages.inflate = true;
        config.messages.inflateWindowBits = agreed.serverMaxWindowBits();
        config.messages.inflateResetEachMessage = agreed.serverNoContextTakeover();
        config.messages.maxInflatedSize = quint64(agreed.maxDecompressedSize());
        m_writer.startCompressing(agreed);
        m_reader = ProtocolReader(config);
    }
    m_closeCode = int(CloseCode::Abnormal); // until a Close says otherwise
    m_wasOpen = true;
    setState(State::Open);
    m_handshake.opened();
    m_sink.opened();
}

void ClientConnection::transportClosed(const QString &target, const QString &cause, const Undelivered &undelivered)
{
    switch (m_state) {
    case State::Closed:
        return;
    case State::Connecting:
        m_handshake.endOfStream(target, cause);
        endHandshake();
        return;
    case State::Open:
        failClosed({ Error::ConnectionClosed, CloseCode::Abnormal,
            QStringLiteral("connection to %1 lost: %2%3").arg(target, cause, undelivered.describe()) });
        return;
    case State::Closing:
        if (!m_closeReceived && !m_failure.isFailure() && undelivered.any()) {
            failClosed({ Error::ConnectionClosed, CloseCode::Abnormal,
                QStringLiteral("connection to %1 lost while closing: %2%3")
                    .arg(target, cause, undelivered.describe()) });
            return;
        }
        setState(State::Closed);
        return;
    }
}

// ---------------------------------------------------------------------------------------------
// FrameSink

void ClientConnection::frameReceived(const FrameHeader &header, QByteArrayView payload)
{
    m_sink.frameReceived(header, payload);
}

void ClientConnection::messageReceived(Opcode opcode, QByteArray &&message)
{
    m_sink.messageReceived(opcode, std::move(message));
}

void ClientConnection::fragmentReceived(Opcode opcode, QByteArray &&data, bool fin)
{
    m_sink.fragmentReceived(opcode, std::move(data), fin);
}

void ClientConnection::pingReceived(QByteArrayView payload)
{
    // §5.5.2: answered with the same payload, unless a Close already went out (§5.5.1).
    if (!m_closeSent)
        m_writer.writeMessage(Opcode::Pong, payload, m_out);
    m_sink.pingReceived(payload);
}

void ClientConnection::pongReceived(QByteArrayView payload)
{
    m_sink.pongReceived(payload);
}

void ClientConnection::closeReceived(quint16 code, const QString &reason)
{
    m_closeReceived = true;
    m_closedByServer = !m_closeSent;
    m_closeCode = code;
    m_closeReason = reason;
    // §5.5.1: echo the code; a Close without a code is answered without one.
    if (!m_closeSent)
        writeClose(code, {});
    if (m_state == State::Open)
        setState(State::Closing);
    m_sink.closeReceived(code, reason);
    if (m_state == State::Closing)
        m_sink.closeTransport();
}

bool ClientConnection::wantsMore() const
{
    return wantsData() && m_sink.wantsMore();
}

// ---------------------------------------------------------------------------------------------
// Sending

qint64 ClientConnection::send(Opcode opcode, QByteArrayView payload, QString *refusal)
{
    if (m_state != State::Open) {
        if (refusal)
            *refusal = QStringLiteral("the connection is %1, not Open").arg(QLatin1String(stateName(m_state)));
        return -1;
    }
    if (Q_UNLIKELY(!MessageWriter::isValidPayload(opcode, payload.size()))) {
        if (refusal)
            *refusal = MessageWriter::payloadProblem(opcode, payload.size());
        return -1;
    }
    if (opcode == Opcode::Close) // a Close changes the state, whichever call sends it
        return sendFrame(opcode, true, 0, payload, refusal);
    return m_writer.writeMessage(opcode, payload, m_out);
}

qint64 ClientConnection::sendFrame(Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload, QString *refusal)
{
    if (m_state != State::Open) {
        if (refusal)
            *refusal = QStringLiteral("the connection is %1, not Open").arg(QLatin1String(stateName(m_state)));
        return -1;
    }
    const qint64 written = m_writer.writeRawFrame(opcode, fin, rsv, payload, m_out);
    if (opcode == Opcode::Close) {
        m_closeSent = true;
        setState(State::Closing);
    }
    return written;
}

bool ClientConnection::close(quint16 code, QStringView reason)
{
    if (m_state != State::Open)
        return false;
    writeClose(code, reason);
    setState(State::Closing);
    return true;
}

void ClientConnection::writeClose(quint16 code, QStringView reason)
{
    m_writer.writeMessage(Opcode::Close, encodeClosePayload(code, reason), m_out);
    m_closeSent = true;
}

void ClientConnection::fail(const Failure &failure)
{
    if (m_state == State::Connecting)
        failClosed(failure);
    else
        failWithClose(failure);
}

void ClientConnection::failWithClose(const Failure &failure)
{
    if (m_failure.isFailure() || m_state == State::Closed)
        return;
    m_failure = failure;
    m_closeCode = int(failure.closeCode);
    m_closeReason = failure.message;
    if (!m_closeSent) {
        // §7.1.7: send a Close with the reason, then drop the connection without waiting.
        const QByteArray reason = failure.message.toUtf8();
        writeClose(quint16(failure.closeCode), QString::fromUtf8(truncateUtf8(reason, MaxCloseReasonBytes)));
    }
    if (m_state == State::Open)
        setState(State::Closing);
    m_sink.failed(m_failure);
    if (m_state == State::Closing)
        m_sink.closeTransport();
}

void ClientConnection::failClosed(const Failure &failure)
{
    if (m_failure.isFailure() || m_state == State::Closed)
        return;
    m_failure = failure;
    if (m_wasOpen) {
        m_closeCode = int(failure.closeCode);
        m_closeReason = failure.message;
    }
    setState(State::Closed);
    m_sink.failed(m_failure);
}

void ClientConnection::handshakeTimedOut(const QString &why)
{
    if (m_state == State::Connecting)
        failClosed({ Error::Timeout, CloseCode::Abnormal, why });
}

void ClientConnection::bodyTimedOut()
{
    if (m_state != State::Connecting)
        return;
    m_handshake.bodyTimedOut();
    endHandshake();
}

void ClientConnection::closeTimedOut(const QString &why)
{
    if (m_state != State::Closing || m_closeReceived)
        return;
    if (m_failure.isFailure()) {
        // Already failed and reported: the transport just did not close in time.
        setState(State::Closed);
        return;
    }
    failClosed({ Error::Timeout, CloseCode::Abnormal, why });
}

void ClientConnection::abort()
{
    if (m_state == State::Closed)
        return;
    if (m_wasOpen && !m_closeReceived && !m_failure.isFailure())
        m_closeCode = int(CloseCode::Abnormal);
    setState(State::Closed);
}

} // namespace WsClient::Protocol
