/* SPDX-License-Identifier: MIT
 * Unit tests for the SMTP parser (proto/smtp.c): transactions as the relay question needs them. */
#include <stdlib.h>

#include "proto/proto.h"
#include "testutil.h"

struct got {
    int n;
    struct smtp_tx tx[4];
    char from[4][64], rcpt0[4][64], reply[4][64];
};

static void collect(void *ctx, const struct flow *f, const struct app_event *ev)
{
    (void)f;
    struct got *g = ctx;
    if (ev->type != APP_EV_SMTP || g->n >= 4)
        return;
    const struct smtp_tx *t = ev->u.smtp;
    g->tx[g->n] = *t;
    snprintf(g->from[g->n], 64, "%.*s", (int)t->mail_from.len, (const char *)t->mail_from.p);
    if (t->nrcpt)
        snprintf(g->rcpt0[g->n], 64, "%.*s", (int)t->rcpt[0].len, (const char *)t->rcpt[0].p);
    snprintf(g->reply[g->n], 64, "%.*s", (int)t->end_reply.len, (const char *)t->end_reply.p);
    g->n++;
}

static struct got g;
static struct app_sink sink = { .emit = collect, .ctx = &g };
static struct proto_stats st;
static struct proto_engine pe = { .stats = &st, .memcap = 1 << 20, .sink = &sink };

static struct flow *start(void)
{
    memset(&g, 0, sizeof g);
    struct flow *f = calloc(1, sizeof *f);
    f->key.proto = IPPROTO_NUM_TCP;
    f->key.port[1] = 1182;                     /* the seed's proxy port: content decides */
    return f;
}

static void srv(struct flow *f, const char *s)
{
    proto_flow_data(&pe, f, DIR_TOCLIENT, (const uint8_t *)s, strlen(s));
}

static void cli(struct flow *f, const char *s)
{
    proto_flow_data(&pe, f, DIR_TOSERVER, (const uint8_t *)s, strlen(s));
}

static void test_pipelined_relay_session(void **state)
{
    (void)state;
    struct flow *f = start();
    srv(f, "220 relay.example ESMTP\r\n");
    cli(f, "EHLO spambot\r\n");
    srv(f, "250-relay.example\r\n250-PIPELINING\r\n250 AUTH LOGIN\r\n");
    cli(f, "AUTH LOGIN\r\n");
    srv(f, "334 VXNlcm5hbWU6\r\n");
    cli(f, "Ym90\r\n");                        /* credentials, not commands */
    srv(f, "334 UGFzc3dvcmQ6\r\n");
    cli(f, "c2VjcmV0\r\n");
    srv(f, "235 ok\r\n");
    /* pipelined: MAIL, RCPT x3, DATA in one segment; replies in one segment */
    cli(f, "MAIL FROM:<a@x.test> SIZE=100\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\n"
           "RCPT TO:<d@y.test>\r\nDATA\r\n");
    srv(f, "250 ok\r\n250 ok\r\n550 no such user\r\n250 ok\r\n354 go\r\n");
    cli(f, "Subject: hi\r\n\r\nbody\r\n..dot-stuffed\r\n.\r\n");
    srv(f, "250 2.0.0 queued as 42\r\n");
    assert_int_equal(g.n, 1);
    struct smtp_tx *t = &g.tx[0];
    assert_string_equal(g.from[0], "<a@x.test>");
    assert_string_equal(g.rcpt0[0], "<b@y.test>");
    assert_int_equal(t->nrcpt, 3);
    assert_int_equal(t->rcpt_code[1], 550);
    assert_int_equal(t->rcpt_code[2], 250);
    assert_true(t->delivered);
    assert_int_equal(t->end_code, 250);
    assert_string_equal(g.reply[0], "250 2.0.0 queued as 42");
    assert_int_equal(t->auth_ok, 1);
    assert_int_equal(t->message_bytes, strlen("Subject: hi\r\n\r\nbody\r\n..dot-stuffed\r\n"));

    /* a second transaction on the same session, refused at the end, bare LF */
    cli(f, "MAIL FROM:<e@x.test>\nRCPT TO:<f@y.test>\nDATA\n");
    srv(f, "250 ok\n250 ok\n354 go\n");
    cli(f, "x\n.\n");
    srv(f, "554 5.7.1 rejected as spam\n");
    assert_int_equal(g.n, 2);
    assert_false(g.tx[1].delivered);
    assert_int_equal(g.tx[1].end_code, 554);
    assert_int_equal(g.tx[1].auth_ok, 1);      /* the session's AUTH carries over */
    proto_flow_end(&pe, f);
    assert_int_equal(st.memuse, 0);
    free(f);
}

static void test_cut_off_and_starttls(void **state)
{
    (void)state;
    struct flow *f = start();
    srv(f, "220 mx ESMTP\r\n");
    cli(f, "HELO a\r\nMAIL FROM:<a@b>\r\n");
    srv(f, "250 hi\r\n250 ok\r\n");
    proto_flow_end(&pe, f);                    /* the capture ends mid-transaction */
    assert_int_equal(g.n, 1);
    assert_false(g.tx[0].complete);
    assert_false(g.tx[0].delivered);
    free(f);

    f = start();
    srv(f, "220 mx ESMTP\r\n");
    cli(f, "EHLO a\r\nSTARTTLS\r\n");
    srv(f, "250 hi\r\n220 go ahead\r\n");
    cli(f, "\x16\x03\x01\x02\x00 then TLS bytes\r\nMAIL FROM:<not@parsed>\r\n");
    proto_flow_end(&pe, f);
    assert_int_equal(g.n, 0);                  /* no transaction before TLS, none after */
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipelined_relay_session),
        cmocka_unit_test(test_cut_off_and_starttls),
    };
    return cmocka_run_group_tests_name("smtp", tests, NULL, NULL);
}
