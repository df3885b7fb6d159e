#pragma once

// C++20 coroutines over WebSocket and WebSocketApp, for QCoro users (the optional component
// WsClient::Coro: find_package(WsClient COMPONENTS Coro), target WsClient::Coro). The rest of
// WsClient stays C++17; only code that includes this header needs C++20.

#include <WsClient/connectionend.h>
#include <WsClient/error.h>
#include <WsClient/options.h>
#include <WsClient/websocket.h>
#include <WsClient/websocketapp.h>

#include <QCoro/QCoroAsyncGenerator>
#include <QCoro/QCoroTask>

#include <QtCore/qpointer.h>
#include <QtCore/qstring.h>
#include <QtCore/qurl.h>

#include <memory>
#include <utility>

#if defined(WSCLIENT_STATIC)
#define WSCLIENT_CORO_EXPORT
#elif defined(WSCLIENT_CORO_LIBRARY)
#define WSCLIENT_CORO_EXPORT Q_DECL_EXPORT
#else
#define WSCLIENT_CORO_EXPORT Q_DECL_IMPORT
#endif

namespace WsClient {

/*!
    Awaitables for C++20 coroutines (QCoro), returned by WsClient::coro().

    Every operation reports failure as a value, never as an exception: Result, MessageResult or a
    ConnectionEnd. An operation starts when it is co_awaited (not when the awaitable is made) and its
    coroutine is resumed from the event loop of the socket's thread, never from inside one of the
    socket's signals. Destroying the awaiting coroutine (an AsyncGenerator, say) or the socket while
    a coroutine waits is safe: a destroyed coroutine is never resumed, and a coroutine waiting on a
    destroyed socket or app is resumed with Error::ConnectionClosed.

    See \ref coroutines "Coroutines" in the guide.
*/
namespace Coro {

//! \cond internal
namespace detail {
class Operation;
} // namespace detail
//! \endcond

/*! Success, or the Error of a failed operation with its cause; what open() and friends yield. */
class Result
{
public:
    /*! Success. */
    Result() = default;
    /*! A failure with \a error (success when it is Error::NoError) and \a errorString. */
    Result(Error error, const QString &errorString) : m_error(error), m_errorString(errorString) { }

    /*! True when the operation succeeded (error() is Error::NoError). */
    bool isOk() const { return m_error == Error::NoError; }
    /*! The same as isOk(): `if (co_await coro(ws).open(url))`. */
    explicit operator bool() const { return isOk(); }
    /*! Why the operation failed; Error::NoError on success. */
    Error error() const { return m_error; }
    /*! The cause of error(), for people; empty on success. */
    QString errorString() const { return m_errorString; }

private:
    Error m_error = Error::NoError;
    QString m_errorString;
};

/*!
    A received message, or why none came (expected-style): what receive() yields.
    Error::Timeout when none arrived in time; Error::ConnectionClosed (or the error the connection
    failed with) when the connection ended and every message received before the end was taken.
*/
class MessageResult
{
public:
    /*! Nothing received, no error: what a MessageResult is before it is assigned. */
    MessageResult() = default;
    /*! A received \a message (success when it is valid). */
    MessageResult(Message message) : m_message(std::move(message)) { }
    /*! No message, because of \a error with \a errorString. */
    MessageResult(Error error, const QString &errorString) : m_error(error), m_errorString(errorString) { }

    /*! True when a message was received: message() is valid. */
    bool isOk() const { return m_message.isValid(); }
    /*! The same as isOk(). */
    explicit operator bool() const { return isOk(); }
    /*! The message; an invalid Message when isOk() is false. */
    const Message &message() const & { return m_message; }
    /*! The message, moved out of an rvalue result. */
    Message message() && { return std::move(m_message); }
    /*! The message's members: `result->text()`. Only when isOk(). */
    const Message *operator->() const { return &m_message; }
    /*! The message; see message(). */
    const Message &operator*() const { return m_message; }
    /*! Why no message came; Error::NoError when one did. */
    Error error() const { return m_error; }
    /*! The cause of error(), for people. */
    QString errorString() const { return m_errorString; }

private:
    Message m_message;
    Error m_error = Error::NoError;
    QString m_errorString;
};

/*!
    What the awaitables of coro() share. An awaitable does nothing until co_await; co_awaiting one
    that completed already yields the same result again. Copies share the operation (QCoro's Task
    copies an awaitable that is awaited as an lvalue, with GCC 12); the copy a coroutine waits in
    cancels the operation when it is destroyed, so a destroyed coroutine is never resumed.
*/
class WSCLIENT_CORO_EXPORT Awaitable
{
public:
    /*! Shares \a other's operation. */
    Awaitable(const Awaitable &other);
    /*! Shares \a other's operation. */
    Awaitable &operator=(const Awaitable &other);
    /*! Takes over \a other's operation. */
    Awaitable(Awaitable &&other) noexcept;
    /*! Takes over \a other's operation. */
    Awaitable &operator=(Awaitable &&other) noexcept;
    /*!
        If a coroutine waits in this awaitable, cancels the operation: the coroutine will not be
        resumed (it is being destroyed). The operation goes with the last copy.
    */
    ~Awaitable();

    /*! Coroutine machinery: true when the operation has completed already. */
    bool await_ready() const noexcept;
    /*!
        Coroutine machinery: starts the operation for \a awaiting; false (resume at once) when it
        completed while starting.
    */
    bool await_suspend(std::coroutine_handle<> awaiting);

protected:
    /*! An awaitable for \a operation, which it owns. */
    explicit Awaitable(detail::Operation *operation);
    /*! The operation; valid until the awaitable is moved from or destroyed. */
    detail::Operation &operation() const;

private:
    void release();
    std::shared_ptr<detail::Operation> m_operation;
    bool m_suspends = false; // a coroutine waits in this copy
};

/*! An operation that succeeds or fails: co_await yields a Result. */
class WSCLIENT_CORO_EXPORT ResultAwaitable : public Awaitable
{
public:
    /*! Coroutine machinery: the Result. */
    Result await_resume() const;

private:
    friend class Socket;
    friend class App;
    using Awaitable::Awaitable;
};

/*! Waiting for a message: co_await yields a MessageResult. */
class WSCLIENT_CORO_EXPORT MessageAwaitable : public Awaitable
{
public:
    /*! Coroutine machinery: the MessageResult. */
    MessageResult await_resume() const;

private:
    friend class Socket;
    friend class App;
    using Awaitable::Awaitable;
};

/*! Waiting for the end of a connection: co_await yields its ConnectionEnd. */
class WSCLIENT_CORO_EXPORT EndAwaitable : public Awaitable
{
public:
    /*! Coroutine machinery: the ConnectionEnd. */
    ConnectionEnd await_resume() const;

private:
    friend class Socket;
    friend class App;
    using Awaitable::Awaitable;
};

/*!
    A WebSocket seen from a coroutine: what coro(WebSocket *) returns. Cheap to make and to copy
    (it holds a QPointer); use it from the socket's thread.

    <b>Messages.</b> From the first open(), receive() or messages() on a socket on, its messages
    (WebSocket::messageReceived(), and with ConnectOptions::fireContinuationFrames each data frame
    from WebSocket::fragmentReceived()) are kept in a queue of their own, in order, until receive()
    or messages() takes them; the signals keep working, but WebSocket's blocking receive() no longer
    sees them. Messages that arrived before that first call wait in WebSocket's own queue.
    A queue nobody reads grows: receive what the server sends. open() empties the queue.
*/
class WSCLIENT_CORO_EXPORT Socket
{
public:
    /*! The coroutine view of \a socket. */
    explicit Socket(WebSocket *socket) : m_socket(socket) { }

    /*!
        Opens a connection to \a url with \a options (WebSocket::open()) and waits for the outcome:
        success once the socket is Open, else the error and errorString() of the failure (bad URL,
        refused port, bad status, timeout, TLS…); Error::ConnectionClosed when close() or abort()
        ended the attempt; Error::InvalidArgument when the socket is not Unconnected. The open
        timeout is ConnectOptions::timeout() (WebSocket::timeout() when that is -1).
    */
    [[nodiscard]] ResultAwaitable open(const QUrl &url, const ConnectOptions &options = {}) const;
    /*!
        The next Text or Binary message (messages received earlier first), or: Error::Timeout when
        none came within \a timeoutMs (-1: WebSocket::timeout(), which is -1, forever, by default;
        0: only what is queued); when the connection ended and nothing is left in the queue, the
        error it failed with, or Error::ConnectionClosed after a close. Waits through Connecting.
    */
    [[nodiscard]] MessageAwaitable receive(int timeoutMs = -1) const;
    /*!
        Waits until at most \a threshold bytes wait to be written (WebSocket::bytesToWrite(); 0: all
        of them handed to the kernel), watching WebSocket::bytesWritten(): the coroutine form of
        back-pressure. Error::Timeout after \a timeoutMs (-1: WebSocket::timeout()), and
        Error::ConnectionClosed when the connection ends with bytes left. Succeeds at once when
        nothing waits, also on a socket that is not connected.
    */
    [[nodiscard]] ResultAwaitable waitForBytesWritten(int timeoutMs = -1, qint64 threshold = 0) const;
    /*!
        Starts the closing handshake (WebSocket::close() with \a code, \a reason and \a timeoutMs)
        and waits for the end of the connection; yields how it ended. On a socket that is not
        connected, yields the end of its last connection at once.
    */
    [[nodiscard]] EndAwaitable close(
        quint16 code = quint16(CloseCode::Normal), const QString &reason = {}, int timeoutMs = -1) const;
    /*!
        Waits for the end of the current connection (closed by either side, dropped, failed, or
        failed to open) and yields how it ended; on a socket that is not connected, the end of its
        last connection at once.
    */
    [[nodiscard]] EndAwaitable finished() const;
    /*!
        The messages of the current connection as they arrive, for QCORO_FOREACH or a co_await loop;
        the stream ends when the connection has ended and every message received before was taken
        (finished() then tells how; WebSocket::closeCode() and error() too). Started while
        Connecting, it waits for the connection to open; on a socket not connected, it ends at
        once. Destroying the generator stops it, also while it waits.
    */
    [[nodiscard]] QCoro::AsyncGenerator<Message> messages() const;

    /*! The socket; null once it was destroyed. */
    WebSocket *socket() const { return m_socket.data(); }

private:
    QPointer<WebSocket> m_socket;
};

/*!
    A WebSocketApp seen from a coroutine: what coro(WebSocketApp *) returns. Use it from the app's
    thread. Messages (WebSocketApp::dataReceived()) are queued from the first start(), receive() or
    messages() on, across reconnects, as for Socket.
*/
class WSCLIENT_CORO_EXPORT App
{
public:
    /*! The coroutine view of \a app. */
    explicit App(WebSocketApp *app) : m_app(app) { }

    /*!
        Starts the app (WebSocketApp::start()) and waits for its first connection, as opened()
        does; fails with the app's error when start() refuses the settings.
    */
    [[nodiscard]] ResultAwaitable start(int timeoutMs = -1) const;
    /*!
        Waits until the app is Open: at once when it is, else through connection attempts and
        reconnects (errors meanwhile do not end the wait) until opened() or reconnected(). Fails
        with the last error when the app stops for good first, with Error::ConnectionClosed when it
        is not running, with Error::Timeout after \a timeoutMs (-1: no limit).
    */
    [[nodiscard]] ResultAwaitable opened(int timeoutMs = -1) const;
    /*!
        The next Text or Binary message, across reconnects; Error::Timeout after \a timeoutMs (-1:
        no limit); when the app has stopped and the queue is empty, the error it stopped with, or
        Error::ConnectionClosed.
    */
    [[nodiscard]] MessageAwaitable receive(int timeoutMs = -1) const;
    /*!
        Stops the app (WebSocketApp::close() with \a code and \a reason) and waits until it has
        stopped; yields the end of its last connection. On an app that is not running, yields the
        last end at once.
    */
    [[nodiscard]] EndAwaitable close(
        quint16 code = quint16(CloseCode::Normal), const QString &reason = {}) const;
    /*!
        Waits until the app stops for good (WebSocketApp::closed()) and yields the end of its last
        connection: the code and reason of closed(), and the error of the last connection or
        attempt, if it failed.
    */
    [[nodiscard]] EndAwaitable closed() const;
    /*!
        The messages of every connection of the run, across reconnects; ends when the app stops for
        good and the queue is empty (at once when it is not running).
    */
    [[nodiscard]] QCoro::AsyncGenerator<Message> messages() const;

    /*! The app; null once it was destroyed. */
    WebSocketApp *app() const { return m_app.data(); }

private:
    QPointer<WebSocketApp> m_app;
};

} // namespace Coro

/*! The coroutine view of \a socket: `co_await coro(ws).open(url)`; see Coro::Socket. */
inline Coro::Socket coro(WebSocket *socket)
{
    return Coro::Socket(socket);
}
/*! The coroutine view of \a socket; see Coro::Socket. */
inline Coro::Socket coro(WebSocket &socket)
{
    return Coro::Socket(&socket);
}
/*! The coroutine view of \a app: `co_await coro(app).opened()`; see Coro::App. */
inline Coro::App coro(WebSocketApp *app)
{
    return Coro::App(app);
}
/*! The coroutine view of \a app; see Coro::App. */
inline Coro::App coro(WebSocketApp &app)
{
    return Coro::App(&app);
}

} // namespace WsClient
