/* SPDX-License-Identifier: MIT
 * report.c — `botwatch scan --report`: the findings as a person reads them, one block per
 * host, hosts in order of their verdict (bot, relay, suspicious, policy, benign) and
 * confidence, each finding with its evidence. Attacker text is already escaped (evidence
 * is built with text_copy), so the report can go to a terminal. */
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"
#include "util/timefmt.h"

struct report {
    struct finding *f;
    size_t n, cap;
    bool oom;
};

struct report *report_new(void)
{
    return calloc(1, sizeof(struct report));
}

void report_add(void *ctx, const struct finding *f)
{
    struct report *r = ctx;
    for (size_t i = 0; i < r->n; i++)          /* a later version of a finding replaces it */
        if (r->f[i].key == f->key && r->f[i].kind == f->kind) {
            r->f[i] = *f;
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
    r->f[r->n++] = *f;
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
    size_t nv = 0, count[6] = { 0 };
    struct finding **v = malloc((r->n + 1) * sizeof *v);
    if (!v || r->oom) {
        fprintf(out, "botwatch report: out of memory\n");
        free(v);
        return;
    }
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
        for (size_t j = 0; j < r->n; j++) {
            const struct finding *f = &r->f[j];
            if (f->kind == FK_HOST_VERDICT || f->family != hv->family)
                continue;
            bool member = memcmp(f->host, hv->host, 16) == 0;
            for (unsigned m = 0; !member && m < f->nmembers; m++)
                member = memcmp(f->members[m], hv->host, 16) == 0;
            if (member)
                write_finding(out, f);
        }
    }
    free(v);
}

void report_free(struct report *r)
{
    if (r)
        free(r->f);
    free(r);
}
