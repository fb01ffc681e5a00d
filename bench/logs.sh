#!/usr/bin/env bash
# bench/logs.sh — `botwatch logs` throughput (issue #5) on a generated Cisco ASA log, next to
# `wc -l` on the same file (the floor: reading the bytes and finding the newlines).
# Prints a markdown table, also saved to build/bench/logs-report.md.
#
# Environment:
#   BENCH_LOG_LINES=5000000   lines in the generated log (build/bench/asa.log)
#   BENCH_SEED=1              its seed
#   BENCH_RUNS=3              runs per tool; the median is reported
#   BENCH_LOG_GZIP=1          also time the same log gzip-compressed (gzip -1), next to
#                             `gzip -dc | wc -l`; 0 skips it
#   BOTWATCH=PATH             binary to measure (default build/botwatch)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/bench
LINES=${BENCH_LOG_LINES:-5000000}
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-3}
BOTWATCH=${BOTWATCH:-$ROOT/build/botwatch}
LOG=$OUT/asa.log

die() { echo "bench: $*" >&2; exit 1; }
[[ -x $BOTWATCH ]] || { echo "bench: $BOTWATCH does not exist: build it first (make)" >&2; exit 2; }
make -s -C "$ROOT/bench" || die "building the helpers failed"
stamp="$LINES $SEED"
if [[ ! -f $LOG || $OUT/gen_pixlog -nt $LOG || $(cat "$LOG.args" 2>/dev/null) != "$stamp" ]]; then
    echo "bench: generating $LOG ($LINES lines, seed $SEED)" >&2
    "$OUT/gen_pixlog" -n "$LINES" -S "$SEED" -o "$LOG.tmp" || die "gen_pixlog failed"
    mv "$LOG.tmp" "$LOG"
    echo "$stamp" >"$LOG.args"
fi
bytes=$(stat -c %s "$LOG")
# The generated log has 1024 mail-sending hosts with many days each; a larger detector memcap
# keeps every one of them (the default 256 MiB is meant for one office's logs).
cfg=$(mktemp "${TMPDIR:-/tmp}/botwatch-bench-XXXXXX.yaml")
trap 'rm -f "$cfg"' EXIT
echo "memcap: 4096" >"$cfg"

# one run: "wall_seconds peak_rss_kb"
measure() {
    local t0 t1 tf
    tf=$(mktemp "${TMPDIR:-/tmp}/botwatch-bench-XXXXXX")
    t0=$(date +%s.%N)
    /usr/bin/time -o "$tf" -f '%M' "$@" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v r="$(tail -1 "$tf")" 'BEGIN { printf "%.3f %s\n", b - a, r }'
    rm -f "$tf"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

wc_t=$(for i in $(seq "$RUNS"); do measure wc -l "$LOG" | cut -d' ' -f1; done | median)
bw_runs=$(for i in $(seq "$RUNS"); do measure "$BOTWATCH" logs -q --config "$cfg" --year 2026 "$LOG"; done)
bw_t=$(echo "$bw_runs" | cut -d' ' -f1 | median)
bw_rss=$(echo "$bw_runs" | cut -d' ' -f2 | sort -n | tail -1)
GZ=${BENCH_LOG_GZIP:-1}
if [[ $GZ == 1 ]]; then
    if [[ ! -f $LOG.gz || $LOG -nt $LOG.gz ]]; then
        echo "bench: compressing $LOG" >&2
        gzip -1 -c "$LOG" >"$LOG.gz.tmp" && mv "$LOG.gz.tmp" "$LOG.gz"
    fi
    gzbytes=$(stat -c %s "$LOG.gz")
    zwc_t=$(for i in $(seq "$RUNS"); do measure sh -c 'gzip -dc "$1" | wc -l' sh "$LOG.gz" | cut -d' ' -f1; done | median)
    gz_runs=$(for i in $(seq "$RUNS"); do measure "$BOTWATCH" logs -q --config "$cfg" --year 2026 "$LOG.gz"; done)
    gz_t=$(echo "$gz_runs" | cut -d' ' -f1 | median)
    gz_rss=$(echo "$gz_runs" | cut -d' ' -f2 | sort -n | tail -1)
fi

report=$OUT/logs-report.md
{
    echo "| tool | seconds (median of $RUNS) | lines/s | MB/s | peak RSS |"
    echo "|---|---|---|---|---|"
    awk -v t="$wc_t" -v n="$LINES" -v b="$bytes" 'BEGIN {
        printf "| wc -l (floor) | %.2f | %.2f M | %.0f | - |\n", t, n / t / 1e6, b / t / 1e6 }'
    awk -v t="$bw_t" -v n="$LINES" -v b="$bytes" -v r="$bw_rss" 'BEGIN {
        printf "| botwatch logs | %.2f | %.2f M | %.0f | %.0f MB |\n", t, n / t / 1e6, b / t / 1e6, r / 1024 }'
    if [[ $GZ == 1 ]]; then
        awk -v t="$zwc_t" -v n="$LINES" -v b="$bytes" 'BEGIN {
            printf "| gzip -dc \\| wc -l (floor, .gz) | %.2f | %.2f M | %.0f | - |\n", t, n / t / 1e6, b / t / 1e6 }'
        awk -v t="$gz_t" -v n="$LINES" -v b="$bytes" -v r="$gz_rss" 'BEGIN {
            printf "| botwatch logs (.gz) | %.2f | %.2f M | %.0f | %.0f MB |\n", t, n / t / 1e6, b / t / 1e6, r / 1024 }'
    fi
    echo
    echo "$LINES lines, $((bytes / 1000000)) MB: $LOG (gen_pixlog seed $SEED)"
    if [[ $GZ == 1 ]]; then
        echo "gzip -1: $((gzbytes / 1000000)) MB; MB/s counts uncompressed bytes"
    fi
} | tee "$report"
