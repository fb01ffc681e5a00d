/* SPDX-License-Identifier: MIT
 * Unit tests for logs/pix.c and logs/syslog.c: every supported message id, the third seed's
 * exact lines, syslog headers and times, and the pairing rules of logs/logs.c seen through
 * its EVE output. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "logs/logs.h"

/* The third seed's lines (seeds/004_0e155bc2eb53c766.txt), joined where the mail wrapped. */
static const char seed_302014[] =
    "Mar 5 11:39:58 utc-pix %PIX-6-302014: Teardown TCP connection 136320387 for "
    "outside:207.44.216.71/44356 to inside:172.28.220.181/1182 duration 0:02:01 bytes 0 SYN "
    "Timeout";
static const char seed_305010[] =
    "Mar 5 12:38:02 utc-pix %PIX-6-305010: Teardown dynamic translation from "
    "inside:172.28.220.181 to outside:aaa.bbb.ccc.ddd duration 67:30:25";

struct parsed {
    enum bw_status st;
    enum log_bad why;
    struct syslog_hdr h;
    struct log_rec r;
};

static struct parsed parse(const char *line)
{
    struct parsed p;
    memset(&p, 0, sizeof p);
    p.st = syslog_split((const uint8_t *)line, strlen(line), &p.h, &p.why);
    if (p.st != BW_OK)
        return p;
    if (pix_is_message(p.h.msg.p, p.h.msg.len))
        p.st = pix_parse(p.h.msg.p, p.h.msg.len, &p.r, &p.why);
    else
        p.st = nf_parse(p.h.msg.p, p.h.msg.len, &p.r, &p.why);
    return p;
}

static bool bytes_eq(struct bytes b, const char *s)
{
    return b.len == strlen(s) && memcmp(b.p, s, b.len) == 0;
}

static void assert_ip4(const struct log_endpoint *ep, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    assert_int_equal(ep->family, 4);
    assert_int_equal(ep->a[0], a);
    assert_int_equal(ep->a[1], b);
    assert_int_equal(ep->a[2], c);
    assert_int_equal(ep->a[3], d);
}

static void test_seed_302014(void **state)
{
    (void)state;
    struct parsed p = parse(seed_302014);
    assert_int_equal(p.st, BW_OK);
    assert_true(p.h.has_time);
    assert_false(p.h.has_year);
    assert_int_equal(p.h.mon, 3);
    assert_int_equal(p.h.mday, 5);
    assert_int_equal(p.h.hour, 11);
    assert_true(bytes_eq(p.h.host, "utc-pix"));
    assert_int_equal(p.r.vendor, 'P');
    assert_int_equal(p.r.msgid, 302014);
    assert_int_equal(p.r.level, 6);
    assert_int_equal(p.r.kind, LR_CONN_TEARDOWN);
    assert_int_equal(p.r.ip_proto, 6);
    assert_int_equal(p.r.conn_id, 136320387);
    assert_true(bytes_eq(p.r.ep[0].iface, "outside"));
    assert_ip4(&p.r.ep[0], 207, 44, 216, 71);
    assert_int_equal(p.r.ep[0].port, 44356);
    assert_true(bytes_eq(p.r.ep[1].iface, "inside"));
    assert_ip4(&p.r.ep[1], 172, 28, 220, 181);
    assert_int_equal(p.r.ep[1].port, 1182);
    assert_int_equal(p.r.duration_s, 121);
    assert_int_equal(p.r.bytes, 0);
    assert_true(bytes_eq(p.r.reason, "SYN Timeout"));
}

static void test_seed_305010(void **state)
{
    (void)state;
    struct parsed p = parse(seed_305010);
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.msgid, 305010);
    assert_int_equal(p.r.kind, LR_XLATE_TEARDOWN);
    assert_ip4(&p.r.ep[0], 172, 28, 220, 181);
    assert_false(p.r.ep[0].has_port);
    assert_int_equal(p.r.ep[1].family, 0);          /* the author hid it */
    assert_true(bytes_eq(p.r.ep[1].addr_text, "aaa.bbb.ccc.ddd"));
    assert_int_equal(p.r.duration_s, 67 * 3600 + 30 * 60 + 25);
}

static void test_302013_outbound_mapped(void **state)
{
    (void)state;
    struct parsed p = parse("<191>Aug  1 14:01:20 abc-asa1: %ASA-6-302013: Built outbound TCP "
                            "connection 906569140 for out-v1101:10.125.126.86/2010 "
                            "(10.125.126.86/2010) to ent-v1124:100.100.100.111/51444 "
                            "(10.125.1.11/37785)");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.h.mday, 1);
    assert_true(bytes_eq(p.h.host, "abc-asa1"));
    assert_int_equal(p.r.kind, LR_CONN_BUILT);
    assert_int_equal(p.r.dir, 1);
    assert_int_equal(p.r.conn_id, 906569140);
    assert_true(bytes_eq(p.r.ep[0].iface, "out-v1101"));
    assert_int_equal(p.r.ep[0].port, 2010);
    assert_ip4(&p.r.ep[1], 100, 100, 100, 111);
    assert_true(p.r.ep[1].has_mapped);
    assert_int_equal(p.r.ep[1].ma[3], 11);
    assert_int_equal(p.r.ep[1].mport, 37785);
}

static void test_302013_inbound_users_ipv6(void **state)
{
    (void)state;
    struct parsed p = parse("Jan 13 2021 19:12:37: %ASA-5-302013: Built inbound TCP connection "
                            "195207391 for OUTSIDE:175.16.199.1/12312 (81.2.69.193/34534)"
                            "(LOCAL\\USER001) to OUTSIDE:67.43.156.15/443 (67.43.156.15/443) "
                            "(USER001)");
    assert_int_equal(p.st, BW_OK);
    assert_true(p.h.has_year);
    assert_int_equal(p.h.year, 2021);
    assert_int_equal(p.r.dir, -1);
    assert_int_equal(p.r.ep[0].mport, 34534);
    assert_int_equal(p.r.ep[1].port, 443);
    p = parse("Jan 15 2021 19:12:37: %ASA-6-302013: Built inbound TCP connection 251933191 for "
              "OUTSIDE:2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6/62477 "
              "(2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6/62477) to OUTSIDE:2001:db8::1/443 "
              "(2001:db8::1/443) (soc@example.com)");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.ep[0].family, 6);
    assert_int_equal(p.r.ep[0].a[0], 0x2a);
    assert_int_equal(p.r.ep[0].port, 62477);
    assert_int_equal(p.r.ep[1].family, 6);
    assert_int_equal(p.r.ep[1].a[15], 1);
}

static void test_302014_reasons(void **state)
{
    (void)state;
    static const struct { const char *tail, *reason; } t[] = {
        { "bytes 9610 TCP FINs from OUTSIDE (domain\\USER001)", "TCP FINs" },
        { "bytes 0 TCP Reset-I", "TCP Reset-I" },
        { "bytes 12 TCP Reset-O", "TCP Reset-O" },
        { "bytes 5 Idle Timeout", "Idle Timeout" },
        { "bytes 5", "" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char line[512];
        snprintf(line, sizeof line, "%%ASA-6-302014: Teardown TCP connection 7 for "
                 "outside:1.2.3.4/25 to inside:10.0.0.1/1025 duration 1:02:03 %s", t[i].tail);
        struct parsed p = parse(line);
        assert_int_equal(p.st, BW_OK);
        assert_int_equal(p.r.duration_s, 3723);
        assert_true(bytes_eq(p.r.reason, t[i].reason));
    }
}

static void test_302015_302016(void **state)
{
    (void)state;
    struct parsed p = parse("Apr 29 2013 12:59:50: %ASA-6-302015: Built outbound UDP connection "
                            "89743275 for outside:192.168.2.222/53 (192.168.2.43/53) to "
                            "outside:10.123.1.35/52925 (10.123.1.35/25882)");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.ip_proto, 17);
    assert_int_equal(p.r.kind, LR_CONN_BUILT);
    assert_int_equal(p.r.conn_id, 89743275);
    /* bare user names between the sockets, and no colon after the message id */
    p = parse("Apr 29 2013 12:59:50: %ASA-6-302016: Teardown UDP connection 666 for "
              "outside:192.168.2.222/53 user1 to inside:10.123.1.35/52925 user2 duration "
              "10:00:00 bytes 9999999");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.kind, LR_CONN_TEARDOWN);
    assert_int_equal(p.r.duration_s, 36000);
    assert_int_equal(p.r.bytes, 9999999);
    p = parse("Aug 15 2012 23:30:09 : %ASA-6-302016 Teardown UDP connection 40 for "
              "outside:10.44.4.4/500 to inside:10.44.2.2/500 duration 0:02:02 bytes 1416");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.bytes, 1416);
}

static void test_305011_305012(void **state)
{
    (void)state;
    struct parsed p = parse("Apr 29 2013 12:59:50: %ASA-6-305011: Built dynamic TCP translation "
                            "from inside:192.168.3.42/4954 to outside:192.168.0.130/10879");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.kind, LR_XLATE_BUILT);
    assert_int_equal(p.r.ip_proto, 6);
    assert_int_equal(p.r.ep[0].port, 4954);
    assert_int_equal(p.r.ep[1].port, 10879);
    p = parse("Jan 15 2021 19:12:37: %ASA-6-305012: Teardown dynamic TCP translation from "
              "OUTSIDE:67.43.156.15/50120(LOCAL\\domain\\USER001) to OUTSIDE:67.43.156.13/50120 "
              "duration 0:02:05");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.kind, LR_XLATE_TEARDOWN);
    assert_int_equal(p.r.duration_s, 125);
    p = parse("%ASA-6-305009: Built static translation from inside:10.1.1.1 to "
              "outside:192.0.2.1");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.kind, LR_XLATE_BUILT);
}

static void test_denies(void **state)
{
    (void)state;
    struct parsed p = parse("ASA-2-106001: Inbound TCP connection denied from 192.168.2.2/43803 "
                            "to 10.10.10.10/14322 flags SYN on interface out111");
    assert_int_equal(p.st, BW_OK);
    assert_false(p.h.has_time);
    assert_int_equal(p.r.kind, LR_DENY);
    assert_int_equal(p.r.tcp_flags, 0x02);
    assert_int_equal(p.r.ep[1].port, 14322);
    assert_true(bytes_eq(p.r.ep[1].iface, "out111"));

    p = parse("Apr 30 2013 09:23:02: %ASA-2-106006: Deny inbound UDP from 192.168.2.66/137 to "
              "10.1.2.42/137 on interface inside");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.ip_proto, 17);
    assert_int_equal(p.r.ep[0].port, 137);

    p = parse("Dec 11 2018 08:01:38 <IP>: %ASA-6-106015: Deny TCP (no connection) from "
              "192.168.2.222/1234 to 192.168.1.34/5679 flags RST ACK  on interface outside");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.tcp_flags, 0x14);
    assert_true(bytes_eq(p.r.ep[0].iface, "outside"));

    p = parse("Sep 12 2014 06:53:01 GIFRCHN01 : %ASA-4-106023: Deny tcp src "
              "outside:192.168.2.95/24069 dst inside:10.32.112.125/25 by access-group "
              "\"PERMIT_IN\" [0x0, 0x0]");
    assert_int_equal(p.st, BW_OK);
    assert_true(bytes_eq(p.h.host, "GIFRCHN01"));
    assert_int_equal(p.r.ep[1].port, 25);
    assert_true(bytes_eq(p.r.reason, "PERMIT_IN"));
    p = parse("%ASA-4-106023: Deny icmp src outside:198.51.100.1 dst inside:10.0.0.1 (type 8, "
              "code 0) by access-group \"out\" [0x0, 0x0]");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.ip_proto, 1);
    assert_false(p.r.ep[1].has_port);

    p = parse("Apr 24 2013 16:00:28 INT-FW01 : %ASA-6-106100: access-list inside denied udp "
              "inside/172.29.2.101(1039) -> outside/192.168.2.10(53) hit-cnt 1 first hit "
              "[0xd820e56a, 0x0]");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.kind, LR_DENY);
    assert_int_equal(p.r.ep[0].port, 1039);
    assert_int_equal(p.r.ep[1].port, 53);
    p = parse("Apr 15 2014 09:34:34 EDT: %ASA-session-5-106100: access-list acl_in permitted tcp "
              "inside/10.1.2.16(2241) -> outside/192.168.0.89(2000) hit-cnt 144 300-second "
              "interval [0x71a87d94, 0x0]");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.kind, LR_ACL_PERMIT);
    assert_int_equal(p.r.hit_count, 144);
    assert_int_equal(p.h.host.len, 0);           /* "EDT" is a zone, not a host */

    p = parse("%ASA-3-710003: TCP access denied by ACL from 10.1.1.1/1234 to "
              "outside:10.2.2.2/23");
    assert_int_equal(p.st, BW_OK);
    assert_int_equal(p.r.kind, LR_DENY);
    assert_int_equal(p.r.ep[1].port, 23);
}

static void test_unsupported_and_malformed(void **state)
{
    (void)state;
    struct parsed p = parse("%ASA-6-110002: Failed to locate egress interface");
    assert_int_equal(p.st, BW_E_MALFORMED);
    assert_int_equal(p.why, LB_UNSUPPORTED_ID);
    p = parse("%ASA-6-302014: Teardown TCP connection 99 for outside:1.2.3.4/25 to");
    assert_int_equal(p.why, LB_MALFORMED);
    p = parse("%ASA-x-302014: Teardown");
    assert_int_equal(p.why, LB_BAD_MSGID);
    p = parse("Feb 30 10:00:00 fw %ASA-6-302014: x");
    assert_int_equal(p.why, LB_BAD_TIME);
}

/* Every prefix of every line is read without reading past it (ASan checks) and either
 * parses or is refused with a reason. */
static void test_every_prefix(void **state)
{
    (void)state;
    static const char *const lines[] = {
        seed_302014, seed_305010,
        "%ASA-6-302013: Built inbound TCP connection 1 for outside:1.2.3.4/5 (1.2.3.4/5)(LOCAL\\a b)"
        " to inside:10.0.0.1/80 (192.0.2.1/80) (u)",
        "%ASA-5-106100: access-list a denied tcp in/1.2.3.4(5) (u, s) -> out/5.6.7.8(9) hit-cnt 3 "
        "first hit [0x1, 0x2]",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        size_t n = strlen(lines[i]);
        for (size_t k = 0; k <= n; k++) {
            uint8_t *b = malloc(k ? k : 1);
            memcpy(b, lines[i], k);
            struct syslog_hdr h;
            struct log_rec r;
            enum log_bad why = LB_NONE;
            if (syslog_split(b, k, &h, &why) == BW_OK && pix_is_message(h.msg.p, h.msg.len)) {
                enum bw_status st = pix_parse(h.msg.p, h.msg.len, &r, &why);
                assert_true(st == BW_OK || why != LB_NONE);
            }
            free(b);
        }
    }
}

static void test_headers_and_clock(void **state)
{
    (void)state;
    struct logs_clock c;
    struct bw_diag d = { .msg = "" };
    assert_int_equal(logs_clock_init(&c, 2002, "UTC", &d), BW_OK);
    struct syslog_hdr h;
    enum log_bad why;
    uint64_t us;
    int off;
    /* year-less: Dec 31, then Jan 1 is the next year */
    syslog_split((const uint8_t *)"Dec 31 23:59:59 fw x", 20, &h, &why);
    assert_true(logs_clock_utc(&c, &h, &us, &off));
    assert_int_equal(us / 1000000, 1041379199);      /* 2002-12-31T23:59:59Z */
    syslog_split((const uint8_t *)"Jan  1 00:00:01 fw x", 20, &h, &why);
    assert_true(logs_clock_utc(&c, &h, &us, &off));
    assert_int_equal(us / 1000000, 1041379201);      /* 2003-01-01T00:00:01Z */
    /* a late December line after the new year belongs to the old year */
    syslog_split((const uint8_t *)"Dec 31 23:59:58 fw x", 20, &h, &why);
    assert_true(logs_clock_utc(&c, &h, &us, &off));
    assert_int_equal(us / 1000000, 1041379198);
    /* ISO 8601 with an offset, and a fraction */
    const char *iso = "<134>1 2003-03-05T12:38:02.250-05:00 fw %ASA-6-305010: x";
    assert_int_equal(syslog_split((const uint8_t *)iso, strlen(iso), &h, &why), BW_OK);
    assert_true(h.has_zone);
    assert_true(logs_clock_utc(&c, &h, &us, &off));
    assert_int_equal(us, 1046885882250000ull);       /* 17:38:02.25Z */
    assert_true(bytes_eq(h.host, "fw"));
    /* an IANA zone: New York is UTC-5 in March 2003 (before DST began on April 6) */
    struct logs_clock ny;
    assert_int_equal(logs_clock_init(&ny, 2003, "America/New_York", &d), BW_OK);
    syslog_split((const uint8_t *)"Mar  5 12:38:02 fw x", 20, &h, &why);
    assert_true(logs_clock_utc(&ny, &h, &us, &off));
    assert_int_equal(us / 1000000, 1046885882);
    assert_int_equal(off, -5 * 3600);
    syslog_split((const uint8_t *)"Jul  5 12:00:00 fw x", 20, &h, &why);
    assert_true(logs_clock_utc(&ny, &h, &us, &off));
    assert_int_equal(off, -4 * 3600);                /* summer time */
    assert_int_equal(logs_clock_init(&ny, 2003, "Nowhere/Special", &d), BW_E_SYNTAX);
    assert_int_equal(logs_clock_init(&ny, 2003, "../etc/passwd", &d), BW_E_SYNTAX);
    assert_int_equal(days_from_civil(1970, 1, 1), 0);
    assert_int_equal(days_from_civil(2000, 3, 1), 11017);
}

/* ---- pairing, through the driver's EVE output ---- */

static char *run_logs(const char *log, uint64_t conn_max)
{
    char in[] = "/tmp/bw-test-pix-XXXXXX", out[] = "/tmp/bw-test-eve-XXXXXX";
    int fd = mkstemp(in), fo = mkstemp(out);
    assert_true(fd >= 0 && fo >= 0);
    assert_int_equal(write(fd, log, strlen(log)), (ssize_t)strlen(log));
    close(fd);
    close(fo);
    struct logs_config cfg;
    logs_config_default(&cfg);
    cfg.year = 2003;
    cfg.quiet = true;
    cfg.eve_path = out;
    cfg.conn_max = conn_max;
    char *files[] = { in };
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    int rc = logs_main(&cfg, files, 1);
    fclose(stderr);
    stderr = saved;
    assert_int_equal(rc, 0);
    FILE *f = fopen(out, "r");
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    unlink(in);
    unlink(out);
    return buf;
}

static void test_pairing(void **state)
{
    (void)state;
    const char *log =
        "Mar 4 16:04:00 fw %PIX-6-302013: Built outbound TCP connection 10 for outside:"
        "64.12.137.249/25 (64.12.137.249/25) to inside:172.28.220.181/3001 (192.0.2.1/3001)\n"
        "Mar 4 16:04:06 fw %PIX-6-302014: Teardown TCP connection 10 for outside:"
        "64.12.137.249/25 to inside:172.28.220.181/3001 duration 0:00:06 bytes 900 TCP Reset-I\n"
        "Mar 4 16:05:00 fw %PIX-6-302013: Built inbound TCP connection 11 for outside:"
        "207.44.216.71/44000 (207.44.216.71/44000) to inside:172.28.220.181/1182 (192.0.2.1/1182)\n"
        "Mar 4 16:05:02 fw %PIX-6-302014: Teardown TCP connection 11 for outside:"
        "207.44.216.71/44000 to inside:172.28.220.181/1182 duration 0:00:02 bytes 0 TCP Reset-I\n";
    char *eve = run_logs(log, 16);
    /* outbound, reset from inside = by the initiator */
    assert_non_null(strstr(eve, "\"flow_id\":1,\"event_type\":\"flow\",\"src_ip\":\"172.28.220.181\""));
    assert_non_null(strstr(eve, "\"reason\":\"rst\",\"rst_by\":\"client\",\"answered\":true,"
                                "\"accepted\":true,\"firewall_reason\":\"TCP Reset-I\""));
    /* inbound, reset from inside = by the responder, nothing sent: refused */
    assert_non_null(strstr(eve, "\"rst_by\":\"server\",\"answered\":true,\"accepted\":false"));
}

static void test_orphan_open_deny(void **state)
{
    (void)state;
    char log[2048];
    snprintf(log, sizeof log, "%s\n%s\n%s\n%s\n", seed_302014,
             "Mar 5 11:40:00 fw %PIX-6-302013: Built inbound TCP connection 12 for outside:"
             "66.98.130.4/45001 (66.98.130.4/45001) to inside:172.28.220.181/1182 (1.2.3.4/1182)",
             "Mar 5 11:41:00 fw %PIX-2-106001: Inbound TCP connection denied from "
             "198.51.100.9/5000 to 172.28.220.181/445 flags SYN on interface outside",
             "Mar 5 11:42:00 fw %PIX-6-106015: Deny TCP (no connection) from 198.51.100.9/5000 "
             "to 172.28.220.181/445 flags RST  on interface outside");
    char *eve = run_logs(log, 16);
    /* the teardown without its built: start = end - duration, the lower port serves */
    assert_non_null(strstr(eve, "\"src_ip\":\"207.44.216.71\",\"src_port\":44356,"
                                "\"dest_ip\":\"172.28.220.181\",\"dest_port\":1182"));
    assert_non_null(strstr(eve, "\"start\":\"2003-03-05T11:37:57.000000+0000\""));
    assert_non_null(strstr(eve, "\"reason\":\"timeout\",\"answered\":false,\"accepted\":false,"
                                "\"firewall_reason\":\"SYN Timeout\""));
    /* the deny is a failed attempt; the RST without a connection is not */
    assert_non_null(strstr(eve, "\"dest_port\":445"));
    assert_non_null(strstr(eve, "\"firewall_reason\":\"denied\""));
    assert_null(strstr(strstr(eve, "\"dest_port\":445") + 1, "\"dest_port\":445"));
    /* built, never torn down: open at the end of the log */
    assert_non_null(strstr(eve, "\"reason\":\"shutdown\""));
}

/* Connection ids are per firewall: the same id from two hosts is two connections. */
static void test_two_firewalls(void **state)
{
    (void)state;
    const char *log =
        "Mar 4 10:00:00 fw-a %ASA-6-302013: Built outbound TCP connection 10 for outside:"
        "1.1.1.1/25 (1.1.1.1/25) to inside:10.0.0.1/3000 (2.2.2.2/3000)\n"
        "Mar 4 10:00:01 fw-b %ASA-6-302013: Built outbound TCP connection 10 for outside:"
        "3.3.3.3/80 (3.3.3.3/80) to inside:10.9.0.1/4000 (4.4.4.4/4000)\n"
        "Mar 4 10:00:05 fw-a %ASA-6-302014: Teardown TCP connection 10 for outside:"
        "1.1.1.1/25 to inside:10.0.0.1/3000 duration 0:00:05 bytes 10 TCP FINs\n"
        "Mar 4 10:02:01 fw-b %ASA-6-302014: Teardown TCP connection 10 for outside:"
        "3.3.3.3/80 to inside:10.9.0.1/4000 duration 0:02:00 bytes 0 SYN Timeout\n";
    char *eve = run_logs(log, 16);
    assert_non_null(strstr(eve, "\"flow_id\":1,\"event_type\":\"flow\",\"src_ip\":\"10.0.0.1\""));
    assert_non_null(strstr(eve, "\"flow_id\":2,\"event_type\":\"flow\",\"src_ip\":\"10.9.0.1\""));
    assert_non_null(strstr(eve, "\"start\":\"2003-03-04T10:00:01.000000+0000\""));
    assert_null(strstr(eve, "\"reason\":\"shutdown\""));      /* both paired */
}

static void test_eviction(void **state)
{
    (void)state;
    char log[8192] = "";
    for (int i = 0; i < 8; i++) {
        char l[256];
        snprintf(l, sizeof l, "Mar 5 11:40:%02d fw %%PIX-6-302013: Built outbound TCP connection "
                 "%d for outside:1.1.1.1/80 (1.1.1.1/80) to inside:10.0.0.1/%d (2.2.2.2/%d)\n",
                 i, 100 + i, 2000 + i, 2000 + i);
        strcat(log, l);
    }
    char *eve = run_logs(log, 2);       /* room for two: six evicted, two open at the end */
    unsigned forced = 0, open = 0;
    for (char *q = eve; (q = strstr(q, "\"reason\":\"forced\"")) != NULL; q++)
        forced++;
    for (char *q = eve; (q = strstr(q, "\"reason\":\"shutdown\"")) != NULL; q++)
        open++;
    assert_int_equal(forced, 6);
    assert_int_equal(open, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_302014),
        cmocka_unit_test(test_seed_305010),
        cmocka_unit_test(test_302013_outbound_mapped),
        cmocka_unit_test(test_302013_inbound_users_ipv6),
        cmocka_unit_test(test_302014_reasons),
        cmocka_unit_test(test_302015_302016),
        cmocka_unit_test(test_305011_305012),
        cmocka_unit_test(test_denies),
        cmocka_unit_test(test_unsupported_and_malformed),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_headers_and_clock),
        cmocka_unit_test(test_pairing),
        cmocka_unit_test(test_orphan_open_deny),
        cmocka_unit_test(test_two_firewalls),
        cmocka_unit_test(test_eviction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
