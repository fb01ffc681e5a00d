/* SPDX-License-Identifier: MIT
 * rules_int.h — what the files of src/rules/ share and nothing else sees. */
#ifndef BW_RULES_INT_H
#define BW_RULES_INT_H

#include "rules/rules.h"

void rule_free(struct rule *r);
void rules_rt_free(struct rules *rs);
enum bw_status rules_add_class_line(struct rules *rs, const char *spec);
/* An address list (as in a rule header) outside a rule, for suppress ip; errors go to
 * rs->msg as file:line. */
enum bw_status rules_parse_netset(struct rules *rs, const char *text, struct netset *out,
                                  const char *file, unsigned line);
void rules_apply_thresholds(struct rules *rs);
void rules_hcache_free(struct rules *rs);
/* The index of the least common byte of a content (parse.c). */
uint32_t rare_byte(const uint8_t *pat, uint32_t len, bool nocase);

#endif
