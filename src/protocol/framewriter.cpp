#include "framewriter.h"

#include <cstring>

namespace WsClient::Protocol {

qsizetype writeFrameHeader(char *out, const FrameHeader &header) noexcept
{
    auto p = reinterpret_cast<uchar *>(out);
    p[0] = uchar((header.fin ? 0x80 : 0) | ((header.rsv & 0x7) << 4) | (quint8(header.opcode) & 0x0F));
    const uchar maskBit = header.masked ? 0x80 : 0;
    const quint64 len = header.payloadLength;
    qsizetype n;
    if (len < 126) {
        p[1] = uchar(maskBit | len);
        n = 2;
    } else if (len <= 0xFFFF) {
        p[1] = maskBit | 126;
        p[2] = uchar(len >> 8);
        p[3] = uchar(len);
        n = 4;
    } else {
        p[1] = maskBit | 127;
        for (int i = 0; i < 8; ++i)
            p[2 + i] = uchar(len >> (56 - 8 * i));
        n = 10;
    }
    if (header.masked) {
        std::memcpy(p + n, header.maskKey.data(), 4);
        n += 4;
    }
    return n;
}

void appendFrame(QByteArray &out, FrameHeader header, QByteArrayView payload)
{
    header.payloadLength = quint64(payload.size());
    const qsizetype start = out.size();
    const qsizetype total = frameHeaderSize(header.payloadLength, header.masked) + payload.size();
    // Grow geometrically (resize alone would reallocate to the exact size on every append).
    if (out.capacity() - start < total)
        out.reserve(qMax(start + total, out.capacity() * 2));
    out.resize(start + total);
    char *dst = out.data() + start;
    const qsizetype headerLen = writeFrameHeader(dst, header);
    if (header.masked)
        maskCopy(dst + headerLen, payload.data(), payload.size(), header.maskKey);
    else if (!payload.isEmpty())
        std::memcpy(dst + headerLen, payload.data(), size_t(payload.size()));
}

QByteArray encodeFrame(Opcode opcode, QByteArrayView payload, const MaskKey &key, bool fin, quint8 rsv)
{
    FrameHeader h;
    h.fin = fin;
    h.rsv = rsv;
    h.opcode = opcode;
    h.masked = true;
    h.maskKey = key;
    QByteArray out;
    appendFrame(out, h, payload);
    return out;
}

} // namespace WsClient::Protocol
