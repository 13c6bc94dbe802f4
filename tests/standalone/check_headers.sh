#!/usr/bin/env bash
# Checks that every public header of pbi-async compiles on its own (header-only mode):
#   ${CXX:-g++} -std=c++20 -fsyntax-only -DASIO_STANDALONE -DASIO_NO_DEPRECATED -Iinclude -x c++ <header>
# for each include/pbi/**/*.hpp except detail/pch.hpp and src.hpp (impl/*.ipp bodies are
# reached through their headers). Runs PBI_JOBS (default 2) compilers at once; prints the
# compiler output of every header that fails and exits 1 naming them.
# Usage: tests/standalone/check_headers.sh [header...]   (paths relative to the repo root)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
self=$PWD/tests/standalone/check_headers.sh
cxx=${CXX:-g++}
jobs=${PBI_JOBS:-2}

# One header (called through xargs below): compile, keep the output, report.
if [ "${1:-}" = "--one" ]; then
    header=$2
    log=$3/$(echo "$header" | tr '/' '_').log
    if $cxx -std=c++20 -fsyntax-only -DASIO_STANDALONE -DASIO_NO_DEPRECATED -Iinclude -x c++ "$header" >"$log" 2>&1; then
        echo "ok      $header"
    else
        echo "FAILED  $header"
        touch "$log.failed"
    fi
    exit 0
fi

if [ $# -gt 0 ]; then
    headers=("$@")
else
    mapfile -t headers < <(find include/pbi -name '*.hpp' \
        ! -path 'include/pbi/detail/pch.hpp' ! -path 'include/pbi/src.hpp' ! -path '*/impl/*' | LC_ALL=C sort)
fi
if [ ${#headers[@]} -eq 0 ]; then
    echo "check_headers: no headers found under include/pbi" >&2
    exit 1
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
echo "check_headers: ${#headers[@]} headers with $cxx -fsyntax-only, $jobs at a time"
printf '%s\0' "${headers[@]}" | xargs -0 -P "$jobs" -I{} "$self" --one {} "$logs"

failed=()
for h in "${headers[@]}"; do
    log=$logs/$(echo "$h" | tr '/' '_').log
    if [ -e "$log.failed" ]; then
        failed+=("$h")
        echo "---------- $h ----------"
        grep -v -e "#pragma once in main file" -e "^    2 | #pragma once" -e "^      |         ^~~~$" "$log" | head -n 60 || true
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "check_headers: ${#failed[@]} of ${#headers[@]} headers do not compile on their own:" >&2
    printf '  %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "check_headers: all ${#headers[@]} headers compile on their own"
