// ProxyHandshake with an AuthSession across attempts, from memory: a 407 (or tinyproxy's 401)
// answered with Basic or Digest on the next CONNECT, and SOCKS5 username/password asked for.
#include "protocol/proxyhandshake.h"

#include <QtTest/QtTest>

using namespace WsClient;
using namespace WsClient::Protocol;
using Type = ProxyOptions::Type;
using Action = AuthVerdict::Action;

namespace {

ProxyHandshake::Target target()
{
    return ProxyHandshake::Target { QStringLiteral("example.com"), 443, QByteArray("\x7f\0\0\x01", 4) };
}

AuthSession proxySession()
{
    AuthSession session(AuthSession::Side::Proxy);
    // RFC 7616 §3.9.1's client nonce, so that the answer can be checked against a known value.
    session.setCnonceGenerator([] { return QByteArray("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"); });
    return session;
}

// The value of the Proxy-Authorization line of a CONNECT request, or a null array.
QByteArray proxyAuthorization(const QByteArray &request)
{
    for (const QByteArray &line : request.split('\n')) {
        if (line.startsWith("Proxy-Authorization: "))
            return line.mid(21).trimmed();
    }
    return QByteArray();
}

const QByteArray Established("HTTP/1.1 200 Connection established\r\n\r\n");

} // namespace

class tst_ProxyAuth : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void basicAskedFor();
    void digestAfterPreemptiveBasic();
    void tinyproxyRefusal();
    void socks5AskedFor();
};

void tst_ProxyAuth::basicAskedFor()
{
    AuthSession session = proxySession();
    ProxyHandshake first(Type::Http, target(), {}, {}, &session);
    QVERIFY(proxyAuthorization(first.takeOutgoing()).isNull());
    const QByteArray challenge("HTTP/1.1 407 Proxy Authentication Required\r\n"
                               "Proxy-Authenticate: Basic realm=\"proxy\"\r\nContent-Length: 0\r\n\r\n");
    QCOMPARE(first.feed(challenge), challenge.size());
    QCOMPARE(first.state(), ProxyHandshake::State::Challenged);
    QCOMPARE(first.authVerdict().action, Action::AskCredentials);
    QCOMPARE(first.authVerdict().realm, QStringLiteral("proxy"));
    QCOMPARE(first.challengeFailureText(first.authVerdict()),
        QStringLiteral(
            "HTTP CONNECT proxy: authentication required (Basic, realm \"proxy\"), no credentials were "
            "given (\"HTTP/1.1 407 Proxy Authentication Required\")"));
    QVERIFY(first.takeOutgoing().isEmpty());

    QCOMPARE(
        session.answered(QStringLiteral("Aladdin"), QStringLiteral("open sesame")).action, Action::Retry);
    ProxyHandshake second(Type::Http, target(), {}, {}, &session);
    QCOMPARE(proxyAuthorization(second.takeOutgoing()), QByteArray("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
    QCOMPARE(second.feed(Established), Established.size());
    QVERIFY(second.isDone());
}

void tst_ProxyAuth::digestAfterPreemptiveBasic()
{
    AuthSession session = proxySession();
    session.configure(QStringLiteral("Mufasa"), QStringLiteral("Circle of Life"), true);
    ProxyHandshake first(Type::Http, target(), {}, {}, &session);
    QVERIFY(proxyAuthorization(first.takeOutgoing()).startsWith("Basic "));
    // squid sends one Proxy-Authenticate per configured scheme.
    first.feed("HTTP/1.1 407 Proxy Authentication Required\r\n"
               "Proxy-Authenticate: Basic realm=\"http-auth@example.org\"\r\n"
               "Proxy-Authenticate: Digest realm=\"http-auth@example.org\", qop=\"auth\", algorithm=SHA-256, "
               "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\"\r\n\r\n");
    QCOMPARE(first.state(), ProxyHandshake::State::Challenged);
    QCOMPARE(first.authVerdict().action, Action::Retry);
    QCOMPARE(first.authVerdict().scheme, QByteArray("Digest"));

    ProxyHandshake second(Type::Http, target(), {}, {}, &session);
    const QList<AuthChallenge> sent = parseChallenges(proxyAuthorization(second.takeOutgoing()));
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.first().scheme, QByteArray("Digest"));
    QCOMPARE(sent.first().param("uri"), QByteArray("example.com:443"));
    // SHA-256 of the §3.9.1 parameters with method CONNECT (computed with python hashlib).
    QCOMPARE(sent.first().param("response"),
        QByteArray("444d497cc11d802d4d5b24d983211d802da419fe1cf260921fbc8b55b43da53d"));
    // A second refusal of the same space is final unless the application knows better.
    second.feed("HTTP/1.1 407 Proxy Authentication Required\r\n"
                "Proxy-Authenticate: Digest realm=\"http-auth@example.org\", nonce=\"other\"\r\n\r\n");
    QCOMPARE(second.authVerdict().action, Action::AskCredentials);
    QCOMPARE(second.authVerdict().error, Error::AuthenticationFailed);
}

void tst_ProxyAuth::tinyproxyRefusal()
{
    // tinyproxy 1.11 answers wrong credentials with 401 and WWW-Authenticate.
    AuthSession session = proxySession();
    session.configure(QStringLiteral("alice"), QStringLiteral("wrong"), true);
    ProxyHandshake hs(Type::Http, target(), {}, {}, &session);
    hs.takeOutgoing();
    hs.feed("HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"Tinyproxy\"\r\nConnection: "
            "close\r\n\r\n");
    QCOMPARE(hs.state(), ProxyHandshake::State::Challenged);
    QCOMPARE(hs.authVerdict().error, Error::AuthenticationFailed);
    QCOMPARE(hs.challengeFailureText(hs.authVerdict()),
        QStringLiteral("HTTP CONNECT proxy: the credentials of user \"alice\" were refused (Basic, realm "
                       "\"Tinyproxy\") (\"HTTP/1.0 401 Unauthorized\")"));
}

void tst_ProxyAuth::socks5AskedFor()
{
    AuthSession session = proxySession();
    ProxyHandshake first(Type::Socks5, target(), {}, {}, &session);
    QCOMPARE(first.takeOutgoing(), QByteArray("\x05\x01\x00", 3));
    first.feed(QByteArray("\x05\xff", 2));
    QCOMPARE(first.state(), ProxyHandshake::State::Challenged);
    QCOMPARE(first.authVerdict().scheme, QByteArray("SOCKS5"));
    QCOMPARE(session.answered(QStringLiteral("u"), QStringLiteral("pw")).action, Action::Retry);

    ProxyHandshake second(Type::Socks5, target(), {}, {}, &session);
    QCOMPARE(second.takeOutgoing(), QByteArray("\x05\x02\x00\x02", 4));
    QCOMPARE(second.feed(QByteArray("\x05\x02", 2)), 2);
    QCOMPARE(second.takeOutgoing(), QByteArray("\x01\x01u\x02pw", 6));
    QCOMPARE(second.feed(QByteArray("\x01\x00", 2)), 2);
    QCOMPARE(second.takeOutgoing(), QByteArray("\x05\x01\x00\x01\x7f\x00\x00\x01\x01\xbb", 10));
}

QTEST_APPLESS_MAIN(tst_ProxyAuth)
#include "tst_proxyauth.moc"
