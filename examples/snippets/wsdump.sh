#!/usr/bin/env bash
# wsdump from a script (docs/getting-started.md). Under ctest the built wsdump is first on PATH and
# WSCLIENT_SNIPPET_URL is the local echo server.
set -euo pipefail
url=${WSCLIENT_SNIPPET_URL:-ws://127.0.0.1:8765}
#! [pipe]
printf 'Hello\nWorld\n' | wsdump --eof-wait 0.5 "$url/echo"
#! [pipe]
#! [raw]
wsdump -r --eof-wait 0.5 -t 'first message' "$url/echo" </dev/null
#! [raw]
