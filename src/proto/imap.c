/* SPDX-License-Identifier: MIT
 * imap.c — IMAP4 identification (RFC 9051 7.1): the server greets "* OK", "* PREAUTH" or
 * "* BYE"; the client's lines are "tag SP command". */
#include "proto/mailftp.h"

static enum probe_verdict imap_probe(const struct probe_in *in)
{
    const uint8_t *s = in->data[DIR_TOCLIENT];
    size_t sn = in->len[DIR_TOCLIENT];
    if (!sn)
        return in->len[DIR_TOSERVER] > 64 ? PROBE_NO : PROBE_NEED_MORE;
    static const char *const greet[] = { "* OK", "* PREAUTH", "* BYE" };
    bool partial = false;
    for (size_t i = 0; i < 3; i++) {
        enum prefix_match m = prefix_match(s, sn, greet[i], true);
        if (m == PFX_YES) {
            struct bytes g;
            enum probe_verdict v = first_text_line(s, sn, &g);
            return v;
        }
        partial |= m == PFX_PARTIAL;
    }
    return partial ? PROBE_NEED_MORE : PROBE_NO;
}


/* ===== Parser: tagged commands and their completions (RFC 9051) =====
 * A client line is "tag SP command [args]"; the server's "tag OK|NO|BAD text" completes it.
 * Literals ("{n}" or "{n+}" at the end of a line, either direction) are n raw bytes that are
 * skipped, not read as lines; untagged data is counted. One "imap" event per completion. */

#include <stdlib.h>

#include "proto/textlines.h"

enum { IMAP_PENDING = 8 };

struct imap_state {
    struct text_lines ml;
    uint64_t literal[2];                 /* raw bytes still to skip, by direction */
    struct {
        uint8_t tag[32], cmd[24], arg[MAIL_STR];
        struct mail_cmd c;
    } q[IMAP_PENDING];
    uint8_t qn;
    uint8_t status[8], reply[MAIL_STR];
    uint64_t untagged;
    struct app_sink *sink;
    const struct flow *f;
};

static uint64_t literal_at_end(struct bytes l)
{
    if (!l.len || l.p[l.len - 1] != '}')
        return 0;
    size_t i = l.len - 1;
    if (i && l.p[i - 1] == '+')
        i--;
    uint64_t n = 0, mul = 1;
    size_t digits = 0;
    while (i && is_digit(l.p[i - 1]) && digits < 12) {
        n += (uint64_t)(l.p[i - 1] - '0') * mul;
        mul *= 10;
        i--;
        digits++;
    }
    return digits && i && l.p[i - 1] == '{' ? n : 0;
}

static size_t imap_raw(void *ctx, enum flow_dir dir, size_t avail)
{
    struct imap_state *s = ctx;
    size_t k = s->literal[dir] < avail ? (size_t)s->literal[dir] : avail;
    s->literal[dir] -= k;
    if (dir == DIR_TOCLIENT)
        s->untagged += k;
    return k;
}

static void imap_line(void *ctx, enum flow_dir dir, struct bytes l)
{
    struct imap_state *s = ctx;
    s->literal[dir] = literal_at_end(l);
    if (dir == DIR_TOSERVER) {
        struct bytes tag, rest, cmd, arg;
        mail_split(l, &tag, &rest);
        mail_split(rest, &cmd, &arg);
        if (!tag.len || !cmd.len)
            return;                      /* a continuation of a command (after a literal) */
        if (s->qn == IMAP_PENDING) {     /* never completed: report the oldest as it is */
            struct app_event ev = { .type = APP_EV_IMAP, .dir = DIR_TOSERVER,
                                    .ts_us = s->sink->now_us, .u.mail = &s->q[0].c };
            s->sink->emit(s->sink->ctx, s->f, &ev);
            memmove(&s->q[0], &s->q[1], sizeof s->q[0] * (IMAP_PENDING - 1));
            s->qn--;
            for (int i = 0; i < s->qn; i++) {    /* the copies moved: point at them again */
                s->q[i].c.tag.p = s->q[i].tag;
                s->q[i].c.command.p = s->q[i].cmd;
                s->q[i].c.arg.p = s->q[i].arg;
            }
        }
        memset(&s->q[s->qn].c, 0, sizeof s->q[s->qn].c);
        s->q[s->qn].c.tag = mail_keep(s->q[s->qn].tag, sizeof s->q[s->qn].tag, tag);
        s->q[s->qn].c.command = mail_keep(s->q[s->qn].cmd, sizeof s->q[s->qn].cmd, cmd);
        s->q[s->qn].c.arg = mail_keep(s->q[s->qn].arg, sizeof s->q[s->qn].arg, arg);
        s->qn++;
        return;
    }
    struct bytes tag, rest, st, text;
    mail_split(l, &tag, &rest);
    if (tag.len == 1 && (tag.p[0] == '*' || tag.p[0] == '+')) {
        s->untagged += l.len + 2;
        return;
    }
    for (int i = 0; i < s->qn; i++) {
        struct mail_cmd *c = &s->q[i].c;
        if (c->tag.len != tag.len || memcmp(c->tag.p, tag.p, tag.len) != 0)
            continue;
        mail_split(rest, &st, &text);
        c->status = mail_keep(s->status, sizeof s->status, st);
        c->reply = mail_keep(s->reply, sizeof s->reply, text);
        c->response_bytes = s->untagged;
        s->untagged = 0;
        struct app_event ev = { .type = APP_EV_IMAP, .dir = DIR_TOSERVER,
                                .ts_us = s->sink->now_us, .u.mail = c };
        s->sink->emit(s->sink->ctx, s->f, &ev);
        memmove(&s->q[i], &s->q[i + 1], sizeof s->q[0] * (size_t)(s->qn - i - 1));
        s->qn--;
        for (int k = i; k < s->qn; k++) {
            s->q[k].c.tag.p = s->q[k].tag;
            s->q[k].c.command.p = s->q[k].cmd;
            s->q[k].c.arg.p = s->q[k].arg;
        }
        return;
    }
}

static void imap_parse(struct app_sink *sink, const struct flow *f, void *state,
                       enum flow_dir dir, const uint8_t *data, size_t len)
{
    struct imap_state *s = state;
    s->sink = sink;
    s->f = f;
    if (!data)
        s->literal[dir] = 0;
    text_lines_feed(&s->ml, dir, data, len, s, imap_line, imap_raw);
}

static void imap_fini(struct app_sink *sink, const struct flow *f, void *state)
{
    struct imap_state *s = state;
    for (int i = 0; i < s->qn; i++) {
        struct app_event ev = { .type = APP_EV_IMAP, .dir = DIR_TOSERVER, .ts_us = sink->now_us,
                                .u.mail = &s->q[i].c };
        sink->emit(sink->ctx, f, &ev);
    }
    s->qn = 0;
}

const struct proto_desc proto_imap = {
    .id = PROTO_IMAP,
    .name = "imap",
    .transports = PT_TCP,
    .ports = { 143 },
    .probe = imap_probe,
    .state_size = sizeof(struct imap_state),
    .parse = imap_parse,
    .fini = imap_fini,
};
