/* SPDX-License-Identifier: MIT
 * fuzz_one_parser.h — the body of the protocol fuzz targets: fuzz_proto (nothing forced:
 * every probe and, once one decides, its parser) and the per-parser ones (fuzz_irc.c, ...),
 * where the flow is forced to FUZZ_PROTO before any byte is seen, so every input goes
 * straight to that parser without having to pass its probe first. Input as for fuzz_proto: flags(1: bit
 * 1 midstream) server port(2), then chunks of dir+len(2: top bit direction, 15 bits length,
 * 0x7fff a gap) and their bytes. UDP parsers get each chunk as a datagram. */
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "util/rd.h"

/* FUZZ_PROTO PROTO_NONE: nothing forced, identification decides (fuzz_proto), and the
 * input's flag bit 0 picks UDP. */
#ifndef FUZZ_PROTO
#error "define FUZZ_PROTO"
#endif
#ifndef FUZZ_UDP
#define FUZZ_UDP 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink_emit(void *ctx, const struct flow *f, const struct app_event *ev)
{
    (void)ctx;
    (void)f;
    (void)ev;
}

static void sink_expect(void *ctx, const struct app_expect *x)
{
    proto_expect(ctx, x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rd r = rd_init(data, size);
    uint8_t flags = rd_u8(&r);
    uint16_t port = rd_be16(&r);
    if (r.bad)
        return 0;
    static struct proto_stats st;
    static struct proto_engine pe;
    memset(&pe, 0, sizeof pe);
    struct app_sink sink = { .emit = sink_emit, .ctx = &pe, .expect = sink_expect };
    pe.stats = &st;
    pe.memcap = 1 << 20;
    pe.sink = &sink;
    struct flow *f = calloc(1, sizeof *f);    /* exactly one record: ASan sees its end */
    if (!f)
        return 0;
    bool udp = FUZZ_UDP || (FUZZ_PROTO == PROTO_NONE && (flags & 1));
    f->key.proto = udp ? IPPROTO_NUM_UDP : IPPROTO_NUM_TCP;
    f->key.family = 4;
    f->key.port[0] = 40000;
    f->key.port[1] = port;
    f->midstream = flags & 2;
    f->id = 2;
    if (FUZZ_PROTO != PROTO_NONE)
        proto_flow_force(&pe, f, FUZZ_PROTO);
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
        uint8_t *b = malloc(len ? len : 1);   /* exactly len bytes: overreads are caught */
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
