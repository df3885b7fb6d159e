// wsdump's terminal side: the prompt, received lines and informational messages.
#pragma once

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qstring.h>

#include <cstdio>

class Console
{
public:
    struct Style
    {
        bool interactive = false; // stdin is a terminal: prompt "> "
        bool raw = false; // messages only
        bool colours = false; // stdout is a terminal
        bool quiet = false; // no informational lines
        bool timings = false; // received lines prefixed with seconds since start
    };

    Console(const Style &style, const QElapsedTimer &clock);

    // A received message (or, verbose, a control frame), decorated as the style says.
    void printReceived(const QString &message);
    // Shows "> " when interactive.
    void prompt();
    // An informational line on stderr (not in raw or quiet mode).
    void info(const QString &message);
    // A one-line error on stderr, always shown.
    void error(const QString &message);
    // Ends an open prompt line so the shell's prompt starts on a fresh line.
    void finish();

    const Style &style() const { return m_style; }

private:
    void write(FILE *stream, const QString &text);

    Style m_style;
    const QElapsedTimer &m_clock;
    bool m_promptShown = false;
};
