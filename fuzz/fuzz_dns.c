/* SPDX-License-Identifier: MIT
 * fuzz_dns.c — libFuzzer target for the DNS parser alone, over UDP (see fuzz_one_parser.h). */
#define FUZZ_PROTO PROTO_DNS
#define FUZZ_UDP 1
#include "fuzz_one_parser.h"
