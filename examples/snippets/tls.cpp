// TLS options for wss:// (docs/examples.md, "TLS"). Under ctest the harness serves wss with
// certificates made for the run; the first argument names the case:
//   tls no-verify     server with a self-signed certificate
//   tls no-hostname   server certificate for another name (wrong.example), signed by the test CA
//   tls ca            server certificate for localhost/127.0.0.1, signed by the test CA
//   tls sni           the same server
//   tls client-cert   the same, and the server requires a client certificate
#include "snippetenv.h"

#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>
#include <QtNetwork/qsslcertificate.h>
#include <QtNetwork/qsslconfiguration.h>

namespace {

// Sends one message and prints how it went.
void report(const char *what, WsClient::WebSocket &ws)
{
    if (!ws.isOpen()) {
        qInfo().noquote() << what << "-> failed:" << WsClient::errorName(ws.error());
        return;
    }
    ws.sendText(QStringLiteral("over TLS"));
    qInfo().noquote() << what << "-> open, echo:" << ws.receive(5000).text();
    ws.close();
    ws.waitForDisconnected();
}

void noVerification(const QUrl &url)
{
    report("default settings", *WsClient::WebSocket::connectTo(url));
    //! [no-verify]
    WsClient::SslOptions ssl;
    ssl.setVerifyPeer(false); // sslopt={"cert_reqs": ssl.CERT_NONE}: any certificate is accepted
    WsClient::ConnectOptions options;
    options.setSslOptions(ssl);
    auto ws = WsClient::WebSocket::connectTo(url, options);
    //! [no-verify]
    report("verifyPeer off", *ws);
}

void noHostnameCheck(const QUrl &url, const QString &caFile)
{
    WsClient::SslOptions trustTestCa;
    trustTestCa.setCaFile(caFile);
    WsClient::ConnectOptions strict;
    strict.setSslOptions(trustTestCa);
    report("certificate for another name", *WsClient::WebSocket::connectTo(url, strict));
    //! [no-hostname]
    WsClient::SslOptions ssl;
    ssl.setCaFile(caFile); // the chain is still verified ...
    ssl.setCheckHostname(false); // ... but the certificate may name another host
    WsClient::ConnectOptions options;
    options.setSslOptions(ssl);
    auto ws = WsClient::WebSocket::connectTo(url, options);
    //! [no-hostname]
    report("checkHostname off", *ws);
}

void caBundle(const QUrl &url, const QString &caFile)
{
    report("system CAs only", *WsClient::WebSocket::connectTo(url));
    //! [ca-bundle]
    WsClient::SslOptions ssl;
    ssl.setCaFile(caFile); // sslopt={"ca_certs": ...}; or setCaDirectory() for a directory of PEM files
    WsClient::ConnectOptions options;
    options.setSslOptions(ssl);
    auto ws = WsClient::WebSocket::connectTo(url, options);
    //! [ca-bundle]
    report("own CA file", *ws);

    //! [configuration]
    // websocket-client's sslopt={"context": ...}: start from a complete QSslConfiguration of your own.
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates(QSslCertificate::fromPath(caFile));
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    WsClient::SslOptions custom;
    custom.setConfiguration(configuration); // the other SslOptions still apply on top when set
    options.setSslOptions(custom);
    //! [configuration]
    report("own QSslConfiguration", *WsClient::WebSocket::connectTo(url, options));
}

void sni(const QUrl &url, const QString &caFile)
{
    WsClient::SslOptions ssl;
    ssl.setCaFile(caFile);
    //! [sni]
    // Connect to the address in the URL, but send "localhost" as SNI and expect a certificate for it
    // (sslopt={"server_hostname": ...}).
    ssl.setServerName(QStringLiteral("localhost"));
    WsClient::ConnectOptions options;
    options.setSslOptions(ssl);
    auto ws = WsClient::WebSocket::connectTo(url, options); // url: wss://127.0.0.1:port/
    //! [sni]
    report("server name localhost", *ws);
    ssl.setServerName(QStringLiteral("wrong.example"));
    options.setSslOptions(ssl);
    report("server name wrong.example", *WsClient::WebSocket::connectTo(url, options));
}

void clientCertificate(const QUrl &url, const QString &caFile)
{
    const QString certFile = Snippet::env("WSCLIENT_SNIPPET_CLIENT_CERT");
    const QString keyFile = Snippet::env("WSCLIENT_SNIPPET_CLIENT_KEY");
    const QByteArray passphrase = Snippet::env("WSCLIENT_SNIPPET_KEY_PASSPHRASE").toUtf8();
    //! [client-cert]
    WsClient::SslOptions ssl;
    ssl.setCaFile(caFile);
    ssl.setCertificateFile(certFile); // PEM (sslopt certfile)
    ssl.setKeyFile(keyFile); // PEM, RSA or EC (keyfile); omit it when the certificate file holds the key
    ssl.setKeyPassphrase(passphrase); // for an encrypted key (password)
    WsClient::ConnectOptions options;
    options.setSslOptions(ssl);
    auto ws = WsClient::WebSocket::connectTo(url, options);
    //! [client-cert]
    report("client certificate", *ws);

    ssl.setKeyPassphrase("not the passphrase");
    options.setSslOptions(ssl);
    auto refused = WsClient::WebSocket::connectTo(url, options);
    qInfo().noquote() << "wrong passphrase ->" << WsClient::errorName(refused->error());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QString mode = app.arguments().value(1);
    const QUrl url = Snippet::url(QStringLiteral("/"));
    const QString caFile = Snippet::env("WSCLIENT_SNIPPET_CA");
    if (mode == QLatin1String("no-verify"))
        noVerification(url);
    else if (mode == QLatin1String("no-hostname"))
        noHostnameCheck(url, caFile);
    else if (mode == QLatin1String("ca"))
        caBundle(url, caFile);
    else if (mode == QLatin1String("sni"))
        sni(url, caFile);
    else if (mode == QLatin1String("client-cert"))
        clientCertificate(url, caFile);
    else
        return 2;
    return 0;
}
