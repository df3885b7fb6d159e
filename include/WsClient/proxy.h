#pragma once

#include <WsClient/enums.h>

#include <QtCore/qshareddata.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qurl.h>

namespace WsClient {

class ProxyOptionsPrivate;
class ConnectOptions;

/*!
    Which proxy a connection goes through (websocket-client's http_proxy_host, http_proxy_port,
    http_proxy_auth, http_no_proxy, proxy_type and http_proxy_timeout options).
    A value type. The default, Type::None, means "direct, unless the environment says otherwise"
    (see proxyFor()).
*/
class WSCLIENT_EXPORT ProxyOptions
{
public:
    enum class Type {
        None,    //!< No explicit proxy (environment variables may still supply one).
        Direct,  //!< Explicitly no proxy, environment ignored.
        Http,    //!< HTTP CONNECT tunnel, optional Basic authentication.
        Socks4,  //!< SOCKS4: IPv4 only, the client resolves the name.
        Socks4a, //!< SOCKS4a: the proxy resolves the name.
        Socks5,  //!< SOCKS5 (RFC 1928/1929): the client resolves the name.
        Socks5h, //!< SOCKS5 with the name resolved by the proxy.
    };

    ProxyOptions();
    ProxyOptions(Type type, const QString &host, quint16 port);
    ProxyOptions(const ProxyOptions &other);
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

    Type type() const;
    void setType(Type type);
    QString host() const;
    void setHost(const QString &host);
    /*! Port of the proxy; 0 means the type's default (8080 for HTTP, 1080 for SOCKS). */
    quint16 port() const;
    void setPort(quint16 port);
    QString user() const;
    void setUser(const QString &user);
    QString password() const;
    void setPassword(const QString &password);
    /*! Hosts reached directly (http_no_proxy): "*", "host", ".suffix", "suffix", CIDR, "host:port". */
    QStringList noProxy() const;
    void setNoProxy(const QStringList &rules);
    /*! Limit for the proxy handshake in ms (http_proxy_timeout); -1 uses the connection's timeout. */
    int timeout() const;
    void setTimeout(int msecs);

    bool isProxied() const { return type() != Type::None && type() != Type::Direct; }
    bool operator==(const ProxyOptions &other) const;
    bool operator!=(const ProxyOptions &other) const { return !(*this == other); }

private:
    QSharedDataPointer<ProxyOptionsPrivate> d;
};

/*!
    The proxy a connection to \a url would use with \a options (websocket-client's get_proxy_info):
    the explicit proxy unless the URL's host matches its no-proxy rules; without one, http_proxy /
    HTTP_PROXY for ws:// and https_proxy / HTTPS_PROXY for wss://, unless no_proxy / NO_PROXY match.
    Returns a Type::Direct proxy when the connection goes direct.
*/
WSCLIENT_EXPORT ProxyOptions proxyFor(const QUrl &url, const ConnectOptions &options);

/*! Whether \a host (and \a port) match one of the no-proxy \a rules (exposed for tests and tools). */
WSCLIENT_EXPORT bool matchesNoProxy(const QString &host, quint16 port, const QStringList &rules);

} // namespace WsClient
