#include "messageassembler.h"

#include <utility>

namespace WsClient::Protocol {

void FrameSink::frameReceived(const FrameHeader &header, QByteArrayView payload)
{
    Q_UNUSED(header);
    Q_UNUSED(payload);
}

void FrameSink::fragmentReceived(Opcode opcode, QByteArray &&data, bool fin)
{
    Q_UNUSED(opcode);
    Q_UNUSED(data);
    Q_UNUSED(fin);
}

bool MessageAssembler::addFrame(
    const FrameHeader &header, QByteArrayView payload, FrameSink &sink, QByteArray *owned)
{
    if (m_failure.isFailure())
        return false;
    switch (header.opcode) {
    case Opcode::Ping:
        sink.pingReceived(payload);
        return true;
    case Opcode::Pong:
        sink.pongReceived(payload);
        return true;
    case Opcode::Close:
        // Ends the connection rather than a message: ProtocolReader decodes it.
        return true;
    case Opcode::Continuation:
        if (!inMessage())
            return fail(
                Failure::protocol(QStringLiteral("continuation frame without a message to continue")));
        return addDataFrame(header, payload, sink, owned);
    case Opcode::Text:
    case Opcode::Binary:
        if (inMessage())
            return fail(Failure::protocol(QStringLiteral("new data frame inside a fragmented message")));
        m_messageOpcode = header.opcode;
        m_utf8.reset();
        return addDataFrame(header, payload, sink, owned);
    }
    return fail(Failure::protocol(QStringLiteral("unknown opcode 0x%1").arg(quint8(header.opcode), 0, 16)));
}

bool MessageAssembler::addDataFrame(
    const FrameHeader &header, QByteArrayView payload, FrameSink &sink, QByteArray *owned)
{
    if (!validateText(header, payload))
        return false;

    if (m_config.fireContinuationFrames) {
        if (header.fin)
            m_messageOpcode = Opcode::Continuation;
        sink.fragmentReceived(header.opcode, owned ? std::move(*owned) : payload.toByteArray(), header.fin);
        return true;
    }

    const quint64 size = quint64(m_message.size()) + quint64(payload.size());
    if (size > m_config.maxMessageSize) {
        return fail(
            Failure::tooBig(QStringLiteral("message of at least %1 bytes exceeds the limit of %2 bytes")
                                .arg(size)
                                .arg(m_config.maxMessageSize)));
    }
    // An owned buffer can become the message itself when nothing precedes it: no copy.
    if (owned && m_message.isEmpty())
        m_message = std::move(*owned);
    else
        m_message.append(payload);

    if (!header.fin)
        return true;
    const Opcode opcode = std::exchange(m_messageOpcode, Opcode::Continuation);
    // Leave the assembler ready for the next message before the sink runs: it may feed more.
    sink.messageReceived(opcode, std::exchange(m_message, QByteArray()));
    return true;
}

bool MessageAssembler::validateText(const FrameHeader &header, QByteArrayView payload)
{
    if (m_messageOpcode != Opcode::Text || !m_config.validateUtf8)
        return true;
    if (!m_utf8.feed(payload))
        return fail(Failure::payload(QStringLiteral("invalid UTF-8 in text message")));
    if (header.fin && !m_utf8.isComplete())
        return fail(Failure::payload(QStringLiteral("text message ends inside a UTF-8 sequence")));
    return true;
}

bool MessageAssembler::fail(Failure &&failure)
{
    m_failure = std::move(failure);
    m_message = QByteArray(); // the connection is done with this message; free it now
    return false;
}

void MessageAssembler::reset()
{
    m_failure = Failure();
    m_messageOpcode = Opcode::Continuation;
    m_message = QByteArray();
    m_utf8.reset();
}

} // namespace WsClient::Protocol
