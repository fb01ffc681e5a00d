/* SPDX-License-Identifier: MIT */
#include "util/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void ts_format(uint64_t us, char out[TS_BUF])
{
    time_t sec = (time_t)(us / 1000000);
    struct tm tm;
    if (!gmtime_r(&sec, &tm)) {
        snprintf(out, TS_BUF, "1970-01-01T00:00:00.000000+0000");
        return;
    }
    snprintf(out, TS_BUF, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+0000", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (unsigned)(us % 1000000));
}

void ts_format_cached(struct ts_cache *c, uint64_t us, char out[TS_BUF])
{
    uint64_t sec = us / 1000000;
    if (!c->valid || c->sec != sec) {
        ts_format(us, c->head);
        char *dot = strchr(c->head, '.');
        c->head_len = dot ? (size_t)(dot - c->head) + 1 : 0;
        c->sec = sec;
        c->valid = c->head_len > 0;
        if (!c->valid) {
            ts_format(us, out);
            return;
        }
    }
    memcpy(out, c->head, c->head_len);
    char *p = out + c->head_len;
    unsigned frac = (unsigned)(us % 1000000);
    for (int i = 5; i >= 0; i--) {
        p[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    memcpy(p + 6, "+0000", 6);               /* with the terminating NUL */
}
