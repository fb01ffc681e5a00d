/* SPDX-License-Identifier: MIT
 * Unit tests for src/rules: the parser (every header form, malformed rules and their
 * messages) and each option's matching, above all the depth/offset/distance/within
 * arithmetic, backtracking and pcre's R flag. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "flow/flow.h"
#include "rules/rules.h"

/* A rule set whose diagnostics go to a memory buffer. */
struct ctx {
    struct rules rs;
    char *msg;
    size_t msglen;
    FILE *mf;
    unsigned alerts;
    uint32_t last_sid;
};

static struct ctx *ctx_new(void)
{
    struct ctx *c = calloc(1, sizeof *c);
    c->mf = open_memstream(&c->msg, &c->msglen);
    rules_init(&c->rs, c->mf);
    return c;
}

static void ctx_free(struct ctx *c)
{
    rules_free(&c->rs);
    fclose(c->mf);
    free(c->msg);
    free(c);
}

static const char *msgs(struct ctx *c)
{
    fflush(c->mf);
    return c->msg ? c->msg : "";
}

static enum bw_status add(struct ctx *c, const char *line)
{
    return rules_parse_line(&c->rs, line, "t.rules", 7);
}

/* add() with the rule's "sid:1;" made unique: several rules of R() in one set (a gid:sid
 * given again replaces or is dropped, as in Snort and Suricata). */
static enum bw_status addu(struct ctx *c, const char *line)
{
    static unsigned next = 100000;
    char buf[1024];
    const char *at = strstr(line, " sid:1;)");
    assert_non_null(at);
    snprintf(buf, sizeof buf, "%.*s sid:%u;)", (int)(at - line), line, next++);
    return add(c, buf);
}

static const struct rule *last_rule(struct ctx *c)
{
    assert_true(c->rs.nrule > 0);
    return c->rs.rule[c->rs.nrule - 1];
}

/* Parses one rule that must load, and matches its payload options on buf. */
static bool pm(const char *rule, const char *buf, size_t base)
{
    struct ctx *c = ctx_new();
    enum bw_status st = add(c, rule);
    if (st != BW_OK)
        fprintf(stderr, "%s", msgs(c));
    assert_int_equal(st, BW_OK);
    bool ok = rules_match_payload(last_rule(c), (const uint8_t *)buf, strlen(buf), base);
    ctx_free(c);
    return ok;
}

#define R(opts) "alert tcp any any -> any any (" opts " sid:1;)"

static void on_alert(void *ctx, const struct rule_alert *a)
{
    struct ctx *c = ctx;
    c->alerts++;
    c->last_sid = a->r->sid;
}

/* A UDP packet from src:sp to dst:dp (IPv4 dotted or IPv6 text) through the rules. */
static unsigned udp(struct ctx *c, const char *src, uint16_t sp, const char *dst, uint16_t dp,
                    const char *payload)
{
    struct pkt p = { .proto = IPPROTO_NUM_UDP, .sport = sp, .dport = dp,
                     .payload = (const uint8_t *)payload, .payload_len = (uint32_t)strlen(payload) };
    p.family = strchr(src, ':') ? 6 : 4;
    assert_int_equal(inet_pton(p.family == 4 ? AF_INET : AF_INET6, src, p.src), 1);
    assert_int_equal(inet_pton(p.family == 4 ? AF_INET : AF_INET6, dst, p.dst), 1);
    unsigned before = c->alerts;
    rules_packet(&c->rs, NULL, DIR_TOSERVER, &p);
    return c->alerts - before;
}

static struct ctx *prepared(const char *const *lines)
{
    struct ctx *c = ctx_new();
    for (; *lines; lines++) {
        enum bw_status st = add(c, *lines);
        if (st != BW_OK)
            fprintf(stderr, "%s", msgs(c));
        assert_int_equal(st, BW_OK);
    }
    struct bw_diag d = { .msg = "" };
    assert_int_equal(rules_prepare(&c->rs, 1 << 20, on_alert, c, &d), BW_OK);
    return c;
}

/* ---- header ---- */

static void test_addresses(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "var NETS [192.168.0.0/16,![192.168.5.0/24,192.168.6.1]]",
        "alert udp $NETS any -> any any (msg:\"nested\"; sid:1;)",
        "alert udp 10.0.0.1 any -> [10.1.0.0/255.255.0.0,2001:db8::/32] any (sid:2;)",
        "alert udp !10.0.0.0/8 any -> 10.9.9.9 any (sid:3;)",
        NULL,
    };
    struct ctx *c = prepared(lines);
    assert_int_equal(udp(c, "192.168.1.1", 1, "1.1.1.1", 2, "x"), 1);
    assert_int_equal(udp(c, "192.168.5.9", 1, "1.1.1.1", 2, "x"), 0);   /* negated inside */
    assert_int_equal(udp(c, "192.168.6.1", 1, "1.1.1.1", 2, "x"), 0);
    assert_int_equal(udp(c, "192.168.6.2", 1, "1.1.1.1", 2, "x"), 1);
    assert_int_equal(udp(c, "10.0.0.1", 1, "10.1.200.3", 2, "x"), 1);   /* netmask form */
    assert_int_equal(udp(c, "10.0.0.1", 1, "10.2.0.3", 2, "x"), 0);
    assert_int_equal(udp(c, "11.0.0.1", 1, "10.9.9.9", 2, "x"), 1);
    assert_int_equal(udp(c, "10.0.0.2", 1, "10.9.9.9", 2, "x"), 0);
    ctx_free(c);
    static const char *const v6[] = {
        "alert udp 2001:db8::/32 any -> any any (sid:4;)", NULL,
    };
    c = prepared(v6);
    assert_int_equal(udp(c, "2001:db8::7", 1, "::1", 2, "x"), 1);
    assert_int_equal(udp(c, "::1", 1, "2001:db8::7", 2, "x"), 0);
    assert_int_equal(udp(c, "2001:db9::7", 1, "::1", 2, "x"), 0);
    ctx_free(c);
}

static void test_ports(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "portvar P [1000:1010,!1005]",
        "alert udp any !25:80 -> any $P (sid:1;)",
        "alert udp any :10 -> any 65000: (sid:2;)",
        "alert udp any [53,!53] -> any any (sid:3;)",
        NULL,
    };
    struct ctx *c = prepared(lines);
    assert_int_equal(udp(c, "1.1.1.1", 24, "2.2.2.2", 1000, "x"), 1);
    assert_int_equal(udp(c, "1.1.1.1", 25, "2.2.2.2", 1000, "x"), 0);   /* !25:80 */
    assert_int_equal(udp(c, "1.1.1.1", 80, "2.2.2.2", 1000, "x"), 0);
    assert_int_equal(udp(c, "1.1.1.1", 81, "2.2.2.2", 1010, "x"), 1);
    assert_int_equal(udp(c, "1.1.1.1", 81, "2.2.2.2", 1005, "x"), 0);
    assert_int_equal(udp(c, "1.1.1.1", 81, "2.2.2.2", 1011, "x"), 0);
    assert_int_equal(udp(c, "1.1.1.1", 10, "2.2.2.2", 65000, "x"), 1);
    assert_int_equal(udp(c, "1.1.1.1", 11, "2.2.2.2", 65535, "x"), 0);
    assert_int_equal(udp(c, "1.1.1.1", 53, "2.2.2.2", 1, "x"), 0);      /* [53,!53] */
    ctx_free(c);
}

static void test_direction_both(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "alert udp 1.1.1.1 any <> 2.2.2.2 53 (sid:1;)",
        "alert udp 1.1.1.1 any -> 2.2.2.2 53 (sid:2;)",
        NULL,
    };
    struct ctx *c = prepared(lines);
    assert_int_equal(udp(c, "1.1.1.1", 4000, "2.2.2.2", 53, "x"), 2);
    assert_int_equal(udp(c, "2.2.2.2", 53, "1.1.1.1", 4000, "x"), 1);
    assert_int_equal(c->last_sid, 1);
    ctx_free(c);
}

static void test_default_vars(void **state)
{
    (void)state;
    struct ctx *c = ctx_new();
    static const char *const names[] = { "HOME_NET", "EXTERNAL_NET", "HTTP_PORTS", "HTTP_SERVERS",
                                         "SMTP_SERVERS", "SQL_SERVERS", "DNS_SERVERS",
                                         "SSH_PORTS", "AIM_SERVERS", "SHELLCODE_PORTS",
                                         "ORACLE_PORTS", "FILE_DATA_PORTS", "TELNET_SERVERS" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_non_null(rules_get_var(&c->rs, names[i]));
    assert_int_equal(rules_set_var(&c->rs, "bad name", "1"), BW_E_SYNTAX);
    assert_int_equal(rules_set_var(&c->rs, "HOME_NET", "[10.77.0.0/24]"), BW_OK);
    assert_string_equal(rules_get_var(&c->rs, "HOME_NET"), "[10.77.0.0/24]");
    /* every default must parse where a rule uses it */
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char line[256];
        bool port = strstr(names[i], "PORTS") != NULL;
        snprintf(line, sizeof line, "alert tcp %s%s any -> any %s%s (sid:%zu;)",
                 port ? "" : "$", port ? "any" : names[i], port ? "$" : "",
                 port ? names[i] : "any", i + 1);
        assert_int_equal(add(c, line), BW_OK);
    }
    ctx_free(c);
}

/* ---- malformed rules: one error each, with file:line:col and a caret ---- */

static void expect_error(const char *line, const char *what, unsigned col)
{
    struct ctx *c = ctx_new();
    assert_int_equal(add(c, line), BW_E_SYNTAX);
    const char *m = msgs(c);
    if (!strstr(m, what)) {
        fprintf(stderr, "want '%s' in:\n%s", what, m);
        fail();
    }
    char pos[64];
    snprintf(pos, sizeof pos, "t.rules:7:%u: error:", col);
    if (!strstr(m, pos)) {
        fprintf(stderr, "want '%s' in:\n%s", pos, m);
        fail();
    }
    /* the caret line: col - 1 spaces after the two-space indent */
    const char *caret = strrchr(m, '^');
    assert_non_null(caret);
    const char *nl = caret;
    while (nl > m && nl[-1] != '\n')
        nl--;
    assert_int_equal((unsigned)(caret - nl), col + 1);
    assert_int_equal(c->rs.counts.errors, 1);
    assert_int_equal(c->rs.counts.loaded, 0);
    ctx_free(c);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_error("alrt tcp any any -> any any (sid:1;)", "unknown action 'alrt'", 1);
    expect_error("alert tpc any any -> any any (sid:1;)", "unknown protocol 'tpc'", 7);
    expect_error("alert tcp 10.0.0.300 any -> any any (sid:1;)", "bad address", 11);
    expect_error("alert tcp any 70000 -> any any (sid:1;)", "bad port '70000'", 15);
    expect_error("alert tcp any 90:80 -> any any (sid:1;)", "backwards", 15);
    expect_error("alert tcp any any => any any (sid:1;)", "direction must be", 19);
    expect_error("alert tcp $NOPE any -> any any (sid:1;)", "undefined variable $NOPE", 11);
    expect_error("alert tcp [1.1.1.1 any -> any any (sid:1;)", "unbalanced '['", 11);
    expect_error("alert tcp any any -> any any (msg:\"x\")", "option not ended by ';'", 31);
    expect_error("alert tcp any any -> any any (msg:\"x\";)", "rule has no sid", 1);
    expect_error("alert tcp any any -> any any", "rule has no options", 29);
    expect_error("alert tcp any any -> any any (content:\"|4G|\"; sid:1;)", "bad hex digit", 42);
    expect_error("alert tcp any any -> any any (depth:4; sid:1;)", "needs a content before it",
                 31);
    expect_error("alert tcp any any -> any any (content:\"abc\"; depth:2; sid:1;)",
                 "less than the content", 46);
    expect_error("alert tcp any any -> any any (content:\"a\"; within:1; depth:3; sid:1;)",
                 "depth cannot be mixed", 54);
    expect_error("alert tcp any any -> any any (pcre:\"/a(/\"; sid:1;)", "pcre:", 31);
    expect_error("alert tcp any any -> any any (pcre:\"/a/q\"; sid:1;)", "unknown pcre flag",
                 31);
    expect_error("alert tcp any any -> any any (flow:sideways; sid:1;)", "flow: unknown", 31);
    expect_error("alert tcp any any -> any any (dsize:<0; sid:1;)", "bad dsize", 31);
    expect_error("alert tcp any any -> any any (byte_test:4,~,1,0; sid:1;)",
                 "unknown operator", 31);
    expect_error("alert tcp any any -> any any (sid:0;)", "bad sid", 31);
    expect_error("alert tcp any any -> any any (classtype:nonsense; sid:1;)",
                 "unknown classtype", 31);
    expect_error("alert tcp any any -> any any (threshold:type limit, count 1; sid:1;)",
                 "threshold wants", 31);
    expect_error("alert tcp any any -> any any (stream_size:sideways,<,5; sid:1;)",
                 "stream_size: server, client, both or either", 31);
    expect_error("alert udp any any -> any any (stream_size:client,<,5; sid:1;)",
                 "stream_size on a udp rule", 1);
    expect_error("alert tcp any any -> any any (app-layer-protocol:gopher; sid:1;)",
                 "unknown protocol 'gopher'", 31);
}

static void test_unknown_keyword_skips(void **state)
{
    (void)state;
    struct ctx *c = ctx_new();
    assert_int_equal(add(c, "alert tcp any any -> any any (msg:\"x\"; frobnicate:3; sid:42;)"),
                     BW_E_LIMIT);
    assert_int_equal(add(c, "alert tcp any any -> any any (frobnicate; sid:43;)"), BW_E_LIMIT);
    assert_int_equal(add(c, "alert tcp any any -> any any (msg:\"y\"; sid:44;)"), BW_OK);
    assert_non_null(strstr(msgs(c), "t.rules:7: warning: sid 42: unsupported keyword "
                                    "'frobnicate': rule skipped"));
    assert_int_equal(c->rs.counts.loaded, 1);
    assert_int_equal(c->rs.counts.skipped, 2);
    assert_int_equal(c->rs.counts.errors, 0);
    char *out;
    size_t n;
    FILE *f = open_memstream(&out, &n);
    rules_print_summary(&c->rs, f);
    fclose(f);
    assert_string_equal(out, "skipped by keyword: frobnicate 2\n"
                             "rules: 1 loaded, 2 skipped, 0 errors\n");
    free(out);
    ctx_free(c);
}

static void test_options_parsed(void **state)
{
    (void)state;
    struct ctx *c = ctx_new();
    assert_int_equal(add(c, "drop tcp any any -> any any (msg:\"a \\\"q\\\" \\; b\"; "
                            "content:\"A|0d 0A|B\\|\"; nocase; offset:1; depth:9; "
                            "classtype:trojan-activity; gid:3; rev:7; priority:4; "
                            "reference:url,x; metadata:a b; sid:5;)"), BW_OK);
    const struct rule *r = last_rule(c);
    assert_string_equal(r->msg, "a \"q\" ; b");
    assert_int_equal(r->action, RA_DROP);
    assert_int_equal(r->gid, 3);
    assert_int_equal(r->rev, 7);
    assert_int_equal(r->priority, 4);
    assert_string_equal(r->class_desc, "A Network Trojan was detected");
    assert_int_equal(r->ops[0].len, 5);
    assert_memory_equal(r->ops[0].pat, "a\r\nb|", 5);     /* lowered by nocase */
    assert_int_equal(r->ops[0].offset, 1);
    assert_int_equal(r->ops[0].depth, 9);
    /* priority from the classtype when not given */
    assert_int_equal(add(c, "alert tcp any any -> any any (classtype:misc-activity; sid:6;)"),
                     BW_OK);
    assert_int_equal(last_rule(c)->priority, 3);
    /* a sticky buffer, a modifier, fast_pattern forms, the chosen fast pattern */
    assert_int_equal(add(c, "alert http any any -> any any (content:\"GET\"; http_method; "
                            "http.uri; content:\"/longer/path\"; fast_pattern:1,4; "
                            "content:\"zz\"; fast_pattern; sid:7;)"), BW_OK);
    r = last_rule(c);
    assert_int_equal(r->ops[0].buf, BUF_HTTP_METHOD);
    assert_int_equal(r->ops[1].buf, BUF_HTTP_URI);
    assert_int_equal(r->ops[1].fp_len, 4);
    assert_int_equal(r->fp, 1);
    assert_true(r->stream_mode);
    /* flowbits and thresholds */
    assert_int_equal(add(c, "alert tcp any any -> any any (flowbits:set,a.b; flowbits:isset,"
                            "x|y; flowbits:noalert; threshold:type both, track by_dst, count 3,"
                            " seconds 60; sid:8;)"), BW_OK);
    r = last_rule(c);
    assert_int_equal(r->nfb, 2);
    assert_true(r->fb[1].any);
    assert_int_equal(r->fb[1].n, 2);
    assert_true(r->noalert);
    assert_int_equal(r->th.type, TH_BOTH);
    assert_int_equal(r->th.count, 3);
    assert_int_equal(r->th.by_dst, 1);
    assert_int_equal(c->rs.nfb, 3);
    /* continuation lines are joined by the loader; comments and blank lines are nothing */
    assert_int_equal(add(c, "# alert tcp broken"), BW_OK);
    assert_int_equal(add(c, "   "), BW_OK);
    ctx_free(c);
}

/* the built-in classification table is etc/classification.config */
static void test_classification_file(void **state)
{
    (void)state;
    struct ctx *a = ctx_new(), *b = ctx_new();
    struct bw_diag d = { .msg = "" };
    rules_clear_classification(&b->rs);
    assert_int_equal(rules_load_classification(&b->rs, "etc/classification.config", &d), BW_OK);
    assert_int_equal(a->rs.ncls, b->rs.ncls);
    for (uint32_t i = 0; i < a->rs.ncls; i++) {
        assert_string_equal(a->rs.cls[i].name, b->rs.cls[i].name);
        assert_string_equal(a->rs.cls[i].desc, b->rs.cls[i].desc);
        assert_int_equal(a->rs.cls[i].priority, b->rs.cls[i].priority);
    }
    ctx_free(a);
    ctx_free(b);
}

/* ---- payload options ---- */

static void test_content_offsets(void **state)
{
    (void)state;
    /*           0123456789 */
    const char *b = "xxRCPT TO:<a@b>";
    assert_true(pm(R("content:\"RCPT TO\";"), b, 0));
    assert_false(pm(R("content:\"rcpt to\";"), b, 0));
    assert_true(pm(R("content:\"rcpt to\"; nocase;"), b, 0));
    assert_true(pm(R("content:\"RCPT\"; depth:6;"), b, 0));        /* ends at 6 */
    assert_false(pm(R("content:\"RCPT\"; depth:5;"), b, 0));
    assert_true(pm(R("content:\"RCPT\"; offset:2; depth:4;"), b, 0));
    assert_false(pm(R("content:\"RCPT\"; offset:3;"), b, 0));
    assert_true(pm(R("content:!\"MAIL\";"), b, 0));
    assert_false(pm(R("content:!\"RCPT\";"), b, 0));
    assert_true(pm(R("content:!\"RCPT\"; offset:5;"), b, 0));
    /* distance and within count from the end of the previous match */
    assert_true(pm(R("content:\"RCPT\"; content:\"TO\"; distance:1; within:2;"), b, 0));
    assert_false(pm(R("content:\"RCPT\"; content:\"TO\"; distance:2;"), b, 0));
    assert_false(pm(R("content:\"RCPT\"; content:\"TO\"; within:2;"), b, 0));
    assert_true(pm(R("content:\"RCPT\"; content:\"TO\"; within:3;"), b, 0));
    assert_true(pm(R("content:\"TO\"; content:\"RCPT\"; distance:-7; within:4;"), b, 0));
    assert_true(pm(R("content:\"RCPT\"; content:\"RCPT\"; distance:-4;"), b, 0));
    assert_false(pm(R("content:\"RCPT\"; content:\"RCPT\"; distance:0;"), b, 0));
    /* hex and escapes */
    assert_true(pm(R("content:\"|3a 3c|a|40|\";"), b, 0));
    assert_true(pm(R("content:\"|3A|\\;\";"), "x:;y", 0));
}

static void test_backtracking(void **state)
{
    (void)state;
    /* the first "a=" fails the within; the second must be tried */
    const char *b = "a=1xxxxxxxx; a=2;";
    assert_true(pm(R("content:\"a=\"; content:\";\"; within:2;"), b, 0));
    assert_false(pm(R("content:\"a=\"; content:\"!\"; within:2;"), b, 0));
    /* three levels */
    assert_true(pm(R("content:\"a\"; content:\"b\"; within:1; content:\"c\"; within:1;"),
                   "ab_abd_abc", 0));
}

/* Backtracking over a content skips its hits that cannot reach the next relative content's
 * next occurrence, or stops when there is none: the answers must stay those of trying
 * every hit. */
static void test_backtracking_skips(void **state)
{
    (void)state;
    const char *topic = R("content:\":\"; content:\" 332 \"; within:50;");
    /* many hits of ":" far before " 332 ": only the last one reaches it */
    assert_true(pm(topic, ":a :b :c :d :e :f :g :h :i :j :k :l :m :n :o :p :q :r :s :t :u "
                          ":v :w :x :y :z ........................................ :x 332 y",
                   0));
    /* " 332 " early, then many ":" that cannot reach another: the first hit matched */
    assert_true(pm(topic, ":x 332 y :a :b :c :d :e", 0));
    /* " 332 " only before every ":" after the first, which is too far from it */
    assert_false(pm(topic, ":................................................... 332 :a :b "
                           ":c :d", 0));
    /* none at all after the first window */
    assert_false(pm(topic, ":a :b :c :d :e :f :g 33 2 :h", 0));
    /* a second occurrence of the next content, reachable from a later hit only */
    assert_true(pm(topic, ":.................................................... 332 ......"
                          "............................................. : 332 ", 0));
    /* negative distance: the window starts before the hit's end */
    const char *back = R("content:\"AB\"; content:\"X\"; distance:-3; within:2;");
    assert_true(pm(back, "AB..AB..XAB", 0));      /* X then AB: "XAB" */
    assert_false(pm(back, "AB..AB..X..AB.", 0));
    /* three contents: the skip applies to each step */
    assert_true(pm(R("content:\"a\"; content:\"b\"; within:3; content:\"c\"; within:2;"),
                   "a..b.a.b.a..bxc.abc", 0));
    assert_false(pm(R("content:\"a\"; content:\"b\"; within:3; content:\"c\"; within:1;"),
                    "a..b.a.b.a..bxc.ab.c", 0));
}

static void test_pcre(void **state)
{
    (void)state;
    const char *b = "USER bob\r\nPASS 1234\r\n";
    assert_true(pm(R("pcre:\"/^PASS \\d+/m\";"), b, 0));
    assert_false(pm(R("pcre:\"/^PASS \\d+/\";"), b, 0));
    assert_true(pm(R("pcre:\"/pass/i\";"), b, 0));
    assert_false(pm(R("pcre:!\"/PASS/\";"), b, 0));
    /* R: relative to the end of the previous match, ^ anchored there */
    assert_true(pm(R("content:\"PASS \"; pcre:\"/^\\d{4}/R\";"), b, 0));
    assert_false(pm(R("content:\"USER \"; pcre:\"/^\\d{4}/R\";"), b, 0));
    assert_true(pm(R("content:\"USER \"; pcre:\"/\\d{4}/R\";"), b, 0));
    /* a content after a pcre is relative to the pcre's end */
    assert_true(pm(R("pcre:\"/PASS \\d/\"; content:\"234\"; within:3;"), b, 0));
    assert_false(pm(R("pcre:\"/PASS \\d/\"; content:\"1\"; within:3;"), b, 0));
}

static void test_byte_ops(void **state)
{
    (void)state;
    /* 00 05 'h' 'e' 'l' 'l' 'o' 'X' */
    static const char bin[] = "\x00\x05hello" "X";
    struct ctx *c = ctx_new();
    assert_int_equal(addu(c, R("byte_test:2,=,5,0;")), BW_OK);
    assert_true(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));
    assert_int_equal(addu(c, R("byte_test:2,>,5,0;")), BW_OK);
    assert_false(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));
    assert_int_equal(addu(c, R("byte_test:2,!=,5,0;")), BW_OK);  /* "!" then "=" */
    assert_false(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));
    assert_int_equal(addu(c, R("byte_test:2,=,0x0500,0,little;")), BW_OK);
    assert_true(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));
    assert_int_equal(addu(c, R("byte_test:1,&,4,1;")), BW_OK);
    assert_true(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));
    /* jump over the length-prefixed string to the X */
    assert_int_equal(addu(c, R("byte_jump:2,0; content:\"X\"; within:1;")), BW_OK);
    assert_true(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));
    assert_int_equal(addu(c, R("byte_jump:2,0; content:\"o\"; within:1;")), BW_OK);
    assert_false(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));
    /* reading past the end fails */
    assert_int_equal(addu(c, R("byte_test:4,=,0,6;")), BW_OK);
    assert_false(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));
    /* byte_extract: the length read once, used by distance, within, byte_test, isdataat */
    assert_int_equal(addu(c, R("byte_extract:2,0,len; content:\"X\"; distance:len; within:1;")),
                     BW_OK);
    assert_true(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));
    assert_int_equal(addu(c, R("byte_extract:2,0,len; content:\"o\"; distance:len; within:1;")),
                     BW_OK);
    assert_false(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));
    assert_int_equal(addu(c, R("byte_extract:1,1,n.len; byte_test:1,=,n.len,1; "
                              "isdataat:n.len,relative; isdataat:!6,relative;")), BW_OK);
    assert_true(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));
    assert_int_equal(addu(c, R("byte_extract:1,1,n,multiplier 2; content:\"X\"; offset:n;")),
                     BW_OK);
    assert_false(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));  /* 10 > 7 */
    assert_int_equal(addu(c, R("byte_extract:3,0,b3; byte_test:3,=,b3,0;")), BW_OK);
    assert_true(rules_match_payload(last_rule(c), (const uint8_t *)bin, 8, 0));
    ctx_free(c);
    c = ctx_new();
    assert_int_equal(addu(c, R("content:\"a\"; within:nope;")), BW_E_SYNTAX);
    assert_non_null(strstr(msgs(c), "'nope' is not a byte_extract variable of this rule"));
    assert_int_equal(addu(c, R("byte_extract:2,0,x; byte_extract:1,0,x;")), BW_E_SYNTAX);
    assert_non_null(strstr(msgs(c), "defined twice"));
    ctx_free(c);
    /* string numbers */
    assert_true(pm(R("content:\"len=\"; byte_test:3,>,99,0,relative,string,dec;"), "len=120;",
                   0));
    assert_false(pm(R("content:\"len=\"; byte_test:3,>,200,0,relative,string,dec;"),
                    "len=120;", 0));
    assert_true(pm(R("content:\"n=\"; byte_jump:1,0,relative,string,dec; content:\"Z\"; "
                     "within:1;"), "n=3abcZ", 0));
}

static void test_isdataat_dsize(void **state)
{
    (void)state;
    assert_true(pm(R("isdataat:4;"), "12345", 0));
    assert_false(pm(R("isdataat:5;"), "12345", 0));
    assert_true(pm(R("content:\"3\"; isdataat:!3,relative;"), "12345", 0));
    assert_false(pm(R("content:\"3\"; isdataat:1,relative; isdataat:!1,relative;"), "12345",
                    0));
    assert_true(pm(R("content:\"45\"; isdataat:!1,relative;"), "12345", 0));
    struct ctx *c = ctx_new();
    assert_int_equal(addu(c, R("dsize:3<>5;")), BW_OK);
    assert_true(last_rule(c)->dsize.lo == 3 && last_rule(c)->dsize.hi == 5);
    assert_int_equal(addu(c, R("dsize:>100;")), BW_OK);
    assert_true(last_rule(c)->dsize.lo == 101);
    assert_int_equal(addu(c, R("dsize:<2;")), BW_OK);
    assert_true(last_rule(c)->dsize.hi == 1);
    ctx_free(c);
}

/* In a stream window (tail before base) a match must end in the new bytes; anchored
 * positions (offset/depth) count from the packet's start. */
static void test_stream_window(void **state)
{
    (void)state;
    /* tail "xxRCPT", packet " TO:<a>" */
    const char *w = "xxRCPT TO:<a>";
    size_t base = 6;
    assert_false(pm(R("content:\"RCPT\";"), w, base));          /* all in old bytes */
    assert_true(pm(R("content:\"RCPT TO\";"), w, base));       /* split: matches once */
    assert_true(pm(R("content:\"TO\";"), w, base));
    assert_true(pm(R("content:\"TO\"; depth:3;"), w, base));    /* " TO" at packet start */
    assert_false(pm(R("content:\"RCPT\"; depth:6;"), w, base)); /* anchored: packet only */
    assert_true(pm(R("content:\"RCPT\"; content:\"TO\"; distance:0;"), w, base));
}

/* A stream's state lives on its flow: a content split across chunks matches; once the
 * direction has delivered everything up to its FIN the tail is freed (nothing more can
 * follow it), and the flow's end frees the rest. */
static void test_stream_state_on_flow(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "alert tcp any any -> any any (flow:to_server; content:\"RCPT TO\"; sid:1;)",
        NULL,
    };
    struct ctx *c = prepared(lines);
    struct flow f;
    memset(&f, 0, sizeof f);
    f.key.proto = IPPROTO_NUM_TCP;
    f.key.family = 4;
    f.key.port[0] = 40000;
    f.key.port[1] = 25;
    rules_stream(&c->rs, &f, DIR_TOSERVER, 1, (const uint8_t *)"xxRCPT", 6);
    assert_int_equal(c->alerts, 0);
    assert_non_null(f.rules_state);
    rules_stream(&c->rs, &f, DIR_TOSERVER, 2, (const uint8_t *)" TO:<a>", 7);
    assert_int_equal(c->alerts, 1);
    rules_stream(&c->rs, &f, DIR_TOSERVER, 3, (const uint8_t *)"xxRCPT", 6);
    rules_flow_close(&c->rs, &f);            /* no FIN yet: the tail stays */
    rules_stream(&c->rs, &f, DIR_TOSERVER, 4, (const uint8_t *)" TO:<b>", 7);
    assert_int_equal(c->alerts, 2);
    rules_stream(&c->rs, &f, DIR_TOSERVER, 5, (const uint8_t *)"xxRCPT", 6);
    f.half[DIR_TOSERVER].fin_seen = true;    /* everything up to the FIN delivered */
    f.half[DIR_TOSERVER].next_seq = f.half[DIR_TOSERVER].fin_seq = 1000;
    rules_flow_close(&c->rs, &f);
    assert_non_null(f.rules_state);          /* flowbits would live on */
    rules_stream(&c->rs, &f, DIR_TOSERVER, 6, (const uint8_t *)" TO:<c>", 7);
    assert_int_equal(c->alerts, 2);          /* the tail before the FIN is gone */
    rules_flow_end(&c->rs, &f);
    assert_null(f.rules_state);
    rules_flow_end(&c->rs, &f);              /* nothing left: harmless */
    ctx_free(c);
}

static void test_packet_flow_and_flowbits(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "alert udp any any -> any any (content:\"login\"; flowbits:set,seen; flowbits:noalert;"
        " sid:1;)",
        "alert udp any any -> any any (content:\"cmd\"; flowbits:isset,seen; sid:2;)",
        "alert udp any any -> any any (content:\"cmd\"; flowbits:isnotset,seen; sid:3;)",
        NULL,
    };
    struct ctx *c = prepared(lines);
    /* no flow: flowbits are never set, so isnotset holds */
    assert_int_equal(udp(c, "1.1.1.1", 1, "2.2.2.2", 2, "login"), 0);
    assert_int_equal(udp(c, "1.1.1.1", 1, "2.2.2.2", 2, "cmd"), 1);
    assert_int_equal(c->last_sid, 3);
    ctx_free(c);
}

static void test_threshold_limit(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "alert udp any any -> any any (content:\"x\"; threshold:type limit, track by_src, "
        "count 2, seconds 60; sid:1;)",
        "alert udp any any -> any any (content:\"y\"; detection_filter:track by_src, count 2, "
        "seconds 60; sid:2;)",
        NULL,
    };
    struct ctx *c = prepared(lines);
    unsigned n = 0;
    for (int i = 0; i < 5; i++)
        n += udp(c, "1.1.1.1", 1, "2.2.2.2", 2, "x");
    assert_int_equal(n, 2);
    assert_int_equal(udp(c, "1.1.1.3", 1, "2.2.2.2", 2, "x"), 1);   /* another source */
    n = 0;
    for (int i = 0; i < 5; i++)
        n += udp(c, "1.1.1.1", 1, "2.2.2.2", 2, "y");
    assert_int_equal(n, 3);                                         /* after the first 2 */
    ctx_free(c);
}

/* threshold.conf lines: they may come before the rules they name */
static void test_event_filter_suppress(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "suppress gen_id 1, sig_id 1, track by_src, ip [1.1.1.0/24,!1.1.1.7]",
        "event_filter gen_id 1, sig_id 2, type limit, track by_dst, count 1, seconds 60",
        "suppress gen_id 1, sig_id 3",
        "alert udp any any -> any any (content:\"a\"; sid:1;)",
        "alert udp any any -> any any (content:\"b\"; sid:2;)",
        "alert udp any any -> any any (content:\"c\"; sid:3;)",
        NULL,
    };
    struct ctx *c = prepared(lines);
    assert_int_equal(udp(c, "1.1.1.1", 1, "2.2.2.2", 2, "a"), 0);     /* suppressed source */
    assert_int_equal(udp(c, "1.1.1.7", 1, "2.2.2.2", 2, "a"), 1);     /* the exception */
    assert_int_equal(udp(c, "9.9.9.9", 1, "2.2.2.2", 2, "a"), 1);
    assert_int_equal(udp(c, "9.9.9.9", 1, "2.2.2.2", 2, "b"), 1);
    assert_int_equal(udp(c, "9.9.9.8", 1, "2.2.2.2", 2, "b"), 0);     /* same destination */
    assert_int_equal(udp(c, "9.9.9.8", 1, "2.2.2.3", 2, "b"), 1);
    assert_int_equal(udp(c, "9.9.9.9", 1, "2.2.2.2", 2, "c"), 0);     /* all of sid 3 */
    assert_int_equal(rules_get_stats(&c->rs)->suppressed, 3);
    ctx_free(c);
    c = ctx_new();
    assert_int_equal(add(c, "suppress gen_id 1, sig_id 3, track by_src"), BW_E_SYNTAX);
    assert_non_null(strstr(msgs(c), "t.rules:7: error: suppress wants both track and ip"));
    assert_int_equal(add(c, "event_filter gen_id 1, sig_id 3, type limit"), BW_E_SYNTAX);
    assert_int_equal(add(c, "event_filter gen_id 1, sig_id 3, type sometimes, track by_src, "
                            "count 1, seconds 1"), BW_E_SYNTAX);
    assert_non_null(strstr(msgs(c), "bad type 'sometimes'"));
    assert_int_equal(c->rs.counts.errors, 3);
    ctx_free(c);
}

/* UDP datagram with explicit bytes (NULs allowed) */
static unsigned udp_bytes(struct ctx *c, const char *src, const char *dst, uint16_t dp,
                          const uint8_t *p, size_t n)
{
    struct pkt k = { .proto = IPPROTO_NUM_UDP, .family = 4, .sport = 40000, .dport = dp,
                     .payload = p, .payload_len = (uint32_t)n };
    assert_int_equal(inet_pton(AF_INET, src, k.src), 1);
    assert_int_equal(inet_pton(AF_INET, dst, k.dst), 1);
    unsigned before = c->alerts;
    rules_packet(&c->rs, NULL, DIR_TOSERVER, &k);
    return c->alerts - before;
}

/* The prefilter changes speed, never results: each of its indexes */
static void test_prefilter_paths(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "alert udp any any -> any any (content:\"|00 00|ab\"; sid:1;)",        /* leading NULs */
        "alert udp any any -> any 53 (content:\"a\"; sid:2;)",                 /* weak: by port */
        "alert udp any any -> [1.2.3.4,5.6.7.8] any (sid:3;)",               /* by host */
        "alert udp 9.9.9.9 any <> [1.2.3.4] any (content:\"q\"; sid:4;)",     /* weak: by host */
        "alert udp any any -> any 7000:7002 (sid:5;)",                       /* no content: port */
        "alert udp any any -> any any (content:\"|00|\"; sid:6;)",             /* all NUL: always */
        NULL,
    };
    struct ctx *c = prepared(lines);
    static const uint8_t nulab[] = { 0, 0, 'a', 'b' };
    assert_int_equal(udp_bytes(c, "10.0.0.1", "10.0.0.2", 1, nulab, 4), 2);   /* 1 and 6 */
    assert_int_equal(udp_bytes(c, "10.0.0.1", "10.0.0.2", 53, (const uint8_t *)"xa", 2), 1);
    assert_int_equal(udp_bytes(c, "10.0.0.1", "10.0.0.2", 54, (const uint8_t *)"xa", 2), 0);
    assert_int_equal(udp_bytes(c, "10.0.0.1", "5.6.7.8", 1, (const uint8_t *)"x", 1), 1);
    assert_int_equal(udp_bytes(c, "10.0.0.1", "5.6.7.9", 1, (const uint8_t *)"x", 1), 0);
    assert_int_equal(udp_bytes(c, "1.2.3.4", "9.9.9.9", 1, (const uint8_t *)"q", 1), 1);  /* <> */
    assert_int_equal(udp_bytes(c, "10.0.0.1", "10.0.0.2", 7001, (const uint8_t *)"x", 1), 1);
    assert_int_equal(udp_bytes(c, "10.0.0.1", "10.0.0.2", 7003, (const uint8_t *)"x", 1), 0);
    ctx_free(c);
    /* more rules than one bitmap word, all with the same pattern: all of them, in order */
    c = ctx_new();
    char line[128];
    for (int i = 1; i <= 150; i++) {
        snprintf(line, sizeof line, "alert udp any any -> any any (content:\"zz\"; sid:%d;)", i);
        assert_int_equal(add(c, line), BW_OK);
    }
    struct bw_diag d = { .msg = "" };
    assert_int_equal(rules_prepare(&c->rs, 1 << 20, on_alert, c, &d), BW_OK);
    assert_int_equal(udp_bytes(c, "10.0.0.1", "10.0.0.2", 1, (const uint8_t *)"azzb", 4), 150);
    assert_int_equal(c->last_sid, 150);
    assert_int_equal(udp_bytes(c, "10.0.0.1", "10.0.0.2", 1, (const uint8_t *)"azb", 3), 0);
    ctx_free(c);
}

/* What the prefilter takes from each rule, and the matcher's shortcuts: speed only */
static void test_fast_pattern_choice(void **state)
{
    (void)state;
    struct ctx *c = ctx_new();
    /* a marked one under 4 bytes gives way, but not to HTTP boilerplate or a method */
    assert_int_equal(add(c, "alert http any any -> any any (content:\"GET\"; http_method; "
                            "content:\"_W\"; fast_pattern; http_uri; content:\"User-Agent|3a|\"; "
                            "http_header; sid:1;)"), BW_OK);
    assert_int_equal(last_rule(c)->fp, 1);
    /* nor to a header that is mostly NULs */
    assert_int_equal(add(c, "alert udp any any -> any 53 (content:\"|01 00 00 01 00 00 00 00 00 "
                            "00|\"; depth:10; offset:2; content:\"|07|dq\"; fast_pattern; "
                            "distance:0; sid:2;)"), BW_OK);
    assert_int_equal(last_rule(c)->fp, 1);
    /* a marked one of 4 bytes or more is kept, common or not */
    assert_int_equal(add(c, "alert http any any -> any any (content:\"/kb/\"; http_uri; "
                            "fast_pattern; content:\"User-Agent\"; http_header; sid:3;)"), BW_OK);
    assert_int_equal(last_rule(c)->fp, 0);
    /* none marked: the one worth most, not merely the longest */
    assert_int_equal(add(c, "alert http any any -> any any (content:\"POST\"; http_method; "
                            "content:\"|0d 0a|Content-Length|3a 20|\"; http_header; "
                            "content:\"/g.php\"; http_uri; sid:4;)"), BW_OK);
    assert_int_equal(last_rule(c)->fp, 2);
    ctx_free(c);
}

static void test_search_shortcuts(void **state)
{
    (void)state;
    /* searched by a least common byte that is not the first: the leftmost still counts */
    assert_true(pm(R("content:\"filename=|22|\"; nocase; content:\"q\"; within:1;"),
                   "FileName=\"x filename=\"q", 0));
    assert_false(pm(R("content:\"filename=|22|\"; nocase; content:\"q\"; within:1;"),
                    "FileName=\"x filename=\"z", 0));
    assert_true(pm(R("content:\"ab|3a|\"; content:\"!\"; within:1;"), "ab ab:ab:!", 0));
    assert_false(pm(R("content:\"Ab|3a|\";"), "ab:AB:", 0));
    /* remembered occurrences: backtracking over many candidates of the first content */
    assert_true(pm(R("content:\":\"; content:\" 332 \"; within:10; content:\"#\"; within:3;"),
                   ":a :b :c :d x: 332 #chan", 0));
    assert_false(pm(R("content:\":\"; content:\" 332 \"; within:6;"), ":a :b :c x 332 ", 0));
    /* a pcre that is not relative fails on every path once it fails */
    assert_false(pm(R("content:\"a\"; pcre:\"/zz/\"; content:\"b\"; distance:0;"), "a a a b", 0));
    assert_true(pm(R("content:\"a\"; pcre:\"/b/\"; content:\"a\"; distance:0;"), "a b a", 0));
}

static void test_header_list_cache(void **state)
{
    (void)state;
    struct ctx *c = ctx_new();
    assert_int_equal(add(c, "portvar P 80"), BW_OK);
    assert_int_equal(add(c, "alert tcp any any -> any $P (sid:1;)"), BW_OK);
    assert_int_equal(add(c, "alert tcp any any -> any $P (sid:2;)"), BW_OK);
    assert_int_equal(last_rule(c)->dp.pos[0].lo, 80);
    assert_int_equal(add(c, "portvar P 81"), BW_OK);       /* a new value: parsed again */
    assert_int_equal(add(c, "alert tcp any any -> any $P (sid:3;)"), BW_OK);
    assert_int_equal(last_rule(c)->dp.pos[0].lo, 81);
    assert_int_equal(c->rs.rule[0]->dp.pos[0].lo, 80);
    assert_true(c->rs.rule[0]->dp.pos != c->rs.rule[1]->dp.pos);   /* copies, not shared */
    ctx_free(c);
}

/* A payload group of few patterns gets their 8-byte prefixes: still exact results */
static void test_few_pattern_group(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "alert icmp any any -> any any (content:\"Pinging from Delphi code\"; sid:1;)",
        "alert icmp any any -> any any (content:\"Pinging from Del\"; content:\"xx\"; sid:2;)",
        NULL,
    };
    struct ctx *c = prepared(lines);
    const char *both[] = { "..Pinging from Delphi code..", "..Pinging from Delphi cxx" };
    unsigned want[] = { 1, 1 };
    for (int i = 0; i < 2; i++) {
        struct pkt k = { .proto = IPPROTO_NUM_ICMP, .family = 4, .icmp_type = 8,
                         .payload = (const uint8_t *)both[i],
                         .payload_len = (uint32_t)strlen(both[i]) };
        unsigned before = c->alerts;
        rules_packet(&c->rs, NULL, DIR_TOSERVER, &k);
        assert_int_equal(c->alerts - before, want[i]);
        assert_int_equal(c->last_sid, (uint32_t)(i + 1));
    }
    ctx_free(c);
}

/* One rule per gid:sid: the higher revision replaces, in the first one's place; an equal or
 * lower one is dropped; both are warnings and count as skipped. */
static void test_duplicate_sid(void **state)
{
    (void)state;
    struct ctx *c = ctx_new();
    assert_int_equal(add(c, "alert tcp any any -> any any (msg:\"one\"; sid:5; rev:1;)"), BW_OK);
    assert_int_equal(add(c, "alert tcp any any -> any any (msg:\"other\"; sid:6;)"), BW_OK);
    assert_int_equal(add(c, "alert http any any -> any any (msg:\"three\"; sid:5; rev:3;)"),
                     BW_OK);
    assert_int_equal(add(c, "alert tcp any any -> any any (msg:\"two\"; sid:5; rev:2;)"), BW_OK);
    assert_int_equal(add(c, "alert tcp any any -> any any (msg:\"again\"; sid:5; rev:3;)"),
                     BW_OK);
    assert_int_equal(add(c, "alert tcp any any -> any any (msg:\"gid 2\"; gid:2; sid:5;)"),
                     BW_OK);
    assert_int_equal(c->rs.nrule, 3);
    assert_string_equal(c->rs.rule[0]->msg, "three");    /* in the first one's place */
    assert_int_equal(c->rs.rule[0]->rev, 3);
    assert_int_equal(c->rs.rule[0]->index, 0);
    assert_string_equal(c->rs.rule[1]->msg, "other");
    assert_int_equal(c->rs.rule[2]->gid, 2);
    assert_int_equal(c->rs.counts.loaded, 3);
    assert_int_equal(c->rs.counts.skipped, 3);
    assert_string_equal(c->rs.counts.kind[0].name, "duplicate sid");
    assert_non_null(strstr(msgs(c), "t.rules:7: warning: sid 1:5 rev 3 duplicates the rule at "
                                    "t.rules:7 (rev 1): this higher revision replaces it"));
    assert_non_null(strstr(msgs(c), "sid 1:5 rev 2 duplicates the rule at t.rules:7 (rev 3): "
                                    "that one is kept"));
    /* many sids: the index grows and still finds each one */
    for (unsigned i = 0; i < 3000; i++) {
        char line[128];
        snprintf(line, sizeof line, "alert udp any any -> any any (sid:%u; rev:%u;)",
                 1000 + i % 1500, 1 + i / 1500);
        assert_int_equal(add(c, line), BW_OK);
    }
    assert_int_equal(c->rs.nrule, 3 + 1500);
    for (uint32_t i = 3; i < c->rs.nrule; i++)
        assert_int_equal(c->rs.rule[i]->rev, 2);
    /* the first 20 are listed, then one line; the count has them all */
    unsigned listed = 0;
    for (const char *m = msgs(c); (m = strstr(m, "duplicates the rule at")) != NULL; m++)
        listed++;
    assert_int_equal(listed, 20);
    const char *more = strstr(msgs(c), "more sids given again");
    assert_non_null(more);
    assert_null(strstr(more + 1, "more sids given again"));
    assert_int_equal(c->rs.counts.skipped, 3 + 1500);
    struct bw_diag d = { .msg = "" };
    assert_int_equal(rules_prepare(&c->rs, 1 << 20, on_alert, c, &d), BW_OK);
    ctx_free(c);
}

/* --rules-profile: checks and matches per rule, and what each database scanned. */
static void test_profile(void **state)
{
    (void)state;
    struct ctx *c = ctx_new();
    static const char *const lines[] = {
        "alert udp any any -> any any (content:\"abc\"; sid:11; rev:2;)",
        "alert udp any any -> any any (content:\"zzz\"; sid:12;)",
        "alert udp any any -> any any (dsize:>0; sid:13;)",
        NULL,
    };
    for (const char *const *l = lines; *l; l++)
        assert_int_equal(add(c, *l), BW_OK);
    c->rs.profile = 10;
    struct bw_diag d = { .msg = "" };
    assert_int_equal(rules_prepare(&c->rs, 1 << 20, on_alert, c, &d), BW_OK);
    assert_int_equal(udp(c, "10.0.0.1", 1000, "10.0.0.2", 53, "xabcx"), 2);
    assert_int_equal(udp(c, "10.0.0.1", 1000, "10.0.0.2", 53, "abc"), 2);
    assert_int_equal(udp(c, "10.0.0.1", 1000, "10.0.0.2", 53, "nothing"), 1);
    char *out = NULL;
    size_t outlen = 0;
    FILE *mf = open_memstream(&out, &outlen);
    rules_profile_print(&c->rs, mf);
    fclose(mf);
    assert_non_null(strstr(out, "rules profile: 5 checks of 2 rules"));
    unsigned long long checks = 0, matches = 0;
    const char *row = strstr(out, " 1:11:2 ");
    assert_non_null(row);
    assert_int_equal(sscanf(row, " 1:11:2 %llu %llu", &checks, &matches), 2);
    assert_int_equal(checks, 2);
    assert_int_equal(matches, 2);
    row = strstr(out, " 1:13:0 ");
    assert_non_null(row);
    assert_int_equal(sscanf(row, " 1:13:0 %llu %llu", &checks, &matches), 2);
    assert_int_equal(checks, 3);
    assert_int_equal(matches, 3);
    assert_null(strstr(out, " 1:12:"));          /* its pattern never occurred */
    row = strstr(out, "  udp ");
    assert_non_null(row);
    unsigned npat = 0;
    unsigned long long scans = 0, hits = 0;
    double mb = 0;
    assert_int_equal(sscanf(row, "  udp pkt_data %u %llu %lf %llu", &npat, &scans, &mb, &hits), 4);
    assert_int_equal(npat, 2);
    assert_int_equal(scans, 3);
    assert_int_equal(hits, 2);
    free(out);
    ctx_free(c);
}

static void test_http_buffers(void **state)
{
    (void)state;
    const char *req = "GET /a%20b?x=1 HTTP/1.1\r\nHost: WWW.Example.com\r\nUser-Agent: Evil/1.0\r\n"
                      "Cookie: s=1\r\n\r\nbody!";
    assert_true(pm("alert http any any -> any any (flow:to_server; content:\"GET\"; http_method;"
                   " content:\"/a b\"; http_uri; content:\"%20\"; http_raw_uri; sid:1;)", req, 0));
    assert_true(pm("alert http any any -> any any (flow:to_server; content:\"www.example.com\";"
                   " http_host; content:\"Evil/\"; depth:5; http_user_agent; sid:1;)", req, 0));
    assert_true(pm("alert http any any -> any any (flow:to_server; http_header_names; "
                   "content:\"|0d 0a|Host|0d 0a|User-Agent|0d 0a|Cookie|0d 0a 0d 0a|\"; sid:1;)",
                   req, 0));
    assert_true(pm("alert http any any -> any any (flow:to_server; content:\"s=1\"; "
                   "http_cookie; content:\"body\"; http_client_body; depth:4; sid:1;)", req, 0));
    assert_false(pm("alert http any any -> any any (flow:to_server; content:\"Evil\"; "
                    "http_uri; sid:1;)", req, 0));
    assert_true(pm("alert http any any -> any any (flow:to_server; content:\"Evil\"; "
                   "http_header; pcre:\"/^\\/a/U\"; urilen:5<>20; sid:1;)", req, 0));
    const char *rsp = "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n%PDF-1.4";
    assert_true(pm("alert http any any -> any any (flow:to_client; content:\"404\"; "
                   "http_stat_code; file_data; content:\"%PDF-\"; within:5; sid:1;)", rsp, 0));
    assert_false(pm("alert http any any -> any any (flow:to_server; content:\"404\"; "
                    "http_stat_code; sid:1;)", rsp, 0));
}

static void test_dns_query(void **state)
{
    (void)state;
    static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                 3, 'w', 'w', 'w', 5, 'n', 'o', '-', 'i', 'p', 3, 'o', 'r', 'g',
                                 0, 0, 1, 0, 1 };
    struct ctx *c = ctx_new();
    assert_int_equal(add(c, "alert udp any any -> any 53 (dns_query; content:\".no-ip.\"; "
                            "content:\"org\"; isdataat:!1,relative; sid:1;)"), BW_OK);
    assert_true(rules_match_payload(last_rule(c), q, sizeof q, 0));
    ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_direction_both),
        cmocka_unit_test(test_default_vars),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_unknown_keyword_skips),
        cmocka_unit_test(test_options_parsed),
        cmocka_unit_test(test_classification_file),
        cmocka_unit_test(test_content_offsets),
        cmocka_unit_test(test_backtracking),
        cmocka_unit_test(test_backtracking_skips),
        cmocka_unit_test(test_profile),
        cmocka_unit_test(test_duplicate_sid),
        cmocka_unit_test(test_stream_state_on_flow),
        cmocka_unit_test(test_pcre),
        cmocka_unit_test(test_byte_ops),
        cmocka_unit_test(test_isdataat_dsize),
        cmocka_unit_test(test_stream_window),
        cmocka_unit_test(test_packet_flow_and_flowbits),
        cmocka_unit_test(test_threshold_limit),
        cmocka_unit_test(test_event_filter_suppress),
        cmocka_unit_test(test_prefilter_paths),
        cmocka_unit_test(test_fast_pattern_choice),
        cmocka_unit_test(test_search_shortcuts),
        cmocka_unit_test(test_header_list_cache),
        cmocka_unit_test(test_few_pattern_group),
        cmocka_unit_test(test_http_buffers),
        cmocka_unit_test(test_dns_query),
    };
    return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
