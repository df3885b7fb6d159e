// The pure parts of cookie and proxy support (src/protocol/httpstate.cpp): the http(s) URL a
// ws(s) URL stands for, merging the Cookie header, picking the Set-Cookie fields.
#include "protocol/httpstate.h"

#include <QtTest/QtTest>

using namespace WsClient;
using namespace WsClient::Protocol;

class tst_HttpState : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void httpUrl_data();
    void httpUrl();
    void mergedCookieHeader_data();
    void mergedCookieHeader();
    void setCookieValuesStaySeparate();
};

void tst_HttpState::httpUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("withResource");
    QTest::addColumn<QString>("withoutResource");

    QTest::newRow("ws") << "ws://example.com/chat?token=1"
                        << "http://example.com/chat?token=1"
                        << "http://example.com/";
    QTest::newRow("wss, secure cookies go here") << "wss://example.com/a"
                                                 << "https://example.com/a"
                                                 << "https://example.com/";
    QTest::newRow("port kept") << "ws://example.com:8080/"
                               << "http://example.com:8080/"
                               << "http://example.com:8080/";
    QTest::newRow("default port left out") << "wss://example.com:443/"
                                           << "https://example.com/"
                                           << "https://example.com/";
    QTest::newRow("ws on 443 is http on 443") << "ws://example.com:443/"
                                              << "http://example.com:443/"
                                              << "http://example.com:443/";
    QTest::newRow("IPv6 literal") << "ws://[::1]:9000/x"
                                  << "http://[::1]:9000/x"
                                  << "http://[::1]:9000/";
    QTest::newRow("no path") << "WSS://Example.COM"
                             << "https://example.com/"
                             << "https://example.com/";
    QTest::newRow("user info dropped") << "ws://u:p@example.com/"
                                       << "http://example.com/"
                                       << "http://example.com/";
    QTest::newRow("escapes kept") << "ws://example.com/a%20b?q=%2F"
                                  << "http://example.com/a%20b?q=%2F"
                                  << "http://example.com/";
}

void tst_HttpState::httpUrl()
{
    QFETCH(QString, url);
    QFETCH(QString, withResource);
    QFETCH(QString, withoutResource);
    const ParsedUrl parsed = parseUrl(QUrl(url));
    QVERIFY2(parsed.isValid(), qPrintable(parsed.errorString));
    QCOMPARE(httpUrlFor(parsed, true).toString(QUrl::FullyEncoded), withResource);
    QCOMPARE(httpUrlFor(parsed, false).toString(QUrl::FullyEncoded), withoutResource);
    QVERIFY(httpUrlFor(parsed, true).isValid());
}

void tst_HttpState::mergedCookieHeader_data()
{
    QTest::addColumn<QByteArray>("explicitValue");
    QTest::addColumn<QByteArrayList>("jar");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("nothing") << QByteArray() << QByteArrayList() << QByteArray();
    QTest::newRow("explicit only") << QByteArray("a=1; b=2") << QByteArrayList() << QByteArray("a=1; b=2");
    QTest::newRow("jar only") << QByteArray() << QByteArrayList { "s=x", "t=y" } << QByteArray("s=x; t=y");
    QTest::newRow("explicit first") << QByteArray("a=1") << QByteArrayList { "s=x" }
                                    << QByteArray("a=1; s=x");
    QTest::newRow("explicit name wins")
        << QByteArray("s=mine; a=1") << QByteArrayList { "s=jar", "t=y" } << QByteArray("s=mine; a=1; t=y");
    QTest::newRow("names are case-sensitive")
        << QByteArray("S=mine") << QByteArrayList { "s=jar" } << QByteArray("S=mine; s=jar");
    QTest::newRow("trailing separator by hand")
        << QByteArray(" a=1; ") << QByteArrayList { "s=x" } << QByteArray("a=1; s=x");
    QTest::newRow("empty jar entries skipped")
        << QByteArray() << QByteArrayList { "", "s=x" } << QByteArray("s=x");
    QTest::newRow("same name twice in the jar (paths differ)")
        << QByteArray() << QByteArrayList { "s=deep", "s=root" } << QByteArray("s=deep; s=root");
}

void tst_HttpState::mergedCookieHeader()
{
    QFETCH(QByteArray, explicitValue);
    QFETCH(QByteArrayList, jar);
    QFETCH(QByteArray, expected);
    QCOMPARE(Protocol::mergedCookieHeader(explicitValue, jar), expected);
}

void tst_HttpState::setCookieValuesStaySeparate()
{
    const HeaderList headers { { "Set-Cookie", "a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT" },
        { "X-Other", "x" }, { "set-cookie", "b=2; Path=/" }, { "SET-COOKIE", "" } };
    QCOMPARE(setCookieValues(headers),
        (QByteArrayList { "a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT", "b=2; Path=/" }));
    QVERIFY(setCookieValues({ { "Cookie", "a=1" } }).isEmpty());
}

QTEST_APPLESS_MAIN(tst_HttpState)
#include "tst_httpstate.moc"
