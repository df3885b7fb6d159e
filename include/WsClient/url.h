#pragma once

#include <WsClient/enums.h>

#include <QtCore/qstring.h>
#include <QtCore/qurl.h>

namespace WsClient {

/*!
    A WebSocket URL taken apart (websocket-client's parse_url): what the connection needs to
    open a socket and write the request line.
*/
struct WSCLIENT_EXPORT ParsedUrl
{
    QString host; //!< Host name (ASCII, IDNs in ACE form) or IP literal, without IPv6 brackets.
    quint16 port = 0; //!< Explicit port, or 80 (ws) / 443 (wss).
    QByteArray resource; //!< Path plus query as sent on the request line; "/" when empty.
    bool secure = false; //!< True for wss.
    bool hasExplicitPort = false; //!< True when the URL spelled a port.
    Error error = Error::NoError; //!< Error::InvalidUrl when the URL cannot be used.
    QString errorString; //!< The cause when error is set.

    /*! True when the URL can be connected to (error is Error::NoError). */
    bool isValid() const { return error == Error::NoError; }
    /*! True when the port is the scheme's default, so the Host header leaves it out. */
    bool isDefaultPort() const { return port == (secure ? 443 : 80); }
    /*! "host" or "host:port", with brackets around IPv6 literals, for Host/CONNECT lines. */
    QString hostAndPort(bool alwaysWithPort = false) const;
};

/*!
    Parses a ws:// or wss:// URL. Schemes are case-insensitive; http(s) is not accepted.
    Errors (Error::InvalidUrl, the cause in errorString): an empty or invalid URL, another
    scheme, no host, a port of 0 or above 65535, a fragment (not allowed by RFC 6455 §3).
    User info ("user:password@") is accepted and left out of ParsedUrl: it is never sent as is.
    WebSocket uses it to answer the server's 401 challenge (Basic or Digest) on a new connection
    (see WebSocket::authenticationRequired()); an Authorization header of your own disables that.
    The resource is the path ("/" when empty) plus "?query" when the URL has a query, as QUrl
    encodes it (QUrl decodes escapes of unreserved characters, e.g. %7E becomes ~).
*/
WSCLIENT_EXPORT ParsedUrl parseUrl(const QUrl &url);
/*!
    \overload

    Parses \a url from text in QUrl::StrictMode, so malformed input is reported
    precisely, and keeps the path and query exactly as written (escapes untouched; only
    non-ASCII characters are percent-encoded as UTF-8).
*/
WSCLIENT_EXPORT ParsedUrl parseUrl(const QString &url);

} // namespace WsClient
