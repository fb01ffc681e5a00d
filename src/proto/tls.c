/* SPDX-License-Identifier: MIT
 * tls.c — TLS and SSL identification (RFC 8446 5.1, RFC 5246 6.2, SSLv2 compatible hello).
 *   record: type(1)=22 handshake, version(2)=3.x, length(2), then
 *   handshake: type(1)=1 ClientHello / 2 ServerHello, length(3), version(2)=3.x
 * SSLv2-compatible ClientHello: 0x80|len-hi, len-lo, msg type 1, version 3.x or 0.2. */
#include "proto/proto.h"

static enum probe_verdict hello(const uint8_t *d, size_t n, uint8_t want_type)
{
    struct rd r = rd_init(d, n);
    uint8_t type = rd_u8(&r);
    if (r.bad)
        return PROBE_NEED_MORE;
    if ((type & 0x80) && want_type == 1) {     /* SSLv2 record header */
        rd_skip(&r, 1);
        uint8_t mt = rd_u8(&r);
        uint8_t vmaj = rd_u8(&r), vmin = rd_u8(&r);
        if (r.bad)
            return PROBE_NEED_MORE;
        return mt == 1 && ((vmaj == 3 && vmin <= 4) || (vmaj == 0 && vmin == 2)) ? PROBE_YES
                                                                                  : PROBE_NO;
    }
    if (type != 22)
        return PROBE_NO;
    uint8_t vmaj = rd_u8(&r), vmin = rd_u8(&r);
    uint16_t len = rd_be16(&r);
    uint8_t ht = rd_u8(&r);
    rd_skip(&r, 3);
    uint8_t hmaj = rd_u8(&r), hmin = rd_u8(&r);
    if (r.bad) {
        /* judge what is there so far */
        if (n >= 2 && vmaj != 3)
            return PROBE_NO;
        if (n >= 3 && vmin > 4)
            return PROBE_NO;
        if (n >= 6 && ht != want_type)
            return PROBE_NO;
        return PROBE_NEED_MORE;
    }
    return vmaj == 3 && vmin <= 4 && len >= 4 && ht == want_type && hmaj == 3 && hmin <= 4
               ? PROBE_YES
               : PROBE_NO;
}

/* Picked up midstream: any TLS record header (change cipher spec 20, alert 21, handshake 22,
 * application data 23; version 3.0-3.4; length up to 2^14 + 2048, RFC 8446 5.2). */
static enum probe_verdict record(const uint8_t *d, size_t n)
{
    struct rd r = rd_init(d, n);
    uint8_t type = rd_u8(&r), vmaj = rd_u8(&r), vmin = rd_u8(&r);
    uint16_t len = rd_be16(&r);
    if (r.bad)
        return (n >= 1 && (type < 20 || type > 23)) || (n >= 2 && vmaj != 3) ? PROBE_NO
                                                                             : PROBE_NEED_MORE;
    return type >= 20 && type <= 23 && vmaj == 3 && vmin <= 4 && len > 0 && len <= 18432
               ? PROBE_YES
               : PROBE_NO;
}

static enum probe_verdict tls_probe(const struct probe_in *in)
{
    if (in->midstream) {
        for (int d = 0; d < 2; d++)
            if (in->len[d] && record(in->data[d], in->len[d]) == PROBE_NO)
                return PROBE_NO;
        return in->len[0] || in->len[1] ? record(in->data[in->dir], in->len[in->dir])
                                        : PROBE_NEED_MORE;
    }
    enum probe_verdict c = in->len[DIR_TOSERVER] ? hello(in->data[0], in->len[0], 1)
                                                 : PROBE_NEED_MORE;
    enum probe_verdict s = in->len[DIR_TOCLIENT] ? hello(in->data[1], in->len[1], 2)
                                                 : PROBE_NEED_MORE;
    if (c == PROBE_YES || s == PROBE_YES)
        return PROBE_YES;
    if (c == PROBE_NO || s == PROBE_NO)
        return PROBE_NO;
    return PROBE_NEED_MORE;
}

const struct proto_desc proto_tls = {
    .id = PROTO_TLS,
    .name = "tls",
    .transports = PT_TCP,
    .ports = { 443, 8443, 465, 993, 995, 636, 853, 5061 },
    .probe = tls_probe,
};
