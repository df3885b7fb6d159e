#pragma once

#include "failure.h"
#include "frameheader.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>
#include <QtCore/qbytearrayview.h>

namespace WsClient::Protocol {

/*!
    Incremental frame decoder (RFC 6455 §5.2) that checks every per-frame rule:
    RSV bits not allowed by a negotiated extension, unknown opcodes, fragmented or oversized
    (> 125 bytes) control frames, masking in the wrong direction, non-minimal length encodings,
    64-bit lengths with the top bit set (all → 1002), and frames above maxFrameSize (→ 1009).
    Rules spanning frames (continuations, message size) belong to MessageAssembler.

    Input may arrive in pieces of any size, down to one byte. When a frame's payload lies whole
    inside the input (its header may have come in earlier calls), the payload is returned in place:
    a view into the caller's buffer, unmasked there if it was masked. Only a payload split across
    calls is gathered, into a buffer allocated once at the frame's size (bounded by maxFrameSize).
*/
class FrameParser
{
public:
    struct Config
    {
        quint64 maxFrameSize = 64 * 1024 * 1024; //!< Larger frames fail with 1009.
        quint8 allowedRsv = 0; //!< RsvBits an extension negotiated.
        bool expectMasked = false; //!< False on the client side: masked frames are errors.
    };

    enum class Status { NeedMore, Frame, Failed };

    FrameParser() = default;
    explicit FrameParser(const Config &config) : m_config(config) { }

    const Config &config() const { return m_config; }
    void setAllowedRsv(quint8 rsv) { m_config.allowedRsv = rsv; }
    void setMaxFrameSize(quint64 size) { m_config.maxFrameSize = size; }

    /*!
        Decodes at most one frame from data[0, size). *consumed receives the number of bytes
        used (always all of them with NeedMore). With Status::Frame, header() and payload() hold
        the frame until the next call. With Status::Failed, failure() says why, *consumed is 0 and
        the parser stays failed (every later call fails too). A header is judged as soon as the
        bytes deciding a rule have arrived, and an oversized frame fails from its header alone.
        \a data is writable because masked payloads are unmasked in place.
    */
    Status parse(char *data, qsizetype size, qsizetype *consumed);

    const FrameHeader &header() const { return m_header; }
    /*! The current frame's payload, valid until the next parse() call. */
    QByteArrayView payload() const { return m_payload; }
    /*!
        Hands the current payload over as an owned buffer: moved out of the parser when it gathered
        the frame itself (no copy), copied otherwise. payload() is empty afterwards.
    */
    QByteArray takePayload();

    const Failure &failure() const { return m_failure; }
    bool hasFailed() const { return m_failure.isFailure(); }

    /*! True while a payload split across calls is being gathered; header() is that frame's. */
    bool isGathering() const { return m_gathering; }
    /*! The part of the gathered payload that has arrived so far, unmasked. */
    QByteArrayView gathered() const { return QByteArrayView(m_buffer.constData(), m_bufferHave); }

    /*!
        For a caller that can read straight into the parser (a socket's read(char*, n)): when the
        parser is gathering a payload it returns where the next bytes go and sets *room to how many
        it still needs; nullptr otherwise. Follow with commitDirect(bytesActuallyWritten) and then
        parse(nullptr, 0, ...) to collect the frame. Saves one copy on large frames.
    */
    char *directTarget(qsizetype *room);
    void commitDirect(qsizetype written);

    /*!
        Offers \a buffer, a payload handed out earlier, for a later large frame to be gathered into:
        a stream of large messages then reuses memory instead of having fresh pages faulted in for
        each one (and the allocator does not give the heap back and take it again per batch). A
        buffer is taken only if nobody else holds it by then and it fits the frame (at least the
        frame's length, at most twice it). Up to MaxSpares are kept (MaxSpareBytes in all, the last
        offered always): several messages in flight each find one. At the next gathered large frame
        the ones still held elsewhere are let go.
    */
    void setSpareBuffer(QByteArray buffer);
    /*! Lets go of the buffers given to setSpareBuffer(). */
    void dropSpareBuffer() { m_spares.clear(); }
    static constexpr int MaxSpares = 4;
    static constexpr qsizetype SpareFrom = 64 * 1024; //!< Payloads this large take spares.
    static constexpr qsizetype MaxSpareBytes = 16 * 1024 * 1024;

    /*! Forgets any partial frame and failure (a new connection). */
    void reset();

private:
    enum class HeaderResult { Incomplete, Complete, Broken };
    HeaderResult decodeHeader(const uchar *p, qsizetype available, qsizetype *needed);
    HeaderResult completeHeader(const char *data, qsizetype size, qsizetype *used);
    void startGathering();
    bool takeSpareBuffer(qsizetype length);
    QByteArray takeSpare(qsizetype length);
    void growGatherBuffer(qsizetype needed);
    // First allocation for a payload split across reads; past it, the buffer takes the frame's size.
    static constexpr qsizetype InitialGatherSize = 1024 * 1024;
    void gather(const char *data, qsizetype size);
    Status finishGathered();
    Status fail(const Failure &failure);

    Config m_config;
    FrameHeader m_header;
    QByteArrayView m_payload;
    Failure m_failure;
    // A header split across calls is collected here until it is complete.
    uchar m_headerBytes[MaxFrameHeaderSize] = {};
    qsizetype m_headerHave = 0;
    // A payload split across calls is gathered (and unmasked) in m_buffer, sized once to the frame.
    bool m_gathering = false;
    QByteArray m_buffer;
    qsizetype m_bufferHave = 0;
    bool m_bufferOwnsPayload = false; // m_payload views m_buffer, so takePayload() can move it
    QList<QByteArray> m_spares; // see setSpareBuffer(), oldest first
};

} // namespace WsClient::Protocol
