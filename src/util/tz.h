/* SPDX-License-Identifier: MIT
 * tz.h — conversions in a named IANA time zone. The C library converts only in the process's
 * zone, so tz_enter sets TZ for the call and tz_leave puts the old value back; both are cheap
 * enough for the callers, which cache per hour. Single-threaded use only. */
#ifndef BW_TZ_H
#define BW_TZ_H

#include <stdbool.h>

struct tz_saved {
    char old[256];
    bool had;
};

void tz_enter(const char *tz, struct tz_saved *s);
void tz_leave(const struct tz_saved *s);

#endif
