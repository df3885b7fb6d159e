#pragma once

#include <WsClient/enums.h>
#include <WsClient/options.h>

#include <QtNetwork/qsslconfiguration.h>
#include <QtNetwork/qsslerror.h>

namespace WsClient::Transport {

/*! SslOptions turned into what QSslSocket needs, or the reason they cannot be. */
struct TlsSetup
{
    QSslConfiguration configuration;
    QString peerName; //!< SNI and host name to verify.
    Error error = Error::NoError; //!< InvalidArgument for unreadable CA/certificate/key files.
    QString errorString;
};

/*! Builds the TLS configuration for a connection to \a host from \a options (sslopt semantics). */
TlsSetup prepareTls(const SslOptions &options, const QString &host);

/*! The errors of \a errors that \a options do not allow to pass (e.g. only HostNameMismatch is allowed with
 * checkHostname off). */
QList<QSslError> fatalSslErrors(const QList<QSslError> &errors, const SslOptions &options);

/*! "certificate verify failed: <Qt's text> (<enum name>); ..." for an error string. */
QString describeSslErrors(const QList<QSslError> &errors);

} // namespace WsClient::Transport
