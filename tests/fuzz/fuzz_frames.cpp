// libFuzzer target for the receive side: ProtocolReader (FrameParser + MessageAssembler + Close
// decoding) fed a byte stream in pieces, with the reader's options taken from the input.
//
// Input layout:
//   byte 0   flags: bit 0 validateUtf8, bit 1 fireContinuationFrames, bit 2 tapFrames,
//            bit 3 read large payloads through directTarget()/commitDirect() as the socket does,
//            bits 4-6 allowedRsv, bit 7 expectMasked (the server-side direction)
//   byte 1   low nibble: maxFrameSize, high nibble: maxMessageSize (indexes into kLimits)
//   byte 2   stop after this many sink events (FrameSink::wantsMore() turns false); 0 = never
//   byte 3   number N (0-15) of piece-size bytes; 0 feeds the whole stream at once
//   N bytes  piece sizes, used in a cycle: byte v gives a piece of v + 1 bytes
//   rest     the byte stream from the server
//
// Checked for every input: the reader never consumes more than it was given, and less only when
// it stopped; once stopped it consumes nothing; every frame, message and Close it delivers obeys
// the configured rules; delivered text is valid UTF-8 when validation is on; and the outcome does
// not depend on how the stream was cut into pieces. Utf8Validator is also checked directly against
// a reference decoder, fed in the same pieces, on the stream and on every delivered payload,
// including the piece in which it fails.

#include "fuzzsupport.h"

#include "protocol/closepayload.h"
#include "protocol/protocolreader.h"
#include "protocol/utf8validator.h"

#include <WsClient/frame.h>

#include <QtCore/qstring.h>

#include <string>
#include <vector>

using namespace WsClient;
using namespace WsClient::Protocol;
using WsClient::Fuzz::Chunker;
using WsClient::Fuzz::InputReader;

namespace {

constexpr quint64 kLimits[16]
    = { 0, 1, 2, 16, 125, 126, 127, 1000, 65535, 65536, 65537, 1 << 20, 4 << 20, 1 << 10, 1 << 14, 64 << 20 };

// Reference UTF-8 check (RFC 3629 §4, written per code point, independent of the validator's
// DFA): the index of the first byte at which data stops being the start of valid UTF-8, or size
// when there is none; *open tells whether data ends inside a sequence.
size_t firstInvalidUtf8(const uchar *data, size_t size, bool *open)
{
    *open = false;
    size_t i = 0;
    while (i < size) {
        const uchar lead = data[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        size_t length = 0;
        uchar low = 0x80, high = 0xBF; // allowed range of the second byte
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            low = lead == 0xE0 ? 0xA0 : 0x80; // no overlongs
            high = lead == 0xED ? 0x9F : 0xBF; // no surrogates
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            low = lead == 0xF0 ? 0x90 : 0x80; // no overlongs
            high = lead == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
        } else {
            return i;
        }
        for (size_t k = 1; k < length; ++k) {
            if (i + k == size) {
                *open = true;
                return size;
            }
            const uchar next = data[i + k];
            const bool ok = k == 1 ? next >= low && next <= high : next >= 0x80 && next <= 0xBF;
            if (!ok)
                return i + k;
        }
        i += length;
    }
    return size;
}

bool isCompleteUtf8(const std::string &text)
{
    bool open;
    return firstInvalidUtf8(reinterpret_cast<const uchar *>(text.data()), text.size(), &open) == text.size()
        && !open;
}

struct Options
{
    ProtocolReader::Config config;
    bool direct = false;
    size_t stopAfter = 0;
};

Options decodeOptions(InputReader &in)
{
    const uint8_t flags = in.byte();
    const uint8_t limits = in.byte();
    Options o;
    o.config.messages.validateUtf8 = flags & 0x01;
    o.config.messages.fireContinuationFrames = flags & 0x02;
    o.config.tapFrames = flags & 0x04;
    o.direct = flags & 0x08;
    o.config.frames.allowedRsv = (flags >> 4) & 0x7;
    o.config.frames.expectMasked = flags & 0x80;
    o.config.frames.maxFrameSize = kLimits[limits & 0xF];
    o.config.messages.maxMessageSize = kLimits[limits >> 4];
    o.stopAfter = in.byte();
    return o;
}

struct Event
{
    char kind; // F frame (tap), M message, G fragment, P ping, O pong, C close
    quint8 opcode = 0;
    bool fin = false;
    quint8 rsv = 0;
    quint16 code = 0;
    std::string bytes;

    bool operator==(const Event &o) const
    {
        return kind == o.kind && opcode == o.opcode && fin == o.fin && rsv == o.rsv && code == o.code
            && bytes == o.bytes;
    }
};

std::string toStd(QByteArrayView bytes)
{
    return std::string(bytes.data(), size_t(bytes.size()));
}

bool isDefinedOpcode(Opcode opcode)
{
    switch (opcode) {
    case Opcode::Continuation:
    case Opcode::Text:
    case Opcode::Binary:
    case Opcode::Close:
    case Opcode::Ping:
    case Opcode::Pong:
        return true;
    }
    return false;
}

// Records everything and checks each event against the rules the reader promises.
class RecordingSink : public FrameSink
{
public:
    explicit RecordingSink(const Options &options) : m_options(options) { }

    std::vector<Event> events;
    size_t deliveredBytes = 0; // payload bytes handed out (frame taps excluded: they repeat them)

    void frameReceived(const FrameHeader &header, QByteArrayView payload) override
    {
        const FrameParser::Config &frames = m_options.config.frames;
        FUZZ_CHECK(m_options.config.tapFrames);
        FUZZ_CHECK(isDefinedOpcode(header.opcode));
        FUZZ_CHECK((header.rsv & ~frames.allowedRsv) == 0);
        FUZZ_CHECK(header.masked == frames.expectMasked);
        FUZZ_CHECK(quint64(payload.size()) == header.payloadLength);
        FUZZ_CHECK(header.payloadLength <= frames.maxFrameSize);
        if (header.isControl())
            FUZZ_CHECK(header.fin && payload.size() <= 125);
        events.push_back({ 'F', quint8(header.opcode), header.fin, header.rsv, 0, toStd(payload) });
    }

    void messageReceived(Opcode opcode, QByteArray &&message) override
    {
        FUZZ_CHECK(!m_options.config.messages.fireContinuationFrames);
        FUZZ_CHECK(opcode == Opcode::Text || opcode == Opcode::Binary);
        FUZZ_CHECK(quint64(message.size()) <= m_options.config.messages.maxMessageSize);
        std::string bytes = toStd(message);
        if (opcode == Opcode::Text && m_options.config.messages.validateUtf8)
            FUZZ_CHECK(isCompleteUtf8(bytes));
        deliveredBytes += bytes.size();
        events.push_back({ 'M', quint8(opcode), true, 0, 0, std::move(bytes) });
    }

    void fragmentReceived(Opcode opcode, QByteArray &&data, bool fin) override
    {
        FUZZ_CHECK(m_options.config.messages.fireContinuationFrames);
        if (m_fragmentOpcode == Opcode::Continuation) {
            FUZZ_CHECK(opcode == Opcode::Text || opcode == Opcode::Binary);
            m_fragmentOpcode = opcode;
            m_fragmentText.clear();
        } else {
            FUZZ_CHECK(opcode == Opcode::Continuation);
        }
        std::string bytes = toStd(data);
        if (m_fragmentOpcode == Opcode::Text && m_options.config.messages.validateUtf8) {
            // Each fragment is checked as it arrives: what came so far must be a valid start.
            m_fragmentText += bytes;
            bool open;
            const size_t bad = firstInvalidUtf8(
                reinterpret_cast<const uchar *>(m_fragmentText.data()), m_fragmentText.size(), &open);
            FUZZ_CHECK(bad == m_fragmentText.size());
            if (fin)
                FUZZ_CHECK(!open);
        }
        if (fin)
            m_fragmentOpcode = Opcode::Continuation;
        deliveredBytes += bytes.size();
        events.push_back({ 'G', quint8(opcode), fin, 0, 0, std::move(bytes) });
    }

    void pingReceived(QByteArrayView payload) override { controlFrame('P', payload); }
    void pongReceived(QByteArrayView payload) override { controlFrame('O', payload); }

    void closeReceived(quint16 code, const QString &reason) override
    {
        FUZZ_CHECK(code == quint16(CloseCode::NoStatus) || isValidCloseCode(code));
        const QByteArray utf8 = reason.toUtf8();
        if (code == quint16(CloseCode::NoStatus))
            FUZZ_CHECK(reason.isEmpty());
        if (m_options.config.messages.validateUtf8) {
            // Unvalidated reasons may grow in the QString round trip (U+FFFD for each bad byte).
            FUZZ_CHECK(utf8.size() <= MaxCloseReasonBytes);
            deliveredBytes += size_t(utf8.size());
        }
        events.push_back({ 'C', quint8(Opcode::Close), true, 0, code, toStd(utf8) });
    }

    bool wantsMore() const override
    {
        return m_options.stopAfter == 0 || events.size() < m_options.stopAfter;
    }

private:
    void controlFrame(char kind, QByteArrayView payload)
    {
        FUZZ_CHECK(payload.size() <= 125);
        deliveredBytes += size_t(payload.size());
        events.push_back({ kind, 0, true, 0, 0, toStd(payload) });
    }

    const Options &m_options;
    Opcode m_fragmentOpcode = Opcode::Continuation;
    std::string m_fragmentText;
};

struct Outcome
{
    std::vector<Event> events;
    bool failed = false;
    bool closed = false;
    Error error = Error::NoError;
    CloseCode closeCode = CloseCode::Normal;
    QString message;
};

void checkFailure(const Failure &failure)
{
    switch (failure.error) {
    case Error::Protocol:
        FUZZ_CHECK(failure.closeCode == CloseCode::ProtocolError);
        break;
    case Error::Payload:
        FUZZ_CHECK(failure.closeCode == CloseCode::InvalidPayload);
        break;
    case Error::MessageTooBig:
        FUZZ_CHECK(failure.closeCode == CloseCode::MessageTooBig);
        break;
    default:
        FUZZ_CHECK(false && "unexpected error kind");
    }
    FUZZ_CHECK(!failure.message.isEmpty());
}

// Feeds \a stream (a private copy: masked payloads are unmasked in place) the way a connection
// does: piece by piece, through directTarget() while a large payload is being gathered if asked.
Outcome run(const Options &options, std::string stream, const uint8_t *sizes, size_t sizeCount, bool direct)
{
    ProtocolReader reader(options.config);
    RecordingSink sink(options);
    Chunker chunker(sizes, sizeCount, stream.size());
    size_t offset = 0;
    bool stopped = false;
    while (!chunker.done() && !stopped) {
        const size_t pieceEnd = offset + chunker.next();
        while (offset < pieceEnd && !stopped) {
            const auto left = qsizetype(pieceEnd - offset);
            qsizetype room = 0;
            char *target = direct ? reader.directTarget(&room) : nullptr;
            if (target) {
                FUZZ_CHECK(room > 0);
                const qsizetype n = qMin(room, left);
                std::memcpy(target, stream.data() + offset, size_t(n));
                reader.commitDirect(n, sink);
                offset += size_t(n);
            } else {
                FUZZ_CHECK(room == 0);
                const qsizetype used = reader.feed(stream.data() + offset, left, sink);
                FUZZ_CHECK(used >= 0 && used <= left);
                if (used < left)
                    FUZZ_CHECK(reader.hasFailed() || reader.closeReceived() || !sink.wantsMore());
                offset += size_t(used);
            }
            stopped = reader.hasFailed() || reader.closeReceived() || !sink.wantsMore();
        }
    }
    FUZZ_CHECK(offset <= stream.size());
    FUZZ_CHECK(sink.deliveredBytes <= offset);
    FUZZ_CHECK(!(reader.hasFailed() && reader.closeReceived()));

    if (reader.hasFailed() || reader.closeReceived()) {
        // Nothing more is taken after a failure or a Close (RFC 6455 §5.5.1).
        const size_t eventsBefore = sink.events.size();
        std::string more = "\x81\x02hi\x89\x00";
        FUZZ_CHECK(reader.feed(more.data(), qsizetype(more.size()), sink) == 0);
        qsizetype room = -1;
        FUZZ_CHECK(reader.directTarget(&room) == nullptr && room == 0);
        FUZZ_CHECK(sink.events.size() == eventsBefore);
    }
    if (reader.hasFailed())
        checkFailure(reader.failure());

    Outcome outcome;
    outcome.events = std::move(sink.events);
    outcome.failed = reader.hasFailed();
    outcome.closed = reader.closeReceived();
    outcome.error = reader.failure().error;
    outcome.closeCode = reader.failure().closeCode;
    outcome.message = reader.failure().message;
    return outcome;
}

// Utf8Validator fed the same pieces must fail exactly in the piece holding the first bad byte.
void checkUtf8Validator(const std::string &stream, const uint8_t *sizes, size_t sizeCount)
{
    const auto bytes = reinterpret_cast<const uchar *>(stream.data());
    bool open;
    const size_t bad = firstInvalidUtf8(bytes, stream.size(), &open);
    const bool valid = bad == stream.size();

    Utf8Validator validator;
    Chunker chunker(sizes, sizeCount, stream.size());
    size_t offset = 0;
    while (!chunker.done()) {
        const size_t n = chunker.next();
        const bool accepted = validator.feed(stream.data() + offset, qsizetype(n));
        offset += n;
        FUZZ_CHECK(accepted == (valid || bad >= offset));
    }
    FUZZ_CHECK(validator.hasFailed() == !valid);
    FUZZ_CHECK(validator.isComplete() == (valid && !open));
    FUZZ_CHECK(
        Utf8Validator::isValid(QByteArrayView(stream.data(), qsizetype(stream.size()))) == (valid && !open));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    InputReader in(data, size);
    const Options options = decodeOptions(in);
    size_t sizeCount;
    const uint8_t *sizes = in.take(in.byte() & 0xF, &sizeCount);
    const std::string stream(reinterpret_cast<const char *>(in.rest()), in.remaining());

    const Outcome pieces = run(options, stream, sizes, sizeCount, options.direct);
    const Outcome whole = run(options, stream, nullptr, 0, false);
    // How the bytes were cut must not change what the reader reports.
    FUZZ_CHECK(pieces.events == whole.events);
    FUZZ_CHECK(pieces.failed == whole.failed);
    FUZZ_CHECK(pieces.closed == whole.closed);
    FUZZ_CHECK(pieces.error == whole.error);
    FUZZ_CHECK(pieces.closeCode == whole.closeCode);
    FUZZ_CHECK(pieces.message == whole.message);

    // The validator against the reference, on the raw stream and on every payload handed out.
    checkUtf8Validator(stream, sizes, sizeCount);
    for (const Event &event : whole.events) {
        if (event.kind != 'F')
            checkUtf8Validator(event.bytes, sizes, sizeCount);
    }
    return 0;
}
