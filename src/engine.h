/* SPDX-License-Identifier: MIT
 * engine.h — the packet path shared by every packet source (scan now; live and inline later):
 * decode -> flow table -> TCP reassembly -> outputs. One engine per run; no globals. */
#ifndef BW_ENGINE_H
#define BW_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "detect/detect.h"
#include "flow/flow.h"
#include "output/eve.h"
#include "output/fast.h"
#include "proto/proto.h"
#include "util/stats.h"
#include "util/status.h"

struct engine_config {
    const char *eve_path;        /* NULL: no EVE output */
    bool eve_line_buffered;      /* live: each event reaches the file as it happens */
    bool inline_mode;            /* rules' drop/reject act on flows (botwatch inline) */
    unsigned lookahead;          /* packets decoded ahead of flow processing (0 = none);
                                    a power of two, at most ENGINE_LOOKAHEAD_MAX */
    const char *dump_dir;        /* NULL: reassembled streams are not written */
    bool no_app;                 /* decode, flows and reassembly only: no protocol
                                    identification, parsers or detectors (--no-app) */
    struct flow_limits flow;
    struct stream_limits stream;
    struct frag_limits frag;
    uint64_t app_memcap;         /* identification state of undecided flows */
    struct detect_config detect; /* the detectors' networks, sites, policy and thresholds */
    FILE *report;                /* NULL: no readable report; else written at the end */
    uint64_t findings_interval_us;   /* live/inline: findings so far every this often; 0: at
                                        the end only */
    struct rules *rules;         /* loaded rules (the caller's), or NULL: no rule matching */
    const char *fast_path;       /* NULL: no fast alert lines */
    uint64_t rules_memcap;       /* per-flow rule state (flowbits, stream tails) */
};

void engine_config_default(struct engine_config *c);

enum { ENGINE_LOOKAHEAD_MAX = 64, ENGINE_LOOKAHEAD_DEFAULT = 16 };

/* One packet in the look-ahead window: a private copy of the frame (capture buffers do not
 * outlive the next read), its decoded form and its flow key. */
struct engine_slot {
    struct pkt p;
    struct flow_lookup lk;
    bool ok;                     /* decoded to the transport layer */
    uint8_t *buf;                /* the frame, then (if reassembled) the datagram */
    size_t cap;
};

struct engine {
    struct engine_config cfg;
    struct bw_stats stats;
    struct decoder dec;
    struct flow_table ft;
    struct proto_engine pe;
    struct proto_stats app_stats;
    struct app_sink sink;
    struct eve eve;
    struct detect *det;
    struct report *report;
    uint64_t findings, detect_dropped;   /* after engine_finish */
    struct fast fast;            /* rule alerts, one line each */
    bool have_eve, have_fast, dump_failed;
    uint64_t now_us, next_tick_us, frag_tick_us, next_findings_us;
    uint64_t pkt_no;
    struct flow *last_flow;      /* the flow of the packet processed last (inline verdicts) */
    struct engine_slot *slot;    /* cfg.lookahead slots, a ring */
    unsigned head, count;
};

/* Opens the outputs; BW_E_IO with d filled when one cannot be opened. */
enum bw_status engine_init(struct engine *e, const struct engine_config *c, struct bw_diag *d);

/* One captured frame of link type dlt. With a look-ahead window the frame is decoded now and
 * processed up to cfg.lookahead packets later, in the same order: results are identical.
 * Live and inline sources call engine_drain when they have to act on a packet now. */
void engine_packet(struct engine *e, int dlt, uint64_t ts_us, uint32_t wirelen,
                   uint32_t caplen, const uint8_t *data);
void engine_drain(struct engine *e);

/* The same for a reader that keeps its frames in a buffer of its own (a capture file read in
 * large pieces): data is not copied but must stay unchanged until the packet has been
 * processed, that is until cfg.lookahead - 1 more packets have been given or engine_drain
 * has returned. The reader drains before it reuses the memory. */
void engine_packet_ref(struct engine *e, int dlt, uint64_t ts_us, uint32_t wirelen,
                       uint32_t caplen, const uint8_t *data);

/* Live sources: time has moved on to now_us (wall clock) with or without packets; flows idle
 * past their timeout end now. */
void engine_tick(struct engine *e, uint64_t now_us);
/* Inline: the verdict for the packet just given to engine_packet (the engine must run
 * without look-ahead): its flow's, or accept when it had none (undecodable, no memory). */
enum flow_verdict engine_verdict(const struct engine *e);

/* SIGHUP: replaces the rules with rs (loaded by the caller), keeping every flow. On success
 * returns BW_OK and the rules that were in use, for the caller to free (may be NULL); on
 * failure (rs cannot be prepared: d says why) the old rules stay and *old is NULL. */
enum bw_status engine_rules_swap(struct engine *e, struct rules *rs, struct rules **old,
                                 struct bw_diag *d);

/* Live sources: an EVE stats event now (the counters so far). */
void engine_stats_event(struct engine *e);

/* Ends every open flow, flushes and closes outputs. BW_E_IO (d filled) if output failed. */
enum bw_status engine_finish(struct engine *e, struct bw_diag *d);

#endif
