/* SPDX-License-Identifier: MIT
 * hours.c — detector 11: when does a host act, in its site's local time? The first seed's
 * IRC sessions ran "only in local business hours" in four offices, which pointed to people
 * (a browser) rather than to a bot; round-the-clock activity points to a program. This is
 * evidence for the verdict, never a verdict by itself. Activity is the connections a host
 * initiates, binned by absolute hour; the bins become local time only at the end, with the
 * site's IANA time zone (the C library's tz database; DST is handled per hour). */
#include "detect/internal.h"
#include "util/tz.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct hour_bin {
    uint32_t hour;               /* hours since 1970-01-01 UTC */
    uint32_t n;
};

/* UTC offset of zone tz at time t. The C library only converts in the process's zone, so TZ
 * is switched for the call and put back. */
static int zone_offset(const char *tz, time_t t)
{
    if (!tz[0] || strcmp(tz, "UTC") == 0)
        return 0;
    struct tz_saved saved;
    tz_enter(tz, &saved);
    struct tm tm;
    int off = localtime_r(&t, &tm) ? (int)tm.tm_gmtoff : 0;
    tz_leave(&saved);
    return off;
}

void site_local_time(struct site *s, uint64_t ts_us, struct local_time *lt)
{
    int64_t sec = (int64_t)(ts_us / 1000000), hour = sec / 3600;
    if (!s->tz_valid || s->tz_hour != hour) {
        s->tz_offset = zone_offset(s->tz, (time_t)sec);
        s->tz_hour = hour;
        s->tz_valid = true;
    }
    int64_t local = sec + s->tz_offset;
    lt->day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int64_t sod = local - lt->day * 86400;
    lt->hour = (int)(sod / 3600);
    lt->wday = (int)((lt->day + 3) % 7);          /* 1970-01-01 was a Thursday */
    if (lt->wday < 0)
        lt->wday += 7;
    lt->utc_offset_s = s->tz_offset;
}

bool site_business_hour(const struct site *s, const struct local_time *lt)
{
    return (s->bh_days >> lt->wday & 1) && lt->hour >= s->bh_start && lt->hour < s->bh_end;
}

void hours_conn(struct detect *d, struct host *h, const struct conn_event *c)
{
    h->initiated++;
    uint32_t hour = (uint32_t)(c->start_us / 3600000000ull);
    for (unsigned i = h->nhours; i-- > 0 && i + 4 >= h->nhours;)   /* nearly in order */
        if (h->hours[i].hour == hour) {
            h->hours[i].n++;
            return;
        }
    if (h->nhours == h->caphours) {
        if (h->caphours >= HOST_MAX_HOURS)
            return;                       /* counted in initiated; the profile is capped */
        unsigned cap = h->caphours ? h->caphours * 2 : 8;
        struct hour_bin *nb = detect_alloc(d, cap * sizeof *nb);
        if (!nb)
            return;
        if (h->nhours)
            memcpy(nb, h->hours, h->nhours * sizeof *nb);
        detect_release(d, h->hours, h->caphours * sizeof *nb);
        h->hours = nb;
        h->caphours = cap;
    }
    h->hours[h->nhours++] = (struct hour_bin){ hour, 1 };
}

static int bin_cmp(const void *a, const void *b)
{
    const struct hour_bin *x = a, *y = b;
    return x->hour < y->hour ? -1 : x->hour > y->hour;
}

static const char *const wday_name[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

void hours_finish(struct detect *d, struct host *h)
{
    if (!h->nhours)
        return;
    qsort(h->hours, h->nhours, sizeof *h->hours, bin_cmp);
    /* merge the duplicates the look-back missed */
    unsigned k = 0;
    for (unsigned i = 0; i < h->nhours; i++) {
        if (k && h->hours[k - 1].hour == h->hours[i].hour)
            h->hours[k - 1].n += h->hours[i].n;
        else
            h->hours[k++] = h->hours[i];
    }
    h->nhours = k;
    struct site *s = h->site;
    uint64_t total = 0, in_bh = 0;
    unsigned active_off = 0;
    for (unsigned i = 0; i < k; i++) {
        struct local_time lt;
        site_local_time(s, (uint64_t)h->hours[i].hour * 3600000000ull, &lt);
        total += h->hours[i].n;
        if (site_business_hour(s, &lt))
            in_bh += h->hours[i].n;
        else
            active_off++;
    }
    uint32_t first = h->hours[0].hour, last = h->hours[k - 1].hour;
    unsigned span = last - first + 1, off_hours = 0;
    for (uint32_t hr = first; hr <= last && span <= 24 * 400; hr++) {
        struct local_time lt;
        site_local_time(s, (uint64_t)hr * 3600000000ull, &lt);
        off_hours += !site_business_hour(s, &lt);
    }
    double bh_share = (double)in_bh / (double)total;
    const char *zone = s->tz[0] ? s->tz : "UTC";
    struct finding *f = finding_of(d, h, FK_BUSINESS_HOURS, 3, span >= 168 ? 0.8 :
                                   span >= 24 ? 0.5 : 0.1);
    if (!f)
        return;
    finding_clear_evidence(f);                 /* rebuilt from the hourly bins */
    unsigned pct = (unsigned)(bh_share * 100 + 0.5);
    if (span < 24) {
        h->hours_pattern = HOURS_SHORT;
        finding_summary(f, "%" PRIu64 " connection%s in %u active hour%s of a %u-hour "
                        "observation (%s): too short to tell business hours from round the "
                        "clock; %u%% in business hours", total, total == 1 ? "" : "s", k,
                        k == 1 ? "" : "s", span, zone, pct);
    } else if (bh_share >= 0.9 && off_hours && active_off * 10 <= off_hours) {
        h->hours_pattern = HOURS_BUSINESS;
        finding_summary(f, "active only in business hours (%u%% of %" PRIu64 " connections; "
                        "%u of %u off-hours active) over %u hours (%s): user-driven", pct,
                        total, active_off, off_hours, span, zone);
    } else if (off_hours && active_off * 2 >= off_hours) {
        h->hours_pattern = HOURS_ALWAYS;
        finding_summary(f, "active round the clock (%u of %u off-hours active; %u%% of %" PRIu64
                        " connections in business hours) over %u hours (%s): automated",
                        active_off, off_hours, pct, total, span, zone);
    } else {
        h->hours_pattern = HOURS_MIXED;
        finding_summary(f, "active in and out of business hours (%u%% of %" PRIu64
                        " connections in business hours; %u of %u off-hours active) over %u "
                        "hours (%s)", pct, total, active_off, off_hours, span, zone);
    }
    /* evidence: one line per local day, its first and last active hour */
    for (unsigned i = 0; i < k;) {
        struct local_time lt;
        site_local_time(s, (uint64_t)h->hours[i].hour * 3600000000ull, &lt);
        unsigned j = i;
        uint64_t n = 0;
        int lo = lt.hour, hi = lt.hour;
        for (; j < k; j++) {
            struct local_time lj;
            site_local_time(s, (uint64_t)h->hours[j].hour * 3600000000ull, &lj);
            if (lj.day != lt.day)
                break;
            hi = lj.hour;
            n += h->hours[j].n;
        }
        time_t day_s = (time_t)(lt.day * 86400);
        struct tm tm;
        gmtime_r(&day_s, &tm);
        finding_evidence(f, 0, (uint64_t)h->hours[j - 1].hour * 3600000000ull,
                         "%s %04d-%02d-%02d %02d:00-%02d:59 local: %" PRIu64 " connection%s",
                         wday_name[lt.wday], tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, lo,
                         hi, n, n == 1 ? "" : "s");
        i = j;
    }
}
