#pragma once

#include <WsClient/compression.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qstring.h>

namespace WsClient::Protocol {

/*! The extension's token in Sec-WebSocket-Extensions. */
inline constexpr char PerMessageDeflateName[] = "permessage-deflate";

/*!
    Why \a options cannot be offered (a window outside 8..15, a level outside -1..9, ...), or a
    null string when they can.
*/
QString compressionOptionsProblem(const CompressionOptions &options);

/*!
    The Sec-WebSocket-Extensions offer for \a options (RFC 7692 §7.1): client_max_window_bits is
    always offered (without a value at 15) since the client can honour any window the server picks.
*/
QByteArray deflateOffer(const CompressionOptions &options);

/*!
    Checks the server's Sec-WebSocket-Extensions value \a accepted against what \a offered asked
    for (RFC 7692 §7.1): exactly one permessage-deflate item, each parameter known, given at most
    once and with a valid value (window bits 8..15 without leading zeros, no value for the
    no_context_takeover parameters), client_max_window_bits only when offered and not above the
    offered value, server_max_window_bits and server_no_context_takeover present when requested.

    On success returns a null string and stores in \a agreed the parameters in effect: disabled
    when \a accepted names no extension, else \a offered with the windows and context takeover
    settings the server answered. On failure returns the reason.
*/
QString negotiateDeflate(const CompressionOptions &offered, QByteArrayView accepted, CompressionOptions *agreed);

} // namespace WsClient::Protocol
