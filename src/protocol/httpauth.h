#pragma once

#include "httpheaders.h"

#include <QtCore/qlist.h>
#include <QtCore/qstring.h>

namespace WsClient::Protocol {

/*!
    One challenge of a WWW-Authenticate or Proxy-Authenticate field (RFC 9110 §11.6.1, §11.7.1):
    a scheme followed by a token68 or by auth-params. The same shape is used for credentials
    (Authorization), so tests read back what the client sends with the same parser.
*/
struct AuthChallenge
{
    QByteArray scheme; //!< As sent; schemes compare case-insensitively.
    QByteArray token68; //!< The token68 form, when the challenge has one instead of parameters.
    HeaderList params; //!< auth-params in order, names as sent, quoted-string values unquoted.
    bool malformed = false; //!< A parameter could not be read (unterminated quote, empty value).

    /*! The value of the first parameter named \a name (case-insensitive), or a null array. */
    QByteArray param(QByteArrayView name) const;
};

/*!
    Parses a challenge list: "Basic realm="a", Digest realm="b", nonce="n", qop="auth,auth-int"".
    Commas separate challenges as well as parameters (RFC 9110 §11.6.1): an item that is not
    "name=value" starts a new challenge. Quoted values keep their commas; backslash escapes are
    undone. A parameter that cannot be read marks its challenge malformed instead of failing the
    whole list, so one broken challenge does not hide the others.
*/
QList<AuthChallenge> parseChallenges(QByteArrayView fieldValue);
/*! The challenges of every field named \a name in \a headers, in order. */
QList<AuthChallenge> parseChallenges(const HeaderList &headers, QByteArrayView name);

/*! The Digest algorithms WsClient answers (RFC 7616 §3.2; SHA-512-256 is not in Qt Core). */
enum class DigestAlgorithm { Md5, Md5Sess, Sha256, Sha256Sess };

/*! A Digest challenge as the client needs it (RFC 7616 §3.3). */
struct DigestChallenge
{
    QByteArray realm;
    QByteArray nonce;
    QByteArray opaque; //!< Echoed back unchanged when present.
    bool hasOpaque = false;
    DigestAlgorithm algorithm = DigestAlgorithm::Md5; //!< MD5 when the challenge names none.
    /*! The qop answered: "auth" when offered, else "auth-int"; empty when the challenge has no qop (RFC
     * 2069). */
    QByteArray qop;
    bool stale = false; //!< The previous answer had a good digest and an expired nonce.
    bool userhash = false; //!< The server wants the user name hashed (RFC 7616 §3.4.4).
};

/*!
    Reads a Digest challenge. Returns false with \a why set when it cannot be answered: no nonce,
    an algorithm other than MD5, MD5-sess, SHA-256 or SHA-256-sess, a qop list naming neither
    "auth" nor "auth-int", or a malformed parameter.
*/
bool readDigestChallenge(const AuthChallenge &challenge, DigestChallenge *digest, QString *why);
/*! "MD5", "MD5-sess", "SHA-256", "SHA-256-sess": the spelling sent back in algorithm=. */
QByteArray digestAlgorithmName(DigestAlgorithm algorithm);

/*! What one Digest answer is computed from, besides the challenge. */
struct DigestRequest
{
    QString user;
    QString password;
    QByteArray method; //!< "GET" for the upgrade, "CONNECT" for a proxy tunnel.
    QByteArray uri; //!< The request target as on the request line.
    quint32 nc = 1; //!< How many requests used this nonce, this one included.
    QByteArray cnonce; //!< The client nonce; unused without qop.
};

/*!
    The Authorization (or Proxy-Authorization) value answering \a challenge (RFC 7616 §3.4):
    "Digest username="…", realm="…", uri="…", algorithm=…, nonce="…", nc=…, cnonce="…", qop=…,
    response="…", opaque="…", userhash=…". User name and password are UTF-8. A user name that a
    quoted string cannot carry (non-ASCII) is sent as username*=UTF-8''… (RFC 8187), or hashed
    when the server asked for userhash. The request has no body, so auth-int hashes "".
*/
QByteArray digestAuthorization(const DigestChallenge &challenge, const DigestRequest &request);

/*! "Basic " + base64(user ":" password), both UTF-8 (RFC 7617 §2 with charset UTF-8, §2.1). */
QByteArray basicAuthorization(const QString &user, const QString &password);

/*! \a text as a quoted-string: quotes and backslashes escaped (RFC 9110 §5.6.4). */
QByteArray quotedString(QByteArrayView text);

} // namespace WsClient::Protocol
