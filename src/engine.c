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
    c->frag.memcap = 64ull << 20;
    c->frag.timeout_us = 30ull * 1000000;
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

static void on_deliver(void *ctx, struct flow *f, enum flow_dir dir, const uint8_t *data,
                       size_t len)
{
    struct engine *e = ctx;
    if (data && e->cfg.dump_dir)
        dump(e, f, dir, data, len);
}

static void on_flow_end(void *ctx, struct flow *f)
{
    struct engine *e = ctx;
    if (e->have_eve)
        eve_flow(&e->eve, f);
}

enum bw_status engine_init(struct engine *e, const struct engine_config *c, struct bw_diag *d)
{
    memset(e, 0, sizeof *e);
    e->cfg = *c;
    if (c->eve_path) {
        enum bw_status st = eve_open(&e->eve, c->eve_path, false, d);
        if (st != BW_OK)
            return st;
        e->have_eve = true;
    }
    decoder_init(&e->dec, &e->stats, &c->frag);
    if (flow_table_init(&e->ft, &c->flow, &c->stream, &e->stats, on_flow_end, on_deliver, e)) {
        snprintf(d->msg, sizeof d->msg, "cannot allocate the flow table");
        return BW_E_NOMEM;
    }
    return BW_OK;
}

void engine_packet(struct engine *e, int dlt, uint64_t ts_us, uint32_t wirelen, uint32_t caplen,
                   const uint8_t *data)
{
    struct pkt p;
    p.no = ++e->pkt_no;
    p.ts_us = ts_us;
    p.wirelen = wirelen;
    p.caplen = caplen;
    p.data = data;
    e->stats.input.pkts++;
    e->stats.input.bytes += wirelen;
    if (ts_us > e->now_us) {
        e->now_us = ts_us;
        if (ts_us >= e->next_tick_us) {
            flow_table_expire(&e->ft, ts_us);
            frag_expire(&e->dec.frag, ts_us);
            e->next_tick_us = ts_us + TICK_US;
        }
    }
    if (decode_packet(&e->dec, dlt, &p) != DECODE_OK)
        return;
    enum flow_dir dir;
    flow_table_packet(&e->ft, &p, &dir);
}

enum bw_status engine_finish(struct engine *e, struct bw_diag *d)
{
    flow_table_finish(&e->ft);
    decoder_free(&e->dec);
    if (e->have_eve) {
        eve_stats(&e->eve, &e->stats, e->now_us);
        return eve_close(&e->eve, d);
    }
    return BW_OK;
}
