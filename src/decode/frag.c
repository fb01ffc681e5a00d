/* SPDX-License-Identifier: MIT
 * frag.c — IP fragment reassembly (RFC 791 3.2, RFC 8200 4.5) for IPv4 and IPv6.
 * A datagram is a sorted list of non-overlapping pieces. A new fragment fills only the holes
 * (first copy wins, as Linux does for IPv6 and as Snort's "first" policy does); overlapping
 * bytes are compared and a difference is counted, since differing overlaps are an evasion
 * technique (Ptacek & Newsham 1998). Memory is capped; a datagram whose fragments exceed the
 * cap, or that is not complete within the timeout (packet time), is dropped and counted. */
#include "decode/frag.h"

#include <stdlib.h>
#include <string.h>

enum { FRAG_BUCKETS = 4096, FRAG_MAX_DGRAM = 65535, FRAG_MAX_PIECES = 512 };

struct frag_piece {
    struct frag_piece *next;
    uint32_t off, len;
    uint8_t data[];
};

struct frag_dgram {
    struct frag_dgram *hnext;              /* hash chain */
    struct frag_dgram *older, *newer;      /* age list */
    uint8_t family, proto;
    uint8_t src[16], dst[16];
    uint32_t id;
    uint64_t first_us;
    uint32_t end;                          /* datagram length, once the last fragment is seen */
    uint32_t have;                         /* bytes held (pieces never overlap) */
    uint32_t pkts, npieces;
    uint64_t wirebytes;
    uint64_t mem;
    struct frag_piece *pieces;             /* sorted by offset */
};

int frag_table_init(struct frag_table *t, struct bw_stats *stats, const struct frag_limits *lim)
{
    memset(t, 0, sizeof *t);
    t->lim = *lim;
    t->stats = stats;
    t->nbucket = FRAG_BUCKETS;
    t->bucket = calloc(t->nbucket, sizeof *t->bucket);
    return t->bucket ? 0 : -1;
}

static size_t bucket_of(const struct frag_table *t, const struct frag_in *in)
{
    uint32_t h = in->id * 2654435761u ^ in->proto;
    size_t alen = in->family == 4 ? 4 : 16;
    for (size_t i = 0; i < alen; i++)
        h = (h ^ in->src[i] ^ (uint32_t)in->dst[i] << 8) * 16777619u;
    return h & (t->nbucket - 1);
}

static void dgram_free(struct frag_table *t, struct frag_dgram *g)
{
    /* unlink from the hash chain */
    struct frag_in key = { .family = g->family, .proto = g->proto, .src = g->src,
                           .dst = g->dst, .id = g->id };
    struct frag_dgram **pp = &t->bucket[bucket_of(t, &key)];
    while (*pp && *pp != g)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = g->hnext;
    /* and from the age list */
    if (g->older)
        g->older->newer = g->newer;
    else
        t->oldest = g->newer;
    if (g->newer)
        g->newer->older = g->older;
    else
        t->newest = g->older;
    for (struct frag_piece *p = g->pieces, *n; p; p = n) {
        n = p->next;
        free(p);
    }
    t->stats->frag.memuse -= g->mem;
    free(g);
}

void frag_table_free(struct frag_table *t)
{
    while (t->oldest) {
        t->stats->frag.incomplete++;
        dgram_free(t, t->oldest);
    }
    free(t->bucket);
    free(t->out);
    memset(t, 0, sizeof *t);
}

void frag_expire(struct frag_table *t, uint64_t now_us)
{
    while (t->oldest && now_us - t->oldest->first_us > t->lim.timeout_us) {
        t->stats->frag.timeout++;
        dgram_free(t, t->oldest);
    }
}

static bool mem_take(struct frag_table *t, struct frag_dgram *g, uint64_t n)
{
    if (t->stats->frag.memuse + n > t->lim.memcap)
        return false;
    stats_mem_add(&t->stats->frag.memuse, &t->stats->frag.memuse_peak, n);
    g->mem += n;
    return true;
}

static struct frag_dgram *lookup(struct frag_table *t, const struct frag_in *in, bool *fresh)
{
    size_t alen = in->family == 4 ? 4 : 16;
    size_t b = bucket_of(t, in);
    for (struct frag_dgram *g = t->bucket[b]; g; g = g->hnext)
        if (g->id == in->id && g->proto == in->proto && g->family == in->family &&
            memcmp(g->src, in->src, alen) == 0 && memcmp(g->dst, in->dst, alen) == 0) {
            *fresh = false;
            return g;
        }
    if (t->stats->frag.memuse + sizeof(struct frag_dgram) > t->lim.memcap)
        return NULL;
    struct frag_dgram *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->family = in->family;
    g->proto = in->proto;
    memcpy(g->src, in->src, alen);
    memcpy(g->dst, in->dst, alen);
    g->id = in->id;
    g->first_us = in->ts_us;
    mem_take(t, g, sizeof *g);
    g->hnext = t->bucket[b];
    t->bucket[b] = g;
    g->older = t->newest;
    if (t->newest)
        t->newest->newer = g;
    else
        t->oldest = g;
    t->newest = g;
    *fresh = true;
    return g;
}

/* Inserts data[from..to) (datagram offsets) as a new piece before *at. */
static bool insert_piece(struct frag_table *t, struct frag_dgram *g, struct frag_piece **at,
                         const struct frag_in *in, uint32_t from, uint32_t to)
{
    if (g->npieces >= FRAG_MAX_PIECES)
        return false;
    size_t len = to - from;
    if (!mem_take(t, g, sizeof(struct frag_piece) + len))
        return false;
    struct frag_piece *p = malloc(sizeof *p + len);
    if (!p)
        return false;
    p->off = from;
    p->len = (uint32_t)len;
    memcpy(p->data, in->data + (from - in->off), len);
    p->next = *at;
    *at = p;
    g->have += (uint32_t)len;
    g->npieces++;
    return true;
}

bool frag_add(struct frag_table *t, const struct frag_in *in, struct frag_out *out)
{
    frag_expire(t, in->ts_us);
    bool fresh;
    struct frag_dgram *g = lookup(t, in, &fresh);
    if (!g) {
        t->stats->frag.memcap_drop++;
        return false;
    }
    uint32_t from = in->off, to = in->off + in->len;   /* decode.c checked to <= 65535 */
    if (!in->more) {
        if (g->end && g->end != to) {                  /* two different last fragments */
            t->stats->frag.overlap_differ++;
            return false;
        }
        g->end = to;
        for (struct frag_piece *p = g->pieces; p; p = p->next)
            if (p->off + p->len > g->end) {            /* held data past the new end */
                t->stats->frag.too_large++;
                dgram_free(t, g);
                return false;
            }
    }
    if (g->end && to > g->end) {                       /* data past the announced end */
        t->stats->frag.too_large++;
        dgram_free(t, g);
        return false;
    }
    g->pkts++;
    g->wirebytes += in->wirelen;

    /* Walk the sorted pieces; fill every hole inside [from, to), compare every overlap. */
    uint32_t cur = from;
    struct frag_piece **pp = &g->pieces;
    bool overlapped = false, differ = false, ok = true;
    while (*pp && cur < to) {
        struct frag_piece *p = *pp;
        uint32_t pend = p->off + p->len;
        if (pend <= cur) {
            pp = &p->next;
            continue;
        }
        if (p->off >= to)
            break;
        if (p->off > cur) {
            ok = insert_piece(t, g, pp, in, cur, p->off);
            if (!ok)
                break;
            pp = &(*pp)->next;
            cur = p->off;
        }
        uint32_t oend = pend < to ? pend : to;
        overlapped = true;
        if (memcmp(p->data + (cur - p->off), in->data + (cur - from), oend - cur) != 0)
            differ = true;
        cur = oend;
        pp = &p->next;
    }
    if (ok && cur < to)
        ok = insert_piece(t, g, pp, in, cur, to);
    if (overlapped)
        t->stats->frag.overlap++;
    if (differ)
        t->stats->frag.overlap_differ++;
    if (!ok) {
        t->stats->frag.memcap_drop++;
        dgram_free(t, g);
        return false;
    }
    if (!g->end || g->have != g->end)
        return false;

    /* Complete: the pieces cover [0, end) with no overlap, so they are contiguous. */
    if (t->out_cap < g->end) {
        uint8_t *n = realloc(t->out, FRAG_MAX_DGRAM);
        if (!n) {
            t->stats->frag.memcap_drop++;
            dgram_free(t, g);
            return false;
        }
        t->out = n;
        t->out_cap = FRAG_MAX_DGRAM;
    }
    for (struct frag_piece *p = g->pieces; p; p = p->next)
        memcpy(t->out + p->off, p->data, p->len);
    out->data = t->out;
    out->len = g->end;
    out->pkts = g->pkts;
    out->wirebytes = g->wirebytes;
    t->stats->frag.reassembled++;
    dgram_free(t, g);
    return true;
}
