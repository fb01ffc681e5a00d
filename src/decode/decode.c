/* SPDX-License-Identifier: MIT
 * decode.c — link layers (Ethernet with 802.1Q/802.1ad/QinQ, MPLS, PPPoE; Linux cooked SLL
 * and SLL2; raw IPv4/IPv6; BSD loopback/null), IPv4 with options, IPv6 with extension
 * headers, fragments handed to frag.c, then TCP (options), UDP, ICMP and ICMPv6.
 * Specs: RFC 791, RFC 8200, RFC 9293, RFC 768, RFC 792, RFC 4443; tcpdump's linktypes page. */
#include "decode/decode.h"

#include <pcap/dlt.h>
#include <string.h>

#include "util/rd.h"

enum {
    ETH_HLEN = 14, SLL_HLEN = 16, SLL2_HLEN = 20, NULL_HLEN = 4,
    ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_IPV6 = 0x86dd, ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_QINQ = 0x88a8, ETHERTYPE_QINQ_OLD1 = 0x9100, ETHERTYPE_QINQ_OLD2 = 0x9200,
    ETHERTYPE_MPLS = 0x8847, ETHERTYPE_MPLS_MC = 0x8848, ETHERTYPE_PPPOE_SESS = 0x8864,
    ETHERTYPE_MIN = 0x0600,   /* below this the field is an 802.3 length: LLC, not IP */
    PPP_IPV4 = 0x0021, PPP_IPV6 = 0x0057,
    ENCAP_MAX_DEPTH = 8,      /* VLAN tags + MPLS labels + PPPoE followed before giving up */
    IPV6_EXT_MAX = 16,        /* extension headers followed before giving up */
    IP_MAX_DGRAM = 65535,
};

/* IPv6 next-header values with the extension-header layout (RFC 8200 4.1) */
enum { NH_HOPOPTS = 0, NH_ROUTING = 43, NH_FRAGMENT = 44, NH_ESP = 50, NH_AH = 51,
       NH_NONE = 59, NH_DSTOPTS = 60, NH_MOBILITY = 135, NH_HIP = 139, NH_SHIM6 = 140 };

static const struct { int dlt; const char *name; } link_types[] = {
    { DLT_EN10MB, "Ethernet" },
    { DLT_LINUX_SLL, "Linux cooked (SLL)" },
#ifdef DLT_LINUX_SLL2
    { DLT_LINUX_SLL2, "Linux cooked v2 (SLL2)" },
#endif
    { DLT_RAW, "raw IP" },
#ifdef DLT_IPV4
    { DLT_IPV4, "raw IPv4" },
#endif
#ifdef DLT_IPV6
    { DLT_IPV6, "raw IPv6" },
#endif
    { DLT_NULL, "BSD loopback (null)" },
    { DLT_LOOP, "OpenBSD loopback" },
};

bool decode_link_supported(int dlt)
{
    return decode_link_name(dlt) != NULL;
}

const char *decode_link_name(int dlt)
{
    for (size_t i = 0; i < sizeof link_types / sizeof link_types[0]; i++)
        if (link_types[i].dlt == dlt)
            return link_types[i].name;
    return NULL;
}

void decoder_init(struct decoder *d, struct bw_stats *stats, const struct frag_limits *lim)
{
    d->stats = stats;
    d->general_only = false;
    frag_table_init(&d->frag, stats, lim);
}

void decoder_free(struct decoder *d)
{
    frag_table_free(&d->frag);
}

static enum decode_result fail(struct decoder *d, enum decode_err why)
{
    d->stats->decode.err[why]++;
    d->stats->decode.errors++;
    return DECODE_ERROR;
}

/* TCP/IP options share one shape: kind 0 ends, kind 1 pads, every other kind has a length
 * byte counting itself and the kind (RFC 791 3.1, RFC 9293 3.1). True when well formed. */
static bool options_well_formed(struct rd r)
{
    while (rd_left(&r) > 0) {
        uint8_t kind = rd_u8(&r);
        if (kind == 0)
            return true;
        if (kind == 1)
            continue;
        uint8_t len = rd_u8(&r);
        if (r.bad || len < 2)
            return false;
        rd_skip(&r, (size_t)len - 2);
        if (r.bad)
            return false;
    }
    return true;
}

static enum decode_result decode_tcp(struct decoder *d, struct pkt *p, struct rd r)
{
    /* sport(2) dport(2) seq(4) ack(4) off/res(1) flags(1) win(2) sum(2) urp(2) options */
    if (rd_left(&r) < 20)
        return fail(d, DEC_ERR_tcp_truncated);
    p->sport = rd_be16(&r);
    p->dport = rd_be16(&r);
    p->tcp_seq = rd_be32(&r);
    p->tcp_ack = rd_be32(&r);
    size_t hlen = (size_t)(rd_u8(&r) >> 4) * 4;
    p->tcp_flags = rd_u8(&r);
    p->tcp_win = rd_be16(&r);
    rd_skip(&r, 4);
    if (hlen < 20 || hlen - 20 > rd_left(&r))
        return fail(d, DEC_ERR_tcp_bad_hlen);
    struct rd opts = rd_sub(&r, hlen - 20);
    if (!options_well_formed(opts))
        d->stats->decode.err[DEC_ERR_tcp_bad_option]++;   /* counted; the segment still counts */
    struct bytes pl = rd_rest(&r);
    p->payload = pl.p;
    p->payload_len = (uint32_t)pl.len;
    d->stats->decode.tcp++;
    return DECODE_OK;
}

static enum decode_result decode_udp(struct decoder *d, struct pkt *p, struct rd r)
{
    /* sport(2) dport(2) length(2) sum(2) */
    if (rd_left(&r) < 8)
        return fail(d, DEC_ERR_udp_truncated);
    p->sport = rd_be16(&r);
    p->dport = rd_be16(&r);
    size_t ulen = rd_be16(&r);
    rd_skip(&r, 2);
    if (ulen < 8)
        return fail(d, DEC_ERR_udp_bad_len);
    size_t plen = ulen - 8;
    if (plen > rd_left(&r)) {
        if (!p->snapped)
            return fail(d, DEC_ERR_udp_bad_len);
        plen = rd_left(&r);
    }
    struct bytes pl = rd_bytes(&r, plen);
    p->payload = pl.p;
    p->payload_len = (uint32_t)pl.len;
    d->stats->decode.udp++;
    return DECODE_OK;
}

bool icmp_is_echo(uint8_t type, bool v6)
{
    return v6 ? (type == 128 || type == 129) : (type == 8 || type == 0);
}

bool icmp_is_echo_reply(uint8_t type, bool v6)
{
    return v6 ? type == 129 : type == 0;
}

static enum decode_result decode_icmp(struct decoder *d, struct pkt *p, struct rd r, bool v6)
{
    /* type(1) code(1) sum(2), then a body that depends on the type */
    if (rd_left(&r) < 4)
        return fail(d, v6 ? DEC_ERR_icmpv6_truncated : DEC_ERR_icmp_truncated);
    p->icmp_type = rd_u8(&r);
    p->icmp_code = rd_u8(&r);
    rd_skip(&r, 2);
    /* Echo request/reply (RFC 792, RFC 4443 4.1): identifier(2) sequence(2). The identifier
     * keys the flow as a port would, so each ping session is a flow of its own. */
    if (icmp_is_echo(p->icmp_type, v6) && rd_left(&r) >= 4) {
        uint16_t id = rd_be16(&r);
        rd_skip(&r, 2);
        p->sport = p->dport = id;
    }
    struct bytes pl = rd_rest(&r);
    p->payload = pl.p;
    p->payload_len = (uint32_t)pl.len;
    if (v6)
        d->stats->decode.icmpv6++;
    else
        d->stats->decode.icmp++;
    return DECODE_OK;
}

static enum decode_result decode_l4(struct decoder *d, struct pkt *p, struct rd r)
{
    switch (p->proto) {
    case IPPROTO_NUM_TCP:
        return decode_tcp(d, p, r);
    case IPPROTO_NUM_UDP:
        return decode_udp(d, p, r);
    case IPPROTO_NUM_ICMP:
        return decode_icmp(d, p, r, false);
    case IPPROTO_NUM_ICMPV6:
        return decode_icmp(d, p, r, true);
    default: {
        struct bytes pl = rd_rest(&r);
        p->payload = pl.p;
        p->payload_len = (uint32_t)pl.len;
        d->stats->decode.other_l4++;
        return DECODE_OK;
    }
    }
}

/* Hands a fragment to the reassembler; decodes the transport layer if it completed one. */
static enum decode_result decode_fragment(struct decoder *d, struct pkt *p, uint32_t id,
                                          uint32_t off, bool more, struct bytes data)
{
    d->stats->frag.fragments++;
    if (p->snapped) {                 /* a cut fragment cannot be put back together */
        d->stats->frag.snapped++;
        return DECODE_SKIP;
    }
    if ((more && data.len % 8 != 0) || data.len > IP_MAX_DGRAM - off)
        return fail(d, DEC_ERR_frag_bad_length);
    struct frag_in in = {
        .family = p->family, .proto = p->proto, .src = p->src, .dst = p->dst, .id = id,
        .off = off, .more = more, .data = data.p, .len = (uint32_t)data.len,
        .ts_us = p->ts_us, .wirelen = p->wirelen,
    };
    struct frag_out out;
    if (!frag_add(&d->frag, &in, &out))
        return DECODE_SKIP;
    p->frag_pkts = out.pkts;
    p->frag_bytes = out.wirebytes;
    return decode_l4(d, p, rd_init(out.data, out.len));
}

static enum decode_result decode_ipv4(struct decoder *d, struct pkt *p, struct rd r)
{
    /* ver/ihl(1) tos(1) total(2) id(2) flags/frag(2) ttl(1) proto(1) sum(2) src(4) dst(4) */
    size_t avail = rd_left(&r);
    if (avail < 20)
        return fail(d, DEC_ERR_ipv4_truncated);
    uint8_t vihl = rd_u8(&r);
    if (vihl >> 4 != 4)
        return fail(d, DEC_ERR_ipv4_bad_version);
    size_t hlen = (size_t)(vihl & 0x0f) * 4;
    if (hlen < 20 || hlen > avail)
        return fail(d, DEC_ERR_ipv4_bad_hlen);
    rd_skip(&r, 1);
    size_t total = rd_be16(&r);
    uint16_t id = rd_be16(&r);
    uint16_t frag = rd_be16(&r);
    rd_skip(&r, 1);
    p->family = 4;
    p->proto = rd_u8(&r);
    rd_skip(&r, 2);
    rd_copy(&r, p->src, 4);
    rd_copy(&r, p->dst, 4);
    if (total == 0) {
        /* Segmentation offload: a capture on the sending host sees the oversized packet
         * before the NIC splits it, often with total length 0. Take the frame's length. */
        total = avail;
        d->stats->decode.ipv4_tso++;
    }
    if (total < hlen)
        return fail(d, DEC_ERR_ipv4_bad_total_len);
    if (!options_well_formed(rd_sub(&r, hlen - 20)))
        d->stats->decode.err[DEC_ERR_ipv4_bad_option]++;
    /* The frame may be longer (Ethernet padding: trimmed) or shorter (snapped capture). */
    size_t body = total - hlen;
    if (body > rd_left(&r)) {
        if (!p->snapped)
            return fail(d, DEC_ERR_ipv4_len_exceeds_frame);
        body = rd_left(&r);
    }
    struct rd l4 = rd_sub(&r, body);
    d->stats->decode.ipv4++;
    bool more = frag & 0x2000;
    uint32_t off = (uint32_t)(frag & 0x1fff) * 8;
    if (more || off)
        return decode_fragment(d, p, id, off, more, rd_rest(&l4));
    return decode_l4(d, p, l4);
}

static enum decode_result decode_ipv6(struct decoder *d, struct pkt *p, struct rd r)
{
    /* ver/class/flow(4) payload length(2) next header(1) hop limit(1) src(16) dst(16) */
    if (rd_left(&r) < 40)
        return fail(d, DEC_ERR_ipv6_truncated);
    if (rd_u8(&r) >> 4 != 6)
        return fail(d, DEC_ERR_ipv6_bad_version);
    rd_skip(&r, 3);
    size_t plen = rd_be16(&r);
    uint8_t nh = rd_u8(&r);
    rd_skip(&r, 1);
    p->family = 6;
    rd_copy(&r, p->src, 16);
    rd_copy(&r, p->dst, 16);
    if (plen == 0 && nh == NH_HOPOPTS)
        plen = rd_left(&r);          /* jumbogram (RFC 2675): the length is in an option */
    if (plen > rd_left(&r)) {
        if (!p->snapped)
            return fail(d, DEC_ERR_ipv6_len_exceeds_frame);
        plen = rd_left(&r);
    }
    struct rd b = rd_sub(&r, plen);
    d->stats->decode.ipv6++;
    for (int n = 0; n < IPV6_EXT_MAX; n++) {
        switch (nh) {
        case NH_HOPOPTS:
        case NH_ROUTING:
        case NH_DSTOPTS:
        case NH_MOBILITY:
        case NH_HIP:
        case NH_SHIM6: {
            /* next(1) len(1) in 8-octet units not counting the first 8 */
            uint8_t next = rd_u8(&b);
            size_t len = ((size_t)rd_u8(&b) + 1) * 8;
            rd_skip(&b, len - 2);
            if (b.bad)
                return fail(d, DEC_ERR_ipv6_exthdr_truncated);
            nh = next;
            continue;
        }
        case NH_AH: {
            /* next(1) len(1) in 4-octet units minus 2 */
            uint8_t next = rd_u8(&b);
            size_t len = ((size_t)rd_u8(&b) + 2) * 4;
            rd_skip(&b, len - 2);
            if (b.bad)
                return fail(d, DEC_ERR_ipv6_exthdr_truncated);
            nh = next;
            continue;
        }
        case NH_FRAGMENT: {
            /* next(1) reserved(1) offset/res/M(2) identification(4) */
            uint8_t next = rd_u8(&b);
            rd_skip(&b, 1);
            uint16_t offm = rd_be16(&b);
            uint32_t id = rd_be32(&b);
            if (b.bad)
                return fail(d, DEC_ERR_ipv6_exthdr_truncated);
            p->proto = next;
            uint32_t off = offm & 0xfff8;
            bool more = offm & 1;
            if (off == 0 && !more) {      /* atomic fragment (RFC 6946): nothing to reassemble */
                nh = next;
                continue;
            }
            return decode_fragment(d, p, id, off, more, rd_rest(&b));
        }
        default:
            p->proto = nh;                /* ESP, No Next Header and transports end the chain */
            return decode_l4(d, p, b);
        }
    }
    return fail(d, DEC_ERR_ipv6_exthdr_too_many);
}

static enum decode_result decode_ip_by_version(struct decoder *d, struct pkt *p, struct rd r)
{
    if (rd_left(&r) < 1)
        return fail(d, DEC_ERR_ipv4_truncated);
    switch (r.p[r.off] >> 4) {
    case 4:
        return decode_ipv4(d, p, r);
    case 6:
        return decode_ipv6(d, p, r);
    default:
        d->stats->decode.non_ip++;
        return DECODE_SKIP;
    }
}

/* Everything after an Ethernet type field: VLAN tags, MPLS labels and PPPoE are unwrapped
 * up to ENCAP_MAX_DEPTH layers (QinQ is two VLAN tags). */
static enum decode_result decode_ethertype(struct decoder *d, struct pkt *p, uint16_t type,
                                           struct rd r)
{
    for (int depth = 0; depth <= ENCAP_MAX_DEPTH; depth++) {
        switch (type) {
        case ETHERTYPE_IPV4:
            return decode_ipv4(d, p, r);
        case ETHERTYPE_IPV6:
            return decode_ipv6(d, p, r);
        case ETHERTYPE_VLAN:
        case ETHERTYPE_QINQ:
        case ETHERTYPE_QINQ_OLD1:
        case ETHERTYPE_QINQ_OLD2:
            rd_skip(&r, 2);                   /* priority, DEI, VLAN id */
            type = rd_be16(&r);
            if (r.bad)
                return fail(d, DEC_ERR_vlan_truncated);
            continue;
        case ETHERTYPE_MPLS:
        case ETHERTYPE_MPLS_MC: {
            /* label(20) tc(3) bottom-of-stack(1) ttl(8); the payload type is not announced */
            uint32_t lse;
            int labels = 0;
            do {
                lse = rd_be32(&r);
                if (r.bad)
                    return fail(d, DEC_ERR_mpls_truncated);
                if (++labels > ENCAP_MAX_DEPTH)
                    return fail(d, DEC_ERR_vlan_too_deep);
            } while (!(lse & 0x100));
            return decode_ip_by_version(d, p, r);
        }
        case ETHERTYPE_PPPOE_SESS: {
            /* ver/type(1) code(1) session(2) length(2), then the PPP protocol (2) */
            rd_skip(&r, 6);
            uint16_t ppp = rd_be16(&r);
            if (r.bad)
                return fail(d, DEC_ERR_pppoe_truncated);
            if (ppp == PPP_IPV4)
                return decode_ipv4(d, p, r);
            if (ppp == PPP_IPV6)
                return decode_ipv6(d, p, r);
            d->stats->decode.non_ip++;
            return DECODE_SKIP;
        }
        default:
            d->stats->decode.non_ip++;       /* ARP, LLDP, 802.3 LLC (type < 0x600), ... */
            return DECODE_SKIP;
        }
    }
    return fail(d, DEC_ERR_vlan_too_deep);
}

/* BSD loopback: the address family in the host order of the machine that wrote the file. */
static enum decode_result decode_null(struct decoder *d, struct pkt *p, struct rd r, bool be)
{
    uint32_t af = be ? rd_be32(&r) : rd_le32(&r);
    if (r.bad)
        return fail(d, DEC_ERR_link_truncated);
    if (!be && af > 0xffff)
        af = __builtin_bswap32(af);          /* written by a machine of the other byte order */
    switch (af) {
    case 2:                                  /* AF_INET everywhere */
        return decode_ipv4(d, p, r);
    case 10: case 24: case 28: case 30:      /* AF_INET6: Linux, NetBSD/OpenBSD, FreeBSD, macOS */
        return decode_ipv6(d, p, r);
    default:
        d->stats->decode.non_ip++;
        return DECODE_SKIP;
    }
}

static inline uint16_t be16_at(const uint8_t *b)
{
    return (uint16_t)((unsigned)b[0] << 8 | b[1]);
}

static inline uint32_t be32_at(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The common case in a few loads: an IPv4 packet without options, not a fragment, whose
 * lengths all fit the frame, carrying TCP or UDP. ip points at the IPv4 header and n bytes
 * follow it. Returns false, having changed nothing but scratch fields that decode_ipv4 sets
 * again, for anything else: the general path then decodes it (and counts its faults). It
 * gives exactly the general path's result. */
static bool decode_ipv4_fast(struct decoder *d, struct pkt *p, const uint8_t *ip, size_t n)
{
    if (n < 20 || ip[0] != 0x45)
        return false;
    size_t total = be16_at(ip + 2);
    if (total < 20 || total > n || (be16_at(ip + 6) & 0x3fff))   /* 0, short, cut, fragment */
        return false;
    const uint8_t *l4 = ip + 20;
    size_t body = total - 20;
    uint8_t proto = ip[9];
    if (proto == IPPROTO_NUM_TCP) {
        if (body < 20)
            return false;
        size_t hlen = (size_t)(l4[12] >> 4) * 4;
        if (hlen < 20 || hlen > body)
            return false;
        /* no options, or the usual NOP NOP timestamp: well formed without looking further */
        if (hlen != 20 && !(hlen == 32 && be32_at(l4 + 20) == 0x0101080a) &&
            !options_well_formed(rd_init(l4 + 20, hlen - 20)))
            d->stats->decode.err[DEC_ERR_tcp_bad_option]++;
        p->sport = be16_at(l4);
        p->dport = be16_at(l4 + 2);
        p->tcp_seq = be32_at(l4 + 4);
        p->tcp_ack = be32_at(l4 + 8);
        p->tcp_flags = l4[13];
        p->tcp_win = be16_at(l4 + 14);
        p->payload = l4 + hlen;
        p->payload_len = (uint32_t)(body - hlen);
        d->stats->decode.tcp++;
    } else if (proto == IPPROTO_NUM_UDP) {
        if (body < 8)
            return false;
        size_t ulen = be16_at(l4 + 4);
        if (ulen < 8 || ulen > body)
            return false;
        p->sport = be16_at(l4);
        p->dport = be16_at(l4 + 2);
        p->payload = l4 + 8;
        p->payload_len = (uint32_t)(ulen - 8);
        d->stats->decode.udp++;
    } else {
        return false;
    }
    p->family = 4;
    p->proto = proto;
    memcpy(p->src, ip + 12, 4);
    memcpy(p->dst, ip + 16, 4);
    d->stats->decode.ipv4++;
    return true;
}

enum decode_result decode_packet(struct decoder *d, int dlt, struct pkt *p)
{
    struct rd r = rd_init(p->data, p->caplen);
    p->snapped = p->caplen < p->wirelen;
    if (p->snapped)
        d->stats->decode.snapped++;
    p->family = 0;
    p->proto = 0;
    p->sport = p->dport = 0;
    p->tcp_flags = 0;
    p->tcp_win = 0;
    p->tcp_seq = p->tcp_ack = 0;
    p->icmp_type = p->icmp_code = 0;
    p->payload = NULL;
    p->payload_len = 0;
    p->frag_pkts = 0;
    p->frag_bytes = 0;
    memset(p->src, 0, sizeof p->src);
    memset(p->dst, 0, sizeof p->dst);

    /* Ethernet, possibly with one VLAN tag, and the common IPv4 case first */
    if (dlt == DLT_EN10MB && p->caplen >= ETH_HLEN && !d->general_only) {
        const uint8_t *b = p->data;
        size_t off = ETH_HLEN - 2;
        uint16_t type = be16_at(b + off);
        if (type == ETHERTYPE_VLAN && p->caplen >= ETH_HLEN + 4) {
            off += 4;
            type = be16_at(b + off);
        }
        off += 2;
        if (type == ETHERTYPE_IPV4 && decode_ipv4_fast(d, p, b + off, p->caplen - off))
            return DECODE_OK;
    }

    switch (dlt) {
    case DLT_EN10MB: {
        rd_skip(&r, 12);                     /* destination and source MAC */
        uint16_t type = rd_be16(&r);
        if (r.bad)
            return fail(d, DEC_ERR_link_truncated);
        if (type < ETHERTYPE_MIN) {
            d->stats->decode.non_ip++;
            return DECODE_SKIP;
        }
        return decode_ethertype(d, p, type, r);
    }
    case DLT_LINUX_SLL: {
        /* packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2) */
        rd_skip(&r, 14);
        uint16_t type = rd_be16(&r);
        if (r.bad)
            return fail(d, DEC_ERR_link_truncated);
        return decode_ethertype(d, p, type, r);
    }
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2: {
        /* protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8) */
        uint16_t type = rd_be16(&r);
        rd_skip(&r, 18);
        if (r.bad)
            return fail(d, DEC_ERR_link_truncated);
        return decode_ethertype(d, p, type, r);
    }
#endif
    case DLT_RAW:
        return decode_ip_by_version(d, p, r);
#ifdef DLT_IPV4
    case DLT_IPV4:
        return decode_ipv4(d, p, r);
#endif
#ifdef DLT_IPV6
    case DLT_IPV6:
        return decode_ipv6(d, p, r);
#endif
    case DLT_NULL:
        return decode_null(d, p, r, false);
    case DLT_LOOP:
        return decode_null(d, p, r, true);
    default:
        d->stats->decode.non_ip++;
        return DECODE_SKIP;
    }
}
