/* SPDX-License-Identifier: MIT
 * timefmt.h — packet time as text. Always UTC, so output is the same on every machine. */
#ifndef BW_TIMEFMT_H
#define BW_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { TS_BUF = 64 };

/* "2009-11-24T21:27:09.534255+0000" (Suricata's EVE timestamp shape, in UTC). */
void ts_format(uint64_t us, char out[TS_BUF]);

/* The same, reusing the date and time of the last second formatted: events come in bursts
 * from the same second, and calendar arithmetic is most of the cost. */
struct ts_cache {
    uint64_t sec;
    bool valid;
    char head[TS_BUF];       /* "2009-11-24T21:27:09." */
    size_t head_len;
};
void ts_format_cached(struct ts_cache *c, uint64_t us, char out[TS_BUF]);

#endif
