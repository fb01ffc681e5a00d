/* SPDX-License-Identifier: MIT
 * fuzz_decode.c — differential libFuzzer target for the decoder's fast path: every frame is
 * decoded by the decoder as botwatch runs it and by one with the fast path switched off
 * (decoder.general_only); the results, packet fields and counters must be the same, or the
 * target aborts. Fragment state evolves in both alike, so sequences are compared too.
 * Input: fuzz_packet's format (byte 0 picks the link type; records of len(2) dt(1) frame). */
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "fuzz_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_RAW, DLT_EN10MB };

static void same(const struct pkt *a, const struct pkt *g)
{
    if (a->family != g->family || a->proto != g->proto ||
        memcmp(a->src, g->src, sizeof a->src) || memcmp(a->dst, g->dst, sizeof a->dst) ||
        a->sport != g->sport || a->dport != g->dport || a->tcp_flags != g->tcp_flags ||
        a->tcp_win != g->tcp_win || a->tcp_seq != g->tcp_seq || a->tcp_ack != g->tcp_ack ||
        a->icmp_type != g->icmp_type || a->icmp_code != g->icmp_code ||
        a->payload_len != g->payload_len || a->frag_pkts != g->frag_pkts ||
        a->frag_bytes != g->frag_bytes || a->snapped != g->snapped)
        abort();
    /* payloads point into each decoder's own frame copy or fragment buffer: compare bytes */
    if (a->payload_len && memcmp(a->payload, g->payload, a->payload_len))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct bw_stats sa, sg;
    memset(&sa, 0, sizeof sa);
    memset(&sg, 0, sizeof sg);
    struct frag_limits fl = { .memcap = 64 << 10, .timeout_us = 3000000 };
    struct decoder fast, gen;
    decoder_init(&fast, &sa, &fl);
    decoder_init(&gen, &sg, &fl);
    gen.general_only = true;
    int dlt = dlts[data[0] % (sizeof dlts / sizeof dlts[0])];
    struct rd r = rd_init(data + 1, size - 1);
    uint64_t ts = 1000000;
    struct fuzz_frame fr;
    while (fuzz_next_frame(&r, &ts, &fr)) {
        struct pkt a = { .ts_us = fr.ts_us, .wirelen = fr.wirelen, .caplen = fr.caplen,
                         .data = fr.data };
        struct pkt g = a;
        enum decode_result ra = decode_packet(&fast, dlt, &a);
        enum decode_result rg = decode_packet(&gen, dlt, &g);
        if (ra != rg)
            abort();
        if (ra == DECODE_OK)
            same(&a, &g);
        if (memcmp(&sa.decode, &sg.decode, sizeof sa.decode) ||
            memcmp(&sa.frag, &sg.frag, sizeof sa.frag))
            abort();
    }
    decoder_free(&fast);
    decoder_free(&gen);
    return 0;
}
