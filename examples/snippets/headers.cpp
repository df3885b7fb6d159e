// Request headers: Host, Origin, Cookie, subprotocols, suppressing Origin, custom headers
// (docs/examples.md). The server's /headers path answers with the request headers it received, as JSON.
#include "snippetenv.h"

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>

namespace {

// What the server saw, from its JSON answer: the request header \a name, or "(none)".
void show(WsClient::WebSocket &ws, const QStringList &names)
{
    const QJsonObject seen = QJsonDocument::fromJson(ws.receive(5000).data).object();
    const QJsonObject headers = seen.value(QStringLiteral("headers")).toObject();
    for (const QString &name : names) {
        const QJsonValue value = headers.value(name.toLower());
        qInfo().noquote() << "  " << name + QLatin1Char(':')
                          << (value.isUndefined() ? QStringLiteral("(none)") : value.toString());
    }
    ws.close();
    ws.waitForDisconnected();
}

void hostOriginCookie(const QUrl &url)
{
    //! [host-origin-cookie]
    WsClient::ConnectOptions options;
    options.setHost("chat.example.com"); // instead of the URL's host[:port]
    options.setOrigin("https://app.example.com"); // instead of http(s)://host[:port]
    options.setCookie("session=c0ffee; theme=dark");
    auto ws = WsClient::WebSocket::connectTo(url, options);
    //! [host-origin-cookie]
    qInfo() << "host, origin, cookie:";
    show(*ws, { QStringLiteral("Host"), QStringLiteral("Origin"), QStringLiteral("Cookie") });
}

void subprotocols(const QUrl &url)
{
    //! [subprotocols]
    WsClient::ConnectOptions options;
    options.setSubprotocols(
        { QStringLiteral("superchat"), QStringLiteral("chat") }); // in order of preference
    auto ws = WsClient::WebSocket::connectTo(url, options);
    qInfo() << "the server chose" << ws->subprotocol(); // empty when it chose none
    //! [subprotocols]
    show(*ws, { QStringLiteral("Sec-WebSocket-Protocol") });
}

void suppressOrigin(const QUrl &url)
{
    //! [suppress-origin]
    WsClient::ConnectOptions options;
    options.setSuppressOrigin(true); // no Origin header at all
    auto ws = WsClient::WebSocket::connectTo(url, options);
    //! [suppress-origin]
    qInfo() << "suppressed origin:";
    show(*ws, { QStringLiteral("Origin") });
}

void customHeaders(const QUrl &url)
{
    //! [custom-headers]
    WsClient::ConnectOptions options;
    // As a list of fields, in order (websocket-client's header=[...]) ...
    options.setHeaders(WsClient::ConnectOptions::HeaderList {
        { "Authorization", "Bearer t0ken" },
        { "X-Request-Id", "42" },
    });
    // ... or one at a time; a field with the name of a default one replaces it,
    options.setHeader("Sec-WebSocket-Version", "13");
    options.setHeader("User-Agent", "my-app/1.0");
    // and a null value removes a default field (here: the same as setSuppressOrigin(true)).
    options.setHeader("Origin", QByteArray());
    auto ws = WsClient::WebSocket::connectTo(url, options);
    //! [custom-headers]
    qInfo() << "custom headers:";
    show(*ws,
        { QStringLiteral("Authorization"), QStringLiteral("X-Request-Id"), QStringLiteral("User-Agent"),
            QStringLiteral("Origin") });
}

void headerLines(const QUrl &url)
{
    //! [header-lines]
    WsClient::ConnectOptions options;
    options.setHeaders(QList<QByteArray> { "Authorization: Bearer t0ken", "X-Request-Id: 43" });
    // or from a map (websocket-client's header={...}); a map is sorted by name:
    // options.setHeaders(QMap<QByteArray, QByteArray> { { "X-Request-Id", "43" } });
    auto ws = WsClient::WebSocket::connectTo(url, options);
    //! [header-lines]
    qInfo() << "header lines:";
    show(*ws, { QStringLiteral("Authorization"), QStringLiteral("X-Request-Id") });
}

void invalidHeader(const QUrl &url)
{
    //! [invalid-header]
    WsClient::ConnectOptions options;
    options.setHeader("X-Note", "line one\r\nInjected: yes"); // refused: no CR/LF smuggling
    auto ws = WsClient::WebSocket::connectTo(url, options);
    qInfo().noquote() << WsClient::errorName(ws->error()) << ws->errorString();
    //! [invalid-header]
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QUrl url = Snippet::url(QStringLiteral("/headers"));
    hostOriginCookie(url);
    subprotocols(url);
    suppressOrigin(url);
    customHeaders(url);
    headerLines(url);
    invalidHeader(url);
    return 0;
}
