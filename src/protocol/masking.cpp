#include "masking.h"

#include <QtCore/qrandom.h>

#if defined(Q_OS_LINUX) && !defined(Q_OS_ANDROID) // Android: getrandom() needs API 28
#include <sys/random.h>
#endif

#include <cstring>

namespace WsClient::Protocol {

MaskKey randomMaskKey()
{
    // Keys must be unpredictable (RFC 6455 §10.3), so they come from the system CSPRNG; drawing
    // them 64 at a time per thread turns a syscall per frame into one per 64 frames. On Linux the
    // kernel's generator is asked directly: QRandomGenerator::system() prefers the CPU's RDRAND
    // when there is one, which costs about 0.2 µs per 64 bits (40% of the client's time echoing
    // small messages), ten times the getrandom() call for the whole pool (256 bytes: never short).
    constexpr int PoolSize = 64;
    thread_local quint32 pool[PoolSize];
    thread_local int next = PoolSize;
    if (next == PoolSize) {
#if defined(Q_OS_LINUX) && !defined(Q_OS_ANDROID) // Android: getrandom() needs API 28
        if (getrandom(pool, sizeof pool, 0) != ssize_t(sizeof pool))
#endif
            QRandomGenerator::system()->fillRange(pool, PoolSize);
        next = 0;
    }
    MaskKey key;
    std::memcpy(key.data(), &pool[next++], 4);
    return key;
}

namespace {

// The key repeated over a 64-bit word, starting at key byte (offset % 4), so that word-wise XOR
// lines up with the payload position. memcpy keeps loads/stores alignment-agnostic; compilers turn
// the 64-bit loop into vector instructions.
inline quint64 rotatedKeyWord(const MaskKey &key, quint64 offset) noexcept
{
    uchar bytes[8];
    for (int i = 0; i < 8; ++i)
        bytes[i] = key[(offset + i) & 3];
    quint64 word;
    std::memcpy(&word, bytes, 8);
    return word;
}

} // namespace

void maskCopy(char *dst, const char *src, qsizetype size, const MaskKey &key, quint64 offset) noexcept
{
    qsizetype i = 0;
    if (size >= 16) {
        const quint64 k = rotatedKeyWord(key, offset);
        // Four independent words per iteration: enough work for the vectoriser to use full registers.
        for (; i + 32 <= size; i += 32) {
            quint64 w[4];
            std::memcpy(w, src + i, 32);
            w[0] ^= k;
            w[1] ^= k;
            w[2] ^= k;
            w[3] ^= k;
            std::memcpy(dst + i, w, 32);
        }
        for (; i + 8 <= size; i += 8) {
            quint64 w;
            std::memcpy(&w, src + i, 8);
            w ^= k;
            std::memcpy(dst + i, &w, 8);
        }
    }
    for (; i < size; ++i)
        dst[i] = char(uchar(src[i]) ^ key[(offset + quint64(i)) & 3]);
}

void applyMask(char *data, qsizetype size, const MaskKey &key, quint64 offset) noexcept
{
    maskCopy(data, data, size, key, offset);
}

} // namespace WsClient::Protocol
