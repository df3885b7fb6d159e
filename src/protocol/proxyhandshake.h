#pragma once

#include "authsession.h"
#include "httpresponse.h"

#include <WsClient/proxy.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qstring.h>

#include <memory>

namespace WsClient::Protocol {

/*!
    The client side of a proxy's tunnel handshake, without I/O (the HTTP answer is read by the
    same HttpResponseParser as the WebSocket upgrade's): HTTP CONNECT (RFC 9110 §9.3.6, with
    Basic or Digest Proxy-Authorization from an AuthSession), SOCKS4, SOCKS4a, SOCKS5 and SOCKS5h
    (RFC 1928, with RFC 1929 username/password). A proxy that asks for credentials (HTTP 407, or
    401 as tinyproxy answers wrong ones; SOCKS5 refusing to go on without username/password, or
    refusing the ones sent) ends the handshake as Challenged or, when the session says so, Failed:
    the caller retries on a new connection (proxies close after a 407 anyway) or asks the
    application first. The caller writes takeOutgoing() to the proxy and offers what it has read
    to feed(), which consumes only the bytes that belong to the handshake, so whatever follows the
    proxy's answer stays in the socket for the next layer (TLS or the WebSocket handshake).
*/
class ProxyHandshake
{
public:
    enum class State {
        Running, //!< Talking to the proxy.
        Done, //!< The tunnel is open.
        Failed, //!< errorString() and error() say why.
        Challenged, //!< The proxy wants (other) credentials: see authVerdict().
    };

    struct Target
    {
        QString host; //!< Name (or literal) as given in the URL, without IPv6 brackets.
        quint16 port = 0;
        QByteArray address; //!< 4 or 16 bytes in network order when resolved, else empty.
    };

    /*!
        \a type must be a proxied type. Fails at once (state() == Failed) on unusable input.
        \a user is the SOCKS4 user id. HTTP and SOCKS5 credentials come from \a auth (not owned;
        it outlives the handshake); without one, from \a user and \a password, sent as Basic
        with the CONNECT.
    */
    ProxyHandshake(ProxyOptions::Type type, const Target &target, const QString &user,
        const QString &password, AuthSession *auth = nullptr);

    State state() const { return m_state; }
    bool isDone() const { return m_state == State::Done; }
    bool hasFailed() const { return m_state == State::Failed; }
    /*! Why it failed: a complete sentence fragment such as "SOCKS5 proxy: connection refused (reply 5)". */
    QString errorString() const { return m_errorString; }
    /*! Error::Proxy, or AuthenticationFailed / InvalidArgument from the AuthSession's verdict. */
    Error error() const { return m_error; }
    /*! With Challenged: Retry (on a new connection) or AskCredentials. */
    const AuthVerdict &authVerdict() const { return m_verdict; }
    /*! The errorString() a challenge ends with when \a verdict is Fail. */
    QString challengeFailureText(const AuthVerdict &verdict) const;
    /*! "HTTP CONNECT", "SOCKS4", ... for messages and traces. */
    QString protocolName() const;

    /*! Bytes to send to the proxy now (empty when waiting for its answer). */
    QByteArray takeOutgoing();
    /*! Offers the bytes read so far; returns how many belong to the handshake (0: need more). */
    qsizetype feed(QByteArrayView data);

    /*! Upper bound of an HTTP CONNECT answer head; a longer one is an error. */
    static constexpr qsizetype MaxHttpHead = 16 * 1024;

private:
    enum class Step { HttpReply, Socks4Reply, Socks5Method, Socks5Auth, Socks5Reply };

    void startHttp();
    void startSocks4();
    void startSocks5();
    void sendSocks5Connect();
    qsizetype feedHttp(QByteArrayView data);
    qsizetype feedSocks4(QByteArrayView data);
    qsizetype feedSocks5Method(QByteArrayView data);
    qsizetype feedSocks5Auth(QByteArrayView data);
    qsizetype feedSocks5Reply(QByteArrayView data);
    qsizetype fail(const QString &why, Error error = Error::Proxy);
    qsizetype challenged(const AuthVerdict &verdict, const QString &context);

    ProxyOptions::Type m_type;
    Target m_target;
    QByteArray m_user;
    QByteArray m_password;
    std::unique_ptr<AuthSession> m_ownAuth; // when the caller gave none
    AuthSession *m_auth = nullptr;
    AuthVerdict m_verdict;
    QString m_challengeContext; // the status line of a 407, for messages
    Error m_error = Error::NoError;
    Step m_step = Step::HttpReply;
    State m_state = State::Running;
    QByteArray m_outgoing;
    QString m_errorString;
    HttpResponseParser m_http { MaxHttpHead };
    qsizetype m_httpFed = 0; // bytes of the offered data the parser has seen
};

/*! Text for a SOCKS5 reply code (RFC 1928 §6), e.g. "connection refused". */
QString socks5ReplyText(quint8 code);
/*! Text for a SOCKS4 reply code (90–93). */
QString socks4ReplyText(quint8 code);

} // namespace WsClient::Protocol
