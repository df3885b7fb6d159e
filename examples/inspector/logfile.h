// The log saved as JSON lines: one object per frame, readable with jq and loadable again.
//
//   {"time":"2024-05-01T12:00:00.123Z","direction":"out","opcode":"text","fin":true,"deflate":false,
//    "length":5,"text":"hello"}
//
// The payload is "text" when it is UTF-8 (text, ping, pong, continuation) and "base64" otherwise
// (binary data, Close frames); Close frames also carry "code" and "reason" for the reader.
#pragma once

#include "frameentry.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>

QT_BEGIN_NAMESPACE
class QIODevice;
QT_END_NAMESPACE

// One line, without the '\n'.
QByteArray toJsonLine(const FrameEntry &entry);
// False with \a error when \a line is not an object of the form above.
bool fromJsonLine(const QByteArray &line, FrameEntry *entry, QString *error);

// Writes \a entries to \a device, one line each; false with \a error when writing fails.
bool writeLog(QIODevice *device, const QList<FrameEntry> &entries, QString *error);
// Reads a whole log from \a device (empty lines are skipped); false with \a error naming the line
// at the first malformed one.
bool readLog(QIODevice *device, QList<FrameEntry> *entries, QString *error);
