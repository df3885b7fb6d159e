// ConnectOptions::cookieJar() at work: the jar asked before each handshake request and told about
// each response. What is pure (the URL the jar sees, merging, picking fields) is in
// protocol/httpstate.cpp.
#include "cookiejar_p.h"

#include "protocol/httpresponse.h"
#include "protocol/httpstate.h"
#include "trace_p.h"

#include <QtNetwork/qnetworkcookie.h>
#include <QtNetwork/qnetworkcookiejar.h>

namespace WsClient {

QByteArray handshakeCookieHeader(const ConnectOptions &options, const ParsedUrl &url)
{
    QNetworkCookieJar *jar = options.cookieJar();
    if (!jar)
        return options.cookie();
    QList<QByteArray> pairs;
    const QList<QNetworkCookie> cookies = jar->cookiesForUrl(Protocol::httpUrlFor(url, true));
    pairs.reserve(cookies.size());
    for (const QNetworkCookie &cookie : cookies)
        pairs.append(cookie.toRawForm(QNetworkCookie::NameAndValueOnly));
    return Protocol::mergedCookieHeader(options.cookie(), pairs);
}

void storeHandshakeCookies(
    const ConnectOptions &options, const ParsedUrl &url, const Protocol::HttpResponseParser &response)
{
    QNetworkCookieJar *jar = options.cookieJar();
    if (!jar || response.status() != Protocol::HttpResponseParser::Status::Complete)
        return;
    QList<QNetworkCookie> cookies;
    for (const QByteArray &value : Protocol::setCookieValues(response.headers()))
        cookies += QNetworkCookie::parseCookies(value);
    if (cookies.isEmpty())
        return;
    // The jar fills in a missing domain and path from the URL and refuses cookies for other
    // domains (QNetworkCookieJar::validateCookie()), as for QNetworkAccessManager's replies.
    const bool stored = jar->setCookiesFromUrl(cookies, Protocol::httpUrlFor(url, true));
    qCDebug(lcTraceCategory).noquote() << cookies.size() << "cookie(s) from" << url.hostAndPort()
                                       << (stored ? "stored in the jar" : "refused by the jar");
}

} // namespace WsClient
