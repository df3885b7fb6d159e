#pragma once

#include "failure.h"

#include <WsClient/frame.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qstring.h>

namespace WsClient::Protocol {

/*! Longest close reason: 125-byte control payload minus the 2-byte code. */
constexpr qsizetype MaxCloseReasonBytes = Frame::MaxCloseReason;

struct CloseInfo
{
    quint16 code = quint16(CloseCode::NoStatus); //!< 1005 when the Close frame had no payload.
    QString reason;
};

/*!
    The payload of a Close frame: 2-byte code in network order plus the UTF-8 reason, cut to
    123 bytes without splitting a UTF-8 sequence. Code 1005 (NoStatus) gives an empty payload.
*/
QByteArray encodeClosePayload(quint16 code, QStringView reason = {});

/*!
    Decodes and checks a received Close payload: length 1 (→ 1002), a code that may not appear on
    the wire (→ 1002), or a reason that is not UTF-8 (→ 1007, unless \a validateUtf8 is false).
    An empty payload is valid and gives code 1005.
*/
bool decodeClosePayload(QByteArrayView payload, CloseInfo *info, Failure *failure, bool validateUtf8 = true);

/*! The longest prefix of \a utf8 of at most \a maxBytes that does not end inside a sequence. */
QByteArrayView truncateUtf8(QByteArrayView utf8, qsizetype maxBytes);

} // namespace WsClient::Protocol
