#include "frameparser.h"

#include <QtCore/qstringlist.h>

#include <cstring>
#include <limits>

namespace WsClient::Protocol {

namespace {

// Opcodes RFC 6455 §5.2 defines, as a bit set indexed by opcode: 0-2 and 8-A.
constexpr quint16 DefinedOpcodes = 0x0707;

constexpr quint64 Max16BitLength = 0xFFFF;
constexpr quint64 MaxControlPayload = 125;

// The failures are built out of line: the header check stays small enough to inline.
Q_DECL_COLD_FUNCTION Failure rsvFailure(quint8 unexpected)
{
    QStringList names;
    if (unexpected & Rsv1)
        names.append(QStringLiteral("RSV1"));
    if (unexpected & Rsv2)
        names.append(QStringLiteral("RSV2"));
    if (unexpected & Rsv3)
        names.append(QStringLiteral("RSV3"));
    return Failure::protocol(
        names.join(QLatin1String(", ")) + QStringLiteral(" set without a negotiated extension"));
}

Q_DECL_COLD_FUNCTION Failure opcodeFailure(quint8 opcode)
{
    return Failure::protocol(QStringLiteral("unknown opcode 0x") + QString::number(opcode, 16).toUpper());
}

Q_DECL_COLD_FUNCTION Failure fragmentedControlFailure(quint8 opcode)
{
    return Failure::protocol(QStringLiteral("fragmented control frame (opcode 0x")
        + QString::number(opcode, 16).toUpper() + QStringLiteral(" with FIN=0)"));
}

Q_DECL_COLD_FUNCTION Failure maskingFailure(bool masked)
{
    return Failure::protocol(masked
            ? QStringLiteral("masked frame where none may be masked (server to client)")
            : QStringLiteral("unmasked frame where masking is required (client to server)"));
}

Q_DECL_COLD_FUNCTION Failure nonMinimalLengthFailure(quint64 length, int bits)
{
    return Failure::protocol(QStringLiteral("non-minimal length encoding: ") + QString::number(length)
        + QStringLiteral(" bytes in the ") + QString::number(bits) + QStringLiteral("-bit form"));
}

Q_DECL_COLD_FUNCTION Failure topBitFailure()
{
    return Failure::protocol(QStringLiteral("64-bit payload length with the most significant bit set"));
}

Q_DECL_COLD_FUNCTION Failure controlSizeFailure(quint64 length)
{
    return Failure::protocol(
        QStringLiteral("control frame of ") + QString::number(length) + QStringLiteral(" bytes exceeds 125"));
}

Q_DECL_COLD_FUNCTION Failure frameSizeFailure(quint64 length, quint64 limit)
{
    return Failure::tooBig(QStringLiteral("frame of ") + QString::number(length)
        + QStringLiteral(" bytes exceeds the limit of ") + QString::number(limit));
}

inline quint64 readBigEndian(const uchar *p, int bytes)
{
    quint64 value = 0;
    for (int i = 0; i < bytes; ++i)
        value = (value << 8) | p[i];
    return value;
}

// The largest payload a QByteArray (qsizetype-indexed) can hold; only smaller than the 63-bit wire
// limit on 32-bit platforms.
constexpr quint64 MaxBufferSize = quint64(std::numeric_limits<qsizetype>::max());

} // namespace

/*
    Checks p[0, available) as the start of a frame header. Each rule is judged as soon as the
    bytes it depends on are there, so a broken header fails without waiting for the rest.
    Returns Incomplete with *needed = the bytes required to go further, Complete with *needed =
    the header size (m_header filled in), or Broken with m_failure set.
*/
inline FrameParser::HeaderResult FrameParser::decodeHeader(
    const uchar *p, qsizetype available, qsizetype *needed)
{
    *needed = 2;
    if (available < 2)
        return HeaderResult::Incomplete;

    const uchar b0 = p[0];
    const uchar b1 = p[1];
    const quint8 rsv = (b0 >> 4) & 0x7;
    const quint8 opcode = b0 & 0x0F;
    const bool fin = b0 & 0x80;
    const bool masked = b1 & 0x80;
    if (Q_UNLIKELY(rsv & ~m_config.allowedRsv)) {
        fail(rsvFailure(rsv & ~m_config.allowedRsv));
        return HeaderResult::Broken;
    }
    if (Q_UNLIKELY(!((DefinedOpcodes >> opcode) & 1))) {
        fail(opcodeFailure(opcode));
        return HeaderResult::Broken;
    }
    const bool control = opcode & 0x8;
    if (Q_UNLIKELY(control && !fin)) {
        fail(fragmentedControlFailure(opcode));
        return HeaderResult::Broken;
    }
    if (Q_UNLIKELY(masked != m_config.expectMasked)) {
        fail(maskingFailure(masked));
        return HeaderResult::Broken;
    }

    const uchar length7 = b1 & 0x7F;
    const int lengthBytes = length7 < 126 ? 0 : length7 == 126 ? 2 : 8;
    *needed = 2 + lengthBytes;
    if (available < *needed)
        return HeaderResult::Incomplete;

    quint64 length = length7;
    if (lengthBytes == 2) {
        length = readBigEndian(p + 2, 2);
        if (Q_UNLIKELY(length < 126)) {
            fail(nonMinimalLengthFailure(length, 16));
            return HeaderResult::Broken;
        }
    } else if (lengthBytes == 8) {
        length = readBigEndian(p + 2, 8);
        if (Q_UNLIKELY(length >> 63)) {
            fail(topBitFailure());
            return HeaderResult::Broken;
        }
        if (Q_UNLIKELY(length <= Max16BitLength)) {
            fail(nonMinimalLengthFailure(length, 64));
            return HeaderResult::Broken;
        }
    }
    if (Q_UNLIKELY(control && length > MaxControlPayload)) {
        fail(controlSizeFailure(length));
        return HeaderResult::Broken;
    }
    if (Q_UNLIKELY(length > m_config.maxFrameSize || length > MaxBufferSize)) {
        fail(frameSizeFailure(length, qMin(m_config.maxFrameSize, MaxBufferSize)));
        return HeaderResult::Broken;
    }

    *needed += masked ? 4 : 0;
    if (available < *needed)
        return HeaderResult::Incomplete;

    m_header.fin = fin;
    m_header.rsv = rsv;
    m_header.opcode = Opcode(opcode);
    m_header.masked = masked;
    m_header.payloadLength = length;
    if (masked)
        std::memcpy(m_header.maskKey.data(), p + 2 + lengthBytes, 4);
    return HeaderResult::Complete;
}

FrameParser::Status FrameParser::parse(char *data, qsizetype size, qsizetype *consumed)
{
    *consumed = 0;
    if (Q_UNLIKELY(hasFailed()))
        return Status::Failed;
    m_payload = {};
    m_bufferOwnsPayload = false;

    qsizetype used = 0;
    if (!m_gathering) {
        if (m_headerHave == 0) {
            // The common case: the header starts in the caller's buffer, decode it there.
            qsizetype headerSize;
            switch (decodeHeader(reinterpret_cast<const uchar *>(data), size, &headerSize)) {
            case HeaderResult::Complete:
                used = headerSize;
                break;
            case HeaderResult::Broken:
                return Status::Failed;
            case HeaderResult::Incomplete:
                // Fewer than MaxFrameHeaderSize bytes: keep them for the next call.
                if (size > 0)
                    std::memcpy(m_headerBytes, data, size_t(size));
                m_headerHave = size;
                *consumed = size;
                return Status::NeedMore;
            }
        } else {
            switch (completeHeader(data, size, &used)) {
            case HeaderResult::Complete:
                break;
            case HeaderResult::Broken:
                return Status::Failed;
            case HeaderResult::Incomplete:
                *consumed = used;
                return Status::NeedMore;
            }
        }

        const quint64 length = m_header.payloadLength;
        if (quint64(size - used) >= length) {
            // The whole payload is in the caller's buffer: hand it out in place.
            char *payload = data + used;
            if (m_header.masked)
                applyMask(payload, qsizetype(length), m_header.maskKey);
            m_payload = QByteArrayView(payload, qsizetype(length));
            *consumed = used + qsizetype(length);
            return Status::Frame;
        }
        startGathering();
    }

    const qsizetype take = qMin(size - used, qsizetype(m_header.payloadLength) - m_bufferHave);
    gather(data + used, take);
    *consumed = used + take;
    return finishGathered();
}

/*
    Completes a header begun in an earlier call with the fewest bytes of data[0, size) that decide
    it, so that no payload byte lands in m_headerBytes. *used receives the number of bytes taken.
*/
FrameParser::HeaderResult FrameParser::completeHeader(const char *data, qsizetype size, qsizetype *used)
{
    *used = 0;
    for (;;) {
        qsizetype needed;
        const HeaderResult result = decodeHeader(m_headerBytes, m_headerHave, &needed);
        if (result == HeaderResult::Complete)
            m_headerHave = 0;
        if (result != HeaderResult::Incomplete || *used == size)
            return result;
        const qsizetype n = qMin(needed - m_headerHave, size - *used);
        std::memcpy(m_headerBytes + m_headerHave, data + *used, size_t(n));
        m_headerHave += n;
        *used += n;
    }
}

void FrameParser::startGathering()
{
    const auto length = qsizetype(m_header.payloadLength);
    // Memory is committed as the payload arrives, not when a header merely announces it: a peer
    // cannot make the client reserve maxFrameSize with ten bytes. A small buffer the caller did not
    // take is reused.
    constexpr qsizetype ReuseLimit = SpareFrom;
    const qsizetype initial = qMin(length, InitialGatherSize);
    if (m_buffer.isDetached() && m_buffer.capacity() >= initial && m_buffer.capacity() <= ReuseLimit)
        m_buffer.resize(initial);
    else if (length >= SpareFrom && takeSpareBuffer(length))
        m_buffer.resize(initial);
    else
        m_buffer = QByteArray(initial, Qt::Uninitialized);
    m_bufferHave = 0;
    m_gathering = true;
}

bool FrameParser::takeSpareBuffer(qsizetype length)
{
    QByteArray spare = takeSpare(length);
    if (spare.isNull())
        return false;
    m_buffer = std::move(spare);
    return true;
}

QByteArray FrameParser::takeSpare(qsizetype length)
{
    // Not more than twice the frame: the buffer becomes the message the application gets, and
    // should not pin much more memory than the message needs.
    QByteArray taken;
    for (qsizetype i = 0; i < m_spares.size();) {
        QByteArray &spare = m_spares[i];
        if (!spare.isDetached()) { // still the application's: it keeps it to itself
            m_spares.removeAt(i);
            continue;
        }
        if (taken.isNull() && spare.capacity() >= length && spare.capacity() / 2 <= length) {
            taken = std::move(spare);
            m_spares.removeAt(i);
            continue;
        }
        ++i;
    }
    return taken;
}

void FrameParser::setSpareBuffer(QByteArray buffer)
{
    m_spares.append(std::move(buffer));
    qsizetype bytes = 0;
    for (const QByteArray &spare : std::as_const(m_spares))
        bytes += spare.capacity();
    while (m_spares.size() > MaxSpares || (m_spares.size() > 1 && bytes > MaxSpareBytes)) {
        bytes -= m_spares.constFirst().capacity();
        m_spares.removeFirst();
    }
}

void FrameParser::growGatherBuffer(qsizetype needed)
{
    const auto length = qsizetype(m_header.payloadLength);
    if (m_bufferHave + needed <= m_buffer.size())
        return;
    // Four times what has arrived, up to the frame's length: a 16 MiB frame is gathered in two
    // steps past the first InitialGatherSize bytes instead of four by doubling (each step copies what
    // arrived into fresh pages), and a peer that announces a large frame still cannot make the
    // client reserve more than four times what it really sent.
    const qsizetype grown = qMax(m_bufferHave + needed, 4 * qMax(m_bufferHave, InitialGatherSize));
    m_buffer.resize(qMin(length, grown));
}

void FrameParser::gather(const char *data, qsizetype size)
{
    if (size <= 0)
        return;
    growGatherBuffer(size);
    char *target = m_buffer.data() + m_bufferHave;
    if (m_header.masked)
        maskCopy(target, data, size, m_header.maskKey, quint64(m_bufferHave));
    else
        std::memcpy(target, data, size_t(size));
    m_bufferHave += size;
}

FrameParser::Status FrameParser::finishGathered()
{
    if (quint64(m_bufferHave) < m_header.payloadLength)
        return Status::NeedMore;
    m_gathering = false;
    m_payload = QByteArrayView(m_buffer.constData(), m_bufferHave);
    m_bufferOwnsPayload = true;
    return Status::Frame;
}

QByteArray FrameParser::takePayload()
{
    QByteArray taken;
    if (m_bufferOwnsPayload) {
        taken.swap(m_buffer);
    } else if (m_payload.size() >= SpareFrom && !m_spares.isEmpty()) {
        // A large payload that came whole in one read: copied into a spare, if one fits.
        taken = takeSpare(m_payload.size());
        if (taken.isNull()) {
            taken = m_payload.toByteArray();
        } else {
            taken.resize(m_payload.size());
            std::memcpy(taken.data(), m_payload.data(), size_t(m_payload.size()));
        }
    } else {
        taken = m_payload.toByteArray();
    }
    m_bufferOwnsPayload = false;
    m_payload = {};
    return taken;
}

char *FrameParser::directTarget(qsizetype *room)
{
    *room = 0;
    if (!m_gathering || hasFailed())
        return nullptr;
    const qsizetype remaining = qsizetype(m_header.payloadLength) - m_bufferHave;
    if (remaining <= 0)
        return nullptr;
    if (m_bufferHave == m_buffer.size())
        growGatherBuffer(qMin(remaining, InitialGatherSize));
    *room = qMin(remaining, m_buffer.size() - m_bufferHave);
    return m_buffer.data() + m_bufferHave;
}

void FrameParser::commitDirect(qsizetype written)
{
    Q_ASSERT(m_gathering);
    Q_ASSERT(written >= 0 && written <= m_buffer.size() - m_bufferHave);
    if (m_header.masked)
        applyMask(m_buffer.data() + m_bufferHave, written, m_header.maskKey, quint64(m_bufferHave));
    m_bufferHave += written;
}

FrameParser::Status FrameParser::fail(const Failure &failure)
{
    m_failure = failure;
    m_gathering = false;
    m_headerHave = 0;
    m_payload = {};
    m_bufferOwnsPayload = false;
    return Status::Failed;
}

void FrameParser::reset()
{
    m_header = {};
    m_payload = {};
    m_failure = {};
    m_headerHave = 0;
    m_gathering = false;
    m_buffer.clear();
    m_bufferHave = 0;
    m_bufferOwnsPayload = false;
    m_spares.clear();
}

} // namespace WsClient::Protocol
