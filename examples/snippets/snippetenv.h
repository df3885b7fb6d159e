// Where a documentation snippet finds its server. Under ctest, snippet_harness (tests/docs) starts a
// local python3-websockets peer and sets these variables; by hand, run any WebSocket echo server
// on 127.0.0.1:8765 (e.g. tests/servers/echo_server.py --port 8765) and the defaults apply.
#pragma once

#include <QtCore/qbytearray.h>
#include <QtCore/qstring.h>
#include <QtCore/qurl.h>

namespace Snippet {

inline QString env(const char *name, const char *fallback = "")
{
    return qEnvironmentVariableIsSet(name) ? qEnvironmentVariable(name) : QString::fromUtf8(fallback);
}

// The server's URL with pathAndQuery appended, e.g. ws://127.0.0.1:8765/echo.
inline QUrl url(const QString &pathAndQuery = QStringLiteral("/"))
{
    return QUrl(env("WSCLIENT_SNIPPET_URL", "ws://127.0.0.1:8765") + pathAndQuery);
}

} // namespace Snippet
