// A Qt Widgets client written with coroutines (WsClient::Coro through QCoro): the long-lived
// connection (a WebSocketApp with keepalive and reconnect) is one coroutine that shows every message
// of every connection; "Round trip" is the echo example, a coroutine with a short connection of its
// own that measures one exchange.
//
//   coro-chat [ws://127.0.0.1:8765/]
//   coro-chat --autotest ws://127.0.0.1:8765/     (connects, sends, checks the echoes, exits: for CI)
//
// A coroutine started from a slot outlives nothing it does not own: the window may close while it
// waits. Each one keeps a QPointer to the window and checks it after every co_await (the awaitables
// of a destroyed WebSocketApp resume with ConnectionClosed, so the coroutine does get to check).
#include <WsClient/Coro>

#include <QCoro/QCoroTimer>

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qmetaobject.h>
#include <QtCore/qpointer.h>
#include <QtWidgets/qapplication.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qlistwidget.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qwidget.h>

#include <chrono>
#include <cstdio>

using namespace WsClient;
using namespace std::chrono_literals;

class ChatWindow : public QWidget
{
public:
    explicit ChatWindow(const QUrl &url)
    {
        setWindowTitle(QStringLiteral("WsClient coroutines"));
        m_url.setText(url.toString());
        m_connect.setText(QStringLiteral("Connect"));
        m_input.setPlaceholderText(QStringLiteral("message"));
        m_send.setText(QStringLiteral("Send"));
        m_roundTrip.setText(QStringLiteral("Round trip"));
        m_send.setEnabled(false);

        auto *top = new QHBoxLayout;
        top->addWidget(&m_url, 1);
        top->addWidget(&m_connect);
        auto *bottom = new QHBoxLayout;
        bottom->addWidget(&m_input, 1);
        bottom->addWidget(&m_send);
        bottom->addWidget(&m_roundTrip);
        auto *layout = new QVBoxLayout(this);
        layout->addLayout(top);
        layout->addWidget(&m_log, 1);
        layout->addLayout(bottom);
        layout->addWidget(&m_status);
        resize(520, 420);

        m_app.setPingInterval(20000);
        m_app.setPingTimeout(10000);
        m_app.setReconnectDelay(1000);
        QObject::connect(&m_app, &WebSocketApp::stateChanged, this, [this](WebSocketApp::State state) {
            m_status.setText(
                QString::fromLatin1(QMetaEnum::fromType<WebSocketApp::State>().valueToKey(int(state))));
            m_send.setEnabled(state == WebSocketApp::State::Open);
            m_connect.setText(state == WebSocketApp::State::Unconnected ? QStringLiteral("Connect")
                                                                        : QStringLiteral("Disconnect"));
        });
        QObject::connect(&m_connect, &QPushButton::clicked, this, [this] {
            if (m_app.state() == WebSocketApp::State::Unconnected)
                runConnection(); // returns at its first co_await; the Task may go, the coroutine goes on
            else
                m_app.close(quint16(CloseCode::Normal), QStringLiteral("bye"));
        });
        QObject::connect(&m_send, &QPushButton::clicked, this, [this] { send(m_input.text()); });
        QObject::connect(&m_input, &QLineEdit::returnPressed, this, [this] { send(m_input.text()); });
        QObject::connect(&m_roundTrip, &QPushButton::clicked, this, [this] { roundTrip(m_input.text()); });
    }

    WebSocketApp &app() { return m_app; }
    QStringList lines() const
    {
        QStringList all;
        for (int i = 0; i < m_log.count(); ++i)
            all << m_log.item(i)->text();
        return all;
    }
    void clickConnect() { m_connect.click(); }
    void type(const QString &text) { m_input.setText(text); }
    void clickSend() { m_send.click(); }

    // The long-lived connection: every message of every connection, until the app stops.
    QCoro::Task<> runConnection()
    {
        QPointer<ChatWindow> self(this);
        m_app.setUrl(QUrl(m_url.text()));
        log(QStringLiteral("connecting to %1").arg(m_url.text()));
        const Coro::Result started = co_await coro(m_app).start();
        if (!self)
            co_return;
        if (!started) {
            log(QStringLiteral("error: %1").arg(started.errorString()));
            co_return;
        }
        log(QStringLiteral("connected"));
        QCORO_FOREACH(const Message &message, coro(m_app).messages())
        {
            log(message.isText() ? QStringLiteral("< %1").arg(message.text())
                                 : QStringLiteral("< binary, %1 bytes").arg(message.data.size()));
        }
        if (!self)
            co_return;
        const ConnectionEnd end = co_await coro(m_app).closed();
        if (!self)
            co_return;
        log(QStringLiteral("closed: %1 %2%3")
                .arg(end.closeCode())
                .arg(end.closeReason(),
                    end.error() == Error::NoError ? QString()
                                                  : QStringLiteral(" (%1)").arg(end.errorString())));
    }

    // The echo example: a connection of its own for one exchange, timed.
    QCoro::Task<> roundTrip(QString text)
    {
        QPointer<ChatWindow> self(this);
        WebSocket ws; // in the coroutine frame: it lives as long as the exchange
        ConnectOptions options;
        options.setTimeout(5000);
        QElapsedTimer timer;
        timer.start();
        const Coro::Result opened = co_await coro(ws).open(QUrl(m_url.text()), options);
        if (!self)
            co_return;
        if (!opened) {
            log(QStringLiteral("round trip: %1").arg(opened.errorString()));
            co_return;
        }
        const qint64 connectMs = timer.elapsed();
        ws.sendText(text);
        const Coro::MessageResult reply = co_await coro(ws).receive(5000);
        const qint64 replyMs = timer.elapsed() - connectMs;
        co_await coro(ws).close();
        if (!self)
            co_return;
        if (reply)
            log(QStringLiteral("round trip: \"%1\" back after %2 ms (connect %3 ms)")
                    .arg(reply->text())
                    .arg(replyMs)
                    .arg(connectMs));
        else
            log(QStringLiteral("round trip: %1").arg(reply.errorString()));
    }

private:
    void send(const QString &text)
    {
        if (text.isEmpty() || m_app.sendText(text) < 0)
            return;
        log(QStringLiteral("> %1").arg(text));
        m_input.clear();
    }
    void log(const QString &line)
    {
        m_log.addItem(line);
        m_log.scrollToBottom();
    }

    QLineEdit m_url;
    QPushButton m_connect;
    QListWidget m_log;
    QLineEdit m_input;
    QPushButton m_send;
    QPushButton m_roundTrip;
    QLabel m_status;
    WebSocketApp m_app;
};

namespace {

// Drives the window like a user: connect, send, wait for the echo, a round trip, disconnect.
QCoro::Task<int> autotest(ChatWindow *window)
{
    auto waitForLine = [](ChatWindow *w, QString prefix) -> QCoro::Task<bool> {
        for (int i = 0; i < 500; ++i) {
            for (const QString &line : w->lines()) {
                if (line.startsWith(prefix))
                    co_return true;
            }
            co_await QCoro::sleepFor(20ms);
        }
        co_return false;
    };
    window->clickConnect();
    if (!co_await coro(window->app()).opened(10000))
        co_return 1;
    window->type(QStringLiteral("hello"));
    window->clickSend();
    if (!co_await waitForLine(window, QStringLiteral("< hello")))
        co_return 1;
    co_await window->roundTrip(QStringLiteral("ping"));
    window->clickConnect(); // Disconnect
    co_await coro(window->app()).closed();
    if (!co_await waitForLine(window, QStringLiteral("closed: 1000")))
        co_return 1;
    for (const QString &line : window->lines())
        std::printf("%s\n", qPrintable(line));
    co_return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication application(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("A WebSocket client window written with coroutines."));
    parser.addHelpOption();
    const QCommandLineOption autotestOption(
        QStringLiteral("autotest"), QStringLiteral("Run a scripted session and exit."));
    parser.addOption(autotestOption);
    parser.addPositionalArgument(QStringLiteral("url"), QStringLiteral("ws:// or wss:// URL"));
    parser.process(application);
    const QStringList args = parser.positionalArguments();
    ChatWindow window(QUrl(args.value(0, QStringLiteral("ws://127.0.0.1:8765/"))));
    window.show();
    if (parser.isSet(autotestOption))
        return QCoro::waitFor(autotest(&window));
    return application.exec();
}
