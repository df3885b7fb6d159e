// The QML element WebSocketClient (module WsClient): a WebSocketApp with its options as properties.
// The reference for QML users is docs/qml.md; this header is not installed.
#pragma once

#include <WsClient/connectionend.h>
#include <WsClient/options.h>

#include <QtCore/qobject.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qurl.h>
#include <QtCore/qvariant.h>
#include <QtQml/qqml.h>
#include <QtQml/qqmlparserstatus.h>

namespace WsClient {

class WebSocketApp;

/*
    What the element adds to WebSocketApp: an `active` switch that survives the order in which QML
    assigns properties (nothing starts before componentComplete()), a `status` that tells a failed
    connection (Error) from a closed one (Closed), a URL change that moves an active connection to
    the new URL, and traffic counters. The send policy and the reconnect rules are WebSocketApp's.
*/
class WebSocketClient : public QObject, public QQmlParserStatus
{
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    QML_ELEMENT
    Q_PROPERTY(QUrl url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(bool active READ isActive WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(Status status READ status NOTIFY statusChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)
    Q_PROPERTY(QStringList requestedSubprotocols READ requestedSubprotocols WRITE setRequestedSubprotocols
            NOTIFY requestedSubprotocolsChanged)
    Q_PROPERTY(QString subprotocol READ subprotocol NOTIFY subprotocolChanged)
    Q_PROPERTY(QVariant headers READ headers WRITE setHeaders NOTIFY headersChanged)
    Q_PROPERTY(QString origin READ origin WRITE setOrigin NOTIFY originChanged)
    Q_PROPERTY(int pingInterval READ pingInterval WRITE setPingInterval NOTIFY pingIntervalChanged)
    Q_PROPERTY(int pingTimeout READ pingTimeout WRITE setPingTimeout NOTIFY pingTimeoutChanged)
    Q_PROPERTY(int reconnectDelay READ reconnectDelay WRITE setReconnectDelay NOTIFY reconnectDelayChanged)
    Q_PROPERTY(bool compression READ compression WRITE setCompression NOTIFY compressionChanged)
    Q_PROPERTY(
        bool ignoreSslErrors READ ignoreSslErrors WRITE setIgnoreSslErrors NOTIFY ignoreSslErrorsChanged)
    Q_PROPERTY(int closeCode READ closeCode NOTIFY closeCodeChanged)
    Q_PROPERTY(QString closeReason READ closeReason NOTIFY closeReasonChanged)
    // double, not qint64: Qt 6.4's QML tooling has no 64-bit integer type, and 2^53 bytes is enough.
    Q_PROPERTY(double bytesReceived READ bytesReceived NOTIFY bytesReceivedChanged)
    Q_PROPERTY(double bytesSent READ bytesSent NOTIFY bytesSentChanged)
    // Bytes sent and not yet handed to the kernel, as browsers' WebSocket.bufferedAmount.
    Q_PROPERTY(double bufferedAmount READ bufferedAmount NOTIFY bufferedAmountChanged)

public:
    // The names of QtWebSockets' QML WebSocket.Status, so that a port keeps its comparisons.
    enum Status {
        Connecting, // an attempt is under way (the first one or a reconnect)
        Open, // messages flow
        Closing, // a closing handshake is under way
        Closed, // not active, or stopped after a normal close by either side
        Error, // the last attempt failed or the connection dropped: waiting to reconnect, or stopped
    };
    Q_ENUM(Status)

    explicit WebSocketClient(QObject *parent = nullptr);
    ~WebSocketClient() override;

    QUrl url() const { return m_url; }
    void setUrl(const QUrl &url);
    bool isActive() const { return m_active; }
    void setActive(bool active);
    Status status() const { return m_status; }
    QString errorString() const { return m_errorString; }
    QStringList requestedSubprotocols() const { return m_requestedSubprotocols; }
    void setRequestedSubprotocols(const QStringList &protocols);
    QString subprotocol() const { return m_subprotocol; }
    QVariant headers() const { return m_headers; }
    void setHeaders(const QVariant &headers);
    QString origin() const { return m_origin; }
    void setOrigin(const QString &origin);
    int pingInterval() const;
    void setPingInterval(int msecs);
    int pingTimeout() const;
    void setPingTimeout(int msecs);
    int reconnectDelay() const;
    void setReconnectDelay(int msecs);
    bool compression() const { return m_compression; }
    void setCompression(bool on);
    bool ignoreSslErrors() const { return m_ignoreSslErrors; }
    void setIgnoreSslErrors(bool on);
    int closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    double bytesReceived() const { return double(m_bytesReceived); }
    double bytesSent() const { return double(m_bytesSent); }
    double bufferedAmount() const { return double(m_bufferedAmount); }

    // Same as active = true.
    Q_INVOKABLE void open();
    // Stops for good with a Close frame carrying code and reason; active becomes false.
    Q_INVOKABLE void close(int code = 1000, const QString &reason = QString());
    // False (and errorOccurred) when the message was refused: not Open, see WebSocketApp's send policy.
    Q_INVOKABLE bool sendTextMessage(const QString &message);
    Q_INVOKABLE bool sendBinaryMessage(const QByteArray &message);
    // payload: a string (sent as UTF-8) or an ArrayBuffer, at most 125 bytes.
    Q_INVOKABLE bool ping(const QVariant &payload = QVariant());

    void classBegin() override;
    void componentComplete() override;

Q_SIGNALS:
    void urlChanged();
    void activeChanged(bool isActive);
    void statusChanged(WsClient::WebSocketClient::Status status);
    void errorStringChanged(const QString &errorString);
    void requestedSubprotocolsChanged();
    void subprotocolChanged();
    void headersChanged();
    void originChanged();
    void pingIntervalChanged();
    void pingTimeoutChanged();
    void reconnectDelayChanged();
    void compressionChanged();
    void ignoreSslErrorsChanged();
    void closeCodeChanged();
    void closeReasonChanged();
    void bytesReceivedChanged();
    void bytesSentChanged();
    void bufferedAmountChanged();

    void opened();
    void reconnected();
    void textMessageReceived(const QString &message);
    void binaryMessageReceived(const QByteArray &message);
    void pingReceived(const QByteArray &payload);
    void pongReceived(const QByteArray &payload);
    void errorOccurred(const QString &errorString);
    void closed(int code, const QString &reason);

private:
    void wireApp();
    void activate();
    void beginRun();
    void stop(int code, const QString &reason);
    // Hands the properties to the app as ConnectOptions; returns why headers could not be used.
    QString applyOptions();
    void updateStatus();
    void onConnectionEnded(const ConnectionEnd &end);
    void updateBufferedAmount();
    void setCloseInfo(int code, const QString &reason);
    void setErrorString(const QString &why);
    void reportLocalError(const QString &why);
    void onAppError(const QString &why);
    void onAppOpened(bool again);
    void onAppClosed(int code, const QString &reason);
    void addBytesSent(qint64 n);

    WebSocketApp *m_app;
    QUrl m_url;
    bool m_active = false;
    bool m_complete = true; // false between classBegin() and componentComplete()
    Status m_status = Closed;
    QString m_errorString;
    QStringList m_requestedSubprotocols;
    QString m_subprotocol;
    QVariant m_headers;
    QString m_origin;
    bool m_compression = false;
    bool m_ignoreSslErrors = false;
    int m_closeCode = 0;
    QString m_closeReason;
    qint64 m_bytesReceived = 0;
    qint64 m_bytesSent = 0;
    qint64 m_bufferedAmount = 0;

    bool m_failed = false; // the last connection (or start()) failed: status Error
    bool m_stopRequested = false; // close() or active = false: the run ends as Closed, whatever happens
    bool m_restartPending = false; // start a new run once the ending one has finished
    bool m_switchingUrl = false; // the ending run ends because url changed: no closed() for it
    bool m_reconnectNext = false; // the next open is the element coming back (new URL): reconnected()
};

} // namespace WsClient
