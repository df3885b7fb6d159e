#include "httpstate.h"

#include <QtCore/qset.h>

namespace WsClient::Protocol {

namespace {

// The names in a Cookie value "a=1; b=2" (cookie names are case-sensitive, RFC 6265 §5.4).
QSet<QByteArray> cookieNames(QByteArrayView value)
{
    QSet<QByteArray> names;
    for (const QByteArray &pair : value.toByteArray().split(';')) {
        const qsizetype equals = pair.indexOf('=');
        const QByteArray name
            = trimmedOws(equals < 0 ? QByteArrayView(pair) : QByteArrayView(pair).first(equals))
                  .toByteArray();
        if (!name.isEmpty())
            names.insert(name);
    }
    return names;
}

} // namespace

QUrl httpUrlFor(const ParsedUrl &url, bool withResource)
{
    QByteArray text = url.secure ? QByteArrayLiteral("https://") : QByteArrayLiteral("http://");
    text += url.hostAndPort().toUtf8();
    text += withResource && !url.resource.isEmpty() ? url.resource : QByteArrayLiteral("/");
    return QUrl::fromEncoded(text);
}

QByteArray mergedCookieHeader(QByteArrayView explicitValue, const QList<QByteArray> &jarPairs)
{
    QByteArray header = trimmedOws(explicitValue).toByteArray();
    while (header.endsWith(';')) // "a=1;" given by hand must not become "a=1;; b=2"
        header = trimmedOws(header.chopped(1)).toByteArray();
    const QSet<QByteArray> explicitNames = cookieNames(header);
    for (const QByteArray &pair : jarPairs) {
        const qsizetype equals = pair.indexOf('=');
        if (pair.isEmpty() || explicitNames.contains(equals < 0 ? pair : pair.left(equals)))
            continue;
        if (!header.isEmpty())
            header += "; ";
        header += pair;
    }
    return header;
}

QList<QByteArray> setCookieValues(const HeaderList &headers)
{
    QList<QByteArray> values;
    for (const auto &field : headers) {
        if (equalsIgnoringCase(field.first, "Set-Cookie") && !field.second.isEmpty())
            values.append(field.second);
    }
    return values;
}

} // namespace WsClient::Protocol
