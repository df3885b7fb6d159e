#include <WsClient/url.h>

#include <QtTest/QtTest>

using namespace WsClient;

class TestUrl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void good_data();
    void good();
    void bad_data();
    void bad();
    void badQUrl_data();
    void badQUrl();
    void hostAndPort_data();
    void hostAndPort();
};

void TestUrl::good_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QByteArray>("resource");
    QTest::addColumn<QByteArray>("resourceViaQUrl"); // QUrl has already normalised escapes
    QTest::addColumn<bool>("secure");
    QTest::addColumn<bool>("explicitPort");

    const auto row
        = [](const char *url) -> QTestData & { return QTest::newRow(url) << QString::fromUtf8(url); };
    const QString example = QStringLiteral("example.com");
    const QByteArray root("/");

    row("ws://example.com") << example << 80 << root << root << false << false;
    row("wss://example.com") << example << 443 << root << root << true << false;
    row("ws://example.com/") << example << 80 << root << root << false << false;
    row("ws://example.com:8080/chat")
        << example << 8080 << QByteArray("/chat") << QByteArray("/chat") << false << true;
    row("wss://example.com:8443/a/b/")
        << example << 8443 << QByteArray("/a/b/") << QByteArray("/a/b/") << true << true;
    row("ws://example.com:80") << example << 80 << root << root << false << true;
    row("wss://example.com:443/") << example << 443 << root << root << true << true;
    row("wss://example.com:80/") << example << 80 << root << root << true << true;
    row("ws://example.com:080/") << example << 80 << root << root << false << true;
    row("ws://example.com:/p") << example << 80 << QByteArray("/p") << QByteArray("/p") << false << false;
    row("ws://example.com:65535/") << example << 65535 << root << root << false << true;
    row("WS://Example.COM/") << example << 80 << root << root << false << false;
    row("wSs://EXAMPLE.com") << example << 443 << root << root << true << false;
    row("ws://example.com/a/b?x=1&y=2")
        << example << 80 << QByteArray("/a/b?x=1&y=2") << QByteArray("/a/b?x=1&y=2") << false << false;
    row("ws://example.com?x=1") << example << 80 << QByteArray("/?x=1") << QByteArray("/?x=1") << false
                                << false;
    row("ws://example.com/?") << example << 80 << QByteArray("/?") << QByteArray("/?") << false << false;
    row("ws://example.com/a%2Fb%41?q=%7e&r=%2f") << example << 80 << QByteArray("/a%2Fb%41?q=%7e&r=%2f")
                                                 << QByteArray("/a%2FbA?q=~&r=%2F") << false << false;
    row("ws://example.com/a%20b") << example << 80 << QByteArray("/a%20b") << QByteArray("/a%20b") << false
                                  << false;
    row("ws://127.0.0.1:9001/") << QStringLiteral("127.0.0.1") << 9001 << root << root << false << true;
    row("ws://[::1]:9000/x") << QStringLiteral("::1") << 9000 << QByteArray("/x") << QByteArray("/x") << false
                             << true;
    row("wss://[2001:DB8::1]/") << QStringLiteral("2001:db8::1") << 443 << root << root << true << false;
    row("ws://[fe80::1%25eth0]:81/") << QStringLiteral("fe80::1%eth0") << 81 << root << root << false << true;
    row("ws://user:secret@example.com/") << example << 80 << root << root << false << false;
    row("ws://user@example.com:81/") << example << 81 << root << root << false << true;
    row("ws://bücher.example/ä?ö=1") << QStringLiteral("xn--bcher-kva.example") << 80
                                     << QByteArray("/%C3%A4?%C3%B6=1") << QByteArray("/%C3%A4?%C3%B6=1")
                                     << false << false;
}

void TestUrl::good()
{
    QFETCH(QString, url);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QByteArray, resource);
    QFETCH(QByteArray, resourceViaQUrl);
    QFETCH(bool, secure);
    QFETCH(bool, explicitPort);

    const ParsedUrl fromText = parseUrl(url);
    QVERIFY2(fromText.isValid(), qPrintable(fromText.errorString));
    QCOMPARE(fromText.error, Error::NoError);
    QVERIFY(fromText.errorString.isEmpty());
    QCOMPARE(fromText.host, host);
    QCOMPARE(int(fromText.port), port);
    QCOMPARE(fromText.resource, resource);
    QCOMPARE(fromText.secure, secure);
    QCOMPARE(fromText.hasExplicitPort, explicitPort);

    const ParsedUrl fromUrl = parseUrl(QUrl(url));
    QVERIFY2(fromUrl.isValid(), qPrintable(fromUrl.errorString));
    QCOMPARE(fromUrl.host, host);
    QCOMPARE(int(fromUrl.port), port);
    QCOMPARE(fromUrl.resource, resourceViaQUrl);
    QCOMPARE(fromUrl.secure, secure);
    QCOMPARE(fromUrl.hasExplicitPort, explicitPort);
}

void TestUrl::bad_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("message"); // part of the error string
    QTest::addColumn<bool>("onlyStrict"); // QUrl's tolerant mode repairs it

    const auto row = [](const char *name, const char *url) -> QTestData & {
        return QTest::newRow(name) << QString::fromUtf8(url);
    };
    row("empty", "") << QStringLiteral("empty URL") << false;
    row("http", "http://example.com/")
        << QStringLiteral("unsupported scheme 'http': use ws:// or wss://") << false;
    row("https", "https://example.com/")
        << QStringLiteral("unsupported scheme 'https': use ws:// or wss://") << false;
    row("ftp", "FTP://example.com/") << QStringLiteral("unsupported scheme 'ftp'") << false;
    row("no scheme", "example.com") << QStringLiteral("\"example.com\" has no scheme: use ws:// or wss://")
                                    << false;
    row("no scheme, port", "example.com:80") << QStringLiteral("unsupported scheme 'example.com'") << false;
    row("empty host", "ws:///path") << QStringLiteral("\"ws:///path\" has no host") << false;
    row("no authority", "ws:/path") << QStringLiteral("has no host") << false;
    row("scheme only", "ws:") << QStringLiteral("has no host") << false;
    row("port 0", "ws://example.com:0/") << QStringLiteral("has port 0") << false;
    row("port 65536", "ws://example.com:65536/")
        << QStringLiteral("Invalid port or port number out of range") << false;
    row("port 99999", "wss://example.com:99999")
        << QStringLiteral("Invalid port or port number out of range") << false;
    row("port not numeric", "ws://example.com:http/") << QStringLiteral("Invalid port") << false;
    row("port negative", "ws://example.com:-1/") << QStringLiteral("Invalid port") << false;
    row("fragment", "ws://example.com/chat#top")
        << QStringLiteral("has a fragment, which RFC 6455 §3 does not allow") << false;
    row("empty fragment", "ws://example.com/#") << QStringLiteral("has a fragment") << false;
    row("space in path", "ws://example.com/a b")
        << QStringLiteral("Invalid path (character ' ' not permitted)") << true;
    row("bad escape", "ws://example.com/%zz")
        << QStringLiteral("Invalid path (character '%' not permitted)") << true;
    row("leading space", " ws://example.com/")
        << QStringLiteral("malformed URL \" ws://example.com/\"") << false;
    row("unclosed IPv6", "ws://[::1/") << QStringLiteral("Expected ']' to match '[' in hostname") << false;
    row("bad host", "ws://exa mple.com/") << QStringLiteral("Invalid hostname") << false;
    row("CRLF in host", "ws://example.com\r\nX: 1/") << QStringLiteral("malformed URL") << false;
}

void TestUrl::bad()
{
    QFETCH(QString, url);
    QFETCH(QString, message);
    QFETCH(bool, onlyStrict);

    const ParsedUrl parsed = parseUrl(url);
    QVERIFY(!parsed.isValid());
    QCOMPARE(parsed.error, Error::InvalidUrl);
    QVERIFY2(parsed.errorString.contains(message), qPrintable(parsed.errorString));
    QCOMPARE(parseUrl(QUrl(url)).error, onlyStrict ? Error::NoError : Error::InvalidUrl);
}

void TestUrl::badQUrl_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QString>("message");
    QTest::newRow("null") << QUrl() << QStringLiteral("empty URL");
    QTest::newRow("http") << QUrl(QStringLiteral("http://example.com"))
                          << QStringLiteral("unsupported scheme 'http'");
    QTest::newRow("port out of range")
        << QUrl(QStringLiteral("ws://example.com:70000")) << QStringLiteral("malformed URL: Invalid port");
    QTest::newRow("port 0") << QUrl(QStringLiteral("ws://example.com:0")) << QStringLiteral("has port 0");
    QTest::newRow("no host") << QUrl(QStringLiteral("ws:///x")) << QStringLiteral("has no host");
    QUrl withFragment(QStringLiteral("ws://example.com/"));
    withFragment.setFragment(QStringLiteral("f"));
    QTest::newRow("fragment") << withFragment << QStringLiteral("has a fragment");
    QTest::newRow("relative") << QUrl(QStringLiteral("/chat")) << QStringLiteral("has no scheme");
}

void TestUrl::badQUrl()
{
    QFETCH(QUrl, url);
    QFETCH(QString, message);
    const ParsedUrl parsed = parseUrl(url);
    QCOMPARE(parsed.error, Error::InvalidUrl);
    QVERIFY2(parsed.errorString.contains(message), qPrintable(parsed.errorString));
}

void TestUrl::hostAndPort_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<bool>("secure");
    QTest::addColumn<bool>("alwaysWithPort");
    QTest::addColumn<QString>("expected");

    const QString name = QStringLiteral("example.com");
    const QString v6 = QStringLiteral("2001:db8::1");
    QTest::newRow("ws default") << name << 80 << false << false << QStringLiteral("example.com");
    QTest::newRow("wss default") << name << 443 << true << false << QStringLiteral("example.com");
    QTest::newRow("ws on 443") << name << 443 << false << false << QStringLiteral("example.com:443");
    QTest::newRow("wss on 80") << name << 80 << true << false << QStringLiteral("example.com:80");
    QTest::newRow("other port") << name << 8080 << false << false << QStringLiteral("example.com:8080");
    QTest::newRow("always with port") << name << 80 << false << true << QStringLiteral("example.com:80");
    QTest::newRow("IPv6 default") << v6 << 443 << true << false << QStringLiteral("[2001:db8::1]");
    QTest::newRow("IPv6 port") << v6 << 9000 << false << false << QStringLiteral("[2001:db8::1]:9000");
    QTest::newRow("IPv6 always") << v6 << 80 << false << true << QStringLiteral("[2001:db8::1]:80");
    QTest::newRow("IPv4") << QStringLiteral("10.0.0.1") << 81 << false << false
                          << QStringLiteral("10.0.0.1:81");
}

void TestUrl::hostAndPort()
{
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(bool, secure);
    QFETCH(bool, alwaysWithPort);
    QFETCH(QString, expected);

    ParsedUrl url;
    url.host = host;
    url.port = quint16(port);
    url.secure = secure;
    QCOMPARE(url.hostAndPort(alwaysWithPort), expected);
}

QTEST_APPLESS_MAIN(TestUrl)
#include "tst_url.moc"
