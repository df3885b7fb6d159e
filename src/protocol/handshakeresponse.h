#pragma once

#include "httpresponse.h"

#include <WsClient/enums.h>

#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qurl.h>

namespace WsClient::Protocol {

/*! What the client must do with a complete response head. */
enum class ResponseKind {
    Upgrade, //!< 101 and valid: the connection is open.
    Redirect, //!< 301/302/303/307/308 with a usable Location: connect again at redirectUrl.
    BadStatus, //!< Any other status: Error::BadStatus with status, headers and body.
    Invalid, //!< A 101 that is not a valid upgrade, a redirect without a usable Location, or a head
             //!< that failed to parse: Error::Handshake.
};

struct HandshakeExpectations
{
    QByteArray key; //!< The Sec-WebSocket-Key sent.
    QStringList subprotocols; //!< Offered subprotocols; the server may pick one of these or none.
    QList<QByteArray> extensions; //!< Offered extension names (e.g. "permessage-deflate").
    QUrl requestUrl; //!< The URL requested, to resolve a relative Location.
};

struct HandshakeOutcome
{
    ResponseKind kind = ResponseKind::Invalid;
    Error error = Error::NoError;
    QString errorString;
    QString subprotocol; //!< The one the server chose, or empty.
    QByteArray extensions; //!< The server's Sec-WebSocket-Extensions, combined.
    QUrl redirectUrl; //!< With Redirect: absolute ws:// or wss:// URL (http→ws, https→wss).
};

/*!
    Classifies and validates a complete response (RFC 6455 §4.1 client checks): status 101,
    Upgrade has "websocket", Connection has "upgrade" (tokens, case-insensitive),
    Sec-WebSocket-Accept equals computeAcceptKey(key) exactly, Sec-WebSocket-Protocol absent or
    exactly one of the offered subprotocols (case-sensitive), and each Sec-WebSocket-Extensions
    item named like an offered extension (case-insensitive; parameters are left to the
    extension). Repeated fields are combined first, so a repeated Accept or Protocol fails.
    A redirect's Location is resolved against requestUrl; http/https map to ws/wss, other
    schemes are Invalid, and a fragment is dropped.
*/
HandshakeOutcome evaluateHandshake(
    const HttpResponseParser &response, const HandshakeExpectations &expected);

} // namespace WsClient::Protocol
