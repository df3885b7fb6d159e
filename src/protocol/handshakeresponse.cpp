#include "handshakeresponse.h"

#include "handshakerequest.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace WsClient::Protocol {

namespace {

constexpr QByteArrayView HttpPrefix("HTTP/");

QString quoted(QByteArrayView text)
{
    return QLatin1Char('\'') + printableExcerpt(text) + QLatin1Char('\'');
}

// The line without its LF and optional CR; *pos moves past the LF, which a complete head has.
QByteArrayView nextLine(QByteArrayView head, qsizetype *pos)
{
    const qsizetype lf = head.indexOf('\n', *pos);
    QByteArrayView line = head.sliced(*pos, lf - *pos);
    *pos = lf + 1;
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// A Content-Length item: digits only, no sign, no overflow; -1 otherwise.
qint64 parseLength(QByteArrayView text)
{
    constexpr qint64 Max = std::numeric_limits<qint64>::max();
    qint64 value = 0;
    for (const char c : text) {
        if (!isDigit(c))
            return -1;
        const int digit = c - '0';
        if (value > (Max - digit) / 10)
            return -1;
        value = value * 10 + digit;
    }
    return text.isEmpty() ? -1 : value;
}

bool isRedirectStatus(int code)
{
    return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

HandshakeOutcome invalid(Error error, const QString &why)
{
    HandshakeOutcome outcome;
    outcome.kind = ResponseKind::Invalid;
    outcome.error = error;
    outcome.errorString = why;
    return outcome;
}

QString statusText(const HandshakeResponseParser &response)
{
    QString text = QString::number(response.statusCode());
    if (!response.reasonPhrase().isEmpty())
        text += QLatin1Char(' ') + printableExcerpt(response.reasonPhrase());
    return text;
}

QString missingTokenProblem(const HeaderList &headers, const char *name, const char *token)
{
    const QByteArray value = combinedHeaderValue(headers, name);
    if (value.isNull())
        return QStringLiteral("%1 header missing: expected '%2'")
            .arg(QLatin1String(name), QLatin1String(token));
    if (!headerHasToken(headers, name, token))
        return QStringLiteral("%1 header %2 lacks '%3'")
            .arg(QLatin1String(name), quoted(value), QLatin1String(token));
    return QString();
}

// A null string when the upgrade fields of a 101 are right (RFC 6455 §4.1, client steps 2–4).
QString upgradeProblem(const HeaderList &headers, const QByteArray &key)
{
    QString problem = missingTokenProblem(headers, "Upgrade", "websocket");
    if (problem.isNull())
        problem = missingTokenProblem(headers, "Connection", "Upgrade");
    if (!problem.isNull())
        return problem;
    const QByteArray expectedAccept = computeAcceptKey(key);
    // A single value, not a list (RFC 6455 §11.3.3: it must not appear more than once): a repeat is
    // an error even when one of the fields is right, or empty.
    const qsizetype acceptFields = std::count_if(headers.cbegin(), headers.cend(),
        [](const auto &field) { return equalsIgnoringCase(field.first, "Sec-WebSocket-Accept"); });
    if (acceptFields > 1)
        return QStringLiteral("Sec-WebSocket-Accept repeated %1 times: expected it once, with %2")
            .arg(acceptFields)
            .arg(QLatin1String(expectedAccept));
    const QByteArray accept = headerValue(headers, "Sec-WebSocket-Accept");
    if (accept.isNull())
        return QStringLiteral("Sec-WebSocket-Accept missing: expected %1").arg(QLatin1String(expectedAccept));
    if (accept != expectedAccept)
        return QStringLiteral("Sec-WebSocket-Accept mismatch: expected %1, got %2")
            .arg(QLatin1String(expectedAccept), printableExcerpt(accept));
    return QString();
}

QString subprotocolProblem(const QByteArray &chosen, const QStringList &offered)
{
    if (chosen.isNull() || offered.contains(QString::fromUtf8(chosen)))
        return QString();
    const QString offers = offered.isEmpty()
        ? QStringLiteral("none was offered")
        : QStringLiteral("offered: ") + offered.join(QLatin1String(", "));
    return QStringLiteral("Sec-WebSocket-Protocol %1 was not offered (%2)").arg(quoted(chosen), offers);
}

// Only the names are checked here: the parameters belong to each extension's own negotiation.
QString extensionsProblem(const QByteArray &accepted, const QList<QByteArray> &offered)
{
    QByteArrayView unexpected;
    findListItem(accepted, [&](QByteArrayView item) {
        const qsizetype semicolon = item.indexOf(';');
        const QByteArrayView name = trimmedOws(semicolon < 0 ? item : item.first(semicolon));
        const bool wasOffered = std::any_of(offered.cbegin(), offered.cend(),
            [name](const QByteArray &offer) { return equalsIgnoringCase(offer, name); });
        if (!wasOffered)
            unexpected = name;
        return !wasOffered;
    });
    if (unexpected.isNull())
        return QString();
    QStringList offers;
    for (const QByteArray &offer : offered)
        offers.append(printableExcerpt(offer));
    return QStringLiteral("Sec-WebSocket-Extensions %1 was not offered (%2)")
        .arg(quoted(unexpected),
            offers.isEmpty() ? QStringLiteral("none was offered")
                             : QStringLiteral("offered: ") + offers.join(QLatin1String(", ")));
}

HandshakeOutcome evaluateUpgrade(const HeaderList &headers, const HandshakeExpectations &expected)
{
    QString problem = upgradeProblem(headers, expected.key);
    const QByteArray subprotocol = combinedHeaderValue(headers, "Sec-WebSocket-Protocol");
    if (problem.isNull())
        problem = subprotocolProblem(subprotocol, expected.subprotocols);
    const QByteArray extensions = combinedHeaderValue(headers, "Sec-WebSocket-Extensions");
    if (problem.isNull())
        problem = extensionsProblem(extensions, expected.extensions);
    if (!problem.isNull())
        return invalid(Error::Handshake, problem);

    HandshakeOutcome outcome;
    outcome.kind = ResponseKind::Upgrade;
    outcome.subprotocol = QString::fromUtf8(subprotocol);
    outcome.extensions = extensions;
    return outcome;
}

HandshakeOutcome evaluateRedirect(
    const HandshakeResponseParser &response, const HandshakeExpectations &expected)
{
    const QByteArray location = headerValue(response.headers(), "Location");
    if (location.isEmpty())
        return invalid(Error::Handshake,
            QStringLiteral("Redirect status %1 without a Location header").arg(statusText(response)));
    QUrl target(QString::fromUtf8(location));
    if (!target.isValid())
        return invalid(Error::Handshake,
            QStringLiteral("Redirect to an invalid Location %1: %2")
                .arg(quoted(location), target.errorString()));
    if (target.isRelative()) {
        if (!expected.requestUrl.isValid() || expected.requestUrl.isRelative())
            return invalid(Error::Handshake,
                QStringLiteral("Redirect to a relative Location %1 without a request URL to resolve it")
                    .arg(quoted(location)));
        target = expected.requestUrl.resolved(target);
    }
    const QString scheme = target.scheme();
    if (scheme == QLatin1String("http"))
        target.setScheme(QStringLiteral("ws"));
    else if (scheme == QLatin1String("https"))
        target.setScheme(QStringLiteral("wss"));
    else if (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))
        return invalid(Error::Handshake,
            QStringLiteral("Redirect to unsupported scheme '%1' (Location %2)")
                .arg(scheme, quoted(location)));
    target.setFragment(QString()); // a WebSocket URL has none; it only matters to the client anyway

    HandshakeOutcome outcome;
    outcome.kind = ResponseKind::Redirect;
    outcome.redirectUrl = target;
    return outcome;
}

} // namespace

HandshakeResponseParser::HandshakeResponseParser(qsizetype maxHeaderSize) : m_maxHeaderSize(maxHeaderSize) { }

HandshakeResponseParser::Status HandshakeResponseParser::feed(QByteArrayView data, qsizetype *consumed)
{
    const qsizetype taken = m_status == Status::NeedMore ? take(data) : 0;
    if (consumed)
        *consumed = taken;
    return m_status;
}

// Scans only the new bytes for the blank line ending the head, never past the size limit, so
// byte-by-byte input costs linear time and an endless head fails as soon as it is too long.
qsizetype HandshakeResponseParser::take(QByteArrayView data)
{
    if (!startsLikeHttp(data)) {
        // More than printableExcerpt shows, so that a cut is marked.
        QByteArray received = m_pending + data.first(qMin<qsizetype>(data.size(), 80));
        const qsizetype lineEnd = received.indexOf('\n');
        if (lineEnd >= 0)
            received.truncate(lineEnd);
        fail(QStringLiteral("expected an HTTP/1.1 response, got %1").arg(quoted(received)));
        return 0;
    }

    const qsizetype room = qMax<qsizetype>(0, m_maxHeaderSize - m_pending.size());
    const qsizetype scanEnd = qMin(data.size(), room);
    qsizetype lineStart = 0;
    while (lineStart < scanEnd) {
        const void *found = std::memchr(data.data() + lineStart, '\n', size_t(scanEnd - lineStart));
        if (!found)
            break;
        const qsizetype lf = static_cast<const char *>(found) - data.data();
        const qsizetype lineLength = m_lineLength + (lf - lineStart);
        const bool blank = lineLength == 0
            || (lineLength == 1 && (lf > lineStart ? data[lf - 1] : m_pending.back()) == '\r');
        m_lineLength = 0;
        lineStart = lf + 1;
        if (blank) {
            completeHead(data.first(lineStart));
            return lineStart;
        }
    }
    if (scanEnd < data.size()) {
        fail(QStringLiteral("response header exceeds %1 bytes").arg(m_maxHeaderSize));
        return scanEnd;
    }
    m_lineLength += data.size() - lineStart;
    m_pending.append(data);
    return data.size();
}

void HandshakeResponseParser::completeHead(QByteArrayView end)
{
    bool parsed;
    if (m_pending.isEmpty()) { // the usual case: the whole head in one read, parsed in place
        parsed = parseHead(end);
    } else {
        m_pending.append(end);
        parsed = parseHead(m_pending);
    }
    m_pending = QByteArray();
    if (parsed)
        m_status = Status::Complete;
}

// Fails at the first byte that cannot start "HTTP/", so that talking to something else (a TLS
// port, an SSH server) is reported at once rather than after the size limit or a timeout.
bool HandshakeResponseParser::startsLikeHttp(QByteArrayView data) const
{
    const qsizetype have = m_pending.size();
    if (have >= HttpPrefix.size())
        return true;
    const qsizetype n = qMin(HttpPrefix.size() - have, data.size());
    return data.first(n) == HttpPrefix.sliced(have, n);
}

bool HandshakeResponseParser::parseHead(QByteArrayView head)
{
    qsizetype pos = 0;
    bool statusLine = true;
    for (QByteArrayView line = nextLine(head, &pos); !line.isEmpty() || statusLine;
         line = nextLine(head, &pos)) {
        if (line.contains('\r') || line.contains('\0')) {
            fail(QStringLiteral("response line %1 contains a bare CR or NUL").arg(quoted(line)));
            return false;
        }
        if (!(statusLine ? parseStatusLine(line) : parseFieldLine(line)))
            return false;
        statusLine = false;
    }
    return true;
}

// status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4); the SP before
// an empty reason is often left out, so it is optional.
bool HandshakeResponseParser::parseStatusLine(QByteArrayView line)
{
    constexpr qsizetype VersionLength = 8; // HTTP/1.x
    const bool wellFormed = line.size() >= VersionLength + 4 && line.startsWith("HTTP/1.") && isDigit(line[7])
        && line[8] == ' ' && isDigit(line[9]) && line[9] != '0' && isDigit(line[10]) && isDigit(line[11])
        && (line.size() == 12 || line[12] == ' ');
    if (!wellFormed) {
        fail(QStringLiteral("malformed HTTP status line %1").arg(quoted(line)));
        return false;
    }
    m_version = line.first(VersionLength).toByteArray();
    m_statusCode = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    m_reason = line.size() > 13 ? line.sliced(13).toByteArray() : QByteArray("");
    return true;
}

// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5).
bool HandshakeResponseParser::parseFieldLine(QByteArrayView line)
{
    if (line.startsWith(' ') || line.startsWith('\t')) {
        fail(QStringLiteral("obsolete line folding in response header line %1").arg(quoted(line)));
        return false;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon < 0) {
        fail(QStringLiteral("response header line without ':': %1").arg(quoted(line)));
        return false;
    }
    const QByteArrayView name = line.first(colon);
    if (name.isEmpty()) {
        fail(QStringLiteral("response header line with an empty name: %1").arg(quoted(line)));
        return false;
    }
    if (!isHttpToken(name)) {
        fail(QStringLiteral("invalid response header name %1").arg(quoted(name)));
        return false;
    }
    m_headers.append({ name.toByteArray(), trimmedOws(line.sliced(colon + 1)).toByteArray() });
    return true;
}

void HandshakeResponseParser::fail(const QString &why)
{
    m_status = Status::Failed;
    m_error = Error::Handshake;
    m_errorString = why;
    m_pending = QByteArray();
}

qint64 HandshakeResponseParser::contentLength() const
{
    qint64 length = -1;
    bool conflict = false;
    for (const auto &field : m_headers) {
        if (!equalsIgnoringCase(field.first, "Content-Length"))
            continue;
        // "Content-Length: 5, 5" is allowed (RFC 9110 §8.6), differing or invalid items are not.
        const bool bad = field.second.isEmpty() || findListItem(field.second, [&](QByteArrayView item) {
            const qint64 value = parseLength(item);
            if (value < 0 || (length >= 0 && value != length))
                return true;
            length = value;
            return false;
        });
        conflict = conflict || bad;
    }
    return conflict ? -1 : length;
}

void HandshakeResponseParser::reset()
{
    *this = HandshakeResponseParser(m_maxHeaderSize);
}

HandshakeOutcome evaluateHandshake(
    const HandshakeResponseParser &response, const HandshakeExpectations &expected)
{
    if (response.status() != HandshakeResponseParser::Status::Complete) {
        return invalid(Error::Handshake,
            response.status() == HandshakeResponseParser::Status::Failed
                ? response.errorString()
                : QStringLiteral("incomplete response header"));
    }
    const int code = response.statusCode();
    if (code == 101)
        return evaluateUpgrade(response.headers(), expected);
    if (isRedirectStatus(code))
        return evaluateRedirect(response, expected);

    HandshakeOutcome outcome;
    outcome.kind = ResponseKind::BadStatus;
    outcome.error = Error::BadStatus;
    outcome.errorString = QStringLiteral("Handshake status ") + statusText(response);
    return outcome;
}

} // namespace WsClient::Protocol
