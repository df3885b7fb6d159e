#include <WsClient/frame.h>

#include "protocol/closepayload.h"
#include "protocol/framewriter.h"
#include "protocol/masking.h"
#include "protocol/utf8validator.h"

#include <QtCore/qlogging.h>
#include <QtCore/qmetaobject.h>

#include <cstring>
#include <optional>

namespace WsClient {

class FramePrivate : public QSharedData
{
public:
    bool fin = true;
    quint8 rsv = 0; // Protocol::RsvBits, as FrameHeader keeps them
    Opcode opcode = Opcode::Text;
    bool masked = false;
    QByteArray payload;
};

namespace {

constexpr qsizetype MaxTextShown = 64; // bytes of a text payload toString() shows
constexpr qsizetype MaxHexShown = 32; // bytes of a binary payload toString() shows

std::optional<Protocol::MaskKey> toMaskKey(QByteArrayView bytes, const char *caller)
{
    if (bytes.size() != 4) {
        qWarning("%s: a mask key must be 4 bytes, not %lld", caller, static_cast<long long>(bytes.size()));
        return std::nullopt;
    }
    Protocol::MaskKey key;
    std::memcpy(key.data(), bytes.data(), 4);
    return key;
}

void setBit(quint8 &bits, quint8 bit, bool on)
{
    bits = on ? quint8(bits | bit) : quint8(bits & ~bit);
}

QString opcodeName(Opcode opcode)
{
    if (const char *name = QMetaEnum::fromType<Opcode>().valueToKey(int(opcode)))
        return QString::fromLatin1(name);
    return QStringLiteral("Opcode(0x%1)").arg(quint8(opcode), 0, 16);
}

// Keeps the description on one line and unambiguous.
QString quoted(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += QLatin1Char('"');
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '"':
            out += QLatin1String("\\\"");
            break;
        case '\\':
            out += QLatin1String("\\\\");
            break;
        case '\n':
            out += QLatin1String("\\n");
            break;
        case '\r':
            out += QLatin1String("\\r");
            break;
        case '\t':
            out += QLatin1String("\\t");
            break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7F)
                out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    out += QLatin1Char('"');
    return out;
}

QString describeText(QByteArrayView utf8)
{
    const QByteArrayView shown = Protocol::truncateUtf8(utf8, MaxTextShown);
    const QString text = quoted(QString::fromUtf8(shown));
    return shown.size() < utf8.size() ? text + QLatin1String("...") : text;
}

QString describeHex(QByteArrayView bytes)
{
    const QByteArrayView shown = bytes.first(qMin(bytes.size(), MaxHexShown));
    const QString hex = QString::fromLatin1(shown.toByteArray().toHex(' '));
    return shown.size() < bytes.size() ? hex + QLatin1String(" ...") : hex;
}

// Text when the bytes are UTF-8, hex otherwise.
QString describeBytes(QByteArrayView bytes)
{
    return Protocol::Utf8Validator::isValid(bytes) ? describeText(bytes) : describeHex(bytes);
}

QString describeClose(QByteArrayView payload)
{
    if (payload.size() < 2)
        return describeHex(payload); // malformed: show it as it is
    const quint16 code = quint16((uchar(payload[0]) << 8) | uchar(payload[1]));
    const QByteArrayView reason = payload.sliced(2);
    QString text = QStringLiteral("code=%1").arg(code);
    if (!reason.isEmpty())
        text += QLatin1Char(' ') + describeBytes(reason);
    return text;
}

QString describePayload(Opcode opcode, QByteArrayView payload)
{
    if (payload.isEmpty())
        return {};
    switch (opcode) {
    case Opcode::Binary:
        return QLatin1Char(' ') + describeHex(payload);
    case Opcode::Close:
        return QLatin1Char(' ') + describeClose(payload);
    default:
        return QLatin1Char(' ') + describeBytes(payload);
    }
}

} // namespace

Frame::Frame() : d(new FramePrivate) { }
Frame::Frame(const Frame &other) = default;
Frame::Frame(Frame &&other) noexcept = default;
Frame &Frame::operator=(const Frame &other) = default;
Frame &Frame::operator=(Frame &&other) noexcept = default;
Frame::~Frame() = default;

Frame Frame::create(const QByteArray &payload, Opcode opcode, bool fin)
{
    Frame frame;
    frame.d->payload = payload;
    frame.d->opcode = opcode;
    frame.d->fin = fin;
    return frame;
}

Frame Frame::createText(const QString &text, bool fin)
{
    return create(text.toUtf8(), Opcode::Text, fin);
}

Frame Frame::createClose(quint16 code, const QString &reason)
{
    return create(Protocol::encodeClosePayload(code, reason), Opcode::Close);
}

bool Frame::isFinal() const
{
    return d->fin;
}
void Frame::setFinal(bool fin)
{
    d->fin = fin;
}
bool Frame::rsv1() const
{
    return d->rsv & Protocol::Rsv1;
}
void Frame::setRsv1(bool on)
{
    setBit(d->rsv, Protocol::Rsv1, on);
}
bool Frame::rsv2() const
{
    return d->rsv & Protocol::Rsv2;
}
void Frame::setRsv2(bool on)
{
    setBit(d->rsv, Protocol::Rsv2, on);
}
bool Frame::rsv3() const
{
    return d->rsv & Protocol::Rsv3;
}
void Frame::setRsv3(bool on)
{
    setBit(d->rsv, Protocol::Rsv3, on);
}
Opcode Frame::opcode() const
{
    return d->opcode;
}
void Frame::setOpcode(Opcode opcode)
{
    d->opcode = opcode;
}
bool Frame::isMasked() const
{
    return d->masked;
}
void Frame::setMasked(bool masked)
{
    d->masked = masked;
}
QByteArray Frame::payload() const
{
    return d->payload;
}
void Frame::setPayload(const QByteArray &payload)
{
    d->payload = payload;
}

bool Frame::isControl() const
{
    return d->opcode == Opcode::Close || d->opcode == Opcode::Ping || d->opcode == Opcode::Pong;
}

bool Frame::isKnownOpcode(int opcode)
{
    switch (opcode) {
    case int(Opcode::Continuation):
    case int(Opcode::Text):
    case int(Opcode::Binary):
    case int(Opcode::Close):
    case int(Opcode::Ping):
    case int(Opcode::Pong):
        return true;
    default:
        return false;
    }
}

Error Frame::validate(QString *errorString) const
{
    auto fail = [errorString](Error error, const QString &why) {
        if (errorString)
            *errorString = why;
        return error;
    };
    if (d->rsv != 0)
        return fail(Error::Protocol, QStringLiteral("RSV bits set without a negotiated extension"));
    if (!isKnownOpcode(int(d->opcode)))
        return fail(Error::Protocol, QStringLiteral("unknown opcode 0x%1").arg(quint8(d->opcode), 0, 16));
    if (isControl()) {
        if (!d->fin)
            return fail(Error::Protocol, QStringLiteral("fragmented control frame"));
        if (d->payload.size() > MaxControlPayload) {
            return fail(Error::Protocol,
                QStringLiteral("control frame payload of %1 bytes exceeds %2 bytes")
                    .arg(d->payload.size())
                    .arg(MaxControlPayload));
        }
    }
    if (d->opcode == Opcode::Close) {
        Protocol::Failure failure;
        if (!Protocol::decodeClosePayload(d->payload, nullptr, &failure))
            return fail(failure.error, failure.message);
    }
    if (errorString)
        errorString->clear();
    return Error::NoError;
}

QByteArray Frame::serialize(QByteArrayView maskKey) const
{
    std::optional<Protocol::MaskKey> key;
    if (maskKey.isEmpty())
        key = Protocol::randomMaskKey();
    else
        key = toMaskKey(maskKey, "Frame::serialize");
    if (!key)
        return {};
    return Protocol::encodeFrame(d->opcode, d->payload, *key, d->fin, d->rsv);
}

QByteArray Frame::mask(QByteArrayView maskKey, QByteArrayView data)
{
    const std::optional<Protocol::MaskKey> key = toMaskKey(maskKey, "Frame::mask");
    if (!key)
        return {};
    QByteArray out(data.size(), Qt::Uninitialized);
    Protocol::maskCopy(out.data(), data.data(), data.size(), *key);
    return out;
}

QString Frame::toString() const
{
    const auto bit = [](bool on) { return on ? QLatin1Char('1') : QLatin1Char('0'); };
    return opcodeName(d->opcode) + QLatin1String(" fin=") + bit(d->fin) + QLatin1String(" rsv=") + bit(rsv1())
        + bit(rsv2()) + bit(rsv3()) + QLatin1String(" masked=") + bit(d->masked) + QLatin1String(" len=")
        + QString::number(d->payload.size()) + describePayload(d->opcode, d->payload);
}

bool Frame::operator==(const Frame &other) const
{
    return d == other.d
        || (d->fin == other.d->fin && d->rsv == other.d->rsv && d->opcode == other.d->opcode
            && d->masked == other.d->masked && d->payload == other.d->payload);
}

bool isValidCloseCode(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

} // namespace WsClient
