// ConnectOptions::setCookieJar() against python3-websockets started here (tests/servers: /cookie
// answers with the Cookie header it got; set-cookie=... in any query adds a Set-Cookie field to the
// response): cookies set by a 101, by a redirect hop and by an error status reach the jar and the
// next request; Secure cookies only over wss://; explicit cookie() merged; no jar, no change;
// WebSocketApp sends a session cookie of its first handshake when it reconnects.
#include "testcertificates.h"
#include "testserver.h"

#include <WsClient/WebSocket>
#include <WsClient/WebSocketApp>

#include <QtNetwork/qnetworkcookie.h>
#include <QtNetwork/qnetworkcookiejar.h>
#include <QtTest/QtTest>

using namespace WsClient;

namespace {

constexpr int Wait = 15000;

// The Cookie header the server's /cookie route received, or "ERROR: ..." when the connection failed.
QString cookieSeenBy(const QUrl &url, const ConnectOptions &options)
{
    auto ws = WebSocket::connectTo(url, options);
    if (!ws->isOpen())
        return QStringLiteral("ERROR: ") + ws->errorString();
    const Message m = ws->receive(Wait);
    ws->close();
    ws->waitForDisconnected(Wait);
    return m.isValid() ? m.text() : QStringLiteral("ERROR: no message: ") + ws->errorString();
}

ConnectOptions withJar(QNetworkCookieJar *jar)
{
    ConnectOptions options;
    options.setCookieJar(jar);
    return options;
}

// "a=1; b=2" as a set: the jar orders cookies by path, not by when they were set.
QSet<QString> pairs(const QString &header)
{
    QSet<QString> result;
    for (const QString &pair : header.split(QStringLiteral("; "), Qt::SkipEmptyParts))
        result.insert(pair);
    return result;
}

QStringList namesInJar(QNetworkCookieJar &jar, const QUrl &url)
{
    QStringList names;
    for (const QNetworkCookie &cookie : jar.cookiesForUrl(url))
        names.append(QString::fromUtf8(cookie.name()));
    names.sort();
    return names;
}

} // namespace

class tst_Cookies : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cookieFrom101IsSentNextTime();
    void eventLoopOpenUsesTheJarToo();
    void explicitCookieMergedWithJar();
    void redirectHopCookieReachesNextHop();
    void errorStatusStoresCookies();
    void secureCookiesOnlyOverWss();
    void withoutJarNothingChanges();
    void deletedJarCountsAsNone();
    void appSendsSessionCookieOnReconnect();
};

void tst_Cookies::cookieFrom101IsSentNextTime()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    QNetworkCookieJar jar;
    ConnectOptions options = withJar(&jar);
    QCOMPARE(
        cookieSeenBy(server.url(QStringLiteral("/cookie?set-cookie=session%3Dabc%3B%20HttpOnly")), options),
        QString());
    // Stored for the server's host as http:// (ws), with the path defaulted from the request.
    QCOMPARE(namesInJar(jar, QUrl(QStringLiteral("http://127.0.0.1/"))),
        QStringList { QStringLiteral("session") });
    QCOMPARE(cookieSeenBy(server.url(QStringLiteral("/cookie")), options), QStringLiteral("session=abc"));
}

void tst_Cookies::eventLoopOpenUsesTheJarToo()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    QNetworkCookieJar jar;
    jar.setCookiesFromUrl(QNetworkCookie::parseCookies("pre=1"), QUrl(QStringLiteral("http://127.0.0.1/")));
    ConnectOptions options = withJar(&jar);
    WebSocket ws;
    QSignalSpy connected(&ws, &WebSocket::connected);
    QStringList cookiesAtConnected;
    connect(&ws, &WebSocket::connected, this, [&] { cookiesAtConnected = namesInJar(jar, server.url()); });
    QSignalSpy text(&ws, &WebSocket::textMessageReceived);
    ws.open(server.url(QStringLiteral("/cookie?set-cookie=late%3D2")), options);
    QVERIFY2(connected.wait(Wait), qPrintable(ws.errorString()));
    QVERIFY(text.count() > 0 || text.wait(Wait));
    QCOMPARE(text.at(0).at(0).toString(), QStringLiteral("pre=1"));
    // Stored before connected() was emitted.
    cookiesAtConnected.sort();
    QCOMPARE(cookiesAtConnected, (QStringList { QStringLiteral("late"), QStringLiteral("pre") }));
}

void tst_Cookies::explicitCookieMergedWithJar()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    QNetworkCookieJar jar;
    jar.setCookiesFromUrl(
        QNetworkCookie::parseCookies("session=fromjar"), QUrl(QStringLiteral("http://127.0.0.1/")));
    jar.setCookiesFromUrl(
        QNetworkCookie::parseCookies("theme=dark"), QUrl(QStringLiteral("http://127.0.0.1/")));
    ConnectOptions options = withJar(&jar);
    options.setCookie("mine=1; session=byhand");
    const QString seen = cookieSeenBy(server.url(QStringLiteral("/cookie")), options);
    // The explicit value first and whole; the jar's cookie of the same name is not sent twice.
    QVERIFY2(seen.startsWith(QLatin1String("mine=1; session=byhand; ")), qPrintable(seen));
    QCOMPARE(pairs(seen),
        (QSet<QString> {
            QStringLiteral("mine=1"), QStringLiteral("session=byhand"), QStringLiteral("theme=dark") }));

    // A Cookie field among the headers replaces the whole header, jar included.
    options.setHeader("Cookie", "only=this");
    QCOMPARE(cookieSeenBy(server.url(QStringLiteral("/cookie")), options), QStringLiteral("only=this"));
}

void tst_Cookies::redirectHopCookieReachesNextHop()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    // /redirect?n=1 -> 302 (sets hop=1) -> /redirect?n=0 -> 302 -> /cookie: the Set-Cookie of the
    // first hop's response must be in the requests of both later hops.
    const QUrl url = server.url(QStringLiteral("/redirect?n=1&to=/cookie&set-cookie=hop%3D1"));
    QNetworkCookieJar jar;
    ConnectOptions options = withJar(&jar);
    QCOMPARE(cookieSeenBy(url, options), QStringLiteral("hop=1"));
    QCOMPARE(namesInJar(jar, server.url()), QStringList { QStringLiteral("hop") });

    // Without a jar the redirect's cookie is dropped, as before there were jars.
    QCOMPARE(cookieSeenBy(url, ConnectOptions()), QString());
}

void tst_Cookies::errorStatusStoresCookies()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    QNetworkCookieJar jar;
    ConnectOptions options = withJar(&jar);
    auto ws
        = WebSocket::connectTo(server.url(QStringLiteral("/status?code=403&set-cookie=denied%3D1")), options);
    QCOMPARE(ws->error(), Error::BadStatus);
    QCOMPARE(ws->handshakeStatus(), 403);
    QCOMPARE(namesInJar(jar, server.url()), QStringList { QStringLiteral("denied") });

    // Too many redirects: the last redirect's cookie is kept as well.
    options.setRedirectLimit(0);
    ws = WebSocket::connectTo(server.url(QStringLiteral("/redirect?n=0&set-cookie=last%3D1")), options);
    QCOMPARE(ws->error(), Error::TooManyRedirects);
    QCOMPARE(
        namesInJar(jar, server.url()), (QStringList { QStringLiteral("denied"), QStringLiteral("last") }));
}

void tst_Cookies::secureCookiesOnlyOverWss()
{
    const TestCertificates &certs = TestCertificates::instance();
    TestServer plain = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(plain);
    TestServer tls = TestServer::python(certs.serverTlsArguments());
    WSCLIENT_REQUIRE_SERVER(tls);
    // Cookies do not care about ports (RFC 6265 §8.5): both servers on 127.0.0.1 see the same jar.
    QNetworkCookieJar jar;
    QVERIFY(jar.setCookiesFromUrl(
        QNetworkCookie::parseCookies("plain=1"), QUrl(QStringLiteral("https://127.0.0.1/"))));
    QVERIFY(jar.setCookiesFromUrl(
        QNetworkCookie::parseCookies("secret=1; Secure"), QUrl(QStringLiteral("https://127.0.0.1/"))));
    ConnectOptions options = withJar(&jar);
    SslOptions ssl;
    ssl.setCaFile(certs.ca);
    options.setSslOptions(ssl);
    QCOMPARE(cookieSeenBy(plain.url(QStringLiteral("/cookie")), options), QStringLiteral("plain=1"));
    QCOMPARE(pairs(cookieSeenBy(tls.url(QStringLiteral("/cookie"), true), options)),
        (QSet<QString> { QStringLiteral("plain=1"), QStringLiteral("secret=1") }));
}

void tst_Cookies::withoutJarNothingChanges()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    QVERIFY(!options.cookieJar());
    options.setCookie("a=1;"); // sent exactly as given, odd separator and all
    QCOMPARE(cookieSeenBy(server.url(QStringLiteral("/cookie?set-cookie=ignored%3D1")), options),
        QStringLiteral("a=1;"));
    QCOMPARE(cookieSeenBy(server.url(QStringLiteral("/cookie")), options), QStringLiteral("a=1;"));
}

void tst_Cookies::deletedJarCountsAsNone()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    auto jar = std::make_unique<QNetworkCookieJar>();
    jar->setCookiesFromUrl(QNetworkCookie::parseCookies("gone=1"), QUrl(QStringLiteral("http://127.0.0.1/")));
    ConnectOptions options;
    options.setCookieJar(jar.get());
    const ConnectOptions copy = options; // copies share the guarded pointer
    jar.reset();
    QVERIFY(!options.cookieJar());
    QVERIFY(!copy.cookieJar());
    QCOMPARE(cookieSeenBy(server.url(QStringLiteral("/cookie?set-cookie=x%3D1")), copy), QString());
}

void tst_Cookies::appSendsSessionCookieOnReconnect()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    QNetworkCookieJar jar;
    ConnectOptions options = withJar(&jar);
    // Every handshake to this URL sets session=first: the first request carries no cookie, the one
    // after the reconnect carries what the first response set.
    WebSocketApp app(
        server.url(QStringLiteral("/cookie?set-cookie=session%3Dfirst%3B%20Max-Age%3D600")), options);
    app.setReconnectDelay(50);
    QStringList seen;
    connect(&app, &WebSocketApp::textMessageReceived, this, [&](const QString &m) { seen.append(m); });
    QSignalSpy reconnected(&app, &WebSocketApp::reconnected);
    QVERIFY(app.start());
    QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 1, Wait);
    QVERIFY(server.restart());
    QVERIFY(reconnected.wait(Wait));
    QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 2, Wait);
    app.close();
    QTRY_COMPARE_WITH_TIMEOUT(app.state(), WebSocketApp::State::Unconnected, Wait);
    QCOMPARE(seen.at(0), QString());
    QCOMPARE(seen.at(1), QStringLiteral("session=first"));
    QCOMPARE(app.options().cookieJar(), &jar);
}

QTEST_GUILESS_MAIN(tst_Cookies)
#include "tst_cookies.moc"
