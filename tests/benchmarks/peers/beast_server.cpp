// The echo server of the permessage-deflate benchmark (epoll_server.cpp has no compression):
// Boost.Beast, one thread, asynchronous, not WsClient; run_peers.py reports its CPU use.
//
// Each connection reads the next message while earlier echoes are still being written, so a client
// may keep several messages in flight, and a 16 MiB message in each direction cannot deadlock.
//
// usage: bench_beast_server [--port N] [--deflate] [--report-wire]
//   prints `LISTENING <port>` once ready; with --deflate it accepts permessage-deflate; with
//   --report-wire it prints `WIRE <received> <sent>` (TCP bytes of the connection) when a client's
//   Close arrives.

#include "wire_bytes.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

struct Settings
{
    unsigned short port = 0;
    bool deflate = false;
    bool reportWire = false;
};

class Session : public std::enable_shared_from_this<Session>
{
public:
    Session(tcp::socket socket, const Settings &settings) : m_ws(std::move(socket)), m_settings(settings) { }

    void start()
    {
        m_ws.next_layer().set_option(tcp::no_delay(true));
        m_ws.auto_fragment(false);
        m_ws.read_message_max(128u << 20);
        if (m_settings.deflate) {
            websocket::permessage_deflate pmd;
            pmd.server_enable = true;
            m_ws.set_option(pmd);
        }
        if (m_settings.reportWire) {
            m_ws.control_callback([this](websocket::frame_type kind, beast::string_view) {
                std::uint64_t received = 0, sent = 0;
                if (kind == websocket::frame_type::close
                    && Bench::tcpWireBytes(m_ws.next_layer().native_handle(), &received, &sent)) {
                    std::printf("WIRE %llu %llu\n", (unsigned long long)received, (unsigned long long)sent);
                    std::fflush(stdout);
                }
            });
        }
        m_ws.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec)
                self->read();
        });
    }

private:
    struct Echo
    {
        beast::flat_buffer data;
        bool text = false;
    };

    void read()
    {
        m_incoming = takeBuffer();
        m_ws.async_read(
            m_incoming, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
    }

    void onRead(beast::error_code ec)
    {
        if (ec)
            return; // closed by the client (the Close is answered by Beast) or failed: the session ends
        m_queue.push_back(Echo { std::move(m_incoming), m_ws.got_text() });
        if (m_queue.size() == 1)
            write();
        read();
    }

    void write()
    {
        Echo &next = m_queue.front();
        m_ws.text(next.text);
        m_ws.async_write(next.data.data(), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            self->m_queue.front().data.clear();
            self->m_spare.push_back(std::move(self->m_queue.front().data));
            self->m_queue.pop_front();
            if (!self->m_queue.empty())
                self->write();
        });
    }

    // Buffers are reused, so that echoing does not allocate per message.
    beast::flat_buffer takeBuffer()
    {
        if (m_spare.empty())
            return beast::flat_buffer();
        beast::flat_buffer buffer = std::move(m_spare.back());
        m_spare.pop_back();
        return buffer;
    }

    websocket::stream<tcp::socket> m_ws;
    const Settings &m_settings;
    beast::flat_buffer m_incoming;
    std::deque<Echo> m_queue;
    std::vector<beast::flat_buffer> m_spare;
};

class Listener
{
public:
    Listener(net::io_context &io, const Settings &settings)
        : m_acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), settings.port)),
          m_settings(settings)
    {
        m_acceptor.listen(net::socket_base::max_listen_connections);
    }
    unsigned short port() const { return m_acceptor.local_endpoint().port(); }

    void accept()
    {
        m_acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (!ec)
                std::make_shared<Session>(std::move(socket), m_settings)->start();
            else if (ec == net::error::no_descriptors)
                std::fprintf(stderr, "bench_beast_server: out of file descriptors (raise ulimit -n)\n");
            accept();
        });
    }

private:
    tcp::acceptor m_acceptor;
    const Settings &m_settings;
};

} // namespace

int main(int argc, char **argv)
{
    Settings settings;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            settings.port = (unsigned short)std::atoi(argv[++i]);
        else if (std::strcmp(argv[i], "--deflate") == 0)
            settings.deflate = true;
        else if (std::strcmp(argv[i], "--report-wire") == 0)
            settings.reportWire = true;
        else {
            std::fprintf(stderr, "usage: bench_beast_server [--port N] [--deflate] [--report-wire]\n");
            return 2;
        }
    }
    net::io_context io(1);
    Listener listener(io, settings);
    listener.accept();
    std::printf("LISTENING %u\n", unsigned(listener.port()));
    std::fflush(stdout);
    io.run();
    return 0;
}
