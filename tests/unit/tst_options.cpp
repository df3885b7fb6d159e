// The option value types: default-constructed ones share one instance (no allocation per
// WebSocket), so a setter on one must never show through another (copy-on-write).

#include <WsClient/ConnectOptions>

#include <QtTest/qtest.h>

using namespace WsClient;

class tst_Options : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsAreIndependent();
    void copiesAreIndependent();
};

void tst_Options::defaultsAreIndependent()
{
    ConnectOptions a;
    ConnectOptions b;
    QCOMPARE(a.timeout(), -1);
    a.setTimeout(1234);
    QCOMPARE(a.timeout(), 1234);
    QCOMPARE(b.timeout(), -1);
    QCOMPARE(ConnectOptions().timeout(), -1);

    SslOptions s;
    s.setVerifyPeer(false);
    QVERIFY(!s.verifyPeer());
    QVERIFY(SslOptions().verifyPeer());
    QVERIFY(ConnectOptions().sslOptions().verifyPeer());

    CompressionOptions c;
    c.setEnabled(true);
    QVERIFY(c.isEnabled());
    QVERIFY(!CompressionOptions().isEnabled());
    QVERIFY(!ConnectOptions().compression().isEnabled());
}

void tst_Options::copiesAreIndependent()
{
    ConnectOptions original;
    SslOptions ssl;
    ssl.setCaFile(QStringLiteral("/ca.pem"));
    original.setSslOptions(ssl);
    ConnectOptions copy = original;
    copy.setTimeout(5);
    SslOptions other = copy.sslOptions();
    other.setCaFile(QStringLiteral("/other.pem"));
    copy.setSslOptions(other);
    QCOMPARE(original.timeout(), -1);
    QCOMPARE(original.sslOptions().caFile(), QStringLiteral("/ca.pem"));
    QCOMPARE(copy.sslOptions().caFile(), QStringLiteral("/other.pem"));
    QCOMPARE(ConnectOptions().sslOptions().caFile(), QString());
}

QTEST_APPLESS_MAIN(tst_Options)
#include "tst_options.moc"
