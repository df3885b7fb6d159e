#include "protocolreader.h"

#include "closepayload.h"

namespace WsClient::Protocol {

ProtocolReader::ProtocolReader(const Config &config)
    : m_parser(config.frames), m_assembler(config.messages), m_tapFrames(config.tapFrames)
{
    if (config.messages.inflate)
        m_parser.setAllowedRsv(config.frames.allowedRsv | Rsv1);
}

qsizetype ProtocolReader::feed(char *data, qsizetype size, FrameSink &sink)
{
    qsizetype offset = 0;
    while (offset < size && !stopped()) {
        qsizetype used = 0;
        const FrameParser::Status status = m_parser.parse(data + offset, size - offset, &used);
        offset += used;
        if (status == FrameParser::Status::NeedMore) {
            checkGathered();
            break;
        }
        m_inputLeft = size - offset;
        if (!handle(status, sink) || !sink.wantsMore())
            break;
    }
    m_inputLeft = 0;
    return offset;
}

void ProtocolReader::commitDirect(qsizetype written, FrameSink &sink)
{
    if (stopped())
        return;
    m_parser.commitDirect(written);
    qsizetype used = 0;
    const FrameParser::Status status = m_parser.parse(nullptr, 0, &used);
    if (status != FrameParser::Status::NeedMore)
        handle(status, sink);
    else
        checkGathered();
}

void ProtocolReader::checkGathered()
{
    // A frame that arrives in pieces is judged piece by piece (size limit, UTF-8), not only once
    // complete: a bad first piece fails the connection without waiting for the rest.
    if (m_parser.isGathering() && !m_assembler.checkPartialFrame(m_parser.header(), m_parser.gathered()))
        m_failure = m_assembler.failure();
}

bool ProtocolReader::handle(FrameParser::Status status, FrameSink &sink)
{
    if (status == FrameParser::Status::Failed) {
        m_failure = m_parser.failure();
        return false;
    }
    return dispatch(sink);
}

bool ProtocolReader::dispatch(FrameSink &sink)
{
    const FrameHeader &header = m_parser.header();
    const QByteArrayView payload = m_parser.payload();
    if (m_tapFrames) {
        // A frame gathered from several reads is judged piece by piece (size, UTF-8) and refused
        // before it is complete, so it is never tapped; one that came whole is judged the same
        // way before it is tapped. (The bytes judged here are not judged again.)
        if (!m_assembler.checkPartialFrame(header, payload)) {
            m_failure = m_assembler.failure();
            return false;
        }
        sink.frameReceived(header, payload);
    }

    // Close ends the connection, not a message: decoded here. Everything else, pings and pongs
    // included, goes through the assembler.
    if (header.opcode == Opcode::Close)
        return dispatchClose(payload, sink);

    if (!wantsOwnedPayload(header)) {
        if (m_assembler.addFrame(header, payload, sink))
            return true;
    } else {
        QByteArray owned = m_parser.takePayload();
        if (m_assembler.addFrame(header, payload, sink, &owned))
            return true;
    }
    m_failure = m_assembler.failure();
    return false;
}

bool ProtocolReader::dispatchClose(QByteArrayView payload, FrameSink &sink)
{
    CloseInfo info;
    if (!decodeClosePayload(payload, &info, &m_failure, m_assembler.config().validateUtf8))
        return false;
    m_closeReceived = true;
    sink.closeReceived(info.code, info.reason);
    return false;
}

bool ProtocolReader::wantsOwnedPayload(const FrameHeader &header) const
{
    // takePayload() is a move when the parser gathered the frame and one copy otherwise, so it
    // never costs more than the copy the assembler would make, provided the frame becomes a
    // buffer of its own: a fragment handed out as it is, or the start of a new message.
    // A continuation is appended to the message instead, and taking it would copy it twice.
    // Control payloads are only looked at.
    if (header.isControl() || (header.rsv & Rsv1) || m_assembler.inCompressedMessage())
        return false; // compressed payloads are inflated, never kept
    if (m_assembler.config().fireContinuationFrames)
        return true;
    return header.opcode != Opcode::Continuation && !m_assembler.inMessage();
}

void ProtocolReader::reset()
{
    m_parser.reset();
    m_assembler.reset();
    m_failure = Failure();
    m_closeReceived = false;
}

} // namespace WsClient::Protocol
