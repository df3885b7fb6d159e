// The HTTP authentication codec from memory: challenge lists (RFC 9110 §11.6.1), Digest answers
// against the example vectors of RFC 7616 §3.9.1 and RFC 2617 §3.5, Basic against RFC 7617.
#include "protocol/httpauth.h"

#include <QtTest/QtTest>

using namespace WsClient::Protocol;

namespace {

// "Scheme{name=value,...}" per challenge, "[token68]", "!" for a malformed one, joined by " | ".
QString describe(const QList<AuthChallenge> &challenges)
{
    QStringList parts;
    for (const AuthChallenge &c : challenges) {
        QString part = QString::fromLatin1(c.scheme);
        if (!c.token68.isEmpty())
            part += QStringLiteral("[%1]").arg(QString::fromLatin1(c.token68));
        if (!c.params.isEmpty()) {
            QStringList params;
            for (const auto &p : c.params)
                params << QString::fromLatin1(p.first) + QLatin1Char('=') + QString::fromUtf8(p.second);
            part += QLatin1Char('{') + params.join(QLatin1Char(',')) + QLatin1Char('}');
        }
        if (c.malformed)
            part += QLatin1Char('!');
        parts << part;
    }
    return parts.join(QLatin1String(" | "));
}

// RFC 7616 §3.9.1.
const QByteArray Realm("http-auth@example.org");
const QByteArray Nonce("7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
const QByteArray Opaque("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
const QByteArray Cnonce("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");

DigestChallenge exampleChallenge(DigestAlgorithm algorithm, const QByteArray &qop = "auth")
{
    DigestChallenge c;
    c.realm = Realm;
    c.nonce = Nonce;
    c.opaque = Opaque;
    c.hasOpaque = true;
    c.algorithm = algorithm;
    c.qop = qop;
    return c;
}

DigestRequest exampleRequest(quint32 nc = 1)
{
    return { QStringLiteral("Mufasa"), QStringLiteral("Circle of Life"), "GET", "/dir/index.html", nc,
        Cnonce };
}

// The credentials read back with the challenge parser (they share the syntax).
AuthChallenge readBack(const QByteArray &value)
{
    const QList<AuthChallenge> parsed = parseChallenges(value);
    return parsed.size() == 1 ? parsed.first() : AuthChallenge();
}

} // namespace

class tst_HttpAuth : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseChallenges_data();
    void parseChallenges();
    void challengesFromSeveralFields();

    void readDigest_data();
    void readDigest();
    void rfc7616Examples_data();
    void rfc7616Examples();
    void rfc2617Example();
    void digestVariants_data();
    void digestVariants();
    void digestUserNames();
    void digestEscapesQuotedValues();

    void basic_data();
    void basic();
};

void tst_HttpAuth::parseChallenges_data()
{
    QTest::addColumn<QByteArray>("field");
    QTest::addColumn<QString>("expected");
    QTest::newRow("RFC 9110 example")
        << QByteArray(R"(Basic realm="simple", Newauth realm="apps", type=1, title="Login Page")")
        << "Basic{realm=simple} | Newauth{realm=apps,type=1,title=Login Page}";
    QTest::newRow("Digest with a qop list")
        << QByteArray(R"(Digest realm="a", qop="auth, auth-int", nonce="n", algorithm=SHA-256)")
        << "Digest{realm=a,qop=auth, auth-int,nonce=n,algorithm=SHA-256}";
    QTest::newRow("escapes") << QByteArray(R"(Digest realm="a \"b\" \\c", nonce="x")")
                             << R"(Digest{realm=a "b" \c,nonce=x})";
    QTest::newRow("bare schemes") << QByteArray("Negotiate, NTLM") << "Negotiate | NTLM";
    QTest::newRow("token68") << QByteArray("Negotiate abc==, Basic realm=x")
                             << "Negotiate[abc==] | Basic{realm=x}";
    QTest::newRow("token68 then params of the next")
        << QByteArray("Newauth YWJj, Basic realm=\"r\", charset=\"UTF-8\"")
        << "Newauth[YWJj] | Basic{realm=r,charset=UTF-8}";
    // (found by fuzz_auth: the parameter was added to the token68 challenge)
    QTest::newRow("parameter after a token68")
        << QByteArray("NTLM abc==, realm=\"p\", Basic") << "NTLM[abc==]! | Basic";
    QTest::newRow("bad whitespace around =")
        << QByteArray("Basic realm = \"x\" , other = y") << "Basic{realm=x,other=y}";
    QTest::newRow("empty items") << QByteArray(" , Basic realm=x,, ,") << "Basic{realm=x}";
    QTest::newRow("empty quoted value") << QByteArray("Basic realm=\"\"") << "Basic{realm=}";
    QTest::newRow("scheme case kept") << QByteArray("bAsIc REALM=x") << "bAsIc{REALM=x}";
    QTest::newRow("param before any scheme") << QByteArray("realm=x, Basic") << "Basic";
    QTest::newRow("unterminated quote")
        << QByteArray("Digest realm=\"a, nonce=\"b\", Basic realm=c") << "Digest!";
    // "realm=" reads as a token68, which no Digest challenge has.
    QTest::newRow("value missing") << QByteArray("Digest realm=, Basic realm=c")
                                   << "Digest[realm=] | Basic{realm=c}";
    QTest::newRow("junk after value")
        << QByteArray("Digest realm=\"a\"x, Basic realm=c") << "Digest! | Basic{realm=c}";
    QTest::newRow("empty") << QByteArray() << QString();
}

void tst_HttpAuth::parseChallenges()
{
    QFETCH(QByteArray, field);
    QFETCH(QString, expected);
    QCOMPARE(describe(WsClient::Protocol::parseChallenges(field)), expected);
}

void tst_HttpAuth::challengesFromSeveralFields()
{
    const HeaderList headers { { "WWW-Authenticate", R"(Digest realm="r", nonce="n")" },
        { "Content-Type", "text/html" }, { "www-authenticate", "Basic realm=\"r\"" } };
    const QList<AuthChallenge> challenges = WsClient::Protocol::parseChallenges(headers, "WWW-Authenticate");
    QCOMPARE(describe(challenges), QStringLiteral("Digest{realm=r,nonce=n} | Basic{realm=r}"));
    QCOMPARE(challenges.first().param("NONCE"), QByteArray("n"));
    QVERIFY(challenges.first().param("opaque").isNull());
}

void tst_HttpAuth::readDigest_data()
{
    QTest::addColumn<QByteArray>("field");
    QTest::addColumn<QString>("expected"); // "algorithm qop stale userhash opaque", or the refusal
    QTest::newRow("defaults") << QByteArray(R"(Digest realm="r", nonce="n")") << "MD5 - 0 0 -";
    QTest::newRow("full") << QByteArray(
        R"(Digest realm="r", nonce="n", opaque="o", algorithm=sha-256-SESS, qop="auth-int,auth", stale=TRUE, userhash=true)")
                          << "SHA-256-sess auth 1 1 o";
    QTest::newRow("auth-int only") << QByteArray(R"(Digest realm="r", nonce="n", qop="auth-int")")
                                   << "MD5 auth-int 0 0 -";
    QTest::newRow("no nonce") << QByteArray(R"(Digest realm="r")") << "Digest challenge without a nonce";
    QTest::newRow("SHA-512-256") << QByteArray(R"(Digest realm="r", nonce="n", algorithm=SHA-512-256)")
                                 << "Digest algorithm SHA-512-256 is not supported";
    QTest::newRow("unknown qop") << QByteArray(R"(Digest realm="r", nonce="n", qop="auth-conf")")
                                 << "Digest qop \"auth-conf\" offers neither auth nor auth-int";
    QTest::newRow("control characters")
        << QByteArray("Digest realm=\"r\", nonce=\"a\x01b\"") << "Digest challenge with control characters";
    QTest::newRow("malformed") << QByteArray(R"(Digest realm="r", nonce="unterminated)")
                               << "malformed Digest challenge";
}

void tst_HttpAuth::readDigest()
{
    QFETCH(QByteArray, field);
    QFETCH(QString, expected);
    const QList<AuthChallenge> challenges = WsClient::Protocol::parseChallenges(field);
    QCOMPARE(challenges.size(), 1);
    DigestChallenge digest;
    QString why;
    const bool ok = readDigestChallenge(challenges.first(), &digest, &why);
    const QString got = ok
        ? QStringLiteral("%1 %2 %3 %4 %5")
              .arg(QString::fromLatin1(digestAlgorithmName(digest.algorithm)),
                  digest.qop.isEmpty() ? QStringLiteral("-") : QString::fromLatin1(digest.qop))
              .arg(int(digest.stale))
              .arg(int(digest.userhash))
              .arg(digest.hasOpaque ? QString::fromLatin1(digest.opaque) : QStringLiteral("-"))
        : why;
    QCOMPARE(got, expected);
}

void tst_HttpAuth::rfc7616Examples_data()
{
    QTest::addColumn<int>("algorithm");
    QTest::addColumn<QByteArray>("response");
    QTest::newRow("MD5") << int(DigestAlgorithm::Md5) << QByteArray("8ca523f5e9506fed4657c9700eebdbec");
    QTest::newRow("SHA-256") << int(DigestAlgorithm::Sha256)
                             << QByteArray(
                                    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

void tst_HttpAuth::rfc7616Examples()
{
    QFETCH(int, algorithm);
    QFETCH(QByteArray, response);
    const DigestChallenge challenge = exampleChallenge(DigestAlgorithm(algorithm));
    const QByteArray value = digestAuthorization(challenge, exampleRequest());
    // The field as §3.9.1 shows it, parameter by parameter and in its order.
    QCOMPARE(value,
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", algorithm="
            + digestAlgorithmName(DigestAlgorithm(algorithm)) + ", nonce=\"" + Nonce
            + "\", nc=00000001, cnonce=\"" + Cnonce + "\", qop=auth, response=\"" + response + "\", opaque=\""
            + Opaque + "\"");
    QCOMPARE(readBack(value).param("response"), response);
}

void tst_HttpAuth::rfc2617Example()
{
    // RFC 2617 §3.5: no algorithm (MD5), qop=auth.
    DigestChallenge challenge;
    challenge.realm = "testrealm@host.com";
    challenge.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
    challenge.opaque = "5ccc069c403ebaf9f0171e9517f40e41";
    challenge.hasOpaque = true;
    challenge.qop = "auth";
    const DigestRequest request { QStringLiteral("Mufasa"), QStringLiteral("Circle Of Life"), "GET",
        "/dir/index.html", 1, "0a4f113b" };
    const AuthChallenge sent = readBack(digestAuthorization(challenge, request));
    QCOMPARE(sent.param("response"), QByteArray("6629fae49393a05397450978507c4ef1"));
    QCOMPARE(sent.param("opaque"), challenge.opaque);
}

void tst_HttpAuth::digestVariants_data()
{
    // Responses computed independently (python hashlib) from the §3.9.1 parameters.
    QTest::addColumn<int>("algorithm");
    QTest::addColumn<QByteArray>("qop");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("uri");
    QTest::addColumn<int>("nc");
    QTest::addColumn<QByteArray>("response");
    QTest::newRow("no qop (RFC 2069)")
        << int(DigestAlgorithm::Md5) << QByteArray() << QByteArray("GET") << QByteArray("/dir/index.html")
        << 1 << QByteArray("7b2cc3b30e75b4777ea31027084363fd");
    QTest::newRow("MD5-sess") << int(DigestAlgorithm::Md5Sess) << QByteArray("auth") << QByteArray("GET")
                              << QByteArray("/dir/index.html") << 1
                              << QByteArray("e783283f46242139c486a698fec7211d");
    QTest::newRow("SHA-256-sess") << int(DigestAlgorithm::Sha256Sess) << QByteArray("auth")
                                  << QByteArray("GET") << QByteArray("/dir/index.html") << 1
                                  << QByteArray(
                                         "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7");
    QTest::newRow("auth-int, second use of the nonce")
        << int(DigestAlgorithm::Md5) << QByteArray("auth-int") << QByteArray("GET")
        << QByteArray("/dir/index.html") << 2 << QByteArray("d2455c821d8247a32c77203f5802c8a7");
    QTest::newRow("CONNECT") << int(DigestAlgorithm::Sha256) << QByteArray("auth") << QByteArray("CONNECT")
                             << QByteArray("example.com:443") << 1
                             << QByteArray(
                                    "444d497cc11d802d4d5b24d983211d802da419fe1cf260921fbc8b55b43da53d");
}

void tst_HttpAuth::digestVariants()
{
    QFETCH(int, algorithm);
    QFETCH(QByteArray, qop);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, uri);
    QFETCH(int, nc);
    QFETCH(QByteArray, response);
    DigestRequest request = exampleRequest(quint32(nc));
    request.method = method;
    request.uri = uri;
    const QByteArray value = digestAuthorization(exampleChallenge(DigestAlgorithm(algorithm), qop), request);
    const AuthChallenge sent = readBack(value);
    QVERIFY2(!sent.malformed, value.constData());
    QCOMPARE(sent.param("response"), response);
    QCOMPARE(sent.param("uri"), uri);
    // Without qop, RFC 2069 has no nc, cnonce or qop.
    QCOMPARE(sent.param("nc").isNull(), qop.isEmpty());
    QCOMPARE(sent.param("cnonce").isNull(), qop.isEmpty());
    if (!qop.isEmpty())
        QCOMPARE(sent.param("nc"), QByteArray::number(nc).rightJustified(8, '0'));
}

void tst_HttpAuth::digestUserNames()
{
    // userhash (§3.4.4): H(user ":" realm) instead of the name, and userhash=true.
    DigestChallenge challenge = exampleChallenge(DigestAlgorithm::Sha256);
    challenge.userhash = true;
    AuthChallenge sent = readBack(digestAuthorization(challenge, exampleRequest()));
    QCOMPARE(sent.param("username"),
        QByteArray("a947aad205e80e429958a387394944c6b496301e79f89d35a4cc23b6ee12b5b6"));
    QCOMPARE(sent.param("userhash"), QByteArray("true"));

    // A name a quoted string cannot carry goes as username* (RFC 8187), as in §3.9.2.
    challenge.userhash = false;
    DigestRequest request = exampleRequest();
    request.user = QStringLiteral("J\u00e4s\u00f8n Doe");
    sent = readBack(digestAuthorization(challenge, request));
    QVERIFY(sent.param("username").isNull());
    QCOMPARE(sent.param("username*"), QByteArray("UTF-8''J%C3%A4s%C3%B8n%20Doe"));
    QVERIFY(sent.param("userhash").isNull());
}

void tst_HttpAuth::digestEscapesQuotedValues()
{
    DigestChallenge challenge = exampleChallenge(DigestAlgorithm::Md5);
    challenge.realm = R"(say "hi" \o/)";
    DigestRequest request = exampleRequest();
    request.user = QStringLiteral(R"(a"b\c)");
    const QByteArray value = digestAuthorization(challenge, request);
    QVERIFY(value.contains(R"(username="a\"b\\c")"));
    const AuthChallenge sent = readBack(value);
    QVERIFY(!sent.malformed);
    QCOMPARE(sent.param("realm"), challenge.realm);
    QCOMPARE(sent.param("username"), request.user.toUtf8());
    QCOMPARE(quotedString("plain"), QByteArray("\"plain\""));
}

void tst_HttpAuth::basic_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("RFC 7617 §2") << "Aladdin"
                                 << "open sesame" << QByteArray("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    QTest::newRow("RFC 7617 §2.1 UTF-8")
        << "test" << QStringLiteral("123\u00a3") << QByteArray("Basic dGVzdDoxMjPCow==");
    QTest::newRow("empty password") << "u" << QString() << QByteArray("Basic dTo=");
}

void tst_HttpAuth::basic()
{
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QByteArray, expected);
    QCOMPARE(basicAuthorization(user, password), expected);
}

QTEST_APPLESS_MAIN(tst_HttpAuth)
#include "tst_httpauth.moc"
