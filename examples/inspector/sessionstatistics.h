// Counters of a session: messages and payload bytes each way, and the last ping's round trip.
#pragma once

#include "frameentry.h"

#include <QtCore/qstring.h>

struct SessionStatistics
{
    struct Counters
    {
        qint64 frames = 0;
        qint64 messages = 0; // data messages: a fragmented one counts once, at its last frame
        qint64 bytes = 0; // payload bytes of every frame, control frames included
    };
    Counters sent;
    Counters received;
    double lastRoundTripMs = -1; // -1 until a pong answered one of the inspector's pings

    void count(const FrameEntry &entry);
    // "↑ 3 msgs, 57 bytes · ↓ 3 msgs, 57 bytes · ping 0.42 ms"
    QString summary() const;
};
