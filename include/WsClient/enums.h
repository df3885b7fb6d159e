#pragma once

#include <WsClient/wsclient_global.h>

#include <QtCore/qobjectdefs.h>

/*!
    The namespace-level enumerations of WsClient, registered with Qt's meta-object system
    (Q_ENUM_NS) so they print by name in qDebug, QVariant and QML.
*/
namespace WsClient {
Q_NAMESPACE_EXPORT(WSCLIENT_EXPORT)

/*!
    What went wrong with a connection. Each value corresponds to one of websocket-client's
    exception classes (noted) or to a failure it reports through a generic exception.
    The human-readable cause is always carried next to it as an error string.
*/
enum class Error {
    NoError = 0, //!< Nothing failed.
    InvalidUrl, //!< Not a ws:// or wss:// URL, no host, or a bad port (websocket-client: ValueError).
    InvalidArgument, //!< Options that contradict each other or contain CR/LF in a header.
    HostNotFound, //!< Name resolution failed (websocket-client: WebSocketAddressException).
    ConnectionRefused, //!< Every resolved address refused the TCP connection.
    Network, //!< Other socket failure: reset, unreachable, remote closed mid-handshake.
    Timeout, //!< Connect, handshake, read, close or ping timeout (websocket-client: WebSocketTimeoutException).
    Tls, //!< TLS handshake failed; the string names the certificate problem.
    Proxy, //!< The proxy refused or failed (websocket-client: WebSocketProxyException).
    BadStatus, //!< Upgrade answered with a non-101, non-redirect status (websocket-client: WebSocketBadStatusException).
    Handshake, //!< The 101 response is not a valid upgrade (accept key, headers, subprotocol, extension).
    TooManyRedirects, //!< More redirects than ConnectOptions::redirectLimit allows.
    Protocol, //!< The peer violated RFC 6455; closed with 1002 (websocket-client: WebSocketProtocolException).
    Payload, //!< Invalid UTF-8 or close payload; closed with 1007 (websocket-client: WebSocketPayloadException).
    MessageTooBig, //!< A frame or message exceeded the configured limit; closed with 1009.
    ConnectionClosed, //!< The operation needs an open connection (websocket-client: WebSocketConnectionClosedException).
    Compression, //!< permessage-deflate negotiation or inflation failed.
    SendBufferFull, //!< A send was refused: ConnectOptions::sendBufferLimit() bytes wait to be written.
    /*!
        The server (HTTP 401) or the proxy (HTTP 407, SOCKS5) refused the credentials given: URL user
        info, ProxyOptions, or an answer to WebSocket::authenticationRequired() or
        WebSocket::proxyAuthenticationRequired(). The string names the user, scheme and realm. When
        no credentials were given at all the error stays BadStatus (401) or Proxy.
    */
    AuthenticationFailed,
};
Q_ENUM_NS(Error)

/*! Frame opcodes of RFC 6455 §5.2 (websocket-client's ABNF.OPCODE_*). */
enum class Opcode : quint8 {
    Continuation = 0x0, //!< Continues a fragmented message.
    Text = 0x1, //!< First frame of a UTF-8 text message.
    Binary = 0x2, //!< First frame of a binary message.
    Close = 0x8, //!< Close control frame.
    Ping = 0x9, //!< Ping control frame.
    Pong = 0xA, //!< Pong control frame.
};
Q_ENUM_NS(Opcode)

/*!
    Close status codes of RFC 6455 §7.4.1 and the IANA registry (websocket-client's STATUS_*).
    Codes 3000–4999 are for libraries and applications and are not enumerated.
*/
enum class CloseCode : quint16 {
    Normal = 1000, //!< Normal closure.
    GoingAway = 1001, //!< Endpoint is going away.
    ProtocolError = 1002, //!< Protocol error.
    UnsupportedData = 1003, //!< Data type cannot be accepted.
    Reserved = 1004, //!< Reserved; never valid on the wire.
    NoStatus = 1005, //!< No status code was present; never on the wire.
    Abnormal = 1006, //!< Connection dropped without a Close frame; never on the wire.
    InvalidPayload = 1007, //!< Data inconsistent with the message type (such as bad UTF-8).
    PolicyViolation = 1008, //!< Policy violation.
    MessageTooBig = 1009, //!< Message too big to process.
    MandatoryExtension = 1010, //!< Client expected an extension the server did not negotiate.
    InternalError = 1011, //!< Server hit an unexpected condition.
    ServiceRestart = 1012, //!< Server is restarting.
    TryAgainLater = 1013, //!< Server is overloaded.
    BadGateway = 1014, //!< Gateway received an invalid response.
    TlsHandshake = 1015, //!< TLS handshake failed; never on the wire.
};
Q_ENUM_NS(CloseCode)

} // namespace WsClient
