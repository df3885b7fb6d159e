#pragma once

#include <WsClient/enums.h>

#include <QtCore/qshareddata.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qurl.h>

QT_BEGIN_NAMESPACE
class QNetworkProxy;
QT_END_NAMESPACE

namespace WsClient {

class ProxyOptionsPrivate;
class ConnectOptions;

/*!
    Which proxy a connection goes through (websocket-client's http_proxy_host, http_proxy_port,
    http_proxy_auth, http_no_proxy, proxy_type and http_proxy_timeout options).
    A value type. The default, Type::None, means "direct, unless the environment says otherwise"
    (see proxyFor()). Type::System (systemProxy()) takes Qt's proxy settings instead, as
    QNetworkAccessManager does; a QNetworkProxy converts to and from these options. Which proxy
    wins when several are configured: \ref qtnetwork-precedence "Which proxy wins".
*/
class WSCLIENT_EXPORT ProxyOptions
{
public:
    /*! The kind of proxy, as in websocket-client's proxy_type (plus None and Direct). */
    enum class Type {
        None, //!< No explicit proxy (environment variables may still supply one).
        Direct, //!< Explicitly no proxy, environment ignored.
        Http, //!< HTTP CONNECT tunnel, optional Basic authentication.
        Socks4, //!< SOCKS4: IPv4 only, the client resolves the name.
        Socks4a, //!< SOCKS4a: the proxy resolves the name.
        Socks5, //!< SOCKS5 (RFC 1928/1929): the client resolves the name.
        Socks5h, //!< SOCKS5 with the name resolved by the proxy.
        /*!
            Qt's proxy settings for the URL, asked when connecting: what
            QNetworkProxyFactory::proxyForQuery() answers, as for a QNetworkAccessManager (see proxyFor()).
        */
        System,
    };

    /*! Type::None: direct unless the environment names a proxy. */
    ProxyOptions();
    /*! A proxy of \a type at \a host and \a port (0: the type's default port). */
    ProxyOptions(Type type, const QString &host, quint16 port);
    /*!
        The proxy \a proxy describes, for code that already has a QNetworkProxy: HttpProxy is
        Type::Http; Socks5Proxy is Type::Socks5h when it has QNetworkProxy::HostNameLookupCapability
        (Qt's default for SOCKS5), else Type::Socks5; NoProxy is Type::Direct; DefaultProxy is
        Type::System. Host, port, user and password are taken over. A proxy that cannot tunnel a
        TCP connection (HttpCachingProxy, FtpCachingProxy, no QNetworkProxy::TunnelingCapability)
        keeps the nearest type but sets errorString(): a connection through it fails in open() with
        Error::InvalidArgument instead of going direct. Not explicit, so that a QNetworkProxy can
        be given where ProxyOptions are expected: ConnectOptions::setProxy(QNetworkProxy(...)).
    */
    ProxyOptions(const QNetworkProxy &proxy);
    /*! Copies \a other (cheap: implicitly shared). */
    ProxyOptions(const ProxyOptions &other);
    /*! Assigns \a other (cheap: implicitly shared). */
    ProxyOptions &operator=(const ProxyOptions &other);
    ~ProxyOptions();

    /*!
        Parses "http://user:pass@host:port", "socks4://…", "socks4a://…", "socks5://…", "socks5h://…"
        (also "https://" for an HTTP proxy reached in plain text, as curl does). Returns a Type::None
        proxy and sets \a errorString on an unknown scheme, a missing host or port 0.
    */
    static ProxyOptions fromUrl(const QUrl &url, QString *errorString = nullptr);
    /*! The proxy as a URL (password included), for logs leave \a withPassword false. */
    QUrl toUrl(bool withPassword = false) const;
    /*! Type::System: Qt's proxy settings decide when connecting (see proxyFor()). */
    static ProxyOptions systemProxy();
    /*!
        These options as a QNetworkProxy, e.g. for a QNetworkAccessManager beside the WebSocket:
        the reverse of ProxyOptions(const QNetworkProxy &), with Type::None (the environment) as
        DefaultProxy too, the nearest Qt notion (Qt reads the environment by its own rules).
        SOCKS4 and SOCKS4a have no QNetworkProxy form: a default-constructed QNetworkProxy is
        returned and \a ok (when given) set to false, as for options with an errorString().
        The no-proxy list and the timeout have no QNetworkProxy form either and are left out.
    */
    QNetworkProxy toNetworkProxy(bool *ok = nullptr) const;
    /*! Why these options cannot carry a connection (see ProxyOptions(const QNetworkProxy &)), or empty. */
    QString errorString() const;

    /*! The kind of proxy. Default Type::None. */
    Type type() const;
    /*! Sets the kind of proxy to \a type. */
    void setType(Type type);
    /*! Host name or address of the proxy. */
    QString host() const;
    /*! Sets the proxy's host name or address to \a host. */
    void setHost(const QString &host);
    /*! Port of the proxy; 0 means the type's default (8080 for HTTP, 1080 for SOCKS). */
    quint16 port() const;
    /*! Sets the proxy's port to \a port (0: the type's default). */
    void setPort(quint16 port);
    /*! User name for HTTP Basic, SOCKS5 (RFC 1929) or the SOCKS4 user id; empty for none. */
    QString user() const;
    /*! Sets the user name to \a user. */
    void setUser(const QString &user);
    /*! Password for HTTP Basic or SOCKS5 authentication. */
    QString password() const;
    /*! Sets the password to \a password. */
    void setPassword(const QString &password);
    /*! Hosts reached directly (http_no_proxy): "*", "host", ".suffix", "suffix", CIDR, "host:port". */
    QStringList noProxy() const;
    /*! Reaches the hosts matching \a rules directly; see noProxy(). */
    void setNoProxy(const QStringList &rules);
    /*! Limit for the proxy handshake in ms (http_proxy_timeout); -1 uses the connection's timeout. */
    int timeout() const;
    /*! Limits the proxy handshake to \a msecs; see timeout(). */
    void setTimeout(int msecs);

    /*! True for the types that name a proxy (not None, Direct or System). */
    bool isProxied() const
    {
        return type() != Type::None && type() != Type::Direct && type() != Type::System;
    }
    /*! True when every setting equals the one in \a other. */
    bool operator==(const ProxyOptions &other) const;
    /*! True when a setting differs from the one in \a other. */
    bool operator!=(const ProxyOptions &other) const { return !(*this == other); }

private:
    QSharedDataPointer<ProxyOptionsPrivate> d;
};

/*!
    The proxy a connection to \a url would use with \a options (websocket-client's get_proxy_info):
    the explicit proxy unless the URL's host matches its no-proxy rules; without one, http_proxy /
    HTTP_PROXY for ws:// and https_proxy / HTTPS_PROXY for wss://, unless no_proxy / NO_PROXY match.
    With Type::System, unless the no-proxy rules match, the first proxy that can tunnel among
    those QNetworkProxyFactory::proxyForQuery() offers for the URL as http:// (ws) or https://
    (wss): the application's proxy factory or QNetworkProxy::applicationProxy() when the program
    set one, else (QNetworkProxyFactory::usesSystemConfiguration(), Qt's default) the system's
    settings, QNetworkProxyFactory::systemProxyForQuery(); Qt never proxies localhost and loopback
    addresses this way. Returns a Type::Direct proxy when the connection goes direct.
*/
WSCLIENT_EXPORT ProxyOptions proxyFor(const QUrl &url, const ConnectOptions &options);

/*! Whether \a host (and \a port) match one of the no-proxy \a rules (exposed for tests and tools). */
WSCLIENT_EXPORT bool matchesNoProxy(const QString &host, quint16 port, const QStringList &rules);

} // namespace WsClient
