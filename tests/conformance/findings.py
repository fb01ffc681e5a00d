#!/usr/bin/env python3
"""The detectors' findings on the whole corpus (issue #7).

Runs botwatch on every capture in ../shared/corpus/pcap/ with the default configuration
(home networks: RFC 1918 and fc00::/7), lists every finding other than the information-only
ones (business-hours and benign verdicts), and fails when:
  * botwatch exits with a status other than 0, or its standard error has a sanitizer report;
  * a severity-1 finding appears that is not justified below (each is a claim that a host is
    a bot, a relay, a scanner...: it must be true of that public capture, or it is a bug);
  * a justified finding no longer appears (the justification would be stale).
Prints "findings: N listed, N high, N unjustified" and exits 0 or 1; "findings: skipped" when
../shared/corpus is absent.
"""
import argparse, json, os, subprocess, sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, '..', 'shared', 'corpus')

# (capture, host, kind) -> why a severity-1 finding there is right.
JUSTIFIED = {
    ('ndpi-synscan.pcap', '172.16.0.8', 'outbound-scan'):
        'nDPI\'s synscan capture is a SYN scan from 172.16.0.8 of about 2000 ports of one '
        'address (64.13.134.52, scanme.nmap.org); 1986 SYNs are never answered, 5 get a '
        'reset: a deep outbound scan by construction.',
}


def findings(bw, pcap):
    r = subprocess.run([bw, 'scan', '-q', '--no-progress', '--eve', '-', pcap],
                       capture_output=True, text=True, errors='replace')
    out = []
    for line in r.stdout.splitlines():
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if ev.get('event_type') == 'finding':
            out.append(ev['finding'])
    bad = None
    if r.returncode not in (0, 1):       # 1: a capture the corpus keeps truncated on purpose
        bad = f'exit status {r.returncode}'
    if 'Sanitizer' in r.stderr or 'runtime error' in r.stderr:
        bad = 'sanitizer report: ' + r.stderr[:2000]
    return out, bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--botwatch', default=os.path.join(ROOT, 'build', 'botwatch'))
    ap.add_argument('-q', action='store_true', help='only problems and the summary')
    args = ap.parse_args()
    pdir = os.path.join(CORPUS, 'pcap')
    if not os.path.isdir(pdir):
        print('findings: skipped (../shared/corpus not found)')
        return 0
    listed = high = unjust = 0
    kinds, seen, problems = Counter(), set(), []
    for name in sorted(os.listdir(pdir)):
        if '.pcap' not in name:
            continue
        fs, bad = findings(args.botwatch, os.path.join(pdir, name))
        if bad:
            problems.append(f'{name}: {bad}')
        for f in fs:
            info = f['kind'] == 'business-hours' or f.get('verdict') == 'benign'
            if info:
                continue
            listed += 1
            kinds[f['kind'] if f['kind'] != 'host-verdict' else 'verdict ' + f['verdict']] += 1
            if not args.q:
                print(f'{name}: {f["host"]} {f["kind"]} sev {f["severity"]} '
                      f'{f.get("verdict", "")} {f["summary"][:100]}'.replace('  ', ' '))
            if f['severity'] != 1:
                continue
            high += 1
            key = (name, f['host'], f['kind'])
            if f['kind'] == 'host-verdict':
                # a high verdict stands on the host's own high findings
                if any(k[0] == name and k[1] == f['host'] for k in JUSTIFIED):
                    continue
            if key in JUSTIFIED:
                seen.add(key)
                continue
            unjust += 1
            problems.append(f'UNJUSTIFIED {name}: {f["host"]} {f["kind"]}: {f["summary"]}')
    for key in JUSTIFIED:
        if key not in seen:
            problems.append(f'STALE justification, finding gone: {key}')
    for k, v in sorted(kinds.items()):
        print(f'  {v:4d} {k}')
    for p in problems:
        print(p)
    print(f'findings: {listed} listed, {high} high, {unjust} unjustified')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
