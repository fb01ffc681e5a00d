/* SPDX-License-Identifier: MIT
 * socks.c — SOCKS 4, 4a and 5 identification (the SOCKS4 protocol note, RFC 1928 3 and 6).
 *   v4 request: 04 cmd(1: connect, 2: bind) port(2) ip(4) userid NUL [host NUL if ip=0.0.0.x]
 *   v4 reply:   00 status(0x5a..0x5d) port(2) ip(4)
 *   v5 greeting: 05 nmethods(1..255) methods...   v5 choice: 05 method
 * A v5 greeting is only a few bytes, so it needs the server's choice (or the usual port). */
#include "proto/proto.h"

static enum probe_verdict v4(const uint8_t *d, size_t n)
{
    struct rd r = rd_init(d, n);
    rd_skip(&r, 1);
    uint8_t cmd = rd_u8(&r);
    if (r.bad)
        return PROBE_NEED_MORE;
    if (cmd != 1 && cmd != 2)
        return PROBE_NO;
    rd_skip(&r, 2);
    uint8_t ip[4];
    if (!rd_copy(&r, ip, 4))
        return PROBE_NEED_MORE;
    bool v4a = ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0;
    for (int strings = v4a ? 2 : 1; strings > 0; strings--) {
        size_t start = r.off;
        for (;;) {
            uint8_t c = rd_u8(&r);
            if (r.bad)
                return r.off - start < 256 ? PROBE_NEED_MORE : PROBE_NO;
            if (c == 0)
                break;
            if (c < 0x20 || r.off - start > 255)
                return PROBE_NO;
        }
    }
    return rd_left(&r) == 0 ? PROBE_YES : PROBE_NO;
}

static enum probe_verdict v5(const uint8_t *d, size_t n, const uint8_t *s, size_t sn,
                             bool usual_port)
{
    if (n < 2)
        return PROBE_NEED_MORE;
    size_t methods = d[1];
    if (methods == 0)
        return PROBE_NO;
    if (n < 2 + methods)
        return PROBE_NEED_MORE;
    for (size_t i = 0; i < methods; i++)
        if (d[2 + i] > 0x09 && d[2 + i] < 0x80)
            return PROBE_NO;
    if (n > 2 + methods && d[2 + methods] != 0x05)  /* only a pipelined request may follow */
        return PROBE_NO;
    if (sn == 0)
        return usual_port ? PROBE_YES : PROBE_NEED_MORE;
    if (s[0] != 0x05)
        return PROBE_NO;
    if (sn < 2)
        return PROBE_NEED_MORE;
    if (s[1] == 0xff)
        return PROBE_YES;                          /* "no acceptable methods" */
    for (size_t i = 0; i < methods; i++)
        if (d[2 + i] == s[1])
            return PROBE_YES;
    return PROBE_NO;
}

static enum probe_verdict socks_probe(const struct probe_in *in)
{
    const uint8_t *c = in->data[DIR_TOSERVER];
    size_t cn = in->len[DIR_TOSERVER];
    if (cn == 0)                               /* the client speaks first; a server reply */
        return in->len[DIR_TOCLIENT] > 10 ? PROBE_NO : PROBE_NEED_MORE;  /* is 2-10 bytes */
    if (c[0] == 0x04)
        return v4(c, cn);
    if (c[0] == 0x05)
        return v5(c, cn, in->data[DIR_TOCLIENT], in->len[DIR_TOCLIENT],
                  proto_port_is_usual(PROTO_SOCKS, in->server_port));
    return PROBE_NO;
}

const struct proto_desc proto_socks = {
    .id = PROTO_SOCKS,
    .name = "socks",
    .transports = PT_TCP,
    .ports = { 1080, 1180, 1181, 1182, 1183, 1184, 1185, 9050 },
    .probe = socks_probe,
};
