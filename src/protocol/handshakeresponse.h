#pragma once

#include "httpheaders.h"

#include <WsClient/enums.h>

#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qurl.h>

namespace WsClient::Protocol {

/*!
    Incremental parser of the server's HTTP response head. Accepts input in pieces of any size,
    CRLF or bare LF line endings, folds nothing (obsolete line folding is an error), keeps
    repeated fields, and fails once the head exceeds maxHeaderSize bytes.
*/
class HandshakeResponseParser
{
public:
    static constexpr qsizetype DefaultMaxHeaderSize = 64 * 1024;

    enum class Status { NeedMore, Complete, Failed };

    explicit HandshakeResponseParser(qsizetype maxHeaderSize = DefaultMaxHeaderSize);

    /*!
        Feeds bytes. *consumed receives how many belong to the head: on Complete the rest of
        \a data is the first bytes after it (body, or WebSocket frames after a 101).
    */
    Status feed(QByteArrayView data, qsizetype *consumed);

    Status status() const { return m_status; }
    int statusCode() const { return m_statusCode; }
    QByteArray reasonPhrase() const { return m_reason; }
    QByteArray httpVersion() const { return m_version; }
    const HeaderList &headers() const { return m_headers; }
    /*! Content-Length when present and valid, -1 otherwise. */
    qint64 contentLength() const;

    Error error() const { return m_error; }
    QString errorString() const { return m_errorString; }

    void reset();

private:
    bool parseHead(QByteArrayView head);
    void fail(const QString &why);

    qsizetype m_maxHeaderSize;
    Status m_status = Status::NeedMore;
    QByteArray m_pending;   // head bytes gathered so far
    int m_statusCode = 0;
    QByteArray m_reason;
    QByteArray m_version;
    HeaderList m_headers;
    Error m_error = Error::NoError;
    QString m_errorString;
};

/*! What the client must do with a complete response head. */
enum class ResponseKind {
    Upgrade,    //!< 101 and valid: the connection is open.
    Redirect,   //!< 301/302/303/307/308 with a usable Location: connect again at redirectUrl.
    BadStatus,  //!< Any other status: Error::BadStatus with status, headers and body.
    Invalid,    //!< 101 but not a valid upgrade, or a redirect without Location: Error::Handshake.
};

struct HandshakeExpectations
{
    QByteArray key;              //!< The Sec-WebSocket-Key sent.
    QStringList subprotocols;    //!< Offered subprotocols; the server may pick one of these or none.
    QList<QByteArray> extensions; //!< Offered extension names (e.g. "permessage-deflate").
    QUrl requestUrl;             //!< The URL requested, to resolve a relative Location.
};

struct HandshakeOutcome
{
    ResponseKind kind = ResponseKind::Invalid;
    Error error = Error::NoError;
    QString errorString;
    QString subprotocol;         //!< The one the server chose, or empty.
    QByteArray extensions;       //!< The server's Sec-WebSocket-Extensions, combined.
    QUrl redirectUrl;            //!< With Redirect: absolute ws:// or wss:// URL (http→ws, https→wss).
};

/*!
    Classifies and validates a complete response (RFC 6455 §4.1 client checks): status 101,
    Upgrade has "websocket", Connection has "upgrade", Sec-WebSocket-Accept matches the key, a
    subprotocol only if it was requested, extensions only ones offered.
*/
HandshakeOutcome evaluateHandshake(const HandshakeResponseParser &response,
                                   const HandshakeExpectations &expected);

} // namespace WsClient::Protocol
