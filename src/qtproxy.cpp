// Qt's side of proxies: ProxyOptions to and from QNetworkProxy, and ProxyOptions::Type::System,
// which asks Qt's proxy settings (QNetworkProxyFactory) when a connection starts. The tunnel itself
// is still built by WsClient's own codec (protocol/proxyhandshake.cpp), never by QTcpSocket.
#include "proxy_p.h"

#include "protocol/httpstate.h"

#include <QtNetwork/qnetworkproxy.h>

namespace WsClient {

namespace {

QString describe(const QNetworkProxy &proxy)
{
    static const char *const names[]
        = { "DefaultProxy", "Socks5Proxy", "NoProxy", "HttpProxy", "HttpCachingProxy", "FtpCachingProxy" };
    const int type = int(proxy.type());
    const QString name = type >= 0 && type < int(std::size(names))
        ? QLatin1String(names[type])
        : QStringLiteral("QNetworkProxy type %1").arg(type);
    return proxy.hostName().isEmpty()
        ? name
        : QStringLiteral("%1 %2:%3").arg(name, proxy.hostName()).arg(proxy.port());
}

} // namespace

ProxyOptions::Type typeOfNetworkProxy(const QNetworkProxy &proxy, QString *unusable)
{
    unusable->clear();
    const QNetworkProxy::Capabilities capabilities = proxy.capabilities();
    switch (proxy.type()) {
    case QNetworkProxy::DefaultProxy:
        return ProxyOptions::Type::System;
    case QNetworkProxy::NoProxy:
        return ProxyOptions::Type::Direct;
    case QNetworkProxy::Socks5Proxy:
        // A SOCKS5 proxy tunnels whatever its capability flags say: Qt's generic Unix factory
        // makes socks5h:// proxies with HostNameLookupCapability alone, and Qt's sockets then go
        // direct, past the proxy the user named. WsClient goes through it.
        return capabilities.testFlag(QNetworkProxy::HostNameLookupCapability) ? ProxyOptions::Type::Socks5h
                                                                              : ProxyOptions::Type::Socks5;
    case QNetworkProxy::HttpProxy:
        if (!capabilities.testFlag(QNetworkProxy::TunnelingCapability))
            *unusable
                = describe(proxy) + QStringLiteral(" without TunnelingCapability cannot carry a WebSocket");
        return ProxyOptions::Type::Http;
    case QNetworkProxy::HttpCachingProxy:
    case QNetworkProxy::FtpCachingProxy:
        break;
    }
    *unusable = describe(proxy)
        + QStringLiteral(" is a caching proxy, which cannot carry a WebSocket (an HttpProxy can)");
    return ProxyOptions::Type::Http;
}

ProxyOptions ProxyOptions::systemProxy()
{
    ProxyOptions proxy;
    proxy.setType(Type::System);
    return proxy;
}

QNetworkProxy ProxyOptions::toNetworkProxy(bool *ok) const
{
    const auto result = [ok](bool converted, const QNetworkProxy &proxy) {
        if (ok)
            *ok = converted;
        return proxy;
    };
    if (!errorString().isEmpty())
        return result(false, QNetworkProxy());
    const quint16 proxyPort = port() != 0 ? port() : defaultProxyPort(type());
    switch (type()) {
    case Type::None:
    case Type::System:
        return result(true, QNetworkProxy());
    case Type::Direct:
        return result(true, QNetworkProxy(QNetworkProxy::NoProxy));
    case Type::Http:
        return result(true, QNetworkProxy(QNetworkProxy::HttpProxy, host(), proxyPort, user(), password()));
    case Type::Socks5h:
        return result(true, QNetworkProxy(QNetworkProxy::Socks5Proxy, host(), proxyPort, user(), password()));
    case Type::Socks5: {
        QNetworkProxy proxy(QNetworkProxy::Socks5Proxy, host(), proxyPort, user(), password());
        proxy.setCapabilities(proxy.capabilities() & ~QNetworkProxy::HostNameLookupCapability);
        return result(true, proxy);
    }
    case Type::Socks4:
    case Type::Socks4a:
        break;
    }
    return result(false, QNetworkProxy());
}

ProxyDecision decideSystemProxy(const ParsedUrl &url, const ProxyOptions &settings)
{
    ProxyDecision decision;
    decision.proxy.setType(ProxyOptions::Type::Direct);
    if (matchesNoProxy(url.host, url.port, settings.noProxy()))
        return decision;
    // Asked as QNetworkAccessManager asks for the same URL in http(s) form: the system's settings
    // know http and https (https_proxy is for wss), not ws and wss.
    const QUrl queryUrl = Protocol::httpUrlFor(url, false);
    const QString source = QNetworkProxyFactory::usesSystemConfiguration()
        ? QStringLiteral("the system's proxy settings")
        : QStringLiteral("the application's proxy settings");
    const QList<QNetworkProxy> offered = QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(queryUrl));
    QStringList refused;
    for (const QNetworkProxy &candidate : offered) {
        QString unusable;
        const ProxyOptions::Type type = typeOfNetworkProxy(candidate, &unusable);
        // DefaultProxy in a factory's answer would mean "ask the factory": Qt's sockets skip it too.
        if (type == ProxyOptions::Type::System)
            unusable = describe(candidate) + QStringLiteral(" names no proxy");
        if (!unusable.isEmpty()) {
            refused.append(unusable);
            continue;
        }
        if (type == ProxyOptions::Type::Direct)
            return decision;
        ProxyOptions chosen(candidate);
        if (chosen.port() == 0)
            chosen.setPort(defaultProxyPort(type));
        chosen.setTimeout(settings.timeout());
        decision.proxy = chosen;
        decision.source = source;
        return decision;
    }
    decision.errorString = QStringLiteral("%1 offer no proxy that can carry a connection to %2")
                               .arg(source, queryUrl.toDisplayString());
    if (!refused.isEmpty())
        decision.errorString += QStringLiteral(": ") + refused.join(QStringLiteral("; "));
    return decision;
}

} // namespace WsClient
