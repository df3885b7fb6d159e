#include "tlssetup.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qmetaobject.h>
#include <QtNetwork/qsslcipher.h>
#include <QtNetwork/qsslkey.h>

namespace WsClient::Transport {

namespace {

QList<QSslCertificate> loadCertificates(const QString &path, QString *why)
{
    const QFileInfo info(path);
    QList<QSslCertificate> certs;
    if (info.isDir()) {
        const QDir dir(path);
        const QStringList files = dir.entryList(QDir::Files | QDir::Readable);
        for (const QString &name : files)
            certs += QSslCertificate::fromPath(dir.filePath(name), QSsl::Pem);
    } else if (info.isFile()) {
        certs = QSslCertificate::fromPath(path, QSsl::Pem);
    } else {
        *why = QStringLiteral("CA bundle %1 does not exist").arg(path);
        return {};
    }
    if (certs.isEmpty())
        *why = QStringLiteral("no PEM certificate found in %1").arg(path);
    return certs;
}

QSslKey loadKey(const QString &path, const QByteArray &passphrase, QString *why)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *why = QStringLiteral("cannot read key file %1: %2").arg(path, file.errorString());
        return {};
    }
    const QByteArray pem = file.readAll();
    for (QSsl::KeyAlgorithm algorithm : { QSsl::Rsa, QSsl::Ec, QSsl::Dsa }) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey, passphrase);
        if (!key.isNull())
            return key;
    }
    *why = passphrase.isEmpty()
        ? QStringLiteral("key file %1 holds no readable private key (encrypted without a passphrase?)")
              .arg(path)
        : QStringLiteral("key file %1 holds no readable private key (wrong passphrase?)").arg(path);
    return {};
}

} // namespace

TlsSetup prepareTls(const SslOptions &options, const QString &host)
{
    TlsSetup setup;
    setup.configuration
        = options.hasConfiguration() ? options.configuration() : QSslConfiguration::defaultConfiguration();
    setup.peerName = options.serverName().isEmpty() ? host : options.serverName();
    QSslConfiguration &config = setup.configuration;
    auto fail = [&setup](const QString &why) {
        setup.error = Error::InvalidArgument;
        setup.errorString = why;
        return setup;
    };

    if (!options.verifyPeer())
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
    else if (!options.hasConfiguration())
        config.setPeerVerifyMode(QSslSocket::VerifyPeer);

    // Trusted CAs: explicit file/dir, else WEBSOCKET_CLIENT_CA_BUNDLE, else the configuration's own.
    QStringList caPaths;
    if (!options.caFile().isEmpty())
        caPaths << options.caFile();
    if (!options.caDirectory().isEmpty())
        caPaths << options.caDirectory();
    if (caPaths.isEmpty() && qEnvironmentVariableIsSet("WEBSOCKET_CLIENT_CA_BUNDLE"))
        caPaths << qEnvironmentVariable("WEBSOCKET_CLIENT_CA_BUNDLE");
    if (!caPaths.isEmpty()) {
        QList<QSslCertificate> cas;
        for (const QString &path : std::as_const(caPaths)) {
            QString why;
            const QList<QSslCertificate> certs = loadCertificates(path, &why);
            if (certs.isEmpty())
                return fail(why);
            cas += certs;
        }
        config.setCaCertificates(cas);
    }

    if (!options.certificateFile().isEmpty()) {
        const QList<QSslCertificate> chain = QSslCertificate::fromPath(options.certificateFile(), QSsl::Pem);
        if (chain.isEmpty())
            return fail(QStringLiteral("no PEM certificate found in %1").arg(options.certificateFile()));
        config.setLocalCertificateChain(chain);
        // A combined PEM (certificate + key in one file) is accepted like Python's load_cert_chain.
        const QString keyPath = options.keyFile().isEmpty() ? options.certificateFile() : options.keyFile();
        QString why;
        const QSslKey key = loadKey(keyPath, options.keyPassphrase(), &why);
        if (key.isNull())
            return fail(why);
        config.setPrivateKey(key);
    } else if (!options.keyFile().isEmpty()) {
        return fail(QStringLiteral("a key file was given without a certificate file"));
    }

    if (!options.ciphers().isEmpty()) {
        config.setCiphers(options.ciphers());
        if (config.ciphers().isEmpty())
            return fail(QStringLiteral("no usable cipher in \"%1\"").arg(options.ciphers()));
    }
    if (options.protocol() != QSsl::SecureProtocols || !options.hasConfiguration())
        config.setProtocol(options.protocol());
    return setup;
}

QList<QSslError> fatalSslErrors(const QList<QSslError> &errors, const SslOptions &options)
{
    QList<QSslError> fatal;
    for (const QSslError &e : errors) {
        if (!options.verifyPeer())
            continue;
        if (!options.checkHostname() && e.error() == QSslError::HostNameMismatch)
            continue;
        fatal.append(e);
    }
    return fatal;
}

QString describeSslErrors(const QList<QSslError> &errors)
{
    const QMetaEnum names = QMetaEnum::fromType<QSslError::SslError>();
    QStringList parts;
    for (const QSslError &e : errors) {
        const char *name = names.valueToKey(int(e.error()));
        parts << QStringLiteral("%1 (%2)").arg(e.errorString(), QLatin1String(name ? name : "?"));
    }
    return QStringLiteral("certificate verify failed: ") + parts.join(QStringLiteral("; "));
}

} // namespace WsClient::Transport
