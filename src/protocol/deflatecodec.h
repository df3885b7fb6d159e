#pragma once

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qstring.h>

#include <memory>

namespace WsClient::Protocol {

/*!
    The compressing half of permessage-deflate (RFC 7692 §7.2.1): raw DEFLATE, each message ended
    with a sync flush whose 00 00 FF FF tail is removed. The LZ77 window carries over from message
    to message (context takeover) unless reset.
*/
class Deflater
{
public:
    /*! \a windowBits 9..15, \a level -1..9, \a memoryLevel 1..9 (zlib's ranges). */
    Deflater(int windowBits, int level, int memoryLevel);
    ~Deflater();
    Deflater(const Deflater &) = delete;
    Deflater &operator=(const Deflater &) = delete;

    /*! False when zlib refused the settings or memory; compress() then returns a null array. */
    bool isValid() const;
    /*! One message's compressed payload; with \a resetAfter the next message starts afresh. */
    QByteArray compress(QByteArrayView message, bool resetAfter);
    /*! zlib's documented allocation for these settings, in bytes. */
    static qint64 memoryUse(int windowBits, int memoryLevel);

private:
    struct State;
    std::unique_ptr<State> m;
};

/*!
    The decompressing half (RFC 7692 §7.2.2): raw INFLATE of a message's frames, then of the
    00 00 FF FF tail at its end. Output is produced in bounded steps into the caller's buffer, so a
    message that inflates beyond the caller's allowance is stopped before more than one step past
    it is allocated.
*/
class Inflater
{
public:
    enum class Result {
        Ok, //!< All input consumed and all output produced.
        TooBig, //!< Output would exceed the allowance; the inflater must be reset before reuse.
        Corrupt, //!< Not valid DEFLATE data; errorString() has zlib's reason.
    };

    /*! \a windowBits 8..15: the largest window the peer may use (8 is inflated as 9, as zlib writes it). */
    explicit Inflater(int windowBits);
    ~Inflater();
    Inflater(const Inflater &) = delete;
    Inflater &operator=(const Inflater &) = delete;

    bool isValid() const;
    /*!
        Inflates \a input and appends the output to \a out, at most \a allowance bytes of it.
        With \a endOfMessage, the 00 00 FF FF tail the sender removed is inflated after \a input.
    */
    Result inflate(QByteArrayView input, bool endOfMessage, QByteArray &out, quint64 allowance);
    /*! Forgets the window: the next message may not refer to earlier ones. */
    void reset();
    QString errorString() const;
    static qint64 memoryUse(int windowBits);

private:
    Result run(QByteArrayView input, QByteArray &out, quint64 allowance, quint64 *produced);

    struct State;
    std::unique_ptr<State> m;
};

} // namespace WsClient::Protocol
