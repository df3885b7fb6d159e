#include "connectionsettings.h"

#include <WsClient/proxy.h>

#include <QtCore/qsettings.h>

using namespace WsClient;

namespace {

bool parseHeaders(const QString &text, ConnectOptions::HeaderList *headers, QString *error)
{
    int lineNumber = 0;
    for (const QString &rawLine : text.split(QLatin1Char('\n'))) {
        ++lineNumber;
        const QString line = rawLine.trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        const QString name = line.left(colon).trimmed();
        if (colon < 0 || name.isEmpty() || name.contains(QLatin1Char(' '))) {
            *error = QObject::tr("header line %1 is not \"Name: value\": %2").arg(lineNumber).arg(line);
            return false;
        }
        headers->append({ name.toLatin1(), line.mid(colon + 1).trimmed().toUtf8() });
    }
    return true;
}

} // namespace

bool ConnectionSettings::toConnectOptions(ConnectOptions *options, QString *error) const
{
    ConnectOptions result;
    ConnectOptions::HeaderList headerList;
    if (!parseHeaders(headers, &headerList, error))
        return false;
    result.setHeaders(headerList);

    QStringList protocols;
    for (const QString &protocol : subprotocols.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!protocol.trimmed().isEmpty())
            protocols.append(protocol.trimmed());
    }
    result.setSubprotocols(protocols);
    if (!origin.trimmed().isEmpty())
        result.setOrigin(origin.trimmed().toUtf8());

    if (!proxyUrl.trimmed().isEmpty()) {
        QString why;
        const ProxyOptions proxy = ProxyOptions::fromUrl(QUrl(proxyUrl.trimmed(), QUrl::StrictMode), &why);
        if (!proxy.isProxied()) {
            *error = QObject::tr("proxy URL: %1").arg(why.isEmpty() ? QObject::tr("not a proxy") : why);
            return false;
        }
        result.setProxy(proxy);
    }
    if (ignoreTlsErrors) {
        SslOptions ssl;
        ssl.setVerifyPeer(false);
        ssl.setCheckHostname(false);
        result.setSslOptions(ssl);
    }
    if (compression)
        result.setCompression(CompressionOptions::enabledDefaults());
    *options = result;
    return true;
}

void ConnectionSettings::save(QSettings &settings) const
{
    settings.beginGroup(QStringLiteral("connection"));
    settings.setValue(QStringLiteral("headers"), headers);
    settings.setValue(QStringLiteral("subprotocols"), subprotocols);
    settings.setValue(QStringLiteral("origin"), origin);
    settings.setValue(QStringLiteral("proxy"), proxyUrl);
    settings.setValue(QStringLiteral("ignoreTlsErrors"), ignoreTlsErrors);
    settings.setValue(QStringLiteral("compression"), compression);
    settings.setValue(QStringLiteral("pingInterval"), pingIntervalSeconds);
    settings.setValue(QStringLiteral("reconnect"), reconnect);
    settings.endGroup();
}

ConnectionSettings ConnectionSettings::load(QSettings &settings)
{
    ConnectionSettings s;
    settings.beginGroup(QStringLiteral("connection"));
    s.headers = settings.value(QStringLiteral("headers")).toString();
    s.subprotocols = settings.value(QStringLiteral("subprotocols")).toString();
    s.origin = settings.value(QStringLiteral("origin")).toString();
    s.proxyUrl = settings.value(QStringLiteral("proxy")).toString();
    s.ignoreTlsErrors = settings.value(QStringLiteral("ignoreTlsErrors"), false).toBool();
    s.compression = settings.value(QStringLiteral("compression"), false).toBool();
    s.pingIntervalSeconds = settings.value(QStringLiteral("pingInterval"), 0).toInt();
    s.reconnect = settings.value(QStringLiteral("reconnect"), false).toBool();
    settings.endGroup();
    return s;
}

bool ConnectionSettings::operator==(const ConnectionSettings &other) const
{
    return headers == other.headers && subprotocols == other.subprotocols && origin == other.origin
        && proxyUrl == other.proxyUrl && ignoreTlsErrors == other.ignoreTlsErrors
        && compression == other.compression && pingIntervalSeconds == other.pingIntervalSeconds
        && reconnect == other.reconnect;
}
