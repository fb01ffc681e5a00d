/* SPDX-License-Identifier: MIT
 * fuzz_proto.c — libFuzzer target for protocol identification: every probe in protocols.def
 * through the registry, then the parser of whatever was identified, on attacker-chosen bytes
 * in both directions (input format in fuzz_one_parser.h; flag bit 0 = UDP). */
#define FUZZ_PROTO PROTO_NONE
#include "fuzz_one_parser.h"
