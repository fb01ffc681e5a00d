#!/usr/bin/python3
"""Conformance suite: botwatch's flows and reassembled streams against tshark.

usage: tests/conformance/run.py [--botwatch PATH] [-k PATTERN] [-v] [-j N]

For every capture in ../shared/corpus/pcap/ (relative to the repository root):
  1. botwatch's TCP and UDP flows must equal tshark's conversations (conv,tcp and
     conv,udp): the same number, and the same frames and bytes in each direction.
  2. For the flows listed in STREAM_CHECKS, the bytes botwatch reassembles
     (--dump-streams) must equal tshark's "follow,tcp,raw" output, per direction.
  3. botwatch must exit with 0 or 1 and write no sanitizer report to stderr, so the
     suite also serves the sanitizer build (--botwatch build/asan/botwatch).
Differences that are deliberate are listed per capture in DELIBERATE; each kind is
checked against per-frame evidence from tshark, never assumed (see README.md).

Prints one line per capture, the deliberate differences that applied, and finally
"N passed, N failed" (N counts captures). Exit status 1 if any capture failed.
Standard library only; tshark (Wireshark 4.0) must be on PATH, or the suite skips.
"""
import argparse
import concurrent.futures
import datetime
import fnmatch
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS_REL = os.path.join('..', 'shared', 'corpus')
CORPUS = os.path.normpath(os.path.join(REPO, CORPUS_REL, 'pcap'))
SUBPROCESS_TIMEOUT = 60          # seconds, per tshark or botwatch run

# --------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------

# Flows whose reassembled bytes are compared with tshark's "follow,tcp,raw,N".
# file -> [(tcp.stream index N, what the flow exercises)]. Chosen to have no gaps:
# tshark writes a "[N bytes missing in capture file]" placeholder for a gap and stops
# following the direction there, so streams with gaps cannot be compared byte for byte.
# Files listed here are scanned with --stream-depth 0 (no per-direction limit).
STREAM_CHECKS = {
    'zeek-http_get.pcap': [(0, 'plain HTTP GET')],
    'zeek-smtp.pcap': [(0, 'SMTP mail with retransmissions and an overlap')],
    'ndpi-heuristic_tcp_ack_payload.pcap': [
        (2, 'TLS with 16 retransmissions and overlapping ACK-with-payload segments')],
    'ndpi-bot.pcap': [(0, '400 kB HTTP download over 802.1Q VLAN')],
    'zeek-http_connect-with-header.pcap': [(0, 'IPv6 (BSD loopback) HTTP CONNECT + TLS')],
    'zeek-irc-dcc-send.pcapng': [(1, 'pcapng, 1.3 MB IRC DCC transfer, beyond the default '
                                     '1 MiB stream depth')],
}

# Kinds of deliberate difference. Each one is verified from tshark's per-frame fields or
# botwatch's own EVE output before it is accepted (see compare_group).
KINDS = {
    'idle-timeout-split':
        'botwatch ends a flow after an idle timeout (tcp-closed 10 s, udp 300 s, ...) and '
        'starts a new flow when the 5-tuple is seen again without a SYN; tshark keeps one '
        'tcp.stream/udp.stream for the whole capture. Accepted when merging botwatch flows '
        'separated by at least the shortest applicable timeout (and, for TCP, not opened '
        'by a SYN) gives exactly tshark\'s conversation.',
    'ip-len-exceeds-frame':
        'botwatch drops packets whose IP total/payload length is larger than the frame '
        'that carries them (a decode error, like Suricata\'s IPV4_TRUNC_PKT); tshark '
        'still dissects the TCP/UDP header and counts the frame. Accepted when the '
        'difference is exactly the frames tshark flags with "IPv4 total length exceeds '
        'packet length" / "IPv6 payload length exceeds framing length".',
    'tunnel-not-decoded':
        'botwatch does not decode tunnels (GRE/ERSPAN, IP-in-IP, 6in4): it reports one flow '
        'of the tunnel protocol between the outer addresses, while tshark reports the inner '
        'TCP/UDP conversation. Accepted when every frame of tshark\'s conversation is '
        'tunnelled, botwatch has no flow for it, and botwatch has a flow of the tunnel\'s '
        'IP protocol (4, 41 or 47).',
    'ip-fragments':
        'botwatch counts a reassembled IP datagram as all of its fragments (packets and '
        'wire bytes); tshark counts only the frame that completed the reassembly. Accepted '
        'when the difference is exactly the other fragments (ip.fragment/ipv6.fragment) of '
        'the datagrams reassembled in that conversation.',
}

# (capture, kind) -> why this capture shows the difference. Printed when it applies.
# An entry that does not apply makes the capture fail, so stale entries get noticed.
DELIBERATE = {
    ('ndpi-bt-http.pcapng', 'idle-timeout-split'):
        'the client retransmits its FIN for a minute after the connection closed; the '
        '14 s gap (t=14.3 s to 28.6 s) exceeds tcp-closed (10 s), so the last 2 FINs form '
        'a second botwatch flow',
    ('ndpi-edonkey.pcap', 'idle-timeout-split'):
        'after the close (t=45.3 s) a retransmitted FIN and its ACK arrive 12 s later '
        '(t=57.4 s), past tcp-closed (10 s): a second botwatch flow',
    ('zeek-socks.pcap', 'idle-timeout-split'):
        'the client retransmits its unacknowledged FIN 5 times, 24-64 s apart, after the '
        'close: past tcp-closed (10 s), a second botwatch flow',
    ('ndpi-bt_search.pcap', 'idle-timeout-split'):
        'two BitTorrent local-service-discovery announcements 300.03 s apart: past the '
        'udp timeout (300 s), two botwatch flows',
    ('ndpi-tor.pcap', 'idle-timeout-split'):
        'Dropbox LAN-sync broadcasts (udp/17500) every 30 s, with a 360 s pause: past the '
        'udp timeout (300 s), two botwatch flows',
    ('ndpi-telnet.pcap', 'ip-len-exceeds-frame'):
        '5 client PSH/ACK frames are 66 bytes on the wire but claim IPv4 total length 137; '
        'botwatch counts them as decode errors (ipv4_len_exceeds_frame)',
    ('ndpi-syslog.pcap', 'tunnel-not-decoded'):
        '6 syslog datagrams over IPv6 tunnelled in IPv4 (6in4, protocol 41) through two '
        'pairs of tunnel end points: botwatch reports two protocol-41 flows of 3 packets',
    ('suricata-verify-bug-5437-01.pcap', 'tunnel-not-decoded'):
        'two HTTP requests inside GRE/ERSPAN: botwatch reports protocol-47 flows between '
        'the outer addresses',
}

# Shortest idle timeout that can end a botwatch flow of each protocol (botwatch defaults:
# tcp-closed 10 s is the shortest TCP one; udp 300 s).
MIN_IDLE_TIMEOUT = {'TCP': 10.0, 'UDP': 300.0}
TUNNEL_PROTOS = {'4', '41', '47', 'IPIP', 'IPv6', 'GRE'}
SANITIZER_MARKERS = ('runtime error:', 'AddressSanitizer', 'LeakSanitizer')

# Per-frame fields asked from tshark (one run per capture, together with the statistics).
FIELDS = ['frame.number', 'frame.len', 'frame.protocols',
          'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
          'tcp.stream', 'tcp.srcport', 'tcp.dstport',
          'udp.stream', 'udp.srcport', 'udp.dstport',
          'ip.fragment', 'ipv6.fragment', '_ws.expert.message']
BAD_LEN_MESSAGES = ('IPv4 total length exceeds packet length',
                    'IPv6 payload length exceeds framing length')


def norm_addr(a):
    """Canonical text of an IP address, so tshark's and botwatch's spellings compare."""
    try:
        return ipaddress.ip_address(a.strip('[]')).compressed
    except ValueError:
        return a


def fmt_ep(ep):
    addr, port = ep
    return ('[%s]:%d' if ':' in addr else '%s:%d') % (addr, port)


# --------------------------------------------------------------------------------------
# tshark side
# --------------------------------------------------------------------------------------

class Conv:
    """One tshark conversation (one tcp.stream or udp.stream), built from per-frame fields.

    dirs maps the sending end point (addr, port) to [frames, bytes]; badlen and fragx
    hold, per sending end point, the frames behind the 'ip-len-exceeds-frame' and
    'ip-fragments' kinds. A conversation whose two ends are equal has a single entry."""

    def __init__(self, proto, stream, src, dst):
        self.proto, self.stream = proto, stream
        self.a, self.b = src, dst                   # A = sender of the first frame
        self.dirs = {src: [0, 0], dst: [0, 0]}
        self.badlen = defaultdict(lambda: [0, 0])
        self.fragx = defaultdict(lambda: [0, 0])
        self.first_frame = None
        self.all_tunnelled = True

    @property
    def key(self):
        return (self.proto, frozenset((self.a, self.b)))

    def add(self, num, length, src, tunnelled):
        if self.first_frame is None:
            self.first_frame = num
        d = self.dirs[src]
        d[0] += 1
        d[1] += length
        self.all_tunnelled &= tunnelled

    def sides(self, adjust=None):
        """Sorted ((addr, port), frames, bytes) per direction, optionally adjusted."""
        out = []
        for ep, (f, b) in self.dirs.items():
            if adjust:
                df, db = adjust(self, ep)
                f, b = f + df, b + db
            out.append((ep, f, b))
        if len(out) == 1:               # both ends equal: botwatch shows an empty side
            out.append((out[0][0], 0, 0))
        return sorted(out)

    def describe(self):
        a, b = self.dirs[self.a], self.dirs.get(self.b, [0, 0])
        return '%s %s -> %s: %d pkts/%d B, <- %d pkts/%d B (tshark %s.stream %d)' % (
            self.proto, fmt_ep(self.a), fmt_ep(self.b), a[0], a[1], b[0], b[1],
            self.proto.lower(), self.stream)


def run_tshark(path, follow_streams):
    """One tshark pass: per-frame fields, both conversation tables, follow outputs."""
    cmd = ['tshark', '-n', '-r', path, '-T', 'fields', '-E', 'separator=/t']
    for f in FIELDS:
        cmd += ['-e', f]
    cmd += ['-z', 'conv,tcp', '-z', 'conv,udp']
    for n in follow_streams:
        cmd += ['-z', 'follow,tcp,raw,%d' % n]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=SUBPROCESS_TIMEOUT)
    text = p.stdout.decode('utf-8', 'replace')
    # Field lines come first; the statistics start at the first line of '='.
    cut = re.search(r'^={20,}$', text, re.M)
    fields, stats = (text[:cut.start()], text[cut.start():]) if cut else (text, '')
    err = [l for l in p.stderr.decode('utf-8', 'replace').splitlines()
           if l and not l.startswith('Running as user')]
    return fields, stats, p.returncode, err


class Frames:
    """The per-frame view of a capture: conversations plus the evidence for DELIBERATE."""

    def __init__(self, fields_text):
        self.convs = {}                 # (proto, stream) -> Conv
        self.length = {}                # frame number -> frame.len
        self.reassembled = []           # (frame, [its fragments' frames], Conv, sender)
        for line in fields_text.splitlines():
            if line.strip():
                self._frame(line.split('\t'))
        # The frames that a reassembled datagram's conversation lacks compared to
        # botwatch: every fragment except the frame that completed the reassembly.
        for num, frags, conv, src in self.reassembled:
            for n in frags:
                if n != num:
                    conv.fragx[src][0] += 1
                    conv.fragx[src][1] += self.length.get(n, 0)

    def _frame(self, v):
        if len(v) < len(FIELDS):
            v += [''] * (len(FIELDS) - len(v))
        f = dict(zip(FIELDS, v))
        num, length = int(f['frame.number']), int(f['frame.len'])
        self.length[num] = length
        protos = f['frame.protocols'].split(':')
        ti = next((i for i, p in enumerate(protos) if p in ('tcp', 'udp')), None)
        if ti is None:
            return
        outer = protos[:ti]
        # TCP/UDP headers quoted inside an ICMP error are not counted by tshark's
        # conversation taps (checked against the tables in cross_check).
        if 'icmp' in outer or 'icmpv6' in outer:
            return
        proto = protos[ti]
        fam = next((p for p in reversed(outer) if p in ('ip', 'ipv6')), None)
        if fam is None:
            return
        # The innermost IP header before the transport: its occurrence index in the
        # (comma-joined) field values equals the number of such layers before it, minus 1.
        k = outer.count(fam) - 1
        srcs, dsts = f[fam + '.src'].split(','), f[fam + '.dst'].split(',')
        sports = f[proto + '.srcport'].split(',')
        dports = f[proto + '.dstport'].split(',')
        if k >= len(srcs) or not sports[0] or not f[proto + '.stream']:
            return
        src = (norm_addr(srcs[k]), int(sports[0]))
        dst = (norm_addr(dsts[k]), int(dports[0]))
        stream = int(f[proto + '.stream'].split(',')[0])
        tunnelled = 'gre' in outer or (outer.count('ip') + outer.count('ipv6')) > 1
        conv = self.convs.get((proto, stream))
        if conv is None:
            conv = self.convs[(proto, stream)] = Conv(proto.upper(), stream, src, dst)
        conv.add(num, length, src, tunnelled)
        if any(m in f['_ws.expert.message'] for m in BAD_LEN_MESSAGES):
            conv.badlen[src][0] += 1
            conv.badlen[src][1] += length
        frags = f['ip.fragment'] or f['ipv6.fragment']
        if frags:
            self.reassembled.append((num, [int(x) for x in frags.split(',')], conv, src))


CONV_ROW = re.compile(
    r'^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+'
    r'(\d+) (\d+) (bytes|kB|MB|GB)\s+(\d+) (\d+) (bytes|kB|MB|GB)\s+')
UNIT = {'bytes': 1, 'kB': 10**3, 'MB': 10**6, 'GB': 10**9}


def parse_conv_tables(stats):
    """Rows of tshark's conv,tcp / conv,udp tables: (proto, A, B, {A: (frames, bytes,
    unit)}, ...). Columns: '<-' is B to A, '->' is A to B. Bytes >= 10000 are shown
    truncated to kB/MB/GB, hence the unit."""
    rows, proto = [], None
    for line in stats.splitlines():
        if line.startswith('TCP Conversations'):
            proto = 'TCP'
        elif line.startswith('UDP Conversations'):
            proto = 'UDP'
        elif line.startswith('Follow:'):
            proto = None
        m = CONV_ROW.match(line)
        if m and proto:
            g = m.groups()
            a, b = (norm_addr(g[0]), int(g[1])), (norm_addr(g[2]), int(g[3]))
            rows.append((proto, a, b, {b: (int(g[4]), int(g[5]), g[6]),
                                       a: (int(g[7]), int(g[8]), g[9])}))
    return rows


def shown_as(exact, number, unit):
    return exact // UNIT[unit] == number


def cross_check(convs, rows):
    """The conversations rebuilt from frames must be tshark's conversation tables: same
    rows, same frames, bytes equal as far as the table shows them. Returns problems."""
    left = list(convs)
    problems = []
    for proto, a, b, cols in rows:
        found = None
        for c in left:
            if c.proto != proto or {c.a, c.b} != {a, b}:
                continue
            if a == b:      # both directions land in A's column
                f, by = c.dirs[a]
                ok = cols[a][0] == f and shown_as(by, cols[a][1], cols[a][2])
            else:
                ok = all(cols[ep][0] == c.dirs[ep][0] and
                         shown_as(c.dirs[ep][1], cols[ep][1], cols[ep][2]) for ep in (a, b))
            if ok:
                found = c
                break
        if found:
            left.remove(found)
        else:
            problems.append('tshark table row %s %s <-> %s %r not rebuilt from frames'
                            % (proto, fmt_ep(a), fmt_ep(b), cols))
    problems += ['frames give a conversation missing from tshark\'s table: ' + c.describe()
                 for c in left]
    return problems


FOLLOW_GAP = re.compile(rb'\[\d+ bytes missing in capture file\]')


def parse_follow(stats):
    """tshark 4.0 'follow,tcp,raw' sections: stream index -> {'nodes': [node 0, node 1],
    0: bytes sent by node 0, 1: bytes sent by node 1}. Node 0 (the sender of the stream's
    first segment) writes unindented hex lines, node 1 lines start with a tab."""
    out, cur = {}, None
    for line in stats.splitlines():
        if line.startswith('Follow: tcp,raw'):
            cur = {'nodes': [], 0: bytearray(), 1: bytearray()}
        elif cur is None:
            continue
        elif line.startswith('Filter: tcp.stream eq '):
            out[int(line.split()[-1])] = cur
        elif line.startswith('Node '):
            addr, port = line.split(': ', 1)[1].rsplit(':', 1)
            cur['nodes'].append((norm_addr(addr), int(port)))
        elif line.startswith('===='):
            cur = None
        elif line.startswith('\t'):
            cur[1] += bytes.fromhex(line.strip())
        elif line.strip():
            cur[0] += bytes.fromhex(line.strip())
    return out


# --------------------------------------------------------------------------------------
# botwatch side
# --------------------------------------------------------------------------------------

def parse_time(s):
    return datetime.datetime.strptime(s, '%Y-%m-%dT%H:%M:%S.%f%z').timestamp()


class Flow:
    """One botwatch flow event."""

    def __init__(self, ev):
        fl = ev['flow']
        self.id, self.proto = ev['flow_id'], ev['proto']
        self.src = (norm_addr(ev['src_ip']), ev.get('src_port', 0))
        self.dst = (norm_addr(ev['dest_ip']), ev.get('dest_port', 0))
        self.toserver = [fl['pkts_toserver'], fl['bytes_toserver']]
        self.toclient = [fl['pkts_toclient'], fl['bytes_toclient']]
        self.start, self.end = parse_time(fl['start']), parse_time(fl['end'])
        self.syn = bool(int(ev.get('tcp', {}).get('tcp_flags_ts', '0'), 16) & 0x02)

    @property
    def key(self):
        return (self.proto, frozenset((self.src, self.dst)))

    def sides(self):
        if self.src == self.dst:
            f, b = self.toserver[0] + self.toclient[0], self.toserver[1] + self.toclient[1]
            return sorted([(self.src, f, b), (self.dst, 0, 0)])
        return sorted([(self.src,) + tuple(self.toserver), (self.dst,) + tuple(self.toclient)])

    def describe(self):
        ends = ((fmt_ep(self.src), fmt_ep(self.dst)) if self.proto in ('TCP', 'UDP')
                else (self.src[0], self.dst[0]))
        return '%s %s -> %s: %d pkts/%d B, <- %d pkts/%d B (botwatch flow %d)' % (
            self.proto, ends[0], ends[1], self.toserver[0],
            self.toserver[1], self.toclient[0], self.toclient[1], self.id)


def merge_after_timeout(flows):
    """Joins botwatch flows of one end point pair that an idle timeout split: a flow
    starting at least the shortest idle timeout after the previous one ended, and (TCP)
    without a SYN, is added to it. Returns ([(sides, [member flows])], joined gaps)."""
    runs, gaps = [], []
    for fl in flows:
        if runs:
            gap = fl.start - runs[-1][-1].end
            if gap >= MIN_IDLE_TIMEOUT.get(fl.proto, 60.0) and not fl.syn:
                runs[-1].append(fl)
                gaps.append(gap)
                continue
        runs.append([fl])
    out = []
    for members in runs:
        acc = defaultdict(lambda: [0, 0])
        for m in members:
            for ep, f, b in m.sides():
                acc[ep][0] += f
                acc[ep][1] += b
        sides = sorted((ep, f, b) for ep, (f, b) in acc.items())
        if len(sides) == 1:             # both ends equal, as in Flow.sides
            sides.append((sides[0][0], 0, 0))
        out.append((sorted(sides), members))
    return out, gaps


def run_botwatch(exe, path, dump_dir, full_depth):
    cmd = [exe, 'scan', '-q', '--no-progress', '--eve', '-', '--dump-streams', dump_dir]
    if full_depth:
        cmd += ['--stream-depth', '0']
    cmd.append(path)
    env = dict(os.environ)
    env.setdefault('ASAN_OPTIONS', 'abort_on_error=0:detect_leaks=1')
    env.setdefault('UBSAN_OPTIONS', 'print_stacktrace=1:halt_on_error=1')
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                       timeout=SUBPROCESS_TIMEOUT)
    return p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace'), p.returncode


# --------------------------------------------------------------------------------------
# Comparison of one capture
# --------------------------------------------------------------------------------------

class Result:
    def __init__(self, name):
        self.name = name
        self.failures = []          # (reason, [detail lines])
        self.applied = []           # (kind, [detail lines])
        self.notes = []             # shown with -v
        self.summary = ''

    def fail(self, reason, details=()):
        self.failures.append((reason, list(details)))


def adjust_for(kinds):
    """tshark-side numeric adjustment for the listed kinds: (d frames, d bytes) per side."""
    def adjust(conv, ep):
        df = db = 0
        if 'ip-len-exceeds-frame' in kinds:
            df -= conv.badlen[ep][0]
            db -= conv.badlen[ep][1]
        if 'ip-fragments' in kinds:
            df += conv.fragx[ep][0]
            db += conv.fragx[ep][1]
        return df, db
    return adjust


def compare_group(convs, flows, kinds, all_flows):
    """Compares tshark's conversations and botwatch's flows of one (proto, end point
    pair), both sorted by start, after applying the given deliberate kinds.
    Returns (equal, {kind: evidence lines} for the kinds that changed something,
    [(conversation, [botwatch flows])] when they pair up one to one)."""
    used = {}
    # Tunnels: tshark sees the inner conversation, botwatch only the tunnel's IP protocol.
    if ('tunnel-not-decoded' in kinds and convs and not flows and
            all(c.all_tunnelled for c in convs)):
        tunnels = [f for f in all_flows if f.proto in TUNNEL_PROTOS]
        inner = sum(n for c in convs for n, _ in c.dirs.values())
        if sum(f.toserver[0] + f.toclient[0] for f in tunnels) >= inner:
            used['tunnel-not-decoded'] = (['tshark:   ' + c.describe() for c in convs] +
                                          ['botwatch: ' + f.describe() for f in tunnels])
            return True, used, []
    # Numeric kinds: change tshark's numbers by the frames that explain the difference.
    for kind, attr, verb in (('ip-len-exceeds-frame', 'badlen', 'minus'),
                             ('ip-fragments', 'fragx', 'plus')):
        if kind not in kinds:
            continue
        lines = ['%s, %s %d frames/%d B from %s' % (c.describe(), verb, n, b, fmt_ep(ep))
                 for c in convs for ep, (n, b) in sorted(getattr(c, attr).items()) if n]
        if lines:
            used[kind] = lines
    adjust = adjust_for(kinds)
    want = [c.sides(adjust) for c in convs]
    if 'idle-timeout-split' in kinds:
        merged, gaps = merge_after_timeout(flows)
    else:
        merged, gaps = [(f.sides(), [f]) for f in flows], []
    if gaps:
        used['idle-timeout-split'] = (
            ['tshark:   ' + c.describe() for c in convs] +
            ['botwatch: ' + f.describe() for f in flows] +
            ['joined botwatch flows across idle gaps of %s s'
             % ', '.join('%.1f' % g for g in gaps)])
    got = [m[0] for m in merged]
    pairs = list(zip(convs, [m[1] for m in merged])) if len(want) == len(got) else []
    return want == got, used, pairs


def check_capture(name, args):
    """All three checks for one capture; returns its Result."""
    res = Result(name)
    path = os.path.join(CORPUS, name)
    streams = STREAM_CHECKS.get(name, [])
    listed = {k for (f, k) in DELIBERATE if f == name}

    fields, stats, trc, terr = run_tshark(path, [n for n, _ in streams])
    if trc != 0 and not fields:
        res.fail('tshark could not read it (exit %d): %s' % (trc, ' '.join(terr[:2])))
        return res
    res.notes += ['tshark: ' + l for l in terr[:5]]
    frames = Frames(fields)
    convs = list(frames.convs.values())
    for problem in cross_check(convs, parse_conv_tables(stats)):
        res.fail('harness: ' + problem)

    dump = tempfile.mkdtemp(prefix='bw-conf-')
    try:
        try:
            out, err, rc = run_botwatch(args.botwatch, path, dump, bool(streams))
        except subprocess.TimeoutExpired:
            res.fail('botwatch did not finish within %d s' % SUBPROCESS_TIMEOUT)
            return res
        check_botwatch_run(res, out, err, rc)
        flows = []
        for line in out.splitlines():
            try:
                ev = json.loads(line)
            except ValueError:
                res.fail('EVE line is not JSON: %.80s' % line)
                continue
            if ev.get('event_type') == 'flow':
                flows.append(Flow(ev))
        pairs = compare_flows(res, convs, flows, listed)
        check_streams(res, streams, pairs, parse_follow(stats), dump)
    finally:
        shutil.rmtree(dump, ignore_errors=True)

    applied = {k for k, _ in res.applied}
    for kind in sorted(listed - applied):
        res.fail('DELIBERATE entry (%s, %s) did not apply (stale? then remove it)'
                 % (name, kind))
    ntcp = sum(1 for f in flows if f.proto == 'TCP')
    nudp = sum(1 for f in flows if f.proto == 'UDP')
    res.summary = '%d tcp, %d udp flows' % (ntcp, nudp)
    if rc == 1:
        res.summary += '; botwatch exit 1: some input unusable'
    return res


def check_botwatch_run(res, out, err, rc):
    """Exit status and sanitizer reports (3rd part of the suite)."""
    if rc not in (0, 1):
        what = 'killed by signal %d' % -rc if rc < 0 else 'exit status %d' % rc
        res.fail('botwatch %s' % what, ['botwatch stderr: ' + l for l in err.splitlines()[-10:]])
    reports = [l for l in err.splitlines() if any(m in l for m in SANITIZER_MARKERS)]
    if reports:
        res.fail('sanitizer report: %s' % reports[0].strip(),
                 ['stderr: ' + l for l in err.splitlines()[:40]])
    if rc == 1:
        res.notes += ['botwatch stderr: ' + l for l in err.splitlines()[:10]]


def compare_flows(res, convs, flows, listed):
    """1st part of the suite. Returns {(proto, stream): botwatch flow} for paired flows."""
    tgroups, bgroups = defaultdict(list), defaultdict(list)
    for c in convs:
        tgroups[c.key].append(c)
    for f in flows:
        if f.proto in ('TCP', 'UDP'):
            bgroups[f.key].append(f)
    pairs = {}
    for key in sorted(set(tgroups) | set(bgroups), key=lambda k: (k[0], sorted(k[1]))):
        tl = sorted(tgroups.get(key, []), key=lambda c: c.first_frame)
        bl = sorted(bgroups.get(key, []), key=lambda f: (f.start, f.id))
        ok, used, matched = compare_group(tl, bl, listed, flows)
        if ok:
            res.applied += sorted(used.items())
            for c, members in matched:
                if len(members) == 1:
                    pairs[(c.proto, c.stream)] = members[0]
            continue
        # Unexplained: would a kind not listed for this capture explain it? (a hint only)
        hint = ''
        ok_all, used_all, _ = compare_group(tl, bl, set(KINDS), flows)
        if ok_all and set(used_all) - listed:
            hint = ' (would be explained by %s, not listed in DELIBERATE for this file)' % (
                ', '.join(sorted(set(used_all) - listed)))
        eps = sorted(fmt_ep(e) for e in key[1])
        res.fail('%s %s <-> %s: %d tshark conversation(s), %d botwatch flow(s), not equal%s'
                 % (key[0], eps[0], eps[-1], len(tl), len(bl), hint),
                 ['tshark:   ' + c.describe() for c in tl] +
                 ['botwatch: ' + f.describe() for f in bl] +
                 ['(deliberate %s was applied: %s)' % (k, ev[-1]) for k, ev in used.items()])
    return pairs


def read_dump(dump, flow_id, side):
    """botwatch's reassembled bytes of one direction; no file means no bytes."""
    try:
        with open(os.path.join(dump, '%d-%s.bin' % (flow_id, side)), 'rb') as fh:
            return fh.read()
    except FileNotFoundError:
        return b''


def check_streams(res, streams, pairs, follows, dump):
    """2nd part of the suite: reassembled bytes against tshark's follow,tcp,raw."""
    for n, what in streams:
        flow = pairs.get(('TCP', n))
        fo = follows.get(n)
        if flow is None or fo is None:
            res.fail('stream check tcp.stream %d (%s): %s' % (
                n, what, 'no single botwatch flow paired with it' if flow is None
                else 'no tshark follow output'))
            continue
        data = {flow.src: read_dump(dump, flow.id, 'toserver'),
                flow.dst: read_dump(dump, flow.id, 'toclient')}
        if fo['nodes'] and fo['nodes'][0] == flow.src:
            want = {flow.src: bytes(fo[0]), flow.dst: bytes(fo[1])}
        else:
            want = {flow.src: bytes(fo[1]), flow.dst: bytes(fo[0])}
        if set(fo['nodes']) != {flow.src, flow.dst}:
            res.fail('stream check tcp.stream %d: tshark nodes %s are not flow %d'
                     % (n, fo['nodes'], flow.id))
            continue
        if any(FOLLOW_GAP.search(b) for b in want.values()):
            res.fail('stream check tcp.stream %d: tshark reports missing bytes; '
                     'choose a flow without gaps' % n)
            continue
        for side, ep in (('toserver', flow.src), ('toclient', flow.dst)):
            got, exp = data[ep], want[ep]
            if got == exp:
                res.notes.append('stream %d %s: %d bytes equal (%s)' % (n, side, len(got), what))
                continue
            at = next((i for i in range(min(len(got), len(exp))) if got[i] != exp[i]),
                      min(len(got), len(exp)))
            res.fail('stream check tcp.stream %d (flow %d) %s: botwatch %d bytes, tshark %d '
                     'bytes, first difference at offset %d' % (n, flow.id, side, len(got),
                                                                len(exp), at))


# --------------------------------------------------------------------------------------

def report(res, verbose):
    """The capture's line; its failures' details always, the rest with -v."""
    if res.failures:
        for i, (reason, details) in enumerate(res.failures):
            print(('FAIL %s: %s' % (res.name, reason)) if i == 0 else ('  also: ' + reason))
            for d in details:
                print('    ' + d)
    else:
        print('ok %s (%s)' % (res.name, res.summary))
    if verbose:
        for kind, details in res.applied:
            print('  deliberate %s:' % kind)
            for d in details:
                print('    ' + d)
        for note in res.notes:
            print('  ' + note)
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--botwatch', default=os.path.join(REPO, 'build', 'botwatch'),
                    help='binary to test (default build/botwatch)')
    ap.add_argument('-k', metavar='PATTERN', help='only captures whose name contains '
                    'PATTERN (or matches it as a shell glob)')
    ap.add_argument('-v', action='store_true', help='show detail for every capture')
    ap.add_argument('-j', metavar='N', type=int, default=2,
                    help='captures checked in parallel (default 2)')
    args = ap.parse_args()

    if not os.path.isdir(CORPUS):
        print('conformance: skipped (%s not found)' % CORPUS_REL)
        return 0
    if not shutil.which('tshark'):
        print('conformance: skipped (tshark not found)')
        return 0
    args.botwatch = os.path.abspath(args.botwatch)
    if not os.access(args.botwatch, os.X_OK):
        print('conformance: %s not found or not executable' % args.botwatch, file=sys.stderr)
        return 2

    names = sorted(n for n in os.listdir(CORPUS) if n.endswith(('.pcap', '.pcapng')))
    if args.k:
        names = [n for n in names if args.k in n or fnmatch.fnmatch(n, args.k)]
    for f, k in DELIBERATE:
        assert k in KINDS, 'unknown kind %r in DELIBERATE' % k

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as pool:
        futures = [pool.submit(check_capture, n, args) for n in names]
        results = []
        for name, fut in zip(names, futures):
            try:
                res = fut.result()
            except Exception as e:      # a harness problem must not hide other captures
                res = Result(name)
                res.fail('harness error: %s: %s' % (type(e).__name__, e))
            results.append(res)
            report(res, args.v)

    applied = [(r.name, k) for r in results for k in sorted({k for k, _ in r.applied})]
    if applied:
        print('deliberate differences that applied:')
        for name, kind in applied:
            print('  %s [%s]: %s' % (name, kind, DELIBERATE[(name, kind)]))
    failed = sum(1 for r in results if r.failures)
    print('%d passed, %d failed' % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
