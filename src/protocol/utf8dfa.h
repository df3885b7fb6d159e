#pragma once

#include <QtCore/qglobal.h>

namespace WsClient::Protocol::Utf8Dfa {

/*
    The portable UTF-8 validator (RFC 3629 §4): a DFA over byte classes that rejects overlong
    forms, surrogates and code points above U+10FFFF at the first byte that makes them impossible.
    Utf8Validator runs it on small pieces, where a code point may be split between pieces, and
    wherever the vector validator (utf8simd.h) is not available.

    States are bit offsets into 64-bit transition rows (6 bits per state), so a step is one table
    load and one shift. Only Accept (between code points) and Reject (failed for good) mean
    anything outside; the other states are a sequence left open.
*/
enum State : quint8 { Accept = 0, Reject = 6 };

/*!
    Runs the DFA from \a state over [begin, end) and returns the state it ends in: Reject as soon
    as a byte makes the input impossible, a sequence left open when it ends inside one. ASCII runs
    are skipped 16 bytes at a time; pieces of 64 bytes and more are checked as two halves side by
    side.
*/
quint8 run(quint8 state, const uchar *begin, const uchar *end) noexcept;

} // namespace WsClient::Protocol::Utf8Dfa
