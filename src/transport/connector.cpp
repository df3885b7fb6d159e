#include "connector.h"

#include "tlssetup.h"
#include "trace_p.h"

#include <QtNetwork/qnetworkproxy.h>
#include <QtNetwork/qsslcipher.h>
#include <QtNetwork/qsslsocket.h>
#include <QtNetwork/qtcpsocket.h>

namespace WsClient::Transport {

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
{
}

Connector::~Connector()
{
    if (m_socket)
        m_socket->abort();
}

QString Connector::target() const { return m_url.hostAndPort(true); }

void Connector::start()
{
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
    }
    m_socket = socket;
    // No system proxy is applied behind the user's back: proxies are chosen by ConnectOptions.
    socket->setProxy(QNetworkProxy::NoProxy);
    connect(socket, &QAbstractSocket::connected, this, &Connector::onConnected);
    connect(socket, &QAbstractSocket::errorOccurred, this, &Connector::onSocketError);
    qCDebug(lcTraceCategory) << "connecting to" << target();
    if (m_ssl)
        m_ssl->connectToHostEncrypted(m_url.host, m_url.port, m_ssl->peerVerifyName());
    else
        socket->connectToHost(m_url.host, m_url.port);
}

void Connector::onConnected()
{
    const auto options = m_options.socketOptions();
    for (auto it = options.cbegin(); it != options.cend(); ++it)
        m_socket->setSocketOption(it.key(), it.value());
    qCDebug(lcTraceCategory).noquote() << "connected to" << m_socket->peerAddress().toString()
                                       << m_socket->peerPort();
    if (!m_ssl)
        setReady();
}

void Connector::onEncrypted()
{
    qCDebug(lcTraceCategory).noquote() << "TLS established:" << m_ssl->sessionProtocol()
                                       << m_ssl->sessionCipher().name();
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
    fail(Error::Tls, QStringLiteral("TLS handshake with %1 failed: %2").arg(target(), describeSslErrors(fatal)));
}

void Connector::onSocketError(QAbstractSocket::SocketError socketError)
{
    if (hasFailed() || m_ready)
        return;
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
    m_ready = true;
    Q_EMIT ready();
}

void Connector::fail(Error error, const QString &why)
{
    if (hasFailed())
        return;
    m_error = error;
    m_errorString = why;
    if (m_socket)
        m_socket->abort();
    Q_EMIT failed(error, why);
}

bool Connector::waitForReady(QDeadlineTimer deadline)
{
    while (!m_ready && !hasFailed() && m_socket) {
        const int ms = deadline.isForever() ? -1 : int(qMax<qint64>(0, deadline.remainingTime()));
        if (ms == 0)
            return false;
        // The waits emit our signals synchronously; a ready() handler may take the socket away.
        QPointer<QAbstractSocket> socket = m_socket;
        bool progressed;
        if (socket->state() != QAbstractSocket::ConnectedState)
            progressed = socket->waitForConnected(ms);
        else if (m_ssl)
            progressed = m_ssl->waitForEncrypted(ms);
        else
            progressed = true;
        if (m_ready || hasFailed() || !m_socket)
            break;
        if (!progressed && socket->error() != QAbstractSocket::SocketTimeoutError
            && socket->state() == QAbstractSocket::UnconnectedState)
            onSocketError(socket->error());
        if (!progressed && !hasFailed() && deadline.hasExpired())
            return false;
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
