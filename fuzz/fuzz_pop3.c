/* SPDX-License-Identifier: MIT
 * fuzz_pop3.c — libFuzzer target for the POP3 parser alone (see fuzz_one_parser.h). */
#define FUZZ_PROTO PROTO_POP3
#include "fuzz_one_parser.h"
