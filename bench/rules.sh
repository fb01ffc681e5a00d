#!/usr/bin/env bash
# bench/rules.sh — what rules cost (issue #4): botwatch scan with no rules, with the seed rules
# (tests/regress/rules/seed.rules) and with every ET Open rule file of ../shared/corpus/rules
# (when present), each as a ratio to the bare libpcap read (pcap_floor) over the same capture,
# plus the time to load the largest set (parse + prefilter build: a scan of an empty capture).
# Prints a markdown table, also saved to build/bench/rules-report.md.
#
# Environment: BENCH_PCAP=FILE (default build/bench/mixed.pcap, made by bench/run.sh's
# generator with the same settings if absent), BENCH_SIZE_MB=600, BENCH_SEED=1, BENCH_RUNS=3,
# BOTWATCH=PATH. The corpus set is every etopen*.rules file (the suricata-verify files are
# test rules, not a rule set). Exit status: 0 done, 1 error, 2 botwatch not built.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/bench
RUNS=${BENCH_RUNS:-3}
SIZE_MB=${BENCH_SIZE_MB:-600}
SEED=${BENCH_SEED:-1}
BOTWATCH=${BOTWATCH:-$ROOT/build/botwatch}
PCAP=${BENCH_PCAP:-$OUT/mixed.pcap}
CORPUS=$ROOT/../shared/corpus/rules

die() { echo "bench: $*" >&2; exit 1; }
[[ -x $BOTWATCH ]] || { echo "bench: $BOTWATCH does not exist: build it first (make)" >&2; exit 2; }
make -s -C "$ROOT/bench" || die "building the helpers failed"
mkdir -p "$OUT"
if [[ -z ${BENCH_PCAP:-} ]]; then
    stamp="$SIZE_MB $SEED"
    if [[ ! -f $PCAP || $(cat "$PCAP.args" 2>/dev/null) != "$stamp" ]]; then
        echo "bench: generating $PCAP ($SIZE_MB MB, seed $SEED)" >&2
        "$OUT/gen_capture" -s "$SIZE_MB" -S "$SEED" -o "$PCAP.tmp" >&2 || die "gen_capture failed"
        mv "$PCAP.tmp" "$PCAP"
        echo "$stamp" >"$PCAP.args"
    fi
fi
[[ -f $PCAP ]] || die "$PCAP does not exist"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/botwatch-bench-rules.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# the corpus set: one directory of the ET Open files
SETS=(none seed)
if compgen -G "$CORPUS/etopen*.rules" >/dev/null; then
    mkdir -p "$TMP/corpus"
    cp "$CORPUS"/etopen*.rules "$TMP/corpus/"
    SETS+=(corpus)
fi

# one run: prints wall seconds (bash's time, ms resolution)
wall() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; die "failed: $*"; }
    t1=$(date +%s.%N)
    calc "$t1 - $t0"
}
calc() { awk "BEGIN { print $1 }"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

args_for() {
    case $1 in
    none) echo "" ;;
    seed) echo "--rules $ROOT/tests/regress/rules/seed.rules --fast /dev/null" ;;
    corpus) echo "--rules $TMP/corpus --fast /dev/null" ;;
    esac
}

cat "$PCAP" >/dev/null          # warm the page cache
declare -A T
for ((i = 0; i < RUNS; i++)); do
    T[floor]+="$(wall "$OUT/pcap_floor" "$PCAP") "
    for s in "${SETS[@]}"; do
        # shellcheck disable=SC2046
        T[$s]+="$(wall "$BOTWATCH" scan -q --no-progress $(args_for "$s") "$PCAP") "
    done
done
floor=$(echo "${T[floor]}" | tr ' ' '\n' | grep . | median)
none=$(echo "${T[none]}" | tr ' ' '\n' | grep . | median)

load=""
nrules=""
if [[ " ${SETS[*]} " == *" corpus "* ]]; then
    head -c 24 "$PCAP" >"$TMP/empty.pcap"     # the global header only: no packets
    lt=""
    for ((i = 0; i < RUNS; i++)); do
        lt+="$(wall "$BOTWATCH" scan -q --no-progress --rules "$TMP/corpus" --fast /dev/null "$TMP/empty.pcap") "
    done
    load=$(echo "$lt" | tr ' ' '\n' | grep . | median)
    nrules=$("$BOTWATCH" rules check "$TMP/corpus" 2>/dev/null | tail -1 || true)
fi

bytes=$(stat -c %s "$PCAP")
{
    echo "| run | rules | wall s (median of $RUNS) | MB/s | % of libpcap floor | cost vs no rules |"
    echo "|---|---|---|---|---|---|"
    printf '| pcap_floor | - | %.3f | %.0f | 100 %% | - |\n' "$floor" "$(calc "$bytes / $floor / 1000000")"
    for s in "${SETS[@]}"; do
        t=$(echo "${T[$s]}" | tr ' ' '\n' | grep . | median)
        case $s in
        none) what="none" ;;
        seed) what="2 (seed.rules)" ;;
        corpus) what="${nrules#rules: }" ;;
        esac
        printf '| botwatch scan | %s | %.3f | %.0f | %.1f %% | %.2fx |\n' "$what" "$t" \
            "$(calc "$bytes / $t / 1000000")" "$(calc "100 * $floor / $t")" "$(calc "$t / $none")"
    done
    [[ -n $load ]] && printf '\nLoading the corpus set (parse, classify, build the prefilter; a scan of an empty capture): %.3f s.\n' "$load"
    echo
    echo "Capture: $PCAP ($bytes bytes). Target (issue #4): the corpus set costs no more than 2x no rules."
} | tee "$OUT/rules-report.md"
