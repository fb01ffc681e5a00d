/* SPDX-License-Identifier: MIT
 * prefilter.c — the multi-pattern prefilter (Vectorscan): for one group of rules, every
 * rule's fast pattern goes into one literal database per buffer it lives in; a scan of each
 * buffer marks the rules whose fast pattern occurs, and only those (plus the rules without
 * any fast pattern) are evaluated, in the group's order. The same pattern from several rules
 * is compiled once. The databases are built at startup and read-only afterwards. */
#include "rules/prefilter.h"

#include <hs.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The buffers that are stretches of the payload (an HTTP body, the head, a header value):
 * their patterns go into the payload's database, and a hit counts for them when it lies in
 * their stretch. The body is then scanned once, not twice, a request's head is not scanned
 * again for each of its buffers, and there are fewer databases to compile (Vectorscan takes
 * 50-100 ms for some of these few-hundred-pattern sets). The decoded URI, the header names
 * and the lowercased host are copies and keep databases of their own. When
 * the buffer is not inside the payload (a message head that spanned segments is a copy),
 * the database is run over it too, the other buffers' hits ignored. */
#define PF_IN_PAYLOAD                                                                      \
    ((1u << BUF_FILE_DATA) | (1u << BUF_HTTP_CLIENT_BODY) | (1u << BUF_HTTP_UA) |           \
     (1u << BUF_HTTP_HEADER) | (1u << BUF_HTTP_RAW_HEADER) | (1u << BUF_HTTP_COOKIE) |      \
     (1u << BUF_HTTP_METHOD) | (1u << BUF_HTTP_RAW_URI) | (1u << BUF_HTTP_REQUEST_LINE) |   \
     (1u << BUF_HTTP_START) | (1u << BUF_HTTP_CONTENT_TYPE) | (1u << BUF_HTTP_CONNECTION) | \
     (1u << BUF_HTTP_ACCEPT) | (1u << BUF_HTTP_REFERER) | (1u << BUF_HTTP_RAW_HOST) |       \
     (1u << BUF_HTTP_RESPONSE_LINE) | (1u << BUF_HTTP_STAT_CODE) |                          \
     (1u << BUF_HTTP_STAT_MSG) | (1u << BUF_HTTP_PROTOCOL) | (1u << BUF_HTTP_CONTENT_LEN) | \
     (1u << BUF_HTTP_ACCEPT_ENC) | (1u << BUF_HTTP_ACCEPT_LANG))

static unsigned db_of(unsigned buf)
{
    return PF_IN_PAYLOAD >> buf & 1 ? BUF_PAYLOAD : buf;
}

struct pf_db {
    uint32_t npat;
    uint8_t buf;
    uint8_t app;                /* 0, or the app_proto of all its rules (see pf_build) */
    uint32_t bufs;              /* the payload database: the other buffers it has patterns of */
    uint8_t *pbuf;              /* by pattern id: its buffer */
    hs_database_t *db;
    uint32_t maxlen;            /* the longest pattern of buf */
    uint32_t *len;              /* by pattern id: its length */
    uint32_t *first, *count;    /* by pattern id: its rules in rlist */
    uint32_t *rlist;            /* group positions */
};

/* Rules without a fast pattern whose source or destination is a list of single hosts (the
 * botcc and compromised-host lists: hundreds of rules of dozens of addresses each) are
 * found by address instead: a hash of host -> rules, looked up with the packet's two
 * addresses. A hit is a superset of the header match, which is still done. */
struct pf_host {
    uint8_t family, a[16];
    uint32_t pos;
    uint32_t next;              /* chain, 1-based, 0 ends */
};

/* Rules with neither a fast pattern nor a host list but a specific port set (ET's scan and
 * policy rules: "inbound to port 1433" and the like) are found by port: a table of port ->
 * rules (CSR: pstart[port]..pstart[port+1] in plist), looked up with both of the packet's
 * ports, a superset of the header's port test for either direction. */
enum { PF_MAX_PORTS = 1024,     /* rules naming more ports stay in always */
       PF_FEW = 32, PF_FEW_LEN = 8,  /* a payload database of so few patterns (the ICMP and
                                        other-IP groups') gets their first 8 bytes: Vectorscan
                                        took 60 ms to compile ICMP's two dozen long binary
                                        literals, 1 ms so */
       PF_BLOOM_BITS = 1 << 15,
       PF_WEAK_PATTERN = 3,     /* shorter fast patterns: by host where possible */
       PF_PORT_PATTERN = 2 };   /* shorter ones: by port where possible (a two-byte pattern
                                   hits a few chunks in a hundred; a port, all of its flow) */

/* What one database did, when profiling (pf_profile). */
struct pf_stat {
    uint64_t scans, bytes, hits, ns;
};

struct prefilter {
    uint32_t n, words;
    struct pf_stat *stat;       /* by database; NULL: not profiling */
    uint64_t *always;           /* rules found by none of the indexes */
    uint32_t *pstart, *plist;   /* the port index, NULL when the group has none */
    uint64_t pany[65536 / 64];  /* a bit per port that has rules: an ephemeral port mostly
                                   has none, and this says so without missing the cache on
                                   pstart (256 KiB) */
    struct pf_db *db;
    unsigned ndb;
    struct pf_host *host;
    uint32_t nhost, *hbucket, hmask;
    uint64_t hbloom[PF_BLOOM_BITS / 64];  /* a bit per host hash: most addresses are in no
                                             list, and this says so without a cache miss */
};

static uint32_t host_hash(uint8_t family, const uint8_t *a)
{
    uint32_t h = 2166136261u ^ family;
    for (int i = 0; i < (family == 4 ? 4 : 16); i++)
        h = (h ^ a[i]) * 16777619u;
    return h;
}

/* A pos-only list of single hosts, worth indexing. */
static bool host_list(const struct netset *s)
{
    if (s->any || s->nneg || s->npos < 1)
        return false;
    for (uint32_t i = 0; i < s->npos; i++)
        if (s->pos[i].bits != (s->pos[i].family == 4 ? 32 : 128))
            return false;
    return true;
}

/* The ports of a pos-only port set, or 0 when it is any, negated, or too wide. */
static uint32_t port_count(const struct portset *s)
{
    if (s->any || s->nneg || !s->npos)
        return 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->npos; i++)
        n += (uint32_t)s->pos[i].hi - s->pos[i].lo + 1;
    return n > PF_MAX_PORTS ? 0 : n;
}

static const struct portset *index_ports_of(const struct rule *r)
{
    if (port_count(&r->dp))
        return &r->dp;
    if (port_count(&r->sp))
        return &r->sp;
    return NULL;
}

static enum bw_status index_ports(struct prefilter *pf, const struct rules *rs,
                                  const uint32_t *idx, const uint32_t *pos, uint32_t np)
{
    pf->pstart = calloc(65537, sizeof *pf->pstart);
    if (!pf->pstart)
        return BW_E_NOMEM;
    uint32_t total = 0;
    for (uint32_t k = 0; k < np; k++) {
        const struct portset *ps = index_ports_of(rs->rule[idx[pos[k]]]);
        for (uint32_t i = 0; i < ps->npos; i++)
            for (uint32_t p = ps->pos[i].lo; p <= ps->pos[i].hi; p++) {
                pf->pstart[p + 1]++;
                total++;
            }
    }
    for (uint32_t p = 0; p < 65536; p++) {
        if (pf->pstart[p + 1])
            pf->pany[p / 64] |= 1ull << (p % 64);
        pf->pstart[p + 1] += pf->pstart[p];
    }
    pf->plist = calloc(total ? total : 1, sizeof *pf->plist);
    uint32_t *fill = calloc(65536, sizeof *fill);
    if (!pf->plist || !fill) {
        free(fill);
        return BW_E_NOMEM;
    }
    for (uint32_t k = 0; k < np; k++) {
        const struct portset *ps = index_ports_of(rs->rule[idx[pos[k]]]);
        for (uint32_t i = 0; i < ps->npos; i++)
            for (uint32_t p = ps->pos[i].lo; p <= ps->pos[i].hi; p++)
                pf->plist[pf->pstart[p] + fill[p]++] = pos[k];
    }
    free(fill);
    return BW_OK;
}

void pf_scan_ports(const struct prefilter *pf, uint16_t sport, uint16_t dport, uint64_t *bits)
{
    if (!pf->pstart)
        return;
    uint16_t port[2] = { sport, dport };
    for (int k = 0; k < (sport == dport ? 1 : 2); k++) {
        if (!(pf->pany[port[k] / 64] >> (port[k] % 64) & 1))
            continue;
        for (uint32_t i = pf->pstart[port[k]]; i < pf->pstart[port[k] + 1]; i++)
            bits[pf->plist[i] / 64] |= 1ull << (pf->plist[i] % 64);
    }
}

static enum bw_status index_hosts(struct prefilter *pf, const struct rules *rs,
                                  const uint32_t *idx, uint32_t n, const uint32_t *hostpos,
                                  uint32_t nh)
{
    uint32_t total = 0;
    for (uint32_t k = 0; k < nh; k++) {
        const struct rule *r = rs->rule[idx[hostpos[k]]];
        total += host_list(&r->dst) ? r->dst.npos : r->src.npos;
    }
    (void)n;
    uint32_t nb = 1;
    while (nb < total * 2)
        nb <<= 1;
    pf->host = calloc(total ? total : 1, sizeof *pf->host);
    pf->hbucket = calloc(nb, sizeof *pf->hbucket);
    if (!pf->host || !pf->hbucket)
        return BW_E_NOMEM;
    pf->hmask = nb - 1;
    for (uint32_t k = 0; k < nh; k++) {
        const struct rule *r = rs->rule[idx[hostpos[k]]];
        const struct netset *s = host_list(&r->dst) ? &r->dst : &r->src;
        for (uint32_t i = 0; i < s->npos; i++) {
            struct pf_host *h = &pf->host[pf->nhost];
            h->family = s->pos[i].family;
            memcpy(h->a, s->pos[i].a, 16);
            h->pos = hostpos[k];
            uint32_t hh = host_hash(h->family, h->a), b = hh & pf->hmask;
            uint32_t bit = hh >> 17 & (PF_BLOOM_BITS - 1);
            pf->hbloom[bit / 64] |= 1ull << (bit % 64);
            h->next = pf->hbucket[b];
            pf->hbucket[b] = ++pf->nhost;
        }
    }
    return BW_OK;
}

void pf_scan_hosts(const struct prefilter *pf, uint8_t family, const uint8_t *src,
                   const uint8_t *dst, uint64_t *bits)
{
    if (!pf->nhost)
        return;
    const uint8_t *addr[2] = { src, dst };
    for (int k = 0; k < 2; k++) {
        uint32_t hh = host_hash(family, addr[k]);
        uint32_t bit = hh >> 17 & (PF_BLOOM_BITS - 1);
        if (!(pf->hbloom[bit / 64] >> (bit % 64) & 1))
            continue;
        uint32_t e = pf->hbucket[hh & pf->hmask];
        while (e) {
            const struct pf_host *h = &pf->host[e - 1];
            if (h->family == family && memcmp(h->a, addr[k], family == 4 ? 4 : 16) == 0)
                bits[h->pos / 64] |= 1ull << (h->pos % 64);
            e = h->next;
        }
    }
}

struct pf_ent {
    const uint8_t *pat;
    size_t len;
    uint32_t pos;
    uint8_t buf, app;
    bool nocase;
};

static int ent_cmp(const void *a, const void *b)
{
    const struct pf_ent *x = a, *y = b;
    if (db_of(x->buf) != db_of(y->buf))
        return db_of(x->buf) < db_of(y->buf) ? -1 : 1;
    if (x->app != y->app)
        return x->app < y->app ? -1 : 1;
    if (x->buf != y->buf)
        return x->buf < y->buf ? -1 : 1;
    if (x->nocase != y->nocase)
        return x->nocase ? 1 : -1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    int c = memcmp(x->pat, y->pat, x->len);
    if (c)
        return c;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static bool same_pat(const struct pf_ent *x, const struct pf_ent *y)
{
    return x->buf == y->buf && x->nocase == y->nocase && x->len == y->len &&
           memcmp(x->pat, y->pat, x->len) == 0;
}

/* Compiles the entries e[0..n) (one buffer, sorted) into d. */
static enum bw_status build_db(struct pf_db *d, const struct pf_ent *e, uint32_t n,
                               struct bw_diag *diag)
{
    uint32_t npat = 0;
    for (uint32_t i = 0; i < n; i++)
        if (i == 0 || !same_pat(&e[i - 1], &e[i]))
            npat++;
    const char **expr = calloc(npat, sizeof *expr);
    unsigned *flags = calloc(npat, sizeof *flags), *ids = calloc(npat, sizeof *ids);
    size_t *lens = calloc(npat, sizeof *lens);
    d->first = calloc(npat, sizeof *d->first);
    d->len = calloc(npat, sizeof *d->len);
    d->count = calloc(npat, sizeof *d->count);
    d->rlist = calloc(n, sizeof *d->rlist);
    d->pbuf = calloc(npat, sizeof *d->pbuf);
    enum bw_status st = BW_E_NOMEM;
    if (!expr || !flags || !ids || !lens || !d->first || !d->len || !d->count || !d->rlist ||
        !d->pbuf) {
        snprintf(diag->msg, sizeof diag->msg, "out of memory building the prefilter");
        goto out;
    }
    uint32_t p = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0 && !same_pat(&e[i - 1], &e[i]))
            p++;
        if (i == 0 || !same_pat(&e[i - 1], &e[i])) {
            size_t len = d->buf == BUF_PAYLOAD && npat <= PF_FEW && e[i].len > PF_FEW_LEN
                             ? PF_FEW_LEN : e[i].len;
            expr[p] = (const char *)e[i].pat;
            lens[p] = len;
            /* another buffer's pattern may first hit outside that buffer's stretch */
            bool own = e[i].buf == d->buf;
            flags[p] = (own ? HS_FLAG_SINGLEMATCH : 0) | (e[i].nocase ? HS_FLAG_CASELESS : 0);
            ids[p] = p;
            d->first[p] = i;
            d->len[p] = (uint32_t)len;
            d->pbuf[p] = e[i].buf;
            if (!own)
                d->bufs |= 1u << e[i].buf;
            if (own && len > d->maxlen)
                d->maxlen = (uint32_t)len;
        }
        d->count[p]++;
        d->rlist[i] = e[i].pos;
    }
    d->npat = npat;
    hs_compile_error_t *err = NULL;
    if (hs_compile_lit_multi(expr, flags, ids, lens, npat, HS_MODE_BLOCK, NULL, &d->db, &err) !=
        HS_SUCCESS) {
        snprintf(diag->msg, sizeof diag->msg, "prefilter (%s): %s", rule_buf_name[e[0].buf],
                 err && err->message ? err->message : "compile failed");
        hs_free_compile_error(err);
        st = BW_E_SYNTAX;
        goto out;
    }
    st = BW_OK;
out:
    free(expr);
    free(flags);
    free(ids);
    free(lens);
    return st;
}

enum bw_status pf_build(const struct rules *rs, const uint32_t *idx, uint32_t n, bool ports,
                        bool by_app, struct prefilter **out, void **scratch, struct bw_diag *d)
{
    *out = NULL;
    struct prefilter *pf = calloc(1, sizeof *pf);
    struct pf_ent *e = calloc(n ? n : 1, sizeof *e);
    uint32_t words = (n + 63) / 64;
    if (pf)
        pf->always = calloc(words ? words : 1, sizeof *pf->always);
    if (!pf || !e || !pf->always) {
        free(e);
        pf_free(pf);
        snprintf(d->msg, sizeof d->msg, "out of memory building the prefilter");
        return BW_E_NOMEM;
    }
    pf->n = n;
    pf->words = words;
    uint32_t ne = 0, nh = 0, np = 0;
    uint32_t *hostpos = calloc(n ? n : 1, sizeof *hostpos);
    uint32_t *portpos = calloc(n ? n : 1, sizeof *portpos);
    if (!hostpos || !portpos) {
        free(hostpos);
        free(portpos);
        free(e);
        pf_free(pf);
        snprintf(d->msg, sizeof d->msg, "out of memory building the prefilter");
        return BW_E_NOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        const struct rule *r = rs->rule[idx[i]];
        if (r->fp < 0) {
            if (host_list(&r->dst) || host_list(&r->src))
                hostpos[nh++] = i;
            else if (ports && index_ports_of(r))
                portpos[np++] = i;
            else
                pf->always[i / 64] |= 1ull << (i % 64);
            continue;
        }
        const struct rop *o = &r->ops[r->fp];
        const uint8_t *pat = o->pat + o->fp_off;
        size_t len = o->fp_len ? o->fp_len : o->len;
        /* Vectorscan's literal API takes a pattern starting with NUL for an empty one: a
         * part of the pattern is as good a prefilter, so the leading NULs are left out */
        while (len && pat[0] == 0)
            pat++, len--;
        /* a pattern of a byte or two is in almost every packet: a host list or a port set
         * says more */
        if (len < PF_WEAK_PATTERN && (host_list(&r->dst) || host_list(&r->src))) {
            hostpos[nh++] = i;
            continue;
        }
        if (len < PF_PORT_PATTERN && ports && index_ports_of(r)) {
            portpos[np++] = i;
            continue;
        }
        if (!len) {
            pf->always[i / 64] |= 1ull << (i % 64);
            continue;
        }
        e[ne++] = (struct pf_ent){ .pat = pat, .len = len, .pos = i, .buf = o->buf,
                                   .nocase = o->nocase, .app = by_app ? r->app_proto : 0 };
    }
    qsort(e, ne, sizeof *e, ent_cmp);
    enum bw_status st = index_hosts(pf, rs, idx, n, hostpos, nh);
    if (st == BW_OK && np)
        st = index_ports(pf, rs, idx, portpos, np);
    free(hostpos);
    free(portpos);
    if (st != BW_OK)
        snprintf(d->msg, sizeof d->msg, "out of memory building the prefilter");
    /* a database per buffer (those inside the payload with it), and with by_app per
     * app_proto: a rule of an app_proto only matches flows of it */
    uint32_t nkeys = 0;
    for (uint32_t i = 0; i < ne; i++)
        nkeys += i == 0 || db_of(e[i].buf) != db_of(e[i - 1].buf) || e[i].app != e[i - 1].app;
    if (st == BW_OK && nkeys && !(pf->db = calloc(nkeys, sizeof *pf->db))) {
        snprintf(d->msg, sizeof d->msg, "out of memory building the prefilter");
        st = BW_E_NOMEM;
    }
    for (uint32_t i = 0; i < ne && st == BW_OK;) {
        uint32_t j = i;
        while (j < ne && db_of(e[j].buf) == db_of(e[i].buf) && e[j].app == e[i].app)
            j++;
        struct pf_db *db = &pf->db[pf->ndb++];
        db->buf = (uint8_t)db_of(e[i].buf);
        db->app = e[i].app;
        st = build_db(db, e + i, j - i, d);
        if (st == BW_OK && hs_alloc_scratch(db->db, (hs_scratch_t **)scratch) != HS_SUCCESS) {
            snprintf(d->msg, sizeof d->msg, "prefilter: cannot allocate scratch space");
            st = BW_E_NOMEM;
        }
        i = j;
    }
    free(e);
    if (st != BW_OK) {
        pf_free(pf);
        return st;
    }
    *out = pf;
    return BW_OK;
}

struct scan_ctx {
    const struct pf_db *db;
    uint64_t hits;               /* counted when profiling */
    uint64_t *bits;
    const struct pf_tail *tail;  /* payload of a stream window, or NULL */
    bool own;                    /* the scan is of the database's own buffer */
    unsigned long long lo[BUF_MAX], hi[BUF_MAX];   /* the other buffers' stretches */
};

static int on_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx)
{
    (void)from;
    (void)flags;
    struct scan_ctx *c = ctx;
    const struct pf_db *d = c->db;
    const struct pf_tail *t = c->tail;
    unsigned b = d->pbuf[id];
    if (b != d->buf) {
        if (to - d->len[id] < c->lo[b] || to > c->hi[b])
            return 0;
        t = NULL;
    } else if (!c->own) {
        return 0;
    }
    c->hits++;
    /* a hit that will still be in the next chunk's tail: its rules are kept for then */
    bool keep = t && t->from + to - d->len[id] >= t->next_tail;
    for (uint32_t k = 0; k < d->count[id]; k++) {
        uint32_t pos = d->rlist[d->first[id] + k];
        c->bits[pos / 64] |= 1ull << (pos % 64);
        if (keep)
            t->keep(t->ctx, pos, t->from + to - d->len[id]);
    }
    return 0;
}

uint64_t pf_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void pf_scan(const struct prefilter *pf, void *scratch, pf_getbuf_fn get, void *m,
             uint8_t app, uint64_t *bits, const struct pf_tail *tail)
{
    memcpy(bits, pf->always, pf->words * sizeof *bits);
    for (unsigned i = 0; i < pf->ndb; i++) {
        const struct pf_db *d = &pf->db[i];
        if (d->app && d->app != app)
            continue;
        struct scan_ctx c = { .db = d, .bits = bits, .own = true };
        struct bytes b;
        bool have = get(m, d->buf, &b) && b.len > 0 && b.len <= UINT32_MAX;
        if (have && tail && d->buf == BUF_PAYLOAD) {
            c.tail = tail;
            have = tail->from <= b.len;
            if (have) {
                b.p += tail->from;
                b.len -= tail->from;
            }
        }
        /* the other buffers: stretches of this scan, or scanned on their own after it */
        struct bytes other[BUF_MAX];
        uint32_t alone = 0;
        for (unsigned k = 0; d->bufs >> k; k++) {
            if (!(d->bufs >> k & 1) || !get(m, k, &other[k]) || other[k].len == 0 ||
                other[k].len > UINT32_MAX)
                continue;
            if (have && other[k].p >= b.p && other[k].p + other[k].len <= b.p + b.len) {
                c.lo[k] = (unsigned long long)(other[k].p - b.p);
                c.hi[k] = c.lo[k] + other[k].len;
            } else {
                alone |= 1u << k;
            }
        }
        struct pf_stat *st = pf->stat ? &pf->stat[i] : NULL;
        uint64_t t0 = st ? pf_now_ns() : 0;
        if (have && b.len) {
            hs_scan(d->db, (const char *)b.p, (unsigned)b.len, 0, scratch, on_hit, &c);
            if (st) {
                st->scans++;
                st->bytes += b.len;
            }
        }
        for (unsigned k = 0; alone >> k; k++) {
            if (!(alone >> k & 1))
                continue;
            struct scan_ctx o = { .db = d, .bits = bits, .own = false };
            o.hi[k] = other[k].len;
            hs_scan(d->db, (const char *)other[k].p, (unsigned)other[k].len, 0, scratch,
                    on_hit, &o);
            if (st) {
                st->scans++;
                st->bytes += other[k].len;
                st->hits += o.hits;
            }
        }
        if (st) {
            st->hits += c.hits;
            st->ns += pf_now_ns() - t0;
        }
    }
}

bool pf_profile(struct prefilter *pf)
{
    if (!pf || pf->stat || !pf->ndb)
        return true;
    pf->stat = calloc(pf->ndb, sizeof *pf->stat);
    return pf->stat != NULL;
}

void pf_profile_print(const struct prefilter *pf, const char *group, FILE *out)
{
    for (unsigned i = 0; pf && pf->stat && i < pf->ndb; i++) {
        const struct pf_db *d = &pf->db[i];
        const struct pf_stat *st = &pf->stat[i];
        char buf[48];
        if (d->app)
            snprintf(buf, sizeof buf, "%s (app %u)", rule_buf_name[d->buf], d->app);
        else
            snprintf(buf, sizeof buf, "%s", rule_buf_name[d->buf]);
        size_t size = 0;
        hs_database_size(d->db, &size);
        fprintf(out, "  %-18s %-22s %8" PRIu32 " %10" PRIu64 " %10.1f %10" PRIu64
                " %10.1f %7.1f %8zu\n", group, buf, d->npat, st->scans,
                (double)st->bytes / 1e6, st->hits, (double)st->ns / 1e6,
                st->bytes ? (double)st->ns / (double)st->bytes : 0.0, (size + 1023) / 1024);
    }
}

uint32_t pf_maxlen(const struct prefilter *pf, unsigned buf)
{
    uint32_t max = 0;
    for (unsigned i = 0; pf && i < pf->ndb; i++)
        if (pf->db[i].buf == buf && pf->db[i].maxlen > max)
            max = pf->db[i].maxlen;
    return max;
}

uint32_t pf_words(const struct prefilter *pf)
{
    return pf ? pf->words : 0;
}

void pf_free(struct prefilter *pf)
{
    if (!pf)
        return;
    for (unsigned i = 0; i < pf->ndb; i++) {
        hs_free_database(pf->db[i].db);
        free(pf->db[i].first);
        free(pf->db[i].len);
        free(pf->db[i].count);
        free(pf->db[i].rlist);
        free(pf->db[i].pbuf);
    }
    free(pf->db);
    free(pf->stat);
    free(pf->always);
    free(pf->pstart);
    free(pf->plist);
    free(pf->host);
    free(pf->hbucket);
    free(pf);
}

void pf_free_scratch(void *scratch)
{
    hs_free_scratch(scratch);
}
