/* SPDX-License-Identifier: MIT
 * rules_int.h — what the files of src/rules/ share and nothing else sees. */
#ifndef BW_RULES_INT_H
#define BW_RULES_INT_H

#include "rules/rules.h"

void rule_free(struct rule *r);
void rules_rt_free(struct rules *rs);
enum bw_status rules_add_class_line(struct rules *rs, const char *spec);

#endif
