/* SPDX-License-Identifier: MIT
 * fuzz_log_lines.h — the shared body of the log-parser fuzz targets: the input is split into
 * lines as the driver splits a file; each line is parsed on its own heap copy of exactly its
 * length (so ASan sees any read past the line) behind the syslog framing and time conversion
 * (src/logs/syslog.c), by FUZZ_IS_MESSAGE / FUZZ_PARSE, which the including file defines.
 * Any bytes give a record or a counted reason. */
#ifndef BW_FUZZ_LOG_LINES_H
#define BW_FUZZ_LOG_LINES_H

#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"

static int fuzz_log_lines(const uint8_t *data, size_t size)
{
    struct logs_clock clock;
    struct bw_diag d = { .msg = "" };
    if (logs_clock_init(&clock, 2003, "UTC", &d) != BW_OK)
        return 0;
    while (size) {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t n = nl ? (size_t)(nl - data) : size;
        if (n <= LOGS_MAX_LINE) {
            uint8_t *line = malloc(n ? n : 1);
            if (!line)
                return 0;
            memcpy(line, data, n);
            struct syslog_hdr h;
            struct log_rec r;
            enum log_bad why = LB_NONE;
            if (syslog_split(line, n, &h, &why) == BW_OK) {
                enum bw_status st = FUZZ_IS_MESSAGE(h.msg.p, h.msg.len) ? FUZZ_PARSE(h.msg.p, h.msg.len, &r, &why) : BW_E_MALFORMED;
                if (st == BW_OK && h.has_time) {
                    uint64_t us;
                    int off;
                    (void)logs_clock_utc(&clock, &h, &us, &off);
                }
                if (st != BW_OK && why == LB_NONE && FUZZ_IS_MESSAGE(h.msg.p, h.msg.len))
                    __builtin_trap();              /* a refusal always names its reason */
            }
            free(line);
        }
        if (!nl)
            break;
        size -= n + 1;
        data += n + 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_log_lines(data, size);
}

#endif
