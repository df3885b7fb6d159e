// wsinspector driven like a user against a real echo server (python3-websockets, started by the
// test): URL bar and Connect button, the composer with Ctrl+Return, the log table and the detail
// pane, Close with a chosen code, filters, saving the log, permessage-deflate, errors, keyboard,
// restored settings; and a screenshot of a short session saved into the build directory.
//
// Runs offscreen (QT_QPA_PLATFORM=offscreen, as ctest sets it) or on a real X display (the
// tst_wsinspector_xvfb variant). Settings go to a temporary file per test, never the user's.

#include "composer.h"
#include "detailpane.h"
#include "framefilter.h"
#include "framelogmodel.h"
#include "mainwindow.h"
#include "payloadtext.h"
#include "statusindicator.h"
#include "testserver.h"

#include <WsClient/WebSocket>

#include <QtCore/qfile.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qsettings.h>
#include <QtCore/qstandardpaths.h>
#include <QtCore/qtemporarydir.h>
#include <QtGui/qimage.h>
#include <QtGui/qscreen.h>
#include <QtNetwork/qtcpserver.h>
#include <QtTest/qtest.h>
#include <QtWidgets/qapplication.h>
#include <QtWidgets/qcheckbox.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qspinbox.h>
#include <QtWidgets/qstatusbar.h>
#include <QtWidgets/qtableview.h>
#include <QtWidgets/qtabwidget.h>

#include <memory>
#include <optional>

using WsClient::Opcode;
using State = ConnectionController::State;

namespace {

constexpr int Wait = 15000;

template<typename T> T *child(QObject *parent, const char *name)
{
    T *found = parent->findChild<T *>(QLatin1String(name));
    if (!found)
        qFatal("no child %s", name);
    return found;
}

// Rows of the table (after the filter) whose entry matches.
int tableRowOf(MainWindow &window, Direction direction, Opcode opcode, const QByteArray &payload)
{
    const FrameFilter *filter = window.filter();
    for (int row = 0; row < filter->rowCount(); ++row) {
        const FrameEntry &e = window.logModel()->entry(filter->sourceRow(row));
        if (e.direction == direction && e.opcode == opcode && e.payload == payload)
            return row;
    }
    return -1;
}

int countEntries(MainWindow &window, Direction direction)
{
    int n = 0;
    for (const FrameEntry &e : window.logModel()->entries())
        n += e.direction == direction;
    return n;
}

quint16 refusedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort(); // closed when it goes out of scope
}

} // namespace

class tst_WsInspector : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void connectSendEchoAndDetail();
    void pingShowsRoundTrip();
    void closeWithCodeShowsServerClose();
    void serverCloseIsAnswered();
    void failureCloseIsLogged();
    void filterHidesOutgoing();
    void saveLogWritesJsonLines();
    void compressedMessagesShownInflated();
    void failedConnectionShowsTheError();
    void optionsReachTheServer();
    void keepaliveAndReconnect();
    void keyboardAndRestoredSettings();
    void screenshot();

private:
    // Types the URL and clicks Connect.
    void clickConnect(const QUrl &url);
    // clickConnect(), then waits for Open.
    bool connectTo(const QUrl &url);
    // Types \a text in the composer and sends it with Ctrl+Return.
    void typeAndSend(const QString &text);
    // Clicks the table row \a row (of the filtered table).
    void clickRow(int row);

    std::optional<TestServer> m_server;
    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
};

void tst_WsInspector::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_server.emplace(TestServer::python());
    WSCLIENT_REQUIRE_SERVER(*m_server);
}

void tst_WsInspector::init()
{
    m_settings = std::make_unique<QSettings>(
        m_dir.filePath(QString::fromLatin1(QTest::currentTestFunction()) + QStringLiteral(".ini")),
        QSettings::IniFormat);
    m_window = std::make_unique<MainWindow>(m_settings.get());
    m_window->show();
    // On X11 without a window manager, focus can only be given to a window already mapped.
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void tst_WsInspector::cleanup()
{
    m_window.reset();
    m_settings.reset();
}

void tst_WsInspector::clickConnect(const QUrl &url)
{
    auto *edit = child<QLineEdit>(m_window.get(), "urlEdit");
    edit->clear();
    QTest::keyClicks(edit, url.toString());
    QTest::mouseClick(child<QPushButton>(m_window.get(), "connectButton"), Qt::LeftButton);
}

bool tst_WsInspector::connectTo(const QUrl &url)
{
    clickConnect(url);
    return QTest::qWaitFor([this] { return m_window->controller()->state() == State::Open; }, Wait);
}

void tst_WsInspector::typeAndSend(const QString &text)
{
    QPlainTextEdit *editor = m_window->composer()->editor();
    editor->setFocus();
    editor->clear();
    QTest::keyClicks(editor, text);
    QTest::keyClick(editor, Qt::Key_Return, Qt::ControlModifier);
}

void tst_WsInspector::clickRow(int row)
{
    QTableView *view = m_window->logView();
    const QModelIndex index = view->model()->index(row, FrameLogModel::PreviewColumn);
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
}

void tst_WsInspector::connectSendEchoAndDetail()
{
    QCOMPARE(m_window->statusIndicator()->text(), QStringLiteral("Disconnected"));
    QVERIFY(!child<QPushButton>(m_window.get(), "sendButton")->isEnabled());
    QVERIFY(connectTo(m_server->url()));
    QCOMPARE(m_window->statusIndicator()->text(), QStringLiteral("Open"));
    QVERIFY(child<QPushButton>(m_window.get(), "sendButton")->isEnabled());
    QVERIFY(!child<QPushButton>(m_window.get(), "connectButton")->isEnabled());

    const QString handshake = child<QPlainTextEdit>(m_window.get(), "handshakeView")->toPlainText();
    QVERIFY2(handshake.contains(QStringLiteral("Sec-WebSocket-Key: ")), qPrintable(handshake));
    QVERIFY2(handshake.contains(QStringLiteral("Response: HTTP 101")), qPrintable(handshake));
    QVERIFY2(handshake.contains(QStringLiteral("Sec-WebSocket-Accept: "), Qt::CaseInsensitive),
        qPrintable(handshake));

    typeAndSend(QStringLiteral("hello inspector"));
    // The text remains in the composer for another send; the echo arrives in the table.
    QTRY_VERIFY_WITH_TIMEOUT(
        tableRowOf(*m_window, Direction::Incoming, Opcode::Text, "hello inspector") >= 0, Wait);
    const int sentRow = tableRowOf(*m_window, Direction::Outgoing, Opcode::Text, "hello inspector");
    const int echoRow = tableRowOf(*m_window, Direction::Incoming, Opcode::Text, "hello inspector");
    QVERIFY(sentRow >= 0 && sentRow < echoRow);
    const QAbstractItemModel *table = m_window->logView()->model();
    QCOMPARE(
        table->data(table->index(echoRow, FrameLogModel::DirectionColumn)).toString(), QStringLiteral("↓"));
    QCOMPARE(table->data(table->index(echoRow, FrameLogModel::PreviewColumn)).toString(),
        QStringLiteral("hello inspector"));

    clickRow(echoRow);
    DetailPane *detail = m_window->detailPane();
    QCOMPARE(detail->text(), QStringLiteral("hello inspector"));
    QVERIFY2(detail->summary().startsWith(QStringLiteral("↓ text")), qPrintable(detail->summary()));
    QVERIFY(detail->hex().startsWith(QStringLiteral("00000000  68 65 6c 6c 6f 20")));
    QVERIFY(!detail->tabs()->isTabEnabled(DetailPane::JsonTab));

    typeAndSend(QStringLiteral(R"({"user":"ada","tags":["x","y"]})"));
    QTRY_VERIFY_WITH_TIMEOUT(
        tableRowOf(*m_window, Direction::Incoming, Opcode::Text, R"({"user":"ada","tags":["x","y"]})") >= 0,
        Wait);
    clickRow(tableRowOf(*m_window, Direction::Incoming, Opcode::Text, R"({"user":"ada","tags":["x","y"]})"));
    QCOMPARE(detail->tabs()->currentIndex(), int(DetailPane::JsonTab));
    QVERIFY2(detail->json().contains(QStringLiteral("    \"user\": \"ada\"")), qPrintable(detail->json()));

    const SessionStatistics &stats = m_window->controller()->statistics();
    QCOMPARE(stats.sent.messages, 2);
    QCOMPARE(stats.received.messages, 2);
    QCOMPARE(stats.received.bytes, stats.sent.bytes);
    QTRY_VERIFY(
        child<QLabel>(m_window.get(), "statisticsLabel")->text().startsWith(QStringLiteral("↑ 2 msgs")));
    QCOMPARE(
        m_window->composer()->history().first(), QStringLiteral(R"(text:{"user":"ada","tags":["x","y"]})"));
}

void tst_WsInspector::pingShowsRoundTrip()
{
    QVERIFY(connectTo(m_server->url()));
    m_window->composer()->setMode(Composer::Mode::Ping);
    m_window->composer()->setText(QStringLiteral("rtt?"));
    QTest::mouseClick(child<QPushButton>(m_window.get(), "sendButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(tableRowOf(*m_window, Direction::Incoming, Opcode::Pong, "rtt?") >= 0, Wait);
    QVERIFY(tableRowOf(*m_window, Direction::Outgoing, Opcode::Ping, "rtt?") >= 0);
    QTRY_VERIFY(m_window->controller()->statistics().lastRoundTripMs >= 0);
    QTRY_VERIFY(child<QLabel>(m_window.get(), "statisticsLabel")->text().endsWith(QStringLiteral(" ms")));

    // More than a control frame may carry: refused before anything is sent.
    m_window->composer()->setText(QString(126, QLatin1Char('p')));
    const int rows = m_window->logModel()->rowCount() + m_window->logModel()->pendingCount();
    QTest::mouseClick(child<QPushButton>(m_window.get(), "sendButton"), Qt::LeftButton);
    QVERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("125")),
        qPrintable(m_window->statusBar()->currentMessage()));
    QCOMPARE(m_window->logModel()->rowCount() + m_window->logModel()->pendingCount(), rows);
}

void tst_WsInspector::closeWithCodeShowsServerClose()
{
    QVERIFY(connectTo(m_server->url()));
    auto *code = child<QSpinBox>(m_window.get(), "closeCodeSpin");
    code->clear();
    QTest::keyClicks(code, QStringLiteral("4000"));
    QCOMPARE(code->value(), 4000);
    QTest::keyClicks(child<QLineEdit>(m_window.get(), "closeReasonEdit"), QStringLiteral("bye"));
    QTest::mouseClick(child<QPushButton>(m_window.get(), "closeButton"), Qt::LeftButton);

    QTRY_COMPARE_WITH_TIMEOUT(m_window->controller()->state(), State::Unconnected, Wait);
    QTRY_COMPARE(m_window->statusIndicator()->text(), QStringLiteral("Closed: 4000 bye"));
    const QByteArray payload = closePayload(4000, QStringLiteral("bye"));
    QTRY_VERIFY(tableRowOf(*m_window, Direction::Incoming, Opcode::Close, payload) >= 0);
    QVERIFY(tableRowOf(*m_window, Direction::Outgoing, Opcode::Close, payload)
        < tableRowOf(*m_window, Direction::Incoming, Opcode::Close, payload));
    QVERIFY(child<QPushButton>(m_window.get(), "connectButton")->isEnabled());
}

// The Close the library itself sends when the server breaks a rule shows in the log (frameSent()).
void tst_WsInspector::failureCloseIsLogged()
{
    clickConnect(m_server->url(QStringLiteral("/invalid-utf8")));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->statusIndicator()->text().contains(QStringLiteral("1007")), Wait);
    QByteArray payload;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const FrameEntry &e : m_window->logModel()->entries()) {
                if (e.direction == Direction::Outgoing && e.opcode == Opcode::Close)
                    payload = e.payload;
            }
            return !payload.isEmpty();
        }(),
        Wait);
    QCOMPARE(int((quint8(payload.at(0)) << 8) | quint8(payload.at(1))), 1007);
    QVERIFY2(payload.mid(2).contains("UTF-8"), payload.constData());
}

void tst_WsInspector::serverCloseIsAnswered()
{
    clickConnect(m_server->url(QStringLiteral("/close?code=4001&reason=later")));
    QTRY_COMPARE_WITH_TIMEOUT(
        m_window->statusIndicator()->text(), QStringLiteral("Closed: 4001 later"), Wait);
    QTRY_VERIFY(
        tableRowOf(*m_window, Direction::Incoming, Opcode::Close, closePayload(4001, QStringLiteral("later")))
        >= 0);
    // The library's echo of the code, logged as sent.
    QVERIFY(tableRowOf(*m_window, Direction::Outgoing, Opcode::Close, closePayload(4001, {})) >= 0);
}

void tst_WsInspector::filterHidesOutgoing()
{
    QVERIFY(connectTo(m_server->url()));
    typeAndSend(QStringLiteral("first"));
    typeAndSend(QStringLiteral("second"));
    QVERIFY(m_window->controller()->sendPing("p"));
    QTRY_VERIFY_WITH_TIMEOUT(tableRowOf(*m_window, Direction::Incoming, Opcode::Pong, "p") >= 0, Wait);
    QTRY_VERIFY(tableRowOf(*m_window, Direction::Incoming, Opcode::Text, "second") >= 0);
    const int total = m_window->logModel()->rowCount();
    QCOMPARE(total, 6);

    QTest::mouseClick(child<QCheckBox>(m_window.get(), "showOutgoingCheck"), Qt::LeftButton);
    QCOMPARE(m_window->filter()->rowCount(), countEntries(*m_window, Direction::Incoming));
    QCOMPARE(m_window->filter()->rowCount(), 3);
    QCOMPARE(tableRowOf(*m_window, Direction::Outgoing, Opcode::Text, "first"), -1);
    QVERIFY(tableRowOf(*m_window, Direction::Incoming, Opcode::Text, "first") >= 0);
    QCOMPARE(child<QLabel>(m_window.get(), "countLabel")->text(), QStringLiteral("3 of 6 frames"));

    auto *opcodes = child<QComboBox>(m_window.get(), "opcodeFilter");
    opcodes->setCurrentIndex(opcodes->findText(QStringLiteral("Ping and pong")));
    QCOMPARE(m_window->filter()->rowCount(), 1);
    opcodes->setCurrentIndex(0);

    QTest::keyClicks(child<QLineEdit>(m_window.get(), "searchEdit"), QStringLiteral("SEC"));
    QTRY_COMPARE(m_window->filter()->rowCount(), 1);
    QTest::mouseClick(child<QCheckBox>(m_window.get(), "showOutgoingCheck"), Qt::LeftButton);
    QCOMPARE(m_window->filter()->rowCount(), 2);
}

void tst_WsInspector::saveLogWritesJsonLines()
{
    QVERIFY(connectTo(m_server->url()));
    typeAndSend(QStringLiteral("line one"));
    QTRY_VERIFY_WITH_TIMEOUT(tableRowOf(*m_window, Direction::Incoming, Opcode::Text, "line one") >= 0, Wait);
    m_window->composer()->setMode(Composer::Mode::BinaryHex);
    typeAndSend(QStringLiteral("00 ff 7f"));
    QTRY_VERIFY_WITH_TIMEOUT(
        tableRowOf(*m_window, Direction::Incoming, Opcode::Binary, QByteArray("\x00\xff\x7f", 3)) >= 0, Wait);

    const QString path = m_dir.filePath(QStringLiteral("session.jsonl"));
    QString error;
    QVERIFY2(m_window->saveLog(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 5); // four frames and the final newline
    QVERIFY(lines.last().isEmpty());
    QStringList shape;
    for (int i = 0; i < 4; ++i) {
        QJsonParseError parseError;
        const QJsonObject object = QJsonDocument::fromJson(lines.at(i), &parseError).object();
        QVERIFY2(parseError.error == QJsonParseError::NoError, lines.at(i).constData());
        shape += object.value(QStringLiteral("direction")).toString() + QLatin1Char(' ')
            + object.value(QStringLiteral("opcode")).toString();
        QVERIFY2(object.value(QStringLiteral("time")).toString().endsWith(QLatin1Char('Z')),
            lines.at(i).constData());
    }
    QCOMPARE(shape,
        QStringList({ QStringLiteral("out text"), QStringLiteral("in text"), QStringLiteral("out binary"),
            QStringLiteral("in binary") }));
    QCOMPARE(QJsonDocument::fromJson(lines.at(1)).object().value(QStringLiteral("text")).toString(),
        QStringLiteral("line one"));
    QCOMPARE(QJsonDocument::fromJson(lines.at(3)).object().value(QStringLiteral("base64")).toString(),
        QStringLiteral("AP9/"));

    // Loaded into another window, the same frames.
    MainWindow other(m_settings.get());
    QVERIFY2(other.loadLog(path, &error), qPrintable(error));
    QCOMPARE(other.logModel()->rowCount(), 4);
    QCOMPARE(other.logModel()->entry(3).payload, QByteArray("\x00\xff\x7f", 3));
    QCOMPARE(other.logModel()->entry(0).timeMs, m_window->logModel()->entry(0).timeMs);
}

void tst_WsInspector::compressedMessagesShownInflated()
{
    QTest::mouseClick(child<QCheckBox>(m_window.get(), "compressionCheck"), Qt::LeftButton);
    QVERIFY(connectTo(m_server->url()));
    QVERIFY(m_window->controller()->app()->socket()->compression().isEnabled());
    const QString text = QStringLiteral("squeeze me ").repeated(20);
    typeAndSend(text);
    QTRY_VERIFY_WITH_TIMEOUT(
        tableRowOf(*m_window, Direction::Incoming, Opcode::Text, text.toUtf8()) >= 0, Wait);
    const int row = tableRowOf(*m_window, Direction::Incoming, Opcode::Text, text.toUtf8());
    QVERIFY(m_window->logModel()->entry(m_window->filter()->sourceRow(row)).compressed);
    const QAbstractItemModel *table = m_window->logView()->model();
    QCOMPARE(table->data(table->index(row, FrameLogModel::OpcodeColumn)).toString(),
        QStringLiteral("text (deflate)"));
    QVERIFY(child<QPlainTextEdit>(m_window.get(), "handshakeView")
                ->toPlainText()
                .contains(QStringLiteral("permessage-deflate")));
    // Control frames are still logged one by one.
    QVERIFY(m_window->controller()->sendPing("z"));
    QTRY_VERIFY_WITH_TIMEOUT(tableRowOf(*m_window, Direction::Incoming, Opcode::Pong, "z") >= 0, Wait);
}

void tst_WsInspector::failedConnectionShowsTheError()
{
    const quint16 port = refusedPort();
    QVERIFY(port != 0);
    clickConnect(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->statusIndicator()->text(), QStringLiteral("Failed"), Wait);
    QVERIFY2(m_window->statusIndicator()->toolTip().startsWith(QStringLiteral("ConnectionRefused")),
        qPrintable(m_window->statusIndicator()->toolTip()));
    QVERIFY2(m_window->statusBar()->currentMessage().startsWith(QStringLiteral("ConnectionRefused")),
        qPrintable(m_window->statusBar()->currentMessage()));
    QVERIFY(child<QPushButton>(m_window.get(), "connectButton")->isEnabled());

    // Input the library would refuse is reported before connecting.
    clickConnect(QUrl(QStringLiteral("http://127.0.0.1/")));
    QCOMPARE(m_window->statusIndicator()->text(), QStringLiteral("Invalid input"));
    QCOMPARE(m_window->controller()->state(), State::Unconnected);
}

void tst_WsInspector::optionsReachTheServer()
{
    QTest::keyClicks(
        child<QPlainTextEdit>(m_window.get(), "headersEdit"), QStringLiteral("X-Inspector: yes"));
    QTest::keyClicks(
        child<QLineEdit>(m_window.get(), "originEdit"), QStringLiteral("https://inspector.test"));
    QVERIFY(connectTo(m_server->url(QStringLiteral("/headers"))));
    // The server's first message describes the request it got.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->logModel()->rowCount() >= 1, Wait);
    const FrameEntry &report = m_window->logModel()->entry(0);
    QCOMPARE(report.direction, Direction::Incoming);
    const QJsonObject headers
        = QJsonDocument::fromJson(report.payload).object().value(QStringLiteral("headers")).toObject();
    QCOMPARE(headers.value(QStringLiteral("x-inspector")).toString(), QStringLiteral("yes"));
    QCOMPARE(headers.value(QStringLiteral("origin")).toString(), QStringLiteral("https://inspector.test"));
    QVERIFY(child<QPlainTextEdit>(m_window.get(), "handshakeView")
                ->toPlainText()
                .contains(QStringLiteral("X-Inspector: yes")));

    // A malformed header line is reported before anything connects.
    m_window->disconnectFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->controller()->state(), State::Unconnected, Wait);
    auto *headersEdit = child<QPlainTextEdit>(m_window.get(), "headersEdit");
    headersEdit->moveCursor(QTextCursor::End);
    QTest::keyClick(headersEdit, Qt::Key_Return);
    QTest::keyClicks(headersEdit, QStringLiteral("not a header"));
    clickConnect(m_server->url());
    QCOMPARE(m_window->controller()->state(), State::Unconnected);
    QVERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("header line 2")),
        qPrintable(m_window->statusBar()->currentMessage()));
}

void tst_WsInspector::keepaliveAndReconnect()
{
    child<QSpinBox>(m_window.get(), "pingIntervalSpin")->setValue(1);
    QTest::mouseClick(child<QCheckBox>(m_window.get(), "reconnectCheck"), Qt::LeftButton);
    QVERIFY(connectTo(m_server->url()));

    // A keepalive ping (empty payload) a second after opening, answered and timed.
    QTRY_VERIFY_WITH_TIMEOUT(tableRowOf(*m_window, Direction::Incoming, Opcode::Pong, {}) >= 0, Wait);
    QVERIFY(tableRowOf(*m_window, Direction::Outgoing, Opcode::Ping, {}) >= 0);
    QTRY_VERIFY(m_window->controller()->statistics().lastRoundTripMs >= 0);
    qInfo("keepalive ping round trip: %.3f ms", m_window->controller()->statistics().lastRoundTripMs);

    // The server goes away and comes back on the same port: the inspector reconnects by itself.
    QVERIFY(m_server->restart());
    QTRY_VERIFY_WITH_TIMEOUT(
        m_window->statusIndicator()->text().startsWith(QStringLiteral("Reconnecting in")), Wait);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->controller()->state(), State::Open, Wait);
    typeAndSend(QStringLiteral("after the restart"));
    QTRY_VERIFY_WITH_TIMEOUT(
        tableRowOf(*m_window, Direction::Incoming, Opcode::Text, "after the restart") >= 0, Wait);

    // Disconnect ends it for good: no further reconnect.
    QTest::mouseClick(child<QPushButton>(m_window.get(), "disconnectButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->statusIndicator()->text(), QStringLiteral("Closed: 1000"), Wait);
    QCOMPARE(m_window->controller()->state(), State::Unconnected);
}

void tst_WsInspector::keyboardAndRestoredSettings()
{
    const QUrl url = m_server->url(QStringLiteral("/echo"));
    QVERIFY(connectTo(url));
    typeAndSend(QStringLiteral("remember me"));
    QTRY_VERIFY_WITH_TIMEOUT(
        tableRowOf(*m_window, Direction::Incoming, Opcode::Text, "remember me") >= 0, Wait);

    // Ctrl+L takes the focus from the composer to the URL.
    QVERIFY(m_window->composer()->editor()->hasFocus());
    QTest::keyClick(m_window->composer()->editor(), Qt::Key_L, Qt::ControlModifier);
    // The editable combo box keeps the focus for its line edit.
    QTRY_VERIFY(child<QComboBox>(m_window.get(), "urlCombo")->hasFocus());
    QCOMPARE(child<QLineEdit>(m_window.get(), "urlEdit")->selectedText(), url.toString());

    child<QSpinBox>(m_window.get(), "pingIntervalSpin")->setValue(30);
    m_window->resize(m_window->minimumSizeHint().width() + 40, 640);
    const QSize chosen = m_window->size();
    QVERIFY(chosen != QSize(1180, 780)); // not the default size
    m_window->close();
    QTRY_COMPARE(m_window->controller()->state(), State::Unconnected);

    MainWindow restored(m_settings.get());
    QCOMPARE(restored.recentUrls(), QStringList { url.toString() });
    QCOMPARE(child<QComboBox>(&restored, "urlCombo")->currentText(), url.toString());
    QCOMPARE(restored.composer()->history(), QStringList { QStringLiteral("text:remember me") });
    QCOMPARE(child<QSpinBox>(&restored, "pingIntervalSpin")->value(), 30);
    QCOMPARE(restored.size(), chosen);
}

void tst_WsInspector::screenshot()
{
    QVERIFY(connectTo(m_server->url()));
    typeAndSend(QStringLiteral("Hello, inspector!"));
    typeAndSend(QStringLiteral("A second message, a little longer, to fill the preview column"));
    const QString json = QStringLiteral(R"({"user":"ada","id":42,"tags":["websocket","qt"],"active":true})");
    typeAndSend(json);
    QVERIFY(m_window->controller()->sendPing("rtt"));
    m_window->composer()->setMode(Composer::Mode::BinaryHex);
    typeAndSend(QStringLiteral("de ad be ef 00 01 02 03"));
    QTRY_VERIFY_WITH_TIMEOUT(tableRowOf(*m_window, Direction::Incoming, Opcode::Pong, "rtt") >= 0, Wait);
    QTRY_VERIFY_WITH_TIMEOUT(
        tableRowOf(*m_window, Direction::Incoming, Opcode::Binary, QByteArray::fromHex("deadbeef00010203"))
            >= 0,
        Wait);
    m_window->composer()->setMode(Composer::Mode::Text);
    m_window->composer()->setText(QStringLiteral(R"({"action":"subscribe","channel":"ticks"})"));

    QTRY_VERIFY(child<QLabel>(m_window.get(), "statisticsLabel")->text().endsWith(QStringLiteral(" ms")));
    clickRow(tableRowOf(*m_window, Direction::Incoming, Opcode::Text, json.toUtf8()));
    QCOMPARE(m_window->detailPane()->tabs()->currentIndex(), int(DetailPane::JsonTab));

    const QPixmap shot = m_window->grab();
    QVERIFY(!shot.isNull());
    QVERIFY2(shot.width() >= 800 && shot.height() >= 500,
        qPrintable(QStringLiteral("%1x%2").arg(shot.width()).arg(shot.height())));
    // Something was drawn: a blank or single-colour window would mean the rendering failed.
    const QImage image = shot.toImage().scaled(200, 120);
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            colours.insert(image.pixel(x, y));
    }
    QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));

    const QString name = qEnvironmentVariable("WSINSPECTOR_SCREENSHOT", QStringLiteral("wsinspector.png"));
    const QString path = QStringLiteral(WSINSPECTOR_SCREENSHOT_DIR "/") + name;
    QVERIFY2(shot.save(path), qPrintable(path));
    qInfo("screenshot: %s (%dx%d, platform %s)", qPrintable(path), shot.width(), shot.height(),
        qPrintable(QGuiApplication::platformName()));

    // On a real display, also what the X server shows of the window (not rendered again by grab()).
    if (QGuiApplication::platformName() == QLatin1String("xcb")) {
        // Paint and flush what is pending now; the X server handles the image request after it.
        m_window->repaint();
        const QPixmap screen = m_window->screen()->grabWindow(m_window->winId());
        QCOMPARE(screen.size(), shot.size());
        QString screenPath = path;
        screenPath.replace(QStringLiteral(".png"), QStringLiteral("-screen.png"));
        QVERIFY2(screen.save(screenPath), qPrintable(screenPath));
    }
}

QTEST_MAIN(tst_WsInspector)
#include "tst_wsinspector.moc"
