// Starts a WebSocket peer server (tests/servers) as a child process for an integration test.
//
//   TestServer server = TestServer::python({QStringLiteral("--subprotocols"), QStringLiteral("chat")});
//   WSCLIENT_REQUIRE_SERVER(server);   // QSKIP when python3-websockets is missing, QFAIL when it did not
//   start socket.open(server.url(QStringLiteral("/echo")));
//
// Each server listens on 127.0.0.1 and a free port unless the arguments say otherwise (--host, --port,
// --unix PATH), and prints "LISTENING <port>" when ready; the factories wait for that line (at most
// 15 s, no sleeping). stop() and the destructor end the process with SIGTERM (SIGKILL if it lingers):
// open connections drop without a Close frame, as when a real server dies.
#pragma once

#include <QStringList>
#include <QUrl>

#include <memory>

QT_BEGIN_NAMESPACE
class QProcess;
class QTemporaryFile;
QT_END_NAMESPACE

class TestServer
{
public:
    enum class Kind { Python, Node, Qt };

    // tests/servers/echo_server.py (python3-websockets 10.4, permessage-deflate on unless --no-compression),
    // or another python peer there that prints the same ready line (auth_server.py).
    static TestServer python(
        const QStringList &arguments = {}, const QString &script = QStringLiteral("echo_server.py"));
    // tests/servers/ws_server.js (node `ws`, permessage-deflate off unless --compression).
    static TestServer node(const QStringList &arguments = {});
    // wsclient_qt_echo_server (QWebSocketServer).
    static TestServer qt(const QStringList &arguments = {});

    TestServer(TestServer &&other) noexcept;
    TestServer &operator=(TestServer &&other) noexcept;
    TestServer(const TestServer &) = delete;
    TestServer &operator=(const TestServer &) = delete;
    ~TestServer();

    Kind kind() const { return m_kind; }
    // Non-empty when this kind of server cannot run here (interpreter, module or binary missing).
    QString skipReason() const { return m_skipReason; }
    // The process is alive and announced that it listens.
    bool isRunning() const;
    // Why starting failed, with the server's stderr.
    QString errorString() const;

    QString host() const { return m_host; }
    quint16 port() const { return m_port; }
    // The unix socket path when started with --unix, else empty.
    QString unixPath() const { return m_unixPath; }
    // ws://127.0.0.1:<port><pathAndQuery> (wss:// when secure); IPv6 hosts are bracketed.
    QUrl url(const QString &pathAndQuery = QStringLiteral("/"), bool secure = false) const;
    // Everything the server wrote to stderr so far (connection log, errors), across restarts.
    QString log() const;

    // Ends the server (SIGTERM, then SIGKILL after 5 s); true when it is gone.
    bool stop();
    // Stops the server and starts it again on the same host and port (or unix path), with the same
    // arguments; true when it listens again.
    bool restart();

private:
    TestServer(Kind kind, QString program, QStringList prefixArguments, const QStringList &arguments);
    bool start();
    QStringList effectiveArguments() const;

    Kind m_kind;
    QString m_program;
    QStringList m_prefixArguments; // e.g. the script path
    QStringList m_arguments; // the caller's arguments without --host/--port
    QString m_host;
    quint16 m_port = 0;
    QString m_unixPath;
    QString m_skipReason;
    QString m_error;
    std::unique_ptr<QTemporaryFile> m_stderrFile;
    std::unique_ptr<QProcess> m_process;
};

// Use directly in a test function (QSKIP/QFAIL return from it). When the environment variable
// WSCLIENT_TEST_REQUIRE_SERVERS is set, a missing server is a failure instead of a skip (for CI).
#define WSCLIENT_REQUIRE_SERVER(server)                                                                      \
    do {                                                                                                     \
        if (!(server).skipReason().isEmpty()) {                                                              \
            if (qEnvironmentVariableIsSet("WSCLIENT_TEST_REQUIRE_SERVERS"))                                  \
                QFAIL(qPrintable((server).skipReason()));                                                    \
            QSKIP(qPrintable((server).skipReason()));                                                        \
        }                                                                                                    \
        if (!(server).isRunning())                                                                           \
            QFAIL(qPrintable((server).errorString()));                                                       \
    } while (false)
