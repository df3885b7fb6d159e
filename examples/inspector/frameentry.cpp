#include "frameentry.h"

using WsClient::Opcode;

namespace {

struct OpcodeName
{
    Opcode opcode;
    const char *name;
};

constexpr OpcodeName opcodeNames[] = {
    { Opcode::Continuation, "cont" },
    { Opcode::Text, "text" },
    { Opcode::Binary, "binary" },
    { Opcode::Close, "close" },
    { Opcode::Ping, "ping" },
    { Opcode::Pong, "pong" },
};

} // namespace

QString opcodeName(Opcode opcode)
{
    for (const OpcodeName &known : opcodeNames) {
        if (known.opcode == opcode)
            return QLatin1String(known.name);
    }
    return QStringLiteral("0x%1").arg(quint8(opcode), 0, 16);
}

bool opcodeFromName(const QString &name, Opcode *opcode)
{
    for (const OpcodeName &known : opcodeNames) {
        if (name == QLatin1String(known.name)) {
            *opcode = known.opcode;
            return true;
        }
    }
    if (name.startsWith(QLatin1String("0x"))) {
        bool ok = false;
        const uint value = name.mid(2).toUInt(&ok, 16);
        if (ok && value <= 0xF) {
            *opcode = Opcode(value);
            return true;
        }
    }
    return false;
}

QString directionArrow(Direction direction)
{
    return direction == Direction::Outgoing ? QStringLiteral("↑") : QStringLiteral("↓");
}
