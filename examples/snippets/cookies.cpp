// Cookies through a QNetworkCookieJar (docs/qtnetwork.md, "Cookies"). The server's /cookie path
// answers with the Cookie header it received; set-cookie=... in a query makes it set a cookie.
#include "snippetenv.h"

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>
#include <QtNetwork/qnetworkcookie.h>
#include <QtNetwork/qnetworkcookiejar.h>

namespace {

// Connects, prints the Cookie header the server received, closes.
void showCookieSent(const char *what, const QUrl &url, const WsClient::ConnectOptions &options)
{
    auto ws = WsClient::WebSocket::connectTo(url, options);
    const QString seen = ws->isOpen() ? ws->receive(5000).text() : ws->errorString();
    qInfo().noquote() << what << (seen.isEmpty() ? QStringLiteral("(no Cookie header)") : seen);
    ws->close();
    ws->waitForDisconnected();
}

void showJar(QNetworkCookieJar &jar, const QUrl &url)
{
    QUrl http = url; // the jar sees ws:// as http:// (and wss:// as https://)
    http.setScheme(QStringLiteral("http"));
    for (const QNetworkCookie &cookie : jar.cookiesForUrl(http))
        qInfo().noquote() << "  in the jar:" << cookie.toRawForm();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    //! [jar]
    QNetworkCookieJar jar; // or the jar of your QNetworkAccessManager: manager.cookieJar()
    WsClient::ConnectOptions options;
    options.setCookieJar(&jar); // not owned: the jar must outlive the connections that use it
    //! [jar]

    // The server's 101 response sets a session cookie ...
    showCookieSent("first handshake:",
        Snippet::url(QStringLiteral("/cookie?set-cookie=session%3Dc0ffee%3B%20HttpOnly")), options);
    showJar(jar, Snippet::url());
    // ... which the next handshake sends.
    showCookieSent("second handshake:", Snippet::url(QStringLiteral("/cookie")), options);

    //! [redirect]
    // A redirect hop that sets a cookie: the next hop's request carries it already.
    const QUrl viaRedirect = Snippet::url(QStringLiteral("/redirect?n=0&to=/cookie&set-cookie=hop%3D1"));
    //! [redirect]
    showCookieSent("after a redirect:", viaRedirect, options);

    //! [explicit]
    // cookie() is still sent, first; a jar cookie of the same name gives way to it.
    options.setCookie("theme=dark; session=byhand");
    //! [explicit]
    showCookieSent("with cookie():", Snippet::url(QStringLiteral("/cookie")), options);
    return 0;
}
