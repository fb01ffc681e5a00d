#!/usr/bin/env bash
# bench/run.sh — botwatch's single-thread throughput against a bare libpcap read loop over the
# same capture (bench/README.md).  Prints a markdown table, also saved to build/bench/report.md.
#
# Environment:
#   BENCH_PCAP=FILE      capture to use (default build/bench/mixed.pcap, generated if absent)
#   BENCH_SIZE_MB=600    size of the generated capture;  BENCH_SEED=1  its seed
#   BENCH_RUNS=3         runs per tool;  BENCH_STAT=median|best  which run's time is reported
#   BENCH_PEERS=1        also time tshark/ndpiReader/suricata/snort/zeek where installed (0: skip)
#   BENCH_PEER_RUNS=1    runs per peer (tshark takes minutes on 600 MB)
#   BENCH_FLOOR_ONLY=1   only measure pcap_floor (no botwatch needed)
#   BENCH_ENFORCE=1      exit 1 when botwatch is below BENCH_TARGET (default 60) % of the floor
#   BOTWATCH=PATH        binary to measure (default build/botwatch)
#   BENCH_MEASURE=gnutime|python   force the measuring method (default: GNU time if present)
# Exit status: 0 done, 1 error (or below target with BENCH_ENFORCE=1), 2 botwatch not built.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/bench
RUNS=${BENCH_RUNS:-3}
STAT=${BENCH_STAT:-median}
SIZE_MB=${BENCH_SIZE_MB:-600}
SEED=${BENCH_SEED:-1}
PEERS=${BENCH_PEERS:-1}
PEER_RUNS=${BENCH_PEER_RUNS:-1}
TARGET=${BENCH_TARGET:-60}
BOTWATCH=${BOTWATCH:-$ROOT/build/botwatch}
PCAP=${BENCH_PCAP:-$OUT/mixed.pcap}

die() { echo "bench: $*" >&2; exit 1; }
case $STAT in median|best) ;; *) die "BENCH_STAT must be median or best" ;; esac
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"

# ---- build the helpers, make the capture
make -s -C "$ROOT/bench" || die "building the helpers failed"
mkdir -p "$OUT"
if [[ -n ${BENCH_PCAP:-} ]]; then
    [[ -f $PCAP ]] || die "BENCH_PCAP=$PCAP does not exist"
else
    # the default capture is made again when the generator or its settings change
    stamp="$SIZE_MB $SEED"
    if [[ ! -f $PCAP || $OUT/gen_capture -nt $PCAP || $(cat "$PCAP.args" 2>/dev/null) != "$stamp" ]]; then
        echo "bench: generating $PCAP ($SIZE_MB MB, seed $SEED)" >&2
        "$OUT/gen_capture" -s "$SIZE_MB" -S "$SEED" -o "$PCAP.tmp" >&2 || die "gen_capture failed"
        mv "$PCAP.tmp" "$PCAP"
        echo "$stamp" >"$PCAP.args"
    fi
fi
PCAP=$(cd "$(dirname "$PCAP")" && pwd)/$(basename "$PCAP")

FLOOR_ONLY=${BENCH_FLOOR_ONLY:-0}
if [[ $FLOOR_ONLY != 1 && ! -x $BOTWATCH ]]; then
    echo "bench: $BOTWATCH does not exist: build it first (make), or set BENCH_FLOOR_ONLY=1" >&2
    exit 2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/botwatch-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# ---- measuring one run: prints "wall_seconds cpu_seconds peak_rss_kb exit_status"
# Wall and CPU (user + system) time come from bash's `time` (millisecond resolution), peak
# RSS from GNU time (package `time`); without GNU time, a python3 wrapper takes all three from
# os.wait4 (its RSS cannot read below the wrapper's own ~10-15 MB).
MEASURE=${BENCH_MEASURE:-}   # gnutime or python; chosen automatically when unset
if [[ -z $MEASURE ]]; then
    if /usr/bin/time --version 2>&1 | grep -q GNU; then
        MEASURE=gnutime
    elif command -v python3 >/dev/null; then
        MEASURE=python
    else
        die "need GNU time (/usr/bin/time) or python3 to measure peak RSS"
    fi
fi

PYWRAP='
import os, subprocess, sys, time
out, err = open(sys.argv[1], "wb"), open(sys.argv[2], "wb")
t0 = time.perf_counter()
p = subprocess.Popen(sys.argv[3:], stdout=out, stderr=err, stdin=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
wall = time.perf_counter() - t0
rc = os.waitstatus_to_exitcode(status)
print("%.6f %.6f %d %d" % (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, rc if rc >= 0 else 128 - rc))
'

# run_once OUTFILE ERRFILE CMD...
run_once() {
    local o=$1 e=$2 rc=0 TIMEFORMAT='%3R %3U %3S'
    shift 2
    if [[ $MEASURE == gnutime ]]; then
        { time /usr/bin/time -f '%M' -o "$TMP/rss" "$@" >"$o" 2>"$e" </dev/null || rc=$?; } 2>"$TMP/times"
        awk -v rss="$(tail -n1 "$TMP/rss")" -v rc="$rc" \
            '{ printf "%s %.3f %s %s\n", $1, $2 + $3, rss, rc }' "$TMP/times"
    else
        python3 -c "$PYWRAP" "$o" "$e" "$@"
    fi
}

# run_tool NAME CMD...: one measured run of NAME, added to its samples.  A failed run is
# reported and ends NAME's runs.
declare -A WALLS=() CPUS=() PEAK=() FAIL=() NRUN=()
run_tool() {
    local name=$1 line w u r c
    shift
    [[ -n ${FAIL[$name]:-} ]] && return 0
    line=$(run_once "$TMP/$name.out" "$TMP/$name.err" "$@")
    read -r w u r c <<<"$line"
    NRUN[$name]=$((${NRUN[$name]:-0} + 1))
    if [[ $c != 0 ]]; then
        FAIL[$name]=$c
        echo "bench: $name exited with status $c; its last messages:" >&2
        tail -n 5 "$TMP/$name.err" >&2
        return 0
    fi
    WALLS[$name]+="$w "
    CPUS[$name]+="$u "
    ((r > ${PEAK[$name]:-0})) && PEAK[$name]=$r
    printf 'bench: %-14s run %d  wall %8.3f s  cpu %8.3f s  %8d KB\n' "$name" "${NRUN[$name]}" \
        "$w" "$u" "$r" >&2
}

# result NAME: sets M_WALL and M_CPU (median or best of NAME's runs; empty if one failed),
# M_RSS (KB, the largest), M_RC (exit status of the failed run)
result() {
    M_RC=${FAIL[$1]:-0} M_RSS=${PEAK[$1]:-0} M_WALL="" M_CPU=""
    [[ $M_RC != 0 || -z ${WALLS[$1]:-} ]] && return 0
    # shellcheck disable=SC2086 # word splitting intended
    M_WALL=$(pick ${WALLS[$1]})
    # shellcheck disable=SC2086
    M_CPU=$(pick ${CPUS[$1]})
}

# pick VALUES...: the median or the smallest, by BENCH_STAT
pick() {
    printf '%s\n' "$@" | sort -g | awk -v stat="$STAT" '
        { v[NR] = $1 }
        END { if (stat == "best") print v[1];
              else if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

rm -f "$OUT/botwatch-scan.stderr"
FILE_BYTES=$(stat -c %s "$PCAP")
ROWS=()
# row LABEL: appends a table row from M_WALL/M_RSS, relative to the floor
row() {
    local label=$1
    if [[ -z $M_WALL ]]; then
        ROWS+=("| $label | failed (exit $M_RC) | | | | | |")
        return
    fi
    ROWS+=("$(awk -v l="$label" -v w="$M_WALL" -v u="$M_CPU" -v b="$FILE_BYTES" -v p="$PACKETS" \
                  -v fw="${FLOOR_WALL:-$M_WALL}" -v r="$M_RSS" 'BEGIN {
        printf "| %s | %.3f | %.3f | %.0f | %.2f | %.0f %% | %.0f |", l, w, u, b / w / 1e6,
               p / w / 1e6, 100 * fw / w, r / 1024 }')")
}

echo "bench: warming the page cache" >&2
cat "$PCAP" >/dev/null

# ---- the floor and botwatch, interleaved run by run so that both see the same machine
for ((i = 1; i <= RUNS; i++)); do
    run_tool pcap_floor "$OUT/pcap_floor" "$PCAP"
    run_tool pcap_floor_m "$OUT/pcap_floor" -m "$PCAP"
    if [[ $FLOOR_ONLY != 1 ]]; then
        run_tool botwatch_noapp "$BOTWATCH" scan --no-app "$PCAP"
        run_tool botwatch "$BOTWATCH" scan "$PCAP"
        [[ -f $TMP/botwatch.err ]] && cp "$TMP/botwatch.err" "$OUT/botwatch-scan.stderr"
        run_tool botwatch_eve "$BOTWATCH" scan --eve /dev/null "$PCAP"
    fi
done
result pcap_floor
[[ -n $M_WALL ]] || die "pcap_floor failed"
PACKETS=$(awk '{ print $2 }' "$TMP/pcap_floor.out")
FLOOR_WALL=$M_WALL
FLOOR_CPU=$M_CPU
row "pcap_floor (bare libpcap loop)"
result pcap_floor_m
row "pcap_floor -m (the same over botwatch's mapped stream)"
BW_PCT=""
if [[ $FLOOR_ONLY != 1 ]]; then
    # issue #2's target is about this pipeline: decode, flows and TCP reassembly
    result botwatch_noapp
    row "botwatch scan --no-app (decode + flows + reassembly)"
    if [[ -n $M_WALL ]]; then
        BW_PCT=$(awk -v a="$FLOOR_WALL" -v b="$M_WALL" 'BEGIN { printf "%.0f", 100 * a / b }')
        BW_CPU_PCT=$(awk -v a="$FLOOR_CPU" -v b="$M_CPU" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }')
    fi
    result botwatch
    row "botwatch scan (everything: protocols, parsers, detectors)"
    result botwatch_eve
    row "botwatch scan --eve /dev/null"
fi

# ---- peers, as reference points (they do different amounts of work)
NOTES=()
if [[ $PEERS == 1 ]]; then
    if command -v tshark >/dev/null; then
        for ((i = 1; i <= PEER_RUNS; i++)); do run_tool tshark tshark -q -r "$PCAP" -z conv,tcp; done
        result tshark
        row "tshark -q -z conv,tcp"
    else
        NOTES+=("tshark: not installed")
    fi
    if command -v suricata >/dev/null; then
        mkdir -p "$TMP/suricata"
        for ((i = 1; i <= PEER_RUNS; i++)); do run_tool suricata suricata -r "$PCAP" -l "$TMP/suricata" -k none --runmode single; done
        result suricata
        row "suricata -r (single)"
    else
        NOTES+=("suricata: not installed")
    fi
    if command -v ndpiReader >/dev/null; then
        # nDPI's reader classifying every flow: the peer for protocol identification (issue #3)
        for ((i = 1; i <= PEER_RUNS; i++)); do run_tool ndpireader ndpiReader -q -i "$PCAP"; done
        result ndpireader
        row "ndpiReader -i (classify)"
    else
        NOTES+=("ndpiReader: not installed (Debian: libndpi-bin)")
    fi
    if command -v snort >/dev/null; then
        for ((i = 1; i <= PEER_RUNS; i++)); do run_tool snort snort -q -N -r "$PCAP"; done
        result snort
        row "snort -r"
    else
        NOTES+=("snort: not installed")
    fi
    if command -v zeek >/dev/null; then
        mkdir -p "$TMP/zeek"
        for ((i = 1; i <= PEER_RUNS; i++)); do run_tool zeek env -C "$TMP/zeek" zeek -r "$PCAP"; done
        result zeek
        row "zeek -r"
    else
        NOTES+=("zeek: not installed")
    fi
fi

# ---- report
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
{
    echo "Capture: \`$(basename "$PCAP")\`, $(awk -v b="$FILE_BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB," \
         "$PACKETS packets. Machine: $CPU, $(nproc) cores, single-threaded runs." \
         "Time: $STAT of $RUNS runs (peers: $PEER_RUNS), page cache warm. MB = 10^6 bytes of file."
    echo
    echo "| tool | wall s | cpu s | MB/s | Mpkt/s | % of floor | peak RSS MiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    for n in "${NOTES[@]}"; do echo "| ${n%%:*} | not installed | | | | | |"; done
    if [[ -n $BW_PCT ]]; then
        echo
        if ((BW_PCT >= TARGET)); then v="meets"; else v="is BELOW"; fi
        echo "botwatch scan --no-app (decode + flows + reassembly) runs at $BW_PCT % of the" \
             "libpcap floor's throughput (wall time; $BW_CPU_PCT % by CPU time): $v the" \
             "$TARGET % target."
    fi
} | tee "$OUT/report.md"

if [[ -f $OUT/botwatch-scan.stderr ]]; then
    echo >&2
    echo "bench: botwatch scan statistics (stderr of its last run, build/bench/botwatch-scan.stderr):" >&2
    tail -n 25 "$OUT/botwatch-scan.stderr" >&2
fi
if [[ ${BENCH_ENFORCE:-0} == 1 && -n $BW_PCT ]] && ((BW_PCT < TARGET)); then exit 1; fi
exit 0
