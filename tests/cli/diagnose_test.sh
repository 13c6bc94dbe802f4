#!/usr/bin/env bash
# `pbi diagnose` as a process: against the built-in emulator (exit 0, --json parses, no secret
# printed) and against an emulator in another process with a wrong password (exit 3), a wrong
# client secret (exit 3) and an unknown tenant (exit 3, first failed step "tenant").
# Usage: tests/cli/diagnose_test.sh <path to the pbi binary>
set -uo pipefail

pbi=${1:?usage: diagnose_test.sh <pbi binary>}
work=$(mktemp -d)
emulator_pid=
cleanup() {
    if [ -n "$emulator_pid" ]; then
        kill "$emulator_pid" 2>/dev/null
        wait "$emulator_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() {
    echo "FAILED: $*"
    failures=$((failures + 1))
}

# expect <name> <exit code> <command...>: runs the command, keeps stdout and stderr in $work/<name>.*
expect() {
    local name=$1 want=$2
    shift 2
    "$@" >"$work/$name.out" 2>"$work/$name.err"
    local got=$?
    if [ "$got" != "$want" ]; then
        fail "$name: exit code $got, expected $want"
        sed 's/^/    /' "$work/$name.out" "$work/$name.err"
    else
        echo "ok      $name (exit $got)"
    fi
}

# json_check <name> <python expression over `r`>: the report parses and the expression holds.
json_check() {
    local name=$1 expr=$2
    if ! command -v python3 >/dev/null; then
        echo "skip    $name JSON check (no python3)"
        return
    fi
    if ! python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" \
        "$work/$name.out"; then
        fail "$name: JSON check '$expr' does not hold"
        sed 's/^/    /' "$work/$name.out"
    fi
}

no_secret() {
    local name=$1 secret=$2
    if grep -qF -- "$secret" "$work/$name.out" "$work/$name.err"; then
        fail "$name: the output contains a secret"
    fi
}

# --- the built-in emulator: a working configuration
expect builtin 0 env -u PBI_TENANT_ID "$pbi" diagnose
grep -q "result: the configuration works" "$work/builtin.out" || fail "builtin: no success line"
no_secret builtin emulator-password
no_secret builtin emulator-client-secret

expect builtin_json 0 env -u PBI_TENANT_ID "$pbi" diagnose --json
json_check builtin_json 'r["ok"] is True and [s["name"] for s in r["steps"]] == ["proxy","tenant","realm","sign-in","powerbi","clock"] and all(s["ok"] for s in r["steps"])'

# --- an emulator in another process, configured through PBI_* variables
"$pbi" emulator --ca-out "$work/ca.pem" >"$work/emu.env" 2>"$work/emu.err" &
emulator_pid=$!
for _ in $(seq 1 100); do
    grep -q PBI_CA_FILE "$work/emu.env" 2>/dev/null && break
    sleep 0.1
done
grep -q PBI_CA_FILE "$work/emu.env" || { fail "the emulator did not start"; exit 1; }
# shellcheck disable=SC1091
. "$work/emu.env"

expect configured 0 "$pbi" diagnose

PBI_PASSWORD=wrong-Pa55word-value expect wrong_password 3 "$pbi" diagnose --json
json_check wrong_password 'r["ok"] is False and r["exit_code"] == 3 and [s for s in r["steps"] if not s["ok"]][0]["error"] == "invalid_credentials"'
no_secret wrong_password wrong-Pa55word-value
no_secret wrong_password emulator-client-secret

PBI_CLIENT_SECRET=wrong-Secret-value expect wrong_secret 3 "$pbi" diagnose
grep -q "client_secret\|client secret" "$work/wrong_secret.out" || fail "wrong_secret: the client secret is not named"
no_secret wrong_secret wrong-Secret-value

PBI_TENANT_ID=nosuch.onmicrosoft.com expect wrong_tenant 3 "$pbi" diagnose --json
json_check wrong_tenant '[s for s in r["steps"] if not s["ok"]][0]["name"] == "tenant" and [s for s in r["steps"] if not s["ok"]][0]["error"] == "tenant_not_found"'

# client credentials (a service principal): no realm step
env -u PBI_USERNAME -u PBI_PASSWORD "$pbi" diagnose --json >"$work/sp.out" 2>"$work/sp.err"
sp_rc=$?
[ "$sp_rc" = 0 ] || fail "service principal: exit code $sp_rc, expected 0"
json_check sp 'r["ok"] is True and r["steps"][2]["status"] == "skipped"'

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all pbi diagnose checks passed"
