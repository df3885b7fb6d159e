// -p: the proxy a connection goes through. Kept apart so that it is the only place that needs
// WsClient's proxy support (which may not exist yet in the library wsdump is built against).
#pragma once

#include <WsClient/options.h>

#include <QtCore/qstring.h>

// Sets \a options' proxy from \a proxyUrl; false with \a error when the URL is invalid or the
// library has no proxy support.
bool applyProxy(const QString &proxyUrl, WsClient::ConnectOptions &options, QString *error);
