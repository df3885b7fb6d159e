// Name resolution tries every address: "dualstack.test" resolves to ::1 and 127.0.0.1 (ctest runs
// this test in a mount namespace whose /etc/hosts is dualstack.hosts), and a server listening on
// only one of them is reached whichever address comes first.
// (Debian's resolver puts ::1 first, so the 127.0.0.1 row is the one that falls back.)
#include "testserver.h"

#include <WsClient/WebSocket>

#include <QtNetwork/qhostinfo.h>
#include <QtTest/qtest.h>

using namespace WsClient;

class tst_AddressFallback : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void everyAddressIsTried_data();
    void everyAddressIsTried();
    void unknownNameIsHostNotFound();
};

void tst_AddressFallback::initTestCase()
{
    const QList<QHostAddress> addresses = QHostInfo::fromName(QStringLiteral("dualstack.test")).addresses();
    QVERIFY2(addresses.contains(QHostAddress(QHostAddress::LocalHost))
            && addresses.contains(QHostAddress(QHostAddress::LocalHostIPv6)),
        "dualstack.test must resolve to both loopbacks: run through ctest (see "
        "tests/integration/CMakeLists.txt)");
}

void tst_AddressFallback::everyAddressIsTried_data()
{
    QTest::addColumn<QString>("listenOn");
    QTest::newRow("server on 127.0.0.1 only") << QStringLiteral("127.0.0.1");
    QTest::newRow("server on ::1 only") << QStringLiteral("::1");
}

void tst_AddressFallback::everyAddressIsTried()
{
    QFETCH(QString, listenOn);
    TestServer server = TestServer::python({ QStringLiteral("--host"), listenOn });
    WSCLIENT_REQUIRE_SERVER(server);
    const QUrl url(QStringLiteral("ws://dualstack.test:%1/echo").arg(server.port()));
    ConnectOptions options;
    options.setTimeout(20000);
    auto ws = WebSocket::connectTo(url, options);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QCOMPARE(ws->peerAddress(), QHostAddress(listenOn));
    ws->sendText(QStringLiteral("dual"));
    QCOMPARE(ws->receive(20000).text(), QStringLiteral("dual"));
}

void tst_AddressFallback::unknownNameIsHostNotFound()
{
    auto ws = WebSocket::connectTo(QUrl(QStringLiteral("ws://nowhere.test:9/")));
    QCOMPARE(ws->error(), Error::HostNotFound);
    QVERIFY2(ws->errorString().contains(QStringLiteral("nowhere.test")), qPrintable(ws->errorString()));
}

QTEST_MAIN(tst_AddressFallback)
#include "tst_addressfallback.moc"
