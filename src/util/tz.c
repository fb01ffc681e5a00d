/* SPDX-License-Identifier: MIT
 * tz.c — see tz.h. */
#include "util/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void tz_enter(const char *tz, struct tz_saved *s)
{
    const char *old = getenv("TZ");
    s->had = old != NULL;
    s->old[0] = 0;
    if (s->had)
        snprintf(s->old, sizeof s->old, "%s", old);
    setenv("TZ", tz, 1);
    tzset();
}

void tz_leave(const struct tz_saved *s)
{
    if (s->had)
        setenv("TZ", s->old, 1);
    else
        unsetenv("TZ");
    tzset();
}
