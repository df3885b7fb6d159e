#pragma once

#include <WsClient/enums.h>

#include <QtCore/qstring.h>

namespace WsClient::Protocol {

/*!
    Why the protocol core gave up on the peer's input: the API-level error, the close code the
    connection must send (RFC 6455 §7.4.1) and a message naming the rule that was broken.
*/
struct Failure
{
    Error error = Error::NoError;
    CloseCode closeCode = CloseCode::Normal;
    QString message;

    bool isFailure() const { return error != Error::NoError; }

    static Failure protocol(const QString &message)
    {
        return { Error::Protocol, CloseCode::ProtocolError, message };
    }
    static Failure payload(const QString &message)
    {
        return { Error::Payload, CloseCode::InvalidPayload, message };
    }
    static Failure tooBig(const QString &message)
    {
        return { Error::MessageTooBig, CloseCode::MessageTooBig, message };
    }
};

} // namespace WsClient::Protocol
