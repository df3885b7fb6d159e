#pragma once

#include <WsClient/enums.h>
#include <WsClient/options.h>
#include <WsClient/url.h>

#include "protocol/proxyhandshake.h"

#include <QtCore/qdeadlinetimer.h>
#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtNetwork/qabstractsocket.h>
#include <QtNetwork/qsslerror.h>

#include <optional>

QT_BEGIN_NAMESPACE
class QAuthenticator;
class QHostInfo;
class QSslSocket;
class QTimer;
QT_END_NAMESPACE

namespace WsClient::Transport {

/*!
    Gets a byte stream to the server of a ws/wss URL: name lookup (every address is tried, IPv6
    and IPv4, by QAbstractSocket), TCP connect, socket options, the proxy tunnel when proxyFor()
    says so (HTTP CONNECT or SOCKS, driven by ProxyHandshake; a proxy asking for credentials is
    answered on a new connection, see proxyAuthenticationRequired()), TLS end to end with the target.
    Emits ready() once the stream can carry the HTTP handshake, or failed() with the error naming
    the cause. Usable without an event loop through waitForReady().
*/
class Connector : public QObject
{
    Q_OBJECT
public:
    Connector(const ParsedUrl &url, const ConnectOptions &options, QObject *parent = nullptr);
    ~Connector() override;

    /*!
        The proxy credentials and challenges to use (not owned; outlives the connector), kept by
        the caller across attempts. Without one the connector keeps its own. Before start().
    */
    void setProxyAuth(Protocol::AuthSession *session) { m_proxyAuth = session; }
    void start();
    /*! Blocks until ready (true), failed or \a deadline passed (false; hasFailed() tells which). */
    bool waitForReady(QDeadlineTimer deadline);

    bool isReady() const { return m_ready; }
    bool hasFailed() const { return m_error != Error::NoError; }
    Error error() const { return m_error; }
    QString errorString() const { return m_errorString; }

    /*! The connected socket; ownership passes to the caller, the connector lets go of it. */
    QAbstractSocket *takeSocket();

Q_SIGNALS:
    void ready();
    void failed(WsClient::Error error, const QString &errorString);
    /*!
        The proxy wants credentials the session does not have: a direct connection fills in
        \a authenticator (both empty: none), then the tunnel is tried again or the connector fails.
    */
    void proxyAuthenticationRequired(const WsClient::ProxyOptions &proxy, QAuthenticator *authenticator);

private Q_SLOTS:
    // A slot by name: QHostInfo::lookupHost() with a member-function pointer leaks its slot object
    // when the lookup is aborted (Qt 6.4; seen by LeakSanitizer), the string form allocates none.
    void onLookedUp(const QHostInfo &info);

private:
    enum class Stage { Idle, Resolving, Connecting, ProxyHandshake, Tls, Done };

    void startProxied();
    void connectToProxy();
    void startProxyHandshake();
    void onProxyReadyRead();
    void onProxyChallenged();
    void onTunnelEstablished();
    void onProxyTimeout();
    bool inProxyStage() const;
    QString proxyName() const;
    void onConnected();
    void onEncrypted();
    void onSocketError(QAbstractSocket::SocketError socketError);
    void onSslErrors(const QList<QSslError> &errors);
    void setReady();
    void fail(Error error, const QString &why);
    QString target() const;

    ParsedUrl m_url;
    ConnectOptions m_options;
    QPointer<QAbstractSocket> m_socket;
    QSslSocket *m_ssl = nullptr; // same object as m_socket for wss
    Stage m_stage = Stage::Idle;
    ProxyOptions m_proxy; // Type::Direct when not proxied
    QByteArray m_targetAddress; // target resolved here (socks4, socks5), network order
    int m_lookupId = -1;
    std::optional<Protocol::ProxyHandshake> m_handshake;
    Protocol::AuthSession m_ownProxyAuth { Protocol::AuthSession::Side::Proxy };
    Protocol::AuthSession *m_proxyAuth = &m_ownProxyAuth;
    QDeadlineTimer m_proxyDeadline { QDeadlineTimer::Forever };
    QTimer *m_proxyTimer = nullptr;
    bool m_ready = false;
    Error m_error = Error::NoError;
    QString m_errorString;
};

/*! Maps a socket error to WsClient's Error, for transports and the connection alike. */
Error errorFromSocket(QAbstractSocket::SocketError socketError);

} // namespace WsClient::Transport
