/* SPDX-License-Identifier: MIT
 * reject.c — what a `reject` rule answers in inline mode: for TCP a reset to each end (RFC
 * 9293 3.10.7.1: the sequence number a peer will accept), for UDP an ICMP port unreachable
 * (RFC 792, RFC 4443 3.1) to the sender quoting its packet. The packets are built here from
 * the offending packet (read through rd.h: it is the attacker's) and sent on raw sockets. */
#include "capture/reject.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/rd.h"

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* The offending packet, parsed. */
struct orig {
    uint8_t family, proto;
    const uint8_t *src, *dst;          /* 4 or 16 bytes */
    const uint8_t *l3;                 /* the IP header */
    size_t l3len, total;               /* header length, packet length */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    size_t payload;
};

static bool parse(const uint8_t *pkt, size_t len, struct orig *o)
{
    struct rd r = rd_init(pkt, len);
    memset(o, 0, sizeof *o);
    o->l3 = pkt;
    o->total = len;
    uint8_t v = rd_u8(&r) >> 4;
    if (r.bad)
        return false;
    if (v == 4) {
        size_t ihl = (size_t)(pkt[0] & 15) * 4;
        r = rd_init(pkt, len);
        if (ihl < 20 || !rd_need(&r, ihl))
            return false;
        uint16_t tot = (uint16_t)(pkt[2] << 8 | pkt[3]);
        if (tot < ihl || tot > len || (pkt[6] & 0x1f) || pkt[7])   /* no fragments */
            return false;
        o->family = 4;
        o->proto = pkt[9];
        o->src = pkt + 12;
        o->dst = pkt + 16;
        o->l3len = ihl;
        o->total = tot;
    } else if (v == 6) {
        if (len < 40)
            return false;
        o->family = 6;
        o->proto = pkt[6];                 /* extension headers: not answered */
        o->src = pkt + 8;
        o->dst = pkt + 24;
        o->l3len = 40;
        size_t plen = (size_t)(pkt[4] << 8 | pkt[5]);
        if (40 + plen > len)
            return false;
        o->total = 40 + plen;
    } else {
        return false;
    }
    struct rd l4 = rd_init(pkt + o->l3len, o->total - o->l3len);
    if (o->proto == 6) {
        o->sport = rd_be16(&l4);
        o->dport = rd_be16(&l4);
        o->seq = rd_be32(&l4);
        o->ack = rd_be32(&l4);
        uint8_t off = rd_u8(&l4);
        o->flags = rd_u8(&l4);
        size_t hl = (size_t)(off >> 4) * 4;
        if (l4.bad || hl < 20 || hl > o->total - o->l3len)
            return false;
        o->payload = o->total - o->l3len - hl;
        return true;
    }
    if (o->proto == 17) {
        o->sport = rd_be16(&l4);
        o->dport = rd_be16(&l4);
        return !l4.bad;
    }
    return false;
}

/* An IP header from src to dst carrying l4len bytes of proto; returns its length. */
static size_t ip_header(uint8_t *out, uint8_t family, uint8_t proto, const uint8_t *src,
                        const uint8_t *dst, size_t l4len)
{
    if (family == 4) {
        memset(out, 0, 20);
        out[0] = 0x45;
        put16(out + 2, (uint16_t)(20 + l4len));
        out[6] = 0x40;                         /* don't fragment */
        out[8] = 64;
        out[9] = proto;
        memcpy(out + 12, src, 4);
        memcpy(out + 16, dst, 4);
        put16(out + 10, fold(sum16(out, 20, 0)));
        return 20;
    }
    memset(out, 0, 40);
    out[0] = 0x60;
    put16(out + 4, (uint16_t)l4len);
    out[6] = proto;
    out[7] = 64;
    memcpy(out + 8, src, 16);
    memcpy(out + 24, dst, 16);
    return 40;
}

/* The transport checksum over the pseudo-header (RFC 9293 3.1, RFC 8200 8.1). */
static uint16_t l4_checksum(uint8_t family, uint8_t proto, const uint8_t *src,
                            const uint8_t *dst, const uint8_t *l4, size_t n)
{
    size_t alen = family == 4 ? 4 : 16;
    uint32_t s = sum16(src, alen, 0);
    s = sum16(dst, alen, s);
    s += proto;
    s += (uint32_t)n;
    return fold(sum16(l4, n, s));
}

size_t reject_build(const uint8_t *pkt, size_t len, enum reject_to to, uint8_t *out, size_t cap)
{
    struct orig o;
    if (!parse(pkt, len, &o) || cap < REJECT_MAX)
        return 0;
    if (o.proto == 6) {
        if (o.flags & 0x04)                    /* never answer a reset */
            return 0;
        /* to the sender: from the receiver's socket; to the receiver: from the sender's */
        bool back = to == REJECT_TO_SENDER;
        const uint8_t *src = back ? o.dst : o.src, *dst = back ? o.src : o.dst;
        size_t h = ip_header(out, o.family, 6, src, dst, 20);
        uint8_t *t = out + h;
        memset(t, 0, 20);
        put16(t, back ? o.dport : o.sport);
        put16(t + 2, back ? o.sport : o.dport);
        uint32_t next = o.seq + (uint32_t)o.payload + !!(o.flags & 0x02) + !!(o.flags & 0x01);
        if (back) {                            /* the sender accepts seq = its ack */
            put32(t + 4, (o.flags & 0x10) ? o.ack : 0);
            put32(t + 8, next);
            t[13] = 0x14;                      /* RST, ACK */
        } else {                               /* the receiver expects the sender's next */
            put32(t + 4, next);
            t[13] = 0x04;                      /* RST */
        }
        t[12] = 5 << 4;
        put16(t + 16, l4_checksum(o.family, 6, src, dst, t, 20));
        return h + 20;
    }
    /* UDP: port unreachable to the sender, quoting as much as the minimum MTU allows */
    if (to != REJECT_TO_SENDER)
        return 0;
    size_t quote = o.total;
    size_t room = o.family == 4 ? 576 - 20 - 8 : 1280 - 40 - 8;
    if (quote > room)
        quote = room;
    if (o.family == 4 && quote > o.l3len + 8)
        quote = o.l3len + 8;                   /* RFC 792: header + 64 bits */
    uint8_t icmp_proto = o.family == 4 ? 1 : 58;
    size_t h = ip_header(out, o.family, icmp_proto, o.dst, o.src, 8 + quote);
    uint8_t *ic = out + h;
    memset(ic, 0, 8);
    ic[0] = o.family == 4 ? 3 : 1;             /* destination unreachable */
    ic[1] = o.family == 4 ? 3 : 4;             /* port unreachable */
    memcpy(ic + 8, pkt, quote);
    uint16_t ck = o.family == 4 ? fold(sum16(ic, 8 + quote, 0))
                                : l4_checksum(6, 58, o.dst, o.src, ic, 8 + quote);
    put16(ic + 2, ck);
    return h + 8 + quote;
}

int reject_open(struct reject_sock *s)
{
    s->fd4 = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    s->fd6 = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
    return s->fd4 >= 0 ? 0 : -errno;
}

void reject_close(struct reject_sock *s)
{
    if (s->fd4 >= 0)
        close(s->fd4);
    if (s->fd6 >= 0)
        close(s->fd6);
    s->fd4 = s->fd6 = -1;
}

unsigned reject_send(struct reject_sock *s, const uint8_t *pkt, size_t len)
{
    unsigned sent = 0;
    uint8_t out[REJECT_MAX];
    for (int to = REJECT_TO_SENDER; to <= REJECT_TO_RECEIVER; to++) {
        size_t n = reject_build(pkt, len, (enum reject_to)to, out, sizeof out);
        if (!n)
            continue;
        if ((out[0] >> 4) == 4 && s->fd4 >= 0) {
            struct sockaddr_in sa = { .sin_family = AF_INET };
            memcpy(&sa.sin_addr, out + 16, 4);
            sent += sendto(s->fd4, out, n, 0, (struct sockaddr *)&sa, sizeof sa) == (ssize_t)n;
        } else if ((out[0] >> 4) == 6 && s->fd6 >= 0) {
            struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
            memcpy(&sa.sin6_addr, out + 24, 16);
            sent += sendto(s->fd6, out, n, 0, (struct sockaddr *)&sa, sizeof sa) == (ssize_t)n;
        }
    }
    return sent;
}
