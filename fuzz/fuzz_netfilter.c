/* SPDX-License-Identifier: MIT
 * fuzz_netfilter.c — libFuzzer target for netfilter LOG lines (src/logs/netfilter.c) behind
 * the syslog framing (fuzz_log_lines.h). */
#define FUZZ_IS_MESSAGE nf_is_message
#define FUZZ_PARSE nf_parse
#include "fuzz_log_lines.h"
