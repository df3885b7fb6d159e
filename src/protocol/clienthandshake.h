#pragma once

#include "authsession.h"
#include "failure.h"
#include "handshakerequest.h"
#include "handshakeresponse.h"

#include <WsClient/compression.h>

#include <QtCore/qurl.h>

#include <memory>

namespace WsClient::Protocol {

/*!
    The client's opening handshake (RFC 6455 §4.1, RFC 7692 §5) without I/O: builds the request,
    reads the response head, and decides. A 101 is validated (accept key, Upgrade/Connection,
    subprotocol, extensions) and permessage-deflate negotiated; 301/302/303/307/308 become a
    redirect when the limit allows one; a 401 with WWW-Authenticate goes to the AuthSession, whose
    verdict ends the handshake as Challenged (retry, or ask the application) or Failed; any other
    status fails with BadStatus once its body (up to MaxBadStatusBody bytes, Content-Length or the
    end of the stream) has arrived, or when the caller says it waited long enough (bodyTimedOut()).
    A 401 that is retried at once is not read further: its connection is dropped.
*/
class ClientHandshake
{
public:
    struct Config
    {
        HandshakeRequestParams request;
        CompressionOptions compression; //!< Offered when isEnabled().
        qsizetype maxHeaderSize = HttpResponseParser::DefaultMaxHeaderSize;
        QUrl url; //!< The URL requested: a relative Location resolves against it.
        int redirectLimit = 3; //!< Redirects that may be followed in all.
        int redirectsFollowed = 0; //!< Redirects followed before this attempt.
        bool canRedirect = true; //!< False over a user-supplied device, which cannot reconnect (no redirect,
                                 //!< no auth retry).
        /*!
            Answers the server's challenges (not owned; outlives the handshake). Null, or a user
            field named Authorization (the application's own credentials win), or !canRedirect:
            a 401 is a bad status like any other.
        */
        AuthSession *auth = nullptr;
        /*!
            This attempt follows a redirect to another origin than the one first asked for: the
            user's Authorization field is not sent there (RFC 9110 §15.4).
        */
        bool crossOrigin = false;
    };

    enum class Status {
        Running, //!< Waiting for (more of) the response.
        Open, //!< Valid 101: frames follow.
        Redirect, //!< Connect again to redirectUrl().
        Challenged, //!< A 401 the AuthSession answers: authVerdict() says to retry or to ask.
        Failed, //!< failure() says why.
    };

    /*! Longest bad-status body kept. */
    static constexpr qsizetype MaxBadStatusBody = 64 * 1024;

    ClientHandshake() = default;
    explicit ClientHandshake(const Config &config);

    /*! The request to send; when it could not be built, status() is Failed already. */
    const HandshakeRequest &request() const { return m_request; }
    /*!
        The request went out: only its bytes are kept (one buffer instead of a list of fields, for
        idle connections); requestHeaders() reads the fields back from them.
    */
    void requestSent() { m_request.headers = HeaderList(); }
    /*! The connection is open: the response is kept for the accessors only, as its bytes. */
    void opened() { m_response.compact(); }
    /*! The fields of the request, as sent. */
    HeaderList requestHeaders() const;
    Status status() const { return m_status; }

    /*! Takes bytes from the server; returns how many belong to the handshake (the rest are frames). */
    qsizetype feed(QByteArrayView data);
    /*! The stream ended (\a cause names how): completes a bad-status body, otherwise fails. */
    void endOfStream(const QString &target, const QString &cause);
    /*! True while a bad status's body is being read: the caller bounds that wait and then calls bodyTimedOut(). */
    bool awaitingBody() const { return m_status == Status::Running && m_readingBody; }
    void bodyTimedOut();

    const HttpResponseParser &response() const { return m_response; }
    const HandshakeOutcome &outcome() const { return m_outcome; }
    /*! The negotiated permessage-deflate parameters (disabled when not in use). */
    const CompressionOptions &compression() const { return m_compression; }
    QUrl redirectUrl() const { return m_outcome.redirectUrl; }
    QByteArray body() const { return m_body; }
    const Failure &failure() const { return m_failure; }
    /*! With Challenged: Retry or AskCredentials. */
    const AuthVerdict &authVerdict() const;
    /*! The failure that ends a challenge for \a verdict (Fail): its error, the status and the cause. */
    Failure challengeFailure(const AuthVerdict &verdict) const;

private:
    void judge();
    qsizetype takeBody(QByteArrayView data);
    void finishBadStatus();
    void fail(Error error, const QString &why);

    // What judging the response needs of the Config (an idle connection keeps no more of it).
    QStringList m_offeredSubprotocols;
    CompressionOptions m_offer;
    QUrl m_url;
    int m_redirectLimit = 0;
    int m_redirectsFollowed = 0;
    bool m_canRedirect = false;
    AuthSession *m_auth = nullptr;
    // A 401 went to m_auth: its verdict (kept apart, as most handshakes never have one).
    std::unique_ptr<AuthVerdict> m_authVerdict;
    HandshakeRequest m_request;
    HttpResponseParser m_response;
    HandshakeOutcome m_outcome;
    CompressionOptions m_compression;
    Status m_status = Status::Failed;
    bool m_readingBody = false;
    qint64 m_bodyExpected = -1;
    QByteArray m_body;
    Failure m_failure;
};

} // namespace WsClient::Protocol
