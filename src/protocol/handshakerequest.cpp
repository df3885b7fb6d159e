#include "handshakerequest.h"

#include <QtCore/qcryptographichash.h>
#include <QtCore/qrandom.h>

#include <vector>

namespace WsClient::Protocol {

namespace {

HandshakeRequest failure(Error error, const QString &why)
{
    HandshakeRequest request;
    request.error = error;
    request.errorString = why;
    return request;
}

QString quoted(QByteArrayView text)
{
    return QLatin1Char('\'') + printableExcerpt(text) + QLatin1Char('\'');
}

// Why the field cannot be written as is, or a null string when it can.
QString fieldProblem(QByteArrayView name, QByteArrayView value)
{
    if (containsLineBreak(name))
        return QStringLiteral("header name %1 contains CR, LF or NUL").arg(quoted(name));
    if (!isHttpToken(name))
        return QStringLiteral("header name %1 is not a valid HTTP token").arg(quoted(name));
    if (containsLineBreak(value))
        return QStringLiteral("header %1 has a value containing CR, LF or NUL: %2")
            .arg(quoted(name), quoted(value));
    // RFC 9110 §5.5: field values hold no control characters other than HTAB.
    for (const char c : value) {
        if ((uchar(c) < 0x20 && c != '\t') || uchar(c) == 0x7F)
            return QStringLiteral("header %1 has a value containing a control character: %2")
                .arg(quoted(name), quoted(value));
    }
    return QString();
}

// The request target must be visible ASCII: anything else would break or smuggle the request line.
QString resourceProblem(QByteArrayView resource)
{
    for (const char c : resource) {
        const auto byte = uchar(c);
        if (byte == '\r' || byte == '\n' || byte == '\0')
            return QStringLiteral("request resource %1 contains CR, LF or NUL").arg(quoted(resource));
        if (byte <= 0x20 || byte >= 0x7F)
            return QStringLiteral("request resource %1 contains a character that must be percent-encoded")
                .arg(quoted(resource));
    }
    return QString();
}

// Subprotocols are sent as a comma-separated list, so each must be a token (RFC 6455 §4.1 item 10).
QString joinSubprotocols(const QStringList &subprotocols, QByteArray *joined)
{
    for (const QString &subprotocol : subprotocols) {
        const QByteArray bytes = subprotocol.toUtf8();
        if (containsLineBreak(bytes))
            return QStringLiteral("header 'Sec-WebSocket-Protocol': subprotocol %1 contains CR, LF or NUL")
                .arg(quoted(bytes));
        if (!isHttpToken(bytes))
            return QStringLiteral("header 'Sec-WebSocket-Protocol': subprotocol %1 is not a valid HTTP token")
                .arg(quoted(bytes));
        if (!joined->isEmpty())
            *joined += ", ";
        *joined += bytes;
    }
    return QString();
}

// The user's fields replace defaults of the same name in place (or remove them when null);
// the others follow the defaults in the order given.
void mergeUserFields(HeaderList *fields, const HeaderList &userFields)
{
    const qsizetype defaultCount = fields->size();
    std::vector<bool> overridden(size_t(defaultCount), false);
    for (const auto &userField : userFields) {
        qsizetype match = 0;
        while (match < defaultCount
            && (overridden[size_t(match)] || !equalsIgnoringCase((*fields)[match].first, userField.first)))
            ++match;
        if (match < defaultCount) {
            overridden[size_t(match)] = true;
            (*fields)[match] = userField; // a null value marks it for removal below
        } else if (!userField.second.isNull()) {
            fields->append(userField);
        }
    }
    fields->removeIf([](const auto &field) { return field.second.isNull(); });
}

QByteArray serialize(QByteArrayView resource, const HeaderList &fields)
{
    static constexpr QByteArrayView Method("GET ");
    static constexpr QByteArrayView Version(" HTTP/1.1\r\n");
    qsizetype size = Method.size() + resource.size() + Version.size() + 2;
    for (const auto &field : fields)
        size += field.first.size() + 2 + field.second.size() + 2;

    QByteArray bytes;
    bytes.reserve(size);
    bytes.append(Method).append(resource).append(Version);
    for (const auto &field : fields)
        bytes.append(field.first).append(": ").append(field.second).append("\r\n");
    bytes.append("\r\n");
    return bytes;
}

} // namespace

HandshakeRequest buildHandshakeRequest(const HandshakeRequestParams &params)
{
    const ParsedUrl &url = params.url;
    if (!url.isValid())
        return failure(
            Error::InvalidUrl, url.errorString.isEmpty() ? QStringLiteral("invalid URL") : url.errorString);
    if (url.host.isEmpty())
        return failure(Error::InvalidUrl, QStringLiteral("the URL has no host"));

    const QByteArray resource = url.resource.isEmpty() ? QByteArray("/") : url.resource;
    QString problem = resourceProblem(resource);
    if (!problem.isNull())
        return failure(Error::InvalidArgument, problem);

    QByteArray subprotocols;
    problem = joinSubprotocols(params.subprotocols, &subprotocols);
    if (!problem.isNull())
        return failure(Error::InvalidArgument, problem);

    for (const auto &userField : params.headers) {
        problem = fieldProblem(userField.first, QByteArrayView()); // even a removal must name a valid field
        if (!problem.isNull())
            return failure(Error::InvalidArgument, problem);
    }

    const QByteArray hostAndPort = url.hostAndPort().toUtf8();
    HeaderList fields;
    fields.reserve(10 + params.headers.size());
    fields.append({ QByteArray("Upgrade"), QByteArray("websocket") });
    fields.append({ QByteArray("Host"), params.host.isEmpty() ? hostAndPort : params.host });
    if (!params.suppressOrigin) {
        const QByteArray origin = params.origin.isEmpty()
            ? QByteArray((url.secure ? "https://" : "http://") + hostAndPort)
            : params.origin;
        fields.append({ QByteArray("Origin"), origin });
    }
    fields.append(
        { QByteArray("Sec-WebSocket-Key"), params.key.isEmpty() ? generateWebSocketKey() : params.key });
    fields.append({ QByteArray("Sec-WebSocket-Version"), QByteArray("13") });
    fields.append({ QByteArray("Connection"),
        params.connection.isEmpty() ? QByteArray("Upgrade") : params.connection });
    if (!subprotocols.isEmpty())
        fields.append({ QByteArray("Sec-WebSocket-Protocol"), subprotocols });
    if (!params.extensions.isEmpty())
        fields.append({ QByteArray("Sec-WebSocket-Extensions"), params.extensions });
    if (!params.cookie.isEmpty())
        fields.append({ QByteArray("Cookie"), params.cookie });
    if (!params.authorization.isEmpty())
        fields.append({ QByteArray("Authorization"), params.authorization });
    mergeUserFields(&fields, params.headers);

    for (const auto &field : std::as_const(fields)) {
        problem = fieldProblem(field.first, field.second);
        if (!problem.isNull())
            return failure(Error::InvalidArgument, problem);
    }

    HandshakeRequest request;
    request.bytes = serialize(resource, fields);
    request.key = headerValue(fields, "Sec-WebSocket-Key");
    request.headers = std::move(fields);
    return request;
}

QByteArray generateWebSocketKey()
{
    quint32 random[4];
    QRandomGenerator::system()->fillRange(random);
    return QByteArray(reinterpret_cast<const char *>(random), sizeof random).toBase64();
}

QByteArray computeAcceptKey(QByteArrayView key)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData(QByteArrayView(WebSocketGuid));
    return sha1.result().toBase64();
}

} // namespace WsClient::Protocol
