#!/usr/bin/env bash
# inline.sh — what botwatch inline costs on a gateway (root, network namespaces):
#   latency: ping RTT from office to outside through the gateway, 500 probes 10 ms apart,
#            median and 99th percentile, with the gateway's FORWARD traffic queued to
#            `botwatch inline --rules etc/botwatch.rules` and with no queue rule at all;
#   throughput: curl fetching a 200 MB file from python3's http.server through the gateway,
#            MB/s and (queued) packets per second, both ways again.
# The namespaces and veths are tests/integration/gateway.sh's. Prints a markdown table.
# Usage: bench/inline.sh [BOTWATCH]   (default build/botwatch)
set -u
cd "$(dirname "$0")/.."
BW=$(readlink -f "${1:-build/botwatch}")
PY=/usr/bin/python3
TAG=$$
NS_O=bw-office-$TAG NS_G=bw-gw-$TAG NS_X=bw-out-$TAG
WORK=$(mktemp -d)
pids=()
fail() { echo "bench/inline.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, NFQUEUE)"
[ -x "$BW" ] || fail "$BW not built (make)"
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    for ns in "$NS_O" "$NS_G" "$NS_X"; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$NS_O" || fail "ip netns add"
. tests/integration/gateway.sh
gateway_setup

mkdir -p "$WORK/www" && head -c 200000000 /dev/urandom >"$WORK/www/big.bin"
(cd "$WORK/www" && exec ip netns exec "$NS_X" "$PY" -m http.server 8080 --bind 10.79.2.2 \
    >/dev/null 2>&1) & pids+=($!)
for _ in $(seq 50); do
    ip netns exec "$NS_X" ss -Hltn 'sport = :8080' | grep -q . && break; sleep 0.1
done

rtt() {   # prints "median p99" in ms
    ip netns exec "$NS_O" ping -q -n -c 500 -i 0.01 -W 1 10.79.2.2 >/dev/null 2>&1 || true
    ip netns exec "$NS_O" ping -n -c 500 -i 0.01 -W 1 10.79.2.2 2>/dev/null |
        sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -n |
        awk '{a[NR]=$1} END {if (NR) printf "%.3f %.3f\n", a[int((NR+1)/2)], a[int(NR*0.99+0.5)]; else print "- -"}'
}
fetch() { # prints "seconds MB/s"
    local t0 t1
    t0=$(date +%s.%N)
    ip netns exec "$NS_O" curl -s -o /dev/null --max-time 120 http://10.79.2.2:8080/big.bin ||
        fail "curl through the gateway"
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN {d=b-a; printf "%.2f %.1f\n", d, 200/d}'
}

read -r lat_med lat_p99 < <(rtt)
read -r t_plain mbs_plain < <(fetch)

ip netns exec "$NS_G" iptables -A FORWARD -j NFQUEUE --queue-num 7 --queue-bypass ||
    fail "iptables NFQUEUE"
ip netns exec "$NS_G" "$BW" inline --queue 7 --fail-open --stats-interval 0 \
    --rules etc/botwatch.rules --var 'HOME_NET=[10.79.1.0/24]' --fast /dev/null \
    2>"$WORK/inline.err" & pids+=($!)
bw_pid=$!
for _ in $(seq 50); do grep -q 'bound to queue' "$WORK/inline.err" && break; sleep 0.1; done
grep -q 'bound to queue' "$WORK/inline.err" || fail "inline did not bind: $(cat "$WORK/inline.err")"
read -r qlat_med qlat_p99 < <(rtt)
read -r t_q mbs_q < <(fetch)
kill -INT "$bw_pid"; wait "$bw_pid"
pkts=$(sed -n 's/^inline: \([0-9]*\) packets:.*/\1/p' "$WORK/inline.err" | tail -1)
over=$(sed -n 's/.*kernel overruns \([0-9]*\).*/\1/p' "$WORK/inline.err" | tail -1)

cat <<EOF
| path | ping RTT median (ms) | ping RTT p99 (ms) | 200 MB over HTTP (s) | MB/s | queued packets/s |
| --- | ---: | ---: | ---: | ---: | ---: |
| gateway, no queue | $lat_med | $lat_p99 | $t_plain | $mbs_plain | - |
| gateway, botwatch inline (default rules) | $qlat_med | $qlat_p99 | $t_q | $mbs_q | $(awk -v p="${pkts:-0}" -v t="$t_q" 'BEGIN {printf "%.0f", p / t}') |

botwatch inline: ${pkts:-?} packets in all (1000 pings and the fetch; packets/s divides them by
the fetch's time), kernel overruns ${over:-?}.
EOF
