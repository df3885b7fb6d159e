// Connector: a proxy that asks for credentials (407, or SOCKS5 wanting username/password). The
// rules are Protocol::AuthSession's; here the application is asked and the tunnel tried again.

#include "connector.h"

#include "trace_p.h"

#include <QtNetwork/qauthenticator.h>

namespace WsClient::Transport {

void Connector::onProxyChallenged()
{
    using Action = Protocol::AuthVerdict::Action;
    Protocol::AuthVerdict verdict = m_handshake->authVerdict();
    qCDebug(lcTraceCategory).noquote()
        << QStringLiteral("%1 asks for %2 authentication%3: %4")
               .arg(proxyName(), QString::fromLatin1(verdict.scheme),
                   verdict.realm.isEmpty() ? QString() : QStringLiteral(" (realm \"%1\")").arg(verdict.realm),
                   verdict.action == Action::Retry
                       ? QStringLiteral("answering as user \"%1\"").arg(m_proxyAuth->user())
                       : QStringLiteral("asking the application"));
    if (verdict.action == Action::AskCredentials) {
        QAuthenticator authenticator;
        authenticator.setRealm(verdict.realm);
        authenticator.setOption(QStringLiteral("scheme"), QString::fromLatin1(verdict.scheme));
        QPointer<Connector> alive(this);
        Q_EMIT proxyAuthenticationRequired(m_proxy, &authenticator);
        if (!alive || hasFailed() || m_stage != Stage::ProxyHandshake || !m_socket)
            return;
        verdict = m_proxyAuth->answered(authenticator.user(), authenticator.password());
    }
    if (verdict.action != Action::Retry) {
        fail(verdict.error,
            QStringLiteral("%1 (%2)").arg(m_handshake->challengeFailureText(verdict), proxyName()));
        return;
    }
    // Proxies close the connection after a 407 (tinyproxy) or may keep it with a body to skip
    // (squid): a new connection is the one way that works with both.
    disconnect(m_socket, &QIODevice::readyRead, this, &Connector::onProxyReadyRead);
    m_handshake.reset();
    m_socket->abort();
    connectToProxy();
}

} // namespace WsClient::Transport
