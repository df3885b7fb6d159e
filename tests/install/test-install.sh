#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, MOVES the prefix elsewhere, then, from there and
# with a clean environment (no LD_LIBRARY_PATH):
#   - runs the installed tools (wsdump --help, wsinspector --help) from ${CMAKE_INSTALL_BINDIR}, and
#     checks their RUNPATH (and the QML plugin's) is relative to $ORIGIN and names no build path;
#   - asks the CMake package for components (Qml, a missing one optional and required) and checks the
#     generated version header against the package version;
#   - configures, builds and runs the consumer project (examples/snippets/consumer) that finds
#     WsClient only through find_package: its output is what ctest checks.
# Works for a shared and a static build tree (install_consumer, install_static).
#   test-install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export WSCLIENT_CLEAN_HOME=$tmp/home
bindir=$(cache_value "$build" CMAKE_INSTALL_BINDIR)
libdir=$(cache_value "$build" CMAKE_INSTALL_LIBDIR)
qml_dir=$(cache_value "$build" WSCLIENT_INSTALL_QMLDIR)
version=$(cache_value "$build" CMAKE_PROJECT_VERSION)
shared=$(cache_value "$build" BUILD_SHARED_LIBS)

cmake --install "$build" --prefix "$tmp/installed" >/dev/null
mv "$tmp/installed" "$tmp/moved" # nothing may depend on where the prefix was installed
prefix=$tmp/moved
echo "installed and moved: ${shared:+BUILD_SHARED_LIBS=$shared} bindir=$bindir libdir=$libdir version=$version"

# The tools come with the library when the examples (or the tools) are built.
if [ -x "$build/examples/wsdump/wsdump" ]; then
  for tool in wsdump wsinspector; do
    [ -x "$prefix/$bindir/$tool" ] || fail "$bindir/$tool is not installed"
    case "$shared" in
      ON | '') check_runpath "$prefix/$bindir/$tool" "$build" "$tmp/installed" ;;
    esac
    run_clean "$prefix/$bindir/$tool" --help >"$tmp/$tool.help" 2>&1 \
      || { cat "$tmp/$tool.help"; fail "$bindir/$tool --help does not run from the moved prefix"; }
    echo "$bindir/$tool --help: $(head -n1 "$tmp/$tool.help")"
  done
  grep -q -- '--eof-wait EOF_WAIT' "$tmp/wsdump.help" || fail "wsdump --help does not describe --eof-wait"
  grep -q 'A GUI inspector for WebSocket connections' "$tmp/wsinspector.help" || fail "wsinspector --help"
fi
plugin=
if [ -n "$qml_dir" ] && [ -d "$prefix/$qml_dir/WsClient" ]; then
  plugin=$(find "$prefix/$qml_dir/WsClient" -name 'lib*.so' | head -n1)
  [ -n "$plugin" ] || fail "no QML plugin in $qml_dir/WsClient"
  [ "$shared" = OFF ] || check_runpath "$plugin" "$build" "$tmp/installed"
fi

# The CMake package: components and version.
probe() { # probe NAME PROBE: configure and build the probe project, then run version-probe
  cmake -S "$here/probe" -B "$tmp/probe-$1" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DPROBE="$2" \
        -DEXPECT_VERSION="$version" >"$tmp/probe-$1.log" 2>&1 \
    || { cat "$tmp/probe-$1.log"; fail "find_package(WsClient) for probe $1"; }
  grep 'PROBE' "$tmp/probe-$1.log" || true
  cmake --build "$tmp/probe-$1" >"$tmp/probe-$1.build.log" 2>&1 \
    || { cat "$tmp/probe-$1.build.log"; fail "version-probe does not build (probe $1)"; }
  run_clean "$tmp/probe-$1/version-probe" || fail "the versions differ (probe $1)"
}
if [ -n "$plugin" ]; then
  probe qml qml
  grep -q "PROBE qml import path: $prefix/$qml_dir\$" "$tmp/probe-qml.log" \
    || fail "WsClient_QML_IMPORT_PATH is not $prefix/$qml_dir"
else
  probe plain ""
fi
probe optional optional-bogus
if cmake -S "$here/probe" -B "$tmp/probe-required" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
         -DPROBE=required-bogus >"$tmp/probe-required.log" 2>&1; then
  cat "$tmp/probe-required.log"
  fail "find_package(WsClient REQUIRED COMPONENTS Bogus) did not fail"
fi
grep -q 'no component Bogus' "$tmp/probe-required.log" \
  || { cat "$tmp/probe-required.log"; fail "the missing component is not named"; }
echo "find_package(WsClient REQUIRED COMPONENTS Bogus) fails: $(grep -o 'WsClient Bogus: .*' "$tmp/probe-required.log")"

# The consumer, last: ctest passes on its output.
cmake -S "$source_dir/examples/snippets/consumer" -B "$tmp/consumer" -G Ninja \
      -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/consumer.log" 2>&1 || { cat "$tmp/consumer.log"; fail "consumer configure"; }
cmake --build "$tmp/consumer" >"$tmp/consumer.build.log" 2>&1 || { cat "$tmp/consumer.build.log"; fail "consumer build"; }
run_clean "$tmp/consumer/consumer"
