/* SPDX-License-Identifier: MIT
 * registry.c — identifies each flow's application protocol from its first bytes.
 * The first PROBE_BUF bytes of each direction are kept while the flow is undecided; after each
 * addition the protocols whose usual ports include the server port are tried first, then the
 * rest in protocols.def order. A probe's "no" excludes that protocol for the flow; the first
 * "yes" decides; when every protocol has said no, or the bytes kept are enough and nothing has
 * said yes, the flow is "unknown" and its first bytes' entropy is kept (encrypted or packed
 * channels show 7.5+ bits per byte). The state is freed as soon as the flow is decided. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "util/pool.h"

static const struct proto_desc *const protos[] = {
#define PROTO(id, name, desc) &desc,
#include "proto/protocols.def"
#undef PROTO
};
enum { NPROTOS = sizeof protos / sizeof protos[0] };
_Static_assert(NPROTOS < 32, "the exclusion mask is 32 bits");

const char *const proto_name[PROTO_MAX] = {
    "",
#define PROTO(id, name, desc) name,
#include "proto/protocols.def"
#undef PROTO
    "unknown",
};

struct app_ident {
    uint8_t buf[2][PROBE_BUF];     /* first bytes by direction (UDP: first datagram) */
    uint16_t len[2];
    uint32_t excluded;             /* bit (id - 1) set: that protocol said no */
    uint8_t likely;                /* the first protocol that said likely, or PROTO_NONE */
    uint8_t datagrams;             /* UDP datagrams probed */
};

bool proto_port_is_usual(enum proto_id p, uint16_t port)
{
    if (p <= PROTO_NONE || p >= PROTO_UNKNOWN)
        return false;
    const struct proto_desc *d = protos[p - 1];
    for (int i = 0; i < PROTO_MAX_PORTS && d->ports[i]; i++)
        if (d->ports[i] == port)
            return true;
    return false;
}

enum proto_id proto_by_port(uint16_t port, bool tcp)
{
    for (size_t i = 0; i < NPROTOS; i++)
        if ((protos[i]->transports & (tcp ? PT_TCP : PT_UDP)) &&
            proto_port_is_usual(protos[i]->id, port))
            return protos[i]->id;
    return PROTO_NONE;
}

unsigned proto_entropy_x100(const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    unsigned count[256] = { 0 };
    for (size_t i = 0; i < n; i++)
        count[p[i]]++;
    double h = 0;
    for (int i = 0; i < 256; i++)
        if (count[i]) {
            double q = (double)count[i] / (double)n;
            h -= q * log2(q);
        }
    return (unsigned)(h * 100 + 0.5);
}

static uint16_t server_port(const struct flow *f)
{
    return f->key.port[!f->client_side];
}

static const struct proto_desc *desc_of(uint8_t id)
{
    return id > PROTO_NONE && id < PROTO_UNKNOWN ? protos[id - 1] : NULL;
}

/* A decided flow's f->app is its parser's state; an undecided one's is struct app_ident. */
static void release(struct proto_engine *pe, struct flow *f)
{
    if (!f->app)
        return;
    const struct proto_desc *d = desc_of(f->app_proto);
    size_t size = f->app_proto == PROTO_NONE ? sizeof(struct app_ident) : (d ? d->state_size : 0);
    pool_put(f->app, size);
    f->app = NULL;
    pe->stats->memuse -= size;
}

static void parse(struct proto_engine *pe, struct flow *f, enum flow_dir dir,
                  const uint8_t *data, size_t len)
{
    const struct proto_desc *d = desc_of(f->app_proto);
    if (d && d->parse && f->app && pe->sink)
        d->parse(pe->sink, f, f->app, dir, data, len);
}

static void decide(struct proto_engine *pe, struct flow *f, enum proto_id id)
{
    struct app_ident *st = f->app;           /* may be NULL (memcap, or no payload) */
    if (id == PROTO_UNKNOWN && st && st->likely != PROTO_NONE)
        id = (enum proto_id)st->likely;      /* nothing sure, but one protocol fits */
    if (id == PROTO_UNKNOWN && st) {
        /* entropy of the direction that said most */
        int d = st->len[DIR_TOCLIENT] > st->len[DIR_TOSERVER];
        f->app_entropy_x100 = (uint16_t)proto_entropy_x100(st->buf[d], st->len[d]);
        f->app_sample_bytes = st->len[d];
    }
    const struct proto_desc *pd = desc_of((uint8_t)id);
    /* a protocol with no usual ports (ftp-data: negotiated) is never on an unusual one */
    if (pd && pd->ports[0] && !proto_port_is_usual(id, server_port(f))) {
        f->app_unusual_port = true;
        pe->stats->unusual_port++;
    }
    /* Hand over to the parser: its state replaces the identification state, and the bytes
     * kept for probing are parsed first: the client's, then the server's (the order between
     * the two directions within them is not known any more). */
    const struct proto_desc *d = desc_of((uint8_t)id);
    void *ps = NULL;
    if (d && d->parse && pe->sink) {
        if (pe->stats->memuse + d->state_size <= pe->memcap && (ps = pool_get_zero(d->state_size)))
            stats_mem_add(&pe->stats->memuse, &pe->stats->memuse_peak, d->state_size);
        else
            pe->stats->parser_memcap_drop++;
    }
    f->app_proto = (uint8_t)id;
    f->app = ps;
    if (ps && st && f->key.proto == IPPROTO_NUM_TCP)
        for (int dir = 0; dir < 2; dir++)
            if (st->len[dir])
                parse(pe, f, (enum flow_dir)dir, st->buf[dir], st->len[dir]);
    if (st) {
        pool_put(st, sizeof *st);
        pe->stats->memuse -= sizeof *st;
    }
}

static void run_probes(struct proto_engine *pe, struct flow *f, struct app_ident *st,
                       const struct probe_in *in)
{
    uint8_t want = in->tcp ? PT_TCP : PT_UDP;
    bool need_more = false;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < NPROTOS; i++) {
            const struct proto_desc *d = protos[i];
            uint32_t bit = 1u << (d->id - 1);
            if ((st->excluded & bit) || !(d->transports & want))
                continue;
            bool hinted = proto_port_is_usual(d->id, in->server_port);
            if (hinted != (pass == 0))
                continue;
            switch (d->probe(in)) {
            case PROBE_YES:
                decide(pe, f, d->id);
                return;
            case PROBE_NO:
                st->excluded |= bit;
                break;
            case PROBE_LIKELY:
                if (st->likely == PROTO_NONE)
                    st->likely = (uint8_t)d->id;
                need_more = true;
                break;
            case PROBE_NEED_MORE:
                need_more = true;
                break;
            }
        }
    }
    if (!need_more)
        decide(pe, f, PROTO_UNKNOWN);
}

void proto_expect(struct proto_engine *pe, const struct app_expect *x)
{
    pe->stats->expected++;
    if (pe->nexpect == PROTO_EXPECT_MAX) {   /* full: the oldest goes */
        memmove(pe->expect, pe->expect + 1, (PROTO_EXPECT_MAX - 1) * sizeof pe->expect[0]);
        pe->nexpect--;
        pe->stats->expect_dropped++;
    }
    pe->expect[pe->nexpect++] = *x;
}

/* Is this new flow a connection some parser announced? Expired announcements go on the way. */
static bool expected(struct proto_engine *pe, struct flow *f, uint64_t now)
{
    size_t alen = f->key.family == 4 ? 4 : 16;
    const uint8_t *srv = f->key.addr[!f->client_side], *cli = f->key.addr[f->client_side];
    uint16_t port = server_port(f);
    for (unsigned i = 0; i < pe->nexpect;) {
        struct app_expect *x = &pe->expect[i];
        if (now > x->expires_us) {
            pe->expect[i] = pe->expect[--pe->nexpect];
            continue;
        }
        if (x->family == f->key.family && x->listen_port == port &&
            memcmp(x->listen_addr, srv, alen) == 0 && memcmp(x->peer_addr, cli, alen) == 0) {
            if (f->id > x->owner && f->id - x->owner <= UINT32_MAX)
                f->related_back = (uint32_t)(f->id - x->owner);
            uint8_t id = x->proto;
            pe->expect[i] = pe->expect[--pe->nexpect];
            pe->stats->expect_matched++;
            decide(pe, f, (enum proto_id)id);
            return true;
        }
        i++;
    }
    return false;
}

void proto_flow_data(struct proto_engine *pe, struct flow *f, enum flow_dir dir,
                     const uint8_t *data, size_t len)
{
    if (f->app_proto != PROTO_NONE) {
        parse(pe, f, dir, data, len);
        return;
    }
    if (len == 0)
        return;
    bool tcp = f->key.proto == IPPROTO_NUM_TCP;
    if (!tcp && f->key.proto != IPPROTO_NUM_UDP)
        return;
    if (!f->app && pe->nexpect && expected(pe, f, pe->sink ? pe->sink->now_us : 0)) {
        parse(pe, f, dir, data, len);
        return;
    }
    struct app_ident *st = f->app;
    if (!st) {
        if (pe->stats->memuse + sizeof *st > pe->memcap || !(st = pool_get(sizeof *st))) {
            pe->stats->memcap_drop++;
            decide(pe, f, PROTO_UNKNOWN);
            return;
        }
        st->len[0] = st->len[1] = 0;
        st->excluded = 0;
        st->datagrams = 0;
        st->likely = PROTO_NONE;
        f->app = st;
        stats_mem_add(&pe->stats->memuse, &pe->stats->memuse_peak, sizeof *st);
    }
    if (!data) {                             /* a hole in the first bytes: probes would guess */
        pe->stats->gave_up_gap++;
        decide(pe, f, PROTO_UNKNOWN);
        return;
    }
    struct probe_in in = { .dir = dir, .tcp = tcp, .midstream = f->midstream,
                           .server_port = server_port(f) };
    size_t room = PROBE_BUF - st->len[dir];
    size_t take = len < room ? len : room;
    if (tcp || st->len[dir] == 0) {          /* UDP keeps its first datagram, for entropy */
        memcpy(st->buf[dir] + st->len[dir], data, take);
        st->len[dir] = (uint16_t)(st->len[dir] + take);
    }
    for (int d = 0; d < 2; d++) {
        in.data[d] = st->buf[d];
        in.len[d] = st->len[d];
    }
    if (!tcp) {                              /* a datagram stands alone */
        in.data[dir] = data;
        in.len[dir] = len;
        st->datagrams++;
    }
    run_probes(pe, f, st, &in);
    if (f->app_proto != PROTO_NONE) {
        if (tcp && take < len)               /* what did not fit in the probe buffer */
            parse(pe, f, dir, data + take, len - take);
        else if (!tcp)                       /* the datagram that decided: parse it too */
            parse(pe, f, dir, data, len);
        return;
    }
    if (tcp ? st->len[dir] == PROBE_BUF : st->datagrams >= PROBE_UDP_DATAGRAMS)
        decide(pe, f, PROTO_UNKNOWN);        /* enough seen and nothing is sure */
}

void proto_flow_close(struct proto_engine *pe, struct flow *f)
{
    if (f->app_proto == PROTO_NONE && f->app)
        decide(pe, f, PROTO_UNKNOWN);
    const struct proto_desc *d = desc_of(f->app_proto);
    if (d && d->fini && f->app && pe->sink)
        d->fini(pe->sink, f, f->app);
    if (d && d->tunnel && f->app)
        f->app_tunnel = d->tunnel(f->app);
    release(pe, f);
}

void proto_flow_end(struct proto_engine *pe, struct flow *f)
{
    proto_flow_close(pe, f);
    pe->stats->flows[f->app_proto]++;
}

void proto_stats_print(FILE *out, const struct proto_stats *ps)
{
    fprintf(out, "  app protocols:");
    bool any = false;
    for (int i = 1; i < PROTO_MAX; i++)
        if (ps->flows[i]) {
            fprintf(out, "%s %s %" PRIu64, any ? "," : "", proto_name[i], ps->flows[i]);
            any = true;
        }
    fprintf(out, "%s; on unusual ports %" PRIu64 ", given up at a gap %" PRIu64
            ", memcap drops %" PRIu64 " (parsers %" PRIu64 "); %" PRIu64 " events, %" PRIu64
            " IRC lines cut at 512 bytes\n",
            any ? "" : " none", ps->unusual_port, ps->gave_up_gap, ps->memcap_drop,
            ps->parser_memcap_drop, ps->events, ps->irc_overlong);
}

enum proto_id proto_identify(const struct probe_in *in)
{
    uint8_t want = in->tcp ? PT_TCP : PT_UDP;
    bool need_more = false;
    enum proto_id likely = PROTO_NONE;
    for (size_t i = 0; i < NPROTOS; i++) {
        const struct proto_desc *d = protos[i];
        if (!(d->transports & want))
            continue;
        switch (d->probe(in)) {
        case PROBE_YES:
            return d->id;
        case PROBE_LIKELY:
            if (likely == PROTO_NONE)
                likely = d->id;
            need_more = true;
            break;
        case PROBE_NEED_MORE:
            need_more = true;
            break;
        case PROBE_NO:
            break;
        }
    }
    return need_more ? PROTO_NONE : (likely ? likely : PROTO_UNKNOWN);
}

void proto_flow_force(struct proto_engine *pe, struct flow *f, enum proto_id id)
{
    if (f->app_proto == PROTO_NONE && !f->app)
        decide(pe, f, id);
}
