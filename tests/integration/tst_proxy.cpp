// WebSocket through real proxies started here on 127.0.0.1: tinyproxy (HTTP CONNECT), danted
// (SOCKS4, SOCKS5, SOCKS5h), microsocks (SOCKS5/5h with and without username/password), and an
// in-process SOCKS server that records what it was asked (name or address) and misbehaves on demand.
// Proxies given a private /etc/hosts (a mount namespace of their own) prove who resolves names.
#include "proxydaemon.h"
#include "proxytarget.h"
#include "socksrecorder.h"
#include "testcertificates.h"
#include "testserver.h"
#include "tracecapture.h"

#include <WsClient/options.h>
#include <WsClient/proxy.h>
#include <WsClient/websocket.h>

#include <QtTest/QtTest>

using namespace WsClient;
using Type = ProxyOptions::Type;

namespace {

constexpr int Wait = 20000;

// Opens \a url blocking (connectTo) or through the event loop (open + signals).
std::unique_ptr<WebSocket> openSocket(const QUrl &url, const ConnectOptions &options, bool blocking)
{
    if (blocking)
        return WebSocket::connectTo(url, options);
    auto ws = std::make_unique<WebSocket>();
    QSignalSpy connected(ws.get(), &WebSocket::connected);
    QSignalSpy failed(ws.get(), &WebSocket::errorOccurred);
    ws->open(url, options);
    // On a timeout the caller sees a socket that is not open, with its error.
    (void)QTest::qWaitFor([&] { return connected.count() + failed.count() > 0; }, Wait);
    return ws;
}

bool echoes(WebSocket &ws, QString *why)
{
    const QString text = QStringLiteral("through the proxy \u00e9");
    ws.sendText(text);
    const Message m = ws.receive(Wait);
    if (!m.isValid() || m.text() != text) {
        *why = QStringLiteral("no echo: ") + ws.errorString();
        return false;
    }
    ws.close();
    ws.waitForDisconnected(Wait);
    return true;
}

void addSecureAndModeRows(const char *prefix)
{
    for (bool secure : { false, true }) {
        for (bool blocking : { true, false }) {
            QTest::addRow("%s %s %s", prefix, secure ? "wss" : "ws", blocking ? "blocking" : "event loop")
                << secure << blocking;
        }
    }
}

} // namespace

class tst_Proxy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void httpConnect_data();
    void httpConnect();
    void httpWrongPassword();
    void httpConnectRefusedByProxy();

    void dante_data();
    void dante();
    void danteUnreachableTarget();

    void microsocks_data();
    void microsocks();
    void microsocksWrongPassword();

    void nameResolution_data();
    void nameResolution();
    void socks4aEcho_data();
    void socks4aEcho();
    void nameOnlyTheProxyKnows_data();
    void nameOnlyTheProxyKnows();
    void traceNamesTheProxy();

    void tlsChecksTheTargetNotTheProxy();
    void environmentProxyIsUsed();

    void badProxy_data();
    void badProxy();
};

void tst_Proxy::initTestCase()
{
    for (const char *name :
        { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY" })
        qunsetenv(name);
}

void tst_Proxy::httpConnect_data()
{
    QTest::addColumn<bool>("secure");
    QTest::addColumn<bool>("blocking");
    QTest::addColumn<bool>("auth");
    for (bool auth : { false, true }) {
        for (bool secure : { false, true }) {
            for (bool blocking : { true, false }) {
                QTest::addRow("%s %s %s", auth ? "basic auth" : "no auth", secure ? "wss" : "ws",
                    blocking ? "blocking" : "event loop")
                    << secure << blocking << auth;
            }
        }
    }
}

void tst_Proxy::httpConnect()
{
    QFETCH(bool, secure);
    QFETCH(bool, blocking);
    QFETCH(bool, auth);
    Target target = echoTarget(secure);
    WSCLIENT_REQUIRE_SERVER(target.server);
    const QString user = auth ? QStringLiteral("alice") : QString();
    const QString password = auth ? QStringLiteral("s3cret") : QString();
    auto proxy = ProxyDaemon::tinyproxy({ target.server.port() }, user, password);
    WSCLIENT_REQUIRE_PROXY(proxy);
    target.options.setProxy(proxyAt(Type::Http, proxy->port(), user, password));
    auto ws = openSocket(target.url, target.options, blocking);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QString why;
    QVERIFY2(echoes(*ws, &why), qPrintable(why));
    // The tunnel was asked of tinyproxy, with the target's name.
    QVERIFY2(proxy->waitForLog(QStringLiteral("CONNECT localhost:%1").arg(target.server.port())),
        qPrintable(proxy->log()));
}

void tst_Proxy::httpWrongPassword()
{
    Target target = echoTarget(false);
    WSCLIENT_REQUIRE_SERVER(target.server);
    auto proxy
        = ProxyDaemon::tinyproxy({ target.server.port() }, QStringLiteral("alice"), QStringLiteral("s3cret"));
    WSCLIENT_REQUIRE_PROXY(proxy);
    for (const QString &password : { QStringLiteral("wrong"), QString() }) {
        target.options.setProxy(proxyAt(
            Type::Http, proxy->port(), password.isEmpty() ? QString() : QStringLiteral("alice"), password));
        auto ws = WebSocket::connectTo(target.url, target.options);
        // Refused credentials are an error of their own (tst_proxyauthentication has more).
        QCOMPARE(ws->error(), password.isEmpty() ? Error::Proxy : Error::AuthenticationFailed);
        QVERIFY2(ws->errorString().contains(
                     QLatin1String(password.isEmpty() ? "authentication required" : "were refused")),
            qPrintable(ws->errorString()));
        // The status line as tinyproxy wrote it: 407 without credentials, 401 (sic) for wrong ones.
        const QLatin1String statusLine(password.isEmpty() ? "\"HTTP/1.0 407 Proxy Authentication Required\""
                                                          : "\"HTTP/1.0 401 Unauthorized\"");
        QVERIFY2(ws->errorString().contains(statusLine), qPrintable(ws->errorString()));
    }
}

void tst_Proxy::httpConnectRefusedByProxy()
{
    Target target = echoTarget(false);
    WSCLIENT_REQUIRE_SERVER(target.server);
    // The target's port is not among the ones tinyproxy allows to CONNECT to.
    auto proxy = ProxyDaemon::tinyproxy({ quint16(target.server.port() == 1 ? 2 : 1) });
    WSCLIENT_REQUIRE_PROXY(proxy);
    target.options.setProxy(proxyAt(Type::Http, proxy->port()));
    auto ws = WebSocket::connectTo(target.url, target.options);
    QCOMPARE(ws->error(), Error::Proxy);
    // The status line is carried as the proxy wrote it.
    QVERIFY2(ws->errorString().contains(QLatin1String("\"HTTP/1.1 403 Access violation\"")),
        qPrintable(ws->errorString()));
}

void tst_Proxy::dante_data()
{
    QTest::addColumn<bool>("secure");
    QTest::addColumn<bool>("blocking");
    QTest::addColumn<int>("type");
    for (Type type : { Type::Socks4, Type::Socks5, Type::Socks5h }) {
        const char *name = type == Type::Socks4 ? "socks4" : type == Type::Socks5 ? "socks5" : "socks5h";
        for (bool secure : { false, true }) {
            for (bool blocking : { true, false }) {
                QTest::addRow("%s %s %s", name, secure ? "wss" : "ws", blocking ? "blocking" : "event loop")
                    << secure << blocking << int(type);
            }
        }
    }
}

void tst_Proxy::dante()
{
    QFETCH(bool, secure);
    QFETCH(bool, blocking);
    QFETCH(int, type);
    Target target = echoTarget(secure);
    WSCLIENT_REQUIRE_SERVER(target.server);
    auto proxy = ProxyDaemon::dante();
    WSCLIENT_REQUIRE_PROXY(proxy);
    target.options.setProxy(proxyAt(Type(type), proxy->port(), QStringLiteral("someone")));
    auto ws = openSocket(target.url, target.options, blocking);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QString why;
    QVERIFY2(echoes(*ws, &why), qPrintable(why));
    // danted logs each relayed session with the target address and port.
    QVERIFY2(proxy->waitForLog(QStringLiteral("127.0.0.1.%1").arg(target.server.port())),
        qPrintable(proxy->log()));
}

void tst_Proxy::danteUnreachableTarget()
{
    QTcpServer closed;
    closed.listen(QHostAddress::LocalHost, 0);
    const quint16 port = closed.serverPort();
    closed.close(); // nothing listens there now
    auto proxy = ProxyDaemon::dante();
    WSCLIENT_REQUIRE_PROXY(proxy);
    for (Type type : { Type::Socks4, Type::Socks5 }) {
        ConnectOptions options;
        options.setProxy(proxyAt(type, proxy->port()));
        auto ws = WebSocket::connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)), options);
        QCOMPARE(ws->error(), Error::Proxy);
        const QString expected = type == Type::Socks4
            ? QStringLiteral("request rejected or failed (reply 91)")
            : QStringLiteral("connection refused (reply 5)");
        QVERIFY2(ws->errorString().contains(expected), qPrintable(ws->errorString()));
    }
}

void tst_Proxy::microsocks_data()
{
    QTest::addColumn<bool>("secure");
    QTest::addColumn<bool>("blocking");
    QTest::addColumn<int>("type");
    QTest::addColumn<bool>("auth");
    for (Type type : { Type::Socks5, Type::Socks5h }) {
        for (bool auth : { false, true }) {
            for (bool secure : { false, true }) {
                for (bool blocking : { true, false }) {
                    QTest::addRow("%s %s %s %s", type == Type::Socks5 ? "socks5" : "socks5h",
                        auth ? "user/password" : "no auth", secure ? "wss" : "ws",
                        blocking ? "blocking" : "event loop")
                        << secure << blocking << int(type) << auth;
                }
            }
        }
    }
}

void tst_Proxy::microsocks()
{
    QFETCH(bool, secure);
    QFETCH(bool, blocking);
    QFETCH(int, type);
    QFETCH(bool, auth);
    Target target = echoTarget(secure);
    WSCLIENT_REQUIRE_SERVER(target.server);
    const QString user = auth ? QStringLiteral("bob") : QString();
    const QString password = auth ? QStringLiteral("pa55") : QString();
    auto proxy = ProxyDaemon::microsocks(user, password);
    WSCLIENT_REQUIRE_PROXY(proxy);
    target.options.setProxy(proxyAt(Type(type), proxy->port(), user, password));
    auto ws = openSocket(target.url, target.options, blocking);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QCOMPARE(ws->peerPort(), proxy->port()); // the TCP peer is the proxy, not the server
    QString why;
    QVERIFY2(echoes(*ws, &why), qPrintable(why));
    if (auth) {
        // The traffic depends on this proxy: without the credentials it refuses.
        target.options.setProxy(proxyAt(Type(type), proxy->port()));
        auto refused = WebSocket::connectTo(target.url, target.options);
        QCOMPARE(refused->error(), Error::Proxy);
    }
}

void tst_Proxy::microsocksWrongPassword()
{
    auto proxy = ProxyDaemon::microsocks(QStringLiteral("bob"), QStringLiteral("pa55"));
    WSCLIENT_REQUIRE_PROXY(proxy);
    ConnectOptions options;
    options.setProxy(proxyAt(Type::Socks5h, proxy->port(), QStringLiteral("bob"), QStringLiteral("wrong")));
    auto ws = WebSocket::connectTo(QUrl(QStringLiteral("ws://localhost:9/")), options);
    QCOMPARE(ws->error(), Error::AuthenticationFailed);
    QVERIFY2(ws->errorString().contains(QLatin1String("credentials of user \"bob\" were refused")),
        qPrintable(ws->errorString()));
    options.setProxy(proxyAt(Type::Socks5h, proxy->port()));
    ws = WebSocket::connectTo(QUrl(QStringLiteral("ws://localhost:9/")), options);
    QCOMPARE(ws->error(), Error::Proxy);
    QVERIFY2(
        ws->errorString().contains(QLatin1String("authentication required")), qPrintable(ws->errorString()));
}

void tst_Proxy::nameResolution_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("version");
    QTest::addColumn<bool>("byName");
    QTest::addColumn<QString>("host");
    QTest::newRow("socks4 resolves locally") << int(Type::Socks4) << 4 << false << "127.0.0.1";
    QTest::newRow("socks4a sends the name") << int(Type::Socks4a) << 4 << true << "localhost";
    QTest::newRow("socks5 resolves locally") << int(Type::Socks5) << 5 << false << "127.0.0.1";
    QTest::newRow("socks5h sends the name") << int(Type::Socks5h) << 5 << true << "localhost";
}

void tst_Proxy::nameResolution()
{
    QFETCH(int, type);
    QFETCH(int, version);
    QFETCH(bool, byName);
    QFETCH(QString, host);
    Target target = echoTarget(false);
    WSCLIENT_REQUIRE_SERVER(target.server);
    SocksRecorder proxy(SocksRecorder::Behaviour::Relay);
    target.options.setProxy(proxyAt(Type(type), proxy.port()));
    auto ws = WebSocket::connectTo(target.url, target.options);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QString why;
    QVERIFY2(echoes(*ws, &why), qPrintable(why));
    const auto requests = proxy.requests();
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.first().version, version);
    QCOMPARE(requests.first().byName, byName);
    QCOMPARE(requests.first().host, host);
    QCOMPARE(requests.first().port, target.server.port());
}

void tst_Proxy::socks4aEcho_data()
{
    QTest::addColumn<bool>("secure");
    QTest::addColumn<bool>("blocking");
    addSecureAndModeRows("socks4a");
}

// No Debian proxy here speaks SOCKS4a (danted 1.4 takes 0.0.0.1 for an address), so the
// in-process server carries it.
void tst_Proxy::socks4aEcho()
{
    QFETCH(bool, secure);
    QFETCH(bool, blocking);
    Target target = echoTarget(secure);
    WSCLIENT_REQUIRE_SERVER(target.server);
    SocksRecorder proxy(SocksRecorder::Behaviour::Relay);
    target.options.setProxy(proxyAt(Type::Socks4a, proxy.port(), QStringLiteral("user-id")));
    auto ws = openSocket(target.url, target.options, blocking);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QString why;
    QVERIFY2(echoes(*ws, &why), qPrintable(why));
    QCOMPARE(proxy.requests().size(), 1);
    QVERIFY(proxy.requests().first().byName);
}

void tst_Proxy::nameOnlyTheProxyKnows_data()
{
    QTest::addColumn<QString>("daemon");
    QTest::addColumn<int>("type");
    QTest::addColumn<bool>("secure");
    QTest::addColumn<bool>("resolvedByProxy");
    for (bool secure : { false, true }) {
        const char *scheme = secure ? "wss" : "ws";
        QTest::addRow("microsocks socks5h %s", scheme)
            << "microsocks" << int(Type::Socks5h) << secure << true;
        QTest::addRow("danted socks5h %s", scheme) << "danted" << int(Type::Socks5h) << secure << true;
    }
    QTest::newRow("microsocks socks5") << "microsocks" << int(Type::Socks5) << false << false;
    QTest::newRow("danted socks4") << "danted" << int(Type::Socks4) << false << false;
}

// The proxy runs with an /etc/hosts of its own that names the echo server "proxy-only.test": only
// a proxy that resolves names itself (socks5h, socks4a) can reach it; socks5 and socks4 resolve
// here and must fail with HostNotFound. wss also checks the certificate against that name.
void tst_Proxy::nameOnlyTheProxyKnows()
{
    QFETCH(QString, daemon);
    QFETCH(int, type);
    QFETCH(bool, secure);
    QFETCH(bool, resolvedByProxy);
    const QString name = QStringLiteral("proxy-only.test");
    QVERIFY2(QHostInfo::fromName(name).addresses().isEmpty(), "the name must not resolve outside the proxy");
    const TestCertificates &certs = TestCertificates::instance();
    WSCLIENT_REQUIRE_CERTIFICATES(certs);
    TestServer server = TestServer::python(secure ? certs.serverTlsArguments() : QStringList());
    WSCLIENT_REQUIRE_SERVER(server);
    const QString hosts = QStringLiteral("127.0.0.1 localhost\n127.0.0.1 %1\n").arg(name);
    auto proxy = daemon == QLatin1String("microsocks") ? ProxyDaemon::microsocks({}, {}, hosts)
                                                       : ProxyDaemon::dante(hosts);
    WSCLIENT_REQUIRE_PROXY(proxy);
    ConnectOptions options;
    options.setTimeout(Wait);
    options.setProxy(proxyAt(Type(type), proxy->port()));
    SslOptions ssl;
    ssl.setCaFile(certs.ca);
    ssl.setCheckHostname(false); // the test certificate names localhost, not proxy-only.test
    options.setSslOptions(ssl);
    const QUrl url(QStringLiteral("%1://%2:%3/echo")
                       .arg(secure ? QStringLiteral("wss") : QStringLiteral("ws"), name)
                       .arg(server.port()));
    auto ws = WebSocket::connectTo(url, options);
    if (!resolvedByProxy) {
        QCOMPARE(ws->error(), Error::HostNotFound);
        QVERIFY2(ws->errorString().contains(name), qPrintable(ws->errorString()));
        return;
    }
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QString why;
    QVERIFY2(echoes(*ws, &why), qPrintable(why));
}

void tst_Proxy::traceNamesTheProxy()
{
    Target target = echoTarget(false);
    WSCLIENT_REQUIRE_SERVER(target.server);
    auto proxy = ProxyDaemon::microsocks(QStringLiteral("bob"), QStringLiteral("pa55"));
    WSCLIENT_REQUIRE_PROXY(proxy);
    target.options.setProxy(
        proxyAt(Type::Socks5h, proxy->port(), QStringLiteral("bob"), QStringLiteral("pa55")));
    TraceCapture trace;
    auto ws = WebSocket::connectTo(target.url, target.options);
    trace.stop();
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    const QString all = trace.text();
    // Which proxy and why (explicit option), the tunnel step, never the password.
    QVERIFY2(
        all.contains(QStringLiteral("proxy for localhost:%1").arg(target.server.port())), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("socks5h://bob@127.0.0.1:%1").arg(proxy->port())), qPrintable(all));
    QVERIFY2(!all.contains(QStringLiteral("pa55")), qPrintable(all));
}

void tst_Proxy::tlsChecksTheTargetNotTheProxy()
{
    const TestCertificates &certs = TestCertificates::instance();
    WSCLIENT_REQUIRE_CERTIFICATES(certs);
    TestServer server = TestServer::python(
        { QStringLiteral("--cert"), certs.wrongHost, QStringLiteral("--key"), certs.wrongHostKey });
    WSCLIENT_REQUIRE_SERVER(server);
    auto proxy = ProxyDaemon::microsocks();
    WSCLIENT_REQUIRE_PROXY(proxy);
    ConnectOptions options;
    SslOptions ssl;
    ssl.setCaFile(certs.ca);
    options.setSslOptions(ssl);
    options.setProxy(proxyAt(Type::Socks5h, proxy->port()));
    const QUrl url(QStringLiteral("wss://localhost:%1/").arg(server.port()));
    auto ws = WebSocket::connectTo(url, options);
    QCOMPARE(ws->error(), Error::Tls);
    // With the SNI/verify name set to the certificate's name, the same tunnel works.
    ssl.setServerName(QStringLiteral("wrong.example"));
    options.setSslOptions(ssl);
    ws = WebSocket::connectTo(url, options);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
}

void tst_Proxy::environmentProxyIsUsed()
{
    Target target = echoTarget(false);
    WSCLIENT_REQUIRE_SERVER(target.server);
    auto proxy
        = ProxyDaemon::tinyproxy({ target.server.port() }, QStringLiteral("env"), QStringLiteral("pw"));
    WSCLIENT_REQUIRE_PROXY(proxy);
    qputenv("http_proxy", QStringLiteral("http://env:pw@127.0.0.1:%1").arg(proxy->port()).toLatin1());
    auto ws = WebSocket::connectTo(target.url, target.options);
    qunsetenv("http_proxy");
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QVERIFY2(proxy->waitForLog(QStringLiteral("CONNECT localhost:%1").arg(target.server.port())),
        qPrintable(proxy->log()));
}

void tst_Proxy::badProxy_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("behaviour"); // -1: nothing listens
    QTest::addColumn<int>("proxyTimeout");
    QTest::addColumn<bool>("blocking");
    QTest::addColumn<QString>("mentions");
    for (bool blocking : { true, false }) {
        const char *mode = blocking ? "blocking" : "event loop";
        QTest::addRow("refused socks5 %s", mode)
            << int(Type::Socks5h) << -1 << -1 << blocking << "cannot connect to SOCKS proxy 127.0.0.1:";
        QTest::addRow("refused http %s", mode)
            << int(Type::Http) << -1 << -1 << blocking << "cannot connect to HTTP proxy 127.0.0.1:";
        QTest::addRow("closes mid-handshake socks5 %s", mode)
            << int(Type::Socks5h) << int(SocksRecorder::Behaviour::CloseAtOnce) << -1 << blocking
            << "closed the connection during the SOCKS5h handshake";
        QTest::addRow("closes mid-handshake socks4 %s", mode)
            << int(Type::Socks4a) << int(SocksRecorder::Behaviour::CloseAtOnce) << -1 << blocking
            << "closed the connection during the SOCKS4a handshake";
        QTest::addRow("closes mid-handshake http %s", mode)
            << int(Type::Http) << int(SocksRecorder::Behaviour::CloseAtOnce) << -1 << blocking
            << "closed the connection during the HTTP CONNECT handshake";
        QTest::addRow("garbage socks5 %s", mode)
            << int(Type::Socks5h) << int(SocksRecorder::Behaviour::Garbage) << -1 << blocking
            << "not a SOCKS5 reply";
        QTest::addRow("garbage socks4 %s", mode)
            << int(Type::Socks4a) << int(SocksRecorder::Behaviour::Garbage) << -1 << blocking
            << "not a SOCKS4 reply";
        QTest::addRow("host unreachable %s", mode)
            << int(Type::Socks5h) << int(SocksRecorder::Behaviour::RefuseRequest) << -1 << blocking
            << "host unreachable (reply 4)";
        QTest::addRow("silent proxy, proxy timeout %s", mode)
            << int(Type::Socks5h) << int(SocksRecorder::Behaviour::Silent) << 300 << blocking
            << "within the proxy timeout of 300 ms";
    }
}

void tst_Proxy::badProxy()
{
    QFETCH(int, type);
    QFETCH(int, behaviour);
    QFETCH(int, proxyTimeout);
    QFETCH(bool, blocking);
    QFETCH(QString, mentions);
    std::unique_ptr<SocksRecorder> recorder;
    quint16 port;
    if (behaviour < 0) {
        QTcpServer closed;
        closed.listen(QHostAddress::LocalHost, 0);
        port = closed.serverPort();
    } else {
        recorder = std::make_unique<SocksRecorder>(SocksRecorder::Behaviour(behaviour), quint8(4));
        port = recorder->port();
    }
    ConnectOptions options;
    ProxyOptions proxy = proxyAt(Type(type), port);
    proxy.setTimeout(proxyTimeout);
    options.setProxy(proxy);
    options.setTimeout(Wait); // the connection's own limit stays far away: the proxy error comes first
    QElapsedTimer elapsed;
    elapsed.start();
    auto ws = openSocket(QUrl(QStringLiteral("ws://localhost:9/")), options, blocking);
    QCOMPARE(ws->error(), Error::Proxy);
    QVERIFY2(ws->errorString().contains(mentions), qPrintable(ws->errorString()));
    QVERIFY2(elapsed.elapsed() < Wait / 2, "the failure took as long as the connection timeout");
}

QTEST_MAIN(tst_Proxy)
#include "tst_proxy.moc"
