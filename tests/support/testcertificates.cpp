#include "testcertificates.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

TestCertificates::TestCertificates() : m_dir(std::make_unique<QTemporaryDir>())
{
    if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty()) {
        opensslMissing = true;
        error = QStringLiteral("openssl not found: run scripts/install-deps");
        return;
    }
    if (!m_dir->isValid()) {
        error = QStringLiteral("cannot create a temporary directory: ") + m_dir->errorString();
        return;
    }
    dir = m_dir->path();
    const auto file
        = [this](const char *name) -> QString { return dir + QLatin1Char('/') + QLatin1String(name); };
    ca = file("ca.pem");
    server = file("server.pem");
    serverKey = file("server.key");
    wrongHost = file("wronghost.pem");
    wrongHostKey = file("wronghost.key");
    selfSigned = file("selfsigned.pem");
    selfSignedKey = file("selfsigned.key");
    clientCa = file("client-ca.pem");
    client = file("client.pem");
    clientKey = file("client.key");
    clientEncryptedKey = file("client-encrypted.key");

    QProcess script;
    script.setProcessChannelMode(QProcess::MergedChannels);
    script.start(QStringLiteral("bash"), { QStringLiteral(WSCLIENT_TEST_SERVERS_DIR "/gen-certs.sh"), dir });
    const bool finished = script.waitForFinished(60000);
    if (!finished || script.exitStatus() != QProcess::NormalExit || script.exitCode() != 0) {
        error = QStringLiteral("gen-certs.sh failed: ") + script.errorString() + QLatin1Char('\n')
            + QString::fromLocal8Bit(script.readAll());
    }
}

TestCertificates::~TestCertificates() = default;

const TestCertificates &TestCertificates::instance()
{
    static const TestCertificates certificates;
    return certificates;
}

QList<QSslCertificate> TestCertificates::caCertificates() const
{
    return QSslCertificate::fromPath(ca);
}

QStringList TestCertificates::serverTlsArguments() const
{
    return { QStringLiteral("--cert"), server, QStringLiteral("--key"), serverKey };
}
