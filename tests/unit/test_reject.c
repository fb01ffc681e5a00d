/* SPDX-License-Identifier: MIT
 * Unit tests for the inline reject answers (capture/reject.c): the resets' addresses, ports,
 * sequence numbers and checksums, the ICMP port unreachable for UDP, and the packets that get
 * no answer. */
#include "capture/reject.h"
#include "testutil.h"

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 10.77.0.1:40000 -> 10.77.0.2:80, seq 1000, ack 2000, PSH|ACK, "NICK ^auzwybp\r\n" */
static size_t tcp_packet(struct fb *f)
{
    static const char payload[] = "NICK ^auzwybp\r\n";
    size_t pl = sizeof payload - 1;
    f->n = 0;
    fb_ipv4(f, 6, 0x0a4d0001, 0x0a4d0002, 20 + pl, 1, 0);
    fb_be16(f, 40000);
    fb_be16(f, 80);
    fb_be32(f, 1000);
    fb_be32(f, 2000);
    fb_u8(f, 0x50);
    fb_u8(f, 0x18);
    fb_be16(f, 65535);
    fb_be32(f, 0);
    fb_mem(f, payload, pl);
    return pl;
}

static void test_tcp_resets(void **state)
{
    (void)state;
    static struct fb f;
    size_t pl = tcp_packet(&f);
    uint8_t out[REJECT_MAX];
    size_t n = reject_build(f.b, f.n, REJECT_TO_SENDER, out, sizeof out);
    assert_int_equal(n, 40);
    assert_int_equal(fold(sum16(out, 20, 0)), 0xffff);          /* IP header checksum */
    assert_memory_equal(out + 12, "\x0a\x4d\x00\x02", 4);      /* from the server ... */
    assert_memory_equal(out + 16, "\x0a\x4d\x00\x01", 4);      /* ... to the client */
    const uint8_t *t = out + 20;
    assert_int_equal(t[0] << 8 | t[1], 80);
    assert_int_equal(t[2] << 8 | t[3], 40000);
    assert_int_equal(be32(t + 4), 2000);                       /* the client's ack */
    assert_int_equal(be32(t + 8), 1000 + pl);
    assert_int_equal(t[13], 0x14);                             /* RST|ACK */
    uint32_t ps = sum16(out + 12, 8, 0) + 6 + 20;              /* pseudo-header */
    assert_int_equal(fold(sum16(t, 20, ps)), 0xffff);

    n = reject_build(f.b, f.n, REJECT_TO_RECEIVER, out, sizeof out);
    assert_int_equal(n, 40);
    assert_memory_equal(out + 12, "\x0a\x4d\x00\x01", 4);
    assert_int_equal(be32(out + 24), 1000 + pl);               /* what the server expects */
    assert_int_equal(out[33], 0x04);                           /* RST */
    ps = sum16(out + 12, 8, 0) + 6 + 20;
    assert_int_equal(fold(sum16(out + 20, 20, ps)), 0xffff);
}

static void test_no_answer(void **state)
{
    (void)state;
    static struct fb f;
    uint8_t out[REJECT_MAX];
    tcp_packet(&f);
    /* a reset (the TCP flags are byte 33: 20 of IP, 13 into TCP) is never answered */
    uint8_t pkt[64];
    memcpy(pkt, f.b, f.n < sizeof pkt ? f.n : sizeof pkt);
    pkt[33] = 0x04;
    assert_int_equal(reject_build(pkt, 40, REJECT_TO_SENDER, out, sizeof out), 0);
    /* a fragment, garbage, too short, and an answer buffer too small */
    memcpy(pkt, f.b, 40);
    pkt[6] = 0x20;
    assert_int_equal(reject_build(pkt, 40, REJECT_TO_SENDER, out, sizeof out), 0);
    assert_int_equal(reject_build((const uint8_t *)"\x45\x00", 2, REJECT_TO_SENDER, out,
                                  sizeof out), 0);
    assert_int_equal(reject_build(f.b, f.n, REJECT_TO_SENDER, out, 64), 0);
}

static void test_udp_unreachable(void **state)
{
    (void)state;
    static struct fb f;
    f.n = 0;
    fb_ipv4(&f, 17, 0x0a4d0001, 0x0a4d0002, 8 + 5, 1, 0);
    fb_be16(&f, 5353);
    fb_be16(&f, 53);
    fb_be16(&f, 13);
    fb_be16(&f, 0);
    fb_mem(&f, "hello", 5);
    uint8_t out[REJECT_MAX];
    size_t n = reject_build(f.b, f.n, REJECT_TO_SENDER, out, sizeof out);
    assert_int_equal(n, 20 + 8 + 20 + 8);                      /* IP, ICMP, quoted hdr + 8 */
    assert_int_equal(out[9], 1);
    assert_memory_equal(out + 16, "\x0a\x4d\x00\x01", 4);      /* to the sender */
    assert_int_equal(out[20], 3);                              /* destination unreachable */
    assert_int_equal(out[21], 3);                              /* port unreachable */
    assert_int_equal(fold(sum16(out + 20, n - 20, 0)), 0xffff);
    assert_memory_equal(out + 28, f.b, 28);
    assert_int_equal(reject_build(f.b, f.n, REJECT_TO_RECEIVER, out, sizeof out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_resets),
        cmocka_unit_test(test_no_answer),
        cmocka_unit_test(test_udp_unreachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
