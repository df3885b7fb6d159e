#!/usr/bin/env bash
# The pkg-config file, for builds without CMake: installs the build tree into a temporary prefix,
# moves the prefix, then compiles the consumer program (examples/snippets/consumer/main.cpp) with
# nothing but `pkg-config --cflags --libs WsClient` (--static for a static build) and runs it in a
# clean environment. The rpath given to the linker is pkg-config's libdir: the .pc file must point
# into the moved prefix.
#   test-pkgconfig.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export WSCLIENT_CLEAN_HOME=$tmp/home
libdir=$(cache_value "$build" CMAKE_INSTALL_LIBDIR)
version=$(cache_value "$build" CMAKE_PROJECT_VERSION)
static=
[ "$(cache_value "$build" BUILD_SHARED_LIBS)" != OFF ] || static=--static

cmake --install "$build" --prefix "$tmp/installed" >/dev/null
mv "$tmp/installed" "$tmp/moved"
prefix=$tmp/moved
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
[ -f "$PKG_CONFIG_PATH/WsClient.pc" ] || fail "$libdir/pkgconfig/WsClient.pc is not installed"

pc() { pkg-config "$@" WsClient || fail "pkg-config $* WsClient"; }
[ "$(pc --modversion)" = "$version" ] || fail "pkg-config --modversion: $(pc --modversion), not $version"
pc_prefix=$(cd "$(pc --variable=prefix)" && pwd -P)
[ "$pc_prefix" = "$(cd "$prefix" && pwd -P)" ] || fail "the .pc file's prefix is $pc_prefix, not the moved prefix"
flags=$(pc --cflags --libs $static)
echo "pkg-config --cflags --libs $static WsClient: $flags"

# shellcheck disable=SC2086 # the flags are words
g++ -std=c++17 -o "$tmp/consumer" "$source_dir/examples/snippets/consumer/main.cpp" $flags \
    -Wl,-rpath,"$(pc --variable=libdir)" || fail "the consumer does not build with pkg-config's flags"
run_clean "$tmp/consumer" | tee "$tmp/out"
grep -qx '818537fa213d7f9f4d5158 0' "$tmp/out" || fail "the pkg-config consumer printed the wrong frame"
echo "install_pkgconfig: passed${static:+ (static)}"
