/* SPDX-License-Identifier: MIT
 * fuzz_smtp.c — libFuzzer target for the SMTP parser alone (see fuzz_one_parser.h). */
#define FUZZ_PROTO PROTO_SMTP
#include "fuzz_one_parser.h"
