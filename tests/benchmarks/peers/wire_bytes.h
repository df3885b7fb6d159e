// Bytes a TCP connection has carried so far, from the kernel's TCP_INFO. In a file of its own because
// <linux/tcp.h> (which has these fields) clashes with <netinet/tcp.h> (which Asio includes).
#pragma once

#include <cstdint>

namespace Bench {

// Payload bytes received on socket `fd` and sent by it (acknowledged); false when unavailable.
bool tcpWireBytes(int fd, std::uint64_t *received, std::uint64_t *sent);

} // namespace Bench
