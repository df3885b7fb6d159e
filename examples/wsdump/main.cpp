// wsdump: a command-line WebSocket client, the native port of websocket-client's wsdump.py.
//   echo hello | wsdump ws://127.0.0.1:8765/       ->  < hello
// Interactive with a prompt when stdin is a terminal; each line of a pipe is one text message.
#include "console.h"
#include "dumpoptions.h"
#include "session.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qsocketnotifier.h>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int signalPipe[2] = { -1, -1 };

void onInterrupt(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(signalPipe[1], &byte, 1);
}

// Ctrl+C (and SIGTERM) close the connection properly instead of dropping it: the handler only wakes
// the event loop, which does the closing. A second Ctrl+C while closing ends at once.
void closeOnInterrupt(Session &session)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, &session);
    QObject::connect(notifier, &QSocketNotifier::activated, &session, [&session, interrupts = 0]() mutable {
        char byte;
        [[maybe_unused]] const ssize_t read = ::read(signalPipe[0], &byte, 1);
        if (++interrupts > 1)
            std::_Exit(130);
        session.closeGracefully();
    });
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

Console::Style consoleStyle(const DumpOptions &options)
{
    Console::Style style;
    style.raw = options.raw;
    style.interactive = ::isatty(STDIN_FILENO) && !options.raw;
    style.colours = ::isatty(STDOUT_FILENO) && !options.raw;
    style.quiet = options.quiet;
    style.timings = options.timings;
    return style;
}

} // namespace

int main(int argc, char **argv)
{
    QElapsedTimer clock;
    clock.start();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("wsdump"));

    const ParsedCommandLine command = parseCommandLine(QCoreApplication::arguments());
    switch (command.outcome) {
    case ParsedCommandLine::Outcome::ShowHelp:
    case ParsedCommandLine::Outcome::ShowVersion:
        std::fputs(command.text.toLocal8Bit().constData(), stdout);
        return 0;
    case ParsedCommandLine::Outcome::Error:
        std::fprintf(stderr, "wsdump: error: %s\n", command.text.toLocal8Bit().constData());
        return 2;
    case ParsedCommandLine::Outcome::Run:
        break;
    }

    Console console(consoleStyle(command.options), clock);
    Session session(command.options, console);
    QObject::connect(&session, &Session::finished, &app, &QCoreApplication::exit, Qt::QueuedConnection);
    if (!session.start())
        return 2;
    closeOnInterrupt(session);
    return app.exec();
}
