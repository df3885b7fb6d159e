#!/usr/bin/env bash
# The Debian packages, round trip: builds them with scripts/build-deb (into BUILD_DIR/deb, incremental),
# checks their control fields, then, in a private mount namespace where /usr, /etc and /var are
# overlays on a tmpfs (what dpkg does there never reaches this machine):
#   - dpkg -i all of them (their dependencies are installed by scripts/install-deps),
#   - runs /usr/bin/wsdump --help and wsinspector --help (no RUNPATH, clean environment),
#   - builds the consumer project against the system install (find_package, no CMAKE_PREFIX_PATH;
#     with COMPONENTS Qml) and the consumer program with pkg-config (no PKG_CONFIG_PATH), runs both,
#   - runs a QML file that says `import WsClient` with no QML_IMPORT_PATH against a local echo server,
#   - dpkg --purge all of them, and fails if any file they installed, or any other file but dpkg's
#     own records and logs, is left in the overlays (or anything of the machine's was removed).
#   test-deb.sh BUILD_DIR SOURCE_DIR
# It execs itself into its own mount namespace (--inside) before it mounts over /usr, /etc and /var.
# Needs root and mount namespaces (unshare -m); exits 77 (skipped) without them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if [ "${1:-}" = --inside ]; then
  inside=1
  shift
fi
build=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
packages=$build/deb/packages

if [ -z "${inside:-}" ]; then
  if [ "$(id -u)" -ne 0 ] || ! unshare --mount --propagation private true 2>/dev/null; then
    echo "SKIP: needs root and a mount namespace (unshare -m) to install the packages apart from the machine"
    exit 77
  fi
  for tool in dpkg-deb dpkg-shlibdeps cpack; do
    command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps)"
  done
  start=$SECONDS
  JOBS=${WSCLIENT_TEST_BUILD_JOBS:-2} bash "$source_dir/scripts/build-deb" "$build/deb" >"$build/deb.log" 2>&1 \
    || { tail -n 60 "$build/deb.log"; fail "scripts/build-deb"; }
  echo "scripts/build-deb: $((SECONDS - start)) s"
fi
# The packages' version (project version, Debian release 1), outside and inside the namespace.
version=$(cache_value "$build/deb" CMAKE_PROJECT_VERSION)-1
if [ -z "${inside:-}" ]; then
  expect_field() { # expect_field PACKAGE FIELD PATTERN (grep -E)
    local value
    value=$(dpkg-deb -f "$packages/$1_${version}_amd64.deb" "$2") || fail "no package $1 $version"
    echo "$1 $2: $value"
    grep -Eq "$3" <<<"$value" || fail "$1: $2 does not match $3"
  }
  expect_field libwsclient0 Depends 'libqt6network6'
  expect_field libwsclient-dev Depends "libwsclient0 \\(= $version\\)"
  expect_field libwsclient-dev Depends 'qt6-base-dev'
  expect_field wsclient-tools Depends "libwsclient0 \\(= $version\\).*libqt6widgets6"
  expect_field wsclient-tools Conflicts '^python3-websocket$'
  expect_field qml6-module-wsclient Depends "libwsclient0 \\(= $version\\).*libqt6qml6"
  dpkg-deb --ctrl-tarfile "$packages/libwsclient0_${version}_amd64.deb" | tar -xO ./shlibs \
    | grep -qx "libWsClient 0 libwsclient0 (= $version)" || fail "libwsclient0 has no shlibs entry"
  exec unshare --mount --propagation private bash "$0" --inside "$build" "$source_dir"
fi

# In the namespace from here on; refuse to mount over the machine's /usr, /etc and /var.
if [ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/1/ns/mnt)" ]; then
  fail "--inside outside a private mount namespace"
fi
tmp=$(mktemp -d)
server_pid=
# Never bind-mount the machine's own tree below $tmp: `rm -rf` would walk into it and delete the
# machine's files. The overlays are unmounted first, and nothing is removed while any mount is left
# below $tmp; the removal stays on $tmp's file system.
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  umount /usr /etc /var 2>/dev/null || true
  umount "$tmp/overlay" 2>/dev/null || true
  if grep -q " $tmp" /proc/self/mounts; then
    echo "test-deb: mounts left below $tmp, not removing it" >&2
    return
  fi
  rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
export WSCLIENT_CLEAN_HOME=$tmp/home
mkdir "$tmp/overlay"
mount -t tmpfs wsclient-deb-test "$tmp/overlay"
for dir in usr etc var; do
  mkdir "$tmp/overlay/$dir" "$tmp/overlay/$dir.work"
  mount -t overlay overlay -o "lowerdir=/$dir,upperdir=$tmp/overlay/$dir,workdir=$tmp/overlay/$dir.work" "/$dir"
done

# The directories there are before the packages come, to tell what the packages leave behind.
find /usr /etc /var -xdev -type d 2>/dev/null | sort >"$tmp/dirs.before"
names=(libwsclient0 libwsclient-dev wsclient-tools qml6-module-wsclient)
# python3-websocket's /usr/bin/wsdump is the same tool: dpkg must refuse the tools while it is there
# (a conflict, not an overwritten file), and it goes first here, in the overlay only.
: >"$tmp/replaced"
if dpkg-query -W -f='${Status}' python3-websocket 2>/dev/null | grep -q 'install ok installed'; then
  if dpkg -i "$packages"/wsclient-tools_*.deb >"$tmp/dpkg-conflict.log" 2>&1; then
    fail "dpkg -i wsclient-tools succeeded next to python3-websocket"
  fi
  grep -q 'conflicts with python3-websocket' "$tmp/dpkg-conflict.log" \
    || { cat "$tmp/dpkg-conflict.log"; fail "dpkg did not name the conflict with python3-websocket"; }
  echo "dpkg -i wsclient-tools next to python3-websocket: refused (conflict)"
  dpkg -L python3-websocket >"$tmp/replaced"
  dpkg --purge python3-websocket >"$tmp/dpkg-purge-peer.log" 2>&1 \
    || { cat "$tmp/dpkg-purge-peer.log"; fail "dpkg --purge python3-websocket (in the overlay)"; }
fi
dpkg -i "$packages"/*.deb >"$tmp/dpkg-install.log" 2>&1 || { cat "$tmp/dpkg-install.log"; fail "dpkg -i"; }
for name in "${names[@]}"; do
  dpkg-query -W -f='${Status}' "$name" | grep -q 'install ok installed' || fail "$name is not installed"
  dpkg -L "$name" >>"$tmp/owned"
done
echo "dpkg -i: installed ${names[*]} ($(wc -l <"$tmp/owned") paths)"

for tool in wsdump wsinspector; do
  [ -x "/usr/bin/$tool" ] || fail "/usr/bin/$tool is missing"
  ! readelf -d "/usr/bin/$tool" | grep -Eq '\((RUNPATH|RPATH)\)' || fail "/usr/bin/$tool has a RUNPATH"
  run_clean "/usr/bin/$tool" --help >"$tmp/$tool.help" 2>&1 || { cat "$tmp/$tool.help"; fail "$tool --help"; }
  echo "/usr/bin/$tool --help: $(head -n1 "$tmp/$tool.help")"
done
grep -q -- '--eof-wait EOF_WAIT' "$tmp/wsdump.help" || fail "wsdump --help does not describe --eof-wait"

# CMake: the system package, with the QML component, and the version header.
cmake -S "$here/probe" -B "$tmp/probe" -G Ninja -DPROBE=qml -DEXPECT_VERSION="${version%-1}" \
      >"$tmp/probe.log" 2>&1 || { cat "$tmp/probe.log"; fail "find_package(WsClient REQUIRED COMPONENTS Qml)"; }
grep 'PROBE qml import path' "$tmp/probe.log"
grep -q "PROBE qml import path: /usr/lib/.*/qt6/qml$" "$tmp/probe.log" || fail "the QML module is not in Qt's QML directory"
cmake --build "$tmp/probe" >"$tmp/probe.build.log" 2>&1 || { cat "$tmp/probe.build.log"; fail "version-probe"; }
run_clean "$tmp/probe/version-probe"
cmake -S "$source_dir/examples/snippets/consumer" -B "$tmp/consumer" -G Ninja >"$tmp/consumer.log" 2>&1 \
  || { cat "$tmp/consumer.log"; fail "the consumer does not configure against the system install"; }
grep -q "WsClient_DIR:PATH=/usr/lib/" "$tmp/consumer/CMakeCache.txt" || fail "the consumer found another WsClient"
cmake --build "$tmp/consumer" >"$tmp/consumer.build.log" 2>&1 || { cat "$tmp/consumer.build.log"; fail "consumer build"; }
run_clean "$tmp/consumer/consumer" | tee "$tmp/consumer.out"
grep -qx '818537fa213d7f9f4d5158 0' "$tmp/consumer.out" || fail "the consumer printed the wrong frame"

# pkg-config, from the system's search path.
flags=$(env -u PKG_CONFIG_PATH pkg-config --cflags --libs WsClient) || fail "pkg-config WsClient"
echo "pkg-config --cflags --libs WsClient: $flags"
# shellcheck disable=SC2086
g++ -std=c++17 -o "$tmp/consumer-pc" "$source_dir/examples/snippets/consumer/main.cpp" $flags \
  || fail "the consumer does not build with pkg-config's flags"
run_clean "$tmp/consumer-pc" | grep -qx '818537fa213d7f9f4d5158 0' || fail "the pkg-config consumer"

# QML: `import WsClient` from Qt's own QML directory, nothing on QML_IMPORT_PATH.
python=/usr/bin/python3
if "$python" -c 'import websockets' 2>/dev/null; then
  cmake -S "$here/qmlrunner" -B "$tmp/runner" -G Ninja >/dev/null && cmake --build "$tmp/runner" >/dev/null \
    || fail "qml-runner does not build"
  coproc server { exec "$python" "$source_dir/tests/servers/echo_server.py" 2>"$tmp/server.log"; }
  server_pid=$server_PID
  read -r -t 15 ready <&"${server[0]}" || { cat "$tmp/server.log"; fail "the echo server did not start"; }
  run_clean "$tmp/runner/qml-runner" "$here/qmlrunner/echo.qml" "ws://127.0.0.1:${ready#LISTENING }/echo" \
    >"$tmp/qml.log" 2>&1 || { cat "$tmp/qml.log"; fail "the QML module from the package"; }
  grep "echo:" "$tmp/qml.log"
  kill "$server_pid" && server_pid=
else
  echo "(no python3-websockets: the QML module's exchange is not tried)"
fi

# Removal leaves nothing behind.
dpkg --purge "${names[@]}" >"$tmp/dpkg-purge.log" 2>&1 || { cat "$tmp/dpkg-purge.log"; fail "dpkg --purge"; }
for name in "${names[@]}"; do
  ! dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q installed || fail "$name is still installed"
done
while read -r path; do
  [ "$path" = /. ] && continue
  if [ -e "$path" ] || [ -L "$path" ]; then
    [ -d "$path" ] && grep -qxF "$path" "$tmp/dirs.before" && continue # the machine had it before
    fail "$path is left behind"
  fi
done <"$tmp/owned"
# Whatever dpkg wrote to the overlays besides its database and logs (ldconfig's cache is rebuilt).
# (The whiteouts of python3-websocket's files, purged above, are the only deletions expected.)
left=$(cd "$tmp/overlay" && find usr etc var \( -path var/lib/dpkg -o -path var/log \) -prune -o \
  \( -path etc/ld.so.cache -o -path var/cache/ldconfig/aux-cache \) -prune -o \( ! -type d -print \) |
  while read -r path; do
    if [ -c "$tmp/overlay/$path" ] && grep -qxF "/$path" "$tmp/replaced"; then continue; fi
    echo "$path"
  done)
for dir in $(cd "$tmp/overlay" && find usr etc var -type d); do
  grep -qxF "/$dir" "$tmp/dirs.before" || left="$left $dir/"
done
[ -z "$left" ] || fail "left behind after dpkg --purge: $left"
echo "dpkg --purge: nothing left behind"
echo "install_deb: passed"
