/* SPDX-License-Identifier: MIT
 * fuzz_reject.c — libFuzzer target for the inline reject answers (src/capture/reject.c): the
 * offending packet is an attacker's IP packet; any bytes give an answer or none, and an
 * answer is a well-formed IPv4/IPv6 packet no longer than REJECT_MAX. */
#include <stdlib.h>
#include <string.h>

#include "capture/reject.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *pkt = malloc(size ? size : 1);      /* exactly its length: ASan sees overreads */
    if (!pkt)
        return 0;
    memcpy(pkt, data, size);
    uint8_t out[REJECT_MAX];
    for (int to = REJECT_TO_SENDER; to <= REJECT_TO_RECEIVER; to++) {
        size_t n = reject_build(pkt, size, (enum reject_to)to, out, sizeof out);
        if (n && (n > REJECT_MAX || ((out[0] >> 4) != 4 && (out[0] >> 4) != 6)))
            __builtin_trap();
    }
    free(pkt);
    return 0;
}
