/* SPDX-License-Identifier: MIT
 * json.h — a growing byte buffer for building one JSON line, with escaping. Every string an
 * attacker may control goes through jb_str, which escapes quotes, backslashes and control
 * characters and replaces invalid UTF-8 with \u00XX of each byte (Suricata does the same). */
#ifndef BW_JSON_H
#define BW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jb {
    char *p;
    size_t len, cap;
    bool oom;        /* an allocation failed: the line is incomplete and must not be written */
    bool need_comma;
};

void jb_reset(struct jb *j);
void jb_free(struct jb *j);
bool jb_grow(struct jb *j, size_t n);             /* room for n more bytes; false: oom */
void jb_raw(struct jb *j, const char *s, size_t n);
void jb_open(struct jb *j);                       /* { */
void jb_close(struct jb *j);                      /* } */
void jb_escaped(struct jb *j, const uint8_t *s, size_t n);   /* "s", escaped */
void jb_u64_val(struct jb *j, uint64_t v);
void jb_fixed2(struct jb *j, const char *key, double v);   /* two decimals: 0.85 */
void jb_array_str(struct jb *j, const uint8_t *s, size_t n);  /* an element */
void jb_array_end(struct jb *j);                  /* ] */

/* The writers below are inline so that the length of a literal key is known when compiling:
 * an EVE line has dozens of keys, and strlen on each was a tenth of writing it. */
static inline bool jb_room(struct jb *j, size_t n)
{
    return (!j->oom && j->cap - j->len >= n) || jb_grow(j, n);
}

/* ,"key": in one reservation */
static inline void jb_key(struct jb *j, const char *k)
{
    size_t n = strlen(k);
    if (!jb_room(j, n + 4))
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

static inline void jb_obj(struct jb *j, const char *key)        /* "key":{ */
{
    jb_key(j, key);
    jb_open(j);
}

static inline void jb_str(struct jb *j, const char *key, const uint8_t *s, size_t n)
{
    jb_key(j, key);
    jb_escaped(j, s, n);
}

static inline void jb_cstr(struct jb *j, const char *key, const char *s)
{
    jb_str(j, key, (const uint8_t *)s, strlen(s));
}

static inline void jb_u64(struct jb *j, const char *key, uint64_t v)
{
    jb_key(j, key);
    jb_u64_val(j, v);
}

static inline void jb_bool(struct jb *j, const char *key, bool v)
{
    jb_key(j, key);
    jb_raw(j, v ? "true" : "false", v ? 4 : 5);
}

static inline void jb_array(struct jb *j, const char *key)      /* "key":[ */
{
    jb_key(j, key);
    jb_raw(j, "[", 1);
    j->need_comma = false;
}

#endif
