// For tests that change proxy settings (header-only): the proxy environment variables and Qt's
// process-wide proxy settings put back as they were when the test started.
//
//   initTestCase(): m_usedSystem = QNetworkProxyFactory::usesSystemConfiguration();
//   init() and cleanup(): ProxySettings::reset(m_usedSystem);
#pragma once

#include <QtCore/qbytearray.h>
#include <QtNetwork/qnetworkproxy.h>

namespace ProxySettings {

inline void reset(bool usedSystemConfiguration)
{
    for (const char *name : { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy",
             "NO_PROXY", "all_proxy", "ALL_PROXY" })
        qunsetenv(name);
    // setUseSystemConfiguration(true) also drops any application proxy and factory; without the
    // system configuration, an explicit "none" does the same.
    if (usedSystemConfiguration) {
        QNetworkProxyFactory::setUseSystemConfiguration(true);
    } else {
        QNetworkProxyFactory::setApplicationProxyFactory(nullptr);
        QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
    }
}

} // namespace ProxySettings
