#include "closepayload.h"

#include "utf8validator.h"

#include <WsClient/frame.h>

#include <cstring>

namespace WsClient::Protocol {

namespace {

bool isUtf8Continuation(char byte)
{
    return (uchar(byte) & 0xC0) == 0x80;
}

bool fail(Failure *failure, Failure &&why)
{
    if (failure)
        *failure = std::move(why);
    return false;
}

} // namespace

QByteArrayView truncateUtf8(QByteArrayView utf8, qsizetype maxBytes)
{
    if (utf8.size() <= maxBytes)
        return utf8;
    qsizetype cut = qMax<qsizetype>(maxBytes, 0);
    // utf8[cut] is the first byte left out; if it continues a sequence, that sequence started
    // inside the prefix and must go too.
    while (cut > 0 && isUtf8Continuation(utf8[cut]))
        --cut;
    return utf8.first(cut);
}

QByteArray encodeClosePayload(quint16 code, QStringView reason)
{
    if (code == quint16(CloseCode::NoStatus))
        return {};
    const QByteArray reasonUtf8 = reason.toUtf8();
    const QByteArrayView kept = truncateUtf8(reasonUtf8, MaxCloseReasonBytes);
    QByteArray payload(2 + kept.size(), Qt::Uninitialized);
    payload[0] = char(code >> 8);
    payload[1] = char(code & 0xFF);
    if (!kept.isEmpty())
        std::memcpy(payload.data() + 2, kept.data(), size_t(kept.size()));
    return payload;
}

bool decodeClosePayload(QByteArrayView payload, CloseInfo *info, Failure *failure, bool validateUtf8)
{
    CloseInfo decoded;
    if (payload.size() == 1)
        return fail(failure, Failure::protocol(QStringLiteral("close frame with a 1-byte payload")));
    if (payload.size() >= 2) {
        decoded.code = quint16((uchar(payload[0]) << 8) | uchar(payload[1]));
        if (!isValidCloseCode(decoded.code))
            return fail(
                failure, Failure::protocol(QStringLiteral("invalid close code %1").arg(decoded.code)));
        const QByteArrayView reason = payload.sliced(2);
        if (validateUtf8 && !Utf8Validator::isValid(reason))
            return fail(failure, Failure::payload(QStringLiteral("close reason is not valid UTF-8")));
        decoded.reason = QString::fromUtf8(reason);
    }
    if (info)
        *info = std::move(decoded);
    return true;
}

} // namespace WsClient::Protocol
