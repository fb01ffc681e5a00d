#!/usr/bin/env python3
"""Turns botwatch's EVE flow events (from a capture) into the Cisco PIX syslog lines a
firewall between the inside network and the rest would have written for the same
connections: 302013 "Built inbound|outbound TCP connection" at the flow's start and 302014
"Teardown TCP connection" at its end, with the duration, the bytes of both directions and the
reason (TCP FINs; TCP Reset-I / Reset-O; SYN Timeout for a connection never answered).
Formats: Cisco's PIX/ASA system log messages guide (302013, 302014). Usage:
  flows2pix.py INSIDE_PREFIX < eve.jsonl > pix.log
Only TCP flows that cross the inside boundary are written (a firewall sees nothing else)."""
import ipaddress, json, sys
from datetime import datetime

inside = ipaddress.ip_network(sys.argv[1])
MON = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def stamp(ts):
    t = datetime.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S")
    return f"{MON[t.month - 1]} {t.day:2d} {t.hour:02d}:{t.minute:02d}:{t.second:02d}", t


lines = []
for n, line in enumerate(sys.stdin):
    e = json.loads(line)
    if e.get("event_type") != "flow" or e.get("proto") != "TCP":
        continue
    src, dst = ipaddress.ip_address(e["src_ip"]), ipaddress.ip_address(e["dest_ip"])
    if (src in inside) == (dst in inside):
        continue
    f = e["flow"]
    cid = 10000 + e["flow_id"]
    inbound = dst in inside
    out_ip, out_port = (e["src_ip"], e["src_port"]) if inbound else (e["dest_ip"], e["dest_port"])
    in_ip, in_port = (e["dest_ip"], e["dest_port"]) if inbound else (e["src_ip"], e["src_port"])
    s_txt, s_t = stamp(f["start"])
    e_txt, e_t = stamp(f["end"])
    dur = int((e_t - s_t).total_seconds())
    if f["pkts_toclient"] == 0 and f["reason"] != "rst":
        reason = "SYN Timeout"
    elif f["reason"] == "rst":
        reason = "TCP Reset-I" if inbound else "TCP Reset-O"   # the responder's side reset
    elif f["reason"] == "fin":
        reason = "TCP FINs"
    else:
        reason = "Connection timeout"
    built = (f"{s_txt} fw %PIX-6-302013: Built {'inbound' if inbound else 'outbound'} TCP "
             f"connection {cid} for outside:{out_ip}/{out_port} ({out_ip}/{out_port}) to "
             f"inside:{in_ip}/{in_port} ({in_ip}/{in_port})")
    down = (f"{e_txt} fw %PIX-6-302014: Teardown TCP connection {cid} for outside:{out_ip}/"
            f"{out_port} to inside:{in_ip}/{in_port} duration {dur // 3600}:{dur // 60 % 60:02d}:"
            f"{dur % 60:02d} bytes {f['bytes_toserver'] + f['bytes_toclient']} {reason}")
    lines.append((f["start"], n, 0, built))
    lines.append((f["end"], n, 1, down))
for _, _, _, text in sorted(lines):
    print(text)
