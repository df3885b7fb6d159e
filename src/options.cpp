#include <WsClient/options.h>

#include "shareddefault_p.h"

#include <QtCore/qpointer.h>
#include <QtNetwork/qnetworkcookiejar.h>
#include <QtNetwork/qsslconfiguration.h>

namespace WsClient {

class SslOptionsPrivate : public QSharedData
{
public:
    bool verifyPeer = true;
    bool checkHostname = true;
    QString caFile;
    QString caDirectory;
    QString certificateFile;
    QString keyFile;
    QByteArray keyPassphrase;
    QString ciphers;
    QSsl::SslProtocol protocol = QSsl::SecureProtocols;
    QString serverName;
    bool hasConfiguration = false;
    QSslConfiguration configuration;

    bool operator==(const SslOptionsPrivate &o) const
    {
        return verifyPeer == o.verifyPeer && checkHostname == o.checkHostname && caFile == o.caFile
            && caDirectory == o.caDirectory && certificateFile == o.certificateFile && keyFile == o.keyFile
            && keyPassphrase == o.keyPassphrase && ciphers == o.ciphers && protocol == o.protocol
            && serverName == o.serverName && hasConfiguration == o.hasConfiguration
            && (!hasConfiguration || configuration == o.configuration);
    }
};

SslOptions::SslOptions() : d(sharedDefault<SslOptionsPrivate>()) { }
SslOptions::SslOptions(const SslOptions &other) = default;
SslOptions &SslOptions::operator=(const SslOptions &other) = default;
SslOptions::~SslOptions() = default;

bool SslOptions::verifyPeer() const
{
    return d->verifyPeer;
}
void SslOptions::setVerifyPeer(bool on)
{
    d->verifyPeer = on;
}
bool SslOptions::checkHostname() const
{
    return d->checkHostname;
}
void SslOptions::setCheckHostname(bool on)
{
    d->checkHostname = on;
}
QString SslOptions::caFile() const
{
    return d->caFile;
}
void SslOptions::setCaFile(const QString &path)
{
    d->caFile = path;
}
QString SslOptions::caDirectory() const
{
    return d->caDirectory;
}
void SslOptions::setCaDirectory(const QString &path)
{
    d->caDirectory = path;
}
QString SslOptions::certificateFile() const
{
    return d->certificateFile;
}
void SslOptions::setCertificateFile(const QString &path)
{
    d->certificateFile = path;
}
QString SslOptions::keyFile() const
{
    return d->keyFile;
}
void SslOptions::setKeyFile(const QString &path)
{
    d->keyFile = path;
}
QByteArray SslOptions::keyPassphrase() const
{
    return d->keyPassphrase;
}
void SslOptions::setKeyPassphrase(const QByteArray &passphrase)
{
    d->keyPassphrase = passphrase;
}
QString SslOptions::ciphers() const
{
    return d->ciphers;
}
void SslOptions::setCiphers(const QString &ciphers)
{
    d->ciphers = ciphers;
}
QSsl::SslProtocol SslOptions::protocol() const
{
    return d->protocol;
}
void SslOptions::setProtocol(QSsl::SslProtocol protocol)
{
    d->protocol = protocol;
}
QString SslOptions::serverName() const
{
    return d->serverName;
}
void SslOptions::setServerName(const QString &name)
{
    d->serverName = name;
}
QSslConfiguration SslOptions::configuration() const
{
    return d->configuration;
}
void SslOptions::setConfiguration(const QSslConfiguration &configuration)
{
    d->configuration = configuration;
    d->hasConfiguration = true;
}
bool SslOptions::hasConfiguration() const
{
    return d->hasConfiguration;
}
bool SslOptions::operator==(const SslOptions &other) const
{
    return d == other.d || *d == *other.d;
}

class ConnectOptionsPrivate : public QSharedData
{
public:
    ConnectOptions::HeaderList headers;
    QByteArray cookie;
    QPointer<QNetworkCookieJar> cookieJar;
    QByteArray origin;
    bool suppressOrigin = false;
    QByteArray host;
    QByteArray connectionHeader;
    QStringList subprotocols;
    int redirectLimit = ConnectOptions::DefaultRedirectLimit;
    int timeout = -1;
    int closeTimeout = ConnectOptions::DefaultCloseTimeout;
    QMap<QAbstractSocket::SocketOption, QVariant> socketOptions {
        { QAbstractSocket::LowDelayOption, 1 },
        { QAbstractSocket::KeepAliveOption, 1 },
    };
    QIODevice *device = nullptr;
    SslOptions sslOptions;
    CompressionOptions compression;
    ProxyOptions proxy;
    ConnectOptions::MaskKeyGenerator maskKeyGenerator;
    bool fireContinuationFrames = false;
    bool skipUtf8Validation = false;
    qint64 maxFrameSize = ConnectOptions::DefaultMaxMessageSize;
    qint64 maxMessageSize = ConnectOptions::DefaultMaxMessageSize;
    qint64 maxHeaderSize = ConnectOptions::DefaultMaxHeaderSize;
    qint64 outgoingFrameSize = 0;
    qint64 sendBufferLimit = ConnectOptions::DefaultSendBufferLimit;
};

ConnectOptions::ConnectOptions() : d(sharedDefault<ConnectOptionsPrivate>()) { }
ConnectOptions::ConnectOptions(const ConnectOptions &other) = default;
ConnectOptions &ConnectOptions::operator=(const ConnectOptions &other) = default;
ConnectOptions::~ConnectOptions() = default;

ConnectOptions::HeaderList ConnectOptions::headers() const
{
    return d->headers;
}
void ConnectOptions::setHeaders(const HeaderList &headers)
{
    d->headers = headers;
}

void ConnectOptions::setHeaders(const QList<QByteArray> &lines)
{
    HeaderList headers;
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        // A line without a colon is kept whole as a name: the request builder rejects it with a
        // message naming the line, instead of it vanishing here.
        if (colon < 0)
            headers.append({ line.trimmed(), QByteArray("") });
        else
            headers.append({ line.left(colon).trimmed(), line.mid(colon + 1).trimmed() });
    }
    d->headers = headers;
}

void ConnectOptions::setHeaders(const QMap<QByteArray, QByteArray> &headers)
{
    HeaderList list;
    for (auto it = headers.cbegin(); it != headers.cend(); ++it)
        list.append({ it.key(), it.value() });
    d->headers = list;
}

void ConnectOptions::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &field : d->headers) {
        if (field.first.compare(name, Qt::CaseInsensitive) == 0) {
            field.second = value;
            return;
        }
    }
    d->headers.append({ name, value });
}

ProxyOptions ConnectOptions::proxy() const
{
    return d->proxy;
}
void ConnectOptions::setProxy(const ProxyOptions &proxy)
{
    d->proxy = proxy;
}

QByteArray ConnectOptions::cookie() const
{
    return d->cookie;
}
void ConnectOptions::setCookie(const QByteArray &cookie)
{
    d->cookie = cookie;
}
QNetworkCookieJar *ConnectOptions::cookieJar() const
{
    return d->cookieJar.data();
}
void ConnectOptions::setCookieJar(QNetworkCookieJar *jar)
{
    d->cookieJar = jar;
}
QByteArray ConnectOptions::origin() const
{
    return d->origin;
}
void ConnectOptions::setOrigin(const QByteArray &origin)
{
    d->origin = origin;
}
bool ConnectOptions::suppressOrigin() const
{
    return d->suppressOrigin;
}
void ConnectOptions::setSuppressOrigin(bool on)
{
    d->suppressOrigin = on;
}
QByteArray ConnectOptions::host() const
{
    return d->host;
}
void ConnectOptions::setHost(const QByteArray &host)
{
    d->host = host;
}
QByteArray ConnectOptions::connectionHeader() const
{
    return d->connectionHeader;
}
void ConnectOptions::setConnectionHeader(const QByteArray &value)
{
    d->connectionHeader = value;
}
QStringList ConnectOptions::subprotocols() const
{
    return d->subprotocols;
}
void ConnectOptions::setSubprotocols(const QStringList &protocols)
{
    d->subprotocols = protocols;
}
int ConnectOptions::redirectLimit() const
{
    return d->redirectLimit;
}
void ConnectOptions::setRedirectLimit(int limit)
{
    d->redirectLimit = limit;
}
int ConnectOptions::timeout() const
{
    return d->timeout;
}
void ConnectOptions::setTimeout(int msecs)
{
    d->timeout = msecs;
}
int ConnectOptions::closeTimeout() const
{
    return d->closeTimeout;
}
void ConnectOptions::setCloseTimeout(int msecs)
{
    d->closeTimeout = msecs;
}
QMap<QAbstractSocket::SocketOption, QVariant> ConnectOptions::socketOptions() const
{
    return d->socketOptions;
}
void ConnectOptions::setSocketOption(QAbstractSocket::SocketOption option, const QVariant &value)
{
    d->socketOptions.insert(option, value);
}
QIODevice *ConnectOptions::device() const
{
    return d->device;
}
void ConnectOptions::setDevice(QIODevice *device)
{
    d->device = device;
}
CompressionOptions ConnectOptions::compression() const
{
    return d->compression;
}
void ConnectOptions::setCompression(const CompressionOptions &compression)
{
    d->compression = compression;
}

SslOptions ConnectOptions::sslOptions() const
{
    return d->sslOptions;
}
void ConnectOptions::setSslOptions(const SslOptions &options)
{
    d->sslOptions = options;
}
ConnectOptions::MaskKeyGenerator ConnectOptions::maskKeyGenerator() const
{
    return d->maskKeyGenerator;
}
void ConnectOptions::setMaskKeyGenerator(const MaskKeyGenerator &generator)
{
    d->maskKeyGenerator = generator;
}
bool ConnectOptions::fireContinuationFrames() const
{
    return d->fireContinuationFrames;
}
void ConnectOptions::setFireContinuationFrames(bool on)
{
    d->fireContinuationFrames = on;
}
bool ConnectOptions::skipUtf8Validation() const
{
    return d->skipUtf8Validation;
}
void ConnectOptions::setSkipUtf8Validation(bool on)
{
    d->skipUtf8Validation = on;
}
qint64 ConnectOptions::maxFrameSize() const
{
    return d->maxFrameSize;
}
void ConnectOptions::setMaxFrameSize(qint64 bytes)
{
    d->maxFrameSize = bytes;
}
qint64 ConnectOptions::maxMessageSize() const
{
    return d->maxMessageSize;
}
void ConnectOptions::setMaxMessageSize(qint64 bytes)
{
    d->maxMessageSize = bytes;
}
qint64 ConnectOptions::maxHeaderSize() const
{
    return d->maxHeaderSize;
}
void ConnectOptions::setMaxHeaderSize(qint64 bytes)
{
    d->maxHeaderSize = bytes;
}
qint64 ConnectOptions::outgoingFrameSize() const
{
    return d->outgoingFrameSize;
}
void ConnectOptions::setOutgoingFrameSize(qint64 bytes)
{
    d->outgoingFrameSize = bytes;
}
qint64 ConnectOptions::sendBufferLimit() const
{
    return d->sendBufferLimit;
}
void ConnectOptions::setSendBufferLimit(qint64 bytes)
{
    d->sendBufferLimit = bytes;
}

} // namespace WsClient
