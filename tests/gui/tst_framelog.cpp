// wsinspector's pieces without a connection: the batched log model and its filter (with 100 000
// frames, timed), the JSON-lines log file, the hex dump and hex input, payload previews and JSON,
// the connection settings and the composer's history.
//
// The 100 000-frame test prints "RESULT <name> <value> ms" lines for the report; they are
// measurements, not assertions.

#include "composer.h"
#include "connectionsettings.h"
#include "framefilter.h"
#include "framelogmodel.h"
#include "hexdump.h"
#include "logfile.h"
#include "payloadtext.h"

#include <WsClient/ConnectOptions>

#include <QtCore/qbuffer.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qsettings.h>
#include <QtCore/qtemporarydir.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qscrollbar.h>
#include <QtWidgets/qtableview.h>

using WsClient::Opcode;

namespace {

constexpr int ManyFrames = 100000;

FrameEntry entry(Direction direction, Opcode opcode, const QByteArray &payload, qint64 timeMs = 1714564800123)
{
    FrameEntry e;
    e.timeMs = timeMs;
    e.direction = direction;
    e.opcode = opcode;
    e.payload = payload;
    return e;
}

// Frame i of the large log: even rows sent, odd rows received; every 10th a ping, every 7th binary.
FrameEntry numberedFrame(int i)
{
    const Direction direction = i % 2 == 0 ? Direction::Outgoing : Direction::Incoming;
    if (i % 10 == 0)
        return entry(direction, Opcode::Ping, QByteArray::number(i), i);
    if (i % 7 == 0)
        return entry(direction, Opcode::Binary, QByteArray(8, char(i & 0xff)), i);
    return entry(direction, Opcode::Text,
        "frame " + QByteArray::number(i) + " {\"n\":" + QByteArray::number(i) + "}", i);
}

QString cell(const QAbstractItemModel &model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

void report(const char *name, qint64 ms)
{
    qInfo("RESULT %s %lld ms", name, ms);
}

} // namespace

class tst_FrameLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hexDumpLayout();
    void parseHexInput_data();
    void parseHexInput();
    void previews();
    void prettyJsonOnlyForJson();
    void appendsAreBatched();
    void filterByDirectionOpcodeAndSearch();
    void filterFollowsNewRows();
    void hundredThousandFrames();
    void logFileRoundTrip();
    void logFileRejectsMalformedLines();
    void connectionSettings();
    void composerHistory();
};

void tst_FrameLog::hexDumpLayout()
{
    const QByteArray data = QByteArray("Hello, World!\n") + char(0) + char(0xff) + QByteArray("xy");
    const QStringList lines = hexDump(data).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines.at(0),
        QStringLiteral("00000000  48 65 6c 6c 6f 2c 20 57  6f 72 6c 64 21 0a 00 ff  |Hello, World!...|"));
    QVERIFY2(lines.at(1).startsWith(QStringLiteral("00000010  78 79 ")), qPrintable(lines.at(1)));
    QVERIFY(lines.at(1).endsWith(QStringLiteral("|xy|")));
    // The ASCII column starts at the same place on a short last line.
    QCOMPARE(lines.at(1).indexOf(QLatin1Char('|')), lines.at(0).indexOf(QLatin1Char('|')));

    const QString cut = hexDump(QByteArray(100, 'a'), 32);
    QCOMPARE(cut.count(QLatin1Char('\n')), 3);
    QVERIFY(cut.contains(QStringLiteral("68 more bytes")));
    QCOMPARE(hexPreview(QByteArray("\x01\x02\x03", 3), 2), QStringLiteral("01 02 …"));
}

void tst_FrameLog::parseHexInput_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("spaced") << QStringLiteral("48 65 6c") << true << QByteArray("Hel");
    QTest::newRow("packed") << QStringLiteral("48656C") << true << QByteArray("Hel");
    QTest::newRow("0x and commas") << QStringLiteral("0x48, 0x65,0x6c") << true << QByteArray("Hel");
    QTest::newRow("colons, lines") << QStringLiteral("00:ff\n10") << true << QByteArray("\x00\xff\x10", 3);
    QTest::newRow("empty") << QString() << true << QByteArray();
    QTest::newRow("odd") << QStringLiteral("48 6") << false << QByteArray();
    QTest::newRow("split byte") << QStringLiteral("4 8") << false << QByteArray();
    QTest::newRow("not hex") << QStringLiteral("48 zz") << false << QByteArray();
}

void tst_FrameLog::parseHexInput()
{
    QFETCH(QString, input);
    QFETCH(bool, ok);
    QFETCH(QByteArray, bytes);
    QByteArray parsed;
    QString error;
    QCOMPARE(parseHex(input, &parsed, &error), ok);
    if (ok)
        QCOMPARE(parsed, bytes);
    else
        QVERIFY(!error.isEmpty());
}

void tst_FrameLog::previews()
{
    QCOMPARE(
        payloadPreview(entry(Direction::Incoming, Opcode::Text, "two\nlines")), QStringLiteral("two⏎lines"));
    QCOMPARE(payloadPreview(entry(Direction::Incoming, Opcode::Text, QByteArray(300, 'a')), 10),
        QStringLiteral("aaaaaaaaaa…"));
    QCOMPARE(
        payloadPreview(entry(Direction::Incoming, Opcode::Close, closePayload(4000, QStringLiteral("bye")))),
        QStringLiteral("4000 bye"));
    QCOMPARE(payloadText(entry(Direction::Incoming, Opcode::Close, {})), QStringLiteral("1005"));
    QCOMPARE(payloadPreview(entry(Direction::Incoming, Opcode::Binary, "AB")), QStringLiteral("41 42"));
    // Text that is not UTF-8 shows as hex rather than as replacement characters.
    QCOMPARE(payloadPreview(entry(Direction::Incoming, Opcode::Ping, QByteArray("\xff\xfe", 2))),
        QStringLiteral("ff fe"));
    const ClosePayload close = parseClosePayload(closePayload(4000, QStringLiteral("bye")));
    QCOMPARE(close.code, 4000);
    QCOMPARE(close.reason, QStringLiteral("bye"));
}

void tst_FrameLog::prettyJsonOnlyForJson()
{
    const QString pretty = prettyJson(R"({"a":1,"b":[true,null]})");
    QVERIFY(pretty.contains(QStringLiteral("\n    \"a\": 1,\n")));
    QVERIFY(prettyJson(R"( [1, 2] )").contains(QStringLiteral("    1,")));
    QVERIFY(prettyJson("hello").isNull());
    QVERIFY(prettyJson(R"({"a":)").isNull());
    QVERIFY(prettyJson("").isNull());
}

void tst_FrameLog::appendsAreBatched()
{
    FrameLogModel model;
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    for (int i = 0; i < 3; ++i)
        model.append(numberedFrame(i + 1));
    // Nothing becomes a row before the event loop runs the flush.
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.pendingCount(), 3);
    QVERIFY(inserted.wait(2000));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 2);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.pendingCount(), 0);
    QCOMPARE(cell(model, 0, FrameLogModel::PreviewColumn), QStringLiteral("frame 1 {\"n\":1}"));
    QCOMPARE(cell(model, 0, FrameLogModel::DirectionColumn), QStringLiteral("↓"));
    QCOMPARE(cell(model, 1, FrameLogModel::DirectionColumn), QStringLiteral("↑"));
    QCOMPARE(cell(model, 2, FrameLogModel::OpcodeColumn), QStringLiteral("text"));
    QCOMPARE(model.data(model.index(2, FrameLogModel::LengthColumn)).toInt(), 15); // frame 3 {"n":3}

    // A flush with nothing buffered inserts nothing.
    model.flush();
    QCOMPARE(inserted.size(), 1);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void tst_FrameLog::filterByDirectionOpcodeAndSearch()
{
    FrameLogModel model;
    FrameFilter filter;
    filter.setSourceModel(&model);
    for (int i = 1; i <= 20; ++i)
        model.append(numberedFrame(i));
    model.flush();
    QCOMPARE(filter.rowCount(), 20);

    filter.setShowOutgoing(false);
    QCOMPARE(filter.rowCount(), 10);
    for (int row = 0; row < filter.rowCount(); ++row)
        QCOMPARE(model.entry(filter.sourceRow(row)).direction, Direction::Incoming);

    filter.setShowOutgoing(true);
    filter.setOpcodeMask(FrameFilter::maskOf({ Opcode::Ping }));
    QCOMPARE(filter.rowCount(), 2); // 10 and 20
    QCOMPARE(model.entry(filter.sourceRow(1)).payload, QByteArray("20"));

    filter.setOpcodeMask(FrameFilter::AllOpcodes);
    filter.setSearchText(QStringLiteral("FRAME 1"));
    // Case-insensitive: "frame 1", "frame 11".."frame 19" except the pings (10) and binary (14).
    QCOMPARE(filter.rowCount(), 9);
    filter.setSearchText(QString());
    QCOMPARE(filter.rowCount(), 20);
}

void tst_FrameLog::filterFollowsNewRows()
{
    FrameLogModel model;
    FrameFilter filter;
    filter.setSourceModel(&model);
    filter.setShowOutgoing(false);
    for (int i = 1; i <= 6; ++i)
        model.append(numberedFrame(i));
    QTRY_COMPARE(model.rowCount(), 6);
    QCOMPARE(filter.rowCount(), 3);
    for (int i = 7; i <= 12; ++i)
        model.append(numberedFrame(i));
    QTRY_COMPARE(model.rowCount(), 12);
    QCOMPARE(filter.rowCount(), 6);
    QCOMPARE(model.entry(filter.sourceRow(5)).timeMs, 11);
}

void tst_FrameLog::hundredThousandFrames()
{
    FrameLogModel model;
    FrameFilter filter;
    filter.setSourceModel(&model);
    QTableView view;
    view.setModel(&filter);
    view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view.verticalHeader()->setDefaultSectionSize(20);
    view.resize(900, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    QList<FrameEntry> frames;
    frames.reserve(ManyFrames);
    for (int i = 0; i < ManyFrames; ++i)
        frames.append(numberedFrame(i));

    // As frames arrive from a connection: in batches of 1000 between event-loop passes.
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < ManyFrames; ++i) {
        model.append(frames.at(i));
        if (i % 1000 == 999)
            model.flush();
    }
    model.flush();
    QCoreApplication::processEvents(); // the view's delayed layout
    report("append_100k_frames_with_view", timer.elapsed());
    QCOMPARE(inserted.size(), ManyFrames / 1000);

    QCOMPARE(model.rowCount(), ManyFrames);
    QCOMPARE(filter.rowCount(), ManyFrames);
    QCOMPARE(model.pendingCount(), 0);
    for (int row : { 0, 1, ManyFrames / 2, ManyFrames - 2, ManyFrames - 1 }) {
        QCOMPARE(model.entry(row).timeMs, row);
        QCOMPARE(model.entry(row).payload, frames.at(row).payload);
        QCOMPARE(cell(model, row, FrameLogModel::DirectionColumn),
            row % 2 == 0 ? QStringLiteral("↑") : QStringLiteral("↓"));
    }
    QCOMPARE(cell(model, ManyFrames - 1, FrameLogModel::PreviewColumn),
        QStringLiteral("frame 99999 {\"n\":99999}"));
    QVERIFY(!model.index(ManyFrames, 0).isValid());

    // The view reaches the last row at once: fixed row heights, no measuring.
    QTRY_VERIFY(view.verticalScrollBar()->maximum() > 0);
    view.scrollToBottom();
    QCOMPARE(view.verticalScrollBar()->value(), view.verticalScrollBar()->maximum());
    QCOMPARE(view.rowAt(view.viewport()->height() - 2), ManyFrames - 1);
    timer.restart();
    for (int step = 0; step < 50; ++step) {
        view.verticalScrollBar()->setValue(step * (ManyFrames / 50));
        view.viewport()->repaint();
    }
    report("scroll_and_paint_50_pages_of_100k", timer.elapsed());

    // Each measurement runs until the proxy is filtered and the view has taken the change.
    const auto settle = [&filter] {
        const int rows = filter.rowCount();
        QCoreApplication::processEvents();
        return rows;
    };
    timer.restart();
    filter.setShowOutgoing(false);
    QCOMPARE(settle(), ManyFrames / 2);
    report("filter_100k_by_direction", timer.elapsed());
    QCOMPARE(filter.sourceRow(0), 1);
    QCOMPARE(filter.sourceRow(filter.rowCount() - 1), ManyFrames - 1);

    filter.setShowOutgoing(true);
    timer.restart();
    filter.setOpcodeMask(FrameFilter::maskOf({ Opcode::Ping }));
    QCOMPARE(settle(), ManyFrames / 10);
    report("filter_100k_by_opcode", timer.elapsed());

    filter.setOpcodeMask(FrameFilter::AllOpcodes);
    QCOMPARE(settle(), ManyFrames);
    timer.restart();
    filter.setSearchText(QStringLiteral("\"n\":4243}"));
    QCOMPARE(settle(), 1);
    report("filter_100k_by_search", timer.elapsed());
    QCOMPARE(filter.sourceRow(0), 4243);

    // New frames keep arriving while filtered.
    filter.setSearchText(QString());
    filter.setShowIncoming(false);
    QCOMPARE(filter.rowCount(), ManyFrames / 2);
    model.append(numberedFrame(ManyFrames));
    model.append(numberedFrame(ManyFrames + 1));
    model.flush();
    QCOMPARE(model.rowCount(), ManyFrames + 2);
    QCOMPARE(filter.rowCount(), ManyFrames / 2 + 1);
    QCOMPARE(filter.sourceRow(filter.rowCount() - 1), ManyFrames);
}

void tst_FrameLog::logFileRoundTrip()
{
    FrameEntry fragment = entry(Direction::Incoming, Opcode::Continuation, "part", 5);
    fragment.final = false;
    FrameEntry deflated = entry(Direction::Incoming, Opcode::Text, "inflated text", 6);
    deflated.compressed = true;
    const QList<FrameEntry> entries {
        entry(Direction::Outgoing, Opcode::Text, "héllo \"quoted\"\nnext", 1714564800123),
        entry(Direction::Incoming, Opcode::Binary, QByteArray("\x00\xff\x10 bin", 7), 2),
        entry(Direction::Outgoing, Opcode::Close, closePayload(4000, QStringLiteral("bye")), 3),
        entry(Direction::Incoming, Opcode::Pong, "", 4),
        fragment,
        deflated,
        entry(Direction::Incoming, Opcode(0x3), "reserved", 7),
    };
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QString error;
    QVERIFY2(writeLog(&buffer, entries, &error), qPrintable(error));
    buffer.close();

    const QList<QByteArray> lines = buffer.data().split('\n');
    QCOMPARE(lines.size(), entries.size() + 1);
    QVERIFY(lines.last().isEmpty());
    for (int i = 0; i < entries.size(); ++i) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(lines.at(i), &parseError);
        QVERIFY2(parseError.error == QJsonParseError::NoError, lines.at(i).constData());
        QVERIFY(document.isObject());
        QCOMPARE(document.object().value(QStringLiteral("length")).toInt(), entries.at(i).payload.size());
    }
    const QJsonObject first = QJsonDocument::fromJson(lines.at(0)).object();
    QCOMPARE(first.value(QStringLiteral("time")).toString(), QStringLiteral("2024-05-01T12:00:00.123Z"));
    QCOMPARE(first.value(QStringLiteral("direction")).toString(), QStringLiteral("out"));
    QCOMPARE(first.value(QStringLiteral("opcode")).toString(), QStringLiteral("text"));
    QCOMPARE(first.value(QStringLiteral("text")).toString(), QStringLiteral("héllo \"quoted\"\nnext"));
    const QJsonObject close = QJsonDocument::fromJson(lines.at(2)).object();
    QCOMPARE(close.value(QStringLiteral("code")).toInt(), 4000);
    QCOMPARE(close.value(QStringLiteral("reason")).toString(), QStringLiteral("bye"));
    QVERIFY(QJsonDocument::fromJson(lines.at(1)).object().contains(QStringLiteral("base64")));

    buffer.open(QIODevice::ReadOnly);
    QList<FrameEntry> read;
    QVERIFY2(readLog(&buffer, &read, &error), qPrintable(error));
    QCOMPARE(read.size(), entries.size());
    for (int i = 0; i < entries.size(); ++i) {
        QCOMPARE(read.at(i).timeMs, entries.at(i).timeMs);
        QCOMPARE(read.at(i).direction, entries.at(i).direction);
        QCOMPARE(read.at(i).opcode, entries.at(i).opcode);
        QCOMPARE(read.at(i).final, entries.at(i).final);
        QCOMPARE(read.at(i).compressed, entries.at(i).compressed);
        QCOMPARE(read.at(i).payload, entries.at(i).payload);
    }
}

void tst_FrameLog::logFileRejectsMalformedLines()
{
    const QByteArray good = toJsonLine(entry(Direction::Incoming, Opcode::Text, "ok"));
    const QList<QByteArray> bad {
        "not json",
        R"({"time":"yesterday","direction":"in","opcode":"text","text":""})",
        R"({"time":"2024-05-01T12:00:00.123Z","direction":"sideways","opcode":"text","text":""})",
        R"({"time":"2024-05-01T12:00:00.123Z","direction":"in","opcode":"shout","text":""})",
        R"({"time":"2024-05-01T12:00:00.123Z","direction":"in","opcode":"binary","base64":"!!"})",
    };
    for (const QByteArray &line : bad) {
        QBuffer buffer;
        buffer.setData(good + "\n\n" + line + '\n' + good + '\n');
        buffer.open(QIODevice::ReadOnly);
        QList<FrameEntry> read;
        QString error;
        QVERIFY2(!readLog(&buffer, &read, &error), line.constData());
        QVERIFY2(error.startsWith(QStringLiteral("line 3:")), qPrintable(error));
        QVERIFY(read.isEmpty());
    }
}

void tst_FrameLog::connectionSettings()
{
    ConnectionSettings settings;
    settings.headers = QStringLiteral("X-One: 1\n\n  Authorization: Bearer abc  \n");
    settings.subprotocols = QStringLiteral("chat, ,superchat");
    settings.origin = QStringLiteral("https://example.org");
    settings.proxyUrl = QStringLiteral("socks5h://user:pw@127.0.0.1:1080");
    settings.ignoreTlsErrors = true;
    settings.compression = true;
    WsClient::ConnectOptions options;
    QString error;
    QVERIFY2(settings.toConnectOptions(&options, &error), qPrintable(error));
    const WsClient::ConnectOptions::HeaderList expected {
        { "X-One", "1" },
        { "Authorization", "Bearer abc" },
    };
    QCOMPARE(options.headers(), expected);
    QCOMPARE(options.subprotocols(), QStringList({ QStringLiteral("chat"), QStringLiteral("superchat") }));
    QCOMPARE(options.origin(), QByteArray("https://example.org"));
    QCOMPARE(options.proxy().type(), WsClient::ProxyOptions::Type::Socks5h);
    QCOMPARE(options.proxy().port(), 1080);
    QVERIFY(!options.sslOptions().verifyPeer());
    QVERIFY(options.compression().isEnabled());

    ConnectionSettings badHeader;
    badHeader.headers = QStringLiteral("X-Fine: 1\nno colon here");
    QVERIFY(!badHeader.toConnectOptions(&options, &error));
    QVERIFY2(error.contains(QStringLiteral("line 2")), qPrintable(error));
    ConnectionSettings badProxy;
    badProxy.proxyUrl = QStringLiteral("gopher://127.0.0.1:70");
    QVERIFY(!badProxy.toConnectOptions(&options, &error));
    QVERIFY2(error.startsWith(QStringLiteral("proxy URL")), qPrintable(error));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    settings.pingIntervalSeconds = 15;
    settings.reconnect = true;
    {
        QSettings file(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        settings.save(file);
    }
    QSettings file(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
    QCOMPARE(ConnectionSettings::load(file), settings);
}

void tst_FrameLog::composerHistory()
{
    Composer composer;
    composer.setMode(Composer::Mode::BinaryHex);
    composer.setText(QStringLiteral("de ad be ef"));
    Composer::Message message;
    QString error;
    QVERIFY(composer.compose(&message, &error));
    QCOMPARE(message.payload, QByteArray("\xde\xad\xbe\xef", 4));
    composer.remember(message);
    composer.setText(QStringLiteral("de ad b"));
    QVERIFY(!composer.compose(&message, &error));

    composer.setMode(Composer::Mode::Text);
    for (int i = 0; i < Composer::MaxHistory + 5; ++i) {
        composer.setText(QStringLiteral("message %1").arg(i));
        QVERIFY(composer.compose(&message, &error));
        composer.remember(message);
    }
    // Sending "message 40" again moves it to the top instead of adding it twice.
    composer.setText(QStringLiteral("message 40"));
    QVERIFY(composer.compose(&message, &error));
    composer.remember(message);
    const QStringList history = composer.history();
    QCOMPARE(history.size(), Composer::MaxHistory);
    QCOMPARE(history.first(), QStringLiteral("text:message 40"));
    QCOMPARE(history.count(QStringLiteral("text:message 40")), 1);
    QCOMPARE(history.at(1), QStringLiteral("text:message %1").arg(Composer::MaxHistory + 4));

    Composer restored;
    restored.setHistory(history + QStringList { QStringLiteral("garbage without a mode") });
    QCOMPARE(restored.history(), history);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("payload.bin"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray("\x01\x02\x03", 3));
    file.close();
    QVERIFY(composer.attachFile(path, &error));
    QVERIFY(composer.compose(&message, &error));
    QCOMPARE(message.mode, Composer::Mode::BinaryHex);
    QCOMPARE(message.payload, QByteArray("\x01\x02\x03", 3));
    composer.clearAttachment();
    QVERIFY(!composer.attachFile(dir.filePath(QStringLiteral("missing")), &error));
}

QTEST_MAIN(tst_FrameLog)
#include "tst_framelog.moc"
