/* SPDX-License-Identifier: MIT
 * Unit tests for util/rd.h: the bounded reader never reads past its buffer and stays bad. */
#include "testutil.h"
#include "util/rd.h"

static void test_getters(void **state)
{
    (void)state;
    static const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    struct rd r = rd_init(b, sizeof b);
    assert_int_equal(rd_u8(&r), 1);
    assert_int_equal(rd_be16(&r), 0x0203);
    assert_int_equal(rd_le16(&r), 0x0504);
    assert_int_equal(rd_be32(&r), 0x06070809);
    assert_false(r.bad);
    assert_int_equal(rd_left(&r), 0);
}

static void test_sticky_failure(void **state)
{
    (void)state;
    static const uint8_t b[] = { 0xff, 0xee, 0xdd };
    struct rd r = rd_init(b, sizeof b);
    assert_int_equal(rd_be32(&r), 0);      /* too short */
    assert_true(r.bad);
    assert_int_equal(rd_u8(&r), 0);        /* stays bad though a byte is there */
    assert_int_equal(r.off, 0);
    struct bytes s = rd_bytes(&r, 1);
    assert_null(s.p);
}

static void test_sub_reader_is_bounded(void **state)
{
    (void)state;
    static const uint8_t b[] = { 1, 2, 3, 4, 5 };
    struct rd r = rd_init(b, sizeof b);
    struct rd c = rd_sub(&r, 2);
    assert_int_equal(rd_be16(&c), 0x0102);
    assert_int_equal(rd_u8(&c), 0);        /* cannot see byte 3 */
    assert_true(c.bad);
    assert_false(r.bad);
    assert_int_equal(rd_u8(&r), 3);
    struct rd big = rd_sub(&r, 100);       /* more than is left */
    assert_true(big.bad);
    assert_true(r.bad);
}

static void test_skip_huge(void **state)
{
    (void)state;
    static const uint8_t b[] = { 1, 2 };
    struct rd r = rd_init(b, sizeof b);
    rd_skip(&r, SIZE_MAX);                 /* no overflow: compared against what is left */
    assert_true(r.bad);
    assert_int_equal(r.off, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_getters),
        cmocka_unit_test(test_sticky_failure),
        cmocka_unit_test(test_sub_reader_is_bounded),
        cmocka_unit_test(test_skip_huge),
    };
    return cmocka_run_group_tests_name("rd", tests, NULL, NULL);
}
