/* SPDX-License-Identifier: MIT
 * Unit tests for decode/decode.c: every link type, the encapsulations, and that each kind of
 * malformed packet is counted under its own reason without stopping anything. */
#include <pcap/dlt.h>

#include "testutil.h"

static struct bw_stats st;
static struct decoder dec;

static int setup(void **state)
{
    (void)state;
    memset(&st, 0, sizeof st);
    struct frag_limits fl = { .memcap = 1 << 20, .timeout_us = 30000000 };
    decoder_init(&dec, &st, &fl);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    decoder_free(&dec);
    return 0;
}

static enum decode_result run(int dlt, const struct fb *f, struct pkt *p)
{
    memset(p, 0, sizeof *p);
    p->data = f->b;
    p->caplen = p->wirelen = (uint32_t)f->n;
    return decode_packet(&dec, dlt, p);
}

/* IPv4 TCP SYN with "hi" as payload after the link header already in f. */
static void add_ipv4_tcp(struct fb *f)
{
    fb_ipv4(f, 6, 0x0a000001, 0x0a000002, 22, 1, 0);
    fb_tcp(f, 40000, 80, 1000, 0, TCP_SYN);
    fb_mem(f, "hi", 2);
}

static void check_tcp(const struct pkt *p)
{
    assert_int_equal(p->family, 4);
    assert_int_equal(p->proto, 6);
    assert_int_equal(p->sport, 40000);
    assert_int_equal(p->dport, 80);
    assert_int_equal(p->tcp_seq, 1000);
    assert_int_equal(p->tcp_flags, TCP_SYN);
    assert_int_equal(p->payload_len, 2);
    assert_memory_equal(p->payload, "hi", 2);
    assert_int_equal(p->src[0], 10);
    assert_int_equal(p->dst[3], 2);
}

static void test_ethernet_ipv4_tcp(void **state)
{
    (void)state;
    struct fb f = { .n = 0 };
    struct pkt p;
    fb_eth(&f, 0x0800);
    add_ipv4_tcp(&f);
    fb_mem(&f, "\0\0\0\0", 4);               /* Ethernet padding: trimmed by total length */
    assert_int_equal(run(DLT_EN10MB, &f, &p), DECODE_OK);
    check_tcp(&p);
}

static void test_qinq_and_mpls_and_pppoe(void **state)
{
    (void)state;
    struct fb f = { .n = 0 };
    struct pkt p;
    fb_eth(&f, 0x88a8);                      /* 802.1ad outer tag */
    fb_be16(&f, 100);
    fb_be16(&f, 0x8100);                     /* 802.1Q inner tag */
    fb_be16(&f, 200);
    fb_be16(&f, 0x0800);
    add_ipv4_tcp(&f);
    assert_int_equal(run(DLT_EN10MB, &f, &p), DECODE_OK);
    check_tcp(&p);

    f.n = 0;
    fb_eth(&f, 0x8847);
    fb_be32(&f, 0x00010000);                 /* label 16, not bottom */
    fb_be32(&f, 0x00011140);                 /* label 17, bottom of stack */
    add_ipv4_tcp(&f);
    assert_int_equal(run(DLT_EN10MB, &f, &p), DECODE_OK);
    check_tcp(&p);

    f.n = 0;
    fb_eth(&f, 0x8864);
    fb_u8(&f, 0x11);
    fb_u8(&f, 0);
    fb_be16(&f, 7);
    fb_be16(&f, 44);
    fb_be16(&f, 0x0021);
    add_ipv4_tcp(&f);
    assert_int_equal(run(DLT_EN10MB, &f, &p), DECODE_OK);
    check_tcp(&p);
}

static void test_cooked_raw_null(void **state)
{
    (void)state;
    struct fb f = { .n = 0 };
    struct pkt p;
    static const uint8_t sll[14] = { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0 };
    fb_mem(&f, sll, 14);
    fb_be16(&f, 0x0800);
    add_ipv4_tcp(&f);
    assert_int_equal(run(DLT_LINUX_SLL, &f, &p), DECODE_OK);
    check_tcp(&p);

    f.n = 0;
    fb_be16(&f, 0x0800);
    static const uint8_t sll2[18] = { 0 };
    fb_mem(&f, sll2, 18);
    add_ipv4_tcp(&f);
    assert_int_equal(run(DLT_LINUX_SLL2, &f, &p), DECODE_OK);
    check_tcp(&p);

    f.n = 0;
    add_ipv4_tcp(&f);
    assert_int_equal(run(DLT_RAW, &f, &p), DECODE_OK);
    check_tcp(&p);

    f.n = 0;                                 /* AF_INET written little-endian */
    fb_mem(&f, "\x02\0\0\0", 4);
    add_ipv4_tcp(&f);
    assert_int_equal(run(DLT_NULL, &f, &p), DECODE_OK);
    check_tcp(&p);
    f.n = 0;                                 /* ... and by a big-endian machine */
    fb_mem(&f, "\0\0\0\x02", 4);
    add_ipv4_tcp(&f);
    assert_int_equal(run(DLT_NULL, &f, &p), DECODE_OK);
    check_tcp(&p);
}

static void test_ipv6_ext_headers(void **state)
{
    (void)state;
    struct fb f = { .n = 0 };
    struct pkt p;
    fb_eth(&f, 0x86dd);
    fb_be32(&f, 0x60000000);
    fb_be16(&f, 8 + 8 + 8 + 3);              /* hop-by-hop, dest opts, UDP, payload */
    fb_u8(&f, 0);                            /* hop-by-hop */
    fb_u8(&f, 64);
    uint8_t a[16] = { 0xfd, 0x77 };
    a[15] = 1;
    fb_mem(&f, a, 16);
    a[15] = 2;
    fb_mem(&f, a, 16);
    fb_u8(&f, 60);                           /* -> destination options */
    fb_u8(&f, 0);
    fb_mem(&f, "\x01\x04\0\0\0\0", 6);       /* PadN */
    fb_u8(&f, 17);                           /* -> UDP */
    fb_u8(&f, 0);
    fb_mem(&f, "\x01\x04\0\0\0\0", 6);
    fb_udp(&f, 5353, 53, 3);
    fb_mem(&f, "abc", 3);
    assert_int_equal(run(DLT_EN10MB, &f, &p), DECODE_OK);
    assert_int_equal(p.family, 6);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.sport, 5353);
    assert_int_equal(p.payload_len, 3);
    assert_int_equal(p.src[15], 1);
}

static void test_malformed_counted_by_reason(void **state)
{
    (void)state;
    struct fb f = { .n = 0 };
    struct pkt p;

    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 6, 1, 2, 20, 0, 0);
    f.b[14] = 0x44;                          /* IHL 4: below 20 bytes */
    fb_tcp(&f, 1, 2, 0, 0, TCP_ACK);
    assert_int_equal(run(DLT_EN10MB, &f, &p), DECODE_ERROR);
    assert_int_equal(st.decode.err[DEC_ERR_ipv4_bad_hlen], 1);

    f.n = 0;
    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 6, 1, 2, 200, 0, 0);         /* total length beyond the frame */
    fb_tcp(&f, 1, 2, 0, 0, TCP_ACK);
    assert_int_equal(run(DLT_EN10MB, &f, &p), DECODE_ERROR);
    assert_int_equal(st.decode.err[DEC_ERR_ipv4_len_exceeds_frame], 1);

    /* ... unless the capture's snap length cut it: then it is decoded as far as it goes */
    memset(&p, 0, sizeof p);
    p.data = f.b;
    p.caplen = (uint32_t)f.n;
    p.wirelen = 234;
    assert_int_equal(decode_packet(&dec, DLT_EN10MB, &p), DECODE_OK);
    assert_int_equal(st.decode.snapped, 1);

    f.n = 0;
    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 6, 1, 2, 20, 0, 0);
    fb_tcp(&f, 1, 2, 0, 0, TCP_ACK);
    f.b[14 + 20 + 12] = 0x30;                /* data offset 12 bytes */
    assert_int_equal(run(DLT_EN10MB, &f, &p), DECODE_ERROR);
    assert_int_equal(st.decode.err[DEC_ERR_tcp_bad_hlen], 1);

    f.n = 0;
    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 17, 1, 2, 8, 0, 0);
    fb_udp(&f, 1, 2, 100);                   /* UDP length beyond the datagram */
    assert_int_equal(run(DLT_EN10MB, &f, &p), DECODE_ERROR);
    assert_int_equal(st.decode.err[DEC_ERR_udp_bad_len], 1);

    f.n = 0;
    fb_eth(&f, 0x0806);                      /* ARP: not an error */
    fb_mem(&f, "arp", 3);
    assert_int_equal(run(DLT_EN10MB, &f, &p), DECODE_SKIP);
    assert_int_equal(st.decode.non_ip, 1);
    assert_int_equal(st.decode.errors, 4);
}

static void test_ipv4_total_length_zero_is_offload(void **state)
{
    (void)state;
    struct fb f = { .n = 0 };
    struct pkt p;
    fb_eth(&f, 0x0800);
    add_ipv4_tcp(&f);
    f.b[16] = f.b[17] = 0;                   /* total length 0, as TSO captures show it */
    assert_int_equal(run(DLT_EN10MB, &f, &p), DECODE_OK);
    check_tcp(&p);
    assert_int_equal(st.decode.ipv4_tso, 1);
}

static void test_every_truncation(void **state)
{
    (void)state;
    struct fb f = { .n = 0 };
    fb_eth(&f, 0x8100);
    fb_be16(&f, 5);
    fb_be16(&f, 0x0800);
    fb_ipv4(&f, 6, 0x0a000001, 0x0a000002, 24, 1, 0);
    f.b[18] = 0x46;                          /* with 4 bytes of options: NOP NOP NOP EOL */
    f.b[20] = 0;
    f.b[21] = 48;
    fb_mem(&f, "\x01\x01\x01\x00", 4);
    fb_tcp(&f, 1, 2, 3, 4, TCP_ACK);
    fb_mem(&f, "data", 4);
    /* every prefix decodes to an error or a skip, never past the bytes given (ASan checks) */
    for (size_t n = 0; n < f.n; n++) {
        struct fb g = { .n = 0 };
        fb_mem(&g, f.b, n);
        struct pkt p;
        assert_int_not_equal(run(DLT_EN10MB, &g, &p), DECODE_OK);
    }
    struct pkt p;
    assert_int_equal(run(DLT_EN10MB, &f, &p), DECODE_OK);
    assert_int_equal(p.payload_len, 4);
}

/* The fast path (Ethernet, one VLAN tag, IPv4 without options, TCP or UDP) must give exactly
 * what the general path gives: the same result, packet fields and counters, for well-formed
 * frames and for every single-byte change to their headers and every truncation. */
static void decode_both(const uint8_t *b, size_t n, uint32_t wire)
{
    static struct bw_stats st2;
    static struct decoder gen;
    memset(&st2, 0, sizeof st2);
    struct frag_limits fl = { .memcap = 1 << 20, .timeout_us = 30000000 };
    decoder_init(&gen, &st2, &fl);
    gen.general_only = true;
    memset(&st, 0, sizeof st);
    struct pkt a, g;
    memset(&a, 0, sizeof a);
    memset(&g, 0, sizeof g);
    a.data = g.data = b;
    a.caplen = g.caplen = (uint32_t)n;
    a.wirelen = g.wirelen = wire;
    enum decode_result ra = decode_packet(&dec, DLT_EN10MB, &a);
    enum decode_result rg = decode_packet(&gen, DLT_EN10MB, &g);
    assert_int_equal(ra, rg);
    if (ra == DECODE_OK) {
        assert_int_equal(a.family, g.family);
        assert_int_equal(a.proto, g.proto);
        assert_memory_equal(a.src, g.src, sizeof a.src);
        assert_memory_equal(a.dst, g.dst, sizeof a.dst);
        assert_int_equal(a.sport, g.sport);
        assert_int_equal(a.dport, g.dport);
        assert_int_equal(a.tcp_flags, g.tcp_flags);
        assert_int_equal(a.tcp_win, g.tcp_win);
        assert_int_equal(a.tcp_seq, g.tcp_seq);
        assert_int_equal(a.tcp_ack, g.tcp_ack);
        assert_int_equal(a.icmp_type, g.icmp_type);
        assert_ptr_equal(a.payload, g.payload);
        assert_int_equal(a.payload_len, g.payload_len);
        assert_int_equal(a.snapped, g.snapped);
        assert_int_equal(a.frag_pkts, g.frag_pkts);
    }
    assert_memory_equal(&st.decode, &st2.decode, sizeof st.decode);
    decoder_free(&gen);
}

static void test_fast_path_equals_general(void **state)
{
    (void)state;
    struct fb frames[6];
    memset(frames, 0, sizeof frames);
    fb_eth(&frames[0], 0x0800);                              /* TCP SYN with payload */
    add_ipv4_tcp(&frames[0]);
    fb_mem(&frames[0], "\0\0\0\0", 4);                       /* Ethernet padding */
    fb_eth(&frames[1], 0x8100);                              /* VLAN, TCP with timestamps */
    fb_be16(&frames[1], 10);
    fb_be16(&frames[1], 0x0800);
    fb_ipv4(&frames[1], 6, 0xc0a80001, 0x0a000001, 32 + 5, 7, 0x4000);
    fb_tcp(&frames[1], 443, 51000, 99, 100, TCP_ACK | TCP_PSH);
    frames[1].b[18 + 20 + 12] = 8 << 4;
    fb_mem(&frames[1], "\x01\x01\x08\x0a\0\0\0\1\0\0\0\2", 12);
    fb_mem(&frames[1], "hello", 5);
    fb_eth(&frames[2], 0x0800);                              /* UDP */
    fb_ipv4(&frames[2], 17, 0x0a000002, 0x08080808, 8 + 3, 9, 0);
    fb_udp(&frames[2], 5353, 53, 3);
    fb_mem(&frames[2], "abc", 3);
    fb_eth(&frames[3], 0x0800);                              /* TCP with other options */
    fb_ipv4(&frames[3], 6, 1, 2, 24 + 1, 1, 0);
    fb_tcp(&frames[3], 1, 2, 3, 4, TCP_SYN);
    frames[3].b[14 + 20 + 12] = 6 << 4;
    fb_mem(&frames[3], "\x02\x04\x05\xb4", 4);
    fb_mem(&frames[3], "x", 1);
    fb_eth(&frames[4], 0x0800);                              /* ICMP: the general path */
    fb_ipv4(&frames[4], 1, 1, 2, 8, 1, 0);
    fb_mem(&frames[4], "\x08\0\0\0\0\1\0\1", 8);
    fb_eth(&frames[5], 0x0800);                              /* a first fragment */
    fb_ipv4(&frames[5], 17, 1, 2, 16, 5, 0x2000);
    fb_udp(&frames[5], 1, 2, 8);
    fb_mem(&frames[5], "12345678", 8);
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        struct fb *f = &frames[i];
        decode_both(f->b, f->n, (uint32_t)f->n);
        for (size_t n = 0; n < f->n; n++) {                  /* cut, and snapped */
            decode_both(f->b, n, (uint32_t)n);
            decode_both(f->b, n, (uint32_t)f->n);
        }
        size_t hdr = f->n < 70 ? f->n : 70;
        for (size_t at = 12; at < hdr; at++) {               /* each header byte changed */
            static const uint8_t vals[] = { 0x00, 0x01, 0x05, 0x45, 0x46, 0x50, 0x80, 0xff };
            for (size_t v = 0; v < sizeof vals + 2; v++) {   /* and the byte +-1 */
                struct fb g = *f;
                g.b[at] = v < sizeof vals ? vals[v] : (uint8_t)(f->b[at] + (v == sizeof vals ? 1 : -1));
                decode_both(g.b, g.n, (uint32_t)g.n);
                decode_both(g.b, g.n, (uint32_t)g.n + 100);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ethernet_ipv4_tcp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_qinq_and_mpls_and_pppoe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cooked_raw_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_ext_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_counted_by_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv4_total_length_zero_is_offload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fast_path_equals_general, setup, teardown),
    };
    return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
