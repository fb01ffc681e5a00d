/* SPDX-License-Identifier: MIT
 * fuzz_irc.c — libFuzzer target for the IRC parser alone (see fuzz_one_parser.h). */
#define FUZZ_PROTO PROTO_IRC
#include "fuzz_one_parser.h"
