#pragma once

#include <WsClient/enums.h>

#include <QtCore/qmetatype.h>
#include <QtCore/qobjectdefs.h>
#include <QtCore/qshareddata.h>
#include <QtCore/qstring.h>

namespace WsClient {

class ConnectionEndPrivate;

/*!
    How one connection ended: what WebSocket::finished() reports, once for every open(), whether
    the connection failed to open, was closed by either side, dropped or was aborted. The layers
    above (WebSocketApp, the QML element) decide on it instead of working it out again.

    A value type (implicitly shared); a default-constructed one describes no connection.
*/
class WSCLIENT_EXPORT ConnectionEnd
{
    Q_GADGET
    /*! The code it ended with; see closeCode(). */
    Q_PROPERTY(int closeCode READ closeCode CONSTANT)
    /*! The reason that came with closeCode(). */
    Q_PROPERTY(QString closeReason READ closeReason CONSTANT)
    /*! The failure it ended with, NoError when none. */
    Q_PROPERTY(WsClient::Error error READ error CONSTANT)
    /*! The cause of error(). */
    Q_PROPERTY(QString errorString READ errorString CONSTANT)
    /*! Whether the handshake had succeeded. */
    Q_PROPERTY(bool wasOpen READ wasOpen CONSTANT)
    /*! Whether the client sent a Close frame. */
    Q_PROPERTY(bool closeSent READ closeSent CONSTANT)
    /*! Whether the server's Close frame arrived. */
    Q_PROPERTY(bool closeReceived READ closeReceived CONSTANT)
    /*! Whether the server started the closing handshake. */
    Q_PROPERTY(bool closedByServer READ closedByServer CONSTANT)
    /*! Whether both Close frames were exchanged and nothing failed. */
    Q_PROPERTY(bool isClean READ isClean CONSTANT)
    /*! Bytes accepted by send calls that never reached the kernel. */
    Q_PROPERTY(qint64 undeliveredBytes READ undeliveredBytes CONSTANT)
    /*! Messages those bytes belonged to. */
    Q_PROPERTY(int undeliveredMessages READ undeliveredMessages CONSTANT)

public:
    /*! Describes no connection: closeCode() 0, no error. */
    ConnectionEnd();
    /*! Copies \a other (cheap: implicitly shared). */
    ConnectionEnd(const ConnectionEnd &other);
    /*! Assigns \a other (cheap: implicitly shared). */
    ConnectionEnd &operator=(const ConnectionEnd &other);
    ~ConnectionEnd();

    /*!
        The code of the server's Close frame (1005 when it carried none), the code WsClient closed
        with after a protocol violation (1002, 1007, 1009), 1006 when the connection dropped, was
        aborted or the closing handshake timed out; 0 when it never opened.
    */
    int closeCode() const;
    /*! The reason of the server's Close frame, or of WsClient's own when it failed the connection. */
    QString closeReason() const;
    /*! Why it ended, when that was a failure (the error errorOccurred() reported); NoError otherwise. */
    Error error() const;
    /*! The cause of error(), for people. */
    QString errorString() const;
    /*! True when the opening handshake had succeeded (connected() was emitted). */
    bool wasOpen() const;
    /*! True when the client sent a Close frame (its own close(), an echo, or a failure's 1002/1007/1009). */
    bool closeSent() const;
    /*! True when the server's Close frame arrived. */
    bool closeReceived() const;
    /*! True when the server's Close came first (the server started the closing handshake). */
    bool closedByServer() const;
    /*! True when both Close frames were exchanged and nothing failed: everything sent was delivered. */
    bool isClean() const;
    /*!
        Bytes that send calls had accepted and that were never handed to the kernel (dropped with
        the connection, or left behind by abort()). 0 after a clean close.
    */
    qint64 undeliveredBytes() const;
    /*! The messages those bytes belonged to, counting a message of which any part was not written. */
    int undeliveredMessages() const;

    /*! Sets closeCode() and closeReason(). */
    void setClose(int code, const QString &reason);
    /*! Sets error() and errorString(). */
    void setError(Error error, const QString &errorString);
    /*! Sets wasOpen(). */
    void setWasOpen(bool open);
    /*! Sets closeSent(), closeReceived() and closedByServer(). */
    void setCloseFrames(bool sent, bool received, bool byServer);
    /*! Sets undeliveredBytes() and undeliveredMessages(). */
    void setUndelivered(qint64 bytes, int messages);

private:
    QSharedDataPointer<ConnectionEndPrivate> d;
};

} // namespace WsClient

Q_DECLARE_METATYPE(WsClient::ConnectionEnd)
