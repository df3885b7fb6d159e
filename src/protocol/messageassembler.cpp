#include "messageassembler.h"

#include <limits>
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

void MessageAssembler::setConfig(const Config &config)
{
    m_config = config;
    m_inflater.reset(config.inflate ? new Inflater(config.inflateWindowBits) : nullptr);
}

bool MessageAssembler::addFrame(
    const FrameHeader &header, QByteArrayView payload, FrameSink &sink, QByteArray *owned)
{
    if (m_failure.isFailure())
        return false;
    // RSV1 means "compressed message" (RFC 7692 §6): only on the first frame of a data message.
    if (Q_UNLIKELY(header.rsv & Rsv1) && (header.isControl() || header.opcode == Opcode::Continuation))
        return fail(Failure::protocol(QStringLiteral("RSV1 set on a %1 frame")
                                          .arg(header.isControl() ? QStringLiteral("control")
                                                                  : QStringLiteral("continuation"))));
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
        if (m_checkedAhead == 0)
            m_utf8.reset(); // else checkPartialFrame() began this message's validation
        m_compressed = (header.rsv & Rsv1) != 0;
        m_compressedSize = 0;
        m_inflatedSize = 0;
        return addDataFrame(header, payload, sink, owned);
    }
    return fail(Failure::protocol(QStringLiteral("unknown opcode 0x%1").arg(quint8(header.opcode), 0, 16)));
}

bool MessageAssembler::addDataFrame(
    const FrameHeader &header, QByteArrayView payload, FrameSink &sink, QByteArray *owned)
{
    if (m_compressed)
        return addCompressedFrame(header, payload, sink);
    // The size first, as checkPartialFrame() judges it before the frame is complete: the outcome
    // must not depend on how the frame arrived.
    const quint64 size = quint64(m_message.size()) + quint64(payload.size());
    if (!m_config.fireContinuationFrames && size > m_config.maxMessageSize) {
        return fail(
            Failure::tooBig(QStringLiteral("message of at least %1 bytes exceeds the limit of %2 bytes")
                                .arg(size)
                                .arg(m_config.maxMessageSize)));
    }
    if (!validateText(header, payload))
        return false;

    if (m_config.fireContinuationFrames) {
        deliver(header, owned ? std::move(*owned) : payload.toByteArray(), sink);
        return true;
    }
    // An owned buffer can become the message itself when nothing precedes it: no copy.
    if (owned && m_message.isEmpty())
        m_message = std::move(*owned);
    else
        appendToMessage(payload);
    deliver(header, QByteArray(), sink);
    return true;
}

bool MessageAssembler::appendToMessage(QByteArrayView payload)
{
    // Grown geometrically but never past the limit: a message that approaches it holds about the
    // limit, not the next power of two above it.
    const qsizetype needed = m_message.size() + payload.size();
    if (needed > m_message.capacity()) {
        const qsizetype limit = qsizetype(qMin<quint64>(m_config.maxMessageSize, quint64(std::numeric_limits<qsizetype>::max() / 2)));
        m_message.reserve(qMax(needed, qMin(limit, 2 * m_message.capacity())));
    }
    m_message.append(payload);
    return true;
}

bool MessageAssembler::checkPartialFrame(const FrameHeader &header, QByteArrayView arrived)
{
    if (m_failure.isFailure())
        return false;
    if (header.isControl() || (header.rsv & Rsv1) || inCompressedMessage())
        return true;
    const bool starts = header.opcode != Opcode::Continuation && !inMessage();
    const bool continues = header.opcode == Opcode::Continuation && inMessage();
    if (!starts && !continues)
        return true; // a protocol error, reported when the frame is complete
    if (!m_config.fireContinuationFrames) {
        const quint64 size = quint64(continues ? m_message.size() : 0) + header.payloadLength;
        if (size > m_config.maxMessageSize) {
            return fail(
                Failure::tooBig(QStringLiteral("message of at least %1 bytes exceeds the limit of %2 bytes")
                                    .arg(size)
                                    .arg(m_config.maxMessageSize)));
        }
    }
    const Opcode opcode = starts ? header.opcode : m_messageOpcode;
    if (opcode != Opcode::Text || !m_config.validateUtf8 || arrived.size() <= m_checkedAhead)
        return true;
    if (starts && m_checkedAhead == 0)
        m_utf8.reset();
    const QByteArrayView fresh = arrived.sliced(m_checkedAhead);
    m_checkedAhead = arrived.size();
    if (!m_utf8.feed(fresh))
        return fail(Failure::payload(QStringLiteral("invalid UTF-8 in text message")));
    return true;
}

bool MessageAssembler::addCompressedFrame(const FrameHeader &header, QByteArrayView payload, FrameSink &sink)
{
    if (!m_inflater)
        return fail(Failure::protocol(QStringLiteral("RSV1 set without a negotiated extension")));
    m_compressedSize += quint64(payload.size());
    if (!m_config.fireContinuationFrames && m_compressedSize > m_config.maxMessageSize) {
        return fail(Failure::tooBig(QStringLiteral("compressed message of at least %1 bytes exceeds the limit of %2 bytes")
                                        .arg(m_compressedSize)
                                        .arg(m_config.maxMessageSize)));
    }
    QByteArray fragment;
    QByteArray &out = m_config.fireContinuationFrames ? fragment : m_message;
    const qsizetype before = out.size();
    // An empty compressed message carries no DEFLATE data at all: nothing to inflate, no tail.
    const bool endOfData = header.fin && m_compressedSize > 0;
    const Inflater::Result result
        = m_inflater->inflate(payload, endOfData, out, m_config.maxInflatedSize - m_inflatedSize);
    if (result == Inflater::Result::TooBig) {
        return fail(Failure::tooBig(QStringLiteral("compressed message inflates to more than the limit of %1 bytes")
                                        .arg(m_config.maxInflatedSize)));
    }
    if (result == Inflater::Result::Corrupt) {
        return fail({ Error::Compression, CloseCode::InvalidPayload,
            QStringLiteral("invalid compressed data: %1").arg(m_inflater->errorString()) });
    }
    m_inflatedSize += quint64(out.size() - before);
    if (!validateText(header, QByteArrayView(out).sliced(before)))
        return false;
    if (header.fin && m_config.inflateResetEachMessage)
        m_inflater->reset();
    deliver(header, std::move(fragment), sink);
    return true;
}

void MessageAssembler::deliver(const FrameHeader &header, QByteArray &&fragment, FrameSink &sink)
{
    if (m_config.fireContinuationFrames) {
        if (header.fin)
            m_messageOpcode = Opcode::Continuation;
        sink.fragmentReceived(header.opcode, std::move(fragment), header.fin);
        return;
    }
    if (!header.fin)
        return;
    const Opcode opcode = std::exchange(m_messageOpcode, Opcode::Continuation);
    // Leave the assembler ready for the next message before the sink runs: it may feed more.
    sink.messageReceived(opcode, std::exchange(m_message, QByteArray()));
}

bool MessageAssembler::validateText(const FrameHeader &header, QByteArrayView payload)
{
    const qsizetype checked = std::exchange(m_checkedAhead, 0);
    if (m_messageOpcode != Opcode::Text || !m_config.validateUtf8)
        return true;
    if (!m_utf8.feed(payload.sliced(qMin(checked, payload.size()))))
        return fail(Failure::payload(QStringLiteral("invalid UTF-8 in text message")));
    if (header.fin && !m_utf8.isComplete())
        return fail(Failure::payload(QStringLiteral("text message ends inside a UTF-8 sequence")));
    return true;
}

bool MessageAssembler::fail(Failure &&failure)
{
    m_failure = std::move(failure);
    m_message = QByteArray(); // the connection is done with this message; free it now
    m_checkedAhead = 0;
    return false;
}

void MessageAssembler::reset()
{
    m_failure = Failure();
    m_messageOpcode = Opcode::Continuation;
    m_message = QByteArray();
    m_utf8.reset();
    m_checkedAhead = 0;
    if (m_inflater)
        m_inflater->reset();
    m_compressed = false;
}

} // namespace WsClient::Protocol
