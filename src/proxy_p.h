#pragma once

#include <WsClient/proxy.h>
#include <WsClient/url.h>

namespace WsClient {

/*! The proxy decision for a parsed URL, with where it came from and a configuration error if any. */
struct ProxyDecision
{
    ProxyOptions proxy; //!< Type::Direct when the connection goes direct.
    QString source; //!< "options", "environment variable https_proxy", ... for traces.
    QString errorString; //!< Non-empty when the explicit or environment proxy cannot be used.
};

ProxyDecision decideProxy(const ParsedUrl &url, const ConnectOptions &options);

/*! The Type::System part of decideProxy(): Qt's proxy settings for \a url (src/qtproxy.cpp). */
ProxyDecision decideSystemProxy(const ParsedUrl &url, const ProxyOptions &settings);

/*!
    The type that stands for \a proxy (see ProxyOptions(const QNetworkProxy &)); \a unusable is set
    to why when the proxy cannot tunnel a connection, cleared otherwise.
*/
ProxyOptions::Type typeOfNetworkProxy(const QNetworkProxy &proxy, QString *unusable);

/*! Default port of a proxy type: 8080 for HTTP, 1080 for SOCKS. */
quint16 defaultProxyPort(ProxyOptions::Type type);

} // namespace WsClient
