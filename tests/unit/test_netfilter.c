/* SPDX-License-Identifier: MIT
 * Unit tests for logs/netfilter.c: kernel LOG lines (IPv4, IPv6, TCP flags, UDP, ICMP with
 * a quoted packet), refusals, and what the driver infers from a SYN. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "logs/logs.h"

static const char syn_line[] =
    "Mar  4 16:04:06 gw kernel: [86400.123456] OUT-SMTP IN=eth1 OUT=eth0 "
    "MAC=00:16:3e:00:00:01:00:16:3e:00:00:02:08:00 SRC=172.28.220.181 DST=64.12.137.249 LEN=60 "
    "TOS=0x00 PREC=0x00 TTL=63 ID=54321 DF PROTO=TCP SPT=3001 DPT=25 WINDOW=29200 RES=0x00 SYN "
    "URGP=0";

static enum bw_status parse(const char *line, struct log_rec *r, enum log_bad *why)
{
    struct syslog_hdr h;
    if (syslog_split((const uint8_t *)line, strlen(line), &h, why) != BW_OK)
        return BW_E_MALFORMED;
    if (!nf_is_message(h.msg.p, h.msg.len)) {
        *why = LB_NOT_FIREWALL;
        return BW_E_MALFORMED;
    }
    return nf_parse(h.msg.p, h.msg.len, r, why);
}

static void test_tcp_syn(void **state)
{
    (void)state;
    struct log_rec r;
    enum log_bad why;
    assert_int_equal(parse(syn_line, &r, &why), BW_OK);
    assert_int_equal(r.kind, LR_PACKET);
    assert_int_equal(r.vendor, 'N');
    assert_int_equal(r.ip_proto, 6);
    assert_int_equal(r.ep[0].family, 4);
    assert_int_equal(r.ep[0].a[3], 181);
    assert_int_equal(r.ep[0].port, 3001);
    assert_int_equal(r.ep[1].a[0], 64);
    assert_int_equal(r.ep[1].port, 25);
    assert_int_equal(r.tcp_flags, 0x02);
    assert_int_equal(r.nf_len, 60);
    assert_int_equal(r.ep[0].iface.len, 4);          /* IN=eth1 */
    assert_memory_equal(r.ep[0].iface.p, "eth1", 4);
}

static void test_ack_udp_ipv6_icmp(void **state)
{
    (void)state;
    struct log_rec r;
    enum log_bad why;
    assert_int_equal(parse("kernel: IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=52 PROTO=TCP "
                           "SPT=80 DPT=5000 WINDOW=1 RES=0x00 ACK SYN URGP=0", &r, &why), BW_OK);
    assert_int_equal(r.tcp_flags, 0x12);
    assert_int_equal(parse("Jan  1 00:00:00 h kernel: DROP IN=eth0 OUT= SRC=2001:db8::1 "
                           "DST=2001:db8::2 LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=UDP SPT=5353 "
                           "DPT=53 LEN=40", &r, &why), BW_OK);
    assert_int_equal(r.ip_proto, 17);
    assert_int_equal(r.ep[0].family, 6);
    assert_int_equal(r.ep[1].port, 53);
    assert_int_equal(r.nf_len, 80);                  /* the IP length, not UDP's */
    /* an ICMP error quotes the packet it answers: its SRC/DST are not this packet's */
    assert_int_equal(parse("kernel: IN=eth0 OUT= SRC=192.0.2.1 DST=10.0.0.5 LEN=88 PROTO=ICMP "
                           "TYPE=3 CODE=3 [SRC=10.0.0.5 DST=192.0.2.1 LEN=60 PROTO=UDP SPT=1 "
                           "DPT=2 LEN=40 ] ", &r, &why), BW_OK);
    assert_int_equal(r.ip_proto, 1);
    assert_int_equal(r.ep[1].a[3], 5);
}

static void test_refused(void **state)
{
    (void)state;
    struct log_rec r;
    enum log_bad why;
    assert_int_equal(parse("kernel: IN=eth0 OUT= SRC=10.0.0.1 PROTO=TCP SPT=1 DPT=2", &r, &why),
                     BW_E_MALFORMED);
    assert_int_equal(why, LB_NF_MALFORMED);
    assert_int_equal(parse("kernel: IN=eth0 SRC=10.0.0.999 DST=10.0.0.2 PROTO=TCP SPT=1 DPT=2",
                           &r, &why), BW_E_MALFORMED);
    assert_int_equal(why, LB_BAD_ADDRESS);
    assert_int_equal(parse("kernel: IN=eth0 SRC=10.0.0.1 DST=10.0.0.2 PROTO=TCP SPT=1 DPT=99999",
                           &r, &why), BW_E_MALFORMED);
    assert_int_equal(parse("sshd[1]: Failed password for root", &r, &why), BW_E_MALFORMED);
    assert_int_equal(why, LB_NOT_FIREWALL);
    assert_false(nf_is_message((const uint8_t *)"LOGIN=root", 10));
}

static void test_every_prefix(void **state)
{
    (void)state;
    size_t n = strlen(syn_line);
    for (size_t k = 0; k <= n; k++) {
        uint8_t *b = malloc(k ? k : 1);
        memcpy(b, syn_line, k);
        struct log_rec r;
        enum log_bad why = LB_NONE;
        if (nf_is_message(b, k)) {
            enum bw_status st = nf_parse(b, k, &r, &why);
            assert_true(st == BW_OK || why != LB_NONE);
        }
        free(b);
    }
}

/* The driver: a SYN is one attempted connection, never answered; an ACK is nothing. */
static void test_driver_syn_attempts(void **state)
{
    (void)state;
    char in[] = "/tmp/bw-test-nf-XXXXXX", out[] = "/tmp/bw-test-nfeve-XXXXXX";
    int fd = mkstemp(in), fo = mkstemp(out);
    assert_true(fd >= 0 && fo >= 0);
    char log[2048];
    int n = snprintf(log, sizeof log, "%s\n%s\n", syn_line,
                     "Mar  4 16:04:07 gw kernel: IN=eth0 OUT=eth1 SRC=64.12.137.249 "
                     "DST=172.28.220.181 LEN=60 PROTO=TCP SPT=25 DPT=3001 ACK SYN URGP=0");
    assert_int_equal(write(fd, log, (size_t)n), n);
    close(fd);
    close(fo);
    struct logs_config cfg;
    logs_config_default(&cfg);
    cfg.year = 2003;
    cfg.quiet = true;
    cfg.eve_path = out;
    char *files[] = { in };
    assert_int_equal(logs_main(&cfg, files, 1), 0);
    FILE *f = fopen(out, "r");
    char buf[4096];
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = 0;
    fclose(f);
    unlink(in);
    unlink(out);
    assert_non_null(strstr(buf, "\"src_ip\":\"172.28.220.181\",\"src_port\":3001,"
                                "\"dest_ip\":\"64.12.137.249\",\"dest_port\":25"));
    assert_non_null(strstr(buf, "\"answered\":false,\"accepted\":false,"
                                "\"firewall_reason\":\"syn\""));
    assert_null(strstr(buf, "\"src_port\":25,"));     /* the SYN/ACK made no event */
}

/* UDP: packets are flows by 5-tuple; a logged reply makes it answered; 120 s idle ends it. */
static void test_driver_udp_flows(void **state)
{
    (void)state;
    char in[] = "/tmp/bw-test-nfu-XXXXXX", out[] = "/tmp/bw-test-nfueve-XXXXXX";
    int fd = mkstemp(in), fo = mkstemp(out);
    assert_true(fd >= 0 && fo >= 0);
    static const char log[] =
        "Mar  4 10:00:00 gw kernel: IN=eth1 OUT=eth0 SRC=10.0.0.5 DST=192.0.2.53 LEN=60 "
        "PROTO=UDP SPT=40000 DPT=53 LEN=40\n"
        "Mar  4 10:00:01 gw kernel: IN=eth0 OUT=eth1 SRC=192.0.2.53 DST=10.0.0.5 LEN=120 "
        "PROTO=UDP SPT=53 DPT=40000 LEN=100\n"
        "Mar  4 10:00:02 gw kernel: IN=eth1 OUT=eth0 SRC=10.0.0.5 DST=192.0.2.53 LEN=61 "
        "PROTO=UDP SPT=40000 DPT=53 LEN=41\n"
        "Mar  4 10:05:00 gw kernel: IN=eth1 OUT=eth0 SRC=10.0.0.5 DST=192.0.2.53 LEN=62 "
        "PROTO=UDP SPT=40000 DPT=53 LEN=42\n";
    assert_int_equal(write(fd, log, sizeof log - 1), (ssize_t)(sizeof log - 1));
    close(fd);
    close(fo);
    struct logs_config cfg;
    logs_config_default(&cfg);
    cfg.year = 2003;
    cfg.quiet = true;
    cfg.eve_path = out;
    char *files[] = { in };
    assert_int_equal(logs_main(&cfg, files, 1), 0);
    FILE *f = fopen(out, "r");
    char buf[4096];
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = 0;
    fclose(f);
    unlink(in);
    unlink(out);
    /* the first flow: two packets out, one back, answered; ended by the third packet's gap */
    assert_non_null(strstr(buf, "\"flow_id\":1,\"event_type\":\"flow\",\"src_ip\":\"10.0.0.5\","
                                "\"src_port\":40000,\"dest_ip\":\"192.0.2.53\",\"dest_port\":53"));
    assert_non_null(strstr(buf, "\"pkts_toserver\":2,\"pkts_toclient\":1,\"bytes_toserver\":121,"
                                "\"bytes_toclient\":120"));
    assert_non_null(strstr(buf, "\"answered\":true,\"accepted\":true,\"firewall_reason\":\"udp\""));
    /* the packet 298 s later is a second flow, with nothing back */
    assert_non_null(strstr(buf, "\"flow_id\":2,"));
    assert_non_null(strstr(buf, "\"pkts_toserver\":1,\"pkts_toclient\":0,\"bytes_toserver\":62"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_syn),
        cmocka_unit_test(test_ack_udp_ipv6_icmp),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_driver_syn_attempts),
        cmocka_unit_test(test_driver_udp_flows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
