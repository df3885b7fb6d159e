#include "proxysupport.h"

#include <WsClient/proxy.h>

bool applyProxy(const QString &proxyUrl, WsClient::ConnectOptions &options, QString *error)
{
#ifdef WSDUMP_HAVE_PROXY
    QString why;
    const WsClient::ProxyOptions proxy = WsClient::ProxyOptions::fromUrl(QUrl(proxyUrl), &why);
    if (proxy.type() == WsClient::ProxyOptions::Type::None) {
        *error = QStringLiteral("invalid proxy %1: %2").arg(proxyUrl, why);
        return false;
    }
    options.setProxy(proxy);
    return true;
#else
    Q_UNUSED(proxyUrl)
    Q_UNUSED(options)
    *error = QStringLiteral("proxy support not yet available");
    return false;
#endif
}
