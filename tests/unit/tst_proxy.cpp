// ProxyOptions parsing, no_proxy rules and the environment rules of proxyFor().
#include <WsClient/options.h>
#include <WsClient/proxy.h>

#include <QtTest/QtTest>

using namespace WsClient;
using Type = ProxyOptions::Type;

namespace {

const char *const proxyVariables[]
    = { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY" };

void clearProxyEnvironment()
{
    for (const char *name : proxyVariables)
        qunsetenv(name);
}

} // namespace

class tst_Proxy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init() { clearProxyEnvironment(); }
    void cleanup() { clearProxyEnvironment(); }

    void fromUrl_data();
    void fromUrl();
    void fromUrlErrors_data();
    void fromUrlErrors();
    void toUrlHidesPassword();
    void noProxyRules_data();
    void noProxyRules();
    void environment_data();
    void environment();
    void explicitProxy();
    void explicitProxyIgnoresEnvironmentNoProxy();
    void directIgnoresEnvironment();
    void explicitNoProxyListAppliesToEnvironment();
};

void tst_Proxy::fromUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::newRow("http") << "http://proxy:3128" << int(Type::Http) << "proxy" << 3128 << ""
                          << "";
    QTest::newRow("https means http") << "https://proxy:3128" << int(Type::Http) << "proxy" << 3128 << ""
                                      << "";
    QTest::newRow("http default port") << "http://proxy" << int(Type::Http) << "proxy" << 8080 << ""
                                       << "";
    QTest::newRow("socks4") << "socks4://p:1" << int(Type::Socks4) << "p" << 1 << ""
                            << "";
    QTest::newRow("socks4a") << "socks4a://p" << int(Type::Socks4a) << "p" << 1080 << ""
                             << "";
    QTest::newRow("socks5") << "SOCKS5://p:9" << int(Type::Socks5) << "p" << 9 << ""
                            << "";
    QTest::newRow("socks5h") << "socks5h://p" << int(Type::Socks5h) << "p" << 1080 << ""
                             << "";
    QTest::newRow("credentials") << "http://us%3Aer:p%40ss@proxy:1" << int(Type::Http) << "proxy" << 1
                                 << "us:er"
                                 << "p@ss";
    QTest::newRow("ipv6") << "socks5://[::1]:1080" << int(Type::Socks5) << "::1" << 1080 << ""
                          << "";
}

void tst_Proxy::fromUrl()
{
    QFETCH(QString, url);
    QFETCH(int, type);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QString error = QStringLiteral("stale");
    const ProxyOptions proxy = ProxyOptions::fromUrl(QUrl(url), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(int(proxy.type()), type);
    QCOMPARE(proxy.host(), host);
    QCOMPARE(int(proxy.port()), port);
    QCOMPARE(proxy.user(), user);
    QCOMPARE(proxy.password(), password);
    QVERIFY(proxy.isProxied());
}

void tst_Proxy::fromUrlErrors_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("unknown type") << "ftp://proxy:21"
                                  << "unknown proxy type \"ftp\"";
    QTest::newRow("socks6") << "socks6://proxy:21"
                            << "unknown proxy type \"socks6\"";
    QTest::newRow("port 0") << "http://proxy:0"
                            << "port 0";
    QTest::newRow("no host") << "socks5://:1080"
                             << "no host";
}

void tst_Proxy::fromUrlErrors()
{
    QFETCH(QString, url);
    QFETCH(QString, mentions);
    QString error;
    const ProxyOptions proxy = ProxyOptions::fromUrl(QUrl(url), &error);
    QCOMPARE(proxy.type(), Type::None);
    QVERIFY2(error.contains(mentions), qPrintable(error));
}

void tst_Proxy::toUrlHidesPassword()
{
    ProxyOptions proxy(Type::Socks5h, QStringLiteral("p"), 0);
    proxy.setUser(QStringLiteral("u"));
    proxy.setPassword(QStringLiteral("secret"));
    QCOMPARE(proxy.toUrl().toString(), QStringLiteral("socks5h://u@p:1080"));
    QCOMPARE(proxy.toUrl(true).toString(), QStringLiteral("socks5h://u:secret@p:1080"));
}

void tst_Proxy::noProxyRules_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QStringList>("rules");
    QTest::addColumn<bool>("matches");
    const QStringList example { QStringLiteral("example.com") };
    const QStringList dotExample { QStringLiteral(".example.com") };
    QTest::newRow("star") << "anything.org" << 80 << QStringList { QStringLiteral("*") } << true;
    QTest::newRow("empty list") << "example.com" << 80 << QStringList() << false;
    QTest::newRow("exact") << "example.com" << 80 << example << true;
    QTest::newRow("exact case-insensitive")
        << "EXAMPLE.com" << 80 << QStringList { QStringLiteral("Example.COM") } << true;
    QTest::newRow("trailing dot") << "example.com." << 80 << example << true;
    QTest::newRow("bare domain covers subdomain") << "ws.example.com" << 80 << example << true;
    QTest::newRow("bare domain label boundary") << "badexample.com" << 80 << example << false;
    QTest::newRow("dot suffix subdomain") << "a.b.example.com" << 80 << dotExample << true;
    QTest::newRow("dot suffix the domain itself") << "example.com" << 80 << dotExample << true;
    QTest::newRow("dot suffix label boundary") << "badexample.com" << 80 << dotExample << false;
    QTest::newRow("star-dot suffix") << "a.example.com" << 80
                                     << QStringList { QStringLiteral("*.example.com") } << true;
    QTest::newRow("other domain") << "example.org" << 80 << example << false;
    QTest::newRow("entries trimmed") << "example.com" << 80
                                     << QStringList { QStringLiteral(" x.org "),
                                            QStringLiteral(" example.com ") }
                                     << true;
    QTest::newRow("ipv4 exact") << "10.1.2.3" << 80 << QStringList { QStringLiteral("10.1.2.3") } << true;
    QTest::newRow("ipv4 other") << "10.1.2.4" << 80 << QStringList { QStringLiteral("10.1.2.3") } << false;
    QTest::newRow("ipv4 cidr in") << "192.168.5.7" << 80 << QStringList { QStringLiteral("192.168.0.0/16") }
                                  << true;
    QTest::newRow("ipv4 cidr out") << "192.169.5.7" << 80 << QStringList { QStringLiteral("192.168.0.0/16") }
                                   << false;
    QTest::newRow("ipv4 cidr /32") << "10.0.0.1" << 80 << QStringList { QStringLiteral("10.0.0.1/32") }
                                   << true;
    QTest::newRow("cidr never matches names")
        << "localhost" << 80 << QStringList { QStringLiteral("127.0.0.0/8") } << false;
    QTest::newRow("ipv6 exact") << "::1" << 80 << QStringList { QStringLiteral("::1") } << true;
    QTest::newRow("ipv6 exact other spelling")
        << "[0:0::1]" << 80 << QStringList { QStringLiteral("::1") } << true;
    QTest::newRow("ipv6 bracketed rule") << "::1" << 80 << QStringList { QStringLiteral("[::1]") } << true;
    QTest::newRow("ipv6 cidr in") << "2001:db8::5" << 80 << QStringList { QStringLiteral("2001:db8::/32") }
                                  << true;
    QTest::newRow("ipv6 cidr out") << "2001:db9::5" << 80 << QStringList { QStringLiteral("2001:db8::/32") }
                                   << false;
    QTest::newRow("ipv4 cidr vs ipv6 host")
        << "::1" << 80 << QStringList { QStringLiteral("0.0.0.0/0") } << false;
    QTest::newRow("host:port same") << "example.com" << 8080
                                    << QStringList { QStringLiteral("example.com:8080") } << true;
    QTest::newRow("host:port other port")
        << "example.com" << 80 << QStringList { QStringLiteral("example.com:8080") } << false;
    QTest::newRow("ipv4:port") << "10.0.0.1" << 9000 << QStringList { QStringLiteral("10.0.0.1:9000") }
                               << true;
    QTest::newRow("[ipv6]:port") << "::1" << 9000 << QStringList { QStringLiteral("[::1]:9000") } << true;
    QTest::newRow("[ipv6]:port other")
        << "::1" << 9001 << QStringList { QStringLiteral("[::1]:9000") } << false;
    QTest::newRow("suffix:port") << "a.example.com" << 443
                                 << QStringList { QStringLiteral(".example.com:443") } << true;
    QTest::newRow("malformed entries ignored") << "example.com" << 80
                                               << QStringList { QStringLiteral("[::1"), QStringLiteral("a:b"),
                                                      QStringLiteral("."), QStringLiteral("x/99") }
                                               << false;
}

void tst_Proxy::noProxyRules()
{
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QStringList, rules);
    QFETCH(bool, matches);
    QCOMPARE(matchesNoProxy(host, quint16(port), rules), matches);
}

void tst_Proxy::environment_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("variables"); // name=value pairs
    QTest::addColumn<QString>("expected"); // proxy URL with password, or "direct"
    QTest::newRow("nothing set") << "ws://example.com/" << QStringList() << "direct";
    QTest::newRow("http_proxy for ws")
        << "ws://example.com/" << QStringList { QStringLiteral("http_proxy=http://p:3128") }
        << "http://p:3128";
    QTest::newRow("HTTP_PROXY for ws")
        << "ws://example.com/" << QStringList { QStringLiteral("HTTP_PROXY=http://P:3128") }
        << "http://p:3128";
    QTest::newRow("lower case wins") << "ws://example.com/"
                                     << QStringList { QStringLiteral("http_proxy=http://lower:1"),
                                            QStringLiteral("HTTP_PROXY=http://upper:2") }
                                     << "http://lower:1";
    QTest::newRow("wss ignores http_proxy")
        << "wss://example.com/" << QStringList { QStringLiteral("http_proxy=http://p:3128") } << "direct";
    QTest::newRow("ws ignores https_proxy")
        << "ws://example.com/" << QStringList { QStringLiteral("https_proxy=http://p:3128") } << "direct";
    QTest::newRow("https_proxy for wss")
        << "wss://example.com/" << QStringList { QStringLiteral("https_proxy=http://s:1") } << "http://s:1";
    QTest::newRow("HTTPS_PROXY for wss")
        << "wss://example.com/" << QStringList { QStringLiteral("HTTPS_PROXY=socks5h://s:1") }
        << "socks5h://s:1";
    QTest::newRow("no scheme means http")
        << "ws://example.com/" << QStringList { QStringLiteral("http_proxy=p:3128") } << "http://p:3128";
    QTest::newRow("credentials in the URL")
        << "ws://example.com/" << QStringList { QStringLiteral("http_proxy=http://user:p%40ss@p:3128") }
        << "http://user:p%40ss@p:3128";
    QTest::newRow("no_proxy matches") << "ws://ws.example.com/"
                                      << QStringList { QStringLiteral("http_proxy=http://p:1"),
                                             QStringLiteral("no_proxy=other.org, .example.com") }
                                      << "direct";
    QTest::newRow("NO_PROXY matches")
        << "ws://example.com/"
        << QStringList { QStringLiteral("http_proxy=http://p:1"), QStringLiteral("NO_PROXY=example.com") }
        << "direct";
    QTest::newRow("no_proxy label boundary")
        << "ws://badexample.com/"
        << QStringList { QStringLiteral("http_proxy=http://p:1"), QStringLiteral("no_proxy=example.com") }
        << "http://p:1";
    QTest::newRow("no_proxy star") << "wss://x.y/"
                                   << QStringList { QStringLiteral("https_proxy=http://p:1"),
                                          QStringLiteral("no_proxy=*") }
                                   << "direct";
    QTest::newRow("no_proxy cidr") << "ws://10.2.3.4:9000/"
                                   << QStringList { QStringLiteral("http_proxy=http://p:1"),
                                          QStringLiteral("no_proxy=10.0.0.0/8") }
                                   << "direct";
    QTest::newRow("no_proxy ipv6 cidr")
        << "ws://[fd00::1]/"
        << QStringList { QStringLiteral("http_proxy=http://p:1"), QStringLiteral("no_proxy=fd00::/8") }
        << "direct";
    QTest::newRow("no_proxy host:port uses the URL's port")
        << "wss://example.com/"
        << QStringList { QStringLiteral("https_proxy=http://p:1"),
               QStringLiteral("no_proxy=example.com:443") }
        << "direct";
    QTest::newRow("no_proxy host:port other port")
        << "ws://example.com:8080/"
        << QStringList { QStringLiteral("http_proxy=http://p:1"), QStringLiteral("no_proxy=example.com:80") }
        << "http://p:1";
}

void tst_Proxy::environment()
{
    QFETCH(QString, url);
    QFETCH(QStringList, variables);
    QFETCH(QString, expected);
    for (const QString &variable : variables) {
        const qsizetype eq = variable.indexOf(QLatin1Char('='));
        qputenv(variable.left(eq).toLatin1().constData(), variable.mid(eq + 1).toUtf8());
    }
    const ProxyOptions proxy = proxyFor(QUrl(url), ConnectOptions());
    if (expected == QLatin1String("direct")) {
        QCOMPARE(proxy.type(), Type::Direct);
        QVERIFY(!proxy.isProxied());
    } else {
        QVERIFY(proxy.isProxied());
        QCOMPARE(proxy.toUrl(true).toString(), expected);
    }
}

void tst_Proxy::explicitProxy()
{
    ConnectOptions options;
    ProxyOptions proxy(Type::Socks4a, QStringLiteral("p"), 0);
    proxy.setNoProxy({ QStringLiteral("internal.lan"), QStringLiteral("10.0.0.0/8") });
    options.setProxy(proxy);
    QCOMPARE(proxyFor(QUrl(QStringLiteral("ws://example.com")), options).toUrl().toString(),
        QStringLiteral("socks4a://p:1080"));
    QCOMPARE(proxyFor(QUrl(QStringLiteral("ws://a.internal.lan")), options).type(), Type::Direct);
    QCOMPARE(proxyFor(QUrl(QStringLiteral("wss://10.9.8.7")), options).type(), Type::Direct);
}

void tst_Proxy::explicitProxyIgnoresEnvironmentNoProxy()
{
    qputenv("no_proxy", "*");
    ConnectOptions options;
    options.setProxy(ProxyOptions(Type::Http, QStringLiteral("p"), 3128));
    QCOMPARE(proxyFor(QUrl(QStringLiteral("ws://example.com")), options).type(), Type::Http);
}

void tst_Proxy::directIgnoresEnvironment()
{
    qputenv("http_proxy", "http://p:1");
    ConnectOptions options;
    ProxyOptions direct;
    direct.setType(Type::Direct);
    options.setProxy(direct);
    QCOMPARE(proxyFor(QUrl(QStringLiteral("ws://example.com")), options).type(), Type::Direct);
}

void tst_Proxy::explicitNoProxyListAppliesToEnvironment()
{
    qputenv("http_proxy", "http://p:1");
    ConnectOptions options;
    ProxyOptions rulesOnly;
    rulesOnly.setNoProxy({ QStringLiteral("example.com") });
    options.setProxy(rulesOnly);
    QCOMPARE(proxyFor(QUrl(QStringLiteral("ws://example.com")), options).type(), Type::Direct);
    QCOMPARE(proxyFor(QUrl(QStringLiteral("ws://example.org")), options).type(), Type::Http);
}

QTEST_APPLESS_MAIN(tst_Proxy)
#include "tst_proxy.moc"
