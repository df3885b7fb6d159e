// The WebSocketApp example (examples/app, the port of websocket-client's WebSocketApp example) run
// as a process against a real server: it prints what arrives, comes back after the server restarts,
// and closes properly on Ctrl-C.
#include "testserver.h"

#include <QtCore/qprocess.h>
#include <QtTest/qtest.h>

#include <csignal>

namespace {

constexpr int Wait = 20000;

class AppClient
{
public:
    explicit AppClient(const QStringList &arguments)
    {
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(QStringLiteral(APP_CLIENT_PATH), arguments);
    }
    ~AppClient()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(Wait);
        }
    }
    // Waits until the output holds \a text \a count times.
    bool waitForOutput(const QByteArray &text, int count = 1)
    {
        return QTest::qWaitFor(
            [&] {
                m_out += m_process.readAll();
                return m_out.count(text) >= count;
            },
            Wait);
    }
    QByteArray out()
    {
        m_out += m_process.readAll();
        return m_out;
    }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_out;
};

} // namespace

class tst_AppClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void serverCloseEndsTheRun();
    void reconnectsAfterRestartAndClosesOnInterrupt();
};

void tst_AppClient::serverCloseEndsTheRun()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    AppClient client({ server.url(QStringLiteral("/close?code=1000&reason=done")).toString() });
    QVERIFY(client.process().waitForFinished(Wait));
    QCOMPARE(client.process().exitCode(), 0); // a normal close is not an error
    QCOMPARE(client.out(), QByteArray("Opened connection\n### closed ### 1000 done\n"));
}

void tst_AppClient::reconnectsAfterRestartAndClosesOnInterrupt()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    AppClient client({ server.url(QStringLiteral("/echo")).toString(), QStringLiteral("--send"),
        QStringLiteral("hello"), QStringLiteral("--reconnect"), QStringLiteral("100"),
        QStringLiteral("--ping-interval"), QStringLiteral("200") });
    QVERIFY2(client.waitForOutput("Opened connection\nhello\n"), client.out().constData());
    QVERIFY(server.restart());
    QVERIFY2(client.waitForOutput("Reconnected\nhello\n"), client.out().constData());
    QVERIFY(client.out().contains("ConnectionClosed: ")); // the drop is reported before the reconnect
    QVERIFY(client.out().contains("reconnect attempt 1 in "));
    ::kill(pid_t(client.process().processId()), SIGINT);
    QVERIFY(client.process().waitForFinished(Wait));
    QCOMPARE(client.process().exitCode(), 0);
    QVERIFY2(client.out().endsWith("### closed ### 1000 bye\n"), client.out().constData());
    QTRY_VERIFY_WITH_TIMEOUT(server.log().contains(QStringLiteral("code=1000")), Wait);
}

QTEST_MAIN(tst_AppClient)
#include "tst_appclient.moc"
