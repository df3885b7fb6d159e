#pragma once

#include "httpresponse.h"

#include <WsClient/proxy.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qstring.h>

namespace WsClient::Protocol {

/*!
    The client side of a proxy's tunnel handshake, without I/O (the HTTP answer is read by the
    same HttpResponseParser as the WebSocket upgrade's): HTTP CONNECT (RFC 9110 §9.3.6,
    Basic Proxy-Authorization), SOCKS4, SOCKS4a, SOCKS5 and SOCKS5h (RFC 1928, with RFC 1929
    username/password). The caller writes takeOutgoing() to the proxy and offers what it has read
    to feed(), which consumes only the bytes that belong to the handshake, so whatever follows the
    proxy's answer stays in the socket for the next layer (TLS or the WebSocket handshake).
*/
class ProxyHandshake
{
public:
    enum class State { Running, Done, Failed };

    struct Target
    {
        QString host; //!< Name (or literal) as given in the URL, without IPv6 brackets.
        quint16 port = 0;
        QByteArray address; //!< 4 or 16 bytes in network order when resolved, else empty.
    };

    /*! \a type must be a proxied type. Fails at once (state() == Failed) on unusable input. */
    ProxyHandshake(
        ProxyOptions::Type type, const Target &target, const QString &user, const QString &password);

    State state() const { return m_state; }
    bool isDone() const { return m_state == State::Done; }
    bool hasFailed() const { return m_state == State::Failed; }
    /*! Why it failed: a complete sentence fragment such as "SOCKS5 proxy: connection refused (reply 5)". */
    QString errorString() const { return m_errorString; }
    /*! "HTTP CONNECT", "SOCKS4", ... for messages and traces. */
    QString protocolName() const;

    /*! Bytes to send to the proxy now (empty when waiting for its answer). */
    QByteArray takeOutgoing();
    /*! Offers the bytes read so far; returns how many belong to the handshake (0: need more). */
    qsizetype feed(QByteArrayView data);

    /*! Upper bound of an HTTP CONNECT answer head; a longer one is an error. */
    static constexpr qsizetype MaxHttpHead = 16 * 1024;

private:
    enum class Step { HttpReply, Socks4Reply, Socks5Method, Socks5Auth, Socks5Reply };

    void startHttp();
    void startSocks4();
    void startSocks5();
    void sendSocks5Connect();
    qsizetype feedHttp(QByteArrayView data);
    qsizetype feedSocks4(QByteArrayView data);
    qsizetype feedSocks5Method(QByteArrayView data);
    qsizetype feedSocks5Auth(QByteArrayView data);
    qsizetype feedSocks5Reply(QByteArrayView data);
    qsizetype fail(const QString &why);

    ProxyOptions::Type m_type;
    Target m_target;
    QByteArray m_user;
    QByteArray m_password;
    Step m_step = Step::HttpReply;
    State m_state = State::Running;
    QByteArray m_outgoing;
    QString m_errorString;
    HttpResponseParser m_http { MaxHttpHead };
    qsizetype m_httpFed = 0; // bytes of the offered data the parser has seen
};

/*! Text for a SOCKS5 reply code (RFC 1928 §6), e.g. "connection refused". */
QString socks5ReplyText(quint8 code);
/*! Text for a SOCKS4 reply code (90–93). */
QString socks4ReplyText(quint8 code);

} // namespace WsClient::Protocol
