#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then configures, builds and runs a consumer of the
# Coro component that finds it only through find_package(WsClient COMPONENTS Coro).
set -euo pipefail
build=$1
source_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -f "$tmp/prefix/include/WsClient/coro.h" || { echo "test-install-coro: coro.h is not installed" >&2; exit 1; }
cmake -S "$source_dir/examples/snippets/consumer_coro" -B "$tmp/consumer" -G Ninja \
      -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}" "$tmp/consumer/coro_consumer"
# A component that does not exist is "not found", not an error in WsClientConfig.cmake.
mkdir "$tmp/missing"
printf 'cmake_minimum_required(VERSION 3.22)\nproject(M LANGUAGES CXX)\nfind_package(WsClient COMPONENTS Nope)\nif(WsClient_FOUND)\n  message(FATAL_ERROR "found a component that does not exist")\nendif()\n' \
  > "$tmp/missing/CMakeLists.txt"
cmake -S "$tmp/missing" -B "$tmp/missing/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
