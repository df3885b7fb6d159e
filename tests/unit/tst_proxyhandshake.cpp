// The proxy handshake codec from memory: request bytes of every protocol, every reply code,
// garbage, and answers arriving in pieces.
#include "protocol/proxyhandshake.h"

#include <QtTest/QtTest>

using WsClient::ProxyOptions;
using WsClient::Protocol::ProxyHandshake;
using Type = WsClient::ProxyOptions::Type;

namespace {

QByteArray bytes(std::initializer_list<int> values)
{
    QByteArray out;
    for (int v : values)
        out.append(char(v));
    return out;
}

ProxyHandshake::Target target(const QString &host, quint16 port, const QByteArray &address = {})
{
    return ProxyHandshake::Target { host, port, address };
}

const QByteArray loopback = bytes({ 127, 0, 0, 1 });

// Feeds \a data one byte more at a time, as a slow proxy would send it; returns the bytes consumed.
qsizetype feedSlowly(ProxyHandshake &hs, const QByteArray &data)
{
    qsizetype taken = 0;
    for (qsizetype end = taken + 1; end <= data.size() && hs.state() == ProxyHandshake::State::Running;
         ++end) {
        const qsizetype n = hs.feed(QByteArrayView(data).sliced(taken, end - taken));
        taken += n;
    }
    return taken;
}

} // namespace

class tst_ProxyHandshake : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void httpRequest_data();
    void httpRequest();
    void httpSuccessKeepsFollowingBytes();
    void httpFailures_data();
    void httpFailures();
    void httpHeadTooLong();

    void socks4Request_data();
    void socks4Request();
    void socks4NeedsIPv4();
    void socks4Replies_data();
    void socks4Replies();

    void socks5WithoutAuth();
    void socks5WithAuth();
    void socks5ConnectAddressTypes_data();
    void socks5ConnectAddressTypes();
    void socks5ReplyCodes_data();
    void socks5ReplyCodes();
    void socks5Garbage_data();
    void socks5Garbage();
    void socks5AuthRejected();
    void socks5NoAcceptableMethod_data();
    void socks5NoAcceptableMethod();
    void socks5LocalNeedsAddress();
    void socks5ReplyWithDomainAndSlowFeeding();
};

void tst_ProxyHandshake::httpRequest_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << "example.com" << QString() << QString()
                           << QByteArray("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    QTest::newRow("ipv6 bracketed") << "::1" << QString() << QString()
                                    << QByteArray("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n");
    // RFC 7617 example credentials: Aladdin / open sesame.
    QTest::newRow("basic auth") << "example.com"
                                << "Aladdin"
                                << "open sesame"
                                << QByteArray(
                                       "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
                                       "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n");
}

void tst_ProxyHandshake::httpRequest()
{
    QFETCH(QString, host);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QByteArray, expected);
    ProxyHandshake hs(Type::Http, target(host, 443), user, password);
    QCOMPARE(hs.state(), ProxyHandshake::State::Running);
    QCOMPARE(hs.takeOutgoing(), expected);
    QVERIFY(hs.takeOutgoing().isEmpty());
}

void tst_ProxyHandshake::httpSuccessKeepsFollowingBytes()
{
    ProxyHandshake hs(Type::Http, target(QStringLiteral("h"), 80), {}, {});
    hs.takeOutgoing();
    const QByteArray head("HTTP/1.1 200 Connection established\r\nProxy-agent: x\r\n\r\n");
    QCOMPARE(hs.feed(head.left(20)), 0);
    QCOMPARE(hs.feed(QByteArray(head + "\x16\x03")), head.size());
    QVERIFY(hs.isDone());
}

void tst_ProxyHandshake::httpFailures_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QString>("expected");
    QTest::newRow("403") << QString() << QByteArray("HTTP/1.1 403 Access violation\r\n\r\n")
                         << "HTTP CONNECT proxy: CONNECT to h:80 refused: \"HTTP/1.1 403 Access violation\"";
    // A 407 with a challenge is answered (tst_proxyauth); one without cannot be.
    QTest::newRow("407 without a challenge")
        << "u" << QByteArray("HTTP/1.0 407 Proxy Authentication Required\r\n\r\n")
        << "HTTP CONNECT proxy: authentication required, without a challenge to answer (\"HTTP/1.0 407 Proxy "
           "Authentication Required\")";
    QTest::newRow("401 from a proxy that confuses the codes")
        << QString() << QByteArray("HTTP/1.0 401 Unauthorized\r\n\r\n")
        << "HTTP CONNECT proxy: authentication required, without a challenge to answer (\"HTTP/1.0 401 "
           "Unauthorized\")";
    QTest::newRow("407 with a challenge nobody can answer")
        << "u" << QByteArray("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\n\r\n")
        << "HTTP CONNECT proxy: authentication required with NTLM, which WsClient does not support "
           "(\"HTTP/1.1 "
           "407 Proxy Authentication Required\")";
    QTest::newRow("not http") << QString() << QByteArray("SSH-2.0-OpenSSH\r\n\r\n")
                              << "HTTP CONNECT proxy: not an HTTP answer: \"SSH-2.0-OpenSSH\"";
    QTest::newRow("bad status") << QString() << QByteArray("HTTP/1.1 2x0 OK\r\n\r\n")
                                << "HTTP CONNECT proxy: malformed status line \"HTTP/1.1 2x0 OK\"";
}

void tst_ProxyHandshake::httpFailures()
{
    QFETCH(QString, user);
    QFETCH(QByteArray, answer);
    QFETCH(QString, expected);
    ProxyHandshake hs(Type::Http, target(QStringLiteral("h"), 80), user, QStringLiteral("p"));
    hs.takeOutgoing();
    QCOMPARE(hs.feed(answer), 0);
    QVERIFY(hs.hasFailed());
    QCOMPARE(hs.errorString(), expected);
    QCOMPARE(hs.error(), WsClient::Error::Proxy);
}

void tst_ProxyHandshake::httpHeadTooLong()
{
    ProxyHandshake hs(Type::Http, target(QStringLiteral("h"), 80), {}, {});
    QCOMPARE(hs.feed(QByteArray(ProxyHandshake::MaxHttpHead + 1, 'a')), 0);
    QVERIFY(hs.hasFailed());
}

void tst_ProxyHandshake::socks4Request_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("address");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("socks4") << int(Type::Socks4) << loopback
                            << bytes({ 4, 1, 0x1f, 0x90, 127, 0, 0, 1, 'b', 'o', 'b', 0 });
    QTest::newRow("socks4a name") << int(Type::Socks4a) << QByteArray()
                                  << bytes({ 4, 1, 0x1f, 0x90, 0, 0, 0, 1, 'b', 'o', 'b', 0, 'h', 'o', 's',
                                         't', 0 });
    QTest::newRow("socks4a literal") << int(Type::Socks4a) << loopback
                                     << bytes({ 4, 1, 0x1f, 0x90, 127, 0, 0, 1, 'b', 'o', 'b', 0 });
}

void tst_ProxyHandshake::socks4Request()
{
    QFETCH(int, type);
    QFETCH(QByteArray, address);
    QFETCH(QByteArray, expected);
    ProxyHandshake hs(Type(type), target(QStringLiteral("host"), 8080, address), QStringLiteral("bob"),
        QStringLiteral("ignored"));
    QCOMPARE(hs.takeOutgoing(), expected);
}

void tst_ProxyHandshake::socks4NeedsIPv4()
{
    ProxyHandshake hs(Type::Socks4, target(QStringLiteral("::1"), 80, QByteArray(16, '\0')), {}, {});
    QVERIFY(hs.hasFailed());
    QVERIFY2(hs.errorString().contains(QLatin1String("IPv4")), qPrintable(hs.errorString()));
    QVERIFY(hs.takeOutgoing().isEmpty());
}

void tst_ProxyHandshake::socks4Replies_data()
{
    QTest::addColumn<QByteArray>("reply");
    QTest::addColumn<bool>("done");
    QTest::addColumn<QString>("expected");
    QTest::newRow("90 granted") << bytes({ 0, 90, 0, 0, 0, 0, 0, 0 }) << true << QString();
    QTest::newRow("91") << bytes({ 0, 91, 0, 0, 0, 0, 0, 0 }) << false
                        << "SOCKS4 proxy: request rejected or failed (reply 91) for h:80";
    QTest::newRow("92")
        << bytes({ 0, 92, 0, 0, 0, 0, 0, 0 }) << false
        << "SOCKS4 proxy: request rejected: the proxy cannot reach the client's identd (reply 92) "
           "for h:80";
    QTest::newRow("93")
        << bytes({ 0, 93, 0, 0, 0, 0, 0, 0 }) << false
        << "SOCKS4 proxy: request rejected: identd reports a different user id (reply 93) for h:80";
    QTest::newRow("garbage version") << QByteArray("HTTP/1.1 400") << false
                                     << "SOCKS4 proxy: not a SOCKS4 reply (first byte 0x48, expected 0x00)";
    QTest::newRow("garbage code") << bytes({ 0, 1, 0, 0, 0, 0, 0, 0 }) << false
                                  << "SOCKS4 proxy: not a SOCKS4 reply (reply code 1)";
}

void tst_ProxyHandshake::socks4Replies()
{
    QFETCH(QByteArray, reply);
    QFETCH(bool, done);
    QFETCH(QString, expected);
    ProxyHandshake hs(Type::Socks4, target(QStringLiteral("h"), 80, loopback), {}, {});
    hs.takeOutgoing();
    const qsizetype taken = feedSlowly(hs, QByteArray(reply + "rest"));
    QCOMPARE(hs.isDone(), done);
    QCOMPARE(hs.errorString(), expected);
    QCOMPARE(taken, done ? 8 : 0);
}

void tst_ProxyHandshake::socks5WithoutAuth()
{
    ProxyHandshake hs(Type::Socks5h, target(QStringLiteral("example.com"), 443), {}, {});
    QCOMPARE(hs.takeOutgoing(), bytes({ 5, 1, 0 }));
    QCOMPARE(hs.feed(bytes({ 5, 0 })), 2);
    QCOMPARE(hs.takeOutgoing(), bytes({ 5, 1, 0, 3, 11 }) + "example.com" + bytes({ 1, 0xbb }));
    QCOMPARE(hs.feed(bytes({ 5, 0, 0, 1, 10, 0, 0, 1, 0x30, 0x39 })), 10);
    QVERIFY(hs.isDone());
}

void tst_ProxyHandshake::socks5WithAuth()
{
    ProxyHandshake hs(Type::Socks5, target(QStringLiteral("h"), 80, loopback), QStringLiteral("user"),
        QStringLiteral("pa55"));
    QCOMPARE(hs.takeOutgoing(), bytes({ 5, 2, 0, 2 }));
    QCOMPARE(hs.feed(bytes({ 5, 2 })), 2);
    QCOMPARE(hs.takeOutgoing(), bytes({ 1, 4 }) + "user" + bytes({ 4 }) + "pa55");
    QCOMPARE(hs.feed(bytes({ 1, 0 })), 2);
    QCOMPARE(hs.takeOutgoing(), bytes({ 5, 1, 0, 1, 127, 0, 0, 1, 0, 80 }));
    QCOMPARE(hs.feed(bytes({ 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 })), 10);
    QVERIFY(hs.isDone());
}

void tst_ProxyHandshake::socks5ConnectAddressTypes_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QByteArray>("address");
    QTest::addColumn<QByteArray>("request");
    QByteArray v6(16, '\0');
    v6[15] = 1;
    QTest::newRow("socks5 ipv4") << int(Type::Socks5) << "localhost" << loopback
                                 << bytes({ 5, 1, 0, 1, 127, 0, 0, 1, 0, 80 });
    QTest::newRow("socks5 ipv6") << int(Type::Socks5) << "localhost" << v6
                                 << bytes({ 5, 1, 0, 4 }) + v6 + bytes({ 0, 80 });
    QTest::newRow("socks5h name") << int(Type::Socks5h) << "localhost" << QByteArray()
                                  << bytes({ 5, 1, 0, 3, 9 }) + "localhost" + bytes({ 0, 80 });
    QTest::newRow("socks5h literal") << int(Type::Socks5h) << "127.0.0.1" << loopback
                                     << bytes({ 5, 1, 0, 1, 127, 0, 0, 1, 0, 80 });
}

void tst_ProxyHandshake::socks5ConnectAddressTypes()
{
    QFETCH(int, type);
    QFETCH(QString, host);
    QFETCH(QByteArray, address);
    QFETCH(QByteArray, request);
    ProxyHandshake hs(Type(type), target(host, 80, address), {}, {});
    hs.takeOutgoing();
    hs.feed(bytes({ 5, 0 }));
    QCOMPARE(hs.takeOutgoing(), request);
}

void tst_ProxyHandshake::socks5ReplyCodes_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("text");
    QTest::newRow("1") << 1 << "general SOCKS server failure";
    QTest::newRow("2") << 2 << "connection not allowed by ruleset";
    QTest::newRow("3") << 3 << "network unreachable";
    QTest::newRow("4") << 4 << "host unreachable";
    QTest::newRow("5") << 5 << "connection refused";
    QTest::newRow("6") << 6 << "TTL expired";
    QTest::newRow("7") << 7 << "command not supported";
    QTest::newRow("8") << 8 << "address type not supported";
    QTest::newRow("9") << 9 << "unassigned reply code 0x09";
    QTest::newRow("255") << 255 << "unassigned reply code 0xff";
}

void tst_ProxyHandshake::socks5ReplyCodes()
{
    QFETCH(int, code);
    QFETCH(QString, text);
    ProxyHandshake hs(Type::Socks5h, target(QStringLiteral("h"), 80), {}, {});
    hs.takeOutgoing();
    hs.feed(bytes({ 5, 0 }));
    hs.takeOutgoing();
    feedSlowly(hs, bytes({ 5, code, 0, 1, 0, 0, 0, 0, 0, 0 }));
    QVERIFY(hs.hasFailed());
    QCOMPARE(hs.errorString(), QStringLiteral("SOCKS5h proxy: %1 (reply %2) for h:80").arg(text).arg(code));
}

void tst_ProxyHandshake::socks5Garbage_data()
{
    QTest::addColumn<QByteArray>("methodReply");
    QTest::addColumn<QByteArray>("connectReply");
    QTest::addColumn<QString>("expected");
    QTest::newRow("http answer to greeting") << QByteArray("HTTP/1.1 400 Bad Request\r\n\r\n") << QByteArray()
                                             << "SOCKS5 proxy: not a SOCKS5 reply (version byte 0x48)";
    QTest::newRow("socks4 answer to greeting")
        << bytes({ 0, 90 }) << QByteArray() << "SOCKS5 proxy: not a SOCKS5 reply (version byte 0x00)";
    QTest::newRow("unoffered method")
        << bytes({ 5, 1 }) << QByteArray()
        << "SOCKS5 proxy: the proxy chose authentication method 0x01, which was not "
           "offered";
    QTest::newRow("bad reply version") << bytes({ 5, 0 }) << bytes({ 4, 0, 0, 1, 0, 0, 0, 0, 0, 0 })
                                       << "SOCKS5 proxy: not a SOCKS5 reply (version byte 0x04)";
    QTest::newRow("bad reserved byte") << bytes({ 5, 0 }) << bytes({ 5, 0, 7, 1, 0, 0, 0, 0, 0, 0 })
                                       << "SOCKS5 proxy: not a SOCKS5 reply (reserved byte 0x07)";
    QTest::newRow("bad address type") << bytes({ 5, 0 }) << bytes({ 5, 0, 0, 9, 0, 0, 0, 0, 0, 0 })
                                      << "SOCKS5 proxy: not a SOCKS5 reply (address type 0x09)";
}

void tst_ProxyHandshake::socks5Garbage()
{
    QFETCH(QByteArray, methodReply);
    QFETCH(QByteArray, connectReply);
    QFETCH(QString, expected);
    ProxyHandshake hs(Type::Socks5, target(QStringLiteral("h"), 80, loopback), {}, {});
    hs.takeOutgoing();
    hs.feed(methodReply);
    hs.takeOutgoing();
    if (!connectReply.isEmpty())
        hs.feed(connectReply);
    QVERIFY(hs.hasFailed());
    QCOMPARE(hs.errorString(), expected);
    QVERIFY(hs.takeOutgoing().isEmpty());
}

void tst_ProxyHandshake::socks5AuthRejected()
{
    ProxyHandshake hs(Type::Socks5, target(QStringLiteral("h"), 80, loopback), QStringLiteral("u"),
        QStringLiteral("wrong"));
    hs.takeOutgoing();
    hs.feed(bytes({ 5, 2 }));
    hs.takeOutgoing();
    QCOMPARE(hs.feed(bytes({ 1, 1 })), 0);
    // Refused: the application may be asked for others (see tst_proxyauth); this is the failure
    // when it gives none.
    QCOMPARE(hs.state(), ProxyHandshake::State::Challenged);
    QCOMPARE(hs.authVerdict().error, WsClient::Error::AuthenticationFailed);
    QCOMPARE(hs.challengeFailureText(hs.authVerdict()),
        QStringLiteral(
            "SOCKS5 proxy: the credentials of user \"u\" were refused (SOCKS5 username/password) (status "
            "0x01)"));
}

void tst_ProxyHandshake::socks5NoAcceptableMethod_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no credentials") << QString()
                                    << "SOCKS5 proxy: authentication required (SOCKS5 username/password), no "
                                       "credentials were given";
    QTest::newRow("credentials") << "u"
                                 << "SOCKS5 proxy: no acceptable authentication method (offered none and "
                                    "username/password)";
}

void tst_ProxyHandshake::socks5NoAcceptableMethod()
{
    QFETCH(QString, user);
    QFETCH(QString, expected);
    ProxyHandshake hs(Type::Socks5, target(QStringLiteral("h"), 80, loopback), user, {});
    hs.takeOutgoing();
    hs.feed(bytes({ 5, 0xff }));
    // Without credentials the application may be asked for some; the text is the failure if not.
    const bool asks = hs.state() == ProxyHandshake::State::Challenged;
    QCOMPARE(asks, user.isEmpty());
    QCOMPARE(asks ? hs.challengeFailureText(hs.authVerdict()) : hs.errorString(), expected);
}

void tst_ProxyHandshake::socks5LocalNeedsAddress()
{
    ProxyHandshake hs(Type::Socks5, target(QStringLiteral("h"), 80), {}, {});
    QVERIFY(hs.hasFailed());
    ProxyHandshake tooLong(Type::Socks5h, target(QString(256, QLatin1Char('a')), 80), {}, {});
    QVERIFY(tooLong.hasFailed());
    ProxyHandshake longUser(
        Type::Socks5h, target(QStringLiteral("h"), 80), QString(256, QLatin1Char('u')), {});
    QVERIFY(longUser.hasFailed());
}

void tst_ProxyHandshake::socks5ReplyWithDomainAndSlowFeeding()
{
    ProxyHandshake hs(Type::Socks5h, target(QStringLiteral("h"), 80), {}, {});
    hs.takeOutgoing();
    QCOMPARE(feedSlowly(hs, bytes({ 5, 0 })), 2);
    hs.takeOutgoing();
    const QByteArray reply = bytes({ 5, 0, 0, 3, 4 }) + "name" + bytes({ 0, 80 });
    QCOMPARE(feedSlowly(hs, QByteArray(reply + "next")), reply.size());
    QVERIFY(hs.isDone());
}

QTEST_APPLESS_MAIN(tst_ProxyHandshake)
#include "tst_proxyhandshake.moc"
