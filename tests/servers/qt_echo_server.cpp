// WebSocket peer for the WsClient integration tests, on QWebSocketServer (test-only dependency).
// Prints exactly one line "LISTENING <port>" on stdout once it accepts connections; logs to stderr.
// Paths: /close?code=N&reason=R, /headers, anything else echoes (see README.md).

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

#include <cstdio>

namespace {

struct Options
{
    QHostAddress host;
    quint16 port = 0;
    QString certFile;
    QString keyFile;
    QStringList subprotocols;
};

Options parseOptions(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("QWebSocketServer peer for the WsClient integration tests"));
    parser.addHelpOption();
    const QCommandLineOption host(QStringLiteral("host"), QStringLiteral("Address to listen on."),
        QStringLiteral("address"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Port, 0 picks a free one."),
        QStringLiteral("port"), QStringLiteral("0"));
    const QCommandLineOption cert(QStringLiteral("cert"),
        QStringLiteral("Server certificate (PEM): serve wss."), QStringLiteral("file"));
    const QCommandLineOption key(
        QStringLiteral("key"), QStringLiteral("Server EC private key (PEM)."), QStringLiteral("file"));
    const QCommandLineOption subprotocols(QStringLiteral("subprotocols"),
        QStringLiteral("Comma-separated subprotocols the server accepts."), QStringLiteral("list"));
    parser.addOptions({ host, port, cert, key, subprotocols });
    parser.process(app);

    Options options;
    options.host = QHostAddress(parser.value(host));
    options.port = parser.value(port).toUShort();
    options.certFile = parser.value(cert);
    options.keyFile = parser.value(key);
    if (parser.isSet(subprotocols))
        options.subprotocols = parser.value(subprotocols).split(QLatin1Char(','), Qt::SkipEmptyParts);
    return options;
}

QByteArray readFile(const QString &fileName)
{
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(fileName));
    return file.readAll();
}

QSslConfiguration serverTlsConfiguration(const Options &options)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(QSslCertificate(readFile(options.certFile)));
    configuration.setPrivateKey(QSslKey(readFile(options.keyFile), QSsl::Ec));
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    return configuration;
}

QString pathWithQuery(const QUrl &url)
{
    return url.toString(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveFragment);
}

void echo(QWebSocket *socket)
{
    QObject::connect(socket, &QWebSocket::textMessageReceived, socket, &QWebSocket::sendTextMessage);
    QObject::connect(socket, &QWebSocket::binaryMessageReceived, socket, &QWebSocket::sendBinaryMessage);
}

void sendRequestAsJson(QWebSocket *socket)
{
    // Repeated headers are joined with ", " as HTTP allows.
    QJsonObject headers;
    const QNetworkRequest request = socket->request();
    for (const QByteArray &name : request.rawHeaderList()) {
        const QString key = QString::fromLatin1(name.toLower());
        const QString value = QString::fromLatin1(request.rawHeader(name));
        const QString previous = headers.value(key).toString();
        headers.insert(key, previous.isEmpty() ? value : previous + QStringLiteral(", ") + value);
    }
    const QJsonObject description {
        { QStringLiteral("path"), pathWithQuery(socket->requestUrl()) },
        { QStringLiteral("headers"), headers },
        { QStringLiteral("subprotocol"),
            socket->subprotocol().isEmpty() ? QJsonValue() : QJsonValue(socket->subprotocol()) },
    };
    socket->sendTextMessage(QString::fromUtf8(QJsonDocument(description).toJson(QJsonDocument::Compact)));
}

void serve(QWebSocket *socket)
{
    const QUrl url = socket->requestUrl();
    const QUrlQuery query(url);
    qInfo("open %s", qPrintable(pathWithQuery(url)));
    QObject::connect(socket, &QWebSocket::disconnected, socket, [socket, url] {
        qInfo("closed %s code=%d", qPrintable(pathWithQuery(url)), int(socket->closeCode()));
        socket->deleteLater();
    });

    if (url.path() == QLatin1String("/close")) {
        const int code = query.hasQueryItem(QStringLiteral("code"))
            ? query.queryItemValue(QStringLiteral("code")).toInt()
            : int(QWebSocketProtocol::CloseCodeNormal);
        socket->close(QWebSocketProtocol::CloseCode(code),
            query.queryItemValue(QStringLiteral("reason"), QUrl::FullyDecoded));
        return;
    }
    if (url.path() == QLatin1String("/headers"))
        sendRequestAsJson(socket);
    echo(socket);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const Options options = parseOptions(app);
    const bool secure = !options.certFile.isEmpty();

    QWebSocketServer server(QStringLiteral("wsclient-qt-test-server"),
        secure ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode);
    if (secure)
        server.setSslConfiguration(serverTlsConfiguration(options));
    server.setSupportedSubprotocols(options.subprotocols);
    QObject::connect(&server, &QWebSocketServer::newConnection, &server, [&server] {
        while (QWebSocket *socket = server.nextPendingConnection())
            serve(socket);
    });
    QObject::connect(&server, &QWebSocketServer::serverError, &server,
        [](QWebSocketProtocol::CloseCode code) { qWarning("server error %d", int(code)); });
    if (secure) {
        QObject::connect(&server, &QWebSocketServer::sslErrors, &server, [](const QList<QSslError> &errors) {
            for (const QSslError &error : errors)
                qWarning("tls error %s", qPrintable(error.errorString()));
        });
    }

    if (!server.listen(options.host, options.port)) {
        qCritical("cannot listen: %s", qPrintable(server.errorString()));
        return 1;
    }
    std::printf("LISTENING %u\n", unsigned(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}
