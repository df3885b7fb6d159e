#pragma once

#include "failure.h"
#include "frameheader.h"
#include "utf8validator.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qstring.h>

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
    };

    MessageAssembler() = default;
    explicit MessageAssembler(const Config &config) : m_config(config) { }

    const Config &config() const { return m_config; }
    void setConfig(const Config &config) { m_config = config; }

    /*!
        Takes one frame that passed FrameParser's checks. \a owned, when not null, holds the
        payload as a buffer the assembler may move into a message instead of copying \a payload.
        Ping and Pong go straight to \a sink; Close is ignored (ProtocolReader decodes it).
        Returns false on a rule violation; failure() then says which, and every later call fails
        until reset().
    */
    bool addFrame(
        const FrameHeader &header, QByteArrayView payload, FrameSink &sink, QByteArray *owned = nullptr);

    /*! True between the first and the final frame of a fragmented message. */
    bool inMessage() const { return m_messageOpcode != Opcode::Continuation; }

    const Failure &failure() const { return m_failure; }
    void reset();

private:
    bool addDataFrame(const FrameHeader &header, QByteArrayView payload, FrameSink &sink, QByteArray *owned);
    bool validateText(const FrameHeader &header, QByteArrayView payload);
    bool fail(Failure &&failure);

    Config m_config;
    Failure m_failure;
    Opcode m_messageOpcode = Opcode::Continuation; // Text/Binary while a message is open
    QByteArray m_message; // fragments so far (not used when firing frames)
    Utf8Validator m_utf8;
};

} // namespace WsClient::Protocol
