/* SPDX-License-Identifier: MIT
 * textline.h — small helpers shared by the text-protocol probes (IRC, SMTP, FTP, POP3, IMAP,
 * HTTP): prefix matching that knows the difference between "not this" and "not yet", and
 * bounded line splitting that accepts CRLF and bare LF in one place. */
#ifndef BW_TEXTLINE_H
#define BW_TEXTLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/rd.h"

enum prefix_match { PFX_NO, PFX_PARTIAL, PFX_YES };

/* Does d[0..n) start with s (ASCII case-insensitive when ci)? PFX_PARTIAL: the data ran out
 * while still matching. */
static inline enum prefix_match prefix_match(const uint8_t *d, size_t n, const char *s, bool ci)
{
    size_t m = strlen(s);
    for (size_t i = 0; i < m; i++) {
        if (i >= n)
            return PFX_PARTIAL;
        uint8_t a = d[i], b = (uint8_t)s[i];
        if (ci) {
            a = (uint8_t)(a >= 'a' && a <= 'z' ? a - 32 : a);
            b = (uint8_t)(b >= 'a' && b <= 'z' ? b - 32 : b);
        }
        if (a != b)
            return PFX_NO;
    }
    return PFX_YES;
}

/* The line starting at off within d[0..n): up to LF, CR stripped, at most max bytes long.
 * Returns false when no LF is found within max bytes (*complete false: need more data if the
 * data ended first, too long otherwise). */
static inline bool text_line(const uint8_t *d, size_t n, size_t off, size_t max,
                             struct bytes *line, size_t *next, bool *too_long)
{
    *too_long = false;
    if (off > n)
        return false;
    const uint8_t *p = d + off;
    size_t left = n - off, lim = left < max ? left : max;
    const uint8_t *lf = memchr(p, '\n', lim);
    if (!lf) {
        *too_long = left >= max;
        return false;
    }
    size_t len = (size_t)(lf - p);
    *next = off + len + 1;
    if (len && p[len - 1] == '\r')
        len--;
    line->p = p;
    line->len = len;
    return true;
}

/* After a gap a text parser drops the tail of the line the gap cut into: advances *data and
 * *len past the next LF and returns true, or returns false (all of it is tail) if none. */
static inline bool skip_line_tail(const uint8_t **data, size_t *len)
{
    const uint8_t *lf = memchr(*data, '\n', *len);
    if (!lf)
        return false;
    *len -= (size_t)(lf - *data) + 1;
    *data = lf + 1;
    return true;
}

static inline bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static inline bool is_alpha(uint8_t c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }

/* True if every byte is printable ASCII or a tab: text protocols' lines look like this. */
static inline bool is_text(struct bytes b)
{
    for (size_t i = 0; i < b.len; i++)
        if ((b.p[i] < 0x20 && b.p[i] != '\t') || b.p[i] == 0x7f)
            return false;
    return true;
}

/* Case-insensitive search for s in b. */
static inline bool contains_ci(struct bytes b, const char *s)
{
    size_t m = strlen(s);
    for (size_t i = 0; i + m <= b.len; i++)
        if (prefix_match(b.p + i, b.len - i, s, true) == PFX_YES)
            return true;
    return false;
}

#endif
