/* SPDX-License-Identifier: MIT
 * nfq.h — inline mode: packets from a netfilter queue (NFQUEUE), each given a verdict. */
#ifndef BW_NFQ_H
#define BW_NFQ_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "util/status.h"

struct nfq_opts {
    uint16_t queue;
    uint32_t maxlen;             /* packets the kernel holds for us; 0: the kernel's default */
    bool fail_open;              /* when the queue is full the kernel accepts instead of drops */
    bool quiet;
    uint64_t stats_interval_us;
    void (*reload)(void *ctx);   /* SIGHUP */
    void *reload_ctx;
    void (*ready)(void *ctx);    /* called once the queue is bound */
    void *ready_ctx;
};

struct nfq_stats {
    uint64_t packets, accepted, dropped, rejected, verdict_errors, kernel_overruns;
    uint64_t resets_sent;        /* reject answers (TCP resets, ICMP unreachables) sent */
};

/* Runs until SIGINT/SIGTERM (BW_OK) or a queue error (BW_E_IO, d filled). */
enum bw_status capture_nfq(struct engine *e, const struct nfq_opts *o, struct nfq_stats *st,
                           struct bw_diag *d);

#endif
