#!/usr/bin/env bash
# live.sh — `botwatch live` on a veth in network namespaces this script creates, against
# `botwatch scan` over a tcpdump recording of the same traffic on the same interface: the
# flows (5-tuple, packets and bytes each way, app_proto), the rule alerts (botwatch's default
# policy) and the findings must be equal. Then SIGHUP: a rule file with a syntax error keeps
# the rules in use, a good one is loaded, and the flows live on. And --user: root is dropped
# once the interface is open, and packets still come.
# Traffic: a bot-like IRC session on TCP port 80 (python3 sockets, a real TCP exchange) and
# an HTTP fetch with curl from python3's http.server. Needs root, iproute2, tcpdump, curl.
# Usage: tests/integration/live.sh BOTWATCH   (prints "ok ..." / "FAIL ..." / "skip ...")
# Every namespace and process it makes is removed at the end, also on failure.
set -u
BW=$(readlink -f "${1:-build/botwatch}")
PY=/usr/bin/python3
TAG=$$
NS_A=bw-live-a-$TAG NS_B=bw-live-b-$TAG
WORK=$(mktemp -d)
pids=()

skip() { echo "skip live: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "not root"
command -v ip >/dev/null && command -v tcpdump >/dev/null && command -v curl >/dev/null ||
    skip "needs ip, tcpdump and curl"
ip netns add "$NS_A" 2>/dev/null || skip "network namespaces are not available"

cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    ip netns del "$NS_A" 2>/dev/null
    ip netns del "$NS_B" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL live: $*"; exit 1; }
ip netns add "$NS_B" || fail "ip netns add"
ip link add bwl0 netns "$NS_A" type veth peer name bwl1 netns "$NS_B" || fail "veth"
ip -n "$NS_A" addr add 10.78.0.1/24 dev bwl0
ip -n "$NS_B" addr add 10.78.0.2/24 dev bwl1
for ns in "$NS_A" "$NS_B"; do                  # no IPv6 chatter (MLD) racing the observers
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
    ip -n "$ns" link set lo up
done
ip -n "$NS_A" link set bwl0 up
ip -n "$NS_B" link set bwl1 up
ip netns exec "$NS_A" ethtool -K bwl0 tx off tso off gso off >/dev/null 2>&1
ip netns exec "$NS_B" ethtool -K bwl1 tx off tso off gso off >/dev/null 2>&1

# the servers, in B: an IRC-ish server on 80 and a web server on 8080
cat >"$WORK/ircd.py" <<'EOF'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.78.0.2", 80)); s.listen(1)
c, _ = s.accept(); f = c.makefile("rb")
for line in f:
    if line.startswith(b"USER"):
        c.sendall(b":irc.test 001 ^qzkvwxj :Welcome to the Test Network ^qzkvwxj\r\n"
                  b":irc.test 005 ^qzkvwxj NETWORK=TestNet :are supported\r\n")
    elif line.startswith(b"QUIT"):
        c.sendall(b"ERROR :Closing connection\r\n"); break
c.close()
EOF
cat >"$WORK/bot.py" <<'EOF'
import socket, time
c = socket.create_connection(("10.78.0.2", 80))
for l in [b"NICK ^qzkvwxj", b"USER BOT 0 * :^qzkvwxj", b"JOIN #x",
          b"PRIVMSG #x :Ezmd+ecP3Oql+18jjbQeCBO0m7dqEEY0GQNJaFuRr9KX",
          b"PRIVMSG #x :Q2hhbmdlZCBieSB0aGUgYm90IDEyMzQ1Njc4OTAK", b"QUIT"]:
    c.sendall(l + b"\r\n"); time.sleep(0.2)
c.recv(4096); time.sleep(0.3); c.close()
EOF
mkdir -p "$WORK/www" && head -c 20000 /dev/zero | tr '\0' 'a' >"$WORK/www/page.txt"
ip netns exec "$NS_B" "$PY" "$WORK/ircd.py" & pids+=($!)
(cd "$WORK/www" && exec ip netns exec "$NS_B" "$PY" -m http.server 8080 --bind 10.78.0.2 \
    >/dev/null 2>&1) & pids+=($!)

for _ in $(seq 50); do                       # both servers listening
    [ "$(ip netns exec "$NS_B" ss -Hltn 'sport = :80 or sport = :8080' | wc -l)" -ge 2 ] && break
    sleep 0.1
done

# the observers, in A: tcpdump and botwatch live on the same interface
ip netns exec "$NS_A" tcpdump -i bwl0 -w "$WORK/rec.pcap" -U -s 0 2>"$WORK/tcpdump.err" & pids+=($!)
tcpdump_pid=$!
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cp "$REPO/etc/botwatch.rules" "$WORK/live.rules"
RULEOPTS=(--rules "$WORK/live.rules" --var 'HOME_NET=[10.78.0.1/32]' --fast /dev/null)
ip netns exec "$NS_A" "$BW" live -i bwl0 --home-net 10.78.0.1/32 --stats-interval 0 \
    "${RULEOPTS[@]}" --eve "$WORK/live.jsonl" 2>"$WORK/live.err" & pids+=($!)
live_pid=$!
for _ in $(seq 50); do grep -q listening "$WORK/live.err" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$WORK/live.err" || fail "botwatch live did not start: $(cat "$WORK/live.err")"
for _ in $(seq 50); do grep -q listening "$WORK/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
ip netns exec "$NS_A" curl -s -o /dev/null --max-time 5 http://10.78.0.2:8080/page.txt ||
    fail "curl"
ip netns exec "$NS_A" timeout 10 "$PY" "$WORK/bot.py" || fail "the IRC client"
sleep 1
# SIGHUP with a broken rule file: the old rules stay
printf 'alert tcp any any -> any any (msg:"broken"; content:"x"; sid:1\n' >>"$WORK/live.rules"
kill -HUP "$live_pid"
for _ in $(seq 30); do grep -q 'keeping the' "$WORK/live.err" && break; sleep 0.1; done
grep -q 'SIGHUP: the rules have syntax errors (above): keeping the 5 rules in use' "$WORK/live.err" ||
    fail "SIGHUP with a broken rule file: $(tail -3 "$WORK/live.err")"
# and with a good one: loaded
cp "$REPO/etc/botwatch.rules" "$WORK/live.rules"
echo 'alert tcp any any -> any 8080 (msg:"reloaded rule"; content:"GET"; sid:9000099;)' >>"$WORK/live.rules"
kill -HUP "$live_pid"
for _ in $(seq 30); do grep -q 'reloaded the rules' "$WORK/live.err" && break; sleep 0.1; done
grep -q 'SIGHUP: reloaded the rules: 6 loaded' "$WORK/live.err" ||
    fail "SIGHUP with a good rule file: $(tail -3 "$WORK/live.err")"
cp "$REPO/etc/botwatch.rules" "$WORK/live.rules"    # scan below reads what live read first
kill -INT "$live_pid"; wait "$live_pid"; rc=$?
[ $rc -eq 0 ] || fail "botwatch live exited $rc: $(tail -5 "$WORK/live.err")"
grep -q 'stopping: ending open flows' "$WORK/live.err" || fail "no clean stop message"
kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" 2>/dev/null
"$BW" scan -q --home-net 10.78.0.1/32 "${RULEOPTS[@]}" --eve "$WORK/scan.jsonl" "$WORK/rec.pcap" ||
    fail "scan of the recording"

# --user: root only to open the interface, then nobody; packets still come
ip netns exec "$NS_A" "$BW" live -i bwl0 --user nobody --stats-interval 0 -q \
    --eve "$WORK/user.jsonl" 2>"$WORK/user.err" & pids+=($!)
user_pid=$!
for _ in $(seq 50); do grep -q listening "$WORK/user.err" 2>/dev/null && break; sleep 0.1; done
uid=$(awk '/^Uid:/ {print $2}' "/proc/$user_pid/status" 2>/dev/null)
[ "$uid" = "$(id -u nobody)" ] || fail "--user nobody: still uid ${uid:-?}: $(cat "$WORK/user.err")"
ip netns exec "$NS_A" curl -s -o /dev/null --max-time 5 http://10.78.0.2:8080/page.txt ||
    fail "curl (--user run)"
sleep 0.5
kill -INT "$user_pid"; wait "$user_pid" || fail "botwatch live --user exited $?"
grep -q '"dest_port":8080' "$WORK/user.jsonl" || fail "--user nobody: the HTTP flow was not seen"

"$PY" - "$WORK/live.jsonl" "$WORK/scan.jsonl" <<'EOF' || exit 1
import json, sys
def load(path):
    flows, finds, alerts = set(), set(), []
    for line in open(path):
        e = json.loads(line)
        if e["event_type"] == "flow":
            f = e["flow"]
            flows.add((e["src_ip"], e.get("src_port"), e["dest_ip"], e.get("dest_port"),
                       e["proto"], e.get("app_proto", ""), f["pkts_toserver"],
                       f["pkts_toclient"], f["bytes_toserver"], f["bytes_toclient"]))
        elif e["event_type"] == "alert":
            alerts.append((e["alert"]["signature_id"], e["src_ip"], e.get("src_port"),
                           e["dest_ip"], e.get("dest_port")))
        elif e["event_type"] == "finding":
            g = e["finding"]
            finds.add((g["host"], g["kind"], g["severity"], g.get("verdict", "")))
    return flows, finds, sorted(alerts)
lf, lk, la = load(sys.argv[1]); sf, sk, sa = load(sys.argv[2])
ok = True
if la != sa or not any(a[0] == 9000001 for a in la):
    ok = False
    print("FAIL live: alerts differ or sid 9000001 missing\n  live: %s\n  scan: %s" % (la, sa))
if lf != sf:
    ok = False
    print("FAIL live: flows differ\n  live only: %s\n  scan only: %s" % (lf - sf, sf - lf))
if lk != sk:
    ok = False
    print("FAIL live: findings differ\n  live only: %s\n  scan only: %s" % (lk - sk, sk - lk))
if not any(k[1] == "irc-nonstandard-port" for k in lk):
    ok = False
    print("FAIL live: no irc-nonstandard-port finding from the IRC session on port 80")
if ok:
    print("ok live: %d flows, %d alerts and %d findings equal to scan over tcpdump's "
          "recording; SIGHUP kept broken rules out and loaded good ones" % (len(lf), len(la), len(lk)))
sys.exit(0 if ok else 1)
EOF
