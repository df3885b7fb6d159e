// TLS material for the integration tests, generated once per test process by tests/servers/gen-certs.sh
// into a temporary directory (removed at exit).
//
//   const TestCertificates &certs = TestCertificates::instance();
//   WSCLIENT_REQUIRE_CERTIFICATES(certs);
//   TestServer server = TestServer::python(certs.serverTlsArguments());
//   QSslConfiguration tls; tls.setCaCertificates(certs.caCertificates());
#pragma once

#include <QList>
#include <QSslCertificate>
#include <QStringList>

#include <memory>

QT_BEGIN_NAMESPACE
class QTemporaryDir;
QT_END_NAMESPACE

struct TestCertificates
{
    static const TestCertificates &instance();

    // Empty when generation succeeded; else why not (openssl missing, script failure with its output).
    QString error;
    bool opensslMissing = false;

    QString dir;
    QString ca; // test CA that signed server and wronghost
    QString server; // DNS:localhost, IP:127.0.0.1, IP:::1, signed by ca
    QString serverKey;
    QString wrongHost; // DNS:wrong.example only, signed by ca
    QString wrongHostKey;
    QString selfSigned; // localhost/127.0.0.1/::1, self-signed, trusted by nobody
    QString selfSignedKey;
    QString clientCa; // CA that signed client
    QString client; // client certificate
    QString clientKey; // unencrypted EC key
    QString clientEncryptedKey; // the same key, PKCS#8 encrypted with passphrase()
    static QByteArray passphrase() { return QByteArrayLiteral("secret"); }

    // ca.pem loaded, for QSslConfiguration::setCaCertificates / a client's CA option.
    QList<QSslCertificate> caCertificates() const;
    // --cert server.pem --key server.key (add --client-ca clientCa to require client certificates).
    QStringList serverTlsArguments() const;

    TestCertificates();
    ~TestCertificates();
    TestCertificates(const TestCertificates &) = delete;
    TestCertificates &operator=(const TestCertificates &) = delete;

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

// Use directly in a test function: QSKIP when openssl is missing (QFAIL with WSCLIENT_TEST_REQUIRE_SERVERS,
// as in CI), QFAIL when generation failed.
#define WSCLIENT_REQUIRE_CERTIFICATES(certs)                                                                 \
    do {                                                                                                     \
        if ((certs).opensslMissing) {                                                                        \
            if (qEnvironmentVariableIsSet("WSCLIENT_TEST_REQUIRE_SERVERS"))                                  \
                QFAIL(qPrintable((certs).error));                                                            \
            QSKIP(qPrintable((certs).error));                                                                \
        }                                                                                                    \
        if (!(certs).error.isEmpty())                                                                        \
            QFAIL(qPrintable((certs).error));                                                                \
    } while (false)
