#pragma once

#include "deflatecodec.h"
#include "frameheader.h"

#include <WsClient/compression.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qstring.h>

#include <functional>
#include <memory>

namespace WsClient::Protocol {

/*!
    Where outgoing bytes go. The connection's write scheduler implements it over a socket; tests
    record. A frame is handed over with its header (mask key chosen, payloadLength set) and its
    payload still unmasked: the output writes the header and masks the payload in the same pass as
    it copies it (appendFrame(), or in slices straight to the kernel). \a payload is only valid
    during the call.
*/
class FrameOutput
{
public:
    virtual ~FrameOutput() = default;
    virtual void writeFrame(const FrameHeader &header, QByteArrayView payload) = 0;
    /*! Bytes that are not a frame: the HTTP upgrade request. */
    virtual void writeBytes(QByteArrayView bytes) = 0;
};

/*!
    The client's send-side rules of RFC 6455 and RFC 7692, without I/O: every frame masked with a
    fresh key (§5.3), messages split into frames of at most fragmentSize bytes (§5.4: the first
    carries the opcode, the rest are continuations, only the last has FIN), control payloads of at
    most 125 bytes and never fragmented (§5.5), and with permessage-deflate each message compressed
    as a whole with RSV1 on its first frame only (RFC 7692 §6.1).
*/
class MessageWriter
{
public:
    /*! Returns a mask key of \a length (4) bytes; an empty function means the system CSPRNG. */
    using MaskKeyGenerator = std::function<QByteArray(int length)>;

    struct Config
    {
        qint64 fragmentSize = 0; //!< Split data messages larger than this; 0 never splits.
        MaskKeyGenerator maskKeys;
    };

    MessageWriter() = default;
    explicit MessageWriter(const Config &config) : m_config(config) { }
    MessageWriter(MessageWriter &&) = default;
    MessageWriter &operator=(MessageWriter &&) = default;

    /*!
        Compresses the messages written from now on as \a agreed says (the negotiated
        permessage-deflate parameters). Messages shorter than agreed.minimumSize() go uncompressed;
        with an 8-bit client window nothing is compressed (zlib cannot write one; RFC 7692 §6.1
        allows sending uncompressed).
    */
    void startCompressing(const CompressionOptions &agreed);
    bool isCompressing() const { return m_deflater != nullptr; }

    /*!
        Why \a payload cannot be sent with \a opcode (a control payload over 125 bytes), or a null
        string when it can. Holds for any thread: the caller checks before queueing.
    */
    static QString payloadProblem(Opcode opcode, qsizetype payloadSize);
    /*! payloadProblem() is null: the cheap test for the hot path. */
    static bool isValidPayload(Opcode opcode, qsizetype payloadSize)
    {
        return !(quint8(opcode) & 0x8) || payloadSize <= 125;
    }

    /*!
        Writes one message (Text or Binary) as one or more frames, or one control frame (Ping, Pong,
        Close), which payloadProblem() must have accepted. Returns the wire bytes written.
    */
    qint64 writeMessage(Opcode opcode, QByteArrayView payload, FrameOutput &out);
    /*! Writes one frame as given (sendFrame: fragments, RSV bits, any opcode), masked. */
    qint64 writeRawFrame(Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload, FrameOutput &out);

    /*! The key of the next frame: the generator's when one is set and returns 4 bytes, else random. */
    MaskKey nextMaskKey();

private:
    qint64 writeFrames(Opcode opcode, quint8 rsv, QByteArrayView payload, FrameOutput &out);

    Config m_config;
    std::unique_ptr<Deflater> m_deflater;
    bool m_deflateResetEachMessage = false;
    qint64 m_compressMinimum = 0;
};

} // namespace WsClient::Protocol
