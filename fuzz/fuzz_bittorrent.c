/* SPDX-License-Identifier: MIT
 * fuzz_bittorrent.c — libFuzzer target for the BITTORRENT parser alone (see fuzz_one_parser.h). */
#define FUZZ_PROTO PROTO_BITTORRENT
#include "fuzz_one_parser.h"
