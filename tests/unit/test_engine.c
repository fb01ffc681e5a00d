/* SPDX-License-Identifier: MIT
 * Unit tests for engine.c: the look-ahead window changes nothing but timing. */
#include <pcap/dlt.h>

#include "engine.h"
#include "testutil.h"

static void feed(unsigned lookahead, struct bw_stats *out)
{
    struct engine_config cfg;
    engine_config_default(&cfg);
    cfg.lookahead = lookahead;
    static struct engine e;
    struct bw_diag d;
    assert_int_equal(engine_init(&e, &cfg, &d), BW_OK);
    struct fb f = { .n = 0 };
    engine_packet(&e, DLT_EN10MB, 1, 0, 0, f.b);     /* an empty frame (bug: memcpy to NULL) */
    for (uint32_t i = 0; i < 40; i++) {               /* 40 SYNs from 40 ports */
        f.n = 0;
        fb_eth(&f, 0x0800);
        fb_ipv4(&f, 6, 0x0a000001, 0x0a000002, 20, 1, 0);
        fb_tcp(&f, (uint16_t)(1000 + i), 80, i, 0, TCP_SYN);
        engine_packet(&e, DLT_EN10MB, 2 + i, (uint32_t)f.n, (uint32_t)f.n, f.b);
    }
    assert_int_equal(engine_finish(&e, &d), BW_OK);
    *out = e.stats;
}

static void test_lookahead_is_transparent(void **state)
{
    (void)state;
    struct bw_stats a, b;
    feed(0, &a);
    feed(16, &b);
    assert_int_equal(a.input.pkts, 41);
    assert_int_equal(a.decode.err[DEC_ERR_link_truncated], 1);
    assert_int_equal(a.flow.created, 40);
    assert_memory_equal(&a, &b, sizeof a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookahead_is_transparent),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
