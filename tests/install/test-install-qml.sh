#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then runs a QML file that says `import WsClient`
# with only that prefix's QML directory on QML_IMPORT_PATH and no LD_LIBRARY_PATH: the installed
# plugin, and through its RPATH the installed libWsClient, exchange a message with a real echo server.
#   test-install-qml.sh BUILD_DIR SOURCE_DIR QML_DIR (relative to the prefix, e.g. lib/qml)
set -euo pipefail
build=$1
source_dir=$2
qml_dir=$3
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3
if ! "$python" -c 'import websockets' 2>/dev/null; then
  echo "SKIP: $python has no websockets module (apt-get install python3-websockets)"
  exit 77
fi

tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
module=$prefix/$qml_dir/WsClient
for f in qmldir WsClientQml.qmltypes; do
  [ -f "$module/$f" ] || { echo "FAIL: $module/$f was not installed"; ls -R "$prefix"; exit 1; }
done
plugin=$(find "$module" -name 'lib*.so' | head -n1)
[ -n "$plugin" ] || { echo "FAIL: no plugin in $module"; exit 1; }
runpath=$(readelf -d "$plugin" | sed -n 's/.*R\(UN\)\?PATH.*\[\(.*\)\]/\2/p')
echo "installed plugin: ${plugin#"$prefix"/} (RUNPATH ${runpath:-none})"
case "$runpath" in
  *"$build"*) echo "FAIL: the installed plugin still points into the build tree"; exit 1 ;;
esac

cmake -S "$here/qmlrunner" -B "$tmp/runner" -G Ninja >/dev/null
cmake --build "$tmp/runner" >/dev/null

coproc server { exec "$python" "$source_dir/tests/servers/echo_server.py" 2>"$tmp/server.log"; }
server_pid=$server_PID
if ! read -r -t 15 ready <&"${server[0]}"; then
  echo "FAIL: the echo server did not start"; cat "$tmp/server.log"; exit 1
fi
port=${ready#LISTENING }

set +e
env -u LD_LIBRARY_PATH -u QML2_IMPORT_PATH QML_IMPORT_PATH="$prefix/$qml_dir" \
  "$tmp/runner/qml-runner" "$here/qmlrunner/echo.qml" "ws://127.0.0.1:$port/echo" >"$tmp/run.log" 2>&1
code=$?
set -e
cat "$tmp/run.log"
[ "$code" -eq 0 ] || { echo "FAIL: qml-runner exited with $code"; exit 1; }
grep -q "echo: hello from an installed WsClient$" "$tmp/run.log" || { echo "FAIL: no echo"; exit 1; }
echo "install_qml: passed"
