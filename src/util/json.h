/* SPDX-License-Identifier: MIT
 * json.h — a growing byte buffer for building one JSON line, with escaping. Every string an
 * attacker may control goes through jb_str, which escapes quotes, backslashes and control
 * characters and replaces invalid UTF-8 with \u00XX of each byte (Suricata does the same). */
#ifndef BW_JSON_H
#define BW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jb {
    char *p;
    size_t len, cap;
    bool oom;        /* an allocation failed: the line is incomplete and must not be written */
    bool need_comma;
};

void jb_reset(struct jb *j);
void jb_free(struct jb *j);
void jb_raw(struct jb *j, const char *s, size_t n);
void jb_open(struct jb *j);                       /* { */
void jb_close(struct jb *j);                      /* } */
void jb_obj(struct jb *j, const char *key);       /* "key":{ */
void jb_str(struct jb *j, const char *key, const uint8_t *s, size_t n);
void jb_cstr(struct jb *j, const char *key, const char *s);
void jb_u64(struct jb *j, const char *key, uint64_t v);
void jb_fixed2(struct jb *j, const char *key, double v);   /* two decimals: 0.85 */
void jb_bool(struct jb *j, const char *key, bool v);
void jb_array(struct jb *j, const char *key);     /* "key":[ */
void jb_array_str(struct jb *j, const uint8_t *s, size_t n);  /* an element */
void jb_array_end(struct jb *j);                  /* ] */

#endif
