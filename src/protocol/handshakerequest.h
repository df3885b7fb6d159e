#pragma once

#include "httpheaders.h"

#include <WsClient/enums.h>
#include <WsClient/url.h>

#include <QtCore/qstringlist.h>

namespace WsClient::Protocol {

/*! The GUID of RFC 6455 §1.3 appended to the key before hashing. */
constexpr char WebSocketGuid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/*! What the opening handshake request is made of (the seed's connect() header options). */
struct HandshakeRequestParams
{
    ParsedUrl url;
    QByteArray host; //!< Overrides the Host value (seed: host=).
    QByteArray origin; //!< Overrides the Origin value (seed: origin=).
    bool suppressOrigin = false; //!< No Origin header at all (seed: suppress_origin=).
    /*!
        Extra fields, in order, after the defaults. The first field named like a default one (Host,
        Origin, Sec-WebSocket-Key, …; case-insensitive) replaces it in place, names spelled as
        given; with a null value it removes it instead. Null values naming no default are ignored.
    */
    HeaderList headers;
    QByteArray cookie; //!< Cookie header value.
    QByteArray authorization; //!< Authorization value answering the server's challenge (AuthSession).
    QStringList subprotocols; //!< Sec-WebSocket-Protocol offer, in preference order; each an HTTP token.
    QByteArray extensions; //!< Sec-WebSocket-Extensions offer (e.g. permessage-deflate).
    QByteArray connection; //!< Connection value; "Upgrade" when empty (seed: connection=).
    QByteArray key; //!< Sec-WebSocket-Key; a fresh random one when empty.
};

struct HandshakeRequest
{
    QByteArray bytes; //!< The full request including the blank line.
    QByteArray key; //!< The Sec-WebSocket-Key actually sent (a user header wins).
    HeaderList headers; //!< The fields sent, for tracing and tests.
    /*!
        InvalidArgument for CR, LF or NUL in a name or value, a name or subprotocol that is not a
        token, or a resource that is not visible ASCII; InvalidUrl for an invalid or host-less URL.
        The error string names the header (or "resource").
    */
    Error error = Error::NoError;
    QString errorString;
};

/*!
    Builds the client's opening handshake (RFC 6455 §4.1): GET resource HTTP/1.1, Host (port
    left out when it is the scheme's default), Upgrade, Connection, Sec-WebSocket-Key,
    Sec-WebSocket-Version: 13, Origin (http:// for ws, https:// for wss) unless suppressed,
    Sec-WebSocket-Protocol, Sec-WebSocket-Extensions, Cookie, Authorization, then the user's fields.
*/
HandshakeRequest buildHandshakeRequest(const HandshakeRequestParams &params);

/*! A fresh Sec-WebSocket-Key: 16 random bytes, base64. */
QByteArray generateWebSocketKey();
/*! base64(SHA-1(key + GUID)), the Sec-WebSocket-Accept the server must answer with. */
QByteArray computeAcceptKey(QByteArrayView key);

} // namespace WsClient::Protocol
