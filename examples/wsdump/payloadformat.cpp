#include "payloadformat.h"

#include <QtCore/qstringconverter.h>

#include <zlib.h>

using WsClient::Opcode;

namespace {

// Decoding is a convenience for display: larger inflated payloads are shown as hex instead.
constexpr qsizetype MaxInflatedSize = 16 * 1024 * 1024;

// zlib windowBits selecting the container: 16+15 gzip, 15 zlib, -15 raw deflate.
constexpr int GzipWindowBits = 16 + MAX_WBITS;
constexpr int ZlibWindowBits = MAX_WBITS;
constexpr int RawDeflateWindowBits = -MAX_WBITS;

// Inflates all of data as exactly one stream; false when it is not one (trailing bytes included).
bool inflateWhole(const QByteArray &data, int windowBits, QByteArray *out)
{
    z_stream stream {};
    if (inflateInit2(&stream, windowBits) != Z_OK)
        return false;
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    QByteArray inflated;
    int status = Z_OK;
    char chunk[16384];
    while (status == Z_OK && inflated.size() <= MaxInflatedSize) {
        stream.next_out = reinterpret_cast<Bytef *>(chunk);
        stream.avail_out = sizeof chunk;
        status = inflate(&stream, Z_NO_FLUSH);
        inflated.append(chunk, qsizetype(sizeof chunk - stream.avail_out));
        if (status == Z_BUF_ERROR && stream.avail_in == 0)
            break; // input ended before the stream did
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END || stream.avail_in != 0 || inflated.size() > MaxInflatedSize)
        return false;
    *out = std::move(inflated);
    return true;
}

bool toUtf8Text(const QByteArray &bytes, QString *text)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    *text = decoder.decode(bytes);
    return !decoder.hasError();
}

bool looksLikeGzip(const QByteArray &data)
{
    return data.size() > 2 && quint8(data.at(0)) == 0x1f && quint8(data.at(1)) == 0x8b;
}

// RFC 1950: CM 8 (deflate), window at most 32 KiB, header checksum divisible by 31.
bool looksLikeZlib(const QByteArray &data)
{
    if (data.size() < 2)
        return false;
    const uint cmf = quint8(data.at(0));
    const uint flg = quint8(data.at(1));
    return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
}

} // namespace

QString opcodeName(Opcode opcode)
{
    switch (opcode) {
    case Opcode::Continuation:
        return QStringLiteral("cont");
    case Opcode::Text:
        return QStringLiteral("text");
    case Opcode::Binary:
        return QStringLiteral("binary");
    case Opcode::Close:
        return QStringLiteral("close");
    case Opcode::Ping:
        return QStringLiteral("ping");
    case Opcode::Pong:
        return QStringLiteral("pong");
    }
    return QStringLiteral("opcode-%1").arg(int(opcode));
}

QString hexDump(const QByteArray &data)
{
    return QString::fromLatin1(data.toHex(' '));
}

DecodedText decodeCompressedText(const QByteArray &data)
{
    struct Candidate
    {
        const char *kind;
        int windowBits;
        bool plausible;
    };
    // The seed tries gzip on its magic number and raw deflate otherwise; zlib streams are common too.
    const Candidate candidates[] = {
        { "gzip", GzipWindowBits, looksLikeGzip(data) },
        { "zlib", ZlibWindowBits, looksLikeZlib(data) },
        { "deflate", RawDeflateWindowBits, !data.isEmpty() },
    };
    for (const Candidate &candidate : candidates) {
        QByteArray inflated;
        QString text;
        if (candidate.plausible && inflateWhole(data, candidate.windowBits, &inflated) && !inflated.isEmpty()
            && toUtf8Text(inflated, &text))
            return { QString::fromLatin1(candidate.kind), text };
    }
    return {};
}

QString describeBinary(const QByteArray &data)
{
    const DecodedText decoded = decodeCompressedText(data);
    if (!decoded.kind.isEmpty())
        return QLatin1Char('[') + decoded.kind + QStringLiteral("] ") + decoded.text;
    return QStringLiteral("[hex] ") + hexDump(data);
}
