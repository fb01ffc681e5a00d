#!/usr/bin/env python3
"""Writes input.log: the third seed's investigation (Jeff Kell, "Open mail relay surge",
2003) as Cisco PIX syslog, scaled down. Message formats from Cisco's syslog message guide
(302013, 302014, 305010, 305011); two lines are the seed's own, copied verbatim.

Inside host 172.28.220.181 (a dorm machine with a trojaned WinGate on tcp/1182): outside
hosts connect to 1182, and one second later the machine opens an SMTP connection to an
outside mail server. Per day (Mar 2, 3, 4) the outbound SMTP connections end so:
  Mar 2:  6 = 4 TCP FINs + 2 SYN Timeout
  Mar 3: 10 = 7 TCP FINs + 2 SYN Timeout + 1 TCP Reset-O
  Mar 4: 14 = 10 TCP FINs + 3 SYN Timeout + 1 TCP Reset-I
The translation slot built on Mar 2 09:07:37 (305009) is released 67:30:25 later (the
seed's 305010 line). A second host, 172.28.10.5, browses the web (the negative case). A few lines
are unusable on purpose: an unsupported message id, a truncated 302014, plain noise.
Deterministic: run it again and the file is byte-identical."""
import sys

MAPPED = "192.0.2.10"          # documentation address for the PIX's outside (NAT) address
HOST = "172.28.220.181"
out = []
conn_id = [136310000]


def ts(day, sec):
    h, m, s = sec // 3600, sec // 60 % 60, sec % 60
    return "Mar %d %02d:%02d:%02d" % (day, h, m, s)


def line(day, sec, msg):
    out.append((day, sec, len(out), "%s utc-pix %s" % (ts(day, sec), msg)))


def dur(s):
    return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)


def nid():
    conn_id[0] += 1
    return conn_id[0]


plan = {2: (4, 2, None), 3: (7, 2, "TCP Reset-O"), 4: (10, 3, "TCP Reset-I")}
proxies = ["207.44.216.71", "66.98.130.4", "200.171.42.17", "61.218.11.90"]
mxs = ["64.12.137.249", "65.54.166.99", "205.188.158.121", "67.28.113.10"]

# the translation slot for the inside host, built when the log begins: 67:30:25 before the
# seed's 305010 teardown (same real and mapped sides, so the two pair)
line(2, 9 * 3600 + 7 * 60 + 37,
     "%%PIX-6-305009: Built dynamic translation from inside:%s to outside:aaa.bbb.ccc.ddd"
     % HOST)
# the web-browsing host's port translations: one released after 0:30:09, one still held
line(3, 13 * 3600, "%%PIX-6-305011: Built dynamic TCP translation from inside:172.28.10.5/2000 "
     "to outside:%s/5000" % MAPPED)
line(3, 13 * 3600 + 1809, "%%PIX-6-305012: Teardown dynamic TCP translation from inside:"
     "172.28.10.5/2000 to outside:%s/5000 duration 0:30:09" % MAPPED)
line(3, 13 * 3600 + 600, "%%PIX-6-305011: Built dynamic TCP translation from inside:"
     "172.28.10.5/2001 to outside:%s/5001" % MAPPED)

for day, (fins, timeouts, reset) in sorted(plan.items()):
    # the timeouts at places 1, 4, 7, the reset at place 2, FINs around them
    endings = ["TCP FINs"] * fins
    for k in range(timeouts):
        endings.insert(1 + 3 * k, "SYN Timeout")
    if reset:
        endings.insert(2, reset)
    for i, how in enumerate(endings):
        t = 10 * 3600 + i * 1800 + day * 60
        proxy = proxies[i % len(proxies)]
        mx = mxs[(i + day) % len(mxs)]
        pport = 40000 + day * 100 + i
        sport = 3000 + day * 100 + i
        inb = nid()
        line(day, t, "%%PIX-6-302013: Built inbound TCP connection %d for outside:%s/%d "
             "(%s/%d) to inside:%s/1182 (%s/1182)" % (inb, proxy, pport, proxy, pport, HOST,
                                                     MAPPED))
        smtp = nid()
        line(day, t + 1, "%%PIX-6-302013: Built outbound TCP connection %d for outside:%s/25 "
             "(%s/25) to inside:%s/%d (%s/%d)" % (smtp, mx, mx, HOST, sport, MAPPED, sport))
        if how == "SYN Timeout":
            d, nbytes = 120, 0
        elif how.startswith("TCP Reset"):
            d, nbytes = 3, 0 if how == "TCP Reset-O" else 412
        else:
            d, nbytes = 14 + i % 5, 2400 + 131 * i
        line(day, t + 1 + d, "%%PIX-6-302014: Teardown TCP connection %d for outside:%s/25 "
             "to inside:%s/%d duration %s bytes %d %s" % (smtp, mx, HOST, sport, dur(d),
                                                         nbytes, how))
        line(day, t + 2 + d, "%%PIX-6-302014: Teardown TCP connection %d for outside:%s/%d "
             "to inside:%s/1182 duration %s bytes %d TCP FINs" % (inb, proxy, pport, HOST,
                                                                 dur(d + 1), 3100 + 17 * i))

# the other host: web browsing, closed normally
for i in range(5):
    t = 13 * 3600 + i * 600
    c = nid()
    line(3, t, "%%PIX-6-302013: Built outbound TCP connection %d for outside:93.184.216.%d/80 "
         "(93.184.216.%d/80) to inside:172.28.10.5/%d (%s/%d)"
         % (c, 30 + i, 30 + i, 2000 + i, MAPPED, 5000 + i))
    line(3, t + 9, "%%PIX-6-302014: Teardown TCP connection %d for outside:93.184.216.%d/80 to "
         "inside:172.28.10.5/%d duration 0:00:09 bytes %d TCP FINs"
         % (c, 30 + i, 2000 + i, 15000 + i))

# an inbound web connection to the infected host (another port in the per-port count)
c = nid()
line(4, 15 * 3600, "%%PIX-6-302013: Built inbound TCP connection %d for outside:198.51.100.7/"
     "51000 (198.51.100.7/51000) to inside:%s/80 (%s/80)" % (c, HOST, MAPPED))
line(4, 15 * 3600 + 2, "%%PIX-6-302014: Teardown TCP connection %d for outside:198.51.100.7/"
     "51000 to inside:%s/80 duration 0:00:02 bytes 0 TCP Reset-I" % (c, HOST))

# Mar 5: the proxy users keep coming after the port was shut; the seed's two lines verbatim
line(5, 11 * 3600 + 39 * 60 + 58, "%PIX-6-302014: Teardown TCP connection 136320387 for "
     "outside:207.44.216.71/44356 to inside:172.28.220.181/1182 duration 0:02:01 bytes 0 SYN "
     "Timeout")
line(5, 12 * 3600 + 38 * 60 + 2, "%PIX-6-305010: Teardown dynamic translation from "
     "inside:172.28.220.181 to outside:aaa.bbb.ccc.ddd duration 67:30:25")
# one connection built and never torn down before the log ends
c = nid()
line(5, 12 * 3600 + 40 * 60, "%%PIX-6-302013: Built inbound TCP connection %d for outside:"
     "66.98.130.4/45001 (66.98.130.4/45001) to inside:%s/1182 (%s/1182)" % (c, HOST, MAPPED))

# unusable lines, one of each kind
line(3, 12 * 3600, "%PIX-6-110001: No route to 10.9.9.9 from 172.28.220.181")
line(3, 12 * 3600 + 1, "%PIX-6-302014: Teardown TCP connection 99 for outside:1.2.3.4/25 to")
line(3, 12 * 3600 + 2, "last message repeated 3 times \x1b[31m\"<script>")

out.sort()
sys.stdout.write("".join(l[3] + "\n" for l in out))
