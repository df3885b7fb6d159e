#include "authsession.h"

#include <QtCore/qrandom.h>

#include <algorithm>

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

struct AuthSession::State
{
    struct Sent
    {
        Scheme scheme = Scheme::None; // None: the request carried no credentials
        QString realm;
        bool realmKnown = true;
        QString user;
        QString password;
        bool answering = false; // it answered a challenge of the request before
        bool staleRetry = false; // it answered a stale=true challenge
    };
    struct Refusal
    {
        Scheme scheme;
        QString realm;
        QString user;
        QString password;
    };

    QString user;
    QString password;
    bool haveCredentials = false;
    bool credentialsConfigured = false; // the current ones came from configure()
    QString configuredUser;
    QString configuredPassword;
    bool preemptiveBasic = false;
    // The challenge adopted last, which requests answer.
    Scheme scheme = Scheme::None;
    QString realm;
    DigestChallenge digest;
    quint32 nc = 0;
    QByteArray sessionCnonce; // -sess: one client nonce per server nonce, H(A1) depends on it
    bool answerPending = false; // the next request answers the challenge adopted last
    bool staleRetryPending = false;
    Sent sent;
    QList<Refusal> refused;
    AuthVerdict asking; // what AskCredentials asked, and how to fail without an answer
    std::function<QByteArray()> makeCnonce; // empty: randomCnonce()
};

AuthSession::AuthSession(Side side) : m_side(side) { }
AuthSession::AuthSession(AuthSession &&other) noexcept = default;
AuthSession &AuthSession::operator=(AuthSession &&other) noexcept = default;
AuthSession::~AuthSession() = default;

AuthSession::State &AuthSession::state()
{
    if (!d)
        d = std::make_unique<State>();
    return *d;
}

void AuthSession::setCnonceGenerator(const std::function<QByteArray()> &generator)
{
    state().makeCnonce = generator;
}

bool AuthSession::hasCredentials() const
{
    return d && d->haveCredentials;
}

QString AuthSession::user() const
{
    return d ? d->user : QString();
}

QString AuthSession::password() const
{
    return d ? d->password : QString();
}

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
    m_origin = origin;
    if (!d)
        return;
    std::function<QByteArray()> generator = std::move(d->makeCnonce);
    d.reset();
    if (generator)
        state().makeCnonce = std::move(generator);
}

void AuthSession::configure(const QString &user, const QString &password, bool preemptiveBasic)
{
    const bool given = !user.isEmpty() || !password.isEmpty();
    if (!d && !given)
        return; // nothing configured, nothing known: stay empty
    State &s = state();
    s.preemptiveBasic = preemptiveBasic && given;
    if (s.configuredUser == user && s.configuredPassword == password)
        return;
    s.configuredUser = user;
    s.configuredPassword = password;
    if (given) {
        s.user = user;
        s.password = password;
        s.haveCredentials = true;
        s.credentialsConfigured = true;
    } else if (s.credentialsConfigured) {
        s.user.clear();
        s.password.clear();
        s.haveCredentials = false;
        s.credentialsConfigured = false;
    }
}

QByteArray AuthSession::authorization(QByteArrayView method, QByteArrayView uri)
{
    if (!d)
        return QByteArray();
    State &s = *d;
    const bool answering = std::exchange(s.answerPending, false);
    const bool staleRetry = std::exchange(s.staleRetryPending, false);
    s.sent = State::Sent();
    if (!s.haveCredentials)
        return QByteArray();
    State::Sent sent { s.scheme, s.realm, true, s.user, s.password, answering, staleRetry };
    switch (s.scheme) {
    case Scheme::None:
        if (!s.preemptiveBasic)
            return QByteArray();
        sent.scheme = Scheme::Basic;
        sent.realmKnown = false;
        s.sent = sent;
        return basicAuthorization(s.user, s.password);
    case Scheme::Basic:
        s.sent = sent;
        return basicAuthorization(s.user, s.password);
    case Scheme::Digest: {
        s.sent = sent;
        const auto cnonce = [&s] { return s.makeCnonce ? s.makeCnonce() : randomCnonce(); };
        const bool session = s.digest.algorithm == DigestAlgorithm::Md5Sess
            || s.digest.algorithm == DigestAlgorithm::Sha256Sess;
        if (session && s.sessionCnonce.isEmpty())
            s.sessionCnonce = cnonce();
        const DigestRequest request { s.user, s.password, method.toByteArray(), uri.toByteArray(), ++s.nc,
            session ? s.sessionCnonce : cnonce() };
        return digestAuthorization(s.digest, request);
    }
    case Scheme::UsernamePassword:
        break;
    }
    return QByteArray();
}

bool AuthSession::startUsernamePasswordRequest()
{
    if (!d)
        return false;
    State &s = *d;
    s.answerPending = s.staleRetryPending = false;
    s.sent = State::Sent();
    if (!s.haveCredentials)
        return false;
    // The proxy sees them only when it picks the method, so its refusal is always conclusive.
    s.sent = { Scheme::UsernamePassword, QString(), true, s.user, s.password, true, false };
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
    State &s = state();
    const State::Sent sent = std::exchange(s.sent, State::Sent());
    const bool sameSpace = sent.scheme == scheme && (!sent.realmKnown || sent.realm == realm);
    if (sameSpace) {
        if (digest && digest->stale && !sent.staleRetry) {
            // §3.3: the digest was right, the nonce old: once more with the new one, not asking.
            s.digest = *digest;
            s.nc = 0;
            s.sessionCnonce.clear();
            s.answerPending = true;
            s.staleRetryPending = true;
            return { AuthVerdict::Action::Retry, Error::NoError, QString(), schemeName(scheme), realm };
        }
        if ((sent.answering || scheme == Scheme::Basic) && !refused(scheme, realm, sent.user, sent.password))
            s.refused.append({ scheme, realm, sent.user, sent.password });
    }
    if (digest && (s.scheme != Scheme::Digest || digest->nonce != s.digest.nonce)) {
        s.nc = 0;
        s.sessionCnonce.clear();
    }
    s.scheme = scheme;
    s.realm = realm;
    if (digest)
        s.digest = *digest;

    if (s.haveCredentials && !refused(s.scheme, s.realm, s.user, s.password))
        return retryWithCurrent();
    // Nothing left to try: the application may know better.
    const State::Refusal *last = nullptr;
    for (const State::Refusal &r : std::as_const(s.refused)) {
        if (r.scheme == s.scheme && r.realm == s.realm)
            last = &r;
    }
    const QString none = s.scheme == Scheme::UsernamePassword
        ? QStringLiteral("authentication required (SOCKS5 username/password), no credentials were given")
        : QStringLiteral("authentication required (%1, realm \"%2\"), no credentials were given")
              .arg(QString::fromLatin1(schemeName(s.scheme)), s.realm);
    s.asking = last ? fail(Error::AuthenticationFailed, refusedMessage(last->user)) : fail(sideError(), none);
    s.asking.action = AuthVerdict::Action::AskCredentials;
    return s.asking;
}

AuthVerdict AuthSession::answered(const QString &user, const QString &password)
{
    if (!d || d->asking.action != AuthVerdict::Action::AskCredentials)
        return fail(sideError(), QStringLiteral("no credentials were asked for"));
    State &s = *d;
    AuthVerdict asked = std::exchange(s.asking, AuthVerdict());
    if (user.isEmpty() && password.isEmpty()) {
        asked.action = AuthVerdict::Action::Fail;
        return asked;
    }
    if (refused(s.scheme, s.realm, user, password))
        return fail(Error::AuthenticationFailed, refusedMessage(user));
    s.user = user;
    s.password = password;
    s.haveCredentials = true;
    s.credentialsConfigured = false;
    return retryWithCurrent();
}

AuthVerdict AuthSession::retryWithCurrent()
{
    State &s = state();
    // RFC 7617 §2: the user-id cannot contain a colon, the server would split it there.
    if (s.scheme == Scheme::Basic && s.user.contains(QLatin1Char(':')))
        return fail(Error::InvalidArgument,
            QStringLiteral(
                "the user name \"%1\" contains ':', which Basic authentication cannot carry (RFC 7617)")
                .arg(s.user));
    if (s.scheme == Scheme::UsernamePassword
        && (s.user.toUtf8().size() > 255 || s.password.toUtf8().size() > 255))
        return fail(Error::InvalidArgument,
            QStringLiteral("user name and password are limited to 255 bytes (RFC 1929)"));
    s.answerPending = true;
    return { AuthVerdict::Action::Retry, Error::NoError, QString(), schemeName(s.scheme), s.realm };
}

AuthVerdict AuthSession::fail(Error error, const QString &message) const
{
    return { AuthVerdict::Action::Fail, error, message, d ? schemeName(d->scheme) : QByteArray(),
        d ? d->realm : QString() };
}

bool AuthSession::refused(
    Scheme scheme, const QString &realm, const QString &user, const QString &password) const
{
    if (!d)
        return false;
    return std::any_of(d->refused.cbegin(), d->refused.cend(), [&](const State::Refusal &r) {
        return r.scheme == scheme && r.realm == realm && r.user == user && r.password == password;
    });
}

QString AuthSession::refusedMessage(const QString &user) const
{
    if (d && d->scheme == Scheme::UsernamePassword)
        return QStringLiteral("the credentials of user \"%1\" were refused (SOCKS5 username/password)")
            .arg(user);
    return QStringLiteral("the credentials of user \"%1\" were refused (%2, realm \"%3\")")
        .arg(user, QString::fromLatin1(schemeName(d ? d->scheme : Scheme::None)), d ? d->realm : QString());
}

QString originOf(const ParsedUrl &url)
{
    return (url.secure ? QStringLiteral("wss://") : QStringLiteral("ws://"))
        + url.hostAndPort(true).toLower();
}

} // namespace WsClient::Protocol
