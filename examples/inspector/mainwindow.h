// The inspector's window: URL bar with status, the frame log with its filters, the detail and
// handshake views, the composer with the close controls, connection options in a dock, and the
// statistics in the status bar.
#pragma once

#include "connectioncontroller.h"

#include <QtCore/qtimer.h>
#include <QtWidgets/qmainwindow.h>

QT_BEGIN_NAMESPACE
class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSettings;
class QSpinBox;
class QSplitter;
class QTableView;
QT_END_NAMESPACE

class Composer;
class ConnectionOptionsWidget;
class DetailPane;
class FrameFilter;
class FrameLogModel;
class LogPanel;
class StatusIndicator;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    static constexpr int MaxRecentUrls = 10;

    // Keeps recent URLs, options, composer history and window state in \a settings, which must
    // outlive the window (tests pass a file of their own so they never touch the user's).
    explicit MainWindow(QSettings *settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    // The whole log (filters do not apply) as JSON lines; false with \a error.
    bool saveLog(const QString &path, QString *error);
    // Replaces the log with the file's frames; false with \a error naming the bad line.
    bool loadLog(const QString &path, QString *error);
    void saveSettings();

    void setUrl(const QString &url);
    QStringList recentUrls() const { return m_recentUrls; }

    ConnectionController *controller() { return &m_controller; }
    FrameLogModel *logModel() const { return m_log; }
    FrameFilter *filter() const { return m_filter; }
    QTableView *logView() const;
    DetailPane *detailPane() const { return m_detail; }
    Composer *composer() const { return m_composer; }
    StatusIndicator *statusIndicator() const { return m_status; }

public Q_SLOTS:
    void connectToServer();
    void disconnectFromServer();
    void sendComposed();
    void closeWithChosenCode();
    void focusUrl();

protected:
    void showEvent(QShowEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *createSendPanel();
    void createToolBar();
    void createMenus();
    void restoreSettings();

    void onStateChanged(ConnectionController::State state);
    void onFailed(const QString &message);
    void onClosed(int code, const QString &reason);
    void rememberUrl(const QString &url);
    void updateStatistics();
    void chooseLogToSave();
    void chooseLogToLoad();

    QSettings *m_settings;
    ConnectionController m_controller;
    FrameLogModel *m_log;
    FrameFilter *m_filter;
    QTimer m_statisticsRefresh;
    QStringList m_recentUrls;
    QString m_lastError;
    bool m_splitHalves = false; // no saved splitter state: split the bottom in halves once shown

    QComboBox *m_url = nullptr;
    QPushButton *m_connectButton = nullptr;
    QPushButton *m_disconnectButton = nullptr;
    StatusIndicator *m_status = nullptr;
    LogPanel *m_logPanel = nullptr;
    DetailPane *m_detail = nullptr;
    QPlainTextEdit *m_handshake = nullptr;
    Composer *m_composer = nullptr;
    QSpinBox *m_closeCode = nullptr;
    QLineEdit *m_closeReason = nullptr;
    QPushButton *m_closeButton = nullptr;
    ConnectionOptionsWidget *m_options = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_bottomSplitter = nullptr;
    QLabel *m_statistics = nullptr;
    QAction *m_sendAction = nullptr;
};
