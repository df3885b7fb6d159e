// Smoke test of the integration-test peers (tests/servers) and their harness (tests/support), driven by
// QWebSocket and raw sockets so that it does not depend on WsClient itself.

#include "testcertificates.h"
#include "testserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

namespace {

constexpr int TimeoutMs = 10000;

TestServer startServer(const QString &kind, QStringList arguments = {}, bool secure = false)
{
    if (secure)
        arguments += TestCertificates::instance().serverTlsArguments();
    if (kind == QLatin1String("node"))
        return TestServer::node(arguments);
    if (kind == QLatin1String("qt"))
        return TestServer::qt(arguments);
    return TestServer::python(arguments);
}

QSslConfiguration trustingTestCa()
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(TestCertificates::instance().caCertificates());
    return tls;
}

QByteArray upgradeRequest(const QByteArray &path)
{
    return QByteArrayLiteral("GET ") + path
        + QByteArrayLiteral(
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
}

// Everything the server answers to a raw upgrade request, up to its end of the connection.
QByteArray rawExchange(quint16 port, const QByteArray &path)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(TimeoutMs))
        return QByteArray();
    socket.write(upgradeRequest(path));
    while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(TimeoutMs)) { }
    return socket.readAll();
}

QByteArray headerValue(const QByteArray &response, const QByteArray &name)
{
    for (const QByteArray &line : response.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == name.toLower())
            return line.mid(colon + 1).trimmed();
    }
    return QByteArray();
}

} // namespace

class tst_TestServers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void echo_data();
    void echo();
    void headers_data();
    void headers();
    void closeWithCodeAndReason_data();
    void closeWithCodeAndReason();
    void subprotocol_data();
    void subprotocol();
    void ping_data();
    void ping();
    void fragment_data();
    void fragment();
    void countMessages();
    void silentServerAnswersNothing();
    void redirect_data();
    void redirect();
    void statusWithBody();
    void clientCertificateRequired_data();
    void clientCertificateRequired();
    void unixSocket();
    void ipv6Loopback_data();
    void ipv6Loopback();
    void restartOnSamePort_data();
    void restartOnSamePort();
    void missingServerFailsWithItsLog();

private:
    void openSocket(QWebSocket &socket, const QUrl &url, const QWebSocketHandshakeOptions &options = {});
};

// QVERIFY inside a helper: callers check QTest::currentTestFailed().
void tst_TestServers::openSocket(
    QWebSocket &socket, const QUrl &url, const QWebSocketHandshakeOptions &options)
{
    QSignalSpy connected(&socket, &QWebSocket::connected);
    QSignalSpy sslErrors(&socket, &QWebSocket::sslErrors);
    socket.open(url, options);
    QVERIFY2(
        connected.wait(TimeoutMs), qPrintable(url.toString() + QStringLiteral(": ") + socket.errorString()));
    QCOMPARE(sslErrors.count(), 0);
}

#define OPEN_SOCKET(...)                                                                                     \
    do {                                                                                                     \
        openSocket(__VA_ARGS__);                                                                             \
        if (QTest::currentTestFailed())                                                                      \
            return;                                                                                          \
    } while (false)

void tst_TestServers::echo_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<bool>("secure");
    for (const char *kind : { "python", "node", "qt" }) {
        QTest::addRow("%s", kind) << QString::fromLatin1(kind) << false;
        QTest::addRow("%s-tls", kind) << QString::fromLatin1(kind) << true;
    }
}

void tst_TestServers::echo()
{
    QFETCH(QString, kind);
    QFETCH(bool, secure);
    if (secure)
        WSCLIENT_REQUIRE_CERTIFICATES(TestCertificates::instance());
    TestServer server = startServer(kind, {}, secure);
    WSCLIENT_REQUIRE_SERVER(server);

    QWebSocket socket;
    socket.setSslConfiguration(trustingTestCa());
    OPEN_SOCKET(socket, server.url(QStringLiteral("/echo"), secure));
    QSignalSpy texts(&socket, &QWebSocket::textMessageReceived);
    QSignalSpy binaries(&socket, &QWebSocket::binaryMessageReceived);

    const QString text = QStringLiteral("h\u00e9llo \U0001F600");
    const QByteArray binary = QByteArray("\x00\x01\xfe\xff", 4).repeated(70000); // > 64 KiB: 64-bit length
    socket.sendTextMessage(text);
    socket.sendBinaryMessage(binary);
    QVERIFY(binaries.wait(TimeoutMs));
    QCOMPARE(texts.count(), 1);
    QCOMPARE(texts.at(0).at(0).toString(), text);
    QCOMPARE(binaries.at(0).at(0).toByteArray(), binary);
}

void tst_TestServers::headers_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("python") << QStringLiteral("python");
    QTest::newRow("node") << QStringLiteral("node");
    QTest::newRow("qt") << QStringLiteral("qt");
}

void tst_TestServers::headers()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);

    QWebSocket socket;
    QSignalSpy texts(&socket, &QWebSocket::textMessageReceived);
    QNetworkRequest request(server.url(QStringLiteral("/headers?x=1")));
    request.setRawHeader("X-Custom-Header", "custom value");
    socket.open(request);
    QVERIFY2(texts.wait(TimeoutMs), qPrintable(socket.errorString()));

    const QJsonObject json = QJsonDocument::fromJson(texts.at(0).at(0).toString().toUtf8()).object();
    QCOMPARE(json.value(QStringLiteral("path")).toString(), QStringLiteral("/headers?x=1"));
    const QJsonObject headers = json.value(QStringLiteral("headers")).toObject();
    QCOMPARE(headers.value(QStringLiteral("x-custom-header")).toString(), QStringLiteral("custom value"));
    QCOMPARE(headers.value(QStringLiteral("sec-websocket-version")).toString(), QStringLiteral("13"));
    QVERIFY(json.contains(QStringLiteral("subprotocol")));
    QVERIFY(json.value(QStringLiteral("subprotocol")).isNull());
}

void tst_TestServers::closeWithCodeAndReason_data()
{
    headers_data();
}

void tst_TestServers::closeWithCodeAndReason()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);

    QWebSocket socket;
    QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
    socket.open(server.url(QStringLiteral("/close?code=4001&reason=going%20away")));
    QVERIFY(disconnected.wait(TimeoutMs));
    QCOMPARE(int(socket.closeCode()), 4001);
    QCOMPARE(socket.closeReason(), QStringLiteral("going away"));
}

void tst_TestServers::subprotocol_data()
{
    headers_data();
}

void tst_TestServers::subprotocol()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind, { QStringLiteral("--subprotocols"), QStringLiteral("alpha,beta") });
    WSCLIENT_REQUIRE_SERVER(server);

    QWebSocket socket;
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({ QStringLiteral("gamma"), QStringLiteral("beta") });
    OPEN_SOCKET(socket, server.url(QStringLiteral("/echo")), options);
    QCOMPARE(socket.subprotocol(), QStringLiteral("beta"));
}

void tst_TestServers::ping_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("python") << QStringLiteral("python");
    QTest::newRow("node") << QStringLiteral("node");
}

void tst_TestServers::ping()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);

    QWebSocket socket;
    QSignalSpy texts(&socket, &QWebSocket::textMessageReceived);
    socket.open(server.url(QStringLiteral("/ping?payload=abc")));
    QVERIFY(texts.wait(TimeoutMs));
    QCOMPARE(texts.at(0).at(0).toString(), QStringLiteral("pong:abc"));
}

void tst_TestServers::fragment_data()
{
    ping_data();
}

void tst_TestServers::fragment()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);

    QWebSocket socket;
    OPEN_SOCKET(socket, server.url(QStringLiteral("/fragment?size=3")));
    QSignalSpy frames(&socket, &QWebSocket::binaryFrameReceived);
    QSignalSpy messages(&socket, &QWebSocket::binaryMessageReceived);
    socket.sendBinaryMessage(QByteArrayLiteral("abcdefgh"));
    QVERIFY(messages.wait(TimeoutMs));
    QCOMPARE(messages.at(0).at(0).toByteArray(), QByteArrayLiteral("abcdefgh"));
    QCOMPARE(frames.count(), 3);
    QCOMPARE(frames.at(0).at(0).toByteArray(), QByteArrayLiteral("abc"));
    QCOMPARE(frames.at(2).at(0).toByteArray(), QByteArrayLiteral("gh"));
    QCOMPARE(frames.at(1).at(1).toBool(), false);
    QCOMPARE(frames.at(2).at(1).toBool(), true);
}

void tst_TestServers::countMessages()
{
    TestServer server = TestServer::python({ QStringLiteral("--no-compression") });
    WSCLIENT_REQUIRE_SERVER(server);

    QWebSocket socket;
    OPEN_SOCKET(socket, server.url(QStringLiteral("/count")));
    QSignalSpy texts(&socket, &QWebSocket::textMessageReceived);
    for (int i = 0; i < 50; ++i)
        socket.sendTextMessage(QString::number(i));
    socket.sendTextMessage(QStringLiteral("count?"));
    QTRY_COMPARE_WITH_TIMEOUT(texts.count(), 1, TimeoutMs);
    QCOMPARE(texts.at(0).at(0).toString(), QStringLiteral("50"));
    socket.close();
    QTRY_VERIFY_WITH_TIMEOUT(server.log().contains(QStringLiteral("count-total 50")), TimeoutMs);
}

void tst_TestServers::silentServerAnswersNothing()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);

    QWebSocket socket;
    OPEN_SOCKET(socket, server.url(QStringLiteral("/silent")));
    QSignalSpy pongs(&socket, &QWebSocket::pong);
    QSignalSpy texts(&socket, &QWebSocket::textMessageReceived);
    socket.ping(QByteArrayLiteral("anyone?"));
    socket.sendTextMessage(QStringLiteral("hello?"));
    // A bounded wait for something that must not happen.
    QVERIFY(!pongs.wait(500));
    QCOMPARE(texts.count(), 0);
    socket.abort();
    QTRY_VERIFY_WITH_TIMEOUT(server.log().contains(QLatin1String("closed")), TimeoutMs);
}

void tst_TestServers::redirect_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("location");
    QTest::newRow("counting down") << QByteArrayLiteral("/redirect?n=2&to=/echo")
                                   << QByteArrayLiteral("/redirect?n=1&to=/echo");
    QTest::newRow("last hop") << QByteArrayLiteral("/redirect?n=0&to=/headers")
                              << QByteArrayLiteral("/headers");
    QTest::newRow("target with query") << QByteArrayLiteral("/redirect?n=0&to=/close%3Fcode%3D4000")
                                       << QByteArrayLiteral("/close?code=4000");
    QTest::newRow("loop") << QByteArrayLiteral("/redirect-loop") << QByteArrayLiteral("/redirect-loop");
    QTest::newRow("absolute") << QByteArrayLiteral("/redirect-abs?to=ws://localhost:1/echo")
                              << QByteArrayLiteral("ws://localhost:1/echo");
}

void tst_TestServers::redirect()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, location);
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);

    const QByteArray response = rawExchange(server.port(), path);
    QVERIFY2(response.startsWith("HTTP/1.1 302 "), response.constData());
    QCOMPARE(headerValue(response, "Location"), location);
}

void tst_TestServers::statusWithBody()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);

    const QByteArray response = rawExchange(server.port(), "/status?code=403&body=no%20entry");
    QVERIFY2(response.startsWith("HTTP/1.1 403 "), response.constData());
    QVERIFY2(response.endsWith("\r\n\r\nno entry"), response.constData());
}

void tst_TestServers::clientCertificateRequired_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<bool>("encryptedKey");
    for (const char *kind : { "python", "node" }) {
        QTest::addRow("%s", kind) << QString::fromLatin1(kind) << false;
        QTest::addRow("%s-encrypted-key", kind) << QString::fromLatin1(kind) << true;
    }
}

void tst_TestServers::clientCertificateRequired()
{
    QFETCH(QString, kind);
    QFETCH(bool, encryptedKey);
    const TestCertificates &certs = TestCertificates::instance();
    WSCLIENT_REQUIRE_CERTIFICATES(certs);
    TestServer server = startServer(kind, { QStringLiteral("--client-ca"), certs.clientCa }, true);
    WSCLIENT_REQUIRE_SERVER(server);

    {
        QWebSocket anonymous;
        anonymous.setSslConfiguration(trustingTestCa());
        QSignalSpy disconnected(&anonymous, &QWebSocket::disconnected);
        QSignalSpy connected(&anonymous, &QWebSocket::connected);
        anonymous.open(server.url(QStringLiteral("/echo"), true));
        QVERIFY(disconnected.wait(TimeoutMs));
        QCOMPARE(connected.count(), 0);
    }

    QFile keyFile(encryptedKey ? certs.clientEncryptedKey : certs.clientKey);
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    const QSslKey key(&keyFile, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey,
        encryptedKey ? TestCertificates::passphrase() : QByteArray());
    QVERIFY(!key.isNull());
    QSslConfiguration tls = trustingTestCa();
    tls.setLocalCertificate(QSslCertificate::fromPath(certs.client).value(0));
    tls.setPrivateKey(key);
    QWebSocket socket;
    socket.setSslConfiguration(tls);
    OPEN_SOCKET(socket, server.url(QStringLiteral("/echo"), true));
}

void tst_TestServers::unixSocket()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("ws.sock"));
    TestServer server = TestServer::python({ QStringLiteral("--unix"), path });
    WSCLIENT_REQUIRE_SERVER(server);
    QCOMPARE(server.unixPath(), path);

    QLocalSocket socket;
    socket.connectToServer(path);
    QVERIFY2(socket.waitForConnected(TimeoutMs), qPrintable(socket.errorString()));
    socket.write(upgradeRequest("/echo"));
    QByteArray response;
    while (!response.contains("\r\n\r\n") && socket.waitForReadyRead(TimeoutMs))
        response += socket.readAll();
    QVERIFY2(response.startsWith("HTTP/1.1 101 "), response.constData());
    QCOMPARE(
        headerValue(response, "Sec-WebSocket-Accept"), QByteArrayLiteral("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
}

void tst_TestServers::ipv6Loopback_data()
{
    headers_data();
}

void tst_TestServers::ipv6Loopback()
{
    QFETCH(QString, kind);
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHostIPv6))
        QSKIP("no IPv6 loopback on this machine");
    probe.close();
    TestServer server = startServer(kind, { QStringLiteral("--host"), QStringLiteral("::1") });
    WSCLIENT_REQUIRE_SERVER(server);
    QCOMPARE(server.url(QStringLiteral("/echo")).host(), QStringLiteral("::1"));

    QWebSocket socket;
    OPEN_SOCKET(socket, server.url(QStringLiteral("/echo")));
    QCOMPARE(socket.peerAddress(), QHostAddress(QHostAddress::LocalHostIPv6));
}

void tst_TestServers::restartOnSamePort_data()
{
    headers_data();
}

void tst_TestServers::restartOnSamePort()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);
    const quint16 port = server.port();

    QWebSocket before;
    OPEN_SOCKET(before, server.url(QStringLiteral("/echo")));
    QSignalSpy dropped(&before, &QWebSocket::disconnected);
    QVERIFY2(server.restart(), qPrintable(server.errorString()));
    QCOMPARE(server.port(), port);
    QVERIFY(server.isRunning());
    QVERIFY(dropped.count() == 1 || dropped.wait(TimeoutMs));

    QWebSocket after;
    OPEN_SOCKET(after, server.url(QStringLiteral("/echo")));
    QSignalSpy texts(&after, &QWebSocket::textMessageReceived);
    after.sendTextMessage(QStringLiteral("again"));
    QVERIFY(texts.wait(TimeoutMs));
    QCOMPARE(texts.at(0).at(0).toString(), QStringLiteral("again"));
}

void tst_TestServers::missingServerFailsWithItsLog()
{
    // A server that cannot start (bad option) is reported with its stderr, not as a hang.
    TestServer server = TestServer::python({ QStringLiteral("--no-such-option") });
    if (!server.skipReason().isEmpty())
        QSKIP(qPrintable(server.skipReason()));
    QVERIFY(!server.isRunning());
    QVERIFY2(
        server.errorString().contains(QLatin1String("--no-such-option")), qPrintable(server.errorString()));
    QVERIFY(server.log().contains(QLatin1String("unrecognized arguments")));
}

QTEST_MAIN(tst_TestServers)
#include "tst_testservers.moc"
