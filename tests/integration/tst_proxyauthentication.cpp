// Proxy authentication against real proxies started here on 127.0.0.1: tinyproxy (BasicAuth),
// squid (digest_file_auth, basic_ncsa_auth) and microsocks (SOCKS5 username/password). Credentials
// come from ProxyOptions or from proxyAuthenticationRequired(); the tunnel is retried on a new
// connection, TLS still runs end to end with the target.
#include "authsupport.h"
#include "proxydaemon.h"
#include "proxytarget.h"
#include "testserver.h"
#include "tracecapture.h"

#include <WsClient/proxy.h>

#include <QtTest/QtTest>

using namespace WsClient;
using namespace AuthSupport;
using Type = ProxyOptions::Type;

namespace {

const QString User = QStringLiteral("alice");
const QString Password = QStringLiteral("s3cret");
const QString SquidRealm = QStringLiteral("wsclient-proxy");

} // namespace

class tst_ProxyAuthentication : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void askedFor_data();
    void askedFor();
    void tinyproxyRefused();

    void squidDigest_data();
    void squidDigest();
    void squidPrefersDigestOverBasic();
    void squidRefused();
};

void tst_ProxyAuthentication::initTestCase()
{
    for (const char *name :
        { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY" })
        qunsetenv(name);
}

void tst_ProxyAuthentication::askedFor_data()
{
    QTest::addColumn<QString>("daemon");
    QTest::addColumn<bool>("secure");
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<QString>("realm");
    QTest::newRow("tinyproxy ws") << "tinyproxy" << false << "Basic"
                                  << "Tinyproxy";
    QTest::newRow("tinyproxy wss") << "tinyproxy" << true << "Basic"
                                   << "Tinyproxy";
    // SOCKS5 username/password: the greeting offered none, microsocks wants it.
    QTest::newRow("microsocks socks5h") << "microsocks" << false << "SOCKS5" << QString();
}

void tst_ProxyAuthentication::askedFor()
{
    QFETCH(QString, daemon);
    QFETCH(bool, secure);
    QFETCH(QString, scheme);
    QFETCH(QString, realm);
    Target target = echoTarget(secure);
    WSCLIENT_REQUIRE_SERVER(target.server);
    const bool socks = daemon == QLatin1String("microsocks");
    auto proxy = socks ? ProxyDaemon::microsocks(User, Password)
                       : ProxyDaemon::tinyproxy({ target.server.port() }, User, Password);
    WSCLIENT_REQUIRE_PROXY(proxy);
    target.options.setProxy(proxyAt(socks ? Type::Socks5h : Type::Http, proxy->port()));
    WebSocket ws;
    Answerer answerer { User, Password };
    answerer.attachProxy(&ws);
    QVERIFY2(openAndWait(ws, target.url, target.options, secure), qPrintable(ws.errorString()));
    QCOMPARE(answerer.asked, 1);
    QCOMPARE(answerer.scheme, scheme);
    QCOMPARE(answerer.realm, realm);
    const QString problem = echoProblem(ws);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_ProxyAuthentication::tinyproxyRefused()
{
    Target target = echoTarget(false);
    WSCLIENT_REQUIRE_SERVER(target.server);
    auto proxy = ProxyDaemon::tinyproxy({ target.server.port() }, User, Password);
    WSCLIENT_REQUIRE_PROXY(proxy);
    target.options.setProxy(proxyAt(Type::Http, proxy->port(), User, QStringLiteral("wrong")));
    auto ws = WebSocket::connectTo(target.url, target.options);
    QCOMPARE(ws->error(), Error::AuthenticationFailed);
    // The Basic sent with the first CONNECT was refused (tinyproxy says 401): not tried twice.
    QVERIFY2(ws->errorString().contains(
                 QLatin1String("the credentials of user \"alice\" were refused (Basic, realm "
                               "\"Tinyproxy\") (\"HTTP/1.0 401 Unauthorized\")")),
        qPrintable(ws->errorString()));
    QVERIFY(proxy->waitForLog(QStringLiteral("CONNECT localhost")));
    QCOMPARE(proxy->log().count(QLatin1String("CONNECT localhost")), 1);
}

void tst_ProxyAuthentication::squidDigest_data()
{
    QTest::addColumn<bool>("secure");
    QTest::addColumn<bool>("fromSignal");
    QTest::addColumn<bool>("blocking");
    QTest::newRow("ProxyOptions ws blocking") << false << false << true;
    QTest::newRow("ProxyOptions wss event loop") << true << false << false;
    QTest::newRow("signal ws event loop") << false << true << false;
    QTest::newRow("signal wss blocking") << true << true << true;
}

void tst_ProxyAuthentication::squidDigest()
{
    QFETCH(bool, secure);
    QFETCH(bool, fromSignal);
    QFETCH(bool, blocking);
    Target target = echoTarget(secure);
    WSCLIENT_REQUIRE_SERVER(target.server);
    auto proxy = ProxyDaemon::squid(User, Password, { QStringLiteral("digest") }, SquidRealm);
    WSCLIENT_REQUIRE_PROXY(proxy);
    target.options.setProxy(
        proxyAt(Type::Http, proxy->port(), fromSignal ? QString() : User, fromSignal ? QString() : Password));
    WebSocket ws;
    Answerer answerer { User, Password };
    answerer.attachProxy(&ws);
    TraceCapture trace;
    QVERIFY2(openAndWait(ws, target.url, target.options, blocking), qPrintable(ws.errorString()));
    trace.stop();
    QCOMPARE(answerer.asked, fromSignal ? 1 : 0);
    const QString problem = echoProblem(ws);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QString all = trace.text();
    QVERIFY2(all.contains(QStringLiteral("asks for Digest authentication (realm \"%1\")").arg(SquidRealm)),
        qPrintable(all));
    QVERIFY2(!all.contains(Password), qPrintable(all));
    ws.close();
    QVERIFY(ws.waitForDisconnected(Wait));
    // squid logs the tunnel with the user it authenticated.
    QTRY_VERIFY2_WITH_TIMEOUT(
        proxy->accessLog().contains(QStringLiteral("CONNECT localhost:%1 alice").arg(target.server.port())),
        qPrintable(proxy->accessLog()), Wait);
}

void tst_ProxyAuthentication::squidPrefersDigestOverBasic()
{
    Target target = echoTarget(false);
    WSCLIENT_REQUIRE_SERVER(target.server);
    // squid offers Basic first, then Digest, in two Proxy-Authenticate fields.
    auto proxy = ProxyDaemon::squid(
        User, Password, { QStringLiteral("basic"), QStringLiteral("digest") }, SquidRealm);
    WSCLIENT_REQUIRE_PROXY(proxy);
    target.options.setProxy(proxyAt(Type::Http, proxy->port()));
    WebSocket ws;
    Answerer answerer { User, Password };
    answerer.attachProxy(&ws);
    QVERIFY2(openAndWait(ws, target.url, target.options, true), qPrintable(ws.errorString()));
    QCOMPARE(answerer.scheme, QStringLiteral("Digest"));
    QVERIFY(echoProblem(ws).isEmpty());
}

void tst_ProxyAuthentication::squidRefused()
{
    Target target = echoTarget(false);
    WSCLIENT_REQUIRE_SERVER(target.server);
    auto proxy = ProxyDaemon::squid(User, Password, { QStringLiteral("digest") }, SquidRealm);
    WSCLIENT_REQUIRE_PROXY(proxy);
    target.options.setProxy(proxyAt(Type::Http, proxy->port(), User, QStringLiteral("wrong")));
    auto ws = WebSocket::connectTo(target.url, target.options);
    QCOMPARE(ws->error(), Error::AuthenticationFailed);
    QVERIFY2(ws->errorString().contains(
                 QStringLiteral("the credentials of user \"alice\" were refused (Digest, realm \"%1\")")
                     .arg(SquidRealm)),
        qPrintable(ws->errorString()));
}

QTEST_MAIN(tst_ProxyAuthentication)
#include "tst_proxyauthentication.moc"
