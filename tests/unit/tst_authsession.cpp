// AuthSession from memory: which challenge it answers, when credentials count as refused, when the
// application is asked, and that every exchange ends.
#include "protocol/authsession.h"

#include <QtTest/QtTest>

using namespace WsClient;
using namespace WsClient::Protocol;
using Action = AuthVerdict::Action;

namespace {

QList<AuthChallenge> challenges(const char *field)
{
    return parseChallenges(QByteArrayView(field));
}

// The parameters of what the session sends (Authorization has the syntax of a challenge).
AuthChallenge sent(const QByteArray &value)
{
    const QList<AuthChallenge> parsed = parseChallenges(value);
    return parsed.size() == 1 ? parsed.first() : AuthChallenge();
}

// A session whose client nonces count up: "c1", "c2", ...
AuthSession countingSession(AuthSession::Side side = AuthSession::Side::Server)
{
    AuthSession session(side);
    session.setCnonceGenerator([n = 0]() mutable { return QByteArray("c").append(QByteArray::number(++n)); });
    session.setOrigin(QStringLiteral("ws://h:80"));
    return session;
}

const char BasicR[] = "Basic realm=\"r\"";

} // namespace

class tst_AuthSession : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void noCredentialsAsks();
    void credentialsTriedOnceThenRefused();
    void answerWithOtherCredentials();
    void strongestChallengeWins();
    void unsupportedChallenges();
    void staleNonceRetriedOnce();
    void nonceCountAndClientNonce();
    void reusedDigestGetsOneFreshTry();
    void preemptiveBasicForProxies();
    void anotherRealmGetsATry();
    void originChangeForgetsCredentials();
    void configureKeepsAnAnswer();
    void basicUserWithColon();
    void socks5UsernamePassword();
    void alwaysEnds();
    void origins();
};

void tst_AuthSession::noCredentialsAsks()
{
    AuthSession session = countingSession();
    QVERIFY(session.authorization("GET", "/").isEmpty()); // nothing before a challenge
    const AuthVerdict asked = session.challenged(challenges(BasicR));
    QCOMPARE(asked.action, Action::AskCredentials);
    QCOMPARE(asked.scheme, QByteArray("Basic"));
    QCOMPARE(asked.realm, QStringLiteral("r"));
    const AuthVerdict none = session.answered({}, {});
    QCOMPARE(none.action, Action::Fail);
    QCOMPARE(none.error, Error::BadStatus);
    QCOMPARE(none.message,
        QStringLiteral("authentication required (Basic, realm \"r\"), no credentials were given"));
    QCOMPARE(session.fieldName(), QByteArray("Authorization"));
}

void tst_AuthSession::credentialsTriedOnceThenRefused()
{
    AuthSession session = countingSession();
    session.configure(QStringLiteral("alice"), QStringLiteral("wrong"));
    QVERIFY(session.authorization("GET", "/").isEmpty()); // a server is not sent them unasked
    QCOMPARE(session.challenged(challenges(BasicR)).action, Action::Retry);
    QCOMPARE(session.authorization("GET", "/"),
        basicAuthorization(QStringLiteral("alice"), QStringLiteral("wrong")));
    const AuthVerdict refused = session.challenged(challenges(BasicR));
    QCOMPARE(refused.action, Action::AskCredentials);
    QCOMPARE(refused.error, Error::AuthenticationFailed);
    QCOMPARE(refused.message,
        QStringLiteral("the credentials of user \"alice\" were refused (Basic, realm \"r\")"));
    // The same ones again are not tried again.
    const AuthVerdict same = session.answered(QStringLiteral("alice"), QStringLiteral("wrong"));
    QCOMPARE(same.action, Action::Fail);
    QCOMPARE(same.error, Error::AuthenticationFailed);
}

void tst_AuthSession::answerWithOtherCredentials()
{
    AuthSession session = countingSession();
    QCOMPARE(session.challenged(challenges(BasicR)).action, Action::AskCredentials);
    QCOMPARE(session.answered(QStringLiteral("bob"), QStringLiteral("pw")).action, Action::Retry);
    QCOMPARE(session.user(), QStringLiteral("bob"));
    QCOMPARE(
        session.authorization("GET", "/"), basicAuthorization(QStringLiteral("bob"), QStringLiteral("pw")));
    // Without a pending question an answer means nothing.
    QCOMPARE(session.answered(QStringLiteral("x"), QStringLiteral("y")).action, Action::Fail);
}

void tst_AuthSession::strongestChallengeWins()
{
    AuthSession session = countingSession();
    session.configure(QStringLiteral("u"), QStringLiteral("p"));
    const AuthVerdict verdict = session.challenged(challenges(
        R"(Basic realm="r", Digest realm="r", nonce="md5", Digest realm="r", nonce="sha", algorithm=SHA-256, )"
        R"(Digest realm="r", nonce="late", algorithm=SHA-256-sess, Negotiate)"));
    QCOMPARE(verdict.action, Action::Retry);
    QCOMPARE(verdict.scheme, QByteArray("Digest"));
    const AuthChallenge answer = sent(session.authorization("GET", "/chat"));
    QCOMPARE(answer.scheme, QByteArray("Digest"));
    QCOMPARE(answer.param("algorithm"), QByteArray("SHA-256")); // the first of the strongest
    QCOMPARE(answer.param("nonce"), QByteArray("sha"));
    QCOMPARE(answer.param("uri"), QByteArray("/chat"));

    AuthSession md5 = countingSession();
    md5.configure(QStringLiteral("u"), QStringLiteral("p"));
    md5.challenged(challenges(
        R"(Basic realm="r", Digest realm="r", nonce="n", algorithm=SHA-512-256, Digest realm="r", nonce="m")"));
    QCOMPARE(sent(md5.authorization("GET", "/")).param("algorithm"), QByteArray("MD5"));
}

void tst_AuthSession::unsupportedChallenges()
{
    AuthSession session = countingSession();
    session.configure(QStringLiteral("u"), QStringLiteral("p"));
    const AuthVerdict verdict = session.challenged(
        challenges(R"(Negotiate, NTLM, Digest realm="r", nonce="n", algorithm=SHA-512-256)"));
    QCOMPARE(verdict.action, Action::Fail);
    QCOMPARE(verdict.error, Error::BadStatus);
    QCOMPARE(verdict.message,
        QStringLiteral(
            "authentication required with Negotiate, NTLM, Digest (Digest algorithm SHA-512-256 is not "
            "supported), which WsClient does not support"));
    AuthSession proxy = countingSession(AuthSession::Side::Proxy);
    QCOMPARE(proxy.challenged({}).error, Error::Proxy);
    QCOMPARE(proxy.challenged({}).message, QStringLiteral("no Proxy-Authenticate challenge"));
}

void tst_AuthSession::staleNonceRetriedOnce()
{
    AuthSession session = countingSession();
    session.configure(QStringLiteral("u"), QStringLiteral("p"));
    QCOMPARE(
        session.challenged(challenges(R"(Digest realm="r", nonce="a", qop="auth")")).action, Action::Retry);
    QCOMPARE(sent(session.authorization("GET", "/")).param("nonce"), QByteArray("a"));
    // §3.3: stale=true after an answer: the new nonce, without asking.
    QCOMPARE(session.challenged(challenges(R"(Digest realm="r", nonce="b", qop="auth", stale=true)")).action,
        Action::Retry);
    const AuthChallenge second = sent(session.authorization("GET", "/"));
    QCOMPARE(second.param("nonce"), QByteArray("b"));
    QCOMPARE(second.param("nc"), QByteArray("00000001"));
    // Stale again right after a stale retry: the credentials are what is wrong.
    const AuthVerdict refused
        = session.challenged(challenges(R"(Digest realm="r", nonce="c", qop="auth", stale=true)"));
    QCOMPARE(refused.action, Action::AskCredentials);
    QCOMPARE(refused.error, Error::AuthenticationFailed);
}

void tst_AuthSession::nonceCountAndClientNonce()
{
    AuthSession session = countingSession();
    session.configure(QStringLiteral("u"), QStringLiteral("p"));
    session.challenged(challenges(R"(Digest realm="r", nonce="n", qop="auth", opaque="o")"));
    const AuthChallenge first = sent(session.authorization("GET", "/"));
    const AuthChallenge second = sent(session.authorization("GET", "/"));
    QCOMPARE(first.param("nc"), QByteArray("00000001"));
    QCOMPARE(second.param("nc"), QByteArray("00000002"));
    QCOMPARE(first.param("cnonce"), QByteArray("c1"));
    QCOMPARE(second.param("cnonce"), QByteArray("c2"));
    QCOMPARE(second.param("opaque"), QByteArray("o"));

    // -sess: H(A1) depends on the first client nonce, so it is kept for the nonce's lifetime.
    AuthSession sess = countingSession();
    sess.configure(QStringLiteral("u"), QStringLiteral("p"));
    sess.challenged(challenges(R"(Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess)"));
    QCOMPARE(sent(sess.authorization("GET", "/")).param("cnonce"), QByteArray("c1"));
    QCOMPARE(sent(sess.authorization("GET", "/")).param("cnonce"), QByteArray("c1"));
    sess.challenged(challenges(R"(Digest realm="r", nonce="m", qop="auth", algorithm=MD5-sess, stale=true)"));
    QCOMPARE(sent(sess.authorization("GET", "/")).param("cnonce"), QByteArray("c2"));
}

void tst_AuthSession::reusedDigestGetsOneFreshTry()
{
    AuthSession session = countingSession();
    session.configure(QStringLiteral("u"), QStringLiteral("p"));
    session.challenged(challenges(R"(Digest realm="r", nonce="old", qop="auth")"));
    session.authorization("GET", "/"); // answered, and accepted
    // A later connection reuses the answer with the old nonce; a server that forgot the nonce
    // without saying stale=true gets one fresh answer, not a refusal.
    QVERIFY(!session.authorization("GET", "/").isEmpty());
    QCOMPARE(
        session.challenged(challenges(R"(Digest realm="r", nonce="new", qop="auth")")).action, Action::Retry);
    QCOMPARE(sent(session.authorization("GET", "/")).param("nonce"), QByteArray("new"));
    QCOMPARE(session.challenged(challenges(R"(Digest realm="r", nonce="newer", qop="auth")")).action,
        Action::AskCredentials);
}

void tst_AuthSession::preemptiveBasicForProxies()
{
    AuthSession proxy = countingSession(AuthSession::Side::Proxy);
    proxy.configure(QStringLiteral("u"), QStringLiteral("p"), true);
    QCOMPARE(proxy.fieldName(), QByteArray("Proxy-Authorization"));
    QCOMPARE(proxy.authorization("CONNECT", "h:443"),
        basicAuthorization(QStringLiteral("u"), QStringLiteral("p")));
    // Basic ahead of a Basic challenge would go again unchanged: refused at once.
    QCOMPARE(proxy.challenged(challenges("Basic realm=\"p\"")).error, Error::AuthenticationFailed);

    // Ahead of a Digest challenge it was no answer at all: Digest gets its try.
    AuthSession digest = countingSession(AuthSession::Side::Proxy);
    digest.configure(QStringLiteral("u"), QStringLiteral("p"), true);
    digest.authorization("CONNECT", "h:443");
    QCOMPARE(
        digest.challenged(challenges(R"(Digest realm="p", nonce="n", qop="auth")")).action, Action::Retry);
    const AuthChallenge answer = sent(digest.authorization("CONNECT", "h:443"));
    QCOMPARE(answer.scheme, QByteArray("Digest"));
    QCOMPARE(answer.param("uri"), QByteArray("h:443"));
}

void tst_AuthSession::anotherRealmGetsATry()
{
    AuthSession session = countingSession();
    session.configure(QStringLiteral("u"), QStringLiteral("p"));
    session.challenged(challenges("Basic realm=\"a\""));
    session.authorization("GET", "/a");
    QCOMPARE(session.challenged(challenges("Basic realm=\"b\"")).action, Action::Retry);
    session.authorization("GET", "/b");
    QCOMPARE(session.challenged(challenges("Basic realm=\"b\"")).action, Action::AskCredentials);
}

void tst_AuthSession::originChangeForgetsCredentials()
{
    AuthSession session = countingSession();
    session.configure(QStringLiteral("u"), QStringLiteral("p"));
    session.challenged(challenges(BasicR));
    session.setOrigin(QStringLiteral("ws://h:80")); // the same: kept
    QVERIFY(session.hasCredentials());
    session.setOrigin(QStringLiteral("ws://elsewhere:80"));
    QVERIFY(!session.hasCredentials());
    QVERIFY(session.authorization("GET", "/").isEmpty());
    QCOMPARE(session.challenged(challenges(BasicR)).action, Action::AskCredentials);
}

void tst_AuthSession::configureKeepsAnAnswer()
{
    AuthSession session = countingSession();
    session.configure(QStringLiteral("alice"), QStringLiteral("wrong"));
    session.challenged(challenges(BasicR));
    session.authorization("GET", "/");
    QCOMPARE(session.challenged(challenges(BasicR)).action, Action::AskCredentials);
    QCOMPARE(session.answered(QStringLiteral("alice"), QStringLiteral("right")).action, Action::Retry);
    // The next attempt configures the same URL credentials again: the answer stays.
    session.configure(QStringLiteral("alice"), QStringLiteral("wrong"));
    QCOMPARE(session.password(), QStringLiteral("right"));
    session.configure({}, {});
    QVERIFY(session.hasCredentials());
    // Configured ones that change replace it, and dropping configured ones drops them.
    session.configure(QStringLiteral("carol"), QStringLiteral("x"));
    QCOMPARE(session.user(), QStringLiteral("carol"));
    session.configure({}, {});
    QVERIFY(!session.hasCredentials());
}

void tst_AuthSession::basicUserWithColon()
{
    AuthSession session = countingSession();
    session.configure(QStringLiteral("a:b"), QStringLiteral("p"));
    const AuthVerdict verdict = session.challenged(challenges(BasicR));
    QCOMPARE(verdict.action, Action::Fail);
    QCOMPARE(verdict.error, Error::InvalidArgument);
    // Digest carries it.
    QCOMPARE(session.challenged(challenges(R"(Digest realm="r", nonce="n")")).action, Action::Retry);
}

void tst_AuthSession::socks5UsernamePassword()
{
    AuthSession proxy = countingSession(AuthSession::Side::Proxy);
    QVERIFY(!proxy.startUsernamePasswordRequest());
    const AuthVerdict asked = proxy.usernamePasswordRequired();
    QCOMPARE(asked.action, Action::AskCredentials);
    QCOMPARE(asked.scheme, QByteArray("SOCKS5"));
    QCOMPARE(asked.error, Error::Proxy);
    QCOMPARE(proxy.answered(QStringLiteral("u"), QStringLiteral("p")).action, Action::Retry);
    QVERIFY(proxy.startUsernamePasswordRequest());
    const AuthVerdict refused = proxy.usernamePasswordRequired();
    QCOMPARE(refused.action, Action::AskCredentials);
    QCOMPARE(refused.error, Error::AuthenticationFailed);
    QCOMPARE(refused.message,
        QStringLiteral("the credentials of user \"u\" were refused (SOCKS5 username/password)"));
    QCOMPARE(proxy.answered(QStringLiteral("u"), QStringLiteral("p")).action, Action::Fail);
    QCOMPARE(
        proxy.answered(QStringLiteral("u"), QStringLiteral("p")).action, Action::Fail); // nothing pending
}

void tst_AuthSession::alwaysEnds()
{
    // A server that challenges every request, and an application that keeps giving the same
    // answer: each challenge style ends in a few rounds.
    const char *const styles[] = { BasicR, R"(Digest realm="r", nonce="n", qop="auth")",
        R"(Digest realm="r", nonce="n", qop="auth", stale=true)" };
    for (const char *style : styles) {
        for (bool configured : { false, true }) {
            AuthSession session = countingSession();
            if (configured)
                session.configure(QStringLiteral("u"), QStringLiteral("p"));
            int rounds = 0;
            AuthVerdict verdict;
            do {
                session.authorization("GET", "/");
                verdict = session.challenged(challenges(style));
                if (verdict.action == Action::AskCredentials)
                    verdict = session.answered(QStringLiteral("u"), QStringLiteral("p"));
            } while (verdict.action == Action::Retry && ++rounds < 10);
            QVERIFY2(verdict.action == Action::Fail, style);
            QVERIFY2(rounds <= 3, qPrintable(QString::number(rounds)));
            QCOMPARE(verdict.error, Error::AuthenticationFailed);
        }
    }
}

void tst_AuthSession::origins()
{
    QCOMPARE(originOf(parseUrl(QStringLiteral("ws://Example.COM/x"))), QStringLiteral("ws://example.com:80"));
    QCOMPARE(originOf(parseUrl(QStringLiteral("wss://[::1]:8443/"))), QStringLiteral("wss://[::1]:8443"));
}

QTEST_APPLESS_MAIN(tst_AuthSession)
#include "tst_authsession.moc"
