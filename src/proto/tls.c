/* SPDX-License-Identifier: MIT
 * tls.c — TLS and SSL identification (RFC 8446 5.1, RFC 5246 6.2, SSLv2 compatible hello).
 *   record: type(1)=22 handshake, version(2)=3.x, length(2), then
 *   handshake: type(1)=1 ClientHello / 2 ServerHello, length(3), version(2)=3.x
 * SSLv2-compatible ClientHello: 0x80|len-hi, len-lo, msg type 1, version 3.x or 0.2. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "util/fmt.h"

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
    return probe_either(c, s);
}


/* ===== Parser: ClientHello and ServerHello =====
 *   record: type(1)=22 version(2) length(2) | handshake: type(1) length(3) body
 *   ClientHello: version(2) random(32) session_id<0..32> cipher_suites<2..2^16-2>
 *                compression_methods<1..2^8-1> extensions<0..2^16-1>
 *   ServerHello: version(2) random(32) session_id<0..32> cipher_suite(2) compression(1)
 *                extensions<0..2^16-1>
 *   extension: type(2) length(2) data
 * Only the first handshake message of each direction is read; a hello split over records is
 * put back together first (up to TLS_MAX_HELLO bytes). One "tls" event per flow, when the
 * ServerHello is read, or at the end with what the client said. */

enum { TLS_MAX_HELLO = 1 << 14, EXT_SNI = 0, EXT_GROUPS = 10, EXT_POINT_FORMATS = 11,
       EXT_ALPN = 16, EXT_SUPPORTED_VERSIONS = 43 };

struct tls_state {
    uint8_t rec[2][5];                 /* the record header being read */
    uint8_t rec_len[2];
    size_t rec_left[2];                /* body bytes of the current record still to come */
    bool rec_hs[2];                    /* that record is a handshake record */
    uint8_t *hs[2];                    /* the handshake bytes so far */
    size_t hs_len[2];
    bool done[2];                      /* the hello of that direction was read (or cannot be) */
    bool emitted;
    struct tls_hello h;
};

static bool grease(uint16_t v)         /* RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa */
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static void ja3_append(char *s, size_t cap, size_t *o, unsigned v, bool *first)
{
    if (*o + 8 >= cap)                       /* '-' and 5 digits of a 16-bit value, NUL */
        return;
    if (!*first)
        s[(*o)++] = '-';
    *o += fmt_u32(s + *o, v);
    s[*o] = 0;
    *first = false;
}

static void ja3_sep(char *s, size_t cap, size_t *o)
{
    if (*o + 2 < cap) {
        s[(*o)++] = ',';
        s[*o] = 0;
    }
}

static void md5_hex(const char *s, char out[33])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (!EVP_Digest(s, strlen(s), d, &n, EVP_md5(), NULL) || n != 16) {
        out[0] = 0;
        return;
    }
    fmt_hex(d, 16, out);
}

/* A list of 16-bit values (cipher suites, groups, versions) into the JA3 string. */
static void u16_list(struct rd *r, char *s, size_t cap, size_t *o)
{
    bool first = true;
    while (rd_left(r) >= 2) {
        uint16_t v = rd_be16(r);
        if (!grease(v))
            ja3_append(s, cap, o, v, &first);
    }
}

static void client_hello(struct tls_hello *h, struct rd b)
{
    uint16_t ver = rd_be16(&b);
    rd_skip(&b, 32);
    rd_skip(&b, rd_u8(&b));
    struct rd ciphers = rd_sub(&b, rd_be16(&b));
    rd_skip(&b, rd_u8(&b));
    if (b.bad || ciphers.bad)
        return;
    h->client_seen = true;
    h->client_version = ver;
    char *s = h->ja3;
    size_t o = 0, cap = sizeof h->ja3;
    o += fmt_u32(s, ver);
    s[o++] = ',';
    s[o] = 0;
    u16_list(&ciphers, s, cap, &o);
    ja3_sep(s, cap, &o);
    struct rd exts = rd_left(&b) >= 2 ? rd_sub(&b, rd_be16(&b)) : rd_init(NULL, 0);
    char groups[TLS_MAX_JA3 / 2] = "", formats[64] = "";
    size_t go = 0, fo = 0;
    bool first = true;
    while (rd_left(&exts) >= 4 && !exts.bad) {
        uint16_t type = rd_be16(&exts);
        struct rd x = rd_sub(&exts, rd_be16(&exts));
        if (exts.bad)
            break;
        if (!grease(type))
            ja3_append(s, cap, &o, type, &first);
        switch (type) {
        case EXT_SNI: {                /* list<2> of type(1)=0 name<2> */
            struct rd l = rd_sub(&x, rd_be16(&x));
            if (rd_u8(&l) == 0) {
                struct bytes n = rd_bytes(&l, rd_be16(&l));
                size_t k = n.len < TLS_MAX_SNI ? n.len : TLS_MAX_SNI;
                if (n.p) {
                    memcpy(h->sni, n.p, k);
                    h->sni[k] = 0;
                }
            }
            break;
        }
        case EXT_GROUPS: {
            struct rd l = rd_sub(&x, rd_be16(&x));
            u16_list(&l, groups, sizeof groups, &go);
            break;
        }
        case EXT_POINT_FORMATS: {
            struct rd l = rd_sub(&x, rd_u8(&x));
            bool f1 = true;
            while (rd_left(&l))
                ja3_append(formats, sizeof formats, &fo, rd_u8(&l), &f1);
            break;
        }
        case EXT_ALPN: {               /* list<2> of name<1> */
            struct rd l = rd_sub(&x, rd_be16(&x));
            struct bytes n = rd_bytes(&l, rd_u8(&l));
            if (n.p) {
                size_t k = n.len < TLS_MAX_ALPN ? n.len : TLS_MAX_ALPN;
                memcpy(h->alpn, n.p, k);
                h->alpn[k] = 0;
            }
            break;
        }
        case EXT_SUPPORTED_VERSIONS: { /* list<1> of versions: the highest is the offer */
            struct rd l = rd_sub(&x, rd_u8(&x));
            while (rd_left(&l) >= 2) {
                uint16_t v = rd_be16(&l);
                if (!grease(v) && v > h->client_version)
                    h->client_version = v;
            }
            break;
        }
        default:
            break;
        }
    }
    ja3_sep(s, cap, &o);
    if (o + go + 2 < cap) {
        memcpy(s + o, groups, go);
        o += go;
        s[o] = 0;
    }
    ja3_sep(s, cap, &o);
    if (o + fo + 1 < cap) {
        memcpy(s + o, formats, fo);
        o += fo;
        s[o] = 0;
    }
    md5_hex(s, h->ja3_hash);
}

static void server_hello(struct tls_hello *h, struct rd b)
{
    uint16_t ver = rd_be16(&b);
    rd_skip(&b, 32);
    rd_skip(&b, rd_u8(&b));
    uint16_t cipher = rd_be16(&b);
    rd_skip(&b, 1);
    if (b.bad)
        return;
    h->server_seen = true;
    h->server_version = ver;
    h->cipher = cipher;
    char *s = h->ja3s;
    size_t o = 0, cap = sizeof h->ja3s;
    o += fmt_u32(s, ver);
    s[o++] = ',';
    o += fmt_u32(s + o, cipher);
    s[o++] = ',';
    s[o] = 0;
    struct rd exts = rd_left(&b) >= 2 ? rd_sub(&b, rd_be16(&b)) : rd_init(NULL, 0);
    bool first = true;
    while (rd_left(&exts) >= 4 && !exts.bad) {
        uint16_t type = rd_be16(&exts);
        struct rd x = rd_sub(&exts, rd_be16(&exts));
        if (exts.bad)
            break;
        ja3_append(s, cap, &o, type, &first);
        if (type == EXT_SUPPORTED_VERSIONS && rd_left(&x) >= 2)
            h->server_version = rd_be16(&x);     /* TLS 1.3 is chosen here */
    }
    md5_hex(s, h->ja3s_hash);
}

static void tls_emit(struct app_sink *sink, const struct flow *f, struct tls_state *s)
{
    if (s->emitted || !(s->h.client_seen || s->h.server_seen))
        return;
    s->emitted = true;
    struct app_event ev = { .type = APP_EV_TLS, .dir = DIR_TOSERVER, .ts_us = sink->now_us,
                            .u.tls = &s->h };
    sink->emit(sink->ctx, f, &ev);
}

/* Collects handshake bytes from handshake records; reads the first message when whole. */
static void tls_parse(struct app_sink *sink, const struct flow *f, void *state,
                      enum flow_dir dir, const uint8_t *data, size_t len)
{
    struct tls_state *s = state;
    if (s->done[dir])
        return;
    if (!data) {
        s->done[dir] = true;
        return;
    }
    while (len && !s->done[dir]) {
        if (s->rec_left[dir] == 0) {           /* a record header */
            size_t take = 5 - s->rec_len[dir];
            take = take < len ? take : len;
            memcpy(s->rec[dir] + s->rec_len[dir], data, take);
            s->rec_len[dir] = (uint8_t)(s->rec_len[dir] + take);
            data += take;
            len -= take;
            if (s->rec_len[dir] < 5)
                return;
            s->rec_len[dir] = 0;
            s->rec_hs[dir] = s->rec[dir][0] == 22;
            s->rec_left[dir] = (size_t)s->rec[dir][3] << 8 | s->rec[dir][4];
            if (s->rec[dir][1] != 3 || s->rec_left[dir] == 0) {
                s->done[dir] = true;           /* not TLS records (SSLv2 hello, garbage) */
                return;
            }
            continue;
        }
        size_t take = s->rec_left[dir] < len ? s->rec_left[dir] : len;
        if (s->rec_hs[dir]) {
            if (!s->hs[dir])
                s->hs[dir] = malloc(TLS_MAX_HELLO);
            if (!s->hs[dir]) {
                s->done[dir] = true;
                return;
            }
            size_t room = TLS_MAX_HELLO - s->hs_len[dir], n = take < room ? take : room;
            memcpy(s->hs[dir] + s->hs_len[dir], data, n);
            s->hs_len[dir] += n;
            struct rd r = rd_init(s->hs[dir], s->hs_len[dir]);
            uint8_t type = rd_u8(&r);
            uint32_t hl = (uint32_t)rd_u8(&r) << 16;
            hl |= rd_be16(&r);
            if (!r.bad && rd_left(&r) >= hl) {  /* the whole first message is here */
                struct rd body = rd_sub(&r, hl);
                if (type == 1 && dir == DIR_TOSERVER)
                    client_hello(&s->h, body);
                else if (type == 2 && dir == DIR_TOCLIENT)
                    server_hello(&s->h, body);
                s->done[dir] = true;
            } else if (s->hs_len[dir] == TLS_MAX_HELLO || (!r.bad && hl > TLS_MAX_HELLO - 4)) {
                s->done[dir] = true;           /* larger than we keep */
            }
        } else {
            s->done[dir] = true;               /* application data before a hello: give up */
        }
        data += take;
        len -= take;
        s->rec_left[dir] -= take;
    }
    if (s->done[dir]) {
        free(s->hs[dir]);
        s->hs[dir] = NULL;
    }
    if (s->h.server_seen || (s->done[0] && s->done[1]))
        tls_emit(sink, f, s);
}

static void tls_fini(struct app_sink *sink, const struct flow *f, void *state)
{
    struct tls_state *s = state;
    tls_emit(sink, f, s);
    for (int d = 0; d < 2; d++) {
        free(s->hs[d]);
        s->hs[d] = NULL;
    }
}

const struct proto_desc proto_tls = {
    .id = PROTO_TLS,
    .name = "tls",
    .transports = PT_TCP,
    .ports = { 443, 8443, 465, 993, 995, 636, 853, 5061 },
    .probe = tls_probe,
    .state_size = sizeof(struct tls_state),
    .parse = tls_parse,
    .fini = tls_fini,
};
