#pragma once

// Shared by the libFuzzer targets and their plain regression runner.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// An invariant that must hold for every input. A violation aborts, which libFuzzer reports as a
// crash (and saves the input) and the regression runner reports as a failed test.
#define FUZZ_CHECK(condition)                                                                                \
    do {                                                                                                     \
        if (!(condition)) {                                                                                  \
            std::fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #condition);         \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (false)

namespace WsClient::Fuzz {

// Reads the fuzzer's bytes front to back; past the end every read yields zero.
class InputReader
{
public:
    InputReader(const uint8_t *data, size_t size) : m_data(data), m_size(size) { }

    uint8_t byte() { return m_pos < m_size ? m_data[m_pos++] : 0; }
    uint16_t word()
    {
        const uint16_t high = byte();
        return uint16_t(high << 8 | byte());
    }
    // Up to \a n bytes (fewer at the end of the input).
    const uint8_t *take(size_t n, size_t *taken)
    {
        *taken = n < remaining() ? n : remaining();
        const uint8_t *p = m_data + m_pos;
        m_pos += *taken;
        return p;
    }
    const uint8_t *rest() const { return m_data + m_pos; }
    size_t remaining() const { return m_size - m_pos; }

private:
    const uint8_t *m_data;
    size_t m_size;
    size_t m_pos = 0;
};

/*
    Splits a stream into pieces whose sizes come from a list of size bytes, used in a cycle:
    a size byte v gives a piece of v + 1 bytes. An empty list gives the whole stream at once.
*/
class Chunker
{
public:
    Chunker(const uint8_t *sizes, size_t count, size_t total) : m_sizes(sizes), m_count(count), m_left(total)
    { }

    bool done() const { return m_left == 0; }
    size_t next()
    {
        size_t n = m_count == 0 ? m_left : size_t(m_sizes[m_index++ % m_count]) + 1;
        if (n > m_left)
            n = m_left;
        m_left -= n;
        return n;
    }

private:
    const uint8_t *m_sizes;
    size_t m_count;
    size_t m_index = 0;
    size_t m_left;
};

} // namespace WsClient::Fuzz
