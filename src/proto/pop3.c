/* SPDX-License-Identifier: MIT
 * pop3.c — POP3 identification (RFC 1939 4, RFC 2449): the server greets "+OK", the client
 * answers USER, APOP, CAPA, STLS or AUTH. */
#include "proto/mailftp.h"

static const char *const pop3_cmds[] = { "USER ", "APOP ", "CAPA", "STLS", "AUTH" };

static enum probe_verdict pop3_probe(const struct probe_in *in)
{
    const uint8_t *c = in->data[DIR_TOSERVER], *s = in->data[DIR_TOCLIENT];
    size_t cn = in->len[DIR_TOSERVER], sn = in->len[DIR_TOCLIENT];
    if (sn) {
        enum prefix_match m = prefix_match(s, sn, "+OK", false);
        if (m == PFX_NO)
            return PROBE_NO;
        struct bytes g;
        if (m == PFX_YES && first_text_line(s, sn, &g) == PROBE_YES)
            return PROBE_YES;
        if (m == PFX_YES && sn >= GREETING_MAX_LINE)
            return PROBE_NO;
    }
    if (cn && client_cmd(c, cn, pop3_cmds, sizeof pop3_cmds / sizeof pop3_cmds[0]) == PROBE_NO)
        return PROBE_NO;
    return PROBE_NEED_MORE;
}


/* ===== Parser: commands and their +OK/-ERR (RFC 1939, RFC 2449) =====
 * Commands wait in a queue (RFC 2449 PIPELINING: a client may send several before the
 * first answer); each +OK/-ERR answers the oldest. Multi-line answers (LIST and UIDL without
 * argument, RETR, TOP, CAPA) run to a line holding only "."; their size is counted and the
 * body is never read as a reply. One "pop3" event per command. */

#include "proto/textlines.h"

enum { POP3_PENDING = 8 };

struct pop3_state {
    struct text_lines ml;
    struct {
        uint8_t cmd[16], arg[MAIL_STR], status[8], reply[MAIL_STR];
        struct mail_cmd c;
        bool multi;
    } q[POP3_PENDING];
    uint8_t qhead, qn;
    bool in_body;
    struct app_sink *sink;
    const struct flow *f;
};

static void pop3_emit_head(struct pop3_state *s)
{
    struct app_event ev = { .type = APP_EV_POP3, .dir = DIR_TOSERVER, .ts_us = s->sink->now_us,
                            .u.mail = &s->q[s->qhead].c };
    s->sink->emit(s->sink->ctx, s->f, &ev);
    s->qhead = (uint8_t)((s->qhead + 1) % POP3_PENDING);
    s->qn--;
}

static bool pop3_multiline(struct bytes cmd, struct bytes arg)
{
    if ((cmd.len == 4 && (prefix_match(cmd.p, 4, "RETR", true) == PFX_YES ||
                          prefix_match(cmd.p, 4, "CAPA", true) == PFX_YES)) ||
        (cmd.len == 3 && prefix_match(cmd.p, 3, "TOP", true) == PFX_YES))
        return true;
    return cmd.len == 4 && arg.len == 0 && (prefix_match(cmd.p, 4, "LIST", true) == PFX_YES ||
                                            prefix_match(cmd.p, 4, "UIDL", true) == PFX_YES);
}

static void pop3_line(void *ctx, enum flow_dir dir, struct bytes l)
{
    struct pop3_state *s = ctx;
    if (dir == DIR_TOSERVER) {
        if (s->qn == POP3_PENDING)
            pop3_emit_head(s);               /* never answered: report it as it is */
        unsigned i = (s->qhead + s->qn) % POP3_PENDING;
        struct bytes w, rest;
        mail_split(l, &w, &rest);
        memset(&s->q[i].c, 0, sizeof s->q[i].c);
        s->q[i].c.command = mail_keep(s->q[i].cmd, sizeof s->q[i].cmd, w);
        s->q[i].c.arg = mail_keep(s->q[i].arg, sizeof s->q[i].arg, rest);
        s->q[i].multi = pop3_multiline(w, rest);
        s->qn++;
        return;
    }
    if (s->in_body) {
        if (l.len == 1 && l.p[0] == '.') {
            s->in_body = false;
            if (s->qn)
                pop3_emit_head(s);
        } else if (s->qn) {
            s->q[s->qhead].c.response_bytes += l.len + 2;
        }
        return;
    }
    if (!s->qn || !(l.len && (l.p[0] == '+' || l.p[0] == '-')))
        return;                              /* the greeting, or a SASL continuation */
    unsigned h = s->qhead;
    struct bytes st, rest;
    mail_split(l, &st, &rest);
    s->q[h].c.status = mail_keep(s->q[h].status, sizeof s->q[h].status, st);
    s->q[h].c.reply = mail_keep(s->q[h].reply, sizeof s->q[h].reply, rest);
    if (s->q[h].multi && st.len == 3 && st.p[0] == '+')
        s->in_body = true;                   /* the event goes out at the final "." */
    else
        pop3_emit_head(s);
}

static void pop3_parse(struct app_sink *sink, const struct flow *f, void *state,
                       enum flow_dir dir, const uint8_t *data, size_t len)
{
    struct pop3_state *s = state;
    s->sink = sink;
    s->f = f;
    text_lines_feed(&s->ml, dir, data, len, s, pop3_line, NULL);
}

static void pop3_fini(struct app_sink *sink, const struct flow *f, void *state)
{
    struct pop3_state *s = state;
    s->sink = sink;
    s->f = f;
    while (s->qn)
        pop3_emit_head(s);
}

const struct proto_desc proto_pop3 = {
    .id = PROTO_POP3,
    .name = "pop3",
    .transports = PT_TCP,
    .ports = { 110 },
    .probe = pop3_probe,
    .state_size = sizeof(struct pop3_state),
    .parse = pop3_parse,
    .fini = pop3_fini,
};
