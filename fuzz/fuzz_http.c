/* SPDX-License-Identifier: MIT
 * fuzz_http.c — libFuzzer target for the HTTP parser alone (see fuzz_one_parser.h). */
#define FUZZ_PROTO PROTO_HTTP
#include "fuzz_one_parser.h"
