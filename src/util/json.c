/* SPDX-License-Identifier: MIT
 * json.c — see json.h. */
#include "util/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jb_reset(struct jb *j)
{
    j->len = 0;
    j->oom = false;
    j->need_comma = false;
}

void jb_free(struct jb *j)
{
    free(j->p);
    j->p = NULL;
    j->len = j->cap = 0;
}

bool jb_grow(struct jb *j, size_t n)
{
    if (j->oom)
        return false;
    if (j->cap - j->len >= n)
        return true;
    size_t cap = j->cap ? j->cap : 512;
    while (cap - j->len < n)
        cap *= 2;
    char *p = realloc(j->p, cap);
    if (!p) {
        j->oom = true;
        return false;
    }
    j->p = p;
    j->cap = cap;
    return true;
}

void jb_raw(struct jb *j, const char *s, size_t n)
{
    if (!jb_room(j, n))
        return;
    memcpy(j->p + j->len, s, n);
    j->len += n;
}

void jb_open(struct jb *j)
{
    jb_raw(j, "{", 1);
    j->need_comma = false;
}

void jb_close(struct jb *j)
{
    jb_raw(j, "}", 1);
    j->need_comma = true;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not valid (RFC 3629). */
static size_t utf8_len(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    size_t len;
    uint32_t min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; min = 0x10000; }
    else return 0;
    if (n < len)
        return 0;
    uint32_t cp = c & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Nonzero when any of the 8 bytes in x needs escaping or UTF-8 checking: below 0x20, 0x7f
 * and above, '"' or '\\'. (Bit tricks from "Bit Twiddling Hacks": haszero / hasless, exact
 * as yes-or-no answers.) */
static inline uint64_t needs_care8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\'), d = x ^ (ones * 0x7f);
    return (((x - ones * 0x20) & ~x) | x | ((q - ones) & ~q) | ((b - ones) & ~b) |
            ((d - ones) & ~d)) & highs;
}

void jb_escaped(struct jb *j, const uint8_t *s, size_t n)
{
    if (n > (SIZE_MAX - 2) / 6 || !jb_room(j, n * 6 + 2))  /* worst case: every byte \u00XX */
        return;
    static const char hex[] = "0123456789abcdef";
    char *p = j->p + j->len;
    *p++ = '"';
    size_t i = 0;
    while (i < n) {
        if (n - i >= 8) {                    /* eight plain bytes at a time */
            uint64_t x;
            memcpy(&x, s + i, 8);
            if (!needs_care8(x)) {
                memcpy(p, &x, 8);
                p += 8;
                i += 8;
                continue;
            }
        }
        uint8_t c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            *p++ = (char)c;
            i++;
            continue;
        }
        char e = c == '"' ? '"' : c == '\\' ? '\\' : c == '\n' ? 'n' : c == '\r' ? 'r'
                 : c == '\t' ? 't' : 0;
        if (e) {
            *p++ = '\\';
            *p++ = e;
            i++;
            continue;
        }
        size_t u = c >= 0x80 ? utf8_len(s + i, n - i) : 0;
        if (u) {
            memcpy(p, s + i, u);
            p += u;
            i += u;
            continue;
        }
        memcpy(p, "\\u00", 4);
        p[4] = hex[c >> 4];
        p[5] = hex[c & 15];
        p += 6;
        i++;
    }
    *p++ = '"';
    j->len = (size_t)(p - j->p);
}

void jb_u64_val(struct jb *j, uint64_t v)
{
    char b[20];                              /* UINT64_MAX has 20 digits */
    size_t i = sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    jb_raw(j, b + i, sizeof b - i);
}

void jb_fixed2(struct jb *j, const char *k, double v)
{
    char b[32];
    int n = snprintf(b, sizeof b, "%.2f", v);
    jb_key(j, k);
    jb_raw(j, b, n > 0 && (size_t)n < sizeof b ? (size_t)n : 0);
}

void jb_array_str(struct jb *j, const uint8_t *s, size_t n)
{
    if (j->need_comma)
        jb_raw(j, ",", 1);
    j->need_comma = true;
    jb_escaped(j, s, n);
}

void jb_array_end(struct jb *j)
{
    jb_raw(j, "]", 1);
    j->need_comma = true;
}
