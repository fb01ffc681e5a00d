/* SPDX-License-Identifier: MIT
 * detect.c — the detectors' core: internal hosts, findings and their evidence, dispatch of
 * events to the detector files, and the ordered output at the end. */
#include "detect/internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

const char *const finding_kind_name[FK_MAX] = {
#define X(id, name) name,
    FINDING_KINDS(X)
#undef X
};

const char *const stage_name[STAGE_MAX] = {
#define X(id, name) name,
    STAGES(X)
#undef X
};

struct detect *detect_new(const struct detect_config *cfg)
{
    struct detect *d = calloc(1, sizeof *d);
    if (d)
        d->cfg = *cfg;
    return d;
}

void detect_reconfigure(struct detect *d, const struct detect_config *c)
{
    d->cfg.th = c->th;
    d->cfg.p2p_default = c->p2p_default;
    memcpy(d->cfg.p2p_allow, c->p2p_allow, sizeof c->p2p_allow);
    d->cfg.np2p_allow = c->np2p_allow;
    memcpy(d->cfg.p2p_deny, c->p2p_deny, sizeof c->p2p_deny);
    d->cfg.np2p_deny = c->np2p_deny;
    memcpy(d->cfg.mail_servers, c->mail_servers, sizeof c->mail_servers);
    d->cfg.nmail = c->nmail;
    d->cfg.memcap = c->memcap;
}

void *detect_alloc(struct detect *d, size_t n)
{
    if (d->mem + n > d->cfg.memcap) {
        d->st.dropped_nomem++;
        return NULL;
    }
    void *p = calloc(1, n);
    if (!p) {
        d->st.dropped_nomem++;
        return NULL;
    }
    d->mem += n;
    return p;
}

void detect_release(struct detect *d, void *p, size_t n)
{
    if (!p)
        return;
    free(p);
    d->mem -= n;
}

bool detect_is_home(const struct detect *d, uint8_t family, const uint8_t *a)
{
    return net_prefix_match(d->cfg.home, d->cfg.nhome, family, a);
}

struct addr_key {
    uint8_t family;
    const uint8_t *a;
};

static bool host_eq(const void *rec, const void *key)
{
    const struct host *h = rec;
    const struct addr_key *k = key;
    return h->family == k->family && memcmp(h->a, k->a, 16) == 0;
}

struct host *detect_host(struct detect *d, uint8_t family, const uint8_t *a)
{
    struct host *last = d->last_host;             /* events come in runs from one host */
    if (last && last->family == family && memcmp(last->a, a, 16) == 0)
        return last;
    if (!detect_is_home(d, family, a))
        return NULL;
    struct addr_key k = { family, a };
    uint64_t hv = hmap_hash(a, 16, family);
    struct host *h = hmap_get(&d->hosts, hv, host_eq, &k);
    if (h)
        return d->last_host = h;
    h = detect_alloc(d, sizeof *h);
    if (!h)
        return NULL;
    h->family = family;
    memcpy(h->a, a, 16);
    h->site = &d->cfg.default_site;
    for (unsigned i = 0; i < d->cfg.nsites; i++)
        if (net_prefix_match(d->cfg.sites[i].nets, d->cfg.sites[i].nnets, family, a)) {
            h->site = &d->cfg.sites[i];
            h->site_named = true;
            break;
        }
    if (!hmap_put(&d->hosts, hv, h)) {
        detect_release(d, h, sizeof *h);
        d->st.dropped_nomem++;
        return NULL;
    }
    d->st.hosts++;
    return d->last_host = h;
}

struct finding *finding_of(struct detect *d, struct host *h, enum finding_kind k,
                           int severity, double confidence)
{
    struct finding *f = h->find[k];
    if (!f) {
        f = finding_new(d);
        if (!f)
            return NULL;
        f->family = h->family;
        memcpy(f->host, h->a, 16);
        f->kind = k;
        f->key = hmap_hash(h->a, 16, (uint64_t)h->family << 8 | (uint64_t)k);
        f->severity = severity;
        f->confidence = confidence;
        if (h->site_named)
            snprintf(f->site, sizeof f->site, "%s", h->site->name);
        h->find[k] = f;
        d->st.findings++;
    }
    if (severity < f->severity)
        f->severity = severity;
    if (confidence > f->confidence)
        f->confidence = confidence;
    return f;
}

/* Charged to the memcap as if full: the bound stays what it was with fixed arrays. */
static const size_t FINDING_CHARGE = sizeof(struct finding) +
                                     FINDING_MAX_EVIDENCE * sizeof(struct evidence) +
                                     FINDING_MAX_MEMBERS * 16;

struct finding *finding_new(struct detect *d)
{
    if (d->mem + FINDING_CHARGE > d->cfg.memcap) {
        d->st.dropped_nomem++;
        return NULL;
    }
    struct finding *f = calloc(1, sizeof *f);
    if (!f) {
        d->st.dropped_nomem++;
        return NULL;
    }
    d->mem += FINDING_CHARGE;
    return f;
}

void finding_free_parts(struct finding *f)
{
    free(f->ev);
    free(f->members);
    f->ev = NULL;
    f->members = NULL;
    f->nev = f->ev_cap = f->nmembers = f->members_cap = 0;
}

void finding_release(struct detect *d, struct finding *f)
{
    if (!f)
        return;
    finding_free_parts(f);
    free(f);
    d->mem -= FINDING_CHARGE;
}

bool finding_copy(struct finding *dst, const struct finding *src)
{
    *dst = *src;
    dst->ev = NULL;
    dst->members = NULL;
    dst->ev_cap = src->nev;
    dst->members_cap = src->nmembers;
    if (src->nev && !(dst->ev = malloc(src->nev * sizeof *dst->ev)))
        goto fail;
    if (src->nmembers && !(dst->members = malloc(src->nmembers * sizeof *dst->members)))
        goto fail;
    if (src->nev)
        memcpy(dst->ev, src->ev, src->nev * sizeof *dst->ev);
    if (src->nmembers)
        memcpy(dst->members, src->members, src->nmembers * sizeof *dst->members);
    return true;
fail:
    finding_free_parts(dst);
    return false;
}

void finding_add_member(struct finding *f, const uint8_t host[16])
{
    for (unsigned j = 0; j < f->nmembers; j++)
        if (memcmp(f->members[j], host, 16) == 0)
            return;
    if (f->nmembers == f->members_cap) {
        if (f->members_cap == FINDING_MAX_MEMBERS)
            return;
        unsigned cap = f->members_cap ? f->members_cap * 2 : 4;
        cap = cap > FINDING_MAX_MEMBERS ? FINDING_MAX_MEMBERS : cap;
        uint8_t (*m)[16] = realloc(f->members, cap * sizeof *m);
        if (!m)
            return;
        f->members = m;
        f->members_cap = cap;
    }
    memcpy(f->members[f->nmembers++], host, 16);
}

void finding_evidence(struct finding *f, uint64_t flow_id, uint64_t ts_us, const char *fmt, ...)
{
    f->nev_total++;
    if (ts_us > f->ts_us)
        f->ts_us = ts_us;
    if (f->nev >= FINDING_MAX_EVIDENCE)
        return;
    if (f->nev == f->ev_cap) {                 /* 2, 4, 8 */
        unsigned cap = f->ev_cap ? f->ev_cap * 2 : 2;
        cap = cap > FINDING_MAX_EVIDENCE ? FINDING_MAX_EVIDENCE : cap;
        struct evidence *ev = realloc(f->ev, cap * sizeof *ev);
        if (!ev)
            return;                          /* counted in nev_total, not kept */
        f->ev = ev;
        f->ev_cap = cap;
    }
    struct evidence *e = &f->ev[f->nev];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->what, sizeof e->what, fmt, ap);
    va_end(ap);
    for (unsigned i = 0; i < f->nev; i++)       /* the same fact again: counted, not kept */
        if (strcmp(f->ev[i].what, e->what) == 0)
            return;
    e->flow_id = flow_id;
    e->ts_us = ts_us;
    f->nev++;
}

void finding_clear_evidence(struct finding *f)
{
    f->nev = 0;
    f->nev_total = 0;
}

void finding_summary(struct finding *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->summary, sizeof f->summary, fmt, ap);
    va_end(ap);
}

void text_copy(char *out, size_t cap, const uint8_t *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < cap; i++) {
        uint8_t c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out[k++] = (char)c;
        } else {
            out[k++] = '\\';
            out[k++] = 'x';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15];
        }
    }
    if (cap)
        out[k] = 0;
}

const char *addr_text(uint8_t family, const uint8_t *a, char buf[48])
{
    inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, 48);
    return buf;
}

uint16_t conn_server_port(const struct conn_event *c)
{
    return c->dport;
}

void detect_conn(struct detect *d, const struct conn_event *c)
{
    d->st.conns++;
    if (c->end_us > d->last_us)
        d->last_us = c->end_us;
    struct host *h = detect_host(d, c->family, c->src);   /* the initiator, if ours */
    if (h) {
        hours_conn(d, h, c);
        scan_conn(d, h, c);
    }
    irc_conn(d, c);
    spam_conn(d, c);
    relay_conn(d, c);
}

void detect_app(struct detect *d, const struct conn_event *c, const struct app_event *ev)
{
    d->st.app_events++;
    if (ev->ts_us > d->last_us)
        d->last_us = ev->ts_us;
    switch (ev->type) {
    case APP_EV_IRC:
        irc_app(d, c, ev);
        break;
    case APP_EV_SMTP:
        spam_app(d, c, ev);
        break;
    case APP_EV_PROXY:
        relay_app(d, c, ev);
        break;
    case APP_EV_HTTP:
        irc_http(d, c, ev->u.http);
        download_app(d, c, ev);
        p2p_app(d, c, ev);
        relay_app(d, c, ev);
        break;
    case APP_EV_FTP:
        download_app(d, c, ev);
        break;
    case APP_EV_BITTORRENT:
    case APP_EV_DHT:
        p2p_app(d, c, ev);
        break;
    default:
        break;
    }
}

const struct detect_stats *detect_stats(const struct detect *d)
{
    return &d->st;
}

static int addr_cmp(const void *a, const void *b)
{
    const struct host *x = *(struct host *const *)a, *y = *(struct host *const *)b;
    if (x->family != y->family)
        return x->family - y->family;
    return memcmp(x->a, y->a, 16);
}

static int finding_cmp(const void *a, const void *b)
{
    const struct finding *x = *(struct finding *const *)a, *y = *(struct finding *const *)b;
    if (x->severity != y->severity)
        return x->severity - y->severity;
    return (int)x->kind - (int)y->kind;
}

/* What a reader of the finding would see, hashed: a finding is emitted again only when
 * this changes. Evidence times are left out (a repeat of the same fact is not news). */
static uint64_t content_hash(const struct finding *f)
{
    uint64_t h = hmap_hash(f->summary, strlen(f->summary), f->key);
    uint64_t nums[5] = { (uint64_t)f->severity, (uint64_t)(f->confidence * 100 + 0.5), f->nev,
                         f->nmembers, f->stages_seen };
    h = hmap_hash(nums, sizeof nums, h);
    for (unsigned i = 0; i < f->nev; i++)
        h = hmap_hash(f->ev[i].what, strlen(f->ev[i].what), h);
    if (f->verdict)
        h = hmap_hash(f->verdict, strlen(f->verdict), h);
    return h | 1;
}

static void emit_changed(struct finding *f, finding_fn emit, void *ctx)
{
    uint64_t h = content_hash(f);
    if (h == f->emitted_hash)
        return;
    f->emitted_hash = h;
    emit(ctx, f);
}

static void flush(struct detect *d, finding_fn emit, void *ctx, bool final)
{
    irc_finish(d, final);
    size_t n = 0;
    struct host *h, **all = malloc((d->hosts.n + 1) * sizeof *all);
    if (!all) {
        d->st.dropped_nomem++;
        return;
    }
    HMAP_FOREACH(&d->hosts, h)
        all[n++] = h;
    qsort(all, n, sizeof *all, addr_cmp);
    for (size_t i = 0; i < n; i++) {
        h = all[i];
        relay_finish(d, h);
        spam_finish(d, h);
        scan_finish(d, h);
        hours_finish(d, h);
    }
    /* the groups: reported once, with the first member as the host; each member's verdict
     * counts them (irc_finish marked the stage) */
    for (size_t g = 0; g < d->ngroups; g++)
        emit_changed(d->groups[g], emit, ctx);
    for (size_t i = 0; i < n; i++) {
        h = all[i];
        verdict_host(d, h);
        struct finding *list[FK_MAX];
        size_t k = 0;
        for (int j = 0; j < FK_MAX; j++)
            if (h->find[j] && j != FK_HOST_VERDICT)
                list[k++] = h->find[j];
        qsort(list, k, sizeof *list, finding_cmp);
        for (size_t j = 0; j < k; j++)
            emit_changed(list[j], emit, ctx);
        if (h->find[FK_HOST_VERDICT])
            emit_changed(h->find[FK_HOST_VERDICT], emit, ctx);
    }
    free(all);
}

void detect_finish(struct detect *d, finding_fn emit, void *ctx)
{
    flush(d, emit, ctx, true);
}

void detect_flush(struct detect *d, finding_fn emit, void *ctx)
{
    flush(d, emit, ctx, false);
}

/* Teardown only: memory accounting no longer matters. */
void host_free_parts(struct detect *d, struct host *h)
{
    (void)d;
    free(h->hours);
    free(h->days);
    free(h->inb);
    free(h->outb);
    scan_free(h->scan);
    free(h->fetches);
}

void detect_free(struct detect *d)
{
    if (!d)
        return;
    irc_free(d);
    struct host *h;
    HMAP_FOREACH(&d->hosts, h) {
        host_free_parts(d, h);
        for (int k = 0; k < FK_MAX; k++)
            if (h->find[k]) {
                finding_free_parts(h->find[k]);
                free(h->find[k]);
            }
        free(h);
    }
    hmap_free(&d->hosts);
    for (size_t g = 0; g < d->ngroups; g++) {
        finding_free_parts(d->groups[g]);
        free(d->groups[g]);
    }
    free(d->groups);
    free(d);
}
