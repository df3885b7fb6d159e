// libFuzzer target for WsClient::parseUrl: the input is the URL text (UTF-8).
//
// Checked for every input: a valid result has a non-empty host fit for a Host header, a port in
// 1..65535 (the scheme's default unless one was spelled), and a resource that starts with '/' and
// is visible ASCII; the QUrl overload agrees on host, port and scheme; and a valid URL always
// gives a handshake request whose request line carries that resource. An invalid result says why.

#include "fuzzsupport.h"

#include "protocol/handshakerequest.h"

#include <WsClient/url.h>

#include <QtCore/qstring.h>
#include <QtCore/qurl.h>

using namespace WsClient;
using namespace WsClient::Protocol;

namespace {

bool isVisibleAscii(QByteArrayView text)
{
    for (const char c : text) {
        if (uchar(c) <= 0x20 || uchar(c) >= 0x7F)
            return false;
    }
    return true;
}

void checkValid(const ParsedUrl &url, const QString &text)
{
    FUZZ_CHECK(url.errorString.isEmpty());
    FUZZ_CHECK(!url.host.isEmpty());
    FUZZ_CHECK(url.port >= 1); // quint16: at most 65535
    if (!url.hasExplicitPort)
        FUZZ_CHECK(url.isDefaultPort());
    FUZZ_CHECK(url.resource.startsWith('/'));
    FUZZ_CHECK(isVisibleAscii(url.resource));
    // The host goes into the Host header and the CONNECT line: nothing that ends or splits them.
    for (const QChar c : url.host)
        FUZZ_CHECK(
            c.unicode() > 0x20 && c != QLatin1Char('/') && c != QLatin1Char('?') && c != QLatin1Char('#'));
    const bool textSaysSecure = text.trimmed().startsWith(QLatin1String("wss:"), Qt::CaseInsensitive);
    FUZZ_CHECK(url.secure == textSaysSecure);
    FUZZ_CHECK(!url.hostAndPort().isEmpty());
}

void checkRequest(const ParsedUrl &url)
{
    HandshakeRequestParams params;
    params.url = url;
    params.key = QByteArray("dGhlIHNhbXBsZSBub25jZQ==");
    const HandshakeRequest request = buildHandshakeRequest(params);
    FUZZ_CHECK(request.error == Error::NoError);
    const QByteArray requestLine = "GET " + url.resource + " HTTP/1.1\r\n";
    FUZZ_CHECK(request.bytes.startsWith(requestLine));
    FUZZ_CHECK(request.bytes.endsWith("\r\n\r\n"));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const ParsedUrl url = parseUrl(text);
    if (!url.isValid()) {
        FUZZ_CHECK(url.error == Error::InvalidUrl);
        FUZZ_CHECK(!url.errorString.isEmpty());
        return 0;
    }
    checkValid(url, text);
    checkRequest(url);

    // The QUrl overload sees the same URL (normalised by QUrl, so only the resource may differ).
    const ParsedUrl viaQUrl = parseUrl(QUrl(text, QUrl::StrictMode));
    FUZZ_CHECK(viaQUrl.isValid());
    FUZZ_CHECK(viaQUrl.host == url.host);
    FUZZ_CHECK(viaQUrl.port == url.port);
    FUZZ_CHECK(viaQUrl.secure == url.secure);
    FUZZ_CHECK(viaQUrl.hasExplicitPort == url.hasExplicitPort);
    FUZZ_CHECK(viaQUrl.resource.startsWith('/'));
    return 0;
}
