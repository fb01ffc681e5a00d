/* SPDX-License-Identifier: MIT
 * syslog.c — the part of a firewall log line before the message: an optional "<PRI>"
 * (RFC 3164 4.1.1), then a time in one of three shapes, then the sending host:
 *   "Mar  5 11:39:58"            RFC 3164 (no year: --year, rolled over at new year)
 *   "Apr 15 2013 09:36:50"       ASA's "logging timestamp" with the year (an optional zone
 *                                abbreviation such as "EDT" after it is skipped, not used)
 *   "2013-04-15T09:36:50.123Z"   RFC 5424 / ISO 8601, with Z or an offset (optionally after
 *                                the RFC 5424 version "1 ")
 * Local times are converted to UTC from the IANA zone given with --tz. */
#include "util/tz.h"
#include "logs/logs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { HOST_SEARCH_MAX = 512 };   /* the ASA/PIX tag must start within this many bytes */

static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* Reads exactly k digits (k <= 9) at r. */
static bool digits(struct rd *r, unsigned k, int *out)
{
    if (rd_left(r) < k)
        return false;
    int v = 0;
    for (unsigned i = 0; i < k; i++) {
        uint8_t c = r->p[r->off + i];
        if (!is_digit(c))
            return false;
        v = v * 10 + (c - '0');
    }
    r->off += k;
    *out = v;
    return true;
}

/* One or two digits (a day of month "5" or "05"). */
static bool digits12(struct rd *r, int *out)
{
    if (!digits(r, 1, out))
        return false;
    int d;
    if (rd_left(r) && is_digit(r->p[r->off]) && digits(r, 1, &d))
        *out = *out * 10 + d;
    return true;
}

static bool peek_is(const struct rd *r, uint8_t c)
{
    return rd_left(r) > 0 && r->p[r->off] == c;
}

static bool eat(struct rd *r, uint8_t c)
{
    if (!peek_is(r, c))
        return false;
    r->off++;
    return true;
}

static void spaces(struct rd *r)
{
    while (peek_is(r, ' ') || peek_is(r, '\t'))
        r->off++;
}

static int month_of(const uint8_t *p)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int m = 0; m < 12; m++)
        if (p[0] == names[3 * m] && p[1] == names[3 * m + 1] && p[2] == names[3 * m + 2])
            return m + 1;
    return 0;
}

/* "hh:mm:ss" and an optional ".fraction" (kept to microseconds). */
static bool clock_part(struct rd *r, struct syslog_hdr *h)
{
    if (!digits12(r, &h->hour) || !eat(r, ':') || !digits(r, 2, &h->min) || !eat(r, ':') ||
        !digits(r, 2, &h->sec))
        return false;
    if (eat(r, '.')) {
        unsigned k = 0;
        uint32_t us = 0;
        while (rd_left(r) && is_digit(r->p[r->off])) {
            if (k < 6) {
                us = us * 10 + (uint32_t)(r->p[r->off] - '0');
                k++;
            }
            r->off++;
        }
        if (!k)
            return false;
        while (k++ < 6)
            us *= 10;
        h->usec = us;
    }
    return h->hour < 24 && h->min < 60 && h->sec <= 60;
}

static bool iso_time(struct rd *r, struct syslog_hdr *h)
{
    if (!digits(r, 4, &h->year) || !eat(r, '-') || !digits(r, 2, &h->mon) || !eat(r, '-') ||
        !digits(r, 2, &h->mday) || !(eat(r, 'T') || eat(r, ' ')) || !clock_part(r, h))
        return false;
    h->has_year = true;
    if (eat(r, 'Z')) {
        h->has_zone = true;
    } else if (peek_is(r, '+') || peek_is(r, '-')) {
        int sign = r->p[r->off++] == '-' ? -1 : 1, zh, zm;
        if (!digits(r, 2, &zh) || !eat(r, ':') || !digits(r, 2, &zm) || zh > 23 || zm > 59)
            return false;
        h->has_zone = true;
        h->zone_off_s = sign * (zh * 3600 + zm * 60);
    }
    return true;
}

/* "Mmm dd [yyyy] hh:mm:ss" */
static bool bsd_time(struct rd *r, struct syslog_hdr *h)
{
    if (rd_left(r) < 4 || !(h->mon = month_of(rd_ptr(r))) || r->p[r->off + 3] != ' ')
        return false;
    r->off += 3;
    spaces(r);
    if (!digits12(r, &h->mday) || !eat(r, ' '))
        return false;
    spaces(r);
    size_t save = r->off;
    if (digits(r, 4, &h->year) && eat(r, ' ')) {
        h->has_year = true;
    } else {
        r->off = save;
        h->year = 0;
    }
    return clock_part(r, h);
}

static bool date_valid(const struct syslog_hdr *h)
{
    static const uint8_t mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return h->mon >= 1 && h->mon <= 12 && h->mday >= 1 && h->mday <= mdays[h->mon - 1];
}

/* The ASA/PIX tag "%ASA-" or "%PIX-" within the first bytes of s. */
static const uint8_t *find_tag(const uint8_t *s, size_t n)
{
    if (n > HOST_SEARCH_MAX)
        n = HOST_SEARCH_MAX;
    for (const uint8_t *q = s; (q = memchr(q, '%', n - (size_t)(q - s))) != NULL; q++)
        if (n - (size_t)(q - s) >= 5 && pix_is_message(q, n - (size_t)(q - s)))
            return q;
    return NULL;
}

enum bw_status syslog_split(const uint8_t *p, size_t n, struct syslog_hdr *h, enum log_bad *why)
{
    memset(h, 0, sizeof *h);
    struct rd r = rd_init(p, n);
    if (eat(&r, '<')) {                       /* <PRI>, at most 3 digits */
        size_t k = 0;
        while (k < 3 && rd_left(&r) && is_digit(r.p[r.off])) {
            r.off++;
            k++;
        }
        if (!k || !eat(&r, '>'))
            r.off = 0;                        /* not a priority: read the line from the start */
    }
    spaces(&r);
    size_t start = r.off;
    if (rd_left(&r) >= 2 && is_digit(r.p[r.off]) && r.p[r.off + 1] == ' ')
        r.off += 2;                           /* RFC 5424 VERSION */
    if (rd_left(&r) >= 5 && is_digit(r.p[r.off]) && r.p[r.off + 4] == '-') {
        if (!iso_time(&r, h) || !date_valid(h)) {
            *why = LB_BAD_TIME;
            return BW_E_MALFORMED;
        }
        h->has_time = true;
    } else {
        r.off = start;
        if (rd_left(&r) >= 4 && month_of(rd_ptr(&r)) && r.p[r.off + 3] == ' ') {
            if (!bsd_time(&r, h) || !date_valid(h)) {
                *why = LB_BAD_TIME;
                return BW_E_MALFORMED;
            }
            h->has_time = true;
        }
    }
    /* "Apr 15 2014 09:34:34 EDT:": a zone abbreviation, which says nothing --tz does not */
    if (h->has_time && !h->has_zone && rd_left(&r) >= 5 && r.p[r.off] == ' ') {
        size_t k = 1;
        while (k < 6 && k < rd_left(&r) && r.p[r.off + k] >= 'A' && r.p[r.off + k] <= 'Z')
            k++;
        if (k >= 4 && k < rd_left(&r) && r.p[r.off + k] == ':')
            r.off += k + 1;
    }
    struct bytes rest = rd_rest(&r);
    const uint8_t *tag = rest.len ? find_tag(rest.p, rest.len) : NULL;
    if (tag) {
        h->msg = (struct bytes){ tag, rest.len - (size_t)(tag - rest.p) };
        /* the host: what lies between the time and the tag, without spaces and colons */
        const uint8_t *a = rest.p, *b = tag;
        while (a < b && (*a == ' ' || *a == ':'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == ':'))
            b--;
        h->host = (struct bytes){ a, (size_t)(b - a) };
    } else {
        size_t k = 0;
        while (k < rest.len && (rest.p[k] == ' ' || rest.p[k] == ':'))
            k++;
        h->msg = (struct bytes){ rest.p + k, rest.len - k };
    }
    return BW_OK;
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* shift the year to start in March, so the leap day is the year's last */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

enum bw_status logs_clock_init(struct logs_clock *c, int year, const char *tz, struct bw_diag *d)
{
    memset(c, 0, sizeof *c);
    c->year = year;
    if (!tz || !tz[0])
        tz = "UTC";
    if (strlen(tz) >= sizeof c->tz || strstr(tz, "..") || tz[0] == '/') {
        snprintf(d->msg, sizeof d->msg, "bad time zone '%s' (want an IANA name such as "
                 "America/New_York)", tz);
        return BW_E_SYNTAX;
    }
    snprintf(c->tz, sizeof c->tz, "%s", tz);
    c->is_utc = strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0;
    if (!c->is_utc) {
        /* the C library takes any TZ text and falls back to UTC silently: check the zone */
        const char *dir = getenv("TZDIR");
        char path[512];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir && dir[0] ? dir : "/usr/share/zoneinfo", tz);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            snprintf(d->msg, sizeof d->msg, "unknown time zone '%s' (not in the tz database)",
                     tz);
            return BW_E_SYNTAX;
        }
    }
    return BW_OK;
}

/* UTC offset in zone tz of a local time (seconds since 1970 as if local were UTC). The C
 * library converts only in the process's zone, so TZ is set for the call and put back. */
static int local_offset(const char *tz, int64_t local)
{
    struct tz_saved saved;
    tz_enter(tz, &saved);
    time_t t = (time_t)local;
    struct tm tm;
    int off = 0;
    if (gmtime_r(&t, &tm)) {
        tm.tm_isdst = -1;
        time_t u = mktime(&tm);
        if (u != (time_t)-1)
            off = (int)(local - (int64_t)u);
    }
    tz_leave(&saved);
    return off;
}

bool logs_clock_utc(struct logs_clock *c, const struct syslog_hdr *h, uint64_t *us, int *off_s)
{
    int year = h->year;
    if (!h->has_year) {
        year = c->year;
        if (c->last_mon && c->last_mon - h->mon >= 6) {          /* December, then January */
            c->year++;
            year = c->year;
            c->last_mon = h->mon;
        } else if (c->last_mon && h->mon - c->last_mon >= 6) {   /* a late line from last year */
            year = c->year - 1;
        } else {
            c->last_mon = h->mon;
        }
    }
    if (year < 1970 || year > 9999)
        return false;
    int64_t local = days_from_civil(year, (unsigned)h->mon, (unsigned)h->mday) * 86400 +
                    h->hour * 3600 + h->min * 60 + h->sec;
    int off = 0;
    if (h->has_zone) {
        off = h->zone_off_s;
    } else if (!c->is_utc) {
        int64_t hour = local / 3600;
        if (!c->cache_valid || c->cache_hour != hour) {
            c->cache_off = local_offset(c->tz, hour * 3600);
            c->cache_hour = hour;
            c->cache_valid = true;
        }
        off = c->cache_off;
    }
    int64_t utc = local - off;
    if (utc < 0)
        return false;
    *us = (uint64_t)utc * 1000000 + h->usec;
    *off_s = off;
    return true;
}
