#pragma once

#include "httpheaders.h"

#include <WsClient/url.h>

#include <QtCore/qurl.h>

namespace WsClient::Protocol {

/*
    Where a WebSocket connection meets the HTTP machinery that QtNetwork users already have (a
    QNetworkCookieJar, the proxy factory): the pure parts, kept here so that they are tested from
    memory; the jar and the factory themselves are asked by the glue (src/cookiejar.cpp, src/proxy.cpp).
*/

/*!
    The http:// (for ws) or https:// (for wss) URL that stands for \a url where HTTP rules are
    asked: a cookie jar sends Secure cookies only to https (so only over wss), and the system proxy
    settings pick https_proxy for https. With \a withResource false the path is "/" and the query
    is left out (a proxy lookup needs no more, and a PAC script gets no tokens from the query).
*/
QUrl httpUrlFor(const ParsedUrl &url, bool withResource);

/*!
    The Cookie header value: \a explicitValue (ConnectOptions::cookie()) first, then the jar's
    "name=value" pairs \a jarPairs, all joined with "; " (RFC 6265 §5.4). A jar cookie whose name
    the explicit value already carries is left out: what the caller set by hand wins. Empty when
    both are empty.
*/
QByteArray mergedCookieHeader(QByteArrayView explicitValue, const QList<QByteArray> &jarPairs);

/*!
    The value of every Set-Cookie field of \a headers, in order, each on its own: unlike other
    fields, Set-Cookie lines must not be joined with commas (RFC 9110 §5.3), since cookie
    attributes such as Expires contain commas themselves.
*/
QList<QByteArray> setCookieValues(const HeaderList &headers);

} // namespace WsClient::Protocol
