#include "utf8validator.h"

#include <array>
#include <cstring>

namespace WsClient::Protocol {

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

// States, pre-multiplied by ClassCount. Accept and Reject must match the header's enum.
enum St : quint8 {
    SAccept = 0 * ClassCount,
    SReject = 1 * ClassCount,
    SNeed1 = 2 * ClassCount, // one continuation byte 80..BF left
    SNeed2 = 3 * ClassCount, // two left, any continuation
    SE0 = 4 * ClassCount, // after E0
    SED = 5 * ClassCount, // after ED
    SF0 = 6 * ClassCount, // after F0
    SNeed3 = 7 * ClassCount, // after F1..F3
    SF4 = 8 * ClassCount, // after F4
    StateCount = 9
};
static_assert(int(SAccept) == int(Utf8Validator::Accept) && int(SReject) == int(Utf8Validator::Reject));

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

constexpr std::array<quint8, StateCount * ClassCount> makeTransitions()
{
    std::array<quint8, StateCount * ClassCount> t {};
    for (auto &v : t)
        v = SReject;
    // From Accept: a lead byte opens a sequence.
    t[SAccept + Ascii] = SAccept;
    t[SAccept + Lead2] = SNeed1;
    t[SAccept + LeadE0] = SE0;
    t[SAccept + Lead3] = SNeed2;
    t[SAccept + LeadED] = SED;
    t[SAccept + LeadF0] = SF0;
    t[SAccept + Lead4] = SNeed3;
    t[SAccept + LeadF4] = SF4;
    // Continuation bytes, with the narrowed second-byte ranges.
    for (quint8 c : { Cont8, Cont9, ContA }) {
        t[SNeed1 + c] = SAccept;
        t[SNeed2 + c] = SNeed1;
        t[SNeed3 + c] = SNeed2;
    }
    t[SE0 + ContA] = SNeed1;
    t[SED + Cont8] = SNeed1;
    t[SED + Cont9] = SNeed1;
    t[SF0 + Cont9] = SNeed2;
    t[SF0 + ContA] = SNeed2;
    t[SF4 + Cont8] = SNeed2;
    return t;
}

constexpr auto kClass = makeClasses();
constexpr auto kNext = makeTransitions();

inline bool isCont(uchar b)
{
    return (b & 0xC0) == 0x80;
}

} // namespace

bool Utf8Validator::feed(const char *data, qsizetype size) noexcept
{
    auto s = reinterpret_cast<const uchar *>(data);
    const uchar *const end = s + size;
    quint8 state = m_state;

    // Finish a sequence left open by the previous piece.
    while (state > SReject && s < end)
        state = kNext[state + kClass[*s++]];
    if (state != SAccept) {
        // Rejected, or the piece ended inside the sequence: keep that state for the next piece.
        m_state = state;
        return state != SReject;
    }

    while (s < end) {
        // ASCII a word at a time.
        while (end - s >= 8) {
            quint64 w;
            std::memcpy(&w, s, 8);
            if (w & 0x8080808080808080ULL)
                break;
            s += 8;
        }
        if (s == end)
            break;
        const uchar b = *s;
        if (b < 0x80) {
            ++s;
            continue;
        }
        if (end - s >= 4) {
            // A whole sequence is in the buffer: check it directly instead of a DFA step per byte.
            if (b >= 0xC2 && b <= 0xDF) {
                if (!isCont(s[1]))
                    break;
                s += 2;
                continue;
            }
            if (b >= 0xE0 && b <= 0xEF) {
                const uchar lo = b == 0xE0 ? 0xA0 : 0x80;
                const uchar hi = b == 0xED ? 0x9F : 0xBF;
                if (s[1] < lo || s[1] > hi || !isCont(s[2]))
                    break;
                s += 3;
                continue;
            }
            if (b >= 0xF0 && b <= 0xF4) {
                const uchar lo = b == 0xF0 ? 0x90 : 0x80;
                const uchar hi = b == 0xF4 ? 0x8F : 0xBF;
                if (s[1] < lo || s[1] > hi || !isCont(s[2]) || !isCont(s[3]))
                    break;
                s += 4;
                continue;
            }
            break; // invalid lead byte
        }
        // Fewer than 4 bytes left: step the DFA, which may leave a sequence open for the next piece.
        while (s < end) {
            state = kNext[state + kClass[*s++]];
            if (state == SReject)
                break;
        }
        m_state = state;
        return state != SReject;
    }
    if (s != end) {
        m_state = SReject;
        return false;
    }
    m_state = SAccept;
    return true;
}

bool Utf8Validator::isValid(QByteArrayView data) noexcept
{
    Utf8Validator v;
    return v.feed(data) && v.isComplete();
}

} // namespace WsClient::Protocol
