// WsClient::WebSocket against real servers started by the test on 127.0.0.1: python3-websockets,
// node `ws` and QWebSocketServer. Echo of every size class, fragmentation, ping/pong, both closing
// directions, subprotocols, headers, redirects, bad status, TLS variants, unix sockets, IPv6.

#include "testcertificates.h"
#include "testserver.h"

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdir.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qrandom.h>
#include <QtCore/qtemporarydir.h>
#include <QtCore/qthread.h>
#include <QtCore/qtimer.h>
#include <QtNetwork/qlocalsocket.h>
#include <QtNetwork/qsslconfiguration.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

using namespace WsClient;

namespace {

constexpr int Wait = 15000;

TestServer startServer(const QString &kind, const QStringList &args = {})
{
    if (kind == QLatin1String("python"))
        return TestServer::python(args);
    if (kind == QLatin1String("node"))
        return TestServer::node(args);
    return TestServer::qt(args);
}

void addServerRows(bool withQt = true)
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("python3-websockets") << QStringLiteral("python");
    QTest::newRow("node-ws") << QStringLiteral("node");
    if (withQt)
        QTest::newRow("QWebSocketServer") << QStringLiteral("qt");
}

QByteArray randomBytes(qsizetype n)
{
    QByteArray b(n, Qt::Uninitialized);
    QRandomGenerator gen { quint32(n) };
    for (qsizetype i = 0; i < n; ++i)
        b[i] = char(gen.bounded(256));
    return b;
}

QString randomText(qsizetype bytes)
{
    // ASCII mixed with 2-, 3- and 4-byte sequences, cut back to exactly `bytes` UTF-8 bytes or less.
    static const QString alphabet = QStringLiteral("abcxyz 0123 äöü ЖЩЯ 漢字 ") + QString::fromUcs4(U"😀");
    QString s;
    QRandomGenerator gen(quint32(bytes) + 7);
    qsizetype size = 0;
    while (size < bytes) {
        const qsizetype i = gen.bounded(int(alphabet.size()));
        QString ch = alphabet.at(i);
        if (ch.at(0).isSurrogate())
            ch = QString::fromUcs4(U"😀");
        const qsizetype n = ch.toUtf8().size();
        if (size + n > bytes)
            ch = QStringLiteral("a");
        s += ch;
        size += ch.toUtf8().size();
    }
    return s;
}

ConnectOptions tlsOptions(const QString &caFile)
{
    ConnectOptions options;
    SslOptions ssl;
    ssl.setCaFile(caFile);
    options.setSslOptions(ssl);
    options.setTimeout(Wait);
    return options;
}

} // namespace

class tst_WebSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void echoSizes_data();
    void echoSizes();
    void serverFragmentsAreAssembled_data();
    void serverFragmentsAreAssembled();
    void fireContinuationFrames();
    void clientFragmentsLargeMessages_data();
    void clientFragmentsLargeMessages();
    void pingPong_data();
    void pingPong();
    void serverPing();
    void serverInitiatedClose_data();
    void serverInitiatedClose();
    void clientCloseWaitsForServer_data();
    void clientCloseWaitsForServer();
    void subprotocolNegotiation_data();
    void subprotocolNegotiation();
    void headersAndCookieReachServer_data();
    void headersAndCookieReachServer();
    void socketOptionsReachTheSocket();
    void headersAsMapAndDroppedDefaults();
    void redirectChain();
    void redirectLoopBeyondLimit();
    void redirectToOtherHostAndScheme();
    void badStatusWithBody();
    void refusedPort();
    void tlsWithGeneratedCa_data();
    void tlsWithGeneratedCa();
    void tlsWrongHostname();
    void tlsUntrustedCertificate();
    void tlsClientCertificate();
    void tlsConfigurationCiphersProtocol();
    void unixDomainSocket();
    void ipv6Loopback();
    void noMessageLostBeforeClose();
    void repliesSentFromSlots_data();
    void largeMessagesBackToBack();
    void largeMessageMemoryIsReusedOnlyWhenDropped();
    void repliesSentFromSlots();
    void messageArrivingInANestedLoopIsRead();
    void bytesWrittenIsNeverEmittedFromASend();
};

void tst_WebSocket::echoSizes_data()
{
    addServerRows();
}

void tst_WebSocket::echoSizes()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/echo")));
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));

    const qsizetype sizes[] = { 0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20 };
    for (qsizetype size : sizes) {
        const QByteArray binary = randomBytes(size);
        QCOMPARE(ws->sendBinary(binary), qint64(size));
        Message m = ws->receive(Wait);
        QVERIFY2(m.isValid(), qPrintable(QStringLiteral("binary %1: %2").arg(size).arg(ws->errorString())));
        QCOMPARE(m.opcode, Opcode::Binary);
        QCOMPARE(m.data.size(), size);
        QVERIFY(m.data == binary);

        const QString text = randomText(size);
        ws->sendText(text);
        m = ws->receive(Wait);
        QVERIFY2(m.isValid(), qPrintable(QStringLiteral("text %1: %2").arg(size).arg(ws->errorString())));
        QCOMPARE(m.opcode, Opcode::Text);
        QVERIFY(m.text() == text);
    }
    ws->close();
    QVERIFY(ws->waitForDisconnected(Wait));
    QCOMPARE(ws->closeCode(), 1000);
}

void tst_WebSocket::serverFragmentsAreAssembled_data()
{
    addServerRows(false);
}

void tst_WebSocket::serverFragmentsAreAssembled()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);
    // 7-byte fragments split the multi-byte characters across frames.
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/fragment?size=7")));
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    const QString text = randomText(5000);
    ws->sendText(text);
    Message m = ws->receive(Wait);
    QVERIFY2(m.isValid(), qPrintable(ws->errorString()));
    QCOMPARE(m.opcode, Opcode::Text);
    QVERIFY(m.text() == text);
    const QByteArray binary = randomBytes(100000);
    ws->sendBinary(binary);
    m = ws->receive(Wait);
    QCOMPARE(m.opcode, Opcode::Binary);
    QVERIFY(m.data == binary);
}

void tst_WebSocket::fireContinuationFrames()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    options.setFireContinuationFrames(true);
    WebSocket ws;
    QList<QPair<QByteArray, bool>> fragments;
    QList<Opcode> opcodes;
    connect(&ws, &WebSocket::fragmentReceived, this, [&](const QByteArray &data, Opcode opcode, bool fin) {
        fragments.append({ data, fin });
        opcodes.append(opcode);
    });
    ws.open(server.url(QStringLiteral("/fragment?size=4")), options);
    QVERIFY(ws.waitForConnected(Wait));
    ws.sendTextUtf8("abcdefghij");
    QTRY_COMPARE_WITH_TIMEOUT(fragments.size(), 3, Wait);
    QCOMPARE(fragments.at(0).first, QByteArray("abcd"));
    QCOMPARE(fragments.at(2).first, QByteArray("ij"));
    QCOMPARE(opcodes, (QList<Opcode> { Opcode::Text, Opcode::Continuation, Opcode::Continuation }));
    QVERIFY(!fragments.at(0).second && !fragments.at(1).second && fragments.at(2).second);
}

void tst_WebSocket::clientFragmentsLargeMessages_data()
{
    addServerRows();
}

void tst_WebSocket::clientFragmentsLargeMessages()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    options.setOutgoingFrameSize(1000);
    WebSocket ws;
    QSignalSpy written(&ws, &WebSocket::bytesWritten);
    ws.open(server.url(QStringLiteral("/echo")), options);
    QVERIFY(ws.waitForConnected(Wait));
    // 1000-byte frames cut multi-byte characters, which RFC 6455 allows; QtWebSockets 6.4 checks UTF-8
    // per frame and closes with 1007 on that, so it gets ASCII (a finding about the peer, not about us).
    const QString text = kind == QLatin1String("qt") ? QString(10001, QLatin1Char('q')) : randomText(10001);
    ws.sendText(text);
    const Message m = ws.receive(Wait);
    QVERIFY2(m.isValid(), qPrintable(ws.errorString()));
    QVERIFY(m.text() == text);
    QVERIFY(written.count() > 0);
}

void tst_WebSocket::pingPong_data()
{
    addServerRows();
}

void tst_WebSocket::pingPong()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    QSignalSpy pongs(&ws, &WebSocket::pongReceived);
    ws.open(server.url(QStringLiteral("/echo")));
    QVERIFY(ws.waitForConnected(Wait));
    QCOMPARE(ws.ping("are you there?"), qint64(14));
    QTRY_COMPARE_WITH_TIMEOUT(pongs.count(), 1, Wait);
    QCOMPARE(pongs.first().at(0).toByteArray(), QByteArray("are you there?"));
    QCOMPARE(ws.ping(QByteArray(126, 'x')), qint64(-1)); // control frames carry at most 125 bytes
    QCOMPARE(ws.error(), Error::InvalidArgument);
}

void tst_WebSocket::serverPing()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    QSignalSpy pings(&ws, &WebSocket::pingReceived);
    QSignalSpy texts(&ws, &WebSocket::textMessageReceived);
    ws.open(server.url(QStringLiteral("/ping?payload=hb42")));
    QTRY_COMPARE_WITH_TIMEOUT(texts.count(), 1, Wait);
    QCOMPARE(pings.count(), 1);
    QCOMPARE(pings.first().at(0).toByteArray(), QByteArray("hb42"));
    // The server only says this after it got our automatic pong with the same payload.
    QCOMPARE(texts.first().at(0).toString(), QStringLiteral("pong:hb42"));
}

void tst_WebSocket::serverInitiatedClose_data()
{
    addServerRows();
}

void tst_WebSocket::serverInitiatedClose()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    QSignalSpy closes(&ws, &WebSocket::closeReceived);
    QSignalSpy disconnected(&ws, &WebSocket::disconnected);
    QSignalSpy errors(&ws, &WebSocket::errorOccurred);
    ws.open(server.url(QStringLiteral("/close?code=4002&reason=server%20bye")));
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, Wait);
    QCOMPARE(closes.count(), 1);
    QCOMPARE(closes.first().at(0).toInt(), 4002);
    QCOMPARE(closes.first().at(1).toString(), QStringLiteral("server bye"));
    QCOMPARE(ws.closeCode(), 4002);
    QCOMPARE(ws.closeReason(), QStringLiteral("server bye"));
    QCOMPARE(errors.count(), 0);
}

void tst_WebSocket::clientCloseWaitsForServer_data()
{
    addServerRows();
}

void tst_WebSocket::clientCloseWaitsForServer()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    QList<WebSocket::State> states;
    connect(&ws, &WebSocket::stateChanged, this, [&](WebSocket::State s) { states.append(s); });
    QSignalSpy closes(&ws, &WebSocket::closeReceived);
    ws.open(server.url(QStringLiteral("/echo")));
    QVERIFY(ws.waitForConnected(Wait));
    ws.close(4100, QStringLiteral("client done"));
    QVERIFY(ws.waitForDisconnected(Wait));
    // The server's Close came back (servers echo the code), before the TCP connection ended.
    QCOMPARE(closes.count(), 1);
    QCOMPARE(ws.closeCode(), 4100);
    QCOMPARE(states,
        (QList<WebSocket::State> { WebSocket::State::Connecting, WebSocket::State::Open,
            WebSocket::State::Closing, WebSocket::State::Unconnected }));
    QCOMPARE(ws.error(), Error::NoError);
}

void tst_WebSocket::subprotocolNegotiation_data()
{
    addServerRows(false);
}

void tst_WebSocket::subprotocolNegotiation()
{
    QFETCH(QString, kind);
    TestServer server
        = startServer(kind, { QStringLiteral("--subprotocols"), QStringLiteral("chat,superchat") });
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    options.setSubprotocols({ QStringLiteral("v2.unknown"), QStringLiteral("superchat") });
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/echo")), options);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QCOMPARE(ws->subprotocol(), QStringLiteral("superchat"));

    options.setSubprotocols({ QStringLiteral("nothing-in-common") });
    auto none = WebSocket::connectTo(server.url(QStringLiteral("/echo")), options);
    QVERIFY2(none->isOpen(), qPrintable(none->errorString())); // servers may accept without a subprotocol
    QCOMPARE(none->subprotocol(), QString());
}

void tst_WebSocket::headersAndCookieReachServer_data()
{
    addServerRows();
}

void tst_WebSocket::headersAndCookieReachServer()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    options.setHeaders(QList<QByteArray> { "X-Token: abc123", "X-Trace-Id: 77" });
    options.setCookie("session=s3cr3t; theme=dark");
    options.setOrigin("https://app.example");
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/headers")), options);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    const Message m = ws->receive(Wait);
    QVERIFY2(m.isValid(), qPrintable(ws->errorString()));
    const QJsonObject headers
        = QJsonDocument::fromJson(m.data).object().value(QStringLiteral("headers")).toObject();
    QCOMPARE(headers.value(QStringLiteral("x-token")).toString(), QStringLiteral("abc123"));
    QCOMPARE(headers.value(QStringLiteral("x-trace-id")).toString(), QStringLiteral("77"));
    QCOMPARE(
        headers.value(QStringLiteral("cookie")).toString(), QStringLiteral("session=s3cr3t; theme=dark"));
    QCOMPARE(headers.value(QStringLiteral("origin")).toString(), QStringLiteral("https://app.example"));
    QCOMPARE(
        headers.value(QStringLiteral("host")).toString(), QStringLiteral("127.0.0.1:%1").arg(server.port()));
}

namespace {
// Reads a socket option of this process's TCP socket connected to \a port (from /proc/self/fd).
int tcpOptionOfConnectionTo(quint16 port, int level, int option)
{
    const QDir fds(QStringLiteral("/proc/self/fd"));
    for (const QString &name : fds.entryList(QDir::System | QDir::NoDotAndDotDot)) {
        const int fd = name.toInt();
        sockaddr_storage peer {};
        socklen_t length = sizeof peer;
        if (::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &length) != 0 || peer.ss_family != AF_INET)
            continue;
        if (ntohs(reinterpret_cast<sockaddr_in *>(&peer)->sin_port) != port)
            continue;
        int value = -1;
        socklen_t size = sizeof value;
        return ::getsockopt(fd, level, option, &value, &size) == 0 ? value : -1;
    }
    return -2; // no such connection
}
} // namespace

void tst_WebSocket::socketOptionsReachTheSocket()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    // Defaults: TCP_NODELAY and SO_KEEPALIVE on, as the kernel sees them.
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/echo")));
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QCOMPARE(ws->peerPort(), server.port());
    QVERIFY(tcpOptionOfConnectionTo(server.port(), IPPROTO_TCP, TCP_NODELAY) > 0);
    QVERIFY(tcpOptionOfConnectionTo(server.port(), SOL_SOCKET, SO_KEEPALIVE) > 0);
    ws->abort();
    // Overridden (websocket-client's sockopt): Nagle back on, keepalive off.
    ConnectOptions options;
    options.setSocketOption(QAbstractSocket::LowDelayOption, 0);
    options.setSocketOption(QAbstractSocket::KeepAliveOption, 0);
    ws = WebSocket::connectTo(server.url(QStringLiteral("/echo")), options);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QCOMPARE(tcpOptionOfConnectionTo(server.port(), IPPROTO_TCP, TCP_NODELAY), 0);
    QCOMPARE(tcpOptionOfConnectionTo(server.port(), SOL_SOCKET, SO_KEEPALIVE), 0);
}

void tst_WebSocket::headersAsMapAndDroppedDefaults()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    // A map (websocket-client's header={...}); a null value drops a default field (here Origin).
    options.setHeaders(QMap<QByteArray, QByteArray> { { "X-Api-Key", "k1" }, { "Origin", QByteArray() } });
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/headers")), options);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    const QJsonObject headers = QJsonDocument::fromJson(ws->receive(Wait).data)
                                    .object()
                                    .value(QStringLiteral("headers"))
                                    .toObject();
    QCOMPARE(headers.value(QStringLiteral("x-api-key")).toString(), QStringLiteral("k1"));
    QVERIFY2(!headers.contains(QStringLiteral("origin")), QJsonDocument(headers).toJson().constData());
    QVERIFY(headers.contains(QStringLiteral("sec-websocket-key")));
}

void tst_WebSocket::redirectChain()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/redirect?n=2&to=/headers")));
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QCOMPARE(ws->effectiveUrl().path(), QStringLiteral("/headers"));
    const Message m = ws->receive(Wait);
    QCOMPARE(QJsonDocument::fromJson(m.data).object().value(QStringLiteral("path")).toString(),
        QStringLiteral("/headers"));
}

void tst_WebSocket::redirectLoopBeyondLimit()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/redirect-loop")));
    QCOMPARE(ws->state(), WebSocket::State::Unconnected);
    QCOMPARE(ws->error(), Error::TooManyRedirects);
    QVERIFY2(ws->errorString().contains(QStringLiteral("the limit is 3,")), qPrintable(ws->errorString()));
}

void tst_WebSocket::redirectToOtherHostAndScheme()
{
    // ws://127.0.0.1 answers 302 to wss://localhost on another server: the second hop changes host,
    // port and scheme, so it opens a new TLS connection checked against the new host name.
    const TestCertificates &certs = TestCertificates::instance();
    WSCLIENT_REQUIRE_CERTIFICATES(certs);
    TestServer target = TestServer::python(certs.serverTlsArguments());
    WSCLIENT_REQUIRE_SERVER(target);
    TestServer origin = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(origin);
    QUrl targetUrl = target.url(QStringLiteral("/headers"), true);
    targetUrl.setHost(QStringLiteral("localhost"));
    const QString query = QStringLiteral("/redirect-abs?to=")
        + QString::fromLatin1(QUrl::toPercentEncoding(targetUrl.toString()));
    auto ws = WebSocket::connectTo(origin.url(query), tlsOptions(certs.ca));
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QCOMPARE(ws->effectiveUrl(), targetUrl);
    const Message m = ws->receive(Wait);
    QVERIFY2(m.isValid(), qPrintable(ws->errorString()));
    const QJsonObject headers
        = QJsonDocument::fromJson(m.data).object().value(QStringLiteral("headers")).toObject();
    QCOMPARE(
        headers.value(QStringLiteral("host")).toString(), QStringLiteral("localhost:%1").arg(target.port()));
    QCOMPARE(headers.value(QStringLiteral("origin")).toString(),
        QStringLiteral("https://localhost:%1").arg(target.port()));
}

void tst_WebSocket::badStatusWithBody()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/status?code=403&body=no%20entry")));
    QCOMPARE(ws->error(), Error::BadStatus);
    QCOMPARE(ws->handshakeStatus(), 403);
    QCOMPARE(ws->handshakeBody(), QByteArray("no entry"));
    QVERIFY2(ws->errorString().contains(QStringLiteral("403")), qPrintable(ws->errorString()));
}

void tst_WebSocket::refusedPort()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    const QUrl url = server.url(QStringLiteral("/echo"));
    QVERIFY(server.stop());
    auto ws = WebSocket::connectTo(url);
    QCOMPARE(ws->error(), Error::ConnectionRefused);
    QVERIFY2(ws->errorString().contains(QString::number(url.port())), qPrintable(ws->errorString()));
}

void tst_WebSocket::tlsWithGeneratedCa_data()
{
    addServerRows(false);
}

void tst_WebSocket::tlsWithGeneratedCa()
{
    QFETCH(QString, kind);
    const TestCertificates &certs = TestCertificates::instance();
    WSCLIENT_REQUIRE_CERTIFICATES(certs);
    TestServer server = startServer(kind, certs.serverTlsArguments());
    WSCLIENT_REQUIRE_SERVER(server);
    QUrl url = server.url(QStringLiteral("/echo"), true);
    url.setHost(QStringLiteral("localhost"));
    auto ws = WebSocket::connectTo(url, tlsOptions(certs.ca));
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    ws->sendText(QStringLiteral("over TLS"));
    QCOMPARE(ws->receive(Wait).text(), QStringLiteral("over TLS"));

    // Without the CA the system trust store does not know the test CA.
    ConnectOptions plain;
    plain.setTimeout(Wait);
    auto untrusted = WebSocket::connectTo(url, plain);
    QCOMPARE(untrusted->error(), Error::Tls);
}

void tst_WebSocket::tlsWrongHostname()
{
    const TestCertificates &certs = TestCertificates::instance();
    WSCLIENT_REQUIRE_CERTIFICATES(certs);
    TestServer server = TestServer::python(
        { QStringLiteral("--cert"), certs.wrongHost, QStringLiteral("--key"), certs.wrongHostKey });
    WSCLIENT_REQUIRE_SERVER(server);
    const QUrl url = server.url(QStringLiteral("/echo"), true);
    auto ws = WebSocket::connectTo(url, tlsOptions(certs.ca));
    QCOMPARE(ws->error(), Error::Tls);
    QVERIFY2(ws->errorString().contains(QStringLiteral("HostNameMismatch")), qPrintable(ws->errorString()));

    ConnectOptions lax = tlsOptions(certs.ca);
    SslOptions ssl = lax.sslOptions();
    ssl.setCheckHostname(false);
    lax.setSslOptions(ssl);
    auto ok = WebSocket::connectTo(url, lax);
    QVERIFY2(ok->isOpen(), qPrintable(ok->errorString()));

    // SNI/host-name override: the certificate's name is checked instead of the URL's host.
    ConnectOptions sni = tlsOptions(certs.ca);
    SslOptions named = sni.sslOptions();
    named.setServerName(QStringLiteral("wrong.example"));
    sni.setSslOptions(named);
    auto viaName = WebSocket::connectTo(url, sni);
    QVERIFY2(viaName->isOpen(), qPrintable(viaName->errorString()));
}

void tst_WebSocket::tlsUntrustedCertificate()
{
    const TestCertificates &certs = TestCertificates::instance();
    WSCLIENT_REQUIRE_CERTIFICATES(certs);
    TestServer server = TestServer::python(
        { QStringLiteral("--cert"), certs.selfSigned, QStringLiteral("--key"), certs.selfSignedKey });
    WSCLIENT_REQUIRE_SERVER(server);
    const QUrl url = server.url(QStringLiteral("/echo"), true);
    auto ws = WebSocket::connectTo(url, tlsOptions(certs.ca));
    QCOMPARE(ws->error(), Error::Tls);
    QVERIFY2(ws->errorString().contains(QStringLiteral("(SelfSignedCertificate)")),
        qPrintable(ws->errorString())); // the certificate's problem is named

    ConnectOptions lax = tlsOptions(certs.ca);
    SslOptions ssl = lax.sslOptions();
    ssl.setVerifyPeer(false);
    lax.setSslOptions(ssl);
    auto ok = WebSocket::connectTo(url, lax);
    QVERIFY2(ok->isOpen(), qPrintable(ok->errorString()));

    // WEBSOCKET_CLIENT_CA_BUNDLE makes the self-signed certificate trusted.
    qputenv("WEBSOCKET_CLIENT_CA_BUNDLE", certs.selfSigned.toLocal8Bit());
    ConnectOptions env;
    env.setTimeout(Wait);
    auto viaEnv = WebSocket::connectTo(url, env);
    qunsetenv("WEBSOCKET_CLIENT_CA_BUNDLE");
    QVERIFY2(viaEnv->isOpen(), qPrintable(viaEnv->errorString()));

    // A CA directory (every PEM file in it is trusted): as an option and as WEBSOCKET_CLIENT_CA_BUNDLE.
    QTemporaryDir caDir;
    QVERIFY(caDir.isValid());
    QVERIFY(QFile::copy(certs.selfSigned, caDir.filePath(QStringLiteral("trusted.pem"))));
    ConnectOptions dirOption;
    dirOption.setTimeout(Wait);
    SslOptions dirSsl;
    dirSsl.setCaDirectory(caDir.path());
    dirOption.setSslOptions(dirSsl);
    auto viaDir = WebSocket::connectTo(url, dirOption);
    QVERIFY2(viaDir->isOpen(), qPrintable(viaDir->errorString()));
    qputenv("WEBSOCKET_CLIENT_CA_BUNDLE", caDir.path().toLocal8Bit());
    auto viaEnvDir = WebSocket::connectTo(url, env);
    qunsetenv("WEBSOCKET_CLIENT_CA_BUNDLE");
    QVERIFY2(viaEnvDir->isOpen(), qPrintable(viaEnvDir->errorString()));
}

void tst_WebSocket::tlsClientCertificate()
{
    const TestCertificates &certs = TestCertificates::instance();
    WSCLIENT_REQUIRE_CERTIFICATES(certs);
    TestServer server
        = TestServer::python(certs.serverTlsArguments() << QStringLiteral("--client-ca") << certs.clientCa);
    WSCLIENT_REQUIRE_SERVER(server);
    const QUrl url = server.url(QStringLiteral("/echo"), true);

    auto without = WebSocket::connectTo(url, tlsOptions(certs.ca));
    QVERIFY(!without->isOpen());
    // TLS 1.3: the server checks the certificate after the client's side of the TLS handshake is
    // done, so the refusal shows as the server closing during the WebSocket handshake.
    QCOMPARE(without->error(), Error::Network);
    QVERIFY2(
        without->errorString().contains(QStringLiteral("closed the connection during the opening handshake")),
        qPrintable(without->errorString()));

    ConnectOptions options = tlsOptions(certs.ca);
    SslOptions ssl = options.sslOptions();
    ssl.setCertificateFile(certs.client);
    ssl.setKeyFile(certs.clientEncryptedKey);
    ssl.setKeyPassphrase(TestCertificates::passphrase());
    options.setSslOptions(ssl);
    auto with = WebSocket::connectTo(url, options);
    QVERIFY2(with->isOpen(), qPrintable(with->errorString()));
    with->sendText(QStringLiteral("mutual"));
    QCOMPARE(with->receive(Wait).text(), QStringLiteral("mutual"));

    ssl.setKeyPassphrase("wrong");
    options.setSslOptions(ssl);
    auto wrongPass = WebSocket::connectTo(url, options);
    QCOMPARE(wrongPass->error(), Error::InvalidArgument);
    QVERIFY2(wrongPass->errorString().contains(QStringLiteral("passphrase")),
        qPrintable(wrongPass->errorString()));
}

void tst_WebSocket::tlsConfigurationCiphersProtocol()
{
    const TestCertificates &certs = TestCertificates::instance();
    WSCLIENT_REQUIRE_CERTIFICATES(certs);
    TestServer server = TestServer::python(certs.serverTlsArguments());
    WSCLIENT_REQUIRE_SERVER(server);
    const QUrl url = server.url(QStringLiteral("/echo"), true);

    // A complete QSslConfiguration (sslopt "context") carries the CA by itself.
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(certs.caCertificates());
    ConnectOptions options;
    options.setTimeout(Wait);
    SslOptions ssl;
    ssl.setConfiguration(config);
    options.setSslOptions(ssl);
    auto viaConfig = WebSocket::connectTo(url, options);
    QVERIFY2(viaConfig->isOpen(), qPrintable(viaConfig->errorString()));

    // Protocol and cipher choices reach the TLS layer: TLS 1.3 works, an unknown cipher list is refused.
    ssl = SslOptions();
    ssl.setCaFile(certs.ca);
    ssl.setProtocol(QSsl::TlsV1_3OrLater);
    options.setSslOptions(ssl);
    auto tls13 = WebSocket::connectTo(url, options);
    QVERIFY2(tls13->isOpen(), qPrintable(tls13->errorString()));

    ssl.setCiphers(QStringLiteral("NO-SUCH-CIPHER"));
    options.setSslOptions(ssl);
    auto badCipher = WebSocket::connectTo(url, options);
    QCOMPARE(badCipher->error(), Error::InvalidArgument);
    QVERIFY2(badCipher->errorString().contains(QStringLiteral("NO-SUCH-CIPHER")),
        qPrintable(badCipher->errorString()));

    ssl = SslOptions();
    ssl.setCaFile(QStringLiteral("/nonexistent/ca.pem"));
    options.setSslOptions(ssl);
    auto badCa = WebSocket::connectTo(url, options);
    QCOMPARE(badCa->error(), Error::InvalidArgument);
    QVERIFY2(badCa->errorString().contains(QStringLiteral("/nonexistent/ca.pem")),
        qPrintable(badCa->errorString()));
}

void tst_WebSocket::unixDomainSocket()
{
    const QString path = QDir::temp().filePath(
        QStringLiteral("wsclient-test-%1.sock").arg(QCoreApplication::applicationPid()));
    TestServer server = TestServer::python({ QStringLiteral("--unix"), path });
    WSCLIENT_REQUIRE_SERVER(server);
    QLocalSocket local;
    local.connectToServer(path);
    QVERIFY(local.waitForConnected(Wait));
    ConnectOptions options;
    options.setDevice(&local);
    auto ws = WebSocket::connectTo(QUrl(QStringLiteral("ws://localhost/echo")), options);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    ws->sendText(QStringLiteral("through a unix socket"));
    QCOMPARE(ws->receive(Wait).text(), QStringLiteral("through a unix socket"));
    ws->close();
    QVERIFY(ws->waitForDisconnected(Wait));
    QCOMPARE(ws->closeCode(), 1000);
}

void tst_WebSocket::ipv6Loopback()
{
    TestServer server = TestServer::python({ QStringLiteral("--host"), QStringLiteral("::1") });
    WSCLIENT_REQUIRE_SERVER(server);
    const QUrl url = server.url(QStringLiteral("/headers"));
    QCOMPARE(url.host(), QStringLiteral("::1"));
    auto ws = WebSocket::connectTo(url);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QCOMPARE(ws->peerAddress(), QHostAddress(QHostAddress::LocalHostIPv6));
    const QJsonObject headers = QJsonDocument::fromJson(ws->receive(Wait).data)
                                    .object()
                                    .value(QStringLiteral("headers"))
                                    .toObject();
    QCOMPARE(headers.value(QStringLiteral("host")).toString(), QStringLiteral("[::1]:%1").arg(server.port()));
}

void tst_WebSocket::noMessageLostBeforeClose()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    ws.open(server.url(QStringLiteral("/count")));
    QVERIFY(ws.waitForConnected(Wait));
    constexpr int Count = 10000;
    for (int i = 0; i < Count; ++i)
        ws.sendText(QStringLiteral("m%1").arg(i));
    ws.close(); // queued behind the 10 000 messages
    QVERIFY(ws.waitForDisconnected(Wait));
    QCOMPARE(ws.closeCode(), 1000);
    QCOMPARE(ws.error(), Error::NoError);
    QTRY_VERIFY2_WITH_TIMEOUT(server.log().contains(QStringLiteral("count-total %1").arg(Count)),
        qPrintable(server.log().right(300)), Wait);
}

void tst_WebSocket::repliesSentFromSlots_data()
{
    QTest::addColumn<bool>("nestedLoop");
    QTest::newRow("reply from the slot") << false;
    QTest::newRow("slot runs a nested event loop") << true;
}

// What slots send while received messages are handed out is held and written once they return (see
// WebSocketPrivate::outgoing); a slot that sends and then runs a nested event loop (a dialog, a
// wait for a reply on another connection) must still get its message out meanwhile.
void tst_WebSocket::repliesSentFromSlots()
{
    QFETCH(bool, nestedLoop);
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    QSignalSpy written(&ws, &WebSocket::bytesWritten);
    ws.open(server.url(QStringLiteral("/echo")));
    QVERIFY(ws.waitForConnected(Wait));
    constexpr int RoundTrips = 200;
    int echoes = 0;
    bool writtenInNestedLoop = false;
    QObject::connect(&ws, &WebSocket::binaryMessageReceived, &ws, [&](const QByteArray &m) {
        QCOMPARE(m, QByteArray::number(echoes));
        ++echoes;
        if (echoes >= RoundTrips)
            return;
        if (nestedLoop && echoes == RoundTrips / 2) {
            // Qt delivers no readyRead of this socket inside its own readyRead, so the echo comes after.
            QEventLoop loop;
            QObject::connect(&ws, &WebSocket::bytesWritten, &loop, [&] {
                writtenInNestedLoop = true;
                loop.quit();
            });
            QTimer::singleShot(Wait, &loop, &QEventLoop::quit);
            ws.sendBinary(QByteArray::number(echoes));
            loop.exec();
            return;
        }
        ws.sendBinary(QByteArray::number(echoes));
    });
    ws.sendBinary(QByteArray::number(0));
    QTRY_COMPARE_WITH_TIMEOUT(echoes, RoundTrips, Wait);
    QCOMPARE(writtenInNestedLoop, nestedLoop);
    // Frames written straight to the socket are reported like the others.
    // Exactly: the handshake request, then 200 masked frames of 6 header bytes and 1-3 digits.
    qint64 handshake = qint64(qstrlen("GET /echo HTTP/1.1\r\n\r\n"));
    for (const auto &field : ws.requestHeaders())
        handshake += field.first.size() + 2 + field.second.size() + 2;
    const qint64 frames = RoundTrips * 6 + 10 * 1 + 90 * 2 + 100 * 3;
    auto total = [&] {
        qint64 sum = 0;
        for (const QList<QVariant> &args : written)
            sum += args.at(0).toLongLong();
        return sum;
    };
    QTRY_COMPARE_WITH_TIMEOUT(total(), handshake + frames, Wait);
}

// Qt announces nothing of an unbuffered socket inside its own readyRead(): a read notification that
// comes in a slot's nested event loop is kept back until the next read,
// and once it fires again Qt turns the notifier off. A message that arrived meanwhile must still be
// read once the slot returns, also when the nested loop ended right after that first notification.
void tst_WebSocket::messageArrivingInANestedLoopIsRead()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    ws.open(server.url(QStringLiteral("/echo")));
    QVERIFY(ws.waitForConnected(Wait));
    QByteArrayList received;
    QObject::connect(&ws, &WebSocket::binaryMessageReceived, &ws, [&](const QByteArray &m) {
        received.append(m);
        if (m != "first")
            return;
        QCOMPARE(ws.sendBinary("second"), qint64(6));
        ws.flush();
        QCOMPARE(ws.bytesToWrite(), qint64(0));
        QThread::msleep(300); // the echo is in the kernel now
        // One pass of a nested loop: the socket's notification and the posted quit come together.
        QEventLoop loop;
        QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
        loop.exec();
    });
    QCOMPARE(ws.sendBinary("first"), qint64(5));
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, 5000);
    QCOMPARE(received.at(1), QByteArray("second"));
    // The socket still announces what comes next.
    QCOMPARE(ws.sendBinary("third"), qint64(5));
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 3, 5000);
}

// bytesWritten() comes from the event loop (or a flush/wait), as with QAbstractSocket, never from
// inside a send: a slot may send again (also while a compressed send holds the compressor), abort,
// or delete nothing twice.
void tst_WebSocket::bytesWrittenIsNeverEmittedFromASend()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    options.setCompression(CompressionOptions::enabledDefaults());
    WebSocket ws;
    ws.open(server.url(QStringLiteral("/echo")), options);
    QVERIFY(ws.waitForConnected(Wait));
    QVERIFY(ws.compression().isEnabled());
    bool insideSend = false;
    int emittedInsideSend = 0;
    int sentFromSlot = 0;
    QObject::connect(&ws, &WebSocket::bytesWritten, &ws, [&] {
        emittedInsideSend += insideSend ? 1 : 0;
        if (sentFromSlot++ == 0)
            ws.sendText(QStringLiteral("from the slot ").repeated(100)); // compressed too
    });
    QList<QByteArray> echoes;
    QObject::connect(&ws, &WebSocket::messageReceived, &ws, [&](const QByteArray &m) { echoes << m; });
    const QByteArray big(200 * 1024, 'z');
    insideSend = true;
    QVERIFY(ws.sendText(QStringLiteral("first")) > 0);
    QVERIFY(ws.sendBinary(big) > 0);
    insideSend = false;
    QTRY_COMPARE_WITH_TIMEOUT(echoes.size(), 3, Wait);
    QCOMPARE(emittedInsideSend, 0);
    QCOMPARE(echoes.at(0), QByteArray("first"));
    QCOMPARE(echoes.at(1), big);
    QCOMPARE(echoes.at(2), QStringLiteral("from the slot ").repeated(100).toUtf8());

    // A slot that aborts the connection when told of written bytes, with a large send on its way.
    WebSocket other;
    other.open(server.url(QStringLiteral("/echo")));
    QVERIFY(other.waitForConnected(Wait));
    QObject::connect(&other, &WebSocket::bytesWritten, &other, [&] { other.abort(); });
    QVERIFY(other.sendText(QStringLiteral("small")) > 0);
    QVERIFY(other.sendBinary(QByteArray(4 << 20, 'x')) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(other.state(), WebSocket::State::Unconnected, Wait);
    QCOMPARE(other.sendText(QStringLiteral("after")), -1);
}

// Large frames go to a plain TCP socket in slices while the kernel takes them and the rest through
// Qt's buffer (WebSocketPrivate::sendLargeFrame); received ones are read past Qt's buffer. Sending
// 32 MiB at once to a Python server fills the kernel's buffers mid-frame, so both halves of a frame
// are used; every byte must come back in order.
void tst_WebSocket::largeMessagesBackToBack()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    // 32 MiB queued at once: above the default send-buffer bound (16 MiB), which is the point here.
    ConnectOptions options;
    options.setSendBufferLimit(64 << 20);
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/echo")), options);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QList<QByteArray> sent;
    for (int i = 0; i < 8; ++i) {
        sent.append(randomBytes((4 << 20) + i));
        QCOMPARE(ws->sendBinary(sent.last()), sent.last().size());
    }
    for (const QByteArray &expected : sent) {
        const Message m = ws->receive(Wait);
        QVERIFY2(m.isValid(), qPrintable(ws->errorString()));
        QCOMPARE(m.data.size(), expected.size());
        QVERIFY(m.data == expected);
    }
    ws->close();
    QVERIFY(ws->waitForDisconnected(Wait));
    QCOMPARE(ws->closeCode(), 1000);
}

// A large message the slots let go of lends its memory to the next large frame; one a slot keeps
// must never be written into.
void tst_WebSocket::largeMessageMemoryIsReusedOnlyWhenDropped()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    WebSocket ws;
    ws.open(server.url(QStringLiteral("/echo")));
    QVERIFY(ws.waitForConnected(Wait));
    QList<QByteArray> sent;
    for (int i = 0; i < 3; ++i)
        sent.append(randomBytes((2 << 20) + i));
    QByteArray kept;
    QList<const char *> memory;
    QElapsedTimer sinceLast;
    qint64 lastGapMs = 0;
    int received = 0;
    QObject::connect(&ws, &WebSocket::binaryMessageReceived, &ws, [&](const QByteArray &m) {
        QVERIFY(m == sent.at(received));
        memory.append(m.constData());
        lastGapMs = sinceLast.restart();
        if (received == 0)
            kept = m;
        if (++received < sent.size())
            ws.sendBinary(sent.at(received));
    });
    ws.sendBinary(sent.at(0));
    QTRY_COMPARE_WITH_TIMEOUT(received, 3, Wait);
    QVERIFY(kept == sent.at(0));
    QVERIFY(memory.at(1) != memory.at(0));
    // The memory is lent for a quarter of a second; a machine too busy to echo 2 MiB in that time
    // cannot show the reuse.
    if (lastGapMs < 200)
        QCOMPARE(memory.at(2), memory.at(1));
}

QTEST_MAIN(tst_WebSocket)
#include "tst_websocket.moc"
