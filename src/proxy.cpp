#include "proxy_p.h"

#include <WsClient/options.h>

#include <QtNetwork/qhostaddress.h>
#include <QtNetwork/qnetworkproxy.h>

namespace WsClient {

class ProxyOptionsPrivate : public QSharedData
{
public:
    ProxyOptions::Type type = ProxyOptions::Type::None;
    QString host;
    quint16 port = 0;
    QString user;
    QString password;
    QStringList noProxy;
    int timeout = -1;
    QString errorString; // from a QNetworkProxy that cannot tunnel

    bool operator==(const ProxyOptionsPrivate &o) const
    {
        return type == o.type && host == o.host && port == o.port && user == o.user && password == o.password
            && noProxy == o.noProxy && timeout == o.timeout && errorString == o.errorString;
    }
};

ProxyOptions::ProxyOptions() : d(new ProxyOptionsPrivate) { }

ProxyOptions::ProxyOptions(Type type, const QString &host, quint16 port) : d(new ProxyOptionsPrivate)
{
    d->type = type;
    d->host = host;
    d->port = port;
}

ProxyOptions::ProxyOptions(const QNetworkProxy &proxy) : d(new ProxyOptionsPrivate)
{
    d->type = typeOfNetworkProxy(proxy, &d->errorString);
    d->host = proxy.hostName();
    d->port = proxy.port();
    d->user = proxy.user();
    d->password = proxy.password();
}

ProxyOptions::ProxyOptions(const ProxyOptions &other) = default;
ProxyOptions &ProxyOptions::operator=(const ProxyOptions &other) = default;
ProxyOptions::~ProxyOptions() = default;

ProxyOptions::Type ProxyOptions::type() const
{
    return d->type;
}
void ProxyOptions::setType(Type type)
{
    d->type = type;
    d->errorString.clear(); // the type is chosen anew: what a conversion found no longer applies
}
QString ProxyOptions::host() const
{
    return d->host;
}
void ProxyOptions::setHost(const QString &host)
{
    d->host = host;
}
quint16 ProxyOptions::port() const
{
    return d->port;
}
void ProxyOptions::setPort(quint16 port)
{
    d->port = port;
}
QString ProxyOptions::user() const
{
    return d->user;
}
void ProxyOptions::setUser(const QString &user)
{
    d->user = user;
}
QString ProxyOptions::password() const
{
    return d->password;
}
void ProxyOptions::setPassword(const QString &password)
{
    d->password = password;
}
QStringList ProxyOptions::noProxy() const
{
    return d->noProxy;
}
void ProxyOptions::setNoProxy(const QStringList &rules)
{
    d->noProxy = rules;
}
int ProxyOptions::timeout() const
{
    return d->timeout;
}
void ProxyOptions::setTimeout(int msecs)
{
    d->timeout = msecs;
}
QString ProxyOptions::errorString() const
{
    return d->errorString;
}
bool ProxyOptions::operator==(const ProxyOptions &other) const
{
    return d == other.d || *d == *other.d;
}

namespace {

struct SchemeType
{
    const char *scheme;
    ProxyOptions::Type type;
};

constexpr SchemeType schemeTypes[] = {
    { "http", ProxyOptions::Type::Http },
    { "https", ProxyOptions::Type::Http },
    { "socks4", ProxyOptions::Type::Socks4 },
    { "socks4a", ProxyOptions::Type::Socks4a },
    { "socks5", ProxyOptions::Type::Socks5 },
    { "socks5h", ProxyOptions::Type::Socks5h },
};

QString schemeOf(ProxyOptions::Type type)
{
    for (const SchemeType &entry : schemeTypes) {
        if (entry.type == type)
            return QLatin1String(entry.scheme);
    }
    return {};
}

QString normalizedHost(QString host)
{
    host = host.trimmed().toLower();
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    if (host.endsWith(QLatin1Char('.')))
        host.chop(1);
    return host;
}

// Splits "host:port" / "[v6]:port" / "v6" / "host" into host and port (0 when none).
bool splitHostPort(const QString &entry, QString *host, quint16 *port)
{
    *port = 0;
    if (entry.startsWith(QLatin1Char('['))) {
        const qsizetype close = entry.indexOf(QLatin1Char(']'));
        if (close < 0)
            return false;
        *host = entry.mid(1, close - 1);
        const QString rest = entry.mid(close + 1);
        if (rest.isEmpty())
            return true;
        if (!rest.startsWith(QLatin1Char(':')))
            return false;
        bool ok = false;
        *port = rest.mid(1).toUShort(&ok);
        return ok && *port != 0;
    }
    // More than one colon: a bare IPv6 address, which cannot carry a port without brackets.
    if (entry.count(QLatin1Char(':')) == 1) {
        const qsizetype colon = entry.indexOf(QLatin1Char(':'));
        *host = entry.left(colon);
        bool ok = false;
        *port = entry.mid(colon + 1).toUShort(&ok);
        return ok && *port != 0;
    }
    *host = entry;
    return true;
}

bool matchesRule(const QString &host, const QHostAddress &address, quint16 port, QString rule)
{
    rule = rule.trimmed().toLower();
    if (rule.isEmpty())
        return false;
    if (rule == QLatin1String("*"))
        return true;
    if (rule.contains(QLatin1Char('/'))) {
        const auto subnet = QHostAddress::parseSubnet(rule);
        return subnet.first.protocol() != QAbstractSocket::UnknownNetworkLayerProtocol && !address.isNull()
            && address.isInSubnet(subnet);
    }
    QString ruleHost;
    quint16 rulePort = 0;
    if (!splitHostPort(rule, &ruleHost, &rulePort))
        return false;
    if (rulePort != 0 && rulePort != port)
        return false;
    ruleHost = normalizedHost(ruleHost);
    const QHostAddress ruleAddress(ruleHost);
    if (!ruleAddress.isNull())
        return !address.isNull() && address.isEqual(ruleAddress);
    // ".example.com", "*.example.com" and "example.com" all cover the domain and its subdomains,
    // on label boundaries only: example.com never matches badexample.com.
    if (ruleHost.startsWith(QLatin1String("*.")))
        ruleHost.remove(0, 2);
    else if (ruleHost.startsWith(QLatin1Char('.')))
        ruleHost.remove(0, 1);
    if (ruleHost.isEmpty())
        return false;
    return host == ruleHost
        || (host.endsWith(ruleHost) && host.at(host.size() - ruleHost.size() - 1) == QLatin1Char('.'));
}

QStringList splitRuleList(const QString &value)
{
    QStringList rules;
    const QStringList parts = value.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        const QString rule = part.trimmed();
        if (!rule.isEmpty())
            rules.append(rule);
    }
    return rules;
}

// The lower-case variable wins over the upper-case one, as in curl and websocket-client.
QString environmentValue(const char *lower, const char *upper, QString *name)
{
    for (const char *candidate : { lower, upper }) {
        const QString value = qEnvironmentVariable(candidate).trimmed();
        if (!value.isEmpty()) {
            *name = QLatin1String(candidate);
            return value;
        }
    }
    return {};
}

} // namespace

quint16 defaultProxyPort(ProxyOptions::Type type)
{
    return type == ProxyOptions::Type::Http ? 8080 : 1080;
}

ProxyOptions ProxyOptions::fromUrl(const QUrl &url, QString *errorString)
{
    auto failWith = [errorString](const QString &why) {
        if (errorString)
            *errorString = why;
        return ProxyOptions();
    };
    if (!url.isValid())
        return failWith(QStringLiteral("invalid proxy URL: %1").arg(url.errorString()));
    const QString scheme = url.scheme().toLower();
    Type type = Type::None;
    for (const SchemeType &entry : schemeTypes) {
        if (scheme == QLatin1String(entry.scheme))
            type = entry.type;
    }
    if (type == Type::None) {
        return failWith(
            QStringLiteral("unknown proxy type \"%1\" in %2 (expected http, socks4, socks4a, socks5 "
                           "or socks5h)")
                .arg(scheme, url.toDisplayString(QUrl::RemovePassword)));
    }
    if (url.host().isEmpty())
        return failWith(
            QStringLiteral("no host in proxy URL %1").arg(url.toDisplayString(QUrl::RemovePassword)));
    if (url.port() == 0)
        return failWith(
            QStringLiteral("port 0 in proxy URL %1").arg(url.toDisplayString(QUrl::RemovePassword)));
    ProxyOptions proxy(type, url.host(), url.port() > 0 ? quint16(url.port()) : defaultProxyPort(type));
    proxy.setUser(url.userName());
    proxy.setPassword(url.password());
    if (errorString)
        errorString->clear();
    return proxy;
}

QUrl ProxyOptions::toUrl(bool withPassword) const
{
    QUrl url;
    url.setScheme(schemeOf(type()));
    url.setHost(host());
    url.setPort(port() != 0 ? port() : defaultProxyPort(type()));
    url.setUserName(user());
    if (withPassword)
        url.setPassword(password());
    return url;
}

bool matchesNoProxy(const QString &host, quint16 port, const QStringList &rules)
{
    const QString normalized = normalizedHost(host);
    const QHostAddress address(normalized);
    for (const QString &rule : rules) {
        if (matchesRule(normalized, address, port, rule))
            return true;
    }
    return false;
}

ProxyDecision decideProxy(const ParsedUrl &url, const ConnectOptions &options)
{
    ProxyDecision decision;
    decision.proxy.setType(ProxyOptions::Type::Direct);
    const ProxyOptions explicitProxy = options.proxy();
    if (!explicitProxy.errorString().isEmpty()) {
        decision.errorString = explicitProxy.errorString();
        return decision;
    }
    if (explicitProxy.type() == ProxyOptions::Type::Direct)
        return decision;
    if (explicitProxy.type() == ProxyOptions::Type::System)
        return decideSystemProxy(url, explicitProxy);
    if (explicitProxy.isProxied()) {
        if (explicitProxy.host().trimmed().isEmpty()) {
            decision.errorString = QStringLiteral("the proxy options give no proxy host");
            return decision;
        }
        if (matchesNoProxy(url.host, url.port, explicitProxy.noProxy()))
            return decision;
        decision.proxy = explicitProxy;
        if (decision.proxy.port() == 0)
            decision.proxy.setPort(defaultProxyPort(decision.proxy.type()));
        decision.source = QStringLiteral("options");
        return decision;
    }

    QString variable;
    const QString value = url.secure ? environmentValue("https_proxy", "HTTPS_PROXY", &variable)
                                     : environmentValue("http_proxy", "HTTP_PROXY", &variable);
    if (value.isEmpty())
        return decision;
    QString noProxyVariable;
    const QStringList rules
        = explicitProxy.noProxy() + splitRuleList(environmentValue("no_proxy", "NO_PROXY", &noProxyVariable));
    if (matchesNoProxy(url.host, url.port, rules))
        return decision;
    // "host:port" without a scheme means an HTTP proxy, as curl reads it.
    const QUrl proxyUrl(value.contains(QLatin1String("://")) ? value : QStringLiteral("http://") + value);
    QString error;
    ProxyOptions fromEnvironment = ProxyOptions::fromUrl(proxyUrl, &error);
    if (!error.isEmpty()) {
        decision.errorString = QStringLiteral("environment variable %1: %2").arg(variable, error);
        return decision;
    }
    fromEnvironment.setTimeout(explicitProxy.timeout());
    decision.proxy = fromEnvironment;
    decision.source = QStringLiteral("environment variable ") + variable;
    return decision;
}

ProxyOptions proxyFor(const QUrl &url, const ConnectOptions &options)
{
    const ParsedUrl parsed = parseUrl(url);
    if (!parsed.isValid()) {
        ProxyOptions direct;
        direct.setType(ProxyOptions::Type::Direct);
        return direct;
    }
    return decideProxy(parsed, options).proxy;
}

} // namespace WsClient
