/* SPDX-License-Identifier: MIT
 * fast.h — one line per alert in Snort/Suricata "fast" format (docs/rules.md):
 *   11/23/2026-14:36:32.123456  [**] [1:1000001:1] msg [**] [Classification: desc]
 *   [Priority: 2] {TCP} 10.0.0.1:49152 -> 10.0.0.2:2525            (one line) */
#ifndef BW_FAST_H
#define BW_FAST_H

#include <stdbool.h>
#include <stdio.h>

#include "rules/rules.h"
#include "util/status.h"

struct fast {
    FILE *f;
    const char *path;
    bool is_stdout, failed;
};

/* "-" is standard output. BW_E_IO with d filled when path cannot be opened. */
enum bw_status fast_open(struct fast *o, const char *path, struct bw_diag *d);
void fast_alert(struct fast *o, const struct rule_alert *a);
/* Flushes and closes; BW_E_IO if a write failed. */
enum bw_status fast_close(struct fast *o, struct bw_diag *d);

#endif
