#!/usr/bin/env python3
"""Firewall-log parsing against the corpus (issue #5).

For every file in ../shared/corpus/logs/, runs `botwatch logs --dump-records` and checks:
  * every line carrying a Cisco ASA/PIX message id that botwatch supports (302013-302016,
    305009-305012, 106001, 106006, 106015, 106023, 106100, 710003) gives a record with that id
    (never "malformed"); lines with other ids are counted as unsupported, never as records;
  * where expected values are known, the record's fields equal them. The corpus ships no
    expected values for its log files (MANIFEST.md: the upstream expectations were too large
    to transcribe), so EXPECTED below holds values read off the lines themselves by hand, one
    entry per message id and per header shape;
  * every file, ASA or not (the loghub Linux, OpenSSH and Proxifier logs), goes through the
    whole driver (pairing, detectors, EVE) with exit status 0 and no sanitizer report.
Prints "logs: N supported lines parsed, N fields checked, N failed" and exits 0 or 1;
"logs: skipped" when ../shared/corpus is absent.
"""
import argparse, json, os, re, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, '..', 'shared', 'corpus', 'logs')
SUPPORTED = {302013, 302014, 302015, 302016, 305009, 305010, 305011, 305012, 106001, 106006,
             106015, 106023, 106100, 710003}
MSGID = re.compile(rb'(?:ASA|PIX)-(?:[a-z]+-)?[0-7]-(\d{6})')

# (file, line) -> {dotted field path: value}, transcribed from the line.
EXPECTED = {
    ('logstash-patterns-core-firewalls_spec-asa-pix.log', 1): {
        'msgid': 106001, 'kind': 'deny', 'src.ip': '192.168.2.2', 'src.port': 43803,
        'dst.ip': '10.10.10.10', 'dst.port': 14322, 'dst.iface': 'out111', 'tcp_flags': 2},
    ('logstash-patterns-core-firewalls_spec-asa-pix.log', 2): {
        'msgid': 106006, 'ip_proto': 17, 'src.port': 65020, 'dst.port': 65021,
        'dst.iface': 'fw111'},
    ('logstash-patterns-core-firewalls_spec-asa-pix.log', 6): {
        'msgid': 302013, 'direction': 'outbound', 'conn_id': 11757, 'src.iface': 'outside',
        'src.ip': '100.66.205.104', 'src.port': 80, 'dst.iface': 'inside',
        'dst.ip': '172.31.98.44', 'dst.port': 1772},
    ('logstash-patterns-core-firewalls_spec-asa-pix.log', 16): {
        'timestamp': '2013-08-01T14:01:20.000000+0000', 'host': 'abc-asa1', 'conn_id': 906569140,
        'dst.ip': '100.100.100.111', 'dst.mapped_ip': '10.125.1.11', 'dst.mapped_port': 37785},
    ('elastic-integrations-cisco_asa-test-sample.log', 1): {
        'msgid': 106023, 'timestamp': '2013-04-15T09:36:50.000000+0000', 'ip_proto': 6,
        'src.iface': 'dmz', 'src.ip': '10.1.2.30', 'src.port': 63016, 'dst.ip': '192.168.0.8',
        'dst.port': 53, 'reason': 'acl_dmz'},
    ('elastic-integrations-cisco_asa-test-sample.log', 3): {
        'msgid': 106100, 'kind': 'acl-permit', 'level': 5, 'src.ip': '10.1.2.16',
        'src.port': 2241, 'dst.ip': '192.168.0.89', 'dst.port': 2000, 'reason': 'acl_in'},
    ('elastic-integrations-cisco_asa-test-sample.log', 4): {
        'msgid': 106100, 'kind': 'deny', 'host': 'INT-FW01', 'ip_proto': 17, 'dst.port': 53},
    ('elastic-integrations-cisco_asa-test-sample.log', 5): {'hit_count': 144},
    ('elastic-integrations-cisco_asa-test-sample.log', 6): {
        'msgid': 305011, 'kind': 'xlate-built', 'src.ip': '10.123.3.42', 'src.port': 4952,
        'dst.ip': '192.168.2.130', 'dst.port': 12834},
    ('elastic-integrations-cisco_asa-test-sample.log', 13): {
        'msgid': 302016, 'conn_id': 666, 'duration': 36000, 'bytes': 9999999,
        'dst.ip': '10.123.1.35', 'dst.port': 52925},
    ('elastic-integrations-cisco_asa-test-sample.log', 45): {
        'msgid': 302014, 'conn_id': 447236, 'duration': 0, 'bytes': 14804, 'reason': 'TCP FINs',
        'dst.iface': 'dmz', 'dst.ip': '192.168.1.34'},
    ('elastic-integrations-cisco_asa-test-sample.log', 48): {
        'msgid': 106015, 'tcp_flags': 4, 'src.iface': 'outside', 'dst.port': 5679},
    ('elastic-integrations-cisco_asa-test-sample.log', 53): {
        'conn_id': 447237, 'duration': 86399, 'bytes': 11420, 'dst.ip': '10.10.10.10'},
    ('elastic-integrations-cisco_asa-test-sample.log', 54): {
        'msgid': 302016, 'timestamp': '2012-08-15T23:30:09.000000+0000', 'duration': 122,
        'bytes': 1416},
    ('elastic-integrations-cisco_asa-test-sample.log', 63): {
        'msgid': 106023, 'host': 'GIFRCHN01', 'dst.port': 25, 'reason': 'PERMIT_IN'},
    ('elastic-integrations-cisco_asa-test-sample.log', 81): {
        'direction': 'inbound', 'src.ip': '2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6',
        'src.port': 62477, 'dst.port': 443},
    ('elastic-integrations-cisco_asa-test-sample.log', 82): {
        'msgid': 305012, 'duration': 125, 'src.ip': '67.43.156.15', 'dst.ip': '67.43.156.13'},
    ('elastic-integrations-cisco_asa-test-sample.log', 83): {
        'msgid': 302014, 'reason': 'TCP FINs', 'bytes': 9610, 'src.port': 50120},
}


def get(rec, path):
    for k in path.split('.'):
        if not isinstance(rec, dict) or k not in rec:
            return None
        rec = rec[k]
    return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--botwatch', default=os.path.join(ROOT, 'build', 'botwatch'))
    ap.add_argument('-q', action='store_true')
    a = ap.parse_args()
    if not os.path.isdir(CORPUS):
        print('logs: skipped (../shared/corpus/logs not found)')
        return 0
    parsed = checked = failed = 0
    seen_expected = set()
    for name in sorted(os.listdir(CORPUS)):
        path = os.path.join(CORPUS, name)
        if not os.path.isfile(path):
            continue
        with open(path, 'rb') as f:
            lines = f.read().split(b'\n')
        r = subprocess.run([a.botwatch, 'logs', '-q', '--year', '2013', '--dump-records', path],
                           capture_output=True)
        if r.returncode != 0 or re.search(rb'Sanitizer|runtime error', r.stderr):
            print('FAIL %s: exit %d %s' % (name, r.returncode, r.stderr[-300:]))
            failed += 1
            continue
        recs = {}
        for l in r.stdout.decode('utf-8', 'replace').splitlines():
            d = json.loads(l)
            recs[d['line']] = d
        for no, text in enumerate(lines, 1):
            m = MSGID.search(text)
            if not m or int(m.group(1)) not in SUPPORTED:
                continue
            d = recs.get(no)
            if not d or 'bad' in d or d.get('msgid') != int(m.group(1)):
                print('FAIL %s:%d: %s gives %s' % (name, no, m.group(1), d))
                failed += 1
                continue
            parsed += 1
            for k, v in EXPECTED.get((name, no), {}).items():
                checked += 1
                if get(d, k) != v:
                    print('FAIL %s:%d: %s is %r, expected %r' % (name, no, k, get(d, k), v))
                    failed += 1
            if (name, no) in EXPECTED:
                seen_expected.add((name, no))
        # the whole driver: pairing, detectors, EVE
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run([a.botwatch, 'logs', '-q', '--year', '2013', '--report', '--eve',
                                os.path.join(tmp, 'eve.json'), path], capture_output=True)
            if r.returncode != 0 or re.search(rb'Sanitizer|runtime error', r.stderr):
                print('FAIL %s (driver): exit %d %s' % (name, r.returncode, r.stderr[-300:]))
                failed += 1
    for key in sorted(set(EXPECTED) - seen_expected):
        if os.path.exists(os.path.join(CORPUS, key[0])):
            print('FAIL %s:%d: expected values for a line that gave no record' % key)
            failed += 1
    print('logs: %d supported lines parsed, %d fields checked, %d failed' %
          (parsed, checked, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
