#include "trace_p.h"

#include <WsClient/frame.h>

namespace WsClient {

Q_LOGGING_CATEGORY(lcTraceCategory, "wsclient.trace", QtInfoMsg)

const QLoggingCategory &lcTrace()
{
    return lcTraceCategory();
}

void enableTrace(bool on)
{
    const_cast<QLoggingCategory &>(lcTraceCategory()).setEnabled(QtDebugMsg, on);
}

namespace Trace {

QByteArray redactedCredentials(const QByteArray &line)
{
    // Credentials are never logged: an Authorization field keeps its scheme and nothing else.
    const QByteArray lower = line.toLower();
    for (const QByteArrayView name :
        { QByteArrayView("authorization:"), QByteArrayView("proxy-authorization:") }) {
        if (!lower.startsWith(name))
            continue;
        const QByteArray value = line.mid(name.size()).trimmed();
        const qsizetype space = value.indexOf(' ');
        // A bare token (no scheme before a space) is all credential.
        const QByteArray scheme = space < 0 ? QByteArray() : value.left(space) + ' ';
        return line.left(name.size()) + ' ' + scheme + "(credentials not shown)";
    }
    return line;
}

void headerBlock(const char *title, const QByteArray &head)
{
    if (!isOn())
        return;
    qCDebug(lcTraceCategory).noquote() << QStringLiteral("--- %1 ---").arg(QLatin1String(title));
    const QList<QByteArray> lines = head.trimmed().split('\n');
    for (const QByteArray &line : lines)
        qCDebug(lcTraceCategory).noquote() << QString::fromLatin1(redactedCredentials(line.trimmed()));
    qCDebug(lcTraceCategory).noquote() << QStringLiteral("-----------------------");
}

void frame(const char *direction, bool fin, quint8 rsv, Opcode opcode, QByteArrayView payload)
{
    if (!isOn())
        return;
    constexpr qsizetype Preview = 64;
    const QByteArrayView shown = payload.first(qMin(payload.size(), Preview));
    const bool printable = opcode == Opcode::Text || opcode == Opcode::Close;
    const QString data = printable ? QString::fromUtf8(shown.data(), shown.size())
                                   : QString::fromLatin1(shown.toByteArray().toHex(' '));
    qCDebug(lcTraceCategory).noquote()
        << QStringLiteral("++%1: fin=%2 rsv=%3 opcode=%4 len=%5 data=%6%7")
               .arg(QLatin1String(direction))
               .arg(int(fin))
               .arg(int(rsv))
               .arg(int(opcode))
               .arg(payload.size())
               .arg(data, payload.size() > Preview ? QStringLiteral("…") : QString());
}

} // namespace Trace
} // namespace WsClient
