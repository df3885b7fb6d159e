// Runs one documentation snippet (examples/snippets) against a local peer server and compares what it
// prints with the expected output that the documentation shows next to it.
//
//   snippet_harness [--server python] [--server-arg ARG]... [--tls ca|self-signed|wrong-host|client-ca]
//                   [--unix] --expect FILE -- PROGRAM [ARGS...]
//
// The snippet learns where the server is from the environment (examples/snippets/snippetenv.h):
// WSCLIENT_SNIPPET_URL (ws:// or wss://127.0.0.1:PORT), WSCLIENT_SNIPPET_UNIX (a unix socket path),
// WSCLIENT_SNIPPET_CA, WSCLIENT_SNIPPET_CLIENT_CERT, WSCLIENT_SNIPPET_CLIENT_KEY,
// WSCLIENT_SNIPPET_KEY_PASSPHRASE (TLS material generated for this run).
//
// Expected output: the snippet's stdout and stderr together (it prints with qInfo()), line by line;
// an expected line "..." matches any number of lines (for traces with random keys).
// Exit codes: 0 match, 1 mismatch or failure, 77 skipped (server unavailable and
// WSCLIENT_TEST_REQUIRE_SERVERS unset).
#include "testcertificates.h"
#include "testserver.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qfile.h>
#include <QtCore/qprocess.h>
#include <QtCore/qtemporarydir.h>
#include <QtCore/qtextstream.h>

#include <optional>

namespace {

constexpr int SkipCode = 77;
constexpr int SnippetTimeoutMs = 60000;

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

int unavailable(const QString &why)
{
    err() << "snippet_harness: " << why << Qt::endl;
    return qEnvironmentVariableIsSet("WSCLIENT_TEST_REQUIRE_SERVERS") ? 1 : SkipCode;
}

// Whether out[j..] matches expected[i..], "..." matching any run of lines.
bool matches(const QStringList &expected, qsizetype i, const QStringList &out, qsizetype j)
{
    if (i == expected.size())
        return j == out.size();
    if (expected.at(i) == QLatin1String("...")) {
        for (qsizetype k = j; k <= out.size(); ++k) {
            if (matches(expected, i + 1, out, k))
                return true;
        }
        return false;
    }
    return j < out.size() && expected.at(i) == out.at(j) && matches(expected, i + 1, out, j + 1);
}

QStringList lines(const QString &text)
{
    QStringList result = text.split(QLatin1Char('\n'));
    while (!result.isEmpty() && result.constLast().isEmpty())
        result.removeLast();
    return result;
}

struct Arguments
{
    bool server = false;
    QStringList serverArguments;
    QString tls;
    bool unixSocket = false;
    QString expect;
    QString program;
    QStringList programArguments;
};

std::optional<Arguments> parse(const QStringList &args)
{
    Arguments a;
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        const bool hasValue = i + 1 < args.size();
        if (arg == QLatin1String("--")) {
            if (!hasValue)
                return std::nullopt;
            a.program = args.at(i + 1);
            a.programArguments = args.mid(i + 2);
            break;
        }
        if (arg == QLatin1String("--server") && hasValue && args.at(i + 1) == QLatin1String("python")) {
            a.server = true;
            ++i;
        } else if (arg == QLatin1String("--server-arg") && hasValue) {
            a.serverArguments << args.at(++i);
        } else if (arg == QLatin1String("--tls") && hasValue) {
            a.tls = args.at(++i);
            a.server = true;
        } else if (arg == QLatin1String("--unix")) {
            a.unixSocket = true;
            a.server = true;
        } else if (arg == QLatin1String("--expect") && hasValue) {
            a.expect = args.at(++i);
        } else {
            return std::nullopt;
        }
    }
    if (a.program.isEmpty() || a.expect.isEmpty())
        return std::nullopt;
    return a;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const std::optional<Arguments> parsed = parse(app.arguments());
    if (!parsed) {
        err() << "usage: snippet_harness [--server python] [--server-arg ARG]... [--tls KIND] [--unix] "
                 "--expect FILE -- PROGRAM [ARGS...]"
              << Qt::endl;
        return 2;
    }
    const Arguments &a = *parsed;

    QFile expectFile(a.expect);
    if (!expectFile.open(QIODevice::ReadOnly | QIODevice::Text)) {
        err() << "snippet_harness: cannot read " << a.expect << ": " << expectFile.errorString() << Qt::endl;
        return 1;
    }
    const QStringList expected = lines(QString::fromUtf8(expectFile.readAll()));

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // The snippet prints with qInfo(): keep Qt's default format on stderr, whatever the caller set.
    env.insert(QStringLiteral("QT_FORCE_STDERR_LOGGING"), QStringLiteral("1"));
    env.insert(QStringLiteral("QT_MESSAGE_PATTERN"),
        QStringLiteral("%{if-category}%{category}: %{endif}%{message}"));
    env.remove(QStringLiteral("QT_LOGGING_RULES"));
    env.remove(QStringLiteral("WEBSOCKET_CLIENT_CA_BUNDLE"));
    for (const char *proxyVariable :
        { "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY" })
        env.remove(QString::fromLatin1(proxyVariable));

    QTemporaryDir unixDir;
    std::optional<TestServer> server;
    if (a.server) {
        QStringList serverArguments = a.serverArguments;
        bool secure = false;
        if (!a.tls.isEmpty()) {
            const TestCertificates &certs = TestCertificates::instance();
            if (certs.opensslMissing)
                return unavailable(certs.error);
            if (!certs.error.isEmpty()) {
                err() << "snippet_harness: " << certs.error << Qt::endl;
                return 1;
            }
            if (a.tls == QLatin1String("ca") || a.tls == QLatin1String("client-ca")) {
                serverArguments << certs.serverTlsArguments();
            } else if (a.tls == QLatin1String("self-signed")) {
                serverArguments << QStringLiteral("--cert") << certs.selfSigned << QStringLiteral("--key")
                                << certs.selfSignedKey;
            } else if (a.tls == QLatin1String("wrong-host")) {
                serverArguments << QStringLiteral("--cert") << certs.wrongHost << QStringLiteral("--key")
                                << certs.wrongHostKey;
            } else {
                err() << "snippet_harness: unknown --tls kind " << a.tls << Qt::endl;
                return 2;
            }
            if (a.tls == QLatin1String("client-ca"))
                serverArguments << QStringLiteral("--client-ca") << certs.clientCa;
            env.insert(QStringLiteral("WSCLIENT_SNIPPET_CA"), certs.ca);
            env.insert(QStringLiteral("WSCLIENT_SNIPPET_CLIENT_CERT"), certs.client);
            env.insert(QStringLiteral("WSCLIENT_SNIPPET_CLIENT_KEY"), certs.clientEncryptedKey);
            env.insert(QStringLiteral("WSCLIENT_SNIPPET_KEY_PASSPHRASE"),
                QString::fromLatin1(TestCertificates::passphrase()));
            secure = true;
        }
        if (a.unixSocket)
            serverArguments << QStringLiteral("--unix") << unixDir.filePath(QStringLiteral("ws.sock"));
        server.emplace(TestServer::python(serverArguments));
        if (!server->skipReason().isEmpty())
            return unavailable(server->skipReason());
        if (!server->isRunning()) {
            err() << "snippet_harness: the server did not start: " << server->errorString() << Qt::endl;
            return 1;
        }
        if (a.unixSocket) {
            env.insert(QStringLiteral("WSCLIENT_SNIPPET_UNIX"), server->unixPath());
        } else {
            QString base = server->url(QStringLiteral("/"), secure).toString();
            if (base.endsWith(QLatin1Char('/')))
                base.chop(1);
            env.insert(QStringLiteral("WSCLIENT_SNIPPET_URL"), base);
        }
    }

    QProcess snippet;
    snippet.setProcessEnvironment(env);
    snippet.setProcessChannelMode(QProcess::MergedChannels);
    snippet.start(a.program, a.programArguments);
    if (!snippet.waitForStarted()) {
        err() << "snippet_harness: cannot start " << a.program << ": " << snippet.errorString() << Qt::endl;
        return 1;
    }
    if (!snippet.waitForFinished(SnippetTimeoutMs)) {
        snippet.kill();
        snippet.waitForFinished();
        err() << "snippet_harness: " << a.program << " did not finish within " << SnippetTimeoutMs << " ms"
              << Qt::endl;
        err() << QString::fromUtf8(snippet.readAll());
        return 1;
    }
    const QString output = QString::fromUtf8(snippet.readAll());
    const QStringList got = lines(output);
    QTextStream out(stdout);
    out << output;
    if (snippet.exitStatus() != QProcess::NormalExit || snippet.exitCode() != 0) {
        err() << "snippet_harness: " << a.program << " exited with " << snippet.exitCode() << Qt::endl;
        return 1;
    }
    if (!matches(expected, 0, got, 0)) {
        err() << "snippet_harness: the output differs from " << a.expect << "; expected:\n"
              << expected.join(QLatin1Char('\n')) << Qt::endl;
        if (server)
            err() << "server log:\n" << server->log() << Qt::endl;
        return 1;
    }
    return 0;
}
