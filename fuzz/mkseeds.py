#!/usr/bin/env python3
"""Turns pcap/pcapng files into fuzz_packet inputs (see fuzz_packet.c for the format).

usage: fuzz/mkseeds.py OUTDIR FILE...   (reads the files with tshark's editcap-free path:
plain pcap is parsed here; pcapng is converted with editcap if it is installed)"""
import os, struct, subprocess, sys, tempfile

DLTS = {1: 0, 113: 1, 276: 2, 12: 3, 101: 3, 0: 4, 108: 5, 228: 6, 229: 7}

def packets(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] == b'\x0a\x0d\x0d\x0a':
        with tempfile.NamedTemporaryFile(suffix='.pcap') as t:
            subprocess.run(['editcap', '-F', 'pcap', path, t.name], check=True,
                           stderr=subprocess.DEVNULL)
            yield from packets(t.name)
        return
    magic = data[:4]
    e = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    nano = magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')
    linktype = struct.unpack(e + 'I', data[20:24])[0] & 0x0fffffff
    off, last = 24, None
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(e + 'IIII', data[off:off + 16])
        off += 16
        t = sec + frac / (1e9 if nano else 1e6)
        yield linktype, (0 if last is None else t - last), data[off:off + caplen]
        last = t
        off += caplen

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for path in sys.argv[2:]:
        buf, link = bytearray(), None
        for linktype, dt, frame in packets(path):
            if link is None:
                if linktype not in DLTS:
                    break
                link = linktype
                buf.append(DLTS[linktype])
            frame = frame[:65535]
            buf += struct.pack('>HB', len(frame), min(255, max(0, int(dt * 10))))
            buf += frame
        if link is not None:
            with open(os.path.join(out, os.path.basename(path) + '.seed'), 'wb') as f:
                f.write(buf)

if __name__ == '__main__':
    main()
