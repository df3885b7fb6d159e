// ProxyOptions::Type::System and QNetworkProxy given as options, through real tinyproxy servers
// started here: the environment as Qt's system settings read it (http_proxy, https_proxy,
// no_proxy), an application proxy factory, QNetworkProxy::setApplicationProxy(), explicit options
// winning over all of them. The proof of the path is the proxy's own log ("CONNECT host:port").
//
// Qt never proxies "localhost" or loopback literals (QNetworkProxyFactory::proxyForQuery()), so
// the server is addressed by the machine's host name, which resolves to a loopback address on
// Debian (127.0.1.1) and in containers (127.0.0.1); the server listens on that address only.
#include "proxydaemon.h"
#include "proxysettings.h"
#include "socksrecorder.h"
#include "testcertificates.h"
#include "testserver.h"
#include "tracecapture.h"

#include <WsClient/options.h>
#include <WsClient/proxy.h>
#include <WsClient/websocket.h>

#include <QtNetwork/qhostinfo.h>
#include <QtNetwork/qnetworkproxy.h>
#include <QtTest/QtTest>

using namespace WsClient;

namespace {

constexpr int Wait = 20000;

// The machine's host name and the loopback address it resolves to, or why there is none.
struct LocalName
{
    QString name;
    QHostAddress address;
    QString problem;
};

LocalName localName()
{
    LocalName local { QHostInfo::localHostName(), {}, {} };
    for (const QHostAddress &address : QHostInfo::fromName(local.name).addresses()) {
        if (address.isLoopback() && address.protocol() == QAbstractSocket::IPv4Protocol) {
            local.address = address;
            return local;
        }
    }
    local.problem
        = QStringLiteral("the host name \"%1\" does not resolve to an IPv4 loopback address").arg(local.name);
    return local;
}

// A python echo server on the host name's loopback address, ws or wss (the certificate names
// localhost, so TLS checks that name: SslOptions::setServerName()).
struct Target
{
    TestServer server;
    QUrl url;
    ConnectOptions options;
    QString connectLine; // what tinyproxy logs for the tunnel
};

Target makeTarget(const LocalName &local, bool secure)
{
    const TestCertificates &certs = TestCertificates::instance();
    QStringList arguments { QStringLiteral("--host"), local.address.toString() };
    if (secure)
        arguments += certs.serverTlsArguments();
    Target target { TestServer::python(arguments), {}, {}, {} };
    target.url = QUrl(QStringLiteral("%1://%2:%3/echo")
                          .arg(secure ? QStringLiteral("wss") : QStringLiteral("ws"), local.name)
                          .arg(target.server.port()));
    target.connectLine = QStringLiteral("CONNECT %1:%2").arg(local.name).arg(target.server.port());
    if (secure) {
        SslOptions ssl;
        ssl.setCaFile(certs.ca);
        ssl.setServerName(QStringLiteral("localhost"));
        target.options.setSslOptions(ssl);
    }
    return target;
}

// Opens, echoes once, closes; empty on success, else what went wrong.
QString roundTrip(const QUrl &url, const ConnectOptions &options)
{
    auto ws = WebSocket::connectTo(url, options);
    if (!ws->isOpen())
        return QStringLiteral("not open: ") + ws->errorString();
    ws->sendText(QStringLiteral("via"));
    const Message m = ws->receive(Wait);
    ws->close();
    ws->waitForDisconnected(Wait);
    return m.isValid() && m.text() == QLatin1String("via") ? QString()
                                                           : QStringLiteral("no echo: ") + ws->errorString();
}

// Whether tinyproxy was asked for anything: it logs each request line as it reads it ("Request
// (file descriptor N): CONNECT host:port HTTP/1.1"; ProxyDaemon's readiness probe sends none); the
// short wait lets a line still in the pipe arrive before saying no.
bool tunnelled(ProxyDaemon &proxy)
{
    return proxy.waitForLog(QStringLiteral("Request (file descriptor"), 500);
}

QByteArray proxyUrl(const ProxyDaemon &proxy)
{
    return QByteArrayLiteral("http://127.0.0.1:") + QByteArray::number(proxy.port());
}

ConnectOptions withSystemProxy(ConnectOptions options)
{
    options.setProxy(ProxyOptions::systemProxy());
    return options;
}

class FixedFactory : public QNetworkProxyFactory
{
public:
    FixedFactory(const QNetworkProxy &proxy, QList<QUrl> *asked) : m_proxy(proxy), m_asked(asked) { }
    QList<QNetworkProxy> queryProxy(const QNetworkProxyQuery &query) override
    {
        m_asked->append(query.url());
        return { m_proxy };
    }

private:
    QNetworkProxy m_proxy;
    QList<QUrl> *m_asked;
};

} // namespace

#define REQUIRE_LOCAL_NAME(local)                                                                            \
    do {                                                                                                     \
        if (!(local).problem.isEmpty())                                                                      \
            QSKIP(qPrintable((local).problem));                                                              \
    } while (false)

class tst_SystemProxy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup() { init(); }

    void environmentNamesTheProxy_data();
    void environmentNamesTheProxy();
    void noProxyGoesDirect();
    void loopbackGoesDirect();
    void applicationFactoryIsUsed();
    void applicationProxyIsUsed();
    void explicitOptionsWin();
    void networkProxyGivenAsOptions();
    void networkProxyHostNameLookup_data();
    void networkProxyHostNameLookup();

private:
    LocalName m_local;
    bool m_usedSystem = true;
};

void tst_SystemProxy::initTestCase()
{
    m_local = localName();
    m_usedSystem = QNetworkProxyFactory::usesSystemConfiguration();
}

void tst_SystemProxy::init()
{
    ProxySettings::reset(m_usedSystem);
}

void tst_SystemProxy::environmentNamesTheProxy_data()
{
    QTest::addColumn<bool>("secure");
    QTest::newRow("ws: http_proxy") << false;
    QTest::newRow("wss: https_proxy") << true;
}

void tst_SystemProxy::environmentNamesTheProxy()
{
    QFETCH(bool, secure);
    REQUIRE_LOCAL_NAME(m_local);
    Target target = makeTarget(m_local, secure);
    WSCLIENT_REQUIRE_SERVER(target.server);
    auto forHttp = ProxyDaemon::tinyproxy({ target.server.port() });
    WSCLIENT_REQUIRE_PROXY(forHttp);
    auto forHttps = ProxyDaemon::tinyproxy({ target.server.port() });
    WSCLIENT_REQUIRE_PROXY(forHttps);
    // Set just before connecting: the system settings are read when asked.
    qputenv("http_proxy", proxyUrl(*forHttp));
    qputenv("https_proxy", proxyUrl(*forHttps));
    QNetworkProxyFactory::setUseSystemConfiguration(true);
    TraceCapture trace;
    const QString problem = roundTrip(target.url, withSystemProxy(target.options));
    trace.stop();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    ProxyDaemon &used = secure ? *forHttps : *forHttp;
    ProxyDaemon &unused = secure ? *forHttp : *forHttps;
    QVERIFY2(used.waitForLog(target.connectLine), qPrintable(used.log()));
    QVERIFY2(!tunnelled(unused), qPrintable(unused.log()));
    const QString expected
        = QStringLiteral("from the system's proxy settings is http://127.0.0.1:%1").arg(used.port());
    QVERIFY2(trace.text().contains(expected), qPrintable(trace.text()));
}

void tst_SystemProxy::noProxyGoesDirect()
{
    REQUIRE_LOCAL_NAME(m_local);
    Target target = makeTarget(m_local, false);
    WSCLIENT_REQUIRE_SERVER(target.server);
    auto proxy = ProxyDaemon::tinyproxy({ target.server.port() });
    WSCLIENT_REQUIRE_PROXY(proxy);
    qputenv("http_proxy", proxyUrl(*proxy));
    qputenv("no_proxy", m_local.name.toUtf8());
    QNetworkProxyFactory::setUseSystemConfiguration(true);
    const QString problem = roundTrip(target.url, withSystemProxy(target.options));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(!tunnelled(*proxy), qPrintable(proxy->log()));

    // The options' own no-proxy list applies to the system's answer as well.
    qunsetenv("no_proxy");
    ProxyOptions settings = ProxyOptions::systemProxy();
    settings.setNoProxy({ m_local.name });
    ConnectOptions options = target.options;
    options.setProxy(settings);
    QCOMPARE(roundTrip(target.url, options), QString());
    QVERIFY2(!tunnelled(*proxy), qPrintable(proxy->log()));
}

void tst_SystemProxy::loopbackGoesDirect()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    auto proxy = ProxyDaemon::tinyproxy({ server.port() });
    WSCLIENT_REQUIRE_PROXY(proxy);
    qputenv("http_proxy", proxyUrl(*proxy));
    QNetworkProxyFactory::setUseSystemConfiguration(true);
    for (const QString &host : { QStringLiteral("127.0.0.1"), QStringLiteral("localhost") }) {
        const QUrl url(QStringLiteral("ws://%1:%2/echo").arg(host).arg(server.port()));
        QCOMPARE(roundTrip(url, withSystemProxy({})), QString());
    }
    QVERIFY2(!tunnelled(*proxy), qPrintable(proxy->log()));
    // The default, Type::None, reads the same variable by websocket-client's rules: no such exception.
    QCOMPARE(roundTrip(QUrl(QStringLiteral("ws://localhost:%1/echo").arg(server.port())), ConnectOptions()),
        QString());
    QVERIFY2(proxy->waitForLog(QStringLiteral("CONNECT localhost:%1").arg(server.port())),
        qPrintable(proxy->log()));
}

void tst_SystemProxy::applicationFactoryIsUsed()
{
    REQUIRE_LOCAL_NAME(m_local);
    Target target = makeTarget(m_local, true);
    WSCLIENT_REQUIRE_SERVER(target.server);
    auto proxy = ProxyDaemon::tinyproxy({ target.server.port() });
    WSCLIENT_REQUIRE_PROXY(proxy);
    QList<QUrl> asked;
    QNetworkProxyFactory::setApplicationProxyFactory(new FixedFactory(
        QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), proxy->port()), &asked));
    const QString problem = roundTrip(target.url, withSystemProxy(target.options));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(proxy->waitForLog(target.connectLine), qPrintable(proxy->log()));
    QCOMPARE(asked,
        QList<QUrl> { QUrl(QStringLiteral("https://%1:%2/").arg(m_local.name).arg(target.server.port())) });
}

void tst_SystemProxy::applicationProxyIsUsed()
{
    REQUIRE_LOCAL_NAME(m_local);
    Target target = makeTarget(m_local, false);
    WSCLIENT_REQUIRE_SERVER(target.server);
    auto proxy
        = ProxyDaemon::tinyproxy({ target.server.port() }, QStringLiteral("app"), QStringLiteral("pw"));
    WSCLIENT_REQUIRE_PROXY(proxy);
    QNetworkProxy::setApplicationProxy(QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"),
        proxy->port(), QStringLiteral("app"), QStringLiteral("pw")));
    const QString problem = roundTrip(target.url, withSystemProxy(target.options));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(proxy->waitForLog(target.connectLine), qPrintable(proxy->log()));
}

void tst_SystemProxy::explicitOptionsWin()
{
    REQUIRE_LOCAL_NAME(m_local);
    Target target = makeTarget(m_local, false);
    WSCLIENT_REQUIRE_SERVER(target.server);
    auto fromEnvironment = ProxyDaemon::tinyproxy({ target.server.port() });
    WSCLIENT_REQUIRE_PROXY(fromEnvironment);
    auto named = ProxyDaemon::tinyproxy({ target.server.port() });
    WSCLIENT_REQUIRE_PROXY(named);
    qputenv("http_proxy", proxyUrl(*fromEnvironment));
    QNetworkProxyFactory::setUseSystemConfiguration(true);

    ConnectOptions options = target.options;
    options.setProxy(ProxyOptions(ProxyOptions::Type::Http, QStringLiteral("127.0.0.1"), named->port()));
    QCOMPARE(roundTrip(target.url, options), QString());
    QVERIFY2(named->waitForLog(target.connectLine), qPrintable(named->log()));
    options.setProxy(ProxyOptions(ProxyOptions::Type::Direct, {}, 0));
    QCOMPARE(roundTrip(target.url, options), QString());
    QVERIFY2(!tunnelled(*fromEnvironment), qPrintable(fromEnvironment->log()));
    // And the system's answer once nothing explicit is given.
    QCOMPARE(roundTrip(target.url, withSystemProxy(target.options)), QString());
    QVERIFY2(fromEnvironment->waitForLog(target.connectLine), qPrintable(fromEnvironment->log()));
}

void tst_SystemProxy::networkProxyGivenAsOptions()
{
    // Explicit, so no loopback exception: the server is simply localhost.
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    auto proxy = ProxyDaemon::tinyproxy({ server.port() }, QStringLiteral("qt"), QStringLiteral("s3cret"));
    WSCLIENT_REQUIRE_PROXY(proxy);
    ConnectOptions options;
    options.setProxy(QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), proxy->port(),
        QStringLiteral("qt"), QStringLiteral("s3cret")));
    QCOMPARE(options.proxy().type(), ProxyOptions::Type::Http);
    QCOMPARE(
        roundTrip(QUrl(QStringLiteral("ws://localhost:%1/echo").arg(server.port())), options), QString());
    QVERIFY2(proxy->waitForLog(QStringLiteral("CONNECT localhost:%1").arg(server.port())),
        qPrintable(proxy->log()));
}

void tst_SystemProxy::networkProxyHostNameLookup_data()
{
    QTest::addColumn<bool>("lookup");
    QTest::newRow("Qt's default: the proxy resolves (socks5h)") << true;
    QTest::newRow("without HostNameLookupCapability (socks5)") << false;
}

void tst_SystemProxy::networkProxyHostNameLookup()
{
    QFETCH(bool, lookup);
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    SocksRecorder proxy(SocksRecorder::Behaviour::Relay);
    QNetworkProxy socks(QNetworkProxy::Socks5Proxy, QStringLiteral("127.0.0.1"), proxy.port());
    if (!lookup)
        socks.setCapabilities(socks.capabilities() & ~QNetworkProxy::HostNameLookupCapability);
    ConnectOptions options;
    options.setProxy(socks);
    QCOMPARE(
        roundTrip(QUrl(QStringLiteral("ws://localhost:%1/echo").arg(server.port())), options), QString());
    const auto requests = proxy.requests();
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.first().byName, lookup);
    QCOMPARE(requests.first().host, lookup ? QStringLiteral("localhost") : QStringLiteral("127.0.0.1"));
}

QTEST_GUILESS_MAIN(tst_SystemProxy)
#include "tst_systemproxy.moc"
