#pragma once

#include <QtCore/qglobal.h>

#include <array>

namespace WsClient::Protocol {

/*! The 4-byte masking key of RFC 6455 §5.3, in wire order. */
using MaskKey = std::array<uchar, 4>;

/*! A fresh key from a cryptographically seeded generator (QRandomGenerator::system()). */
MaskKey randomMaskKey();

/*!
    XORs \a size bytes at \a data with \a key in place. \a offset is the position of data[0] within
    the payload, so a payload can be (un)masked in pieces. Works a machine word at a time.
*/
void applyMask(char *data, qsizetype size, const MaskKey &key, quint64 offset = 0) noexcept;

/*!
    Fused copy and mask: dst[i] = src[i] ^ key[(offset + i) % 4]. \a dst and \a src may be equal
    but must not otherwise overlap. This is how the writer masks payloads straight into the
    output buffer, one pass over the bytes.
*/
void maskCopy(char *dst, const char *src, qsizetype size, const MaskKey &key, quint64 offset = 0) noexcept;

} // namespace WsClient::Protocol
