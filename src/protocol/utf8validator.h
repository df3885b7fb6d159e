#pragma once

#include "utf8dfa.h"

#include <QtCore/qbytearrayview.h>

namespace WsClient::Protocol {

/*!
    Incremental UTF-8 validation (RFC 3629): overlong forms, surrogates (U+D800–U+DFFF) and code
    points above U+10FFFF are rejected by the piece that holds the first byte making them
    impossible, so a text message can be failed fast, mid-frame. A code point may be split between
    feed() calls anywhere.

    Pieces of 64 bytes and more go to the vector validator (utf8simd.h: SSSE3 table lookups, 64
    bytes at a time over ASCII) when the CPU has it, with the DFA (utf8dfa.h) closing a code point
    left open by the previous piece and keeping the last one open for the next. Smaller pieces,
    and every piece on other CPUs and compilers, go to the DFA alone.
*/
class Utf8Validator
{
public:
    /*! Validates the next piece. Returns false at the first invalid byte; stays failed until reset(). */
    bool feed(const char *data, qsizetype size) noexcept
    {
        // Inline, so that small pieces (most messages) cost one call, straight into the DFA.
        auto s = reinterpret_cast<const uchar *>(data);
        m_state = size < VectorMinimum ? Utf8Dfa::run(m_state, s, s + size) : feedLarge(s, size);
        return m_state != Reject;
    }
    bool feed(QByteArrayView data) noexcept { return feed(data.data(), data.size()); }

    /*! True when everything fed so far is valid and no code point is left unfinished. */
    bool isComplete() const noexcept { return m_state == Accept; }
    bool hasFailed() const noexcept { return m_state == Reject; }
    void reset() noexcept { m_state = Accept; }

    /*! Whole-buffer check. */
    static bool isValid(QByteArrayView data) noexcept;

    // The states of Utf8Dfa that mean something outside it (the others are a sequence left open).
    enum State : quint8 { Accept = Utf8Dfa::Accept, Reject = Utf8Dfa::Reject };

private:
    // From this size on a piece may go to the vector validator; below it the few blocks do not
    // pay for the set-up, and the DFA's ASCII skip is as fast.
    static constexpr qsizetype VectorMinimum = 64;

    quint8 feedLarge(const uchar *data, qsizetype size) const noexcept;

    quint8 m_state = Accept;
};

} // namespace WsClient::Protocol
