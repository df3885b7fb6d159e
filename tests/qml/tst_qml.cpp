// QuickTest runner for tst_*.qml in this directory: the WebSocketClient element (QML module
// WsClient, found through -import / QML_IMPORT_PATH) against a real python3-websockets echo server.
//
// The setup starts the server once and gives each test file's engine the context property
// `echoServer` (EchoServerControl below) to get URLs from and to stop and restart the server.
#include "testserver.h"

#include <QtQml/qqmlcontext.h>
#include <QtQml/qqmlengine.h>
#include <QtQuickTest/quicktest.h>

#include <memory>

class EchoServerControl : public QObject
{
    Q_OBJECT

public:
    // Makes sure the server runs (a failed test may have left it stopped); returns why it cannot
    // (missing interpreter, failed start), or empty.
    Q_INVOKABLE QString prepare()
    {
        if (!m_server)
            return QStringLiteral("the echo server was not started");
        if (!m_server->skipReason().isEmpty())
            return m_server->skipReason();
        if (m_server->isRunning() || m_server->restart())
            return QString();
        return m_server->errorString();
    }
    // A missing server fails the test instead of skipping it (CI sets WSCLIENT_TEST_REQUIRE_SERVERS).
    Q_INVOKABLE bool required() const { return qEnvironmentVariableIsSet("WSCLIENT_TEST_REQUIRE_SERVERS"); }
    Q_INVOKABLE QUrl url(const QString &pathAndQuery) const { return m_server->url(pathAndQuery); }
    Q_INVOKABLE bool isRunning() const { return m_server->isRunning(); }
    // Ends the server: open connections drop without a Close frame.
    Q_INVOKABLE bool stop() { return m_server->stop(); }
    // Starts it again on the same port; true when it listens.
    Q_INVOKABLE bool restart() { return m_server->restart(); }

    void start()
    {
        // The server picks "chat" when the client offers it (subprotocol tests).
        m_server = std::make_unique<TestServer>(
            TestServer::python({ QStringLiteral("--subprotocols"), QStringLiteral("chat") }));
    }

private:
    std::unique_ptr<TestServer> m_server;
};

class Setup : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void applicationAvailable() { m_control.start(); }
    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->rootContext()->setContextProperty(QStringLiteral("echoServer"), &m_control);
    }

private:
    EchoServerControl m_control;
};

QUICK_TEST_MAIN_WITH_SETUP(tst_qml, Setup)

#include "tst_qml.moc"
