/* SPDX-License-Identifier: MIT
 * fuzz_imap.c — libFuzzer target for the IMAP parser alone (see fuzz_one_parser.h). */
#define FUZZ_PROTO PROTO_IMAP
#include "fuzz_one_parser.h"
