#include "httpresponse.h"

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

} // namespace

HttpResponseParser::HttpResponseParser(qsizetype maxHeaderSize) : m_maxHeaderSize(maxHeaderSize) { }

HttpResponseParser::Status HttpResponseParser::feed(QByteArrayView data, qsizetype *consumed)
{
    const qsizetype taken = m_status == Status::NeedMore ? take(data) : 0;
    if (consumed)
        *consumed = taken;
    return m_status;
}

// Scans only the new bytes for the blank line ending the head, never past the size limit, so
// byte-by-byte input costs linear time and an endless head fails as soon as it is too long.
qsizetype HttpResponseParser::take(QByteArrayView data)
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

void HttpResponseParser::completeHead(QByteArrayView end)
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
bool HttpResponseParser::startsLikeHttp(QByteArrayView data) const
{
    const qsizetype have = m_pending.size();
    if (have >= HttpPrefix.size())
        return true;
    const qsizetype n = qMin(HttpPrefix.size() - have, data.size());
    return data.first(n) == HttpPrefix.sliced(have, n);
}

bool HttpResponseParser::parseHead(QByteArrayView head)
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
bool HttpResponseParser::parseStatusLine(QByteArrayView line)
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
bool HttpResponseParser::parseFieldLine(QByteArrayView line)
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

void HttpResponseParser::fail(const QString &why)
{
    m_status = Status::Failed;
    m_error = Error::Handshake;
    m_errorString = why;
    m_pending = QByteArray();
}

qint64 HttpResponseParser::contentLength() const
{
    qint64 length = -1;
    bool conflict = false;
    for (const auto &field : headers()) {
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

void HttpResponseParser::compact()
{
    if (m_status != Status::Complete || !m_compactHead.isEmpty())
        return;
    QByteArray head = m_version + ' ' + QByteArray::number(m_statusCode) + ' ' + m_reason + "\r\n";
    for (const auto &field : qAsConst(m_headers))
        head += field.first + ": " + field.second + "\r\n";
    m_compactHead = head + "\r\n";
    m_compactHead.squeeze();
    m_headers = HeaderList();
    m_version = QByteArray();
    m_reason = QByteArray();
}

// The head compact() kept, parsed again (it parsed once, so it parses again).
static HttpResponseParser reparsed(const QByteArray &head)
{
    HttpResponseParser parser(head.size());
    parser.feed(head);
    return parser;
}

QByteArray HttpResponseParser::reasonPhrase() const
{
    return m_compactHead.isEmpty() ? m_reason : reparsed(m_compactHead).reasonPhrase();
}

QByteArray HttpResponseParser::httpVersion() const
{
    return m_compactHead.isEmpty() ? m_version : reparsed(m_compactHead).httpVersion();
}

HeaderList HttpResponseParser::headers() const
{
    return m_compactHead.isEmpty() ? m_headers : reparsed(m_compactHead).headers();
}

void HttpResponseParser::reset()
{
    *this = HttpResponseParser(m_maxHeaderSize);
}

} // namespace WsClient::Protocol
