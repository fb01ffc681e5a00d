#!/usr/bin/env python3
"""Protocol identification against nDPI (issue #3).

For every ../shared/corpus/pcap/ndpi-*.pcap* with an expected nDPI output in
../shared/corpus/expected/, runs botwatch and compares each flow's app_proto with nDPI's
protocol, for the protocols botwatch identifies. Flows are paired by transport and the
unordered pair of endpoints. Prints the confusion table and every disagreement, then
"agreement: X% (N of M flows)". Exits 1 if agreement is below --min (a ratchet: raise it as
identification improves; the issue's target is 98%).

A flow counts when nDPI or botwatch names one of the protocols below; flows where nDPI
names another protocol and botwatch says unknown are agreements (neither claims ours).

Deliberate differences, each applied per flow on evidence and listed when it applies:
  * port-guess: nDPI's "Confidence: Match by port" (or Guessed): nDPI names the protocol from
    the port alone (SYN scans, one-byte keep-alives). botwatch never decides by port.
  * evasion: botwatch saw overlapping segments with different bytes in the flow
    (stream.overlaps_differ > 0) and, by design, keeps the first copy; the DPI-evasion tool
    sent a corrupted first copy, so the flow is unknown and flagged, not identified.
  * announced: a data connection announced on an FTP control connection (PORT/EPRT,
    227/229) is botwatch's ftp-data, tied to its control flow; nDPI, not following the
    control channel there, says Unknown.
  * names: nDPI's SMTPS/FTPS (STARTTLS or implicit TLS) is botwatch's smtp/ftp or tls;
    nDPI's NetBIOS over TCP is botwatch's nbss, or smb when SMB rides on the session;
    NetBIOS over UDP (name and datagram services) is not a protocol botwatch names.
"""
import argparse, json, os, re, subprocess, sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, '..', 'shared', 'corpus')

# nDPI master protocol name -> botwatch app_proto ("" = not one of ours)
NDPI = {
    'HTTP': 'http', 'HTTP_Proxy': 'http', 'HTTP_Connect': 'http', 'TLS': 'tls', 'SSH': 'ssh',
    'SMTP': 'smtp', 'FTP_CONTROL': 'ftp', 'FTP_DATA': 'ftp-data', 'POP3': 'pop3', 'IMAP': 'imap', 'IRC': 'irc',
    'DNS': 'dns', 'BitTorrent': 'bittorrent', 'SOCKS': 'socks', 'SMBv1': 'smb',
    'SMBv23': 'smb', 'NetBIOS': 'nbss',
}
OURS = set(NDPI.values()) | {'bittorrent-dht'}
# nDPI name -> every botwatch name that means the same session
ALSO = {'SMTPS': {'smtp', 'tls'}, 'FTPS': {'ftp', 'tls'}, 'NetBIOS': {'nbss', 'smb'},
        'BitTorrent': {'bittorrent', 'bittorrent-dht'}}

LINE = re.compile(r'^\s*\d+\s+(TCP|UDP)\s+(\S+)\s+<->\s+(\S+)\s+\[proto:\s*[\d.]+/([^\]]+)\]')
CONF = re.compile(r'\[Confidence: ([^\]]+)\]')


def ndpi_flows(path):
    out = {}
    for line in open(path, encoding='utf-8', errors='replace'):
        m = LINE.match(line)
        if not m:
            continue
        tr, a, b, name = m.groups()
        master = name.split('.')[0]
        c = CONF.search(line)
        conf = c.group(1) if c else ''
        out[(tr, frozenset((a, b)))] = (master, conf)
    return out


def ep(ip, port):
    return f'[{ip}]:{port}' if ':' in ip else f'{ip}:{port}'


def botwatch_flows(bw, pcap):
    r = subprocess.run([bw, 'scan', '-q', '--no-progress', '--eve', '-', pcap],
                       capture_output=True, text=True)
    out = {}
    for line in r.stdout.splitlines():
        e = json.loads(line)
        if e.get('event_type') != 'flow' or e['proto'] not in ('TCP', 'UDP'):
            continue
        key = (e['proto'], frozenset((ep(e['src_ip'], e['src_port']),
                                      ep(e['dest_ip'], e['dest_port']))))
        # several flows on one tuple (port reuse): keep the one that says most
        differ = e.get('stream', {}).get('overlaps_differ', 0) > 0
        if out.get(key, ('',))[0] in ('', 'unknown'):
            out[key] = (e['app_proto'], differ, 'related_flow_id' in e)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--botwatch', default=os.path.join(ROOT, 'build', 'botwatch'))
    ap.add_argument('--min', type=float, default=0.0, help='minimum agreement, percent')
    ap.add_argument('-v', action='store_true', help='list agreements too')
    args = ap.parse_args()
    exp_dir = os.path.join(CORPUS, 'expected')
    if not os.path.isdir(exp_dir):
        print('ndpi: skipped (../shared/corpus not found)')
        return 0
    confusion, disagree, deliberate = Counter(), [], Counter()
    for name in sorted(os.listdir(exp_dir)):
        if not (name.startswith('ndpi-') and name.endswith('.out')):
            continue
        pcap = os.path.join(CORPUS, 'pcap', name[:-4])
        if not os.path.exists(pcap):
            continue
        ours = botwatch_flows(args.botwatch, pcap)
        for key, (master, conf) in ndpi_flows(os.path.join(exp_dir, name)).items():
            want = NDPI.get(master, '')
            if master == 'NetBIOS' and key[0] == 'UDP':
                want = ''                         # name/datagram service: not ours
            if key not in ours:
                continue                          # a flow botwatch keys differently (tunnels)
            got, differ, related = ours[key]
            accepted = ALSO.get(master, {want}) if want or master in ALSO else {want}
            if master == 'NetBIOS' and key[0] == 'UDP':
                accepted = {''}
            if not (accepted & OURS) and got not in OURS:
                continue                          # neither claims one of ours
            where = f'{name[5:-4]}: {key[0]} {" <-> ".join(sorted(key[1]))}'
            if got not in accepted and conf.startswith(('Match by port', 'Guessed')):
                deliberate['port-guess'] += 1
                if args.v:
                    print(f'  port-guess: {where}: nDPI {master} by port, botwatch {got or "-"}')
                continue
            if got == 'ftp-data' and related and master == 'Unknown':
                deliberate['announced'] += 1
                print(f'  announced: {where}: nDPI Unknown, botwatch ftp-data (the data port '
                      f'announced on the FTP control connection, related_flow_id)')
                continue
            if got not in accepted and differ:
                deliberate['evasion'] += 1
                print(f'  evasion: {where}: nDPI {master}, botwatch {got} with differing '
                      f'overlaps (first copy kept, flagged)')
                continue
            label = want or (sorted(accepted)[0] if accepted != {''} else f'({master})')
            ok = got in accepted
            confusion[(label if not ok else got, got or '(none)')] += 1
            if not ok:
                disagree.append(f'{where}: nDPI {master}, botwatch {got or "(no payload)"}')
    total = sum(confusion.values())
    agree = sum(n for (w, g), n in confusion.items() if w == g)
    print('confusion (nDPI -> botwatch: flows):')
    for (w, g), n in sorted(confusion.items()):
        mark = '' if w == g else '   <-- differs'
        print(f'  {w:>16} -> {g:<16} {n}{mark}')
    print('disagreements:')
    for d in disagree:
        print('  ' + d)
    print('deliberate differences: ' + (', '.join(f'{k} {n}' for k, n in sorted(deliberate.items()))
                                        or 'none'))
    pct = 100.0 * agree / total if total else 100.0
    print(f'agreement: {pct:.1f}% ({agree} of {total} flows), minimum {args.min:.1f}%')
    return 0 if pct >= args.min else 1


if __name__ == '__main__':
    sys.exit(main())
