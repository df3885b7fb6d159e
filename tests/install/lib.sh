# Shared by the install tests (sourced): facts about a build tree, a clean environment, RUNPATH checks.

# cache_value BUILD_DIR NAME: a variable from BUILD_DIR's CMakeCache.txt.
cache_value() {
  sed -n "s/^$2:[A-Z]*=//p" "$1/CMakeCache.txt" | head -n1
}

# fail MESSAGE: the install tests' failures start with FAIL (ctest's FAIL_REGULAR_EXPRESSION).
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# run_clean COMMAND...: COMMAND in an environment with nothing but PATH, HOME, a runtime directory
# and the offscreen Qt platform: no LD_LIBRARY_PATH, QML_IMPORT_PATH or anything else of the caller's.
run_clean() {
  local home=${WSCLIENT_CLEAN_HOME:?}
  mkdir -p "$home/run" && chmod 700 "$home/run"
  env -i PATH=/usr/bin:/bin HOME="$home" XDG_RUNTIME_DIR="$home/run" QT_QPA_PLATFORM=offscreen "$@"
}

# check_runpath FILE FORBIDDEN...: FILE's RUNPATH exists, is relative to $ORIGIN only, and names
# none of the FORBIDDEN paths (the build tree, where the prefix was installed before it moved).
check_runpath() {
  local file=$1 runpath entry
  shift
  runpath=$(readelf -d "$file" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p')
  echo "RUNPATH of ${file##*/}: ${runpath:-none}"
  [ -n "$runpath" ] || fail "$file has no RUNPATH"
  readelf -d "$file" | grep -q '(RUNPATH)' || fail "$file has an RPATH, not a RUNPATH"
  local IFS=:
  for entry in $runpath; do
    case "$entry" in
      '$ORIGIN' | '$ORIGIN/'*) ;;
      *) fail "$file: RUNPATH entry $entry is not relative to \$ORIGIN" ;;
    esac
  done
  for entry in "$@"; do
    case "$runpath" in *"$entry"*) fail "$file: RUNPATH names $entry" ;; esac
  done
}
