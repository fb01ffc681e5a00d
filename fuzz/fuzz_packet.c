/* SPDX-License-Identifier: MIT
 * fuzz_packet.c — libFuzzer target for the whole packet path: link decoders, IPv4/IPv6,
 * fragment reassembly, the flow table and TCP reassembly, with small caps so eviction,
 * memcap and out-of-order limits are exercised too.
 * Input: byte 0 picks the link type; then records of len(2, big-endian) dt(1) frame(len),
 * dt being the time step in tenths of a second (so timeouts fire). fuzz/mkseeds.py turns
 * pcap files into such inputs. */
#include <pcap/dlt.h>
#include <stdlib.h>

#include "engine.h"
#include "fuzz_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
                            DLT_NULL,   DLT_LOOP,      DLT_IPV4,       DLT_IPV6 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static struct engine e;
    struct engine_config cfg;
    engine_config_default(&cfg);
    cfg.flow.memcap = 64 * sizeof(struct flow);
    cfg.stream.memcap = 64 << 10;
    cfg.stream.ooo_max = 8 << 10;
    cfg.stream.depth = 32 << 10;
    cfg.frag.memcap = 64 << 10;
    struct bw_diag d;
    if (engine_init(&e, &cfg, &d) != BW_OK)
        abort();
    int dlt = dlts[data[0] % (sizeof dlts / sizeof dlts[0])];
    struct rd r = rd_init(data + 1, size - 1);
    uint64_t ts = 1000000;
    struct fuzz_frame fr;
    while (fuzz_next_frame(&r, &ts, &fr))
        engine_packet(&e, dlt, fr.ts_us, fr.wirelen, fr.caplen, fr.data);
    engine_finish(&e, &d);
    return 0;
}
