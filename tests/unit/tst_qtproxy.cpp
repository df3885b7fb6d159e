// ProxyOptions and Qt: conversion to and from QNetworkProxy, and Type::System, which takes what
// QNetworkProxyFactory::proxyForQuery() offers (an application factory, the application proxy,
// the system's settings). No network: proxyFor() only decides, and a proxy Qt offers that cannot
// carry a WebSocket fails open() before any connection.
#include "proxysettings.h"

#include <WsClient/options.h>
#include <WsClient/proxy.h>
#include <WsClient/websocket.h>

#include <QtNetwork/qnetworkproxy.h>
#include <QtTest/QtTest>

#include <functional>

using namespace WsClient;
using Type = ProxyOptions::Type;

namespace {

// An application proxy factory answering with \a answer and recording what it was asked.
class TestFactory : public QNetworkProxyFactory
{
public:
    using Answer = std::function<QList<QNetworkProxy>(const QNetworkProxyQuery &)>;
    TestFactory(Answer answer, QList<QNetworkProxyQuery> *queries)
        : m_answer(std::move(answer)), m_queries(queries)
    { }
    QList<QNetworkProxy> queryProxy(const QNetworkProxyQuery &query) override
    {
        m_queries->append(query);
        return m_answer(query);
    }

private:
    Answer m_answer;
    QList<QNetworkProxyQuery> *m_queries;
};

QString shown(const ProxyOptions &proxy)
{
    return proxy.isProxied() ? proxy.toUrl(true).toString() : QString::number(int(proxy.type()));
}

QString decided(const char *url, const ProxyOptions &settings = ProxyOptions::systemProxy())
{
    ConnectOptions options;
    options.setProxy(settings);
    return shown(proxyFor(QUrl(QString::fromLatin1(url)), options));
}

const QString direct = QString::number(int(Type::Direct));

} // namespace

class tst_QtProxy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { m_usedSystem = QNetworkProxyFactory::usesSystemConfiguration(); }
    void init();
    void cleanup() { init(); }

    void fromNetworkProxy_data();
    void fromNetworkProxy();
    void toNetworkProxy_data();
    void toNetworkProxy();
    void unusableNetworkProxyFailsOpen();

    void applicationFactoryIsAsked();
    void firstUsableOfferWins();
    void nothingUsableFailsOpen();
    void loopbackAndNoProxyNeverAsk();
    void applicationProxyIsUsed();
    void systemSettingsReadTheEnvironment();
    void otherTypesIgnoreQtSettings();

private:
    bool m_usedSystem = true;
    QList<QNetworkProxyQuery> m_queries;
};

void tst_QtProxy::init()
{
    ProxySettings::reset(m_usedSystem);
    m_queries.clear();
}

void tst_QtProxy::fromNetworkProxy_data()
{
    QTest::addColumn<QNetworkProxy>("proxy");
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("usable");

    QNetworkProxy http(QNetworkProxy::HttpProxy, QStringLiteral("p.example"), 3128, QStringLiteral("u"),
        QStringLiteral("pw"));
    QTest::newRow("HttpProxy") << http << int(Type::Http) << "http://u:pw@p.example:3128" << true;
    QTest::newRow("Socks5Proxy, Qt's default capabilities: socks5h")
        << QNetworkProxy(QNetworkProxy::Socks5Proxy, QStringLiteral("s"), 1081) << int(Type::Socks5h)
        << "socks5h://s:1081" << true;
    QNetworkProxy local(QNetworkProxy::Socks5Proxy, QStringLiteral("s"), 1080);
    local.setCapabilities(QNetworkProxy::TunnelingCapability);
    QTest::newRow("Socks5Proxy without host name lookup: socks5")
        << local << int(Type::Socks5) << "socks5://s:1080" << true;
    // What Qt's generic Unix factory makes of socks5h:// in the environment.
    QNetworkProxy lookupOnly(QNetworkProxy::Socks5Proxy, QStringLiteral("s"), 1080);
    lookupOnly.setCapabilities(QNetworkProxy::HostNameLookupCapability);
    QTest::newRow("Socks5Proxy with lookup only")
        << lookupOnly << int(Type::Socks5h) << "socks5h://s:1080" << true;
    QTest::newRow("NoProxy") << QNetworkProxy(QNetworkProxy::NoProxy) << int(Type::Direct) << "" << true;
    QTest::newRow("DefaultProxy") << QNetworkProxy() << int(Type::System) << "" << true;
    QTest::newRow("HttpCachingProxy")
        << QNetworkProxy(QNetworkProxy::HttpCachingProxy, QStringLiteral("c"), 80) << int(Type::Http)
        << "http://c:80" << false;
    QTest::newRow("FtpCachingProxy") << QNetworkProxy(QNetworkProxy::FtpCachingProxy, QStringLiteral("c"), 21)
                                     << int(Type::Http) << "http://c:21" << false;
    QNetworkProxy cachingOnly = http;
    cachingOnly.setCapabilities(QNetworkProxy::CachingCapability);
    QTest::newRow("HttpProxy without tunnelling")
        << cachingOnly << int(Type::Http) << "http://u:pw@p.example:3128" << false;
}

void tst_QtProxy::fromNetworkProxy()
{
    QFETCH(QNetworkProxy, proxy);
    QFETCH(int, type);
    QFETCH(QString, url);
    QFETCH(bool, usable);
    const ProxyOptions options = proxy; // implicit, as ConnectOptions::setProxy(QNetworkProxy) uses it
    QCOMPARE(int(options.type()), type);
    if (!url.isEmpty())
        QCOMPARE(options.toUrl(true).toString(), url);
    QCOMPARE(options.errorString().isEmpty(), usable);
    if (!usable)
        QVERIFY2(options.errorString().contains(QLatin1String("cannot carry a WebSocket")),
            qPrintable(options.errorString()));
    ProxyOptions retyped = options;
    retyped.setType(Type::Http); // choosing a type anew drops what the conversion found
    QVERIFY(retyped.errorString().isEmpty());
}

void tst_QtProxy::toNetworkProxy_data()
{
    QTest::addColumn<ProxyOptions>("options");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("qtType");
    QTest::addColumn<bool>("lookup");
    QTest::addColumn<int>("port");

    ProxyOptions http(Type::Http, QStringLiteral("p"), 0);
    http.setUser(QStringLiteral("u"));
    http.setPassword(QStringLiteral("pw"));
    QTest::newRow("http, default port") << http << true << int(QNetworkProxy::HttpProxy) << true << 8080;
    QTest::newRow("socks5h") << ProxyOptions(Type::Socks5h, QStringLiteral("s"), 1) << true
                             << int(QNetworkProxy::Socks5Proxy) << true << 1;
    QTest::newRow("socks5") << ProxyOptions(Type::Socks5, QStringLiteral("s"), 2) << true
                            << int(QNetworkProxy::Socks5Proxy) << false << 2;
    QTest::newRow("direct") << ProxyOptions(Type::Direct, {}, 0) << true << int(QNetworkProxy::NoProxy)
                            << false << 0;
    QTest::newRow("system") << ProxyOptions::systemProxy() << true << int(QNetworkProxy::DefaultProxy)
                            << false << 0;
    QTest::newRow("none (environment)")
        << ProxyOptions() << true << int(QNetworkProxy::DefaultProxy) << false << 0;
    QTest::newRow("socks4: no Qt form") << ProxyOptions(Type::Socks4, QStringLiteral("s"), 3) << false
                                        << int(QNetworkProxy::DefaultProxy) << false << 0;
    QTest::newRow("socks4a: no Qt form") << ProxyOptions(Type::Socks4a, QStringLiteral("s"), 3) << false
                                         << int(QNetworkProxy::DefaultProxy) << false << 0;
    QTest::newRow("unusable") << ProxyOptions(
        QNetworkProxy(QNetworkProxy::HttpCachingProxy, QStringLiteral("c"), 1))
                              << false << int(QNetworkProxy::DefaultProxy) << false << 0;
}

void tst_QtProxy::toNetworkProxy()
{
    QFETCH(ProxyOptions, options);
    QFETCH(bool, ok);
    QFETCH(int, qtType);
    QFETCH(bool, lookup);
    QFETCH(int, port);
    bool converted = !ok;
    const QNetworkProxy proxy = options.toNetworkProxy(&converted);
    QCOMPARE(converted, ok);
    QCOMPARE(int(proxy.type()), qtType);
    if (proxy.type() == QNetworkProxy::HttpProxy || proxy.type() == QNetworkProxy::Socks5Proxy) {
        QCOMPARE(proxy.capabilities().testFlag(QNetworkProxy::HostNameLookupCapability), lookup);
        QVERIFY(proxy.capabilities().testFlag(QNetworkProxy::TunnelingCapability));
        QCOMPARE(int(proxy.port()), port);
        QCOMPARE(proxy.hostName(), options.host());
        QCOMPARE(proxy.user(), options.user());
        QCOMPARE(proxy.password(), options.password());
        // And back: the same type, host, user and password.
        const ProxyOptions back(proxy);
        QCOMPARE(back.type(), options.type());
        QCOMPARE(back.toUrl(true), options.toUrl(true));
    }
}

void tst_QtProxy::unusableNetworkProxyFailsOpen()
{
    ConnectOptions options;
    options.setProxy(QNetworkProxy(QNetworkProxy::HttpCachingProxy, QStringLiteral("127.0.0.1"), 1));
    auto ws = WebSocket::connectTo(QUrl(QStringLiteral("ws://example.invalid/")), options);
    QCOMPARE(ws->error(), Error::InvalidArgument);
    QVERIFY2(ws->errorString().contains(QLatin1String("HttpCachingProxy 127.0.0.1:1 is a caching proxy")),
        qPrintable(ws->errorString()));
}

void tst_QtProxy::applicationFactoryIsAsked()
{
    QNetworkProxyFactory::setApplicationProxyFactory(new TestFactory(
        [](const QNetworkProxyQuery &query) {
            const bool secure = query.url().scheme() == QLatin1String("https");
            return QList<QNetworkProxy> { QNetworkProxy(QNetworkProxy::HttpProxy,
                secure ? QStringLiteral("tls-proxy") : QStringLiteral("plain-proxy"), 3128,
                QStringLiteral("u")) };
        },
        &m_queries));
    QVERIFY(!QNetworkProxyFactory::usesSystemConfiguration());
    QCOMPARE(decided("ws://example.com:8080/chat?token=secret"), QStringLiteral("http://u@plain-proxy:3128"));
    QCOMPARE(decided("wss://example.com/"), QStringLiteral("http://u@tls-proxy:3128"));
    QCOMPARE(m_queries.size(), 2);
    // Asked as a QNetworkAccessManager would ask for the http(s) URL; the query string stays private.
    QCOMPARE(m_queries.at(0).queryType(), QNetworkProxyQuery::UrlRequest);
    QCOMPARE(m_queries.at(0).url(), QUrl(QStringLiteral("http://example.com:8080/")));
    QCOMPARE(m_queries.at(0).protocolTag(), QStringLiteral("http"));
    QCOMPARE(m_queries.at(0).peerPort(), 8080);
    QCOMPARE(m_queries.at(1).url(), QUrl(QStringLiteral("https://example.com/")));

    // The proxy timeout of the options is kept for the proxy Qt chose.
    ProxyOptions settings = ProxyOptions::systemProxy();
    settings.setTimeout(1234);
    ConnectOptions options;
    options.setProxy(settings);
    QCOMPARE(proxyFor(QUrl(QStringLiteral("ws://example.com/")), options).timeout(), 1234);
}

void tst_QtProxy::firstUsableOfferWins()
{
    QList<QNetworkProxy> answer { QNetworkProxy(QNetworkProxy::HttpCachingProxy, QStringLiteral("c"), 1),
        QNetworkProxy(), QNetworkProxy(QNetworkProxy::Socks5Proxy, QStringLiteral("s"), 1080),
        QNetworkProxy(QNetworkProxy::NoProxy) };
    QNetworkProxyFactory::setApplicationProxyFactory(
        new TestFactory([&answer](const QNetworkProxyQuery &) { return answer; }, &m_queries));
    QCOMPARE(decided("ws://example.com/"), QStringLiteral("socks5h://s:1080"));
    answer.removeAt(2); // NoProxy is next: direct
    QCOMPARE(decided("ws://example.com/"), direct);
}

void tst_QtProxy::nothingUsableFailsOpen()
{
    QNetworkProxyFactory::setApplicationProxyFactory(new TestFactory(
        [](const QNetworkProxyQuery &) {
            return QList<QNetworkProxy> { QNetworkProxy(
                QNetworkProxy::HttpCachingProxy, QStringLiteral("c"), 1) };
        },
        &m_queries));
    ConnectOptions options;
    options.setProxy(ProxyOptions::systemProxy());
    // Failing, not going direct past the proxy the application meant.
    auto ws = WebSocket::connectTo(QUrl(QStringLiteral("ws://example.invalid/x")), options);
    QCOMPARE(ws->error(), Error::InvalidArgument);
    QVERIFY2(ws->errorString().startsWith(QLatin1String(
                 "the application's proxy settings offer no proxy that can carry a connection to "
                 "http://example.invalid/: HttpCachingProxy c:1 is a caching proxy")),
        qPrintable(ws->errorString()));
}

void tst_QtProxy::loopbackAndNoProxyNeverAsk()
{
    QNetworkProxyFactory::setApplicationProxyFactory(new TestFactory(
        [](const QNetworkProxyQuery &) {
            return QList<QNetworkProxy> { QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("p"), 1) };
        },
        &m_queries));
    // Qt's rule (QNetworkProxyFactory::proxyForQuery): local connections are never proxied.
    for (const char *url :
        { "ws://localhost:1/", "ws://127.0.0.1:1/", "wss://[::1]:1/", "ws://localhost.localdomain/" })
        QCOMPARE(decided(url), direct);
    QVERIFY(m_queries.isEmpty());
    ProxyOptions settings = ProxyOptions::systemProxy();
    settings.setNoProxy({ QStringLiteral(".internal.example") });
    QCOMPARE(decided("ws://db.internal.example/", settings), direct);
    QVERIFY(m_queries.isEmpty());
    QCOMPARE(decided("ws://example.com/", settings), QStringLiteral("http://p:1"));
}

void tst_QtProxy::applicationProxyIsUsed()
{
    QNetworkProxy::setApplicationProxy(
        QNetworkProxy(QNetworkProxy::Socks5Proxy, QStringLiteral("app"), 1085));
    QCOMPARE(decided("wss://example.com/"), QStringLiteral("socks5h://app:1085"));
    QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
    QCOMPARE(decided("wss://example.com/"), direct);
}

void tst_QtProxy::systemSettingsReadTheEnvironment()
{
#ifndef Q_OS_LINUX
    QSKIP("the system's proxy settings come from the environment on Linux only");
#endif
    QNetworkProxyFactory::setUseSystemConfiguration(true);
    // Read when asked, not cached: each change shows at once (libproxy and Qt's generic factory alike).
    qputenv("http_proxy", "http://u:pw@plain.example:3128");
    QCOMPARE(decided("ws://example.com/"), QStringLiteral("http://u:pw@plain.example:3128"));
    qputenv("https_proxy", "http://tls.example:3129");
    QCOMPARE(decided("wss://example.com/"), QStringLiteral("http://tls.example:3129"));
    QCOMPARE(decided("ws://example.com/"), QStringLiteral("http://u:pw@plain.example:3128"));
    qputenv("no_proxy", "example.com");
    QCOMPARE(decided("ws://example.com/"), direct);
    QCOMPARE(decided("wss://example.com/"), direct);
    QCOMPARE(decided("ws://example.org/"), QStringLiteral("http://u:pw@plain.example:3128"));
    // Loopback stays direct even when the environment names a proxy.
    QCOMPARE(decided("ws://localhost:9/"), direct);
}

void tst_QtProxy::otherTypesIgnoreQtSettings()
{
    QNetworkProxyFactory::setApplicationProxyFactory(new TestFactory(
        [](const QNetworkProxyQuery &) {
            return QList<QNetworkProxy> { QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("qt"), 1) };
        },
        &m_queries));
    qputenv("http_proxy", "http://env.example:2");
    QCOMPARE(decided("ws://example.com/", ProxyOptions()), QStringLiteral("http://env.example:2"));
    QCOMPARE(decided("ws://example.com/", ProxyOptions(Type::Socks5, QStringLiteral("mine"), 3)),
        QStringLiteral("socks5://mine:3"));
    QCOMPARE(decided("ws://example.com/", ProxyOptions(Type::Direct, {}, 0)), direct);
    QVERIFY(m_queries.isEmpty());
}

QTEST_GUILESS_MAIN(tst_QtProxy)
#include "tst_qtproxy.moc"
