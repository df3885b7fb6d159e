#pragma once

#include <WsClient/options.h>
#include <WsClient/url.h>

namespace WsClient {

namespace Protocol {
class HttpResponseParser;
}

/*!
    The Cookie header value of a handshake request to \a url: ConnectOptions::cookie() merged with
    the cookies the options' jar holds for it, or cookie() unchanged when there is no jar.
*/
QByteArray handshakeCookieHeader(const ConnectOptions &options, const ParsedUrl &url);

/*!
    Stores the Set-Cookie fields of the handshake response \a response to \a url in the options'
    jar. Nothing without a jar or before the whole response head has arrived.
*/
void storeHandshakeCookies(
    const ConnectOptions &options, const ParsedUrl &url, const Protocol::HttpResponseParser &response);

} // namespace WsClient
