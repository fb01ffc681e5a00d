/* SPDX-License-Identifier: MIT
 * Unit tests for output/fast.c: the alert line, byte for byte (Suricata's fast.log with
 * the year), with escapes, an action, IPv6, a protocol without ports, and a message longer
 * than the line buffer (written in pieces). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "decode/decode.h"
#include "output/fast.h"

static char *run(const struct rule_alert *a)
{
    char path[] = "/tmp/bw-fast-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct fast o;
    struct bw_diag d = { .msg = "" };
    assert_int_equal(fast_open(&o, path, &d), BW_OK);
    fast_alert(&o, a);
    assert_int_equal(fast_close(&o, &d), BW_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char out[16384];
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    fclose(f);
    unlink(path);
    return out;
}

static void test_line(void **state)
{
    (void)state;
    struct rule r = { .gid = 1, .sid = 2013028, .rev = 4, .priority = 2, .action = RA_ALERT,
                      .msg = (char *)"caf\xc3\xa9 \\ \x01 end",
                      .class_desc = (char *)"Attempted Information Leak" };
    uint8_t src[16] = { 10, 6, 17, 51 }, dst[16] = { 11, 74, 78, 114 };
    struct rule_alert a = { .r = &r, .ts_us = 1710234000014445ull, .family = 4,
                            .proto = IPPROTO_NUM_TCP, .src = src, .dst = dst, .sport = 49844,
                            .dport = 80 };
    assert_string_equal(run(&a),
                        "03/12/2024-09:00:00.014445  [**] [1:2013028:4] caf\\xc3\\xa9 \\x5c "
                        "\\x01 end [**] [Classification: Attempted Information Leak] "
                        "[Priority: 2] {TCP} 10.6.17.51:49844 -> 11.74.78.114:80\n");
    /* drop, no class, ICMP (no ports), IPv6, a timestamp with leading zeros */
    r.action = RA_DROP;
    r.class_desc = NULL;
    r.msg = (char *)"m";
    uint8_t s6[16] = { 0xfd, 0x77, [15] = 1 }, d6[16] = { 0xfd, 0x77, [15] = 2 };
    struct rule_alert b = { .r = &r, .ts_us = 1000001ull, .family = 6,
                            .proto = IPPROTO_NUM_ICMPV6, .src = s6, .dst = d6 };
    assert_string_equal(run(&b), "01/01/1970-00:00:01.000001  [drop] [**] [1:2013028:4] m "
                                 "[**] [Priority: 2] {IPv6-ICMP} fd77::1 -> fd77::2\n");
}

static void test_long_message(void **state)
{
    (void)state;
    static char msg[3001];
    for (int i = 0; i < 3000; i++)
        msg[i] = i % 700 == 699 ? '\n' : (char)('a' + i % 26);
    struct rule r = { .gid = 1, .sid = 9, .priority = 3, .action = RA_ALERT, .msg = msg };
    uint8_t src[16] = { 1, 2, 3, 4 }, dst[16] = { 5, 6, 7, 8 };
    struct rule_alert a = { .r = &r, .ts_us = 0, .family = 4, .proto = IPPROTO_NUM_UDP,
                            .src = src, .dst = dst, .sport = 1, .dport = 2 };
    const char *out = run(&a);
    static char want[16384];
    size_t n = (size_t)snprintf(want, sizeof want, "01/01/1970-00:00:00.000000  [**] [1:9:0] ");
    for (int i = 0; i < 3000; i++)
        n += (size_t)(msg[i] == '\n' ? snprintf(want + n, sizeof want - n, "\\x0a")
                                     : snprintf(want + n, sizeof want - n, "%c", msg[i]));
    snprintf(want + n, sizeof want - n, " [**] [Priority: 3] {UDP} 1.2.3.4:1 -> 5.6.7.8:2\n");
    assert_string_equal(out, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line),
        cmocka_unit_test(test_long_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
