#!/usr/bin/env bash
# inline.sh — `botwatch inline` as an IPS between an office and the outside, in namespaces this
# script creates: "office" (10.79.1.2) routes through "gateway" (10.79.1.1 / 10.79.2.1) to
# "outside" (10.79.2.2); the gateway sends forwarded traffic to NFQUEUE 7 with --queue-bypass.
# botwatch runs with its default policy (etc/botwatch.rules). Checks: HTTP (curl -> python3
# http.server) flows through botwatch and is seen in its EVE; an IRC session on port 80
# (python3 sockets) is cut by the "IRC on a non-IRC port" reject rule at its NICK/USER line,
# before the server's welcome and any JOIN, with an alert whose action is "blocked"; with
# botwatch stopped, traffic still flows (the rule's bypass: fail-open).
# Usage: tests/integration/inline.sh BOTWATCH   (prints "ok ..." / "FAIL ..." / "skip ...")
# Every namespace and process it makes is removed at the end, also on failure.
set -u
BW=$(readlink -f "${1:-build/botwatch}")
PY=/usr/bin/python3
TAG=$$
NS_O=bw-office-$TAG NS_G=bw-gw-$TAG NS_X=bw-out-$TAG
WORK=$(mktemp -d)
pids=()

skip() { echo "skip inline: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "not root"
command -v ip >/dev/null && command -v iptables >/dev/null && command -v curl >/dev/null ||
    skip "needs ip, iptables and curl"
ip netns add "$NS_O" 2>/dev/null || skip "network namespaces are not available"

cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    for ns in "$NS_O" "$NS_G" "$NS_X"; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL inline: $*"; exit 1; }

. "$(dirname "$0")/gateway.sh"
gateway_setup
ip netns exec "$NS_G" iptables -A FORWARD -j NFQUEUE --queue-num 7 --queue-bypass ||
    skip "iptables cannot add an NFQUEUE rule here"

cat >"$WORK/ircd.py" <<'EOF'
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.79.2.2", 80)); s.listen(4)
while True:
    c, _ = s.accept(); f = c.makefile("rb")
    for line in f:
        if line.startswith(b"USER"):
            c.sendall(b":irc.test 001 ^qzkvwxj :Welcome to the Test Network ^qzkvwxj\r\n")
        elif line.startswith(b"QUIT"):
            c.sendall(b"ERROR :Closing connection\r\n"); break
    c.close()
EOF
cat >"$WORK/bot.py" <<'EOF'
import socket, sys, time
c = socket.create_connection(("10.79.2.2", 80), timeout=5)
got = b""
try:
    for l in [b"NICK ^qzkvwxj", b"USER BOT 0 * :^qzkvwxj", b"JOIN #x", b"QUIT"]:
        c.sendall(l + b"\r\n"); time.sleep(0.3)
    while True:
        d = c.recv(4096)
        if not d:
            break
        got += d
except (ConnectionResetError, BrokenPipeError, socket.timeout) as e:
    print("cut:", type(e).__name__, "after", len(got), "bytes"); sys.exit(0)
print("complete:", got[:60]); sys.exit(3)
EOF
mkdir -p "$WORK/www" && echo "hello from outside" >"$WORK/www/index.html"
ip netns exec "$NS_X" "$PY" "$WORK/ircd.py" 2>/dev/null & pids+=($!)
(cd "$WORK/www" && exec ip netns exec "$NS_X" "$PY" -m http.server 8080 --bind 10.79.2.2 \
    >/dev/null 2>&1) & pids+=($!)
for _ in $(seq 50); do
    [ "$(ip netns exec "$NS_X" ss -Hltn 'sport = :80 or sport = :8080' | wc -l)" -ge 2 ] && break
    sleep 0.1
done

ip netns exec "$NS_G" "$BW" inline --queue 7 --fail-open --home-net 10.79.1.0/24 \
    --rules "$(dirname "$0")/../../etc/botwatch.rules" --var 'HOME_NET=[10.79.1.0/24]' \
    --stats-interval 0 --eve "$WORK/eve.jsonl" --fast "$WORK/fast.txt" 2>"$WORK/inline.err" & pids+=($!)
bw_pid=$!
for _ in $(seq 50); do grep -q 'bound to queue' "$WORK/inline.err" 2>/dev/null && break; sleep 0.1; done
grep -q 'bound to queue' "$WORK/inline.err" ||
    skip "cannot bind a netfilter queue here: $(tail -1 "$WORK/inline.err")"

got=$(ip netns exec "$NS_O" curl -s --max-time 5 http://10.79.2.2:8080/index.html) ||
    fail "HTTP through botwatch inline failed"
[ "$got" = "hello from outside" ] || fail "HTTP body through the gateway: '$got'"
out=$(ip netns exec "$NS_O" timeout 10 "$PY" "$WORK/bot.py") ||
    fail "the IRC session on port 80 was not cut: $out"
sleep 0.5
kill -INT "$bw_pid"; wait "$bw_pid"; rc=$?
[ $rc -eq 0 ] || fail "botwatch inline exited $rc: $(tail -5 "$WORK/inline.err")"
grep -qE 'inline: [0-9]+ packets: accepted [1-9]' "$WORK/inline.err" ||
    fail "no packets were accepted through the queue: $(grep inline: "$WORK/inline.err")"

# botwatch stopped: the rule's bypass lets traffic through
got=$(ip netns exec "$NS_O" curl -s --max-time 5 http://10.79.2.2:8080/index.html) ||
    fail "with botwatch stopped, traffic did not flow (bypass / fail-open)"

grep -qE 'rejected [1-9]' "$WORK/inline.err" || fail "no packet rejected: $(grep inline: "$WORK/inline.err")"
"$PY" - "$WORK/eve.jsonl" <<'EOF' || exit 1
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
alerts = [e for e in ev if e["event_type"] == "alert"]
flows = {(e["dest_port"], e.get("app_proto")) for e in ev if e["event_type"] == "flow"}
kinds = {e["finding"]["kind"] for e in ev if e["event_type"] == "finding"}
bad = []
if (8080, "http") not in flows: bad.append("no http flow to 8080 in EVE: %s" % flows)
if (80, "irc") not in flows: bad.append("no irc flow to 80 in EVE: %s" % flows)
if "irc-nonstandard-port" not in kinds: bad.append("no irc-nonstandard-port finding: %s" % kinds)
irc = [a for a in alerts if a["alert"]["signature_id"] == 9000001]
if not irc or irc[0]["alert"]["action"] != "blocked" or irc[0]["alert"].get("rule_action") != "reject":
    bad.append("no blocked alert for sid 9000001: %s" % [a["alert"] for a in alerts])
elif any(e.get("irc", {}).get("command") == "JOIN" for e in ev if e["event_type"] == "irc"):
    bad.append("the JOIN got through")
for b in bad: print("FAIL inline:", b)
if not bad:
    print("ok inline: IRC on port 80 cut by rule 9000001 (blocked, reset) before JOIN; HTTP "
          "through; traffic flows with botwatch stopped")
sys.exit(1 if bad else 0)
EOF
