#!/usr/bin/env bash
# Runs the test suites against one or more build directories and ends with one line
# "N passed, N failed". Usage: tests/run.sh [--only unit|regress|conformance|integration|fuzz] BUILD_DIR...
#   BUILD_DIR holds botwatch and tests/test_* (build, or build/asan for the sanitized build).
# Regression cases: tests/regress/<area>/<case>/ with
#   input.pcap | input.pcapng | inputs (repo-relative paths, one per line)
#   command         the botwatch command to run: scan (the default) or logs (optional)
#   args            extra options for the command, one per line (optional)
#   expected.jsonl  the whole EVE output, compared exactly
#   expected.stderr the error lines, compared exactly (optional; stats are off with -q)
#   expected.rc     the exit status (optional, default 0)
#   expected.stdout standard output (--report), compared exactly (optional)
#   stdin           a repo-relative capture fed on standard input (optional; use - in inputs)
# UPDATE=1 rewrites expected.jsonl / expected.stderr / expected.rc from the normal build.
set -u
cd "$(dirname "$0")/.."
only=""
if [ "${1:-}" = "--only" ]; then only=$2; shift 2; fi
[ $# -ge 1 ] || { echo "usage: tests/run.sh [--only SUITE] BUILD_DIR..." >&2; exit 2; }

pass=0 fail=0 skip=0
failed=()
ok()   { pass=$((pass + 1)); [ -n "${VERBOSE:-}" ] && echo "ok   $1"; return 0; }
bad()  { fail=$((fail + 1)); failed+=("$1"); echo "FAIL $1"; }

# Sanitizer reports must fail the run, and leaks count too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

run_unit() {
    local b=$1 t
    for t in "$b"/tests/test_*; do
        [ -x "$t" ] || continue
        local log
        log=$("$t" 2>&1)
        if [ $? -eq 0 ]; then ok "$t"; else bad "$t"; echo "$log" | grep -E 'FAIL|ERROR|LINE|Sanitizer|runtime error' | head -20; fi
    done
}

run_regress() {
    local b=$1 dir
    local tmp; tmp=$(mktemp -d)
    for dir in $(find tests/regress -name expected.jsonl -printf '%h\n' 2>/dev/null | sort); do
        local inputs=() args=()
        if [ -f "$dir/inputs" ]; then
            mapfile -t inputs < <(grep -v '^#' "$dir/inputs" | grep .)
        else
            inputs=("$dir"/input.pcap*)
        fi
        [ -f "$dir/args" ] && mapfile -t args < <(grep -v '^#' "$dir/args" | grep .)
        local in=/dev/null cmd=scan
        [ -f "$dir/stdin" ] && in=$(cat "$dir/stdin")
        [ -f "$dir/command" ] && cmd=$(cat "$dir/command")
        rm -f "$tmp"/*                       # nothing left over from the previous case
        "$b/botwatch" "$cmd" -q --no-progress --eve "$tmp/out.jsonl" "${args[@]}" "${inputs[@]}" \
            <"$in" 2>"$tmp/err" >"$tmp/stdout"
        local rc=$? want=0
        [ -f "$tmp/out.jsonl" ] || : >"$tmp/out.jsonl"   # refused before opening its output
        [ -f "$dir/expected.rc" ] && want=$(cat "$dir/expected.rc")
        if [ -n "${UPDATE:-}" ] && [ "$b" = build ]; then
            cp "$tmp/out.jsonl" "$dir/expected.jsonl"
            [ -s "$tmp/err" ] && cp "$tmp/err" "$dir/expected.stderr"
            [ $rc -ne 0 ] && echo $rc > "$dir/expected.rc"
            [ -s "$tmp/stdout" ] && cp "$tmp/stdout" "$dir/expected.stdout"
            echo "updated $dir"
        fi
        local why=""
        [ "$rc" = "$want" ] || why="exit status $rc, expected $want"
        if ! cmp -s "$tmp/out.jsonl" "$dir/expected.jsonl"; then
            why="${why:+$why; }EVE output differs"
            diff "$dir/expected.jsonl" "$tmp/out.jsonl" | head -10
        fi
        if [ -f "$dir/expected.stdout" ] && ! cmp -s "$tmp/stdout" "$dir/expected.stdout"; then
            why="${why:+$why; }standard output differs"
            diff "$dir/expected.stdout" "$tmp/stdout" | head -10
        fi
        if [ -f "$dir/expected.stderr" ]; then
            cmp -s "$tmp/err" "$dir/expected.stderr" || { why="${why:+$why; }stderr differs"; diff "$dir/expected.stderr" "$tmp/err" | head -10; }
        elif grep -qE 'Sanitizer|runtime error' "$tmp/err"; then
            why="${why:+$why; }sanitizer report"; head -20 "$tmp/err"
        fi
        if [ -z "$why" ]; then ok "$b regress $dir"; else bad "$b regress $dir: $why"; fi
    done
    rm -rf "$tmp"
}

run_conformance() {
    local b=$1
    if [ ! -f tests/conformance/run.py ]; then return; fi
    local out
    out=$(python3 tests/conformance/run.py --botwatch "$b/botwatch" 2>&1)
    local rc=$?
    echo "$out" | grep -vE '^ok ' | sed "s|^|  [$b conformance] |"
    local line; line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
    if echo "$out" | grep -q '^conformance: skipped'; then skip=$((skip + 1)); return; fi
    if [ -n "$line" ]; then
        local p f
        p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}')
        pass=$((pass + p)); fail=$((fail + f))
        [ "$f" -gt 0 ] && failed+=("$b conformance: $f captures")
    elif [ $rc -ne 0 ]; then
        bad "$b conformance (exit $rc)"
    fi
    # The detectors on the whole corpus (issue #7): no sanitizer report, every high-severity
    # finding justified in findings.py.
    if [ -f tests/conformance/findings.py ]; then
        out=$(python3 tests/conformance/findings.py -q --botwatch "$b/botwatch" 2>&1)
        rc=$?
        if echo "$out" | grep -q '^findings: skipped'; then
            skip=$((skip + 1))
        else
            echo "$out" | grep -E '^findings|UNJUSTIFIED|STALE|:' | sed "s|^|  [$b findings] |"
            if [ $rc -eq 0 ]; then ok "$b findings"; else bad "$b findings"; fi
        fi
    fi
    # Firewall logs (issue #5): every supported ASA/PIX line of the corpus parses, with the
    # fields logs.py lists; every log file goes through the whole driver.
    if [ -f tests/conformance/logs.py ]; then
        out=$(python3 tests/conformance/logs.py --botwatch "$b/botwatch" 2>&1)
        rc=$?
        if echo "$out" | grep -q '^logs: skipped'; then
            skip=$((skip + 1))
        else
            echo "$out" | grep -E '^logs:|FAIL' | sed "s|^|  [$b logs] |"
            if [ $rc -eq 0 ]; then ok "$b logs conformance"; else bad "$b logs conformance"; fi
        fi
    fi
    # The two capture readers (botwatch's own for classic pcap files, libpcap's for the rest)
    # give the same output on every fixture, damaged copies of them and the corpus.
    if [ -f tests/conformance/readers.py ]; then
        out=$(python3 tests/conformance/readers.py --botwatch "$b/botwatch" 2>&1)
        rc=$?
        echo "$out" | grep -E '^(readers:|differs)' | sed "s|^|  [$b readers] |"
        if [ $rc -eq 0 ]; then ok "$b readers agree"; else bad "$b readers agree"; fi
    fi
    # Rule engine (issue #4): corpus rule files load >= 95 %, suricata-verify alerts agree.
    if [ -f tests/conformance/rules.py ]; then
        out=$(python3 tests/conformance/rules.py --min 95 --botwatch "$b/botwatch" 2>&1)
        rc=$?
        if echo "$out" | grep -q '^rules: skipped'; then
            skip=$((skip + 1))
        else
            echo "$out" | grep -E '^(FAIL|differs|alerts:)' | sed "s|^|  [$b rules] |"
            if [ $rc -eq 0 ]; then ok "$b rules conformance"; else bad "$b rules conformance"; fi
        fi
    fi
    # Protocol identification against nDPI's expected results (issue #3): at least 98 %.
    if [ -f tests/conformance/ndpi.py ]; then
        out=$(python3 tests/conformance/ndpi.py --min 98 --botwatch "$b/botwatch" 2>&1)
        rc=$?
        if echo "$out" | grep -q '^ndpi: skipped'; then skip=$((skip + 1)); return; fi
        echo "$out" | grep -E '^agreement|differs' | sed "s|^|  [$b ndpi] |"
        if [ $rc -eq 0 ]; then ok "$b ndpi agreement"; else bad "$b ndpi agreement"; echo "$out" | tail -20; fi
    fi
}

# Each fuzz target replays seeds made from the fixtures, then mutates for a bounded number of
# runs: proof that the targets build and hold, not a fuzzing campaign (see fuzz/README.md).
run_fuzz() {
    local t seeds=build/fuzz/seeds
    [ -d build/fuzz ] || return 0
    mkdir -p "$seeds"
    python3 fuzz/mkseeds.py "$seeds" tests/fixtures/*.pcap* 2>/dev/null
    for t in build/fuzz/fuzz_*; do
        [ -x "$t" ] || continue
        local log dir=$seeds name
        name=$(basename "$t")
        # a target's own committed seeds (fuzz/seeds/NAME/) if it has them, else the captures'
        if [ -d "fuzz/seeds/$name" ]; then
            dir=build/fuzz/seeds-$name
            rm -rf "$dir"; cp -r "fuzz/seeds/$name" "$dir"
        fi
        log=$("$t" -runs=20000 -seed=1 -max_len=8192 -artifact_prefix=build/fuzz/ "$dir" 2>&1)
        if [ $? -eq 0 ]; then ok "$t"; else bad "$t"; echo "$log" | tail -30; fi
    done
}

# Integration tests (tests/integration/*.sh BOTWATCH): real programs in network namespaces;
# each prints "ok ...", "FAIL ..." or "skip ..." (not root, no namespaces).
run_integration() {
    local b=$1 t out
    for t in tests/integration/*.sh; do
        [ -x "$t" ] || continue
        out=$("$t" "$b/botwatch" 2>&1)
        echo "$out" | grep -E '^(skip|FAIL)' | sed "s|^|  [$b integration] |"
        if echo "$out" | grep -q '^skip'; then skip=$((skip + 1))
        elif echo "$out" | grep -q '^ok' && ! echo "$out" | grep -q '^FAIL'; then ok "$b $t"
        else bad "$b $t"; echo "$out" | tail -10; fi
    done
}

for b in "$@"; do
    [ -x "$b/botwatch" ] || { bad "$b/botwatch not built"; continue; }
    echo "== $b"
    { [ -z "$only" ] || [ "$only" = unit ]; } && run_unit "$b"
    { [ -z "$only" ] || [ "$only" = regress ]; } && run_regress "$b"
    { [ -z "$only" ] || [ "$only" = conformance ]; } && run_conformance "$b"
    { [ -z "$only" ] || [ "$only" = integration ]; } && run_integration "$b"
done

{ [ -z "$only" ] || [ "$only" = fuzz ]; } && { echo "== fuzz"; run_fuzz; }

if [ $fail -gt 0 ]; then
    echo "failed:"; printf '  %s\n' "${failed[@]}"
fi
if [ $skip -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
