#include "sessionstatistics.h"

#include <QtCore/qlocale.h>

void SessionStatistics::count(const FrameEntry &entry)
{
    Counters &counters = entry.direction == Direction::Outgoing ? sent : received;
    ++counters.frames;
    counters.bytes += entry.payload.size();
    if (entry.isData() && entry.final)
        ++counters.messages;
}

QString SessionStatistics::summary() const
{
    const QLocale locale;
    const auto side = [&locale](const Counters &c) {
        return QStringLiteral("%1 msgs, %2").arg(c.messages).arg(locale.formattedDataSize(c.bytes));
    };
    const QString rtt
        = lastRoundTripMs < 0 ? QStringLiteral("–") : QStringLiteral("%1 ms").arg(lastRoundTripMs, 0, 'f', 2);
    return QStringLiteral("↑ %1 · ↓ %2 · ping %3").arg(side(sent), side(received), rtt);
}
