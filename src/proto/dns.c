/* SPDX-License-Identifier: MIT
 * dns.c — DNS identification over UDP and TCP (RFC 1035 4.1, RFC 7766 8 for the TCP length
 * prefix, RFC 6762 for mDNS):
 *   header: id(2) flags(2) qdcount(2) ancount(2) nscount(2) arcount(2)
 *   question: name (labels of 1..63 bytes, 255 in all) qtype(2) qclass(2)
 * A sane header and a question that parses decide. */
#include <string.h>

#include "proto/proto.h"
#include "util/fmt.h"

enum { DNS_MAX_COUNT = 64 };  /* DNS_MAX_NAME (255) is in event/event.h */

static enum probe_verdict message(struct rd r, bool complete)
{
    uint16_t flags, qd, an, ns, ar;
    rd_skip(&r, 2);
    flags = rd_be16(&r);
    qd = rd_be16(&r);
    an = rd_be16(&r);
    ns = rd_be16(&r);
    ar = rd_be16(&r);
    if (r.bad)
        return complete ? PROBE_NO : PROBE_NEED_MORE;
    unsigned opcode = (flags >> 11) & 0xf;
    bool qr = flags & 0x8000;
    if (opcode == 3 || opcode > 6 || qd > 4 || an > DNS_MAX_COUNT || ns > DNS_MAX_COUNT ||
        ar > DNS_MAX_COUNT)
        return PROBE_NO;
    if (qd == 0)                              /* mDNS announcements carry answers only */
        return qr && an > 0 ? PROBE_YES : PROBE_NO;
    size_t total = 0;
    /* RFC 1002 4.1: a NetBIOS name is one 32-byte label of the letters A-P */
    bool nbns_name = rd_left(&r) > 33 && r.p[r.off] == 32;
    for (size_t i = 1; nbns_name && i <= 32; i++)
        nbns_name = r.p[r.off + i] >= 'A' && r.p[r.off + i] <= 'P';
    for (;;) {
        uint8_t l = rd_u8(&r);
        if (r.bad)
            return complete ? PROBE_NO : PROBE_NEED_MORE;
        if (l == 0)
            break;
        if ((l & 0xc0) == 0xc0) {             /* compression pointer ends the name */
            rd_skip(&r, 1);
            break;
        }
        if (l > 63 || (total += l + 1u) > DNS_MAX_NAME)
            return PROBE_NO;
        rd_skip(&r, l);
    }
    uint16_t qtype = rd_be16(&r), qclass = rd_be16(&r) & 0x7fff;  /* mDNS: top bit = unicast */
    if (nbns_name && (qtype == 0x20 || qtype == 0x21))
        return PROBE_NO;                      /* NetBIOS name service (RFC 1002 4.2), not DNS */
    if (r.bad)
        return complete ? PROBE_NO : PROBE_NEED_MORE;
    return qtype != 0 && (qclass == 1 || qclass == 3 || qclass == 4 || qclass == 254 ||
                          qclass == 255)
               ? PROBE_YES
               : PROBE_NO;
}

static enum probe_verdict dns_dir(const uint8_t *d, size_t n, bool tcp)
{
    struct rd r = rd_init(d, n);
    if (tcp) {                                /* two-byte length prefix */
        uint16_t len = rd_be16(&r);
        if (r.bad)
            return PROBE_NEED_MORE;
        if (len < 12)
            return PROBE_NO;
        return message(r, rd_left(&r) >= len);
    }
    return message(r, true);
}

static enum probe_verdict dns_probe(const struct probe_in *in)
{
    enum probe_verdict v = dns_dir(in->data[in->dir], in->len[in->dir], in->tcp);
    if (v != PROBE_YES || !in->len[!in->dir])
        return v;
    return dns_dir(in->data[!in->dir], in->len[!in->dir], in->tcp) == PROBE_NO ? PROBE_NO
                                                                               : PROBE_YES;
}


/* ===== Parser: queries and answers =====
 * Names are read with compression (RFC 1035 4.1.4): at most DNS_MAX_JUMPS pointers and only
 * backwards, so a hostile message cannot loop; names longer than 255 are cut. Over TCP the
 * messages are framed by their two-byte lengths (RFC 7766). */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

enum { DNS_MAX_JUMPS = 16, DNS_TCP_MAX = 65535 + 2 };

/* Reads the name at r (advancing r past it) from message m; out gets the dotted text. */
static bool read_name(struct rd *r, struct bytes m, char *out, size_t cap)
{
    /* r may be a sub-reader (rdata): positions are taken from the start of the message */
    size_t base = (size_t)(r->p - m.p), start = base + r->off;
    size_t o = 0, pos = start, end_after = 0;
    int jumps = 0;
    bool jumped = false;
    out[0] = 0;
    for (;;) {
        if (pos >= m.len)
            return false;
        uint8_t l = m.p[pos];
        if (l == 0) {
            pos++;
            break;
        }
        if ((l & 0xc0) == 0xc0) {
            if (pos + 1 >= m.len || ++jumps > DNS_MAX_JUMPS)
                return false;
            size_t target = (size_t)(l & 0x3f) << 8 | m.p[pos + 1];
            if (target >= pos)
                return false;                    /* forward or self pointers: refuse */
            if (!jumped)
                end_after = pos + 2;
            jumped = true;
            pos = target;
            continue;
        }
        if (l > 63 || pos + 1 + l > m.len)
            return false;
        for (size_t i = 0; i < l; i++) {
            uint8_t c = m.p[pos + 1 + i];
            if (o + 2 < cap)
                out[o++] = (char)(c >= 0x21 && c < 0x7f ? c : '?');
        }
        if (o + 2 < cap)
            out[o++] = '.';
        pos += 1 + l;
    }
    if (o && out[o - 1] == '.')
        o--;
    out[o < cap ? o : cap - 1] = 0;
    size_t next = jumped ? end_after : pos;
    rd_skip(r, next - start);
    return !r->bad;
}

static void rdata_text(struct bytes m, struct rd rr, uint16_t type, char *out, size_t cap)
{
    out[0] = 0;
    size_t n = rd_left(&rr);
    if (type == 1 && n == 4 && cap >= 16) {
        fmt_ipv4(rd_ptr(&rr), out);
    } else if (type == 28 && n == 16) {
        inet_ntop(AF_INET6, rd_ptr(&rr), out, (socklen_t)cap);
    } else if (type == 5 || type == 2 || type == 12) {
        read_name(&rr, m, out, cap);
    } else if (type == 15) {
        rd_skip(&rr, 2);                         /* MX preference */
        read_name(&rr, m, out, cap);
    } else if (type == 16) {
        uint8_t l = rd_u8(&rr);
        struct bytes t = rd_bytes(&rr, l);
        size_t k = 0;
        for (size_t i = 0; t.p && i < t.len && k + 1 < cap; i++)
            out[k++] = (char)(t.p[i] >= 0x20 && t.p[i] < 0x7f ? t.p[i] : '?');
        out[k] = 0;
    }
}

static bool dns_message(struct bytes m, struct dns_msg *d)
{
    struct rd r = rd_init(m.p, m.len);
    /* only the header fields: answers are written as they are read (nanswers counts them),
     * and clearing 8 KiB per message would cost more than parsing it */
    d->qname[0] = 0;
    d->qtype = 0;
    d->nanswers = 0;
    d->id = rd_be16(&r);
    d->flags = rd_be16(&r);
    uint16_t qd = rd_be16(&r), an = rd_be16(&r);
    rd_skip(&r, 4);
    if (r.bad)
        return false;
    d->response = d->flags & 0x8000;
    d->rcode = d->flags & 0x0f;
    for (unsigned i = 0; i < qd; i++) {
        char name[DNS_MAX_NAME + 1];
        if (!read_name(&r, m, name, sizeof name))
            return i > 0;
        uint16_t qtype = rd_be16(&r);
        rd_skip(&r, 2);
        if (r.bad)
            return i > 0;
        if (i == 0) {
            memcpy(d->qname, name, sizeof name);
            d->qtype = qtype;
        }
    }
    for (unsigned i = 0; i < an && d->nanswers < DNS_MAX_ANSWERS; i++) {
        struct dns_answer *a = &d->answers[d->nanswers];
        if (!read_name(&r, m, a->name, sizeof a->name))
            break;
        a->type = rd_be16(&r);
        rd_skip(&r, 2);
        a->ttl = rd_be32(&r);
        uint16_t rdlen = rd_be16(&r);
        struct rd rr = rd_sub(&r, rdlen);
        if (r.bad)
            break;
        rdata_text(m, rr, a->type, a->rdata, sizeof a->rdata);
        d->nanswers++;
    }
    return true;
}

/* Per flow only what TCP framing needs: a message is decoded into a scratch struct on the
 * stack, so 130k DNS flows cost bytes each, not the size of a decoded message. */
struct dns_state {
    uint8_t *tcp[2];                            /* a TCP message being put together */
    size_t tlen[2];
    bool done[2];
};

static void dns_emit(struct app_sink *sink, const struct flow *f, struct dns_state *s,
                     enum flow_dir dir, struct bytes m)
{
    (void)s;
    struct dns_msg msg;
    if (!dns_message(m, &msg))
        return;
    struct app_event ev = { .type = APP_EV_DNS, .dir = dir, .ts_us = sink->now_us,
                            .u.dns = &msg };
    sink->emit(sink->ctx, f, &ev);
}

static void dns_parse(struct app_sink *sink, const struct flow *f, void *state,
                      enum flow_dir dir, const uint8_t *data, size_t len)
{
    struct dns_state *s = state;
    if (f->key.proto != IPPROTO_NUM_TCP) {       /* a datagram is a message */
        if (data)
            dns_emit(sink, f, s, dir, (struct bytes){ data, len });
        return;
    }
    if (s->done[dir])
        return;
    if (!data) {
        s->done[dir] = true;                     /* framing lost */
        return;
    }
    while (len) {
        if (!s->tcp[dir] && !(s->tcp[dir] = malloc(DNS_TCP_MAX))) {
            s->done[dir] = true;
            return;
        }
        size_t want = 2;
        if (s->tlen[dir] >= 2)
            want = 2 + ((size_t)s->tcp[dir][0] << 8 | s->tcp[dir][1]);
        size_t k = want - s->tlen[dir] < len ? want - s->tlen[dir] : len;
        memcpy(s->tcp[dir] + s->tlen[dir], data, k);
        s->tlen[dir] += k;
        data += k;
        len -= k;
        if (s->tlen[dir] >= 2 && s->tlen[dir] == 2 + ((size_t)s->tcp[dir][0] << 8 | s->tcp[dir][1])) {
            dns_emit(sink, f, s, dir, (struct bytes){ s->tcp[dir] + 2, s->tlen[dir] - 2 });
            s->tlen[dir] = 0;
        }
    }
}

static void dns_fini(struct app_sink *sink, const struct flow *f, void *state)
{
    (void)sink;
    (void)f;
    struct dns_state *s = state;
    for (int d = 0; d < 2; d++) {
        free(s->tcp[d]);
        s->tcp[d] = NULL;
    }
}

const struct proto_desc proto_dns = {
    .id = PROTO_DNS,
    .name = "dns",
    .transports = PT_TCP | PT_UDP,
    .ports = { 53, 5353, 5355 },
    .probe = dns_probe,
    .state_size = sizeof(struct dns_state),
    .parse = dns_parse,
    .fini = dns_fini,
};
