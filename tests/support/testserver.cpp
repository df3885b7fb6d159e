#include "testserver.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryFile>

namespace {

constexpr int StartTimeoutMs = 15000;
constexpr int StopTimeoutMs = 5000;

QString serversDir()
{
    return QStringLiteral(WSCLIENT_TEST_SERVERS_DIR);
}

bool isExecutable(const QString &path)
{
    const QFileInfo info(path);
    return !path.isEmpty() && info.isFile() && info.isExecutable();
}

// Asked once per test process: importing websockets takes a noticeable fraction of a second.
QString pythonSkipReason()
{
    static const QString reason = [] {
        const QString python = QStringLiteral(WSCLIENT_TEST_PYTHON);
        if (!isExecutable(python))
            return QStringLiteral("%1 not found: run scripts/install-deps").arg(python);
        QProcess probe;
        probe.start(python, { QStringLiteral("-c"), QStringLiteral("import websockets") });
        if (!probe.waitForFinished(StartTimeoutMs) || probe.exitStatus() != QProcess::NormalExit
            || probe.exitCode() != 0) {
            return QStringLiteral(
                "%1 cannot import websockets (python3-websockets): run scripts/install-deps")
                .arg(python);
        }
        return QString();
    }();
    return reason;
}

QString nodeSkipReason()
{
    if (!isExecutable(QStringLiteral(WSCLIENT_TEST_NODE)))
        return QStringLiteral("node not found: run scripts/install-deps");
    if (!QFileInfo::exists(QStringLiteral(WSCLIENT_TEST_NODE_MODULES "/ws/package.json")))
        return QStringLiteral(
            "node `ws` missing in " WSCLIENT_TEST_NODE_MODULES ": run scripts/install-deps");
    return QString();
}

QString qtSkipReason()
{
    if (!isExecutable(QStringLiteral(WSCLIENT_TEST_QT_SERVER)))
        return QStringLiteral(
            "the QWebSocketServer peer was not built (qt6-websockets-dev missing at configure time)");
    return QString();
}

// Removes "--name value" from arguments and returns value (or fallback when absent).
QString takeOption(QStringList &arguments, const QString &name, const QString &fallback)
{
    const qsizetype index = arguments.indexOf(name);
    if (index < 0 || index + 1 >= arguments.size())
        return fallback;
    const QString value = arguments.at(index + 1);
    arguments.remove(index, 2);
    return value;
}

} // namespace

TestServer TestServer::python(const QStringList &arguments, const QString &script)
{
    TestServer server(Kind::Python, QStringLiteral(WSCLIENT_TEST_PYTHON),
        { QStringLiteral("-u"), serversDir() + QLatin1Char('/') + script }, arguments);
    server.m_skipReason = pythonSkipReason();
    if (server.m_skipReason.isEmpty())
        server.start();
    return server;
}

TestServer TestServer::node(const QStringList &arguments)
{
    TestServer server(Kind::Node, QStringLiteral(WSCLIENT_TEST_NODE),
        { serversDir() + QStringLiteral("/ws_server.js") }, arguments);
    server.m_skipReason = nodeSkipReason();
    if (server.m_skipReason.isEmpty())
        server.start();
    return server;
}

TestServer TestServer::qt(const QStringList &arguments)
{
    TestServer server(Kind::Qt, QStringLiteral(WSCLIENT_TEST_QT_SERVER), {}, arguments);
    server.m_skipReason = qtSkipReason();
    if (server.m_skipReason.isEmpty())
        server.start();
    return server;
}

TestServer::TestServer(Kind kind, QString program, QStringList prefixArguments, const QStringList &arguments)
    : m_kind(kind), m_program(std::move(program)), m_prefixArguments(std::move(prefixArguments)),
      m_arguments(arguments)
{
    m_host = takeOption(m_arguments, QStringLiteral("--host"), QStringLiteral("127.0.0.1"));
    m_port = takeOption(m_arguments, QStringLiteral("--port"), QStringLiteral("0")).toUShort();
    const qsizetype unixIndex = m_arguments.indexOf(QStringLiteral("--unix"));
    if (unixIndex >= 0 && unixIndex + 1 < m_arguments.size())
        m_unixPath = m_arguments.at(unixIndex + 1);
}

TestServer::TestServer(TestServer &&other) noexcept = default;

TestServer &TestServer::operator=(TestServer &&other) noexcept
{
    if (this != &other) {
        stop();
        m_kind = other.m_kind;
        m_program = std::move(other.m_program);
        m_prefixArguments = std::move(other.m_prefixArguments);
        m_arguments = std::move(other.m_arguments);
        m_host = std::move(other.m_host);
        m_port = other.m_port;
        m_unixPath = std::move(other.m_unixPath);
        m_skipReason = std::move(other.m_skipReason);
        m_error = std::move(other.m_error);
        m_stderrFile = std::move(other.m_stderrFile);
        m_process = std::move(other.m_process);
    }
    return *this;
}

TestServer::~TestServer()
{
    stop();
}

bool TestServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running && m_error.isEmpty();
}

QString TestServer::errorString() const
{
    if (!m_skipReason.isEmpty())
        return m_skipReason;
    return QStringLiteral("%1 %2: %3\n--- server stderr ---\n%4")
        .arg(m_program, (m_prefixArguments + effectiveArguments()).join(QLatin1Char(' ')), m_error, log());
}

QUrl TestServer::url(const QString &pathAndQuery, bool secure) const
{
    const QString scheme = secure ? QStringLiteral("wss") : QStringLiteral("ws");
    const bool ipv6 = QHostAddress(m_host).protocol() == QAbstractSocket::IPv6Protocol;
    const QString host = ipv6 ? QLatin1Char('[') + m_host + QLatin1Char(']') : m_host;
    return QUrl(
        scheme + QStringLiteral("://") + host + QLatin1Char(':') + QString::number(m_port) + pathAndQuery);
}

QString TestServer::log() const
{
    if (!m_stderrFile)
        return QString();
    QFile file(m_stderrFile->fileName());
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    return QString::fromUtf8(file.readAll());
}

QStringList TestServer::effectiveArguments() const
{
    if (!m_unixPath.isEmpty())
        return m_arguments;
    return m_arguments
        + QStringList { QStringLiteral("--host"), m_host, QStringLiteral("--port"), QString::number(m_port) };
}

bool TestServer::start()
{
    m_error.clear();
    if (!m_stderrFile) {
        // A file rather than a pipe: a test blocked outside the event loop must never stall a chatty server.
        m_stderrFile = std::make_unique<QTemporaryFile>();
        if (!m_stderrFile->open()) {
            m_error = QStringLiteral("cannot create a file for the server's stderr");
            return false;
        }
    }
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(m_program);
    m_process->setArguments(m_prefixArguments + effectiveArguments());
    m_process->setStandardErrorFile(m_stderrFile->fileName(), QIODevice::Append);
    if (m_kind == Kind::Node) {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("NODE_PATH"), QStringLiteral(WSCLIENT_TEST_NODE_MODULES));
        m_process->setProcessEnvironment(environment);
    }
    m_process->start(QIODevice::ReadOnly);

    const QDeadlineTimer deadline(StartTimeoutMs);
    while (true) {
        while (m_process->canReadLine()) {
            const QString line = QString::fromUtf8(m_process->readLine()).trimmed();
            if (!line.startsWith(QLatin1String("LISTENING ")))
                continue;
            const QString where = line.mid(10);
            if (!where.startsWith(QLatin1String("unix:")))
                m_port = where.toUShort();
            return true;
        }
        if (m_process->state() == QProcess::NotRunning) {
            m_error = QStringLiteral("exited before listening (%1)").arg(m_process->errorString());
            return false;
        }
        if (deadline.hasExpired()) {
            m_error = QStringLiteral("no LISTENING line within %1 ms").arg(StartTimeoutMs);
            stop();
            return false;
        }
        m_process->waitForReadyRead(int(deadline.remainingTime()));
    }
}

bool TestServer::stop()
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return true;
    m_process->terminate();
    if (!m_process->waitForFinished(StopTimeoutMs)) {
        m_process->kill();
        m_process->waitForFinished(StopTimeoutMs);
    }
    return m_process->state() == QProcess::NotRunning;
}

bool TestServer::restart()
{
    if (!m_skipReason.isEmpty() || !stop())
        return false;
    return start();
}
