// HTTP authentication on the opening handshake against real servers started here on 127.0.0.1:
// nginx with auth_basic in front of the python echo server (Basic), and tests/servers/auth_server.py
// (Digest MD5/SHA-256 and their -sess forms, qop=auth, single-use nonces). Credentials come from
// the URL or from authenticationRequired(); refusals, redirects and reconnects are checked too.
#include "authsupport.h"
#include "proxydaemon.h"
#include "testserver.h"
#include "tracecapture.h"

#include <WsClient/websocketapp.h>

#include <QtTest/QtTest>

#include <optional>

using namespace WsClient;
using namespace AuthSupport;

namespace {

const QString User = QStringLiteral("alice");
const QString Password = QStringLiteral("s3cret");
const QString Realm = QStringLiteral("wsclient-basic");

QUrl withCredentials(QUrl url, const QString &user, const QString &password)
{
    url.setUserName(user);
    url.setPassword(password);
    return url;
}

TestServer digestServer(const QString &offer, const QStringList &extra = {})
{
    return TestServer::python(QStringList { QStringLiteral("--user"), User + QLatin1Char(':') + Password,
                                  QStringLiteral("--offer"), offer }
            + extra,
        QStringLiteral("auth_server.py"));
}

} // namespace

class tst_Auth : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void basicFromUrl_data();
    void basicFromUrl();
    void basicFromSignalIsKept();
    void basicRefused();
    void basicWithoutCredentials();

    void digest_data();
    void digest();
    void digestStaleNonceAfterReopen();
    void digestRefused();

    void redirectKeepsCredentialsToTheirOrigin();
    void appAsksOnceAcrossReconnects();

private:
    std::optional<TestServer> m_echo;
    std::unique_ptr<ProxyDaemon> m_nginx;
    QUrl nginxUrl() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/echo").arg(m_nginx->port())); }
};

void tst_Auth::initTestCase()
{
    // One nginx for the Basic tests, in front of one echo server.
    m_echo.emplace(TestServer::python({ QStringLiteral("--no-compression") }));
    if (m_echo->skipReason().isEmpty() && m_echo->isRunning())
        m_nginx = ProxyDaemon::nginxBasicAuth(m_echo->port(), User, Password, Realm);
}

void tst_Auth::basicFromUrl_data()
{
    QTest::addColumn<bool>("blocking");
    QTest::newRow("blocking") << true;
    QTest::newRow("event loop") << false;
}

void tst_Auth::basicFromUrl()
{
    QFETCH(bool, blocking);
    WSCLIENT_REQUIRE_SERVER(*m_echo);
    WSCLIENT_REQUIRE_PROXY(m_nginx);
    WebSocket ws;
    TraceCapture trace;
    QVERIFY2(openAndWait(ws, withCredentials(nginxUrl(), User, Password), {}, blocking),
        qPrintable(ws.errorString()));
    trace.stop();
    QCOMPARE(ws.handshakeStatus(), 101);
    const QString problem = echoProblem(ws);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // Sent only when asked, as Basic; the trace names the scheme and never the credentials.
    QVERIFY(ws.requestHeaders().contains({ "Authorization", "Basic YWxpY2U6czNjcmV0" }));
    const QString all = trace.text();
    QVERIFY2(all.contains(QLatin1String("asks for Basic authentication (realm \"wsclient-basic\")")),
        qPrintable(all));
    QVERIFY2(all.contains(QLatin1String("Authorization: Basic (credentials not shown)")), qPrintable(all));
    QVERIFY2(!all.contains(Password) && !all.contains(QLatin1String("YWxpY2U6czNjcmV0")), qPrintable(all));
    ws.close();
    QVERIFY(ws.waitForDisconnected(Wait));
}

void tst_Auth::basicFromSignalIsKept()
{
    WSCLIENT_REQUIRE_SERVER(*m_echo);
    WSCLIENT_REQUIRE_PROXY(m_nginx);
    WebSocket ws;
    Answerer answerer { User, Password };
    answerer.attach(&ws);
    QVERIFY2(openAndWait(ws, nginxUrl(), {}, false), qPrintable(ws.errorString()));
    QCOMPARE(answerer.asked, 1);
    QCOMPARE(answerer.realm, Realm);
    QCOMPARE(answerer.scheme, QStringLiteral("Basic"));
    QVERIFY(echoProblem(ws).isEmpty());
    ws.close();
    QVERIFY(ws.waitForDisconnected(Wait));
    // Reopened: the answer is sent at once (nginx sees no second 401), nobody is asked again.
    const qsizetype refusals = m_nginx->accessLog().count(QLatin1String("\" 401 "));
    QVERIFY(refusals >= 1);
    QVERIFY2(openAndWait(ws, nginxUrl(), {}, true), qPrintable(ws.errorString()));
    QCOMPARE(answerer.asked, 1);
    QCOMPARE(m_nginx->accessLog().count(QLatin1String("\" 401 ")), refusals);
    QVERIFY(echoProblem(ws).isEmpty());
}

void tst_Auth::basicRefused()
{
    WSCLIENT_REQUIRE_SERVER(*m_echo);
    WSCLIENT_REQUIRE_PROXY(m_nginx);
    const QUrl wrong = withCredentials(nginxUrl(), User, QStringLiteral("wrong"));
    // Refused, and the application gives nothing (no slot) or the same again: one clear error.
    for (const QString &answer : { QString(), QStringLiteral("wrong") }) {
        WebSocket ws;
        Answerer answerer { answer.isEmpty() ? QString() : User, answer };
        answerer.attach(&ws);
        QVERIFY(!openAndWait(ws, wrong, {}, true));
        QCOMPARE(answerer.asked, 1);
        QCOMPARE(ws.error(), Error::AuthenticationFailed);
        QCOMPARE(ws.handshakeStatus(), 401);
        QVERIFY2(ws.errorString().contains(QLatin1String(
                     "the credentials of user \"alice\" were refused (Basic, realm \"wsclient-basic\")")),
            qPrintable(ws.errorString()));
        QVERIFY(!ws.errorString().contains(QLatin1String("wrong")));
    }
    // The application knows better: the right ones on the next connection.
    WebSocket ws;
    Answerer answerer { User, Password };
    answerer.attach(&ws);
    QVERIFY2(openAndWait(ws, wrong, {}, false), qPrintable(ws.errorString()));
    QCOMPARE(answerer.asked, 1);
}

void tst_Auth::basicWithoutCredentials()
{
    WSCLIENT_REQUIRE_SERVER(*m_echo);
    WSCLIENT_REQUIRE_PROXY(m_nginx);
    auto ws = WebSocket::connectTo(nginxUrl());
    QCOMPARE(ws->error(), Error::BadStatus);
    QCOMPARE(ws->handshakeStatus(), 401);
    QVERIFY2(ws->errorString().contains(
                 QLatin1String("Handshake status 401 Unauthorized: authentication required "
                               "(Basic, realm \"wsclient-basic\"), no credentials were given")),
        qPrintable(ws->errorString()));
    QVERIFY(ws->handshakeBody().contains("401 Authorization Required")); // nginx's page
}

void tst_Auth::digest_data()
{
    QTest::addColumn<QString>("offer");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QString>("answered"); // what the server logs as accepted
    QTest::newRow("SHA-256") << "Digest:SHA-256" << QStringList() << "algorithm=SHA-256";
    QTest::newRow("MD5") << "Digest:MD5" << QStringList() << "algorithm=MD5 ";
    QTest::newRow("MD5 first, SHA-256 wins")
        << "Digest:MD5,Digest:SHA-256" << QStringList() << "algorithm=SHA-256";
    QTest::newRow("Basic first, Digest wins") << "Basic,Digest:MD5" << QStringList() << "scheme=Digest";
    QTest::newRow("SHA-256-sess") << "Digest:SHA-256-sess" << QStringList() << "algorithm=SHA-256-sess";
    QTest::newRow("MD5-sess") << "Digest:MD5-sess" << QStringList() << "algorithm=MD5-sess";
    QTest::newRow("userhash") << "Digest:SHA-256" << QStringList { QStringLiteral("--userhash") }
                              << "algorithm=SHA-256";
    QTest::newRow("Basic alone") << "Basic" << QStringList() << "scheme=Basic";
}

void tst_Auth::digest()
{
    QFETCH(QString, offer);
    QFETCH(QStringList, extra);
    QFETCH(QString, answered);
    TestServer server = digestServer(offer, extra);
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    QVERIFY2(
        openAndWait(ws, withCredentials(server.url(QStringLiteral("/echo?x=1")), User, Password), {}, true),
        qPrintable(ws.errorString() + server.log()));
    const QString problem = echoProblem(ws);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(server.log().contains(QStringLiteral("auth ok user=alice")) && server.log().contains(answered),
        qPrintable(server.log()));
}

void tst_Auth::digestStaleNonceAfterReopen()
{
    TestServer server = digestServer(QStringLiteral("Digest:SHA-256"));
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    Answerer answerer { User, Password };
    answerer.attach(&ws);
    QVERIFY2(openAndWait(ws, server.url(QStringLiteral("/echo")), {}, false), qPrintable(ws.errorString()));
    QCOMPARE(answerer.asked, 1);
    QCOMPARE(answerer.scheme, QStringLiteral("Digest"));
    QCOMPARE(answerer.realm, QStringLiteral("wsclient"));
    ws.close();
    QVERIFY(ws.waitForDisconnected(Wait));
    // The answer goes out again with the spent nonce; the server says stale=true and the next
    // nonce is answered without asking.
    QVERIFY2(openAndWait(ws, server.url(QStringLiteral("/echo")), {}, true), qPrintable(ws.errorString()));
    QCOMPARE(answerer.asked, 1);
    QVERIFY2(
        server.log().contains(QLatin1String("auth challenge Digest stale nonce")), qPrintable(server.log()));
    QCOMPARE(server.log().count(QLatin1String("auth ok")), 2);
}

void tst_Auth::digestRefused()
{
    TestServer server = digestServer(QStringLiteral("Digest:SHA-256,Digest:MD5"));
    WSCLIENT_REQUIRE_SERVER(server);
    auto ws = WebSocket::connectTo(
        withCredentials(server.url(QStringLiteral("/echo")), User, QStringLiteral("nope")));
    QCOMPARE(ws->error(), Error::AuthenticationFailed);
    QVERIFY2(ws->errorString().contains(QLatin1String(
                 "the credentials of user \"alice\" were refused (Digest, realm \"wsclient\")")),
        qPrintable(ws->errorString()));
    // Tried once: the first 401 asked, the second refused.
    QCOMPARE(server.log().count(QLatin1String("auth challenge")), 2);
}

void tst_Auth::redirectKeepsCredentialsToTheirOrigin()
{
    TestServer guarded = digestServer(QStringLiteral("Digest:SHA-256"));
    WSCLIENT_REQUIRE_SERVER(guarded);
    TestServer other = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(other);
    // Same origin: after the 302 the answer goes along at once (no second challenge).
    WebSocket same;
    QVERIFY2(openAndWait(same,
                 withCredentials(guarded.url(QStringLiteral("/redirect?n=0&to=/headers")), User, Password),
                 {}, true),
        qPrintable(same.errorString()));
    Message report = same.receive(Wait);
    QVERIFY2(report.text().contains(QLatin1String("\"authorization\": \"Digest username=\\\"alice\\\"")),
        qPrintable(report.text()));
    // (The server's nonces are single-use, so it calls that answer stale and takes the next.)
    QCOMPARE(guarded.log().count(QLatin1String("auth challenge no Authorization")), 1);

    // Another origin ("localhost" is not "127.0.0.1"): neither the URL's credentials nor the
    // application's own Authorization field follow.
    const QString elsewhere = QStringLiteral("ws://localhost:%1/headers").arg(other.port());
    WebSocket away;
    QVERIFY2(
        openAndWait(away,
            withCredentials(guarded.url(QStringLiteral("/redirect-abs?to=") + elsewhere), User, Password), {},
            true),
        qPrintable(away.errorString()));
    report = away.receive(Wait);
    QVERIFY2(report.text().contains(QLatin1String("\"path\": \"/headers\"")), qPrintable(report.text()));
    QVERIFY2(!report.text().contains(QLatin1String("authorization")), qPrintable(report.text()));

    ConnectOptions options;
    options.setHeader("Authorization", "Bearer token-for-127.0.0.1");
    WebSocket own;
    QVERIFY2(openAndWait(own, other.url(QStringLiteral("/redirect-abs?to=") + elsewhere), options, true),
        qPrintable(own.errorString()));
    report = own.receive(Wait);
    QVERIFY2(!report.text().contains(QLatin1String("token-for")), qPrintable(report.text()));
    WebSocket kept;
    QVERIFY(openAndWait(kept, other.url(QStringLiteral("/redirect?n=0&to=/headers")), options, true));
    QVERIFY(kept.receive(Wait).text().contains(QLatin1String("Bearer token-for-127.0.0.1")));
}

void tst_Auth::appAsksOnceAcrossReconnects()
{
    TestServer server = digestServer(QStringLiteral("Digest:SHA-256"));
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocketApp app(server.url(QStringLiteral("/echo")));
    app.setReconnectDelay(50);
    Answerer answerer { User, Password };
    answerer.attach(&app);
    QSignalSpy opened(&app, &WebSocketApp::opened);
    QSignalSpy reconnected(&app, &WebSocketApp::reconnected);
    QVERIFY(app.start());
    QVERIFY(opened.wait(Wait));
    QCOMPARE(answerer.asked, 1);
    // The server restarts (connections dropped, nonces forgotten): the app reconnects with the
    // same answer, which the new server calls stale.
    QVERIFY(server.restart());
    QVERIFY2(reconnected.wait(Wait), qPrintable(app.errorString()));
    QCOMPARE(answerer.asked, 1);
    app.close();
}

QTEST_MAIN(tst_Auth)
#include "tst_auth.moc"
