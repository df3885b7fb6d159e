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
    /*! Longest reason a Close frame can carry: the control payload minus the 2-byte code. */
    static constexpr int MaxCloseReason = MaxControlPayload - 2;

    /*! An empty, final Text frame; see create() for others. */
    Frame();
    /*! Copies \a other (cheap: implicitly shared). */
    Frame(const Frame &other);
    /*! Moves \a other into this frame. */
    Frame(Frame &&other) noexcept;
    /*! Assigns \a other (cheap: implicitly shared). */
    Frame &operator=(const Frame &other);
    /*! Move-assigns \a other. */
    Frame &operator=(Frame &&other) noexcept;
    ~Frame();

    /*! A frame with \a payload, \a opcode and FIN set to \a fin, RSV bits clear (ABNF.create_frame). */
    static Frame create(const QByteArray &payload, Opcode opcode = Opcode::Text, bool fin = true);
    /*! A text frame carrying \a text encoded as UTF-8. */
    static Frame createText(const QString &text, bool fin = true);
    /*! A Close frame with \a code and \a reason (truncated to fit 125 bytes on a UTF-8 boundary). */
    static Frame createClose(quint16 code = quint16(CloseCode::Normal), const QString &reason = {});

    /*! The FIN bit: true for the last (or only) frame of a message. */
    bool isFinal() const;
    /*! Sets the FIN bit to \a fin. */
    void setFinal(bool fin);
    /*! The RSV1 bit (set by permessage-deflate on a message's first frame). */
    bool rsv1() const;
    /*! Sets the RSV1 bit to \a on. */
    void setRsv1(bool on);
    /*! The RSV2 bit (no extension of WsClient uses it). */
    bool rsv2() const;
    /*! Sets the RSV2 bit to \a on. */
    void setRsv2(bool on);
    /*! The RSV3 bit (no extension of WsClient uses it). */
    bool rsv3() const;
    /*! Sets the RSV3 bit to \a on. */
    void setRsv3(bool on);
    /*! The opcode; may hold a value outside Opcode's enumerators (a reserved opcode). */
    Opcode opcode() const;
    /*! Sets the opcode to \a opcode; Opcode(n) gives any 4-bit value. */
    void setOpcode(Opcode opcode);
    /*! Whether the frame was masked on the wire (received frames); sent frames are always masked. */
    bool isMasked() const;
    /*! Sets the mask flag to \a masked (informational: serialize() always masks). */
    void setMasked(bool masked);
    /*! The payload, unmasked. */
    QByteArray payload() const;
    /*! Sets the payload to \a payload (unmasked). */
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

    /*! True when flags, opcode and payload equal those of \a other. */
    bool operator==(const Frame &other) const;
    /*! True when flags, opcode or payload differ from those of \a other. */
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
