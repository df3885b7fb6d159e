#pragma once

#include "httpheaders.h"

#include <WsClient/enums.h>

#include <QtCore/qstring.h>

namespace WsClient::Protocol {

/*!
    Incremental parser of an HTTP/1.x response head (the WebSocket upgrade's and the HTTP CONNECT proxy's). Accepts input in pieces of any size,
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
class HttpResponseParser
{
public:
    static constexpr qsizetype DefaultMaxHeaderSize = 64 * 1024;

    enum class Status { NeedMore, Complete, Failed };

    explicit HttpResponseParser(qsizetype maxHeaderSize = DefaultMaxHeaderSize);

    /*!
        Feeds bytes. *consumed (when not null) receives how many of \a data belong to the head:
        all of it on NeedMore; on Complete the rest of \a data is the first bytes after the head
        (body, or WebSocket frames after a 101); on Failed it means nothing. Once Complete or
        Failed, further input is not taken (*consumed is 0) until reset().
    */
    Status feed(QByteArrayView data, qsizetype *consumed = nullptr);

    Status status() const { return m_status; }
    int statusCode() const { return m_statusCode; }
    QByteArray reasonPhrase() const;
    QByteArray httpVersion() const;
    HeaderList headers() const;
    /*!
        A complete head that is kept for a long time (an open connection's) is kept as its bytes
        only, one buffer instead of one per field; the accessors parse them again.
    */
    void compact();
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
    QByteArray m_compactHead; // after compact(): the head's lines, CRLF-terminated
    Error m_error = Error::NoError;
    QString m_errorString;
};

} // namespace WsClient::Protocol
