#include "dumpoptions.h"

#include <WsClient/wsclient_global.h>

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qfile.h>
#include <QtCore/qregularexpression.h>

#include <cmath>

namespace {

const QString VerboseLong = QStringLiteral("--verbose");
const QString SubprotocolsLong = QStringLiteral("--subprotocols");

bool isOptionLike(const QString &argument)
{
    return argument.startsWith(QLatin1Char('-')) && argument.size() > 1;
}

bool isUrlLike(const QString &argument)
{
    return argument.contains(QLatin1String("://"));
}

bool isCount(const QString &argument)
{
    static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
    return digits.match(argument).hasMatch();
}

/*
    QCommandLineParser knows neither optional values nor options taking several values; argparse,
    which the seed's wsdump uses, has both (-v [VERBOSE], -s [SUBPROTOCOLS ...]). They are rewritten
    into forms it knows: "-v" -> "--verbose=1", "-v 2" / "-vv" -> "--verbose=2", "-s a b" -> "--subprotocols=a
    --subprotocols=b" (values run until the next option or the URL).
*/
QStringList normalizeArguments(const QStringList &arguments)
{
    QStringList out;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == QLatin1String("--")) {
            out << arguments.mid(i);
            break;
        }
        if (i == 0) {
            out << argument;
            continue;
        }
        if (argument == QLatin1String("-v") || argument == VerboseLong) {
            if (i + 1 < arguments.size() && isCount(arguments.at(i + 1)))
                out << VerboseLong + QLatin1Char('=') + arguments.at(++i);
            else
                out << VerboseLong + QStringLiteral("=1");
        } else if (argument == QLatin1String("-vv")) {
            out << VerboseLong + QStringLiteral("=2");
        } else if (argument == QLatin1String("-s") || argument == SubprotocolsLong) {
            while (i + 1 < arguments.size() && !isOptionLike(arguments.at(i + 1))
                && !isUrlLike(arguments.at(i + 1)))
                out << SubprotocolsLong + QLatin1Char('=') + arguments.at(++i);
        } else {
            out << argument;
        }
    }
    return out;
}

bool parseSeconds(const QString &text, int *msecs)
{
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    if (!ok || !std::isfinite(seconds) || seconds < 0 || seconds > 86400.0 * 365)
        return false;
    *msecs = int(std::lround(seconds * 1000));
    return true;
}

// "K: V,K2: V2" -> {"K: V", "K2: V2"}
QList<QByteArray> splitHeaders(const QString &text)
{
    QList<QByteArray> lines;
    const QStringList parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        const QString line = part.trimmed();
        if (!line.isEmpty())
            lines << line.toUtf8();
    }
    return lines;
}

bool parseHex(const QString &text, QByteArray *bytes)
{
    QString digits = text;
    digits.remove(QRegularExpression(QStringLiteral("[\\s:]")));
    if (digits.startsWith(QLatin1String("0x"), Qt::CaseInsensitive))
        digits.remove(0, 2);
    static const QRegularExpression hex(QStringLiteral("^([0-9a-fA-F]{2})*$"));
    if (!hex.match(digits).hasMatch())
        return false;
    *bytes = QByteArray::fromHex(digits.toLatin1());
    return true;
}

bool isSendableCloseCode(uint code)
{
    return code == 1000 || code == 1001 || code == 1002 || code == 1003 || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
}

struct Parser
{
    QCommandLineParser parser;
    QCommandLineOption proxy { { QStringLiteral("p"), QStringLiteral("proxy") },
        QStringLiteral("Proxy URL: http://, socks4://, socks4a://, socks5://, socks5h://, with user:pass@."),
        QStringLiteral("PROXY") };
    QCommandLineOption verbose { { QStringLiteral("v"), QStringLiteral("verbose") },
        QStringLiteral("Verbose level: 1 (default when given) shows opcodes, 2 also the library trace."),
        QStringLiteral("VERBOSE") };
    QCommandLineOption noCert { { QStringLiteral("n"), QStringLiteral("nocert") },
        QStringLiteral("Ignore invalid TLS certificates and host names.") };
    QCommandLineOption raw { { QStringLiteral("r"), QStringLiteral("raw") },
        QStringLiteral("Raw output: messages only, no prompt or decoration.") };
    QCommandLineOption subprotocols { { QStringLiteral("s"), QStringLiteral("subprotocols") },
        QStringLiteral("Subprotocols to offer (several may follow -s)."), QStringLiteral("SUBPROTOCOLS") };
    QCommandLineOption origin { { QStringLiteral("o"), QStringLiteral("origin") },
        QStringLiteral("Origin header value."), QStringLiteral("ORIGIN") };
    QCommandLineOption eofWait { QStringLiteral("eof-wait"),
        QStringLiteral("Seconds to keep receiving after stdin ends, then close."),
        QStringLiteral("EOF_WAIT") };
    QCommandLineOption text { { QStringLiteral("t"), QStringLiteral("text") },
        QStringLiteral("Text message sent first."), QStringLiteral("TEXT") };
    QCommandLineOption timings { QStringLiteral("timings"),
        QStringLiteral("Prefix each received message with the seconds since start.") };
    QCommandLineOption headers { QStringLiteral("headers"),
        QStringLiteral("Extra request headers, comma separated: \"K: V,K2: V2\"."),
        QStringLiteral("HEADERS") };
    QCommandLineOption compress { QStringLiteral("compress"),
        QStringLiteral("Offer permessage-deflate compression (RFC 7692).") };
    QCommandLineOption pingInterval { QStringLiteral("ping-interval"),
        QStringLiteral("Send a ping every S seconds."), QStringLiteral("S") };
    QCommandLineOption binaryHex { QStringLiteral("binary-hex"),
        QStringLiteral("Binary message sent first, as hex digits."), QStringLiteral("HEX") };
    QCommandLineOption binaryFile { QStringLiteral("binary-file"),
        QStringLiteral("Binary message sent first: the contents of FILE."), QStringLiteral("FILE") };
    QCommandLineOption maxSize { QStringLiteral("max-size"),
        QStringLiteral("Largest incoming message in bytes (default 64 MiB)."), QStringLiteral("BYTES") };
    QCommandLineOption timeout { QStringLiteral("timeout"),
        QStringLiteral("Seconds allowed for opening: lookup, TCP, proxy, TLS and the handshake "
                       "(default 10, 0: no limit)."),
        QStringLiteral("S") };
    QCommandLineOption quiet { { QStringLiteral("q"), QStringLiteral("quiet") },
        QStringLiteral("No informational messages on stderr.") };
    QCommandLineOption closeCode { QStringLiteral("close-code"),
        QStringLiteral("Close code sent on exit (default 1000)."), QStringLiteral("N") };
    QCommandLineOption closeReason { QStringLiteral("close-reason"),
        QStringLiteral("Close reason sent on exit."), QStringLiteral("TEXT") };
    QCommandLineOption help = parser.addHelpOption();
    // Long form only: -v is --verbose, as in the seed.
    QCommandLineOption version { QStringLiteral("version"), QStringLiteral("Displays version information.") };

    Parser()
    {
        parser.setApplicationDescription(QStringLiteral(
            "WebSocket Simple Dump Tool\n\n"
            "wsdump [-h] [-p PROXY] [-v [VERBOSE]] [-n] [-r] [-s [SUBPROTOCOLS ...]] [-o ORIGIN]\n"
            "       [--eof-wait EOF_WAIT] [-t TEXT] [--timings] [--headers HEADERS] ws_url\n\n"
            "Each line typed (or read from a pipe) is sent as a text message; received messages are\n"
            "printed (binary as hex, or decoded when gzip/zlib/deflate data)."));
        parser.addOptions(
            { proxy, verbose, noCert, raw, subprotocols, origin, eofWait, text, timings, headers, compress,
                pingInterval, binaryHex, binaryFile, maxSize, timeout, quiet, closeCode, closeReason, version });
        parser.addPositionalArgument(
            QStringLiteral("ws_url"), QStringLiteral("WebSocket URL (ws:// or wss://)."));
    }
};

QString usageError(const QString &message)
{
    return message + QStringLiteral(" (see wsdump --help)");
}

// Fills options from the parsed values; returns the error, empty when all are valid.
QString readValues(const Parser &p, DumpOptions &options)
{
    const QCommandLineParser &parser = p.parser;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usageError(QStringLiteral("the following argument is required: ws_url"));
    if (positional.size() > 1)
        return usageError(
            QStringLiteral("unexpected arguments: ") + positional.mid(1).join(QLatin1Char(' ')));
    options.url = QUrl(positional.first(), QUrl::StrictMode);
    if (!options.url.isValid())
        return QStringLiteral("invalid URL: ") + positional.first();

    options.proxy = parser.value(p.proxy);
    if (parser.isSet(p.verbose)) {
        bool ok = false;
        options.verbose = parser.value(p.verbose).toInt(&ok);
        if (!ok || options.verbose < 0)
            return usageError(QStringLiteral("invalid verbose level: ") + parser.value(p.verbose));
    }
    options.noCertificateCheck = parser.isSet(p.noCert);
    options.raw = parser.isSet(p.raw);
    options.quiet = parser.isSet(p.quiet);
    for (const QString &value : parser.values(p.subprotocols))
        options.subprotocols << value.split(QLatin1Char(','), Qt::SkipEmptyParts);
    options.origin = parser.value(p.origin).toUtf8();
    for (const QString &value : parser.values(p.headers))
        options.headers << splitHeaders(value);
    if (parser.isSet(p.eofWait) && !parseSeconds(parser.value(p.eofWait), &options.eofWaitMs))
        return usageError(QStringLiteral("invalid --eof-wait: ") + parser.value(p.eofWait));
    options.hasText = parser.isSet(p.text);
    options.text = parser.value(p.text);
    options.timings = parser.isSet(p.timings);
    options.compress = parser.isSet(p.compress);
    if (parser.isSet(p.pingInterval)
        && (!parseSeconds(parser.value(p.pingInterval), &options.pingIntervalMs)
            || options.pingIntervalMs <= 0))
        return usageError(QStringLiteral("invalid --ping-interval: ") + parser.value(p.pingInterval));
    if (parser.isSet(p.binaryHex) && parser.isSet(p.binaryFile))
        return usageError(QStringLiteral("--binary-hex and --binary-file exclude each other"));
    if (parser.isSet(p.binaryHex)) {
        options.hasBinary = true;
        if (!parseHex(parser.value(p.binaryHex), &options.binary))
            return usageError(
                QStringLiteral("invalid --binary-hex (pairs of hex digits): ") + parser.value(p.binaryHex));
    }
    if (parser.isSet(p.binaryFile)) {
        QFile file(parser.value(p.binaryFile));
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString());
        options.hasBinary = true;
        options.binary = file.readAll();
    }
    if (parser.isSet(p.maxSize)) {
        bool ok = false;
        options.maxSize = parser.value(p.maxSize).toLongLong(&ok);
        if (!ok || options.maxSize <= 0)
            return usageError(QStringLiteral("invalid --max-size: ") + parser.value(p.maxSize));
    }
    if (parser.isSet(p.timeout) && !parseSeconds(parser.value(p.timeout), &options.openTimeoutMs))
        return usageError(QStringLiteral("invalid --timeout: ") + parser.value(p.timeout));
    if (parser.isSet(p.closeCode)) {
        bool ok = false;
        const uint code = parser.value(p.closeCode).toUInt(&ok);
        if (!ok || !isSendableCloseCode(code))
            return usageError(QStringLiteral("invalid --close-code (1000-1003, 1007-1014, 3000-4999): ")
                + parser.value(p.closeCode));
        options.closeCode = quint16(code);
    }
    options.closeReason = parser.value(p.closeReason);
    if (options.closeReason.toUtf8().size() > 123)
        return usageError(QStringLiteral("--close-reason is longer than 123 bytes"));
    return QString();
}

} // namespace

ParsedCommandLine parseCommandLine(const QStringList &arguments)
{
    ParsedCommandLine result;
    Parser p;
    if (!p.parser.parse(normalizeArguments(arguments))) {
        result.outcome = ParsedCommandLine::Outcome::Error;
        result.text = usageError(p.parser.errorText());
        return result;
    }
    if (p.parser.isSet(p.help)) {
        result.outcome = ParsedCommandLine::Outcome::ShowHelp;
        result.text = p.parser.helpText();
        return result;
    }
    if (p.parser.isSet(p.version)) {
        result.outcome = ParsedCommandLine::Outcome::ShowVersion;
        result.text = QStringLiteral("wsdump (WsClient) " WSCLIENT_VERSION_STR "\n");
        return result;
    }
    result.text = readValues(p, result.options);
    if (!result.text.isEmpty())
        result.outcome = ParsedCommandLine::Outcome::Error;
    return result;
}
