#include <WsClient/connectionend.h>

#include "shareddefault_p.h"

namespace WsClient {

class ConnectionEndPrivate : public QSharedData
{
public:
    int closeCode = 0;
    QString closeReason;
    Error error = Error::NoError;
    QString errorString;
    bool wasOpen = false;
    bool closeSent = false;
    bool closeReceived = false;
    bool closedByServer = false;
    qint64 undeliveredBytes = 0;
    int undeliveredMessages = 0;
};

ConnectionEnd::ConnectionEnd() : d(sharedDefault<ConnectionEndPrivate>()) { }
ConnectionEnd::ConnectionEnd(const ConnectionEnd &other) = default;
ConnectionEnd &ConnectionEnd::operator=(const ConnectionEnd &other) = default;
ConnectionEnd::~ConnectionEnd() = default;

int ConnectionEnd::closeCode() const
{
    return d->closeCode;
}
QString ConnectionEnd::closeReason() const
{
    return d->closeReason;
}
Error ConnectionEnd::error() const
{
    return d->error;
}
QString ConnectionEnd::errorString() const
{
    return d->errorString;
}
bool ConnectionEnd::wasOpen() const
{
    return d->wasOpen;
}
bool ConnectionEnd::closeSent() const
{
    return d->closeSent;
}
bool ConnectionEnd::closeReceived() const
{
    return d->closeReceived;
}
bool ConnectionEnd::closedByServer() const
{
    return d->closedByServer;
}
bool ConnectionEnd::isClean() const
{
    return d->closeSent && d->closeReceived && d->error == Error::NoError && d->undeliveredBytes == 0;
}
qint64 ConnectionEnd::undeliveredBytes() const
{
    return d->undeliveredBytes;
}
int ConnectionEnd::undeliveredMessages() const
{
    return d->undeliveredMessages;
}

void ConnectionEnd::setClose(int code, const QString &reason)
{
    d->closeCode = code;
    d->closeReason = reason;
}
void ConnectionEnd::setError(Error error, const QString &errorString)
{
    d->error = error;
    d->errorString = errorString;
}
void ConnectionEnd::setWasOpen(bool open)
{
    d->wasOpen = open;
}
void ConnectionEnd::setCloseFrames(bool sent, bool received, bool byServer)
{
    d->closeSent = sent;
    d->closeReceived = received;
    d->closedByServer = byServer;
}
void ConnectionEnd::setUndelivered(qint64 bytes, int messages)
{
    d->undeliveredBytes = bytes;
    d->undeliveredMessages = messages;
}

} // namespace WsClient
