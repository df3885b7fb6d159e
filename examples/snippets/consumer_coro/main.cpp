#include <WsClient/Coro>

#include <QtCore/qcoreapplication.h>

#include <cstdio>

QCoro::Task<int> run()
{
    WsClient::WebSocket ws;
    // Nothing listens on port 1 of the loopback interface: the failure is a value.
    const WsClient::Coro::Result opened
        = co_await WsClient::coro(ws).open(QUrl(QStringLiteral("ws://127.0.0.1:1/")));
    std::printf("%s\n", qPrintable(WsClient::errorName(opened.error())));
    co_return opened.error() == WsClient::Error::ConnectionRefused ? 0 : 1;
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    return QCoro::waitFor(run());
}
