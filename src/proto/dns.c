/* SPDX-License-Identifier: MIT
 * dns.c — DNS identification over UDP and TCP (RFC 1035 4.1, RFC 7766 8 for the TCP length
 * prefix, RFC 6762 for mDNS):
 *   header: id(2) flags(2) qdcount(2) ancount(2) nscount(2) arcount(2)
 *   question: name (labels of 1..63 bytes, 255 in all) qtype(2) qclass(2)
 * A sane header and a question that parses decide. */
#include "proto/proto.h"

enum { DNS_MAX_COUNT = 64, DNS_MAX_NAME = 255 };

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

const struct proto_desc proto_dns = {
    .id = PROTO_DNS,
    .name = "dns",
    .transports = PT_TCP | PT_UDP,
    .ports = { 53, 5353, 5355 },
    .probe = dns_probe,
};
