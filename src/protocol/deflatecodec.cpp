#include "deflatecodec.h"

#include <QtCore/qglobal.h>

#include <climits>
#include <zlib.h>

namespace WsClient::Protocol {

namespace {

// zlib counts in uInt; larger inputs are fed in pieces of this size.
constexpr qsizetype MaxZlibChunk = qsizetype(1) << 30;
// The empty stored block a sync flush ends with (RFC 7692 §7.2.1): removed by the sender,
// appended again by the receiver.
constexpr char Tail[] = { '\x00', '\x00', '\xff', '\xff' };
// Inflated output grows in steps between these sizes, so an allowance is passed by at most one step.
constexpr qsizetype MinInflateStep = 16 * 1024;
constexpr qsizetype MaxInflateStep = 1024 * 1024;

Bytef *bytes(const char *data)
{
    return reinterpret_cast<Bytef *>(const_cast<char *>(data));
}

} // namespace

struct Deflater::State
{
    z_stream z {};
    bool ok = false;
};

Deflater::Deflater(int windowBits, int level, int memoryLevel) : m(std::make_unique<State>())
{
    m->ok = deflateInit2(&m->z, level, Z_DEFLATED, -windowBits, memoryLevel, Z_DEFAULT_STRATEGY) == Z_OK;
}

Deflater::~Deflater()
{
    if (m->ok)
        deflateEnd(&m->z);
}

bool Deflater::isValid() const
{
    return m->ok;
}

QByteArray Deflater::compress(QByteArrayView message, bool resetAfter)
{
    if (!m->ok)
        return QByteArray();
    z_stream &z = m->z;
    QByteArray out;
    qsizetype used = 0;
    qsizetype offset = 0;
    do {
        const qsizetype piece = qMin(message.size() - offset, MaxZlibChunk);
        const bool last = offset + piece == message.size();
        z.next_in = bytes(message.data() + offset);
        z.avail_in = uInt(piece);
        offset += piece;
        // deflateBound() is for a whole stream; the flush adds a few bytes more.
        out.resize(used + qsizetype(deflateBound(&z, uLong(piece))) + 16);
        for (;;) {
            const qsizetype room = qMin(out.size() - used, MaxZlibChunk);
            z.next_out = bytes(out.data() + used);
            z.avail_out = uInt(room);
            const int rc = deflate(&z, last ? Z_SYNC_FLUSH : Z_NO_FLUSH);
            used += room - qsizetype(z.avail_out);
            if (rc == Z_STREAM_ERROR) {
                m->ok = false;
                return QByteArray();
            }
            if (z.avail_in == 0 && z.avail_out > 0)
                break;
            out.resize(out.size() * 2);
        }
    } while (offset < message.size());
    out.resize(used);
    if (resetAfter)
        deflateReset(&z);
    // A flush with nothing new since the last one writes nothing: send the empty stored block's
    // first byte instead (RFC 7692 §7.2.3.6), so the payload is never empty.
    if (!out.endsWith(QByteArrayView(Tail, 4)))
        return QByteArray(1, '\0');
    out.chop(4);
    return out;
}

qint64 Deflater::memoryUse(int windowBits, int memoryLevel)
{
    // zlib's zconf.h: (1 << (windowBits + 2)) + (1 << (memLevel + 9)), plus the stream state.
    return (qint64(1) << (qMax(windowBits, 9) + 2)) + (qint64(1) << (memoryLevel + 9)) + 6 * 1024;
}

struct Inflater::State
{
    z_stream z {};
    bool ok = false;
    bool atStreamStart = true; // nothing inflated since init or the last reset
    QString error;
};

Inflater::Inflater(int windowBits) : m(std::make_unique<State>())
{
    // zlib's deflate writes a 512-byte window when asked for 256, so 8 is read as 9.
    m->ok = inflateInit2(&m->z, -qMax(windowBits, 9)) == Z_OK;
}

Inflater::~Inflater()
{
    if (m->ok)
        inflateEnd(&m->z);
}

bool Inflater::isValid() const
{
    return m->ok;
}

Inflater::Result Inflater::inflate(QByteArrayView input, bool endOfMessage, QByteArray &out, quint64 allowance)
{
    if (!m->ok) {
        m->error = QStringLiteral("the decompressor could not be set up");
        return Result::Corrupt;
    }
    quint64 produced = 0;
    Result result = run(input, out, allowance, &produced);
    // A message whose last DEFLATE block was final ends the stream; the tail would start a new one.
    if (result == Result::Ok && endOfMessage && !m->atStreamStart)
        result = run(QByteArrayView(Tail, 4), out, allowance, &produced);
    return result;
}

Inflater::Result Inflater::run(QByteArrayView input, QByteArray &out, quint64 allowance, quint64 *produced)
{
    z_stream &z = m->z;
    qsizetype offset = 0;
    while (offset < input.size()) {
        const qsizetype piece = qMin(input.size() - offset, MaxZlibChunk);
        z.next_in = bytes(input.data() + offset);
        z.avail_in = uInt(piece);
        offset += piece;
        for (;;) {
            // One byte over the allowance is enough to know it is passed.
            const quint64 room = allowance - *produced + 1;
            const qsizetype step = qsizetype(qMin<quint64>(
                room, quint64(qBound(MinInflateStep, 4 * qsizetype(z.avail_in), MaxInflateStep))));
            const qsizetype start = out.size();
            out.resize(start + step);
            z.next_out = bytes(out.data() + start);
            z.avail_out = uInt(step);
            const uInt inBefore = z.avail_in;
            const int rc = ::inflate(&z, Z_SYNC_FLUSH);
            const qsizetype got = step - qsizetype(z.avail_out);
            out.resize(start + got);
            *produced += quint64(got);
            if (z.avail_in != inBefore)
                m->atStreamStart = false;
            if (*produced > allowance)
                return Result::TooBig;
            if (rc == Z_STREAM_END) {
                // A block with BFINAL set (RFC 7692 §7.2.3.4): what follows starts a new stream.
                inflateReset(&z);
                m->atStreamStart = true;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                m->error = QString::fromLatin1(z.msg ? z.msg : "unknown zlib error");
                return Result::Corrupt;
            }
            if (z.avail_in == 0 && z.avail_out > 0)
                break;
            if (rc == Z_BUF_ERROR && z.avail_out > 0) {
                m->error = QStringLiteral("the compressed data cannot be decoded");
                return Result::Corrupt;
            }
        }
    }
    return Result::Ok;
}

void Inflater::reset()
{
    if (m->ok)
        inflateReset(&m->z);
    m->atStreamStart = true;
}

QString Inflater::errorString() const
{
    return m->error;
}

qint64 Inflater::memoryUse(int windowBits)
{
    // zlib's zconf.h: 1 << windowBits for the window, plus about 7 KiB of inflate state.
    return (qint64(1) << qMax(windowBits, 9)) + 7 * 1024;
}

} // namespace WsClient::Protocol
