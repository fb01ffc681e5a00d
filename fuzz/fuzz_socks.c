/* SPDX-License-Identifier: MIT
 * fuzz_socks.c — libFuzzer target for the SOCKS parser alone (see fuzz_one_parser.h). */
#define FUZZ_PROTO PROTO_SOCKS
#include "fuzz_one_parser.h"
