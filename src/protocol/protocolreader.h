#pragma once

#include "frameparser.h"
#include "messageassembler.h"

namespace WsClient::Protocol {

/*!
    The receive side of a connection in one object: FrameParser + MessageAssembler + Close
    payload checks, fed with whatever the socket produced. After a Close frame it consumes
    nothing more (RFC 6455 §5.5.1: no data after Close).
*/
class ProtocolReader
{
public:
    struct Config
    {
        FrameParser::Config frames;
        MessageAssembler::Config messages;
        bool tapFrames = false; //!< Call FrameSink::frameReceived for every frame.
    };

    ProtocolReader() = default;
    explicit ProtocolReader(const Config &config);

    /*! The configuration in effect (RSV1 stays allowed once inflation is on). */
    Config config() const { return { m_parser.config(), m_assembler.config(), m_tapFrames }; }

    /*!
        Decodes everything in data[0, size) and reports it to \a sink. Returns the number of bytes
        consumed: less than \a size only when decoding stopped (failure, Close received, or
        sink.wantsMore() returned false). After a failure or a Close, it consumes nothing until
        reset(). \a data is writable because masked payloads are unmasked in place.
    */
    qsizetype feed(char *data, qsizetype size, FrameSink &sink);

    /*! Zero-copy path for large payloads; see FrameParser::directTarget(). */
    char *directTarget(qsizetype *room)
    {
        *room = 0;
        return stopped() ? nullptr : m_parser.directTarget(room);
    }
    /*! Records \a written bytes placed at directTarget() and reports a completed frame to \a sink. */
    void commitDirect(qsizetype written, FrameSink &sink);

    bool hasFailed() const { return m_failure.isFailure(); }
    const Failure &failure() const { return m_failure; }
    bool closeReceived() const { return m_closeReceived; }
    /*! While a frame is reported: the bytes of the current input after it (0: the input's last frame). */
    qsizetype inputLeft() const { return m_inputLeft; }

    FrameParser &parser() { return m_parser; }
    MessageAssembler &assembler() { return m_assembler; }
    void setTapFrames(bool on) { m_tapFrames = on; }
    void reset();

private:
    bool stopped() const { return m_closeReceived || m_failure.isFailure(); }
    // Each returns whether decoding may go on.
    bool handle(FrameParser::Status status, FrameSink &sink);
    bool dispatch(FrameSink &sink);
    bool dispatchClose(QByteArrayView payload, FrameSink &sink);
    void checkGathered();
    bool wantsOwnedPayload(const FrameHeader &header) const;

    FrameParser m_parser;
    MessageAssembler m_assembler;
    Failure m_failure;
    qsizetype m_inputLeft = 0;
    bool m_tapFrames = false;
    bool m_closeReceived = false;
};

} // namespace WsClient::Protocol
