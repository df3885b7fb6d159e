#!/usr/bin/env bash
# A static WsClient (BUILD_SHARED_LIBS=OFF): configures and builds the library alone into
# STATIC_BUILD_DIR (unoptimised, no debug info: the build is what this test costs), then runs the same
# checks as for the shared build on it: the CMake package installed, moved and consumed by the consumer
# project (test-install.sh: find_dependency(ZLIB) and Qt for the static library's link), and the
# pkg-config file with --static (test-pkgconfig.sh).
#   test-install-static.sh STATIC_BUILD_DIR SOURCE_DIR
set -euo pipefail
static_build=$1
source_dir=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

start=$SECONDS
cmake -S "$source_dir" -B "$static_build" -G Ninja -DBUILD_SHARED_LIBS=OFF \
      -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DWSCLIENT_WERROR=ON \
      -DWSCLIENT_BUILD_TESTS=OFF -DWSCLIENT_BUILD_EXAMPLES=OFF -DWSCLIENT_BUILD_QML=OFF \
      >"$static_build.configure.log" 2>&1 || { cat "$static_build.configure.log"; fail "configure"; }
cmake --build "$static_build" -j "${WSCLIENT_TEST_BUILD_JOBS:-2}" >"$static_build.build.log" 2>&1 \
  || { tail -n 50 "$static_build.build.log"; fail "the static build"; }
ls "$static_build"/src/libWsClient.a >/dev/null || fail "no libWsClient.a"
echo "static build: $((SECONDS - start)) s"

bash "$here/test-pkgconfig.sh" "$static_build" "$source_dir"
bash "$here/test-install.sh" "$static_build" "$source_dir" # last: ctest checks the consumer's output
