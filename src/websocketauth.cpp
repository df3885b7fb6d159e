// WebSocketPrivate: answering the server's 401 and the proxy's 407. The rules (which challenge,
// which credentials, when to give up) are Protocol::AuthSession's; this glue feeds it the URL's
// user info, asks the application through the signals, and starts the next attempt.

#include "websocket_p.h"

#include "trace_p.h"

#include <QtCore/qpointer.h>
#include <QtNetwork/qauthenticator.h>

namespace WsClient {

void WebSocketPrivate::prepareAuth(const QUrl &url)
{
    // Credentials belong to an origin: the session forgets them when an attempt (a redirect) goes
    // elsewhere, then takes the user info of this attempt's URL, if any.
    serverAuth.setOrigin(Protocol::originOf(parsed));
    serverAuth.configure(url.userName(QUrl::FullyDecoded), url.password(QUrl::FullyDecoded));
}

void WebSocketPrivate::configureHandshakeAuth(Protocol::ClientHandshake::Config &handshake)
{
    handshake.auth = &serverAuth;
    handshake.crossOrigin = Protocol::originOf(parsed) != Protocol::originOf(parseUrl(requestedUrl));
}

void WebSocketPrivate::wireConnectorAuth(Transport::Connector *c)
{
    Q_Q(WebSocket);
    c->setProxyAuth(&proxyAuth);
    // Direct: the application fills the authenticator in before the connector reads it.
    QObject::connect(c, &Transport::Connector::proxyAuthenticationRequired, q,
        &WebSocket::proxyAuthenticationRequired, Qt::DirectConnection);
}

void WebSocketPrivate::authenticationRequired(const Protocol::AuthVerdict &verdict)
{
    Q_Q(WebSocket);
    qCDebug(lcTraceCategory).noquote()
        << QStringLiteral("%1 asks for %2 authentication (realm \"%3\"): %4")
               .arg(target(), QString::fromLatin1(verdict.scheme), verdict.realm,
                   verdict.action == Protocol::AuthVerdict::Action::Retry
                       ? QStringLiteral("answering as user \"%1\"").arg(serverAuth.user())
                       : QStringLiteral("asking the application"));
    releaseTransport();
    // Leave this call stack first, as for a redirect: the old socket's signal is still being
    // delivered. The connection object stays: it holds the 401 should this be the end.
    QMetaObject::invokeMethod(
        q,
        [this, verdict] {
            if (state == WebSocket::State::Connecting && !ended && !connector && !device.isAttached())
                answerChallenge(verdict);
        },
        Qt::QueuedConnection);
}

void WebSocketPrivate::answerChallenge(Protocol::AuthVerdict verdict)
{
    Q_Q(WebSocket);
    if (verdict.action == Protocol::AuthVerdict::Action::AskCredentials) {
        QAuthenticator authenticator;
        authenticator.setRealm(verdict.realm);
        authenticator.setOption(QStringLiteral("scheme"), QString::fromLatin1(verdict.scheme));
        QPointer<WebSocket> alive(q);
        Q_EMIT q->authenticationRequired(&authenticator);
        // The slot may have aborted, reopened or deleted the socket.
        if (!alive || state != WebSocket::State::Connecting || ended || connector || device.isAttached())
            return;
        verdict = serverAuth.answered(authenticator.user(), authenticator.password());
    }
    if (verdict.action == Protocol::AuthVerdict::Action::Retry) {
        startAttempt(currentUrl);
        return;
    }
    if (!conn)
        return;
    const Protocol::Failure failure = conn->handshake().challengeFailure(verdict);
    end.setError(failure.error, failure.message);
    finish();
}

} // namespace WsClient
