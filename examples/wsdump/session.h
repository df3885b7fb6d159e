// One wsdump run: connects, sends what stdin (and -t / --binary-*) supply, prints what arrives, and
// ends with an exit code: 0 after a clean close, 1 after a failure.
#pragma once

#include "console.h"
#include "dumpoptions.h"

#include <WsClient/WebSocket>

#include <QtCore/qobject.h>
#include <QtCore/qtimer.h>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

class Session : public QObject
{
    Q_OBJECT

public:
    Session(const DumpOptions &options, Console &console, QObject *parent = nullptr);

    // Starts connecting; false (after printing why) when the options cannot be used.
    bool start();
    // Closes the connection with the configured code and reason (Ctrl+C, end of input).
    void closeGracefully();

Q_SIGNALS:
    void finished(int exitCode);

private:
    WsClient::ConnectOptions connectOptions(QString *error) const;
    void onConnected();
    void onMessage(const QByteArray &data, WsClient::Opcode opcode);
    void onControlFrame(WsClient::Opcode opcode, const QString &payload);
    void onError(WsClient::Error error, const QString &errorString);
    void onStateChanged(WsClient::WebSocket::State state);
    void readStdin();
    void sendLine(QByteArray line);
    void onEndOfInput();
    void finish();

    DumpOptions m_options;
    Console &m_console;
    WsClient::WebSocket m_socket;
    QSocketNotifier *m_stdinNotifier = nullptr;
    QByteArray m_pendingInput; // a line not yet ended by '\n'
    QTimer m_pingTimer;
    QTimer m_eofTimer;
    bool m_failed = false;
    bool m_finishing = false;
};
