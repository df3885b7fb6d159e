// The state behind one awaitable of WsClient::Coro: started by await_suspend(), completed by a
// channel's signal, a timer, or at once; the awaiting coroutine is resumed from an event posted to
// the operation itself. The awaitable owns the operation, and the coroutine frame owns the
// awaitable: when the frame is destroyed while it waits, the operation goes with it, and with it its
// connections, its timer and any resume event already posted (Qt drops the posted events of a
// deleted receiver). Nothing can resume a destroyed coroutine.
#pragma once

#include "channel_p.h"

#include <WsClient/coro.h>

#include <QtCore/qbasictimer.h>
#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>

namespace WsClient::Coro::detail {

class Operation : public QObject
{
public:
    ~Operation() override;

    bool isDone() const { return m_phase == Phase::Done; }
    // await_suspend: starts the operation; false when it completed while starting.
    bool suspend(std::coroutine_handle<> awaiting);
    // The awaiting coroutine is being destroyed: never resume it.
    void cancel();

    Result result() const { return m_result; }
    const Message &message() const { return m_message; }
    ConnectionEnd end() const { return m_end; }

protected:
    Operation() = default;
    // Starts waiting (connects to signals, calls into the socket); may complete at once.
    virtual void begin() = 0;
    // The timeout set with startTimeout() expired.
    virtual void timedOut() { }

    void succeed() { complete(Result()); }
    void fail(Error error, const QString &why) { complete(Result(error, why)); }
    // Stops listening and schedules the resume (unless still starting: then suspend() returns false).
    void complete(const Result &result);
    // \a msecs < 0: no timeout.
    void startTimeout(int msecs);
    // Checks the thread; fails with InvalidArgument and returns false when it is not \a object's.
    bool onThreadOf(const QObject *object, const char *what);

    Message m_message;
    ConnectionEnd m_end;

private:
    void timerEvent(QTimerEvent *event) override;
    void resume();

    enum class Phase { Idle, Starting, Suspended, Done };
    Phase m_phase = Phase::Idle;
    std::coroutine_handle<> m_awaiting;
    Result m_result;
    QBasicTimer m_timer;
};

// Socket::open()
class OpenOperation final : public Operation
{
public:
    OpenOperation(WebSocket *socket, const QUrl &url, const ConnectOptions &options)
        : m_socket(socket), m_url(url), m_options(options)
    { }

private:
    void begin() override;
    QPointer<WebSocket> m_socket;
    QUrl m_url;
    ConnectOptions m_options;
};

// Socket::receive(), App::receive() and the message generators.
class ReceiveOperation final : public Operation
{
public:
    ReceiveOperation(QObject *source, bool isApp, int timeoutMs)
        : m_source(source), m_isApp(isApp), m_timeoutMs(timeoutMs)
    { }

private:
    void begin() override;
    void timedOut() override;
    bool takeIfQueued();
    QPointer<QObject> m_source; // the WebSocket or the WebSocketApp
    QPointer<Channel> m_channel;
    bool m_isApp;
    int m_timeoutMs;
};

// Socket::waitForBytesWritten()
class BytesWrittenOperation final : public Operation
{
public:
    BytesWrittenOperation(WebSocket *socket, int timeoutMs, qint64 threshold)
        : m_socket(socket), m_timeoutMs(timeoutMs), m_threshold(threshold)
    { }

private:
    void begin() override;
    void timedOut() override;
    QPointer<WebSocket> m_socket;
    int m_timeoutMs;
    qint64 m_threshold;
};

// Socket::close() / finished(), App::close() / closed()
class EndOperation final : public Operation
{
public:
    struct CloseRequest
    {
        bool close = false;
        quint16 code = quint16(CloseCode::Normal);
        QString reason;
        int timeoutMs = -1;
    };
    EndOperation(QObject *source, bool isApp, CloseRequest request)
        : m_source(source), m_isApp(isApp), m_request(std::move(request))
    { }

private:
    void begin() override;
    void finishWith(const ConnectionEnd &end);
    QPointer<QObject> m_source;
    bool m_isApp;
    CloseRequest m_request;
};

// App::start() / opened()
class AppOpenOperation final : public Operation
{
public:
    AppOpenOperation(WebSocketApp *app, bool start, int timeoutMs)
        : m_app(app), m_start(start), m_timeoutMs(timeoutMs)
    { }

private:
    void begin() override;
    void timedOut() override;
    QPointer<WebSocketApp> m_app;
    bool m_start;
    int m_timeoutMs;
};

} // namespace WsClient::Coro::detail
