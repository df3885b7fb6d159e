#include "console.h"

namespace {

// ANSI sequences: back to column 0 and clear the line (the prompt), blue text, default colour.
const QLatin1String ClearLine("\r\033[2K");
const QLatin1String Blue("\033[34m");
const QLatin1String DefaultColour("\033[39m");
const QLatin1String Prompt("> ");

} // namespace

Console::Console(const Style &style, const QElapsedTimer &clock) : m_style(style), m_clock(clock) { }

void Console::printReceived(const QString &message)
{
    QString line = message;
    if (m_style.timings)
        line = QString::number(double(m_clock.nsecsElapsed()) / 1e9, 'f', 6) + QStringLiteral(": ") + line;
    if (!m_style.raw)
        line = QStringLiteral("< ") + line;
    if (m_style.colours)
        line = Blue + line + DefaultColour;
    if (m_promptShown)
        line = ClearLine + line;
    line += QLatin1Char('\n');
    // One write with the new prompt, so the terminal never shows a line without it.
    m_promptShown = m_style.interactive;
    if (m_promptShown)
        line += Prompt;
    write(stdout, line);
}

void Console::prompt()
{
    if (!m_style.interactive)
        return;
    write(stdout, Prompt);
    m_promptShown = true;
}

void Console::info(const QString &message)
{
    if (m_style.raw || m_style.quiet)
        return;
    write(stderr, message + QLatin1Char('\n'));
}

void Console::error(const QString &message)
{
    finish();
    write(stderr, QStringLiteral("wsdump: error: ") + message + QLatin1Char('\n'));
}

void Console::finish()
{
    if (!m_promptShown)
        return;
    write(stdout, QStringLiteral("\n"));
    m_promptShown = false;
}

void Console::write(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}
