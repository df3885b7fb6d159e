// The connection options the inspector offers, as the user typed them, and how they become
// WsClient's ConnectOptions.
#pragma once

#include <WsClient/options.h>

#include <QtCore/qstring.h>

QT_BEGIN_NAMESPACE
class QSettings;
QT_END_NAMESPACE

struct ConnectionSettings
{
    QString headers; // "Name: value" lines
    QString subprotocols; // comma-separated, most preferred first
    QString origin; // empty: WsClient's default
    QString proxyUrl; // http://, socks4://, socks4a://, socks5://, socks5h://; empty: environment
    bool ignoreTlsErrors = false;
    bool compression = false; // offer permessage-deflate
    int pingIntervalSeconds = 0; // 0: no keepalive pings
    bool reconnect = false; // reconnect with backoff after drops and failures

    // The options for WebSocketApp; false with \a error for a malformed header line or proxy URL.
    bool toConnectOptions(WsClient::ConnectOptions *options, QString *error) const;

    // Under the group "connection" of \a settings.
    void save(QSettings &settings) const;
    static ConnectionSettings load(QSettings &settings);

    bool operator==(const ConnectionSettings &other) const;
    bool operator!=(const ConnectionSettings &other) const { return !(*this == other); }
};
