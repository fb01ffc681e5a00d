/* SPDX-License-Identifier: MIT
 * fuzz_ssh.c — libFuzzer target for the SSH parser alone (see fuzz_one_parser.h). */
#define FUZZ_PROTO PROTO_SSH
#include "fuzz_one_parser.h"
