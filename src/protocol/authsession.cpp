#include "authsession.h"

#include <QtCore/qrandom.h>

namespace WsClient::Protocol {

namespace {

QByteArray randomCnonce()
{
    quint32 random[4];
    QRandomGenerator::system()->fillRange(random);
    return QByteArray(reinterpret_cast<const char *>(random), sizeof random).toHex();
}

// Higher is stronger; 0: cannot be answered.
int strength(const AuthChallenge &challenge, DigestChallenge *digest, QString *why)
{
    if (equalsIgnoringCase(challenge.scheme, "Digest")) {
        if (!readDigestChallenge(challenge, digest, why))
            return 0;
        const bool sha256 = digest->algorithm == DigestAlgorithm::Sha256
            || digest->algorithm == DigestAlgorithm::Sha256Sess;
        return sha256 ? 3 : 2;
    }
    if (equalsIgnoringCase(challenge.scheme, "Basic")) {
        if (challenge.malformed || !challenge.token68.isEmpty()) {
            *why = QStringLiteral("malformed Basic challenge");
            return 0;
        }
        return 1;
    }
    return 0;
}

} // namespace

AuthSession::AuthSession(Side side) : m_side(side), m_makeCnonce(randomCnonce) { }

QByteArray AuthSession::fieldName() const
{
    return m_side == Side::Server ? "Authorization" : "Proxy-Authorization";
}

QByteArray AuthSession::challengeFieldName() const
{
    return m_side == Side::Server ? "WWW-Authenticate" : "Proxy-Authenticate";
}

QByteArray AuthSession::schemeName(Scheme scheme)
{
    switch (scheme) {
    case Scheme::Basic:
        return "Basic";
    case Scheme::Digest:
        return "Digest";
    case Scheme::UsernamePassword:
        return "SOCKS5";
    case Scheme::None:
        break;
    }
    return QByteArray();
}

Error AuthSession::sideError() const
{
    return m_side == Side::Server ? Error::BadStatus : Error::Proxy;
}

void AuthSession::setOrigin(const QString &origin)
{
    if (origin == m_origin)
        return;
    AuthSession fresh(m_side);
    fresh.m_makeCnonce = std::move(m_makeCnonce);
    *this = std::move(fresh);
    m_origin = origin;
}

void AuthSession::configure(const QString &user, const QString &password, bool preemptiveBasic)
{
    const bool given = !user.isEmpty() || !password.isEmpty();
    m_preemptiveBasic = preemptiveBasic && given;
    if (m_configuredUser == user && m_configuredPassword == password)
        return;
    m_configuredUser = user;
    m_configuredPassword = password;
    if (given) {
        m_user = user;
        m_password = password;
        m_haveCredentials = true;
        m_credentialsConfigured = true;
    } else if (m_credentialsConfigured) {
        m_user.clear();
        m_password.clear();
        m_haveCredentials = false;
        m_credentialsConfigured = false;
    }
}

QByteArray AuthSession::authorization(QByteArrayView method, QByteArrayView uri)
{
    const bool answering = std::exchange(m_answerPending, false);
    const bool staleRetry = std::exchange(m_staleRetryPending, false);
    m_sent = Sent();
    if (!m_haveCredentials)
        return QByteArray();
    Sent sent { m_scheme, m_realm, true, m_user, m_password, answering, staleRetry };
    switch (m_scheme) {
    case Scheme::None:
        if (!m_preemptiveBasic)
            return QByteArray();
        sent.scheme = Scheme::Basic;
        sent.realmKnown = false;
        m_sent = sent;
        return basicAuthorization(m_user, m_password);
    case Scheme::Basic:
        m_sent = sent;
        return basicAuthorization(m_user, m_password);
    case Scheme::Digest: {
        m_sent = sent;
        const bool session = m_digest.algorithm == DigestAlgorithm::Md5Sess
            || m_digest.algorithm == DigestAlgorithm::Sha256Sess;
        if (session && m_sessionCnonce.isEmpty())
            m_sessionCnonce = m_makeCnonce();
        const DigestRequest request { m_user, m_password, method.toByteArray(), uri.toByteArray(), ++m_nc,
            session ? m_sessionCnonce : m_makeCnonce() };
        return digestAuthorization(m_digest, request);
    }
    case Scheme::UsernamePassword:
        break;
    }
    return QByteArray();
}

bool AuthSession::startUsernamePasswordRequest()
{
    m_answerPending = m_staleRetryPending = false;
    m_sent = Sent();
    if (!m_haveCredentials)
        return false;
    // The proxy sees them only when it picks the method, so its refusal is always conclusive.
    m_sent = { Scheme::UsernamePassword, QString(), true, m_user, m_password, true, false };
    return true;
}

AuthVerdict AuthSession::challenged(const QList<AuthChallenge> &challenges)
{
    const AuthChallenge *best = nullptr;
    DigestChallenge bestDigest;
    int bestStrength = 0;
    QStringList skipped;
    for (const AuthChallenge &challenge : challenges) {
        DigestChallenge digest;
        QString why;
        const int s = strength(challenge, &digest, &why);
        if (s == 0) {
            const QString name = challenge.scheme.isEmpty() ? QStringLiteral("(no scheme)")
                                                            : printableExcerpt(challenge.scheme, 32);
            skipped.append(why.isEmpty() ? name : QStringLiteral("%1 (%2)").arg(name, why));
        } else if (s > bestStrength) {
            best = &challenge;
            bestDigest = digest;
            bestStrength = s;
        }
    }
    if (!best) {
        if (skipped.isEmpty())
            return fail(sideError(),
                QStringLiteral("no %1 challenge").arg(QString::fromLatin1(challengeFieldName())));
        return fail(sideError(),
            QStringLiteral("authentication required with %1, which WsClient does not support")
                .arg(skipped.join(QLatin1String(", "))));
    }
    const bool digest = bestStrength > 1;
    return decide(digest ? Scheme::Digest : Scheme::Basic, QString::fromUtf8(best->param("realm")),
        digest ? &bestDigest : nullptr);
}

AuthVerdict AuthSession::usernamePasswordRequired()
{
    return decide(Scheme::UsernamePassword, QString(), nullptr);
}

AuthVerdict AuthSession::decide(Scheme scheme, const QString &realm, const DigestChallenge *digest)
{
    const Sent sent = std::exchange(m_sent, Sent());
    const bool sameSpace = sent.scheme == scheme && (!sent.realmKnown || sent.realm == realm);
    if (sameSpace) {
        if (digest && digest->stale && !sent.staleRetry) {
            // §3.3: the digest was right, the nonce old: once more with the new one, not asking.
            m_digest = *digest;
            m_nc = 0;
            m_sessionCnonce.clear();
            m_answerPending = true;
            m_staleRetryPending = true;
            return { AuthVerdict::Action::Retry, Error::NoError, QString(), schemeName(scheme), realm };
        }
        if ((sent.answering || scheme == Scheme::Basic) && !refusal(scheme, realm, sent.user, sent.password))
            m_refused.append({ scheme, realm, sent.user, sent.password });
    }
    if (digest && (m_scheme != Scheme::Digest || digest->nonce != m_digest.nonce)) {
        m_nc = 0;
        m_sessionCnonce.clear();
    }
    m_scheme = scheme;
    m_realm = realm;
    if (digest)
        m_digest = *digest;

    if (m_haveCredentials && !refusal(m_scheme, m_realm, m_user, m_password))
        return retryWithCurrent();
    // Nothing left to try: the application may know better.
    const Refusal *last = nullptr;
    for (const Refusal &r : std::as_const(m_refused)) {
        if (r.scheme == m_scheme && r.realm == m_realm)
            last = &r;
    }
    m_asking = last
        ? fail(Error::AuthenticationFailed, refusedMessage(last->user))
        : fail(sideError(),
            m_scheme == Scheme::UsernamePassword
                ? QStringLiteral(
                    "authentication required (SOCKS5 username/password), no credentials were given")
                : QStringLiteral("authentication required (%1, realm \"%2\"), no credentials were given")
                      .arg(QString::fromLatin1(schemeName(m_scheme)), m_realm));
    m_asking.action = AuthVerdict::Action::AskCredentials;
    return m_asking;
}

AuthVerdict AuthSession::answered(const QString &user, const QString &password)
{
    if (m_asking.action != AuthVerdict::Action::AskCredentials)
        return fail(sideError(), QStringLiteral("no credentials were asked for"));
    AuthVerdict asked = std::exchange(m_asking, AuthVerdict());
    if (user.isEmpty() && password.isEmpty()) {
        asked.action = AuthVerdict::Action::Fail;
        return asked;
    }
    if (refusal(m_scheme, m_realm, user, password))
        return fail(Error::AuthenticationFailed, refusedMessage(user));
    m_user = user;
    m_password = password;
    m_haveCredentials = true;
    m_credentialsConfigured = false;
    return retryWithCurrent();
}

AuthVerdict AuthSession::retryWithCurrent()
{
    // RFC 7617 §2: the user-id cannot contain a colon, the server would split it there.
    if (m_scheme == Scheme::Basic && m_user.contains(QLatin1Char(':')))
        return fail(Error::InvalidArgument,
            QStringLiteral(
                "the user name \"%1\" contains ':', which Basic authentication cannot carry (RFC 7617)")
                .arg(m_user));
    if (m_scheme == Scheme::UsernamePassword
        && (m_user.toUtf8().size() > 255 || m_password.toUtf8().size() > 255))
        return fail(Error::InvalidArgument,
            QStringLiteral("user name and password are limited to 255 bytes (RFC 1929)"));
    m_answerPending = true;
    return { AuthVerdict::Action::Retry, Error::NoError, QString(), schemeName(m_scheme), m_realm };
}

AuthVerdict AuthSession::fail(Error error, const QString &message) const
{
    return { AuthVerdict::Action::Fail, error, message, schemeName(m_scheme), m_realm };
}

const AuthSession::Refusal *AuthSession::refusal(
    Scheme scheme, const QString &realm, const QString &user, const QString &password) const
{
    for (const Refusal &r : m_refused) {
        if (r.scheme == scheme && r.realm == realm && r.user == user && r.password == password)
            return &r;
    }
    return nullptr;
}

QString AuthSession::refusedMessage(const QString &user) const
{
    if (m_scheme == Scheme::UsernamePassword)
        return QStringLiteral("the credentials of user \"%1\" were refused (SOCKS5 username/password)")
            .arg(user);
    return QStringLiteral("the credentials of user \"%1\" were refused (%2, realm \"%3\")")
        .arg(user, QString::fromLatin1(schemeName(m_scheme)), m_realm);
}

QString originOf(const ParsedUrl &url)
{
    return (url.secure ? QStringLiteral("wss://") : QStringLiteral("ws://"))
        + url.hostAndPort(true).toLower();
}

} // namespace WsClient::Protocol
