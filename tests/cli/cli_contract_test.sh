#!/usr/bin/env bash
# The pbi CLI's contract (README "The pbi CLI"): subcommands, PBI_* variables, --json, exit
# codes 0/2/3/4/5 — against an emulator running in a separate process, as a user points the
# CLI at any endpoint. Usage: cli_contract_test.sh path/to/pbi
set -uo pipefail
pbi=${1:?usage: cli_contract_test.sh path/to/pbi}
tmp=$(mktemp -d)
emulator_pid=
cleanup() {
    [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
failures=0

# expect NAME CODE command...: runs the command, checks its exit code, keeps stdout/stderr.
expect() {
    local name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: $name: exit $got, expected $want"
        sed 's/^/  stderr: /' "$tmp/err" | head -20
        failures=$((failures + 1))
    else
        echo "ok: $name (exit $got)"
    fi
}

# check NAME CONDITION-COMMAND...: an assertion on the last output.
check() {
    local name=$1
    shift
    if "$@"; then
        echo "ok: $name"
    else
        echo "FAIL: $name"
        failures=$((failures + 1))
    fi
}

unset PBI_TENANT_ID PBI_CLIENT_ID PBI_CLIENT_SECRET PBI_USERNAME PBI_PASSWORD PBI_CLOUD \
    PBI_AUTHORITY_HOST PBI_API_BASE PBI_CA_FILE HTTPS_PROXY https_proxy ALL_PROXY all_proxy

expect "help" 0 "$pbi" --help
check "help lists the commands" grep -q "embed-token" "$tmp/out"
expect "unknown command is a usage error" 2 "$pbi" frobnicate
expect "unknown option is a usage error" 2 "$pbi" workspaces --bogus
expect "report without ids is a usage error" 2 "$pbi" report --workspace abc
expect "a tenant without a client id is a configuration error" 2 env PBI_TENANT_ID=contoso.onmicrosoft.com "$pbi" token
expect "an option without its value is a usage error, not the next option" 2 "$pbi" reports --workspace --json
check "a usage error with --json is machine-readable" grep -q '"ok":false.*"error":"usage"' "$tmp/out"
expect "an unknown command with --json is machine-readable" 2 "$pbi" frobnicate --json
check "its failure object is on stdout" grep -q '"ok":false' "$tmp/out"
expect "a non-positive embed lifetime is a usage error" 2 "$pbi" embed-token --workspace w --report r --lifetime 0
expect "a malformed proxy variable is a configuration error" 2 env PBI_TENANT_ID=t PBI_CLIENT_ID=c PBI_CLIENT_SECRET=s \
    HTTPS_PROXY='http://proxyuser:Pr0xyPass#x@proxy.example:8080' "$pbi" token --json
check "the proxy password appears nowhere" bash -c "! grep -q 'Pr0xyPass' '$tmp/out' '$tmp/err'"

expect "demo against the built-in emulator" 0 "$pbi" demo
check "demo says it uses the built-in emulator" grep -q "built-in emulator" "$tmp/err"
check "demo mints an embed token" grep -q "embed URL" "$tmp/out"
expect "demo --json" 0 "$pbi" demo --json
check "demo --json reports ok and one token request" grep -q '"ok":true.*"token_requests":1' "$tmp/out"

# A separate emulator process; the CLI configured only through PBI_* variables.
"$pbi" emulator --port 0 --ca-out "$tmp/ca.pem" >"$tmp/env" 2>"$tmp/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do
    grep -q PBI_CA_FILE "$tmp/env" 2>/dev/null && break
    sleep 0.1
done
# shellcheck disable=SC1091
. "$tmp/env"
check "the emulator printed its exports" test -n "${PBI_AUTHORITY_HOST:-}"

expect "token" 0 "$pbi" token
check "token does not print the token" bash -c "! grep -q 'eyJ' '$tmp/out'"
expect "token --show-token" 0 "$pbi" token --show-token
check "token --show-token prints it" grep -q 'eyJ' "$tmp/out"
expect "workspaces --json" 0 "$pbi" workspaces --json
workspace=$(grep -o '"id":"[^"]*"' "$tmp/out" | head -1 | cut -d'"' -f4)
check "workspaces --json lists ids" test -n "$workspace"
expect "reports in a workspace" 0 "$pbi" reports --workspace "$workspace" --json
report=$(grep -o '"id":"[^"]*","name":"[^"]*","reportType":"PowerBIReport"' "$tmp/out" | head -1 | cut -d'"' -f4)
check "reports --json lists a Power BI report" test -n "$report"
expect "reports in My workspace" 0 "$pbi" reports
expect "report" 0 "$pbi" report --workspace "$workspace" --report "$report"
expect "pages" 0 "$pbi" pages --workspace "$workspace" --report "$report" --json
check "pages --json lists pages" grep -q '"pages":\[{' "$tmp/out"
expect "embed-token" 0 "$pbi" embed-token --workspace "$workspace" --report "$report" --json
check "embed-token prints the token" grep -q '"token":"' "$tmp/out"

expect "an unknown report is a Power BI error" 4 "$pbi" report --workspace "$workspace" --report 00000000-0000-0000-0000-000000000000 --json
check "the Power BI error is machine-readable with a stable name" grep -q '"ok":false.*"error":"entity_not_found"' "$tmp/out"
expect "a wrong password is a sign-in error" 3 env PBI_PASSWORD='wrong p&ss' "$pbi" token
check "the sign-in error names AADSTS50126" grep -q "50126" "$tmp/err"
check "the sign-in error is named in one line, once" bash -c "head -1 '$tmp/err' | grep -q '^pbi: sign-in failed: wrong user name or password'"
check "the wrong password appears nowhere" bash -c "! grep -q 'wrong p&ss' '$tmp/out' '$tmp/err'"
check "the client secret appears nowhere" bash -c "! grep -q -- '$PBI_CLIENT_SECRET' '$tmp/out' '$tmp/err'"
expect "an untrusted certificate is a transport error" 5 env -u PBI_CA_FILE "$pbi" workspaces
check "the TLS error says the certificate is not trusted" grep -qi "trust" "$tmp/err"
expect "a refused connection is a transport error" 5 env PBI_AUTHORITY_HOST=https://127.0.0.1:1 "$pbi" token
expect "an http:// origin is a configuration error" 2 env PBI_API_BASE=http://127.0.0.1:1 "$pbi" workspaces
expect "an unknown cloud is a configuration error" 2 env PBI_CLOUD=mars "$pbi" token
expect "a missing CA file is a configuration error" 2 env PBI_CA_FILE=/nonexistent.pem "$pbi" token

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all CLI contract checks passed"
