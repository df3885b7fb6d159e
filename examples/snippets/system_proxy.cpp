// Qt's proxy settings and QNetworkProxy (docs/qtnetwork.md, "Proxies"). Connects nowhere: it
// prints which proxy each connection would use (proxyFor()).
#include <WsClient/ProxyOptions>
#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>
#include <QtNetwork/qnetworkproxy.h>

namespace {

void show(const char *url, const WsClient::ConnectOptions &options)
{
    const WsClient::ProxyOptions proxy = WsClient::proxyFor(QUrl(QString::fromLatin1(url)), options);
    qInfo().noquote() << "  " << url << "->"
                      << (proxy.isProxied() ? proxy.toUrl().toString() : QStringLiteral("direct"));
}

//! [factory]
// Chooses proxies for the whole application: QNetworkAccessManager and WsClient ask it alike.
class OfficeProxies : public QNetworkProxyFactory
{
public:
    QList<QNetworkProxy> queryProxy(const QNetworkProxyQuery &query) override
    {
        // ws:// URLs are asked as http://, wss:// as https://
        if (query.url().host().endsWith(QLatin1String(".office.example")))
            return { QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("gate.office.example"), 8080) };
        return { QNetworkProxy::NoProxy };
    }
};
//! [factory]

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qputenv("http_proxy", "http://proxy.example:3128");
    qputenv("https_proxy", "http://tls-proxy.example:3129");
    qputenv("no_proxy", "intranet.example");

    //! [system]
    // Whatever Qt's proxy settings say for the URL, as for a QNetworkAccessManager; on Linux the
    // system's settings are the environment (http_proxy for ws://, https_proxy for wss://, no_proxy).
    WsClient::ConnectOptions options;
    options.setProxy(WsClient::ProxyOptions::systemProxy());
    //! [system]
    qInfo() << "system settings:";
    show("ws://stream.example/", options);
    show("wss://stream.example/", options);
    show("ws://intranet.example/", options);
    show("ws://localhost:8765/", options); // Qt never proxies localhost

    //! [application]
    QNetworkProxyFactory::setApplicationProxyFactory(new OfficeProxies); // Qt owns it
    //! [application]
    qInfo() << "application factory:";
    show("wss://chat.office.example/", options);
    show("wss://stream.example/", options);

    //! [qnetworkproxy]
    // A QNetworkProxy is accepted where ProxyOptions are; Qt's SOCKS5 default resolves names at
    // the proxy (HostNameLookupCapability), which is socks5h.
    options.setProxy(QNetworkProxy(QNetworkProxy::Socks5Proxy, QStringLiteral("socks.example"), 1080));
    //! [qnetworkproxy]
    qInfo() << "QNetworkProxy:";
    show("wss://chat.office.example/", options);

    //! [back]
    // And back, for a QNetworkAccessManager beside the connection (SOCKS4 has no Qt form: ok false).
    bool ok = false;
    const QNetworkProxy forManager = options.proxy().toNetworkProxy(&ok);
    //! [back]
    qInfo() << "back to Qt:" << ok << (forManager.type() == QNetworkProxy::Socks5Proxy)
            << forManager.hostName() << forManager.port();

    //! [explicit]
    // An explicit proxy wins over Qt's settings and the environment; Type::Direct ignores them all.
    options.setProxy(
        WsClient::ProxyOptions(WsClient::ProxyOptions::Type::Http, QStringLiteral("mine.example"), 8888));
    //! [explicit]
    qInfo() << "explicit:";
    show("wss://chat.office.example/", options);
    return 0;
}
