#include "mainwindow.h"

#include "composer.h"
#include "connectionoptionswidget.h"
#include "detailpane.h"
#include "framefilter.h"
#include "framelogmodel.h"
#include "logfile.h"
#include "logpanel.h"
#include "statusindicator.h"

#include <WsClient/WebSocket>

#include <QtCore/qfile.h>
#include <QtCore/qsavefile.h>
#include <QtCore/qsettings.h>
#include <QtCore/qtimer.h>
#include <QtGui/qevent.h>
#include <QtGui/qfontdatabase.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qdockwidget.h>
#include <QtWidgets/qfiledialog.h>
#include <QtWidgets/qgroupbox.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qmenubar.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qspinbox.h>
#include <QtWidgets/qsplitter.h>
#include <QtWidgets/qstatusbar.h>
#include <QtWidgets/qtabwidget.h>
#include <QtWidgets/qtoolbar.h>

using WsClient::Opcode;
using State = ConnectionController::State;

namespace {

constexpr int StatusMessageMs = 10000;
constexpr int StatisticsRefreshMs = 100;

QString logFileFilter()
{
    return QObject::tr("JSON lines (*.jsonl *.json);;All files (*)");
}

const QColor Grey(0x9e, 0x9e, 0x9e);
const QColor Amber(0xf0, 0xa3, 0x0a);
const QColor Green(0x2e, 0xa0, 0x43);
const QColor Red(0xd9, 0x3f, 0x3f);

QString settingsKey(const char *key)
{
    return QLatin1String(key);
}

} // namespace

MainWindow::MainWindow(QSettings *settings, QWidget *parent)
    : QMainWindow(parent), m_settings(settings), m_log(new FrameLogModel(this)),
      m_filter(new FrameFilter(this))
{
    setObjectName(QStringLiteral("wsinspector"));
    setWindowTitle(tr("wsinspector"));
    m_filter->setSourceModel(m_log);

    createToolBar();
    m_mainSplitter = new QSplitter(Qt::Vertical, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_logPanel = new LogPanel(m_log, m_filter, m_mainSplitter);
    m_logPanel->setObjectName(QStringLiteral("logPanel"));
    m_mainSplitter->addWidget(m_logPanel);
    m_bottomSplitter = new QSplitter(Qt::Horizontal, m_mainSplitter);
    m_bottomSplitter->setObjectName(QStringLiteral("bottomSplitter"));
    auto *infoTabs = new QTabWidget(m_bottomSplitter);
    infoTabs->setObjectName(QStringLiteral("infoTabs"));
    m_detail = new DetailPane(infoTabs);
    m_detail->setObjectName(QStringLiteral("detailPane"));
    infoTabs->addTab(m_detail, tr("Frame"));
    m_handshake = new QPlainTextEdit(infoTabs);
    m_handshake->setObjectName(QStringLiteral("handshakeView"));
    m_handshake->setReadOnly(true);
    m_handshake->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_handshake->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_handshake->setPlainText(m_controller.handshakeReport());
    infoTabs->addTab(m_handshake, tr("Handshake"));
    m_bottomSplitter->addWidget(infoTabs);
    m_bottomSplitter->addWidget(createSendPanel());
    m_bottomSplitter->setStretchFactor(0, 1);
    m_bottomSplitter->setStretchFactor(1, 1);
    m_mainSplitter->addWidget(m_bottomSplitter);
    m_mainSplitter->setStretchFactor(0, 3);
    m_mainSplitter->setStretchFactor(1, 2);
    setCentralWidget(m_mainSplitter);

    auto *dock = new QDockWidget(tr("Connection options"), this);
    dock->setObjectName(QStringLiteral("optionsDock"));
    m_options = new ConnectionOptionsWidget(dock);
    m_options->setObjectName(QStringLiteral("connectionOptions"));
    dock->setWidget(m_options);
    addDockWidget(Qt::RightDockWidgetArea, dock);

    m_statistics = new QLabel(this);
    m_statistics->setObjectName(QStringLiteral("statisticsLabel"));
    statusBar()->addPermanentWidget(m_statistics);
    updateStatistics();

    createMenus();

    connect(&m_controller, &ConnectionController::frameLogged, m_log, &FrameLogModel::append);
    connect(m_logPanel, &LogPanel::entrySelected, this, [this](int row) {
        if (row < 0)
            m_detail->clear();
        else
            m_detail->showEntry(m_log->entry(row));
    });
    connect(&m_controller, &ConnectionController::stateChanged, this, &MainWindow::onStateChanged);
    connect(&m_controller, &ConnectionController::failed, this, &MainWindow::onFailed);
    connect(&m_controller, &ConnectionController::closed, this, &MainWindow::onClosed);
    // Counters change with every frame; the label follows at most every StatisticsRefreshMs.
    m_statisticsRefresh.setSingleShot(true);
    m_statisticsRefresh.setInterval(StatisticsRefreshMs);
    connect(&m_statisticsRefresh, &QTimer::timeout, this, &MainWindow::updateStatistics);
    connect(&m_controller, &ConnectionController::statisticsChanged, this, [this] {
        if (!m_statisticsRefresh.isActive())
            m_statisticsRefresh.start();
    });
    connect(&m_controller, &ConnectionController::handshakeChanged, this,
        [this] { m_handshake->setPlainText(m_controller.handshakeReport()); });
    connect(&m_controller, &ConnectionController::reconnectScheduled, this, [this](int attempt, int delayMs) {
        m_status->setStatus(Amber, tr("Reconnecting in %1 s…").arg((delayMs + 999) / 1000),
            tr("attempt %1; last error: %2").arg(attempt).arg(m_lastError));
    });

    restoreSettings();
    onStateChanged(State::Unconnected);
}

MainWindow::~MainWindow() = default;

QTableView *MainWindow::logView() const
{
    return m_logPanel->view();
}

void MainWindow::createToolBar()
{
    auto *bar = addToolBar(tr("Connection"));
    bar->setObjectName(QStringLiteral("connectionBar"));
    bar->setMovable(false);
    m_url = new QComboBox(bar);
    m_url->setObjectName(QStringLiteral("urlCombo"));
    m_url->setEditable(true);
    m_url->setInsertPolicy(QComboBox::NoInsert);
    m_url->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_url->lineEdit()->setObjectName(QStringLiteral("urlEdit"));
    m_url->lineEdit()->setPlaceholderText(QStringLiteral("ws://127.0.0.1:8765/"));
    m_url->lineEdit()->setClearButtonEnabled(true);
    m_connectButton = new QPushButton(tr("Connect"), bar);
    m_connectButton->setObjectName(QStringLiteral("connectButton"));
    m_disconnectButton = new QPushButton(tr("Disconnect"), bar);
    m_disconnectButton->setObjectName(QStringLiteral("disconnectButton"));
    m_status = new StatusIndicator(bar);
    m_status->setObjectName(QStringLiteral("statusIndicator"));
    bar->addWidget(new QLabel(tr(" URL "), bar));
    bar->addWidget(m_url);
    bar->addWidget(m_connectButton);
    bar->addWidget(m_disconnectButton);
    bar->addWidget(m_status);

    connect(m_url->lineEdit(), &QLineEdit::returnPressed, this, &MainWindow::connectToServer);
    connect(m_connectButton, &QPushButton::clicked, this, &MainWindow::connectToServer);
    connect(m_disconnectButton, &QPushButton::clicked, this, &MainWindow::disconnectFromServer);
}

QWidget *MainWindow::createSendPanel()
{
    auto *box = new QGroupBox(tr("Send"), this);
    m_composer = new Composer(box);
    m_composer->setObjectName(QStringLiteral("composer"));
    m_closeCode = new QSpinBox(box);
    m_closeCode->setObjectName(QStringLiteral("closeCodeSpin"));
    m_closeCode->setRange(1000, 4999);
    m_closeCode->setValue(1000);
    m_closeReason = new QLineEdit(box);
    m_closeReason->setObjectName(QStringLiteral("closeReasonEdit"));
    m_closeReason->setPlaceholderText(tr("reason (optional)"));
    m_closeButton = new QPushButton(tr("Close"), box);
    m_closeButton->setObjectName(QStringLiteral("closeButton"));
    m_closeButton->setToolTip(tr("Send a Close frame with this code and reason and wait for the server's"));

    auto *closeRow = new QHBoxLayout;
    closeRow->addWidget(new QLabel(tr("Close with code"), box));
    closeRow->addWidget(m_closeCode);
    closeRow->addWidget(m_closeReason, 1);
    closeRow->addWidget(m_closeButton);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_composer, 1);
    layout->addLayout(closeRow);

    connect(m_composer, &Composer::sendRequested, this, &MainWindow::sendComposed);
    connect(m_composer, &Composer::failed, this, &MainWindow::onFailed);
    connect(m_closeButton, &QPushButton::clicked, this, &MainWindow::closeWithChosenCode);
    return box;
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open log…"), QKeySequence::Open, this, &MainWindow::chooseLogToLoad);
    file->addAction(tr("&Save log…"), QKeySequence::Save, this, &MainWindow::chooseLogToSave);
    file->addAction(tr("&Clear log"), this, [this] { m_log->clear(); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *connection = menuBar()->addMenu(tr("&Connection"));
    connection->addAction(tr("&Go to URL"), QKeySequence(Qt::CTRL | Qt::Key_L), this, &MainWindow::focusUrl);
    connection->addAction(tr("&Connect"), this, &MainWindow::connectToServer);
    connection->addAction(tr("&Disconnect"), this, &MainWindow::disconnectFromServer);
    connection->addSeparator();
    m_sendAction = connection->addAction(
        tr("&Send"), QKeySequence(Qt::CTRL | Qt::Key_Return), this, &MainWindow::sendComposed);
    // Enter on the keypad as well.
    m_sendAction->setShortcuts(
        { QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter) });
    connection->addAction(tr("Close with chosen &code"), this, &MainWindow::closeWithChosenCode);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(findChild<QDockWidget *>(QStringLiteral("optionsDock"))->toggleViewAction());
}

void MainWindow::restoreSettings()
{
    m_recentUrls = m_settings->value(settingsKey("recentUrls")).toStringList();
    m_url->addItems(m_recentUrls);
    m_url->setCurrentIndex(m_recentUrls.isEmpty() ? -1 : 0);
    m_options->setSettings(ConnectionSettings::load(*m_settings));
    m_composer->setHistory(m_settings->value(settingsKey("composer/history")).toStringList());
    m_closeCode->setValue(m_settings->value(settingsKey("close/code"), 1000).toInt());
    m_closeReason->setText(m_settings->value(settingsKey("close/reason")).toString());

    if (!restoreGeometry(m_settings->value(settingsKey("window/geometry")).toByteArray()))
        resize(1180, 780);
    if (!restoreState(m_settings->value(settingsKey("window/state")).toByteArray()))
        resizeDocks({ findChild<QDockWidget *>(QStringLiteral("optionsDock")) }, { 300 }, Qt::Horizontal);
    m_mainSplitter->restoreState(m_settings->value(settingsKey("window/mainSplitter")).toByteArray());
    m_splitHalves = !m_bottomSplitter->restoreState(
        m_settings->value(settingsKey("window/bottomSplitter")).toByteArray());
    m_logPanel->restoreColumns(m_settings->value(settingsKey("window/logColumns")).toByteArray());
}

void MainWindow::saveSettings()
{
    m_settings->setValue(settingsKey("recentUrls"), m_recentUrls);
    m_options->settings().save(*m_settings);
    m_settings->setValue(settingsKey("composer/history"), m_composer->history());
    m_settings->setValue(settingsKey("close/code"), m_closeCode->value());
    m_settings->setValue(settingsKey("close/reason"), m_closeReason->text());
    m_settings->setValue(settingsKey("window/geometry"), saveGeometry());
    m_settings->setValue(settingsKey("window/state"), saveState());
    m_settings->setValue(settingsKey("window/mainSplitter"), m_mainSplitter->saveState());
    m_settings->setValue(settingsKey("window/bottomSplitter"), m_bottomSplitter->saveState());
    m_settings->setValue(settingsKey("window/logColumns"), m_logPanel->saveColumns());
    m_settings->sync();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    // Only now does the splitter have its width; before, halves would be clamped to the minimum sizes.
    if (m_splitHalves) {
        m_splitHalves = false;
        const int half = m_bottomSplitter->width() / 2;
        m_bottomSplitter->setSizes({ half, half });
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    if (m_controller.state() != State::Unconnected) {
        m_controller.close(quint16(WsClient::CloseCode::GoingAway), {});
        // The application may quit before the event loop would write the Close frame.
        m_controller.app()->socket()->flush();
    }
    QMainWindow::closeEvent(event);
}

void MainWindow::setUrl(const QString &url)
{
    m_url->setCurrentText(url);
}

void MainWindow::focusUrl()
{
    m_url->setFocus(Qt::ShortcutFocusReason);
    m_url->lineEdit()->selectAll();
}

void MainWindow::connectToServer()
{
    if (m_controller.state() != State::Unconnected) {
        onFailed(tr("disconnect before connecting to another URL"));
        return;
    }
    const QString url = m_url->currentText().trimmed();
    QString error;
    m_lastError.clear();
    if (!m_controller.open(url, m_options->settings(), &error)) {
        onFailed(error);
        m_status->setStatus(Red, tr("Invalid input"), error);
        return;
    }
    rememberUrl(url);
    setWindowTitle(tr("wsinspector — %1").arg(url));
}

void MainWindow::disconnectFromServer()
{
    m_controller.close(quint16(WsClient::CloseCode::Normal), {});
}

void MainWindow::closeWithChosenCode()
{
    m_controller.close(quint16(m_closeCode->value()), m_closeReason->text());
}

void MainWindow::sendComposed()
{
    Composer::Message message;
    QString error;
    if (!m_composer->compose(&message, &error)) {
        onFailed(error);
        return;
    }
    bool sent = false;
    switch (message.mode) {
    case Composer::Mode::Text:
        sent = m_controller.sendText(QString::fromUtf8(message.payload));
        break;
    case Composer::Mode::BinaryHex:
        sent = m_controller.sendBinary(message.payload);
        break;
    case Composer::Mode::Ping:
        sent = m_controller.sendPing(message.payload);
        break;
    }
    if (!sent)
        return;
    m_composer->remember(message);
    m_settings->setValue(settingsKey("composer/history"), m_composer->history());
}

void MainWindow::rememberUrl(const QString &url)
{
    m_recentUrls.removeAll(url);
    m_recentUrls.prepend(url);
    while (m_recentUrls.size() > MaxRecentUrls)
        m_recentUrls.removeLast();
    m_url->blockSignals(true);
    m_url->clear();
    m_url->addItems(m_recentUrls);
    m_url->setCurrentIndex(0);
    m_url->blockSignals(false);
    m_settings->setValue(settingsKey("recentUrls"), m_recentUrls);
    m_options->settings().save(*m_settings);
}

void MainWindow::onStateChanged(State state)
{
    const bool idle = state == State::Unconnected;
    const bool open = state == State::Open;
    m_connectButton->setEnabled(idle);
    m_options->setEnabled(idle);
    m_disconnectButton->setEnabled(!idle);
    m_closeButton->setEnabled(open);
    m_sendAction->setEnabled(open);
    m_composer->setSendEnabled(open);
    switch (state) {
    case State::Unconnected:
        if (m_status->text().isEmpty())
            m_status->setStatus(Grey, tr("Disconnected"));
        break;
    case State::Connecting:
        m_status->setStatus(Amber, tr("Connecting…"));
        break;
    case State::Open: {
        WsClient::WebSocket *socket = m_controller.app()->socket();
        QString details = socket->effectiveUrl().toDisplayString();
        if (!socket->subprotocol().isEmpty())
            details += tr("\nsubprotocol %1").arg(socket->subprotocol());
        if (socket->compression().isEnabled())
            details += tr("\npermessage-deflate");
        m_status->setStatus(Green, tr("Open"), details);
        break;
    }
    case State::Closing:
        m_status->setStatus(Amber, tr("Closing…"));
        break;
    case State::Reconnecting:
        break; // reconnectScheduled() tells when
    }
}

void MainWindow::onFailed(const QString &message)
{
    m_lastError = message;
    statusBar()->showMessage(message, StatusMessageMs);
}

void MainWindow::onClosed(int code, const QString &reason)
{
    const bool clean = code != int(WsClient::CloseCode::Abnormal) || m_lastError.isEmpty();
    const QString what = reason.isEmpty() ? QString::number(code) : tr("%1 %2").arg(code).arg(reason);
    m_status->setStatus(clean ? Grey : Red, clean ? tr("Closed: %1").arg(what) : tr("Failed"),
        m_lastError.isEmpty() ? tr("closed with %1").arg(what) : m_lastError);
    setWindowTitle(tr("wsinspector"));
}

void MainWindow::updateStatistics()
{
    m_statistics->setText(m_controller.statistics().summary());
}

bool MainWindow::saveLog(const QString &path, QString *error)
{
    m_log->flush();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    if (!writeLog(&file, m_log->entries(), error))
        return false;
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

bool MainWindow::loadLog(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return false;
    }
    QList<FrameEntry> entries;
    if (!readLog(&file, &entries, error))
        return false;
    m_log->setEntries(std::move(entries));
    return true;
}

void MainWindow::chooseLogToSave()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save the log"), QStringLiteral("wsinspector.jsonl"), logFileFilter());
    if (path.isEmpty())
        return;
    QString error;
    if (saveLog(path, &error))
        statusBar()->showMessage(
            tr("Saved %1 frames to %2").arg(m_log->rowCount()).arg(path), StatusMessageMs);
    else
        onFailed(tr("cannot save %1: %2").arg(path, error));
}

void MainWindow::chooseLogToLoad()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a log"), {}, logFileFilter());
    if (path.isEmpty())
        return;
    QString error;
    if (loadLog(path, &error))
        statusBar()->showMessage(
            tr("Loaded %1 frames from %2").arg(m_log->rowCount()).arg(path), StatusMessageMs);
    else
        onFailed(tr("cannot load %1: %2").arg(path, error));
}
