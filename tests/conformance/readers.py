#!/usr/bin/env python3
"""botwatch's two capture readers must agree (src/capture/pcap_file.c).

A classic pcap file in a regular file is read by botwatch itself, in 256 KiB pieces of a
1 MiB buffer with the frames handed on where they lie; anything else, and any capture on
standard input, through libpcap's pcap_next_ex. For every capture in
tests/fixtures/ and, when present, ../shared/corpus/pcap/, and for damaged copies of the
fixtures (cut at several points; one record's captured length raised past the snapshot
length or past libpcap's maximum), this runs `botwatch scan FILE` and `botwatch scan - <FILE`
and requires the same EVE output, exit status and error message (with the file name
replaced by "-"). A BPF filter is tried on a few files too. The fixtures are small, so a
few-MiB capture is built from one (its records repeated, with frames up to libpcap's
maximum of 262144 bytes among them) to cross the reader's pieces and buffer moves, and
copies of it cut inside the long frames.
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


def client_port(frame, port):
    """An Ethernet/IPv4/TCP frame with its port above 1024 (the client's) set to port."""
    if len(frame) < 34 or frame[12:14] != b'\x08\x00' or frame[23] != 6:
        return frame
    at = 14 + (frame[14] & 15) * 4
    if len(frame) < at + 4:
        return frame
    f = bytearray(frame)
    for side in (at, at + 2):
        if struct.unpack('>H', f[side:side + 2])[0] > 1024 and \
                struct.unpack('>H', f[side:side + 2])[0] != 8080:
            f[side:side + 2] = struct.pack('>H', port)
    return bytes(f)


def stretched(src, tmp):
    """A capture of about 6 MiB from a fixture's records: repeated with rising timestamps,
    with long frames (the record's own bytes, then zeros) of up to 262144 bytes among them,
    sometimes six in a row (more than the reader's buffer holds: the engine's look-ahead
    window must be drained before the buffer is reused); and copies cut inside a few of the
    long frames."""
    data = open(src, 'rb').read()
    if len(data) < 24 or struct.unpack('<I', data[:4])[0] != 0xa1b2c3d4:
        return []
    recs, off = [], 24
    while off + 16 <= len(data):
        sec, frac, caplen, wire = struct.unpack('<IIII', data[off:off + 16])
        if off + 16 + caplen > len(data):
            break
        recs.append((sec, frac, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    if not recs:
        return []
    datas = [r for r in recs if len(r[2]) > 200]
    out = bytearray(data[:16]) + struct.pack('<I', 262144) + data[20:24]
    longs = []
    n = 0
    rep = 0
    while len(out) < 6 << 20:
        rep += 1
        for sec, frac, frame in recs:
            n += 1
            frame = client_port(frame, 20000 + rep)   # each repetition a flow of its own
            size = 0
            if n % 1009 < 6 and datas:       # now and then a run of them, with payload:
                sec, frac, frame = datas[n % len(datas)]   # the window spans the buffer
                frame = client_port(frame, 20000 + rep)
                size = 262144
            elif n % 97 == 0:
                size = (61000, 130000, 200003)[n // 97 % 3]
            if size:
                frame = frame + bytes(size - len(frame))
                longs.append(len(out))
            out += struct.pack('<IIII', sec + n // 1000, frac, len(frame), len(frame)) + frame
    paths = []
    p = os.path.join(tmp, 'stretched.pcap')
    open(p, 'wb').write(bytes(out))
    paths.append(p)
    for i, at in enumerate(longs[1::max(1, len(longs) // 4)][:4]):
        p = os.path.join(tmp, 'stretched-cut%d.pcap' % i)
        open(p, 'wb').write(bytes(out[:at + 16 + 1000 * (i + 1)]))
        paths.append(p)
    return paths


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
        http = [f for f in fixtures if os.path.basename(f) == 'http-curl.pcap']
        if http:
            cases += [(d, []) for d in stretched(http[0], tempfile.mkdtemp(dir=tmp))]
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
