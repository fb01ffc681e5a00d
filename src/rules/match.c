/* SPDX-License-Identifier: MIT
 * match.c — matching rules against packets and reassembled TCP streams, as Snort 2.9 does
 * where docs/rules.md does not say otherwise: header first (protocol, app_proto, addresses,
 * ports, flow, dsize, flags, flowbits checks), then the payload options in rule order with
 * backtracking over earlier content matches, then flowbits updates and thresholds.
 * A TCP direction is matched chunk by chunk as reassembly delivers it; the last
 * RULES_STREAM_TAIL bytes before the chunk are kept so a content split across segments
 * matches, and a match must end in the new bytes so the same bytes never alert twice. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rules/rules_int.h"

#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "rules/prefilter.h"
#include "util/rd.h"

enum { THRESH_SLOTS = 1 << 16, HTTP_SCRATCH = 8192,
       HTTP_BODY_LIMIT = 100 * 1024,   /* body bytes inspected per message (Suricata's
                                          request/response-body-limit default) */
       HTTP_HDR_MAX = 8192,     /* a message head kept across chunks until its blank line */
       SMALL_GROUP = 64 };       /* stream groups this small are checked per chunk first */

/* A flow's rule state: flowbits, and the stream tail of each direction. */
/* A rule whose fast pattern was seen in bytes that are now the tail: it is a candidate
 * again with the next chunk, since the tail is not scanned twice (start: stream offset). */
enum { PEND_MAX = 16 };
struct pend { uint32_t pos; uint64_t start; };

struct rflow {
    struct rflow *next, *prev;   /* every flow state of the rules_rt, to free them */
    uint16_t taillen[2];
    uint8_t npend[2];
    bool rescan[2];              /* pend overflowed: scan the whole window next time */
    uint64_t off[2];             /* bytes of each direction seen so far */
    struct pend pend[2][PEND_MAX];
    uint8_t *tail[2];            /* RULES_STREAM_TAIL bytes each, or NULL */
    uint64_t body_left[2];       /* HTTP flows: body bytes still to come (UINT64_MAX: until
                                    the next message), when body_on */
    uint64_t body_seen[2];       /* and how many of them were inspected */
    uint8_t *hdr[2];             /* a message head without its blank line yet, or NULL */
    uint32_t hdrlen[2];
    bool body_on[2];
    uint8_t bits[];              /* flowbits */
};

struct tslot { uint64_t start_us; uint32_t rule, n; uint8_t family; uint8_t addr[16];
               bool used; };

/* A group: the rules one kind of input is matched against, pass rules first, with the
 * prefilter over their fast patterns and a candidate bitmap for one evaluation. */
struct rgroup {
    uint32_t *idx;
    uint32_t n;
    struct prefilter *pf;
    uint64_t *cand;
    struct hsum *sum;            /* by group position */
    bool http;                   /* a rule reads an HTTP buffer: follow message bodies */
};

/* The cheapest and most often failing header conditions of a group's rule, side by side
 * in one array: a candidate that fails them is dropped without touching its struct rule
 * (a cache miss or three: the rule, its port and address lists). Each is a condition
 * header_match also tests, so only speed depends on it. */
struct hsum {
    uint8_t flow_dir, app_proto;
    bool pass, dsize, sport, dport;     /* dsize / single port ranges to test */
    uint16_t sp_lo, sp_hi, dp_lo, dp_hi;
    uint32_t dsize_lo, dsize_hi;
};

/* The TCP stream is split by direction (G_STREAM + enum flow_dir): most rules name one
 * (flow:to_server), and a response body is then scanned only for the rules that can match
 * it, with a database a fraction of the size. */
enum { G_STREAM, G_STREAM_TC, G_TCP, G_UDP, G_ICMP, G_OTHER, G_MAX };

/* What one rule cost, when profiling: evaluations past the prefilter and the header
 * summary (checks), those that matched, and their time. */
struct rprof {
    uint64_t checks, matches, ns;
};

struct rules_rt {
    rules_alert_fn fn;
    void *ctx;
    uint64_t memcap;
    struct rules_stats st;
    struct rgroup g[G_MAX];
    struct rflow *flows;         /* the flow states (each also on its flow: rules_state) */
    uint64_t nflows;
    struct tslot *th;            /* NULL when no rule has a threshold */
    uint8_t *win;                /* tail + chunk for stream matching */
    size_t wincap;
    size_t fbbytes;
    bool has_stream;
    void *scratch;               /* Vectorscan scratch, shared by the groups */
    struct rprof *prof;          /* by rule index, when profiling (rs->profile) */
};

/* For one option of the rule being evaluated: backtracking asks the same content for its
 * first occurrence from ever later positions, and an unanchored pcre the same question
 * again. The first occurrence of the content at or after lo is at (SIZE_MAX: none), or the
 * pcre (not relative) has no match. Only speed depends on it. */
struct opmemo {
    uint32_t gen, asked;
    size_t lo, at;
    bool pcre_fails;
};

/* The buffers of one evaluation, built lazily (HTTP and DNS only when a rule asks). */
struct mctx {
    struct bytes b[BUF_MAX];
    bool have[BUF_MAX];
    size_t base;                 /* the packet's start in b[BUF_PAYLOAD] */
    bool stream;                 /* BUF_PAYLOAD has a tail before base */
    bool http_done, dns_done, tls_done, tcp;
    enum flow_dir dir;
    unsigned steps;
    bool limit_hit;
    uint64_t var[RULES_MAX_VARS];   /* byte_extract values on the current path */
    bool body_on;                /* in: an HTTP body continues into this chunk */
    uint64_t body_left;          /* in: its bytes still to come (UINT64_MAX: unknown) */
    uint64_t body_seen;          /* in: its bytes inspected so far */
    bool http_msg, hdr_ended;    /* out: the chunk starts a message, its headers end in it */
    size_t body_off;             /* out: where its body starts in the chunk */
    const uint8_t *pend_hdr;     /* in: the head of a message begun in earlier chunks */
    size_t pend_len;
    bool deferred;               /* out: this chunk's head is incomplete; no buffers yet */
    uint8_t uri[HTTP_SCRATCH], names[HTTP_SCRATCH], host[256], dnsq[256];
    /* Not cleared per packet: what one rule's evaluation learnt about its options, valid
     * while memo[i].gen == gen (match_ops starts a new generation). */
    uint32_t gen;
    struct opmemo memo[RULES_MAX_OPS];
    uint8_t head[2 * HTTP_HDR_MAX];   /* pend_hdr + this chunk, to parse them as one */
};

/* ---- buffers: HTTP from the chunk's own bytes, DNS from the datagram ---- */

static struct bytes line_at(struct bytes b, size_t off, size_t *next)
{
    const uint8_t *nl = off < b.len ? memchr(b.p + off, '\n', b.len - off) : NULL;
    size_t i = nl ? (size_t)(nl - b.p) : b.len;
    if (i >= b.len) {
        *next = b.len;
        return (struct bytes){ NULL, 0 };      /* no complete line */
    }
    *next = i + 1;
    size_t e = i;
    if (e > off && b.p[e - 1] == '\r')
        e--;
    return (struct bytes){ b.p + off, e - off };
}

static bool ieq(struct bytes a, const char *s)
{
    size_t n = strlen(s);
    if (a.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (tolower(a.p[i]) != s[i])
            return false;
    return true;
}

static void set_buf(struct mctx *m, int k, const uint8_t *p, size_t n)
{
    m->b[k] = (struct bytes){ p, n };
    m->have[k] = true;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (uint8_t)tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* A request or response that starts the chunk: its line, headers and the body bytes in
 * the chunk. False when the chunk does not start one. */
static bool http_message(struct mctx *m, struct bytes pk)
{
    size_t next;
    struct bytes first = line_at(pk, 0, &next);
    if (!first.p || first.len < 8)
        return false;
    bool resp = first.len >= 12 && memcmp(first.p, "HTTP/", 5) == 0;
    if (resp && m->dir != DIR_TOCLIENT)
        return false;
    if (!resp) {
        if (m->dir != DIR_TOSERVER)
            return false;
        size_t i = 0;
        while (i < first.len && i < 20 && isupper(first.p[i]))
            i++;
        if (i == 0 || i >= first.len || first.p[i] != ' ')
            return false;
        const uint8_t *sp2 = NULL;
        for (size_t k = first.len; k > i + 1; k--)
            if (first.p[k - 1] == ' ') {
                sp2 = first.p + k - 1;
                break;
            }
        if (!sp2 || (size_t)(first.p + first.len - sp2) < 6 || memcmp(sp2 + 1, "HTTP/", 5))
            return false;
        set_buf(m, BUF_HTTP_METHOD, first.p, i);
        const uint8_t *u = first.p + i + 1;
        size_t ulen = (size_t)(sp2 - u);
        set_buf(m, BUF_HTTP_RAW_URI, u, ulen);
        size_t n = 0;
        for (size_t k = 0; k < ulen && n < sizeof m->uri; k++) {
            int h1, h2;
            if (u[k] == '%' && k + 2 < ulen && (h1 = hexval(u[k + 1])) >= 0 &&
                (h2 = hexval(u[k + 2])) >= 0) {
                m->uri[n++] = (uint8_t)(h1 << 4 | h2);
                k += 2;
            } else {
                m->uri[n++] = u[k];
            }
        }
        set_buf(m, BUF_HTTP_URI, m->uri, n);
        set_buf(m, BUF_HTTP_PROTOCOL, sp2 + 1, (size_t)(first.p + first.len - sp2 - 1));
        set_buf(m, BUF_HTTP_REQUEST_LINE, first.p, first.len);
    } else {
        set_buf(m, BUF_HTTP_PROTOCOL, first.p, 8);
        set_buf(m, BUF_HTTP_STAT_CODE, first.p + 9, 3);
        if (first.len > 13)
            set_buf(m, BUF_HTTP_STAT_MSG, first.p + 13, first.len - 13);
        set_buf(m, BUF_HTTP_RESPONSE_LINE, first.p, first.len);
    }
    size_t hstart = next, off = next;
    size_t nn = 0;
    m->names[nn++] = '\r';
    m->names[nn++] = '\n';
    bool ended = false;
    while (off < pk.len) {
        struct bytes l = line_at(pk, off, &next);
        if (!l.p)
            break;
        off = next;
        if (l.len == 0) {
            ended = true;
            break;
        }
        const uint8_t *colon = memchr(l.p, ':', l.len);
        if (!colon)
            continue;
        struct bytes name = { l.p, (size_t)(colon - l.p) };
        struct bytes val = { colon + 1, l.len - name.len - 1 };
        while (val.len && (val.p[0] == ' ' || val.p[0] == '\t'))
            val.p++, val.len--;
        if (nn + name.len + 4 <= sizeof m->names) {
            memcpy(m->names + nn, name.p, name.len);
            nn += name.len;
            m->names[nn++] = '\r';
            m->names[nn++] = '\n';
        }
        static const struct { const char *h; int buf; bool req, rsp; } hv[] = {
            { "cookie", BUF_HTTP_COOKIE, true, false },
            { "set-cookie", BUF_HTTP_COOKIE, false, true },
            { "user-agent", BUF_HTTP_UA, true, false },
            { "host", BUF_HTTP_RAW_HOST, true, false },
            { "content-type", BUF_HTTP_CONTENT_TYPE, true, true },
            { "content-length", BUF_HTTP_CONTENT_LEN, true, true },
            { "connection", BUF_HTTP_CONNECTION, true, true },
            { "accept", BUF_HTTP_ACCEPT, true, false },
            { "accept-encoding", BUF_HTTP_ACCEPT_ENC, true, false },
            { "accept-language", BUF_HTTP_ACCEPT_LANG, true, false },
            { "referer", BUF_HTTP_REFERER, true, false },
        };
        for (size_t k = 0; k < sizeof hv / sizeof hv[0]; k++)
            if ((resp ? hv[k].rsp : hv[k].req) && ieq(name, hv[k].h) && !m->have[hv[k].buf])
                set_buf(m, hv[k].buf, val.p, val.len);
    }
    if (nn + 2 <= sizeof m->names) {
        m->names[nn++] = '\r';
        m->names[nn++] = '\n';
    }
    set_buf(m, BUF_HTTP_HEADER_NAMES, m->names, nn);
    set_buf(m, BUF_HTTP_HEADER, pk.p + hstart, off - hstart);
    set_buf(m, BUF_HTTP_RAW_HEADER, pk.p + hstart, off - hstart);
    set_buf(m, BUF_HTTP_START, pk.p, off);
    if (m->have[BUF_HTTP_RAW_HOST]) {
        struct bytes h = m->b[BUF_HTTP_RAW_HOST];
        size_t n = h.len < sizeof m->host ? h.len : sizeof m->host;
        for (size_t k = 0; k < n; k++)
            m->host[k] = (uint8_t)tolower(h.p[k]);
        set_buf(m, BUF_HTTP_HOST, m->host, n);
    }
    if (ended && off <= pk.len)
        set_buf(m, resp ? BUF_FILE_DATA : BUF_HTTP_CLIENT_BODY, pk.p + off, pk.len - off);
    m->http_msg = true;
    m->hdr_ended = ended;
    m->body_off = off;
    return true;
}

/* The HTTP buffers of a chunk: a message that starts it, or else the next bytes of a body
 * that an earlier chunk's headers announced (struct rflow's body state, passed in m). */
static void http_forget(struct mctx *m)
{
    for (int k = BUF_HTTP_URI; k <= BUF_HTTP_REFERER; k++)
        m->have[k] = false;
}

static void http_parse(struct mctx *m)
{
    m->http_done = true;
    struct bytes pk = { m->b[BUF_PAYLOAD].p + m->base, m->b[BUF_PAYLOAD].len - m->base };
    if (m->pend_len) {
        /* a head begun earlier: parsed whole once its blank line is here */
        size_t take = pk.len < sizeof m->head - m->pend_len ? pk.len
                                                             : sizeof m->head - m->pend_len;
        memcpy(m->head, m->pend_hdr, m->pend_len);
        memcpy(m->head + m->pend_len, pk.p, take);
        struct bytes all = { m->head, m->pend_len + take };
        if (http_message(m, all) && m->hdr_ended && m->body_off >= m->pend_len) {
            m->body_off -= m->pend_len;
            return;
        }
        http_forget(m);
        m->http_msg = false;
        m->deferred = true;
        return;
    }
    if (http_message(m, pk)) {
        if (!m->hdr_ended) {             /* wait for the rest of the head */
            http_forget(m);
            m->deferred = true;
        }
        return;
    }
    if (!m->body_on)
        return;
    size_t n = pk.len < m->body_left ? pk.len : (size_t)m->body_left;
    if (m->body_seen >= HTTP_BODY_LIMIT)
        return;
    if (n > HTTP_BODY_LIMIT - m->body_seen)
        n = (size_t)(HTTP_BODY_LIMIT - m->body_seen);
    set_buf(m, m->dir == DIR_TOCLIENT ? BUF_FILE_DATA : BUF_HTTP_CLIENT_BODY, pk.p, n);
}

/* The first question's name of a DNS query (RFC 1035 4.1), dotted, without the last dot. */
static void dns_parse(struct mctx *m)
{
    m->dns_done = true;
    struct rd r = rd_init(m->b[BUF_PAYLOAD].p + m->base, m->b[BUF_PAYLOAD].len - m->base);
    if (m->tcp)
        rd_skip(&r, 2);
    rd_skip(&r, 2);
    uint16_t flags = rd_be16(&r);
    uint16_t qd = rd_be16(&r);
    rd_skip(&r, 6);
    if (r.bad || (flags & 0x8000) || qd == 0)
        return;
    size_t n = 0;
    for (;;) {
        uint8_t l = rd_u8(&r);
        if (r.bad || l > 63)
            return;                 /* a pointer in a question: not in a query we parse */
        if (l == 0)
            break;
        struct bytes lab = rd_bytes(&r, l);
        if (r.bad || n + l + 1 > sizeof m->dnsq)
            return;
        if (n)
            m->dnsq[n++] = '.';
        memcpy(m->dnsq + n, lab.p, l);
        n += l;
    }
    set_buf(m, BUF_DNS_QUERY, m->dnsq, n);
}

/* The server name of a TLS ClientHello that starts the chunk (RFC 8446 4.1.2, RFC 6066 3):
 *   record: type 22, version(2), length(2); handshake: type 1, length(3), version(2),
 *   random(32), session id(1+n), cipher suites(2+n), compression(1+n), extensions(2+n);
 *   extension: type(2), length(2); server_name (0): list length(2), type 0, length(2), name */
static void tls_parse(struct mctx *m)
{
    m->tls_done = true;
    if (m->dir != DIR_TOSERVER)
        return;
    struct rd r = rd_init(m->b[BUF_PAYLOAD].p + m->base, m->b[BUF_PAYLOAD].len - m->base);
    if (rd_u8(&r) != 22)
        return;
    rd_skip(&r, 4);
    if (rd_u8(&r) != 1)
        return;
    rd_skip(&r, 3 + 2 + 32);
    rd_skip(&r, rd_u8(&r));
    rd_skip(&r, rd_be16(&r));
    rd_skip(&r, rd_u8(&r));
    struct rd ext = rd_sub(&r, rd_be16(&r));
    while (!ext.bad && rd_left(&ext) >= 4) {
        uint16_t type = rd_be16(&ext);
        struct rd e = rd_sub(&ext, rd_be16(&ext));
        if (type != 0)
            continue;
        struct rd list = rd_sub(&e, rd_be16(&e));
        if (rd_u8(&list) != 0)
            return;
        struct bytes name = rd_bytes(&list, rd_be16(&list));
        if (name.p)
            set_buf(m, BUF_TLS_SNI, name.p, name.len);
        return;
    }
}

static bool get_buf(struct mctx *m, unsigned k, struct bytes *out)
{
    if (k == BUF_TLS_SNI && !m->tls_done)
        tls_parse(m);
    if (k >= BUF_HTTP_URI && k <= BUF_HTTP_REFERER && !m->http_done)
        http_parse(m);
    if (k == BUF_DNS_QUERY && !m->dns_done)
        dns_parse(m);
    if (!m->have[k])
        return false;
    *out = m->b[k];
    return true;
}

static bool get_buf_cb(void *m, unsigned k, struct bytes *out)
{
    return get_buf(m, k, out);
}

/* ---- payload options ---- */

/* ASCII lowercase of every byte (tolower() would depend on the locale and cost a call) */
static const uint8_t lower[256] = {
#define L4(b) L1(b), L1(b + 1), L1(b + 2), L1(b + 3)
#define L1(c) (uint8_t)((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c))
#define L16(b) L4(b), L4(b + 4), L4(b + 8), L4(b + 12)
#define L64(b) L16(b), L16(b + 16), L16(b + 32), L16(b + 48)
    L64(0), L64(64), L64(128), L64(192)
#undef L64
#undef L16
#undef L1
#undef L4
};

/* The first occurrence of pat (lowercase when nocase) in h[0..hn). rare: the index of its
 * least common byte (struct rop), found with memchr (libc's is vectorised; each case when
 * nocase) at that offset of every candidate start, which is then compared whole. */
static const uint8_t *find(const uint8_t *h, size_t hn, const uint8_t *pat, size_t pn,
                           bool nocase, size_t rare)
{
    if (pn == 0 || pn > hn)
        return NULL;
    if (rare >= pn)
        rare = 0;
    uint8_t c0 = pat[rare], c1 = nocase ? (uint8_t)toupper(c0) : c0;
    if (!nocase && (c0 == ' ' || (c0 >= 'a' && c0 <= 'z')))
        return memmem(h, hn, pat, pn);      /* nothing rare to look for */
    const uint8_t *from = h + rare, *end = h + hn - pn + rare + 1;
    const uint8_t *p0 = memchr(from, c0, (size_t)(end - from));
    const uint8_t *p1 = c1 != c0 ? memchr(from, c1, (size_t)(end - from)) : NULL;
    while (p0 || p1) {
        const uint8_t *q = !p1 || (p0 && p0 < p1) ? p0 : p1;
        const uint8_t *st = q - rare;
        if (nocase) {
            size_t k = 0;
            while (k < pn && lower[st[k]] == pat[k])
                k++;
            if (k == pn)
                return st;
        } else if (memcmp(st, pat, pn) == 0) {
            return st;
        }
        if (q == p0)
            p0 = q + 1 < end ? memchr(q + 1, c0, (size_t)(end - q - 1)) : NULL;
        else
            p1 = q + 1 < end ? memchr(q + 1, c1, (size_t)(end - q - 1)) : NULL;
    }
    return NULL;
}

static bool read_num(struct bytes b, size_t pos, const struct rop *o, uint64_t *v)
{
    if (pos > b.len)
        return false;
    struct rd r = rd_init(b.p + pos, b.len - pos);
    if (o->base) {
        /* 0 bytes: the rest of the buffer (Suricata's http_content_len idiom), at most 20 */
        size_t want = o->nbytes ? o->nbytes : (rd_left(&r) < 20 ? rd_left(&r) : 20);
        struct bytes s = rd_bytes(&r, want);
        if (!s.p)
            return false;
        uint64_t x = 0;
        size_t i = 0;
        while (i < s.len && s.p[i] == ' ')
            i++;
        size_t digits = 0;
        for (; i < s.len; i++) {
            int d = hexval(s.p[i]);
            if (d < 0 || d >= o->base)
                break;
            if (x > (UINT64_MAX - (uint64_t)d) / o->base)
                return false;
            x = x * o->base + (uint64_t)d;
            digits++;
        }
        if (!digits)
            return false;
        *v = x;
        return true;
    }
    switch (o->nbytes) {
    case 1: *v = rd_u8(&r); break;
    case 2: *v = o->little ? rd_le16(&r) : rd_be16(&r); break;
    case 3: {
        uint64_t x0 = rd_u8(&r), x1 = rd_u8(&r), x2 = rd_u8(&r);
        *v = o->little ? (x2 << 16 | x1 << 8 | x0) : (x0 << 16 | x1 << 8 | x2);
        break;
    }
    case 4: *v = o->little ? rd_le32(&r) : rd_be32(&r); break;
    case 8: {
        uint64_t a = o->little ? rd_le32(&r) : rd_be32(&r);
        uint64_t c = o->little ? rd_le32(&r) : rd_be32(&r);
        *v = o->little ? (c << 32 | a) : (a << 32 | c);
        break;
    }
    default: return false;
    }
    return !r.bad;
}

static uint64_t apply_mask(uint64_t v, uint32_t mask)
{
    if (!mask)
        return v;
    v &= mask;
    while (!(mask & 1)) {
        mask >>= 1;
        v >>= 1;
    }
    return v;
}

/* A number of an option, or the byte_extract variable that stands for it. */
static int64_t num(const struct mctx *m, uint8_t v, int64_t lit)
{
    return v ? (int64_t)(m->var[v - 1] > INT32_MAX ? INT32_MAX : m->var[v - 1]) : lit;
}

static struct opmemo *memo_of(struct mctx *m, uint32_t i)
{
    struct opmemo *q = &m->memo[i];
    if (q->gen != m->gen) {
        q->gen = m->gen;
        q->asked = 0;
        q->lo = 0;
        q->at = SIZE_MAX;
        q->pcre_fails = false;
    }
    return q;
}

/* The first occurrence of content o (option i) wholly inside b[lo, hi), or NULL: the same
 * answer as find() on that window. The first time an option is asked, the window is
 * searched; after that (backtracking) the answer comes from the first occurrence at or
 * after lo in the whole buffer, searched once for every stretch of positions it serves. */
static const uint8_t *find_in(struct mctx *m, uint32_t i, const struct rop *o, struct bytes b,
                              size_t lo, size_t hi)
{
    struct opmemo *q = memo_of(m, i);
    bool known = q->asked && lo >= q->lo && (q->at == SIZE_MAX || lo <= q->at);
    if (!known) {
        if (!q->asked++) {
            const uint8_t *hit = find(b.p + lo, hi - lo, o->pat, o->len, o->nocase, o->rare);
            /* a hit is the first at or after lo; a miss says so only up to the end */
            if (hit || hi == b.len) {
                q->lo = lo;
                q->at = hit ? (size_t)(hit - b.p) : SIZE_MAX;
            } else {
                q->asked = 1;
                q->lo = SIZE_MAX;     /* nothing known yet beyond the window */
            }
            return hit;
        }
        const uint8_t *hit = find(b.p + lo, b.len - lo, o->pat, o->len, o->nocase, o->rare);
        q->lo = lo;
        q->at = hit ? (size_t)(hit - b.p) : SIZE_MAX;
    }
    if (q->at == SIZE_MAX || q->at + o->len > hi)
        return NULL;
    return b.p + q->at;
}

/* Backtracking over content i (its hit ended at end) failed further on. When the next option
 * is a positive content relative to it in the same buffer, its memo may already say where
 * that content next occurs at or after the window this hit gave it: a later hit of content
 * i gives a window that starts later still (distance is fixed), so when there is no such
 * occurrence no later hit can match (false), and with within a hit whose window ends
 * before that occurrence cannot either (*s moves past those). Only speed depends on it:
 * those hits would fail at the next content anyway. IRC topic rules (":" then " 332 "
 * within 50 on every line of a busy channel) spend most of their time there otherwise. */
static bool skip_to_next(const struct rule *r, const struct mctx *m, uint32_t i, size_t end,
                         size_t *s)
{
    if (i + 1 >= r->nops)
        return true;
    const struct rop *o = &r->ops[i], *nx = &r->ops[i + 1];
    if (nx->type != OP_CONTENT || nx->negate || !nx->relative || nx->buf != o->buf ||
        nx->v_distance || nx->v_within)
        return true;
    const struct opmemo *q = &m->memo[i + 1];
    int64_t nlo = (int64_t)end + nx->distance;
    if (nlo < 0)
        nlo = 0;
    if (q->gen != m->gen || !q->asked || q->lo == SIZE_MAX || (int64_t)q->lo > nlo)
        return true;                         /* nothing known from this window on */
    if (q->at == SIZE_MAX)
        return false;
    if (nx->has_within) {
        /* a hit at p gives the window [p + len + distance, p + len + distance + within) */
        int64_t need = (int64_t)q->at + (int64_t)nx->len - nx->distance - nx->within -
                       (int64_t)o->len;
        if (need > (int64_t)*s)
            *s = (size_t)need;
    }
    return true;
}

/* Evaluates ops[i..] with cursors cur[] (one per buffer). maxend: the furthest end of a
 * positive payload match on this path (stream duplicate suppression). */
static bool eval(const struct rule *r, struct mctx *m, uint32_t i, size_t *cur, size_t maxend,
                 bool payload_pos)
{
    if (i == r->nops) {
        if (m->stream && payload_pos && maxend <= m->base)
            return false;        /* all in bytes already matched on: no new alert */
        if (r->urilen.set) {
            struct bytes u;
            if (!get_buf(m, BUF_HTTP_URI, &u) || u.len < r->urilen.lo || u.len > r->urilen.hi)
                return false;
        }
        return true;
    }
    if (++m->steps > RULES_BACKTRACK_MAX) {
        m->limit_hit = true;
        return false;
    }
    const struct rop *o = &r->ops[i];
    unsigned bk = o->buf;
    struct bytes b;
    if (!get_buf(m, bk, &b))
        return false;
    size_t bbase = bk == BUF_PAYLOAD ? m->base : 0;
    size_t save = cur[bk];
    switch (o->type) {
    case OP_CONTENT: {
        int64_t lo, hi;
        if (o->relative) {
            lo = (int64_t)cur[bk] + num(m, o->v_distance, o->distance);
            hi = o->has_within ? lo + num(m, o->v_within, o->within) : (int64_t)b.len;
        } else {
            bool anchored = o->has_offset || o->has_depth;
            lo = (anchored || !m->stream || bk != BUF_PAYLOAD)
                     ? (int64_t)bbase + num(m, o->v_offset, o->offset) : 0;
            hi = o->has_depth ? lo + num(m, o->v_depth, o->depth) : (int64_t)b.len;
        }
        if (lo < 0)
            lo = 0;
        if (hi > (int64_t)b.len)
            hi = (int64_t)b.len;
        if (lo >= hi || (uint64_t)(hi - lo) < o->len) {
            if (!o->negate)
                return false;
            return eval(r, m, i + 1, cur, maxend, payload_pos);
        }
        if (o->negate) {
            if (find_in(m, i, o, b, (size_t)lo, (size_t)hi))
                return false;
            return eval(r, m, i + 1, cur, maxend, payload_pos);
        }
        const uint8_t *hit;
        size_t s = (size_t)lo;
        while (s + o->len <= (size_t)hi && (hit = find_in(m, i, o, b, s, (size_t)hi)) != NULL) {
            size_t end = (size_t)(hit - b.p) + o->len;
            cur[bk] = end;
            bool pl = bk == BUF_PAYLOAD;
            if (eval(r, m, i + 1, cur, pl && end > maxend ? end : maxend, payload_pos || pl))
                return true;
            cur[bk] = save;
            if (m->limit_hit)
                return false;
            s = (size_t)(hit - b.p) + 1;
            if (!skip_to_next(r, m, i, end, &s))
                return false;
        }
        return false;
    }
    case OP_PCRE: {
        size_t from = o->relative ? cur[bk] : bbase;
        if (from > b.len)
            return o->negate ? eval(r, m, i + 1, cur, maxend, payload_pos) : false;
        const uint8_t *subj = b.p + from;
        size_t slen = b.len - from, start = 0;
        pcre2_match_data *md = o->md;
        if (!o->jit) {
            /* the only write to a rule after loading: the engine is single-threaded */
            pcre2_jit_compile(o->re, PCRE2_JIT_COMPLETE);
            ((struct rop *)o)->jit = true;
        }
        /* not relative: the same subject every time, so a miss is a miss on every path */
        struct opmemo *q = o->relative ? NULL : memo_of(m, i);
        for (;;) {
            int rc = q && q->pcre_fails ? PCRE2_ERROR_NOMATCH
                                        : pcre2_match(o->re, subj, slen, start, 0, md, NULL);
            if (rc < 0) {
                if (q && start == 0)
                    q->pcre_fails = true;
                if (o->negate)
                    return eval(r, m, i + 1, cur, maxend, payload_pos);
                return false;
            }
            if (o->negate)
                return false;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            size_t mend = from + ov[1];
            size_t mstart = ov[0];
            cur[bk] = mend;
            bool pl = bk == BUF_PAYLOAD;
            if (eval(r, m, i + 1, cur, pl && mend > maxend ? mend : maxend, payload_pos || pl))
                return true;
            cur[bk] = save;
            if (m->limit_hit || ++m->steps > RULES_BACKTRACK_MAX) {
                m->limit_hit = true;
                return false;
            }
            start = mstart + 1;
            if (start > slen)
                return false;
        }
    }
    case OP_ISDATAAT: {
        uint64_t at = (uint64_t)(o->relative ? cur[bk] : bbase) +
                      (uint64_t)num(m, o->v_offset, o->offset);
        bool there = at < b.len;
        if (there == o->negate)
            return false;
        return eval(r, m, i + 1, cur, maxend, payload_pos);
    }
    case OP_BYTE_TEST: {
        int64_t pos = (int64_t)(o->relative ? cur[bk] : bbase) + num(m, o->v_offset, o->offset);
        uint64_t v;
        if (pos < 0 || !read_num(b, (size_t)pos, o, &v))
            return false;
        v = apply_mask(v, o->bt_mask);
        uint64_t want = o->v_value ? m->var[o->v_value - 1] : o->bt_value;
        bool ok;
        switch (o->bt_op) {
        case 0: ok = v < want; break;
        case 1: ok = v > want; break;
        case 2: ok = v == want; break;
        case 3: ok = (v & want) != 0; break;
        case 4: ok = (v ^ want) != 0; break;
        case 5: ok = v <= want; break;
        default: ok = v >= want; break;
        }
        if (ok == o->negate)
            return false;
        return eval(r, m, i + 1, cur, maxend, payload_pos);
    }
    case OP_BYTE_EXTRACT: {
        int64_t pos = (int64_t)(o->relative ? cur[bk] : bbase) + o->offset;
        uint64_t v;
        if (pos < 0 || !read_num(b, (size_t)pos, o, &v))
            return false;
        v = apply_mask(v, o->bt_mask) * (uint64_t)o->multiplier;
        if (o->align_to)
            v = (v + o->align_to - 1) / o->align_to * o->align_to;
        uint64_t saved = m->var[o->var];
        m->var[o->var] = v;
        cur[bk] = (size_t)pos + o->nbytes;      /* the cursor moves past what was read */
        if (cur[bk] > b.len)
            cur[bk] = b.len;
        if (eval(r, m, i + 1, cur, maxend, payload_pos))
            return true;
        cur[bk] = save;
        m->var[o->var] = saved;
        return false;
    }
    case OP_BYTE_JUMP: {
        int64_t pos = (int64_t)(o->relative ? cur[bk] : bbase) + num(m, o->v_offset, o->offset);
        uint64_t v = 0;
        if (pos < 0 || (o->nbytes && !read_num(b, (size_t)pos, o, &v)))
            return false;
        v = apply_mask(v, o->bt_mask);
        if (v > (1u << 20))
            return false;
        int64_t jump = (int64_t)v * o->multiplier;
        if (o->align)
            jump = (jump + 3) & ~(int64_t)3;
        int64_t np;
        if (o->from_beginning)
            np = (int64_t)bbase + jump;
        else if (o->from_end)
            np = (int64_t)b.len + jump;
        else
            np = pos + o->nbytes + jump;
        np += o->post_offset;
        if (np < 0 || np > (int64_t)b.len)
            return false;
        cur[bk] = (size_t)np;
        if (eval(r, m, i + 1, cur, maxend, payload_pos))
            return true;
        cur[bk] = save;
        return false;
    }
    }
    return false;
}

static bool match_ops(const struct rule *r, struct mctx *m, bool prefiltered)
{
    size_t cur[BUF_MAX];
    for (int k = 0; k < BUF_MAX; k++)
        cur[k] = 0;
    cur[BUF_PAYLOAD] = m->base;
    m->steps = 0;
    m->limit_hit = false;
    if (++m->gen == 0) {                 /* wrapped: forget every generation */
        memset(m->memo, 0, sizeof m->memo);
        m->gen = 1;
    }
    /* the fast pattern must be somewhere in its buffer (the prefilter saw to it already) */
    if (r->fp >= 0 && !prefiltered) {
        const struct rop *o = &r->ops[r->fp];
        struct bytes b;
        if (!get_buf(m, o->buf, &b))
            return false;
        const uint8_t *pat = o->pat + o->fp_off;
        size_t n = o->fp_len ? o->fp_len : o->len;
        if (!find(b.p, b.len, pat, n, o->nocase, o->fp_off ? 0 : o->rare))
            return false;
    }
    return eval(r, m, 0, cur, 0, false);
}

bool rules_match_payload(const struct rule *r, const uint8_t *buf, size_t len, size_t base)
{
    struct mctx *m = calloc(1, sizeof *m);
    if (!m)
        return false;
    set_buf(m, BUF_PAYLOAD, buf, len);
    m->base = base;
    m->stream = base > 0;
    m->dir = r->flow_dir == 2 ? DIR_TOCLIENT : DIR_TOSERVER;
    bool ok = match_ops(r, m, false);
    free(m);
    return ok;
}

/* ---- header ---- */

static bool net_has(const struct net *n, uint8_t family, const uint8_t *a)
{
    if (n->family != family)
        return false;
    unsigned bits = n->bits, i = 0;
    for (; bits >= 8; bits -= 8, i++)
        if (n->a[i] != a[i])
            return false;
    if (bits) {
        uint8_t mask = (uint8_t)(0xff << (8 - bits));
        if ((n->a[i] & mask) != (a[i] & mask))
            return false;
    }
    return true;
}

static bool netset_has(const struct netset *s, uint8_t family, const uint8_t *a)
{
    bool in = s->any;
    for (uint32_t i = 0; !in && i < s->npos; i++)
        in = net_has(&s->pos[i], family, a);
    for (uint32_t i = 0; in && i < s->nneg; i++)
        if (net_has(&s->neg[i], family, a))
            in = false;
    return in;
}

static bool portset_has(const struct portset *s, uint16_t p)
{
    bool in = s->any;
    for (uint32_t i = 0; !in && i < s->npos; i++)
        in = p >= s->pos[i].lo && p <= s->pos[i].hi;
    for (uint32_t i = 0; in && i < s->nneg; i++)
        if (p >= s->neg[i].lo && p <= s->neg[i].hi)
            in = false;
    return in;
}

/* What the header needs to know about the bytes at hand. */
struct hdr {
    uint8_t family, l4;
    const uint8_t *src, *dst;
    uint16_t sport, dport;
    bool ports;                  /* TCP/UDP: ports are compared */
    enum flow_dir dir;
    const struct flow *f;
    size_t dsize;
    int tcp_flags;               /* -1 for stream chunks */
    int icmp_type, icmp_code;
};

static bool addr_match(const struct rule *r, const struct hdr *h, bool swap)
{
    const uint8_t *s = swap ? h->dst : h->src, *d = swap ? h->src : h->dst;
    uint16_t sp = swap ? h->dport : h->sport, dp = swap ? h->sport : h->dport;
    if (!netset_has(&r->src, h->family, s) || !netset_has(&r->dst, h->family, d))
        return false;
    if (h->ports && (!portset_has(&r->sp, sp) || !portset_has(&r->dp, dp)))
        return false;
    return true;
}

static bool flow_established(const struct flow *f)
{
    if (f->key.proto == IPPROTO_NUM_TCP)
        return f->tcp_state >= TCPS_ESTABLISHED;
    return f->pkts[DIR_TOSERVER] && f->pkts[DIR_TOCLIENT];
}

static bool fb_test(const struct rflow *rf, uint32_t bit)
{
    return rf && (rf->bits[bit / 8] >> (bit % 8) & 1);
}

static bool size_cmp(uint64_t v, uint8_t op, uint32_t n)
{
    switch (op) {
    case 0: return v < n;
    case 1: return v > n;
    case 2: return v == n;
    case 3: return v != n;
    case 4: return v <= n;
    default: return v >= n;
    }
}

/* stream_size: server = bytes the server sent, client = bytes the client sent, as
 * reassembled up to and including the bytes at hand (a TCP flow's halves; any other flow
 * never matches). A stream chunk is counted by reassembly only after it is delivered. */
static bool stream_size_ok(const struct rule *r, const struct flow *f, bool chunk,
                           enum flow_dir dir, size_t len)
{
    if (!f || f->key.proto != IPPROTO_NUM_TCP)
        return false;
    uint64_t sz[2] = { f->half[DIR_TOSERVER].delivered, f->half[DIR_TOCLIENT].delivered };
    if (chunk)
        sz[dir] += len;
    bool s = size_cmp(sz[DIR_TOCLIENT], r->ssize.op, r->ssize.n);
    bool c = size_cmp(sz[DIR_TOSERVER], r->ssize.op, r->ssize.n);
    switch (r->ssize.who) {
    case 1: return s;
    case 2: return c;
    case 3: return s && c;
    default: return s || c;
    }
}

struct rfl;
static struct rflow *rfl_get(struct rfl *l, bool create);

static bool header_match(const struct rules *rs, const struct rule *r, const struct hdr *h,
                         struct rfl *rfl)
{
    (void)rs;
    /* cheapest first: direction, protocol, ports; addresses and the rest after */
    if (r->flow_dir && (!h->f || (r->flow_dir == 1) != (h->dir == DIR_TOSERVER)))
        return false;
    if (r->app_proto && (!h->f || h->f->app_proto != r->app_proto))
        return false;
    if (h->ports && !r->bidir &&
        (!portset_has(&r->dp, h->dport) || !portset_has(&r->sp, h->sport)))
        return false;
    if (r->ssize.who && !stream_size_ok(r, h->f, h->tcp_flags < 0, h->dir, h->dsize))
        return false;
    for (uint32_t i = 0; i < r->nalp; i++) {
        /* undecided flows match neither a protocol nor its negation (Suricata's reading) */
        if (!h->f || h->f->app_proto == PROTO_NONE)
            return false;
        if ((h->f->app_proto == r->alp[i].proto) == r->alp[i].neg)
            return false;
    }
    if (!addr_match(r, h, false) && !(r->bidir && addr_match(r, h, true)))
        return false;
    if (r->flow_est == 1 && (!h->f || !flow_established(h->f)))
        return false;
    if (r->flow_est == 2 && h->f && flow_established(h->f))
        return false;
    if (r->dsize.set && (h->dsize < r->dsize.lo || h->dsize > r->dsize.hi))
        return false;
    if (r->flags_mode) {
        if (h->tcp_flags < 0)
            return false;
        uint8_t fl = (uint8_t)h->tcp_flags & (uint8_t)~r->flags_ignore;
        switch (r->flags_mode) {
        case '=': if (fl != r->flags_want) return false; break;
        case '+': if ((fl & r->flags_want) != r->flags_want) return false; break;
        case '*': if (!(fl & r->flags_want) && r->flags_want) return false; break;
        case '!': if (fl & r->flags_want) return false; break;
        }
    }
    if (r->itype.set && (h->icmp_type < 0 || (uint32_t)h->icmp_type < r->itype.lo ||
                         (uint32_t)h->icmp_type > r->itype.hi))
        return false;
    if (r->icode.set && (h->icmp_code < 0 || (uint32_t)h->icmp_code < r->icode.lo ||
                         (uint32_t)h->icmp_code > r->icode.hi))
        return false;
    for (uint32_t i = 0; i < r->nfb; i++) {
        const struct fbop *fb = &r->fb[i];
        if (fb->cmd != FB_ISSET && fb->cmd != FB_ISNOTSET)
            continue;
        bool want = fb->cmd == FB_ISSET, ok = !fb->any;
        for (uint32_t k = 0; k < fb->n; k++) {
            bool t = fb_test(rfl_get(rfl, false), fb->bit[k]) == want;
            if (fb->any && t)
                ok = true;
            if (!fb->any && !t)
                ok = false;
        }
        if (!ok)
            return false;
    }
    return true;
}

/* ---- per-flow state ---- */

/* The flow's rule state, on the flow itself (NULL: none yet); created when asked. */
static struct rflow *rflow_get(struct rules_rt *rt, struct flow *f, bool create)
{
    if (!f || f->rules_state || !create)
        return f ? f->rules_state : NULL;
    size_t sz = sizeof(struct rflow) + rt->fbbytes;
    if (rt->st.memuse + sz > rt->memcap) {
        rt->st.flow_memcap_drop++;
        return NULL;
    }
    struct rflow *rf = calloc(1, sz);
    if (!rf) {
        rt->st.flow_memcap_drop++;
        return NULL;
    }
    rf->next = rt->flows;
    if (rt->flows)
        rt->flows->prev = rf;
    rt->flows = rf;
    rt->nflows++;
    rt->st.memuse += sz;
    rt->st.flows_tracked++;
    f->rules_state = rf;
    return rf;
}

/* Frees one direction's stream state (tail, pending head): it starts afresh. */
static void rflow_free_stream(struct rules_rt *rt, struct rflow *rf, int d)
{
    if (rf->tail[d]) {
        free(rf->tail[d]);
        rf->tail[d] = NULL;
        rt->st.memuse -= RULES_STREAM_TAIL;
    }
    if (rf->hdr[d]) {
        free(rf->hdr[d]);
        rf->hdr[d] = NULL;
        rt->st.memuse -= HTTP_HDR_MAX;
    }
    rf->taillen[d] = 0;
    rf->npend[d] = 0;
    rf->hdrlen[d] = 0;
}

static void rflow_free(struct rules_rt *rt, struct rflow *rf)
{
    rt->st.memuse -= sizeof(struct rflow) + rt->fbbytes;
    for (int d = 0; d < 2; d++)
        rflow_free_stream(rt, rf, d);
    free(rf);
}

/* The flow's rule state, looked up only when a rule needs it (flowbits): most packets
 * never do, and each lookup is a cache miss or two. */
struct rfl {
    struct rules_rt *rt;
    struct flow *f;
    struct rflow *rf;
    bool known;
};

static struct rflow *rfl_get(struct rfl *l, bool create)
{
    if (!l->known || (create && !l->rf)) {
        l->rf = rflow_get(l->rt, l->f, create);
        l->known = true;
    }
    return l->rf;
}

void rules_flow_end(struct rules *rs, struct flow *f)
{
    struct rules_rt *rt = rs ? rs->rt : NULL;
    struct rflow *rf = f->rules_state;
    if (!rt || !rf)
        return;
    if (rf->prev)
        rf->prev->next = rf->next;
    else
        rt->flows = rf->next;
    if (rf->next)
        rf->next->prev = rf->prev;
    rt->nflows--;
    rflow_free(rt, rf);
    f->rules_state = NULL;
}

void rules_flow_close(struct rules *rs, struct flow *f)
{
    struct rules_rt *rt = rs ? rs->rt : NULL;
    struct rflow *rf = f->rules_state;
    if (!rt || !rf || f->key.proto != IPPROTO_NUM_TCP)
        return;
    for (int d = 0; d < 2; d++) {
        const struct tcp_half *h = &f->half[d];
        if (!h->fin_seen || h->next_seq != h->fin_seq || h->ooo)
            continue;                        /* more may still be delivered this way */
        rflow_free_stream(rt, rf, d);
    }
}

/* ---- after a match: flowbits, thresholds, the alert ---- */

static bool thresh_ok(struct rules_rt *rt, const struct rule *r, const struct thresh *t,
                      const struct rule_alert *a)
{
    if (!t->type)
        return true;
    const uint8_t *ip = t->by_dst ? a->dst : a->src;
    uint64_t h = 1469598103934665603ull ^ r->index;
    for (int i = 0; i < 16; i++)
        h = (h ^ ip[i]) * 1099511628211ull;
    h ^= t == &r->df;
    struct tslot *s = NULL;
    for (uint32_t k = 0; k < 64; k++) {
        struct tslot *c = &rt->th[(h + k) & (THRESH_SLOTS - 1)];
        if (!c->used || (c->rule == (r->index << 1 | (t == &r->df)) &&
                         c->family == a->family && memcmp(c->addr, ip, 16) == 0)) {
            s = c;
            break;
        }
    }
    if (!s) {
        rt->st.thresh_memcap_drop++;
        return true;                /* cannot track: alert rather than hide */
    }
    if (!s->used) {
        s->used = true;
        s->rule = r->index << 1 | (t == &r->df);
        s->family = a->family;
        memcpy(s->addr, ip, 16);
        s->start_us = a->ts_us;
        s->n = 0;
    }
    if (a->ts_us - s->start_us >= (uint64_t)t->seconds * 1000000) {
        s->start_us = a->ts_us;
        s->n = 0;
    }
    s->n++;
    switch (t->type) {
    case TH_LIMIT: return s->n <= t->count;
    case TH_THRESHOLD:
        if (s->n >= t->count) {
            s->n = 0;
            return true;
        }
        return false;
    case TH_BOTH: return s->n == t->count;
    default: return s->n > t->count;     /* detection_filter */
    }
}

static void on_match(struct rules *rs, const struct rule *r, const struct hdr *h,
                     uint64_t ts_us, struct rfl *rfl)
{
    struct rules_rt *rt = rs->rt;
    for (uint32_t i = 0; i < r->nfb; i++) {
        const struct fbop *fb = &r->fb[i];
        if (fb->cmd == FB_ISSET || fb->cmd == FB_ISNOTSET)
            continue;
        struct rflow *rf = rfl_get(rfl, true);
        if (!rf)
            break;
        for (uint32_t k = 0; k < fb->n; k++) {
            uint8_t *byte = &rf->bits[fb->bit[k] / 8], bit = (uint8_t)(1u << (fb->bit[k] % 8));
            if (fb->cmd == FB_SET)
                *byte |= bit;
            else if (fb->cmd == FB_UNSET)
                *byte &= (uint8_t)~bit;
            else
                *byte ^= bit;
        }
    }
    struct rule_alert a = { .r = r, .f = h->f, .dir = h->dir, .ts_us = ts_us,
                            .family = h->family, .proto = h->l4, .src = h->src, .dst = h->dst,
                            .sport = h->sport, .dport = h->dport };
    for (uint32_t i = 0; i < r->nsupp; i++) {
        const struct rule_supp *su = &r->supp[i];
        if (su->all || netset_has(su->ips, a.family, su->by_dst ? a.dst : a.src)) {
            rt->st.suppressed++;
            return;
        }
    }
    if (rt->th && (!thresh_ok(rt, r, &r->df, &a) || !thresh_ok(rt, r, &r->th, &a))) {
        rt->st.suppressed++;
        return;
    }
    if (r->noalert)
        return;
    rt->st.alerts++;
    if (rt->fn)
        rt->fn(rt->ctx, &a);
}

/* Evaluates one candidate; true when it matched. */
static bool run_rule(struct rules *rs, const struct rule *r, const struct hdr *h,
                     struct mctx *m, uint64_t ts_us, struct rfl *rf, bool *passed)
{
    struct rules_rt *rt = rs->rt;
    if (!header_match(rs, r, h, rf))
        return false;
    /* urilen is a condition of the match as a whole (eval tests it again at the end): one
     * comparison spares evaluating the options of a rule whose URI has the wrong length */
    if (r->urilen.set) {
        struct bytes u;
        if (!get_buf(m, BUF_HTTP_URI, &u) || u.len < r->urilen.lo || u.len > r->urilen.hi)
            return false;
    }
    if (r->nops && !match_ops(r, m, true)) {
        if (m->limit_hit)
            rt->st.backtrack_limit++;
        return false;
    }
    if (r->action == RA_PASS) {
        *passed = true;
        rt->st.pass++;
        return true;
    }
    on_match(rs, r, h, ts_us, rf);
    return true;
}

/* run_rule, timed and counted for --rules-profile. */
static void run_rule_profiled(struct rules *rs, uint32_t idx, const struct hdr *h,
                              struct mctx *m, uint64_t ts_us, struct rfl *rf, bool *passed)
{
    struct rprof *p = &rs->rt->prof[idx];
    uint64_t t0 = pf_now_ns();
    p->matches += run_rule(rs, rs->rule[idx], h, m, ts_us, rf, passed);
    p->ns += pf_now_ns() - t0;
    p->checks++;
}

/* The group's candidates in group order (pass rules first): a pass match ends the rest.
 * rf: the flow's rule state or NULL; tail/pend: for a stream window (see rules_stream). */
static void run_group(struct rules *rs, const struct rgroup *g, const struct hdr *h,
                      struct mctx *m, uint64_t ts_us, struct rfl *rf,
                      const struct pf_tail *tail, const struct pend *pend, unsigned npend)
{
    struct rules_rt *rt = rs->rt;
    bool passed = false;
    pf_scan(g->pf, rt->scratch, get_buf_cb, m, h->f ? h->f->app_proto : PROTO_NONE, g->cand,
            tail);
    pf_scan_hosts(g->pf, h->family, h->src, h->dst, g->cand);
    if (h->ports)
        pf_scan_ports(g->pf, h->sport, h->dport, g->cand);
    for (unsigned k = 0; k < npend; k++)
        g->cand[pend[k].pos / 64] |= 1ull << (pend[k].pos % 64);
    uint32_t words = pf_words(g->pf);
    bool to_server = h->dir == DIR_TOSERVER;
    uint8_t app = h->f ? h->f->app_proto : PROTO_NONE;
    for (uint32_t w = 0; w < words; w++) {
        uint64_t bits = g->cand[w];
        while (bits) {
            uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            const struct hsum *q = &g->sum[i];
            if (passed && !q->pass)
                return;
            if ((q->flow_dir && (!h->f || (q->flow_dir == 1) != to_server)) ||
                (q->app_proto && (!h->f || app != q->app_proto)) ||
                (q->dsize && (h->dsize < q->dsize_lo || h->dsize > q->dsize_hi)) ||
                (h->ports && q->dport && (h->dport < q->dp_lo || h->dport > q->dp_hi)) ||
                (h->ports && q->sport && (h->sport < q->sp_lo || h->sport > q->sp_hi)))
                continue;
            if (rt->prof)
                run_rule_profiled(rs, g->idx[i], h, m, ts_us, rf, &passed);
            else
                run_rule(rs, rs->rule[g->idx[i]], h, m, ts_us, rf, &passed);
        }
    }
}

void rules_packet(struct rules *rs, struct flow *f, enum flow_dir dir, const struct pkt *p)
{
    struct rules_rt *rt = rs ? rs->rt : NULL;
    if (!rt)
        return;
    int g;
    switch (p->proto) {
    case IPPROTO_NUM_TCP: g = G_TCP; break;
    case IPPROTO_NUM_UDP: g = G_UDP; break;
    case IPPROTO_NUM_ICMP: case IPPROTO_NUM_ICMPV6: g = G_ICMP; break;
    default: g = G_OTHER; break;
    }
    if (!rt->g[g].n)
        return;
    bool icmp = g == G_ICMP;
    struct hdr h = { .family = p->family, .l4 = p->proto, .src = p->src, .dst = p->dst,
                     .sport = p->sport, .dport = p->dport, .ports = g == G_TCP || g == G_UDP,
                     .dir = dir, .f = f, .dsize = p->payload_len,
                     .tcp_flags = g == G_TCP ? p->tcp_flags : -1,
                     .icmp_type = icmp ? p->icmp_type : -1, .icmp_code = icmp ? p->icmp_code : -1 };
    struct mctx *m = (struct mctx *)rt->win;   /* scratch: see rules_prepare */
    memset(m, 0, offsetof(struct mctx, uri));
    set_buf(m, BUF_PAYLOAD, p->payload ? p->payload : (const uint8_t *)"", p->payload_len);
    m->dir = dir;
    m->tcp = g == G_TCP;
    struct rfl rfl = { .rt = rt, .f = f };
    run_group(rs, &rt->g[g], &h, m, p->ts_us, &rfl, NULL, NULL, 0);
}

/* After an HTTP chunk: where the body of the message stands for the next one. A body
 * with Content-Length is counted down; a response without one (chunked, or up to the
 * close) lasts until the next message starts; a request without one has no body. Headers
 * that do not end in their chunk leave no body state (docs/rules.md). */
static void http_body_state(struct rules_rt *rt, struct mctx *m, struct rflow *rf,
                            enum flow_dir dir, const uint8_t *chunk, size_t len)
{
    if (!m->http_done)
        http_parse(m);
    if (m->deferred) {
        /* keep the head so far; past HTTP_HDR_MAX it is given up */
        size_t have = rf->hdrlen[dir];
        if (!rf->hdr[dir]) {
            if (rt->st.memuse + HTTP_HDR_MAX > rt->memcap) {
                rt->st.flow_memcap_drop++;
                return;
            }
            rf->hdr[dir] = malloc(HTTP_HDR_MAX);
            if (!rf->hdr[dir])
                return;
            rt->st.memuse += HTTP_HDR_MAX;
            have = 0;
        }
        if (have + len > HTTP_HDR_MAX) {
            rf->hdrlen[dir] = 0;
            return;
        }
        memcpy(rf->hdr[dir] + have, chunk, len);
        rf->hdrlen[dir] = (uint32_t)(have + len);
        rf->body_on[dir] = false;
        return;
    }
    rf->hdrlen[dir] = 0;
    if (!m->http_msg) {
        if (rf->body_on[dir])
            rf->body_seen[dir] += len;
        if (rf->body_on[dir] && rf->body_left[dir] != UINT64_MAX) {
            rf->body_left[dir] -= len < rf->body_left[dir] ? len : rf->body_left[dir];
            rf->body_on[dir] = rf->body_left[dir] > 0;
        }
        return;
    }
    rf->body_on[dir] = false;
    if (!m->hdr_ended)
        return;
    size_t in_chunk = len - m->body_off;
    rf->body_seen[dir] = in_chunk;
    struct bytes cl;
    if (get_buf(m, BUF_HTTP_CONTENT_LEN, &cl)) {
        uint64_t n = 0;
        for (size_t i = 0; i < cl.len && cl.p[i] >= '0' && cl.p[i] <= '9' && n < (1ull << 50); i++)
            n = n * 10 + (uint64_t)(cl.p[i] - '0');
        rf->body_left[dir] = n > in_chunk ? n - in_chunk : 0;
        rf->body_on[dir] = rf->body_left[dir] > 0;
    } else if (dir == DIR_TOCLIENT) {
        rf->body_left[dir] = UINT64_MAX;
        rf->body_on[dir] = true;
    }
}

/* The fast-pattern hits that will still be in the next tail (pf_tail.keep). */
struct keep_ctx {
    struct pend list[PEND_MAX];
    unsigned n;
    bool overflow;
    uint64_t wstart;             /* stream offset of the window's first byte */
};

static void keep_hit(void *ctx, uint32_t pos, size_t start)
{
    struct keep_ctx *k = ctx;
    uint64_t abs = k->wstart + start;
    for (unsigned i = 0; i < k->n; i++)
        if (k->list[i].pos == pos && k->list[i].start == abs)
            return;
    if (k->n == PEND_MAX) {
        k->overflow = true;
        return;
    }
    k->list[k->n++] = (struct pend){ pos, abs };
}

void rules_stream(struct rules *rs, struct flow *f, enum flow_dir dir, uint64_t ts_us,
                  const uint8_t *data, size_t len)
{
    struct rules_rt *rt = rs ? rs->rt : NULL;
    if (!rt || !rt->g[G_STREAM + dir].n || !f)
        return;
    int c = dir == DIR_TOSERVER ? f->client_side : !f->client_side;
    struct hdr h = { .family = f->key.family, .l4 = f->key.proto, .src = f->key.addr[c],
                     .dst = f->key.addr[!c], .sport = f->key.port[c], .dport = f->key.port[!c],
                     .ports = true, .dir = dir, .f = f, .dsize = len, .tcp_flags = -1,
                     .icmp_type = -1, .icmp_code = -1 };
    const struct rgroup *g = &rt->g[G_STREAM + dir];
    /* A few rules (a local rule file): when none of them can match this direction's
     * addresses and ports, it needs no tail, no copy, no scan. */
    if (g->n <= SMALL_GROUP) {
        bool any = false;
        for (uint32_t i = 0; i < g->n && !any; i++) {
            const struct rule *r = rs->rule[g->idx[i]];
            any = addr_match(r, &h, false) || (r->bidir && addr_match(r, &h, true));
        }
        if (!any)
            return;
    }
    struct rflow *rf = rflow_get(rt, f, true);
    if (!data) {                               /* a gap: what came before is not adjacent */
        if (rf) {
            rf->taillen[dir] = 0;
            rf->npend[dir] = 0;
            rf->rescan[dir] = false;
            rf->off[dir] += len;
        }
        return;
    }
    if (!len)
        return;
    size_t tl = rf ? rf->taillen[dir] : 0;
    size_t need = sizeof(struct mctx) + RULES_STREAM_TAIL + len;
    if (need > rt->wincap) {
        uint8_t *w = realloc(rt->win, need);
        if (!w)
            return;
        rt->win = w;
        rt->wincap = need;
    }
    struct mctx *m = (struct mctx *)rt->win;
    uint8_t *win = rt->win + sizeof(struct mctx);
    if (tl)
        memcpy(win, rf->tail[dir], tl);
    memcpy(win + tl, data, len);
    memset(m, 0, offsetof(struct mctx, uri));
    set_buf(m, BUF_PAYLOAD, win, tl + len);
    m->base = tl;
    m->stream = tl > 0;
    m->dir = dir;
    m->tcp = true;
    /* The tail was scanned with the chunks it came in: the prefilter scans only the new
     * bytes and the few before them a pattern may start in; rules whose fast pattern was
     * seen in what is now the tail come back from rf->pend. */
    size_t all = tl + len, keep = all < RULES_STREAM_TAIL ? all : RULES_STREAM_TAIL;
    size_t back = pf_maxlen(g->pf, BUF_PAYLOAD);
    back = back ? back - 1 : 0;
    struct keep_ctx kc = { .n = 0, .wstart = rf ? rf->off[dir] - tl : 0 };
    struct pf_tail pt = { .from = rf && !rf->rescan[dir] && tl > back ? tl - back : 0,
                          .next_tail = all - keep, .keep = keep_hit, .ctx = &kc };
    struct pend cur[PEND_MAX] = { { 0, 0 } };
    unsigned ncur = 0;
    if (rf && !rf->rescan[dir])
        for (unsigned i = 0; i < rf->npend[dir]; i++)
            if (rf->pend[dir][i].start >= kc.wstart) {
                cur[ncur++] = rf->pend[dir][i];
                if (rf->pend[dir][i].start >= kc.wstart + pt.next_tail)
                    keep_hit(&kc, rf->pend[dir][i].pos, rf->pend[dir][i].start - kc.wstart);
            }
    if (rf) {
        m->body_on = rf->body_on[dir];
        m->body_left = rf->body_left[dir];
        m->body_seen = rf->body_seen[dir];
        m->pend_hdr = rf->hdr[dir];
        m->pend_len = rf->hdr[dir] ? rf->hdrlen[dir] : 0;
    }
    struct rfl rfl = { .rt = rt, .f = f, .rf = rf, .known = true };
    run_group(rs, g, &h, m, ts_us, &rfl, &pt, cur, ncur);
    if (!rf)
        return;
    if (f->app_proto == PROTO_HTTP && g->http)
        http_body_state(rt, m, rf, dir, data, len);
    memcpy(rf->pend[dir], kc.list, kc.n * sizeof kc.list[0]);
    rf->npend[dir] = (uint8_t)kc.n;
    rf->rescan[dir] = kc.overflow;
    rf->off[dir] += len;
    /* keep the last bytes for the next chunk */
    if (!rf->tail[dir]) {
        if (rt->st.memuse + RULES_STREAM_TAIL > rt->memcap) {
            rt->st.flow_memcap_drop++;
            rf->npend[dir] = 0;
            return;
        }
        rf->tail[dir] = malloc(RULES_STREAM_TAIL);
        if (!rf->tail[dir]) {
            rf->npend[dir] = 0;
            return;
        }
        rt->st.memuse += RULES_STREAM_TAIL;
    }
    memmove(rf->tail[dir], win + all - keep, keep);
    rf->taillen[dir] = (uint16_t)keep;
}

const struct rules_stats *rules_get_stats(const struct rules *rs)
{
    static const struct rules_stats none;
    return rs && rs->rt ? &rs->rt->st : &none;
}

/* ---- profiling ---- */

static const struct rprof *sort_prof;

static int prof_cmp(const void *a, const void *b)
{
    uint64_t x = sort_prof[*(const uint32_t *)a].ns, y = sort_prof[*(const uint32_t *)b].ns;
    return x < y ? 1 : x > y ? -1 : (*(const uint32_t *)a > *(const uint32_t *)b) -
                                     (*(const uint32_t *)a < *(const uint32_t *)b);
}

void rules_profile_print(const struct rules *rs, FILE *out)
{
    const struct rules_rt *rt = rs->rt;
    if (!rt || !rt->prof)
        return;
    uint32_t *ord = malloc((rs->nrule ? rs->nrule : 1) * sizeof *ord);
    if (!ord) {
        fputs("rules profile: out of memory\n", out);
        return;
    }
    uint64_t checks = 0, ns = 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < rs->nrule; i++) {
        checks += rt->prof[i].checks;
        ns += rt->prof[i].ns;
        if (rt->prof[i].checks)
            ord[n++] = i;
    }
    sort_prof = rt->prof;
    qsort(ord, n, sizeof *ord, prof_cmp);
    uint32_t show = n < rs->profile ? n : rs->profile;
    fprintf(out, "rules profile: %" PRIu64 " checks of %" PRIu32 " rules in %.1f ms; the %"
            PRIu32 " that took longest:\n", checks, n, (double)ns / 1e6, show);
    fprintf(out, "  %4s %-22s %10s %9s %10s %9s  %s\n", "#", "gid:sid:rev", "checks",
            "matches", "total ms", "ns/check", "msg");
    for (uint32_t k = 0; k < show; k++) {
        const struct rule *r = rs->rule[ord[k]];
        const struct rprof *p = &rt->prof[ord[k]];
        char id[40];
        snprintf(id, sizeof id, "%" PRIu32 ":%" PRIu32 ":%" PRIu32, r->gid, r->sid, r->rev);
        fprintf(out, "  %4" PRIu32 " %-22s %10" PRIu64 " %9" PRIu64 " %10.2f %9.0f  %.70s\n",
                k + 1, id, p->checks, p->matches, (double)p->ns / 1e6,
                (double)p->ns / (double)p->checks, r->msg ? r->msg : "");
    }
    free(ord);
    static const char *const gname[G_MAX] = { "stream to server", "stream to client",
                                              "tcp packets", "udp", "icmp", "other ip" };
    fputs("prefilter databases:\n", out);
    fprintf(out, "  %-18s %-22s %8s %10s %10s %10s %10s %7s %8s\n", "group", "buffer",
            "patterns", "scans", "MB", "hits", "total ms", "ns/B", "KiB");
    for (int g = 0; g < G_MAX; g++)
        pf_profile_print(rt->g[g].pf, gname[g], out);
}

/* ---- setup ---- */

static bool group_add(struct rgroup *g, uint32_t idx)
{
    uint32_t *v = realloc(g->idx, (g->n + 1) * sizeof *v);
    if (!v)
        return false;
    g->idx = v;
    g->idx[g->n++] = idx;
    return true;
}

static bool app_on_udp(uint8_t app)
{
    return app == PROTO_DNS || app == PROTO_BT_DHT;
}
static bool app_on_tcp(uint8_t app)
{
    return app != PROTO_BT_DHT;
}

enum bw_status rules_prepare(struct rules *rs, uint64_t memcap, rules_alert_fn fn, void *ctx,
                             struct bw_diag *d)
{
    rules_rt_free(rs);
    struct rules_rt *rt = calloc(1, sizeof *rt);
    if (!rt)
        goto nomem;
    rs->rt = rt;
    rt->fn = fn;
    rt->ctx = ctx;
    rt->memcap = memcap;
    rt->fbbytes = (rs->nfb + 7) / 8;
    rt->wincap = sizeof(struct mctx) + RULES_STREAM_TAIL + 65536;
    rt->win = calloc(1, rt->wincap);     /* the evaluation memo (struct mctx) starts clear */
    if (!rt->win)
        goto nomem;
    if (!rs->tdir_applied) {
        rules_apply_thresholds(rs);
        rs->tdir_applied = true;
    }
    if (rs->profile && !(rt->prof = calloc(rs->nrule ? rs->nrule : 1, sizeof *rt->prof)))
        goto nomem;
    bool th = false;
    /* pass rules first (Snort's default order: pass, then the others), then load order */
    for (int pass = 1; pass >= 0; pass--)
        for (uint32_t i = 0; i < rs->nrule; i++) {
            const struct rule *r = rs->rule[i];
            if ((r->action == RA_PASS) != pass)
                continue;
            th |= r->th.type || r->df.type;
            bool ok = true;
            if (r->stream_mode && r->flow_dir != 2)
                ok &= group_add(&rt->g[G_STREAM + DIR_TOSERVER], i);
            if (r->stream_mode && r->flow_dir != 1)
                ok &= group_add(&rt->g[G_STREAM + DIR_TOCLIENT], i);
            bool tcp = r->proto == RP_TCP || r->proto == RP_IP ||
                       (r->app_proto && app_on_tcp(r->app_proto));
            bool udp = r->proto == RP_UDP || r->proto == RP_IP ||
                       (r->app_proto && app_on_udp(r->app_proto));
            if (r->app_proto)
                tcp = app_on_tcp(r->app_proto), udp = app_on_udp(r->app_proto);
            if (tcp && !r->stream_mode)
                ok &= group_add(&rt->g[G_TCP], i);
            if (udp)
                ok &= group_add(&rt->g[G_UDP], i);
            if ((r->proto == RP_ICMP || r->proto == RP_IP) && !r->app_proto)
                ok &= group_add(&rt->g[G_ICMP], i);
            if (r->proto == RP_IP && !r->app_proto)
                ok &= group_add(&rt->g[G_OTHER], i);
            if (!ok)
                goto nomem;
        }
    for (int g = 0; g < G_MAX; g++) {
        struct rgroup *gr = &rt->g[g];
        if (!gr->n)
            continue;
        bool ports = g == G_STREAM || g == G_STREAM_TC || g == G_TCP || g == G_UDP;
        /* TCP segments: the DNS rules' patterns (DNS over TCP) only on DNS flows */
        enum bw_status st = pf_build(rs, gr->idx, gr->n, ports, g == G_TCP, &gr->pf,
                                     &rt->scratch, d);
        if (st != BW_OK)
            return st;
        if (rs->profile && !pf_profile(gr->pf))
            goto nomem;
        gr->cand = calloc(pf_words(gr->pf), sizeof *gr->cand);
        gr->sum = calloc(gr->n, sizeof *gr->sum);
        if (!gr->cand || !gr->sum)
            goto nomem;
        for (uint32_t i = 0; i < gr->n; i++) {
            const struct rule *r = rs->rule[gr->idx[i]];
            struct hsum *q = &gr->sum[i];
            gr->http |= r->urilen.set;
            for (uint32_t k = 0; k < r->nops; k++)
                gr->http |= r->ops[k].buf >= BUF_HTTP_URI && r->ops[k].buf <= BUF_HTTP_REFERER;
            q->flow_dir = r->flow_dir;
            q->app_proto = r->app_proto;
            q->pass = r->action == RA_PASS;
            q->dsize = r->dsize.set;
            q->dsize_lo = r->dsize.lo;
            q->dsize_hi = r->dsize.hi;
            /* a port set of one range (header_match tests it when the rule is one-way) */
            if (!r->bidir && !r->dp.any && r->dp.npos == 1 && !r->dp.nneg) {
                q->dport = true;
                q->dp_lo = r->dp.pos[0].lo;
                q->dp_hi = r->dp.pos[0].hi;
            }
            if (!r->bidir && !r->sp.any && r->sp.npos == 1 && !r->sp.nneg) {
                q->sport = true;
                q->sp_lo = r->sp.pos[0].lo;
                q->sp_hi = r->sp.pos[0].hi;
            }
        }
    }
    if (th) {
        rt->th = calloc(THRESH_SLOTS, sizeof *rt->th);
        if (!rt->th)
            goto nomem;
        rt->st.memuse += THRESH_SLOTS * sizeof *rt->th;
    }
    return BW_OK;
nomem:
    snprintf(d->msg, sizeof d->msg, "out of memory preparing %u rules", rs->nrule);
    return BW_E_NOMEM;
}

void rules_rt_free(struct rules *rs)
{
    struct rules_rt *rt = rs->rt;
    if (!rt)
        return;
    while (rt->flows) {                       /* the flows' pointers: engine_rules_swap */
        struct rflow *rf = rt->flows;
        rt->flows = rf->next;
        rflow_free(rt, rf);
    }
    for (int g = 0; g < G_MAX; g++) {
        free(rt->g[g].idx);
        free(rt->g[g].cand);
        free(rt->g[g].sum);
        pf_free(rt->g[g].pf);
    }
    if (rt->scratch)
        pf_free_scratch(rt->scratch);
    free(rt->th);
    free(rt->win);
    free(rt->prof);
    free(rt);
    rs->rt = NULL;
}
