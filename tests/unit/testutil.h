/* SPDX-License-Identifier: MIT
 * testutil.h — builders for the unit tests: frames byte by byte, and decoded packets. */
#ifndef BW_TESTUTIL_H
#define BW_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode/decode.h"

struct fb {                 /* frame builder */
    uint8_t b[70000];
    size_t n;
};

static inline void fb_u8(struct fb *f, uint8_t v) { f->b[f->n++] = v; }
static inline void fb_be16(struct fb *f, uint16_t v) { fb_u8(f, v >> 8); fb_u8(f, v & 0xff); }
static inline void fb_be32(struct fb *f, uint32_t v)
{
    fb_be16(f, (uint16_t)(v >> 16));
    fb_be16(f, (uint16_t)v);
}
static inline void fb_mem(struct fb *f, const void *p, size_t n)
{
    memcpy(f->b + f->n, p, n);
    f->n += n;
}
static inline void fb_eth(struct fb *f, uint16_t type)
{
    static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
    fb_mem(f, macs, 12);
    fb_be16(f, type);
}
/* IPv4 header; total length = 20 + optlen + l4len */
static inline void fb_ipv4(struct fb *f, uint8_t proto, uint32_t src, uint32_t dst,
                           size_t l4len, uint16_t id, uint16_t frag)
{
    fb_u8(f, 0x45);
    fb_u8(f, 0);
    fb_be16(f, (uint16_t)(20 + l4len));
    fb_be16(f, id);
    fb_be16(f, frag);
    fb_u8(f, 64);
    fb_u8(f, proto);
    fb_be16(f, 0);
    fb_be32(f, src);
    fb_be32(f, dst);
}
static inline void fb_tcp(struct fb *f, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack,
                          uint8_t flags)
{
    fb_be16(f, sp);
    fb_be16(f, dp);
    fb_be32(f, seq);
    fb_be32(f, ack);
    fb_u8(f, 5 << 4);
    fb_u8(f, flags);
    fb_be16(f, 65535);
    fb_be32(f, 0);
}
static inline void fb_udp(struct fb *f, uint16_t sp, uint16_t dp, size_t plen)
{
    fb_be16(f, sp);
    fb_be16(f, dp);
    fb_be16(f, (uint16_t)(8 + plen));
    fb_be16(f, 0);
}

/* A decoded TCP/IPv4 packet without going through the decoder. */
static inline struct pkt mkpkt(uint32_t src, uint16_t sp, uint32_t dst, uint16_t dp,
                               uint8_t flags, uint32_t seq, uint32_t ack, const char *payload,
                               uint64_t ts_us)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ts_us = ts_us;
    p.family = 4;
    p.proto = IPPROTO_NUM_TCP;
    for (int i = 0; i < 4; i++) {
        p.src[i] = (uint8_t)(src >> (24 - 8 * i));
        p.dst[i] = (uint8_t)(dst >> (24 - 8 * i));
    }
    p.sport = sp;
    p.dport = dp;
    p.tcp_flags = flags;
    p.tcp_seq = seq;
    p.tcp_ack = ack;
    p.payload = (const uint8_t *)payload;
    p.payload_len = payload ? (uint32_t)strlen(payload) : 0;
    p.wirelen = 54 + p.payload_len;
    p.caplen = p.wirelen;
    return p;
}

#endif
