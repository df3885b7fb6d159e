#include "operation_p.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qcoreevent.h>
#include <QtCore/qmetaobject.h>
#include <QtCore/qthread.h>

#include <utility>

namespace WsClient::Coro::detail {

namespace {

QString destroyedText(bool isApp)
{
    return isApp ? QStringLiteral("the WebSocketApp was destroyed")
                 : QStringLiteral("the WebSocket was destroyed");
}

template<typename Enum> QString enumName(Enum value)
{
    return QString::fromLatin1(QMetaEnum::fromType<Enum>().valueToKey(int(value)));
}

Channel *channelOf(QObject *source, bool isApp)
{
    if (isApp)
        return AppChannel::of(static_cast<WebSocketApp *>(source));
    return SocketChannel::of(static_cast<WebSocket *>(source));
}

// Connects \a signal of \a sender to \a slot for as long as \a operation lives and is not done.
template<typename Sender, typename Signal, typename Slot>
void listen(Operation *operation, Sender *sender, Signal signal, Slot slot)
{
    QObject::connect(sender, signal, operation, [operation, slot = std::move(slot)](const auto &...args) {
        if (!operation->isDone())
            slot(args...);
    });
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Operation

Operation::~Operation() = default;

bool Operation::suspend(std::coroutine_handle<> awaiting)
{
    if (m_phase == Phase::Done)
        return false;
    Q_ASSERT_X(
        m_phase == Phase::Idle, "WsClient::Coro", "an awaitable is awaited by one coroutine at a time");
    m_awaiting = awaiting;
    m_phase = Phase::Starting;
    begin();
    if (m_phase == Phase::Done) {
        m_awaiting = {};
        return false; // completed while starting: the coroutine goes on at once
    }
    m_phase = Phase::Suspended;
    return true;
}

void Operation::complete(const Result &result)
{
    if (m_phase == Phase::Done)
        return;
    const bool suspended = m_phase == Phase::Suspended;
    m_phase = Phase::Done;
    m_result = result;
    m_timer.stop();
    if (!suspended)
        return;
    // Never resumed from here: this runs inside a signal of the socket or app, and the coroutine
    // might destroy it. The event goes to this object, so it dies with the awaitable.
    QMetaObject::invokeMethod(
        this, [this] { resume(); }, Qt::QueuedConnection);
}

void Operation::cancel()
{
    m_awaiting = {};
    m_timer.stop();
    if (m_phase != Phase::Done) {
        m_phase = Phase::Done;
        m_result = Result(
            Error::ConnectionClosed, QStringLiteral("cancelled: the awaiting coroutine was destroyed"));
    }
    QCoreApplication::removePostedEvents(this, QEvent::MetaCall);
}

void Operation::resume()
{
    // The coroutine may destroy this operation (its awaitable) before resume() returns: nothing of
    // this object is used after the call.
    if (std::coroutine_handle<> awaiting = std::exchange(m_awaiting, {}))
        awaiting.resume();
}

void Operation::startTimeout(int msecs)
{
    if (msecs < 0 || isDone())
        return;
    m_timer.start(msecs, Qt::PreciseTimer, this);
}

void Operation::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_timer.timerId())
        return QObject::timerEvent(event);
    m_timer.stop();
    if (!isDone())
        timedOut();
}

bool Operation::onThreadOf(const QObject *object, const char *what)
{
    if (object->thread() == QThread::currentThread())
        return true;
    fail(Error::InvalidArgument,
        QStringLiteral("WsClient::coro(): %1 must be awaited on the thread of the %2")
            .arg(QLatin1String(what), QLatin1String(object->metaObject()->className())));
    return false;
}

// ---------------------------------------------------------------------------------------------
// OpenOperation

void OpenOperation::begin()
{
    WebSocket *socket = m_socket.data();
    if (!socket)
        return fail(Error::ConnectionClosed, destroyedText(false));
    if (!onThreadOf(socket, "open()"))
        return;
    if (socket->state() != WebSocket::State::Unconnected) {
        return fail(Error::InvalidArgument,
            QStringLiteral("open(): the WebSocket is %1, not Unconnected; close() it first")
                .arg(enumName(socket->state())));
    }
    SocketChannel *channel = SocketChannel::of(socket);
    channel->tapMessages();
    channel->clearMessages(); // a new connection: what is left of the last one goes
    listen(this, channel, &Channel::opened, [this] { succeed(); });
    listen(this, channel, &Channel::ended, [this](const ConnectionEnd &end) {
        if (end.error() != Error::NoError)
            fail(end.error(), end.errorString());
        else
            fail(Error::ConnectionClosed, QStringLiteral("the connection was closed before it opened"));
    });
    listen(this, channel, &Channel::gone,
        [this](const ConnectionEnd &) { fail(Error::ConnectionClosed, destroyedText(false)); });
    socket->open(m_url, m_options); // may fail at once (bad URL): then complete() ran already
}

// ---------------------------------------------------------------------------------------------
// ReceiveOperation

void ReceiveOperation::begin()
{
    QObject *source = m_source.data();
    if (!source)
        return fail(Error::ConnectionClosed, destroyedText(m_isApp));
    if (!onThreadOf(source, "receive()"))
        return;
    Channel *channel = channelOf(source, m_isApp);
    m_channel = channel;
    channel->tapMessages();
    if (takeIfQueued())
        return;
    if (!channel->isRunning())
        return complete(Channel::endResult(channel->lastEnd()));
    if (m_timeoutMs == 0)
        return fail(Error::Timeout, QStringLiteral("no message within 0 ms"));
    listen(this, channel, &Channel::messageArrived, [this] { takeIfQueued(); });
    listen(this, channel, &Channel::ended, [this](const ConnectionEnd &end) {
        if (!takeIfQueued())
            complete(Channel::endResult(end));
    });
    listen(this, channel, &Channel::gone,
        [this](const ConnectionEnd &end) { complete(Channel::endResult(end)); });
    startTimeout(m_timeoutMs);
}

bool ReceiveOperation::takeIfQueued()
{
    Channel *channel = m_channel.data();
    if (!channel || !channel->hasMessage())
        return false;
    m_message = channel->takeMessage();
    succeed();
    return true;
}

void ReceiveOperation::timedOut()
{
    fail(Error::Timeout, QStringLiteral("no message within %1 ms").arg(m_timeoutMs));
}

// ---------------------------------------------------------------------------------------------
// BytesWrittenOperation

void BytesWrittenOperation::begin()
{
    WebSocket *socket = m_socket.data();
    if (!socket)
        return fail(Error::ConnectionClosed, destroyedText(false));
    if (!onThreadOf(socket, "waitForBytesWritten()"))
        return;
    if (socket->bytesToWrite() <= m_threshold)
        return succeed();
    SocketChannel *channel = SocketChannel::of(socket);
    if (!channel->isRunning()) {
        return fail(Error::ConnectionClosed,
            QStringLiteral("%1 bytes wait to be written, but the connection is closed")
                .arg(socket->bytesToWrite()));
    }
    listen(this, socket, &WebSocket::bytesWritten, [this](qint64) {
        if (m_socket && m_socket->bytesToWrite() <= m_threshold)
            succeed();
    });
    listen(this, channel, &Channel::ended, [this](const ConnectionEnd &end) {
        // A dropped connection discards what waits (bytesToWrite() is 0 then): only a clean closing
        // handshake proves that everything before the Close was written. (After the redesign:
        // also end.undeliveredBytes() == 0.)
        if (end.isClean())
            return succeed();
        const Result why = Channel::endResult(end);
        fail(Error::ConnectionClosed,
            QStringLiteral("the connection ended before everything was written: %1").arg(why.errorString()));
    });
    listen(this, channel, &Channel::gone,
        [this](const ConnectionEnd &) { fail(Error::ConnectionClosed, destroyedText(false)); });
    startTimeout(m_timeoutMs);
}

void BytesWrittenOperation::timedOut()
{
    const qint64 left = m_socket ? m_socket->bytesToWrite() : 0;
    fail(Error::Timeout,
        QStringLiteral("%1 bytes still wait to be written after %2 ms").arg(left).arg(m_timeoutMs));
}

// ---------------------------------------------------------------------------------------------
// EndOperation

void EndOperation::finishWith(const ConnectionEnd &end)
{
    m_end = end;
    complete(Result());
}

void EndOperation::begin()
{
    QObject *source = m_source.data();
    if (!source) {
        ConnectionEnd end;
        end.setError(Error::ConnectionClosed, destroyedText(m_isApp));
        return finishWith(end);
    }
    if (!onThreadOf(source, m_request.close ? "close()" : "finished()")) {
        m_end.setError(result().error(), result().errorString());
        return;
    }
    Channel *channel = channelOf(source, m_isApp);
    if (!channel->isRunning())
        return finishWith(channel->lastEnd());
    listen(this, channel, &Channel::ended, [this](const ConnectionEnd &end) { finishWith(end); });
    listen(this, channel, &Channel::gone, [this](const ConnectionEnd &end) { finishWith(end); });
    if (!m_request.close)
        return;
    if (m_isApp)
        static_cast<WebSocketApp *>(source)->close(m_request.code, m_request.reason);
    else
        static_cast<WebSocket *>(source)->close(m_request.code, m_request.reason, m_request.timeoutMs);
}

// ---------------------------------------------------------------------------------------------
// AppOpenOperation

void AppOpenOperation::begin()
{
    WebSocketApp *app = m_app.data();
    if (!app)
        return fail(Error::ConnectionClosed, destroyedText(true));
    if (!onThreadOf(app, m_start ? "start()" : "opened()"))
        return;
    AppChannel *channel = AppChannel::of(app);
    if (m_start)
        channel->tapMessages();
    listen(this, channel, &Channel::opened, [this] { succeed(); });
    listen(this, channel, &Channel::ended,
        [this](const ConnectionEnd &end) { complete(Channel::endResult(end)); });
    listen(this, channel, &Channel::gone,
        [this](const ConnectionEnd &) { fail(Error::ConnectionClosed, destroyedText(true)); });
    if (m_start && !app->start() && !isDone())
        return fail(app->error(), app->errorString());
    if (isDone())
        return;
    if (channel->isOpen())
        return succeed();
    if (!channel->isRunning())
        return fail(Error::ConnectionClosed, QStringLiteral("the WebSocketApp is not running; start() it"));
    startTimeout(m_timeoutMs);
}

void AppOpenOperation::timedOut()
{
    fail(Error::Timeout, QStringLiteral("the WebSocketApp did not open within %1 ms").arg(m_timeoutMs));
}

} // namespace WsClient::Coro::detail
