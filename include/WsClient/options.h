#pragma once

#include <WsClient/compression.h>
#include <WsClient/enums.h>
#include <WsClient/proxy.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>
#include <QtCore/qmap.h>
#include <QtCore/qpair.h>
#include <QtCore/qshareddata.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qvariant.h>
#include <QtNetwork/qabstractsocket.h>
#include <QtNetwork/qssl.h>

#include <functional>

QT_BEGIN_NAMESPACE
class QIODevice;
class QNetworkCookieJar;
class QSslConfiguration;
QT_END_NAMESPACE

namespace WsClient {

class SslOptionsPrivate;
class ConnectOptionsPrivate;

/*!
    TLS settings for wss:// connections: the port of websocket-client's sslopt.
    Peer and host name verification are on by default, against the system's CA certificates.
*/
class WSCLIENT_EXPORT SslOptions
{
public:
    /*! Verification on, system CAs, no client certificate. */
    SslOptions();
    /*! Copies \a other (cheap: implicitly shared). */
    SslOptions(const SslOptions &other);
    /*! Assigns \a other (cheap: implicitly shared). */
    SslOptions &operator=(const SslOptions &other);
    ~SslOptions();

    /*! Verify the server certificate chain (sslopt cert_reqs). Default true. */
    bool verifyPeer() const;
    /*! Turns verification of the server's certificate chain on or off; see verifyPeer(). */
    void setVerifyPeer(bool on);
    /*! Check the certificate matches the host name (sslopt check_hostname). Default true. */
    bool checkHostname() const;
    /*! Turns the host name check on or off; see checkHostname(). */
    void setCheckHostname(bool on);
    /*!
        PEM file of trusted CA certificates (sslopt ca_certs). When a CA file or directory is set,
        only those CAs are trusted. Without either, the environment variable
        WEBSOCKET_CLIENT_CA_BUNDLE (a file or a directory) is used if set, else the system CAs.
    */
    QString caFile() const;
    /*! Trusts the CA certificates in the PEM file at \a path; see caFile(). */
    void setCaFile(const QString &path);
    /*! Directory of PEM CA certificates (sslopt ca_cert_path). */
    QString caDirectory() const;
    /*! Trusts the PEM CA certificates in the directory \a path; see caDirectory(). */
    void setCaDirectory(const QString &path);
    /*! Client certificate (PEM) presented to servers that ask for one (sslopt certfile). */
    QString certificateFile() const;
    /*! Presents the certificate (chain) in the PEM file at \a path; see certificateFile(). */
    void setCertificateFile(const QString &path);
    /*! Private key of the client certificate, PEM, RSA or EC (sslopt keyfile). */
    QString keyFile() const;
    /*! Reads the client certificate's private key from \a path; see keyFile(). */
    void setKeyFile(const QString &path);
    /*! Passphrase of an encrypted key file (sslopt password). */
    QByteArray keyPassphrase() const;
    /*! Decrypts the key file with \a passphrase; see keyPassphrase(). */
    void setKeyPassphrase(const QByteArray &passphrase);
    /*! OpenSSL cipher list such as "ECDHE-ECDSA-AES128-GCM-SHA256:..." (sslopt ciphers). */
    QString ciphers() const;
    /*! Restricts the ciphers to the OpenSSL list \a ciphers; see ciphers(). */
    void setCiphers(const QString &ciphers);
    /*! Protocol version range (sslopt ssl_version). Default QSsl::SecureProtocols. */
    QSsl::SslProtocol protocol() const;
    /*! Restricts the TLS versions to \a protocol; see protocol(). */
    void setProtocol(QSsl::SslProtocol protocol);
    /*! Name sent as SNI and checked against the certificate instead of the URL's host (sslopt
     * server_hostname). */
    QString serverName() const;
    /*! Sends \a name as SNI and verifies the certificate against it; see serverName(). */
    void setServerName(const QString &name);
    /*!
        A complete configuration used as the starting point instead of the default one (sslopt
        context). The other options still apply on top of it when set.
    */
    QSslConfiguration configuration() const;
    /*! Starts from \a configuration instead of the default configuration; see configuration(). */
    void setConfiguration(const QSslConfiguration &configuration);
    /*! True once setConfiguration() was called. */
    bool hasConfiguration() const;

    /*! True when every setting equals the one in \a other. */
    bool operator==(const SslOptions &other) const;
    /*! True when a setting differs from the one in \a other. */
    bool operator!=(const SslOptions &other) const { return !(*this == other); }

private:
    QSharedDataPointer<SslOptionsPrivate> d;
};

/*!
    Everything a connection can be told before it opens: the port of websocket-client's
    connect()/create_connection() keyword options plus WsClient's limits.
    A value type; copies are cheap (implicitly shared).
*/
class WSCLIENT_EXPORT ConnectOptions
{
public:
    /*! HTTP header fields as (name, value) pairs, in order; repeated names are kept. */
    using HeaderList = QList<QPair<QByteArray, QByteArray>>;
    /*! Returns a mask key of \a length (4) bytes; see setMaskKeyGenerator(). */
    using MaskKeyGenerator = std::function<QByteArray(int length)>;

    /*! Default limit on an incoming frame and on an assembled message: 64 MiB. */
    static constexpr qint64 DefaultMaxMessageSize = 64 * 1024 * 1024;
    /*! Default limit on the server's handshake response head: 64 KiB. */
    static constexpr qint64 DefaultMaxHeaderSize = 64 * 1024;
    /*! Default number of redirects followed: 3 (as websocket-client). */
    static constexpr int DefaultRedirectLimit = 3;
    /*! Default wait for the server's Close after close(): 3 s (as websocket-client). */
    static constexpr int DefaultCloseTimeout = 3000;
    /*! Default limit for opening (lookup, TCP, proxy, TLS, HTTP handshake): 10 s (as python websockets). */
    static constexpr int DefaultOpenTimeout = 10000;
    /*! Default bound of the bytes accepted by send calls and not yet handed to the kernel: 16 MiB. */
    static constexpr qint64 DefaultSendBufferLimit = 16 * 1024 * 1024;

    /*! Every option at its default (see each getter). */
    ConnectOptions();
    /*! Copies \a other (cheap: implicitly shared). */
    ConnectOptions(const ConnectOptions &other);
    /*! Assigns \a other (cheap: implicitly shared). */
    ConnectOptions &operator=(const ConnectOptions &other);
    ~ConnectOptions();

    /*!
        Extra request header fields, in order (websocket-client: header= as a list). A field named like one
        WsClient sends by default (Origin, Sec-WebSocket-Key, ...) replaces it; a field with a null
        value removes that default header.
    */
    HeaderList headers() const;
    /*! Sets the extra request fields to \a headers, in order; see headers(). */
    void setHeaders(const HeaderList &headers);
    /*! Sets headers from "Name: value" lines (websocket-client: header=["K: V", ...]); malformed lines fail at open(). */
    void setHeaders(const QList<QByteArray> &lines);
    /*! Sets headers from a map (websocket-client: header={...}); a null value removes the default field. */
    void setHeaders(const QMap<QByteArray, QByteArray> &headers);
    /*! Appends one field (replacing an earlier one with the same name). */
    void setHeader(const QByteArray &name, const QByteArray &value);

    /*! Cookie header value (websocket-client: cookie=). */
    QByteArray cookie() const;
    /*! Sends \a cookie as the Cookie header; see cookie(). */
    void setCookie(const QByteArray &cookie);
    /*!
        The cookie jar the handshakes use, or null (default: no jar, only cookie() is sent).

        Before each handshake request, each redirect hop included, the jar's cookies for the URL
        (QNetworkCookieJar::cookiesForUrl()) go into the Cookie header after cookie(); a cookie
        whose name cookie() already carries is not sent twice. The Set-Cookie fields of each
        handshake response (the 101, a redirect, an error status) are stored with
        QNetworkCookieJar::setCookiesFromUrl(), before the next hop's request is made and
        before WebSocket::connected() or the error is reported. The jar sees ws:// URLs as http://
        and wss:// as https://, so cookies marked Secure travel only over wss://. A Cookie field
        in headers() replaces the whole header, the jar's cookies included.

        Not owned (unlike QNetworkAccessManager::setCookieJar(), which takes ownership): the
        options are a value copied into every connection, and the usual jar is one shared with a
        QNetworkAccessManager, which owns it. The pointer is guarded (QPointer): a jar deleted
        before a handshake counts as none. The jar is called on the thread of the WebSocket
        (WebSocketApp: of the app), during opening only. QNetworkCookieJar is not thread-safe:
        with connections in other threads than the jar's other users, give each thread a jar of
        its own, or share a subclass whose virtual functions take a lock. See \ref qtnetwork-cookies.
    */
    QNetworkCookieJar *cookieJar() const;
    /*! Sends and stores cookies through \a jar (null: none); not owned; see cookieJar(). */
    void setCookieJar(QNetworkCookieJar *jar);
    /*! Origin header value; default http(s)://host[:port] (websocket-client: origin=). */
    QByteArray origin() const;
    /*! Sends \a origin as the Origin header; see origin(). */
    void setOrigin(const QByteArray &origin);
    /*! Send no Origin header (websocket-client: suppress_origin=). */
    bool suppressOrigin() const;
    /*! Leaves the Origin header out when \a on; see suppressOrigin(). */
    void setSuppressOrigin(bool on);
    /*! Host header value instead of the URL's host[:port] (websocket-client: host=). */
    QByteArray host() const;
    /*! Sends \a host as the Host header; see host(). */
    void setHost(const QByteArray &host);
    /*! Connection header value instead of "Upgrade" (websocket-client: connection=). */
    QByteArray connectionHeader() const;
    /*! Sends \a value as the Connection header; see connectionHeader(). */
    void setConnectionHeader(const QByteArray &value);
    /*! Subprotocols offered in Sec-WebSocket-Protocol, in order of preference (websocket-client: subprotocols=). */
    QStringList subprotocols() const;
    /*! Offers \a protocols, most preferred first; see subprotocols(). */
    void setSubprotocols(const QStringList &protocols);

    /*! How many 301/302/303/307/308 redirects to follow (websocket-client: redirect_limit=). Default 3. */
    int redirectLimit() const;
    /*! Follows at most \a limit redirects; see redirectLimit(). */
    void setRedirectLimit(int limit);
    /*!
        Limit in milliseconds for opening: name lookup, TCP connect, proxy tunnel, TLS and the HTTP
        handshake together, redirects included (websocket-client: timeout=). -1 (default) takes the socket's
        WebSocket::timeout() when that is set, else DefaultOpenTimeout (10 s); 0 means none.
    */
    int timeout() const;
    /*! Limits opening to \a msecs; see timeout(). */
    void setTimeout(int msecs);
    /*!
        How long close() waits for the server's Close frame, counted from when the client's Close
        has been handed to the kernel; while messages queued before it are still being written, from
        their last progress instead. Default 3000 ms. Running out is Error::Timeout.
    */
    int closeTimeout() const;
    /*! Waits at most \a msecs for the server's Close; see closeTimeout(). */
    void setCloseTimeout(int msecs);

    /*!
        Socket options applied to the TCP socket (websocket-client: sockopt=). LowDelayOption (TCP_NODELAY)
        and KeepAliveOption are on by default.
    */
    QMap<QAbstractSocket::SocketOption, QVariant> socketOptions() const;
    /*! Sets the TCP socket's \a option to \a value once connected; see socketOptions(). */
    void setSocketOption(QAbstractSocket::SocketOption option, const QVariant &value);

    /*!
        A transport that is already open (websocket-client: socket=): a connected QTcpSocket, a QSslSocket
        after its handshake, a QLocalSocket to a unix-domain socket server, any sequential
        QIODevice. The URL still supplies Host and the resource. Not owned; it must outlive the
        WebSocket's use of it.
    */
    QIODevice *device() const;
    /*! Runs the connection over \a device instead of a socket of its own; see device(). */
    void setDevice(QIODevice *device);

    /*! Proxy to go through (websocket-client: http_proxy_* and proxy_type); see proxyFor() for the environment. */
    ProxyOptions proxy() const;
    /*! Connects through \a proxy; see proxy(). */
    void setProxy(const ProxyOptions &proxy);

    /*! TLS settings for wss:// (websocket-client: sslopt=). */
    SslOptions sslOptions() const;
    /*! Uses the TLS settings \a options for wss://; see sslOptions(). */
    void setSslOptions(const SslOptions &options);

    /*! permessage-deflate (RFC 7692) to offer; off by default. */
    CompressionOptions compression() const;
    /*! Offers permessage-deflate as \a compression says; see compression(). */
    void setCompression(const CompressionOptions &compression);

    /*! Makes the 4-byte mask key of each frame (websocket-client: get_mask_key). Default: system random. */
    MaskKeyGenerator maskKeyGenerator() const;
    /*! Makes mask keys with \a generator (an empty function: system random); see maskKeyGenerator(). */
    void setMaskKeyGenerator(const MaskKeyGenerator &generator);
    /*! Deliver each data frame as it arrives instead of whole messages (websocket-client: fire_cont_frame=). */
    bool fireContinuationFrames() const;
    /*! Delivers frames instead of messages when \a on; see fireContinuationFrames(). */
    void setFireContinuationFrames(bool on);
    /*! Accept text messages without checking their UTF-8 (websocket-client: skip_utf8_validation=). */
    bool skipUtf8Validation() const;
    /*! Skips the UTF-8 check of text messages when \a on; see skipUtf8Validation(). */
    void setSkipUtf8Validation(bool on);

    /*! Largest incoming frame payload; larger ones close with 1009. Default 64 MiB. */
    qint64 maxFrameSize() const;
    /*! Limits incoming frame payloads to \a bytes; see maxFrameSize(). */
    void setMaxFrameSize(qint64 bytes);
    /*! Largest incoming assembled message; larger ones close with 1009. Default 64 MiB. */
    qint64 maxMessageSize() const;
    /*! Limits incoming messages to \a bytes; see maxMessageSize(). */
    void setMaxMessageSize(qint64 bytes);
    /*! Largest handshake response head accepted. Default 64 KiB. */
    qint64 maxHeaderSize() const;
    /*! Limits the handshake response head to \a bytes; see maxHeaderSize(). */
    void setMaxHeaderSize(qint64 bytes);
    /*!
        Bound of WebSocket::bytesToWrite(): a send that would pass it is refused (-1,
        Error::SendBufferFull) and queues nothing; wait for WebSocket::bytesWritten() and send again.
        A single message larger than the bound is accepted when nothing else waits. 0: no bound.
        Default 16 MiB (DefaultSendBufferLimit).
    */
    qint64 sendBufferLimit() const;
    /*! Bounds the bytes waiting to be written to \a bytes (0: no bound); see sendBufferLimit(). */
    void setSendBufferLimit(qint64 bytes);
    /*! Outgoing messages larger than this are sent as several frames; 0 (default) never splits. */
    qint64 outgoingFrameSize() const;
    /*! Splits outgoing messages into frames of at most \a bytes (0: never); see outgoingFrameSize(). */
    void setOutgoingFrameSize(qint64 bytes);

private:
    QSharedDataPointer<ConnectOptionsPrivate> d;
};

} // namespace WsClient
