#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then configures, builds and runs a consumer
# project that finds WsClient only through find_package.
set -euo pipefail
build=$1
source_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$source_dir/examples/snippets/consumer" -B "$tmp/consumer" -G Ninja \
      -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
# The tools come with the library when the examples are built (checked before the consumer
# runs: ctest passes on the consumer's output).
if [ -x "$build/examples/wsdump/wsdump" ]; then
  LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}" \
    "$tmp/prefix/bin/wsdump" --help | grep -q -- '--eof-wait EOF_WAIT' \
    || { echo "test-install: bin/wsdump is not installed or does not run" >&2; exit 1; }
fi
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}" "$tmp/consumer/consumer"
