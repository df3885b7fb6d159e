#pragma once

#include "httpauth.h"

#include <WsClient/enums.h>
#include <WsClient/url.h>

#include <functional>
#include <memory>

namespace WsClient::Protocol {

/*! What to do about a demand for credentials; see AuthSession. */
struct AuthVerdict
{
    enum class Action {
        Retry, //!< Send the request again, on a new connection, with what authorization() gives.
        AskCredentials, //!< Ask the application, then pass its answer to AuthSession::answered().
        Fail, //!< Give up: error and message say why.
    };
    Action action = Action::Fail;
    /*!
        With Fail: AuthenticationFailed when credentials were refused, InvalidArgument when they
        cannot be sent, else the side's own error (BadStatus for the server, Proxy for a proxy).
        With AskCredentials: the same for the case that the application gives nothing.
    */
    Error error = Error::NoError;
    QString message; //!< Why, without the status line (the caller adds its context).
    QByteArray scheme; //!< The scheme asked for: "Basic", "Digest" or "SOCKS5" (RFC 1929).
    QString realm; //!< The protection space named by the challenge (empty for SOCKS5).
};

/*!
    The client's side of HTTP authentication (RFC 9110 §11, RFC 7617 Basic, RFC 7616 Digest) for
    one origin across requests, and of SOCKS5 username/password (RFC 1929) where a proxy asks for
    it. The caller starts each request with authorization() and hands every 401/407 to
    challenged(); the verdict says whether to retry, ask the application, or fail.

    The rules it keeps:
    - the strongest challenge it can answer wins: Digest SHA-256(-sess), then Digest MD5(-sess),
      then Basic; the first of equals. Others (Negotiate, NTLM, Digest SHA-512-256) are skipped;
      when nothing is left the verdict is Fail naming what was offered.
    - credentials are tried at most once per protection space (scheme and realm): a challenge
      answering an answer means they were refused. Refused credentials are never sent again to
      that space; the application may be asked for others (AskCredentials), and answering the
      same ones, or none, fails. So the exchange always ends.
    - a Digest challenge with stale=true after an answer is retried once with the new nonce,
      without asking (RFC 7616 §3.3).
    - what is sent without being asked for is not judged like an answer: credentials reused from
      an earlier connection (Digest with an old nonce may just be stale) get one fresh try. Only
      a Basic header sent ahead of a Basic challenge, which would be sent again unchanged, counts
      as refused.
    - once a challenge was answered, later requests to the same origin carry the answer at once
      (Digest with the next nonce count), as browsers and QNetworkAccessManager do.
    - credentials belong to one origin: setOrigin() with another one forgets them.
*/
class AuthSession
{
public:
    /*! Which fields the session reads and writes. */
    enum class Side {
        Server, //!< WWW-Authenticate / Authorization (401).
        Proxy, //!< Proxy-Authenticate / Proxy-Authorization (407).
    };

    explicit AuthSession(Side side = Side::Server);
    AuthSession(AuthSession &&other) noexcept;
    AuthSession &operator=(AuthSession &&other) noexcept;
    ~AuthSession();

    Side side() const { return m_side; }
    /*! "Authorization" or "Proxy-Authorization". */
    QByteArray fieldName() const;
    /*! "WWW-Authenticate" or "Proxy-Authenticate". */
    QByteArray challengeFieldName() const;

    /*!
        Names the origin requests go to ("ws://host:port", a proxy's "host:port"). Credentials and
        challenges learnt for another origin are forgotten, so nothing leaks across a redirect.
    */
    void setOrigin(const QString &origin);
    /*!
        Credentials from configuration (URL user info, ProxyOptions). They replace the current
        ones only when they differ from what was configured last, so that configuring again at
        each attempt does not undo an answer from the application; empty ones drop configured
        credentials (not answered ones). With \a preemptiveBasic they go out as Basic before any
        challenge (websocket-client's and curl's way with a proxy's credentials).
    */
    void configure(const QString &user, const QString &password, bool preemptiveBasic = false);
    bool hasCredentials() const;
    QString user() const;
    QString password() const;

    /*!
        Starts a request to \a uri with \a method: the value of fieldName() to send, empty for none.
        Call it once for every request, with or without credentials, so that the next challenge is
        judged against what this request carried.
    */
    QByteArray authorization(QByteArrayView method, QByteArrayView uri);
    /*! Starts a SOCKS5 negotiation: whether to offer username/password (credentials are known). */
    bool startUsernamePasswordRequest();

    /*! The answer to the last request was a 401 or 407 with \a challenges. */
    AuthVerdict challenged(const QList<AuthChallenge> &challenges);
    /*! A SOCKS5 proxy demands username/password, or refused the ones sent. */
    AuthVerdict usernamePasswordRequired();
    /*! After AskCredentials: the application's answer (both empty: none). */
    AuthVerdict answered(const QString &user, const QString &password);

    /*! Client nonces come from \a generator (tests); by default 16 random bytes in hex. */
    void setCnonceGenerator(const std::function<QByteArray()> &generator);

private:
    struct State;
    enum class Scheme { None, Basic, Digest, UsernamePassword };

    State &state();
    AuthVerdict decide(Scheme scheme, const QString &realm, const DigestChallenge *digest);
    AuthVerdict retryWithCurrent();
    AuthVerdict fail(Error error, const QString &message) const;
    Error sideError() const;
    bool refused(Scheme scheme, const QString &realm, const QString &user, const QString &password) const;
    QString refusedMessage(const QString &user) const;
    static QByteArray schemeName(Scheme scheme);

    Side m_side;
    QString m_origin;
    // Everything learnt: null until there is something to keep, so that the many connections that
    // never meet a challenge or credentials carry 8 bytes for it, not half a kilobyte.
    std::unique_ptr<State> d;
};

/*!
    The origin of \a url as credentials are scoped to it (RFC 6454: scheme, host, port):
    "ws://example.com:80". ws and wss are different origins.
*/
QString originOf(const ParsedUrl &url);

} // namespace WsClient::Protocol
