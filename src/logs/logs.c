/* SPDX-License-Identifier: MIT
 * logs.c — `botwatch logs`: reads firewall logs (plain or gzip, through zlib), pairs PIX/ASA
 * built and teardown records by connection id into connection events, turns denies and
 * netfilter SYN packets into failed attempts, and hands every connection to the detectors
 * exactly as the packet engine does (detect_conn). Also the seed's per-host, per-day report
 * (--report) and EVE flow and finding events (--eve). docs/logs.md states every inference. */
#include "logs/logs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "output/eve.h"
#include "util/hmap.h"
#include "util/json.h"
#include "util/timefmt.h"

const char *const log_bad_name[LB_MAX] = {
#define X(id, name) name,
    LOG_BAD_REASONS(X)
#undef X
};

enum {
    READ_CHUNK = 1 << 20,          /* bytes per gzread */
    BAD_FIRST = 5,                 /* line numbers kept per bad-line reason */
    RH_MAX_DAYS = 62,              /* report: days kept per host (later days counted) */
    RH_MAX_PORTS = 8,              /* report: inbound destination ports kept per host-day */
    RH_LONGEST = 3,                /* report: longest connections/translations per host */
    RH_MAX_HOSTS = 1 << 16,        /* report: hosts kept */
    RH_MAX_RELAY = 2,              /* report: spam-relay summaries kept per host */
    XLATE_MAX = 1 << 16,           /* report: open translations tracked (more are counted) */
    NF_UDP_MAX = 1 << 16,          /* netfilter: UDP 5-tuples tracked at once */
    NF_UDP_IDLE_S = 120,           /* ... a flow ends this long after its last logged packet */
    NF_SWEEP_S = 30,               /* ... idle flows are looked for every this many seconds */
};
#define LOGS_CONN_MAX_DEFAULT (1u << 20)

/* ---- the connection-id table: open addressing, backward-shift deletion, a fixed cap ---- */

struct open_conn {
    uint64_t key;                  /* connection id * 2 + (UDP) ; 0: empty slot */
    uint64_t flow_id, start_us;
    uint8_t family, ip_proto;
    int8_t dir;                    /* 1 outbound, -1 inbound */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    int tz_off;
};

struct conn_table {
    struct open_conn *s;
    size_t cap, n, max;            /* cap: power of two, at least 2 * max */
};

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static struct open_conn *ct_find(struct conn_table *t, uint64_t key)
{
    size_t m = t->cap - 1;
    for (size_t i = mix64(key) & m;; i = (i + 1) & m) {
        if (t->s[i].key == key)
            return &t->s[i];
        if (!t->s[i].key)
            return NULL;
    }
}

/* Doubles the slot array (up to twice the cap) and places every entry again. */
static bool ct_grow(struct conn_table *t)
{
    size_t ncap = t->cap * 2;
    struct open_conn *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return false;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->s[i].key)
            continue;
        size_t j = mix64(t->s[i].key) & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = t->s[i];
    }
    free(t->s);
    t->s = ns;
    t->cap = ncap;
    return true;
}

static void ct_delete(struct conn_table *t, struct open_conn *e)
{
    size_t m = t->cap - 1, i = (size_t)(e - t->s), j = i;
    t->s[i].key = 0;
    t->n--;
    for (;;) {                                   /* backward shift: no tombstones */
        j = (j + 1) & m;
        if (!t->s[j].key)
            return;
        size_t home = mix64(t->s[j].key) & m;
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            t->s[i] = t->s[j];
            t->s[j].key = 0;
            i = j;
        }
    }
}

/* ---- the report's per-host state ---- */

struct rday {
    int64_t day;                               /* local days since 1970 */
    uint32_t smtp_out, smtp_fin, smtp_timeout, smtp_reset, smtp_other, smtp_denied;
    uint32_t inbound, inbound_denied;
    struct { uint16_t port; uint32_t n; } ports[RH_MAX_PORTS];
    uint32_t ports_other;
};

struct rlong {
    uint64_t dur_s, end_us;
    bool xlate, still_open;        /* still_open: a translation never torn down */
    uint8_t peer_family, peer[16];             /* connection: the other side */
    char peer_text[48];                        /* translation: the mapped side as written,
                                                  non-printing bytes as '?' */
    uint16_t port;                             /* connection: the server port */
    bool inbound;
    uint8_t how;
};

struct rhost {
    uint8_t family, a[16];
    struct rday *days;                         /* grown by doubling up to RH_MAX_DAYS */
    unsigned ndays, cap_days;
    uint64_t days_dropped;
    struct rlong longest[RH_LONGEST];
    unsigned nlong;
    char relay[RH_MAX_RELAY][FINDING_TEXT];
    unsigned nrelay;
};

/* A translation built (305009/305011) and not yet torn down: its real side, protocol and
 * port, and its mapped side as text (it may not be an address). */
struct xlate_key {
    uint8_t family, proto;
    uint16_t port;
    uint8_t a[16];
    char mapped[48];               /* non-printing bytes as '?', NUL-padded */
};

struct open_xlate {
    struct xlate_key k;
    uint64_t start_us;
};

/* A UDP flow pieced together from netfilter LOG lines: [0] is the side of its first packet. */
struct nf_flow {
    uint8_t family, a[2][16];
    uint16_t port[2];
    uint64_t flow_id, first_us, last_us, pkts[2], bytes[2];
    int tz_off;
};

struct bad_count {
    uint64_t n;
    unsigned nfirst;
    struct { unsigned file; uint64_t line; } first[BAD_FIRST];
};

struct logs_stats {
    uint64_t lines, bytes, empty, records, by_kind[LR_PACKET + 1];
    uint64_t conns, paired, orphan_teardowns, open_at_end, evicted, dup_built, denies,
             deny_stray, nf_attempts, nf_other, report_hosts_dropped, grow_failed,
             xlate_untracked, nf_udp_flows, nf_udp_untracked;
};

struct logs {
    const struct logs_config *cfg;
    struct logs_clock clock;
    struct conn_table ct;
    struct detect *det;
    struct eve eve;
    bool have_eve;
    struct report *report;
    struct hmap hosts;                          /* struct rhost by address */
    struct hmap xlates;                         /* struct open_xlate (--report only) */
    struct hmap nf_udp;                         /* struct nf_flow by unordered 5-tuple */
    uint64_t nf_next_sweep;                     /* log time of the next idle sweep */
    uint64_t next_flow, last_us;
    unsigned file;                              /* index into files, for bad-line places */
    uint64_t file_line;                         /* line number in that file */
    char *const *files;
    struct bad_count bad[LB_MAX];
    struct logs_stats st;
    struct jb dump;
    uint64_t findings;
};

/* ---- the report ---- */

static bool rhost_eq(const void *rec, const void *key)
{
    const struct rhost *h = rec;
    const uint8_t *k = key;
    return h->family == k[0] && memcmp(h->a, k + 1, 16) == 0;
}

static struct rhost *rhost_of(struct logs *l, uint8_t family, const uint8_t *a)
{
    uint8_t key[17];
    key[0] = family;
    memcpy(key + 1, a, 16);
    uint64_t h = hmap_hash(key, sizeof key, 5);
    struct rhost *r = hmap_get(&l->hosts, h, rhost_eq, key);
    if (r)
        return r;
    if (l->hosts.n >= RH_MAX_HOSTS || !(r = calloc(1, sizeof *r))) {
        l->st.report_hosts_dropped++;
        return NULL;
    }
    r->family = family;
    memcpy(r->a, a, 16);
    if (!hmap_put(&l->hosts, h, r)) {
        free(r);
        l->st.report_hosts_dropped++;
        return NULL;
    }
    return r;
}

static struct rday *rday_of(struct rhost *h, int64_t day)
{
    for (unsigned i = h->ndays; i-- > 0;)
        if (h->days[i].day == day)
            return &h->days[i];
    if (h->ndays == h->cap_days) {
        unsigned ncap = h->cap_days ? h->cap_days * 2 : 4;
        if (ncap > RH_MAX_DAYS)
            ncap = RH_MAX_DAYS;
        struct rday *nd = ncap > h->cap_days ? realloc(h->days, ncap * sizeof *nd) : NULL;
        if (!nd) {
            h->days_dropped++;
            return NULL;
        }
        h->days = nd;
        h->cap_days = ncap;
    }
    struct rday *d = &h->days[h->ndays++];
    memset(d, 0, sizeof *d);
    d->day = day;
    return d;
}

static void rlong_add(struct rhost *h, const struct rlong *x)
{
    unsigned i;
    if (h->nlong < RH_LONGEST)
        i = h->nlong++;
    else if (h->longest[RH_LONGEST - 1].dur_s >= x->dur_s)
        return;
    else
        i = RH_LONGEST - 1;
    h->longest[i] = *x;
    for (; i > 0 && h->longest[i - 1].dur_s < h->longest[i].dur_s; i--) {
        struct rlong t = h->longest[i - 1];
        h->longest[i - 1] = h->longest[i];
        h->longest[i] = t;
    }
}

static bool is_home(const struct logs *l, uint8_t family, const uint8_t *a)
{
    return net_prefix_match(l->cfg->detect.home, l->cfg->detect.nhome, family, a);
}

static bool proxy_port_hl(uint16_t p)
{
    return p == 1080 || (p >= 1180 && p <= 1185) || p == 3128 || p == 8080;
}

static int64_t local_day(uint64_t us, int off)
{
    int64_t s = (int64_t)(us / 1000000) + off;
    return (s >= 0 ? s : s - 86399) / 86400;
}

/* Where a connection event came from: the report tells a denied attempt from a connection
 * that timed out, and a netfilter SYN (outcome unknown) from both. */
enum conn_src { CS_CONN, CS_DENY, CS_SYN };

static void report_conn(struct logs *l, const struct conn_event *c, int tz_off,
                        enum conn_src from)
{
    bool src_in = is_home(l, c->family, c->src), dst_in = is_home(l, c->family, c->dst);
    if (src_in && !dst_in && c->ip_proto == 6 && c->dport == 25) {
        struct rhost *h = rhost_of(l, c->family, c->src);
        struct rday *d = h ? rday_of(h, local_day(c->start_us, tz_off)) : NULL;
        if (d && from == CS_DENY) {
            d->smtp_denied++;
        } else if (d) {
            d->smtp_out++;
            if (from == CS_SYN)
                d->smtp_other++;             /* a logged SYN: how it went is not in the log */
            else if (c->how == CONN_FIN)
                d->smtp_fin++;
            else if (c->how == CONN_TIMEOUT && !c->answered)
                d->smtp_timeout++;
            else if (c->how == CONN_RST_CLIENT || c->how == CONN_RST_SERVER)
                d->smtp_reset++;
            else
                d->smtp_other++;
        }
    }
    if (!src_in && dst_in) {
        struct rhost *h = rhost_of(l, c->family, c->dst);
        struct rday *d = h ? rday_of(h, local_day(c->start_us, tz_off)) : NULL;
        if (d && from == CS_DENY) {
            d->inbound_denied++;
        } else if (d) {
            d->inbound++;
            unsigned i = 0;
            while (i < RH_MAX_PORTS && d->ports[i].n && d->ports[i].port != c->dport)
                i++;
            if (i == RH_MAX_PORTS) {
                d->ports_other++;
            } else {
                d->ports[i].port = c->dport;
                d->ports[i].n++;
            }
        }
    }
    if ((src_in || dst_in) && c->end_us > c->start_us) {
        struct rhost *h = rhost_of(l, c->family, src_in ? c->src : c->dst);
        if (h) {
            struct rlong x = { .dur_s = (c->end_us - c->start_us) / 1000000, .end_us = c->end_us,
                               .peer_family = c->family, .port = c->dport,
                               .inbound = !src_in, .how = c->how };
            memcpy(x.peer, src_in ? c->dst : c->src, 16);
            rlong_add(h, &x);
        }
    }
}

/* Printable copy of at most n-1 bytes: what the report may show of a line's text. */
static void safe_text(struct bytes b, char *out, size_t n)
{
    size_t k = 0;
    for (; k < b.len && k + 1 < n; k++)
        out[k] = b.p[k] > ' ' && b.p[k] < 0x7f ? (char)b.p[k] : '?';
    out[k] = 0;
}

static void xlate_key_of(const struct log_rec *r, struct xlate_key *k)
{
    memset(k, 0, sizeof *k);
    k->family = r->ep[0].family;
    k->proto = r->ip_proto;
    k->port = r->ep[0].port;
    memcpy(k->a, r->ep[0].a, 16);
    safe_text(r->ep[1].addr_text, k->mapped, sizeof k->mapped);
}

static bool xlate_eq(const void *rec, const void *key)
{
    return memcmp(&((const struct open_xlate *)rec)->k, key, sizeof(struct xlate_key)) == 0;
}

static void report_xlate_built(struct logs *l, const struct log_rec *r, uint64_t ts)
{
    if (!r->ep[0].family || !is_home(l, r->ep[0].family, r->ep[0].a))
        return;
    struct xlate_key k;
    xlate_key_of(r, &k);
    uint64_t hv = hmap_hash(&k, sizeof k, 7);
    if (hmap_get(&l->xlates, hv, xlate_eq, &k))
        return;                                  /* built again: the first time stands */
    struct open_xlate *x = l->xlates.n < XLATE_MAX ? malloc(sizeof *x) : NULL;
    if (!x || !hmap_put(&l->xlates, hv, x)) {
        free(x);
        l->st.xlate_untracked++;
        return;
    }
    x->k = k;
    x->start_us = ts;
}

static void xlate_long(struct logs *l, const struct xlate_key *k, uint64_t dur_s,
                       uint64_t end_us, bool still_open)
{
    struct rhost *h = rhost_of(l, k->family, k->a);
    if (!h)
        return;
    struct rlong x = { .dur_s = dur_s, .end_us = end_us, .xlate = true,
                       .still_open = still_open };
    snprintf(x.peer_text, sizeof x.peer_text, "%s", k->mapped);
    rlong_add(h, &x);
}

static void report_xlate(struct logs *l, const struct log_rec *r, uint64_t end_us)
{
    const struct log_endpoint *real = &r->ep[0];
    if (!real->family || !is_home(l, real->family, real->a))
        return;
    struct xlate_key k;
    xlate_key_of(r, &k);
    free(hmap_del(&l->xlates, hmap_hash(&k, sizeof k, 7), xlate_eq, &k));
    xlate_long(l, &k, r->duration_s, end_us, false);
}

/* End of input: translations never torn down, held from their built record until the end. */
static void report_xlate_flush(struct logs *l)
{
    struct open_xlate *x;
    HMAP_FOREACH(&l->xlates, x) {
        uint64_t end = l->last_us > x->start_us ? l->last_us : x->start_us;
        xlate_long(l, &x->k, (end - x->start_us) / 1000000, end, true);
        free(x);
    }
    hmap_free(&l->xlates);
}

static int rhost_cmp(const void *a, const void *b)
{
    const struct rhost *x = *(const struct rhost *const *)a, *y = *(const struct rhost *const *)b;
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    return memcmp(x->a, y->a, 16);
}

static int rday_cmp(const void *a, const void *b)
{
    const struct rday *x = a, *y = b;
    return x->day < y->day ? -1 : x->day > y->day;
}

static const char *addr_str(uint8_t family, const uint8_t *a, char *buf, size_t n)
{
    if (!family)
        return "(not an address)";
    inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)n);
    return buf;
}

static void dur_str(uint64_t s, char *buf, size_t n)
{
    snprintf(buf, n, "%" PRIu64 ":%02u:%02u", s / 3600, (unsigned)(s / 60 % 60),
             (unsigned)(s % 60));
}

static const char *how_words(uint8_t how)
{
    switch (how) {
    case CONN_FIN: return "closed by FINs";
    case CONN_RST_CLIENT: return "reset by the initiator";
    case CONN_RST_SERVER: return "reset by the responder";
    case CONN_TIMEOUT: return "timed out";
    case CONN_OPEN: return "still open at the end of the log";
    default: return "ended by the firewall";
    }
}

static void report_print(struct logs *l, FILE *out)
{
    struct rhost **v = calloc(l->hosts.n ? l->hosts.n : 1, sizeof *v);
    if (!v)
        return;
    size_t n = 0;
    struct rhost *h;
    HMAP_FOREACH(&l->hosts, h)
        if (h->ndays || h->nlong)
            v[n++] = h;
    qsort(v, n, sizeof *v, rhost_cmp);
    fprintf(out, "botwatch logs report: %zu inside host%s in the log (days are local, %s)\n", n,
            n == 1 ? "" : "s", l->clock.tz);
    fprintf(out, "proxy ports marked *: 1080, 1180-1185, 3128, 8080\n");
    for (size_t i = 0; i < n; i++) {
        h = v[i];
        char a[64], b[64], t[TS_BUF], du[32];
        fprintf(out, "\n%s\n", addr_str(h->family, h->a, a, sizeof a));
        if (h->ndays) {                /* qsort must not see the NULL of a host without days */
            qsort(h->days, h->ndays, sizeof h->days[0], rday_cmp);
            fprintf(out, "  %-10s %9s %9s %12s %6s %6s %7s %8s %10s  %s\n", "day", "smtp-out",
                    "tcp-fins", "syn-timeout", "reset", "other", "denied", "inbound",
                    "in-denied", "inbound by port");
        }
        for (unsigned k = 0; k < h->ndays; k++) {
            const struct rday *d = &h->days[k];
            time_t ds = (time_t)(d->day * 86400);
            struct tm tm;
            gmtime_r(&ds, &tm);
            fprintf(out, "  %04d-%02d-%02d %9u %9u %12u %6u %6u %7u %8u %10u",
                    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, d->smtp_out, d->smtp_fin,
                    d->smtp_timeout, d->smtp_reset, d->smtp_other, d->smtp_denied, d->inbound,
                    d->inbound_denied);
            /* ports by count, most first; ties by port */
            bool used[RH_MAX_PORTS] = { false };
            for (unsigned m = 0; m < RH_MAX_PORTS; m++) {
                int best = -1;
                for (unsigned q = 0; q < RH_MAX_PORTS; q++)
                    if (d->ports[q].n && !used[q] &&
                        (best < 0 || d->ports[q].n > d->ports[best].n ||
                         (d->ports[q].n == d->ports[best].n &&
                          d->ports[q].port < d->ports[best].port)))
                        best = (int)q;
                if (best < 0)
                    break;
                used[best] = true;
                fprintf(out, "%s%u%s:%u", m ? " " : "  ", d->ports[best].port,
                        proxy_port_hl(d->ports[best].port) ? "*" : "", d->ports[best].n);
            }
            if (d->ports_other)
                fprintf(out, " other:%u", d->ports_other);     /* past RH_MAX_PORTS */
            fputc('\n', out);
        }
        if (h->days_dropped)
            fprintf(out, "  (%" PRIu64 " connections on further days not shown: at most %d "
                    "days)\n", h->days_dropped, RH_MAX_DAYS);
        for (unsigned k = 0; k < h->nlong; k++) {
            const struct rlong *x = &h->longest[k];
            dur_str(x->dur_s, du, sizeof du);
            ts_format(x->end_us, t);
            if (x->xlate)
                fprintf(out, "  %s %s: translation to %s held %s (%s %.19s)\n",
                        k ? "       " : "longest", a, x->peer_text, du,
                        x->still_open ? "still held at the end of the log," : "released", t);
            else
                fprintf(out, "  %s %s %s %s port %u: connection held %s, %s (ended %.19s)\n",
                        k ? "       " : "longest", x->inbound ? "from" : "to",
                        addr_str(x->peer_family, x->peer, b, sizeof b),
                        x->inbound ? "to" : "at", x->port, du, how_words(x->how), t);
        }
        for (unsigned k = 0; k < h->nrelay; k++)
            fprintf(out, "  relay: %s\n", h->relay[k]);
    }
    fprintf(out, "\n");
    free(v);
}

/* ---- connection events ---- */

static void emit_conn(struct logs *l, const struct conn_event *c, int tz_off, struct bytes why,
                      enum conn_src from)
{
    l->st.conns++;
    if (c->end_us > l->last_us)
        l->last_us = c->end_us;
    if (l->have_eve)
        eve_conn(&l->eve, c, why.p, why.len);
    if (l->cfg->report)
        report_conn(l, c, tz_off, from);
    detect_conn(l->det, c);
}

static void conn_from_open(const struct open_conn *o, struct conn_event *c)
{
    memset(c, 0, sizeof *c);
    c->flow_id = o->flow_id;
    c->family = o->family;
    c->ip_proto = o->ip_proto;
    memcpy(c->src, o->src, 16);
    memcpy(c->dst, o->dst, 16);
    c->sport = o->sport;
    c->dport = o->dport;
    c->start_us = o->start_us;
}

/* src/dst of a built or teardown record: "for" is the lower-security side and "to" the
 * higher; "outbound" means the higher side initiated. Without the built record (dir 0) the
 * side with the lower port is taken as the responder, ties as an inbound connection. */
static int guess_dir(const struct log_rec *r)
{
    return r->ep[1].port <= r->ep[0].port ? -1 : 1;   /* "to" side serves: inbound */
}

static void orient(const struct log_rec *r, int dir, struct conn_event *c)
{
    const struct log_endpoint *a = &r->ep[0], *b = &r->ep[1];
    if (dir == 0)
        dir = guess_dir(r);
    const struct log_endpoint *s = dir > 0 ? b : a, *d = dir > 0 ? a : b;
    c->family = s->family;
    memcpy(c->src, s->a, 16);
    memcpy(c->dst, d->a, 16);
    c->sport = s->port;
    c->dport = d->port;
}

static bool reason_is(struct bytes r, const char *s)
{
    size_t k = strlen(s);
    return r.len == k && memcmp(r.p, s, k) == 0;
}

static bool reason_ends(struct bytes r, const char *s)
{
    size_t k = strlen(s);
    return r.len >= k && memcmp(r.p + r.len - k, s, k) == 0;
}

/* How a teardown ended, from its reason (docs/logs.md has the table). */
static void teardown_how(const struct log_rec *r, int dir, struct conn_event *c)
{
    bool any = r->bytes > 0;
    c->answered = c->accepted = true;
    if (r->ip_proto == 17) {
        c->how = CONN_TIMEOUT;              /* UDP has no close: the firewall's idle timer */
        c->answered = c->accepted = any;
    } else if (reason_is(r->reason, "TCP FINs")) {
        c->how = CONN_FIN;
    } else if (reason_is(r->reason, "SYN Timeout")) {
        c->how = CONN_TIMEOUT;
        c->answered = c->accepted = false;
    } else if (reason_is(r->reason, "TCP Reset-I") || reason_is(r->reason, "TCP Reset-O")) {
        /* I: reset from the inside (higher-security, "to") side; O: from the outside */
        bool by_inside = r->reason.p[r->reason.len - 1] == 'I';
        if (dir == 0)
            dir = guess_dir(r);
        bool inside_initiated = dir > 0;
        c->how = by_inside == inside_initiated ? CONN_RST_CLIENT : CONN_RST_SERVER;
        if (c->how == CONN_RST_SERVER && !any)
            c->accepted = false;             /* refused */
    } else if (reason_ends(r->reason, "Timeout") || reason_is(r->reason, "Conn-timeout")) {
        c->how = CONN_TIMEOUT;
        c->answered = c->accepted = any;
    } else {
        c->how = CONN_EVICTED;               /* ended by the firewall itself */
        c->answered = c->accepted = any;
    }
}

/* The table key: connection id, TCP or UDP, and the sending firewall (ids are per firewall;
 * one log often holds several). Never 0, which marks an empty slot. */
static uint64_t conn_key(const struct log_rec *r, uint64_t fw)
{
    uint64_t k = (r->conn_id * 2 + (r->ip_proto == 17)) ^ (fw << 34);
    return k ? k : 1;
}

static void on_built(struct logs *l, const struct log_rec *r, uint64_t fw, uint64_t ts,
                     int tz_off)
{
    struct conn_table *t = &l->ct;
    uint64_t key = conn_key(r, fw);
    if (ct_find(t, key)) {
        l->st.dup_built++;                   /* the first one stands */
        return;
    }
    /* grow while under the cap (load at most one half); past it, or without memory, evict */
    if (t->n + 1 > t->cap / 2 && t->cap / 2 < t->max && !ct_grow(t))
        l->st.grow_failed++;
    if (t->n >= t->max || t->n + 1 > t->cap / 2) {
        /* full: evict the occupant of the new key's home slot (an arbitrary older
         * connection), reported as ended by eviction */
        size_t i = mix64(key) & (t->cap - 1);
        while (!t->s[i].key)
            i = (i + 1) & (t->cap - 1);
        struct conn_event c;
        conn_from_open(&t->s[i], &c);
        c.end_us = ts > c.start_us ? ts : c.start_us;
        c.how = CONN_EVICTED;
        c.answered = c.accepted = true;
        int off = t->s[i].tz_off;
        ct_delete(t, &t->s[i]);
        l->st.evicted++;
        emit_conn(l, &c, off, (struct bytes){ NULL, 0 }, CS_CONN);
    }
    size_t m = t->cap - 1, i = mix64(key) & m;
    while (t->s[i].key)
        i = (i + 1) & m;
    struct open_conn *o = &t->s[i];
    struct conn_event c = { 0 };
    orient(r, r->dir, &c);
    *o = (struct open_conn){ .key = key, .flow_id = ++l->next_flow, .start_us = ts,
                             .family = c.family, .ip_proto = r->ip_proto,
                             .dir = (int8_t)r->dir, .sport = c.sport, .dport = c.dport,
                             .tz_off = tz_off };
    memcpy(o->src, c.src, 16);
    memcpy(o->dst, c.dst, 16);
    t->n++;
}

static void on_teardown(struct logs *l, const struct log_rec *r, uint64_t fw, uint64_t ts,
                        int tz_off)
{
    uint64_t key = conn_key(r, fw);
    struct open_conn *o = ct_find(&l->ct, key);
    struct conn_event c;
    int dir = 0;
    if (o) {
        conn_from_open(o, &c);
        dir = o->dir;
        tz_off = o->tz_off;
        ct_delete(&l->ct, o);
        l->st.paired++;
    } else {
        /* the built record came before the log began: start = end - duration */
        memset(&c, 0, sizeof c);
        orient(r, 0, &c);
        c.ip_proto = r->ip_proto;
        c.flow_id = ++l->next_flow;
        uint64_t d = r->duration_s * 1000000;
        c.start_us = d < ts ? ts - d : 0;
        l->st.orphan_teardowns++;
    }
    c.end_us = ts >= c.start_us ? ts : c.start_us;     /* a clock stepped back: no negative age */
    c.bytes[DIR_TOSERVER] = r->bytes;       /* the firewall's total, both ways */
    teardown_how(r, dir, &c);
    emit_conn(l, &c, tz_off, r->reason, CS_CONN);
}

static void on_deny(struct logs *l, const struct log_rec *r, uint64_t ts, int tz_off)
{
    l->st.denies++;
    /* 106015 logs any TCP packet without a connection; only a SYN (no ACK) is an attempt */
    if (r->msgid == 106015 && (r->tcp_flags & 0x12) != 0x02) {
        l->st.deny_stray++;
        return;
    }
    struct conn_event c = { 0 };
    c.flow_id = ++l->next_flow;
    c.family = r->ep[0].family;
    c.ip_proto = r->ip_proto;
    memcpy(c.src, r->ep[0].a, 16);
    memcpy(c.dst, r->ep[1].a, 16);
    c.sport = r->ep[0].port;
    c.dport = r->ep[1].port;
    c.start_us = c.end_us = ts;
    c.how = CONN_TIMEOUT;                    /* denied: never answered, never accepted */
    emit_conn(l, &c, tz_off, (struct bytes){ (const uint8_t *)"denied", 6 }, CS_DENY);
}

/* ---- netfilter UDP: packets to flows by 5-tuple, ended by idleness ---- */

struct nf_key {
    uint8_t family;
    const uint8_t *a[2];
    uint16_t port[2];
};

/* The same hash for both directions: the endpoints in a fixed order. */
static uint64_t nf_hash(const struct nf_key *k)
{
    int lo = memcmp(k->a[0], k->a[1], 16) < 0 ||
             (memcmp(k->a[0], k->a[1], 16) == 0 && k->port[0] <= k->port[1]) ? 0 : 1;
    uint8_t b[37];
    b[0] = k->family;
    memcpy(b + 1, k->a[lo], 16);
    memcpy(b + 17, k->a[!lo], 16);
    b[33] = (uint8_t)(k->port[lo] >> 8);
    b[34] = (uint8_t)k->port[lo];
    b[35] = (uint8_t)(k->port[!lo] >> 8);
    b[36] = (uint8_t)k->port[!lo];
    return hmap_hash(b, sizeof b, 13);
}

/* 0: the key's src is the flow's initiator, 1: its responder, -1: another flow */
static int nf_side(const struct nf_flow *f, const struct nf_key *k)
{
    for (int s = 0; s < 2; s++)
        if (f->family == k->family && f->port[s] == k->port[0] && f->port[!s] == k->port[1] &&
            memcmp(f->a[s], k->a[0], 16) == 0 && memcmp(f->a[!s], k->a[1], 16) == 0)
            return s;
    return -1;
}

static bool nf_eq(const void *rec, const void *key)
{
    return nf_side(rec, key) >= 0;
}

static void nf_emit(struct logs *l, const struct nf_flow *f)
{
    struct conn_event c = { 0 };
    c.flow_id = f->flow_id;
    c.family = f->family;
    c.ip_proto = 17;
    memcpy(c.src, f->a[0], 16);
    memcpy(c.dst, f->a[1], 16);
    c.sport = f->port[0];
    c.dport = f->port[1];
    c.start_us = f->first_us;
    c.end_us = f->last_us;
    for (int d = 0; d < 2; d++) {
        c.pkts[d] = f->pkts[d];
        c.bytes[d] = f->bytes[d];
    }
    c.how = CONN_TIMEOUT;
    c.answered = c.accepted = f->pkts[1] > 0;   /* a reply was logged */
    emit_conn(l, &c, f->tz_off, (struct bytes){ (const uint8_t *)"udp", 3 }, CS_CONN);
}

static int nf_cmp(const void *a, const void *b)
{
    const struct nf_flow *x = *(const struct nf_flow *const *)a;
    const struct nf_flow *y = *(const struct nf_flow *const *)b;
    return x->flow_id < y->flow_id ? -1 : x->flow_id > y->flow_id;
}

/* Ends the flows idle since before `now` (all of them when all is set), in flow-id order. */
static void nf_sweep(struct logs *l, uint64_t now, bool all)
{
    if (!l->nf_udp.n)
        return;
    struct nf_flow **v = malloc(l->nf_udp.n * sizeof *v), *f;
    if (!v)
        return;                                /* tried again at the next sweep */
    size_t n = 0;
    HMAP_FOREACH(&l->nf_udp, f)
        if (all || f->last_us + (uint64_t)NF_UDP_IDLE_S * 1000000 < now)
            v[n++] = f;
    qsort(v, n, sizeof *v, nf_cmp);
    for (size_t i = 0; i < n; i++) {
        struct nf_key k = { v[i]->family, { v[i]->a[0], v[i]->a[1] },
                            { v[i]->port[0], v[i]->port[1] } };
        hmap_del(&l->nf_udp, nf_hash(&k), nf_eq, &k);
        nf_emit(l, v[i]);
        free(v[i]);
    }
    free(v);
}

static void nf_udp_packet(struct logs *l, const struct log_rec *r, uint64_t ts, int tz_off)
{
    if (ts >= l->nf_next_sweep) {
        nf_sweep(l, ts, false);
        l->nf_next_sweep = ts + (uint64_t)NF_SWEEP_S * 1000000;
    }
    struct nf_key k = { r->ep[0].family, { r->ep[0].a, r->ep[1].a },
                        { r->ep[0].port, r->ep[1].port } };
    uint64_t hv = nf_hash(&k);
    struct nf_flow *f = hmap_get(&l->nf_udp, hv, nf_eq, &k);
    if (f && f->last_us + (uint64_t)NF_UDP_IDLE_S * 1000000 < ts) {
        hmap_del(&l->nf_udp, hv, nf_eq, &k);     /* idle too long: that flow is over */
        nf_emit(l, f);
        free(f);
        f = NULL;
    }
    if (!f) {
        f = l->nf_udp.n < NF_UDP_MAX ? calloc(1, sizeof *f) : NULL;
        if (!f || !hmap_put(&l->nf_udp, hv, f)) {
            free(f);
            l->st.nf_udp_untracked++;
            return;
        }
        f->family = k.family;
        memcpy(f->a[0], k.a[0], 16);
        memcpy(f->a[1], k.a[1], 16);
        f->port[0] = k.port[0];
        f->port[1] = k.port[1];
        f->flow_id = ++l->next_flow;
        f->first_us = f->last_us = ts;
        f->tz_off = tz_off;
        l->st.nf_udp_flows++;
    }
    int side = nf_side(f, &k);
    f->pkts[side]++;
    f->bytes[side] += r->nf_len;
    if (ts > f->last_us)
        f->last_us = ts;
}

/* netfilter: one packet. A TCP SYN without ACK is a connection attempt with no known
 * answer; UDP packets are gathered into flows by 5-tuple; other packets are counted only
 * (docs/logs.md). */
static void on_packet(struct logs *l, const struct log_rec *r, uint64_t ts, int tz_off)
{
    if (r->ip_proto == 17 && r->ep[0].has_port && r->ep[1].has_port) {
        nf_udp_packet(l, r, ts, tz_off);
        return;
    }
    if (r->ip_proto != 6 || (r->tcp_flags & 0x12) != 0x02) {
        l->st.nf_other++;
        return;
    }
    l->st.nf_attempts++;
    struct conn_event c = { 0 };
    c.flow_id = ++l->next_flow;
    c.family = r->ep[0].family;
    c.ip_proto = 6;
    memcpy(c.src, r->ep[0].a, 16);
    memcpy(c.dst, r->ep[1].a, 16);
    c.sport = r->ep[0].port;
    c.dport = r->ep[1].port;
    c.start_us = c.end_us = ts;
    c.how = CONN_TIMEOUT;
    c.bytes[DIR_TOSERVER] = r->nf_len;
    emit_conn(l, &c, tz_off, (struct bytes){ (const uint8_t *)"syn", 3 }, CS_SYN);
}

static int open_cmp(const void *a, const void *b)
{
    const struct open_conn *x = a, *y = b;
    return x->flow_id < y->flow_id ? -1 : x->flow_id > y->flow_id;
}

/* End of input: what was built and never torn down is still open. In flow-id order. */
static void flush_open(struct logs *l)
{
    struct conn_table *t = &l->ct;
    size_t k = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->s[i].key)
            t->s[k++] = t->s[i];
    qsort(t->s, k, sizeof *t->s, open_cmp);
    for (size_t i = 0; i < k; i++) {
        struct conn_event c;
        conn_from_open(&t->s[i], &c);
        c.end_us = l->last_us > c.start_us ? l->last_us : c.start_us;
        c.how = CONN_OPEN;
        c.answered = c.accepted = true;
        l->st.open_at_end++;
        emit_conn(l, &c, t->s[i].tz_off, (struct bytes){ NULL, 0 }, CS_CONN);
    }
    memset(t->s, 0, k * sizeof *t->s);
    t->n = 0;
}

/* ---- lines ---- */

static void bad_line(struct logs *l, enum log_bad why)
{
    struct bad_count *b = &l->bad[why];
    if (b->nfirst < BAD_FIRST) {
        b->first[b->nfirst].file = l->file;
        b->first[b->nfirst].line = l->file_line;
        b->nfirst++;
    }
    b->n++;
}

static const char *kind_name(enum log_kind k)
{
    static const char *const n[] = { "none", "conn-built", "conn-teardown", "deny",
                                     "acl-permit", "xlate-built", "xlate-teardown", "packet" };
    return n[k];
}

/* --dump-records: the parsed record as one JSON line (every text escaped). */
static void dump_record(struct logs *l, const struct log_rec *r, const struct syslog_hdr *h,
                        bool have_ts, uint64_t ts)
{
    struct jb *j = &l->dump;
    char buf[64];
    jb_reset(j);
    jb_open(j);
    jb_u64(j, "line", l->file_line);
    if (have_ts) {
        char t[TS_BUF];
        ts_format(ts, t);
        jb_cstr(j, "timestamp", t);
    }
    if (h->host.len)
        jb_str(j, "host", h->host.p, h->host.len);
    jb_cstr(j, "kind", kind_name(r->kind));
    if (r->msgid) {
        jb_u64(j, "msgid", r->msgid);
        jb_u64(j, "level", r->level);
    }
    jb_u64(j, "ip_proto", r->ip_proto);
    if (r->dir)
        jb_cstr(j, "direction", r->dir > 0 ? "outbound" : "inbound");
    if (r->kind == LR_CONN_BUILT || r->kind == LR_CONN_TEARDOWN)
        jb_u64(j, "conn_id", r->conn_id);
    for (int e = 0; e < 2; e++) {
        const struct log_endpoint *ep = &r->ep[e];
        jb_obj(j, e ? "dst" : "src");
        if (ep->iface.len)
            jb_str(j, "iface", ep->iface.p, ep->iface.len);
        if (ep->family)
            jb_cstr(j, "ip", addr_str(ep->family, ep->a, buf, sizeof buf));
        else
            jb_str(j, "name", ep->addr_text.p, ep->addr_text.len);
        if (ep->has_port)
            jb_u64(j, "port", ep->port);
        if (ep->has_mapped) {
            if (ep->mfamily)
                jb_cstr(j, "mapped_ip", addr_str(ep->mfamily, ep->ma, buf, sizeof buf));
            jb_u64(j, "mapped_port", ep->mport);
        }
        jb_close(j);
    }
    if (r->has_duration)
        jb_u64(j, "duration", r->duration_s);
    if (r->has_bytes)
        jb_u64(j, "bytes", r->bytes);
    if (r->reason.len)
        jb_str(j, "reason", r->reason.p, r->reason.len);
    if (r->has_flags)
        jb_u64(j, "tcp_flags", r->tcp_flags);
    if (r->hit_count)
        jb_u64(j, "hit_count", r->hit_count);
    jb_close(j);
    jb_raw(j, "\n", 1);
    if (!j->oom)
        fwrite(j->p, 1, j->len, l->cfg->dump);
}

static void dump_bad(struct logs *l, enum log_bad why)
{
    if (!l->cfg->dump)
        return;
    fprintf(l->cfg->dump, "{\"line\":%" PRIu64 ",\"bad\":\"%s\"}\n", l->file_line,
            log_bad_name[why]);
}

static void line(struct logs *l, const uint8_t *p, size_t n)
{
    l->st.lines++;
    l->file_line++;
    if (n && p[n - 1] == '\r')
        n--;
    if (!n) {
        l->st.empty++;
        return;
    }
    struct syslog_hdr h;
    struct log_rec r;
    enum log_bad why = LB_NONE;
    enum bw_status st = syslog_split(p, n, &h, &why);
    if (st == BW_OK) {
        if (pix_is_message(h.msg.p, h.msg.len))
            st = pix_parse(h.msg.p, h.msg.len, &r, &why);
        else if (nf_is_message(h.msg.p, h.msg.len))
            st = nf_parse(h.msg.p, h.msg.len, &r, &why);
        else
            st = BW_E_MALFORMED, why = LB_NOT_FIREWALL;
    }
    if (st != BW_OK) {
        dump_bad(l, why);
        bad_line(l, why);
        return;
    }
    uint64_t ts = 0;
    int off = 0;
    bool have_ts = h.has_time && logs_clock_utc(&l->clock, &h, &ts, &off);
    if (l->cfg->dump)
        dump_record(l, &r, &h, have_ts, ts);
    if (!have_ts) {
        bad_line(l, h.has_time ? LB_BAD_TIME : LB_NO_TIME);
        return;
    }
    bool conn = r.kind == LR_CONN_BUILT || r.kind == LR_CONN_TEARDOWN || r.kind == LR_DENY;
    if (conn && (!r.ep[0].family || !r.ep[1].family)) {
        bad_line(l, LB_ADDRESS_IS_NAME);     /* "names": nothing to give the detectors */
        return;
    }
    l->st.records++;
    l->st.by_kind[r.kind]++;
    uint64_t fw = h.host.len ? hmap_hash(h.host.p, h.host.len, 11) & 0x3fffffff : 0;
    if (ts > l->last_us)
        l->last_us = ts;
    switch (r.kind) {
    case LR_CONN_BUILT: on_built(l, &r, fw, ts, off); break;
    case LR_CONN_TEARDOWN: on_teardown(l, &r, fw, ts, off); break;
    case LR_DENY: on_deny(l, &r, ts, off); break;
    case LR_PACKET: on_packet(l, &r, ts, off); break;
    case LR_XLATE_BUILT:
        if (l->cfg->report)
            report_xlate_built(l, &r, ts);
        break;
    case LR_XLATE_TEARDOWN:
        if (l->cfg->report)
            report_xlate(l, &r, ts);
        break;
    default: break;                          /* ACL permits: counted */
    }
}

/* Reads one file (or standard input) line by line. BW_E_IO when it cannot be read. */
static enum bw_status read_file(struct logs *l, const char *path, uint8_t *buf, size_t cap)
{
    gzFile gz;
    if (strcmp(path, "-") == 0) {
        int fd = dup(STDIN_FILENO);
        gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
        if (!gz && fd >= 0)
            close(fd);
    } else {
        gz = gzopen(path, "rb");
    }
    if (!gz) {
        fprintf(stderr, "botwatch logs: %s: cannot open: %s\n", path,
                errno ? strerror(errno) : "out of memory");
        return BW_E_IO;
    }
    gzbuffer(gz, 256 * 1024);
    size_t have = 0;
    bool skipping = false;                  /* inside an overlong line */
    enum bw_status st = BW_OK;
    for (;;) {
        int got = gzread(gz, buf + have, (unsigned)(cap - have));
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(gz, &zerr);
            fprintf(stderr, "botwatch logs: %s: read error: %s\n", path,
                    zerr == Z_ERRNO ? strerror(errno) : msg);
            st = BW_E_IO;
            break;
        }
        l->st.bytes += (uint64_t)got;
        size_t end = have + (size_t)got, pos = 0;
        for (;;) {
            const uint8_t *nl = memchr(buf + pos, '\n', end - pos);
            if (!nl)
                break;
            size_t len = (size_t)(nl - (buf + pos));
            if (skipping) {
                skipping = false;
            } else if (len > LOGS_MAX_LINE) {
                l->st.lines++;
                l->file_line++;
                bad_line(l, LB_OVERLONG);
                dump_bad(l, LB_OVERLONG);
            } else {
                line(l, buf + pos, len);
            }
            pos += len + 1;
        }
        /* keep the partial line; a line longer than LOGS_MAX_LINE is counted and skipped */
        size_t rest = end - pos;
        if (rest > LOGS_MAX_LINE) {
            if (!skipping) {
                l->st.lines++;
                l->file_line++;
                bad_line(l, LB_OVERLONG);
                dump_bad(l, LB_OVERLONG);
            }
            skipping = true;
            rest = 0;
        }
        memmove(buf, buf + pos, rest);
        have = rest;
        if (got == 0) {
            if (have && !skipping)
                line(l, buf, have);          /* the last line had no newline */
            int zerr = Z_OK;
            gzerror(gz, &zerr);
            if (zerr == Z_BUF_ERROR) {       /* the file ended inside a gzip stream */
                fprintf(stderr, "botwatch logs: %s: truncated gzip file (%" PRIu64 " lines "
                        "read)\n", path, l->file_line);
                st = BW_E_TRUNC;
            }
            break;
        }
    }
    gzclose(gz);
    return st;
}

static void on_finding(void *ctx, const struct finding *f)
{
    struct logs *l = ctx;
    l->findings++;
    if (l->have_eve)
        eve_finding(&l->eve, f);
    if (l->report)
        report_add(l->report, f);
    if (l->cfg->report && f->kind == FK_SPAM_RELAY) {
        struct rhost *h = rhost_of(l, f->family, f->host);
        if (h && h->nrelay < RH_MAX_RELAY)
            snprintf(h->relay[h->nrelay++], FINDING_TEXT, "%s", f->summary);
    }
}

static void summary(struct logs *l, int nfiles, double secs)
{
    const struct logs_stats *s = &l->st;
    if (!l->cfg->quiet) {
        fprintf(stderr, "logs: %" PRIu64 " lines (%" PRIu64 " bytes) in %d file%s, %.2f s; "
                "%" PRIu64 " records: %" PRIu64 " built, %" PRIu64 " teardown, %" PRIu64
                " deny, %" PRIu64 " acl permit, %" PRIu64 " translation built, %" PRIu64
                " translation teardown, %" PRIu64 " netfilter\n", s->lines, s->bytes, nfiles,
                nfiles == 1 ? "" : "s", secs, s->records, s->by_kind[LR_CONN_BUILT],
                s->by_kind[LR_CONN_TEARDOWN], s->by_kind[LR_DENY], s->by_kind[LR_ACL_PERMIT],
                s->by_kind[LR_XLATE_BUILT], s->by_kind[LR_XLATE_TEARDOWN],
                s->by_kind[LR_PACKET]);
        fprintf(stderr, "logs: %" PRIu64 " connections: %" PRIu64 " paired, %" PRIu64
                " teardown without built, %" PRIu64 " open at end, %" PRIu64 " evicted (table"
                " cap %" PRIu64 "%s), %" PRIu64 " duplicate built; %" PRIu64 " denies (%" PRIu64
                " not a SYN: no attempt); netfilter %" PRIu64 " SYN attempts, %" PRIu64
                " UDP flows (%" PRIu64 " packets past the cap of %d flows), %" PRIu64
                " other packets\n", s->conns, s->paired, s->orphan_teardowns, s->open_at_end,
                s->evicted, l->ct.max, s->grow_failed ? ", out of memory before it" : "",
                s->dup_built, s->denies, s->deny_stray, s->nf_attempts, s->nf_udp_flows,
                s->nf_udp_untracked, NF_UDP_MAX, s->nf_other);
        if (s->xlate_untracked)
            fprintf(stderr, "logs: report: %" PRIu64 " translations not tracked (cap %d open)\n",
                    s->xlate_untracked, XLATE_MAX);
        if (s->report_hosts_dropped)
            fprintf(stderr, "logs: report: %" PRIu64 " records about hosts past the cap of %d\n",
                    s->report_hosts_dropped, RH_MAX_HOSTS);
        const struct detect_stats *ds = detect_stats(l->det);
        fprintf(stderr, "findings: %" PRIu64 "%s\n", l->findings, ds->dropped_nomem ?
                " (detector state dropped for memory: some are missing)" : "");
    }
    uint64_t nbad = 0;
    for (int i = 1; i < LB_MAX; i++)
        nbad += l->bad[i].n;
    if (!nbad)
        return;
    fprintf(stderr, "logs: %" PRIu64 " line%s not used:\n", nbad, nbad == 1 ? "" : "s");
    for (int i = 1; i < LB_MAX; i++) {
        const struct bad_count *b = &l->bad[i];
        if (!b->n)
            continue;
        fprintf(stderr, "  %-32s %8" PRIu64 "  first at", log_bad_name[i], b->n);
        for (unsigned k = 0; k < b->nfirst; k++) {
            const char *f = l->files[b->first[k].file];
            fprintf(stderr, "%s %s:%" PRIu64, k ? "," : "", strcmp(f, "-") ? f : "(stdin)",
                    b->first[k].line);
        }
        fputc('\n', stderr);
    }
}

void logs_config_default(struct logs_config *c)
{
    memset(c, 0, sizeof *c);
    time_t now = time(NULL);
    struct tm tm;
    c->year = gmtime_r(&now, &tm) ? tm.tm_year + 1900 : 1970;
    c->tz = "UTC";
    c->conn_max = LOGS_CONN_MAX_DEFAULT;
    detect_config_default(&c->detect);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int logs_main(const struct logs_config *cfg, char *const *files, int nfiles)
{
    struct logs *l = calloc(1, sizeof *l);
    uint8_t *buf = malloc(READ_CHUNK + LOGS_MAX_LINE + 1);
    struct bw_diag d = { .msg = "" };
    int rc = 0;
    if (!l || !buf) {
        fprintf(stderr, "botwatch logs: out of memory\n");
        free(l);
        free(buf);
        return 3;
    }
    l->cfg = cfg;
    l->files = files;
    if (logs_clock_init(&l->clock, cfg->year, cfg->tz, &d) != BW_OK) {
        fprintf(stderr, "botwatch logs: %s\n", d.msg);
        rc = 2;
        goto out;
    }
    l->ct.max = cfg->conn_max ? cfg->conn_max : 1;
    l->ct.cap = 1024;                         /* grows to 2 * max as connections stay open */
    l->ct.s = calloc(l->ct.cap, sizeof *l->ct.s);
    l->det = detect_new(&cfg->detect);
    if (!l->ct.s || !l->det || (cfg->report && !(l->report = report_new()))) {
        fprintf(stderr, "botwatch logs: cannot allocate the connection table or detectors\n");
        rc = 3;
        goto out;
    }
    if (cfg->eve_path) {
        if (eve_open(&l->eve, cfg->eve_path, false, &d) != BW_OK) {
            fprintf(stderr, "botwatch logs: %s\n", d.msg);
            rc = 3;
            goto out;
        }
        l->have_eve = true;
    }
    double t0 = now_s();
    for (int i = 0; i < nfiles; i++) {
        l->file = (unsigned)i;
        l->file_line = 0;
        if (read_file(l, files[i], buf, READ_CHUNK + LOGS_MAX_LINE) != BW_OK)
            rc = 1;
    }
    flush_open(l);
    nf_sweep(l, 0, true);
    detect_finish(l->det, on_finding, l);
    if (cfg->report) {
        report_xlate_flush(l);
        report_print(l, cfg->report);
        report_write(l->report, cfg->report);
    }
    if (l->have_eve) {
        l->have_eve = false;
        if (eve_close(&l->eve, &d) != BW_OK) {
            fprintf(stderr, "botwatch logs: %s\n", d.msg);
            rc = 3;
        }
    }
    summary(l, nfiles, now_s() - t0);
out:
    if (l->have_eve)
        eve_close(&l->eve, &d);
    if (l->det)
        detect_free(l->det);
    if (l->report)
        report_free(l->report);
    struct rhost *h;
    HMAP_FOREACH(&l->hosts, h) {
        free(h->days);
        free(h);
    }
    hmap_free(&l->hosts);
    struct nf_flow *nff;
    HMAP_FOREACH(&l->nf_udp, nff)
        free(nff);
    hmap_free(&l->nf_udp);
    struct open_xlate *ox;
    HMAP_FOREACH(&l->xlates, ox)
        free(ox);
    hmap_free(&l->xlates);
    jb_free(&l->dump);
    free(l->ct.s);
    free(l);
    free(buf);
    return rc;
}
