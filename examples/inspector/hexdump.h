// Binary payloads for people: the classic offset / hex / ASCII dump, a one-line hex preview, and
// the hex the composer accepts.
#pragma once

#include <QtCore/qbytearray.h>
#include <QtCore/qstring.h>

// "00000010  48 65 6c 6c 6f 2c 20 57  6f 72 6c 64 21 0a 00 ff  |Hello, World!...|" lines, at most
// \a maxBytes of \a data (a last line says how many bytes were left out).
QString hexDump(const QByteArray &data, qsizetype maxBytes = 64 * 1024);

// "48 65 6c 6c 6f" for the first \a maxBytes bytes, "…" appended when there are more.
QString hexPreview(const QByteArray &data, qsizetype maxBytes);

// Hex digits with any whitespace, ',' or ':' between bytes and optional "0x" prefixes
// ("48 65 6c", "0x48,0x65", "48:65", "48656c"). False with \a error on any other character or an
// odd number of digits.
bool parseHex(const QString &text, QByteArray *bytes, QString *error);
