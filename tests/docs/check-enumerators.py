#!/usr/bin/python3
"""Fails when a public enumerator has no documentation.

Doxygen (1.9.4, WARN_AS_ERROR) warns about undocumented classes, functions and properties but not
about enumerators, so this check covers them: in every header given, each enumerator of an enum
must carry a trailing //!< comment or follow a //! or /*! ... */ comment of its own.
Usage: check-enumerators.py HEADER...
"""
import re
import sys

ENUM_START = re.compile(r"^\s*enum\s+(class\s+)?(\w+)[^;{]*\{\s*$")
ENUMERATOR = re.compile(r"^\s*([A-Za-z_]\w*)\s*(=[^,/]*)?,?\s*(//!<.*)?$")


def undocumented(path):
    missing = []
    lines = open(path, encoding="utf-8").read().splitlines()
    in_enum = None
    documented_by_previous = False
    for number, line in enumerate(lines, 1):
        if in_enum is None:
            match = ENUM_START.match(line)
            if match:
                in_enum = match.group(2)
                documented_by_previous = False
            continue
        stripped = line.strip()
        if stripped.startswith("}"):
            in_enum = None
            continue
        if stripped.startswith("//!") or stripped.startswith("/*!") or stripped.endswith("*/"):
            documented_by_previous = True
            continue
        if not stripped or stripped.startswith("*") or stripped.startswith("//"):
            continue
        match = ENUMERATOR.match(line)
        if match and not match.group(3) and not documented_by_previous:
            missing.append("%s:%d: %s::%s has no documentation" % (path, number, in_enum, match.group(1)))
        documented_by_previous = False
    return missing


def main():
    problems = [p for path in sys.argv[1:] for p in undocumented(path)]
    for problem in problems:
        print(problem)
    checked = len(sys.argv) - 1
    print("check-enumerators: %d header(s), %d undocumented enumerator(s)" % (checked, len(problems)))
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
