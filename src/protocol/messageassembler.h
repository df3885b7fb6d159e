#pragma once

#include "deflatecodec.h"
#include "failure.h"
#include "frameheader.h"
#include "utf8validator.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qstring.h>

#include <memory>

namespace WsClient::Protocol {

/*!
    Where decoded traffic goes, in wire order. The connection implements this; tests record.
*/
class FrameSink
{
public:
    virtual ~FrameSink() = default;
    /*! Every frame as decoded, before assembly; only called when the reader's tapFrames is set. */
    virtual void frameReceived(const FrameHeader &header, QByteArrayView payload);
    /*! A complete Text (UTF-8 already validated unless disabled) or Binary message. */
    virtual void messageReceived(Opcode opcode, QByteArray &&message) = 0;
    /*!
        With fireContinuationFrames: each data frame as it arrives instead of whole messages.
        \a opcode is Text or Binary for the first frame of a message and Continuation after it.
    */
    virtual void fragmentReceived(Opcode opcode, QByteArray &&data, bool fin);
    virtual void pingReceived(QByteArrayView payload) = 0;
    virtual void pongReceived(QByteArrayView payload) = 0;
    /*! A valid Close frame; \a code is 1005 when it carried no payload. */
    virtual void closeReceived(quint16 code, const QString &reason) = 0;
    /*! Polled after every event: return false to stop decoding (e.g. the user aborted). */
    virtual bool wantsMore() const { return true; }
};

/*!
    Turns frames into messages (RFC 6455 §5.4): continuation frames with nothing to continue and
    a new data frame inside a fragmented message are protocol errors (1002); text is validated
    incrementally, so invalid UTF-8 fails (1007) at the first bad byte, and a code point may be
    split across fragments; messages above maxMessageSize fail (1009) before they are buffered.
    Control frames may arrive between fragments and are passed through at once.
*/
class MessageAssembler
{
public:
    struct Config
    {
        quint64 maxMessageSize = 64 * 1024 * 1024; //!< Counts all fragments; not applied when firing frames.
        bool validateUtf8 = true;
        /*!
            Deliver each data frame through FrameSink::fragmentReceived() instead of buffering
            whole messages. Continuation rules and UTF-8 validation still apply; maxMessageSize
            does not, since nothing is buffered (FrameParser's maxFrameSize still bounds a frame).
        */
        bool fireContinuationFrames = false;
        /*!
            permessage-deflate was negotiated: messages whose first frame has RSV1 are inflated
            (RFC 7692 §6.2), and their inflated size is bounded by maxInflatedSize (1009),
            counted as it is produced, also when firing frames. maxMessageSize then bounds the
            compressed bytes. RSV1 on a continuation frame fails (1002).
        */
        bool inflate = false;
        int inflateWindowBits = 15; //!< server_max_window_bits
        bool inflateResetEachMessage = false; //!< server_no_context_takeover
        quint64 maxInflatedSize = 64 * 1024 * 1024;
    };

    MessageAssembler() = default;
    explicit MessageAssembler(const Config &config) { setConfig(config); }

    const Config &config() const { return m_config; }
    void setConfig(const Config &config);

    /*!
        Takes one frame that passed FrameParser's checks. \a owned, when not null, holds the
        payload as a buffer the assembler may move into a message instead of copying \a payload.
        Ping and Pong go straight to \a sink; Close is ignored (ProtocolReader decodes it).
        Returns false on a rule violation; failure() then says which, and every later call fails
        until reset().
    */
    bool addFrame(
        const FrameHeader &header, QByteArrayView payload, FrameSink &sink, QByteArray *owned = nullptr);

    /*!
        Judges the first \a arrived bytes of a data frame whose payload is still arriving, so that
        a message over maxMessageSize or invalid UTF-8 fails at once instead of once the frame is
        complete. The bytes checked here are not checked again by addFrame(). Compressed frames are
        judged when inflated. Returns false on a violation, as addFrame().
    */
    bool checkPartialFrame(const FrameHeader &header, QByteArrayView arrived);

    /*! True between the first and the final frame of a fragmented message. */
    bool inMessage() const { return m_messageOpcode != Opcode::Continuation; }
    /*! True between the first and the final frame of a message being inflated. */
    bool inCompressedMessage() const { return inMessage() && m_compressed; }

    const Failure &failure() const { return m_failure; }
    void reset();

private:
    bool addDataFrame(const FrameHeader &header, QByteArrayView payload, FrameSink &sink, QByteArray *owned);
    bool addCompressedFrame(const FrameHeader &header, QByteArrayView payload, FrameSink &sink);
    void deliver(const FrameHeader &header, QByteArray &&fragment, FrameSink &sink);
    bool validateText(const FrameHeader &header, QByteArrayView payload);
    bool appendToMessage(QByteArrayView payload);
    bool fail(Failure &&failure);

    Config m_config;
    Failure m_failure;
    Opcode m_messageOpcode = Opcode::Continuation; // Text/Binary while a message is open
    QByteArray m_message; // fragments so far (not used when firing frames)
    Utf8Validator m_utf8;
    qsizetype m_checkedAhead = 0; // bytes of the current frame checkPartialFrame() validated
    std::unique_ptr<Inflater> m_inflater; // with Config::inflate
    bool m_compressed = false; // the open message's first frame had RSV1
    quint64 m_compressedSize = 0; // of the open compressed message, as received
    quint64 m_inflatedSize = 0; // of the open compressed message, as delivered
};

} // namespace WsClient::Protocol
