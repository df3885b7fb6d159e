#include "logfile.h"

#include "payloadtext.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qiodevice.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>

using WsClient::Opcode;

namespace {

bool storedAsText(const FrameEntry &entry)
{
    return entry.opcode != Opcode::Binary && entry.opcode != Opcode::Close && isUtf8(entry.payload);
}

} // namespace

QByteArray toJsonLine(const FrameEntry &entry)
{
    QJsonObject object {
        { QStringLiteral("time"),
            QDateTime::fromMSecsSinceEpoch(entry.timeMs).toUTC().toString(Qt::ISODateWithMs) },
        { QStringLiteral("direction"),
            entry.direction == Direction::Outgoing ? QStringLiteral("out") : QStringLiteral("in") },
        { QStringLiteral("opcode"), opcodeName(entry.opcode) },
        { QStringLiteral("fin"), entry.final },
        { QStringLiteral("deflate"), entry.compressed },
        { QStringLiteral("length"), entry.payload.size() },
    };
    if (storedAsText(entry))
        object.insert(QStringLiteral("text"), QString::fromUtf8(entry.payload));
    else
        object.insert(QStringLiteral("base64"), QString::fromLatin1(entry.payload.toBase64()));
    if (entry.opcode == Opcode::Close) {
        const ClosePayload close = parseClosePayload(entry.payload);
        object.insert(QStringLiteral("code"), close.code);
        object.insert(QStringLiteral("reason"), close.reason);
    }
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

bool fromJsonLine(const QByteArray &line, FrameEntry *entry, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        *error = parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                              : QStringLiteral("not a JSON object");
        return false;
    }
    const QJsonObject object = document.object();
    FrameEntry parsed;
    const QDateTime time
        = QDateTime::fromString(object.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    if (!time.isValid()) {
        *error = QStringLiteral("\"time\" is missing or not an ISO 8601 date");
        return false;
    }
    parsed.timeMs = time.toMSecsSinceEpoch();
    const QString direction = object.value(QStringLiteral("direction")).toString();
    if (direction != QLatin1String("in") && direction != QLatin1String("out")) {
        *error = QStringLiteral("\"direction\" must be \"in\" or \"out\"");
        return false;
    }
    parsed.direction = direction == QLatin1String("out") ? Direction::Outgoing : Direction::Incoming;
    if (!opcodeFromName(object.value(QStringLiteral("opcode")).toString(), &parsed.opcode)) {
        *error = QStringLiteral("\"opcode\" is not one of text, binary, cont, close, ping, pong, 0x0..0xf");
        return false;
    }
    parsed.final = object.value(QStringLiteral("fin")).toBool(true);
    parsed.compressed = object.value(QStringLiteral("deflate")).toBool(false);
    if (object.contains(QStringLiteral("text"))) {
        parsed.payload = object.value(QStringLiteral("text")).toString().toUtf8();
    } else if (object.contains(QStringLiteral("base64"))) {
        const auto decoded
            = QByteArray::fromBase64Encoding(object.value(QStringLiteral("base64")).toString().toLatin1(),
                QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            *error = QStringLiteral("\"base64\" is not valid base64");
            return false;
        }
        parsed.payload = *decoded;
    }
    *entry = std::move(parsed);
    return true;
}

bool writeLog(QIODevice *device, const QList<FrameEntry> &entries, QString *error)
{
    for (const FrameEntry &entry : entries) {
        const QByteArray line = toJsonLine(entry) + '\n';
        if (device->write(line) != line.size()) {
            *error = device->errorString();
            return false;
        }
    }
    return true;
}

bool readLog(QIODevice *device, QList<FrameEntry> *entries, QString *error)
{
    QList<FrameEntry> read;
    int lineNumber = 0;
    while (!device->atEnd()) {
        const QByteArray line = device->readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty())
            continue;
        FrameEntry entry;
        QString why;
        if (!fromJsonLine(line, &entry, &why)) {
            *error = QStringLiteral("line %1: %2").arg(lineNumber).arg(why);
            return false;
        }
        read.append(std::move(entry));
    }
    *entries = std::move(read);
    return true;
}
