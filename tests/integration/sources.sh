#!/usr/bin/env bash
# sources.sh — the same activity seen as a capture and as a firewall log gives the same
# conclusions (issue #5): the seed captures are read by `botwatch scan`, their TCP flows are
# written as the PIX syslog a firewall at the inside boundary would have logged
# (flows2pix.py), that log is read by `botwatch logs`, and the findings the detectors can reach
# from connection records alone (relay timing, spam volume, scans, hours) and the verdicts must
# be the same. No root needed. Usage: tests/integration/sources.sh BOTWATCH
set -u
cd "$(dirname "$0")/../.."
BW=$(readlink -f "${1:-build/botwatch}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
status=0
# capture and the inside network (seed-scan's scanner is the only inside host, so the
# firewall stands between it and its targets)
for case in seed-proxy-relay:10.77.0.0/16 seed-connect-relay:10.77.0.0/16 seed-scan:10.77.0.1/32; do
    cap=${case%%:*} home=${case#*:}
    "$BW" scan -q --home-net "$home" --eve "$WORK/$cap.scan.jsonl" "tests/fixtures/$cap.pcap" ||
        { echo "FAIL sources: scan $cap"; status=1; continue; }
    /usr/bin/python3 tests/integration/flows2pix.py "$home" <"$WORK/$cap.scan.jsonl" \
        >"$WORK/$cap.log"
    "$BW" logs -q --year 2026 --home-net "$home" --eve "$WORK/$cap.logs.jsonl" \
        "$WORK/$cap.log" 2>"$WORK/$cap.err" ||
        { echo "FAIL sources: logs $cap: $(tail -3 "$WORK/$cap.err")"; status=1; continue; }
    /usr/bin/python3 - "$cap" "$WORK/$cap.scan.jsonl" "$WORK/$cap.logs.jsonl" <<'PY' || status=1
import json, sys
# what connection records alone can show; the rest (IRC, P2P, proxy requests) needs payload
KINDS = {"spam-relay", "spam-volume", "outbound-scan", "outbound-flood", "host-verdict"}
def load(p):
    out = set()
    for line in open(p):
        e = json.loads(line)
        if e["event_type"] == "finding" and e["finding"]["kind"] in KINDS:
            f = e["finding"]
            out.add((f["host"], f["kind"], f.get("verdict", "")))
    return out
name, a, b = sys.argv[1], load(sys.argv[2]), load(sys.argv[3])
if a != b:
    print(f"FAIL sources: {name}: capture only {sorted(a - b)}, log only {sorted(b - a)}")
    sys.exit(1)
print(f"ok sources: {name}: {len(a)} findings and verdicts the same from the capture and "
      f"from its firewall log")
PY
done
exit $status
