#include <WsClient/coro.h>

#include "channel_p.h"
#include "operation_p.h"

#include <QtCore/qthread.h>

namespace WsClient::Coro {

// ---------------------------------------------------------------------------------------------
// Awaitables

Awaitable::Awaitable(detail::Operation *operation) : m_operation(operation) { }

// A copy is not the one a coroutine waits in.
Awaitable::Awaitable(const Awaitable &other) : m_operation(other.m_operation) { }

Awaitable &Awaitable::operator=(const Awaitable &other)
{
    if (this != &other) {
        release();
        m_operation = other.m_operation;
    }
    return *this;
}

Awaitable::Awaitable(Awaitable &&other) noexcept
    : m_operation(std::move(other.m_operation)), m_suspends(std::exchange(other.m_suspends, false))
{ }

Awaitable &Awaitable::operator=(Awaitable &&other) noexcept
{
    if (this != &other) {
        release();
        m_operation = std::move(other.m_operation);
        m_suspends = std::exchange(other.m_suspends, false);
    }
    return *this;
}

Awaitable::~Awaitable()
{
    release();
}

void Awaitable::release()
{
    // Destroyed while its coroutine waits: the frame is going away. Cancelling disconnects the
    // operation and drops a resume it may have posted; the last copy deletes it.
    if (m_suspends && m_operation)
        m_operation->cancel();
    m_suspends = false;
    m_operation.reset();
}

bool Awaitable::await_ready() const noexcept
{
    return m_operation && m_operation->isDone();
}

bool Awaitable::await_suspend(std::coroutine_handle<> awaiting)
{
    Q_ASSERT_X(m_operation, "WsClient::Coro", "a moved-from awaitable was awaited");
    m_suspends = m_operation->suspend(awaiting);
    return m_suspends;
}

detail::Operation &Awaitable::operation() const
{
    return *m_operation;
}

Result ResultAwaitable::await_resume() const
{
    return operation().result();
}

MessageResult MessageAwaitable::await_resume() const
{
    const detail::Operation &op = operation();
    const Result result = op.result();
    if (result.isOk())
        return MessageResult(op.message());
    return MessageResult(result.error(), result.errorString());
}

ConnectionEnd EndAwaitable::await_resume() const
{
    return operation().end();
}

// ---------------------------------------------------------------------------------------------
// Socket

ResultAwaitable Socket::open(const QUrl &url, const ConnectOptions &options) const
{
    return ResultAwaitable(new detail::OpenOperation(m_socket.data(), url, options));
}

MessageAwaitable Socket::receive(int timeoutMs) const
{
    if (timeoutMs == -1 && m_socket)
        timeoutMs = m_socket->timeout();
    return MessageAwaitable(new detail::ReceiveOperation(m_socket.data(), false, timeoutMs));
}

ResultAwaitable Socket::waitForBytesWritten(int timeoutMs, qint64 threshold) const
{
    if (timeoutMs == -1 && m_socket)
        timeoutMs = m_socket->timeout();
    return ResultAwaitable(new detail::BytesWrittenOperation(m_socket.data(), timeoutMs, threshold));
}

EndAwaitable Socket::close(quint16 code, const QString &reason, int timeoutMs) const
{
    return EndAwaitable(new detail::EndOperation(m_socket.data(), false, { true, code, reason, timeoutMs }));
}

EndAwaitable Socket::finished() const
{
    return EndAwaitable(new detail::EndOperation(m_socket.data(), false, {}));
}

QCoro::AsyncGenerator<Message> Socket::messages() const
{
    // Not a coroutine itself: the queue starts now, not when the caller first awaits begin().
    WebSocket *socket = m_socket.data();
    if (socket && socket->thread() == QThread::currentThread())
        detail::SocketChannel::of(socket)->tapMessages();
    // Captureless, its state in parameters: they live in the coroutine frame, not in the closure.
    return [](QPointer<WebSocket> source) -> QCoro::AsyncGenerator<Message> {
        Q_FOREVER
        {
            // A named awaitable, so that destroying the suspended generator destroys it for sure.
            MessageAwaitable next(new detail::ReceiveOperation(source.data(), false, -1));
            MessageResult received = co_await next;
            if (!received)
                co_return;
            Message message = std::move(received).message();
            co_yield message;
        }
    }(m_socket);
}

// ---------------------------------------------------------------------------------------------
// App

ResultAwaitable App::start(int timeoutMs) const
{
    return ResultAwaitable(new detail::AppOpenOperation(m_app.data(), true, timeoutMs));
}

ResultAwaitable App::opened(int timeoutMs) const
{
    return ResultAwaitable(new detail::AppOpenOperation(m_app.data(), false, timeoutMs));
}

MessageAwaitable App::receive(int timeoutMs) const
{
    return MessageAwaitable(new detail::ReceiveOperation(m_app.data(), true, timeoutMs));
}

EndAwaitable App::close(quint16 code, const QString &reason) const
{
    return EndAwaitable(new detail::EndOperation(m_app.data(), true, { true, code, reason, -1 }));
}

EndAwaitable App::closed() const
{
    return EndAwaitable(new detail::EndOperation(m_app.data(), true, {}));
}

QCoro::AsyncGenerator<Message> App::messages() const
{
    WebSocketApp *app = m_app.data();
    if (app && app->thread() == QThread::currentThread())
        detail::AppChannel::of(app)->tapMessages();
    return [](QPointer<WebSocketApp> source) -> QCoro::AsyncGenerator<Message> {
        Q_FOREVER
        {
            MessageAwaitable next(new detail::ReceiveOperation(source.data(), true, -1));
            MessageResult received = co_await next;
            if (!received)
                co_return;
            Message message = std::move(received).message();
            co_yield message;
        }
    }(m_app);
}

} // namespace WsClient::Coro
