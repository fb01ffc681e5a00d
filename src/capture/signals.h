/* SPDX-License-Identifier: MIT
 * signals.h — SIGINT/SIGTERM (stop) and SIGHUP (reload) for the continuous sources (live,
 * inline). The flags are the only writable globals: a signal handler can reach nothing else. */
#ifndef BW_SIGNALS_H
#define BW_SIGNALS_H

#include <stdbool.h>

/* wake (may be NULL) is called from the handler on a stop request, e.g. pcap_breakloop. */
void signals_install(void (*wake)(void *ctx), void *ctx);
void signals_restore(void);
bool signals_stop_requested(void);
/* True once per SIGHUP. */
bool signals_take_reload(void);

#endif
