// WsClient::WebSocketApp against python3-websockets started by the test: keepalive timing, ping
// timeout, reconnect with backoff across a server restart, the header provider, the ends of a run
// (runForever()'s result), the send policy, slots that close or throw, and a soak test.
//
// The soak test runs WSCLIENT_SOAK_SECONDS seconds (default 20).

#include "testserver.h"

#include <WsClient/WebSocket>
#include <WsClient/WebSocketApp>

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qthread.h>
#include <QtCore/qtimer.h>
#include <QtNetwork/qtcpserver.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

using namespace WsClient;

namespace {

constexpr int Wait = 15000;

// A port nothing listens on: bound once, then released.
quint16 refusedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

int soakSeconds()
{
    bool ok = false;
    const int s = qEnvironmentVariableIntValue("WSCLIENT_SOAK_SECONDS", &ok);
    return ok && s > 0 ? s : 20;
}

} // namespace

class tst_WebSocketApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void settingsValidation_data();
    void settingsValidation();
    void defaults();
    void firstPingAfterOneInterval();
    void pingTimeoutThenReconnect();
    void pingTimeoutWithoutReconnectEndsWithError();
    void manyAppsShareKeepaliveWakeUps();
    void bytesWrittenOnlyWithAReceiver();
    void serverNormalCloseEndsCleanly();
    void reconnectOnCloseWhenAsked();
    void networkErrorEndsWithError();
    void droppedConnectionEndsWithError();
    void serverPingIsReported();
    void invalidUrlIsNotRetried();
    void serverRestartReconnectsWithBackoff();
    void headerProviderCalledOnEveryConnect();
    void dataReceivedBeforeMessageSignals();
    void continuationFrames();
    void sendPolicyWhileNotConnected();
    void sendFromOtherThread();
    void slotThatClosesEndsRunCleanly();
    void closeWhileReconnectingStops();
    void throwingSlotIsReportedAndLoopContinues();
    void deleteLaterFromSlotEndsRunForever();
    void soak();
};

void tst_WebSocketApp::settingsValidation_data()
{
    QTest::addColumn<int>("interval");
    QTest::addColumn<int>("timeout");
    QTest::addColumn<int>("payloadSize");
    QTest::addColumn<int>("reconnectDelay");
    QTest::addColumn<int>("maxReconnectDelay");
    QTest::addColumn<QString>("complaint"); // empty: valid

    QTest::newRow("all off") << 0 << 0 << 0 << 0 << 30000 << QString();
    QTest::newRow("interval only") << 1000 << 0 << 0 << 0 << 30000 << QString();
    QTest::newRow("timeout only") << 0 << 500 << 0 << 0 << 30000 << QString();
    QTest::newRow("interval > timeout") << 1000 << 999 << 0 << 0 << 30000 << QString();
    QTest::newRow("payload 125") << 1000 << 0 << 125 << 0 << 30000 << QString();
    QTest::newRow("reconnect") << 0 << 0 << 0 << 100 << 50 << QString();
    QTest::newRow("negative interval")
        << -1 << 0 << 0 << 0 << 30000 << QStringLiteral("pingInterval must be >= 0");
    QTest::newRow("negative timeout")
        << 0 << -5 << 0 << 0 << 30000 << QStringLiteral("pingTimeout must be > 0");
    QTest::newRow("interval == timeout")
        << 500 << 500 << 0 << 0 << 30000 << QStringLiteral("must be greater than pingTimeout");
    QTest::newRow("interval < timeout")
        << 100 << 500 << 0 << 0 << 30000 << QStringLiteral("must be greater than pingTimeout");
    QTest::newRow("payload 126") << 1000 << 0 << 126 << 0 << 30000 << QStringLiteral("exceeds the 125 bytes");
    QTest::newRow("negative reconnect")
        << 0 << 0 << 0 << -1 << 30000 << QStringLiteral("reconnectDelay must be");
    QTest::newRow("negative cap") << 0 << 0 << 0 << 100 << -1 << QStringLiteral("maxReconnectDelay must be");
}

void tst_WebSocketApp::settingsValidation()
{
    QFETCH(int, interval);
    QFETCH(int, timeout);
    QFETCH(int, payloadSize);
    QFETCH(int, reconnectDelay);
    QFETCH(int, maxReconnectDelay);
    QFETCH(QString, complaint);

    WebSocketApp app(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(refusedPort())));
    app.setPingInterval(interval);
    app.setPingTimeout(timeout);
    app.setPingPayload(QByteArray(payloadSize, 'p'));
    app.setReconnectDelay(reconnectDelay);
    app.setMaxReconnectDelay(maxReconnectDelay);
    QSignalSpy errors(&app, &WebSocketApp::errorOccurred);
    QSignalSpy states(&app, &WebSocketApp::stateChanged);

    if (complaint.isEmpty()) {
        QVERIFY(app.start());
        QCOMPARE(app.state(), WebSocketApp::State::Connecting);
        app.close();
        QTRY_COMPARE_WITH_TIMEOUT(app.state(), WebSocketApp::State::Unconnected, Wait);
        return;
    }
    QVERIFY(!app.start());
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).value<Error>(), Error::InvalidArgument);
    QVERIFY2(errors.at(0).at(1).toString().contains(complaint), qPrintable(errors.at(0).at(1).toString()));
    QCOMPARE(app.error(), Error::InvalidArgument);
    QCOMPARE(app.state(), WebSocketApp::State::Unconnected);
    QVERIFY(states.isEmpty());
    // runForever() reports the same without blocking.
    QVERIFY(app.runForever());
    QCOMPARE(errors.size(), 2);
}

void tst_WebSocketApp::defaults()
{
    WebSocketApp app;
    QCOMPARE(app.pingInterval(), 0);
    QCOMPARE(app.pingTimeout(), 0);
    QCOMPARE(app.reconnectDelay(), 0);
    QCOMPARE(app.maxReconnectDelay(), WebSocketApp::DefaultMaxReconnectDelay);
    QVERIFY(!app.reconnectOnClose());
    QCOMPARE(app.state(), WebSocketApp::State::Unconnected);
    QVERIFY(!app.ready());
    QVERIFY(app.socket());
    // Properties are reachable by name (QML, tools).
    QVERIFY(app.setProperty("pingInterval", 250));
    QCOMPARE(app.pingInterval(), 250);
    QVERIFY(app.setProperty("url", QUrl(QStringLiteral("ws://example.invalid/"))));
    QCOMPARE(app.property("state").value<WebSocketApp::State>(), WebSocketApp::State::Unconnected);
}

void tst_WebSocketApp::firstPingAfterOneInterval()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    constexpr int Interval = 300;
    WebSocketApp app(server.url(QStringLiteral("/echo")));
    app.setPingInterval(Interval);
    app.setPingTimeout(200);
    app.setPingPayload(QByteArrayLiteral("keepalive"));

    QElapsedTimer clock;
    QList<qint64> pongTimes;
    QList<QByteArray> payloads;
    qint64 openedAt = -1;
    connect(&app, &WebSocketApp::opened, this, [&] { openedAt = clock.elapsed(); });
    connect(&app, &WebSocketApp::pongReceived, this, [&](const QByteArray &payload) {
        pongTimes.append(clock.elapsed());
        payloads.append(payload);
    });
    QSignalSpy errors(&app, &WebSocketApp::errorOccurred);
    clock.start();
    QVERIFY(app.start());
    QTRY_VERIFY_WITH_TIMEOUT(pongTimes.size() >= 3, Wait);
    app.close();
    QTRY_COMPARE_WITH_TIMEOUT(app.state(), WebSocketApp::State::Unconnected, Wait);

    QVERIFY(openedAt >= 0);
    QCOMPARE(payloads.at(0), QByteArrayLiteral("keepalive"));
    qInfo("pongs %lld, %lld, %lld ms after opened (interval %d ms)", pongTimes.at(0) - openedAt,
        pongTimes.at(1) - openedAt, pongTimes.at(2) - openedAt, Interval);
    // Ping k goes k intervals after opening: one interval to the first, not two (the seed's bug).
    // A pong cannot come before its ping; it may come later by a round trip on a loaded machine.
    for (int k = 1; k <= 3; ++k) {
        const qint64 at = pongTimes.at(k - 1) - openedAt;
        QVERIFY2(at >= k * Interval - 10 && at < k * Interval + Interval / 2,
            qPrintable(QStringLiteral("pong %1 at %2 ms").arg(k).arg(at)));
    }
    QVERIFY(errors.isEmpty());
}

void tst_WebSocketApp::pingTimeoutThenReconnect()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    constexpr int Interval = 300;
    constexpr int Timeout = 150;
    ConnectOptions options;
    options.setCloseTimeout(300); // the silent server never answers the final Close either
    WebSocketApp app(server.url(QStringLiteral("/silent")), options);
    app.setPingInterval(Interval);
    app.setPingTimeout(Timeout);
    app.setReconnectDelay(100);

    QElapsedTimer clock;
    qint64 openedAt = -1;
    qint64 timeoutAt = -1;
    connect(&app, &WebSocketApp::opened, this, [&] { openedAt = clock.elapsed(); });
    connect(&app, &WebSocketApp::errorOccurred, this, [&](Error e) {
        if (e == Error::Timeout && timeoutAt < 0)
            timeoutAt = clock.elapsed();
    });
    QSignalSpy opened(&app, &WebSocketApp::opened);
    QSignalSpy reconnected(&app, &WebSocketApp::reconnected);
    QSignalSpy scheduled(&app, &WebSocketApp::reconnectScheduled);
    QSignalSpy closed(&app, &WebSocketApp::closed);
    clock.start();
    QVERIFY(app.start());
    QVERIFY(reconnected.wait(Wait));

    const qint64 afterOpen = timeoutAt - openedAt;
    qInfo("ping timeout reported %lld ms after opened (interval %d + timeout %d)", afterOpen, Interval,
        Timeout);
    QVERIFY2(afterOpen >= Interval + Timeout - 10 && afterOpen < Interval + Timeout + 200,
        qPrintable(QString::number(afterOpen)));
    QCOMPARE(opened.size(), 1);
    QCOMPARE(scheduled.size(), 1);
    QCOMPARE(scheduled.at(0).at(0).toInt(), 1);
    QVERIFY(closed.isEmpty());
    QCOMPARE(app.state(), WebSocketApp::State::Open);
    app.close();
    QVERIFY(closed.wait(Wait));
}

// Counts the events, of the types \a counts accepts, delivered to the objects it is installed on.
class EventCounter : public QObject
{
public:
    explicit EventCounter(bool (*counts)(QEvent::Type)) : m_counts(counts) { }
    int count = 0;

protected:
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (m_counts(event->type()))
            ++count;
        return false;
    }

private:
    bool (*m_counts)(QEvent::Type);
};

// Keepalive at scale: the pings of many apps share the thread's timer wake-ups instead of each
// app waking up for each of its pings (two QTimers per app before: one timer event per ping).
void tst_WebSocketApp::manyAppsShareKeepaliveWakeUps()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    constexpr int Apps = 40;
    constexpr int Interval = 200;
    std::vector<std::unique_ptr<WebSocketApp>> apps;
    int open = 0;
    int pongs = 0;
    int errors = 0;
    for (int i = 0; i < Apps; ++i) {
        apps.push_back(std::make_unique<WebSocketApp>(server.url(QStringLiteral("/echo"))));
        apps.back()->setPingInterval(Interval);
        apps.back()->setPingTimeout(Interval / 2);
        connect(apps.back().get(), &WebSocketApp::opened, this, [&] { ++open; });
        connect(apps.back().get(), &WebSocketApp::pongReceived, this, [&] { ++pongs; });
        connect(apps.back().get(), &WebSocketApp::errorOccurred, this, [&] { ++errors; });
        QVERIFY(apps.back()->start());
    }
    QTRY_COMPARE_WITH_TIMEOUT(open, Apps, Wait);
    EventCounter timers([](QEvent::Type t) { return t == QEvent::Timer; }); // the main thread's, on the app
    QCoreApplication::instance()->installEventFilter(&timers);
    const int pongsBefore = pongs;
    QEventLoop loop;
    QTimer::singleShot(1000, &loop, &QEventLoop::quit);
    loop.exec();
    QCoreApplication::instance()->removeEventFilter(&timers);
    const int measuredPongs = pongs - pongsBefore;
    qInfo("%d apps, 1 s: %d pongs, %d timer events", Apps, measuredPongs, timers.count);
    QVERIFY2(measuredPongs >= Apps * 3, qPrintable(QString::number(measuredPongs))); // ~5 per app
    QVERIFY2(timers.count * 2 < measuredPongs, qPrintable(QString::number(timers.count)));
    QCOMPARE(errors, 0);
    for (auto &app : apps)
        app->close();
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(apps.begin(), apps.end(),
                                 [](const auto &a) { return a->state() == WebSocketApp::State::Unconnected; }),
        Wait);
}

// An app whose bytesWritten() nobody listens to does not make its socket report every write (a
// posted event per message); one with a receiver gets the socket's reports passed on.
void tst_WebSocketApp::bytesWrittenOnlyWithAReceiver()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    constexpr int Echoes = 50;
    const QString message(100, QLatin1Char('x'));
    // Each echo's slot sends the next message, as a client replying to its server does.
    auto echoes = [&](WebSocketApp &app) {
        int received = 0;
        const auto connection = connect(&app, &WebSocketApp::textMessageReceived, this, [&] {
            if (++received < Echoes)
                app.sendText(message);
        });
        app.sendText(message);
        const bool all = QTest::qWaitFor([&] { return received == Echoes; }, Wait);
        disconnect(connection);
        return all;
    };

    WebSocketApp quiet(server.url(QStringLiteral("/echo")));
    QSignalSpy quietOpened(&quiet, &WebSocketApp::opened);
    QVERIFY(quiet.start());
    QVERIFY(quietOpened.wait(Wait));
    // The library's own (posted) event types are User and above.
    EventCounter posted([](QEvent::Type t) { return t >= QEvent::User; });
    quiet.socket()->installEventFilter(&posted);
    QVERIFY(echoes(quiet));
    quiet.socket()->removeEventFilter(&posted);
    qInfo("without a receiver: %d events posted to the socket for %d echoes", posted.count, Echoes);
    QVERIFY2(posted.count < Echoes / 10, qPrintable(QString::number(posted.count)));

    WebSocketApp listened(server.url(QStringLiteral("/echo")));
    qint64 written = 0;
    connect(&listened, &WebSocketApp::bytesWritten, this, [&](qint64 n) { written += n; });
    QSignalSpy listenedOpened(&listened, &WebSocketApp::opened);
    QVERIFY(listened.start());
    QVERIFY(listenedOpened.wait(Wait));
    QVERIFY(echoes(listened));
    QTRY_VERIFY_WITH_TIMEOUT(written >= Echoes * message.size(), Wait);
    quiet.close();
    listened.close();
    QTRY_COMPARE_WITH_TIMEOUT(quiet.state(), WebSocketApp::State::Unconnected, Wait);
    QTRY_COMPARE_WITH_TIMEOUT(listened.state(), WebSocketApp::State::Unconnected, Wait);
}

void tst_WebSocketApp::pingTimeoutWithoutReconnectEndsWithError()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocketApp app(server.url(QStringLiteral("/silent")));
    app.setPingInterval(200);
    app.setPingTimeout(100);
    QSignalSpy errors(&app, &WebSocketApp::errorOccurred);
    QSignalSpy closed(&app, &WebSocketApp::closed);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(app.runForever());
    QVERIFY(clock.elapsed() < Wait);
    QCOMPARE(app.error(), Error::Timeout);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), int(CloseCode::Abnormal));
    QCOMPARE(app.state(), WebSocketApp::State::Unconnected);
}

void tst_WebSocketApp::serverNormalCloseEndsCleanly()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocketApp app(server.url(QStringLiteral("/close?code=1000&reason=server%20done")));
    app.setReconnectDelay(50); // a normal close must not reconnect even so
    QSignalSpy opened(&app, &WebSocketApp::opened);
    QSignalSpy scheduled(&app, &WebSocketApp::reconnectScheduled);
    QSignalSpy errors(&app, &WebSocketApp::errorOccurred);
    QSignalSpy closed(&app, &WebSocketApp::closed);
    QVERIFY(!app.runForever());
    QCOMPARE(opened.size(), 1);
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 1000);
    QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("server done"));
    QVERIFY(scheduled.isEmpty());
    QVERIFY(errors.isEmpty());
    QCOMPARE(app.state(), WebSocketApp::State::Unconnected);
}

void tst_WebSocketApp::reconnectOnCloseWhenAsked()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocketApp app(server.url(QStringLiteral("/close?code=1012&reason=restart")));
    app.setReconnectDelay(50);
    app.setReconnectOnClose(true);
    QSignalSpy reconnected(&app, &WebSocketApp::reconnected);
    QSignalSpy closed(&app, &WebSocketApp::closed);
    QVERIFY(app.start());
    QTRY_VERIFY_WITH_TIMEOUT(reconnected.size() >= 2, Wait);
    QVERIFY(closed.isEmpty());
    app.close();
    QTRY_COMPARE_WITH_TIMEOUT(app.state(), WebSocketApp::State::Unconnected, Wait);
}

void tst_WebSocketApp::networkErrorEndsWithError()
{
    WebSocketApp app(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(refusedPort())));
    QSignalSpy opened(&app, &WebSocketApp::opened);
    QSignalSpy closed(&app, &WebSocketApp::closed);
    QVERIFY(app.runForever());
    QCOMPARE(app.error(), Error::ConnectionRefused);
    QVERIFY(opened.isEmpty());
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), int(CloseCode::Abnormal));
    QVERIFY(!closed.at(0).at(1).toString().isEmpty());
}

void tst_WebSocketApp::droppedConnectionEndsWithError()
{
    // An open connection that drops (the server dies) without reconnect: runForever() reports it.
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocketApp app(server.url(QStringLiteral("/echo")));
    QSignalSpy closed(&app, &WebSocketApp::closed);
    QSignalSpy scheduled(&app, &WebSocketApp::reconnectScheduled);
    connect(&app, &WebSocketApp::opened, this, [&] { QVERIFY(server.stop()); });
    QVERIFY(app.runForever());
    QCOMPARE(app.error(), Error::ConnectionClosed);
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), int(CloseCode::Abnormal));
    QVERIFY(scheduled.isEmpty());
}

void tst_WebSocketApp::serverPingIsReported()
{
    // The server pings with "hb"; the app answers (the server then sends "pong:hb") and reports it.
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocketApp app(server.url(QStringLiteral("/ping?payload=hb")));
    QSignalSpy pings(&app, &WebSocketApp::pingReceived);
    QSignalSpy messages(&app, &WebSocketApp::textMessageReceived);
    QVERIFY(app.start());
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, Wait);
    QCOMPARE(messages.at(0).at(0).toString(), QStringLiteral("pong:hb"));
    QCOMPARE(pings.size(), 1);
    QCOMPARE(pings.at(0).at(0).toByteArray(), QByteArray("hb"));
    app.close();
    QTRY_COMPARE_WITH_TIMEOUT(app.state(), WebSocketApp::State::Unconnected, Wait);
}

void tst_WebSocketApp::invalidUrlIsNotRetried()
{
    WebSocketApp app(QUrl(QStringLiteral("http://127.0.0.1/")));
    app.setReconnectDelay(10);
    QSignalSpy scheduled(&app, &WebSocketApp::reconnectScheduled);
    QVERIFY(app.runForever());
    QCOMPARE(app.error(), Error::InvalidUrl);
    QVERIFY(scheduled.isEmpty());
}

void tst_WebSocketApp::serverRestartReconnectsWithBackoff()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    constexpr int Delay = 100;
    constexpr int Cap = 500;
    WebSocketApp app(server.url(QStringLiteral("/echo")));
    app.setReconnectDelay(Delay);
    app.setMaxReconnectDelay(Cap);
    QStringList echoes;
    connect(&app, &WebSocketApp::textMessageReceived, this, [&](const QString &m) { echoes.append(m); });
    QElapsedTimer clock;
    QList<qint64> scheduledAt, connectingAt;
    QList<int> delays;
    connect(&app, &WebSocketApp::reconnectScheduled, this, [&](int, int delay) {
        scheduledAt.append(clock.elapsed());
        delays.append(delay);
    });
    connect(&app, &WebSocketApp::stateChanged, this, [&](WebSocketApp::State s) {
        if (s == WebSocketApp::State::Connecting && !scheduledAt.isEmpty())
            connectingAt.append(clock.elapsed());
    });
    QSignalSpy opened(&app, &WebSocketApp::opened);
    QSignalSpy reconnected(&app, &WebSocketApp::reconnected);
    QSignalSpy errors(&app, &WebSocketApp::errorOccurred);
    clock.start();
    QVERIFY(app.start());
    QVERIFY(opened.wait(Wait));
    QVERIFY(app.ready());
    QCOMPARE(app.sendText(QStringLiteral("before")), 6);
    QTRY_COMPARE_WITH_TIMEOUT(echoes, QStringList { QStringLiteral("before") }, Wait);

    QVERIFY(server.stop());
    // Refused attempts back off: 100, 200, 400, then the 500 ms cap.
    QTRY_VERIFY_WITH_TIMEOUT(delays.size() >= 5, Wait);
    QVERIFY(server.restart());
    QVERIFY(reconnected.wait(Wait));
    QCOMPARE(opened.size(), 1);
    QCOMPARE(errors.at(0).at(0).value<Error>(), Error::ConnectionClosed);

    for (int i = 0; i < 5; ++i) {
        const int base = qMin(Delay << i, Cap);
        QVERIFY2(delays.at(i) <= base && delays.at(i) >= base * 8 / 10,
            qPrintable(QStringLiteral("attempt %1: %2 ms, base %3").arg(i + 1).arg(delays.at(i)).arg(base)));
        // The attempt really waited that long.
        const qint64 waited = connectingAt.at(i) - scheduledAt.at(i);
        QVERIFY2(waited >= delays.at(i) - 2,
            qPrintable(
                QStringLiteral("attempt %1 waited %2 of %3 ms").arg(i + 1).arg(waited).arg(delays.at(i))));
    }
    qInfo("backoff delays %d %d %d %d %d ms", delays.at(0), delays.at(1), delays.at(2), delays.at(3),
        delays.at(4));

    QCOMPARE(app.sendText(QStringLiteral("after")), 5);
    QTRY_COMPARE_WITH_TIMEOUT(echoes.size(), 2, Wait);
    QCOMPARE(echoes.last(), QStringLiteral("after"));
    app.close();
    QTRY_COMPARE_WITH_TIMEOUT(app.state(), WebSocketApp::State::Unconnected, Wait);
}

void tst_WebSocketApp::headerProviderCalledOnEveryConnect()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    options.setHeader("X-Static", "fixed");
    options.setHeader("X-Token", "replaced");
    WebSocketApp app(server.url(QStringLiteral("/headers")), options);
    app.setReconnectDelay(50);
    int calls = 0;
    app.setHeaderProvider([&calls] {
        ++calls;
        return ConnectOptions::HeaderList { { QByteArrayLiteral("X-Token"),
            "token-" + QByteArray::number(calls) } };
    });
    QList<QJsonObject> seen;
    connect(&app, &WebSocketApp::textMessageReceived, this, [&](const QString &m) {
        seen.append(QJsonDocument::fromJson(m.toUtf8()).object().value(QStringLiteral("headers")).toObject());
    });
    QSignalSpy reconnected(&app, &WebSocketApp::reconnected);
    QVERIFY(app.start());
    QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 1, Wait);
    QVERIFY(server.restart());
    QVERIFY(reconnected.wait(Wait));
    QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 2, Wait);
    app.close();
    QTRY_COMPARE_WITH_TIMEOUT(app.state(), WebSocketApp::State::Unconnected, Wait);

    QVERIFY(calls >= 2);
    QCOMPARE(seen.at(0).value(QStringLiteral("x-token")).toString(), QStringLiteral("token-1"));
    QCOMPARE(seen.at(1).value(QStringLiteral("x-token")).toString(), QStringLiteral("token-%1").arg(calls));
    QCOMPARE(seen.at(1).value(QStringLiteral("x-static")).toString(), QStringLiteral("fixed"));
}

void tst_WebSocketApp::dataReceivedBeforeMessageSignals()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocketApp app(server.url(QStringLiteral("/echo")));
    QStringList order;
    connect(&app, &WebSocketApp::dataReceived, this, [&](const QByteArray &data, Opcode opcode, bool fin) {
        order.append(
            QStringLiteral("data:%1:%2:%3").arg(QString::fromLatin1(data.toHex())).arg(int(opcode)).arg(fin));
    });
    connect(&app, &WebSocketApp::textMessageReceived, this,
        [&](const QString &m) { order.append(QStringLiteral("text:") + m); });
    connect(&app, &WebSocketApp::binaryMessageReceived, this, [&](const QByteArray &m) {
        order.append(QStringLiteral("binary:") + QString::fromLatin1(m.toHex()));
    });
    connect(&app, &WebSocketApp::opened, this, [&] {
        app.sendText(QStringLiteral("hi"));
        app.sendBinary(QByteArray::fromHex("00ff"));
    });
    QVERIFY(app.start());
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), 4, Wait);
    const QStringList expected = { QStringLiteral("data:6869:1:1"), QStringLiteral("text:hi"),
        QStringLiteral("data:00ff:2:1"), QStringLiteral("binary:00ff") };
    QCOMPARE(order, expected);
    app.close();
    QTRY_COMPARE_WITH_TIMEOUT(app.state(), WebSocketApp::State::Unconnected, Wait);
}

void tst_WebSocketApp::continuationFrames()
{
    TestServer server = TestServer::python({ QStringLiteral("--no-compression") });
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    options.setFireContinuationFrames(true);
    WebSocketApp app(server.url(QStringLiteral("/fragment?size=4")), options);
    QStringList order;
    connect(&app, &WebSocketApp::dataReceived, this, [&](const QByteArray &data, Opcode opcode, bool fin) {
        order.append(
            QStringLiteral("data:%1:%2:%3").arg(QString::fromLatin1(data)).arg(int(opcode)).arg(fin));
    });
    connect(&app, &WebSocketApp::textMessageReceived, this,
        [&](const QString &m) { order.append(QStringLiteral("text:") + m); });
    connect(&app, &WebSocketApp::continuationReceived, this, [&](const QByteArray &data, bool fin) {
        order.append(QStringLiteral("cont:%1:%2").arg(QString::fromLatin1(data)).arg(fin));
    });
    connect(&app, &WebSocketApp::opened, this, [&] { app.sendText(QStringLiteral("abcdefghij")); });
    QVERIFY(app.start());
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), 6, Wait);
    const QStringList expected
        = { QStringLiteral("data:abcd:1:0"), QStringLiteral("text:abcd"), QStringLiteral("data:efgh:0:0"),
              QStringLiteral("cont:efgh:0"), QStringLiteral("data:ij:0:1"), QStringLiteral("cont:ij:1") };
    QCOMPARE(order, expected);
    app.close();
    QTRY_COMPARE_WITH_TIMEOUT(app.state(), WebSocketApp::State::Unconnected, Wait);
}

void tst_WebSocketApp::sendPolicyWhileNotConnected()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocketApp app(server.url(QStringLiteral("/echo")));
    app.setReconnectDelay(60000); // stays Reconnecting once the server is gone
    QSignalSpy errors(&app, &WebSocketApp::errorOccurred);

    // Before start().
    QCOMPARE(app.sendText(QStringLiteral("early")), -1);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).value<Error>(), Error::ConnectionClosed);

    // While connecting.
    QVERIFY(app.start());
    QCOMPARE(app.sendBinary("x"), -1);
    QCOMPARE(errors.size(), 2);

    QSignalSpy opened(&app, &WebSocketApp::opened);
    QVERIFY(opened.wait(Wait));
    QCOMPARE(app.send(QByteArrayLiteral("ok")), 2);
    QCOMPARE(errors.size(), 2);
    // An oversized control frame is refused as an invalid argument, not as a closed connection.
    QCOMPARE(app.send(QByteArray(126, 'p'), Opcode::Ping), -1);
    QCOMPARE(errors.size(), 3);
    QCOMPARE(errors.at(2).at(0).value<Error>(), Error::InvalidArgument);

    // While waiting to reconnect.
    QSignalSpy scheduled(&app, &WebSocketApp::reconnectScheduled);
    QVERIFY(server.stop());
    QVERIFY(scheduled.wait(Wait));
    QCOMPARE(app.state(), WebSocketApp::State::Reconnecting);
    errors.clear();
    QCOMPARE(app.sendText(QStringLiteral("lost?")), -1);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).value<Error>(), Error::ConnectionClosed);
    QVERIFY(errors.at(0).at(1).toString().contains(QStringLiteral("not sent")));

    app.close();
    QCOMPARE(app.state(), WebSocketApp::State::Unconnected);
}

void tst_WebSocketApp::sendFromOtherThread()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocketApp app(server.url(QStringLiteral("/echo")));
    QStringList echoes;
    connect(&app, &WebSocketApp::textMessageReceived, this, [&](const QString &m) { echoes.append(m); });
    QThread *errorThread = nullptr;
    connect(&app, &WebSocketApp::errorOccurred, this, [&] { errorThread = QThread::currentThread(); });

    // Refused from another thread while not connected: reported on the app's thread.
    qint64 refused = 0;
    std::unique_ptr<QThread> early(QThread::create([&] { refused = app.sendText(QStringLiteral("early")); }));
    early->start();
    QVERIFY(early->wait(Wait));
    QCOMPARE(refused, -1);
    QTRY_VERIFY_WITH_TIMEOUT(errorThread != nullptr, Wait);
    QCOMPARE(errorThread, QThread::currentThread());

    QSignalSpy opened(&app, &WebSocketApp::opened);
    QVERIFY(app.start());
    QVERIFY(opened.wait(Wait));
    constexpr int PerThread = 200;
    QList<QThread *> threads;
    for (int t = 0; t < 2; ++t) {
        threads.append(QThread::create([&app, t] {
            for (int i = 0; i < PerThread; ++i)
                app.sendText(QStringLiteral("%1-%2").arg(t).arg(i));
        }));
        threads.last()->start();
    }
    for (QThread *thread : qAsConst(threads)) {
        QVERIFY(thread->wait(Wait));
        delete thread;
    }
    QTRY_COMPARE_WITH_TIMEOUT(echoes.size(), 2 * PerThread, Wait);
    // Each thread's order is kept.
    int next[2] = { 0, 0 };
    for (const QString &e : qAsConst(echoes)) {
        const int t = e.section(QLatin1Char('-'), 0, 0).toInt();
        QCOMPARE(e.section(QLatin1Char('-'), 1).toInt(), next[t]++);
    }
    app.close();
    QTRY_COMPARE_WITH_TIMEOUT(app.state(), WebSocketApp::State::Unconnected, Wait);
}

void tst_WebSocketApp::slotThatClosesEndsRunCleanly()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocketApp app(server.url(QStringLiteral("/echo")));
    app.setReconnectDelay(50);
    connect(&app, &WebSocketApp::opened, &app, [&] { app.sendText(QStringLiteral("one")); });
    connect(&app, &WebSocketApp::textMessageReceived, &app,
        [&] { app.close(quint16(CloseCode::GoingAway), QStringLiteral("done")); });
    QSignalSpy closed(&app, &WebSocketApp::closed);
    QSignalSpy scheduled(&app, &WebSocketApp::reconnectScheduled);
    QVERIFY(!app.runForever());
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), int(CloseCode::GoingAway)); // echoed by the server
    QVERIFY(scheduled.isEmpty());
}

void tst_WebSocketApp::closeWhileReconnectingStops()
{
    WebSocketApp app(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(refusedPort())));
    app.setReconnectDelay(60000);
    connect(&app, &WebSocketApp::reconnectScheduled, &app,
        [&] { app.close(quint16(CloseCode::Normal), QStringLiteral("give up")); });
    QSignalSpy closed(&app, &WebSocketApp::closed);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(!app.runForever());
    QVERIFY(clock.elapsed() < Wait);
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 1000);
    QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("give up"));
}

void tst_WebSocketApp::throwingSlotIsReportedAndLoopContinues()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocketApp app(server.url(QStringLiteral("/echo")));
    QStringList received;
    connect(&app, &WebSocketApp::opened, &app, [&] { app.sendText(QStringLiteral("boom")); });
    connect(&app, &WebSocketApp::textMessageReceived, &app, [&](const QString &m) {
        received.append(m);
        if (m == QLatin1String("boom")) {
            app.sendText(QStringLiteral("again"));
            throw std::runtime_error("user code failed");
        }
        app.close();
    });
    QSignalSpy errors(&app, &WebSocketApp::errorOccurred);
    QVERIFY(!app.runForever());
    QCOMPARE(received, (QStringList { QStringLiteral("boom"), QStringLiteral("again") }));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).value<Error>(), Error::InvalidArgument);
    QVERIFY(errors.at(0).at(1).toString().contains(QStringLiteral("user code failed")));
}

void tst_WebSocketApp::deleteLaterFromSlotEndsRunForever()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    QPointer<WebSocketApp> app = new WebSocketApp(server.url(QStringLiteral("/echo")));
    connect(app, &WebSocketApp::opened, app, [&] { app->deleteLater(); });
    app->runForever();
    QVERIFY(app.isNull());
}

void tst_WebSocketApp::soak()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    const int seconds = soakSeconds();
    constexpr int RestartEveryMs = 10000;
    constexpr int TickMs = 2;
    constexpr int RatePerSecond = 5000; // 100 k messages in the default 20 s
    constexpr int Window = 2000;

    WebSocketApp app(server.url(QStringLiteral("/echo")));
    app.setPingInterval(100);
    app.setReconnectDelay(50);
    app.setMaxReconnectDelay(1000);

    // Per connection: the messages it accepted and how many came back, which must be the leading
    // ones in order. A connection that dropped may lose its tail (in flight); one closed cleanly may not.
    struct Connection
    {
        QList<int> accepted;
        int echoed = 0;
        bool dropped = false;
    };
    QList<Connection> connections;
    int nextMessage = 0;
    int refused = 0;
    int refusalsReported = 0;
    int pongs = 0;
    int drops = 0;
    bool orderBroken = false;

    connect(&app, &WebSocketApp::opened, this, [&] { connections.append(Connection()); });
    connect(&app, &WebSocketApp::reconnected, this, [&] { connections.append(Connection()); });
    connect(&app, &WebSocketApp::pongReceived, this, [&] { ++pongs; });
    connect(&app, &WebSocketApp::errorOccurred, this, [&](Error e, const QString &why) {
        if (why.startsWith(QLatin1String("message not sent"))) {
            ++refusalsReported;
        } else if (e == Error::ConnectionClosed || e == Error::Network || e == Error::ConnectionRefused) {
            ++drops;
            if (!connections.isEmpty())
                connections.last().dropped = true;
        }
    });
    connect(&app, &WebSocketApp::textMessageReceived, this, [&](const QString &m) {
        Connection &c = connections.last();
        if (c.echoed >= c.accepted.size() || c.accepted.at(c.echoed) != m.toInt())
            orderBroken = true;
        ++c.echoed;
    });

    // Sends catch up with the planned rate on each tick, with at most Window messages unanswered so
    // that a slow machine measures the library, not an ever-growing socket buffer.
    QElapsedTimer clock;
    QTimer sender;
    sender.setTimerType(Qt::PreciseTimer);
    bool sending = true;
    connect(&sender, &QTimer::timeout, this, [&] {
        const qint64 due = clock.elapsed() * RatePerSecond / 1000;
        Connection &c = connections.last();
        while (sending && nextMessage < due && c.accepted.size() - c.echoed < Window) {
            const int n = nextMessage++;
            if (app.sendText(QString::number(n)) >= 0)
                c.accepted.append(n);
            else
                ++refused;
        }
    });
    QTimer restarter;
    restarter.setSingleShot(true);
    int restarts = 0;
    bool restartFailed = false;
    connect(&restarter, &QTimer::timeout, this, [&] {
        restartFailed |= !server.restart();
        ++restarts;
        restarter.start(RestartEveryMs); // the first one comes after half a period: at 5 s, 15 s, 25 s…
    });

    QSignalSpy opened(&app, &WebSocketApp::opened);
    QVERIFY(app.start());
    QVERIFY(opened.wait(Wait));
    clock.start();
    sender.start(TickMs);
    restarter.start(RestartEveryMs / 2);
    // The baseline once buffers and allocator pools have grown to their working size.
    QTRY_VERIFY_WITH_TIMEOUT(connections.last().echoed >= 5000, Wait);
    const qint64 rssStart = residentKiB();
    QTRY_VERIFY_WITH_TIMEOUT(clock.elapsed() >= seconds * 1000, seconds * 1000 + Wait);
    restarter.stop();
    sending = false;
    sender.stop();
    // Let the last connection deliver everything it accepted, then close.
    QTRY_VERIFY_WITH_TIMEOUT(
        app.ready() && connections.last().echoed == connections.last().accepted.size(), Wait);
    const qint64 rssEnd = residentKiB();
    QSignalSpy closed(&app, &WebSocketApp::closed);
    app.close();
    QVERIFY(closed.wait(Wait));
    QCOMPARE(closed.at(0).at(0).toInt(), 1000);

    int accepted = 0, echoed = 0, lostInFlight = 0;
    for (const Connection &c : qAsConst(connections)) {
        accepted += c.accepted.size();
        echoed += c.echoed;
        if (!c.dropped)
            QCOMPARE(c.echoed, c.accepted.size());
        lostInFlight += c.accepted.size() - c.echoed;
    }
    qInfo("soak %d s: %d messages sent, %d echoed, %d refused while reconnecting (all reported), %d lost in "
          "flight on %d dropped connections, %d restarts, %d pongs; RSS %lld -> %lld KiB",
        seconds, nextMessage, echoed, refused, lostInFlight, drops, restarts, pongs, rssStart, rssEnd);
    QVERIFY(!restartFailed);
    QVERIFY(!orderBroken);
    QCOMPARE(accepted + refused, nextMessage);
    QCOMPARE(refusalsReported, refused);
    QCOMPARE(connections.size(), 1 + restarts);
    QVERIFY(restarts >= seconds * 1000 / RestartEveryMs);
    QVERIFY(nextMessage >= seconds * RatePerSecond * 8 / 10); // at least 80% of the planned rate
    QVERIFY(pongs >= seconds * 5); // pings every 100 ms, allowing for reconnect gaps
    // Under AddressSanitizer freed memory waits in its quarantine: RSS says nothing about leaks
    // there (LeakSanitizer does).
#if !defined(__SANITIZE_ADDRESS__)
    if (rssStart > 0)
        QVERIFY2(rssEnd - rssStart < 8 * 1024,
            qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(rssEnd - rssStart)));
#endif
}

QTEST_GUILESS_MAIN(tst_WebSocketApp)
#include "tst_websocketapp.moc"
