/* SPDX-License-Identifier: MIT
 * ftp.c — FTP control connection identification (RFC 959 4.2, 5.4): a "220" greeting, then
 * the client's USER, AUTH (RFC 4217) or anonymous login. A greeting naming FTP decides. */
#include "proto/mailftp.h"

static const char *const ftp_cmds[] = { "USER ", "AUTH TLS", "AUTH SSL", "FEAT", "SYST",
                                        "OPTS UTF8" };

static enum probe_verdict ftp_probe(const struct probe_in *in)
{
    static const char *const ours[] = { "FTP" };
    return greet_220_probe(in, ours, 1, "SMTP", ftp_cmds, sizeof ftp_cmds / sizeof ftp_cmds[0],
                           false);
}


/* ===== Parser: commands and replies; the data connections they announce =====
 * FTP is strictly one command, one final reply (RFC 959 4.2; multi-line replies end with
 * "xyz " after "xyz-" lines). PORT/EPRT (RFC 2428) announce where the client listens,
 * 227 and 229 replies to PASV/EPSV where the server listens: each becomes an expectation, so
 * the data connection is named ftp-data and tied to this flow (related_flow_id). The
 * addresses are the control connection's own (an announced address can be NATed or forged);
 * only the port is taken from the text. */

#include "proto/textlines.h"

enum { FTP_EXPECT_US = 120 * 1000000 };

struct ftp_state {
    struct text_lines tl;
    bool pending;                    /* a command is waiting for its final reply */
    struct app_sink *sink;           /* for the line callback */
    const struct flow *f;
    uint8_t cmd[16], arg[256];
    struct ftp_cmd c;
};

static uint16_t ftp_port_from_octets(struct bytes t)
{
    /* "h1,h2,h3,h4,p1,p2" somewhere in t: the last two numbers are the port */
    unsigned v[6], n = 0, cur = 0;
    bool in = false;
    for (size_t i = 0; i <= t.len && n < 6; i++) {
        uint8_t ch = i < t.len ? t.p[i] : ' ';
        if (is_digit(ch)) {
            cur = cur * 10 + (unsigned)(ch - '0');
            in = true;
            if (cur > 255)
                return 0;
        } else if (in) {
            v[n++] = cur;
            cur = 0;
            in = false;
            if (ch != ',' && n < 6)
                n = 0;                       /* not part of the six-number list */
        }
    }
    return n == 6 ? (uint16_t)(v[4] << 8 | v[5]) : 0;
}

static uint16_t ftp_port_from_delims(struct bytes t)
{
    /* EPRT |1|addr|port|  or  229 ... (|||port|): the number after the last-but-one '|' */
    size_t last = t.len, prev = t.len;
    for (size_t i = t.len; i > 0; i--)
        if (t.p[i - 1] == '|') {
            if (last == t.len)
                last = i - 1;
            else {
                prev = i - 1;
                break;
            }
        }
    if (prev >= last)
        return 0;
    unsigned port = 0;
    for (size_t i = prev + 1; i < last; i++) {
        if (!is_digit(t.p[i]) || (port = port * 10 + (unsigned)(t.p[i] - '0')) > 65535)
            return 0;
    }
    return (uint16_t)port;
}

static void expect_data(struct app_sink *sink, const struct flow *f, bool client_listens,
                        uint16_t port)
{
    if (!sink->expect || !port)
        return;
    struct app_expect x = { .family = f->key.family, .proto = PROTO_FTP_DATA,
                            .listen_port = port, .owner = f->id,
                            .expires_us = sink->now_us + FTP_EXPECT_US };
    int lis = client_listens ? f->client_side : !f->client_side;
    memcpy(x.listen_addr, f->key.addr[lis], 16);
    memcpy(x.peer_addr, f->key.addr[!lis], 16);
    sink->expect(sink->ctx, &x);
}

static void ftp_emit(struct app_sink *sink, const struct flow *f, struct ftp_state *s)
{
    struct app_event ev = { .type = APP_EV_FTP, .dir = DIR_TOSERVER, .ts_us = sink->now_us,
                            .u.ftp = &s->c };
    sink->emit(sink->ctx, f, &ev);
    s->pending = false;
}

static void ftp_line(struct app_sink *sink, const struct flow *f, struct ftp_state *s,
                     enum flow_dir dir, struct bytes l)
{
    if (dir == DIR_TOSERVER) {
        if (s->pending)
            ftp_emit(sink, f, s);            /* a command that got no reply */
        size_t n = 0;
        while (n < l.len && l.p[n] != ' ')
            n++;
        size_t cn = n < sizeof s->cmd ? n : sizeof s->cmd;
        memcpy(s->cmd, l.p, cn);
        for (size_t i = 0; i < cn; i++)      /* commands are case-insensitive: report upper */
            if (s->cmd[i] >= 'a' && s->cmd[i] <= 'z')
                s->cmd[i] = (uint8_t)(s->cmd[i] - 32);
        size_t an = n < l.len ? l.len - n - 1 : 0;
        an = an < sizeof s->arg ? an : sizeof s->arg;
        if (an)
            memcpy(s->arg, l.p + n + 1, an);
        memset(&s->c, 0, sizeof s->c);
        s->c.command = (struct bytes){ s->cmd, cn };
        s->c.arg = (struct bytes){ s->arg, an };
        s->pending = true;
        if (cn == 4 && memcmp(s->cmd, "PORT", 4) == 0)
            expect_data(sink, f, true, s->c.data_port = ftp_port_from_octets(s->c.arg));
        else if (cn == 4 && memcmp(s->cmd, "EPRT", 4) == 0)
            expect_data(sink, f, true, s->c.data_port = ftp_port_from_delims(s->c.arg));
        return;
    }
    if (l.len < 3 || !is_digit(l.p[0]) || !is_digit(l.p[1]) || !is_digit(l.p[2]))
        return;                              /* a continuation line of a multi-line reply */
    if (l.len > 3 && l.p[3] == '-')
        return;
    unsigned code = (unsigned)(l.p[0] - '0') * 100 + (unsigned)(l.p[1] - '0') * 10 +
                    (unsigned)(l.p[2] - '0');
    if (code == 227 || code == 229) {        /* PASV / EPSV: the server listens */
        uint16_t port = code == 227 ? ftp_port_from_octets(l) : ftp_port_from_delims(l);
        s->c.data_port = port;
        expect_data(sink, f, false, port);
    }
    if (!s->pending)
        return;                              /* the greeting, or an unsolicited reply */
    if (code / 100 == 1)
        return;                              /* preliminary (150): the final one follows */
    s->c.reply = code;
    s->c.reply_text = l;                 /* borrowed: valid while the event is emitted */
    ftp_emit(sink, f, s);
}

static void ftp_line_cb(void *ctx, enum flow_dir dir, struct bytes l)
{
    struct ftp_state *s = ctx;
    ftp_line(s->sink, s->f, s, dir, l);
}

static void ftp_parse(struct app_sink *sink, const struct flow *f, void *state,
                      enum flow_dir dir, const uint8_t *data, size_t len)
{
    struct ftp_state *s = state;
    s->sink = sink;
    s->f = f;
    text_lines_feed(&s->tl, dir, data, len, s, ftp_line_cb, NULL);
}

static void ftp_fini(struct app_sink *sink, const struct flow *f, void *state)
{
    struct ftp_state *s = state;
    if (s->pending)
        ftp_emit(sink, f, s);
}

const struct proto_desc proto_ftp = {
    .id = PROTO_FTP,
    .name = "ftp",
    .transports = PT_TCP,
    .ports = { 21, 2121 },
    .probe = ftp_probe,
    .state_size = sizeof(struct ftp_state),
    .parse = ftp_parse,
    .fini = ftp_fini,
};


/* ftp-data is never found by its bytes: only as a connection an FTP control flow announced. */
static enum probe_verdict ftp_data_probe(const struct probe_in *in)
{
    (void)in;
    return PROBE_NO;
}

const struct proto_desc proto_ftp_data = {
    .id = PROTO_FTP_DATA,
    .name = "ftp-data",
    .transports = PT_TCP,
    .ports = { 0 },                      /* negotiated on the control connection */
    .probe = ftp_data_probe,
};
