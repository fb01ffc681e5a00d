/* SPDX-License-Identifier: MIT
 * fuzz_tls.c — libFuzzer target for the TLS parser alone (see fuzz_one_parser.h). */
#define FUZZ_PROTO PROTO_TLS
#include "fuzz_one_parser.h"
