#include "utf8validator.h"

#include "utf8simd.h"

namespace WsClient::Protocol {

namespace {

inline bool isContinuation(uchar b)
{
    return (b & 0xC0) == 0x80;
}

/*
    The vector validator only takes whole code points, so the piece is cut in three:
      - the DFA closes the sequence the previous piece left open (at most 3 bytes);
      - the vector validator checks everything up to the start of the last code point;
      - the DFA runs over that last code point from Accept, so that it may stay open.
    This is exact: in valid UTF-8 every byte that is not a continuation byte starts a code point,
    so text cut just before such a byte is valid (as far as it goes) if and only if the part
    before the cut is valid and complete and the part after is valid (as far as it goes) from
    Accept. When the last 4 bytes are all continuation bytes there is no such cut, but then the
    piece is invalid anyway (a code point has at most 3), and validating all of it as complete
    rejects it.
*/
quint8 runVectorised(quint8 state, const uchar *s, const uchar *end) noexcept
{
    for (int i = 0; i < 3 && state != Utf8Dfa::Accept && state != Utf8Dfa::Reject; ++i, ++s)
        state = Utf8Dfa::run(state, s, s + 1);
    // After 3 more bytes an open sequence is either closed or rejected.
    if (state != Utf8Dfa::Accept)
        return Utf8Dfa::Reject;

    const uchar *cut = end;
    for (const uchar *p = end - 1; p >= end - 4; --p) {
        if (!isContinuation(*p)) {
            cut = p;
            break;
        }
    }
    if (!Utf8Simd::isValidComplete(s, cut - s))
        return Utf8Dfa::Reject;
    return Utf8Dfa::run(Utf8Dfa::Accept, cut, end);
}

} // namespace

// Whatever is left open (a code point split between pieces) carries over to the next piece.
quint8 Utf8Validator::feedLarge(const uchar *data, qsizetype size) const noexcept
{
    if (m_state == Reject || !Utf8Simd::isAvailable())
        return Utf8Dfa::run(m_state, data, data + size);
    return runVectorised(m_state, data, data + size);
}

bool Utf8Validator::isValid(QByteArrayView data) noexcept
{
    Utf8Validator v;
    return v.feed(data) && v.isComplete();
}

} // namespace WsClient::Protocol
