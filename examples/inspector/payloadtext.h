// What the log table, the search and the detail pane show of a payload.
#pragma once

#include "frameentry.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qstring.h>

// \a data is valid UTF-8 (and so can be shown as text).
bool isUtf8(const QByteArray &data);

// A Close payload taken apart: \a code is 1005 (no status) for an empty payload.
struct ClosePayload
{
    int code = 1005;
    QString reason;
};
ClosePayload parseClosePayload(const QByteArray &payload);
// The payload of a Close frame carrying \a code (none for 1005) and \a reason.
QByteArray closePayload(int code, const QString &reason);

// One line for the table: text with line breaks shown as "⏎", "4000 bye" for a Close, hex for
// binary data or anything that is not UTF-8; at most \a maxChars characters.
QString payloadPreview(const FrameEntry &entry, qsizetype maxChars = 200);
// The whole payload as the detail pane's Text tab shows it (and the search looks through).
QString payloadText(const FrameEntry &entry);
// Indented JSON when \a payload is a JSON object or array, else a null string.
QString prettyJson(const QByteArray &payload);
