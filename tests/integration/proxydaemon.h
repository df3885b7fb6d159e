#pragma once

// Starts a real proxy server from Debian (tinyproxy, danted, microsocks) as a child process on
// 127.0.0.1 with a generated configuration, for the proxy integration tests.

#include <QtCore/qdeadlinetimer.h>
#include <QtCore/qprocess.h>
#include <QtCore/qstandardpaths.h>
#include <QtCore/qtemporarydir.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>
#include <QtTest/qtest.h>

#include <memory>

class ProxyDaemon
{
public:
    /*! tinyproxy allowing CONNECT to \a connectPorts only; Basic auth when \a user is set. */
    static std::unique_ptr<ProxyDaemon> tinyproxy(
        const QList<quint16> &connectPorts, const QString &user = {}, const QString &password = {})
    {
        auto daemon = std::unique_ptr<ProxyDaemon>(new ProxyDaemon(QStringLiteral("tinyproxy")));
        QString config
            = QStringLiteral("Port %1\nListen 127.0.0.1\nTimeout 30\nLogLevel Info\nMaxClients 50\n"
                             "Allow 127.0.0.1\n")
                  .arg(daemon->m_port);
        for (quint16 port : connectPorts)
            config += QStringLiteral("ConnectPort %1\n").arg(port);
        if (!user.isEmpty())
            config += QStringLiteral("BasicAuth %1 %2\n").arg(user, password);
        // -d: stay in the foreground and log to stderr.
        daemon->start(config, { QStringLiteral("-d"), QStringLiteral("-c"), QStringLiteral("%CONFIG%") });
        return daemon;
    }

    /*!
        danted speaking SOCKS4 and SOCKS5 without authentication, logging each connect to stderr.
        With \a hosts, the proxy (alone) sees that text as its /etc/hosts; see microsocks().
    */
    static std::unique_ptr<ProxyDaemon> dante(const QString &hosts = {})
    {
        auto daemon = std::unique_ptr<ProxyDaemon>(new ProxyDaemon(QStringLiteral("danted")));
        daemon->m_hosts = hosts;
        const QString config
            = QStringLiteral("logoutput: stderr\ninternal: 127.0.0.1 port = %1\nexternal: 127.0.0.1\n"
                             "clientmethod: none\nsocksmethod: none\n"
                             "user.privileged: root\nuser.unprivileged: nobody\n"
                             "client pass {\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n  log: connect error\n}\n"
                             "socks pass {\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n  command: connect\n"
                             "  log: connect error\n}\n")
                  .arg(daemon->m_port);
        daemon->start(config,
            { QStringLiteral("-f"), QStringLiteral("%CONFIG%"), QStringLiteral("-N"), QStringLiteral("1"),
                QStringLiteral("-p"), QStringLiteral("%DIR%/danted.pid") });
        return daemon;
    }

    /*!
        microsocks (SOCKS5), with username/password when \a user is set. With \a hosts, the proxy runs in
        a mount namespace of its own where that text is /etc/hosts: names listed there resolve for the
        proxy and for nobody else, which proves who resolved them.
    */
    static std::unique_ptr<ProxyDaemon> microsocks(
        const QString &user = {}, const QString &password = {}, const QString &hosts = {})
    {
        auto daemon = std::unique_ptr<ProxyDaemon>(new ProxyDaemon(QStringLiteral("microsocks")));
        daemon->m_hosts = hosts;
        QStringList arguments { QStringLiteral("-i"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
            QString::number(daemon->m_port) };
        if (!user.isEmpty())
            arguments << QStringLiteral("-u") << user << QStringLiteral("-P") << password;
        daemon->start({}, arguments);
        return daemon;
    }

    ~ProxyDaemon()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(5000)) {
                m_process.kill();
                m_process.waitForFinished(5000);
            }
        }
    }

    QString skipReason() const { return m_skipReason; }
    QString errorString() const { return m_error; }
    bool isRunning() const { return m_error.isEmpty() && m_process.state() == QProcess::Running; }
    quint16 port() const { return m_port; }
    /*! Everything the proxy logged so far. */
    QString log()
    {
        m_log += QString::fromLocal8Bit(m_process.readAll());
        return m_log;
    }

    /*! Waits (event loop running) until the log contains \a text; true when it did in time. */
    bool waitForLog(const QString &text, int msecs = 5000)
    {
        const QDeadlineTimer deadline(msecs);
        while (!log().contains(text) && !deadline.hasExpired())
            m_process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
        return log().contains(text);
    }

private:
    explicit ProxyDaemon(const QString &program) : m_program(QStandardPaths::findExecutable(program))
    {
        if (m_program.isEmpty())
            m_program = QStandardPaths::findExecutable(
                program, { QStringLiteral("/usr/sbin"), QStringLiteral("/sbin") });
        if (m_program.isEmpty())
            m_skipReason = program + QStringLiteral(" is not installed (scripts/install-deps)");
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        m_port = probe.serverPort();
    }

    void start(const QString &config, QStringList arguments)
    {
        if (!m_skipReason.isEmpty())
            return;
        const QString configPath = m_dir.filePath(QStringLiteral("proxy.conf"));
        if (!config.isEmpty()) {
            QFile file(configPath);
            if (!file.open(QIODevice::WriteOnly) || file.write(config.toUtf8()) < 0) {
                m_error = QStringLiteral("cannot write %1").arg(configPath);
                return;
            }
        }
        for (QString &argument : arguments) {
            argument.replace(QLatin1String("%CONFIG%"), configPath);
            argument.replace(QLatin1String("%DIR%"), m_dir.path());
        }
        QString program = m_program;
        if (!m_hosts.isEmpty()) {
            const QString hostsPath = m_dir.filePath(QStringLiteral("hosts"));
            QFile hosts(hostsPath);
            if (!hosts.open(QIODevice::WriteOnly) || hosts.write(m_hosts.toUtf8()) < 0) {
                m_error = QStringLiteral("cannot write %1").arg(hostsPath);
                return;
            }
            hosts.close();
            // The shell execs the proxy, so signals reach the proxy itself.
            arguments = QStringList { QStringLiteral("--mount"), QStringLiteral("--"),
                QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                QStringLiteral("mount --bind \"$0\" /etc/hosts && exec \"$@\""), hostsPath, m_program }
                + arguments;
            program = QStandardPaths::findExecutable(QStringLiteral("unshare"));
        }
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(program, arguments);
        if (!m_process.waitForStarted(10000)) {
            m_error = QStringLiteral("%1 did not start: %2").arg(m_program, m_process.errorString());
            return;
        }
        // Ready once it accepts connections; the process may also die on a bad configuration.
        const QDeadlineTimer deadline(15000);
        while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(1000)) {
                probe.abort();
                return;
            }
            m_process.waitForFinished(50); // returns early only if it died
        }
        m_error = QStringLiteral("%1 did not listen on port %2: %3").arg(m_program).arg(m_port).arg(log());
    }

    QString m_program;
    QString m_hosts; // the proxy's own /etc/hosts, when set
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_skipReason;
    QString m_error;
    QString m_log;
};

#define WSCLIENT_REQUIRE_PROXY(daemon)                                                                       \
    do {                                                                                                     \
        if (!(daemon)->skipReason().isEmpty()) {                                                             \
            if (qEnvironmentVariableIsSet("WSCLIENT_TEST_REQUIRE_SERVERS"))                                  \
                QFAIL(qPrintable((daemon)->skipReason()));                                                   \
            QSKIP(qPrintable((daemon)->skipReason()));                                                       \
        }                                                                                                    \
        if (!(daemon)->isRunning())                                                                          \
            QFAIL(qPrintable((daemon)->errorString()));                                                      \
    } while (false)
