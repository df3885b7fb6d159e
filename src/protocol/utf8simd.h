#pragma once

#include <QtCore/qglobal.h>

// The vector validator is written for x86-64 with GCC or clang (target attributes, cpuid
// built-ins); elsewhere Utf8Validator uses the portable DFA (utf8dfa.h) only. Defining
// WSCLIENT_NO_UTF8_SIMD builds the portable validator on x86-64 too (to test or compare it).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(WSCLIENT_NO_UTF8_SIMD)
#define WSCLIENT_UTF8_SIMD 1
#endif

namespace WsClient::Protocol::Utf8Simd {

/*!
    True when the vector validator is compiled in and this CPU can run it (SSSE3, checked once).
    isValidComplete() must only be called when this is true.
*/
bool isAvailable() noexcept;

/*!
    True when [data, data + size) is valid UTF-8 (RFC 3629 §4) that ends at a code point boundary:
    16 bytes at a time, with the table lookups of Keiser & Lemire, "Validating UTF-8 In Less Than
    One Instruction Per Byte" (2021). Not incremental: a sequence cut off at the end is an error,
    which is why Utf8Validator hands it only whole code points. Returns soon after the first
    error (within 64 bytes).
*/
bool isValidComplete(const uchar *data, qsizetype size) noexcept;

} // namespace WsClient::Protocol::Utf8Simd
