// The opening handshake's side of HTTP authentication, from memory: a 401 goes to the AuthSession,
// its verdict ends the handshake (Challenged or Failed), the next request carries the answer, and
// the cases where a 401 stays a plain bad status.
#include "protocol/clientconnection.h"

#include <WsClient/url.h>

#include <QtTest/QtTest>

using namespace WsClient;
using namespace WsClient::Protocol;
using Status = ClientHandshake::Status;
using Action = AuthVerdict::Action;

namespace {

const QString Url = QStringLiteral("ws://example.com/chat?room=1");

ClientHandshake::Config config(AuthSession *auth, const HeaderList &headers = {})
{
    ClientHandshake::Config c;
    c.request.url = parseUrl(Url);
    c.request.headers = headers;
    c.url = QUrl(Url);
    c.auth = auth;
    return c;
}

QByteArray response(const QList<QByteArray> &lines, const QByteArray &body = {})
{
    QByteArray bytes;
    for (const QByteArray &line : lines)
        bytes += line + "\r\n";
    return bytes + "\r\n" + body;
}

const QByteArray BasicChallenge = response(
    { "HTTP/1.1 401 Unauthorized", "WWW-Authenticate: Basic realm=\"chat\"", "Content-Length: 6" }, "denied");

QByteArray sentField(const ClientHandshake &hs, QByteArrayView name)
{
    return headerValue(hs.requestHeaders(), name);
}

// Records what a ClientConnection reports.
class Sink : public ConnectionSink, public FrameOutput
{
public:
    QStringList events;
    void opened() override { events << QStringLiteral("opened"); }
    void redirected(const QUrl &) override { events << QStringLiteral("redirected"); }
    void authenticationRequired(const AuthVerdict &verdict) override
    {
        events << QStringLiteral("authenticationRequired %1")
                      .arg(QLatin1String(verdict.action == Action::Retry ? "retry" : "ask"));
    }
    void failed(const Failure &failure) override
    {
        events << QStringLiteral("failed %1")
                      .arg(QString::fromLatin1(QMetaEnum::fromType<Error>().valueToKey(int(failure.error))));
    }
    void closeTransport() override { events << QStringLiteral("closeTransport"); }
    void frameReceived(const FrameHeader &, QByteArrayView) override { }
    void messageReceived(Opcode, QByteArray &&) override { }
    void fragmentReceived(Opcode, QByteArray &&, bool) override { }
    void pingReceived(QByteArrayView) override { }
    void pongReceived(QByteArrayView) override { }
    void closeReceived(quint16, const QString &) override { }
    bool wantsMore() const override { return true; }
    void writeFrame(const FrameHeader &, QByteArrayView) override { }
    void writeBytes(QByteArrayView) override { }
};

} // namespace

class tst_HandshakeAuth : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void retryAtOnceWithKnownCredentials();
    void askAfterTheBody();
    void unsupportedSchemeFails();
    void nextRequestCarriesTheAnswer();
    void plainBadStatus_data();
    void plainBadStatus();
    void crossOriginDropsTheUsersAuthorization();
    void connectionClosesWithoutFailure();
};

void tst_HandshakeAuth::retryAtOnceWithKnownCredentials()
{
    AuthSession session;
    session.configure(QStringLiteral("alice"), QStringLiteral("s3cret"));
    ClientHandshake hs(config(&session));
    QVERIFY(sentField(hs, "Authorization").isNull()); // not before the server asks
    // Decided on the head: the connection is dropped, its body is not waited for.
    const QByteArray head = BasicChallenge.first(BasicChallenge.indexOf("\r\n\r\n") + 4);
    QCOMPARE(hs.feed(head), head.size());
    QCOMPARE(hs.status(), Status::Challenged);
    QCOMPARE(hs.authVerdict().action, Action::Retry);
    QCOMPARE(hs.authVerdict().realm, QStringLiteral("chat"));
}

void tst_HandshakeAuth::askAfterTheBody()
{
    AuthSession session;
    ClientHandshake hs(config(&session));
    hs.feed(BasicChallenge.chopped(3));
    QVERIFY(hs.awaitingBody()); // kept for the failure should the application give nothing
    hs.feed(BasicChallenge.right(3));
    QCOMPARE(hs.status(), Status::Challenged);
    QCOMPARE(hs.authVerdict().action, Action::AskCredentials);
    QCOMPARE(hs.body(), QByteArray("denied"));
    const Failure failure = hs.challengeFailure(session.answered({}, {}));
    QCOMPARE(failure.error, Error::BadStatus);
    QCOMPARE(failure.message,
        QStringLiteral(
            "Handshake status 401 Unauthorized: authentication required (Basic, realm \"chat\"), no "
            "credentials were given"));
}

void tst_HandshakeAuth::unsupportedSchemeFails()
{
    AuthSession session;
    session.configure(QStringLiteral("u"), QStringLiteral("p"));
    ClientHandshake hs(config(&session));
    hs.feed(response({ "HTTP/1.1 401 Unauthorized", "WWW-Authenticate: Negotiate", "Content-Length: 0" }));
    QCOMPARE(hs.status(), Status::Failed);
    QCOMPARE(hs.failure().error, Error::BadStatus);
    QCOMPARE(hs.failure().message,
        QStringLiteral(
            "Handshake status 401 Unauthorized: authentication required with Negotiate, which WsClient "
            "does not support"));
}

void tst_HandshakeAuth::nextRequestCarriesTheAnswer()
{
    AuthSession session;
    session.configure(QStringLiteral("Mufasa"), QStringLiteral("Circle of Life"));
    ClientHandshake first(config(&session));
    first.feed(response({ "HTTP/1.1 401 Unauthorized",
        "WWW-Authenticate: Basic realm=\"chat\", Digest realm=\"chat\", nonce=\"n1\", qop=\"auth\", "
        "algorithm=SHA-256" }));
    QCOMPARE(first.authVerdict().action, Action::Retry);
    ClientHandshake second(config(&session));
    const QList<AuthChallenge> sent = parseChallenges(sentField(second, "Authorization"));
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.first().scheme, QByteArray("Digest"));
    QCOMPARE(sent.first().param("uri"), QByteArray("/chat?room=1")); // the request target
    QCOMPARE(sent.first().param("algorithm"), QByteArray("SHA-256"));
    // Refused: the failure names the user and the realm.
    second.feed(response({ "HTTP/1.1 401 Unauthorized",
        "WWW-Authenticate: Digest realm=\"chat\", nonce=\"n2\", qop=\"auth\", algorithm=SHA-256",
        "Content-Length: 0" }));
    QCOMPARE(second.status(), Status::Challenged);
    QCOMPARE(second.authVerdict().action, Action::AskCredentials);
    const Failure failure = second.challengeFailure(session.answered({}, {}));
    QCOMPARE(failure.error, Error::AuthenticationFailed);
    QVERIFY2(failure.message.endsWith(
                 QLatin1String("the credentials of user \"Mufasa\" were refused (Digest, realm \"chat\")")),
        qPrintable(failure.message));
}

void tst_HandshakeAuth::plainBadStatus_data()
{
    QTest::addColumn<bool>("withSession");
    QTest::addColumn<bool>("canReconnect");
    QTest::addColumn<bool>("ownAuthorization");
    QTest::addColumn<bool>("challenge");
    QTest::newRow("no session") << false << true << false << true;
    QTest::newRow("a device cannot reconnect") << true << false << false << true;
    QTest::newRow("the application's own Authorization") << true << true << true << true;
    QTest::newRow("401 without WWW-Authenticate") << true << true << false << false;
}

void tst_HandshakeAuth::plainBadStatus()
{
    QFETCH(bool, withSession);
    QFETCH(bool, canReconnect);
    QFETCH(bool, ownAuthorization);
    QFETCH(bool, challenge);
    AuthSession session;
    session.configure(QStringLiteral("u"), QStringLiteral("p"));
    ClientHandshake::Config c = config(withSession ? &session : nullptr,
        ownAuthorization ? HeaderList { { "authorization", "Bearer t" } } : HeaderList());
    c.canRedirect = canReconnect;
    ClientHandshake hs(c);
    QCOMPARE(sentField(hs, "Authorization"), ownAuthorization ? QByteArray("Bearer t") : QByteArray());
    hs.feed(challenge ? BasicChallenge : response({ "HTTP/1.1 401 Unauthorized", "Content-Length: 0" }));
    QCOMPARE(hs.status(), Status::Failed);
    QCOMPARE(hs.failure().error, Error::BadStatus);
    QCOMPARE(hs.failure().message, QStringLiteral("Handshake status 401 Unauthorized"));
}

void tst_HandshakeAuth::crossOriginDropsTheUsersAuthorization()
{
    AuthSession session;
    ClientHandshake::Config c
        = config(&session, { { "Authorization", "Bearer secret" }, { "X-Other", "kept" } });
    c.crossOrigin = true;
    ClientHandshake hs(c);
    QVERIFY(sentField(hs, "Authorization").isNull());
    QCOMPARE(sentField(hs, "X-Other"), QByteArray("kept"));
    // With the user's field gone, the session answers this origin's challenges.
    hs.feed(BasicChallenge);
    QCOMPARE(hs.status(), Status::Challenged);
}

void tst_HandshakeAuth::connectionClosesWithoutFailure()
{
    AuthSession session;
    ClientConnection::Config c;
    c.handshake = config(&session);
    Sink sink;
    ClientConnection conn(c, sink, sink);
    conn.start();
    QByteArray bytes = BasicChallenge.chopped(2);
    conn.receiveData(bytes.data(), bytes.size());
    QVERIFY(conn.awaitingBody());
    conn.transportClosed(
        QStringLiteral("example.com:80"), QStringLiteral("closed")); // the body ends with the stream
    QCOMPARE(conn.state(), ClientConnection::State::Closed);
    QCOMPARE(sink.events, QStringList { QStringLiteral("authenticationRequired ask") });
    QVERIFY(!conn.failure().isFailure());

    AuthSession known;
    known.configure(QStringLiteral("u"), QStringLiteral("p"));
    c.handshake = config(&known);
    Sink retrying;
    ClientConnection again(c, retrying, retrying);
    again.start();
    bytes = BasicChallenge;
    again.receiveData(bytes.data(), bytes.size());
    QCOMPARE(retrying.events, QStringList { QStringLiteral("authenticationRequired retry") });
}

QTEST_APPLESS_MAIN(tst_HandshakeAuth)
#include "tst_handshakeauth.moc"
