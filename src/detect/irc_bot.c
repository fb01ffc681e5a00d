/* SPDX-License-Identifier: MIT
 * irc_bot.c — detectors 1-5 and 12 on IRC sessions of internal clients:
 *   1 IRC off its ports (with the network name from the 001 welcome or 005 NETWORK=),
 *   2 bot nicknames (nick_score.c) and bot-like USER lines and user modes,
 *   3 channel groups: internal hosts in one channel that look or act alike (BotSniffer's
 *     "spatial-temporal correlation", reduced to what one capture shows),
 *   4 encoded or encrypted channel text, CTCP requests and the VERSION reply,
 *   5 keepalive cadence (PING/PONG rounds and their regularity),
 *  12 web chat: the same host fetched a chat client from the same server just before.
 * A session is judged when its connection ends; groups at the end of the input. */
#include "detect/internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

enum { SESS_MAX_PINGS = 64, SESS_MAX_CHANS = 8, CHAN_MAX_MEMBERS = 32, NAME_LEN = 48,
       CHAN_MAX = 4096, SESS_MAX_ANSWERS = 12, SESS_TRIGGERS = 6,
       ANSWER_WINDOW_US = 10000000 };

/* A channel message from someone else that the client answered in the channel within
 * ANSWER_WINDOW_US, and how: BotSniffer's "answering the same command alike". */
struct answer {
    uint64_t chan;               /* hash of the channel's name in lower case */
    uint64_t trigger;            /* hash of the channel, the sender's nick and the text */
    uint64_t reply;              /* hash of the answer's text */
    bool encoded;                /* the answer was encoded */
    char text[24];               /* the trigger's text, for the evidence */
};

struct irc_sess {
    uint64_t flow_id;
    uint8_t family, cli[16], srv[16];
    uint16_t port;
    uint64_t start_us, last_us;
    char nick[NAME_LEN], user[NAME_LEN], realname[64], umode[24], network[64];
    bool bot_user;
    uint64_t ping_us[SESS_MAX_PINGS];      /* keepalive rounds: the client's PONGs and PINGs */
    unsigned npings;
    uint64_t pings_total;
    unsigned texts, encoded, echo_encoded;
    const char *enc_how;
    char enc_sample[64];
    uint64_t enc_us;
    char ctcp_req[16];                     /* the last CTCP request the client received */
    uint64_t ctcp_req_us;
    char version[96];                      /* its CTCP VERSION reply: the client's fingerprint */
    uint64_t version_us;
    char chans[SESS_MAX_CHANS][NAME_LEN];
    unsigned nchans;
    struct {                               /* the last channel messages from others */
        uint64_t chan, hash, us;
        char text[24];
    } trig[SESS_TRIGGERS];
    unsigned ntrig;
    struct answer answers[SESS_MAX_ANSWERS];
    unsigned nanswers;
};

struct irc_member {
    uint8_t host[16];
    uint64_t flow_id, join_us;
    char nick[NAME_LEN], shape[NAME_LEN], user[NAME_LEN], version[96];
    double score;
    unsigned encoded;
    struct answer answers[SESS_MAX_ANSWERS];
    unsigned nanswers;
};

struct irc_chan {
    uint8_t family, srv[16];
    uint16_t port;
    char name[NAME_LEN];                   /* lower case */
    struct irc_member *m;                  /* n members in room for cap; grows by doubling up
                                              to CHAN_MAX_MEMBERS (a member is ~1 KB, and
                                              most channels seen have one or two) */
    unsigned n, cap;
    uint64_t joins_total;
    struct finding *group;                 /* its irc-bot-group, once there is one */
};

struct chat_fetch {
    uint8_t srv[16];
    uint64_t ts_us, flow_id;
    char what[EVIDENCE_TEXT];
};

static bool sess_eq(const void *rec, const void *key)
{
    return ((const struct irc_sess *)rec)->flow_id == *(const uint64_t *)key;
}

static uint64_t id_hash(uint64_t id)
{
    return hmap_hash(&id, sizeof id, 0x1ec);
}

static void copy_bytes(char *out, size_t cap, struct bytes b)
{
    text_copy(out, cap, b.p, b.len);
}

static bool is_channel(struct bytes b)
{
    return b.len && (b.p[0] == '#' || b.p[0] == '&' || b.p[0] == '+' || b.p[0] == '!');
}

/* The usual IRC server ports (IANA 194, 6665-6669, 6697 for TLS; 6660-6664 and 7000 by long
 * custom). Anything else is "off its ports". */
static bool irc_port_usual(uint16_t p)
{
    return (p >= 6660 && p <= 6669) || p == 6697 || p == 7000 || p == 194;
}

/* The channel's name in lower case, hashed (RFC 2812 1.3: names are case-insensitive). */
static uint64_t chan_name_hash(const uint8_t *p, size_t n)
{
    uint8_t low[NAME_LEN];
    size_t k = n < sizeof low ? n : sizeof low;
    for (size_t i = 0; i < k; i++)
        low[i] = (uint8_t)tolower(p[i]);
    return hmap_hash(low, k, 0xc4a);
}

/* ---- channels ---- */

struct chan_key {
    uint8_t family;
    const uint8_t *srv;
    uint16_t port;
    const char *name;
};

static bool chan_eq(const void *rec, const void *key)
{
    const struct irc_chan *c = rec;
    const struct chan_key *k = key;
    return c->family == k->family && c->port == k->port && memcmp(c->srv, k->srv, 16) == 0 &&
           strcmp(c->name, k->name) == 0;
}

static uint64_t chan_hash(const struct chan_key *k)
{
    return hmap_hash(k->name, strlen(k->name), hmap_hash(k->srv, 16, k->port));
}

static struct irc_chan *chan_get(struct detect *d, const struct irc_sess *s, const char *name,
                                 bool create)
{
    struct chan_key k = { s->family, s->srv, s->port, name };
    uint64_t hv = chan_hash(&k);
    struct irc_chan *c = hmap_get(&d->chans, hv, chan_eq, &k);
    if (c || !create || d->chans.n >= CHAN_MAX)
        return c;
    c = detect_alloc(d, sizeof *c);
    if (!c)
        return NULL;
    c->family = s->family;
    memcpy(c->srv, s->srv, 16);
    c->port = s->port;
    snprintf(c->name, sizeof c->name, "%s", name);
    if (!hmap_put(&d->chans, hv, c)) {
        detect_release(d, c, sizeof *c);
        return NULL;
    }
    return c;
}

static void chan_join(struct detect *d, struct irc_sess *s, struct bytes name, uint64_t ts)
{
    char low[NAME_LEN];
    copy_bytes(low, sizeof low, name);
    for (char *p = low; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    bool known = false;
    for (unsigned i = 0; i < s->nchans; i++)
        known |= strcmp(s->chans[i], low) == 0;
    if (!known && s->nchans < SESS_MAX_CHANS)
        snprintf(s->chans[s->nchans++], NAME_LEN, "%s", low);
    struct irc_chan *c = chan_get(d, s, low, true);
    if (!c)
        return;
    c->joins_total++;
    for (unsigned i = 0; i < c->n; i++)
        if (c->m[i].flow_id == s->flow_id)
            return;
    if (c->n == CHAN_MAX_MEMBERS)
        return;
    if (c->n == c->cap) {
        unsigned cap = c->cap ? c->cap * 2 : 2;
        struct irc_member *nm = detect_alloc(d, cap * sizeof *nm);
        if (!nm)
            return;
        if (c->n)
            memcpy(nm, c->m, c->n * sizeof *nm);
        detect_release(d, c->m, c->cap * sizeof *c->m);
        c->m = nm;
        c->cap = cap;
    }
    struct irc_member *m = &c->m[c->n++];
    memcpy(m->host, s->cli, 16);
    m->flow_id = s->flow_id;
    m->join_us = ts;
    snprintf(m->nick, sizeof m->nick, "%s", s->nick);
}

/* ---- sessions ---- */

static struct irc_sess *sess_get(struct detect *d, const struct conn_event *c)
{
    uint64_t hv = id_hash(c->flow_id);
    struct irc_sess *s = hmap_get(&d->irc, hv, sess_eq, &c->flow_id);
    if (s)
        return s;
    if (!detect_is_home(d, c->family, c->src))
        return NULL;                       /* the client is not ours */
    s = detect_alloc(d, sizeof *s);
    if (!s)
        return NULL;
    s->flow_id = c->flow_id;
    s->family = c->family;
    memcpy(s->cli, c->src, 16);
    memcpy(s->srv, c->dst, 16);
    s->port = c->dport;
    s->start_us = c->start_us;
    if (!hmap_put(&d->irc, hv, s)) {
        detect_release(d, s, sizeof *s);
        return NULL;
    }
    d->st.sessions++;
    return s;
}

/* "Welcome to the Sina Network ^nick!..." -> "Sina Network"; "Welcome to the Internet Relay
 * Network nick" -> "Internet Relay Network". */
static void network_from_welcome(struct irc_sess *s, struct bytes t)
{
    static const char w[] = "Welcome to the ";
    size_t k = sizeof w - 1;
    if (t.len <= k || strncasecmp((const char *)t.p, w, k) != 0)
        return;
    size_t i = k, end = k;
    while (i < t.len) {                      /* up to and including the word "Network" */
        size_t j = i;
        while (j < t.len && t.p[j] != ' ')
            j++;
        if (j - i >= 7 && strncasecmp((const char *)t.p + j - 7, "Network", 7) == 0) {
            end = j;
            break;
        }
        i = j + 1;
    }
    if (end > k)
        copy_bytes(s->network, sizeof s->network, (struct bytes){ t.p + k, end - k });
}

static void on_005(struct irc_sess *s, const struct irc_msg *m)
{
    for (unsigned i = 1; i < m->nparams; i++) {
        struct bytes p = m->params[i];
        if (p.len > 8 && memcmp(p.p, "NETWORK=", 8) == 0)
            copy_bytes(s->network, sizeof s->network, (struct bytes){ p.p + 8, p.len - 8 });
    }
}

static bool cmd_is(struct bytes c, const char *s)
{
    size_t n = strlen(s);
    return c.len == n && strncasecmp((const char *)c.p, s, n) == 0;
}

static void keepalive_round(struct irc_sess *s, uint64_t ts)
{
    s->pings_total++;
    if (s->npings < SESS_MAX_PINGS)
        s->ping_us[s->npings++] = ts;
}

static void client_text(struct detect *d, struct irc_sess *s, const struct irc_msg *m,
                        uint64_t ts)
{
    (void)d;
    if (m->nparams < 2)
        return;
    struct bytes target = m->params[0], text = m->params[m->nparams - 1];
    if (m->ctcp.len) {
        if (cmd_is(m->command, "NOTICE") && cmd_is(m->ctcp, "VERSION")) {
            copy_bytes(s->version, sizeof s->version, m->ctcp_args);
            s->version_us = ts;
        }
        return;
    }
    s->texts++;
    const char *how;
    bool enc = text_encoded(text.p, text.len, &how);
    /* an answer to every recent message: when bots answer together, each sees the others'
     * answers before its own goes out; only answers alike count later */
    uint64_t tchan = chan_name_hash(target.p, target.len);
    for (unsigned t = 0; is_channel(target) && t < s->ntrig; t++) {
        if (ts - s->trig[t].us > ANSWER_WINDOW_US || s->trig[t].chan != tchan)
            continue;
        bool known = false;
        for (unsigned i = 0; i < s->nanswers && i < SESS_MAX_ANSWERS; i++)
            known |= s->answers[i].trigger == s->trig[t].hash;
        if (!known) {                             /* a ring: the latest answers are kept */
            struct answer *a = &s->answers[s->nanswers++ % SESS_MAX_ANSWERS];
            a->chan = tchan;
            a->trigger = s->trig[t].hash;
            a->reply = hmap_hash(text.p, text.len, 0);
            a->encoded = enc;
            memcpy(a->text, s->trig[t].text, sizeof a->text);
        }
    }
    if (!enc)
        return;
    s->encoded++;
    if (!s->enc_how) {
        s->enc_how = how;
        s->enc_us = ts;
        copy_bytes(s->enc_sample, sizeof s->enc_sample, text);
    }
    /* a CTCP request answered with an encoded line to a channel (the 2000 botnet's echo) */
    if (is_channel(target) && s->ctcp_req_us && ts - s->ctcp_req_us <= 30000000ull)
        s->echo_encoded++;
}

void irc_app(struct detect *d, const struct conn_event *c, const struct app_event *ev)
{
    struct irc_sess *s = sess_get(d, c);
    if (!s)
        return;
    const struct irc_msg *m = ev->u.irc;
    s->last_us = ev->ts_us;
    if (ev->dir == DIR_TOSERVER) {
        if (cmd_is(m->command, "NICK") && m->nparams >= 1) {
            copy_bytes(s->nick, sizeof s->nick, m->params[0]);
        } else if (cmd_is(m->command, "USER") && m->nparams >= 1) {
            copy_bytes(s->user, sizeof s->user, m->params[0]);
            if (m->nparams >= 4)
                copy_bytes(s->realname, sizeof s->realname, m->params[3]);
            s->bot_user = irc_user_botlike(m->params[0].p, m->params[0].len);
        } else if (cmd_is(m->command, "MODE") && m->nparams >= 2 && !is_channel(m->params[0])) {
            copy_bytes(s->umode, sizeof s->umode, m->params[1]);
        } else if (cmd_is(m->command, "JOIN") && m->nparams >= 1) {
            struct bytes l = m->params[0];
            for (size_t i = 0; i < l.len;) {         /* "#a,#b" */
                size_t j = i;
                while (j < l.len && l.p[j] != ',')
                    j++;
                struct bytes one = { l.p + i, j - i };
                if (is_channel(one))
                    chan_join(d, s, one, ev->ts_us);
                i = j + 1;
            }
        } else if (cmd_is(m->command, "PRIVMSG") || cmd_is(m->command, "NOTICE")) {
            client_text(d, s, m, ev->ts_us);
        } else if (cmd_is(m->command, "PONG") || cmd_is(m->command, "PING")) {
            keepalive_round(s, ev->ts_us);
        }
        return;
    }
    if (m->numeric == 1 && m->nparams >= 2)
        network_from_welcome(s, m->params[m->nparams - 1]);
    else if (m->numeric == 5)
        on_005(s, m);
    else if (cmd_is(m->command, "PRIVMSG") && m->ctcp.len) {
        copy_bytes(s->ctcp_req, sizeof s->ctcp_req, m->ctcp);
        s->ctcp_req_us = ev->ts_us;
    } else if (cmd_is(m->command, "PRIVMSG") && m->nparams >= 2 && is_channel(m->params[0])) {
        struct bytes text = m->params[m->nparams - 1];
        /* a free or stale slot; when all are recent the new message is not kept, so a burst
         * of bots' answers cannot push out the command they answer */
        unsigned k = SESS_TRIGGERS;
        for (unsigned i = 0; i < SESS_TRIGGERS && k == SESS_TRIGGERS; i++)
            if (i >= s->ntrig || ev->ts_us - s->trig[i].us > ANSWER_WINDOW_US)
                k = i;
        if (k == SESS_TRIGGERS)
            return;
        if (k >= s->ntrig)
            s->ntrig = k + 1;
        s->trig[k].hash = hmap_hash(text.p, text.len,
                                    hmap_hash(m->nick.p, m->nick.len,
                                              hmap_hash(m->params[0].p, m->params[0].len, 7)));
        s->trig[k].us = ev->ts_us;
        s->trig[k].chan = chan_name_hash(m->params[0].p, m->params[0].len);
        copy_bytes(s->trig[k].text, sizeof s->trig[k].text, text);
    }
}

/* ---- judging a session ---- */

static void add_version(struct finding *f, const struct irc_sess *s)
{
    if (f && s->version[0])
        finding_evidence(f, s->flow_id, s->version_us, "CTCP VERSION reply: %s", s->version);
}

static void judge_port(struct detect *d, struct host *h, const struct irc_sess *s,
                       const char *srv)
{
    if (irc_port_usual(s->port))
        return;
    struct finding *f = finding_of(d, h, FK_IRC_NONSTD_PORT, 2, 0.9);
    if (!f)
        return;
    finding_summary(f, "IRC on TCP port %u, not an IRC port%s%s%s", s->port,
                    s->network[0] ? " (network \"" : "", s->network,
                    s->network[0] ? "\")" : "");
    finding_evidence(f, s->flow_id, s->start_us, "IRC session to %s:%u, nick %s, network %s",
                     srv, s->port, s->nick[0] ? s->nick : "(none)",
                     s->network[0] ? s->network : "(no welcome seen)");
}

static struct finding *judge_nick(struct detect *d, struct host *h, const struct irc_sess *s)
{
    struct nick_score ns;
    nick_score((const uint8_t *)s->nick, strlen(s->nick), &ns);
    bool nick_bot = s->nick[0] && ns.score >= d->cfg.th.nick_score;
    if (!nick_bot && !s->bot_user)
        return NULL;
    int sev = nick_bot && s->bot_user ? 1 : 2;
    double conf = 1.0 - (1.0 - (nick_bot ? ns.score : 0)) * (1.0 - (s->bot_user ? 0.6 : 0));
    struct finding *f = finding_of(d, h, FK_IRC_BOT_NICK, sev, conf);
    if (!f)
        return NULL;
    if (!f->summary[0] || sev == 1)
        finding_summary(f, "bot-like IRC identity: nickname %s%s%s", s->nick,
                        nick_bot ? " (template-like)" : "",
                        s->bot_user ? ", bot-like USER line" : "");
    if (nick_bot)
        finding_evidence(f, s->flow_id, s->start_us, "NICK %s: score %.2f (%s)", s->nick,
                         ns.score, ns.why);
    if (s->user[0])
        finding_evidence(f, s->flow_id, s->start_us, "USER %s ... :%s%s", s->user,
                         s->realname, s->bot_user ? " (bot word)" : "");
    if (s->umode[0])
        finding_evidence(f, s->flow_id, s->start_us, "user mode %s", s->umode);
    return f;
}

static struct finding *judge_text(struct detect *d, struct host *h, const struct irc_sess *s)
{
    bool echo = s->echo_encoded > 0;
    if (s->encoded < d->cfg.th.encoded_min && !echo)
        return NULL;
    double share = s->texts ? (double)s->encoded / s->texts : 0;
    struct finding *f = finding_of(d, h, FK_IRC_ENCRYPTED, echo ? 1 : 2,
                                   0.5 + 0.4 * share);
    if (!f)
        return NULL;
    finding_summary(f, "%u of %u messages to IRC are encoded or encrypted (%s)%s",
                    s->encoded, s->texts, s->enc_how,
                    echo ? "; a CTCP request was echoed to a channel in encoded form" : "");
    finding_evidence(f, s->flow_id, s->enc_us, "%s text: %s", s->enc_how, s->enc_sample);
    if (echo)
        finding_evidence(f, s->flow_id, s->ctcp_req_us, "CTCP %s received, then %u encoded "
                         "line%s to a channel within 30 s", s->ctcp_req, s->echo_encoded,
                         s->echo_encoded == 1 ? "" : "s");
    return f;
}

static void judge_keepalive(struct detect *d, struct host *h, const struct irc_sess *s,
                            uint64_t end_us)
{
    if (s->npings < d->cfg.th.keepalive_min)
        return;
    double sum = 0, sq = 0;
    unsigned n = s->npings - 1;
    for (unsigned i = 1; i < s->npings; i++) {
        double dt = (double)(s->ping_us[i] - s->ping_us[i - 1]) / 1e6;
        sum += dt;
        sq += dt * dt;
    }
    double mean = sum / n, sd = sqrt(fmax(0, sq / n - mean * mean));
    if (mean <= 0 || sd / mean > d->cfg.th.keepalive_max_cv)
        return;
    struct finding *f = finding_of(d, h, FK_IRC_KEEPALIVE, 3, 0.6);
    if (!f)
        return;
    double dur = (double)(end_us - s->start_us) / 1e6;
    finding_summary(f, "regular IRC keepalive: %" PRIu64 " PING/PONG rounds every %.1f s "
                    "(sd %.1f s) in a %.0f s session", s->pings_total, mean, sd, dur);
    finding_evidence(f, s->flow_id, s->ping_us[s->npings - 1], "%" PRIu64 " rounds, mean "
                     "interval %.2f s, sd %.2f s, session %.0f s, nick %s", s->pings_total,
                     mean, sd, dur, s->nick);
}

static void judge_webchat(struct detect *d, struct host *h, const struct irc_sess *s)
{
    for (unsigned i = 0; i < h->nfetch; i++) {
        const struct chat_fetch *cf = &h->fetches[i];
        if (memcmp(cf->srv, s->srv, 16) != 0 || cf->ts_us > s->start_us ||
            s->start_us - cf->ts_us > d->cfg.th.webchat_window_us)
            continue;
        struct finding *f = finding_of(d, h, FK_WEB_CHAT, 3, 0.7);
        if (!f)
            return;
        finding_summary(f, "IRC session preceded by a web chat client from the same server: "
                        "likely a browser-embedded web chat, not a bot");
        finding_evidence(f, cf->flow_id, cf->ts_us, "%s", cf->what);
        finding_evidence(f, s->flow_id, s->start_us, "then IRC as %s, %.0f s later", s->nick,
                         (double)(s->start_us - cf->ts_us) / 1e6);
        return;
    }
}

static void member_update(struct detect *d, const struct irc_sess *s, double score)
{
    for (unsigned i = 0; i < s->nchans; i++) {
        struct irc_chan *c = chan_get(d, s, s->chans[i], false);
        for (unsigned j = 0; c && j < c->n; j++) {
            struct irc_member *m = &c->m[j];
            if (m->flow_id != s->flow_id)
                continue;
            snprintf(m->nick, sizeof m->nick, "%s", s->nick);
            nick_shape((const uint8_t *)s->nick, strlen(s->nick), m->shape, sizeof m->shape);
            snprintf(m->user, sizeof m->user, "%s", s->user);
            snprintf(m->version, sizeof m->version, "%s", s->version);
            m->encoded = s->encoded;
            m->score = score;
            uint64_t ch = chan_name_hash((const uint8_t *)c->name, strlen(c->name));
            m->nanswers = 0;
            for (unsigned k = 0; k < s->nanswers && k < SESS_MAX_ANSWERS; k++)
                if (s->answers[k].chan == ch)        /* this channel's answers only */
                    m->answers[m->nanswers++] = s->answers[k];
        }
    }
}

/* open: the session is still going (a flush while running): everything but the keepalive
 * cadence, which is judged on the whole session when it ends. */
static void sess_judge(struct detect *d, struct irc_sess *s, const struct conn_event *c,
                       bool open)
{
    struct host *h = detect_host(d, s->family, s->cli);
    struct nick_score ns;
    nick_score((const uint8_t *)s->nick, strlen(s->nick), &ns);
    member_update(d, s, ns.score);
    if (!h)
        return;
    char srv[48];
    addr_text(s->family, s->srv, srv);
    judge_port(d, h, s, srv);
    struct finding *fn = judge_nick(d, h, s), *ft = judge_text(d, h, s);
    add_version(ft ? ft : fn, s);
    if (!open)
        judge_keepalive(d, h, s, c ? c->end_us : s->last_us);
    judge_webchat(d, h, s);
}

void irc_conn(struct detect *d, const struct conn_event *c)
{
    if ((c->app_proto != PROTO_IRC && c->app_tunnel != PROTO_IRC) || !d->irc.n)
        return;                                /* sessions come from IRC events only */
    uint64_t hv = id_hash(c->flow_id);
    struct irc_sess *s = hmap_del(&d->irc, hv, sess_eq, &c->flow_id);
    if (!s)
        return;
    sess_judge(d, s, c, false);
    detect_release(d, s, sizeof *s);
}

/* ---- web pages that serve a chat client ---- */

static bool contains_ci(struct bytes b, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= b.len; i++)
        if ((b.p[i] | 0x20) == w[0] && strncasecmp((const char *)b.p + i + 1, w + 1, k - 1) == 0)
            return true;
    return false;
}

/* "chat" or "irc" anywhere, any case: one pass, since every HTTP response comes here. */
static bool names_chat(struct bytes b)
{
    for (size_t i = 0; i + 3 <= b.len; i++) {
        int c = b.p[i] | 0x20;
        if (c == 'c' && i + 4 <= b.len && (b.p[i + 1] | 0x20) == 'h' &&
            (b.p[i + 2] | 0x20) == 'a' && (b.p[i + 3] | 0x20) == 't')
            return true;
        if (c == 'i' && (b.p[i + 1] | 0x20) == 'r' && (b.p[i + 2] | 0x20) == 'c')
            return true;
    }
    return false;
}

void irc_http(struct detect *d, const struct conn_event *c, const struct http_txn *t)
{
    if (!t->has_response || t->status < 200 || t->status >= 300)
        return;
    bool client = (t->resp_file && strcmp(t->resp_file, "swf") == 0) ||
                  contains_ci(t->resp_content_type, "shockwave") ||
                  contains_ci(t->resp_content_type, "java-archive") ||
                  contains_ci(t->resp_content_type, "x-java-applet");
    bool named = names_chat(t->uri) || names_chat(t->host);
    if (!client && !named)
        return;
    struct host *h = detect_host(d, c->family, c->src);
    if (!h)
        return;
    if (!h->fetches) {
        h->fetches = detect_alloc(d, HOST_MAX_FETCHES * sizeof *h->fetches);
        if (!h->fetches)
            return;
    }
    struct chat_fetch *cf = &h->fetches[h->nfetch < HOST_MAX_FETCHES ? h->nfetch++
                                        : (unsigned)(c->flow_id % HOST_MAX_FETCHES)];
    memcpy(cf->srv, c->dst, 16);
    cf->ts_us = c->end_us > c->start_us ? c->end_us : c->start_us;
    cf->flow_id = c->flow_id;
    char uri[64], ct[40];
    copy_bytes(uri, sizeof uri, t->uri);
    copy_bytes(ct, sizeof ct, t->resp_content_type);
    snprintf(cf->what, sizeof cf->what, "HTTP GET %s -> %u %s%s%s", uri, t->status,
             t->resp_file ? t->resp_file : ct, client ? " (chat client)" : "",
             named ? " (chat page)" : "");
}

/* ---- groups ---- */

static void group_judge(struct detect *d, struct irc_chan *c)
{
    if (c->n < 2)
        return;
    /* distinct internal hosts */
    unsigned hosts = 0;
    for (unsigned i = 0; i < c->n; i++) {
        bool dup = false;
        for (unsigned j = 0; j < i; j++)
            dup |= memcmp(c->m[i].host, c->m[j].host, 16) == 0;
        hosts += !dup;
    }
    if (hosts < d->cfg.th.group_min_hosts)
        return;
    unsigned same_shape = 0, same_user = 0, encoders = 0, same_version = 0;
    uint64_t jmin = UINT64_MAX, jmax = 0;
    const char *shape = NULL;
    for (unsigned i = 0; i < c->n; i++) {
        const struct irc_member *a = &c->m[i];
        unsigned sh = 1, us = 1, ve = 1;
        bool shape_special = strspn(a->shape, "aA") != strlen(a->shape) ||
                             a->score >= d->cfg.th.nick_score;
        for (unsigned j = 0; j < c->n; j++) {
            if (j == i || memcmp(a->host, c->m[j].host, 16) == 0)
                continue;
            sh += shape_special && a->shape[0] && strcmp(a->shape, c->m[j].shape) == 0;
            us += a->user[0] && strcmp(a->user, c->m[j].user) == 0;
            ve += a->version[0] && strcmp(a->version, c->m[j].version) == 0;
        }
        if (sh > same_shape) {
            same_shape = sh;
            shape = a->shape;
        }
        same_user = us > same_user ? us : same_user;
        same_version = ve > same_version ? ve : same_version;
        encoders += a->encoded > 0;
        jmin = a->join_us < jmin ? a->join_us : jmin;
        jmax = a->join_us > jmax ? a->join_us : jmax;
    }
    /* answering the same command alike: the same trigger answered by two or more hosts with
     * the same text, or encoded text each */
    unsigned alike = 0;
    const char *alike_text = NULL;
    for (unsigned i = 0; i < c->n; i++)
        for (unsigned k = 0; k < c->m[i].nanswers; k++) {
            const struct answer *x = &c->m[i].answers[k];
            unsigned n = 1;
            for (unsigned j = 0; j < c->n; j++) {
                if (j == i || memcmp(c->m[i].host, c->m[j].host, 16) == 0)
                    continue;
                for (unsigned l = 0; l < c->m[j].nanswers; l++) {
                    const struct answer *y = &c->m[j].answers[l];
                    n += y->trigger == x->trigger &&
                         (y->reply == x->reply || (y->encoded && x->encoded));
                }
            }
            if (n > alike) {
                alike = n;
                alike_text = x->text;
            }
        }
    unsigned strong = (same_shape >= 2) + (same_user >= 2) + (encoders >= 2) + (alike >= 2);
    if (!strong)
        return;
    bool in_step = jmax - jmin <= d->cfg.th.group_join_window_us;
    double conf = 0.5 + 0.15 * strong + (in_step ? 0.1 : 0) + (same_version >= 2 ? 0.05 : 0);
    struct finding *f = c->group;
    if (!f) {                                  /* the first time: a new finding */
        f = finding_new(d);
        struct finding **g = realloc(d->groups, (d->ngroups + 1) * sizeof *g);
        if (!f || !g) {
            finding_release(d, f);
            if (g)
                d->groups = g;
            return;
        }
        d->groups = g;
        d->groups[d->ngroups++] = f;
        d->st.findings++;
        c->group = f;
        f->key = chan_hash(&(struct chan_key){ c->family, c->srv, c->port, c->name });
    }
    finding_clear_evidence(f);                 /* rebuilt from the members each time */
    f->nmembers = 0;
    f->kind = FK_IRC_BOT_GROUP;
    f->family = c->family;
    memcpy(f->host, c->m[0].host, 16);
    f->severity = strong >= 2 || hosts >= 3 ? 1 : 2;
    f->confidence = conf > 0.95 ? 0.95 : conf;
    char srv[48];
    addr_text(c->family, c->srv, srv);
    finding_summary(f, "%u internal hosts in IRC channel %s on %s:%u act alike", hosts,
                    c->name, srv, c->port);
    for (unsigned i = 0; i < c->n; i++) {
        const struct irc_member *a = &c->m[i];
        finding_add_member(f, a->host);
        char ha[48];
        struct host *h = detect_host(d, c->family, a->host);
        bool site = h && h->site_named;            /* the first seed: four offices, one channel */
        finding_evidence(f, a->flow_id, a->join_us, "%s%s%s%s joined as %s (USER %s)%s%s",
                         addr_text(c->family, a->host, ha), site ? " (" : "",
                         site ? h->site->name : "", site ? ")" : "", a->nick,
                         a->user[0] ? a->user : "-", a->encoded ? ", sent encoded text" : "",
                         a->version[0] ? ", answered CTCP VERSION" : "");
        if (h && (!h->group || h->group->severity > f->severity))
            h->group = f;
        if (h)
            h->stages |= 1u << STAGE_CNC;
    }
    if (same_shape >= 2)
        finding_evidence(f, 0, jmax, "nickname shape %s on %u hosts", shape, same_shape);
    if (same_user >= 2)
        finding_evidence(f, 0, jmax, "the same USER name on %u hosts", same_user);
    if (encoders >= 2)
        finding_evidence(f, 0, jmax, "%u hosts sent encoded text", encoders);
    if (alike >= 2)
        finding_evidence(f, 0, jmax, "%u hosts answered \"%s\" in the channel alike within "
                         "10 s", alike, alike_text);
    if (same_version >= 2)
        finding_evidence(f, 0, jmax, "the same CTCP VERSION reply from %u hosts", same_version);
    if (in_step)
        finding_evidence(f, 0, jmax, "all joined within %.0f s", (double)(jmax - jmin) / 1e6);
}

static int chan_cmp(const void *a, const void *b)
{
    const struct irc_chan *x = *(struct irc_chan *const *)a, *y = *(struct irc_chan *const *)b;
    int r = memcmp(x->srv, y->srv, 16);
    if (r)
        return r;
    if (x->port != y->port)
        return x->port - y->port;
    return strcmp(x->name, y->name);
}

void irc_finish(struct detect *d, bool final)
{
    /* at the end: sessions whose connection never ended (logs without teardown) */
    while (final && d->irc.n) {
        struct irc_sess *s = NULL;
        for (size_t i = 0; i < d->irc.cap && !s; i++)
            s = d->irc.s[i].v;
        hmap_del(&d->irc, id_hash(s->flow_id), sess_eq, &s->flow_id);
        sess_judge(d, s, NULL, false);
        detect_release(d, s, sizeof *s);
    }
    /* while running: long sessions (a bot's C&C connection lasts days) are judged so far */
    if (!final) {
        struct irc_sess *s;
        HMAP_FOREACH(&d->irc, s)
            if (s->nick[0])
                sess_judge(d, s, NULL, true);
    }
    struct irc_chan *c, **all = malloc((d->chans.n + 1) * sizeof *all);
    if (!all)
        return;
    size_t n = 0;
    HMAP_FOREACH(&d->chans, c)
        all[n++] = c;
    qsort(all, n, sizeof *all, chan_cmp);          /* reproducible order of groups */
    for (size_t i = 0; i < n; i++)
        group_judge(d, all[i]);
    free(all);
}

void irc_free(struct detect *d)
{
    void *p;
    HMAP_FOREACH(&d->irc, p)
        free(p);
    hmap_free(&d->irc);
    struct irc_chan *c;
    HMAP_FOREACH(&d->chans, c) {
        free(c->m);
        free(c);
    }
    hmap_free(&d->chans);
}
