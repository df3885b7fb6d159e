#include "wire_bytes.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace Bench {

bool tcpWireBytes(int fd, std::uint64_t *received, std::uint64_t *sent)
{
    tcp_info info {};
    socklen_t length = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0)
        return false;
    *received = info.tcpi_bytes_received;
    *sent = info.tcpi_bytes_acked;
    return true;
}

} // namespace Bench
