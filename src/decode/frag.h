/* SPDX-License-Identifier: MIT
 * frag.h — IPv4 and IPv6 fragment reassembly with a memory cap and a timeout (packet time).
 * Overlapping fragments: the first copy wins; overlaps whose bytes differ are counted. */
#ifndef BW_FRAG_H
#define BW_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/stats.h"

struct frag_limits {
    uint64_t memcap;      /* bytes of fragment data and bookkeeping held at once */
    uint64_t timeout_us;  /* a datagram not complete this long after its first fragment is dropped */
};

struct frag_dgram;

struct frag_table {
    struct frag_limits lim;
    struct bw_stats *stats;
    struct frag_dgram **bucket;
    size_t nbucket;
    struct frag_dgram *oldest, *newest;  /* age list, by first fragment */
    uint8_t *out;                        /* the last reassembled datagram */
    size_t out_cap;
};

struct frag_in {
    uint8_t family, proto;
    const uint8_t *src, *dst;  /* 4 or 16 bytes */
    uint32_t id;
    uint32_t off;              /* byte offset of this fragment's data */
    bool more;                 /* more fragments follow */
    const uint8_t *data;
    uint32_t len;
    uint64_t ts_us;
    uint32_t wirelen;
};

struct frag_out {
    const uint8_t *data;       /* the whole transport datagram; valid until the next frag call */
    uint32_t len;
    uint32_t pkts;             /* fragments it was made of */
    uint64_t wirebytes;        /* their wire lengths added up */
};

int frag_table_init(struct frag_table *t, struct bw_stats *stats, const struct frag_limits *lim);
void frag_table_free(struct frag_table *t);

/* Adds one fragment. Returns true and fills *out when it completed a datagram. */
bool frag_add(struct frag_table *t, const struct frag_in *in, struct frag_out *out);

/* Drops datagrams that timed out by packet time now_us. */
void frag_expire(struct frag_table *t, uint64_t now_us);

#endif
