#pragma once

// A WebSocket server on 127.0.0.1 that reads at a set pace, stops reading after a number of bytes,
// or never reads, for the delivery and back-pressure tests; it can also flood the client with a
// fragmented message that never ends. It runs on a thread of its own with plain blocking sockets
// (no event loop), so its timing does not depend on the client's, and it keeps no payloads: it
// counts messages and checks that message i starts with i (as 8 little-endian bytes), so that a
// lost, repeated or reordered message shows.

#include <QtCore/qbytearray.h>
#include <QtCore/qcryptographichash.h>
#include <QtCore/qendian.h>
#include <QtCore/qurl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

class PacedServer
{
public:
    struct Config
    {
        qint64 bytesPerSecond = 0; // 0: as fast as the socket allows
        qint64 stopReadingAfter = -1; // stop reading after this many frame bytes (-1: never)
        bool neverRead = false; // read the request, answer it, then read nothing at all
        int receiveBuffer = 64 * 1024; // SO_RCVBUF, kept small so that back-pressure shows early
        bool answerClose = true; // echo the client's Close and end the connection
        qint64 floodFragmentSize = 0; // > 0: send an endless fragmented binary message in frames of this size
        bool floodWholeMessages = false; // with floodFragmentSize: endless whole binary messages instead
    };

    explicit PacedServer(const Config &config) : m_config(config)
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (config.receiveBuffer > 0)
            ::setsockopt(m_listener, SOL_SOCKET, SO_RCVBUF, &config.receiveBuffer, sizeof config.receiveBuffer);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address);
        ::listen(m_listener, 4);
        socklen_t length = sizeof address;
        ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] { run(); });
    }

    ~PacedServer()
    {
        m_stop = true;
        m_thread.join();
        ::close(m_listener);
    }

    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_port)); }
    int messages() const { return m_messages; }
    qint64 frameBytes() const { return m_frameBytes; }
    // Messages whose first 8 bytes did not hold their index.
    int misordered() const { return m_misordered; }
    int closeCode() const { return m_closeCode; } // -1 until the client's Close arrived
    bool clientClosedTcp() const { return m_clientEof; }

private:
    static QByteArray acceptKey(const QByteArray &key)
    {
        return QCryptographicHash::hash(QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"), QCryptographicHash::Sha1)
            .toBase64();
    }

    // Waits up to 10 ms for the socket to be readable (or writable); false when the server stops.
    bool waitFor(int fd, short events)
    {
        pollfd p { fd, events, 0 };
        while (!m_stop) {
            if (::poll(&p, 1, 10) > 0)
                return true;
        }
        return false;
    }

    void run()
    {
        while (!m_stop) {
            if (!waitFor(m_listener, POLLIN))
                return;
            const int fd = ::accept(m_listener, nullptr, nullptr);
            if (fd < 0)
                continue;
            serve(fd);
            ::close(fd);
        }
    }

    bool handshake(int fd)
    {
        QByteArray request;
        char buffer[4096];
        while (!request.contains("\r\n\r\n")) {
            if (!waitFor(fd, POLLIN))
                return false;
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0)
                return false;
            request.append(buffer, n);
        }
        // A client sends nothing after its request before the 101: what follows is not read here.
        QByteArray key;
        for (const QByteArray &line : request.split('\n')) {
            if (line.toLower().startsWith("sec-websocket-key:"))
                key = line.mid(line.indexOf(':') + 1).trimmed();
        }
        const QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                    "Connection: Upgrade\r\nSec-WebSocket-Accept: "
            + acceptKey(key) + "\r\n\r\n";
        return ::send(fd, response.constData(), size_t(response.size()), MSG_NOSIGNAL) == response.size();
    }

    void serve(int fd)
    {
        if (!handshake(fd))
            return;
        if (m_config.floodFragmentSize > 0) {
            flood(fd);
            return;
        }
        if (m_config.neverRead) {
            while (!m_stop)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            return;
        }
        const auto start = std::chrono::steady_clock::now();
        qint64 read = 0;
        char buffer[64 * 1024];
        while (!m_stop) {
            qint64 allowed = qint64(sizeof buffer);
            if (m_config.stopReadingAfter >= 0)
                allowed = qMin(allowed, m_config.stopReadingAfter - read);
            if (m_config.bytesPerSecond > 0) {
                const double seconds
                    = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                allowed = qMin(allowed, qint64(seconds * double(m_config.bytesPerSecond)) - read);
            }
            if (allowed <= 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                continue;
            }
            if (!waitFor(fd, POLLIN))
                return;
            const ssize_t n = ::recv(fd, buffer, size_t(allowed), 0);
            if (n <= 0) {
                m_clientEof = true;
                return;
            }
            read += n;
            if (!decode(fd, buffer, n))
                return;
        }
    }

    // Decodes client frames as they stream by, keeping only what the checks need.
    bool decode(int fd, const char *data, qsizetype size)
    {
        for (qsizetype i = 0; i < size;) {
            if (m_headerHave < m_headerNeed) {
                m_header[m_headerHave++] = quint8(data[i++]);
                if (m_headerHave == 2) {
                    const int length7 = m_header[1] & 0x7F;
                    m_headerNeed = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + 4;
                }
                if (m_headerHave == m_headerNeed) {
                    startPayload();
                    if (m_payloadLeft == 0 && !endFrame(fd))
                        return false;
                }
                continue;
            }
            const qsizetype take = qsizetype(qMin<quint64>(m_payloadLeft, quint64(size - i)));
            for (qsizetype k = 0; k < take; ++k, ++m_payloadAt) {
                const char c = char(data[i + k] ^ m_header[m_headerNeed - 4 + (m_payloadAt & 3)]);
                if (m_payloadAt < 8 && m_messageStart)
                    m_first[m_payloadAt] = c;
                if (m_opcode == 0x8 && m_payloadAt < 2)
                    m_close[m_payloadAt] = c;
            }
            m_payloadLeft -= quint64(take);
            i += take;
            m_frameBytes += take;
            if (m_payloadLeft == 0 && !endFrame(fd))
                return false;
        }
        return true;
    }

    void startPayload()
    {
        const int length7 = m_header[1] & 0x7F;
        quint64 length = quint64(length7);
        if (length7 == 126)
            length = (quint64(m_header[2]) << 8) | m_header[3];
        else if (length7 == 127) {
            length = 0;
            for (int k = 0; k < 8; ++k)
                length = (length << 8) | m_header[2 + k];
        }
        m_opcode = m_header[0] & 0x0F;
        m_messageStart = m_opcode == 0x1 || m_opcode == 0x2;
        m_payloadLeft = length;
        m_payloadAt = 0;
        m_frameBytes += m_headerNeed;
    }

    bool endFrame(int fd)
    {
        const bool fin = m_header[0] & 0x80;
        m_headerHave = 0;
        m_headerNeed = 2;
        if (m_opcode == 0x8) {
            m_closeCode = m_payloadAt >= 2 ? (quint8(m_close[0]) << 8) | quint8(m_close[1]) : 1005;
            if (m_config.answerClose && fd >= 0) {
                const char echo[4] = { char(0x88), 2, m_close[0], m_close[1] };
                ::send(fd, echo, m_payloadAt >= 2 ? 4 : 2, MSG_NOSIGNAL);
                ::shutdown(fd, SHUT_WR);
            }
            return m_config.answerClose ? drainToEof(fd) : true;
        }
        if (m_messageStart || m_opcode == 0x0) {
            if (m_messageStart && m_payloadAt >= 8
                && qFromLittleEndian<qint64>(reinterpret_cast<const uchar *>(m_first)) != m_messages)
                ++m_misordered;
            m_messageStart = false;
            if (fin)
                ++m_messages;
        }
        return true;
    }

    bool drainToEof(int fd)
    {
        char buffer[4096];
        while (waitFor(fd, POLLIN)) {
            if (::recv(fd, buffer, sizeof buffer, 0) <= 0) {
                m_clientEof = true;
                break;
            }
        }
        return false;
    }

    // An endless binary message: a first frame, then continuations, none of them final, written as
    // fast as the client reads them; ends when the client goes away.
    void flood(int fd)
    {
        const qint64 size = m_config.floodFragmentSize;
        auto header = [size](quint8 first) {
            QByteArray h;
            h.append(char(first));
            h.append(char(127));
            for (int k = 7; k >= 0; --k)
                h.append(char((quint64(size) >> (8 * k)) & 0xFF));
            return h;
        };
        const QByteArray payload(size, 'f');
        const bool whole = m_config.floodWholeMessages;
        const QByteArray frames[2] = { header(whole ? 0x82 : 0x02) + payload, header(whole ? 0x82 : 0x00) + payload };
        for (int n = 0; !m_stop; ++n) {
            const QByteArray &frame = frames[n == 0 ? 0 : 1];
            for (qsizetype sent = 0; sent < frame.size();) {
                if (!waitFor(fd, POLLOUT))
                    return;
                const ssize_t w = ::send(fd, frame.constData() + sent, size_t(frame.size() - sent), MSG_NOSIGNAL);
                if (w <= 0)
                    return; // the client closed the connection
                sent += w;
            }
        }
    }

    Config m_config;
    int m_listener = -1;
    quint16 m_port = 0;
    std::thread m_thread;
    std::atomic<bool> m_stop { false };

    // Decoder state (server thread only).
    quint8 m_header[14] {};
    int m_headerHave = 0;
    int m_headerNeed = 2;
    int m_opcode = 0;
    bool m_messageStart = false;
    quint64 m_payloadLeft = 0;
    quint64 m_payloadAt = 0;
    char m_first[8] {};
    char m_close[2] {};

    std::atomic<int> m_messages { 0 };
    std::atomic<qint64> m_frameBytes { 0 };
    std::atomic<int> m_misordered { 0 };
    std::atomic<int> m_closeCode { -1 };
    std::atomic<bool> m_clientEof { false };
};
