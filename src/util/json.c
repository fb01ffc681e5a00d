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

/* ,"key": in one reservation */
static void key(struct jb *j, const char *k)
{
    size_t n = strlen(k);
    if (!grow(j, n + 4))
        return;
    char *p = j->p + j->len;
    if (j->need_comma)
        *p++ = ',';
    *p++ = '"';
    memcpy(p, k, n);
    p += n;
    *p++ = '"';
    *p++ = ':';
    j->len = (size_t)(p - j->p);
    j->need_comma = true;
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
    if (n > (SIZE_MAX - 2) / 6 || !grow(j, n * 6 + 2))  /* worst case: every byte \u00XX */
        return;
    static const char hex[] = "0123456789abcdef";
    char *p = j->p + j->len;
    *p++ = '"';
    size_t i = 0;
    while (i < n) {
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
    char b[20];                              /* UINT64_MAX has 20 digits */
    size_t i = sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    key(j, k);
    jb_raw(j, b + i, sizeof b - i);
}

void jb_fixed2(struct jb *j, const char *k, double v)
{
    char b[32];
    int n = snprintf(b, sizeof b, "%.2f", v);
    key(j, k);
    jb_raw(j, b, n > 0 && (size_t)n < sizeof b ? (size_t)n : 0);
}

void jb_bool(struct jb *j, const char *k, bool v)
{
    key(j, k);
    jb_raw(j, v ? "true" : "false", v ? 4 : 5);
}

void jb_array(struct jb *j, const char *k)
{
    key(j, k);
    jb_raw(j, "[", 1);
    j->need_comma = false;
}

void jb_array_str(struct jb *j, const uint8_t *s, size_t n)
{
    if (j->need_comma)
        jb_raw(j, ",", 1);
    j->need_comma = true;
    escaped(j, s, n);
}

void jb_array_end(struct jb *j)
{
    jb_raw(j, "]", 1);
    j->need_comma = true;
}
