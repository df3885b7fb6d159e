// The echo server of the peer benchmarks: one thread, epoll, written for this job only so that it
// costs the clients' shared 2 cores as little as possible (not WsClient, not a general server).
//
// Each frame is echoed as it arrives, with its own opcode and FIN bit, unmasked: a large frame
// streams back while it is still being received, so 16 MiB in each direction cannot deadlock and
// is never held whole. Everything decoded from one read goes back in one write. Pings are answered,
// a Close is echoed and ends the connection. Text is not validated (the clients do that).
//
// A connection's reads start at 4 KiB and double, up to 256 KiB, while they fill the buffer: a
// hundred thousand idle connections must not each hold (or map) a bulk-sized buffer.
//
// usage: bench_epoll_server [--port N] [--listeners K]
//   listens on 127.0.0.1, on K ports (N, N+1, ...; any free ones without --port: more ports give
//   more connections than one port's ephemeral source ports allow), and prints
//   `LISTENING <port> [<port> ...]` once ready

#include "../procstats.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

constexpr std::size_t FirstReadSize = 4 * 1024;
constexpr std::size_t MaxReadSize = 256 * 1024;
// A client that sends without reading gets its connection closed beyond this much unsent echo.
constexpr std::size_t MaxPending = std::size_t(256) << 20;

std::string acceptKey(const std::string &key)
{
    const std::string input = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char *>(input.data()), input.size(), digest);
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (int i = 0; i < SHA_DIGEST_LENGTH; i += 3) {
        const unsigned v = unsigned(digest[i]) << 16 | (i + 1 < SHA_DIGEST_LENGTH ? digest[i + 1] << 8 : 0)
            | (i + 2 < SHA_DIGEST_LENGTH ? digest[i + 2] : 0);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += i + 1 < SHA_DIGEST_LENGTH ? alphabet[(v >> 6) & 63] : '=';
        out += i + 2 < SHA_DIGEST_LENGTH ? alphabet[v & 63] : '=';
    }
    return out;
}

// XORs data with the key starting at key position `phase`; a word at a time (vectorised).
void unmask(unsigned char *data, std::size_t size, const unsigned char key[4], std::size_t phase)
{
    std::size_t i = 0;
    for (; i < size && (phase + i) % 4 != 0; ++i)
        data[i] ^= key[(phase + i) % 4];
    std::uint64_t word;
    std::memcpy(&word, key, 4);
    std::memcpy(reinterpret_cast<char *>(&word) + 4, key, 4);
    for (; i + 8 <= size; i += 8) {
        std::uint64_t chunk;
        std::memcpy(&chunk, data + i, 8);
        chunk ^= word;
        std::memcpy(data + i, &chunk, 8);
    }
    for (; i < size; ++i)
        data[i] ^= key[(phase + i) % 4];
}

// A byte buffer that grows without zero-filling (std::vector would memset every read's room).
struct Buffer
{
    std::unique_ptr<unsigned char[]> bytes;
    std::size_t size = 0;
    std::size_t capacity = 0;

    unsigned char *data() { return bytes.get(); }
    // Room for `n` more bytes at data() + size.
    unsigned char *room(std::size_t n)
    {
        if (size + n > capacity) {
            const std::size_t grown = std::max(size + n, capacity * 2);
            std::unique_ptr<unsigned char[]> bigger(new unsigned char[grown]);
            if (size)
                std::memcpy(bigger.get(), bytes.get(), size);
            bytes = std::move(bigger);
            capacity = grown;
        }
        return bytes.get() + size;
    }
    void append(const unsigned char *from, std::size_t n)
    {
        std::memcpy(room(n), from, n);
        size += n;
    }
    void consume(std::size_t n)
    {
        std::memmove(bytes.get(), bytes.get() + n, size - n);
        size -= n;
    }
    // Gives the memory back when empty and large (after a large echo).
    void trim()
    {
        if (size == 0 && capacity > (std::size_t(1) << 20)) {
            bytes.reset();
            capacity = 0;
        }
    }
};

// A piece of echo: bytes of `scratch` (headers, small payloads) or, to save copying large
// payloads, bytes unmasked in place in `in`.
struct Piece
{
    bool inInput;
    std::size_t offset;
    std::size_t size;
};

struct Connection
{
    int fd = -1;
    bool upgraded = false;
    bool closing = false; // a Close was echoed: end once it is written
    Buffer in; // unparsed input
    std::size_t readSize = FirstReadSize;
    Buffer out; // echo not yet written, from outStart on
    std::size_t outStart = 0;
    // What process() decoded from `in`, written by emit() before `in` moves on.
    Buffer scratch;
    std::vector<Piece> pieces;
    std::size_t consumed = 0;
    // The frame being streamed back: payload bytes still to come, its key and position.
    std::uint64_t remaining = 0;
    unsigned char key[4] = {};
    std::size_t phase = 0;
    unsigned char opcode = 0;
    std::vector<unsigned char> control; // a control frame's payload, echoed once complete
};

void addScratch(Connection &c, const unsigned char *data, std::size_t n)
{
    if (!c.pieces.empty() && !c.pieces.back().inInput)
        c.pieces.back().size += n;
    else
        c.pieces.push_back(Piece { false, c.scratch.size, n });
    c.scratch.append(data, n);
}

void appendHeader(Connection &c, unsigned char first, std::uint64_t length)
{
    unsigned char header[10] = { first };
    std::size_t n = 2;
    if (length < 126) {
        header[1] = (unsigned char)length;
    } else if (length <= 0xFFFF) {
        header[1] = 126;
        header[2] = (unsigned char)(length >> 8);
        header[3] = (unsigned char)length;
        n = 4;
    } else {
        header[1] = 127;
        for (int i = 0; i < 8; ++i)
            header[2 + i] = (unsigned char)(length >> (56 - 8 * i));
        n = 10;
    }
    addScratch(c, header, n);
}

// Decodes what `in` holds into pieces of echo; false when the connection must end.
bool process(Connection &c)
{
    std::size_t pos = 0;
    const std::size_t size = c.in.size;
    while (pos < size && !c.closing) {
        if (c.remaining > 0) {
            const std::size_t n = std::size_t(std::min<std::uint64_t>(c.remaining, size - pos));
            unsigned char *data = c.in.data() + pos;
            unmask(data, n, c.key, c.phase);
            if (c.opcode >= 0x8)
                c.control.insert(c.control.end(), data, data + n);
            else if (n < 4096)
                addScratch(c, data, n);
            else
                c.pieces.push_back(Piece { true, pos, n });
            c.phase += n;
            c.remaining -= n;
            pos += n;
            if (c.remaining > 0)
                break;
        } else {
            const unsigned char *p = c.in.data() + pos;
            const std::size_t have = size - pos;
            if (have < 2)
                break;
            std::size_t header = 2;
            std::uint64_t length = p[1] & 0x7F;
            if (length == 126)
                header = 4;
            else if (length == 127)
                header = 10;
            if (!(p[1] & 0x80))
                return false; // clients must mask
            header += 4;
            if (have < header)
                break;
            if (length == 126)
                length = std::uint64_t(p[2]) << 8 | p[3];
            else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; ++i)
                    length = length << 8 | p[2 + i];
            }
            std::memcpy(c.key, p + header - 4, 4);
            c.opcode = p[0] & 0x0F;
            c.phase = 0;
            c.remaining = length;
            pos += header;
            if (c.opcode < 0x8) {
                appendHeader(c, p[0], length); // data: the payload streams after it
            } else {
                c.control.clear();
                if (length > 125)
                    return false;
            }
        }
        if (c.remaining == 0 && c.opcode >= 0x8) {
            if (c.opcode == 0x9) { // ping -> pong
                appendHeader(c, 0x8A, c.control.size());
                addScratch(c, c.control.data(), c.control.size());
            } else if (c.opcode == 0x8) { // close -> echo it and end
                appendHeader(c, 0x88, c.control.size());
                addScratch(c, c.control.data(), c.control.size());
                c.closing = true;
            }
            c.opcode = 0;
        }
    }
    c.consumed = pos;
    return c.out.size - c.outStart <= MaxPending;
}

// Writes the pieces process() left (with one writev when nothing older waits), keeps what the
// socket does not take in `out`, and lets `in` move on.
void emit(Connection &c)
{
    std::size_t piece = 0;
    if (c.outStart == c.out.size) {
        while (piece < c.pieces.size()) {
            iovec vectors[64];
            int count = 0;
            std::size_t total = 0;
            for (std::size_t i = piece; i < c.pieces.size() && count < 64; ++i, ++count) {
                const Piece &p = c.pieces[i];
                vectors[count].iov_base = (p.inInput ? c.in.data() : c.scratch.data()) + p.offset;
                vectors[count].iov_len = p.size;
                total += p.size;
            }
            const ssize_t n = ::writev(c.fd, vectors, count);
            std::size_t written = n > 0 ? std::size_t(n) : 0;
            while (written > 0 && written >= c.pieces[piece].size)
                written -= c.pieces[piece++].size;
            if (written > 0) {
                c.pieces[piece].offset += written;
                c.pieces[piece].size -= written;
            }
            if (std::size_t(n > 0 ? n : 0) < total)
                break; // the socket is full (or broken: the next recv or send says so)
        }
    }
    for (; piece < c.pieces.size(); ++piece) {
        const Piece &p = c.pieces[piece];
        c.out.append((p.inInput ? c.in.data() : c.scratch.data()) + p.offset, p.size);
    }
    c.pieces.clear();
    c.scratch.size = 0;
    c.in.consume(c.consumed);
    c.consumed = 0;
}

bool handshake(Connection &c)
{
    const std::string request(reinterpret_cast<const char *>(c.in.data()), c.in.size);
    const std::size_t end = request.find("\r\n\r\n");
    if (end == std::string::npos)
        return request.size() < 65536;
    std::string key;
    std::size_t line = 0;
    while (line < end) {
        const std::size_t next = request.find("\r\n", line);
        std::string field = request.substr(line, next - line);
        line = next + 2;
        const std::size_t colon = field.find(':');
        if (colon == std::string::npos)
            continue;
        std::string name = field.substr(0, colon);
        for (char &ch : name)
            ch = char(std::tolower((unsigned char)ch));
        if (name == "sec-websocket-key") {
            key = field.substr(colon + 1);
            key.erase(0, key.find_first_not_of(" \t"));
            key.erase(key.find_last_not_of(" \t") + 1);
        }
    }
    if (key.empty())
        return false;
    const std::string response
        = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: "
        + acceptKey(key) + "\r\n\r\n";
    c.out.append(reinterpret_cast<const unsigned char *>(response.data()), response.size());
    c.in.consume(end + 4);
    c.upgraded = true;
    return true;
}

// Writes what is pending; returns false on a broken connection.
bool flush(Connection &c, int epoll, bool &wantOut)
{
    while (c.outStart < c.out.size) {
        const ssize_t n = ::send(c.fd, c.out.data() + c.outStart, c.out.size - c.outStart, MSG_NOSIGNAL);
        if (n > 0) {
            c.outStart += std::size_t(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        return false;
    }
    if (c.outStart == c.out.size) {
        c.out.size = 0;
        c.outStart = 0;
        c.out.trim();
    }
    const bool need = c.outStart < c.out.size;
    if (need != wantOut) {
        wantOut = need;
        epoll_event ev {};
        ev.events = EPOLLIN | (need ? EPOLLOUT : 0u);
        ev.data.fd = c.fd;
        epoll_ctl(epoll, EPOLL_CTL_MOD, c.fd, &ev);
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    int port = 0;
    int listenerCount = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = std::atoi(argv[++i]);
        } else if (std::strcmp(argv[i], "--listeners") == 0 && i + 1 < argc) {
            listenerCount = std::max(1, std::atoi(argv[++i]));
        } else {
            std::fprintf(stderr, "usage: bench_epoll_server [--port N] [--listeners K]\n");
            return 2;
        }
    }
    // The scale benchmark opens up to 100 000 connections (as many as the hard limit allows).
    Bench::raiseFileLimit(250000);
    const int epoll = epoll_create1(0);
    const int one = 1;
    std::vector<int> listeners;
    std::string ports;
    for (int k = 0; k < listenerCount; ++k) {
        const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(std::uint16_t(port ? port + k : 0));
        if (::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
            || ::listen(listener, SOMAXCONN) != 0) {
            std::perror("bench_epoll_server");
            return 1;
        }
        socklen_t length = sizeof address;
        getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length);
        ports += " " + std::to_string(ntohs(address.sin_port));
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.fd = listener;
        epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &ev);
        listeners.push_back(listener);
    }
    int spare = ::open("/dev/null", O_RDONLY); // given up to refuse a connection when out of descriptors
    bool warned = false;
    std::printf("LISTENING%s\n", ports.c_str());
    std::fflush(stdout);

    struct Entry
    {
        std::unique_ptr<Connection> connection;
        bool wantOut = false;
    };
    std::unordered_map<int, Entry> connections;
    std::vector<epoll_event> events(256);
    auto drop = [&](int fd) {
        epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        connections.erase(fd);
    };
    for (;;) {
        const int n = epoll_wait(epoll, events.data(), int(events.size()), -1);
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (std::find(listeners.begin(), listeners.end(), fd) != listeners.end()) {
                const int listener = fd;
                for (;;) {
                    const int client = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
                    if (client < 0 && (errno == EMFILE || errno == ENFILE) && spare >= 0) {
                        // Out of descriptors: refuse the connection rather than leave it pending,
                        // which would keep the listener readable and this loop spinning.
                        if (!warned)
                            std::fprintf(stderr, "bench_epoll_server: out of file descriptors (ulimit -n)\n");
                        warned = true;
                        ::close(spare);
                        ::close(accept4(listener, nullptr, nullptr, 0));
                        spare = ::open("/dev/null", O_RDONLY);
                        continue;
                    }
                    if (client < 0)
                        break;
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    epoll_event add {};
                    add.events = EPOLLIN;
                    add.data.fd = client;
                    epoll_ctl(epoll, EPOLL_CTL_ADD, client, &add);
                    auto c = std::make_unique<Connection>();
                    c->fd = client;
                    connections[client] = Entry { std::move(c), false };
                }
                continue;
            }
            auto it = connections.find(fd);
            if (it == connections.end())
                continue;
            Connection &c = *it->second.connection;
            bool alive = true;
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                const ssize_t got = ::recv(fd, c.in.room(c.readSize), c.readSize, 0);
                if (got > 0) {
                    c.in.size += std::size_t(got);
                    if (std::size_t(got) == c.readSize && c.readSize < MaxReadSize)
                        c.readSize *= 2;
                    if (!c.upgraded)
                        alive = handshake(c);
                    if (alive && c.upgraded)
                        alive = process(c);
                    emit(c);
                } else if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                    alive = false;
                }
            }
            if (alive)
                alive = flush(c, epoll, it->second.wantOut);
            if (!alive || (c.closing && c.outStart == c.out.size))
                drop(fd);
        }
    }
}
