#pragma once

// Starts a real proxy server from Debian (tinyproxy, danted, microsocks, squid; nginx as a reverse
// proxy) as a child process on 127.0.0.1 with a generated configuration, for the proxy and
// authentication integration tests.

#include <QtCore/qdeadlinetimer.h>
#include <QtCore/qprocess.h>
#include <QtCore/qstandardpaths.h>
#include <QtCore/qtemporarydir.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>
#include <QtTest/qtest.h>

#include <memory>

#include <pwd.h>
#include <unistd.h>

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

    /*!
        nginx in front of the WebSocket server on 127.0.0.1:\a upstreamPort, demanding Basic
        authentication (auth_basic, realm \a realm) for \a user and \a password.
    */
    static std::unique_ptr<ProxyDaemon> nginxBasicAuth(
        quint16 upstreamPort, const QString &user, const QString &password, const QString &realm)
    {
        auto daemon = std::unique_ptr<ProxyDaemon>(new ProxyDaemon(QStringLiteral("nginx")));
        const QString dir = daemon->m_dir.path();
        if (!daemon->m_skipReason.isEmpty()
            || !daemon->writeFile(QStringLiteral("htpasswd"),
                user + QLatin1Char(':') + daemon->apr1(password) + QLatin1Char('\n')))
            return daemon;
        // Workers run as nobody when nginx starts as root: they read htpasswd at each request.
        QFile::setPermissions(dir, QFile::permissions(dir) | QFile::ReadOther | QFile::ExeOther);
        QString config = QStringLiteral("worker_processes 1;\npid %1/nginx.pid;\nerror_log stderr "
                                        "info;\nevents { worker_connections 64; }\n"
                                        "http {\n  access_log %1/access.log;\n")
                             .arg(dir);
        for (const char *temp : { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
            config += QStringLiteral("  %1_temp_path %2/%1;\n").arg(QLatin1String(temp), dir);
        config += QStringLiteral(
            "  server {\n    listen 127.0.0.1:%1;\n    location / {\n"
            "      auth_basic \"%2\";\n      auth_basic_user_file %3/htpasswd;\n"
            "      proxy_pass http://127.0.0.1:%4;\n      proxy_http_version 1.1;\n"
            "      proxy_set_header Upgrade $http_upgrade;\n      proxy_set_header Connection upgrade;\n"
            "      proxy_set_header Host $host;\n    }\n  }\n}\n")
                      .arg(daemon->m_port)
                      .arg(realm, dir)
                      .arg(upstreamPort);
        daemon->start(config,
            { QStringLiteral("-e"), QStringLiteral("stderr"), QStringLiteral("-p"), QStringLiteral("%DIR%"),
                QStringLiteral("-c"), QStringLiteral("%CONFIG%"), QStringLiteral("-g"),
                QStringLiteral("daemon off;") });
        return daemon;
    }

    /*!
        squid allowing CONNECT anywhere to \a user with \a password, asking with the schemes of
        \a schemes in that order ("basic": basic_ncsa_auth, "digest": digest_file_auth), realm
        \a realm. access.log (see accessLog()) names the user of each tunnel.
    */
    static std::unique_ptr<ProxyDaemon> squid(
        const QString &user, const QString &password, const QStringList &schemes, const QString &realm)
    {
        auto daemon = std::unique_ptr<ProxyDaemon>(new ProxyDaemon(QStringLiteral("squid")));
        const QString dir = daemon->m_dir.path();
        if (!daemon->m_skipReason.isEmpty()
            || !daemon->writeFile(QStringLiteral("htpasswd"),
                user + QLatin1Char(':') + daemon->apr1(password) + QLatin1Char('\n'))
            || !daemon->writeFile(
                QStringLiteral("digestpw"), user + QLatin1Char(':') + password + QLatin1Char('\n')))
            return daemon;
        QString config
            = QStringLiteral("http_port 127.0.0.1:%1\npid_filename %2/squid.pid\ncache deny all\n"
                             "cache_mem 1 MB\naccess_log stdio:%2/access.log\ncache_log %2/cache.log\n"
                             "cache_store_log none\ncoredump_dir %2\nshutdown_lifetime 0 seconds\n")
                  .arg(daemon->m_port)
                  .arg(dir);
        // As root, squid works as the user proxy: its directory and files must be proxy's.
        if (::geteuid() == 0) {
            if (const passwd *pw = ::getpwnam("proxy")) {
                for (const QString &name :
                    { QString(), QStringLiteral("/htpasswd"), QStringLiteral("/digestpw") })
                    (void)::chown(QFile::encodeName(dir + name).constData(), pw->pw_uid, pw->pw_gid);
                config += QStringLiteral("cache_effective_user proxy\n");
            }
        }
        for (const QString &scheme : schemes) {
            const QString program = scheme == QLatin1String("basic")
                ? QStringLiteral("/usr/lib/squid/basic_ncsa_auth %1/htpasswd").arg(dir)
                : QStringLiteral("/usr/lib/squid/digest_file_auth %1/digestpw").arg(dir);
            config += QStringLiteral("auth_param %1 program %2\nauth_param %1 realm %3\n"
                                     "auth_param %1 children 1 startup=1 idle=1\n")
                          .arg(scheme, program, realm);
        }
        config += QStringLiteral("acl authenticated proxy_auth REQUIRED\nhttp_access allow authenticated\n"
                                 "http_access deny all\n");
        daemon->start(config, { QStringLiteral("-N"), QStringLiteral("-f"), QStringLiteral("%CONFIG%") });
        return daemon;
    }

    /*! The access.log of squid or nginx so far (one line per request; squid names the user). */
    QString accessLog() const
    {
        QFile file(m_dir.filePath(QStringLiteral("access.log")));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
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

    bool writeFile(const QString &name, const QString &content)
    {
        QFile file(m_dir.filePath(name));
        if (file.open(QIODevice::WriteOnly) && file.write(content.toUtf8()) >= 0)
            return true;
        m_error = QStringLiteral("cannot write %1").arg(file.fileName());
        return false;
    }

    // An htpasswd entry's hash (Apache MD5, which nginx and basic_ncsa_auth read).
    QString apr1(const QString &password)
    {
        QProcess openssl;
        openssl.start(
            QStringLiteral("openssl"), { QStringLiteral("passwd"), QStringLiteral("-apr1"), password });
        if (!openssl.waitForFinished(10000) || openssl.exitCode() != 0)
            m_error = QStringLiteral("openssl passwd -apr1 failed: ")
                + QString::fromLocal8Bit(openssl.readAllStandardError());
        return QString::fromLatin1(openssl.readAllStandardOutput().trimmed());
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
