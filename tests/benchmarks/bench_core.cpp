// Micro-benchmarks of the protocol core's hot loops, each next to the baseline it is judged by:
// masking against a byte-at-a-time loop, UTF-8 validation against Qt's own validator
// (QByteArrayView::isValidUtf8), and frame decoding per frame and per byte.
// tests/benchmarks/run-core turns the results into RESULT/RATIO lines.

#include "protocol/frameparser.h"
#include "protocol/framewriter.h"
#include "protocol/masking.h"
#include "protocol/messagewriter.h"
#include "protocol/protocolreader.h"
#include "protocol/utf8validator.h"
#include "transport/deviceadapter.h"
#include "transport/writescheduler.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qcoreapplication.h>
#include <QtNetwork/qnetworkproxy.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qstring.h>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <atomic>
#include <random>
#include <thread>

#include <sys/socket.h>
#include <vector>

using namespace WsClient;
using namespace WsClient::Protocol;

namespace {

constexpr qsizetype BufferSize = 64 * 1024;
const MaskKey Key = { 0x37, 0xfa, 0x21, 0x3d };

QByteArray pseudoRandomBytes(qsizetype size)
{
    std::mt19937 random(42);
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &c : bytes)
        c = char(random());
    return bytes;
}

// --- masking --------------------------------------------------------------------------------------

void BM_MaskCopy(benchmark::State &state)
{
    const QByteArray source = pseudoRandomBytes(BufferSize);
    QByteArray target(BufferSize, Qt::Uninitialized);
    for (auto _ : state) {
        maskCopy(target.data(), source.constData(), BufferSize, Key);
        benchmark::DoNotOptimize(target.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * BufferSize);
}
BENCHMARK(BM_MaskCopy);

// The baseline: the textbook loop, one byte and one key lookup at a time (as QtWebSockets masks).
// Kept out of line so that it is compiled once, as written, like a peer library's function.
__attribute__((noinline)) void maskBytewise(char *dst, const char *src, qsizetype size, const MaskKey &key)
{
    for (qsizetype i = 0; i < size; ++i)
        dst[i] = char(src[i] ^ key[size_t(i) % 4]);
}

void BM_MaskBytewise(benchmark::State &state)
{
    const QByteArray source = pseudoRandomBytes(BufferSize);
    QByteArray target(BufferSize, Qt::Uninitialized);
    for (auto _ : state) {
        maskBytewise(target.data(), source.constData(), BufferSize, Key);
        benchmark::DoNotOptimize(target.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * BufferSize);
}
BENCHMARK(BM_MaskBytewise);

// --- UTF-8 validation -----------------------------------------------------------------------------

QByteArray asciiText(qsizetype size)
{
    static const char words[] = "the quick brown fox jumps over the lazy dog, 0123456789! ";
    QByteArray text;
    text.reserve(size);
    while (text.size() < size)
        text.append(words[text.size() % (sizeof words - 1)]);
    return text;
}

/*
    Chat-like text: words of 2-8 characters, half of them ASCII and the rest Latin-1 supplement
    (2 bytes), Cyrillic (2 bytes), CJK (3 bytes) or emoji (4 bytes), separated by spaces and
    punctuation. Cut at a code point boundary just under \a size bytes.
*/
QByteArray mixedText(qsizetype size)
{
    std::mt19937 random(7);
    auto pick = [&random](char32_t first, char32_t count) { return char32_t(first + random() % count); };
    QString text;
    while (text.size() < size) { // QString length bounds the UTF-8 size from below
        const unsigned script = random() % 100;
        const int letters = 2 + int(random() % 7);
        for (int i = 0; i < letters; ++i) {
            char32_t c;
            if (script < 50)
                c = pick(U'a', 26);
            else if (script < 65)
                c = pick(U'\u00e0', 0x20); // à..ÿ
            else if (script < 80)
                c = pick(U'\u0430', 0x20); // а..я
            else if (script < 92)
                c = pick(U'\u4e00', 0x5000); // CJK unified ideographs
            else
                c = pick(U'\U0001F600', 0x50); // emoticons
            text.append(QStringView(QChar::fromUcs4(c)));
        }
        text.append(random() % 8 == 0 ? QStringLiteral(". ") : QStringLiteral(" "));
    }
    QByteArray utf8 = text.toUtf8();
    qsizetype cut = size;
    while ((uchar(utf8[cut]) & 0xC0) == 0x80)
        --cut;
    utf8.truncate(cut);
    return utf8;
}

template<typename Validate>
void runValidator(benchmark::State &state, const QByteArray &text, Validate validate)
{
    if (!validate(text)) {
        state.SkipWithError("test text is not valid UTF-8");
        return;
    }
    for (auto _ : state) {
        bool valid = validate(text);
        benchmark::DoNotOptimize(valid);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * text.size());
}

bool oursValid(const QByteArray &text)
{
    return Utf8Validator::isValid(text);
}

bool qtValid(const QByteArray &text)
{
    return QByteArrayView(text).isValidUtf8();
}

void BM_Utf8Ascii(benchmark::State &state)
{
    runValidator(state, asciiText(BufferSize), oursValid);
}
BENCHMARK(BM_Utf8Ascii);

void BM_Utf8AsciiQt(benchmark::State &state)
{
    runValidator(state, asciiText(BufferSize), qtValid);
}
BENCHMARK(BM_Utf8AsciiQt);

void BM_Utf8Mixed(benchmark::State &state)
{
    runValidator(state, mixedText(BufferSize), oursValid);
}
BENCHMARK(BM_Utf8Mixed);

void BM_Utf8MixedQt(benchmark::State &state)
{
    runValidator(state, mixedText(BufferSize), qtValid);
}
BENCHMARK(BM_Utf8MixedQt);

// --- frame decoding -------------------------------------------------------------------------------

// \a count back-to-back frames of \a payloadSize bytes, as a server (unmasked) or a client (masked) sends
// them.
QByteArray frameStream(int count, qsizetype payloadSize, Opcode opcode, bool masked)
{
    const QByteArray payload
        = opcode == Opcode::Text ? asciiText(payloadSize) : pseudoRandomBytes(payloadSize);
    FrameHeader header;
    header.opcode = opcode;
    header.masked = masked;
    header.maskKey = Key;
    QByteArray stream;
    for (int i = 0; i < count; ++i)
        appendFrame(stream, header, payload);
    return stream;
}

// Decodes every frame of \a stream in place; returns the number of frames (or -1 on a failure).
qint64 parseAll(FrameParser &parser, QByteArray &stream)
{
    char *data = stream.data();
    const qsizetype size = stream.size();
    qsizetype offset = 0;
    qint64 frames = 0;
    while (offset < size) {
        qsizetype used;
        if (parser.parse(data + offset, size - offset, &used) != FrameParser::Status::Frame)
            return -1;
        benchmark::DoNotOptimize(parser.payload().data());
        offset += used;
        ++frames;
    }
    return frames;
}

void BM_Parse16(benchmark::State &state)
{
    constexpr int Frames = 64 * 1024; // 1.1 MiB of 18-byte frames
    QByteArray stream = frameStream(Frames, 16, Opcode::Binary, false);
    FrameParser parser;
    for (auto _ : state) {
        if (parseAll(parser, stream) != Frames) {
            state.SkipWithError("parse failed");
            return;
        }
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * Frames);
    state.SetBytesProcessed(state.iterations() * stream.size());
}
BENCHMARK(BM_Parse16);

// The frames of BM_Parse16 as text messages through the whole receive path: frame checks,
// message assembly with UTF-8 validation, one QByteArray per message handed to the sink.
class CountingSink : public FrameSink
{
public:
    qint64 messages = 0;
    void messageReceived(Opcode, QByteArray &&message) override
    {
        benchmark::DoNotOptimize(message.constData());
        ++messages;
    }
    void pingReceived(QByteArrayView) override { }
    void pongReceived(QByteArrayView) override { }
    void closeReceived(quint16, const QString &) override { }
};

void BM_Reader16(benchmark::State &state)
{
    constexpr int Frames = 64 * 1024;
    QByteArray stream = frameStream(Frames, 16, Opcode::Text, false);
    ProtocolReader reader;
    CountingSink sink;
    for (auto _ : state) {
        if (reader.feed(stream.data(), stream.size(), sink) != stream.size()) {
            state.SkipWithError("reader stopped");
            return;
        }
        benchmark::ClobberMemory();
    }
    if (sink.messages != state.iterations() * Frames)
        state.SkipWithError("messages lost");
    state.SetItemsProcessed(state.iterations() * Frames);
    state.SetBytesProcessed(state.iterations() * stream.size());
}
BENCHMARK(BM_Reader16);

// 64 KiB masked frames decoded as a server would: header checks plus unmasking in place.
// Every pass toggles the payloads between masked and clear, which does not matter to Binary frames.
void BM_Parse64k(benchmark::State &state)
{
    constexpr int Frames = 16; // 1 MiB
    QByteArray stream = frameStream(Frames, BufferSize, Opcode::Binary, true);
    FrameParser::Config config;
    config.expectMasked = true;
    FrameParser parser(config);
    for (auto _ : state) {
        if (parseAll(parser, stream) != Frames) {
            state.SkipWithError("parse failed");
            return;
        }
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * Frames);
    state.SetBytesProcessed(state.iterations() * Frames * BufferSize);
}
BENCHMARK(BM_Parse64k);

// --- sending ----------------------------------------------------------------------------------------

// The send side of the core from memory: MessageWriter (mask key, header, masked copy) into a buffer,
// as the scheduler's held buffer receives small frames.
struct BufferOutput final : FrameOutput
{
    QByteArray bytes;
    void writeFrame(const FrameHeader &header, QByteArrayView payload) override { appendFrame(bytes, header, payload); }
    void writeBytes(QByteArrayView data) override { bytes.append(data); }
};

void BM_Writer64(benchmark::State &state)
{
    MessageWriter writer;
    BufferOutput out;
    out.bytes.reserve(1 << 20);
    const QByteArray payload = pseudoRandomBytes(64);
    for (auto _ : state) {
        writer.writeMessage(Opcode::Binary, payload, out);
        if (out.bytes.size() > (1 << 19))
            out.bytes.resize(0);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Writer64);

struct NoWakeup final : Transport::WriteScheduler::Wakeup
{
    void postFlush() override { }
    bool wantsWrittenReports() const override { return false; }
};
struct NoListener final : Transport::DeviceAdapter::Listener
{
    void deviceReadyRead() override { }
    void deviceBytesWritten(qint64) override { }
    void deviceEnded() override { }
};

// MessageWriter + WriteScheduler to the kernel: 64 frames of 64 bytes per pass (held, then one
// send(2)), over loopback to a peer that a thread drains.
void BM_Scheduler64(benchmark::State &state)
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    QTcpSocket client;
    client.setProxy(QNetworkProxy::NoProxy);
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    if (!client.waitForConnected(5000) || !server.waitForNewConnection(5000)) {
        state.SkipWithError("no loopback connection");
        return;
    }
    QTcpSocket *peer = server.nextPendingConnection();
    const int fd = int(peer->socketDescriptor());
    std::atomic<bool> stop { false };
    std::thread drain([&] {
        char sink[1 << 16];
        while (!stop)
            ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
    });
    Transport::DeviceAdapter device;
    NoListener listener;
    QObject context;
    device.attach(&client, false, &context, &listener);
    NoWakeup wakeup;
    Transport::WriteScheduler scheduler(device, &context, &wakeup);
    MessageWriter writer;
    const QByteArray payload = pseudoRandomBytes(64);
    for (auto _ : state) {
        scheduler.beginDispatch();
        for (int i = 0; i < 64; ++i)
            writer.writeMessage(Opcode::Binary, payload, scheduler);
        scheduler.endDispatch();
        scheduler.flushPosted();
        scheduler.takeDirectlyWritten();
        if (client.bytesToWrite() > (1 << 20))
            client.waitForBytesWritten(100);
    }
    state.SetItemsProcessed(state.iterations() * 64);
    stop = true;
    drain.join();
}
BENCHMARK(BM_Scheduler64);

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv); // for the sockets of BM_Scheduler64
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

