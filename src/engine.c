/* SPDX-License-Identifier: MIT
 * engine.c — glue of the packet path. Flows are expired by packet time, checked once per
 * second of packet time, so a capture gives the same output on every machine. */
#include "engine.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TICK_US = 1000000 };

void engine_config_default(struct engine_config *c)
{
    memset(c, 0, sizeof *c);
    flow_limits_default(&c->flow, &c->stream);
    c->lookahead = ENGINE_LOOKAHEAD_DEFAULT;
    c->frag.memcap = 64ull << 20;
    c->frag.timeout_us = 30ull * 1000000;
    c->app_memcap = 256ull << 20;
    c->rules_memcap = 256ull << 20;
    detect_config_default(&c->detect);
}

/* The detectors' view of a flow: the same record a firewall log's connection would give. */
static void conn_from_flow(const struct flow *f, struct conn_event *c)
{
    int cs = f->client_side;
    c->flow_id = f->id;
    c->family = f->key.family;
    c->ip_proto = f->key.proto;
    c->app_proto = f->app_proto;
    c->app_tunnel = f->app_tunnel;
    c->app_unusual_port = f->app_unusual_port;
    memcpy(c->src, f->key.addr[cs], 16);
    memcpy(c->dst, f->key.addr[!cs], 16);
    c->sport = f->key.port[cs];
    c->dport = f->key.port[!cs];
    c->start_us = f->first_us;
    c->end_us = f->last_us;
    for (int d = 0; d < 2; d++) {
        c->pkts[d] = f->pkts[d];
        c->bytes[d] = f->bytes[d];
    }
    c->answered = f->pkts[DIR_TOCLIENT] > 0;
    uint8_t back = f->tcp_flags[DIR_TOCLIENT];
    c->accepted = f->key.proto == IPPROTO_NUM_TCP &&
                  (((back & 0x12) == 0x12) || (f->midstream && f->payload_seen && c->answered));
    switch (f->end) {
    case FLOW_END_fin: c->how = CONN_FIN; break;
    case FLOW_END_rst: c->how = f->rst_by == 1 + DIR_TOSERVER ? CONN_RST_CLIENT
                                                              : CONN_RST_SERVER; break;
    case FLOW_END_timeout: c->how = CONN_TIMEOUT; break;
    case FLOW_END_forced: c->how = CONN_EVICTED; break;
    default: c->how = CONN_OPEN; break;
    }
}

/* --dump-streams: each direction's reassembled bytes in DIR/<flow_id>-toserver.bin and
 * -toclient.bin. Gaps are not filled; they are counted in the flow event. Files are opened
 * for each delivery (append) to keep no per-flow state: this is a debugging aid. */
static void dump(struct engine *e, const struct flow *f, enum flow_dir dir, const uint8_t *p,
                 size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%" PRIu64 "-%s.bin", e->cfg.dump_dir, f->id,
             dir == DIR_TOSERVER ? "toserver" : "toclient");
    FILE *fp = fopen(path, "ab");
    if (!fp || fwrite(p, 1, n, fp) != n) {
        if (!e->dump_failed)
            fprintf(stderr, "botwatch: %s: %s\n", path, strerror(errno));
        e->dump_failed = true;
    }
    if (fp)
        fclose(fp);
}

/* ---- the rule engine (issue #4): its three hooks and its alert sink ---- */

/* Inline mode: drop, sdrop and reject mark the flow (this packet and the rest of it); sdrop
 * says nothing. Offline every action is only recorded. */
static void on_rule_alert(void *ctx, const struct rule_alert *a)
{
    struct engine *e = ctx;
    enum rule_action act = a->r->action;
    if (e->cfg.inline_mode && a->f) {
        /* the flow is the table's, handed to the rules as read-only; its verdict is ours */
        struct flow *f = (struct flow *)(uintptr_t)a->f;
        if (act == RA_DROP || act == RA_SDROP)
            f->verdict = VERDICT_DROP;
        else if (act == RA_REJECT)
            f->verdict = VERDICT_REJECT;
        if (act == RA_SDROP)
            return;
    }
    if (e->have_eve && a->f)                 /* every engine alert has its flow */
        eve_alert(&e->eve, a);
    if (e->have_fast)
        fast_alert(&e->fast, a);
}

static enum bw_status engine_rules_init(struct engine *e, const struct engine_config *c,
                                        struct bw_diag *d)
{
    if (c->fast_path) {
        enum bw_status st = fast_open(&e->fast, c->fast_path, d);
        if (st != BW_OK)
            return st;
        e->have_fast = true;
    }
    if (!c->rules)
        return BW_OK;
    return rules_prepare(c->rules, c->rules_memcap, on_rule_alert, e, d);
}

/* Every decoded packet with its flow (TCP payload rules see the stream instead). */
static void engine_rules_packet(struct engine *e, struct flow *f, enum flow_dir dir,
                                const struct pkt *p)
{
    if (e->cfg.rules)
        rules_packet(e->cfg.rules, f, dir, p);
}

static void engine_rules_stream(struct engine *e, struct flow *f, enum flow_dir dir,
                                const uint8_t *data, size_t len)
{
    if (e->cfg.rules)
        rules_stream(e->cfg.rules, f, dir, e->sink.now_us, data, len);
}

static void engine_rules_flow_end(struct engine *e, struct flow *f)
{
    if (e->cfg.rules)
        rules_flow_end(e->cfg.rules, f);
}

static void on_deliver(void *ctx, struct flow *f, enum flow_dir dir, const uint8_t *data,
                       size_t len)
{
    struct engine *e = ctx;
    if (data && e->cfg.dump_dir)
        dump(e, f, dir, data, len);
    if (!e->cfg.no_app)
        proto_flow_data(&e->pe, f, dir, data, len);
    engine_rules_stream(e, f, dir, data, len);
}

/* Application events: to EVE now; to the detectors when they exist (issue #7). */
static void on_app_event(void *ctx, const struct flow *f, const struct app_event *ev)
{
    struct engine *e = ctx;
    e->app_stats.events++;
    if (ev->type == APP_EV_IRC && ev->u.irc->truncated)
        e->app_stats.irc_overlong++;
    if (e->have_eve)
        eve_app_event(&e->eve, f, ev);
    if (e->det) {
        struct conn_event c;
        conn_from_flow(f, &c);
        detect_app(e->det, &c, ev);
    }
}

static void on_expect(void *ctx, const struct app_expect *x)
{
    struct engine *e = ctx;
    proto_expect(&e->pe, x);
}

static void on_flow_close(void *ctx, struct flow *f)
{
    struct engine *e = ctx;
    proto_flow_close(&e->pe, f);
    if (e->cfg.rules)
        rules_flow_close(e->cfg.rules, f);
}

static void on_flow_end(void *ctx, struct flow *f)
{
    struct engine *e = ctx;
    proto_flow_end(&e->pe, f);
    if (e->have_eve)
        eve_flow(&e->eve, f);
    engine_rules_flow_end(e, f);
    if (e->det) {
        struct conn_event c;
        conn_from_flow(f, &c);
        detect_conn(e->det, &c);
    }
}

static void on_finding(void *ctx, const struct finding *fd)
{
    struct engine *e = ctx;
    if (e->have_eve)
        eve_finding(&e->eve, fd);
    if (e->report)
        report_add(e->report, fd);
}

enum bw_status engine_init(struct engine *e, const struct engine_config *c, struct bw_diag *d)
{
    memset(e, 0, sizeof *e);
    e->cfg = *c;
    if (c->eve_path) {
        enum bw_status st = eve_open(&e->eve, c->eve_path, c->eve_line_buffered, d);
        if (st != BW_OK)
            return st;
        e->eve.inline_mode = c->inline_mode;
        e->have_eve = true;
    }
    if (c->lookahead > ENGINE_LOOKAHEAD_MAX || (c->lookahead & (c->lookahead - 1))) {
        snprintf(d->msg, sizeof d->msg, "look-ahead must be a power of two up to %d",
                 ENGINE_LOOKAHEAD_MAX);
        return BW_E_SYNTAX;
    }
    if (c->lookahead > 1) {
        e->slot = calloc(c->lookahead, sizeof *e->slot);
        if (!e->slot) {
            snprintf(d->msg, sizeof d->msg, "cannot allocate the look-ahead window");
            return BW_E_NOMEM;
        }
    }
    decoder_init(&e->dec, &e->stats, &c->frag);
    e->pe.stats = &e->app_stats;
    e->pe.memcap = c->app_memcap;
    e->sink = (struct app_sink){ .emit = on_app_event, .ctx = e, .expect = on_expect };
    e->pe.sink = &e->sink;
    if (flow_table_init(&e->ft, &c->flow, &c->stream, &e->stats, on_flow_end, on_deliver, e)) {
        snprintf(d->msg, sizeof d->msg, "cannot allocate the flow table");
        return BW_E_NOMEM;
    }
    e->ft.on_close = on_flow_close;
    if (!c->no_app && !(e->det = detect_new(&c->detect))) {
        snprintf(d->msg, sizeof d->msg, "cannot allocate the detectors");
        return BW_E_NOMEM;
    }
    if (c->report && !(e->report = report_new())) {
        snprintf(d->msg, sizeof d->msg, "cannot allocate the detectors");
        return BW_E_NOMEM;
    }
    return engine_rules_init(e, c, d);
}

/* The flow stage: expiry by packet time, then the flow table and reassembly. */
static void process(struct engine *e, struct pkt *p, const struct flow_lookup *lk)
{
    uint64_t ts = p->ts_us;
    e->sink.now_us = ts;
    if (ts > e->now_us) {
        e->now_us = ts;
        if (ts >= e->next_tick_us) {
            flow_table_expire(&e->ft, ts);
            e->next_tick_us = ts + TICK_US;
        }
    }
    enum flow_dir dir;
    struct flow *f = flow_table_packet_keyed(&e->ft, p, lk, &dir);
    e->last_flow = f;
    if (f && p->proto == IPPROTO_NUM_UDP && p->payload_len && !e->cfg.no_app)
        proto_flow_data(&e->pe, f, dir, p->payload, p->payload_len);   /* TCP: via reassembly */
    if (f)                                   /* dir is set only when there is a flow */
        engine_rules_packet(e, f, dir, p);
}

/* The decode stage. Fragment state belongs to the decoder, so its expiry runs here. */
static bool decode(struct engine *e, int dlt, struct pkt *p)
{
    e->stats.input.pkts++;
    e->stats.input.bytes += p->wirelen;
    if (p->ts_us >= e->frag_tick_us) {
        frag_expire(&e->dec.frag, p->ts_us);
        e->frag_tick_us = p->ts_us + TICK_US;
    }
    return decode_packet(&e->dec, dlt, p) == DECODE_OK;
}

static bool slot_reserve(struct engine_slot *s, size_t n)
{
    if (s->buf && s->cap >= n)
        return true;
    size_t cap = s->cap ? s->cap : 2048;
    while (cap < n)
        cap *= 2;
    uint8_t *b = realloc(s->buf, cap);
    if (!b)
        return false;
    s->buf = b;
    s->cap = cap;
    return true;
}

void engine_drain(struct engine *e)
{
    unsigned mask = e->cfg.lookahead - 1;
    while (e->count) {
        struct engine_slot *s = &e->slot[e->head];
        if (s->ok)
            process(e, &s->p, &s->lk);
        e->head = (e->head + 1) & mask;
        e->count--;
    }
}

/* No look-ahead window: decoded and processed at once, from the caller's buffer. */
static void packet_now(struct engine *e, int dlt, struct pkt *p)
{
    if (decode(e, dlt, p)) {
        struct flow_lookup lk;
        flow_lookup_key(p, &lk);
        process(e, p, &lk);
    }
}

/* The frame is in the slot after the window's last: decode it there and add it to the
 * window, prefetching what its processing will need. */
static void slot_packet(struct engine *e, int dlt, uint64_t ts_us, uint32_t wirelen,
                        uint32_t caplen, const uint8_t *data)
{
    unsigned n = e->cfg.lookahead, mask = n - 1;
    struct engine_slot *s = &e->slot[(e->head + e->count) & mask];
    struct pkt *p = &s->p;                   /* decoded in place: no copy of the record */
    p->no = ++e->pkt_no;                     /* decode_packet sets every other field */
    p->ts_us = ts_us;
    p->wirelen = wirelen;
    p->caplen = caplen;
    p->data = data;
    e->last_flow = NULL;
    e->count++;
    s->ok = false;
    if (decode(e, dlt, p)) {
        if (p->frag_pkts && p->payload_len) {
            /* a reassembled datagram lives in the decoder until its next one: keep a copy
             * (the frame itself is no longer needed once it is decoded) */
            if (!slot_reserve(s, p->payload_len)) {
                struct pkt now = *p;         /* the window is drained over this slot */
                engine_drain(e);
                e->count = 0;
                struct flow_lookup lk;
                flow_lookup_key(&now, &lk);
                process(e, &now, &lk);
                return;
            }
            memcpy(s->buf, p->payload, p->payload_len);
            p->payload = s->buf;
        }
        flow_lookup_key(p, &s->lk);
        flow_table_prefetch_bucket(&e->ft, &s->lk);
        s->ok = true;
    }
    /* halfway through the window the bucket is in cache: prefetch the flow it points to */
    if (e->count > n / 2) {
        struct engine_slot *mid = &e->slot[(e->head + e->count - 1 - n / 2) & mask];
        if (mid->ok)
            flow_table_prefetch_flow(&e->ft, &mid->lk);
    }
}

/* Makes room in the window for one more packet: the oldest goes through when it is full. */
static struct engine_slot *slot_next(struct engine *e)
{
    unsigned n = e->cfg.lookahead, mask = n - 1;
    if (e->count == n) {
        struct engine_slot *s = &e->slot[e->head];
        if (s->ok)
            process(e, &s->p, &s->lk);
        e->head = (e->head + 1) & mask;
        e->count--;
    }
    return &e->slot[(e->head + e->count) & mask];
}

/* No window, or no memory for the frame: processed at once, after what the window holds. */
static void packet_at_once(struct engine *e, int dlt, uint64_t ts_us, uint32_t wirelen,
                           uint32_t caplen, const uint8_t *data)
{
    struct pkt p = { .no = ++e->pkt_no, .ts_us = ts_us, .wirelen = wirelen,
                     .caplen = caplen, .data = data };
    e->last_flow = NULL;
    engine_drain(e);
    e->count = 0;
    packet_now(e, dlt, &p);
}

void engine_packet_ref(struct engine *e, int dlt, uint64_t ts_us, uint32_t wirelen,
                       uint32_t caplen, const uint8_t *data)
{
    if (!e->slot) {
        packet_at_once(e, dlt, ts_us, wirelen, caplen, data);
        return;
    }
    slot_next(e);
    slot_packet(e, dlt, ts_us, wirelen, caplen, data);
}

void engine_packet(struct engine *e, int dlt, uint64_t ts_us, uint32_t wirelen, uint32_t caplen,
                   const uint8_t *data)
{
    struct engine_slot *s = e->slot ? slot_next(e) : NULL;
    if (!s || !slot_reserve(s, caplen)) {
        packet_at_once(e, dlt, ts_us, wirelen, caplen, data);
        return;
    }
    memcpy(s->buf, data, caplen);
    slot_packet(e, dlt, ts_us, wirelen, caplen, s->buf);
}

void engine_tick(struct engine *e, uint64_t now_us)
{
    engine_drain(e);
    if (now_us > e->now_us) {
        e->now_us = now_us;
        e->sink.now_us = now_us;
        if (now_us >= e->next_tick_us) {
            flow_table_expire(&e->ft, now_us);
            e->next_tick_us = now_us + TICK_US;
        }
    }
    if (e->det && e->cfg.findings_interval_us) {
        if (!e->next_findings_us)
            e->next_findings_us = now_us + e->cfg.findings_interval_us;
        if (now_us >= e->next_findings_us) {
            detect_flush(e->det, on_finding, e);
            e->next_findings_us = now_us + e->cfg.findings_interval_us;
        }
    }
}

static void forget_rules_state(void *ctx, struct flow *f)
{
    (void)ctx;
    f->rules_state = NULL;
}

enum bw_status engine_rules_swap(struct engine *e, struct rules *rs, struct rules **old,
                                 struct bw_diag *d)
{
    *old = NULL;
    enum bw_status st = rules_prepare(rs, e->cfg.rules_memcap, on_rule_alert, e, d);
    if (st != BW_OK)
        return st;
    engine_drain(e);                          /* packets decoded ahead met the old rules */
    *old = e->cfg.rules;
    e->cfg.rules = rs;
    flow_table_each(&e->ft, forget_rules_state, NULL);   /* it belongs to the old rules */
    return BW_OK;
}

enum flow_verdict engine_verdict(const struct engine *e)
{
    return e->last_flow ? (enum flow_verdict)e->last_flow->verdict : VERDICT_ACCEPT;
}

void engine_stats_event(struct engine *e)
{
    if (e->have_eve)
        eve_stats(&e->eve, &e->stats, &e->app_stats, e->now_us);
}

enum bw_status engine_finish(struct engine *e, struct bw_diag *d)
{
    engine_drain(e);
    flow_table_finish(&e->ft);
    decoder_free(&e->dec);
    for (unsigned i = 0; e->slot && i < e->cfg.lookahead; i++)
        free(e->slot[i].buf);
    free(e->slot);
    e->slot = NULL;
    if (e->det) {
        detect_finish(e->det, on_finding, e);
        const struct detect_stats *ds = detect_stats(e->det);
        e->findings = ds->findings;
        e->detect_dropped = ds->dropped_nomem;
        detect_free(e->det);
        e->det = NULL;
    }
    if (e->report) {
        report_write(e->report, e->cfg.report);
        report_free(e->report);
        e->report = NULL;
    }
    enum bw_status st = BW_OK;
    if (e->have_fast)
        st = fast_close(&e->fast, d);
    if (e->have_eve) {
        eve_stats(&e->eve, &e->stats, &e->app_stats, e->now_us);
        enum bw_status st2 = eve_close(&e->eve, d);
        if (st == BW_OK)
            st = st2;
    }
    return st;
}
