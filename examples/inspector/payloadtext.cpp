#include "payloadtext.h"

#include "hexdump.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qstringconverter.h>

using WsClient::Opcode;

namespace {

constexpr qsizetype PreviewBytes = 48;

bool showsAsHex(const FrameEntry &entry)
{
    return entry.opcode == Opcode::Binary || !isUtf8(entry.payload);
}

} // namespace

bool isUtf8(const QByteArray &data)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    // decode() is lazy: the conversion (and the error check) happens when it becomes a QString.
    const QString decoded = decoder.decode(data);
    return !decoder.hasError();
}

ClosePayload parseClosePayload(const QByteArray &payload)
{
    ClosePayload close;
    if (payload.size() >= 2) {
        close.code = quint8(payload.at(0)) << 8 | quint8(payload.at(1));
        close.reason = QString::fromUtf8(payload.mid(2));
    }
    return close;
}

QByteArray closePayload(int code, const QString &reason)
{
    if (code == 1005)
        return {};
    QByteArray payload;
    payload += char(quint8(code >> 8));
    payload += char(quint8(code & 0xff));
    payload += reason.toUtf8();
    return payload;
}

QString payloadPreview(const FrameEntry &entry, qsizetype maxChars)
{
    if (entry.opcode == Opcode::Close)
        return payloadText(entry).left(maxChars);
    if (showsAsHex(entry))
        return hexPreview(entry.payload, PreviewBytes);
    // Decoding a little more than needed is enough: UTF-8 never takes more than 4 bytes a character.
    QString text = QString::fromUtf8(entry.payload.left(maxChars * 4));
    const bool cut = text.size() > maxChars || entry.payload.size() > maxChars * 4;
    text.truncate(maxChars);
    text.replace(QLatin1Char('\n'), QStringLiteral("⏎"));
    text.replace(QLatin1Char('\r'), QString());
    text.replace(QLatin1Char('\t'), QLatin1Char(' '));
    if (cut)
        text += QStringLiteral("…");
    return text;
}

QString payloadText(const FrameEntry &entry)
{
    if (entry.opcode == Opcode::Close) {
        const ClosePayload close = parseClosePayload(entry.payload);
        return close.reason.isEmpty() ? QString::number(close.code)
                                      : QString::number(close.code) + QLatin1Char(' ') + close.reason;
    }
    if (showsAsHex(entry))
        return hexPreview(entry.payload, entry.payload.size());
    return QString::fromUtf8(entry.payload);
}

QString prettyJson(const QByteArray &payload)
{
    // A cheap test first: most payloads of a log are not JSON and need no parse.
    const QByteArray trimmed = payload.trimmed();
    if (trimmed.isEmpty() || (trimmed.front() != '{' && trimmed.front() != '['))
        return {};
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(trimmed, &error);
    if (error.error != QJsonParseError::NoError)
        return {};
    return QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}
