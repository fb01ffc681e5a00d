/* SPDX-License-Identifier: MIT
 * scan.c — detector 10: outbound fan-out and floods from internal hosts. A scan is many
 * failed attempts (TCP never accepted: no SYN/ACK, so unanswered or refused with a reset;
 * UDP or ICMP never answered) to distinct (address, port) pairs within the scan window; the
 * finding says whether it went wide (many addresses) or deep (many ports on few addresses).
 * A flood is one connection, or one destination, taking packets at a rate no conversation
 * needs. Both work from connection records alone, so firewall logs feed them too. */
#include "detect/internal.h"

#include <stdlib.h>
#include <string.h>

enum { SET_CAP = 1024, SET_MAX = SET_CAP / 2 };

/* A set of 64-bit hashes that grows from 16 slots to SET_CAP, counted exactly up to SET_MAX
 * members: most hosts fail a handful of connections, a scanner thousands. */
struct hset {
    uint64_t *v;
    unsigned n, cap;
};

static void hset_put(uint64_t *v, unsigned cap, uint64_t h)
{
    for (unsigned i = h & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!v[i]) {
            v[i] = h;
            return;
        }
}

static bool hset_add(struct detect *d, struct hset *s, uint64_t h)
{
    h |= 1;                                   /* 0 marks an empty slot */
    for (unsigned i = s->cap ? h & (s->cap - 1) : 0; s->cap; i = (i + 1) & (s->cap - 1)) {
        if (s->v[i] == h)
            return false;
        if (!s->v[i])
            break;
    }
    if (s->n >= SET_MAX)
        return false;
    if ((s->n + 1) * 2 > s->cap) {
        unsigned cap = s->cap ? s->cap * 2 : 16;
        uint64_t *nv = detect_alloc(d, cap * sizeof *nv);
        if (!nv)
            return false;
        for (unsigned i = 0; i < s->cap; i++)
            if (s->v[i])
                hset_put(nv, cap, s->v[i]);
        detect_release(d, s->v, s->cap * sizeof *nv);
        s->v = nv;
        s->cap = cap;
    }
    hset_put(s->v, s->cap, h);
    s->n++;
    return true;
}

static void hset_clear(struct hset *s)
{
    if (s->v)
        memset(s->v, 0, s->cap * sizeof *s->v);
    s->n = 0;
}


struct scan_state {
    uint64_t win_start;
    struct hset addrs, pairs;
    uint64_t fails;                           /* in the window */
    /* the busiest window so far */
    unsigned peak_addrs, peak_pairs;
    uint64_t peak_fails, peak_start, peak_end;
    uint64_t first_flow, total_fails;
    struct evidence sample[4];
    unsigned nsample;
};

static void window_close(struct scan_state *s, uint64_t end)
{
    if (s->pairs.n > s->peak_pairs) {
        s->peak_pairs = s->pairs.n;
        s->peak_addrs = s->addrs.n;
        s->peak_fails = s->fails;
        s->peak_start = s->win_start;
        s->peak_end = end;
    }
}

static void flood(struct detect *d, struct host *h, const struct conn_event *c)
{
    uint64_t n = c->pkts[DIR_TOSERVER];
    if (n < d->cfg.th.flood_pkts)
        return;
    double dur = (double)(c->end_us - c->start_us) / 1e6;
    double pps = dur > 0 ? (double)n / dur : (double)n;
    if (pps < d->cfg.th.flood_pps)
        return;
    struct finding *f = finding_of(d, h, FK_OUT_FLOOD, 1, 0.7);
    if (!f)
        return;
    char a[48];
    addr_text(c->family, c->dst, a);
    finding_evidence(f, c->flow_id, c->start_us, "%" PRIu64 " packets to %s:%u in %.1f s "
                     "(%.0f packets/s), %" PRIu64 " answered", n, a, c->dport, dur, pps,
                     c->pkts[DIR_TOCLIENT]);
    finding_summary(f, "packet flood: %" PRIu64 " connection%s at flood rate (latest %.0f "
                    "packets/s to %s)", f->nev_total, f->nev_total == 1 ? "" : "s", pps, a);
    h->stages |= 1u << STAGE_FLOOD;
}

void scan_conn(struct detect *d, struct host *h, const struct conn_event *c)
{
    flood(d, h, c);
    bool failed = c->ip_proto == 6 ? !c->accepted : !c->answered;
    if (!failed)
        return;
    if (!h->scan) {
        h->scan = detect_alloc(d, sizeof *h->scan);
        if (!h->scan)
            return;
        h->scan->win_start = c->start_us;
        h->scan->first_flow = c->flow_id;
    }
    struct scan_state *s = h->scan;
    if (c->start_us > s->win_start + d->cfg.th.scan_window_us) {
        window_close(s, c->start_us);
        hset_clear(&s->addrs);
        hset_clear(&s->pairs);
        s->fails = 0;
        s->win_start = c->start_us;
    }
    s->fails++;
    s->total_fails++;
    uint64_t ha = hmap_hash(c->dst, 16, c->family);
    hset_add(d, &s->addrs, ha);
    if (hset_add(d, &s->pairs, ha ^ hmap_hash(&c->dport, 2, c->ip_proto)) && s->nsample < 4) {
        struct evidence *e = &s->sample[s->nsample++];
        char a[48];
        snprintf(e->what, sizeof e->what, "%s %s:%u %s", c->ip_proto == 6 ? "TCP" :
                 c->ip_proto == 17 ? "UDP" : "IP", addr_text(c->family, c->dst, a), c->dport,
                 c->answered ? "refused" : "unanswered");
        e->flow_id = c->flow_id;
        e->ts_us = c->start_us;
    }
    if (c->start_us > s->peak_end)
        s->peak_end = c->start_us;
}

void scan_finish(struct detect *d, struct host *h)
{
    struct scan_state *s = h->scan;
    if (!s)
        return;
    uint64_t end = s->peak_end;
    window_close(s, end);
    if (s->peak_pairs < d->cfg.th.scan_targets)
        return;
    struct finding *f = finding_of(d, h, FK_OUT_SCAN, s->peak_pairs >= 4 * d->cfg.th.scan_targets
                                   ? 1 : 2, s->peak_pairs >= 4 * d->cfg.th.scan_targets ? 0.9 : 0.7);
    if (!f)
        return;
    finding_clear_evidence(f);                 /* rebuilt from the scan state */
    const char *shape = s->peak_addrs * 4 >= s->peak_pairs ? "wide (many addresses)"
                                                            : "deep (many ports on few addresses)";
    finding_summary(f, "outbound scan, %s: %" PRIu64 " failed attempts to %u%s (address, port) "
                    "pairs on %u%s address%s within %.0f s", shape, s->peak_fails,
                    s->peak_pairs, s->peak_pairs >= SET_MAX ? "+" : "", s->peak_addrs,
                    s->peak_addrs >= SET_MAX ? "+" : "", s->peak_addrs == 1 ? "" : "es",
                    (double)(d->cfg.th.scan_window_us) / 1e6);
    for (unsigned i = 0; i < s->nsample; i++)
        finding_evidence(f, s->sample[i].flow_id, s->sample[i].ts_us, "%s", s->sample[i].what);
    finding_evidence(f, 0, end, "%" PRIu64 " failed attempts in all", s->total_fails);
    h->stages |= 1u << STAGE_SCAN;
}

/* Teardown (detect_free): memory accounting no longer matters. */
void scan_free(struct scan_state *s)
{
    if (!s)
        return;
    free(s->addrs.v);
    free(s->pairs.v);
    free(s);
}
