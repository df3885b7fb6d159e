#pragma once

// The target of the proxy tests (tst_proxy, tst_proxyauthentication): a python echo server the URL
// names "localhost", so that name resolution (local or at the proxy) is part of the path, and
// ProxyOptions for a proxy started on 127.0.0.1.

#include "testcertificates.h"
#include "testserver.h"

#include <WsClient/options.h>
#include <WsClient/proxy.h>

struct Target
{
    TestServer server;
    QUrl url;
    WsClient::ConnectOptions options;
};

// A python echo server, ws or wss (certificate for localhost/127.0.0.1 signed by the test CA).
inline Target echoTarget(bool secure)
{
    const TestCertificates &certs = TestCertificates::instance();
    Target target { TestServer::python(secure ? certs.serverTlsArguments() : QStringList()), {}, {} };
    target.url = QUrl(QStringLiteral("%1://localhost:%2/echo")
                          .arg(secure ? QStringLiteral("wss") : QStringLiteral("ws"))
                          .arg(target.server.port()));
    if (secure) {
        WsClient::SslOptions ssl;
        ssl.setCaFile(certs.ca);
        target.options.setSslOptions(ssl);
    }
    return target;
}

inline WsClient::ProxyOptions proxyAt(
    WsClient::ProxyOptions::Type type, quint16 port, const QString &user = {}, const QString &password = {})
{
    WsClient::ProxyOptions proxy(type, QStringLiteral("127.0.0.1"), port);
    proxy.setUser(user);
    proxy.setPassword(password);
    return proxy;
}
