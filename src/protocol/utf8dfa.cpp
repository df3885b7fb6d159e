#include "utf8dfa.h"

#include <array>
#include <cstring>

namespace WsClient::Protocol::Utf8Dfa {

namespace {

// Byte classes from the table of well-formed sequences in RFC 3629 §4.
enum Class : quint8 {
    Ascii, // 00..7F
    Cont8, // 80..8F
    Cont9, // 90..9F
    ContA, // A0..BF
    Bad, // C0..C1, F5..FF
    Lead2, // C2..DF
    LeadE0, // E0: second byte A0..BF (no overlongs)
    Lead3, // E1..EC, EE..EF
    LeadED, // ED: second byte 80..9F (no surrogates)
    LeadF0, // F0: second byte 90..BF (no overlongs)
    Lead4, // F1..F3
    LeadF4, // F4: second byte 80..8F (nothing above U+10FFFF)
    ClassCount
};

enum St : quint8 {
    SAccept,
    SReject,
    SNeed1, // one continuation byte 80..BF left
    SNeed2, // two left, any continuation
    SE0, // after E0
    SED, // after ED
    SF0, // after F0
    SNeed3, // after F1..F3
    SF4, // after F4
    StateCount
};

/*
    The DFA is run "shift-based": a state is a bit offset (6 bits per state), and the row of a byte
    holds, at each state's offset, the offset of the state that byte leads to. A step is then a
    rotation of the row by the state: one load that does not depend on the state and one rotate,
    so the loop-carried chain is a single instruction. Only the low 6 bits of the result are the
    new state; the other rows' fields rotate along above them, which costs nothing because a
    rotate count is taken modulo 64 (the & 63 in rotateRight() compiles away).
*/
constexpr int StateBits = 6;
static_assert(StateCount * StateBits <= 64);
constexpr quint64 offsetOf(St state)
{
    return quint64(state) * StateBits;
}
static_assert(offsetOf(SAccept) == Accept && offsetOf(SReject) == Reject);

constexpr std::array<quint8, 256> makeClasses()
{
    std::array<quint8, 256> c {};
    for (int b = 0; b < 256; ++b) {
        if (b < 0x80)
            c[b] = Ascii;
        else if (b < 0x90)
            c[b] = Cont8;
        else if (b < 0xA0)
            c[b] = Cont9;
        else if (b < 0xC0)
            c[b] = ContA;
        else if (b < 0xC2)
            c[b] = Bad;
        else if (b < 0xE0)
            c[b] = Lead2;
        else if (b == 0xE0)
            c[b] = LeadE0;
        else if (b == 0xED)
            c[b] = LeadED;
        else if (b < 0xF0)
            c[b] = Lead3;
        else if (b == 0xF0)
            c[b] = LeadF0;
        else if (b < 0xF4)
            c[b] = Lead4;
        else if (b == 0xF4)
            c[b] = LeadF4;
        else
            c[b] = Bad;
    }
    return c;
}

// next[state][class]; everything not listed rejects, and Reject never leaves.
constexpr std::array<std::array<St, ClassCount>, StateCount> makeTransitions()
{
    std::array<std::array<St, ClassCount>, StateCount> t {};
    for (auto &row : t)
        for (auto &v : row)
            v = SReject;
    // From Accept: a lead byte opens a sequence.
    t[SAccept][Ascii] = SAccept;
    t[SAccept][Lead2] = SNeed1;
    t[SAccept][LeadE0] = SE0;
    t[SAccept][Lead3] = SNeed2;
    t[SAccept][LeadED] = SED;
    t[SAccept][LeadF0] = SF0;
    t[SAccept][Lead4] = SNeed3;
    t[SAccept][LeadF4] = SF4;
    // Continuation bytes, with the narrowed second-byte ranges.
    for (Class c : { Cont8, Cont9, ContA }) {
        t[SNeed1][c] = SAccept;
        t[SNeed2][c] = SNeed1;
        t[SNeed3][c] = SNeed2;
    }
    t[SE0][ContA] = SNeed1;
    t[SED][Cont8] = SNeed1;
    t[SED][Cont9] = SNeed1;
    t[SF0][Cont9] = SNeed2;
    t[SF0][ContA] = SNeed2;
    t[SF4][Cont8] = SNeed2;
    return t;
}

constexpr std::array<quint64, 256> makeRows()
{
    constexpr auto classes = makeClasses();
    constexpr auto next = makeTransitions();
    std::array<quint64, 256> rows {};
    for (int b = 0; b < 256; ++b) {
        for (int s = 0; s < StateCount; ++s)
            rows[b] |= offsetOf(next[s][classes[b]]) << offsetOf(St(s));
    }
    return rows;
}

constexpr auto kRows = makeRows();

constexpr quint64 HighBits = 0x8080808080808080ULL;
constexpr qsizetype BlockSize = 16;
// Below this a piece is checked as one stream; above it, as two halves side by side.
constexpr qsizetype TwoStreamMinimum = 64;

// The state as a valid offset (a step leaves other states' fields in the upper bits).
inline quint64 current(quint64 state)
{
    return state & 63;
}

inline quint64 rotateRight(quint64 value, quint64 count)
{
    return (value >> (count & 63)) | (value << (-count & 63));
}

inline quint64 step(quint64 state, uchar byte)
{
    return rotateRight(kRows[byte], state);
}

inline quint64 runBytes(const uchar *p, const uchar *end, quint64 state)
{
    while (p < end)
        state = step(state, *p++);
    return current(state);
}

inline bool isAsciiBlock(const uchar *p)
{
    quint64 lo, hi;
    std::memcpy(&lo, p, 8);
    std::memcpy(&hi, p + 8, 8);
    return !((lo | hi) & HighBits);
}

// One block: skipped when it is all ASCII and no sequence is open, stepped through otherwise.
inline quint64 runBlock(const uchar *p, quint64 state)
{
    if (current(state) == offsetOf(SAccept) && isAsciiBlock(p))
        return offsetOf(SAccept);
    for (int i = 0; i < BlockSize; ++i)
        state = step(state, p[i]);
    return current(state);
}

// Two blocks from independent streams, their steps interleaved so that both chains advance at once.
inline void runBlockPair(const uchar *a, quint64 *stateA, const uchar *b, quint64 *stateB)
{
    quint64 sa = *stateA;
    quint64 sb = *stateB;
    if ((current(sa) | current(sb)) == offsetOf(SAccept) && isAsciiBlock(a) && isAsciiBlock(b))
        return;
#pragma GCC unroll 16
    for (int i = 0; i < BlockSize; ++i) {
        sa = step(sa, a[i]);
        sb = step(sb, b[i]);
    }
    *stateA = current(sa);
    *stateB = current(sb);
}

inline bool isRejected(quint64 state)
{
    return current(state) == offsetOf(SReject);
}

inline bool isContinuation(uchar b)
{
    return (b & 0xC0) == 0x80;
}

} // namespace

quint8 run(quint8 initial, const uchar *s, const uchar *end) noexcept
{
    if (initial == Reject)
        return Reject;
    const qsizetype size = end - s;
    quint64 state = initial;

    if (size >= TwoStreamMinimum) {
        // One DFA is a chain of dependent steps; two independent halves keep the CPU twice as
        // busy. The second half starts at a code point found within 3 bytes of the middle, and
        // the first half must close every sequence it opened. When there is no code point start
        // there, 4 continuation bytes in a row make the piece invalid, and it is rejected: the
        // first half ends inside a sequence or the second begins with a continuation byte.
        const uchar *mid = s + size / 2;
        for (int back = 0; back < 3 && isContinuation(*mid); ++back)
            --mid;
        quint64 first = state;
        quint64 second = offsetOf(SAccept);
        const uchar *a = s;
        const uchar *b = mid;
        for (qsizetype blocks = (mid - s) / BlockSize; blocks > 0; --blocks) {
            runBlockPair(a, &first, b, &second);
            if (isRejected(first) || isRejected(second))
                return Reject;
            a += BlockSize;
            b += BlockSize;
        }
        if (runBytes(a, mid, first) != offsetOf(SAccept))
            return Reject;
        s = b;
        state = second;
    }

    for (; end - s >= BlockSize; s += BlockSize) {
        state = runBlock(s, state);
        if (isRejected(state))
            return Reject;
    }
    // Whatever is left open (a code point split between pieces) carries over to the next piece.
    return quint8(runBytes(s, end, state));
}

} // namespace WsClient::Protocol::Utf8Dfa
