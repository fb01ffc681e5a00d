/* SPDX-License-Identifier: MIT
 * fuzz_proto.c — libFuzzer target for protocol identification: every probe in protocols.def
 * through the registry, on attacker-chosen first bytes in both directions.
 * Input: flags(1: bit 0 UDP, bit 1 midstream) server port(2), then chunks of
 * dir+len(2: top bit = direction, 15 bits length) and the bytes; a length of 0x7fff is a gap. */
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "util/rd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rd r = rd_init(data, size);
    uint8_t flags = rd_u8(&r);
    uint16_t port = rd_be16(&r);
    if (r.bad)
        return 0;
    static struct proto_stats st;
    struct proto_engine pe = { .stats = &st, .memcap = 1 << 20 };
    struct flow *f = calloc(1, sizeof *f);    /* exactly one record: ASan sees its end */
    if (!f)
        return 0;
    f->key.proto = flags & 1 ? IPPROTO_NUM_UDP : IPPROTO_NUM_TCP;
    f->key.port[0] = 40000;
    f->key.port[1] = port;
    f->midstream = flags & 2;
    while (rd_left(&r) >= 2) {
        uint16_t h = rd_be16(&r);
        enum flow_dir dir = h >> 15 ? DIR_TOCLIENT : DIR_TOSERVER;
        size_t len = h & 0x7fff;
        if (len == 0x7fff) {
            proto_flow_data(&pe, f, dir, NULL, 100);
            continue;
        }
        if (len > rd_left(&r))
            len = rd_left(&r);
        /* a private copy of exactly len bytes, so a read past them is caught */
        uint8_t *b = malloc(len ? len : 1);
        if (!b)
            break;
        struct bytes chunk = rd_bytes(&r, len);
        if (len)
            memcpy(b, chunk.p, len);
        proto_flow_data(&pe, f, dir, b, len);
        free(b);
    }
    proto_flow_end(&pe, f);
    free(f);
    return 0;
}
