/* SPDX-License-Identifier: MIT
 * Unit tests for the IRC parser (proto/irc.c): the RFC 2812 line grammar with its tolerances,
 * CTCP, lines split across segments, bare LF, overlong lines, gaps, a last line without LF. */
#include <stdlib.h>

#include "proto/proto.h"
#include "testutil.h"

static bool eq(struct bytes b, const char *s)
{
    return b.len == strlen(s) && memcmp(b.p, s, b.len) == 0;
}

static struct irc_msg parse(const char *s)
{
    struct irc_msg m;
    irc_parse_line((struct bytes){ (const uint8_t *)s, strlen(s) }, &m);
    return m;
}

static void test_grammar(void **state)
{
    (void)state;
    struct irc_msg m = parse(":^auzwybp!bot@10.1.2.3 PRIVMSG #b0t :hello there");
    assert_true(eq(m.prefix, "^auzwybp!bot@10.1.2.3"));
    assert_true(eq(m.nick, "^auzwybp"));
    assert_true(eq(m.user, "bot"));
    assert_true(eq(m.host, "10.1.2.3"));
    assert_true(eq(m.command, "PRIVMSG"));
    assert_int_equal(m.nparams, 2);
    assert_true(eq(m.params[1], "hello there"));
    assert_true(m.has_trailing);

    m = parse("USER BOT 0 * :^auzwybp");           /* no prefix */
    assert_int_equal(m.prefix.len, 0);
    assert_int_equal(m.nparams, 4);
    assert_true(eq(m.params[3], "^auzwybp"));

    m = parse(":irc.sina.net 001 ^auzwybp :Welcome to the Sina Network ^auzwybp");
    assert_int_equal(m.numeric, 1);
    assert_true(eq(m.nick, "irc.sina.net"));
    assert_null(m.user.p);

    m = parse("MODE   ^auzwybp   +M");             /* repeated spaces tolerated */
    assert_int_equal(m.nparams, 2);
    assert_true(eq(m.params[1], "+M"));

    m = parse("PRIVMSG bob :\x01VERSION\x01");
    assert_true(eq(m.ctcp, "VERSION"));
    assert_null(m.ctcp_args.p);
    m = parse("NOTICE x :\x01VERSION mIRC v6.16 Khaled Mardam-Bey\x01");
    assert_true(eq(m.ctcp, "VERSION"));
    assert_true(eq(m.ctcp_args, "mIRC v6.16 Khaled Mardam-Bey"));

    /* 15 parameters at most: the 15th takes the rest */
    m = parse("CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17");
    assert_int_equal(m.nparams, 15);
    assert_true(eq(m.params[14], "15 16 17"));

    m = parse(":");                                 /* hostile shapes: nothing overread */
    m = parse(": :");
    m = parse("\x01\xff\xfe");
    assert_int_equal(m.nparams, 0);
}

struct collected {
    int n;
    char lines[16][600];
    bool truncated[16];
    enum flow_dir dir[16];
};

static void collect(void *ctx, const struct flow *f, const struct app_event *ev)
{
    (void)f;
    struct collected *c = ctx;
    const struct irc_msg *m = ev->u.irc;
    if (c->n >= 16)
        return;
    snprintf(c->lines[c->n], sizeof c->lines[0], "%.*s/%u", (int)m->command.len,
             (const char *)m->command.p, m->nparams);
    c->truncated[c->n] = m->truncated;
    c->dir[c->n] = ev->dir;
    c->n++;
}

static void test_stream(void **state)
{
    (void)state;
    struct collected c = { 0 };
    struct app_sink sink = { .emit = collect, .ctx = &c };
    struct proto_stats st = { 0 };
    struct proto_engine pe = { .stats = &st, .memcap = 1 << 20, .sink = &sink };
    struct flow *f = calloc(1, sizeof *f);
    f->key.proto = IPPROTO_NUM_TCP;
    f->key.port[1] = 80;
    /* identification at the first line; the rest of that chunk is parsed too */
    static const char a[] = "NICK ^auzwybp\r\nUSER BOT 0 * :^auzwybp\r\nJO";
    proto_flow_data(&pe, f, DIR_TOSERVER, (const uint8_t *)a, sizeof a - 1);
    assert_int_equal(f->app_proto, PROTO_IRC);
    assert_int_equal(c.n, 2);
    static const char b[] = "IN #b0t\nPING :x\n";       /* split line, bare LF */
    proto_flow_data(&pe, f, DIR_TOSERVER, (const uint8_t *)b, sizeof b - 1);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.lines[2], "JOIN/1");
    assert_string_equal(c.lines[3], "PING/1");
    /* an overlong line: cut at 512 bytes, marked, the rest dropped up to its LF */
    char big[1500];
    memset(big, 'a', sizeof big);
    memcpy(big, "PRIVMSG #b0t :", 14);
    big[1400] = '\n';
    memcpy(big + 1401, "PONG :y\n", 8);
    proto_flow_data(&pe, f, DIR_TOSERVER, (const uint8_t *)big, 1409);
    assert_int_equal(c.n, 6);
    assert_true(c.truncated[4]);
    assert_string_equal(c.lines[5], "PONG/1");
    /* a gap loses the line in progress, never glues two halves together */
    proto_flow_data(&pe, f, DIR_TOCLIENT, (const uint8_t *)":s 00", 5);
    proto_flow_data(&pe, f, DIR_TOCLIENT, NULL, 50);
    proto_flow_data(&pe, f, DIR_TOCLIENT, (const uint8_t *)"1 x :y\r\nERROR :Closing Link", 27);
    assert_int_equal(c.n, 6);                           /* "1 x :y" is a tail: dropped */
    proto_flow_end(&pe, f);                             /* the last line without LF */
    assert_int_equal(c.n, 7);
    assert_string_equal(c.lines[6], "ERROR/1");
    assert_int_equal(c.dir[6], DIR_TOCLIENT);
    assert_int_equal(st.memuse, 0);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grammar),
        cmocka_unit_test(test_stream),
    };
    return cmocka_run_group_tests_name("irc", tests, NULL, NULL);
}
