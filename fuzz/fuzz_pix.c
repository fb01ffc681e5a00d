/* SPDX-License-Identifier: MIT
 * fuzz_pix.c — libFuzzer target for Cisco PIX/ASA messages (src/logs/pix.c) behind the syslog
 * framing (fuzz_log_lines.h). */
#define FUZZ_IS_MESSAGE pix_is_message
#define FUZZ_PARSE pix_parse
#include "fuzz_log_lines.h"
