#include "protocol/handshakerequest.h"

#include <QtCore/qset.h>
#include <QtTest/QtTest>

using namespace WsClient;
using namespace WsClient::Protocol;

namespace {

const QByteArray SampleKey("dGhlIHNhbXBsZSBub25jZQ==");

// The request a test expects: its lines, CRLF-terminated, then the blank line.
QByteArray requestOf(const QList<QByteArray> &lines)
{
    QByteArray bytes;
    for (const QByteArray &line : lines)
        bytes += line + "\r\n";
    return bytes + "\r\n";
}

HandshakeRequestParams paramsFor(const QString &url)
{
    HandshakeRequestParams params;
    params.url = parseUrl(url);
    params.key = SampleKey;
    return params;
}

// The fields of a serialized request, read back independently of the builder.
HeaderList fieldsOf(const QByteArray &bytes)
{
    HeaderList fields;
    const QList<QByteArray> lines = bytes.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].chopped(lines[i].endsWith('\r') ? 1 : 0);
        if (line.isEmpty())
            break;
        const qsizetype colon = line.indexOf(':');
        fields.append({ line.left(colon), line.mid(colon + 2) });
    }
    return fields;
}

} // namespace

class TestHandshakeRequest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acceptKey_data();
    void acceptKey();
    void generatedKeys();
    void generatedKeyIsSent();
    void request_data();
    void request();
    void keyActuallySent_data();
    void keyActuallySent();
    void injection_data();
    void injection();
    void invalidUrl_data();
    void invalidUrl();
};

void TestHandshakeRequest::acceptKey_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("accept");
    QTest::newRow("RFC 6455 §1.3") << SampleKey << QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    QTest::newRow("another") << QByteArray("x3JJHMbDL1EzLkh9GBhXDw==")
                             << QByteArray("HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
    QTest::newRow("empty") << QByteArray() << QByteArray("Kfh9QIsMVZcl6xEPYxPHzW8SZ8w=");
}

void TestHandshakeRequest::acceptKey()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, accept);
    QCOMPARE(computeAcceptKey(key), accept);
}

void TestHandshakeRequest::generatedKeys()
{
    QSet<QByteArray> seen;
    for (int i = 0; i < 100; ++i) {
        const QByteArray key = generateWebSocketKey();
        QCOMPARE(key.size(), 24);
        const auto decoded = QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
        QVERIFY(decoded);
        QCOMPARE(decoded.decoded.size(), 16);
        QCOMPARE(decoded.decoded.toBase64(), key);
        seen.insert(key);
    }
    QCOMPARE(seen.size(), 100);
}

void TestHandshakeRequest::generatedKeyIsSent()
{
    HandshakeRequestParams params;
    params.url = parseUrl(QStringLiteral("ws://example.com/"));
    const HandshakeRequest first = buildHandshakeRequest(params);
    const HandshakeRequest second = buildHandshakeRequest(params);
    QCOMPARE(first.error, Error::NoError);
    QCOMPARE(first.key.size(), 24);
    QVERIFY(first.key != second.key);
    QCOMPARE(headerValue(fieldsOf(first.bytes), "Sec-WebSocket-Key"), first.key);
    QCOMPARE(headerValue(fieldsOf(second.bytes), "Sec-WebSocket-Key"), second.key);
}

void TestHandshakeRequest::request_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("suppressOrigin");
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<QByteArray>("cookie");
    QTest::addColumn<QStringList>("subprotocols");
    QTest::addColumn<QByteArray>("extensions");
    QTest::addColumn<QByteArray>("connection");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray key = "Sec-WebSocket-Key: " + SampleKey;
    const QByteArray upgrade("Upgrade: websocket");
    const QByteArray version("Sec-WebSocket-Version: 13");
    const QByteArray connection("Connection: Upgrade");
    // The usual request for a URL, given its request line, Host and Origin lines.
    const auto plain = [&](const QByteArray &get, const QByteArray &host, const QByteArray &origin) {
        return requestOf({ get, upgrade, host, origin, key, version, connection });
    };
    const auto row = [](const char *name, const char *url) -> QTestData & {
        return QTest::newRow(name) << QString::fromUtf8(url);
    };
    const QByteArray none;

    row("ws", "ws://example.com/chat")
        << none << none << false << HeaderList() << none << QStringList() << none << none
        << plain("GET /chat HTTP/1.1", "Host: example.com", "Origin: http://example.com");
    row("wss, no path", "wss://example.com")
        << none << none << false << HeaderList() << none << QStringList() << none << none
        << plain("GET / HTTP/1.1", "Host: example.com", "Origin: https://example.com");
    row("ws, explicit default port", "ws://example.com:80/")
        << none << none << false << HeaderList() << none << QStringList() << none << none
        << plain("GET / HTTP/1.1", "Host: example.com", "Origin: http://example.com");
    row("wss, explicit default port", "wss://example.com:443/")
        << none << none << false << HeaderList() << none << QStringList() << none << none
        << plain("GET / HTTP/1.1", "Host: example.com", "Origin: https://example.com");
    row("ws, other port", "ws://example.com:8080/")
        << none << none << false << HeaderList() << none << QStringList() << none << none
        << plain("GET / HTTP/1.1", "Host: example.com:8080", "Origin: http://example.com:8080");
    row("wss on port 80", "wss://example.com:80/")
        << none << none << false << HeaderList() << none << QStringList() << none << none
        << plain("GET / HTTP/1.1", "Host: example.com:80", "Origin: https://example.com:80");
    row("query kept encoded", "ws://example.com/p/q?a=1&b=%20x")
        << none << none << false << HeaderList() << none << QStringList() << none << none
        << plain("GET /p/q?a=1&b=%20x HTTP/1.1", "Host: example.com", "Origin: http://example.com");
    row("IPv6 with port", "ws://[::1]:9000/x")
        << none << none << false << HeaderList() << none << QStringList() << none << none
        << plain("GET /x HTTP/1.1", "Host: [::1]:9000", "Origin: http://[::1]:9000");
    row("IPv6 default port", "wss://[2001:db8::1]/")
        << none << none << false << HeaderList() << none << QStringList() << none << none
        << plain("GET / HTTP/1.1", "Host: [2001:db8::1]", "Origin: https://[2001:db8::1]");
    row("host override, origin from the URL", "ws://example.com:8080/")
        << QByteArray("front.example") << none << false << HeaderList() << none << QStringList() << none
        << none << plain("GET / HTTP/1.1", "Host: front.example", "Origin: http://example.com:8080");
    row("origin override", "wss://example.com/")
        << none << QByteArray("https://app.example") << false << HeaderList() << none << QStringList() << none
        << none << plain("GET / HTTP/1.1", "Host: example.com", "Origin: https://app.example");
    row("origin suppressed", "ws://example.com/")
        << none << none << true << HeaderList() << none << QStringList() << none << none
        << requestOf({ "GET / HTTP/1.1", upgrade, "Host: example.com", key, version, connection });
    row("origin suppressed wins over override", "ws://example.com/")
        << none << QByteArray("http://x") << true << HeaderList() << none << QStringList() << none << none
        << requestOf({ "GET / HTTP/1.1", upgrade, "Host: example.com", key, version, connection });
    row("connection override", "ws://example.com/")
        << none << none << false << HeaderList() << none << QStringList() << none
        << QByteArray("keep-alive, Upgrade")
        << requestOf({ "GET / HTTP/1.1", upgrade, "Host: example.com", "Origin: http://example.com", key,
               version, "Connection: keep-alive, Upgrade" });
    row("subprotocols, extensions, cookie, then user fields", "ws://example.com/")
        << none << none << false << HeaderList { { "X-Trace", "1" }, { "Authorization", "Bearer t" } }
        << QByteArray("a=1; b=2") << QStringList { QStringLiteral("chat"), QStringLiteral("superchat") }
        << QByteArray("permessage-deflate; client_max_window_bits") << none
        << requestOf({ "GET / HTTP/1.1", upgrade, "Host: example.com", "Origin: http://example.com", key,
               version, connection, "Sec-WebSocket-Protocol: chat, superchat",
               "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits", "Cookie: a=1; b=2",
               "X-Trace: 1", "Authorization: Bearer t" });
    row("user fields replace defaults in place", "ws://example.com/")
        << none << none << false
        << HeaderList { { "X-First", "1" }, { "host", "virtual.example" }, { "ORIGIN", "null" },
               { "Cookie", "user=1" } }
        << QByteArray("ignored=1") << QStringList() << none << none
        << requestOf({ "GET / HTTP/1.1", upgrade, "host: virtual.example", "ORIGIN: null", key, version,
               connection, "Cookie: user=1", "X-First: 1" });
    row("user fields with a null value remove defaults", "ws://example.com/")
        << none << none << false
        << HeaderList { { "origin", QByteArray() }, { "Sec-WebSocket-Version", QByteArray() },
               { "X-Gone", QByteArray() } }
        << none << QStringList() << none << none
        << requestOf({ "GET / HTTP/1.1", upgrade, "Host: example.com", key, connection });
    row("an empty value is sent, not removed", "ws://example.com/")
        << none << none << false << HeaderList { { "Origin", "" }, { "X-Empty", "" } } << none
        << QStringList() << none << none
        << requestOf({ "GET / HTTP/1.1", upgrade, "Host: example.com", "Origin: ", key, version, connection,
               "X-Empty: " });
    row("user Sec-WebSocket-Protocol with no offer is appended", "ws://example.com/")
        << none << none << false << HeaderList { { "Sec-WebSocket-Protocol", "mqtt" } } << none
        << QStringList() << none << none
        << requestOf({ "GET / HTTP/1.1", upgrade, "Host: example.com", "Origin: http://example.com", key,
               version, connection, "Sec-WebSocket-Protocol: mqtt" });
    row("repeated user fields: first replaces, rest appended", "ws://example.com/")
        << none << none << false
        << HeaderList { { "Connection", "keep-alive, Upgrade" }, { "X-Multi", "a" }, { "Connection", "x" },
               { "X-Multi", "b" } }
        << none << QStringList() << none << none
        << requestOf({ "GET / HTTP/1.1", upgrade, "Host: example.com", "Origin: http://example.com", key,
               version, "Connection: keep-alive, Upgrade", "X-Multi: a", "Connection: x", "X-Multi: b" });
}

void TestHandshakeRequest::request()
{
    QFETCH(QString, url);
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, origin);
    QFETCH(bool, suppressOrigin);
    QFETCH(HeaderList, headers);
    QFETCH(QByteArray, cookie);
    QFETCH(QStringList, subprotocols);
    QFETCH(QByteArray, extensions);
    QFETCH(QByteArray, connection);
    QFETCH(QByteArray, expected);

    HandshakeRequestParams params = paramsFor(url);
    QVERIFY2(params.url.isValid(), qPrintable(params.url.errorString));
    params.host = host;
    params.origin = origin;
    params.suppressOrigin = suppressOrigin;
    params.headers = headers;
    params.cookie = cookie;
    params.subprotocols = subprotocols;
    params.extensions = extensions;
    params.connection = connection;

    const HandshakeRequest request = buildHandshakeRequest(params);
    QCOMPARE(request.error, Error::NoError);
    QVERIFY(request.errorString.isEmpty());
    QCOMPARE(request.bytes, expected);
    QCOMPARE(request.headers, fieldsOf(expected));
    QCOMPARE(request.key, SampleKey);
}

void TestHandshakeRequest::keyActuallySent_data()
{
    QTest::addColumn<QByteArray>("paramsKey");
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<QByteArray>("sentKey");

    QTest::newRow("params.key") << QByteArray("AQIDBAUGBwgJCgsMDQ4PEC==") << HeaderList()
                                << QByteArray("AQIDBAUGBwgJCgsMDQ4PEC==");
    QTest::newRow("user header wins over params.key")
        << QByteArray("AQIDBAUGBwgJCgsMDQ4PEC==")
        << HeaderList { { "sec-websocket-key", "x3JJHMbDL1EzLkh9GBhXDw==" } }
        << QByteArray("x3JJHMbDL1EzLkh9GBhXDw==");
    QTest::newRow("user header wins over a generated key")
        << QByteArray() << HeaderList { { "Sec-WebSocket-Key", "x3JJHMbDL1EzLkh9GBhXDw==" } }
        << QByteArray("x3JJHMbDL1EzLkh9GBhXDw==");
    QTest::newRow("removed") << QByteArray() << HeaderList { { "Sec-WebSocket-Key", QByteArray() } }
                             << QByteArray();
}

void TestHandshakeRequest::keyActuallySent()
{
    QFETCH(QByteArray, paramsKey);
    QFETCH(HeaderList, headers);
    QFETCH(QByteArray, sentKey);

    HandshakeRequestParams params = paramsFor(QStringLiteral("ws://example.com/"));
    params.key = paramsKey;
    params.headers = headers;
    const HandshakeRequest request = buildHandshakeRequest(params);
    QCOMPARE(request.error, Error::NoError);
    QCOMPARE(request.key, sentKey);
    QCOMPARE(request.key.isNull(), sentKey.isNull());
    QCOMPARE(headerValue(fieldsOf(request.bytes), "Sec-WebSocket-Key"), sentKey);
    QCOMPARE(request.bytes.toLower().count("sec-websocket-key"), sentKey.isNull() ? 0 : 1);
}

void TestHandshakeRequest::injection_data()
{
    QTest::addColumn<QByteArray>("resource");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<QByteArray>("cookie");
    QTest::addColumn<QByteArray>("extensions");
    QTest::addColumn<QByteArray>("connection");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QStringList>("subprotocols");
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<QString>("named"); // what the error string must mention

    const QByteArray ok;
    const auto row = [](const char *name) -> QTestData & { return QTest::newRow(name); };
    const QStringList noProtocols;
    const HeaderList noHeaders;
    const QString header = QStringLiteral("header '%1'");

    row("resource CRLF") << QByteArray("/a\r\nX-Evil: 1") << ok << ok << ok << ok << ok << ok << noProtocols
                         << noHeaders << QStringLiteral("resource");
    row("resource LF") << QByteArray("/a\nb") << ok << ok << ok << ok << ok << ok << noProtocols << noHeaders
                       << QStringLiteral("resource");
    row("resource NUL") << QByteArray("/a\0b", 4) << ok << ok << ok << ok << ok << ok << noProtocols
                        << noHeaders << QStringLiteral("resource");
    row("resource space") << QByteArray("/a b HTTP/1.0") << ok << ok << ok << ok << ok << ok << noProtocols
                          << noHeaders << QStringLiteral("resource");
    row("resource non-ASCII") << QByteArray("/\xc3\xa4") << ok << ok << ok << ok << ok << ok << noProtocols
                              << noHeaders << QStringLiteral("resource");
    row("host CRLF") << ok << QByteArray("h\r\nX-Evil: 1") << ok << ok << ok << ok << ok << noProtocols
                     << noHeaders << header.arg(QLatin1String("Host"));
    row("host NUL") << ok << QByteArray("h\0", 2) << ok << ok << ok << ok << ok << noProtocols << noHeaders
                    << header.arg(QLatin1String("Host"));
    row("origin LF") << ok << ok << QByteArray("http://o\nX: 1") << ok << ok << ok << ok << noProtocols
                     << noHeaders << header.arg(QLatin1String("Origin"));
    row("cookie CR") << ok << ok << ok << QByteArray("a=1\rb=2") << ok << ok << ok << noProtocols << noHeaders
                     << header.arg(QLatin1String("Cookie"));
    row("extensions CRLF") << ok << ok << ok << ok << QByteArray("permessage-deflate\r\n") << ok << ok
                           << noProtocols << noHeaders
                           << header.arg(QLatin1String("Sec-WebSocket-Extensions"));
    row("connection LF") << ok << ok << ok << ok << ok << QByteArray("Upgrade\n") << ok << noProtocols
                         << noHeaders << header.arg(QLatin1String("Connection"));
    row("key CRLF") << ok << ok << ok << ok << ok << ok << QByteArray("abc\r\n") << noProtocols << noHeaders
                    << header.arg(QLatin1String("Sec-WebSocket-Key"));
    row("subprotocol CRLF") << ok << ok << ok << ok << ok << ok << ok
                            << QStringList { QStringLiteral("chat"), QStringLiteral("x\r\nX-Evil: 1") }
                            << noHeaders << QStringLiteral("Sec-WebSocket-Protocol");
    row("subprotocol with a space") << ok << ok << ok << ok << ok << ok << ok
                                    << QStringList { QStringLiteral("a b") } << noHeaders
                                    << QStringLiteral("Sec-WebSocket-Protocol");
    row("subprotocol with a comma") << ok << ok << ok << ok << ok << ok << ok
                                    << QStringList { QStringLiteral("a,b") } << noHeaders
                                    << QStringLiteral("Sec-WebSocket-Protocol");
    row("empty subprotocol") << ok << ok << ok << ok << ok << ok << ok << QStringList { QString() }
                             << noHeaders << QStringLiteral("Sec-WebSocket-Protocol");
    row("user value CRLF") << ok << ok << ok << ok << ok << ok << ok << noProtocols
                           << HeaderList { { "X-Test", "v\r\nX-Evil: 1" } }
                           << header.arg(QLatin1String("X-Test"));
    row("user value NUL") << ok << ok << ok << ok << ok << ok << ok << noProtocols
                          << HeaderList { { "X-Test", QByteArray("v\0", 2) } }
                          << header.arg(QLatin1String("X-Test"));
    row("user value with a control character")
        << ok << ok << ok << ok << ok << ok << ok << noProtocols
        << HeaderList { { "X-Test",
               "a\x01"
               "b" } }
        << QStringLiteral("header 'X-Test' has a value containing a control character");
    row("user value with DEL") << ok << ok << ok << ok << ok << ok << ok << noProtocols
                               << HeaderList { { "X-Test", "a\x7f" } } << QStringLiteral("control character");
    row("user value replacing a default")
        << ok << ok << ok << ok << ok << ok << ok << noProtocols << HeaderList { { "Host", "h\nX: 1" } }
        << header.arg(QLatin1String("Host"));
    row("user name CRLF") << ok << ok << ok << ok << ok << ok << ok << noProtocols
                          << HeaderList { { "X-Te\r\nst", "v" } }
                          << QStringLiteral("header name 'X-Te\\x0d\\x0ast'");
    row("user name CRLF, null value")
        << ok << ok << ok << ok << ok << ok << ok << noProtocols << HeaderList { { "X\r\nY", QByteArray() } }
        << QStringLiteral("header name 'X");
    row("user name with a space") << ok << ok << ok << ok << ok << ok << ok << noProtocols
                                  << HeaderList { { "Bad Name", "v" } }
                                  << QStringLiteral("header name 'Bad Name' is not a valid HTTP token");
    row("user name with a colon") << ok << ok << ok << ok << ok << ok << ok << noProtocols
                                  << HeaderList { { "X:Y", "v" } } << QStringLiteral("header name 'X:Y'");
    row("empty user name") << ok << ok << ok << ok << ok << ok << ok << noProtocols
                           << HeaderList { { "", "v" } } << QStringLiteral("header name ''");
}

void TestHandshakeRequest::injection()
{
    QFETCH(QByteArray, resource);
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, origin);
    QFETCH(QByteArray, cookie);
    QFETCH(QByteArray, extensions);
    QFETCH(QByteArray, connection);
    QFETCH(QByteArray, key);
    QFETCH(QStringList, subprotocols);
    QFETCH(HeaderList, headers);
    QFETCH(QString, named);

    HandshakeRequestParams params = paramsFor(QStringLiteral("ws://example.com/"));
    if (!resource.isNull())
        params.url.resource = resource;
    params.host = host;
    params.origin = origin;
    params.cookie = cookie;
    params.extensions = extensions;
    params.connection = connection;
    if (!key.isNull())
        params.key = key;
    params.subprotocols = subprotocols;
    params.headers = headers;

    const HandshakeRequest request = buildHandshakeRequest(params);
    QCOMPARE(request.error, Error::InvalidArgument);
    QVERIFY2(request.errorString.contains(named), qPrintable(request.errorString));
    QVERIFY(request.bytes.isEmpty());
}

void TestHandshakeRequest::invalidUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("named");
    QTest::newRow("http") << QStringLiteral("http://example.com/")
                          << QStringLiteral("unsupported scheme 'http'");
    QTest::newRow("no host") << QStringLiteral("ws:///x") << QStringLiteral("no host");
    QTest::newRow("empty") << QString() << QStringLiteral("empty URL");
}

void TestHandshakeRequest::invalidUrl()
{
    QFETCH(QString, url);
    QFETCH(QString, named);
    const HandshakeRequest request = buildHandshakeRequest(paramsFor(url));
    QCOMPARE(request.error, Error::InvalidUrl);
    QVERIFY2(request.errorString.contains(named), qPrintable(request.errorString));
    QVERIFY(request.bytes.isEmpty());

    // A ParsedUrl filled by hand is checked too.
    HandshakeRequestParams params;
    params.url.port = 80;
    QCOMPARE(buildHandshakeRequest(params).error, Error::InvalidUrl);
}

QTEST_APPLESS_MAIN(TestHandshakeRequest)
#include "tst_handshakerequest.moc"
