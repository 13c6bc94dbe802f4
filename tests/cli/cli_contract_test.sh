#!/usr/bin/env bash
# The pbi CLI's contract (README "The pbi CLI"): subcommands, PBI_* variables, --json, exit
# codes 0/2/3/4/5 — against an emulator running in a separate process, as a user points the
# CLI at any endpoint. Usage: cli_contract_test.sh path/to/pbi
set -uo pipefail
pbi=${1:?usage: cli_contract_test.sh path/to/pbi}
tmp=$(mktemp -d)
emulator_pid=
fake_pid=
cleanup() {
    [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null
    [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
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
for command in dashboards tiles datasets refresh-dataset --target-workspace --identity --access-level \
    export --format --page --filter --timeout --poll-interval; do
    check "help lists $command" grep -q -- "$command" "$tmp/out"
done
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
for var in PBI_API_BASE PBI_AUTHORITY_HOST; do
    expect "credentials in $var are a configuration error" 2 env PBI_TENANT_ID=t PBI_CLIENT_ID=c \
        PBI_CLIENT_SECRET=s "$var=https://u:topsecretpw@127.0.0.1:1" "$pbi" token --json
    check "the $var password appears nowhere, the user info is masked" \
        bash -c "! grep -q 'topsecretpw' '$tmp/out' '$tmp/err' && grep -q 'https://\*\*\*@127.0.0.1:1' '$tmp/err'"
    expect "credentials with a '/' in $var are masked too" 2 env PBI_TENANT_ID=t PBI_CLIENT_ID=c \
        PBI_CLIENT_SECRET=s "$var=https://u:top/secretpw@127.0.0.1:1/" "$pbi" token
    check "that password appears nowhere either" bash -c "! grep -q 'secretpw' '$tmp/out' '$tmp/err'"
done
expect "an empty PBI_TENANT_ID beside credentials is a configuration error, not the emulator" 2 \
    env PBI_TENANT_ID= PBI_CLIENT_ID=c PBI_CLIENT_SECRET=s "$pbi" workspaces --json
check "it says the variable is empty, machine-readably" \
    bash -c "grep -q '\"ok\":false.*\"error\":\"usage\".*PBI_TENANT_ID is set but empty' '$tmp/out' &&
             ! grep -q 'built-in emulator at' '$tmp/err'"
expect "an empty PBI_TENANT_ID alone still means the emulator (tools that cannot unset set it empty)" 0 \
    env PBI_TENANT_ID= "$pbi" workspaces --json
check "and says so on stderr" grep -q 'using the built-in emulator' "$tmp/err"

# Options: each command takes its own, each once (unless it repeats).
expect "an option the command does not take is a usage error" 2 "$pbi" workspaces --format PNG -o "$tmp/x" --json
check "it names the option and the command" grep -q '"error":"usage".*pbi workspaces does not take --format' "$tmp/out"
check "and nothing is written" test ! -e "$tmp/x" -a ! -e "$tmp/x.tmp"
expect "--show-token on another command is a usage error" 2 "$pbi" workspaces --show-token
expect "--workspace on a command without it is a usage error" 2 "$pbi" demo --workspace w
for option in --report --format -o --timeout; do
    expect "export with $option twice is a usage error" 2 "$pbi" export --report r --format PDF -o "$tmp/y.pdf" \
        --timeout 60 "$option" 9
    check "it says $option was given twice" grep -q -- "^pbi: $option given twice" "$tmp/err"
done
check "no file is left by them" bash -c "! ls '$tmp'/y.pdf* 2>/dev/null"
expect "report with --report twice is a usage error" 2 "$pbi" report --workspace w --report a --report b

# A command's --help: its own usage lines, exit 0 (the global --help lists every command).
for form in "export --help" "--help export" "help export" "export -h"; do
    # shellcheck disable=SC2086
    expect "pbi $form prints the export usage" 0 "$pbi" $form
    check "it lists export's options, not the other commands" \
        bash -c "grep -q -- '--poll-interval' '$tmp/out' && ! grep -q 'dashboards' '$tmp/out'"
done
expect "pbi tiles --help" 0 "$pbi" tiles --help
check "it lists --dashboard and not export" bash -c "grep -q -- '--dashboard' '$tmp/out' && ! grep -q -- '--format' '$tmp/out'"
expect "pbi embed-token --help" 0 "$pbi" embed-token --help --json
check "it shows both embed-token forms" test "$(grep -c '^  embed-token ' "$tmp/out")" -eq 2

# Every --json failure object has the same keys; a usage failure's hint says where help is.
usage_shape='^{"ok":false,"failure":{"error":"usage","error_text":"usage or configuration error","category":"pbi","code":1,"source":"none","message":"[^"]*","hint":"[^"]\+"}}$'
expect "an unknown command (--json)" 2 "$pbi" frobnicate --json
check "its failure object has error, error_text, category, code, source, message and hint" grep -qx "$usage_shape" "$tmp/out"
expect "an option a command does not take (--json)" 2 "$pbi" workspaces --page x --json
check "its failure object has every key, the hint naming the command's --help" \
    bash -c "grep -qx '$usage_shape' '$tmp/out' && grep -q '\"hint\":\"pbi workspaces --help' '$tmp/out'"
expect "a configuration failure (--json)" 2 env PBI_TENANT_ID=t PBI_CLIENT_ID=c PBI_CLIENT_SECRET=s PBI_CLOUD=mars \
    "$pbi" token --json
check "its failure object has every key too" grep -qx "$usage_shape" "$tmp/out"

# Numbers: the whole value a decimal number in range, for every numeric option.
for lifetime in 10x 60min 1.5 " 5" +5 -1 0x10 ""; do
    expect "--lifetime '$lifetime' is a usage error" 2 "$pbi" embed-token --workspace w --report r --lifetime "$lifetime" --json
    check "it says so, machine-readably" grep -q '"error":"usage"' "$tmp/out"
done
for port in 0x50 80.5 8080x 65536 -1; do
    expect "emulator --port $port is a usage error, not an emulator on another port" 2 \
        timeout 10 "$pbi" emulator --port "$port" --ca-out "$tmp/never.pem" --json
    check "it names --port" grep -q '"error":"usage".*--port must be a whole number from 0 to 65535' "$tmp/out"
done
check "no emulator started for them" test ! -e "$tmp/never.pem"
echo "precious" >"$tmp/precious"
ln -s "$tmp/precious" "$tmp/planted.pem"
expect "emulator --ca-out through a symbolic link is refused" 2 \
    timeout 10 "$pbi" emulator --port 0 --ca-out "$tmp/planted.pem" --json
check "the file the link points to is untouched" grep -qx precious "$tmp/precious"
for option in "--timeout 1e3" "--timeout 60s" "--poll-interval 1.5" "--poll-interval=5s"; do
    # shellcheck disable=SC2086
    expect "export $option is a usage error" 2 "$pbi" export --report r --format PDF -o "$tmp/n.pdf" $option
done
check "no file is left by them" bash -c "! ls '$tmp'/n.pdf* 2>/dev/null"

# Empty values mean nothing (an id that came out empty must not quietly pick My workspace).
for option in --workspace --report --format --dataset; do
    expect "an empty $option is a usage error" 2 "$pbi" reports "$option" "" --json
    check "it says $option needs a value" grep -q "\"error\":\"usage\".*$option needs a value" "$tmp/out"
done
expect "an empty --workspace= is a usage error too" 2 "$pbi" datasets --workspace= --json
check "a command's mistake shows that command's usage, not every command's" \
    bash -c "grep -q '^usage: pbi datasets' '$tmp/err' && ! grep -q '^  export ' '$tmp/err'"
expect "--json=VALUE is a usage error (machine-readable)" 2 "$pbi" workspaces --json=yes
check "its failure is on stdout" grep -q '"error":"usage".*--json takes no value' "$tmp/out"

expect "demo against the built-in emulator" 0 "$pbi" demo
check "demo says it uses the built-in emulator" grep -q "built-in emulator" "$tmp/err"
check "demo mints an embed token" grep -q "embed URL" "$tmp/out"
check "demo points at the signage host example" grep -q "examples/signage_host.cpp" "$tmp/out"
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
expect "--workspace=ID is --workspace ID" 0 "$pbi" reports --workspace="$workspace" --json
check "it lists the workspace's reports" grep -q "\"id\":\"$report\"" "$tmp/out"
expect "--workspace=ID --report=ID" 0 "$pbi" report --workspace="$workspace" --report="$report" --json
check "it shows that report" grep -q "\"report\":{\"id\":\"$report\"" "$tmp/out"
expect "--opt=VALUE with an option the command does not take is still refused" 2 "$pbi" workspaces --report="$report"
check "naming the option" grep -q 'does not take --report' "$tmp/err"

# An emulator that cannot start (its port taken by the one running) fails machine-readably.
emulator_port=${PBI_API_BASE##*:}
expect "an emulator on a busy port is a network failure" 5 timeout 10 "$pbi" emulator --port "$emulator_port" \
    --ca-out "$tmp/busy.pem" --json
check "with --json it prints one failure object" \
    bash -c "[ \$(wc -l <'$tmp/out') -eq 1 ] && grep -q '^{\"ok\":false,\"failure\":{\"error\":\"[^\"]*\",\"error_text\":\"[^\"]*\",\"category\":\"[^\"]*\",\"code\":98,\"source\":\"transport\",\"message\":\"the emulator could not start: [^\"]*\",\"hint\":\"choose another --port' '$tmp/out'"
expect "the same without --json" 5 timeout 10 "$pbi" emulator --port "$emulator_port" --ca-out "$tmp/busy.pem"
check "says so on stderr only" bash -c "[ ! -s '$tmp/out' ] && grep -q 'the emulator could not start' '$tmp/err'"
expect "report" 0 "$pbi" report --workspace "$workspace" --report "$report"
expect "pages" 0 "$pbi" pages --workspace "$workspace" --report "$report" --json
check "pages --json lists pages" grep -q '"pages":\[{' "$tmp/out"
expect "embed-token" 0 "$pbi" embed-token --workspace "$workspace" --report "$report" --json
check "embed-token prints the token" grep -q '"token":"' "$tmp/out"
check "the single-report embed-token --json keeps its exact shape" \
    grep -qx '{"ok":true,"token":"[^"]*","tokenId":"[^"]*","expiration":"[^"]*"}' "$tmp/out"
expect "embed-token (human)" 0 "$pbi" embed-token --workspace "$workspace" --report "$report"
check "the single-report embed-token prints a header line and the token, nothing else" \
    bash -c "[ \$(wc -l <'$tmp/out') -eq 2 ] && head -1 '$tmp/out' | grep -q '^embed token (id [0-9a-f-]*, expires [0-9T:Z-]*):\$'"

# no_secrets NAME: neither the client secret, the password nor an access token (a JWT: two
# base64url JSON parts; embed URLs carry one base64 `config=eyJ...` part) in the last output.
no_secrets() {
    check "$1: no secret or access token in the output" bash -c \
        "! grep -q -e '$PBI_CLIENT_SECRET' -e '$PBI_PASSWORD' -e 'eyJ[A-Za-z0-9_-]*\.eyJ' '$tmp/out' '$tmp/err'"
}

# Dashboards and tiles.
expect "dashboards" 0 "$pbi" dashboards --workspace "$workspace"
check "dashboards ends with a count" grep -q "^1 dashboard(s) in $workspace\$" "$tmp/out"
no_secrets "dashboards"
expect "dashboards --json" 0 "$pbi" dashboards --workspace "$workspace" --json
dashboard=$(grep -o '"dashboards":\[{"id":"[^"]*"' "$tmp/out" | cut -d'"' -f6)
check "dashboards --json lists ids and display names" \
    grep -q '^{"ok":true,"dashboards":\[{"id":"[^"]*","displayName":"[^"]*","isReadOnly":false,"webUrl":"' "$tmp/out"
expect "tiles" 0 "$pbi" tiles --workspace "$workspace" --dashboard "$dashboard"
check "tiles lists spans, reports and datasets, and the dashboard's name" \
    bash -c "grep -q ' [0-9]x[0-9]  report [0-9a-f-]*  dataset [0-9a-f-]*\$' '$tmp/out' &&
             grep -q \"^[0-9]* tile(s) on dashboard '.*'\$\" '$tmp/out'"
no_secrets "tiles"
expect "tiles --json" 0 "$pbi" tiles --workspace "$workspace" --dashboard "$dashboard" --json
check "tiles --json names the dashboard and lists its tiles" \
    grep -q '^{"ok":true,"dashboard":{"id":"[^"]*","displayName":"[^"]*".*"tiles":\[{"id":"[^"]*","title":"[^"]*","embedUrl":"[^"]*","rowSpan":[0-9]*,"colSpan":[0-9]*' "$tmp/out"
expect "tiles without --dashboard is a usage error" 2 "$pbi" tiles --workspace "$workspace" --json
check "its failure is machine-readable" grep -q '"ok":false.*"error":"usage"' "$tmp/out"
expect "dashboards without --workspace is a usage error" 2 "$pbi" dashboards
check "the usage error names the missing option" grep -q -- "--workspace" "$tmp/err"
expect "an unknown dashboard is a Power BI error" 4 "$pbi" tiles --workspace "$workspace" \
    --dashboard 00000000-0000-0000-0000-000000000000 --json
check "the unknown dashboard is entity_not_found" grep -q '"ok":false.*"error":"entity_not_found"' "$tmp/out"
check "the unknown dashboard's error has an http status" grep -q '"http_status":404' "$tmp/out"

# Datasets, their row-level-security flags, and refreshes.
expect "workspaces (to find the one with row-level security)" 0 "$pbi" workspaces --json
sales=$(grep -o '"id":"[^"]*","name":"Sales Floor"' "$tmp/out" | cut -d'"' -f4)
check "the seeded Sales Floor workspace is listed" test -n "$sales"
expect "datasets in My workspace" 0 "$pbi" datasets
check "datasets without --workspace lists My workspace" grep -q "dataset(s) in My workspace\$" "$tmp/out"
expect "datasets --json" 0 "$pbi" datasets --workspace "$sales" --json
rls_dataset=$(grep -o '"id":"[^"]*","name":"[^"]*","isRefreshable":[a-z]*,"isEffectiveIdentityRequired":true' "$tmp/out" |
    head -1 | cut -d'"' -f4)
check "datasets --json shows the identity flags" \
    bash -c "[ -n '$rls_dataset' ] && grep -q '\"isEffectiveIdentityRolesRequired\":false' '$tmp/out'"
expect "datasets (human)" 0 "$pbi" datasets --workspace "$sales"
check "datasets shows row-level security in words" grep -q "^$rls_dataset  .*(RLS: identity required" "$tmp/out"
no_secrets "datasets"
expect "refresh-dataset" 0 "$pbi" refresh-dataset --workspace "$sales" --dataset "$rls_dataset"
check "refresh-dataset prints the request id and says there is no location" \
    bash -c "grep -q '^request id: [0-9a-f-]\{36\}\$' '$tmp/out' && grep -q '^location: (none' '$tmp/out'"
no_secrets "refresh-dataset"
expect "refresh-dataset --json" 0 "$pbi" refresh-dataset --workspace "$sales" --dataset "$rls_dataset" --json
check "refresh-dataset --json has the request id and a null location" \
    grep -qx '{"ok":true,"requestId":"[0-9a-f-]\{36\}","location":null}' "$tmp/out"
expect "refresh-dataset without --dataset is a usage error" 2 "$pbi" refresh-dataset --workspace "$sales" --json
check "its failure is machine-readable too" grep -q '"ok":false.*"error":"usage"' "$tmp/out"
expect "refreshing an unknown dataset is a Power BI error" 4 "$pbi" refresh-dataset --workspace "$sales" \
    --dataset 00000000-0000-0000-0000-000000000000 --json
check "the unknown dataset is entity_not_found" grep -q '"error":"entity_not_found"' "$tmp/out"

# Embed tokens for several resources (v2) and row-level security.
expect "reports in the row-level-security workspace" 0 "$pbi" reports --workspace "$sales" --json
mapfile -t sales_reports < <(grep -o '"id":"[^"]*","name":"[^"]*","reportType":"PowerBIReport"' "$tmp/out" | cut -d'"' -f4)
check "two reports on the RLS dataset" test "${#sales_reports[@]}" -eq 2
expect "a token for an RLS dataset without an identity is a Power BI error" 4 \
    "$pbi" embed-token --report "${sales_reports[0]}" --dataset "$rls_dataset" --json
check "it is named effective_identity_required" grep -q '"ok":false.*"error":"effective_identity_required"' "$tmp/out"
check "its JSON has the server's message naming the dataset, the client request id and the attempts" \
    bash -c "grep -q '\"server_message\":\"[^\"]*$rls_dataset' '$tmp/out' &&
             grep -q '\"client_request_id\":\"[0-9a-f-]\{36\}\"' '$tmp/out' && grep -q '\"attempts\":1[,}]' '$tmp/out'"
check "its hint names the CLI's --identity, not the SDK's effective_identity" \
    bash -c "grep -q '\"hint\":\"[^\"]*--identity' '$tmp/out' && ! grep -q 'effective_identity (' '$tmp/out'"
expect "the same, in words" 4 "$pbi" embed-token --report "${sales_reports[0]}" --dataset "$rls_dataset"
check "stderr names effective_identity_required" grep -q "error: effective_identity_required" "$tmp/err"
check "its hint names --identity" bash -c "grep -q '^  hint: .*--identity' '$tmp/err' && ! grep -q 'effective_identity (' '$tmp/err'"
expect "an identity on a dataset without RLS is a Power BI error" 4 \
    "$pbi" embed-token --workspace "$workspace" --report "$report" --identity screen-7 --json
check "it is named effective_identity_not_allowed" grep -q '"error":"effective_identity_not_allowed"' "$tmp/out"
for spec in 'screen-7:' 'screen-7:Lobby,,Floor' 'screen-7:Lobby,' 'screen-7:Lobby, '; do
    expect "--identity '$spec' (an empty role name) is a usage error" 2 \
        "$pbi" embed-token --workspace "$sales" --report "${sales_reports[0]}" --identity "$spec" --json
    check "it names the empty role" grep -q '"error":"usage".*empty role name' "$tmp/out"
done
expect "the single-report form takes an identity for the report's dataset" 0 \
    "$pbi" embed-token --workspace "$sales" --report "${sales_reports[0]}" --identity 'screen-7:Lobby,Floor 2' --json
check "its output keeps the single-report shape and confirms the identity applied" \
    grep -qx "{\"ok\":true,\"token\":\"[^\"]*\",\"tokenId\":\"[^\"]*\",\"expiration\":\"[^\"]*\",\"identity\":{\"username\":\"screen-7\",\"roles\":\[\"Lobby\",\"Floor 2\"\],\"datasets\":\[\"$rls_dataset\"\]}}" "$tmp/out"
expect "the same, in words (spaces around a role are dropped)" 0 \
    "$pbi" embed-token --workspace "$sales" --report "${sales_reports[0]}" --identity 'screen-7:Lobby, Floor 2 '
check "a third line names the identity, its roles and its dataset" \
    bash -c "sed -n 3p '$tmp/out' | grep -qx \"identity 'screen-7' with role(s) Lobby, Floor 2 on 1 dataset(s): $rls_dataset\""
expect "Create on the single-report form is a usage error too (no target workspace)" 2 \
    "$pbi" embed-token --workspace "$workspace" --report "$report" --access-level Create --json
check "it names --target-workspace" grep -q '"error":"usage".*--target-workspace' "$tmp/out"
expect "one v2 token for two reports of a workspace, their dataset found" 0 \
    "$pbi" embed-token --workspace "$sales" --report "${sales_reports[0]}" --report "${sales_reports[1]}" \
    --identity screen-7:Lobby --lifetime 20 --access-level edit --json
check "it lists the reports, the dataset found and the identity's roles and dataset" \
    grep -q "\"reports\":\[\"${sales_reports[0]}\",\"${sales_reports[1]}\"\],\"datasets\":\[\"$rls_dataset\"\],\"targetWorkspaces\":\[\],\"identity\":{\"username\":\"screen-7\",\"roles\":\[\"Lobby\"\],\"datasets\":\[\"$rls_dataset\"\]}" "$tmp/out"
expect "one v2 token across workspaces with a target workspace" 0 \
    "$pbi" embed-token --report "$report" --report "${sales_reports[1]}" --dataset "$rls_dataset" \
    --target-workspace "$workspace" --identity screen-7 --access-level Create
check "it prints the token, then what it covers" \
    bash -c "sed -n 3p '$tmp/out' | grep -q \"^covers 2 report(s), 1 dataset(s), 1 target workspace(s); identity 'screen-7' on 1 dataset(s)\$\""
expect "embed-token without a report or dataset is a usage error" 2 "$pbi" embed-token --workspace "$workspace" --json
check "its failure is machine-readable" grep -q '"ok":false.*"error":"usage"' "$tmp/out"
expect "an unknown access level is a usage error" 2 "$pbi" embed-token --report "$report" --access-level Admin
expect "Create without a target workspace is a usage error" 2 \
    "$pbi" embed-token --report "$report" --dataset "$rls_dataset" --access-level Create
expect "an identity for reports of an unknown workspace is a usage error" 2 \
    "$pbi" embed-token --report "$report" --report "${sales_reports[0]}" --identity screen-7
expect "two identities are a usage error" 2 \
    "$pbi" embed-token --dataset "$rls_dataset" --identity a --identity b
expect "a v2 token naming an unknown report is a Power BI error" 4 \
    "$pbi" embed-token --report 00000000-0000-0000-0000-000000000000 --dataset "$rls_dataset" --identity x --json
check "the unknown report is entity_not_found" grep -q '"error":"entity_not_found"' "$tmp/out"
no_secrets "a failed v2 token"

# Export to file: progress on stderr while it polls; the file written whole (through FILE.tmp and
# a rename) or not at all. The emulator's exports take two polls a second apart
# (--poll-interval 1: its ExportTo answer has no Retry-After, like the service's may not).
mkdir "$tmp/export"
expect "pages (to export one)" 0 "$pbi" pages --workspace "$workspace" --report "$report" --json
page=$(grep -o '"pages":\[{"name":"[^"]*"' "$tmp/out" | cut -d'"' -f6)
check "the report has a page to export" test -n "$page"
expect "export one page to PNG" 0 "$pbi" export --workspace "$workspace" --report "$report" --format PNG \
    --page "$page" --poll-interval 1 -o "$tmp/export/page.png"
check "the file starts with the PNG signature" cmp -s -n 8 <(printf '\211PNG\r\n\032\n') "$tmp/export/page.png"
check "it prints the file's type and size" \
    grep -qx "wrote $tmp/export/page.png: image/png, $(wc -c <"$tmp/export/page.png") bytes (.png)" "$tmp/out"
check "the progress is on stderr: state, percent, attempt" \
    bash -c "grep -q '^pbi: export [^ ]*: Running 50 % (attempt 1, poll [0-9]*)\$' '$tmp/err' &&
             grep -q '^pbi: export [^ ]*: Succeeded 100 % (attempt 1, poll [0-9]*)\$' '$tmp/err'"
check "and not on stdout" bash -c "! grep -q -e Running -e ' % ' '$tmp/out'"
check "no temporary file is left" test ! -e "$tmp/export/page.png.tmp"
no_secrets "export"
expect "export every page to PNG --json" 0 "$pbi" export --workspace "$workspace" --report "$report" \
    --format png --poll-interval 1 -o "$tmp/export/all.png" --json
check "--json prints one object with the file's path, type, size, extension, export id and counts" \
    grep -qx "{\"ok\":true,\"path\":\"$tmp/export/all.png\",\"content_type\":\"application/zip\",\"bytes\":$(wc -c <"$tmp/export/all.png"),\"file_extension\":\".zip\",\"is_zip\":true,\"export_id\":\"[^\"]*\",\"attempts\":1,\"polls\":[0-9]*}" "$tmp/out"
check "stdout holds only that line" test "$(wc -l <"$tmp/out")" -eq 1
check "several pages of PNG are a zip archive" cmp -s -n 4 <(printf 'PK\003\004') "$tmp/export/all.png"
check "--json keeps the progress on stderr" grep -q "^pbi: export [^ ]*: Succeeded 100 %" "$tmp/err"
expect "export to stdout" 0 "$pbi" export --workspace "$workspace" --report "$report" --format pdf --poll-interval 1 -o -
check "stdout is the PDF, the summary on stderr" \
    bash -c "head -c 5 '$tmp/out' | grep -q '^%PDF-' && grep -q '^wrote stdout: application/pdf, [0-9]* bytes' '$tmp/err'"
expect "workspaces (to find the paginated report)" 0 "$pbi" workspaces --json
finance=$(grep -o '"id":"[^"]*","name":"Finance"' "$tmp/out" | cut -d'"' -f4)
expect "reports in the Finance workspace" 0 "$pbi" reports --workspace "$finance" --json
paginated=$(grep -o '"id":"[^"]*","name":"[^"]*","reportType":"PaginatedReport"' "$tmp/out" | head -1 | cut -d'"' -f4)
check "the seeded paginated report is listed" test -n "$paginated"
expect "PNG of a paginated report is a Power BI error" 4 "$pbi" export --workspace "$finance" \
    --report "$paginated" --format PNG -o "$tmp/export/statement.png" --json
check "it is named export_format_not_supported" \
    bash -c "grep -q '\"ok\":false.*\"error\":\"export_format_not_supported\"' '$tmp/out' &&
             grep -q 'error: export_format_not_supported' '$tmp/err'"
check "no file is written" bash -c "! ls '$tmp/export/statement.png'* 2>/dev/null"
expect "an export past its --timeout is a timeout" 5 "$pbi" export --workspace "$workspace" --report "$report" \
    --format PDF --timeout 2 --poll-interval 1 -o "$tmp/export/late.pdf" --json
check "it is named timeout, and no file is written" \
    bash -c "grep -q '\"error\":\"timeout\"' '$tmp/out' && ! ls '$tmp/export/late.pdf'* 2>/dev/null"
check "it names the export job it submitted" grep -q '"export_id":"[A-Za-z0-9+/=]\{8,\}"' "$tmp/out"
check "its hint names --timeout" grep -q '"hint":"[^"]*--timeout' "$tmp/out"
expect "the same, in words" 5 "$pbi" export --workspace "$workspace" --report "$report" \
    --format PDF --timeout 2 --poll-interval 1 -o "$tmp/export/late.pdf"
check "stderr names the export job" grep -q '^  export id: [A-Za-z0-9+/=]\{8,\}$' "$tmp/err"
expect "a --timeout within the default poll interval is a usage error" 2 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF --timeout 3 -o "$tmp/export/late.pdf" --json
check "it explains both values, and nothing was submitted" \
    bash -c "grep -q '\"error\":\"usage\".*--timeout 3 s.*--poll-interval 5 s' '$tmp/out' &&
             ! grep -q 'exporting report' '$tmp/err'"
expect "a --timeout equal to --poll-interval is a usage error" 2 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF --timeout 7 --poll-interval 7 -o "$tmp/export/late.pdf"
expect "export without --format is a usage error" 2 "$pbi" export --workspace "$workspace" --report "$report" \
    -o "$tmp/export/x.pdf" --json
check "its failure is machine-readable" grep -q '"ok":false.*"error":"usage"' "$tmp/out"
expect "export without -o is a usage error" 2 "$pbi" export --workspace "$workspace" --report "$report" --format PDF
expect "export without --report is a usage error" 2 "$pbi" export --workspace "$workspace" --format PDF \
    -o "$tmp/export/x.pdf" --json
check "its failure is machine-readable too" grep -q '"ok":false.*"error":"usage"' "$tmp/out"
expect "an unknown export format is a usage error" 2 "$pbi" export --report "$report" --format BMP -o "$tmp/export/x"
expect "an output in a missing directory is a usage error" 2 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF -o "$tmp/export/missing/x.pdf" --json
check "it says why, machine-readably" grep -q '"error":"usage".*does not exist' "$tmp/out"
expect "an output that is a directory is a usage error" 2 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF -o "$tmp/export"
# The output is checked by creating FILE.tmp before the export is submitted.
long_name=$(printf 'n%.0s' $(seq 1 250)).pdf # 254 bytes: FILE.tmp is too long, FILE is not
expect "an output name too long is a usage error" 2 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF -o "$tmp/export/$long_name" --json
check "it says so, before the export starts" \
    bash -c "grep -q '\"error\":\"usage\".*File name too long' '$tmp/out' && ! grep -q 'exporting report' '$tmp/err'"
mkdir "$tmp/export/busy.pdf.tmp"
expect "an output whose FILE.tmp is a directory is a usage error" 2 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF -o "$tmp/export/busy.pdf"
check "it names FILE.tmp, before the export starts, and leaves the directory alone" \
    bash -c "grep -q \"cannot create '$tmp/export/busy.pdf.tmp'\" '$tmp/err' && ! grep -q 'exporting report' '$tmp/err' &&
             test -d '$tmp/export/busy.pdf.tmp'"
rmdir "$tmp/export/busy.pdf.tmp"

# Special files are refused, never replaced: -o - writes to stdout, which can be redirected
# anywhere. (Only a FIFO and symlinks made here: never -o a device.)
mkdir "$tmp/special"
mkfifo "$tmp/special/fifo"
expect "an output that is a FIFO is a usage error" 2 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF -o "$tmp/special/fifo" --json
check "it says it is not a regular file and suggests -o -, before the export starts" \
    bash -c "grep -q '\"error\":\"usage\".*it is a FIFO, not a regular file.*-o -' '$tmp/out' &&
             ! grep -q 'exporting report' '$tmp/err'"
check "the FIFO is still a FIFO and no FILE.tmp is left" \
    bash -c "test -p '$tmp/special/fifo' && ! ls '$tmp/special/fifo.'* 2>/dev/null"
ln -s /dev/null "$tmp/special/null"
expect "an output that is a symlink to a character device is a usage error" 2 "$pbi" export \
    --workspace "$workspace" --report "$report" --format PDF -o "$tmp/special/null"
check "it says so; the link and the device are untouched" \
    bash -c "grep -q 'symbolic link to a character device, not a regular file' '$tmp/err' &&
             test -L '$tmp/special/null' && test -c /dev/null && ! ls '$tmp/special/null.'* 2>/dev/null"
ln -s "$tmp/special/fifo" "$tmp/special/to-fifo"
expect "an output that is a symlink to a FIFO is a usage error" 2 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF -o "$tmp/special/to-fifo"
check "the link and the FIFO are untouched" bash -c "test -L '$tmp/special/to-fifo' && test -p '$tmp/special/fifo'"
ln -s "$tmp/special/nowhere.pdf" "$tmp/special/dangling.pdf"
expect "an output that is a dangling symlink is a usage error" 2 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF -o "$tmp/special/dangling.pdf"
check "nothing is created" bash -c "test -L '$tmp/special/dangling.pdf' && ! ls '$tmp/special/nowhere'* 2>/dev/null"
echo old >"$tmp/special/real.pdf"
ln -s real.pdf "$tmp/special/link.pdf"
expect "an output that is a symlink to a regular file is followed" 0 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF --poll-interval 1 -o "$tmp/special/link.pdf"
check "the link stays a link, its target is the PDF, no FILE.tmp is left" \
    bash -c "test -L '$tmp/special/link.pdf' && head -c 5 '$tmp/special/real.pdf' | grep -q '^%PDF-' &&
             ! ls '$tmp/special/'*.tmp 2>/dev/null && grep -q '^wrote $tmp/special/link.pdf: application/pdf' '$tmp/out'"
# FILE.tmp is created exclusively: an existing one (a file, a planted link) is never truncated,
# followed or removed.
echo keep >"$tmp/special/x.pdf.tmp"
expect "an existing FILE.tmp is a usage error" 2 "$pbi" export --workspace "$workspace" --report "$report" \
    --format PDF --poll-interval 1 -o "$tmp/special/x.pdf" --json
check "it names FILE.tmp and says to remove it" \
    grep -q "\"error\":\"usage\".*'$tmp/special/x.pdf.tmp': it exists; remove it or choose another -o" "$tmp/out"
check "and leaves it alone, before the export starts" \
    bash -c "[ \"\$(cat '$tmp/special/x.pdf.tmp')\" = keep ] && test ! -e '$tmp/special/x.pdf' && ! grep -q 'exporting report' '$tmp/err'"
echo victim >"$tmp/special/victim"
ln -s "$tmp/special/victim" "$tmp/special/y.pdf.tmp"
expect "a FILE.tmp that is a planted symlink is a usage error" 2 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF --poll-interval 1 -o "$tmp/special/y.pdf"
check "the link is neither followed nor removed" \
    bash -c "test -L '$tmp/special/y.pdf.tmp' && [ \"\$(cat '$tmp/special/victim')\" = victim ] && test ! -e '$tmp/special/y.pdf'"
expect "an output in /proc is a usage error" 2 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PNG -o /proc/x.png
check "it is found before the export starts" bash -c "grep -q \"cannot write the export to '/proc/x.png'\" '$tmp/err' &&
    ! grep -q 'exporting report' '$tmp/err'"
expect "an output under a regular file is a usage error" 2 "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF -o "$tmp/export/all.png/x.pdf"
check "it says the file is not a directory" grep -q "'$tmp/export/all.png' is not a directory" "$tmp/err"
expect "a configuration error after the output check" 2 env PBI_CLOUD=mars "$pbi" export --workspace "$workspace" \
    --report "$report" --format PDF -o "$tmp/export/conf.pdf"
check "leaves no FILE.tmp" test ! -e "$tmp/export/conf.pdf.tmp"
# Waits until the export writing to $1 (its FILE.tmp exists) has started polling.
wait_for_export() {
    for _ in $(seq 1 50); do
        [ -e "$1.tmp" ] && grep -q 'exporting report' "$tmp/err" && break
        sleep 0.1
    done
    sleep 0.5
}
"$pbi" export --workspace "$workspace" --report "$report" --format PDF -o "$tmp/export/killed.pdf" \
    >/dev/null 2>"$tmp/err" &
export_pid=$!
wait_for_export "$tmp/export/killed.pdf"
kill -TERM "$export_pid"
wait "$export_pid"
killed=$?
check "an export stopped by a signal dies of it and leaves no FILE.tmp" \
    bash -c "[ $killed -eq 143 ] && test ! -e '$tmp/export/killed.pdf.tmp' -a ! -e '$tmp/export/killed.pdf'"
# SIGHUP (a closed terminal) and SIGQUIT alike; with --json the failure object is still printed.
for signal in HUP QUIT; do
    (
        ulimit -c 0
        exec "$pbi" export --workspace "$workspace" --report "$report" --format PDF -o "$tmp/export/hup.pdf" --json \
            >"$tmp/hup.out" 2>"$tmp/err"
    ) &
    export_pid=$!
    wait_for_export "$tmp/export/hup.pdf"
    kill -"$signal" "$export_pid"
    wait "$export_pid"
    killed=$?
    check "an export stopped by SIG$signal dies of it and leaves no FILE.tmp" \
        bash -c "[ $killed -eq $((128 + $(kill -l "$signal"))) ] && test ! -e '$tmp/export/hup.pdf.tmp' -a ! -e '$tmp/export/hup.pdf'"
    check "with --json it prints one failure object naming SIG$signal" \
        bash -c "[ \$(wc -l <'$tmp/hup.out') -eq 1 ] &&
                 grep -q '^{\"ok\":false,\"failure\":{\"error\":\"interrupted\",\"error_text\":\"[^\"]*\",\"category\":\"generic\",\"code\":[0-9]*,\"source\":\"none\",\"message\":\"the export was interrupted by SIG${signal}[^\"]*\",\"hint\":\"[^\"]*\"}}\$' '$tmp/hup.out'"
done
check "no file is left by the failed exports" test "$(ls "$tmp/export")" = "$(printf 'all.png\npage.png')"

expect "an unknown report is a Power BI error" 4 "$pbi" report --workspace "$workspace" --report 00000000-0000-0000-0000-000000000000 --json
check "the Power BI error is machine-readable with a stable name" grep -q '"ok":false.*"error":"entity_not_found"' "$tmp/out"
expect "a wrong password is a sign-in error" 3 env PBI_PASSWORD='wrong p&ss' "$pbi" token
check "the sign-in error names AADSTS50126" grep -q "50126" "$tmp/err"
check "the sign-in error is named in one line, once" bash -c "head -1 '$tmp/err' | grep -q '^pbi: sign-in failed: wrong user name or password'"
check "the wrong password appears nowhere" bash -c "! grep -q 'wrong p&ss' '$tmp/out' '$tmp/err'"
check "the client secret appears nowhere" bash -c "! grep -q -- '$PBI_CLIENT_SECRET' '$tmp/out' '$tmp/err'"
expect "an untrusted certificate is a transport error" 5 env -u PBI_CA_FILE "$pbi" workspaces
check "the TLS error says the certificate is not trusted" grep -qi "trust" "$tmp/err"
expect "a refused connection is a transport error" 5 env PBI_AUTHORITY_HOST=https://127.0.0.1:1 "$pbi" token --json
check "a refused connection has a stable name, not an OS number" grep -q '"error":"connection_refused".*"code":111' "$tmp/out"
expect "an http:// origin is a configuration error" 2 env PBI_API_BASE=http://127.0.0.1:1 "$pbi" workspaces
expect "an unknown cloud is a configuration error" 2 env PBI_CLOUD=mars "$pbi" token
expect "a missing CA file is a configuration error" 2 env PBI_CA_FILE=/nonexistent.pem "$pbi" token

# A Power BI that answers with a 100 KB error message holding terminal escapes and a 6000-byte
# request id: the SDK keeps the message's first line, cut at 2000 bytes with "...", and the CLI
# prints that unchanged but for the escapes; the request id (not cut by the SDK) the CLI cuts at
# 4096 bytes with "[... N more bytes]" (made with python3 and openssl).
if command -v python3 >/dev/null && command -v openssl >/dev/null &&
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/fake.key" -out "$tmp/fake.crt" -days 1 \
        -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1; then
    cat "$PBI_CA_FILE" "$tmp/fake.crt" >"$tmp/both.pem"
    python3 - "$tmp/fake.crt" "$tmp/fake.key" >"$tmp/fake.port" 2>/dev/null <<'PY' &
import http.server, json, ssl, sys

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        message = "\x1b[31mBEGIN\x1b]0;title\x07" + "x" * 100000 + "END"
        body = json.dumps({"error": {"code": "InvalidRequest", "message": message}}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("RequestId", "r" * 6000)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
    fake_pid=$!
    for _ in $(seq 1 100); do
        [ -s "$tmp/fake.port" ] && break
        sleep 0.1
    done
    fake="https://127.0.0.1:$(cat "$tmp/fake.port")"
    expect "a 100 KB Power BI error message (--json)" 4 env PBI_API_BASE="$fake" PBI_CA_FILE="$tmp/both.pem" \
        "$pbi" workspaces --json
    check "its server_message is the SDK's cut (2000 bytes and ...), not cut again, its escapes replaced" \
        bash -c "grep -q '\"server_message\":\"?\[31mBEGIN?\]0;title?x\{1900,\}\.\.\.\"' '$tmp/out' &&
                 [ \$(grep -o '\"server_message\":\"[^\"]*\"' '$tmp/out' | wc -c) -eq \$((19 + 2003 + 1)) ] &&
                 ! grep -q 'END' '$tmp/out' && [ \$(wc -c <'$tmp/out') -lt 12000 ]"
    check "the request id is cut by the CLI at 4096 bytes, with a marker" \
        grep -q '"request_id":"r\{4096\} \[\.\.\. 1904 more bytes\]"' "$tmp/out"
    check "no escape character reaches stdout or stderr" bash -c "! grep -q $'\x1b' '$tmp/out' '$tmp/err'"
    expect "a 100 KB Power BI error message (human)" 4 env PBI_API_BASE="$fake" PBI_CA_FILE="$tmp/both.pem" \
        "$pbi" workspaces
    check "stderr shows the start of the message, cut once" \
        bash -c "grep -q '^  server message: ?\[31mBEGIN?\]0;title?x\{1900,\}\.\.\.\$' '$tmp/err' &&
                 ! grep -q 'more bytes\]' <(grep 'server message' '$tmp/err') &&
                 ! grep -q 'END' '$tmp/err' && [ \$(wc -c <'$tmp/err') -lt 12000 ] && ! grep -q $'\x1b' '$tmp/err'"
else
    echo "skip: the long-error checks (no python3 or openssl)"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all CLI contract checks passed"
