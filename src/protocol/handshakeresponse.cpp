#include "handshakeresponse.h"

#include "handshakerequest.h"

#include <algorithm>

namespace WsClient::Protocol {

namespace {

QString quoted(QByteArrayView text)
{
    return QLatin1Char('\'') + printableExcerpt(text) + QLatin1Char('\'');
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

QString statusText(const HttpResponseParser &response)
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
    const HttpResponseParser &response, const HandshakeExpectations &expected)
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

HandshakeOutcome evaluateHandshake(
    const HttpResponseParser &response, const HandshakeExpectations &expected)
{
    if (response.status() != HttpResponseParser::Status::Complete) {
        return invalid(Error::Handshake,
            response.status() == HttpResponseParser::Status::Failed
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
