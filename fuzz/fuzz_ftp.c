/* SPDX-License-Identifier: MIT
 * fuzz_ftp.c — libFuzzer target for the FTP parser alone (see fuzz_one_parser.h). */
#define FUZZ_PROTO PROTO_FTP
#include "fuzz_one_parser.h"
