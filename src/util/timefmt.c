/* SPDX-License-Identifier: MIT */
#include "util/timefmt.h"

#include <stdio.h>
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
