#pragma once

#include <QtCore/qbytearray.h>
#include <QtCore/qbytearrayview.h>
#include <QtCore/qlist.h>
#include <QtCore/qpair.h>
#include <QtCore/qstring.h>

namespace WsClient::Protocol {

/*! HTTP header fields in received/sent order; names compare case-insensitively, repeats kept. */
using HeaderList = QList<QPair<QByteArray, QByteArray>>;

/*! The value of the first field named \a name, or a null array. */
QByteArray headerValue(const HeaderList &headers, QByteArrayView name);
/*!
    Every value of \a name, repeats and comma-separated lists joined with ", " (RFC 9110 §5.3).
    Null when there is no such field; empty (not null) when the fields are all empty.
*/
QByteArray combinedHeaderValue(const HeaderList &headers, QByteArrayView name);
/*! Whether \a name's combined value holds \a token as one of its comma-separated items (case-insensitive). */
bool headerHasToken(const HeaderList &headers, QByteArrayView name, QByteArrayView token);
/*! ASCII case-insensitive equality, as field names, tokens and extension names compare. */
bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b);
/*! True when \a text contains CR, LF or NUL: such names/values would allow header injection. */
bool containsLineBreak(QByteArrayView text);
/*! True for a tchar of RFC 9110 §5.6.2: letters, digits and !#$%&'*+-.^_`|~ */
bool isTokenChar(char c);
/*! True when \a text is a non-empty HTTP token (RFC 9110 §5.6.2), as field names must be. */
bool isHttpToken(QByteArrayView text);
/*! \a text without leading and trailing SP and HTAB (RFC 9110 "OWS"). */
QByteArrayView trimmedOws(QByteArrayView text);

/*!
    Calls \a fn with each non-empty item of the comma-separated list \a list (RFC 9110 §5.6.1),
    OWS trimmed; commas inside quoted strings do not split. Stops early when \a fn returns
    true, and returns whether it did.
*/
template<typename Fn> bool findListItem(QByteArrayView list, Fn &&fn)
{
    qsizetype itemStart = 0;
    bool quoted = false;
    bool escaped = false; // after a backslash inside a quoted string
    for (qsizetype i = 0; i <= list.size(); ++i) {
        if (i < list.size()) {
            const char c = list[i];
            if (escaped) {
                escaped = false;
                continue;
            }
            if (quoted && c == '\\') {
                escaped = true;
                continue;
            }
            if (c == '"')
                quoted = !quoted;
            if (quoted || c != ',')
                continue;
        }
        const QByteArrayView item = trimmedOws(list.sliced(itemStart, i - itemStart));
        if (!item.isEmpty() && fn(item))
            return true;
        itemStart = i + 1;
    }
    return false;
}

/*!
    \a bytes as readable text for error messages: printable ASCII as is, anything else as \xNN,
    cut after \a maxLength bytes (marked with "...").
*/
QString printableExcerpt(QByteArrayView bytes, qsizetype maxLength = 64);

} // namespace WsClient::Protocol
