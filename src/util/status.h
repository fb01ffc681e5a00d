/* SPDX-License-Identifier: MIT
 * status.h — errors are values (STYLE.md 2.5). */
#ifndef BW_STATUS_H
#define BW_STATUS_H

#include <stdint.h>

enum bw_status {
    BW_OK = 0,
    BW_E_TRUNC,     /* input ended early */
    BW_E_MALFORMED, /* input is wrong: counted, processing continues */
    BW_E_LIMIT,     /* a cap was hit: counted under the cap's name */
    BW_E_NOMEM,     /* allocation failed: treated like a cap on the packet path */
    BW_E_SYNTAX,    /* rule, option or config text is wrong */
    BW_E_IO,        /* file or device problem: fatal for that source */
};

/* A diagnostic for a human: filled by the callee where a person must read the error. */
struct bw_diag {
    char msg[256];
    const char *file;
    uint64_t pkt_no;
};

#endif
