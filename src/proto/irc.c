/* SPDX-License-Identifier: MIT
 * irc.c — IRC (RFC 1459, RFC 2812, IRCv3 CAP): identification by content on any port.
 * The founding case is a bot's session on TCP port 80: "NICK ^auzwybp", "USER BOT 0 * :...",
 * a server's ":irc.x 001 nick :Welcome to the Sina Network". A line is IRC when it has an
 * optional ":prefix ", then a known command or a three-digit numeric, then parameters, and
 * ends with LF or CRLF. One such line decides: IRC's commands are its own, and "USER" needs
 * IRC's four parameters (FTP's and POP3's USER has one). */
#include "proto/proto.h"
#include "proto/textline.h"

enum {
    IRC_MAX_LINE = 512,        /* RFC 2812 2.3: 512 bytes with CRLF */
    IRC_USER_PARAMS = 4,       /* USER user mode unused :realname (FTP and POP3 have one) */
};

/* Commands a client sends to register, or that only IRC has. */
static const char *const reg_cmds[] = { "NICK", "USER", "PASS", "CAP", "SERVICE", "STARTTLS" };
static const char *const any_cmds[] = {
    "NOTICE", "PING", "PONG", "PRIVMSG", "JOIN", "PART", "MODE", "QUIT", "ERROR", "TOPIC",
    "KICK", "INVITE", "WHO", "WHOIS", "ISON", "USERHOST", "AWAY", "NAMES", "LIST", "OPER",
};

/* IRC text may carry CTCP (\x01) and mIRC formatting codes; only NUL, CR and LF are out. */
static bool irc_text(struct bytes l)
{
    return !memchr(l.p, 0, l.len) && !memchr(l.p, '\r', l.len);
}

static size_t count_params(struct bytes rest)
{
    size_t n = 0;
    for (size_t i = 0; i < rest.len; i++) {
        if (rest.p[i] == ' ' && i + 1 < rest.len && rest.p[i + 1] != ' ') {
            n++;
            if (rest.p[i + 1] == ':')
                break;                        /* the trailing parameter takes the rest */
        }
    }
    return n;
}

static bool is_cmd(struct bytes cmd, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cmd.len == strlen(list[i]) && prefix_match(cmd.p, cmd.len, list[i], false) == PFX_YES)
            return true;
    return false;
}

enum irc_kind { IRC_NO, IRC_WEAK, IRC_YES };

/* "INVITE sip:bob@example.org SIP/2.0": the request line of a protocol of the HTTP family
 * (SIP, RTSP, HTTP) ends in its name and version; IRC's never does. */
static bool other_request_line(struct bytes l)
{
    static const char *const tails[] = { " SIP/2.", " RTSP/1.", " HTTP/1." };   /* + a digit */
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        size_t k = strlen(tails[i]);
        if (l.len > k + 1 && is_digit(l.p[l.len - 1]) &&
            prefix_match(l.p + l.len - 1 - k, k, tails[i], false) == PFX_YES)
            return true;
    }
    return false;
}

/* Is the line IRC: [":" prefix SP] (command | 3DIGIT) params? A registration command, an
 * IRC-only command or a numeric with parameters is enough on its own (IRC_YES); "PASS x" and
 * a "USER" with fewer than four parameters could be FTP or POP3 too (IRC_WEAK: look on). */
static enum irc_kind irc_line(struct bytes l)
{
    if (l.len == 0 || !irc_text(l) || other_request_line(l))
        return IRC_NO;
    size_t off = 0;
    if (l.p[0] == ':') {                      /* prefix: up to the first space */
        const uint8_t *sp = memchr(l.p, ' ', l.len);
        if (!sp || sp == l.p + 1)
            return IRC_NO;
        off = (size_t)(sp - l.p) + 1;
    }
    size_t n = 0;
    while (off + n < l.len && l.p[off + n] != ' ')
        n++;
    struct bytes cmd = { l.p + off, n };
    struct bytes rest = { l.p + off + n, l.len - off - n };
    size_t params = count_params(rest);
    if (cmd.len == 3 && is_digit(cmd.p[0]) && is_digit(cmd.p[1]) && is_digit(cmd.p[2]))
        /* a numeric comes from a server, so with its prefix, and always has a target; a bare
         * "220 host ready" is an SMTP or FTP greeting */
        return off > 0 && params >= 1 ? IRC_YES : IRC_NO;
    if (params == 0) {                        /* only a few commands stand alone */
        if (cmd.len == 4 && prefix_match(cmd.p, 4, "QUIT", false) == PFX_YES)
            return IRC_YES;
        if (cmd.len == 8 && prefix_match(cmd.p, 8, "STARTTLS", false) == PFX_YES)
            return IRC_WEAK;                  /* IRCv3 tls; SMTP has it too: the reply tells */
        return IRC_NO;
    }
    bool user = cmd.len == 4 && prefix_match(cmd.p, 4, "USER", false) == PFX_YES;
    bool pass = cmd.len == 4 && prefix_match(cmd.p, 4, "PASS", false) == PFX_YES;
    if (user || pass)
        return user && params >= IRC_USER_PARAMS ? IRC_YES : IRC_WEAK;
    if (is_cmd(cmd, reg_cmds, sizeof reg_cmds / sizeof reg_cmds[0]) ||
        is_cmd(cmd, any_cmds, sizeof any_cmds / sizeof any_cmds[0]))
        return IRC_YES;
    return IRC_NO;
}

/* Could this incomplete text still become an IRC line? */
static bool irc_partial(const uint8_t *d, size_t n)
{
    if (n == 0 || d[0] == ':')
        return n < IRC_MAX_LINE;
    for (size_t i = 0; i < sizeof reg_cmds / sizeof reg_cmds[0]; i++)
        if (prefix_match(d, n, reg_cmds[i], false) != PFX_NO)
            return true;
    for (size_t i = 0; i < sizeof any_cmds / sizeof any_cmds[0]; i++)
        if (prefix_match(d, n, any_cmds[i], false) != PFX_NO)
            return true;
    return false;
}

static enum probe_verdict probe_dir(const uint8_t *d, size_t n, bool midstream)
{
    size_t off = 0, next;
    if (midstream) {                          /* skip a partial first line */
        const uint8_t *lf = memchr(d, '\n', n < IRC_MAX_LINE ? n : IRC_MAX_LINE);
        if (!lf)
            return n < IRC_MAX_LINE ? PROBE_NEED_MORE : PROBE_NO;
        off = (size_t)(lf - d) + 1;
    }
    struct bytes l;
    bool too_long;
    while (text_line(d, n, off, IRC_MAX_LINE, &l, &next, &too_long)) {
        enum irc_kind k = irc_line(l);
        if (k != IRC_WEAK)
            return k == IRC_YES ? PROBE_YES : PROBE_NO;
        off = next;                           /* USER foo / PASS x: the next line tells */
    }
    if (too_long)                             /* overlong first line: judge its beginning */
        return irc_partial(d + off, IRC_MAX_LINE) && irc_text((struct bytes){ d + off, 64 })
                   ? PROBE_YES : PROBE_NO;
    return irc_partial(d + off, n - off) ? PROBE_NEED_MORE : PROBE_NO;
}

static enum probe_verdict irc_probe(const struct probe_in *in)
{
    enum probe_verdict v[2];
    for (int d = 0; d < 2; d++)
        v[d] = in->len[d] ? probe_dir(in->data[d], in->len[d], in->midstream) : PROBE_NEED_MORE;
    if (v[0] == PROBE_YES || v[1] == PROBE_YES)
        return (v[0] == PROBE_NO || v[1] == PROBE_NO) ? PROBE_NO : PROBE_YES;
    if (v[0] == PROBE_NO || v[1] == PROBE_NO)
        return PROBE_NO;
    return PROBE_NEED_MORE;
}


/* ===== Parser: lines to events ===== */

/* Splits one line (CR and LF already removed) by the RFC 2812 2.3.1 grammar:
 *   [":" prefix SPACE] command *14(SPACE middle) [SPACE ":" trailing]
 * tolerant of repeated spaces and a missing prefix. Slices borrow from line. */
void irc_parse_line(struct bytes line, struct irc_msg *m)
{
    memset(m, 0, sizeof *m);
    struct rd r = rd_init(line.p, line.len);
    if (rd_left(&r) && r.p[0] == ':') {
        rd_skip(&r, 1);
        size_t n = 0;
        while (n < rd_left(&r) && r.p[r.off + n] != ' ')
            n++;
        m->prefix = rd_bytes(&r, n);
        /* nick!user@host: the parts that are there */
        const uint8_t *bang = memchr(m->prefix.p, '!', m->prefix.len);
        const uint8_t *at = memchr(m->prefix.p, '@', m->prefix.len);
        const uint8_t *nick_end = bang ? bang : at ? at : m->prefix.p + m->prefix.len;
        m->nick = (struct bytes){ m->prefix.p, (size_t)(nick_end - m->prefix.p) };
        if (bang && (!at || at > bang))
            m->user = (struct bytes){ bang + 1, (size_t)((at ? at : m->prefix.p + m->prefix.len) -
                                                         bang - 1) };
        if (at)
            m->host = (struct bytes){ at + 1, (size_t)(m->prefix.p + m->prefix.len - at - 1) };
    }
    while (rd_left(&r) && r.p[r.off] == ' ')
        rd_skip(&r, 1);
    size_t n = 0;
    while (n < rd_left(&r) && r.p[r.off + n] != ' ')
        n++;
    m->command = rd_bytes(&r, n);
    if (m->command.len == 3 && is_digit(m->command.p[0]) && is_digit(m->command.p[1]) &&
        is_digit(m->command.p[2]))
        m->numeric = (unsigned)(m->command.p[0] - '0') * 100 + (unsigned)(m->command.p[1] - '0') * 10 +
                     (unsigned)(m->command.p[2] - '0');
    while (rd_left(&r) && m->nparams < IRC_MAX_PARAMS) {
        while (rd_left(&r) && r.p[r.off] == ' ')
            rd_skip(&r, 1);
        if (!rd_left(&r))
            break;
        if (r.p[r.off] == ':' || m->nparams == IRC_MAX_PARAMS - 1) {
            if (r.p[r.off] == ':')
                rd_skip(&r, 1);
            m->params[m->nparams++] = rd_rest(&r);
            m->has_trailing = true;
            break;
        }
        size_t k = 0;
        while (k < rd_left(&r) && r.p[r.off + k] != ' ')
            k++;
        m->params[m->nparams++] = rd_bytes(&r, k);
    }
    /* CTCP (the CTCP draft): PRIVMSG/NOTICE text "\x01COMMAND args\x01" */
    bool msg = (m->command.len == 7 && prefix_match(m->command.p, 7, "PRIVMSG", true) == PFX_YES) ||
               (m->command.len == 6 && prefix_match(m->command.p, 6, "NOTICE", true) == PFX_YES);
    if (msg && m->nparams >= 2) {
        struct bytes t = m->params[m->nparams - 1];
        if (t.len >= 2 && t.p[0] == 0x01) {
            size_t end = t.len;
            if (t.p[end - 1] == 0x01)
                end--;
            size_t k = 1;
            while (k < end && t.p[k] != ' ')
                k++;
            m->ctcp = (struct bytes){ t.p + 1, k - 1 };
            if (k < end)
                m->ctcp_args = (struct bytes){ t.p + k + 1, end - k - 1 };
        }
    }
}

struct irc_state {
    uint8_t line[2][IRC_MAX_LINE];  /* a line split across segments, by direction */
    uint16_t len[2];
    bool overlong[2];               /* the current line passed IRC_MAX_LINE: cut, rest dropped */
    bool resync[2];                 /* after a gap: drop up to the next LF (a line's tail) */
};

static void emit_line(struct app_sink *sink, const struct flow *f, enum flow_dir dir,
                      struct bytes line, bool truncated)
{
    if (line.len && line.p[line.len - 1] == '\r')
        line.len--;
    if (line.len == 0)
        return;
    struct irc_msg m;
    irc_parse_line(line, &m);
    m.truncated = truncated;
    struct app_event ev = { .type = APP_EV_IRC, .dir = dir, .ts_us = sink->now_us,
                            .u.irc = &m };
    sink->emit(sink->ctx, f, &ev);
}

static void irc_parse(struct app_sink *sink, const struct flow *f, void *state,
                      enum flow_dir dir, const uint8_t *data, size_t len)
{
    struct irc_state *s = state;
    if (!data) {                      /* a gap: the line in progress is lost, and so is */
        s->len[dir] = 0;              /* the tail of the line the gap cut into */
        s->overlong[dir] = false;
        s->resync[dir] = true;
        return;
    }
    if (s->resync[dir]) {
        if (!skip_line_tail(&data, &len))
            return;
        s->resync[dir] = false;
    }
    while (len) {
        const uint8_t *lf = memchr(data, '\n', len);
        size_t n = lf ? (size_t)(lf - data) : len;
        if (s->len[dir] == 0 && !s->overlong[dir] && lf && n < IRC_MAX_LINE) {
            emit_line(sink, f, dir, (struct bytes){ data, n }, false);   /* whole: no copy */
        } else {
            size_t room = IRC_MAX_LINE - s->len[dir];
            size_t take = n < room ? n : room;
            memcpy(s->line[dir] + s->len[dir], data, take);
            s->len[dir] = (uint16_t)(s->len[dir] + take);
            if (take < n)
                s->overlong[dir] = true;
            if (lf) {
                emit_line(sink, f, dir, (struct bytes){ s->line[dir], s->len[dir] },
                          s->overlong[dir]);
                s->len[dir] = 0;
                s->overlong[dir] = false;
            }
        }
        if (!lf)
            break;
        data += n + 1;
        len -= n + 1;
    }
}

/* The end of the flow: a last line without its LF is still a message. */
static void irc_fini(struct app_sink *sink, const struct flow *f, void *state)
{
    struct irc_state *s = state;
    for (int dir = 0; dir < 2; dir++)
        if (s->len[dir])
            emit_line(sink, f, (enum flow_dir)dir,
                      (struct bytes){ s->line[dir], s->len[dir] }, s->overlong[dir]);
}

const struct proto_desc proto_irc = {
    .id = PROTO_IRC,
    .name = "irc",
    .transports = PT_TCP,
    .ports = { 6667, 6660, 6665, 6666, 6668, 6669, 7000, 194 },
    .probe = irc_probe,
    .state_size = sizeof(struct irc_state),
    .parse = irc_parse,
    .fini = irc_fini,
};
