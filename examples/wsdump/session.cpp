#include "session.h"

#include "payloadformat.h"
#include "proxysupport.h"

#include <WsClient/Trace>

#include <QtCore/qsocketnotifier.h>

#include <unistd.h>

using namespace WsClient;

Session::Session(const DumpOptions &options, Console &console, QObject *parent)
    : QObject(parent), m_options(options), m_console(console)
{
    m_pingTimer.setInterval(m_options.pingIntervalMs);
    connect(&m_pingTimer, &QTimer::timeout, this, [this] { m_socket.ping(); });
    m_eofTimer.setSingleShot(true);
    // --eof-wait is a minimum: a coarse timer may fire up to 5% early.
    m_eofTimer.setTimerType(Qt::PreciseTimer);
    m_eofTimer.setInterval(m_options.eofWaitMs);
    connect(&m_eofTimer, &QTimer::timeout, this, &Session::closeGracefully);

    connect(&m_socket, &WebSocket::connected, this, &Session::onConnected);
    connect(&m_socket, &WebSocket::messageReceived, this, &Session::onMessage);
    connect(&m_socket, &WebSocket::errorOccurred, this, &Session::onError);
    connect(&m_socket, &WebSocket::stateChanged, this, &Session::onStateChanged);
    if (m_options.verbose > 0) {
        connect(&m_socket, &WebSocket::pingReceived, this,
            [this](const QByteArray &payload) { onControlFrame(Opcode::Ping, QString::fromUtf8(payload)); });
        connect(&m_socket, &WebSocket::pongReceived, this,
            [this](const QByteArray &payload) { onControlFrame(Opcode::Pong, QString::fromUtf8(payload)); });
        connect(&m_socket, &WebSocket::closeReceived, this, [this](int code, const QString &reason) {
            onControlFrame(
                Opcode::Close, QString(QString::number(code) + QLatin1Char(' ') + reason).trimmed());
        });
    }
}

ConnectOptions Session::connectOptions(QString *error) const
{
    ConnectOptions options;
    if (!m_options.proxy.isEmpty() && !applyProxy(m_options.proxy, options, error))
        return options;
    options.setSubprotocols(m_options.subprotocols);
    if (!m_options.origin.isEmpty())
        options.setOrigin(m_options.origin);
    if (!m_options.headers.isEmpty())
        options.setHeaders(m_options.headers);
    if (m_options.noCertificateCheck) {
        SslOptions ssl;
        ssl.setVerifyPeer(false);
        ssl.setCheckHostname(false);
        options.setSslOptions(ssl);
    }
    options.setTimeout(m_options.openTimeoutMs);
    if (m_options.maxSize > 0) {
        options.setMaxMessageSize(m_options.maxSize);
        options.setMaxFrameSize(m_options.maxSize);
    }
    if (m_options.compress) {
        CompressionOptions compression = CompressionOptions::enabledDefaults();
        if (m_options.maxSize > 0)
            compression.setMaxDecompressedSize(m_options.maxSize);
        options.setCompression(compression);
    }
    return options;
}

bool Session::start()
{
    QString error;
    const ConnectOptions options = connectOptions(&error);
    if (!error.isEmpty()) {
        m_console.error(error);
        return false;
    }
    if (m_options.verbose >= 2)
        enableTrace(true);
    m_socket.open(m_options.url, options);
    return true;
}

void Session::onConnected()
{
    QString details = QStringLiteral("HTTP %1").arg(m_socket.handshakeStatus());
    if (!m_socket.subprotocol().isEmpty())
        details += QStringLiteral(", subprotocol ") + m_socket.subprotocol();
    if (!m_socket.extensions().isEmpty())
        details += QStringLiteral(", extensions ") + QString::fromUtf8(m_socket.extensions());
    if (m_options.verbose > 0)
        m_console.info(
            QStringLiteral("connected to %1 (%2)").arg(m_socket.effectiveUrl().toDisplayString(), details));
    if (m_console.style().interactive)
        m_console.info(QStringLiteral("Press Ctrl+C to quit"));

    if (m_options.hasBinary)
        m_socket.sendBinary(m_options.binary);
    if (m_options.hasText)
        m_socket.sendText(m_options.text);
    if (m_options.pingIntervalMs > 0)
        m_pingTimer.start();

    m_console.prompt();
    m_stdinNotifier = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
    connect(m_stdinNotifier, &QSocketNotifier::activated, this, &Session::readStdin);
}

void Session::onMessage(const QByteArray &data, Opcode opcode)
{
    QString shown = opcode == Opcode::Text ? QString::fromUtf8(data) : describeBinary(data);
    if (m_options.verbose > 0)
        shown = opcodeName(opcode) + QStringLiteral(": ") + shown;
    m_console.printReceived(shown);
}

void Session::onControlFrame(Opcode opcode, const QString &payload)
{
    m_console.printReceived(opcodeName(opcode) + QStringLiteral(": ") + payload);
}

void Session::onError(Error error, const QString &errorString)
{
    if (m_failed)
        return;
    m_failed = true;
    QString message = errorName(error) + QStringLiteral(": ") + errorString;
    const QString status = QString::number(m_socket.handshakeStatus());
    if (error == Error::BadStatus && !errorString.contains(status))
        message += QStringLiteral(" (HTTP ") + status + QLatin1Char(')');
    m_console.error(message);
}

void Session::onStateChanged(WebSocket::State state)
{
    // Queued: an error reported right after the state change still decides the exit code.
    if (state == WebSocket::State::Unconnected)
        QTimer::singleShot(0, this, &Session::finish);
}

void Session::readStdin()
{
    char buffer[65536];
    const ssize_t count = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR)
        return;
    if (count <= 0) {
        onEndOfInput();
        return;
    }
    m_pendingInput.append(buffer, qsizetype(count));
    qsizetype newline;
    while ((newline = m_pendingInput.indexOf('\n')) >= 0) {
        sendLine(m_pendingInput.left(newline));
        m_pendingInput.remove(0, newline + 1);
    }
}

void Session::sendLine(QByteArray line)
{
    if (line.endsWith('\r'))
        line.chop(1);
    if (m_socket.isOpen())
        m_socket.sendText(QString::fromUtf8(line));
    m_console.prompt();
}

void Session::onEndOfInput()
{
    m_stdinNotifier->setEnabled(false);
    if (!m_pendingInput.isEmpty()) {
        sendLine(m_pendingInput);
        m_pendingInput.clear();
    }
    m_console.finish();
    // As the seed: keep receiving for --eof-wait seconds, then leave.
    m_eofTimer.start();
}

void Session::closeGracefully()
{
    if (m_stdinNotifier)
        m_stdinNotifier->setEnabled(false);
    m_pingTimer.stop();
    switch (m_socket.state()) {
    case WebSocket::State::Open:
        m_socket.close(m_options.closeCode, m_options.closeReason);
        break;
    case WebSocket::State::Connecting:
        m_socket.abort();
        break;
    case WebSocket::State::Closing:
    case WebSocket::State::Unconnected:
        break;
    }
}

void Session::finish()
{
    if (m_finishing || m_socket.state() != WebSocket::State::Unconnected)
        return;
    m_finishing = true;
    m_console.finish();
    if (!m_failed && m_options.verbose > 0)
        m_console.info(
            QStringLiteral("closed (code %1%2)")
                .arg(m_socket.closeCode())
                .arg(m_socket.closeReason().isEmpty() ? QString()
                                                      : QStringLiteral(", ") + m_socket.closeReason()));
    Q_EMIT finished(m_failed ? 1 : 0);
}
