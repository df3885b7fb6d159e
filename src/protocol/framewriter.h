#pragma once

#include "frameheader.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>

namespace WsClient::Protocol {

/*! Size of the header for a payload of \a payloadLength bytes, with or without a mask key. */
inline qsizetype frameHeaderSize(quint64 payloadLength, bool masked) noexcept
{
    const qsizetype lengthBytes = payloadLength < 126 ? 0 : payloadLength <= 0xFFFF ? 2 : 8;
    return 2 + lengthBytes + (masked ? 4 : 0);
}

/*!
    Writes the header described by \a header (its payloadLength, masked and maskKey included)
    into \a out, which must have room for MaxFrameHeaderSize bytes, using the minimal length
    encoding. Returns the number of bytes written.
*/
qsizetype writeFrameHeader(char *out, const FrameHeader &header) noexcept;

/*!
    Appends one complete frame to \a out in a single pass: header, then \a payload masked with
    \a header.maskKey straight into the buffer when header.masked is set (the client side always
    sets it). header.payloadLength is taken from \a payload.
*/
void appendFrame(QByteArray &out, FrameHeader header, QByteArrayView payload);

/*! Convenience: a complete client frame (masked with \a key) as its own buffer. */
QByteArray encodeFrame(
    Opcode opcode, QByteArrayView payload, const MaskKey &key, bool fin = true, quint8 rsv = 0);

} // namespace WsClient::Protocol
