#pragma once

#include <WsClient/wsclient_global.h>

#include <QtCore/qshareddata.h>

namespace WsClient {

class CompressionOptionsPrivate;

/*!
    permessage-deflate (RFC 7692) settings: what the client offers, and, from
    WebSocket::compression(), what the server agreed to.

    Off by default. When enabled, the client offers the extension with the parameters below and
    fails the handshake (Error::Compression) if the server answers with anything RFC 7692 does not
    allow for that offer. A server that does not answer with the extension leaves the connection
    uncompressed.

    A value type; copies are cheap (implicitly shared).
*/
class WSCLIENT_EXPORT CompressionOptions
{
public:
    /*! Largest LZ77 window (base-2 logarithm), the default for both directions. */
    static constexpr int MaxWindowBits = 15;
    /*! Smallest window RFC 7692 allows. */
    static constexpr int MinWindowBits = 8;
    /*! Default limit on the inflated size of one incoming message: 64 MiB. */
    static constexpr qint64 DefaultMaxDecompressedSize = 64 * 1024 * 1024;

    /*! Compression off, every setting at its default. */
    CompressionOptions();
    /*! Copies \a other (cheap: implicitly shared). */
    CompressionOptions(const CompressionOptions &other);
    /*! Assigns \a other (cheap: implicitly shared). */
    CompressionOptions &operator=(const CompressionOptions &other);
    ~CompressionOptions();

    /*! A CompressionOptions with isEnabled() set and every other setting at its default. */
    static CompressionOptions enabledDefaults();

    /*! Offer permessage-deflate. In WebSocket::compression(): the server accepted it. */
    bool isEnabled() const;
    /*! Offers permessage-deflate when \a on; see isEnabled(). */
    void setEnabled(bool on);

    /*!
        Window of the messages the client compresses (client_max_window_bits), 8..15. 15 (the
        default) offers the parameter without a value, letting the server choose. With 8, which
        zlib cannot produce, the client's messages go uncompressed (allowed per message by
        RFC 7692 §6.1); incoming messages are still inflated.
    */
    int clientMaxWindowBits() const;
    /*! Sets the client's window to \a bits (8..15); see clientMaxWindowBits(). */
    void setClientMaxWindowBits(int bits);
    /*! Window the server may use (server_max_window_bits), 8..15; 15 (default) does not ask. */
    int serverMaxWindowBits() const;
    /*! Asks the server for a window of \a bits (8..15); see serverMaxWindowBits(). */
    void setServerMaxWindowBits(int bits);
    /*! The client resets its compressor after every message (client_no_context_takeover). */
    bool clientNoContextTakeover() const;
    /*! See clientNoContextTakeover(). Default false. */
    void setClientNoContextTakeover(bool on);
    /*! Ask the server to reset its compressor after every message (server_no_context_takeover). */
    bool serverNoContextTakeover() const;
    /*! See serverNoContextTakeover(). Default false. */
    void setServerNoContextTakeover(bool on);

    /*! zlib compression level 0..9, or -1 (default) for zlib's default (6). Local only. */
    int compressionLevel() const;
    /*! Sets the zlib compression \a level (0..9, -1 for zlib's default). */
    void setCompressionLevel(int level);
    /*! zlib memory level 1..9 (default 8): smaller uses less memory and compresses worse. Local. */
    int memoryLevel() const;
    /*! Sets the zlib memory \a level (1..9). */
    void setMemoryLevel(int level);
    /*! Outgoing messages shorter than this many bytes are sent uncompressed. Default 0. Local. */
    qint64 minimumSize() const;
    /*! Messages shorter than \a bytes go uncompressed; see minimumSize(). */
    void setMinimumSize(qint64 bytes);
    /*!
        Largest inflated size of one incoming message; a message that inflates beyond it closes
        the connection with 1009 as soon as the limit is passed, before it is all inflated.
        Default 64 MiB. Local.
    */
    qint64 maxDecompressedSize() const;
    /*! Sets the inflated-size limit of one incoming message to \a bytes; see maxDecompressedSize(). */
    void setMaxDecompressedSize(qint64 bytes);

    /*! True when every setting equals the one in \a other. */
    bool operator==(const CompressionOptions &other) const;
    /*! True when a setting differs from the one in \a other. */
    bool operator!=(const CompressionOptions &other) const { return !(*this == other); }

private:
    QSharedDataPointer<CompressionOptionsPrivate> d;
};

} // namespace WsClient
