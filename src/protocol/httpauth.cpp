#include "httpauth.h"

#include <QtCore/qcryptographichash.h>

#include <algorithm>

namespace WsClient::Protocol {

namespace {

bool isBws(char c)
{
    return c == ' ' || c == '\t';
}

qsizetype skipBws(QByteArrayView text, qsizetype i)
{
    while (i < text.size() && isBws(text[i]))
        ++i;
    return i;
}

qsizetype tokenEnd(QByteArrayView text, qsizetype i)
{
    while (i < text.size() && isTokenChar(text[i]))
        ++i;
    return i;
}

bool isToken68(QByteArrayView text)
{
    qsizetype i = 0;
    const auto body = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || QByteArrayView("-._~+/").contains(c);
    };
    while (i < text.size() && body(text[i]))
        ++i;
    if (i == 0)
        return false;
    while (i < text.size() && text[i] == '=')
        ++i;
    return i == text.size();
}

// Reads "name BWS = BWS value" spanning all of \a item; false when it is not such a parameter.
bool readParam(QByteArrayView item, QByteArray *name, QByteArray *value)
{
    const qsizetype nameEnd = tokenEnd(item, 0);
    if (nameEnd == 0)
        return false;
    qsizetype i = skipBws(item, nameEnd);
    if (i >= item.size() || item[i] != '=')
        return false;
    i = skipBws(item, i + 1);
    QByteArray unquoted;
    if (i < item.size() && item[i] == '"') {
        ++i;
        bool closed = false;
        for (; i < item.size(); ++i) {
            if (item[i] == '\\' && i + 1 < item.size()) {
                unquoted += item[++i];
            } else if (item[i] == '"') {
                closed = true;
                ++i;
                break;
            } else {
                unquoted += item[i];
            }
        }
        if (!closed)
            return false;
        if (unquoted.isNull())
            unquoted = QByteArray(""); // present, if empty
    } else {
        const qsizetype end = tokenEnd(item, i);
        if (end == i)
            return false;
        unquoted = item.sliced(i, end - i).toByteArray();
        i = end;
    }
    if (skipBws(item, i) != item.size())
        return false;
    *name = item.first(nameEnd).toByteArray();
    *value = unquoted;
    return true;
}

// True when \a item reads as a parameter rather than as the start of a challenge: a token, then
// "=" and something other than more "=" (a token68 such as "abc==" ends in "=" signs only).
bool looksLikeParam(QByteArrayView item)
{
    const qsizetype nameEnd = tokenEnd(item, 0);
    qsizetype i = skipBws(item, nameEnd);
    if (nameEnd == 0 || i >= item.size() || item[i] != '=')
        return false;
    i = skipBws(item, i + 1);
    return i < item.size() && item[i] != '=';
}

void addParam(AuthChallenge &challenge, QByteArrayView item)
{
    QByteArray name;
    QByteArray value;
    // A challenge has a token68 or parameters, never both (RFC 9110 §11.6.1).
    if (challenge.token68.isEmpty() && readParam(item, &name, &value))
        challenge.params.append({ name, value });
    else
        challenge.malformed = true;
}

QByteArray hashHex(DigestAlgorithm algorithm, const QByteArray &data)
{
    const bool sha256 = algorithm == DigestAlgorithm::Sha256 || algorithm == DigestAlgorithm::Sha256Sess;
    return QCryptographicHash::hash(data, sha256 ? QCryptographicHash::Sha256 : QCryptographicHash::Md5)
        .toHex();
}

bool isSessionVariant(DigestAlgorithm algorithm)
{
    return algorithm == DigestAlgorithm::Md5Sess || algorithm == DigestAlgorithm::Sha256Sess;
}

// RFC 8187 ext-value: UTF-8'' then attr-chars as is, everything else percent-encoded.
QByteArray extValue(const QByteArray &utf8)
{
    return "UTF-8''" + utf8.toPercentEncoding("!#$&+^`|");
}

bool quotedStringCanCarry(const QByteArray &utf8)
{
    for (const char c : utf8) {
        if (uchar(c) < 0x20 || uchar(c) >= 0x7F)
            return false;
    }
    return true;
}

} // namespace

QByteArray AuthChallenge::param(QByteArrayView name) const
{
    return headerValue(params, name);
}

QList<AuthChallenge> parseChallenges(QByteArrayView fieldValue)
{
    QList<AuthChallenge> challenges;
    findListItem(fieldValue, [&challenges](QByteArrayView item) {
        if (looksLikeParam(item)) {
            if (!challenges.isEmpty()) // a parameter before any scheme belongs to nothing
                addParam(challenges.last(), item);
            return false;
        }
        AuthChallenge challenge;
        const qsizetype schemeEnd = tokenEnd(item, 0);
        challenge.scheme = item.first(schemeEnd).toByteArray();
        const qsizetype restStart = skipBws(item, schemeEnd);
        const QByteArrayView rest = item.sliced(restStart);
        if (schemeEnd == 0 || (restStart == schemeEnd && !rest.isEmpty()))
            challenge.malformed = true; // no scheme, or no space after it
        else if (looksLikeParam(rest))
            addParam(challenge, rest);
        else if (isToken68(rest))
            challenge.token68 = rest.toByteArray();
        else if (!rest.isEmpty())
            challenge.malformed = true;
        challenges.append(challenge);
        return false;
    });
    return challenges;
}

QList<AuthChallenge> parseChallenges(const HeaderList &headers, QByteArrayView name)
{
    QList<AuthChallenge> challenges;
    for (const auto &field : headers) {
        if (equalsIgnoringCase(field.first, name))
            challenges += parseChallenges(field.second);
    }
    return challenges;
}

QByteArray digestAlgorithmName(DigestAlgorithm algorithm)
{
    switch (algorithm) {
    case DigestAlgorithm::Md5:
        return "MD5";
    case DigestAlgorithm::Md5Sess:
        return "MD5-sess";
    case DigestAlgorithm::Sha256:
        return "SHA-256";
    case DigestAlgorithm::Sha256Sess:
        return "SHA-256-sess";
    }
    return "MD5";
}

bool readDigestChallenge(const AuthChallenge &challenge, DigestChallenge *digest, QString *why)
{
    if (challenge.malformed) {
        *why = QStringLiteral("malformed Digest challenge");
        return false;
    }
    DigestChallenge d;
    d.realm = challenge.param("realm");
    d.nonce = challenge.param("nonce");
    if (d.nonce.isEmpty()) {
        *why = QStringLiteral("Digest challenge without a nonce");
        return false;
    }
    d.opaque = challenge.param("opaque");
    d.hasOpaque = !d.opaque.isNull();
    // They are echoed into a header field: nothing that could end or split it (the response parser
    // already refuses such bytes; this keeps the codec safe on its own).
    for (const QByteArray &echoed : { d.realm, d.nonce, d.opaque }) {
        if (std::any_of(echoed.cbegin(), echoed.cend(),
                [](char c) { return (uchar(c) < 0x20 && c != '\t') || c == 0x7F; })) {
            *why = QStringLiteral("Digest challenge with control characters");
            return false;
        }
    }
    const QByteArray algorithm = challenge.param("algorithm");
    bool known = algorithm.isNull();
    for (DigestAlgorithm a : { DigestAlgorithm::Md5, DigestAlgorithm::Md5Sess, DigestAlgorithm::Sha256,
             DigestAlgorithm::Sha256Sess }) {
        if (!algorithm.isNull() && equalsIgnoringCase(algorithm, digestAlgorithmName(a))) {
            d.algorithm = a;
            known = true;
        }
    }
    if (!known) {
        *why = QStringLiteral("Digest algorithm %1 is not supported").arg(printableExcerpt(algorithm));
        return false;
    }
    const QByteArray qop = challenge.param("qop");
    if (!qop.isNull()) {
        bool auth = false;
        bool authInt = false;
        findListItem(qop, [&](QByteArrayView option) {
            auth = auth || equalsIgnoringCase(option, "auth");
            authInt = authInt || equalsIgnoringCase(option, "auth-int");
            return false;
        });
        if (!auth && !authInt) {
            *why = QStringLiteral("Digest qop \"%1\" offers neither auth nor auth-int")
                       .arg(printableExcerpt(qop));
            return false;
        }
        d.qop = auth ? "auth" : "auth-int";
    }
    d.stale = equalsIgnoringCase(challenge.param("stale"), "true");
    d.userhash = equalsIgnoringCase(challenge.param("userhash"), "true");
    *digest = d;
    return true;
}

QByteArray quotedString(QByteArrayView text)
{
    QByteArray quoted;
    quoted.reserve(text.size() + 2);
    quoted += '"';
    for (const char c : text) {
        if (c == '"' || c == '\\')
            quoted += '\\';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

QByteArray digestAuthorization(const DigestChallenge &challenge, const DigestRequest &request)
{
    const DigestAlgorithm algorithm = challenge.algorithm;
    const QByteArray user = request.user.toUtf8();
    const QByteArray nc = QByteArray::number(request.nc, 16).rightJustified(8, '0');
    // RFC 7616 §3.4.2: A1 = user:realm:password, and for -sess H(A1) is hashed again with both nonces.
    QByteArray ha1 = hashHex(algorithm, user + ':' + challenge.realm + ':' + request.password.toUtf8());
    if (isSessionVariant(algorithm))
        ha1 = hashHex(algorithm, ha1 + ':' + challenge.nonce + ':' + request.cnonce);
    // §3.4.3: auth-int adds H(entity-body); neither the upgrade nor CONNECT has a body.
    QByteArray a2 = request.method + ':' + request.uri;
    if (challenge.qop == "auth-int")
        a2 += ':' + hashHex(algorithm, QByteArray());
    const QByteArray ha2 = hashHex(algorithm, a2);
    const QByteArray response = challenge.qop.isEmpty()
        ? hashHex(algorithm, ha1 + ':' + challenge.nonce + ':' + ha2)
        : hashHex(algorithm,
            ha1 + ':' + challenge.nonce + ':' + nc + ':' + request.cnonce + ':' + challenge.qop + ':' + ha2);

    QByteArray value = "Digest ";
    if (challenge.userhash)
        value += "username=" + quotedString(hashHex(algorithm, user + ':' + challenge.realm));
    else if (quotedStringCanCarry(user))
        value += "username=" + quotedString(user);
    else
        value += "username*=" + extValue(user);
    value += ", realm=" + quotedString(challenge.realm);
    value += ", uri=" + quotedString(request.uri);
    value += ", algorithm=" + digestAlgorithmName(algorithm);
    value += ", nonce=" + quotedString(challenge.nonce);
    if (!challenge.qop.isEmpty()) {
        value += ", nc=" + nc;
        value += ", cnonce=" + quotedString(request.cnonce);
        value += ", qop=" + challenge.qop;
    }
    value += ", response=" + quotedString(response);
    if (challenge.hasOpaque)
        value += ", opaque=" + quotedString(challenge.opaque);
    if (challenge.userhash)
        value += ", userhash=true";
    return value;
}

QByteArray basicAuthorization(const QString &user, const QString &password)
{
    return "Basic " + QByteArray(user.toUtf8() + ':' + password.toUtf8()).toBase64();
}

} // namespace WsClient::Protocol
