// Boost.Beast's synchronous WebSocket client through one benchmark workload (see workload.h): the
// peer to beat. Tuned as a Beast user would for speed: TCP_NODELAY, no automatic fragmentation, a
// 64 KiB write buffer (Beast masks into it; the default 4 KiB means a system call per 4 KiB).

#include "workload.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <string_view>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

int main(int argc, char **argv)
{
    const Bench::Workload w = Bench::parseWorkload(argc, argv);
    if (w.connections > 0 || w.compress) {
        std::fprintf(stderr, "beast_client: idle connections and compression are not measured with Beast\n");
        return 2;
    }
    try {
        net::io_context io;
        tcp::resolver resolver(io);
        websocket::stream<tcp::socket> ws(io);
        net::connect(ws.next_layer(), resolver.resolve(w.host, w.port));
        ws.next_layer().set_option(tcp::no_delay(true));
        ws.auto_fragment(false);
        ws.write_buffer_bytes(64 * 1024);
        ws.read_message_max(128u << 20);
        ws.handshake(w.host + ":" + w.port, w.path);
        ws.text(w.text);

        const std::size_t count = w.messages.size();
        long long sent = 0;
        for (; sent < w.inflight; ++sent)
            ws.write(net::buffer(w.messages[std::size_t(sent) % count]));
        Bench::EchoClock clock(w);
        beast::flat_buffer buffer;
        for (;;) {
            ws.read(buffer);
            const std::string_view echo(static_cast<const char *>(buffer.data().data()), buffer.size());
            if (!Bench::sameEcho(echo, w.messages[std::size_t(clock.total()) % count])) {
                std::fprintf(
                    stderr, "beast_client: echo %lld differs (%zu bytes)\n", clock.total(), buffer.size());
                return 1;
            }
            buffer.clear();
            if (!clock.echoed())
                break;
            ws.write(net::buffer(w.messages[std::size_t(sent++) % count]));
        }
        std::printf("SENT %lld\n", sent);
        // The echoes still in flight are read by the closing handshake and dropped.
        ws.close(websocket::close_code::normal);
        for (;;) {
            beast::error_code ec;
            ws.read(buffer, ec);
            buffer.clear();
            if (ec)
                break;
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "beast_client: %s\n", e.what());
        return 1;
    }
    return 0;
}
