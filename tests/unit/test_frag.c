/* SPDX-License-Identifier: MIT
 * Unit tests for decode/frag.c: order, overlaps (first copy wins), timeout, memory cap. */
#include "testutil.h"

static struct bw_stats st;
static struct frag_table ft;
static const uint8_t src[4] = { 10, 0, 0, 1 }, dst[4] = { 10, 0, 0, 2 };
static uint8_t data[4000];

static int setup(void **state)
{
    (void)state;
    memset(&st, 0, sizeof st);
    struct frag_limits lim = { .memcap = 1 << 20, .timeout_us = 30000000 };
    frag_table_init(&ft, &st, &lim);
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    frag_table_free(&ft);
    return 0;
}

static bool add(uint32_t id, uint32_t off, uint32_t len, bool more, const uint8_t *d,
                uint64_t ts, struct frag_out *out)
{
    struct frag_in in = { .family = 4, .proto = 17, .src = src, .dst = dst, .id = id,
                          .off = off, .more = more, .data = d + off, .len = len,
                          .ts_us = ts, .wirelen = len + 34 };
    return frag_add(&ft, &in, out);
}

static void test_in_order_and_reverse(void **state)
{
    (void)state;
    struct frag_out out;
    assert_false(add(1, 0, 1480, true, data, 1, &out));
    assert_false(add(1, 1480, 1480, true, data, 2, &out));
    assert_true(add(1, 2960, 1000, false, data, 3, &out));
    assert_int_equal(out.len, 3960);
    assert_int_equal(out.pkts, 3);
    assert_int_equal(out.wirebytes, 3960 + 3 * 34);
    assert_memory_equal(out.data, data, 3960);

    assert_false(add(2, 2960, 1000, false, data, 4, &out));
    assert_false(add(2, 1480, 1480, true, data, 5, &out));
    assert_true(add(2, 0, 1480, true, data, 6, &out));
    assert_memory_equal(out.data, data, 3960);
    assert_int_equal(st.frag.reassembled, 2);
    assert_int_equal(st.frag.memuse, 0);
}

static void test_overlap_first_copy_wins(void **state)
{
    (void)state;
    struct frag_out out;
    uint8_t evil[4000];
    memcpy(evil, data, sizeof evil);
    memset(evil + 800, 'X', 200);
    assert_false(add(3, 0, 1000, true, data, 1, &out));
    /* a second copy of bytes 800..1600 that differs where it overlaps the first */
    assert_false(add(3, 800, 800, true, evil, 2, &out));
    assert_true(add(3, 1600, 400, false, data, 3, &out));
    assert_memory_equal(out.data, data, 2000);  /* the first copy's bytes */
    assert_int_equal(st.frag.overlap, 1);
    assert_int_equal(st.frag.overlap_differ, 1);
}

static void test_timeout_and_memcap(void **state)
{
    (void)state;
    struct frag_out out;
    assert_false(add(4, 0, 1000, true, data, 1000000, &out));
    frag_expire(&ft, 40000000);
    assert_int_equal(st.frag.timeout, 1);
    assert_int_equal(st.frag.memuse, 0);
    assert_false(add(4, 1000, 1000, false, data, 40000001, &out));  /* the rest alone */

    frag_table_free(&ft);
    struct frag_limits tiny = { .memcap = 3000, .timeout_us = 30000000 };
    frag_table_init(&ft, &st, &tiny);
    assert_false(add(5, 0, 1480, true, data, 1, &out));
    assert_false(add(5, 1480, 1480, true, data, 2, &out));         /* over the cap */
    assert_true(st.frag.memcap_drop >= 1);
    assert_true(st.frag.memuse <= 3000);
}

static void test_data_past_end(void **state)
{
    (void)state;
    struct frag_out out;
    assert_false(add(6, 1000, 1000, true, data, 1, &out));
    assert_false(add(6, 0, 800, false, data, 2, &out));  /* ends before data already held */
    assert_int_equal(st.frag.too_large, 1);
    assert_int_equal(st.frag.memuse, 0);
}

static void test_incomplete_at_end_is_counted(void **state)
{
    (void)state;
    struct frag_out out;
    assert_false(add(7, 0, 1000, true, data, 1, &out));
    frag_table_free(&ft);
    assert_int_equal(st.frag.incomplete, 1);
    assert_int_equal(st.frag.memuse, 0);
    struct frag_limits lim = { .memcap = 1 << 20, .timeout_us = 30000000 };
    frag_table_init(&ft, &st, &lim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_in_order_and_reverse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap_first_copy_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_and_memcap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_past_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incomplete_at_end_is_counted, setup, teardown),
    };
    return cmocka_run_group_tests_name("frag", tests, NULL, NULL);
}
