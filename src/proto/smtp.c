/* SPDX-License-Identifier: MIT
 * smtp.c — SMTP/ESMTP identification (RFC 5321 4.2, 3.1): the server greets "220 host ...
 * ESMTP", the client says EHLO or HELO. A 220 greeting that names SMTP decides alone; one
 * that does not waits for the client's first command (FTP greets with 220 too). The seed's
 * spam relay spoke SMTP on non-standard ports, so the port never decides. */
#include "proto/mailftp.h"

static const char *const smtp_cmds[] = { "EHLO ", "HELO ", "EHLO\r", "HELO\r", "MAIL FROM:" };

static enum probe_verdict smtp_probe(const struct probe_in *in)
{
    static const char *const ours[] = { "SMTP", "mail" };
    /* a client's EHLO decides alone only when the greeting was missed (midstream) */
    return greet_220_probe(in, ours, 2, "FTP", smtp_cmds,
                           sizeof smtp_cmds / sizeof smtp_cmds[0], in->midstream);
}


/* ===== Parser: commands and replies to mail transactions (RFC 5321, RFC 2920) =====
 * Commands are queued as the client sends them and each final reply (a "xyz " line, after any
 * "xyz-" lines) answers the oldest: pipelining works as the server sees it. After DATA's 354
 * the client's bytes are the message until a line holding only "."; the reply to that says
 * whether the message was taken (250). A transaction is reported when it ends: that reply,
 * RSET, a new MAIL, QUIT, STARTTLS or the end of the flow. */

enum {
    SMTP_MAX_LINE = 1024,        /* RFC 5321 4.5.3.1.4 says 1000; a little slack */
    SMTP_MAX_PENDING = 32,       /* commands sent and not yet answered */
};

enum smtp_cmd { SC_OTHER, SC_HELO, SC_MAIL, SC_RCPT, SC_DATA, SC_DATA_END, SC_RSET, SC_QUIT,
                SC_AUTH, SC_STARTTLS };

struct smtp_state {
    uint8_t line[2][SMTP_MAX_LINE];
    uint16_t len[2];
    bool overlong[2];
    bool resync[2];
    uint8_t pending[SMTP_MAX_PENDING];   /* ring of enum smtp_cmd */
    uint8_t phead, pcount;
    bool in_data;                        /* client is sending the message */
    uint8_t dot;                         /* data mode: 0 mid-line, 1 at line start, 2 saw ".",
                                            3 saw ".\r" */
    bool auth_wait;                      /* a 334 was sent: the next client line is AUTH data */
    bool tls;                            /* after STARTTLS's 220: encrypted, nothing to read */
    struct smtp_tx tx;
    bool tx_open;
    /* storage for the transaction's strings */
    uint8_t helo[SMTP_MAX_STR], from[SMTP_MAX_STR], reply[SMTP_MAX_STR], mech[32];
    uint8_t rcpt[SMTP_MAX_RCPT][SMTP_MAX_STR];
};

static struct bytes keep(uint8_t *dst, size_t cap, struct bytes src)
{
    size_t n = src.len < cap ? src.len : cap;
    if (n)
        memcpy(dst, src.p, n);
    return (struct bytes){ dst, n };
}

static void tx_emit(struct app_sink *sink, const struct flow *f, struct smtp_state *s)
{
    if (s->tx_open && (s->tx.mail_from.p || s->tx.rcpt_total || s->tx.data)) {
        struct app_event ev = { .type = APP_EV_SMTP, .dir = DIR_TOSERVER, .ts_us = sink->now_us,
                                .u.smtp = &s->tx };
        sink->emit(sink->ctx, f, &ev);
    }
    /* the session's HELO and AUTH carry over to the next transaction */
    struct bytes helo = s->tx.helo, mech = s->tx.auth_mech;
    int auth = s->tx.auth_ok;
    memset(&s->tx, 0, sizeof s->tx);
    s->tx.helo = helo;
    s->tx.auth_mech = mech;
    s->tx.auth_ok = auth;
    s->tx_open = false;
}

static void push(struct smtp_state *s, enum smtp_cmd c)
{
    if (s->pcount == SMTP_MAX_PENDING) {          /* a client that never waits: drop oldest */
        s->phead = (uint8_t)((s->phead + 1) % SMTP_MAX_PENDING);
        s->pcount--;
    }
    s->pending[(s->phead + s->pcount) % SMTP_MAX_PENDING] = (uint8_t)c;
    s->pcount++;
}

/* The argument after "MAIL FROM:" / "RCPT TO:", up to the first space outside <...>. */
static struct bytes path_arg(struct bytes l, size_t skip)
{
    size_t i = skip;
    while (i < l.len && l.p[i] == ' ')
        i++;
    size_t start = i;
    bool angle = false;
    for (; i < l.len; i++) {
        if (l.p[i] == '<')
            angle = true;
        else if (l.p[i] == '>')
            angle = false;
        else if (l.p[i] == ' ' && !angle)
            break;
    }
    return (struct bytes){ l.p + start, i - start };
}

static bool cmd(struct bytes l, const char *word)
{
    return prefix_match(l.p, l.len, word, true) == PFX_YES;
}

static void client_line(struct smtp_state *s, struct bytes l)
{
    if (s->auth_wait) {                           /* base64 credentials, not a command */
        s->auth_wait = false;
        return;
    }
    if (cmd(l, "EHLO") || cmd(l, "HELO")) {
        s->tx.helo = keep(s->helo, sizeof s->helo, path_arg(l, 4));
        push(s, SC_HELO);
    } else if (cmd(l, "MAIL FROM:")) {
        if (s->tx_open) {                         /* nested MAIL: the server will say 503 */
            push(s, SC_OTHER);
            return;
        }
        s->tx_open = true;
        s->tx.mail_from = keep(s->from, sizeof s->from, path_arg(l, 10));
        push(s, SC_MAIL);
    } else if (cmd(l, "RCPT TO:")) {
        s->tx_open = true;
        if (s->tx.nrcpt < SMTP_MAX_RCPT) {
            s->tx.rcpt[s->tx.nrcpt] = keep(s->rcpt[s->tx.nrcpt], SMTP_MAX_STR, path_arg(l, 8));
            s->tx.nrcpt++;
        }
        s->tx.rcpt_total++;
        push(s, SC_RCPT);
    } else if (cmd(l, "DATA") && l.len == 4) {
        s->tx_open = true;
        s->tx.data = true;
        push(s, SC_DATA);
    } else if (cmd(l, "RSET")) {
        push(s, SC_RSET);
    } else if (cmd(l, "QUIT")) {
        push(s, SC_QUIT);
    } else if (cmd(l, "AUTH ")) {
        struct bytes m = path_arg(l, 5);
        for (size_t i = 0; i < m.len; i++)        /* "AUTH PLAIN <initial response>" */
            if (m.p[i] == ' ')
                m.len = i;
        s->tx.auth_mech = keep(s->mech, sizeof s->mech, m);
        s->tx.auth_ok = 0;
        push(s, SC_AUTH);
    } else if (cmd(l, "STARTTLS")) {
        push(s, SC_STARTTLS);
    } else {
        push(s, SC_OTHER);
    }
}

static void server_line(struct app_sink *sink, const struct flow *f, struct smtp_state *s,
                        struct bytes l)
{
    if (l.len < 3 || !is_digit(l.p[0]) || !is_digit(l.p[1]) || !is_digit(l.p[2]))
        return;                                   /* not a reply line */
    if (l.len > 3 && l.p[3] == '-')
        return;                                   /* a reply continues: its last line counts */
    unsigned code = (unsigned)(l.p[0] - '0') * 100 + (unsigned)(l.p[1] - '0') * 10 +
                    (unsigned)(l.p[2] - '0');
    if (s->pcount == 0)
        return;                                   /* the greeting, or an unsolicited reply */
    enum smtp_cmd c = (enum smtp_cmd)s->pending[s->phead];
    if (code == 334 && c == SC_AUTH) {            /* AUTH goes on: the client answers */
        s->auth_wait = true;
        return;
    }
    s->phead = (uint8_t)((s->phead + 1) % SMTP_MAX_PENDING);
    s->pcount--;
    bool ok = code / 100 == 2;
    switch (c) {
    case SC_MAIL:
        s->tx.mail_code = code;
        break;
    case SC_RCPT:
        /* replies come in order: the first RCPT without a code gets this one */
        for (unsigned i = 0; i < s->tx.nrcpt; i++)
            if (!s->tx.rcpt_code[i]) {
                s->tx.rcpt_code[i] = code;
                break;
            }
        break;
    case SC_DATA:
        s->tx.data_code = code;
        if (code == 354) {
            s->in_data = true;
            s->dot = 1;
        }
        break;
    case SC_DATA_END:
        s->tx.end_code = code;
        s->tx.delivered = ok;
        s->tx.complete = true;
        s->tx.end_reply = keep(s->reply, sizeof s->reply, l);
        tx_emit(sink, f, s);
        break;
    case SC_RSET:
    case SC_QUIT:
        tx_emit(sink, f, s);
        break;
    case SC_AUTH:
        s->tx.auth_ok = code == 235;
        break;
    case SC_STARTTLS:
        if (code == 220) {
            s->tx.starttls = true;
            s->tls = true;                        /* the rest is encrypted */
            tx_emit(sink, f, s);
        }
        break;
    default:
        break;
    }
}

/* Data mode: counts the message and finds a line holding only "." (CRLF or bare LF). */
static size_t data_bytes(struct smtp_state *s, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = d[i];
        switch (s->dot) {
        case 1: s->dot = c == '.' ? 2 : c == '\n' ? 1 : 0; break;
        case 2: s->dot = c == '\r' ? 3 : c == '\n' ? 4 : 0; break;
        case 3: s->dot = c == '\n' ? 4 : 0; break;
        default: s->dot = c == '\n' ? 1 : 0; break;
        }
        if (s->dot == 4) {                        /* end of data: ".\r\n" or ".\n" */
            size_t term = i >= 2 && d[i - 1] == '\r' ? 3 : 2;
            s->in_data = false;
            s->dot = 0;
            s->tx.message_bytes += i + 1 >= term ? i + 1 - term : 0;
            push(s, SC_DATA_END);
            return i + 1;
        }
        if (c == '\n' && s->dot == 0)
            s->dot = 1;
    }
    s->tx.message_bytes += n;
    return n;
}

static void smtp_parse(struct app_sink *sink, const struct flow *f, void *state,
                       enum flow_dir dir, const uint8_t *data, size_t len)
{
    struct smtp_state *s = state;
    if (s->tls)
        return;
    if (!data) {                                  /* a gap: resynchronise at the next line */
        s->len[dir] = 0;
        s->overlong[dir] = false;
        if (dir == DIR_TOSERVER && s->in_data) {
            s->tx.message_bytes += len;           /* most likely message bytes */
            s->dot = 0;
        } else {
            s->resync[dir] = true;
        }
        return;
    }
    while (len) {
        if (dir == DIR_TOSERVER && s->in_data) {
            size_t used = data_bytes(s, data, len);
            data += used;
            len -= used;
            continue;
        }
        if (s->resync[dir]) {
            if (!skip_line_tail(&data, &len))
                return;
            s->resync[dir] = false;
            continue;
        }
        const uint8_t *lf = memchr(data, '\n', len);
        size_t n = lf ? (size_t)(lf - data) : len;
        size_t room = SMTP_MAX_LINE - s->len[dir], take = n < room ? n : room;
        memcpy(s->line[dir] + s->len[dir], data, take);
        s->len[dir] = (uint16_t)(s->len[dir] + take);
        if (!lf)
            return;
        struct bytes l = { s->line[dir], s->len[dir] };
        if (l.len && l.p[l.len - 1] == '\r')
            l.len--;
        if (dir == DIR_TOSERVER)
            client_line(s, l);
        else
            server_line(sink, f, s, l);
        s->len[dir] = 0;
        data += n + 1;
        len -= n + 1;
        if (s->tls)
            return;
    }
}

static void smtp_fini(struct app_sink *sink, const struct flow *f, void *state)
{
    tx_emit(sink, f, state);                      /* a transaction cut off by the end */
}

const struct proto_desc proto_smtp = {
    .id = PROTO_SMTP,
    .name = "smtp",
    .transports = PT_TCP,
    .ports = { 25, 587, 465 },
    .probe = smtp_probe,
    .state_size = sizeof(struct smtp_state),
    .parse = smtp_parse,
    .fini = smtp_fini,
};
