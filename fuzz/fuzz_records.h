/* SPDX-License-Identifier: MIT
 * fuzz_records.h — the frame-sequence input format of fuzz_packet and fuzz_decode: byte 0
 * picks the link type (the caller's table), then records of len(2, big-endian) dt(1)
 * frame(len), dt being the time step in tenths of a second (so timeouts fire). A frame whose
 * wire length exceeds its captured bytes (every other one) exercises the snapped paths.
 * fuzz/mkseeds.py turns pcap files into such inputs. */
#ifndef BW_FUZZ_RECORDS_H
#define BW_FUZZ_RECORDS_H

#include "util/rd.h"

struct fuzz_frame {
    uint64_t ts_us;
    uint32_t caplen, wirelen;
    const uint8_t *data;
};

/* The next frame of r, or false at the end. *ts carries the clock from frame to frame. */
static inline bool fuzz_next_frame(struct rd *r, uint64_t *ts, struct fuzz_frame *fr)
{
    if (rd_left(r) < 3)
        return false;
    size_t len = rd_be16(r);
    *ts += (uint64_t)rd_u8(r) * 100000;
    if (len > rd_left(r))
        len = rd_left(r);
    struct bytes b = rd_bytes(r, len);
    *fr = (struct fuzz_frame){ .ts_us = *ts, .caplen = (uint32_t)len,
                               .wirelen = (uint32_t)len + (*ts & 1 ? 0 : 7), .data = b.p };
    return true;
}

#endif
