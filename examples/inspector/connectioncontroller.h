// The inspector's connection: a WebSocketApp (for reconnects) whose socket reports every frame.
// It turns what is sent and received into FrameEntry values for the log, counts them, times pings,
// and describes the handshake.
//
// Received frames come from WebSocket::frameReceived(). With permessage-deflate negotiated, data
// frames carry compressed fragments of one LZ77 stream, so data is logged per message (inflated)
// from messageReceived() instead; control frames are never compressed and stay per frame.
// Sent frames are logged by the calls that send them, plus what the library sends on the
// inspector's behalf: the Pong answering a Ping and the Close echoing the server's.
// Keepalive pings come from a timer here rather than WebSocketApp's, so that each one is logged
// and timed like a ping sent by hand.
#pragma once

#include "connectionsettings.h"
#include "frameentry.h"
#include "sessionstatistics.h"

#include <WsClient/Frame>
#include <WsClient/WebSocketApp>

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qobject.h>
#include <QtCore/qtimer.h>
#include <QtCore/qurl.h>

class ConnectionController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(WsClient::WebSocketApp::State state READ state NOTIFY stateChanged)

public:
    using State = WsClient::WebSocketApp::State;

    // Milliseconds before the first reconnect when ConnectionSettings::reconnect is on.
    static constexpr int ReconnectDelayMs = 1000;

    explicit ConnectionController(QObject *parent = nullptr);

    // Starts connecting to \a url; false with \a error when the URL or the settings cannot be
    // used, or a connection is already under way.
    bool open(const QString &url, const ConnectionSettings &settings, QString *error);
    // Ends the connection with \a code and \a reason, or stops connecting / waiting to reconnect.
    void close(quint16 code, const QString &reason);

    // Each returns false (after failed()) when the connection is not open or the payload is invalid.
    bool sendText(const QString &text);
    bool sendBinary(const QByteArray &data);
    bool sendPing(const QByteArray &payload);

    State state() const { return m_app.state(); }
    const SessionStatistics &statistics() const { return m_statistics; }
    // Request and response header fields of the last handshake, subprotocol, extensions; for a
    // rejected upgrade the status, fields and body of the answer.
    QString handshakeReport() const;
    WsClient::WebSocketApp *app() { return &m_app; }

Q_SIGNALS:
    void frameLogged(const FrameEntry &entry);
    void stateChanged(WsClient::WebSocketApp::State state);
    void statisticsChanged();
    void handshakeChanged();
    // An error to show: a failed connection or send, a dropped connection, invalid input.
    void failed(const QString &message);
    // The connection ended for good with the server's (or the failure's) \a code and \a reason.
    void closed(int code, const QString &reason);
    void reconnectScheduled(int attempt, int delayMs);

private:
    void wire();
    void log(Direction direction, WsClient::Opcode opcode, const QByteArray &payload, bool final = true,
        bool compressed = false);
    void onOpened();
    void onStateChanged(State state);
    void onFrameReceived(const WsClient::Frame &frame);
    void onMessageReceived(const QByteArray &data, WsClient::Opcode opcode);
    void onFrameSent(const WsClient::Frame &frame);
    void onPongReceived(const QByteArray &payload);
    void onError(WsClient::Error error, const QString &errorString);
    bool checkOpen();

    WsClient::WebSocketApp m_app;
    SessionStatistics m_statistics;
    QTimer m_keepalive;
    QElapsedTimer m_pingClock;
    QByteArray m_pingPayload;
    bool m_pingOutstanding = false;
    bool m_deflate = false; // permessage-deflate negotiated on the current connection
    bool m_incomingCompressed = false; // RSV1 of the current incoming message's first frame
};
