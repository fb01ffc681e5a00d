/* SPDX-License-Identifier: MIT
 * timefmt.h — packet time as text. Always UTC, so output is the same on every machine. */
#ifndef BW_TIMEFMT_H
#define BW_TIMEFMT_H

#include <stdint.h>

enum { TS_BUF = 64 };

/* "2009-11-24T21:27:09.534255+0000" (Suricata's EVE timestamp shape, in UTC). */
void ts_format(uint64_t us, char out[TS_BUF]);

#endif
