/* SPDX-License-Identifier: MIT
 * netfilter.c — the kernel's LOG target (iptables/ip6tables/nftables "log"): one line per
 * packet, "PREFIX IN=eth0 OUT= MAC=... SRC=a DST=b LEN=60 ... PROTO=TCP SPT=1 DPT=2 ...
 * SYN URGP=0" (net/netfilter/nf_log_syslog.c prints these fields in this order). A line is
 * a packet, not a connection: the driver decides what it implies (docs/logs.md). */
#include "logs/logs.h"

#include <string.h>

static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* The "IN=" that starts a field (at the start or after a space). */
static const uint8_t *find_in(const uint8_t *p, size_t n)
{
    for (const uint8_t *q = p; n - (size_t)(q - p) >= 3 &&
                               (q = memchr(q, 'I', n - (size_t)(q - p) - 2)) != NULL; q++)
        if (q[1] == 'N' && q[2] == '=' && (q == p || q[-1] == ' '))
            return q;
    return NULL;
}

bool nf_is_message(const uint8_t *p, size_t n)
{
    return n >= 3 && find_in(p, n) != NULL;
}

static bool num_u32(struct bytes v, uint32_t *out)
{
    if (!v.len || v.len > 10)
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (!is_digit(v.p[i]))
            return false;
        x = x * 10 + (uint64_t)(v.p[i] - '0');
    }
    if (x > UINT32_MAX)
        return false;
    *out = (uint32_t)x;
    return true;
}

static bool key_is(struct bytes k, const char *s)
{
    size_t n = strlen(s);
    return k.len == n && memcmp(k.p, s, n) == 0;
}

enum bw_status nf_parse(const uint8_t *p, size_t n, struct log_rec *rec, enum log_bad *why)
{
    memset(rec, 0, sizeof *rec);
    rec->vendor = 'N';
    rec->kind = LR_PACKET;
    *why = LB_NF_MALFORMED;
    const uint8_t *in = find_in(p, n);
    if (!in)
        return BW_E_MALFORMED;
    struct rd r = rd_init(in, n - (size_t)(in - p));
    bool have_src = false, have_dst = false, have_proto = false, have_spt = false,
         have_dpt = false, after_proto = false;
    while (rd_left(&r)) {
        size_t k = 0, left = rd_left(&r);
        while (k < left && r.p[r.off + k] != ' ')
            k++;
        struct bytes tok = rd_bytes(&r, k);
        while (rd_left(&r) && r.p[r.off] == ' ')
            r.off++;
        if (!tok.len)
            continue;
        if (tok.p[0] == '[')              /* an ICMP error's quoted packet: not this one's */
            break;
        const uint8_t *eq = memchr(tok.p, '=', tok.len);
        if (!eq) {                                     /* a bare flag word */
            static const struct { const char *n; uint8_t bit; } fl[] = {
                { "FIN", 0x01 }, { "SYN", 0x02 }, { "RST", 0x04 }, { "PSH", 0x08 },
                { "ACK", 0x10 }, { "URG", 0x20 }, { "ECE", 0x40 }, { "CWR", 0x80 },
            };
            if (after_proto && rec->ip_proto == 6)
                for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++)
                    if (key_is(tok, fl[i].n))
                        rec->tcp_flags |= fl[i].bit;
            continue;
        }
        struct bytes key = { tok.p, (size_t)(eq - tok.p) };
        struct bytes val = { eq + 1, tok.len - key.len - 1 };
        uint32_t v;
        if (key_is(key, "IN")) {
            rec->ep[0].iface = val;
        } else if (key_is(key, "OUT")) {
            rec->ep[1].iface = val;
        } else if (key_is(key, "SRC") || key_is(key, "DST")) {
            struct log_endpoint *ep = &rec->ep[key_is(key, "DST")];
            ep->addr_text = val;
            if (!log_addr_parse(val.p, val.len, &ep->family, ep->a)) {
                *why = LB_BAD_ADDRESS;
                return BW_E_MALFORMED;
            }
            *(ep == &rec->ep[0] ? &have_src : &have_dst) = true;
        } else if (key_is(key, "LEN") && !after_proto) {
            if (num_u32(val, &v))
                rec->nf_len = v;
        } else if (key_is(key, "PROTO")) {
            static const struct { const char *n; uint8_t v; } pr[] = {
                { "TCP", 6 }, { "UDP", 17 }, { "ICMP", 1 }, { "ICMPv6", 58 }, { "UDPLITE", 136 },
                { "SCTP", 132 },
            };
            for (size_t i = 0; i < sizeof pr / sizeof pr[0]; i++)
                if (key_is(val, pr[i].n))
                    rec->ip_proto = pr[i].v;
            if (!rec->ip_proto && num_u32(val, &v) && v < 256)
                rec->ip_proto = (uint8_t)v;
            have_proto = rec->ip_proto != 0;
            after_proto = true;
        } else if (key_is(key, "SPT") || key_is(key, "DPT")) {
            if (!num_u32(val, &v) || v > 65535)
                return BW_E_MALFORMED;
            struct log_endpoint *ep = &rec->ep[key_is(key, "DPT")];
            ep->port = (uint16_t)v;
            ep->has_port = true;
            *(key_is(key, "DPT") ? &have_dpt : &have_spt) = true;
        }
    }
    if (!have_src || !have_dst || !have_proto || rec->ep[0].family != rec->ep[1].family)
        return BW_E_MALFORMED;
    if ((rec->ip_proto == 6 || rec->ip_proto == 17) && !(have_spt && have_dpt))
        return BW_E_MALFORMED;
    rec->has_flags = rec->ip_proto == 6;
    *why = LB_NONE;
    return BW_OK;
}
