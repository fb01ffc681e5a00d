/* SPDX-License-Identifier: MIT
 * report.c — `botwatch scan --report`: the findings as a person reads them, one block per
 * host, hosts in order of their verdict (bot, relay, suspicious, policy, benign) and
 * confidence, each finding with its evidence. Attacker text is already escaped (evidence
 * is built with text_copy), so the report can go to a terminal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"
#include "util/hmap.h"
#include "util/timefmt.h"

struct report {
    struct finding *f;
    size_t n, cap;
    bool oom;
    struct hmap index;           /* (key, kind) -> 1 + position in f: a later version of a
                                    finding replaces the earlier in place */
};

struct rkey {
    const struct report *r;
    uint64_t key;
    int kind;
};

static bool rkey_eq(const void *rec, const void *key)
{
    const struct rkey *k = key;
    const struct finding *f = &k->r->f[(uintptr_t)rec - 1];
    return f->key == k->key && (int)f->kind == k->kind;
}

static uint64_t rkey_hash(uint64_t key, int kind)
{
    return hmap_hash(&key, sizeof key, (uint64_t)kind);
}

struct report *report_new(void)
{
    return calloc(1, sizeof(struct report));
}

void report_add(void *ctx, const struct finding *f)
{
    struct report *r = ctx;
    struct rkey k = { r, f->key, (int)f->kind };
    uint64_t h = rkey_hash(f->key, (int)f->kind);
    void *at = hmap_get(&r->index, h, rkey_eq, &k);
    if (at) {                                  /* a later version of a finding replaces it */
        struct finding *old = &r->f[(uintptr_t)at - 1];
        finding_free_parts(old);
        if (!finding_copy(old, f))
            r->oom = true;
        return;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        struct finding *nf = realloc(r->f, cap * sizeof *nf);
        if (!nf) {
            r->oom = true;
            return;
        }
        r->f = nf;
        r->cap = cap;
    }
    if (!finding_copy(&r->f[r->n], f) ||
        !hmap_put(&r->index, h, (void *)(uintptr_t)(r->n + 1))) {
        finding_free_parts(&r->f[r->n]);
        r->oom = true;
        return;
    }
    r->n++;
}

static int verdict_rank(const char *v)
{
    static const char *const order[] = { "bot", "relay", "suspicious", "policy", "benign" };
    for (int i = 0; i < 5; i++)
        if (v && !strcmp(v, order[i]))
            return i;
    return 5;
}

static int verdict_cmp(const void *a, const void *b)
{
    const struct finding *x = *(struct finding *const *)a, *y = *(struct finding *const *)b;
    int r = verdict_rank(x->verdict) - verdict_rank(y->verdict);
    if (r)
        return r;
    if (x->confidence != y->confidence)
        return x->confidence > y->confidence ? -1 : 1;
    return memcmp(x->host, y->host, 16);
}

/* A finding listed under a host: its own, or as a member of a channel group. */
struct by_host {
    const uint8_t *host;
    uint8_t family;
    size_t j;                    /* position in report order */
};

static int by_host_cmp(const void *a, const void *b)
{
    const struct by_host *x = a, *y = b;
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    int c = memcmp(x->host, y->host, 16);
    if (c)
        return c;
    return (x->j > y->j) - (x->j < y->j);
}

static void write_finding(FILE *out, const struct finding *f)
{
    fprintf(out, "  - %s (severity %d, confidence %.2f): %s\n", finding_kind_name[f->kind],
            f->severity, f->confidence, f->summary);
    for (unsigned i = 0; i < f->nev; i++) {
        char ts[TS_BUF];
        ts_format(f->ev[i].ts_us, ts);
        fprintf(out, "      %.19sZ", ts);
        if (f->ev[i].flow_id)
            fprintf(out, "  flow %-6" PRIu64, f->ev[i].flow_id);
        else
            fprintf(out, "  %-11s", "");
        fprintf(out, "  %s\n", f->ev[i].what);
    }
    if (f->nev_total > f->nev)
        fprintf(out, "      (%" PRIu64 " observations in all)\n", f->nev_total);
}

void report_write(struct report *r, FILE *out)
{
    size_t nv = 0, nb = 0, count[6] = { 0 }, nbh = 0;
    for (size_t i = 0; i < r->n; i++)
        nbh += 1 + r->f[i].nmembers;
    struct finding **v = malloc((r->n + 1) * sizeof *v);
    struct by_host *bh = malloc((nbh + 1) * sizeof *bh);
    if (!v || !bh || r->oom) {
        fprintf(out, "botwatch report: out of memory\n");
        free(v);
        free(bh);
        return;
    }
    /* every other finding under each host it names, in report order: one sort, not a pass
     * over all findings per host */
    for (size_t j = 0; j < r->n; j++) {
        const struct finding *f = &r->f[j];
        if (f->kind == FK_HOST_VERDICT)
            continue;
        bh[nb++] = (struct by_host){ f->host, f->family, j };
        for (unsigned m = 0; m < f->nmembers; m++) {
            bool dup = memcmp(f->members[m], f->host, 16) == 0;
            for (unsigned e = 0; !dup && e < m; e++)
                dup = memcmp(f->members[e], f->members[m], 16) == 0;
            if (!dup)
                bh[nb++] = (struct by_host){ f->members[m], f->family, j };
        }
    }
    qsort(bh, nb, sizeof *bh, by_host_cmp);
    for (size_t i = 0; i < r->n; i++)
        if (r->f[i].kind == FK_HOST_VERDICT) {
            v[nv++] = &r->f[i];
            count[verdict_rank(r->f[i].verdict)]++;
        }
    qsort(v, nv, sizeof *v, verdict_cmp);
    fprintf(out, "botwatch report: %zu host%s with findings (bot %zu, relay %zu, suspicious %zu,"
            " policy %zu, benign %zu)\n", nv, nv == 1 ? "" : "s", count[0], count[1], count[2],
            count[3], count[4]);
    for (size_t i = 0; i < nv; i++) {
        const struct finding *hv = v[i];
        char a[48];
        addr_text(hv->family, hv->host, a);
        fprintf(out, "\n%s%s%s%s  %s (confidence %.2f)\n", a, hv->site[0] ? "  [" : "",
                hv->site, hv->site[0] ? "]" : "", hv->verdict, hv->confidence);
        fprintf(out, "  %s\n", hv->summary);
        fprintf(out, "  stages seen:");
        bool any = false;
        for (int s = 0; s < STAGE_MAX; s++)
            if (hv->stages_seen & 1u << s) {
                fprintf(out, " %s", stage_name[s]);
                any = true;
            }
        fprintf(out, "%s\n  not seen:", any ? "" : " none");
        for (int s = 0; s < STAGE_MAX; s++)
            if (!(hv->stages_seen & 1u << s))
                fprintf(out, " %s", stage_name[s]);
        fputc('\n', out);
        size_t lo = 0, hi = nb;                /* the first entry of this host */
        struct by_host want = { hv->host, hv->family, 0 };
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (by_host_cmp(&bh[mid], &want) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < nb && bh[lo].family == hv->family && !memcmp(bh[lo].host, hv->host, 16);
             lo++)
            write_finding(out, &r->f[bh[lo].j]);
    }
    free(v);
    free(bh);
}

void report_free(struct report *r)
{
    if (r) {
        for (size_t i = 0; i < r->n; i++)
            finding_free_parts(&r->f[i]);
        free(r->f);
        hmap_free(&r->index);
    }
    free(r);
}
