#!/usr/bin/env bash
# Draws benchmarks/read_latency.png — ns per cached read at 1 and 2 threads, our path and the
# baselines — from the cached-read table of a scripts/bench run. Usage:
#   benchmarks/plot_read_latency.sh [build-bench/results/results.md] [benchmarks/read_latency.png]
# Needs gnuplot (Debian: gnuplot-nox; scripts/bench installs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
results=${1:-build-bench/results/results.md}
png=${2:-benchmarks/read_latency.png}
data=$(mktemp)
trap 'rm -f "$data"' EXIT

# Rows "| case | 1 thread ns | 2 threads ns | ..." of the cached-read table, co_await rows excluded.
awk -F'|' '
    /^## Cached read/ { table = 1; next }
    /^## / { table = 0 }
    table && $3 ~ /^ *[0-9.]+ *$/ && $2 !~ /co_await/ {
        name = $2; gsub(/^ +| +$/, "", name)
        sub(/: atomic acquire load/, "", name); sub(/cached_value::/, "", name)
        sub(/<shared_ptr<const T>>::load/, "<shared_ptr>", name); sub(/ \+ token string copy/, "+copy", name)
        sub(/Azure SDK C\+\+ style cache/, "Azure-style", name)
        printf "\"%s\" %s %s\n", name, $3 + 0, $4 + 0
    }' "$results" >"$data"
[ -s "$data" ] || { echo "plot_read_latency: no cached-read table in $results" >&2; exit 1; }

gnuplot <<GNUPLOT
set terminal pngcairo size 900,520 font "sans,10" noenhanced
set output "$png"
set title "Cached token read: CPU ns per call per thread (log scale; lower is better)\n$(head -1 "$results" | sed 's/^# //') — ratios from one run"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.1:*]
set ylabel "ns per read"
set grid ytics
set xtics rotate by -20
set key top left
plot "$data" using 2:xtic(1) title "1 thread", "" using 3 title "2 threads"
GNUPLOT
echo "plot_read_latency: wrote $png" >&2
