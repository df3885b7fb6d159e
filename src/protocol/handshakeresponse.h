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
    repeated fields in order with their values OWS-trimmed, and fails (Error::Handshake, the
    cause in errorString) on:
    - input that cannot start "HTTP/", at its first wrong byte (a TLS or SSH server, say);
    - a status line other than "HTTP/1.x NNN[ reason]";
    - a field line without ':', with an empty or non-token name, or with a bare CR or NUL;
    - a head longer than maxHeaderSize bytes (status line to blank line inclusive), as soon as
      the byte past the limit arrives.
    Each byte is scanned once, however the input is cut.
*/
class HandshakeResponseParser
{
public:
    static constexpr qsizetype DefaultMaxHeaderSize = 64 * 1024;

    enum class Status { NeedMore, Complete, Failed };

    explicit HandshakeResponseParser(qsizetype maxHeaderSize = DefaultMaxHeaderSize);

    /*!
        Feeds bytes. *consumed (when not null) receives how many of \a data belong to the head:
        all of it on NeedMore; on Complete the rest of \a data is the first bytes after the head
        (body, or WebSocket frames after a 101); on Failed it means nothing. Once Complete or
        Failed, further input is not taken (*consumed is 0) until reset().
    */
    Status feed(QByteArrayView data, qsizetype *consumed = nullptr);

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
    qsizetype take(QByteArrayView data);
    void completeHead(QByteArrayView end);
    bool startsLikeHttp(QByteArrayView data) const;
    bool parseHead(QByteArrayView head);
    bool parseStatusLine(QByteArrayView line);
    bool parseFieldLine(QByteArrayView line);
    void fail(const QString &why);

    qsizetype m_maxHeaderSize;
    Status m_status = Status::NeedMore;
    QByteArray m_pending; // head bytes gathered so far
    qsizetype m_lineLength = 0; // bytes of m_pending after its last LF: the blank-line search resumes there
    int m_statusCode = 0;
    QByteArray m_reason;
    QByteArray m_version;
    HeaderList m_headers;
    Error m_error = Error::NoError;
    QString m_errorString;
};

/*! What the client must do with a complete response head. */
enum class ResponseKind {
    Upgrade, //!< 101 and valid: the connection is open.
    Redirect, //!< 301/302/303/307/308 with a usable Location: connect again at redirectUrl.
    BadStatus, //!< Any other status: Error::BadStatus with status, headers and body.
    Invalid, //!< A 101 that is not a valid upgrade, a redirect without a usable Location, or a head
             //!< that failed to parse: Error::Handshake.
};

struct HandshakeExpectations
{
    QByteArray key; //!< The Sec-WebSocket-Key sent.
    QStringList subprotocols; //!< Offered subprotocols; the server may pick one of these or none.
    QList<QByteArray> extensions; //!< Offered extension names (e.g. "permessage-deflate").
    QUrl requestUrl; //!< The URL requested, to resolve a relative Location.
};

struct HandshakeOutcome
{
    ResponseKind kind = ResponseKind::Invalid;
    Error error = Error::NoError;
    QString errorString;
    QString subprotocol; //!< The one the server chose, or empty.
    QByteArray extensions; //!< The server's Sec-WebSocket-Extensions, combined.
    QUrl redirectUrl; //!< With Redirect: absolute ws:// or wss:// URL (http→ws, https→wss).
};

/*!
    Classifies and validates a complete response (RFC 6455 §4.1 client checks): status 101,
    Upgrade has "websocket", Connection has "upgrade" (tokens, case-insensitive),
    Sec-WebSocket-Accept equals computeAcceptKey(key) exactly, Sec-WebSocket-Protocol absent or
    exactly one of the offered subprotocols (case-sensitive), and each Sec-WebSocket-Extensions
    item named like an offered extension (case-insensitive; parameters are left to the
    extension). Repeated fields are combined first, so a repeated Accept or Protocol fails.
    A redirect's Location is resolved against requestUrl; http/https map to ws/wss, other
    schemes are Invalid, and a fragment is dropped.
*/
HandshakeOutcome evaluateHandshake(
    const HandshakeResponseParser &response, const HandshakeExpectations &expected);

} // namespace WsClient::Protocol
