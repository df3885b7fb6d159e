// permessage-deflate against real servers that implement it: python3-websockets (deflate on by
// default) and node `ws` (--compression). Every combination of the four negotiation parameters,
// messages from 0 B to 16 MiB, text and binary, fragmented, and context takeover seen on the wire.

#include "testserver.h"

#include <WsClient/WebSocket>

#include <QtCore/qrandom.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

using namespace WsClient;

namespace {

constexpr int Wait = 30000;

TestServer startServer(const QString &kind)
{
    if (kind == QLatin1String("python"))
        return TestServer::python();
    return TestServer::node({ QStringLiteral("--compression") });
}

void addServerColumn()
{
    QTest::addColumn<QString>("kind");
}

// Compressible and incompressible stretches, so both DEFLATE block kinds appear.
QByteArray mixedBytes(qsizetype size, quint32 seed)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator random(seed);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = (i / 4096) % 2 ? char(random.bounded(256)) : char("{\"id\":42,\"name\":\"tick\"}"[i % 24]);
    return data;
}

QString mixedText(qsizetype bytes, quint32 seed)
{
    static const QString words[] = { QStringLiteral("price "), QStringLiteral("äöü "),
        QStringLiteral("Жизнь "), QStringLiteral("漢字 "), QString::fromUcs4(U"😀 ") };
    QRandomGenerator random(seed);
    QString text;
    qsizetype size = 0;
    while (size < bytes) {
        const QString &word = words[random.bounded(5)];
        size += word.toUtf8().size();
        text += word;
    }
    return text;
}

CompressionOptions compressionFor(bool clientNoTakeover, bool serverNoTakeover, int clientBits, int serverBits)
{
    CompressionOptions compression = CompressionOptions::enabledDefaults();
    compression.setClientNoContextTakeover(clientNoTakeover);
    compression.setServerNoContextTakeover(serverNoTakeover);
    compression.setClientMaxWindowBits(clientBits);
    compression.setServerMaxWindowBits(serverBits);
    return compression;
}

} // namespace

class tst_Compression : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyParameterCombination_data();
    void everyParameterCombination();
    void sixteenMebibytes_data();
    void sixteenMebibytes();
    void contextTakeoverShrinksRepeatedMessages_data();
    void contextTakeoverShrinksRepeatedMessages();
    void serverWithoutCompressionDeclines();
};

void tst_Compression::everyParameterCombination_data()
{
    addServerColumn();
    QTest::addColumn<bool>("clientNoTakeover");
    QTest::addColumn<bool>("serverNoTakeover");
    QTest::addColumn<int>("clientBits");
    QTest::addColumn<int>("serverBits");
    for (const char *kind : { "python", "node" })
        for (bool cnt : { false, true })
            for (bool snt : { false, true })
                for (int cbits : { 15, 9 })
                    for (int sbits : { 15, 10 })
                        QTest::addRow("%s cnct=%d snct=%d cbits=%d sbits=%d", kind, cnt, snt, cbits, sbits)
                            << QString::fromLatin1(kind) << cnt << snt << cbits << sbits;
}

void tst_Compression::everyParameterCombination()
{
    QFETCH(QString, kind);
    QFETCH(bool, clientNoTakeover);
    QFETCH(bool, serverNoTakeover);
    QFETCH(int, clientBits);
    QFETCH(int, serverBits);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    options.setCompression(compressionFor(clientNoTakeover, serverNoTakeover, clientBits, serverBits));
    options.setOutgoingFrameSize(64 * 1024); // the 200 KiB messages go out in fragments
    options.setTimeout(Wait);
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/echo")), options);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));

    // The server agreed to everything that was asked of it.
    const CompressionOptions agreed = ws->compression();
    QVERIFY2(agreed.isEnabled(), ws->extensions().constData());
    QCOMPARE(agreed.serverNoContextTakeover(), serverNoTakeover);
    QVERIFY(agreed.serverMaxWindowBits() <= serverBits);
    QVERIFY(agreed.clientMaxWindowBits() <= clientBits);
    QVERIFY(agreed.clientNoContextTakeover() || !clientNoTakeover);

    quint32 seed = 1;
    for (qsizetype size : { 0, 1, 125, 4096, 200 * 1024 }) {
        for (int round = 0; round < 2; ++round) { // twice: the second one uses the shared window
            const QString text = mixedText(size, seed);
            QVERIFY(ws->sendText(text) >= 0);
            const Message echoedText = ws->receive(Wait);
            QVERIFY2(echoedText.isValid(), qPrintable(ws->errorString()));
            QCOMPARE(echoedText.opcode, Opcode::Text);
            QVERIFY(echoedText.text() == text);

            const QByteArray binary = mixedBytes(size, seed++);
            QVERIFY(ws->sendBinary(binary) >= 0);
            const Message echoedBinary = ws->receive(Wait);
            QVERIFY2(echoedBinary.isValid(), qPrintable(ws->errorString()));
            QCOMPARE(echoedBinary.opcode, Opcode::Binary);
            QVERIFY(echoedBinary.data == binary);
        }
    }
    ws->close();
    QVERIFY(ws->waitForDisconnected(Wait));
    QCOMPARE(ws->closeCode(), 1000);
}

void tst_Compression::sixteenMebibytes_data()
{
    addServerColumn();
    QTest::newRow("python3-websockets") << QStringLiteral("python");
    QTest::newRow("node-ws") << QStringLiteral("node");
}

void tst_Compression::sixteenMebibytes()
{
    QFETCH(QString, kind);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    options.setCompression(CompressionOptions::enabledDefaults());
    options.setOutgoingFrameSize(1024 * 1024);
    options.setTimeout(Wait);
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/echo")), options);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QVERIFY(ws->compression().isEnabled());
    const QByteArray binary = mixedBytes(16 * 1024 * 1024, 16);
    ws->sendBinary(binary);
    const Message echoed = ws->receive(Wait);
    QVERIFY2(echoed.isValid(), qPrintable(ws->errorString()));
    QCOMPARE(echoed.data.size(), binary.size());
    QVERIFY(echoed.data == binary);
    const QString text = mixedText(16 * 1024 * 1024, 17);
    ws->sendText(text);
    const Message echoedText = ws->receive(Wait);
    QVERIFY2(echoedText.isValid(), qPrintable(ws->errorString()));
    QVERIFY(echoedText.text() == text);
}

void tst_Compression::contextTakeoverShrinksRepeatedMessages_data()
{
    addServerColumn();
    QTest::addColumn<bool>("serverNoTakeover");
    QTest::newRow("python3-websockets, takeover") << QStringLiteral("python") << false;
    QTest::newRow("python3-websockets, no takeover") << QStringLiteral("python") << true;
    QTest::newRow("node-ws, takeover") << QStringLiteral("node") << false;
    QTest::newRow("node-ws, no takeover") << QStringLiteral("node") << true;
}

void tst_Compression::contextTakeoverShrinksRepeatedMessages()
{
    QFETCH(QString, kind);
    QFETCH(bool, serverNoTakeover);
    TestServer server = startServer(kind);
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    options.setCompression(compressionFor(false, serverNoTakeover, 15, 15));
    WebSocket ws;
    QList<qsizetype> wireSizes;
    QList<QByteArray> messages;
    connect(&ws, &WebSocket::frameReceived, this, [&](const Frame &frame) {
        QVERIFY(frame.rsv1()); // every echo came back compressed
        wireSizes.append(frame.payload().size());
    });
    connect(&ws, &WebSocket::messageReceived, this,
        [&](const QByteArray &data, Opcode) { messages.append(data); });
    ws.open(server.url(QStringLiteral("/echo")), options);
    QVERIFY2(ws.waitForConnected(Wait), qPrintable(ws.errorString()));
    // A 2 KiB JSON-like message with little repetition inside, so only the shared window shrinks it.
    QByteArray message;
    QRandomGenerator random(3);
    while (message.size() < 2048)
        message += "{\"seq\":" + QByteArray::number(random.generate()) + ",\"v\":" + QByteArray::number(random.generate()) + "},";
    for (int i = 0; i < 3; ++i)
        ws.sendBinary(message);
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 3, Wait);
    for (const QByteArray &echoed : messages)
        QVERIFY(echoed == message);
    qInfo("wire sizes of three identical %lld-byte messages: %lld, %lld, %lld", qlonglong(message.size()),
        qlonglong(wireSizes.at(0)), qlonglong(wireSizes.at(1)), qlonglong(wireSizes.at(2)));
    if (serverNoTakeover) {
        QCOMPARE(wireSizes.at(1), wireSizes.at(0));
        QCOMPARE(wireSizes.at(2), wireSizes.at(0));
    } else {
        // The repeats refer back to the first message: a few bytes instead of a kilobyte.
        QVERIFY(wireSizes.at(1) < wireSizes.at(0) / 10);
        QVERIFY(wireSizes.at(2) < wireSizes.at(0) / 10);
    }
}

void tst_Compression::serverWithoutCompressionDeclines()
{
    TestServer server = TestServer::node(); // ws without perMessageDeflate
    WSCLIENT_REQUIRE_SERVER(server);
    ConnectOptions options;
    options.setCompression(CompressionOptions::enabledDefaults());
    auto ws = WebSocket::connectTo(server.url(QStringLiteral("/echo")), options);
    QVERIFY2(ws->isOpen(), qPrintable(ws->errorString()));
    QVERIFY(!ws->compression().isEnabled());
    QVERIFY(ws->extensions().isEmpty());
    ws->sendText(QStringLiteral("plain"));
    QCOMPARE(ws->receive(Wait).text(), QStringLiteral("plain"));
}

QTEST_MAIN(tst_Compression)
#include "tst_compression.moc"
