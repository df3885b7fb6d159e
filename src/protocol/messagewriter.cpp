#include "messagewriter.h"

#include "framewriter.h"

#include <cstring>

namespace WsClient::Protocol {

namespace {

constexpr qsizetype MaxControlPayload = 125;

} // namespace

void MessageWriter::startCompressing(const CompressionOptions &agreed)
{
    m_deflater.reset();
    if (!agreed.isEnabled() || agreed.clientMaxWindowBits() <= CompressionOptions::MinWindowBits)
        return;
    m_deflater = std::make_unique<Deflater>(
        agreed.clientMaxWindowBits(), agreed.compressionLevel(), agreed.memoryLevel());
    m_deflateResetEachMessage = agreed.clientNoContextTakeover();
    m_compressMinimum = agreed.minimumSize();
}

QString MessageWriter::payloadProblem(Opcode opcode, qsizetype payloadSize)
{
    if ((quint8(opcode) & 0x8) && payloadSize > MaxControlPayload)
        return QStringLiteral("control frame payload of %1 bytes exceeds 125").arg(payloadSize);
    return QString();
}

MaskKey MessageWriter::nextMaskKey()
{
    if (!m_config.maskKeys)
        return randomMaskKey();
    const QByteArray key = m_config.maskKeys(4);
    if (key.size() != 4) {
        qWarning("WsClient: the mask key generator returned %lld bytes instead of 4; using a random key",
            qlonglong(key.size()));
        return randomMaskKey();
    }
    MaskKey k;
    std::memcpy(k.data(), key.constData(), 4);
    return k;
}

qint64 MessageWriter::writeRawFrame(Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload, FrameOutput &out)
{
    FrameHeader header;
    header.fin = fin;
    header.rsv = rsv;
    header.opcode = opcode;
    header.masked = true;
    header.maskKey = nextMaskKey();
    header.payloadLength = quint64(payload.size());
    out.writeFrame(header, payload);
    return frameHeaderSize(header.payloadLength, true) + payload.size();
}

qint64 MessageWriter::writeMessage(Opcode opcode, QByteArrayView payload, FrameOutput &out)
{
    // The common case first: one frame, nothing to compress.
    if (!m_deflater && (m_config.fragmentSize <= 0 || payload.size() <= m_config.fragmentSize))
        return writeRawFrame(opcode, true, 0, payload, out);
    if (quint8(opcode) & 0x8) {
        Q_ASSERT(payload.size() <= MaxControlPayload);
        return writeRawFrame(opcode, true, 0, payload, out);
    }
    // Only a message's first frame can start a compressed message (RFC 7692 §6.1).
    if (m_deflater && opcode != Opcode::Continuation && payload.size() >= m_compressMinimum) {
        const QByteArray compressed = m_deflater->compress(payload, m_deflateResetEachMessage);
        return writeFrames(opcode, Rsv1, compressed, out);
    }
    return writeFrames(opcode, 0, payload, out);
}

qint64 MessageWriter::writeFrames(Opcode opcode, quint8 rsv, QByteArrayView payload, FrameOutput &out)
{
    const qint64 limit = m_config.fragmentSize;
    if (limit <= 0 || payload.size() <= limit)
        return writeRawFrame(opcode, true, rsv, payload, out);
    qint64 written = 0;
    // RSV1 marks the message, so only its first frame carries it (RFC 7692 §6.1).
    for (qsizetype offset = 0; offset < payload.size(); offset += qsizetype(limit)) {
        const qsizetype n = qMin<qsizetype>(qsizetype(limit), payload.size() - offset);
        written += writeRawFrame(offset == 0 ? opcode : Opcode::Continuation, offset + n == payload.size(),
            offset == 0 ? rsv : 0, payload.sliced(offset, n), out);
    }
    return written;
}

} // namespace WsClient::Protocol
