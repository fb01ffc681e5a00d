/* SPDX-License-Identifier: MIT
 * live.h — continuous capture from an interface (botwatch live). */
#ifndef BW_LIVE_H
#define BW_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "util/status.h"

enum { LIVE_TICK_MS = 200 };     /* the longest wait for a packet before time moves on */

struct live_opts {
    const char *iface;
    const char *bpf;             /* or NULL */
    const char *user;            /* drop root to this user after opening, or NULL */
    bool promisc, quiet;
    uint64_t buffer_bytes;       /* kernel buffer; 0: libpcap's default */
    uint64_t stats_interval_us;  /* 0: only at the end */
    void (*reload)(void *ctx);   /* SIGHUP */
    void *reload_ctx;
    void (*ready)(void *ctx);    /* called once the interface is open (tests wait for it) */
    void *ready_ctx;
};

/* Runs until SIGINT or SIGTERM (then returns BW_OK) or a capture error (BW_E_IO, d filled);
 * BW_E_SYNTAX for a bad filter, an unknown interface or user. The caller then calls
 * engine_finish, which ends every open flow and writes the findings. */
enum bw_status capture_live(struct engine *e, const struct live_opts *o, struct bw_diag *d);

#endif
