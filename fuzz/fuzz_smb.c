/* SPDX-License-Identifier: MIT
 * fuzz_smb.c — libFuzzer target for the SMB parser alone (see fuzz_one_parser.h). */
#define FUZZ_PROTO PROTO_SMB
#include "fuzz_one_parser.h"
