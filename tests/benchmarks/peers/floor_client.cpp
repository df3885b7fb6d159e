// The floor of the peer benchmarks: the least a correct WebSocket client can do per echo, so that
// every other client's figure can be read as a fraction of what the machine allows (RATIO
// *_vs_floor). A blocking socket, frames masked once before the run, one send() and one recv() per
// round trip, a header parse and the echo check every client does (Bench::sameEcho).
//
// What it leaves out, on purpose, because it is a bound and not a library: a fresh mask key per
// frame (RFC 6455 §5.3 wants one), UTF-8 validation of text, control frames other than the final
// Close, limits, timeouts, error reporting beyond a message and a non-zero exit.

#include "workload.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

// What one recv() asks for at most; bulk frames are still assembled in one contiguous buffer.
constexpr std::size_t ReadChunk = 256 * 1024;

std::string maskedFrame(unsigned char opcode, const std::string &payload)
{
    static const unsigned char key[4] = { 0x37, 0xfa, 0x21, 0x3d };
    std::string frame(1, char(0x80 | opcode));
    const std::uint64_t n = payload.size();
    if (n < 126) {
        frame += char(0x80 | n);
    } else if (n <= 0xFFFF) {
        frame += char(0x80 | 126);
        frame += char(n >> 8);
        frame += char(n);
    } else {
        frame += char(0x80 | 127);
        for (int i = 7; i >= 0; --i)
            frame += char(n >> (8 * i));
    }
    frame.append(reinterpret_cast<const char *>(key), 4);
    const std::size_t start = frame.size();
    frame += payload;
    for (std::size_t i = 0; i < n; ++i)
        frame[start + i] = char(frame[start + i] ^ key[i % 4]);
    return frame;
}

int connectTo(const Bench::Workload &w)
{
    addrinfo hints {};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    if (getaddrinfo(w.host.c_str(), w.port.c_str(), &hints, &found) != 0 || !found)
        return -1;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const bool ok = ::connect(fd, found->ai_addr, found->ai_addrlen) == 0;
    freeaddrinfo(found);
    if (!ok) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool sendAll(int fd, const char *data, std::size_t size)
{
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        data += n;
        size -= std::size_t(n);
    }
    return true;
}

// Sends the upgrade request and reads the response head; the bytes after it stay in `in`.
bool handshake(int fd, const Bench::Workload &w, std::string &in)
{
    const std::string request = "GET " + w.path + " HTTP/1.1\r\nHost: " + w.host + ":" + w.port
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (!sendAll(fd, request.data(), request.size()))
        return false;
    char chunk[4096];
    for (;;) {
        const std::size_t end = in.find("\r\n\r\n");
        if (end != std::string::npos) {
            const bool switched = in.compare(0, 12, "HTTP/1.1 101") == 0
                && in.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") < end; // the RFC's accept for this key
            in.erase(0, end + 4);
            return switched;
        }
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            return false;
        in.append(chunk, std::size_t(n));
    }
}

// A server frame's header in buffer[0, available): its size and the payload's, or false when
// incomplete.
bool parseHeader(const unsigned char *p, std::size_t available, std::size_t &header, std::uint64_t &length)
{
    if (available < 2)
        return false;
    length = p[1] & 0x7F;
    header = length == 126 ? 4 : length == 127 ? 10 : 2;
    if (available < header)
        return false;
    if (length == 126) {
        length = std::uint64_t(p[2]) << 8 | p[3];
    } else if (length == 127) {
        length = 0;
        for (int i = 2; i < 10; ++i)
            length = length << 8 | p[i];
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    const Bench::Workload w = Bench::parseWorkload(argc, argv);
    if (w.connections > 0 || w.compress) {
        std::fprintf(stderr, "floor_client: echoes only, without compression\n");
        return 2;
    }
    const int fd = connectTo(w);
    std::string head;
    if (fd < 0 || !handshake(fd, w, head)) {
        std::fprintf(stderr, "floor_client: could not connect to %s\n", w.url.c_str());
        return 1;
    }
    std::vector<std::string> frames;
    for (const std::string &m : w.messages)
        frames.push_back(maskedFrame(w.text ? 0x1 : 0x2, m));
    const std::size_t count = frames.size();

    std::string out;
    long long sent = 0;
    for (; sent < w.inflight; ++sent)
        out += frames[std::size_t(sent) % count];
    if (!sendAll(fd, out.data(), out.size()))
        return 1;

    std::vector<unsigned char> in(head.begin(), head.end());
    std::size_t have = in.size();
    in.resize(std::max<std::size_t>(have, ReadChunk));
    Bench::EchoClock clock(w);
    for (bool measuring = true; measuring;) {
        if (in.size() - have < ReadChunk / 4)
            in.resize(have + ReadChunk);
        const ssize_t n = ::recv(fd, in.data() + have, in.size() - have, 0);
        if (n <= 0) {
            std::fprintf(stderr, "floor_client: the server closed the connection\n");
            return 1;
        }
        have += std::size_t(n);
        std::size_t pos = 0;
        out.clear();
        for (;;) {
            std::size_t header = 0;
            std::uint64_t length = 0;
            if (!parseHeader(in.data() + pos, have - pos, header, length))
                break;
            if (have - pos < header + length) {
                if (in.size() < pos + header + length) // a bulk frame: room for all of it
                    in.resize(pos + header + length);
                break;
            }
            const std::string_view echo(reinterpret_cast<const char *>(in.data() + pos + header), length);
            if ((in[pos] & 0x0F) == 0x8 || !Bench::sameEcho(echo, w.messages[std::size_t(clock.total()) % count])) {
                std::fprintf(stderr, "floor_client: echo %lld differs from what was sent\n", clock.total());
                return 1;
            }
            pos += header + length;
            if (measuring && !clock.echoed()) {
                measuring = false;
                continue;
            }
            if (measuring)
                out += frames[std::size_t(sent++) % count];
        }
        if (pos > 0) {
            std::memmove(in.data(), in.data() + pos, have - pos);
            have -= pos;
        }
        if (!out.empty() && !sendAll(fd, out.data(), out.size()))
            return 1;
    }
    std::printf("SENT %lld\n", sent);
    // The echoes still in flight are read with the closing handshake and dropped.
    const std::string close = maskedFrame(0x8, std::string("\x03\xe8", 2));
    sendAll(fd, close.data(), close.size());
    while (::recv(fd, in.data(), in.size(), 0) > 0) {
    }
    ::close(fd);
    return 0;
}
