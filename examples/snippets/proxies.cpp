// Proxies: HTTP CONNECT, SOCKS4/4a/5/5h, the environment (docs/examples.md, "Proxies").
// Runs without any network: it prints which proxy each connection would use (proxyFor()).
#include <WsClient/ProxyOptions>
#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

namespace {

void show(const char *what, const QUrl &url, const WsClient::ConnectOptions &options)
{
    const WsClient::ProxyOptions proxy = WsClient::proxyFor(url, options);
    qInfo().noquote() << what << url.toString() << "->"
                      << (proxy.isProxied() ? proxy.toUrl().toString() : QStringLiteral("direct"));
}

void httpProxy()
{
    //! [http]
    // HTTP CONNECT (websocket-client's http_proxy_host/port/auth, proxy_type="http")
    WsClient::ProxyOptions proxy(WsClient::ProxyOptions::Type::Http, QStringLiteral("proxy.example"), 3128);
    proxy.setUser(QStringLiteral("alice")); // Basic authentication, optional
    proxy.setPassword(QStringLiteral("s3cret"));
    proxy.setNoProxy({ QStringLiteral("localhost"), QStringLiteral(".internal.example") }); // http_no_proxy
    proxy.setTimeout(5000); // limit for reaching the proxy and building the tunnel (http_proxy_timeout)
    WsClient::ConnectOptions options;
    options.setProxy(proxy);
    //! [http]
    show("http:", QUrl(QStringLiteral("wss://stream.example/feed")), options);
    show("http:", QUrl(QStringLiteral("ws://db.internal.example/")), options);
}

void socksProxies()
{
    WsClient::ConnectOptions options;
    //! [socks]
    // One URL says it all: socks4, socks4a, socks5 or socks5h (a and h: the proxy resolves the name).
    QString error;
    const WsClient::ProxyOptions proxy
        = WsClient::ProxyOptions::fromUrl(QUrl(QStringLiteral("socks5h://bob:pa55@127.0.0.1:1080")), &error);
    if (!error.isEmpty())
        qInfo().noquote() << "bad proxy URL:" << error;
    options.setProxy(proxy);
    //! [socks]
    show("socks5h:", QUrl(QStringLiteral("ws://echo.example/")), options);
    for (const char *scheme : { "socks4", "socks4a", "socks5" }) {
        options.setProxy(WsClient::ProxyOptions::fromUrl(
            QUrl(QString::fromLatin1(scheme) + QStringLiteral("://127.0.0.1:1080"))));
        show(scheme, QUrl(QStringLiteral("ws://echo.example/")), options);
    }
    const WsClient::ProxyOptions bad
        = WsClient::ProxyOptions::fromUrl(QUrl(QStringLiteral("ftp://x:1")), &error);
    qInfo().noquote() << "ftp:" << error;
}

void environment()
{
    //! [environment]
    // Without an explicit proxy, the environment decides (as curl and websocket-client do):
    // http_proxy for ws://, https_proxy for wss://, unless no_proxy matches the host.
    qputenv("https_proxy", "http://proxy.example:3128");
    qputenv("no_proxy", "localhost,127.0.0.0/8,.corp.example");
    WsClient::ConnectOptions options; // proxy() is Type::None: "direct unless the environment says otherwise"
    const WsClient::ProxyOptions used
        = WsClient::proxyFor(QUrl(QStringLiteral("wss://stream.example/")), options);
    qInfo() << used.isProxied() << used.host() << used.port(); // true "proxy.example" 3128

    // Type::Direct ignores the environment.
    options.setProxy(WsClient::ProxyOptions(WsClient::ProxyOptions::Type::Direct, QString(), 0));
    //! [environment]
    show("direct:", QUrl(QStringLiteral("wss://stream.example/")), options);
    options.setProxy({});
    show("env:", QUrl(QStringLiteral("ws://stream.example/")), options); // http_proxy unset
    show("env:", QUrl(QStringLiteral("wss://10.0.0.1/")), options);
    show("env:", QUrl(QStringLiteral("wss://127.0.0.1:8765/")), options);
    show("env:", QUrl(QStringLiteral("wss://build.corp.example/")), options);
}

// Not run here: it needs a proxy. It is the whole of going through one.
[[maybe_unused]] void connectThroughProxy(const QUrl &url)
{
    //! [connect]
    WsClient::ConnectOptions options;
    options.setProxy(WsClient::ProxyOptions::fromUrl(QUrl(QStringLiteral("http://proxy.example:3128"))));
    auto ws = WsClient::WebSocket::connectTo(url, options);
    if (ws->error() == WsClient::Error::Proxy)
        qInfo().noquote() << "the proxy said no:" << ws->errorString();
    //! [connect]
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    httpProxy();
    socksProxies();
    environment();
    return 0;
}
