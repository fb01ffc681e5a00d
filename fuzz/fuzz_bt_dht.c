/* SPDX-License-Identifier: MIT
 * fuzz_bt_dht.c — libFuzzer target for the BitTorrent DHT parser alone, over UDP. */
#define FUZZ_PROTO PROTO_BT_DHT
#define FUZZ_UDP 1
#include "fuzz_one_parser.h"
