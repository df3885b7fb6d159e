// The wsdump tool (examples/wsdump) run as a process against real servers started by the test:
// piped lines, raw output, -t, --eof-wait, --timings, -v, --headers/-o, -s, -n with TLS, binary
// display and decoding, limits, close code, error exits, and an interactive session on a pty.

#include "proxydaemon.h"
#include "socksrecorder.h"
#include "testcertificates.h"
#include "testserver.h"

#include <WsClient/wsclient_global.h>

#include <QtCore/qdeadlinetimer.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qprocess.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qstandardpaths.h>
#include <QtCore/qtemporarydir.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>
#include <QtTest/qtest.h>

#include <zlib.h>

namespace {

constexpr int Wait = 20000;

QString wsdumpPath()
{
    return QStringLiteral(WSDUMP_PATH);
}

// A wsdump process whose stdin the test writes and whose output it watches.
class Wsdump
{
public:
    explicit Wsdump(const QStringList &arguments, const QString &program = wsdumpPath())
    {
        m_clock.start();
        m_process.start(program, arguments);
    }
    ~Wsdump()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(Wait);
        }
    }

    void write(const QByteArray &input) { m_process.write(input); }
    void endInput() { m_process.closeWriteChannel(); }

    // Waits until stdout holds needle; false when the process ended or time ran out first.
    bool waitForOutput(const QByteArray &needle, int msecs = Wait)
    {
        const QDeadlineTimer deadline(msecs);
        for (;;) {
            m_out += m_process.readAllStandardOutput();
            if (m_out.contains(needle))
                return true;
            if (deadline.hasExpired() || !m_process.waitForReadyRead(int(deadline.remainingTime())))
                return (m_out += m_process.readAllStandardOutput()).contains(needle);
        }
    }

    // Waits for the end; true when it exited by itself in time.
    bool waitForFinished(int msecs = Wait)
    {
        const bool finished = m_process.waitForFinished(msecs);
        m_elapsedMs = m_clock.elapsed();
        m_out += m_process.readAllStandardOutput();
        m_err += m_process.readAllStandardError();
        return finished && m_process.exitStatus() == QProcess::NormalExit;
    }

    int exitCode() const { return m_process.exitCode(); }
    QByteArray out() const { return m_out; }
    QByteArray err() const { return m_err; }
    qint64 elapsedMs() const { return m_elapsedMs; }

private:
    QProcess m_process;
    QElapsedTimer m_clock;
    QByteArray m_out;
    QByteArray m_err;
    qint64 m_elapsedMs = -1;
};

// Runs wsdump with input on stdin, ended at once (as `printf ... | wsdump`). Replies to that input
// may be lost: a server may drop what it would send after wsdump's Close (the seed has --eof-wait for it).
std::unique_ptr<Wsdump> runPiped(const QStringList &arguments, const QByteArray &input = {})
{
    auto run = std::make_unique<Wsdump>(arguments);
    run->write(input);
    run->endInput();
    run->waitForFinished();
    return run;
}

// Runs wsdump with input on stdin, ends stdin once stdout holds `until` (the last reply expected),
// then waits for wsdump to close and exit.
std::unique_ptr<Wsdump> runUntil(
    const QStringList &arguments, const QByteArray &input, const QByteArray &until)
{
    auto run = std::make_unique<Wsdump>(arguments);
    run->write(input);
    const bool seen = run->waitForOutput(until);
    run->endInput();
    run->waitForFinished();
    if (!seen)
        qWarning("wsdump never printed %s; stdout: %s; stderr: %s", until.constData(), run->out().constData(),
            run->err().constData());
    return run;
}

QString arg(const QUrl &url)
{
    return url.toString();
}

// Compresses with zlib in the container that windowBits selects (gzip, zlib or raw deflate).
QByteArray compress(const QByteArray &data, int windowBits)
{
    z_stream stream {};
    deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(int(deflateBound(&stream, uLong(data.size()))) + 32, Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    deflate(&stream, Z_FINISH);
    out.truncate(qsizetype(stream.total_out));
    deflateEnd(&stream);
    return out;
}

// A port nothing listens on (taken from the system, then released).
quint16 unusedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    return server.serverPort();
}

QJsonObject firstLineAsJson(const QByteArray &out)
{
    return QJsonDocument::fromJson(out.left(out.indexOf('\n'))).object();
}

} // namespace

class tst_Wsdump : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pipedLinesAreEchoed_data();
    void pipedLinesAreEchoed();
    void rawOutputIsExact();
    void textOptionIsSentFirst();
    void eofWaitKeepsReceiving();
    void timingsPrefixReceivedLines();
    void verboseShowsOpcodes_data();
    void verboseShowsOpcodes();
    void verboseTwoShowsTrace();
    void headersAndOriginReachTheServer();
    void subprotocolIsNegotiated();
    void noCertAcceptsSelfSignedServer();
    void selfSignedServerFailsWithoutNoCert();
    void binaryMessagesAreShownOrDecoded_data();
    void binaryMessagesAreShownOrDecoded();
    void binaryFileIsSent();
    void maxSizeLimitsMessages();
    void compressNegotiatesDeflate();
    void closeCodeAndReasonAreSent();
    void pingIntervalSendsPings();
    void serverCloseEndsCleanly();
    void failuresExitWithOneLineError_data();
    void failuresExitWithOneLineError();
    void timeoutBoundsOpening();
    void usageErrors_data();
    void usageErrors();
    void interactiveSessionOnPty_data();
    void interactiveSessionOnPty();
    void quietSilencesInformation();
    void proxyOption_data();
    void proxyOption();
};

void tst_Wsdump::pipedLinesAreEchoed_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("python3-websockets") << QStringLiteral("python");
    QTest::newRow("node-ws") << QStringLiteral("node");
    QTest::newRow("QWebSocketServer") << QStringLiteral("qt");
}

void tst_Wsdump::pipedLinesAreEchoed()
{
    QFETCH(QString, kind);
    TestServer server = kind == QLatin1String("python") ? TestServer::python()
        : kind == QLatin1String("node")                 ? TestServer::node()
                                                        : TestServer::qt();
    WSCLIENT_REQUIRE_SERVER(server);

    const auto run
        = runUntil({ arg(server.url(QStringLiteral("/echo"))) }, "hello\nGrüße ✓\n", "< Grüße ✓\n");
    QVERIFY2(run->exitCode() == 0, run->err().constData());
    // Not a terminal: no prompt, no colours; the decoration is "< ".
    QCOMPARE(run->out(), QByteArray("< hello\n< Grüße ✓\n"));
}

void tst_Wsdump::rawOutputIsExact()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    // An empty line is an empty message, echoed as an empty line.
    const auto run
        = runUntil({ QStringLiteral("-r"), arg(server.url()) }, "one\n\ntwo words\n", "two words\n");
    QCOMPARE(run->exitCode(), 0);
    QCOMPARE(run->out(), QByteArray("one\n\ntwo words\n"));
    QCOMPARE(run->err(), QByteArray());
}

void tst_Wsdump::textOptionIsSentFirst()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    const auto run
        = runUntil({ QStringLiteral("-r"), QStringLiteral("-t"), QStringLiteral("first"), arg(server.url()) },
            "second\n", "second\n");
    QCOMPARE(run->exitCode(), 0);
    QCOMPARE(run->out(), QByteArray("first\nsecond\n"));
}

void tst_Wsdump::eofWaitKeepsReceiving()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    // The server pings once the connection is open and sends "pong:P" when the answer arrives:
    // something that comes after stdin ended. --eof-wait 1.5 keeps wsdump alive for that long.
    const auto waited = runPiped({ QStringLiteral("-r"), QStringLiteral("--eof-wait"), QStringLiteral("1.5"),
        arg(server.url(QStringLiteral("/ping?payload=P"))) });
    QCOMPARE(waited->exitCode(), 0);
    QCOMPARE(waited->out(), QByteArray("pong:P\n"));
    QVERIFY2(waited->elapsedMs() >= 1500, QByteArray::number(waited->elapsedMs()).constData());
    QVERIFY2(waited->elapsedMs() < 1500 + 8000, QByteArray::number(waited->elapsedMs()).constData());

    const auto immediate = runPiped({ QStringLiteral("-r"), arg(server.url()) });
    QCOMPARE(immediate->exitCode(), 0);
    QVERIFY2(immediate->elapsedMs() < 1500, QByteArray::number(immediate->elapsedMs()).constData());
}

void tst_Wsdump::timingsPrefixReceivedLines()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    const auto raw = runUntil(
        { QStringLiteral("-r"), QStringLiteral("--timings"), arg(server.url()) }, "x\ny\n", ": y\n");
    QCOMPARE(raw->exitCode(), 0);
    static const QRegularExpression rawLine(QStringLiteral("^(\\d+\\.\\d{6}): x\\n(\\d+\\.\\d{6}): y\\n$"));
    const QRegularExpressionMatch match = rawLine.match(QString::fromUtf8(raw->out()));
    QVERIFY2(match.hasMatch(), raw->out().constData());
    const double first = match.captured(1).toDouble();
    const double second = match.captured(2).toDouble();
    QVERIFY(first > 0);
    QVERIFY(second >= first);
    QVERIFY(second * 1000 <= double(raw->elapsedMs()));

    const auto decorated = runUntil({ QStringLiteral("--timings"), arg(server.url()) }, "x\n", ": x\n");
    QVERIFY2(QRegularExpression(QStringLiteral("^< \\d+\\.\\d{6}: x\\n$"))
                 .match(QString::fromUtf8(decorated->out()))
                 .hasMatch(),
        decorated->out().constData());
}

void tst_Wsdump::verboseShowsOpcodes_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("until"); // stdin ends once this is shown
    QTest::addColumn<QByteArray>("expected");
    // "close: 1000" is the server's answer to wsdump's Close at the end of input.
    QTest::newRow("text") << QStringLiteral("/echo") << QStringList() << QByteArray("hi\n")
                          << QByteArray("< text: hi\n") << QByteArray("< text: hi\n< close: 1000\n");
    QTest::newRow("binary first") << QStringLiteral("/echo")
                                  << QStringList { QStringLiteral("--binary-hex"), QStringLiteral("00ff10") }
                                  << QByteArray("hi\n") << QByteArray("< text: hi\n")
                                  << QByteArray("< binary: [hex] 00 ff 10\n< text: hi\n< close: 1000\n");
    QTest::newRow("server ping") << QStringLiteral("/ping?payload=P") << QStringList() << QByteArray()
                                 << QByteArray("pong:P\n")
                                 << QByteArray("< ping: P\n< text: pong:P\n< close: 1000\n");
    QTest::newRow("server close") << QStringLiteral("/close?code=4001&reason=bye") << QStringList()
                                  << QByteArray() << QByteArray("bye\n") << QByteArray("< close: 4001 bye\n");
}

void tst_Wsdump::verboseShowsOpcodes()
{
    QFETCH(QString, path);
    QFETCH(QStringList, extra);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, until);
    QFETCH(QByteArray, expected);
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    const auto run = runUntil(
        QStringList { QStringLiteral("-v") } + extra + QStringList { arg(server.url(path)) }, input, until);
    QCOMPARE(run->exitCode(), 0);
    QCOMPARE(run->out(), expected);
    QVERIFY2(run->err().contains("connected to ws://127.0.0.1:"), run->err().constData());
    QVERIFY2(run->err().contains("closed (code "), run->err().constData());
}

void tst_Wsdump::verboseTwoShowsTrace()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    const auto quiet
        = runUntil({ QStringLiteral("-v"), QStringLiteral("1"), arg(server.url()) }, "hi\n", "hi\n");
    const auto traced
        = runUntil({ QStringLiteral("-v"), QStringLiteral("2"), arg(server.url()) }, "hi\n", "hi\n");
    QCOMPARE(traced->exitCode(), 0);
    QVERIFY2(traced->out().contains("< text: hi\n"), traced->out().constData());
    // The library trace shows the handshake request; level 1 does not turn it on.
    QVERIFY2(traced->err().contains("Sec-WebSocket-Key"), traced->err().constData());
    QVERIFY2(!quiet->err().contains("Sec-WebSocket-Key"), quiet->err().constData());
}

void tst_Wsdump::headersAndOriginReachTheServer()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    Wsdump run({ QStringLiteral("-r"), QStringLiteral("--headers"),
        QStringLiteral("X-One: 1,X-Two: two words"), QStringLiteral("-o"),
        QStringLiteral("http://origin.example"), arg(server.url(QStringLiteral("/headers"))) });
    QVERIFY(run.waitForOutput("}\n"));
    run.endInput();
    QVERIFY(run.waitForFinished());
    QCOMPARE(run.exitCode(), 0);
    const QJsonObject headers = firstLineAsJson(run.out()).value(QStringLiteral("headers")).toObject();
    QCOMPARE(headers.value(QStringLiteral("x-one")).toString(), QStringLiteral("1"));
    QCOMPARE(headers.value(QStringLiteral("x-two")).toString(), QStringLiteral("two words"));
    QCOMPARE(headers.value(QStringLiteral("origin")).toString(), QStringLiteral("http://origin.example"));
}

void tst_Wsdump::subprotocolIsNegotiated()
{
    TestServer server
        = TestServer::python({ QStringLiteral("--subprotocols"), QStringLiteral("chat,superchat") });
    WSCLIENT_REQUIRE_SERVER(server);
    // argparse style: several values after -s, then the URL.
    Wsdump run({ QStringLiteral("-v"), QStringLiteral("-s"), QStringLiteral("unknown"),
        QStringLiteral("superchat"), arg(server.url(QStringLiteral("/headers"))) });
    QVERIFY(run.waitForOutput("}\n"));
    run.endInput();
    QVERIFY(run.waitForFinished());
    QCOMPARE(run.exitCode(), 0);
    const QByteArray json = run.out().mid(run.out().indexOf('{'));
    const QJsonObject info = firstLineAsJson(json);
    QCOMPARE(info.value(QStringLiteral("subprotocol")).toString(), QStringLiteral("superchat"));
    QCOMPARE(info.value(QStringLiteral("headers"))
                 .toObject()
                 .value(QStringLiteral("sec-websocket-protocol"))
                 .toString(),
        QStringLiteral("unknown, superchat"));
    QVERIFY2(run.err().contains("subprotocol superchat"), run.err().constData());
}

void tst_Wsdump::noCertAcceptsSelfSignedServer()
{
    const TestCertificates &certs = TestCertificates::instance();
    WSCLIENT_REQUIRE_CERTIFICATES(certs);
    TestServer server = TestServer::python(
        { QStringLiteral("--cert"), certs.selfSigned, QStringLiteral("--key"), certs.selfSignedKey });
    WSCLIENT_REQUIRE_SERVER(server);
    const auto run
        = runUntil({ QStringLiteral("-n"), QStringLiteral("-r"), arg(server.url(QStringLiteral("/"), true)) },
            "secure\n", "secure\n");
    QVERIFY2(run->exitCode() == 0, run->err().constData());
    QCOMPARE(run->out(), QByteArray("secure\n"));
}

void tst_Wsdump::selfSignedServerFailsWithoutNoCert()
{
    const TestCertificates &certs = TestCertificates::instance();
    WSCLIENT_REQUIRE_CERTIFICATES(certs);
    TestServer server = TestServer::python(
        { QStringLiteral("--cert"), certs.selfSigned, QStringLiteral("--key"), certs.selfSignedKey });
    WSCLIENT_REQUIRE_SERVER(server);
    const auto run
        = runPiped({ QStringLiteral("-r"), arg(server.url(QStringLiteral("/"), true)) }, "secure\n");
    QCOMPARE(run->exitCode(), 1);
    QCOMPARE(run->out(), QByteArray());
    QVERIFY2(run->err().startsWith("wsdump: error: Tls: "), run->err().constData());
    QCOMPARE(run->err().count('\n'), 1);
}

void tst_Wsdump::binaryMessagesAreShownOrDecoded_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray text("hello, compressed world");
    QTest::newRow("plain bytes") << QByteArray::fromHex("00ff10207f80")
                                 << QByteArray("< [hex] 00 ff 10 20 7f 80\n");
    QTest::newRow("gzip") << compress(text, 16 + MAX_WBITS) << QByteArray("< [gzip] " + text + '\n');
    QTest::newRow("zlib") << compress(text, MAX_WBITS) << QByteArray("< [zlib] " + text + '\n');
    QTest::newRow("raw deflate") << compress(text, -MAX_WBITS) << QByteArray("< [deflate] " + text + '\n');
    // Compressed, but not text: shown as the bytes they are.
    const QByteArray binaryInside = compress(QByteArray::fromHex("c3ff00"), MAX_WBITS);
    QTest::newRow("zlib of non-UTF-8")
        << binaryInside << QByteArray("< [hex] " + binaryInside.toHex(' ') + '\n');
}

void tst_Wsdump::binaryMessagesAreShownOrDecoded()
{
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, expected);
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    const auto run = runUntil(
        { QStringLiteral("--binary-hex"), QString::fromLatin1(payload.toHex()), arg(server.url()) }, {},
        "\n");
    QCOMPARE(run->exitCode(), 0);
    QCOMPARE(run->out(), expected);
}

void tst_Wsdump::binaryFileIsSent()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(QStringLiteral("payload.bin")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray::fromHex("0102030405"));
    file.close();
    const auto run = runUntil(
        { QStringLiteral("--binary-file"), file.fileName(), arg(server.url()) }, "after\n", "< after\n");
    QCOMPARE(run->exitCode(), 0);
    QCOMPARE(run->out(), QByteArray("< [hex] 01 02 03 04 05\n< after\n"));
}

void tst_Wsdump::compressNegotiatesDeflate()
{
    TestServer server = TestServer::python(); // permessage-deflate on
    WSCLIENT_REQUIRE_SERVER(server);
    const QByteArray line = QByteArray("compress me please ").repeated(20) + "end";
    const auto plain = runUntil({ QStringLiteral("-v"), arg(server.url()) }, line + '\n', line + '\n');
    const auto compressed = runUntil(
        { QStringLiteral("-v"), QStringLiteral("--compress"), arg(server.url()) }, line + '\n', line + '\n');
    QCOMPARE(compressed->exitCode(), 0);
    QVERIFY2(
        compressed->out().startsWith(QByteArray("< text: " + line + '\n')), compressed->out().constData());
    QVERIFY2(compressed->err().contains("extensions permessage-deflate"), compressed->err().constData());
    QVERIFY2(!plain->err().contains("permessage-deflate"), plain->err().constData());
}

void tst_Wsdump::maxSizeLimitsMessages()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    const auto fits = runUntil(
        { QStringLiteral("-r"), QStringLiteral("--max-size"), QStringLiteral("10"), arg(server.url()) },
        "0123456789\n", "0123456789\n");
    QCOMPARE(fits->exitCode(), 0);
    QCOMPARE(fits->out(), QByteArray("0123456789\n"));
    // stdin stays open: wsdump ends by itself on the failure.
    Wsdump tooBig(
        { QStringLiteral("-r"), QStringLiteral("--max-size"), QStringLiteral("10"), arg(server.url()) });
    tooBig.write("0123456789A\n");
    QVERIFY(tooBig.waitForFinished());
    QCOMPARE(tooBig.exitCode(), 1);
    QCOMPARE(tooBig.out(), QByteArray());
    QVERIFY2(tooBig.err().startsWith("wsdump: error: MessageTooBig: "), tooBig.err().constData());
}

void tst_Wsdump::closeCodeAndReasonAreSent()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    const auto run = runPiped({ QStringLiteral("--close-code"), QStringLiteral("4000"),
        QStringLiteral("--close-reason"), QStringLiteral("done here"), arg(server.url()) });
    QCOMPARE(run->exitCode(), 0);
    QTRY_VERIFY2_WITH_TIMEOUT(server.log().contains(QStringLiteral("code=4000 reason='done here'")),
        qPrintable(server.log()), Wait);
}

void tst_Wsdump::pingIntervalSendsPings()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    Wsdump run({ QStringLiteral("-v"), QStringLiteral("--ping-interval"), QStringLiteral("0.1"),
        arg(server.url()) });
    // Each ping is answered by the server; two pongs prove the interval repeats.
    QVERIFY(run.waitForOutput("< pong: \n< pong: \n"));
    run.endInput();
    QVERIFY(run.waitForFinished());
    QCOMPARE(run.exitCode(), 0);
}

void tst_Wsdump::serverCloseEndsCleanly()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    // The server closes while stdin stays open: wsdump answers the Close and ends on its own.
    Wsdump run({ QStringLiteral("-r"), arg(server.url(QStringLiteral("/close?code=1000"))) });
    QVERIFY(run.waitForFinished());
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(run.err(), QByteArray());
}

void tst_Wsdump::failuresExitWithOneLineError_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("expected");
    QTest::newRow("refused") << QStringLiteral("ws://127.0.0.1:%1/").arg(unusedPort())
                             << QStringLiteral("wsdump: error: ConnectionRefused: ");
    QTest::newRow("404") << QStringLiteral("SERVER/status?code=404&body=nope")
                         << QStringLiteral("wsdump: error: BadStatus: .*404");
    QTest::newRow("bad scheme") << QStringLiteral("http://127.0.0.1:1/")
                                << QStringLiteral("wsdump: error: InvalidUrl: ");
}

void tst_Wsdump::failuresExitWithOneLineError()
{
    QFETCH(QString, url);
    QFETCH(QString, expected);
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    url.replace(QStringLiteral("SERVER"), server.url(QStringLiteral("")).toString());
    const auto run = runPiped({ url }, "never sent\n");
    QCOMPARE(run->exitCode(), 1);
    QCOMPARE(run->out(), QByteArray());
    const QString err = QString::fromUtf8(run->err());
    QVERIFY2(QRegularExpression(QLatin1Char('^') + expected).match(err).hasMatch(), qPrintable(err));
    QCOMPARE(err.count(QLatin1Char('\n')), 1);
}

// A server that accepts TCP and never answers: --timeout bounds the opening (10 s without it).
void tst_Wsdump::timeoutBoundsOpening()
{
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    QElapsedTimer timer;
    timer.start();
    const auto run = runPiped({ QStringLiteral("--timeout"), QStringLiteral("0.5"),
                                  QStringLiteral("ws://127.0.0.1:%1/").arg(silent.serverPort()) },
        "never sent\n");
    QCOMPARE(run->exitCode(), 1);
    const QString err = QString::fromUtf8(run->err());
    QVERIFY2(err.startsWith(QStringLiteral("wsdump: error: Timeout: ")), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("500 ms")), qPrintable(err));
    QVERIFY(timer.elapsed() >= 450);
    QVERIFY(timer.elapsed() < 8000);
    const auto bad = runPiped({ QStringLiteral("--timeout"), QStringLiteral("-1"), QStringLiteral("ws://h/") });
    QCOMPARE(bad->exitCode(), 2);
    QVERIFY2(bad->err().contains("--timeout"), bad->err().constData());
}

void tst_Wsdump::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no url") << QStringList() << QStringLiteral("required: ws_url");
    QTest::newRow("unknown option") << QStringList { QStringLiteral("--nope"), QStringLiteral("ws://h/") }
                                    << QStringLiteral("nope");
    QTest::newRow("bad hex") << QStringList { QStringLiteral("--binary-hex"), QStringLiteral("abc"),
        QStringLiteral("ws://h/") }
                             << QStringLiteral("--binary-hex");
    QTest::newRow("bad close code") << QStringList { QStringLiteral("--close-code"), QStringLiteral("1005"),
        QStringLiteral("ws://h/") } << QStringLiteral("--close-code");
    QTest::newRow("bad eof-wait") << QStringList { QStringLiteral("--eof-wait"), QStringLiteral("soon"),
        QStringLiteral("ws://h/") }
                                  << QStringLiteral("--eof-wait");
}

void tst_Wsdump::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const auto run = runPiped(arguments);
    QCOMPARE(run->exitCode(), 2);
    QVERIFY2(run->err().startsWith("wsdump: error: "), run->err().constData());
    QVERIFY2(QString::fromUtf8(run->err()).contains(expected), run->err().constData());

    const auto help = runPiped({ QStringLiteral("--help") });
    QCOMPARE(help->exitCode(), 0);
    QVERIFY(help->out().contains("[--eof-wait EOF_WAIT]"));

    const auto version = runPiped({ QStringLiteral("--version") });
    QCOMPARE(version->exitCode(), 0);
    QCOMPARE(version->out(), QByteArray("wsdump (WsClient) " WSCLIENT_VERSION_STR "\n"));
}

void tst_Wsdump::interactiveSessionOnPty_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("ending"); // what the terminal shows after the last prompt
    QTest::newRow("Ctrl+D") << QByteArray("\x04") << QByteArray("\r\n");
    QTest::newRow("Ctrl+C") << QByteArray("\x03") << QByteArray("^C\r\n");
}

void tst_Wsdump::interactiveSessionOnPty()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, ending);
    const QString script = QStandardPaths::findExecutable(QStringLiteral("script"));
    if (script.isEmpty())
        QSKIP("script (util-linux) is not installed");
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    // script gives wsdump a pseudo-terminal as stdin and stdout: interactive mode with colours.
    // exec: script runs the command through $SHELL, and a shell that stays as wsdump's parent (dash
    // does) would die of the terminal's SIGINT itself.
    const QString command = QStringLiteral("exec ") + wsdumpPath() + QLatin1Char(' ') + arg(server.url());
    Wsdump session({ QStringLiteral("-qfec"), command, QStringLiteral("/dev/null") }, script);
    QVERIFY(session.waitForOutput("> "));
    session.write("hello\n");
    QVERIFY2(session.waitForOutput("\033[34m< hello\033[39m\r\n> "), session.out().constData());
    session.write("second\n");
    QVERIFY2(session.waitForOutput("\033[34m< second\033[39m\r\n> "), session.out().constData());
    // Ctrl+D ends the input; Ctrl+C interrupts. Either way wsdump closes properly and exits.
    session.write(key);
    QVERIFY(session.waitForFinished());
    QCOMPARE(session.exitCode(), 0);
    QTRY_VERIFY2_WITH_TIMEOUT(
        server.log().contains(QStringLiteral("code=1000")), qPrintable(server.log()), Wait);

    // The transcript as the terminal shows it: the informational line, the prompt, the typed line
    // echoed by the terminal, a fresh prompt, then the answer in blue on that cleared prompt line,
    // followed by the prompt again; at the end the prompt line is ended.
    const QByteArray transcript = session.out();
    const QByteArray expected = "Press Ctrl+C to quit\r\n"
                                "> hello\r\n"
                                "> \r\033[2K\033[34m< hello\033[39m\r\n"
                                "> second\r\n"
                                "> \r\033[2K\033[34m< second\033[39m\r\n"
                                "> "
        + ending;
    QCOMPARE(transcript, expected);
}

void tst_Wsdump::quietSilencesInformation()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    // -v tells on stderr where it connected and how it closed; -q keeps stderr for errors only,
    // while the messages themselves still show.
    const auto verbose = runUntil({ QStringLiteral("-v"), arg(server.url()) }, "hi\n", "< text: hi\n");
    QCOMPARE(verbose->exitCode(), 0);
    QVERIFY2(verbose->err().startsWith(
                 QByteArray("connected to " + server.url().toString().toUtf8() + " (HTTP 101")),
        verbose->err().constData());
    QVERIFY2(verbose->err().contains("closed (code 1000)"), verbose->err().constData());
    const auto quiet
        = runUntil({ QStringLiteral("-v"), QStringLiteral("-q"), arg(server.url()) }, "hi\n", "< text: hi\n");
    QCOMPARE(quiet->exitCode(), 0);
    QCOMPARE(quiet->err(), QByteArray());
    QVERIFY(quiet->out().startsWith("< text: hi\n"));
}

void tst_Wsdump::proxyOption_data()
{
    QTest::addColumn<QString>("proxyKind");
    QTest::newRow("http (tinyproxy)") << QStringLiteral("http");
    QTest::newRow("socks5 (microsocks)") << QStringLiteral("socks5");
    QTest::newRow("socks5h with user:pass (microsocks)") << QStringLiteral("socks5h");
    QTest::newRow("socks4a (in-process)") << QStringLiteral("socks4a");
}

void tst_Wsdump::proxyOption()
{
    QFETCH(QString, proxyKind);
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    QUrl url = server.url();
    QString proxyUrl;
    std::unique_ptr<ProxyDaemon> proxy;
    std::unique_ptr<SocksRecorder> recorder;
    if (proxyKind == QLatin1String("socks4a")) {
        recorder = std::make_unique<SocksRecorder>(SocksRecorder::Behaviour::Relay);
        url.setHost(QStringLiteral("localhost"));
        proxyUrl = QStringLiteral("socks4a://127.0.0.1:%1").arg(recorder->port());
    } else {
        if (proxyKind == QLatin1String("http")) {
            proxy = ProxyDaemon::tinyproxy({ server.port() });
        } else if (proxyKind == QLatin1String("socks5")) {
            proxy = ProxyDaemon::microsocks();
        } else {
            // A name that only the proxy resolves (its own /etc/hosts): proof that socks5h sent it there.
            url.setHost(QStringLiteral("proxy-only.test"));
            proxy = ProxyDaemon::microsocks(
                QStringLiteral("bob"), QStringLiteral("pa55"), QStringLiteral("127.0.0.1 proxy-only.test\n"));
        }
        WSCLIENT_REQUIRE_PROXY(proxy);
        const QString credentials
            = proxyKind == QLatin1String("socks5h") ? QStringLiteral("bob:pa55@") : QString();
        proxyUrl = proxyKind + QStringLiteral("://") + credentials
            + QStringLiteral("127.0.0.1:%1").arg(proxy->port());
    }
    const auto run = runUntil(
        { QStringLiteral("-r"), QStringLiteral("-p"), proxyUrl, arg(url) }, "via proxy\n", "via proxy\n");
    QVERIFY2(run->exitCode() == 0, run->err().constData());
    QCOMPARE(run->out(), QByteArray("via proxy\n"));
    if (proxyKind == QLatin1String("http"))
        QVERIFY2(proxy->waitForLog(QStringLiteral("CONNECT"), Wait), qPrintable(proxy->log()));
    if (recorder) {
        QCOMPARE(recorder->requests().size(), 1);
        QCOMPARE(recorder->requests().first().version, 4);
        QVERIFY(recorder->requests().first().byName);
        QCOMPARE(recorder->requests().first().host, QStringLiteral("localhost"));
    }
}

QTEST_MAIN(tst_Wsdump)
#include "tst_wsdump.moc"
