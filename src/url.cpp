#include <WsClient/url.h>

namespace WsClient {

namespace {

ParsedUrl invalidUrl(const QString &why)
{
    ParsedUrl parsed;
    parsed.error = Error::InvalidUrl;
    parsed.errorString = why;
    return parsed;
}

// QUrl's message without its "; source was ..." dump of every component, which we replace with
// the text itself.
QString malformedUrlMessage(const QString &text, const QString &qurlError)
{
    const qsizetype dump = qurlError.indexOf(QLatin1String("; source was"));
    const QString cause = dump < 0 ? qurlError : qurlError.left(dump);
    return QStringLiteral("malformed URL \"%1\": %2").arg(text, cause);
}

// Everything but the resource; the caller has checked that url is valid and not empty.
ParsedUrl parseSchemeAndAuthority(const QUrl &url)
{
    const QString scheme = url.scheme(); // QUrl lowercases the scheme
    if (scheme.isEmpty())
        return invalidUrl(
            QStringLiteral("\"%1\" has no scheme: use ws:// or wss://").arg(url.toDisplayString()));
    if (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))
        return invalidUrl(QStringLiteral("unsupported scheme '%1': use ws:// or wss://").arg(scheme));
    if (url.host().isEmpty())
        return invalidUrl(QStringLiteral("\"%1\" has no host").arg(url.toDisplayString()));
    if (url.port() == 0)
        return invalidUrl(QStringLiteral("\"%1\" has port 0").arg(url.toDisplayString()));
    if (url.hasFragment())
        return invalidUrl(
            QStringLiteral("\"%1\" has a fragment, which RFC 6455 §3 does not allow in a WebSocket URL")
                .arg(url.toDisplayString()));

    ParsedUrl parsed;
    parsed.secure = scheme == QLatin1String("wss");
    // Names in ACE form so the Host header and proxy requests stay ASCII; IPv6 literals decoded
    // so that a zone ID reads "%eth0" as QHostAddress expects.
    const QString host = url.host();
    parsed.host = host.contains(QLatin1Char(':')) ? host : url.host(QUrl::EncodeUnicode);
    parsed.hasExplicitPort = url.port() != -1;
    parsed.port = quint16(parsed.hasExplicitPort ? url.port() : parsed.secure ? 443 : 80);
    return parsed;
}

QByteArray resourceFromPathAndQuery(QByteArray path, const QByteArray &query, bool hasQuery)
{
    if (!path.startsWith('/'))
        path.prepend('/');
    if (hasQuery)
        path += '?' + query;
    return path;
}

// The text as sent on the request line: ASCII as given (escapes untouched), the UTF-8 of
// anything else percent-encoded.
QByteArray percentEncodeNonAscii(QStringView text)
{
    static constexpr char Hex[] = "0123456789ABCDEF";
    const QByteArray utf8 = text.toUtf8();
    QByteArray encoded;
    encoded.reserve(utf8.size());
    for (const char c : utf8) {
        const auto byte = uchar(c);
        if (byte < 0x80) {
            encoded += c;
        } else {
            encoded += '%';
            encoded += Hex[byte >> 4];
            encoded += Hex[byte & 0xF];
        }
    }
    return encoded;
}

} // namespace

QString ParsedUrl::hostAndPort(bool alwaysWithPort) const
{
    QString result = host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    if (alwaysWithPort || !isDefaultPort())
        result += QLatin1Char(':') + QString::number(port);
    return result;
}

ParsedUrl parseUrl(const QUrl &url)
{
    if (url.isEmpty())
        return invalidUrl(QStringLiteral("empty URL"));
    if (!url.isValid())
        return invalidUrl(QStringLiteral("malformed URL: ") + url.errorString()); // it quotes the source
    ParsedUrl parsed = parseSchemeAndAuthority(url);
    if (parsed.isValid())
        parsed.resource = resourceFromPathAndQuery(url.path(QUrl::FullyEncoded).toLatin1(),
            url.query(QUrl::FullyEncoded).toLatin1(), url.hasQuery());
    return parsed;
}

ParsedUrl parseUrl(const QString &url)
{
    if (url.isEmpty())
        return invalidUrl(QStringLiteral("empty URL"));
    const QUrl parsedText(url, QUrl::StrictMode);
    if (!parsedText.isValid())
        return invalidUrl(malformedUrlMessage(url, parsedText.errorString()));
    ParsedUrl parsed = parseSchemeAndAuthority(parsedText);
    if (!parsed.isValid())
        return parsed;

    // QUrl normalises escapes (%7e becomes ~, %2f becomes %2F); servers get the path and query
    // exactly as written. A valid URL with a host starts "scheme://", and its authority holds
    // none of '/', '?', '#'; there is no '#' at all since fragments were rejected.
    qsizetype resourceStart = url.indexOf(QLatin1String("://")) + 3;
    while (resourceStart < url.size() && url[resourceStart] != QLatin1Char('/')
        && url[resourceStart] != QLatin1Char('?'))
        ++resourceStart;
    const QByteArray resource = percentEncodeNonAscii(QStringView(url).sliced(resourceStart));
    parsed.resource = resource.startsWith('/') ? resource : '/' + resource;
    return parsed;
}

} // namespace WsClient
