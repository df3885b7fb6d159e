// One row of the inspector's log: a frame sent or received, as the inspector saw it.
#pragma once

#include <WsClient/enums.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qmetatype.h>
#include <QtCore/qstring.h>

enum class Direction : quint8 {
    Incoming, // ↓ from the server
    Outgoing, // ↑ sent by the inspector (or answered for it by the library: Pong, Close echo)
};

struct FrameEntry
{
    qint64 timeMs = 0; // milliseconds since the epoch, UTC
    Direction direction = Direction::Incoming;
    WsClient::Opcode opcode = WsClient::Opcode::Text;
    bool final = true;
    // The message went through permessage-deflate; payload holds it inflated, as the user sent or
    // received it, because compressed fragments of a shared LZ77 stream mean nothing on their own.
    bool compressed = false;
    QByteArray payload;

    bool isData() const { return quint8(opcode) < quint8(WsClient::Opcode::Close); }
};
Q_DECLARE_TYPEINFO(FrameEntry, Q_RELOCATABLE_TYPE);
Q_DECLARE_METATYPE(FrameEntry)

// "text", "binary", "cont", "close", "ping", "pong", or "0x3" for a reserved opcode.
QString opcodeName(WsClient::Opcode opcode);
// The inverse of opcodeName(); false when \a name is none of those.
bool opcodeFromName(const QString &name, WsClient::Opcode *opcode);
// "↑" or "↓".
QString directionArrow(Direction direction);
