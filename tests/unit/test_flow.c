/* SPDX-License-Identifier: MIT
 * Unit tests for flow/flow_table.c and flow/tcp_stream.c: who the client is, how flows end,
 * timeouts and eviction, and reassembly (out of order, overlaps, gaps, caps, midstream). */
#include "flow/flow.h"
#include "testutil.h"

enum { C = 0x0a000001, S = 0x0a000002, CP = 40000, SP = 80, SEC = 1000000 };

struct ended {
    uint64_t id;
    uint8_t end, rst_by, state;
    uint64_t pkts[2], bytes[2];
    bool client_is_c;
    uint32_t gaps, overlaps_differ;
};

static struct {
    struct bw_stats st;
    struct flow_table ft;
    struct ended ended[16];
    int nended;
    char out[2][8192];     /* delivered bytes by direction; a gap shows as '#' * len */
    size_t outn[2];
} T;

static void on_end(void *ctx, struct flow *f)
{
    (void)ctx;
    struct ended *e = &T.ended[T.nended++ % 16];
    e->id = f->id;
    e->end = f->end;
    e->rst_by = f->rst_by;
    e->state = f->tcp_state;
    memcpy(e->pkts, f->pkts, sizeof e->pkts);
    memcpy(e->bytes, f->bytes, sizeof e->bytes);
    e->client_is_c = f->key.addr[f->client_side][3] == 1;
    if (f->key.proto == IPPROTO_NUM_TCP) {     /* other records have no TCP halves */
        e->gaps = f->half[0].gaps + f->half[1].gaps;
        e->overlaps_differ = f->half[0].overlaps_differ + f->half[1].overlaps_differ;
    }
}

static void on_deliver(void *ctx, struct flow *f, enum flow_dir dir, const uint8_t *d, size_t n)
{
    (void)ctx;
    (void)f;
    for (size_t i = 0; i < n && T.outn[dir] < sizeof T.out[dir] - 1; i++)
        T.out[dir][T.outn[dir]++] = d ? (char)d[i] : '#';
}

static int setup(void **state)
{
    (void)state;
    memset(&T, 0, sizeof T);
    struct flow_limits fl;
    struct stream_limits sl;
    flow_limits_default(&fl, &sl);
    sl.ooo_max = 64;
    sl.depth = 4096;
    flow_table_init(&T.ft, &fl, &sl, &T.st, on_end, on_deliver, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    flow_table_finish(&T.ft);
    assert_int_equal(T.st.stream.memuse, 0);
    assert_int_equal(T.st.flow.memuse, 0);
    return 0;
}

static struct flow *to_s(uint8_t fl, uint32_t seq, uint32_t ack, const char *d, uint64_t t)
{
    struct pkt p = mkpkt(C, CP, S, SP, fl, seq, ack, d, t);
    enum flow_dir dir;
    return flow_table_packet(&T.ft, &p, &dir);
}

static struct flow *to_c(uint8_t fl, uint32_t seq, uint32_t ack, const char *d, uint64_t t)
{
    struct pkt p = mkpkt(S, SP, C, CP, fl, seq, ack, d, t);
    enum flow_dir dir;
    return flow_table_packet(&T.ft, &p, &dir);
}

static void handshake(void)
{
    to_s(TCP_SYN, 100, 0, NULL, 1);
    to_c(TCP_SYN | TCP_ACK, 500, 101, NULL, 2);
    to_s(TCP_ACK, 101, 501, NULL, 3);
}

static void test_fins_both_ways(void **state)
{
    (void)state;
    handshake();
    to_s(TCP_ACK | TCP_PSH, 101, 501, "GET /", 4);
    to_c(TCP_ACK | TCP_PSH, 501, 106, "200 OK", 5);
    to_s(TCP_FIN | TCP_ACK, 106, 507, NULL, 6);
    to_c(TCP_FIN | TCP_ACK, 507, 107, NULL, 7);
    struct flow *f = to_s(TCP_ACK, 107, 508, NULL, 8);
    assert_int_equal(f->tcp_state, TCPS_CLOSED);
    flow_table_expire(&T.ft, 8 + 11 * SEC);       /* past the closed linger */
    assert_int_equal(T.nended, 1);
    assert_int_equal(T.ended[0].end, FLOW_END_fin);
    assert_true(T.ended[0].client_is_c);
    assert_int_equal(T.ended[0].pkts[DIR_TOSERVER], 5);
    assert_int_equal(T.ended[0].pkts[DIR_TOCLIENT], 3);
    assert_string_equal(T.out[DIR_TOSERVER], "GET /");
    assert_string_equal(T.out[DIR_TOCLIENT], "200 OK");
}

static void test_synack_first_and_reset_by_server(void **state)
{
    (void)state;
    /* the SYN was missed: the SYN/ACK's receiver is the client */
    to_c(TCP_SYN | TCP_ACK, 500, 101, NULL, 1);
    to_s(TCP_ACK, 101, 501, NULL, 2);
    to_c(TCP_RST | TCP_ACK, 501, 101, NULL, 3);
    flow_table_finish(&T.ft);
    assert_int_equal(T.nended, 1);
    assert_true(T.ended[0].client_is_c);
    assert_int_equal(T.ended[0].end, FLOW_END_rst);
    assert_int_equal(T.ended[0].rst_by, 1 + DIR_TOCLIENT);
    setup(NULL);
}

static void test_port_reuse_starts_new_flow(void **state)
{
    (void)state;
    handshake();
    to_s(TCP_RST, 101, 0, NULL, 4);
    to_s(TCP_SYN, 9000, 0, NULL, 5);               /* a new connection, new ISN */
    assert_int_equal(T.nended, 1);
    assert_int_equal(T.ended[0].end, FLOW_END_rst);
    assert_int_equal(T.st.flow.port_reuse, 1);
    assert_int_equal(T.st.flow.created, 2);
}

static void test_idle_timeout_and_shutdown(void **state)
{
    (void)state;
    handshake();
    struct pkt u = mkpkt(C, 5000, S, 53, 0, 0, 0, NULL, 10);
    u.proto = IPPROTO_NUM_UDP;
    enum flow_dir dir;
    flow_table_packet(&T.ft, &u, &dir);
    flow_table_expire(&T.ft, 10 + 301ull * SEC);   /* UDP times out; TCP established doesn't */
    assert_int_equal(T.nended, 1);
    assert_int_equal(T.ended[0].end, FLOW_END_timeout);
    assert_int_equal(T.ended[0].id, 2);
    flow_table_finish(&T.ft);
    assert_int_equal(T.ended[1].end, FLOW_END_shutdown);
    setup(NULL);
}

static void test_memcap_evicts_least_recent(void **state)
{
    (void)state;
    flow_table_finish(&T.ft);
    struct flow_limits fl;
    struct stream_limits sl;
    flow_limits_default(&fl, &sl);
    fl.memcap = 2 * sizeof(struct flow);
    memset(&T, 0, sizeof T);
    flow_table_init(&T.ft, &fl, &sl, &T.st, on_end, on_deliver, NULL);
    for (uint16_t i = 0; i < 3; i++) {
        struct pkt p = mkpkt(C, (uint16_t)(1000 + i), S, SP, TCP_SYN, 1, 0, NULL, 10 + i);
        enum flow_dir dir;
        flow_table_packet(&T.ft, &p, &dir);
    }
    assert_int_equal(T.nended, 1);
    assert_int_equal(T.ended[0].id, 1);
    assert_int_equal(T.ended[0].end, FLOW_END_forced);
    assert_int_equal(T.st.flow.ended[FLOW_END_forced], 1);
}

static void test_out_of_order_and_retransmission(void **state)
{
    (void)state;
    handshake();
    to_s(TCP_ACK, 107, 501, "world", 4);           /* ahead of a hole */
    assert_int_equal(T.outn[DIR_TOSERVER], 0);
    to_s(TCP_ACK, 101, 501, "hello ", 5);          /* fills it: both delivered in order */
    to_s(TCP_ACK, 101, 501, "hello ", 6);          /* plain retransmission */
    assert_string_equal(T.out[DIR_TOSERVER], "hello world");
    assert_int_equal(T.st.stream.segments_ooo, 1);
    assert_int_equal(T.st.stream.retransmissions, 1);
    assert_int_equal(T.st.stream.overlaps_differ, 0);
}

static void test_overlap_differs_first_copy_wins(void **state)
{
    (void)state;
    handshake();
    to_s(TCP_ACK, 106, 501, "ABCDE", 4);           /* queued */
    to_s(TCP_ACK, 104, 501, "xyZZZ", 5);           /* overlaps 106..108 with other bytes */
    to_s(TCP_ACK, 101, 501, "123", 6);
    assert_string_equal(T.out[DIR_TOSERVER], "123xyABCDE");
    to_s(TCP_ACK, 101, 501, "12X", 7);             /* a delivered byte re-sent differently */
    flow_table_finish(&T.ft);
    assert_int_equal(T.ended[0].overlaps_differ, 2);
    assert_int_equal(T.st.stream.overlaps_differ, 2);
    setup(NULL);
}

static void test_gap_when_acked_past_hole(void **state)
{
    (void)state;
    handshake();
    to_s(TCP_ACK, 101, 501, "abc", 4);
    to_s(TCP_ACK, 110, 501, "xyz", 5);             /* 104..109 never captured */
    to_c(TCP_ACK, 501, 113, NULL, 6);              /* ... but the server got them */
    assert_string_equal(T.out[DIR_TOSERVER], "abc######xyz");
    assert_int_equal(T.st.stream.gaps, 1);
    assert_int_equal(T.st.stream.gap_bytes, 6);
}

static void test_gap_at_end_and_ooo_cap(void **state)
{
    (void)state;
    handshake();
    to_s(TCP_ACK, 111, 501, "later", 4);           /* hole of 10 never filled */
    flow_table_finish(&T.ft);
    assert_string_equal(T.out[DIR_TOSERVER], "##########later");
    setup(NULL);

    handshake();                                    /* the cap is 64 bytes out of order */
    char big[61];
    memset(big, 'b', 60);
    big[60] = 0;
    to_s(TCP_ACK, 102, 501, big, 4);
    to_s(TCP_ACK, 162, 501, "cdefg", 5);           /* 65 held: over the cap, gap forced */
    assert_int_equal(T.st.stream.ooo_cap, 1);
    assert_int_equal(T.outn[DIR_TOSERVER], 66);
    assert_int_equal(T.out[DIR_TOSERVER][0], '#');
}

static void test_midstream_and_depth(void **state)
{
    (void)state;
    to_s(TCP_ACK | TCP_PSH, 7000, 9000, "PRIVMSG #c :hi\r\n", 1);
    struct flow *f = to_c(TCP_ACK, 9000, 7016, "PING :x\r\n", 2);
    assert_true(f->midstream);
    assert_int_equal(f->tcp_state, TCPS_ESTABLISHED);
    assert_string_equal(T.out[DIR_TOSERVER], "PRIVMSG #c :hi\r\n");
    assert_string_equal(T.out[DIR_TOCLIENT], "PING :x\r\n");

    static char chunk[1001];
    memset(chunk, 'd', 1000);
    uint32_t seq = 7016;
    for (int i = 0; i < 5; i++, seq += 1000)
        to_s(TCP_ACK, seq, 9009, chunk, 3 + (uint64_t)i);
    assert_int_equal(f->half[DIR_TOSERVER].delivered, 4096);   /* the depth */
    assert_int_equal(T.st.stream.depth_reached, 1);
    assert_int_equal(T.st.stream.depth_bytes, 16 + 5000 - 4096);
}

static void test_acked_bytes_are_not_evasion_and_window_goes(void **state)
{
    (void)state;
    handshake();
    struct flow *f = to_s(TCP_ACK, 101, 501, "abcdef", 4);
    to_c(TCP_ACK, 501, 104, NULL, 5);              /* server has "abc" */
    to_s(TCP_ACK, 101, 501, "XYZdeQ", 6);          /* differs in acked and unacked bytes */
    assert_int_equal(T.st.stream.overlaps_differ, 1);
    assert_non_null(f->half[DIR_TOSERVER].ring);
    to_c(TCP_ACK, 501, 107, NULL, 7);              /* all acked: the window goes back */
    assert_null(f->half[DIR_TOSERVER].ring);
    to_s(TCP_ACK, 101, 501, "XYZXYZ", 8);          /* differs, but nobody takes it */
    assert_int_equal(T.st.stream.overlaps_differ, 1);
    assert_int_equal(T.st.stream.overlaps_unchecked, 0);
    to_s(TCP_ACK, 107, 501, "gh", 9);              /* more data: a window again */
    assert_non_null(f->half[DIR_TOSERVER].ring);
    to_s(TCP_ACK, 107, 501, "gX", 10);             /* not acked yet and different: counted */
    assert_int_equal(T.st.stream.overlaps_differ, 2);
    to_s(TCP_FIN | TCP_ACK, 109, 501, NULL, 11);
    to_c(TCP_ACK, 501, 109, NULL, 12);             /* all data acked, the FIN not yet */
    assert_null(f->half[DIR_TOSERVER].ring);
    to_c(TCP_ACK, 501, 110, NULL, 13);             /* the FIN is acknowledged */
    assert_null(f->half[DIR_TOSERVER].ring);
    assert_string_equal(T.out[DIR_TOSERVER], "abcdefgh");
}

static void test_segment_far_from_stream_is_bogus(void **state)
{
    (void)state;
    handshake();
    to_s(TCP_ACK, 101, 501, "ok", 4);
    to_s(TCP_ACK, 103u + 0x80000000u, 501, "far", 5);  /* exactly 2^31 away (was UB) */
    to_s(TCP_ACK, 103u - 0x50000000u, 501, "old", 6);
    to_s(TCP_ACK, 103u + 0x50000000u, 501, "new", 7);
    assert_int_equal(T.st.stream.bogus_seq, 3);
    assert_string_equal(T.out[DIR_TOSERVER], "ok");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fins_both_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(test_synack_first_and_reset_by_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_reuse_starts_new_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_timeout_and_shutdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memcap_evicts_least_recent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order_and_retransmission, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap_differs_first_copy_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_when_acked_past_hole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_at_end_and_ooo_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_midstream_and_depth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segment_far_from_stream_is_bogus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acked_bytes_are_not_evasion_and_window_goes, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("flow", tests, NULL, NULL);
}
