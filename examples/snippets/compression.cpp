// permessage-deflate (RFC 7692) (docs/examples.md, "Compression").
#include "snippetenv.h"

#include <WsClient/CompressionOptions>
#include <WsClient/WebSocket>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdebug.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QUrl url = Snippet::url(QStringLiteral("/"));

    //! [enable]
    WsClient::ConnectOptions options;
    options.setCompression(WsClient::CompressionOptions::enabledDefaults()); // offer permessage-deflate
    auto ws = WsClient::WebSocket::connectTo(url, options);
    // Whether the server accepted, and with which parameters:
    const WsClient::CompressionOptions agreed = ws->compression();
    qInfo() << "permessage-deflate:" << agreed.isEnabled(); // ws->extensions() has the header as sent
    //! [enable]
    ws->sendText(QString(1000, QLatin1Char('a')));
    qInfo() << "echoed" << ws->receive(5000).text().size() << "characters";
    ws->close();
    ws->waitForDisconnected();

    //! [tune]
    WsClient::CompressionOptions deflate;
    deflate.setEnabled(true);
    deflate.setClientNoContextTakeover(true); // reset our compressor after each message: less memory
    deflate.setServerNoContextTakeover(true); // ask the server to do the same
    deflate.setServerMaxWindowBits(10); // ask the server for a 1 KiB window
    deflate.setCompressionLevel(1); // local zlib settings: fast ...
    deflate.setMinimumSize(256); // ... and not worth it below 256 bytes
    deflate.setMaxDecompressedSize(16 * 1024 * 1024); // a message inflating past 16 MiB closes with 1009
    options.setCompression(deflate);
    //! [tune]
    ws = WsClient::WebSocket::connectTo(url, options);
    qInfo() << "tuned:" << ws->compression().isEnabled() << ws->compression().serverMaxWindowBits();
    ws->close();
    ws->waitForDisconnected();
    return 0;
}
