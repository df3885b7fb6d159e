#pragma once

#include <WsClient/enums.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qshareddata.h>
#include <QtCore/qstring.h>

namespace WsClient {

class FramePrivate;

/*!
    One WebSocket frame (RFC 6455 §5.2): the port of websocket-client's ABNF.

    An implicitly shared value type. Frames received from a server carry the payload already
    unmasked; isMasked() tells whether the wire frame was masked. serialize() produces the
    client-side wire form, always masked.
*/
class WSCLIENT_EXPORT Frame
{
public:
    /*! Largest payload of a control frame (RFC 6455 §5.5). */
    static constexpr int MaxControlPayload = 125;

    Frame();
    Frame(const Frame &other);
    Frame(Frame &&other) noexcept;
    Frame &operator=(const Frame &other);
    Frame &operator=(Frame &&other) noexcept;
    ~Frame();

    /*! A frame with \a payload, \a opcode and FIN set to \a fin, RSV bits clear (ABNF.create_frame). */
    static Frame create(const QByteArray &payload, Opcode opcode = Opcode::Text, bool fin = true);
    /*! A text frame carrying \a text encoded as UTF-8. */
    static Frame createText(const QString &text, bool fin = true);
    /*! A Close frame with \a code and \a reason (truncated to fit 125 bytes on a UTF-8 boundary). */
    static Frame createClose(quint16 code = quint16(CloseCode::Normal), const QString &reason = {});

    bool isFinal() const;
    void setFinal(bool fin);
    bool rsv1() const;
    void setRsv1(bool on);
    bool rsv2() const;
    void setRsv2(bool on);
    bool rsv3() const;
    void setRsv3(bool on);
    Opcode opcode() const;
    void setOpcode(Opcode opcode);
    bool isMasked() const;
    void setMasked(bool masked);
    QByteArray payload() const;
    void setPayload(const QByteArray &payload);

    /*! True for Close, Ping and Pong. */
    bool isControl() const;
    /*! True for the opcodes RFC 6455 defines (0, 1, 2, 8, 9, 10). */
    static bool isKnownOpcode(int opcode);

    /*!
        Checks the frame against RFC 6455 as a received frame would be checked (ABNF.validate):
        RSV bits set (no extension may be assumed here), unknown opcode, fragmented or oversized
        control frame, close payload of length 1, invalid close code or non-UTF-8 close reason.
        Returns Error::NoError, Error::Protocol or Error::Payload; \a errorString names the rule.
    */
    Error validate(QString *errorString = nullptr) const;

    /*!
        The client-side wire form: header, 4-byte mask key and masked payload (ABNF.format).
        \a maskKey must be 4 bytes; an empty key means a fresh random one.
    */
    QByteArray serialize(QByteArrayView maskKey = {}) const;

    /*! XORs \a data with the 4-byte \a maskKey (ABNF.mask); masking twice restores the data. */
    static QByteArray mask(QByteArrayView maskKey, QByteArrayView data);

    /*! A human-readable one-line description for traces: opcode, flags, length, payload start. */
    QString toString() const;

    bool operator==(const Frame &other) const;
    bool operator!=(const Frame &other) const { return !(*this == other); }

private:
    QSharedDataPointer<FramePrivate> d;
};

/*!
    Whether \a code may appear in a Close frame received from a peer: 1000–1003, 1007–1014 and
    3000–4999 (RFC 6455 §7.4). 1004, 1005, 1006 and 1015 never appear on the wire.
*/
WSCLIENT_EXPORT bool isValidCloseCode(int code);

} // namespace WsClient
