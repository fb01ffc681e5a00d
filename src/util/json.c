/* SPDX-License-Identifier: MIT
 * json.c — see json.h. */
#include "util/json.h"

#include <inttypes.h>
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

static bool grow(struct jb *j, size_t n)
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
    if (!grow(j, n))
        return;
    memcpy(j->p + j->len, s, n);
    j->len += n;
}

static void key(struct jb *j, const char *k)
{
    if (j->need_comma)
        jb_raw(j, ",", 1);
    j->need_comma = true;
    jb_raw(j, "\"", 1);
    jb_raw(j, k, strlen(k));
    jb_raw(j, "\":", 2);
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

void jb_obj(struct jb *j, const char *k)
{
    key(j, k);
    jb_open(j);
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

static void escaped(struct jb *j, const uint8_t *s, size_t n)
{
    jb_raw(j, "\"", 1);
    size_t i = 0;
    while (i < n) {
        size_t run = i;                     /* copy plain runs in one go */
        while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            jb_raw(j, (const char *)s + i, run - i);
            i = run;
            continue;
        }
        uint8_t c = s[i];
        char esc[8];
        switch (c) {
        case '"': jb_raw(j, "\\\"", 2); i++; continue;
        case '\\': jb_raw(j, "\\\\", 2); i++; continue;
        case '\n': jb_raw(j, "\\n", 2); i++; continue;
        case '\r': jb_raw(j, "\\r", 2); i++; continue;
        case '\t': jb_raw(j, "\\t", 2); i++; continue;
        default: break;
        }
        size_t u = c >= 0x80 ? utf8_len(s + i, n - i) : 0;
        if (u) {
            jb_raw(j, (const char *)s + i, u);
            i += u;
        } else {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            jb_raw(j, esc, 6);
            i++;
        }
    }
    jb_raw(j, "\"", 1);
}

void jb_str(struct jb *j, const char *k, const uint8_t *s, size_t n)
{
    key(j, k);
    escaped(j, s, n);
}

void jb_cstr(struct jb *j, const char *k, const char *s)
{
    jb_str(j, k, (const uint8_t *)s, strlen(s));
}

void jb_u64(struct jb *j, const char *k, uint64_t v)
{
    char b[24];
    key(j, k);
    int n = snprintf(b, sizeof b, "%" PRIu64, v);
    jb_raw(j, b, (size_t)n);
}

void jb_bool(struct jb *j, const char *k, bool v)
{
    key(j, k);
    jb_raw(j, v ? "true" : "false", v ? 4 : 5);
}
