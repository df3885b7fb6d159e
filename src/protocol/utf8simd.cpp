#include "utf8simd.h"

#ifdef WSCLIENT_UTF8_SIMD
#include <tmmintrin.h>

#include <cstring>
#else
#include "utf8dfa.h"
#endif

namespace WsClient::Protocol::Utf8Simd {

#ifdef WSCLIENT_UTF8_SIMD

namespace {

// x86-64 only guarantees SSE2; the lookups need SSSE3's pshufb and palignr. Only these functions
// are compiled for it, and they run only after isAvailable() found it on the CPU, so the library
// still loads on any x86-64.
#define WSCLIENT_SSSE3 __attribute__((target("ssse3")))

/*
    Every byte is judged by the pair (the byte before it, itself) plus, for third and fourth bytes
    of a sequence, the bytes two and three back. RFC 3629 §4 allows a continuation byte (80..BF)
    only right after a lead byte or as the third or fourth byte of a 3- or 4-byte sequence, and
    narrows the second byte after E0, ED, F0 and F4. Each way a pair can be wrong gets a bit, and
    every such condition depends only on three nibbles: the high and low nibble of the previous
    byte and the high nibble of the current one. So three 16-entry tables, one per nibble, each
    hold the bits of the conditions that nibble value is compatible with, and their AND leaves
    exactly the conditions the pair meets. A condition that does not look at a nibble has its bit
    in every entry of that nibble's table (e.g. Carry in kPrevLow).
*/
enum Error : uchar {
    TooShort = 1 << 0, // a lead byte followed by ASCII or another lead byte
    TooLong = 1 << 1, // ASCII followed by a continuation byte
    Overlong3 = 1 << 2, // E0 80..9F: a 3-byte form of U+0000..U+07FF
    TooLarge = 1 << 3, // F4 90..BF or F5..FF 90..BF: above U+10FFFF
    Surrogate = 1 << 4, // ED A0..BF: U+D800..U+DFFF
    Overlong2 = 1 << 5, // C0 or C1 then a continuation: a 2-byte form of U+0000..U+007F
    TooLarge1000 = 1 << 6, // F5..FF 80..8F: above U+10FFFF (the F4 80..8F case is allowed)
    Overlong4 = 1 << 6, // F0 80..8F: a 4-byte form of U+0000..U+FFFF; shares a bit with the
                        // above, which needs F5..FF while this one needs F0 (low nibbles differ)
    TwoConts = 1 << 7, // a continuation byte after a continuation byte: only right as the third or
                       // fourth byte, which is decided separately (see checkBlock)
    // Conditions decided by the high nibbles alone.
    Carry = TooShort | TooLong | TwoConts,
};

// One row per nibble value or run of values.
// clang-format off

// By the high nibble of the previous byte.
alignas(16) constexpr uchar kPrevHigh[16] = {
    TooLong, TooLong, TooLong, TooLong, TooLong, TooLong, TooLong, TooLong, // 0..7: ASCII
    TwoConts, TwoConts, TwoConts, TwoConts, // 8..B: continuation bytes
    TooShort | Overlong2, // C: 2-byte leads, C0 and C1 never valid
    TooShort, // D: 2-byte leads
    TooShort | Overlong3 | Surrogate, // E: 3-byte leads, E0 and ED narrow the second byte
    TooShort | TooLarge | TooLarge1000 | Overlong4, // F: 4-byte leads, F0 and F4 narrow the second
                                                    // byte, F5..FF never valid
};

// By the low nibble of the previous byte: which of C0/C1, E0/ED, F0/F4/F5..FF it can be.
alignas(16) constexpr uchar kPrevLow[16] = {
    Carry | Overlong3 | Overlong2 | Overlong4, // x0: C0, E0, F0
    Carry | Overlong2, // x1: C1
    Carry, Carry, // x2, x3
    Carry | TooLarge, // x4: F4
    Carry | TooLarge | TooLarge1000, Carry | TooLarge | TooLarge1000, // x5..xC: F5..FC
    Carry | TooLarge | TooLarge1000, Carry | TooLarge | TooLarge1000,
    Carry | TooLarge | TooLarge1000, Carry | TooLarge | TooLarge1000,
    Carry | TooLarge | TooLarge1000, Carry | TooLarge | TooLarge1000,
    Carry | TooLarge | TooLarge1000 | Surrogate, // xD: ED, FD
    Carry | TooLarge | TooLarge1000, Carry | TooLarge | TooLarge1000, // xE, xF: FE, FF
};

// By the high nibble of the current byte.
alignas(16) constexpr uchar kCurrentHigh[16] = {
    TooShort, TooShort, TooShort, TooShort, TooShort, TooShort, TooShort, TooShort, // 0..7: ASCII
    TooLong | Overlong2 | TwoConts | Overlong3 | TooLarge1000 | Overlong4, // 8: 80..8F
    TooLong | Overlong2 | TwoConts | Overlong3 | TooLarge, // 9: 90..9F
    TooLong | Overlong2 | TwoConts | Surrogate | TooLarge, // A: A0..AF
    TooLong | Overlong2 | TwoConts | Surrogate | TooLarge, // B: B0..BF
    TooShort, TooShort, TooShort, TooShort, // C..F: lead bytes
};

// clang-format on

// A block ends inside a sequence when byte 15 is a lead byte (C0..FF), byte 14 a 3- or 4-byte
// lead (E0..FF) or byte 13 a 4-byte lead (F0..FF): subtracting these with saturation leaves
// something only then.
alignas(16) constexpr uchar kIncompleteBelow[16]
    = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xEF, 0xDF, 0xBF };

WSCLIENT_SSSE3 inline __m128i load(const uchar *p)
{
    return _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
}

WSCLIENT_SSSE3 inline __m128i highNibbles(__m128i v)
{
    // The 16-bit shift pulls the neighbouring byte's low bits in; the mask drops them.
    return _mm_and_si128(_mm_srli_epi16(v, 4), _mm_set1_epi8(0x0F));
}

// 16 bytes of input and their high nibbles, which the next block needs again (as its previous
// bytes' high nibbles).
struct Block
{
    __m128i bytes;
    __m128i high;
};

WSCLIENT_SSSE3 inline Block loadBlock(const uchar *p)
{
    const __m128i bytes = load(p);
    return { bytes, highNibbles(bytes) };
}

/*
    The errors of the 16 bytes of \a input, \a prev being the 16 bytes before it (zeros before the
    start): zero when every byte is right given the bytes before it.
*/
WSCLIENT_SSSE3 inline __m128i checkBlock(Block input, Block prev)
{
    // Byte i of prevN is the byte N places before input's byte i.
    const __m128i prev1 = _mm_alignr_epi8(input.bytes, prev.bytes, 15);
    const __m128i prev2 = _mm_alignr_epi8(input.bytes, prev.bytes, 14);
    const __m128i prev3 = _mm_alignr_epi8(input.bytes, prev.bytes, 13);
    const __m128i prev1High = _mm_alignr_epi8(input.high, prev.high, 15);

    const __m128i byPrevHigh = _mm_shuffle_epi8(load(kPrevHigh), prev1High);
    const __m128i byPrevLow = _mm_shuffle_epi8(load(kPrevLow), _mm_and_si128(prev1, _mm_set1_epi8(0x0F)));
    const __m128i byCurrentHigh = _mm_shuffle_epi8(load(kCurrentHigh), input.high);
    const __m128i special = _mm_and_si128(_mm_and_si128(byPrevHigh, byPrevLow), byCurrentHigh);

    // A byte must be a continuation when the byte two back is a 3- or 4-byte lead (E0..FF) or the
    // one three back a 4-byte lead (F0..FF). After a continuation byte, special is TwoConts
    // exactly when this byte is one too, and nothing else (no other condition starts with a
    // continuation byte), so the two must agree: a required continuation that is missing, or one
    // that is not required, leaves a bit. Where the previous byte is not a continuation, a
    // required one means the sequence already broke there (TooShort), so an extra bit is harmless.
    // (F5..FF leads are errors of their own; what follows them does not matter.)
    // Subtracting 0x60 with saturation leaves bit 7 set exactly for E0..FF, 0x70 for F0..FF.
    const __m128i third = _mm_subs_epu8(prev2, _mm_set1_epi8(0x60));
    const __m128i fourth = _mm_subs_epu8(prev3, _mm_set1_epi8(0x70));
    const __m128i required = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8(char(0x80)));
    return _mm_xor_si128(required, special);
}

WSCLIENT_SSSE3 inline __m128i endsIncomplete(Block block)
{
    return _mm_subs_epu8(block.bytes, load(kIncompleteBelow));
}

WSCLIENT_SSSE3 inline bool isZero(__m128i v)
{
    return _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())) == 0xFFFF;
}

WSCLIENT_SSSE3 bool validate(const uchar *p, qsizetype size) noexcept
{
    const uchar *const end = p + size;
    __m128i error = _mm_setzero_si128();
    Block prev = { _mm_setzero_si128(), _mm_setzero_si128() };
    // Whether the last non-ASCII chunk ended inside a sequence: only an error when ASCII follows
    // (otherwise checkBlock() sees the sequence through).
    __m128i prevIncomplete = _mm_setzero_si128();

    // 64 bytes at a time, so that text that is mostly ASCII costs four loads and a test.
    for (; end - p >= 64; p += 64) {
        const __m128i b0 = load(p);
        const __m128i b1 = load(p + 16);
        const __m128i b2 = load(p + 32);
        const __m128i b3 = load(p + 48);
        const __m128i any = _mm_or_si128(_mm_or_si128(b0, b1), _mm_or_si128(b2, b3));
        if (_mm_movemask_epi8(any) == 0) {
            error = _mm_or_si128(error, prevIncomplete);
            // All ASCII: its high nibbles are only looked up in kPrevHigh as the bytes before
            // the next block, where zeros (ASCII too) are as good.
            prev = { b3, _mm_setzero_si128() };
        } else {
            // One block after another: with the four blocks and their nibbles live at once, the
            // 16 SSE registers ran out (spills cost 6%); the loads hit L1 again.
            for (int i = 0; i < 4; ++i) {
                const Block block = loadBlock(p + 16 * i);
                error = _mm_or_si128(error, checkBlock(block, prev));
                prev = block;
            }
            prevIncomplete = endsIncomplete(prev);
        }
        // Fail fast on large pieces: a test every 64 bytes costs little next to the lookups.
        if (!isZero(error))
            return false;
    }
    for (; end - p >= 16; p += 16) {
        const Block block = loadBlock(p);
        error = _mm_or_si128(error, checkBlock(block, prev));
        prev = block;
    }
    if (p < end) {
        // The rest, padded with ASCII zeros: one zero after a sequence cut off at the end is
        // enough to make it an error (TooShort, or a required continuation that is missing).
        alignas(16) uchar last[16] = {};
        std::memcpy(last, p, size_t(end - p));
        const Block block = loadBlock(last);
        error = _mm_or_si128(error, checkBlock(block, prev));
        prev = block;
    }
    // A sequence cut off by the end of a whole number of blocks.
    error = _mm_or_si128(error, endsIncomplete(prev));
    return isZero(error);
}

} // namespace

bool isAvailable() noexcept
{
#if defined(__SSSE3__)
    return true;
#else
    static const bool available = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("ssse3") != 0;
    }();
    return available;
#endif
}

bool isValidComplete(const uchar *data, qsizetype size) noexcept
{
    return validate(data, size);
}

#else // !WSCLIENT_UTF8_SIMD

bool isAvailable() noexcept
{
    return false;
}

bool isValidComplete(const uchar *data, qsizetype size) noexcept
{
    // Never called (isAvailable() is false), but kept well-defined.
    return Utf8Dfa::run(Utf8Dfa::Accept, data, data + size) == Utf8Dfa::Accept;
}

#endif

} // namespace WsClient::Protocol::Utf8Simd
