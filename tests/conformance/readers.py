#!/usr/bin/env python3
"""botwatch's two capture readers must agree (src/capture/pcap_file.c).

A classic pcap file in a regular file is read straight from its mapping; anything else, and
any capture on standard input, through libpcap's pcap_next_ex. For every capture in
tests/fixtures/ and, when present, ../shared/corpus/pcap/, and for damaged copies of the
fixtures (cut at several points; one record's captured length raised past the snapshot
length or past libpcap's maximum), this runs `botwatch scan FILE` and `botwatch scan - <FILE`
and requires the same EVE output, exit status and error message (with the file name
replaced by "-"). A BPF filter is tried on a few files too.
Prints "readers: N compared, N differ" and exits 0 when none differ.
"""
import argparse, glob, os, struct, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, '..', 'shared', 'corpus', 'pcap')


def run(bw, path, stdin, extra, tmp):
    eve = os.path.join(tmp, 'out.jsonl')
    if os.path.exists(eve):
        os.unlink(eve)
    args = [bw, 'scan', '-q', '--no-progress', '--eve', eve] + extra
    with open(path, 'rb') as f:
        p = subprocess.run(args + (['-'] if stdin else [path]), stdin=f if stdin else None,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    out = open(eve, 'rb').read() if os.path.exists(eve) else b''
    err = p.stderr.replace(path.encode(), b'-')
    return p.returncode, out, err


def damaged(src, tmp):
    """Copies of a classic pcap fixture: cut at a few offsets; caplen past snaplen/maximum;
    a small snapshot length, alone and with the file ending inside a frame it cuts."""
    data = open(src, 'rb').read()
    if len(data) < 24 or struct.unpack('<I', data[:4])[0] not in (0xa1b2c3d4, 0xa1b23c4d):
        return []
    out = []
    for frac in (0.37, 0.5, 0.81):
        cut = 24 + int((len(data) - 24) * frac)
        for delta in (0, 5, 17):               # inside a frame, a header, just past one
            p = os.path.join(tmp, 'cut-%d-%d.pcap' % (int(frac * 100), delta))
            open(p, 'wb').write(data[:min(len(data), cut + delta)])
            out.append(p)
    snap = struct.unpack('<I', data[16:20])[0]
    off, recs = 24, []
    while off + 16 <= len(data):
        caplen = struct.unpack('<I', data[off + 8:off + 12])[0]
        recs.append(off)
        off += 16 + caplen
    if len(recs) > 3:
        for name, caplen in (('past-snap', snap + 100), ('past-max', 300000)):
            d = bytearray(data)
            at = recs[len(recs) // 2]
            d[at + 8:at + 12] = struct.pack('<I', caplen)
            p = os.path.join(tmp, name + '.pcap')
            open(p, 'wb').write(bytes(d))
            out.append(p)
        # a small snapshot length in the header: every longer frame is cut to it; and the file
        # ending inside a long frame, before and after the snapshot length
        d = bytearray(data)
        d[16:20] = struct.pack('<I', 96)
        p = os.path.join(tmp, 'snap96.pcap')
        open(p, 'wb').write(bytes(d))
        out.append(p)
        longs = [r for r in recs if struct.unpack('<I', data[r + 8:r + 12])[0] > 600]
        if longs:
            at = longs[len(longs) // 2] + 16
            for inside in (40, 500):
                p = os.path.join(tmp, 'snap96-cut%d.pcap' % inside)
                open(p, 'wb').write(bytes(d[:at + inside]))
                out.append(p)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--botwatch', default=os.path.join(ROOT, 'build', 'botwatch'))
    ap.add_argument('-v', action='store_true')
    a = ap.parse_args()
    fixtures = sorted(glob.glob(os.path.join(ROOT, 'tests', 'fixtures', '*.pcap*')))
    corpus = sorted(glob.glob(os.path.join(CORPUS, '*'))) if os.path.isdir(CORPUS) else []
    compared = differ = 0
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(f, []) for f in fixtures + corpus]
        cases += [(f, ['-f', 'tcp or vlan']) for f in fixtures[:6]]
        for f in fixtures:
            dtmp = tempfile.mkdtemp(dir=tmp)
            cases += [(d, []) for d in damaged(f, dtmp)]
        for path, extra in cases:
            got_file = run(a.botwatch, path, False, extra, tmp)
            got_stdin = run(a.botwatch, path, True, extra, tmp)
            compared += 1
            name = os.path.relpath(path, ROOT) if path.startswith(ROOT) else path
            if got_file != got_stdin:
                differ += 1
                print('differs: %s %s: exit %d/%d, EVE %s, stderr %r / %r' % (
                    name, ' '.join(extra), got_file[0], got_stdin[0],
                    'same' if got_file[1] == got_stdin[1] else 'differs',
                    got_file[2][:200], got_stdin[2][:200]))
            elif a.v:
                print('ok %s %s' % (name, ' '.join(extra)))
    print('readers: %d compared, %d differ%s' % (compared, differ,
          '' if corpus else ' (corpus absent: fixtures only)'))
    return 1 if differ else 0


if __name__ == '__main__':
    sys.exit(main())
