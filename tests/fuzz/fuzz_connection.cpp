// libFuzzer target for the whole client side of a connection: a ClientConnection driven by a
// byte stream from the "server" (a 101 answering the key the request really carried, or a mutated
// one, a bad status, a redirect; then frames built from the input or raw bytes) interleaved with
// API calls and the caller's deadlines, each chosen by input bytes.
//
// Input layout:
//   byte 0   reader: bit 0 validateUtf8, bit 1 fireContinuationFrames, bit 2 tapFrames, bit 3 feed
//            large payloads through directTarget()/commitDirect() as the socket does
//   byte 1   low nibble: maxFrameSize, high nibble: maxMessageSize (indexes into kLimits)
//   byte 2   permessage-deflate offer: bit 0 offered, bit 1 client_no_context_takeover, bit 2
//            server_no_context_takeover, bits 3-5 client_max_window_bits 8 + v, bit 6 minimumSize
//            100, bit 7 subprotocols "chat" and "superchat" offered
//   byte 3   bits 0-1 redirects followed, bits 2-3 redirect limit, bit 4 no redirect possible
//            (a user-supplied device), bits 5-7 fragmentSize (index into kFragmentSizes)
//   rest     steps (at most 512), each an operation byte (value % OpCount, the Op enum) and its
//            arguments; "pieces" is a piece size for feeding (0: all at once):
//     0 upgrade          flags (bit 0 wrong accept key, 1 Sec-WebSocket-Extensions, 2 a subprotocol,
//                        3 no Upgrade, 4 LF only, 5 no accept key, 6 one more line from the input,
//                        7 two frames after the head), extension/subprotocol choice, pieces
//     1 other status     template (redirects, bad statuses with and without bodies), body length, pieces
//     2 server frame     FIN|RSV|opcode, flags (bit 7 masked, bit 6 a large made-up payload whose
//                        16-bit length follows, bit 5 that length times 4), pieces, then length and bytes
//     3 server bytes     length, bytes, pieces
//     4 server close     code index (kCloseCodes; bit 7 a reason that is not UTF-8), reason length
//     5 compressed       flags (bits 0-1 frames, 2 binary, 4 repeat the message, 5 reset the window,
//                        6-7 pieces), length, bytes: deflated here with the agreed server window
//     6 send             opcode (bits 0-2) and flags (3 a 16-bit size follows, 4 doubled, 5
//                        compressible, 6 no refusal string), size
//     7 sendFrame        FIN|RSV|opcode, size (bit 7: a 16-bit size follows)
//     8 close            code index (bit 6 é, bit 7 € in the reason), reason length
//     9 abort, 11 closeTimedOut, 12 handshakeTimedOut, 14 bodyTimedOut
//    10 fail             kind (bit 7 é in the message), message length
//    13 transportClosed  undelivered: bits 2-7 kilobytes, bits 0-1 messages
//   After the last step the transport ends (transportClosed), and the state must be Closed.
//
// Checked after every step and at every event: the state only moves along the transition table
// (Connecting -> Open/Closed, Open -> Closing/Closed, Closing -> Closed); failed() at most once and
// exactly when failure() is set; opened() once, redirected() at most once and only Closed; no
// sink event and no output once a call has returned with the state Closed; the request is written
// once, in Connecting; no frame follows a Close in the output and frames are only written while
// Open; every frame is masked and parses with FrameParser(expectMasked), control frames FIN and
// <= 125 bytes (raw sendFrame() frames only have to be what was asked for); each event writes
// exactly what the rules say (a Pong with the Ping's payload unless a Close went out, the echo of a
// Close with its code, a failure's Close with its code and the reason cut to 123 bytes of UTF-8,
// nothing otherwise); closeTransport() only in Closing; each send writes its message as frames no
// larger than fragmentSize, the opcode first and continuations after, FIN on the last, RSV1 on the
// first of a compressed one, which inflates back (with a fresh inflater under
// client_no_context_takeover), returns the wire bytes, or is refused with a reason and writes
// nothing; closeCode() is 0 before open and afterwards a code valid on the wire, 1005 or 1006; the
// facts (closeSent, closeReceived, closedByServer, wasOpen, awaitingBody, wantsData) agree with
// what was seen. Built with ASan and UBSan: no crash, no leak, no undefined behaviour.

#include "fuzzsupport.h"

#include "protocol/clientconnection.h"
#include "protocol/closepayload.h"
#include "protocol/deflatecodec.h"
#include "protocol/frameparser.h"
#include "protocol/framewriter.h"
#include "protocol/handshakerequest.h"
#include "protocol/utf8validator.h"

#include <WsClient/compression.h>
#include <WsClient/frame.h>
#include <WsClient/url.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qstring.h>
#include <QtCore/qurl.h>

#include <iterator>
#include <memory>
#include <vector>

using namespace WsClient;
using namespace WsClient::Protocol;
using WsClient::Fuzz::InputReader;
using State = ClientConnection::State;

namespace {

constexpr quint64 kLimits[16]
    = { 0, 1, 2, 16, 125, 126, 1000, 4096, 65535, 65536, 65537, 1 << 20, 4 << 20, 16 << 20, 64 << 20, 64 << 20 };
constexpr qint64 kFragmentSizes[8] = { 0, 0, 1, 3, 16, 125, 126, 65536 };
constexpr quint16 kCloseCodes[24] = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
    3000, 4999, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 0, 65535 };
// Bytes sent by send calls, and frames they may take, all told: keeps one input from compressing
// megabytes or writing a megabyte in 1-byte fragments.
constexpr qint64 kSendBudget = 256 * 1024;
constexpr qint64 kFrameBudget = 4096;

// Allowed[from][to], as documented in clientconnection.h.
constexpr bool kAllowed[4][4] = {
    { true, true, false, true },
    { false, true, true, true },
    { false, false, true, true },
    { false, false, false, true },
};

enum Op : uint8_t {
    OpUpgrade, // the 101 (or a mutation of it), built with the real key
    OpOtherStatus, // a redirect or a bad status, with or without a body
    OpServerFrame, // one frame built from the input
    OpServerBytes, // raw bytes
    OpServerClose, // a Close with a code from kCloseCodes and a reason
    OpServerCompressed, // a compressed message (deflated here), in one to three frames
    OpSend,
    OpSendFrame,
    OpClose,
    OpAbort,
    OpFail,
    OpCloseTimedOut,
    OpHandshakeTimedOut,
    OpTransportClosed,
    OpBodyTimedOut,
    OpCount
};

struct Written
{
    FrameHeader header; // as handed to the output
    QByteArray payload; // as handed to the output, unmasked
    bool parsed = false;
    FrameHeader parsedHeader;
    QByteArray parsedPayload;
    qsizetype wireSize = 0;
};

// WSCLIENT_FUZZ_TRACE=1 prints each step and event to stderr (to read what an input does).
const bool kTrace = std::getenv("WSCLIENT_FUZZ_TRACE") != nullptr;

const char *const kOpNames[OpCount] = { "upgrade", "other status", "server frame", "server bytes",
    "server close", "server compressed", "send", "sendFrame", "close", "abort", "fail", "closeTimedOut",
    "handshakeTimedOut", "transportClosed", "bodyTimedOut" };

bool isCompleteUtf8(QByteArrayView bytes)
{
    return Utf8Validator::isValid(bytes);
}

QByteArray pattern(qsizetype size, uint8_t seed, bool compressible)
{
    QByteArray data(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = compressible ? char('a' + (i / 7 + seed) % 5) : char(seed + i * 31 + (i >> 5));
    return data;
}

class Harness final : public ConnectionSink, public FrameOutput
{
public:
    Harness(const uint8_t *data, size_t size) : in(data, size) { }

    InputReader in;
    ClientConnection::Config config;
    std::unique_ptr<ClientConnection> conn;
    bool direct = false;

    // What came out.
    std::vector<Written> frames;
    size_t checkpoint = 0; // frames before the current event or call
    bool closeWrittenAtCheckpoint = false;
    bool closeWritten = false;
    bool inRawSend = false;
    QByteArray request;
    int requestWrites = 0;
    int failures = 0;
    int opens = 0;
    int redirects = 0;
    int closeEvents = 0;
    bool closedSeen = false;
    char lastEvent = 0;
    qint64 sendBudget = kSendBudget;
    qint64 frameBudget = kFrameBudget;
    // The server's side of permessage-deflate, once agreed.
    std::unique_ptr<Deflater> serverDeflater;
    std::unique_ptr<Inflater> clientInflater; // mirrors the client's deflater with context takeover

    void run();

    // --- FrameOutput ------------------------------------------------------------------------
    void writeFrame(const FrameHeader &header, QByteArrayView payload) override
    {
        FUZZ_CHECK(!closedSeen);
        FUZZ_CHECK(conn->state() == State::Open); // Pongs, sends, echoes and failures: all while Open
        FUZZ_CHECK(!closeWritten); // nothing follows a Close
        FUZZ_CHECK(header.masked);
        FUZZ_CHECK(header.payloadLength == quint64(payload.size()));
        Written w;
        w.header = header;
        w.payload = payload.toByteArray();
        QByteArray bytes;
        appendFrame(bytes, header, payload);
        w.wireSize = bytes.size();
        FrameParser::Config pc;
        pc.expectMasked = true;
        pc.allowedRsv = Rsv1 | Rsv2 | Rsv3;
        pc.maxFrameSize = quint64(1) << 40;
        FrameParser parser(pc);
        qsizetype used = 0;
        if (parser.parse(bytes.data(), bytes.size(), &used) == FrameParser::Status::Frame && used == bytes.size()) {
            w.parsed = true;
            w.parsedHeader = parser.header();
            w.parsedPayload = parser.payload().toByteArray();
            FUZZ_CHECK(w.parsedHeader.masked);
            FUZZ_CHECK(w.parsedHeader.maskKey == header.maskKey);
            FUZZ_CHECK(w.parsedPayload == w.payload);
            FUZZ_CHECK(w.parsedHeader.fin == header.fin && w.parsedHeader.opcode == header.opcode
                && w.parsedHeader.rsv == (header.rsv & 7));
        }
        if (!inRawSend) {
            // The connection's own frames are all well formed.
            FUZZ_CHECK(w.parsed);
            if (header.isControl())
                FUZZ_CHECK(header.fin && payload.size() <= 125);
        }
        if (header.opcode == Opcode::Close)
            closeWritten = true;
        frames.push_back(std::move(w));
    }
    void writeBytes(QByteArrayView bytes) override
    {
        FUZZ_CHECK(!closedSeen);
        FUZZ_CHECK(conn->state() == State::Connecting);
        FUZZ_CHECK(requestWrites == 0);
        FUZZ_CHECK(frames.empty());
        ++requestWrites;
        request = bytes.toByteArray();
        FUZZ_CHECK(request.endsWith("\r\n\r\n"));
    }

    // --- ConnectionSink ---------------------------------------------------------------------
    void opened() override
    {
        event('o');
        FUZZ_CHECK(conn->state() == State::Open);
        FUZZ_CHECK(opens == 0 && failures == 0 && redirects == 0);
        ++opens;
        nothingWritten();
        const CompressionOptions &agreed = conn->handshake().compression();
        if (agreed.isEnabled()) {
            const int serverBits = qMax(9, agreed.serverMaxWindowBits());
            serverDeflater = std::make_unique<Deflater>(serverBits, -1, 8);
            clientInflater = std::make_unique<Inflater>(15);
        }
        done();
    }
    void redirected(const QUrl &url) override
    {
        event('r');
        FUZZ_CHECK(conn->state() == State::Closed);
        FUZZ_CHECK(redirects == 0 && failures == 0 && opens == 0);
        FUZZ_CHECK(!conn->failure().isFailure());
        FUZZ_CHECK(url.isValid());
        FUZZ_CHECK(url.scheme() == QLatin1String("ws") || url.scheme() == QLatin1String("wss"));
        ++redirects;
        nothingWritten();
        done();
    }
    void authenticationRequired(const AuthVerdict &) override
    {
        // The harness gives the handshake no AuthSession, so a 401 is a bad status like any other.
        FUZZ_CHECK(false);
    }
    void failed(const Failure &failure) override
    {
        event('f');
        FUZZ_CHECK(failures == 0);
        ++failures;
        FUZZ_CHECK(failure.isFailure());
        FUZZ_CHECK(!failure.message.isEmpty());
        FUZZ_CHECK(conn->failure().error == failure.error);
        const State s = conn->state();
        FUZZ_CHECK(s == State::Closing || s == State::Closed);
        if (s == State::Closed) {
            nothingWritten();
        } else if (closeWrittenAtCheckpoint) {
            nothingWritten();
        } else {
            // §7.1.7: a Close with the failure's code and its message cut to 123 bytes of UTF-8.
            FUZZ_CHECK(frames.size() == checkpoint + 1);
            const Written &w = frames.back();
            FUZZ_CHECK(w.header.opcode == Opcode::Close);
            FUZZ_CHECK(isValidCloseCode(int(failure.closeCode)));
            FUZZ_CHECK(w.payload.size() >= 2 && w.payload.size() <= 125);
            FUZZ_CHECK(((uchar(w.payload[0]) << 8) | uchar(w.payload[1])) == int(failure.closeCode));
            const QByteArray reason = w.payload.sliced(2);
            FUZZ_CHECK(isCompleteUtf8(reason));
            FUZZ_CHECK(reason == truncateUtf8(failure.message.toUtf8(), MaxCloseReasonBytes).toByteArray());
        }
        done();
    }
    void closeTransport() override
    {
        const char previous = lastEvent;
        event('t');
        FUZZ_CHECK(conn->state() == State::Closing);
        FUZZ_CHECK(previous == 'f' || previous == 'c'); // right after the failure or the server's Close
        nothingWritten();
        done();
    }
    void frameReceived(const FrameHeader &header, QByteArrayView payload) override
    {
        event('F');
        FUZZ_CHECK(config.reader.tapFrames);
        FUZZ_CHECK(!header.masked);
        FUZZ_CHECK(quint64(payload.size()) == header.payloadLength);
        receivingState();
        nothingWritten();
        done();
    }
    void messageReceived(Opcode opcode, QByteArray &&message) override
    {
        event('m');
        FUZZ_CHECK(!config.reader.messages.fireContinuationFrames);
        FUZZ_CHECK(opcode == Opcode::Text || opcode == Opcode::Binary);
        if (opcode == Opcode::Text && config.reader.messages.validateUtf8)
            FUZZ_CHECK(isCompleteUtf8(message));
        receivingState();
        nothingWritten();
        done();
    }
    void fragmentReceived(Opcode, QByteArray &&, bool) override
    {
        event('g');
        FUZZ_CHECK(config.reader.messages.fireContinuationFrames);
        receivingState();
        nothingWritten();
        done();
    }
    void pingReceived(QByteArrayView payload) override
    {
        event('p');
        FUZZ_CHECK(payload.size() <= 125);
        receivingState();
        if (closeWrittenAtCheckpoint) {
            nothingWritten(); // §5.5.1: no Pong after a Close
        } else {
            FUZZ_CHECK(frames.size() == checkpoint + 1);
            const Written &w = frames.back();
            FUZZ_CHECK(w.header.opcode == Opcode::Pong && w.header.fin && w.header.rsv == 0);
            FUZZ_CHECK(w.payload == payload);
        }
        done();
    }
    void pongReceived(QByteArrayView payload) override
    {
        event('P');
        FUZZ_CHECK(payload.size() <= 125);
        receivingState();
        nothingWritten();
        done();
    }
    void closeReceived(quint16 code, const QString &reason) override
    {
        event('c');
        FUZZ_CHECK(code == quint16(CloseCode::NoStatus) || isValidCloseCode(code));
        FUZZ_CHECK(closeEvents == 0);
        ++closeEvents;
        FUZZ_CHECK(conn->state() == State::Closing);
        FUZZ_CHECK(conn->closeCode() == code && conn->closeReason() == reason);
        if (closeWrittenAtCheckpoint) {
            nothingWritten();
        } else {
            // The echo: the same code, no reason; none at all for a Close without one.
            FUZZ_CHECK(frames.size() == checkpoint + 1);
            const Written &w = frames.back();
            FUZZ_CHECK(w.header.opcode == Opcode::Close);
            FUZZ_CHECK(w.payload == encodeClosePayload(code));
            FUZZ_CHECK(conn->closedByServer());
        }
        done();
    }

private:
    void event(char kind)
    {
        if (kTrace)
            std::fprintf(stderr, "  event %c (state %s, %zu frames written)\n", kind,
                ClientConnection::stateName(conn->state()), frames.size());
        FUZZ_CHECK(!closedSeen); // nothing after Closed
        lastEvent = kind;
        observe();
    }
    // The server's traffic reaches the sink only while it is wanted.
    void receivingState()
    {
        FUZZ_CHECK(opens == 1);
        FUZZ_CHECK(conn->state() == State::Open || conn->state() == State::Closing);
        FUZZ_CHECK(closeEvents == 0 && failures == 0);
    }
    void nothingWritten() { FUZZ_CHECK(frames.size() == checkpoint); }

public:
    // The state seen at every event and after every call moves along the table only (one call
    // may pass through several states: a 101 with a bad frame behind it opens and fails).
    State observed = State::Connecting;
    void observe()
    {
        const State now = conn->state();
        FUZZ_CHECK(kAllowed[int(observed)][int(now)]);
        observed = now;
    }

private:
    void done()
    {
        checkpoint = frames.size();
        closeWrittenAtCheckpoint = closeWritten;
    }

    // --- Steps -------------------------------------------------------------------------------
public:
    void configure();
    void step();
    void after();
    void feed(QByteArray bytes, uint8_t pieceSize);
    void upgrade();
    void otherStatus();
    void serverFrame();
    void serverBytes();
    void serverClose();
    void serverCompressed();
    void send();
    void sendFrame();
    void close();
    void fail();
    void transportClosed();
    qint64 writtenSince(size_t from) const
    {
        qint64 n = 0;
        for (size_t i = from; i < frames.size(); ++i)
            n += frames[i].wireSize;
        return n;
    }
    QByteArray requestKey() const
    {
        for (const QByteArray &line : request.split('\n')) {
            if (line.startsWith("Sec-WebSocket-Key:"))
                return line.mid(18).trimmed();
        }
        return {};
    }
};

void Harness::configure()
{
    const uint8_t reader = in.byte();
    const uint8_t limits = in.byte();
    const uint8_t deflate = in.byte();
    const uint8_t misc = in.byte();
    config.handshake.request.url = parseUrl(QStringLiteral("ws://example.com/chat?room=1"));
    config.handshake.url = QUrl(QStringLiteral("ws://example.com/chat?room=1"));
    config.reader.messages.validateUtf8 = reader & 0x01;
    config.reader.messages.fireContinuationFrames = reader & 0x02;
    config.reader.tapFrames = reader & 0x04;
    direct = reader & 0x08;
    config.reader.frames.maxFrameSize = kLimits[limits & 0xF];
    config.reader.messages.maxMessageSize = kLimits[limits >> 4];
    if (deflate & 0x01) {
        CompressionOptions offer = CompressionOptions::enabledDefaults();
        offer.setClientNoContextTakeover(deflate & 0x02);
        offer.setServerNoContextTakeover(deflate & 0x04);
        offer.setClientMaxWindowBits(8 + ((deflate >> 3) & 0x7));
        if (deflate & 0x40)
            offer.setMinimumSize(100);
        offer.setMaxDecompressedSize(qint64(1) << 20);
        config.handshake.compression = offer;
    }
    if (deflate & 0x80)
        config.handshake.request.subprotocols = { QStringLiteral("chat"), QStringLiteral("superchat") };
    config.handshake.redirectsFollowed = misc & 0x3;
    config.handshake.redirectLimit = (misc >> 2) & 0x3;
    config.handshake.canRedirect = !(misc & 0x10);
    config.writer.fragmentSize = kFragmentSizes[(misc >> 5) & 0x7];
    conn = std::make_unique<ClientConnection>(config, *this, *this);
}

// Feeds server bytes as the socket would: in pieces of \a pieceSize bytes (0: at once), and,
// in direct mode, straight into the parser while it gathers a large payload.
void Harness::feed(QByteArray bytes, uint8_t pieceSize)
{
    qsizetype offset = 0;
    while (offset < bytes.size()) {
        qsizetype room = 0;
        char *target = direct ? conn->directTarget(&room) : nullptr;
        if (target) {
            FUZZ_CHECK(room > 0);
            FUZZ_CHECK(conn->state() == State::Open || conn->state() == State::Closing);
            const qsizetype n = qMin(room, bytes.size() - offset);
            std::memcpy(target, bytes.constData() + offset, size_t(n));
            conn->commitDirect(n);
            offset += n;
            continue;
        }
        FUZZ_CHECK(room == 0);
        const qsizetype n = pieceSize == 0 ? bytes.size() - offset : qMin<qsizetype>(pieceSize, bytes.size() - offset);
        const size_t before = frames.size();
        const bool wanted = conn->wantsData();
        conn->receiveData(bytes.data() + offset, n);
        if (!wanted)
            FUZZ_CHECK(frames.size() == before); // unwanted bytes are ignored
        offset += n;
    }
}

void Harness::upgrade()
{
    static const char *const extensions[] = {
        "permessage-deflate",
        "permessage-deflate; client_no_context_takeover",
        "permessage-deflate; server_no_context_takeover",
        "permessage-deflate; client_max_window_bits=9",
        "permessage-deflate; server_max_window_bits=10; server_no_context_takeover",
        "permessage-deflate; client_max_window_bits=8",
        "permessage-deflate; client_max_window_bits",
        "x-webkit-deflate-frame",
        "permessage-deflate, permessage-deflate",
        "permessage-deflate; server_max_window_bits=8",
        "permessage-deflate; client_no_context_takeover; server_no_context_takeover; client_max_window_bits=15",
        "permessage-deflate; unknown=1",
    };
    const uint8_t flags = in.byte();
    const uint8_t choice = in.byte();
    const uint8_t pieces = in.byte();
    const QByteArray eol = (flags & 0x10) ? QByteArray("\n") : QByteArray("\r\n");
    QByteArray key = requestKey();
    if (flags & 0x01)
        key += 'x'; // the wrong accept key
    QByteArray head = "HTTP/1.1 101 Switching Protocols" + eol;
    if (!(flags & 0x08))
        head += "Upgrade: websocket" + eol;
    head += "Connection: Upgrade" + eol;
    if (!(flags & 0x20))
        head += "Sec-WebSocket-Accept: " + computeAcceptKey(key) + eol;
    if (flags & 0x02)
        head += QByteArray("Sec-WebSocket-Extensions: ") + extensions[choice % std::size(extensions)] + eol;
    if (flags & 0x04)
        head += QByteArray((choice & 0x80) ? "Sec-WebSocket-Protocol: superchat" : "Sec-WebSocket-Protocol: chat") + eol;
    if (flags & 0x40) {
        size_t n = 0;
        const uint8_t *line = in.take(in.byte() % 64, &n);
        head += QByteArray(reinterpret_cast<const char *>(line), qsizetype(n)) + eol;
    }
    head += eol;
    if (flags & 0x80) {
        // Frames in the same piece as the head.
        head += QByteArray("\x81\x02hi\x89\x01p", 7);
    }
    feed(head, pieces);
}

void Harness::otherStatus()
{
    const uint8_t which = in.byte();
    const uint8_t length = in.byte();
    const uint8_t pieces = in.byte();
    QByteArray response;
    const QByteArray body = pattern(length, which, false);
    switch (which % 8) {
    case 0:
        response = "HTTP/1.1 302 Found\r\nLocation: ws://other.example:9000/next\r\n\r\n";
        break;
    case 1:
        response = "HTTP/1.1 307 Temporary Redirect\r\nLocation: /elsewhere?x=1\r\n\r\n";
        break;
    case 2:
        response = "HTTP/1.1 404 Not Found\r\nContent-Length: " + QByteArray::number(length) + "\r\n\r\n"
            + body.first(length / 2);
        break;
    case 3:
        response = "HTTP/1.1 500 Internal Server Error\r\n\r\n" + body;
        break;
    case 4:
        response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        break;
    case 5:
        response = "HTTP/1.1 301 Moved\r\n\r\n"; // no Location
        break;
    case 6:
        response = "HTTP/1.1 308 Permanent Redirect\r\nLocation: https://secure.example/ws\r\n\r\n";
        break;
    case 7:
        response = "HTTP/1.1 426 Upgrade Required\r\nContent-Length: " + QByteArray::number(length) + "\r\n\r\n" + body
            + "\x81\x01x";
        break;
    }
    feed(response, pieces);
}

void Harness::serverFrame()
{
    const uint8_t b0 = in.byte();
    const uint8_t b1 = in.byte();
    const uint8_t pieces = in.byte();
    FrameHeader h;
    h.fin = b0 & 0x80;
    h.rsv = (b0 >> 4) & 0x7;
    h.opcode = Opcode(b0 & 0xF);
    h.masked = b1 & 0x80; // a protocol error from a server
    h.maskKey = { 1, 2, 3, 4 };
    QByteArray payload;
    if (b1 & 0x40) {
        // A large frame, its length from the input and its bytes made up.
        const qsizetype length = qsizetype(in.word()) * ((b1 & 0x20) ? 4 : 1);
        payload = pattern(length, b1, true);
    } else {
        size_t n = 0;
        const uint8_t *bytes = in.take(in.byte(), &n);
        payload = QByteArray(reinterpret_cast<const char *>(bytes), qsizetype(n));
    }
    QByteArray wire;
    appendFrame(wire, h, payload);
    feed(wire, pieces);
}

void Harness::serverBytes()
{
    size_t n = 0;
    const uint8_t *bytes = in.take(in.byte(), &n);
    const uint8_t pieces = in.byte();
    feed(QByteArray(reinterpret_cast<const char *>(bytes), qsizetype(n)), pieces);
}

void Harness::serverClose()
{
    const uint8_t which = in.byte();
    const uint8_t reasonLength = in.byte();
    QByteArray payload;
    const quint16 code = kCloseCodes[which % std::size(kCloseCodes)];
    if (code == 0) {
        // empty payload
    } else if (code == 65535) {
        payload = "\x03"; // one byte: invalid
    } else {
        payload.append(char(code >> 8)).append(char(code & 0xFF));
        QByteArray reason = pattern(reasonLength % 124, which, true);
        if (which & 0x80)
            reason.append("\xc3\x28"); // not UTF-8
        payload += reason;
    }
    FrameHeader h;
    h.opcode = Opcode::Close;
    QByteArray wire;
    appendFrame(wire, h, payload);
    feed(wire, 0);
}

void Harness::serverCompressed()
{
    const uint8_t flags = in.byte();
    size_t n = 0;
    const uint8_t *bytes = in.take(in.byte(), &n);
    QByteArray message(reinterpret_cast<const char *>(bytes), qsizetype(n));
    if (flags & 0x10)
        message = message.repeated(50);
    const bool reset = !conn->handshake().compression().serverNoContextTakeover() ? (flags & 0x20) : true;
    // Without an agreement the message goes all the same (an RSV1 frame the client must refuse).
    if (!serverDeflater)
        serverDeflater = std::make_unique<Deflater>(15, -1, 8);
    const QByteArray compressed = serverDeflater->compress(message, reset);
    const int parts = 1 + (flags & 0x3) % 3;
    QByteArray wire;
    for (int i = 0; i < parts; ++i) {
        const qsizetype from = compressed.size() * i / parts;
        const qsizetype to = compressed.size() * (i + 1) / parts;
        FrameHeader h;
        h.opcode = i == 0 ? ((flags & 0x4) ? Opcode::Binary : Opcode::Text) : Opcode::Continuation;
        h.rsv = i == 0 ? Rsv1 : 0;
        h.fin = i == parts - 1;
        appendFrame(wire, h, QByteArrayView(compressed).sliced(from, to - from));
    }
    feed(wire, uint8_t(flags >> 6) * 7);
}

void Harness::send()
{
    static const Opcode opcodes[] = { Opcode::Text, Opcode::Binary, Opcode::Ping, Opcode::Pong, Opcode::Close,
        Opcode::Text, Opcode::Binary, Opcode::Binary };
    const uint8_t b0 = in.byte();
    const Opcode opcode = opcodes[b0 & 0x7];
    qsizetype size = in.byte();
    if ((b0 & 0x08) && sendBudget > 0)
        size = qMin<qsizetype>(qsizetype(in.word()) * ((b0 & 0x10) ? 2 : 1), sendBudget);
    const qint64 fragmentSize = config.writer.fragmentSize;
    if (fragmentSize > 0)
        size = qMin<qsizetype>(size, qMax<qint64>(frameBudget, 1) * fragmentSize);
    sendBudget -= size;
    frameBudget -= fragmentSize > 0 ? size / fragmentSize + 1 : 1;
    const QByteArray payload = pattern(size, b0, b0 & 0x20);

    const State before = conn->state();
    const bool compressing = before == State::Open && conn->handshake().compression().isEnabled()
        && conn->handshake().compression().clientMaxWindowBits() > CompressionOptions::MinWindowBits;
    const size_t from = frames.size();
    QString refusal;
    const qint64 n = conn->send(opcode, payload, (b0 & 0x40) ? nullptr : &refusal);
    const QString problem = MessageWriter::payloadProblem(opcode, payload.size());
    if (before != State::Open || !problem.isNull()) {
        FUZZ_CHECK(n == -1);
        FUZZ_CHECK((b0 & 0x40) || !refusal.isEmpty());
        FUZZ_CHECK(frames.size() == from);
        return;
    }
    FUZZ_CHECK(n == writtenSince(from));
    FUZZ_CHECK(frames.size() > from);
    if (quint8(opcode) & 0x8) {
        FUZZ_CHECK(frames.size() == from + 1);
        const Written &w = frames.back();
        FUZZ_CHECK(w.header.opcode == opcode && w.header.fin && w.header.rsv == 0 && w.payload == payload);
        if (opcode == Opcode::Close) {
            FUZZ_CHECK(conn->state() == State::Closing);
            FUZZ_CHECK(conn->closeSent());
        }
        return;
    }
    QByteArray joined;
    const bool compressed = frames[from].header.rsv == Rsv1;
    for (size_t i = from; i < frames.size(); ++i) {
        const Written &w = frames[i];
        FUZZ_CHECK(w.header.opcode == (i == from ? opcode : Opcode::Continuation));
        FUZZ_CHECK(w.header.fin == (i + 1 == frames.size()));
        FUZZ_CHECK(w.header.rsv == (i == from && compressed ? Rsv1 : 0));
        if (fragmentSize > 0)
            FUZZ_CHECK(w.payload.size() <= fragmentSize);
        joined += w.payload;
    }
    const qint64 minimum = conn->handshake().compression().minimumSize();
    FUZZ_CHECK(compressed == (compressing && payload.size() >= minimum));
    if (!compressed) {
        FUZZ_CHECK(joined == payload);
        return;
    }
    // The server inflates it back: with the shared window, or with a fresh one each message when
    // the client promised client_no_context_takeover.
    std::unique_ptr<Inflater> fresh;
    Inflater *inflater = clientInflater.get();
    if (conn->handshake().compression().clientNoContextTakeover()) {
        fresh = std::make_unique<Inflater>(15);
        inflater = fresh.get();
    }
    FUZZ_CHECK(inflater);
    QByteArray inflated;
    FUZZ_CHECK(inflater->inflate(joined, true, inflated, quint64(payload.size()) + 1) == Inflater::Result::Ok);
    FUZZ_CHECK(inflated == payload);
}

void Harness::sendFrame()
{
    const uint8_t b0 = in.byte();
    const uint8_t b1 = in.byte();
    const Opcode opcode = Opcode(b0 & 0xF);
    const bool fin = b0 & 0x80;
    const quint8 rsv = (b0 >> 4) & 0x7;
    qsizetype size = b1 & 0x7F;
    if ((b1 & 0x80) && sendBudget > 0)
        size = qMin<qsizetype>(in.word(), sendBudget);
    sendBudget -= size;
    QByteArray payload = pattern(size, b1, false);
    if (opcode == Opcode::Close && size >= 2)
        payload[0] = char(0x03), payload[1] = char(0xE8);
    const State before = conn->state();
    const size_t from = frames.size();
    inRawSend = true;
    const qint64 n = conn->sendFrame(opcode, fin, rsv, payload);
    inRawSend = false;
    if (before != State::Open) {
        FUZZ_CHECK(n == -1 && frames.size() == from);
        return;
    }
    // One frame, exactly as asked for.
    FUZZ_CHECK(frames.size() == from + 1);
    FUZZ_CHECK(n == writtenSince(from));
    const Written &w = frames.back();
    FUZZ_CHECK(w.header.opcode == opcode && w.header.fin == fin && w.header.rsv == rsv && w.payload == payload);
    if (opcode == Opcode::Close)
        FUZZ_CHECK(conn->state() == State::Closing && conn->closeSent());
    else
        FUZZ_CHECK(conn->state() == State::Open);
}

void Harness::close()
{
    const uint8_t which = in.byte();
    const uint8_t length = in.byte();
    const quint16 code = kCloseCodes[which % 14]; // codes a caller may send
    QString reason;
    const QChar c = (which & 0x80) ? QChar(0x20AC) : (which & 0x40) ? QChar(0x00E9) : QChar(u'r');
    reason.fill(c, length);
    const State before = conn->state();
    const size_t from = frames.size();
    const bool ok = conn->close(code, reason);
    FUZZ_CHECK(ok == (before == State::Open));
    if (!ok) {
        FUZZ_CHECK(frames.size() == from);
        return;
    }
    FUZZ_CHECK(frames.size() == from + 1);
    FUZZ_CHECK(frames.back().header.opcode == Opcode::Close);
    FUZZ_CHECK(frames.back().payload == encodeClosePayload(code, reason));
    FUZZ_CHECK(frames.back().payload.size() <= 125);
    FUZZ_CHECK(conn->state() == State::Closing);
    FUZZ_CHECK(conn->awaitingClose());
}

void Harness::fail()
{
    const uint8_t which = in.byte();
    const uint8_t length = in.byte();
    QString message;
    message.fill((which & 0x80) ? QChar(0x00E9) : QChar(u'm'), length + 1);
    Failure failure;
    switch ((which & 0x7F) % 6) {
    case 0:
        failure = Failure::protocol(message);
        break;
    case 1:
        failure = Failure::payload(message);
        break;
    case 2:
        failure = Failure::tooBig(message);
        break;
    case 3:
        failure = { Error::Protocol, CloseCode::PolicyViolation, message };
        break;
    default:
        // As the I/O layer fails an opening connection (a proxy, TLS, the network). Its 1006 may
        // not go on the wire, so it is used only where no Close can be sent.
        failure = { (which & 1) ? Error::Network : Error::Tls, CloseCode::Abnormal, message };
        if (conn->state() != State::Connecting)
            failure = Failure::protocol(message);
        break;
    }
    const State before = conn->state();
    const int failuresBefore = failures;
    const bool hadFailed = conn->failure().isFailure();
    conn->fail(failure);
    if (before == State::Closed || hadFailed) {
        FUZZ_CHECK(failures == failuresBefore);
    } else {
        FUZZ_CHECK(failures == failuresBefore + 1);
        FUZZ_CHECK(conn->failure().message == message);
        if (before == State::Connecting)
            FUZZ_CHECK(conn->state() == State::Closed);
        else
            FUZZ_CHECK(conn->state() == State::Closing);
    }
}

void Harness::transportClosed()
{
    const uint8_t b = in.byte();
    Undelivered undelivered;
    undelivered.bytes = qint64(b >> 2) * 1000;
    undelivered.messages = b & 0x3;
    const State before = conn->state();
    const bool hadFailed = conn->failure().isFailure();
    const bool closeWasReceived = conn->closeReceived();
    conn->transportClosed(QStringLiteral("example.com:80"), QStringLiteral("remote host closed"), undelivered);
    FUZZ_CHECK(conn->state() == State::Closed);
    if (before == State::Open) {
        FUZZ_CHECK(conn->failure().error == Error::ConnectionClosed);
        FUZZ_CHECK(conn->failure().message.endsWith(undelivered.describe()));
        FUZZ_CHECK(conn->closeCode() == 1006);
    }
    if (before == State::Closing) {
        const bool expectFailure = !hadFailed && !closeWasReceived && undelivered.any();
        FUZZ_CHECK(conn->failure().isFailure() == (hadFailed || expectFailure));
        if (expectFailure)
            FUZZ_CHECK(conn->failure().message.endsWith(undelivered.describe()));
    }
    if (before == State::Connecting)
        FUZZ_CHECK(conn->failure().isFailure());
}

void Harness::after()
{
    observe();
    const State now = conn->state();
    if (kTrace) {
        std::fprintf(stderr, "  -> %s, %zu frames written, closeCode %d%s%s\n", ClientConnection::stateName(now),
            frames.size(), conn->closeCode(), conn->failure().isFailure() ? ", failed: " : "",
            qPrintable(conn->failure().message));
    }
    checkpoint = frames.size();
    closeWrittenAtCheckpoint = closeWritten;
    if (now == State::Closed)
        closedSeen = true;

    // The facts agree with what was seen.
    FUZZ_CHECK(conn->failure().isFailure() == (failures == 1));
    FUZZ_CHECK(conn->wasOpen() == (opens == 1));
    FUZZ_CHECK(conn->closeSent() == closeWritten);
    FUZZ_CHECK(conn->closeReceived() == (closeEvents == 1));
    if (conn->closedByServer())
        FUZZ_CHECK(conn->closeReceived());
    if (now == State::Closing)
        FUZZ_CHECK(conn->closeSent());
    if (now == State::Connecting)
        FUZZ_CHECK(opens == 0 && frames.empty());
    if (conn->awaitingBody())
        FUZZ_CHECK(now == State::Connecting);
    if (conn->awaitingClose())
        FUZZ_CHECK(now == State::Closing && conn->closeSent() && !conn->closeReceived());
    if (now == State::Closed || conn->closeReceived() || conn->failure().isFailure()) {
        FUZZ_CHECK(!conn->wantsData());
        qsizetype room = -1;
        FUZZ_CHECK(conn->directTarget(&room) == nullptr && room == 0);
    }
    if (redirects)
        FUZZ_CHECK(now == State::Closed && failures == 0);
    const int code = conn->closeCode();
    if (!conn->wasOpen())
        FUZZ_CHECK(code == 0);
    else
        FUZZ_CHECK(isValidCloseCode(code) || code == 1005 || code == 1006);
}

void Harness::step()
{
    const State before = conn->state();
    const uint8_t op = in.byte() % OpCount;
    if (kTrace)
        std::fprintf(stderr, "%s in %s\n", kOpNames[op], ClientConnection::stateName(before));
    switch (op) {
    case OpUpgrade:
        upgrade();
        break;
    case OpOtherStatus:
        otherStatus();
        break;
    case OpServerFrame:
        serverFrame();
        break;
    case OpServerBytes:
        serverBytes();
        break;
    case OpServerClose:
        serverClose();
        break;
    case OpServerCompressed:
        serverCompressed();
        break;
    case OpSend:
        send();
        break;
    case OpSendFrame:
        sendFrame();
        break;
    case OpClose:
        close();
        break;
    case OpAbort: {
        const size_t from = frames.size();
        const bool wasOpen = conn->wasOpen(), received = conn->closeReceived();
        const bool failedBefore = conn->failure().isFailure();
        const int codeBefore = conn->closeCode();
        conn->abort();
        FUZZ_CHECK(conn->state() == State::Closed);
        FUZZ_CHECK(frames.size() == from);
        if (before != State::Closed && wasOpen && !received && !failedBefore)
            FUZZ_CHECK(conn->closeCode() == 1006);
        else
            FUZZ_CHECK(conn->closeCode() == codeBefore);
        break;
    }
    case OpFail:
        fail();
        break;
    case OpCloseTimedOut: {
        const bool awaiting = before == State::Closing && !conn->closeReceived();
        const bool hadFailed = conn->failure().isFailure();
        conn->closeTimedOut(QStringLiteral("no Close within 3000 ms"));
        FUZZ_CHECK((conn->state() == State::Closed) == (awaiting || before == State::Closed));
        if (awaiting && !hadFailed)
            FUZZ_CHECK(conn->failure().error == Error::Timeout && conn->closeCode() == 1006);
        break;
    }
    case OpHandshakeTimedOut:
        conn->handshakeTimedOut(QStringLiteral("opening timed out"));
        if (before == State::Connecting)
            FUZZ_CHECK(conn->state() == State::Closed && conn->failure().error == Error::Timeout);
        else
            FUZZ_CHECK(conn->state() == before);
        break;
    case OpTransportClosed:
        transportClosed();
        break;
    case OpBodyTimedOut: {
        const bool awaiting = conn->awaitingBody();
        conn->bodyTimedOut();
        if (awaiting)
            FUZZ_CHECK(conn->state() == State::Closed && conn->failure().error == Error::BadStatus);
        else
            FUZZ_CHECK(conn->state() == before);
        break;
    }
    }
    after();
}

void Harness::run()
{
    configure();
    FUZZ_CHECK(conn->state() == State::Connecting && conn->closeCode() == 0);
    conn->start();
    after();
    if (conn->state() == State::Connecting) {
        FUZZ_CHECK(requestWrites == 1);
        FUZZ_CHECK(QByteArray::fromBase64(requestKey()).size() == 16);
    }
    int steps = 0;
    while (in.remaining() > 0 && ++steps <= 512)
        step();
    // However it went, the end of the transport ends it.
    transportClosed();
    after();
    FUZZ_CHECK(conn->state() == State::Closed);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Harness harness(data, size);
    harness.run();
    return 0;
}
