#pragma once

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qlist.h>
#include <QtCore/qpair.h>

namespace WsClient::Protocol {

/*! HTTP header fields in received/sent order; names compare case-insensitively, repeats kept. */
using HeaderList = QList<QPair<QByteArray, QByteArray>>;

/*! The value of the first field named \a name, or a null array. */
QByteArray headerValue(const HeaderList &headers, QByteArrayView name);
/*! Every value of \a name, repeats and comma-separated lists joined with ", " (RFC 9110 §5.3). */
QByteArray combinedHeaderValue(const HeaderList &headers, QByteArrayView name);
/*! Whether \a name's combined value holds \a token as one of its comma-separated items (case-insensitive). */
bool headerHasToken(const HeaderList &headers, QByteArrayView name, QByteArrayView token);
/*! True when \a text contains CR, LF or NUL: such names/values would allow header injection. */
bool containsLineBreak(QByteArrayView text);

} // namespace WsClient::Protocol
