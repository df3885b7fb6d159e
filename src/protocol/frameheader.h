#pragma once

#include "masking.h"

#include <WsClient/enums.h>

namespace WsClient::Protocol {

/*! RSV bits as they sit in the first header byte, shifted down: RSV1 = 4, RSV2 = 2, RSV3 = 1. */
enum RsvBits : quint8 { Rsv1 = 0x4, Rsv2 = 0x2, Rsv3 = 0x1 };

/*! The decoded fixed part of a frame (RFC 6455 §5.2). */
struct FrameHeader
{
    bool fin = true;
    quint8 rsv = 0; //!< RsvBits
    Opcode opcode = Opcode::Text;
    bool masked = false;
    MaskKey maskKey {};
    quint64 payloadLength = 0;

    bool isControl() const { return quint8(opcode) & 0x8; }
};

/*! Largest header: 2 bytes + 8-byte length + 4-byte mask key. */
constexpr qsizetype MaxFrameHeaderSize = 14;

} // namespace WsClient::Protocol
