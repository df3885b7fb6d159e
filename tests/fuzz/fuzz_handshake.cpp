// libFuzzer target for the opening handshake: the server's response head through
// HttpResponseParser (fed in pieces) and evaluateHandshake, and the client's request from
// buildHandshakeRequest with fuzzed option values and header fields.
//
// Input layout:
//   byte 0   flags: bits 0-1 subprotocols offered (none, chat, chat+superchat, v1.json+CHAT),
//            bit 2 permessage-deflate offered, bit 3 a 256-byte header limit instead of the
//            default, bit 4 no request URL to resolve a relative Location against
//   byte 1   number N (0-15) of piece-size bytes; 0 feeds the response at once
//   N bytes  piece sizes, used in a cycle: byte v gives a piece of v + 1 bytes
//   byte     length L of the request part, then L bytes of it: length-prefixed strings (one
//            length byte; 0xFF is a null value) for Host, Origin, Cookie, a subprotocol,
//            Sec-WebSocket-Extensions and Connection, then name/value pairs of user fields
//            (strings past the end of the part are null: the option keeps its default)
//   rest     the response bytes
//
// Checked: the parser never takes more than it is given, all of it while it needs more, nothing
// once done; how the response is cut does not change the result; a complete head is within the
// limit and holds only token names and trimmed single-line values; evaluateHandshake's verdict
// fits the status and the offer. The request is either refused with a reason or well formed:
// CRLF-terminated lines only (no bare CR, LF or NUL anywhere), one "name: value" line per field.

#include "fuzzsupport.h"

#include "protocol/handshakerequest.h"
#include "protocol/handshakeresponse.h"
#include "protocol/httpheaders.h"

#include <WsClient/url.h>

#include <QtCore/qbytearraylist.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qurl.h>

#include <algorithm>

using namespace WsClient;
using namespace WsClient::Protocol;
using WsClient::Fuzz::Chunker;
using WsClient::Fuzz::InputReader;

namespace {

const QByteArray Key("dGhlIHNhbXBsZSBub25jZQ=="); // RFC 6455 §1.3's example key
constexpr qsizetype SmallHeaderLimit = 256;

struct Parse
{
    HttpResponseParser::Status status = HttpResponseParser::Status::NeedMore;
    qsizetype consumed = 0;
};

// Feeds the response piece by piece as the socket delivers it, until the parser is done.
Parse feedResponse(HttpResponseParser &parser, QByteArrayView response, Chunker chunker)
{
    using Status = HttpResponseParser::Status;
    Parse parse;
    qsizetype offset = 0;
    while (!chunker.done() && parse.status == Status::NeedMore) {
        const auto piece = response.sliced(offset, qsizetype(chunker.next()));
        qsizetype used = -1;
        parse.status = parser.feed(piece, &used);
        FUZZ_CHECK(parse.status == parser.status());
        FUZZ_CHECK(used >= 0 && used <= piece.size());
        if (parse.status == Status::NeedMore)
            FUZZ_CHECK(used == piece.size());
        offset += piece.size();
        parse.consumed += used;
    }
    if (parse.status != Status::NeedMore) {
        // Done: more input is not taken and changes nothing.
        qsizetype used = -1;
        FUZZ_CHECK(parser.feed(QByteArrayView("HTTP/1.1 200 OK\r\n\r\n"), &used) == parse.status);
        FUZZ_CHECK(used == 0);
    }
    return parse;
}

void checkHead(const HttpResponseParser &parser, qsizetype consumed, qsizetype limit)
{
    FUZZ_CHECK(consumed <= limit);
    FUZZ_CHECK(parser.statusCode() >= 100 && parser.statusCode() <= 999);
    FUZZ_CHECK(parser.httpVersion().startsWith("HTTP/1.") && parser.httpVersion().size() == 8);
    for (const auto &field : parser.headers()) {
        FUZZ_CHECK(isHttpToken(field.first));
        FUZZ_CHECK(!containsLineBreak(field.second));
        FUZZ_CHECK(trimmedOws(field.second).size() == field.second.size());
    }
    FUZZ_CHECK(!containsLineBreak(parser.reasonPhrase()));
    FUZZ_CHECK(parser.contentLength() >= -1);
}

bool isRedirectStatus(int code)
{
    return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

void checkOutcome(const HttpResponseParser &parser, const HandshakeExpectations &expected)
{
    const HandshakeOutcome outcome = evaluateHandshake(parser, expected);
    const bool complete = parser.status() == HttpResponseParser::Status::Complete;
    switch (outcome.kind) {
    case ResponseKind::Upgrade:
        FUZZ_CHECK(complete && parser.statusCode() == 101);
        FUZZ_CHECK(outcome.error == Error::NoError);
        FUZZ_CHECK(headerValue(parser.headers(), "Sec-WebSocket-Accept") == computeAcceptKey(Key));
        FUZZ_CHECK(outcome.subprotocol.isEmpty() || expected.subprotocols.contains(outcome.subprotocol));
        // Every extension the server chose was offered.
        FUZZ_CHECK(!findListItem(outcome.extensions, [&expected](QByteArrayView item) {
            const qsizetype semicolon = item.indexOf(';');
            const QByteArrayView name = trimmedOws(semicolon < 0 ? item : item.first(semicolon));
            return std::none_of(expected.extensions.cbegin(), expected.extensions.cend(),
                [name](const QByteArray &offer) { return equalsIgnoringCase(offer, name); });
        }));
        break;
    case ResponseKind::Redirect:
        FUZZ_CHECK(complete && isRedirectStatus(parser.statusCode()));
        FUZZ_CHECK(outcome.error == Error::NoError);
        FUZZ_CHECK(outcome.redirectUrl.isValid());
        FUZZ_CHECK(outcome.redirectUrl.scheme() == QLatin1String("ws")
            || outcome.redirectUrl.scheme() == QLatin1String("wss"));
        FUZZ_CHECK(!outcome.redirectUrl.hasFragment());
        break;
    case ResponseKind::BadStatus:
        FUZZ_CHECK(complete && parser.statusCode() != 101 && !isRedirectStatus(parser.statusCode()));
        FUZZ_CHECK(outcome.error == Error::BadStatus);
        break;
    case ResponseKind::Invalid:
        FUZZ_CHECK(outcome.error == Error::Handshake);
        FUZZ_CHECK(!outcome.errorString.isEmpty());
        FUZZ_CHECK(!complete || parser.statusCode() == 101 || isRedirectStatus(parser.statusCode()));
        break;
    }
}

void checkResponse(const uint8_t flags, const uint8_t *sizes, size_t sizeCount, QByteArrayView response)
{
    HandshakeExpectations expected;
    expected.key = Key;
    static const QStringList offers[]
        = { {}, { QStringLiteral("chat") }, { QStringLiteral("chat"), QStringLiteral("superchat") },
              { QStringLiteral("v1.json"), QStringLiteral("CHAT") } };
    expected.subprotocols = offers[flags & 0x3];
    if (flags & 0x04)
        expected.extensions.append(QByteArray("permessage-deflate"));
    const qsizetype limit = (flags & 0x08) ? SmallHeaderLimit : HttpResponseParser::DefaultMaxHeaderSize;
    if (!(flags & 0x10))
        expected.requestUrl = QUrl(QStringLiteral("ws://example.com:8080/chat?room=1"));

    HttpResponseParser pieces(limit);
    const Parse cut = feedResponse(pieces, response, Chunker(sizes, sizeCount, size_t(response.size())));
    HttpResponseParser whole(limit);
    const Parse once = feedResponse(whole, response, Chunker(nullptr, 0, size_t(response.size())));

    // The cut changes nothing but, at most, the excerpt quoted in an error message.
    FUZZ_CHECK(cut.status == once.status);
    FUZZ_CHECK(pieces.error() == whole.error());
    if (cut.status == HttpResponseParser::Status::Failed) {
        FUZZ_CHECK(pieces.error() == Error::Handshake && !pieces.errorString().isEmpty());
    } else if (cut.status == HttpResponseParser::Status::Complete) {
        FUZZ_CHECK(cut.consumed == once.consumed);
        FUZZ_CHECK(pieces.statusCode() == whole.statusCode());
        FUZZ_CHECK(pieces.reasonPhrase() == whole.reasonPhrase());
        FUZZ_CHECK(pieces.httpVersion() == whole.httpVersion());
        FUZZ_CHECK(pieces.headers() == whole.headers());
        checkHead(pieces, cut.consumed, limit);
        // The head ends with its blank line.
        FUZZ_CHECK(
            response.first(cut.consumed).endsWith("\n\n") || response.first(cut.consumed).endsWith("\n\r\n"));
    } else {
        FUZZ_CHECK(cut.consumed == response.size() && once.consumed == response.size());
    }
    checkOutcome(pieces, expected);
}

// --- request ------------------------------------------------------------------------------------

// The next length-prefixed string; null at the end of the input, so that a short request part
// leaves the remaining options at their defaults.
QByteArray nextString(InputReader &in)
{
    if (in.remaining() == 0)
        return QByteArray();
    const uint8_t length = in.byte();
    if (length == 0xFF)
        return QByteArray();
    size_t taken;
    const uint8_t *p = in.take(length, &taken);
    return QByteArray(reinterpret_cast<const char *>(p), qsizetype(taken)); // not null, maybe empty
}

void checkRequest(const QByteArray &part)
{
    InputReader in(reinterpret_cast<const uint8_t *>(part.constData()), size_t(part.size()));
    HandshakeRequestParams params;
    params.url = parseUrl(QStringLiteral("ws://example.com:8080/chat?room=1"));
    FUZZ_CHECK(params.url.isValid());
    params.key = Key;
    params.host = nextString(in);
    params.origin = nextString(in);
    params.cookie = nextString(in);
    const QByteArray subprotocol = nextString(in);
    if (!subprotocol.isNull())
        params.subprotocols.append(QString::fromUtf8(subprotocol));
    params.extensions = nextString(in);
    params.connection = nextString(in);
    while (in.remaining() > 0) {
        QByteArray name = nextString(in);
        QByteArray value = nextString(in);
        params.headers.append({ name, value });
    }

    const HandshakeRequest request = buildHandshakeRequest(params);
    if (request.error != Error::NoError) {
        FUZZ_CHECK(request.error == Error::InvalidArgument);
        FUZZ_CHECK(!request.errorString.isEmpty());
        FUZZ_CHECK(request.bytes.isEmpty());
        return;
    }

    const QByteArray &bytes = request.bytes;
    FUZZ_CHECK(!bytes.contains('\0'));
    // Every CR starts a CRLF and every LF ends one: nothing can start a line of its own.
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\r')
            FUZZ_CHECK(i + 1 < bytes.size() && bytes[i + 1] == '\n');
        if (bytes[i] == '\n')
            FUZZ_CHECK(i > 0 && bytes[i - 1] == '\r');
    }
    FUZZ_CHECK(bytes.endsWith("\r\n\r\n"));
    QList<QByteArray> lines = bytes.chopped(4).split('\r');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        FUZZ_CHECK(lines[i].startsWith('\n'));
        lines[i].remove(0, 1);
    }
    FUZZ_CHECK(lines.first() == "GET /chat?room=1 HTTP/1.1");
    // One line per field, in order, each "name: value" with a token name.
    FUZZ_CHECK(lines.size() == request.headers.size() + 1);
    for (qsizetype i = 0; i < request.headers.size(); ++i) {
        const auto &field = request.headers[i];
        FUZZ_CHECK(isHttpToken(field.first));
        FUZZ_CHECK(lines[i + 1] == field.first + ": " + field.second);
    }
    FUZZ_CHECK(request.key == headerValue(request.headers, "Sec-WebSocket-Key"));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    InputReader in(data, size);
    const uint8_t flags = in.byte();
    size_t sizeCount;
    const uint8_t *sizes = in.take(in.byte() & 0xF, &sizeCount);
    size_t requestSize;
    const uint8_t *requestPart = in.take(in.byte(), &requestSize);
    const QByteArray response(reinterpret_cast<const char *>(in.rest()), qsizetype(in.remaining()));

    checkResponse(flags, sizes, sizeCount, response);
    checkRequest(QByteArray(reinterpret_cast<const char *>(requestPart), qsizetype(requestSize)));
    return 0;
}
