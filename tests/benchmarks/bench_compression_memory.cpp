// Memory a permessage-deflate connection costs: N compressor + decompressor pairs (one connection
// each), each used for one 1 KiB message so every buffer zlib allocates is touched, measured as the
// growth of the process's resident set. Prints RESULT lines for the default settings and for small
// windows with the lowest memory level.

#include "procstats.h"
#include "protocol/deflatecodec.h"

#include <QtCore/qbytearray.h>

#include <cstdio>
#include <memory>
#include <vector>

using namespace WsClient::Protocol;

namespace {

struct Setting
{
    const char *name;
    int clientBits;
    int serverBits;
    int memoryLevel;
};

void measure(const Setting &s, int connections)
{
    QByteArray message;
    while (message.size() < 1024)
        message += "{\"seq\":" + QByteArray::number(message.size()) + ",\"sym\":\"ACME\",\"px\":101.25},";
    std::vector<std::unique_ptr<Deflater>> deflaters;
    std::vector<std::unique_ptr<Inflater>> inflaters;
    deflaters.reserve(size_t(connections));
    inflaters.reserve(size_t(connections));
    const long before = Bench::residentKiB();
    for (int i = 0; i < connections; ++i) {
        deflaters.push_back(std::make_unique<Deflater>(s.clientBits, -1, s.memoryLevel));
        inflaters.push_back(std::make_unique<Inflater>(s.serverBits));
        const QByteArray compressed = deflaters.back()->compress(message, false);
        QByteArray out;
        inflaters.back()->inflate(compressed, true, out, 1 << 20);
    }
    const double perConnection = double(Bench::residentKiB() - before) / connections;
    std::printf("RESULT deflate_memory_%s_kib_per_conn %.1f KiB\n", s.name, perConnection);
    std::printf("RESULT deflate_memory_%s_zlib_formula_kib %.1f KiB\n", s.name,
        double(Deflater::memoryUse(s.clientBits, s.memoryLevel) + Inflater::memoryUse(s.serverBits)) / 1024);
}

} // namespace

int main(int argc, char **argv)
{
    const int connections = argc > 1 ? std::atoi(argv[1]) : 1000;
    measure({ "default", 15, 15, 8 }, connections);
    measure({ "small", 9, 9, 1 }, connections);
    return 0;
}
