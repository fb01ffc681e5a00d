/* SPDX-License-Identifier: MIT
 * Unit tests for the POP3 and IMAP parsers: bodies and literals are data, never commands. */
#include <stdlib.h>

#include "proto/proto.h"
#include "testutil.h"

struct got {
    int n;
    char cmd[8][32], status[8][8];
    uint64_t bytes[8];
};

static void collect(void *ctx, const struct flow *f, const struct app_event *ev)
{
    (void)f;
    struct got *g = ctx;
    if ((ev->type != APP_EV_POP3 && ev->type != APP_EV_IMAP) || g->n >= 8)
        return;
    snprintf(g->cmd[g->n], 32, "%.*s", (int)ev->u.mail->command.len,
             (const char *)ev->u.mail->command.p);
    snprintf(g->status[g->n], 8, "%.*s", (int)ev->u.mail->status.len,
             (const char *)ev->u.mail->status.p);
    g->bytes[g->n] = ev->u.mail->response_bytes;
    g->n++;
}

static struct got g;
static struct app_sink sink = { .emit = collect, .ctx = &g };
static struct proto_stats st;
static struct proto_engine pe = { .stats = &st, .memcap = 1 << 20, .sink = &sink };

static void feed(struct flow *f, enum flow_dir d, const char *s)
{
    proto_flow_data(&pe, f, d, (const uint8_t *)s, strlen(s));
}

static void test_pop3_body_is_data(void **state)
{
    (void)state;
    memset(&g, 0, sizeof g);
    struct flow *f = calloc(1, sizeof *f);
    f->key.proto = IPPROTO_NUM_TCP;
    f->key.port[1] = 110;
    feed(f, DIR_TOCLIENT, "+OK ready\r\n");
    feed(f, DIR_TOSERVER, "USER bob\r\n");
    feed(f, DIR_TOCLIENT, "+OK\r\n");
    feed(f, DIR_TOSERVER, "RETR 1\r\n");
    feed(f, DIR_TOCLIENT, "+OK 30 octets\r\nSubject: x\r\n+OK not a reply\r\n.\r\n");
    feed(f, DIR_TOSERVER, "DELE 1\r\n");
    feed(f, DIR_TOCLIENT, "-ERR no\r\n");
    assert_int_equal(f->app_proto, PROTO_POP3);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.cmd[1], "RETR");
    assert_int_equal(g.bytes[1], strlen("Subject: x\r\n+OK not a reply\r\n"));
    assert_string_equal(g.status[2], "-ERR");
    /* pipelined (RFC 2449): each reply answers its own command, the CAPA body included */
    feed(f, DIR_TOSERVER, "CAPA\r\nSTAT\r\nQUIT\r\n");
    feed(f, DIR_TOCLIENT, "+OK Capability list follows\r\nTOP\r\nUSER\r\n.\r\n+OK 1 30\r\n"
                          "+OK bye\r\n");
    assert_int_equal(g.n, 6);
    assert_string_equal(g.cmd[3], "CAPA");
    assert_int_equal(g.bytes[3], strlen("TOP\r\nUSER\r\n"));
    assert_string_equal(g.cmd[4], "STAT");
    assert_string_equal(g.cmd[5], "QUIT");
    assert_string_equal(g.status[5], "+OK");
    proto_flow_end(&pe, f);
    free(f);
}

static void test_imap_literal_is_data(void **state)
{
    (void)state;
    memset(&g, 0, sizeof g);
    struct flow *f = calloc(1, sizeof *f);
    f->key.proto = IPPROTO_NUM_TCP;
    f->key.port[1] = 143;
    feed(f, DIR_TOCLIENT, "* OK IMAP ready\r\n");
    feed(f, DIR_TOSERVER, "a1 LOGIN bob secret\r\n");
    feed(f, DIR_TOCLIENT, "a1 OK done\r\n");
    /* a literal whose bytes look like a command and a completion */
    feed(f, DIR_TOSERVER, "a2 APPEND INBOX {20}\r\n");
    feed(f, DIR_TOCLIENT, "+ go ahead\r\n");
    feed(f, DIR_TOSERVER, "a2 OK fake\r\nz9 X y\r\n\r\n");
    feed(f, DIR_TOCLIENT, "a2 OK APPEND completed\r\n");
    assert_int_equal(f->app_proto, PROTO_IMAP);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.cmd[1], "APPEND");
    assert_string_equal(g.status[1], "OK");
    proto_flow_end(&pe, f);
    assert_int_equal(g.n, 2);                  /* nothing left pending */
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pop3_body_is_data),
        cmocka_unit_test(test_imap_literal_is_data),
    };
    return cmocka_run_group_tests_name("mail", tests, NULL, NULL);
}
