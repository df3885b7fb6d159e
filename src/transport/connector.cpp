#include "connector.h"

#include "proxy_p.h"
#include "tlssetup.h"
#include "trace_p.h"

#include <QtCore/qtimer.h>
#include <QtNetwork/qhostinfo.h>
#include <QtNetwork/qnetworkproxy.h>
#include <QtNetwork/qsslcipher.h>
#include <QtNetwork/qsslsocket.h>
#include <QtNetwork/qtcpsocket.h>

namespace WsClient::Transport {

namespace {

// See Connector::start(): the bound of QTcpSocket's read buffer.
constexpr qint64 ReadBufferLimit = 512 * 1024;

} // namespace

Error errorFromSocket(QAbstractSocket::SocketError socketError)
{
    switch (socketError) {
    case QAbstractSocket::HostNotFoundError:
        return Error::HostNotFound;
    case QAbstractSocket::ConnectionRefusedError:
        return Error::ConnectionRefused;
    case QAbstractSocket::SocketTimeoutError:
        return Error::Timeout;
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        return Error::Tls;
    case QAbstractSocket::ProxyAuthenticationRequiredError:
    case QAbstractSocket::ProxyConnectionRefusedError:
    case QAbstractSocket::ProxyConnectionClosedError:
    case QAbstractSocket::ProxyConnectionTimeoutError:
    case QAbstractSocket::ProxyNotFoundError:
    case QAbstractSocket::ProxyProtocolError:
        return Error::Proxy;
    default:
        return Error::Network;
    }
}

Connector::Connector(const ParsedUrl &url, const ConnectOptions &options, QObject *parent)
    : QObject(parent), m_url(url), m_options(options)
{ }

Connector::~Connector()
{
    if (m_lookupId != -1)
        QHostInfo::abortHostLookup(m_lookupId);
    if (m_socket)
        m_socket->abort();
}

namespace {

QByteArray addressBytes(const QHostAddress &address)
{
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v4 = address.toIPv4Address();
        const char bytes[4] = { char(v4 >> 24), char(v4 >> 16), char(v4 >> 8), char(v4) };
        return QByteArray(bytes, 4);
    }
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        const Q_IPV6ADDR v6 = address.toIPv6Address();
        return QByteArray(reinterpret_cast<const char *>(v6.c), 16);
    }
    return {};
}

// The address a locally resolving proxy type is given: IPv4 first (SOCKS4 knows nothing else,
// and websocket-client's socks5 resolves with gethostbyname), else the first IPv6 one.
QHostAddress preferredAddress(const QList<QHostAddress> &addresses)
{
    for (const QHostAddress &address : addresses) {
        if (address.protocol() == QAbstractSocket::IPv4Protocol)
            return address;
    }
    return addresses.isEmpty() ? QHostAddress() : addresses.first();
}

bool resolvesLocally(ProxyOptions::Type type)
{
    return type == ProxyOptions::Type::Socks4 || type == ProxyOptions::Type::Socks5;
}

} // namespace

QString Connector::target() const
{
    return m_url.hostAndPort(true);
}

void Connector::start()
{
    const ProxyDecision decision = decideProxy(m_url, m_options);
    if (!decision.errorString.isEmpty()) {
        fail(Error::InvalidArgument, decision.errorString);
        return;
    }
    m_proxy = decision.proxy;
    if (m_proxy.isProxied()) {
        qCDebug(lcTraceCategory).noquote() << "proxy for" << target() << "from" << decision.source << "is"
                                           << m_proxy.toUrl().toDisplayString();
        // SOCKS4's user id is no credential; ProxyOptions' go out with the first CONNECT as Basic.
        const bool socks4
            = m_proxy.type() == ProxyOptions::Type::Socks4 || m_proxy.type() == ProxyOptions::Type::Socks4a;
        m_proxyAuth->setOrigin(proxyName());
        if (!socks4)
            m_proxyAuth->configure(
                m_proxy.user(), m_proxy.password(), m_proxy.type() == ProxyOptions::Type::Http);
    }
    QAbstractSocket *socket;
    if (m_url.secure) {
        const TlsSetup tls = prepareTls(m_options.sslOptions(), m_url.host);
        if (tls.error != Error::NoError) {
            fail(tls.error, tls.errorString);
            return;
        }
        m_ssl = new QSslSocket(this);
        m_ssl->setSslConfiguration(tls.configuration);
        m_ssl->setPeerVerifyName(tls.peerName);
        connect(m_ssl, &QSslSocket::encrypted, this, &Connector::onEncrypted);
        connect(m_ssl, &QSslSocket::sslErrors, this, &Connector::onSslErrors);
        socket = m_ssl;
    } else {
        socket = new QTcpSocket(this);
        // Qt's own read buffer is bounded too: a client slower than its server keeps at most this
        // much in it and leaves the rest in the kernel (TCP flow control), instead of reading all
        // that arrives into memory. Large payloads are read past it, straight into the frame.
        socket->setReadBufferSize(ReadBufferLimit);
    }
    m_socket = socket;
    // No system proxy is applied behind the user's back: proxies are chosen by ConnectOptions.
    socket->setProxy(QNetworkProxy::NoProxy);
    connect(socket, &QAbstractSocket::connected, this, &Connector::onConnected);
    connect(socket, &QAbstractSocket::errorOccurred, this, &Connector::onSocketError);
    if (m_proxy.isProxied()) {
        startProxied();
        return;
    }
    m_stage = Stage::Connecting;
    qCDebug(lcTraceCategory) << "connecting to" << target();
    if (m_ssl)
        m_ssl->connectToHostEncrypted(m_url.host, m_url.port, m_ssl->peerVerifyName());
    else // read straight from the kernel (see DeviceAdapter::isUnbuffered()); a proxy handshake peeks, so not there
        socket->connectToHost(m_url.host, m_url.port, QIODevice::ReadWrite | QIODevice::Unbuffered);
}

QString Connector::proxyName() const
{
    const QString host = m_proxy.host().contains(QLatin1Char(':'))
        ? QLatin1Char('[') + m_proxy.host() + QLatin1Char(']')
        : m_proxy.host();
    return QStringLiteral("%1 proxy %2:%3")
        .arg(m_proxy.type() == ProxyOptions::Type::Http ? QStringLiteral("HTTP") : QStringLiteral("SOCKS"),
            host)
        .arg(m_proxy.port());
}

bool Connector::inProxyStage() const
{
    return m_proxy.isProxied()
        && (m_stage == Stage::Resolving || m_stage == Stage::Connecting || m_stage == Stage::ProxyHandshake);
}

void Connector::startProxied()
{
    // http_proxy_timeout: a limit of its own for reaching the proxy and building the tunnel.
    const int limit = m_proxy.timeout();
    if (limit > 0) {
        m_proxyDeadline = QDeadlineTimer(limit);
        m_proxyTimer = new QTimer(this);
        m_proxyTimer->setSingleShot(true);
        connect(m_proxyTimer, &QTimer::timeout, this, &Connector::onProxyTimeout);
        m_proxyTimer->start(limit);
    }
    const QHostAddress literal(m_url.host);
    if (!literal.isNull()) {
        m_targetAddress = addressBytes(literal);
    } else if (resolvesLocally(m_proxy.type())) {
        m_stage = Stage::Resolving;
        qCDebug(lcTraceCategory).noquote() << "resolving" << m_url.host << "before asking the proxy";
        m_lookupId = QHostInfo::lookupHost(m_url.host, this, SLOT(onLookedUp(QHostInfo)));
        return;
    }
    connectToProxy();
}

void Connector::onLookedUp(const QHostInfo &info)
{
    m_lookupId = -1;
    if (hasFailed())
        return;
    const QHostAddress address = preferredAddress(info.addresses());
    if (info.error() != QHostInfo::NoError || address.isNull()) {
        fail(
            Error::HostNotFound, QStringLiteral("host %1 not found: %2").arg(m_url.host, info.errorString()));
        return;
    }
    m_targetAddress = addressBytes(address);
    connectToProxy();
}

void Connector::connectToProxy()
{
    m_stage = Stage::Connecting;
    qCDebug(lcTraceCategory).noquote() << "connecting to" << proxyName() << "for" << target();
    m_socket->connectToHost(m_proxy.host(), m_proxy.port());
}

void Connector::startProxyHandshake()
{
    m_stage = Stage::ProxyHandshake;
    m_handshake.emplace(m_proxy.type(),
        Protocol::ProxyHandshake::Target { m_url.host, m_url.port, m_targetAddress }, m_proxy.user(),
        m_proxy.password(), m_proxyAuth);
    if (m_handshake->hasFailed()) {
        fail(Error::Proxy, QStringLiteral("%1 (%2)").arg(m_handshake->errorString(), proxyName()));
        return;
    }
    qCDebug(lcTraceCategory).noquote()
        << m_handshake->protocolName() << "handshake with" << proxyName() << "for" << target()
        << (m_targetAddress.isEmpty() ? "(name resolved by the proxy)" : "");
    connect(m_socket, &QIODevice::readyRead, this, &Connector::onProxyReadyRead);
    m_socket->write(m_handshake->takeOutgoing());
}

void Connector::onProxyReadyRead()
{
    if (m_stage != Stage::ProxyHandshake || !m_handshake)
        return;
    // Only the handshake's own bytes are taken: what follows belongs to TLS or the WebSocket handshake.
    qsizetype consumed = 0;
    do {
        const QByteArray available = m_socket->peek(m_socket->bytesAvailable());
        consumed = m_handshake->feed(available);
        if (consumed > 0)
            m_socket->skip(consumed);
        const QByteArray outgoing = m_handshake->takeOutgoing();
        if (!outgoing.isEmpty())
            m_socket->write(outgoing);
    } while (consumed > 0 && m_handshake->state() == Protocol::ProxyHandshake::State::Running
        && m_socket->bytesAvailable() > 0);

    if (m_handshake->hasFailed())
        fail(m_handshake->error(), QStringLiteral("%1 (%2)").arg(m_handshake->errorString(), proxyName()));
    else if (m_handshake->isDone())
        onTunnelEstablished();
    else if (m_handshake->state() == Protocol::ProxyHandshake::State::Challenged)
        onProxyChallenged();
}

void Connector::onTunnelEstablished()
{
    disconnect(m_socket, &QIODevice::readyRead, this, &Connector::onProxyReadyRead);
    if (m_proxyTimer)
        m_proxyTimer->stop();
    m_proxyDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
    qCDebug(lcTraceCategory).noquote() << "tunnel to" << target() << "established through" << proxyName();
    if (m_ssl) {
        // TLS runs end to end with the target: SNI and certificate checks use the peer verify name
        // set in start() (the target's host), never the proxy's.
        m_stage = Stage::Tls;
        m_ssl->startClientEncryption();
    } else {
        setReady();
    }
}

void Connector::onProxyTimeout()
{
    if (!inProxyStage() || hasFailed())
        return;
    fail(Error::Proxy,
        QStringLiteral("no tunnel to %1 through %2 within the proxy timeout of %3 ms")
            .arg(target(), proxyName())
            .arg(m_proxy.timeout()));
}

void Connector::onConnected()
{
    const auto options = m_options.socketOptions();
    for (auto it = options.cbegin(); it != options.cend(); ++it)
        m_socket->setSocketOption(it.key(), it.value());
    qCDebug(lcTraceCategory).noquote()
        << "connected to" << m_socket->peerAddress().toString() << m_socket->peerPort();
    if (m_proxy.isProxied()) {
        startProxyHandshake();
        return;
    }
    if (m_ssl)
        m_stage = Stage::Tls;
    else
        setReady();
}

void Connector::onEncrypted()
{
    qCDebug(lcTraceCategory).noquote()
        << "TLS established:" << m_ssl->sessionProtocol() << m_ssl->sessionCipher().name();
    setReady();
}

void Connector::onSslErrors(const QList<QSslError> &errors)
{
    const QList<QSslError> fatal = fatalSslErrors(errors, m_options.sslOptions());
    if (fatal.isEmpty()) {
        m_ssl->ignoreSslErrors(errors);
        return;
    }
    // The socket reports SslHandshakeFailedError right after; this text is the one that names the cause.
    fail(Error::Tls,
        QStringLiteral("TLS handshake with %1 failed: %2").arg(target(), describeSslErrors(fatal)));
}

void Connector::onSocketError(QAbstractSocket::SocketError socketError)
{
    if (hasFailed() || m_ready)
        return;
    if (inProxyStage()) {
        if (socketError == QAbstractSocket::SocketTimeoutError) {
            // A blocking wait ran out: the proxy's own limit, or the caller's (who reports it).
            if (m_proxyDeadline.hasExpired())
                onProxyTimeout();
            return;
        }
        QString what;
        if (m_stage == Stage::ProxyHandshake && socketError == QAbstractSocket::RemoteHostClosedError) {
            what = QStringLiteral("%1 closed the connection during the %2 handshake for %3")
                       .arg(proxyName(), m_handshake ? m_handshake->protocolName() : QStringLiteral("proxy"),
                           target());
        } else if (m_stage == Stage::ProxyHandshake) {
            what = QStringLiteral("connection to %1 failed during the handshake for %2: %3")
                       .arg(proxyName(), target(), m_socket->errorString());
        } else {
            what = QStringLiteral("cannot connect to %1: %2").arg(proxyName(), m_socket->errorString());
        }
        fail(Error::Proxy, what);
        return;
    }
    const Error error = errorFromSocket(socketError);
    QString what;
    switch (error) {
    case Error::HostNotFound:
        what = QStringLiteral("host %1 not found").arg(m_url.host);
        break;
    case Error::ConnectionRefused:
        what = QStringLiteral("connection to %1 refused").arg(target());
        break;
    case Error::Tls:
        what = QStringLiteral("TLS handshake with %1 failed").arg(target());
        break;
    default:
        what = QStringLiteral("cannot connect to %1").arg(target());
        break;
    }
    fail(error, QStringLiteral("%1: %2").arg(what, m_socket->errorString()));
}

void Connector::setReady()
{
    m_stage = Stage::Done;
    m_ready = true;
    Q_EMIT ready();
}

void Connector::fail(Error error, const QString &why)
{
    if (hasFailed())
        return;
    m_error = error;
    m_errorString = why;
    qCDebug(lcTraceCategory).noquote() << "connection failed:" << why;
    if (m_proxyTimer)
        m_proxyTimer->stop();
    if (m_lookupId != -1) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    if (m_socket)
        m_socket->abort();
    Q_EMIT failed(error, why);
}

bool Connector::waitForReady(QDeadlineTimer deadline)
{
    while (!m_ready && !hasFailed() && m_socket) {
        if (m_stage == Stage::Resolving) {
            // No event loop to deliver the asynchronous answer: ask again, blocking.
            QHostInfo::abortHostLookup(m_lookupId);
            m_lookupId = -1;
            onLookedUp(QHostInfo::fromName(m_url.host));
            continue;
        }
        const bool proxyLimited = inProxyStage() && m_proxyDeadline.deadline() < deadline.deadline();
        const QDeadlineTimer limit = proxyLimited ? m_proxyDeadline : deadline;
        const int ms = limit.isForever() ? -1 : int(qMax<qint64>(0, limit.remainingTime()));
        if (ms == 0) {
            if (!proxyLimited)
                return false;
            onProxyTimeout();
            continue;
        }
        // The waits emit our signals synchronously; a ready() handler may take the socket away.
        QPointer<QAbstractSocket> socket = m_socket;
        bool progressed;
        if (socket->state() != QAbstractSocket::ConnectedState)
            progressed = socket->waitForConnected(ms);
        else if (m_stage == Stage::ProxyHandshake)
            progressed = socket->waitForReadyRead(ms);
        else if (m_ssl)
            progressed = m_ssl->waitForEncrypted(ms);
        else
            progressed = true;
        if (m_ready || hasFailed() || !m_socket || !socket)
            break;
        if (!progressed && socket->error() != QAbstractSocket::SocketTimeoutError
            && socket->state() == QAbstractSocket::UnconnectedState)
            onSocketError(socket->error());
        if (!progressed && !hasFailed() && limit.hasExpired()) {
            if (!proxyLimited)
                return false;
            onProxyTimeout();
        }
    }
    return m_ready;
}

QAbstractSocket *Connector::takeSocket()
{
    QAbstractSocket *socket = m_socket;
    if (!socket)
        return nullptr;
    disconnect(socket, nullptr, this, nullptr);
    socket->setParent(nullptr);
    m_socket = nullptr;
    m_ssl = nullptr;
    return socket;
}

} // namespace WsClient::Transport
