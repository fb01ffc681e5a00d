/* SPDX-License-Identifier: MIT
 * socks.c — SOCKS 4, 4a and 5 identification (the SOCKS4 protocol note, RFC 1928 3 and 6).
 *   v4 request: 04 cmd(1: connect, 2: bind) port(2) ip(4) userid NUL [host NUL if ip=0.0.0.x]
 *   v4 reply:   00 status(0x5a..0x5d) port(2) ip(4)
 *   v5 greeting: 05 nmethods(1..255) methods...   v5 choice: 05 method
 * A v5 greeting is only a few bytes, so it needs the server's choice (or the usual port). */
#include <stdio.h>
#include <string.h>

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


/* ===== Parser: the request, the reply, and what goes through the tunnel =====
 * The first bytes after a successful reply are identified with the same probes as any flow,
 * so a proxy relaying mail (the third seed's trojaned WinGate on 1180-1185) is reported as
 * socks carrying smtp. One "proxy" event per flow, when the tunnel's protocol is known, the
 * proxy refused, or the flow ended. */

enum { SOCKS_BUF = 600, TUNNEL_BUF = 512 };

enum socks_phase { SP_GREETING, SP_METHOD, SP_AUTH, SP_AUTH_REPLY, SP_REQUEST, SP_REPLY,
                   SP_TUNNEL, SP_DONE };

struct socks_state {
    uint8_t buf[2][SOCKS_BUF];
    uint16_t len[2];
    enum socks_phase phase;
    uint8_t version, method;
    struct proxy_req req;
    uint8_t host[256], user[256];
    uint8_t tun[2][TUNNEL_BUF];
    uint16_t tlen[2];
    bool emitted;
};

static void consume(struct socks_state *s, int dir, size_t n)
{
    memmove(s->buf[dir], s->buf[dir] + n, s->len[dir] - n);
    s->len[dir] = (uint16_t)(s->len[dir] - n);
}

static void emit_proxy(struct app_sink *sink, const struct flow *f, struct socks_state *s)
{
    if (s->emitted || !s->req.kind)
        return;
    s->emitted = true;
    struct app_event ev = { .type = APP_EV_PROXY, .dir = DIR_TOSERVER, .ts_us = sink->now_us,
                            .u.proxy = &s->req };
    sink->emit(sink->ctx, f, &ev);
}

static void ip_text(struct socks_state *s, const uint8_t *a, bool v6)
{
    int n = v6 ? snprintf((char *)s->host, sizeof s->host,
                          "%x:%x:%x:%x:%x:%x:%x:%x", a[0] << 8 | a[1], a[2] << 8 | a[3],
                          a[4] << 8 | a[5], a[6] << 8 | a[7], a[8] << 8 | a[9],
                          a[10] << 8 | a[11], a[12] << 8 | a[13], a[14] << 8 | a[15])
               : snprintf((char *)s->host, sizeof s->host, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    s->req.host = (struct bytes){ s->host, n > 0 ? (size_t)n : 0 };
}

static const char *socks_cmd(uint8_t c)
{
    return c == 1 ? "connect" : c == 2 ? "bind" : c == 3 ? "udp_associate" : "other";
}

/* A NUL-terminated string at r, copied into dst; false if not complete yet. */
static bool cstring(struct rd *r, uint8_t *dst, size_t cap, struct bytes *out)
{
    const uint8_t *z = memchr(rd_ptr(r), 0, rd_left(r));
    if (!z)
        return false;
    size_t n = (size_t)(z - rd_ptr(r));
    struct bytes b = rd_bytes(r, n + 1);
    size_t k = n < cap ? n : cap;
    memcpy(dst, b.p, k);
    *out = (struct bytes){ dst, k };
    return true;
}

/* Advances the handshake as far as the buffered bytes allow. */
static void step(struct app_sink *sink, const struct flow *f, struct socks_state *s)
{
    for (;;) {
        struct rd c = rd_init(s->buf[0], s->len[0]), v = rd_init(s->buf[1], s->len[1]);
        switch (s->phase) {
        case SP_GREETING: {
            uint8_t ver = rd_u8(&c);
            if (c.bad)
                return;
            s->version = ver;
            if (ver == 4) {                    /* request at once */
                uint8_t cmd = rd_u8(&c);
                uint16_t port = rd_be16(&c);
                uint8_t ip[4];
                if (!rd_copy(&c, ip, 4))
                    return;
                struct bytes user;
                if (!cstring(&c, s->user, sizeof s->user, &user))
                    return;
                bool v4a = ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0;
                s->req.kind = v4a ? "socks4a" : "socks4";
                s->req.command = socks_cmd(cmd);
                s->req.port = port;
                s->req.user = user;
                if (v4a) {
                    if (!cstring(&c, s->host, sizeof s->host, &s->req.host))
                        return;
                } else {
                    ip_text(s, ip, false);
                }
                consume(s, 0, c.off);
                s->phase = SP_REPLY;
                continue;
            }
            uint8_t n = rd_u8(&c);
            rd_skip(&c, n);
            if (c.bad)
                return;
            s->req.kind = "socks5";
            consume(s, 0, c.off);
            s->phase = SP_METHOD;
            continue;
        }
        case SP_METHOD: {
            rd_skip(&v, 1);
            s->method = rd_u8(&v);
            if (v.bad)
                return;
            consume(s, 1, v.off);
            if (s->method == 0xff) {           /* no acceptable method */
                s->req.replied = true;
                s->phase = SP_DONE;
                emit_proxy(sink, f, s);
                return;
            }
            s->phase = s->method == 2 ? SP_AUTH : SP_REQUEST;
            continue;
        }
        case SP_AUTH: {                        /* RFC 1929: 01 ulen user plen pass */
            rd_skip(&c, 1);
            uint8_t ul = rd_u8(&c);
            struct bytes u = rd_bytes(&c, ul);
            uint8_t pl = rd_u8(&c);
            rd_skip(&c, pl);
            if (c.bad)
                return;
            memcpy(s->user, u.p, u.len);
            s->req.user = (struct bytes){ s->user, u.len };
            consume(s, 0, c.off);
            s->phase = SP_AUTH_REPLY;
            continue;
        }
        case SP_AUTH_REPLY: {
            rd_skip(&v, 1);
            uint8_t st = rd_u8(&v);
            if (v.bad)
                return;
            consume(s, 1, v.off);
            if (st != 0) {
                s->req.replied = true;
                s->phase = SP_DONE;
                emit_proxy(sink, f, s);
                return;
            }
            s->phase = SP_REQUEST;
            continue;
        }
        case SP_REQUEST: {                     /* 05 cmd 00 atyp addr port */
            rd_skip(&c, 1);
            uint8_t cmd = rd_u8(&c);
            rd_skip(&c, 1);
            uint8_t atyp = rd_u8(&c);
            if (c.bad)
                return;
            if (atyp == 1 || atyp == 4) {
                uint8_t a[16];
                if (!rd_copy(&c, a, atyp == 1 ? 4 : 16))
                    return;
                ip_text(s, a, atyp == 4);
            } else if (atyp == 3) {
                uint8_t n = rd_u8(&c);
                struct bytes name = rd_bytes(&c, n);
                if (c.bad)
                    return;
                memcpy(s->host, name.p, name.len);
                s->req.host = (struct bytes){ s->host, name.len };
            } else {
                s->phase = SP_DONE;
                return;
            }
            s->req.port = rd_be16(&c);
            if (c.bad)
                return;
            s->req.command = socks_cmd(cmd);
            consume(s, 0, c.off);
            s->phase = SP_REPLY;
            continue;
        }
        case SP_REPLY: {
            if (s->version == 4) {             /* 00 cd port(2) ip(4) */
                rd_skip(&v, 1);
                uint8_t cd = rd_u8(&v);
                rd_skip(&v, 6);
                if (v.bad)
                    return;
                s->req.reply = cd;
                s->req.success = cd == 90;
            } else {                           /* 05 rep 00 atyp addr port */
                rd_skip(&v, 1);
                uint8_t rep = rd_u8(&v);
                rd_skip(&v, 1);
                uint8_t atyp = rd_u8(&v);
                size_t alen = atyp == 1 ? 4 : atyp == 4 ? 16 : 0;
                if (atyp == 3)
                    alen = rd_u8(&v);          /* a domain: its length first */
                rd_skip(&v, alen + 2);
                if (v.bad)
                    return;
                s->req.reply = rep;
                s->req.success = rep == 0;
            }
            s->req.replied = true;
            consume(s, 1, v.off);
            s->phase = s->req.success ? SP_TUNNEL : SP_DONE;
            if (!s->req.success) {
                emit_proxy(sink, f, s);
                return;
            }
            /* whatever followed in the buffers is tunnel data already */
            for (int d = 0; d < 2; d++) {
                size_t n = s->len[d] < TUNNEL_BUF ? s->len[d] : TUNNEL_BUF;
                memcpy(s->tun[d], s->buf[d], n);
                s->tlen[d] = (uint16_t)n;
                s->len[d] = 0;
            }
            continue;
        }
        case SP_TUNNEL: {
            if (!s->tlen[0] && !s->tlen[1])
                return;
            struct probe_in in = { .tcp = true, .dir = s->tlen[0] ? DIR_TOSERVER : DIR_TOCLIENT,
                                   .server_port = s->req.port };
            for (int d = 0; d < 2; d++) {
                in.data[d] = s->tun[d];
                in.len[d] = s->tlen[d];
            }
            enum proto_id p = proto_identify(&in);
            if (p == PROTO_NONE && s->tlen[0] < TUNNEL_BUF && s->tlen[1] < TUNNEL_BUF)
                return;                        /* wait for more */
            s->req.tunnel_proto = (uint8_t)(p == PROTO_NONE ? PROTO_UNKNOWN : p);
            s->phase = SP_DONE;
            emit_proxy(sink, f, s);
            return;
        }
        case SP_DONE:
            return;
        }
    }
}

static void socks_parse(struct app_sink *sink, const struct flow *f, void *state,
                        enum flow_dir dir, const uint8_t *data, size_t len)
{
    struct socks_state *s = state;
    if (s->phase == SP_DONE)
        return;
    if (!data) {                               /* a hole: what we know is what we say */
        s->phase = SP_DONE;
        emit_proxy(sink, f, s);
        return;
    }
    if (s->phase == SP_TUNNEL) {
        size_t room = TUNNEL_BUF - s->tlen[dir], n = len < room ? len : room;
        memcpy(s->tun[dir] + s->tlen[dir], data, n);
        s->tlen[dir] = (uint16_t)(s->tlen[dir] + n);
    } else {
        size_t room = SOCKS_BUF - s->len[dir], n = len < room ? len : room;
        memcpy(s->buf[dir] + s->len[dir], data, n);
        s->len[dir] = (uint16_t)(s->len[dir] + n);
        if (n < len && s->len[dir] == SOCKS_BUF) {   /* a handshake this long is not one */
            s->phase = SP_DONE;
            emit_proxy(sink, f, s);
            return;
        }
    }
    step(sink, f, s);
}

static uint8_t socks_tunnel(const void *state)
{
    return ((const struct socks_state *)state)->req.tunnel_proto;
}

static void socks_fini(struct app_sink *sink, const struct flow *f, void *state)
{
    emit_proxy(sink, f, state);
}

const struct proto_desc proto_socks = {
    .id = PROTO_SOCKS,
    .name = "socks",
    .transports = PT_TCP,
    .ports = { 1080, 9050 },           /* SOCKS and Tor; WinGate-trojan ports 1180-1185 stay unusual */
    .probe = socks_probe,
    .state_size = sizeof(struct socks_state),
    .parse = socks_parse,
    .fini = socks_fini,
    .tunnel = socks_tunnel,
};
