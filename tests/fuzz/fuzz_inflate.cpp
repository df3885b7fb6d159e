// libFuzzer target for the permessage-deflate receive path: ProtocolReader with inflation on,
// and the Deflater/Inflater pair directly.
//
// Input layout:
//   byte 0   flags: bit 0 validateUtf8, bit 1 fireContinuationFrames, bit 2 inflateResetEachMessage,
//            bit 3 wrap mode (below), bits 4-6 window bits - 8 (capped at 15)
//   byte 1   maxInflatedSize index into kLimits
//   byte 2   number N (0-15) of piece-size bytes; 0 feeds the whole stream at once
//   N bytes  piece sizes, used in a cycle: byte v gives a piece of v + 1 bytes
//   rest     without wrap mode: the byte stream from the server (frames, RSV1 on the compressed);
//            with wrap mode: records [2-byte length][payload], each sent as one compressed binary
//            frame, so the fuzzer works on DEFLATE data directly, across messages.
//
// Checked for every input: no inflated message or fragment series exceeds maxInflatedSize; a
// failure is one of the kinds the reader may report, with its close code; delivered text is valid
// UTF-8 when validation is on; the outcome does not depend on how the stream was cut. In wrap mode
// the raw payload bytes also round-trip through Deflater and Inflater unchanged.

#include "fuzzsupport.h"

#include "protocol/deflatecodec.h"
#include "protocol/protocolreader.h"
#include "protocol/utf8validator.h"

#include <string>
#include <vector>

using namespace WsClient;
using namespace WsClient::Protocol;
using WsClient::Fuzz::Chunker;
using WsClient::Fuzz::InputReader;

namespace {

constexpr quint64 kLimits[8] = { 0, 1, 100, 1000, 4096, 65536, 1 << 20, 16 << 20 };

std::string serverFrame(quint8 firstByte, const std::string &payload)
{
    std::string frame(1, char(firstByte));
    if (payload.size() < 126) {
        frame += char(payload.size());
    } else {
        frame += char(126);
        frame += char(payload.size() >> 8);
        frame += char(payload.size() & 0xff);
    }
    return frame + payload;
}

class Sink : public FrameSink
{
public:
    // \a allCompressed: every data message is compressed, so all of them obey maxInflatedSize.
    Sink(const ProtocolReader::Config &config, bool allCompressed)
        : m_config(config), m_limit(allCompressed ? config.messages.maxInflatedSize
                                                  : qMax(config.messages.maxInflatedSize,
                                                        config.messages.maxMessageSize))
    { }

    std::vector<std::string> events;

    void messageReceived(Opcode opcode, QByteArray &&message) override
    {
        FUZZ_CHECK(quint64(message.size()) <= m_limit);
        if (opcode == Opcode::Text && m_config.messages.validateUtf8)
            FUZZ_CHECK(Utf8Validator::isValid(message));
        events.push_back(char('0' + int(opcode)) + message.toStdString());
    }
    void fragmentReceived(Opcode opcode, QByteArray &&data, bool fin) override
    {
        m_seriesSize += quint64(data.size());
        if (m_limit == m_config.messages.maxInflatedSize)
            FUZZ_CHECK(m_seriesSize <= m_limit);
        if (fin)
            m_seriesSize = 0;
        events.push_back(char('a' + int(opcode)) + std::string(fin ? "F" : "-") + data.toStdString());
    }
    void pingReceived(QByteArrayView payload) override { events.push_back("P" + payload.toByteArray().toStdString()); }
    void pongReceived(QByteArrayView payload) override { events.push_back("O" + payload.toByteArray().toStdString()); }
    void closeReceived(quint16 code, const QString &) override { events.push_back("C" + std::to_string(code)); }

private:
    const ProtocolReader::Config &m_config;
    const quint64 m_limit;
    quint64 m_seriesSize = 0;
};

struct Outcome
{
    std::vector<std::string> events;
    Failure failure;
};

Outcome run(const ProtocolReader::Config &config, bool allCompressed, std::string stream, const uint8_t *sizes,
    size_t count)
{
    ProtocolReader reader(config);
    Sink sink(config, allCompressed);
    Chunker chunker(sizes, count, stream.size());
    size_t offset = 0;
    while (!chunker.done() && !reader.hasFailed() && !reader.closeReceived()) {
        const size_t n = chunker.next();
        const qsizetype used = reader.feed(stream.data() + offset, qsizetype(n), sink);
        FUZZ_CHECK(used >= 0 && size_t(used) <= n);
        offset += n;
    }
    const Failure &failure = reader.failure();
    switch (failure.error) {
    case Error::NoError:
        break;
    case Error::Protocol:
        FUZZ_CHECK(failure.closeCode == CloseCode::ProtocolError);
        break;
    case Error::Payload:
    case Error::Compression:
        FUZZ_CHECK(failure.closeCode == CloseCode::InvalidPayload);
        break;
    case Error::MessageTooBig:
        FUZZ_CHECK(failure.closeCode == CloseCode::MessageTooBig);
        break;
    default:
        FUZZ_CHECK(false && "unexpected error kind");
    }
    if (failure.isFailure())
        FUZZ_CHECK(!failure.message.isEmpty());
    return { std::move(sink.events), failure };
}

// The codec itself: whatever the bytes, compressing and inflating gives them back.
void checkRoundTrip(const std::string &data, int windowBits, bool reset)
{
    Deflater deflater(windowBits, 6, 8);
    Inflater inflater(windowBits);
    FUZZ_CHECK(deflater.isValid() && inflater.isValid());
    for (int round = 0; round < 2; ++round) {
        const QByteArray compressed = deflater.compress(QByteArrayView(data.data(), qsizetype(data.size())), reset);
        FUZZ_CHECK(!compressed.isEmpty());
        QByteArray out;
        FUZZ_CHECK(inflater.inflate(compressed, true, out, quint64(data.size())) == Inflater::Result::Ok);
        FUZZ_CHECK(out.toStdString() == data);
        if (reset)
            inflater.reset();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    InputReader in(data, size);
    const uint8_t flags = in.byte();
    const uint8_t limit = in.byte();
    ProtocolReader::Config config;
    config.messages.inflate = true;
    config.messages.validateUtf8 = flags & 0x01;
    config.messages.fireContinuationFrames = flags & 0x02;
    config.messages.inflateResetEachMessage = flags & 0x04;
    const bool wrap = flags & 0x08;
    config.messages.inflateWindowBits = qMin(8 + ((flags >> 4) & 0x7), 15);
    config.messages.maxInflatedSize = kLimits[limit & 0x7];
    config.messages.maxMessageSize = 1 << 20;
    config.frames.maxFrameSize = 1 << 20;
    size_t sizeCount;
    const uint8_t *sizes = in.take(in.byte() & 0xF, &sizeCount);

    std::string stream;
    if (wrap) {
        while (in.remaining() > 0) {
            size_t taken;
            const uint8_t *payload = in.take(in.word(), &taken);
            const std::string bytes(reinterpret_cast<const char *>(payload), taken);
            stream += serverFrame(0xc2, bytes);
            checkRoundTrip(bytes, qMax(9, config.messages.inflateWindowBits), config.messages.inflateResetEachMessage);
        }
    } else {
        stream.assign(reinterpret_cast<const char *>(in.rest()), in.remaining());
    }

    const Outcome pieces = run(config, wrap, stream, sizes, sizeCount);
    const Outcome whole = run(config, wrap, stream, nullptr, 0);
    FUZZ_CHECK(pieces.events == whole.events);
    FUZZ_CHECK(pieces.failure.error == whole.failure.error);
    FUZZ_CHECK(pieces.failure.message == whole.failure.message);
    return 0;
}
