#pragma once

#include <WsClient/enums.h>
#include <WsClient/trace.h>

#include <QtCore/qbytearray.h>

namespace WsClient {

Q_DECLARE_LOGGING_CATEGORY(lcTraceCategory)

namespace Trace {

/*! Cheap test callers use before building anything to log. */
inline bool isOn()
{
    return lcTraceCategory().isDebugEnabled();
}

/*! \a line, or when it is an Authorization or Proxy-Authorization field, its name and scheme only. */
QByteArray redactedCredentials(const QByteArray &line);
/*!
    A "--- title ---" block with one HTTP head line per log line, as websocket-client prints.
    Authorization fields show their scheme only (redactedCredentials()).
*/
void headerBlock(const char *title, const QByteArray &head);
/*! One frame: "++Sent: fin=1 rsv=0 opcode=1 len=5 data=Hello". */
void frame(const char *direction, bool fin, quint8 rsv, Opcode opcode, QByteArrayView payload);

} // namespace Trace
} // namespace WsClient
