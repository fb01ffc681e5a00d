/* SPDX-License-Identifier: MIT
 * Unit tests for the detectors (detect/): the nickname score on real human and bot names,
 * encoded-text recognition, prefixes, business hours, the YAML config, the hash map, and
 * each detector on event sequences, including the cases that would make false positives. */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "detect/detect.h"
#include "proto/proto.h"
#include "util/hmap.h"
#include "testutil.h"

/* ---- scoring ---- */

static double score(const char *nick)
{
    struct nick_score s;
    nick_score((const uint8_t *)nick, strlen(nick), &s);
    return s.score;
}

static void test_nick_table(void **state)
{
    (void)state;
    /* nicknames people chose (IRC logs, web chat defaults) */
    static const char *const human[] = {
        "alice", "Bob", "john_doe", "Guest12345", "dragonfly", "tommy_k", "xXx_Dark_xXx",
        "kmfdm", "Zbigniew", "jsmith", "CptNemo", "Sheldon42", "[Away]john", "john|AFK",
        "Mike2", "sarah_83", "DrWho", "nightwolf", "Christopher", "ircop", "webchat_user2",
    };
    /* bot nicknames: the first seed's ^-prefixed names, Rishi's and the 2000s families'
     * templates (country/OS/id tags, bot words with digits), random letters */
    static const char *const bot[] = {
        "^auzwybp", "^hwzgoac", "^ylkvebn", "[USA|XP|4821]", "USA|4567892", "[00|DEU|597660]",
        "rbot-123456", "DEU|XP|SP2|1234", "|nfiwqzkl", "qmfxtrd", "zombie_8812", "n3t4b0t",
        "DrOnE-2231", "[NLD]-XP-45213", "bvqxwtrz",
    };
    for (size_t i = 0; i < sizeof human / sizeof human[0]; i++) {
        if (score(human[i]) >= 0.5)
            fail_msg("human nick %s scored %.2f", human[i], score(human[i]));
    }
    for (size_t i = 0; i < sizeof bot / sizeof bot[0]; i++) {
        if (score(bot[i]) < 0.5)
            fail_msg("bot nick %s scored %.2f", bot[i], score(bot[i]));
    }
    struct nick_score s;
    nick_score((const uint8_t *)"[USA|XP|4821]", 13, &s);
    assert_non_null(strstr(s.why, "tag"));
    assert_true(score("") == 0);
}

static void test_shape_and_user(void **state)
{
    (void)state;
    char b[32];
    nick_shape((const uint8_t *)"^auzwybp", 8, b, sizeof b);
    assert_string_equal(b, "^aaaaaaa");
    nick_shape((const uint8_t *)"[USA|XP|4821]", 13, b, sizeof b);
    assert_string_equal(b, "[AAA|AA|9999]");
    nick_shape((const uint8_t *)"a\x01", 2, b, 2);                /* capped, control */
    assert_string_equal(b, "a");
    assert_true(irc_user_botlike((const uint8_t *)"BOT", 3));
    assert_true(irc_user_botlike((const uint8_t *)"dr0ne", 5));
    assert_false(irc_user_botlike((const uint8_t *)"alice", 5));
}

static bool enc(const char *s)
{
    const char *how;
    return text_encoded((const uint8_t *)s, strlen(s), &how);
}

static void test_encoded(void **state)
{
    (void)state;
    assert_true(enc("Ezmd+ecP3Oql+18jjbQeCBO0m7dqEEY0GQNJaFuRr9KX"));     /* base64 */
    assert_true(enc("3f9a0c11be72d4e8a1b29c0d7e6f5a43"));                 /* hex */
    assert_true(enc("!x Zm9vYmFyYmF6cXV4cXV1eHh5eno0NTY3ODk="));          /* short prefix */
    assert_false(enc("hello everyone, is the build green again?"));
    assert_false(enc("Supercalifragilisticexpialidocious"));               /* one long word */
    assert_false(enc("ok"));
    assert_false(enc("see http://www.example.com/some/path for it"));
    assert_false(enc("hahahahahahahahahahahahahaha"));
    const char *how = NULL;
    assert_true(text_encoded((const uint8_t *)"deadbeefcafe0123456789ab", 24, &how));
    assert_string_equal(how, "hex");
}

static void test_prefix(void **state)
{
    (void)state;
    struct net_prefix p[2];
    assert_true(net_prefix_parse("10.77.0.0/16", &p[0]));
    assert_true(net_prefix_parse("fd00::/8", &p[1]));
    uint8_t a[16] = { 10, 77, 9, 1 }, b[16] = { 10, 78, 0, 1 }, c[16] = { 0xfd, 1 };
    assert_true(net_prefix_match(p, 2, 4, a));
    assert_false(net_prefix_match(p, 2, 4, b));
    assert_true(net_prefix_match(p, 2, 6, c));
    assert_false(net_prefix_match(p, 2, 4, c));
    assert_true(net_prefix_parse("10.77.1.9/16", &p[0]));          /* host bits cleared */
    assert_true(net_prefix_match(p, 1, 4, a));
    assert_true(net_prefix_parse("192.0.2.1", &p[0]));
    assert_int_equal(p[0].bits, 32);
    assert_false(net_prefix_parse("10.0.0.0/33", &p[0]));
    assert_false(net_prefix_parse("10.0.0/8", &p[0]));
    assert_false(net_prefix_parse("/8", &p[0]));
    assert_false(net_prefix_parse("10.0.0.0/", &p[0]));
    assert_true(net_prefix_parse("0.0.0.0/0", &p[0]));
    assert_true(net_prefix_match(p, 1, 4, b));
}

static void test_business_hours(void **state)
{
    (void)state;
    struct site s = { 0 };
    assert_true(business_hours_parse("Mon-Fri 08:00-18:00", &s));
    assert_int_equal(s.bh_days, 0x1f);
    assert_int_equal(s.bh_start, 8);
    assert_int_equal(s.bh_end, 18);
    assert_true(business_hours_parse("Sun-Thu 9-17", &s));          /* wraps the week */
    assert_int_equal(s.bh_days, 0x40 | 0x0f);
    assert_false(business_hours_parse("Mon-Fri 18:00-08:00", &s));
    assert_false(business_hours_parse("Mon-Fri 08:30-18:00", &s));
    assert_false(business_hours_parse("Mon-Fry 8-18", &s));
    assert_false(business_hours_parse("Mon-Fri 8-18 extra", &s));
}

static bool u64_eq(const void *rec, const void *key)
{
    return *(const uint64_t *)rec == *(const uint64_t *)key;
}

static void test_hmap(void **state)
{
    (void)state;
    struct hmap m = { 0 };
    static uint64_t v[5000];
    for (uint64_t i = 0; i < 5000; i++) {
        v[i] = i * 7919;
        assert_true(hmap_put(&m, hmap_hash(&v[i], 8, 0) & 0xff, &v[i]));  /* many collisions */
    }
    for (uint64_t i = 0; i < 5000; i += 2)
        assert_ptr_equal(hmap_del(&m, hmap_hash(&v[i], 8, 0) & 0xff, u64_eq, &v[i]), &v[i]);
    assert_int_equal(m.n, 2500);
    for (uint64_t i = 0; i < 5000; i++) {
        void *r = hmap_get(&m, hmap_hash(&v[i], 8, 0) & 0xff, u64_eq, &v[i]);
        if (i % 2)
            assert_ptr_equal(r, &v[i]);
        else
            assert_null(r);
    }
    hmap_free(&m);
}

/* ---- config ---- */

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/bw-detect-test-%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_config(void **state)
{
    (void)state;
    struct detect_config c;
    struct bw_diag d = { .msg = "" };
    detect_config_default(&c);
    const char *p = write_tmp(
        "home_net: [10.77.0.0/16]\n"
        "mail_servers: 10.77.0.25\n"
        "timezone: Asia/Shanghai\n"
        "sites:\n"
        "  - name: Chicago\n"
        "    networks: [10.77.1.0/24]\n"
        "    timezone: America/Chicago\n"
        "    business_hours: Mon-Fri 08:00-17:00\n"
        "policy:\n"
        "  p2p:\n"
        "    default: deny\n"
        "    allow: [Transmission]\n"
        "thresholds:\n"
        "  nick_score: 0.6\n"
        "  relay_window: 90\n");
    assert_int_equal(detect_config_load(&c, p, &d), BW_OK);
    assert_int_equal(c.nhome, 1);
    assert_int_equal(c.nmail, 1);
    assert_string_equal(c.default_site.tz, "Asia/Shanghai");
    assert_int_equal(c.nsites, 1);
    assert_string_equal(c.sites[0].name, "Chicago");
    assert_int_equal(c.sites[0].bh_end, 17);
    assert_int_equal(c.np2p_allow, 1);
    assert_true(fabs(c.th.nick_score - 0.6) < 1e-9);
    assert_int_equal(c.th.relay_window_us, 90000000);

    detect_config_default(&c);
    p = write_tmp("thresholds:\n  nick_scor: 0.6\n");               /* a typo is an error */
    assert_int_equal(detect_config_load(&c, p, &d), BW_E_SYNTAX);
    assert_non_null(strstr(d.msg, ":2:14: unknown threshold 'nick_scor'"));
    p = write_tmp("home_net: [10.0.0.0/99]\n");
    assert_int_equal(detect_config_load(&c, p, &d), BW_E_SYNTAX);
    assert_non_null(strstr(d.msg, "not an address or prefix"));
    p = write_tmp("sites: [ {name: x} ]\n");
    assert_int_equal(detect_config_load(&c, p, &d), BW_E_SYNTAX);
    assert_non_null(strstr(d.msg, "needs a name and networks"));
    p = write_tmp("home_net: [unclosed\n");
    assert_int_equal(detect_config_load(&c, p, &d), BW_E_SYNTAX);
    p = write_tmp("");
    detect_config_default(&c);
    assert_int_equal(detect_config_load(&c, p, &d), BW_OK);
    assert_int_equal(c.nhome, 4);
    assert_int_equal(detect_config_load(&c, "/nonexistent/bw.yaml", &d), BW_E_IO);
    unlink(p);
}

/* ---- event sequences ---- */

struct collected {
    struct finding f[64];
    unsigned n;
};

static void collect(void *ctx, const struct finding *f)
{
    struct collected *c = ctx;
    if (c->n < 64)
        c->f[c->n++] = *f;
}

static const struct finding *find(const struct collected *c, const char *host,
                                  enum finding_kind k)
{
    uint8_t a[16] = { 0 };
    inet_pton(AF_INET, host, a);
    for (unsigned i = 0; i < c->n; i++)
        if (c->f[i].kind == k && memcmp(c->f[i].host, a, 16) == 0)
            return &c->f[i];
    return NULL;
}

static bool says(const struct finding *f, const char *text)
{
    return f && strstr(f->summary, text) != NULL;
}

static bool ev_says(const struct finding *f, unsigned i, const char *text)
{
    return f && i < f->nev && strstr(f->ev[i].what, text) != NULL;
}

static uint64_t T0 = 1763989200ull * 1000000;     /* 2025-11-24 13:00 UTC, a Monday */
static uint64_t next_id = 1;

static struct conn_event conn(const char *src, const char *dst, uint16_t dport, uint8_t app,
                              double start_s, double end_s)
{
    struct conn_event c = { .flow_id = next_id++, .family = 4, .ip_proto = 6, .app_proto = app,
                            .sport = 40000, .dport = dport, .answered = true, .accepted = true,
                            .how = CONN_FIN };
    inet_pton(AF_INET, src, c.src);
    inet_pton(AF_INET, dst, c.dst);
    c.start_us = T0 + (uint64_t)(start_s * 1e6);
    c.end_us = T0 + (uint64_t)(end_s * 1e6);
    c.pkts[0] = c.pkts[1] = 10;
    return c;
}

static void irc(struct detect *d, const struct conn_event *c, enum flow_dir dir, double t,
                const char *line)
{
    struct irc_msg m;
    irc_parse_line((struct bytes){ (const uint8_t *)line, strlen(line) }, &m);
    struct app_event ev = { .type = APP_EV_IRC, .dir = dir, .ts_us = T0 + (uint64_t)(t * 1e6),
                            .u.irc = &m };
    detect_app(d, c, &ev);
}

static struct detect *mk(struct detect_config *cfg)
{
    struct detect_config def;
    if (!cfg) {
        detect_config_default(&def);
        net_prefix_parse("10.77.0.0/16", &def.home[0]);
        def.nhome = 1;
        cfg = &def;
    }
    struct detect *d = detect_new(cfg);
    assert_non_null(d);
    return d;
}

static void irc_bot_session(struct detect *d, const char *cli, const char *nick, uint16_t port,
                            double t)
{
    struct conn_event c = conn(cli, "198.51.100.7", port, PROTO_IRC, t, t + 60);
    char l[128];
    snprintf(l, sizeof l, "NICK %s", nick);
    irc(d, &c, DIR_TOSERVER, t + 0.1, l);
    snprintf(l, sizeof l, "USER BOT 0 * :%s", nick);
    irc(d, &c, DIR_TOSERVER, t + 0.1, l);
    snprintf(l, sizeof l, ":irc.sina.test 001 %s :Welcome to the Sina Network %s", nick, nick);
    irc(d, &c, DIR_TOCLIENT, t + 0.2, l);
    snprintf(l, sizeof l, "MODE %s +M", nick);
    irc(d, &c, DIR_TOSERVER, t + 0.3, l);
    irc(d, &c, DIR_TOSERVER, t + 0.4, "JOIN #b0t");
    for (int i = 1; i <= 4; i++)
        irc(d, &c, DIR_TOSERVER, t + 10.0 * i, "PONG irc.sina.test");
    detect_conn(d, &c);
}

static void test_irc_bot(void **state)
{
    (void)state;
    struct detect *d = mk(NULL);
    static struct collected out;
    memset(&out, 0, sizeof out);
    irc_bot_session(d, "10.77.0.1", "^auzwybp", 80, 0);
    detect_finish(d, collect, &out);
    const struct finding *f = find(&out, "10.77.0.1", FK_IRC_NONSTD_PORT);
    assert_non_null(f);
    assert_non_null(strstr(f->summary, "port 80"));
    assert_non_null(strstr(f->summary, "Sina Network"));
    f = find(&out, "10.77.0.1", FK_IRC_BOT_NICK);
    assert_non_null(f);
    assert_int_equal(f->severity, 1);
    f = find(&out, "10.77.0.1", FK_IRC_KEEPALIVE);
    assert_non_null(f);
    assert_non_null(strstr(f->summary, "every 10.0 s"));
    f = find(&out, "10.77.0.1", FK_HOST_VERDICT);
    assert_non_null(f);
    assert_string_equal(f->verdict, "bot");
    assert_non_null(strstr(f->summary, "no spam"));
    assert_true(f->stages_seen & 1u << STAGE_CNC);
    assert_false(f->stages_seen & 1u << STAGE_SPAM);
    assert_ptr_equal(&out.f[out.n - 1], f);                 /* the verdict comes last */
    detect_free(d);
}

static void test_irc_human(void **state)
{
    (void)state;
    struct detect *d = mk(NULL);
    static struct collected out;
    memset(&out, 0, sizeof out);
    const char *who[2][2] = { { "10.77.0.5", "alice" }, { "10.77.0.6", "bob" } };
    for (int i = 0; i < 2; i++) {
        struct conn_event c = conn(who[i][0], "198.51.100.7", 6667, PROTO_IRC, i, 300);
        char l[128];
        snprintf(l, sizeof l, "NICK %s", who[i][1]);
        irc(d, &c, DIR_TOSERVER, i + 0.1, l);
        snprintf(l, sizeof l, "USER %s 0 * :%s Smith", who[i][1], who[i][1]);
        irc(d, &c, DIR_TOSERVER, i + 0.1, l);
        irc(d, &c, DIR_TOSERVER, i + 0.2, "JOIN #support");
        irc(d, &c, DIR_TOSERVER, i + 5, "PRIVMSG #support :hi, the printer on floor 3 is "
                                        "jammed again");
        irc(d, &c, DIR_TOSERVER, i + 37, "PONG irc.example");     /* irregular keepalive */
        irc(d, &c, DIR_TOSERVER, i + 41, "PONG irc.example");
        irc(d, &c, DIR_TOSERVER, i + 190, "PONG irc.example");
        detect_conn(d, &c);
    }
    detect_finish(d, collect, &out);
    for (unsigned i = 0; i < out.n; i++) {
        if (out.f[i].kind != FK_BUSINESS_HOURS && out.f[i].kind != FK_HOST_VERDICT)
            fail_msg("unexpected %s: %s", finding_kind_name[out.f[i].kind], out.f[i].summary);
        if (out.f[i].kind == FK_HOST_VERDICT)
            assert_string_equal(out.f[i].verdict, "benign");
    }
    assert_int_equal(out.n, 4);
    detect_free(d);
}

static void test_group_and_text(void **state)
{
    (void)state;
    struct detect *d = mk(NULL);
    static struct collected out;
    memset(&out, 0, sizeof out);
    const char *hosts[3] = { "10.77.0.1", "10.77.0.2", "10.77.0.3" };
    const char *nicks[3] = { "^qwxzvbn", "^plmkjht", "^zxcvbnm" };
    for (int i = 0; i < 3; i++) {
        struct conn_event c = conn(hosts[i], "198.51.100.9", 6667, PROTO_IRC, i, 100);
        char l[128];
        snprintf(l, sizeof l, "NICK %s", nicks[i]);
        irc(d, &c, DIR_TOSERVER, i, l);
        irc(d, &c, DIR_TOSERVER, i, "USER x 0 * :x");
        irc(d, &c, DIR_TOSERVER, i + 1, "JOIN #b0t,#b0t2");
        snprintf(l, sizeof l, ":herder!h@h PRIVMSG %s :\001VERSION\001", nicks[i]);
        irc(d, &c, DIR_TOCLIENT, 20, l);
        irc(d, &c, DIR_TOSERVER, 20.5, "NOTICE herder :\001VERSION mIRC v6.16 Khaled "
                                       "Mardam-Bey\001");
        irc(d, &c, DIR_TOSERVER, 21, "PRIVMSG #b0t :Ezmd+ecP3Oql+18jjbQeCBO0m7dqEEY0GQNJaFuRr9KX");
        detect_conn(d, &c);
    }
    detect_finish(d, collect, &out);
    unsigned groups = 0;
    for (unsigned i = 0; i < out.n; i++)
        if (out.f[i].kind == FK_IRC_BOT_GROUP) {
            groups++;
            assert_int_equal(out.f[i].nmembers, 3);
            assert_int_equal(out.f[i].severity, 1);
        }
    assert_int_equal(groups, 2);                           /* #b0t and #b0t2, once each */
    const struct finding *f = find(&out, "10.77.0.2", FK_IRC_ENCRYPTED);
    assert_non_null(f);
    assert_int_equal(f->severity, 1);                      /* echoed after a CTCP request */
    bool version = false;
    for (unsigned i = 0; i < f->nev; i++)
        version |= strstr(f->ev[i].what, "mIRC v6.16") != NULL;
    assert_true(version);
    f = find(&out, "10.77.0.3", FK_HOST_VERDICT);
    assert_string_equal(f->verdict, "bot");
    detect_free(d);
}

/* Hosts that answer the same channel command with the same text make a group even with
 * ordinary names; people answering the same question in their own words do not. */
static void test_group_in_step(void **state)
{
    (void)state;
    struct detect *d = mk(NULL);
    static struct collected out;
    memset(&out, 0, sizeof out);
    const char *nicks[3] = { "dragonfly", "tommy_k", "Sheldon42" };
    const char *human[3] = { "try the guest network", "ask Sandra at the helpdesk",
                             "it is on the whiteboard" };
    for (int i = 0; i < 3; i++) {
        char host[32], l[160];
        snprintf(host, sizeof host, "10.77.0.%d", i + 1);
        struct conn_event c = conn(host, "198.51.100.9", 6667, PROTO_IRC, i, 100);
        snprintf(l, sizeof l, "NICK %s", nicks[i]);
        irc(d, &c, DIR_TOSERVER, i, l);
        snprintf(l, sizeof l, "USER u%d 0 * :someone", i);
        irc(d, &c, DIR_TOSERVER, i, l);
        irc(d, &c, DIR_TOSERVER, i + 1, "JOIN #ops,#lobby");
        /* #ops: a command, answered alike */
        irc(d, &c, DIR_TOCLIENT, 20, ":boss!b@h PRIVMSG #ops :.sysinfo");
        irc(d, &c, DIR_TOSERVER, 21 + i * 0.1, "PRIVMSG #ops :[SYSINFO] cpu 2400MHz ram 512MB");
        /* #lobby: a question, answered by people in their own words */
        irc(d, &c, DIR_TOCLIENT, 40, ":carol!c@h PRIVMSG #lobby :what is the wifi password?");
        snprintf(l, sizeof l, "PRIVMSG #lobby :%s", human[i]);
        irc(d, &c, DIR_TOSERVER, 45 + i, l);
        detect_conn(d, &c);
    }
    detect_finish(d, collect, &out);
    unsigned groups = 0;
    for (unsigned i = 0; i < out.n; i++)
        if (out.f[i].kind == FK_IRC_BOT_GROUP) {
            groups++;
            assert_true(says(&out.f[i], "#ops"));
            bool alike = false;
            for (unsigned k = 0; k < out.f[i].nev; k++)
                alike |= ev_says(&out.f[i], k, "3 hosts answered \".sysinfo\"");
            assert_true(alike);
        }
    assert_int_equal(groups, 1);
    detect_free(d);
}

static void test_webchat(void **state)
{
    (void)state;
    struct detect *d = mk(NULL);
    static struct collected out;
    memset(&out, 0, sizeof out);
    struct conn_event h = conn("10.77.0.1", "198.51.100.7", 8080, PROTO_HTTP, -30, -29);
    struct http_txn t = { .method = { (const uint8_t *)"GET", 3 },
                          .uri = { (const uint8_t *)"/chat/client.swf", 16 },
                          .status = 200, .has_response = true, .resp_file = "swf" };
    struct app_event ev = { .type = APP_EV_HTTP, .ts_us = T0 - 29000000, .u.http = &t };
    detect_app(d, &h, &ev);
    detect_conn(d, &h);
    irc_bot_session(d, "10.77.0.1", "^auzwybp", 80, 0);
    detect_finish(d, collect, &out);
    assert_non_null(find(&out, "10.77.0.1", FK_WEB_CHAT));
    assert_string_equal(find(&out, "10.77.0.1", FK_HOST_VERDICT)->verdict, "policy");
    detect_free(d);
}

static void test_relay_timing(void **state)
{
    (void)state;
    struct detect *d = mk(NULL);
    static struct collected out;
    memset(&out, 0, sizeof out);
    /* inbound from outside to 1182 with nothing identified, then SMTP out during it */
    struct conn_event in = conn("192.0.2.50", "10.77.0.5", 1182, PROTO_UNKNOWN, 0, 30);
    struct conn_event out1 = conn("10.77.0.5", "203.0.113.25", 25, PROTO_SMTP, 2, 10);
    struct conn_event late = conn("10.77.0.5", "203.0.113.26", 25, PROTO_SMTP, 500, 510);
    detect_conn(d, &out1);                 /* the outbound leg ends first */
    detect_conn(d, &in);
    detect_conn(d, &late);                 /* long after: not tied to the inbound one */
    /* a mail server's own inbound SMTP followed by forwarding is not relaying */
    struct conn_event mx_in = conn("192.0.2.60", "10.77.0.25", 25, PROTO_SMTP, 0, 5);
    struct conn_event mx_out = conn("10.77.0.25", "203.0.113.25", 25, PROTO_SMTP, 3, 8);
    detect_conn(d, &mx_in);
    detect_conn(d, &mx_out);
    detect_finish(d, collect, &out);
    const struct finding *f = find(&out, "10.77.0.5", FK_SPAM_RELAY);
    assert_non_null(f);
    assert_int_equal(f->nev_total, 1);                     /* "late" is not tied to it */
    assert_true(ev_says(f, 0, "SMTP to 203.0.113.25:25 2.0 s after 192.0.2.50 connected in "
                              "to port 1182"));
    assert_non_null(find(&out, "10.77.0.5", FK_OPEN_PROXY));
    assert_string_equal(find(&out, "10.77.0.5", FK_HOST_VERDICT)->verdict, "relay");
    assert_null(find(&out, "10.77.0.25", FK_SPAM_RELAY));
    assert_null(find(&out, "10.77.0.25", FK_SPAM_VOLUME));   /* it receives mail: a server */
    detect_free(d);
}

static void test_spam_volume(void **state)
{
    (void)state;
    struct detect *d = mk(NULL);
    static struct collected out;
    memset(&out, 0, sizeof out);
    struct smtp_tx tx = { .nrcpt = 1, .rcpt_total = 3, .data = true, .delivered = true,
                          .rcpt_code = { 250 }, .complete = true };
    for (int i = 0; i < 25; i++) {                /* 25 in a day to 25 outside servers */
        char dst[32];
        snprintf(dst, sizeof dst, "203.0.113.%d", i + 1);
        struct conn_event c = conn("10.77.0.9", dst, 25, PROTO_SMTP, i * 60, i * 60 + 5);
        struct app_event ev = { .type = APP_EV_SMTP, .ts_us = c.end_us, .u.smtp = &tx };
        detect_app(d, &c, &ev);
        detect_conn(d, &c);
    }
    /* one message to an outside server: sent straight, but no volume */
    struct conn_event one = conn("10.77.0.10", "203.0.113.1", 25, PROTO_SMTP, 0, 5);
    detect_conn(d, &one);
    /* submission to the internal mail server: nothing */
    struct conn_event sub = conn("10.77.0.11", "10.77.0.25", 25, PROTO_SMTP, 0, 5);
    detect_conn(d, &sub);
    detect_finish(d, collect, &out);
    const struct finding *f = find(&out, "10.77.0.9", FK_SPAM_VOLUME);
    assert_non_null(f);
    assert_int_equal(f->severity, 1);
    assert_non_null(strstr(f->ev[0].what, "25 SMTP connections"));
    assert_non_null(strstr(f->ev[0].what, "75 recipients; delivered 25"));
    assert_int_equal(find(&out, "10.77.0.10", FK_SPAM_VOLUME)->severity, 2);
    assert_null(find(&out, "10.77.0.11", FK_SPAM_VOLUME));
    assert_null(find(&out, "10.77.0.9", FK_SMTP_NONSTD_PORT));
    detect_free(d);
}

static void test_scan(void **state)
{
    (void)state;
    struct detect *d = mk(NULL);
    static struct collected out;
    memset(&out, 0, sizeof out);
    for (int p = 0; p < 30; p++) {                /* 30 closed ports on one address */
        struct conn_event c = conn("10.77.0.7", "10.77.9.9", (uint16_t)(1000 + p), 0, p * 0.1,
                                   p * 0.1);
        c.accepted = false;
        c.how = CONN_RST_SERVER;
        detect_conn(d, &c);
    }
    for (int p = 0; p < 10; p++) {                /* 10 failures: below the threshold */
        struct conn_event c = conn("10.77.0.8", "10.77.9.9", (uint16_t)(1000 + p), 0, p, p);
        c.accepted = c.answered = false;
        detect_conn(d, &c);
    }
    for (int p = 0; p < 40; p++) {                /* 40 accepted connections: browsing */
        struct conn_event c = conn("10.77.0.6", "198.51.100.80", 443, PROTO_TLS, p, p + 1);
        detect_conn(d, &c);
    }
    detect_finish(d, collect, &out);
    const struct finding *f = find(&out, "10.77.0.7", FK_OUT_SCAN);
    assert_non_null(f);
    assert_non_null(strstr(f->summary, "deep"));
    assert_null(find(&out, "10.77.0.8", FK_OUT_SCAN));
    assert_null(find(&out, "10.77.0.6", FK_OUT_SCAN));
    detect_free(d);
}

static void test_hours(void **state)
{
    (void)state;
    struct detect_config cfg;
    detect_config_default(&cfg);
    net_prefix_parse("10.77.0.0/16", &cfg.home[0]);
    cfg.nhome = 1;
    struct site *s = &cfg.sites[cfg.nsites++];
    *s = cfg.default_site;
    snprintf(s->name, sizeof s->name, "Chicago");
    snprintf(s->tz, sizeof s->tz, "America/Chicago");
    net_prefix_parse("10.77.1.0/24", &s->nets[s->nnets++]);
    struct detect *d = mk(&cfg);
    static struct collected out;
    memset(&out, 0, sizeof out);
    /* 10.77.1.1: 15:00 UTC = 09:00 CST, weekdays of two weeks */
    for (int day = 0; day < 12; day++) {
        if (day % 7 >= 5)
            continue;
        struct conn_event c = conn("10.77.1.1", "198.51.100.1", 80, PROTO_HTTP,
                                   day * 86400.0 + 2 * 3600, day * 86400.0 + 2 * 3600 + 1);
        detect_conn(d, &c);
    }
    /* 10.77.0.2 (no site, UTC): every hour for three days */
    for (int h = 0; h < 72; h++) {
        struct conn_event c = conn("10.77.0.2", "198.51.100.1", 80, PROTO_HTTP, h * 3600.0,
                                   h * 3600.0 + 1);
        detect_conn(d, &c);
    }
    detect_finish(d, collect, &out);
    const struct finding *f = find(&out, "10.77.1.1", FK_BUSINESS_HOURS);
    assert_non_null(f);
    assert_true(says(f, "only in business hours"));
    assert_true(says(f, "America/Chicago"));
    assert_string_equal(f->site, "Chicago");
    assert_true(ev_says(f, 0, "Mon 2025-11-24 09:00-09:59 local"));
    f = find(&out, "10.77.0.2", FK_BUSINESS_HOURS);
    assert_true(says(f, "round the clock"));
    assert_true(f && !f->site[0]);
    detect_free(d);
}

static void test_p2p_policy(void **state)
{
    (void)state;
    struct detect_config cfg;
    detect_config_default(&cfg);
    net_prefix_parse("10.77.0.0/16", &cfg.home[0]);
    cfg.nhome = 1;
    snprintf(cfg.p2p_allow[cfg.np2p_allow++], DETECT_NAME_LEN, "Transmission");
    struct detect *d = mk(&cfg);
    static struct collected out;
    memset(&out, 0, sizeof out);
    struct bt_handshake tr = { .client = "Transmission", .style = "azureus" };
    struct bt_handshake a2 = { .client = "aria2", .style = "other" };
    memcpy(tr.peer_id, "-TR3000-abcdefghijkl", 20);
    memcpy(a2.peer_id, "A2-1-36-0-0123456789", 20);
    struct conn_event c = conn("10.77.0.1", "10.77.0.2", 6881, PROTO_BITTORRENT, 0, 10);
    struct app_event e1 = { .type = APP_EV_BITTORRENT, .dir = DIR_TOSERVER, .ts_us = T0,
                            .u.bt = &tr };
    struct app_event e2 = { .type = APP_EV_BITTORRENT, .dir = DIR_TOCLIENT, .ts_us = T0,
                            .u.bt = &a2 };
    detect_app(d, &c, &e1);
    detect_app(d, &c, &e2);
    detect_conn(d, &c);
    detect_finish(d, collect, &out);
    assert_non_null(find(&out, "10.77.0.1", FK_P2P_APP));
    assert_null(find(&out, "10.77.0.1", FK_P2P_DENIED));
    assert_string_equal(find(&out, "10.77.0.1", FK_HOST_VERDICT)->verdict, "benign");
    assert_non_null(find(&out, "10.77.0.2", FK_P2P_DENIED));
    assert_string_equal(find(&out, "10.77.0.2", FK_HOST_VERDICT)->verdict, "policy");
    detect_free(d);
}

static void test_downloads(void **state)
{
    (void)state;
    struct detect *d = mk(NULL);
    static struct collected out;
    memset(&out, 0, sizeof out);
    struct conn_event c = conn("10.77.0.1", "198.51.100.7", 80, PROTO_HTTP, 0, 1);
    struct http_txn t = { .method = { (const uint8_t *)"GET", 3 },
                          .uri = { (const uint8_t *)"/update.jpg", 11 },
                          .host = { (const uint8_t *)"x.test", 6 },
                          .status = 200, .has_response = true, .resp_file = "pe",
                          .resp_body = 4096 };
    struct app_event ev = { .type = APP_EV_HTTP, .ts_us = T0, .u.http = &t };
    detect_app(d, &c, &ev);
    struct ftp_cmd r = { .command = { (const uint8_t *)"RETR", 4 },
                         .arg = { (const uint8_t *)"bot.exe", 7 }, .reply = 226 };
    struct app_event fe = { .type = APP_EV_FTP, .ts_us = T0, .u.ftp = &r };
    detect_app(d, &c, &fe);
    r.arg = (struct bytes){ (const uint8_t *)"notes.txt", 9 };
    detect_app(d, &c, &fe);
    detect_conn(d, &c);
    detect_finish(d, collect, &out);
    const struct finding *f = find(&out, "10.77.0.1", FK_EXE_DOWNLOAD);
    assert_non_null(f);
    assert_int_equal(f->nev_total, 2);
    assert_non_null(strstr(f->ev[0].what, "executable http://x.test/update.jpg (pe"));
    assert_true(find(&out, "10.77.0.1", FK_HOST_VERDICT)->stages_seen & 1u << STAGE_DOWNLOAD);
    detect_free(d);
}

static void test_flood_and_memcap(void **state)
{
    (void)state;
    struct detect *d = mk(NULL);
    static struct collected out;
    memset(&out, 0, sizeof out);
    struct conn_event c = conn("10.77.0.3", "198.51.100.99", 53, 0, 0, 10);
    c.ip_proto = 17;
    c.pkts[0] = 50000;                             /* 5000 packets/s for 10 s */
    detect_conn(d, &c);
    struct conn_event calm = conn("10.77.0.4", "198.51.100.99", 80, PROTO_HTTP, 0, 100);
    calm.pkts[0] = 20000;                          /* a big download's ACKs: 200/s */
    detect_conn(d, &calm);
    detect_finish(d, collect, &out);
    assert_true(says(find(&out, "10.77.0.3", FK_OUT_FLOOD), "5000 packets/s"));
    assert_null(find(&out, "10.77.0.4", FK_OUT_FLOOD));
    detect_free(d);

    /* a memory cap too small for anything: state is dropped and counted, nothing breaks */
    struct detect_config cfg;
    detect_config_default(&cfg);
    cfg.memcap = 64;
    d = mk(&cfg);
    memset(&out, 0, sizeof out);
    irc_bot_session(d, "10.1.0.1", "^auzwybp", 80, 0);
    detect_finish(d, collect, &out);
    assert_int_equal(out.n, 0);
    assert_true(detect_stats(d)->dropped_nomem > 0);
    detect_free(d);
}

/* While running, a flush emits what is new or changed, and the end only what changed since. */
static void test_flush(void **state)
{
    (void)state;
    struct detect *d = mk(NULL);
    static struct collected out;
    memset(&out, 0, sizeof out);
    for (int i = 0; i < 3; i++) {
        char dst[32];
        snprintf(dst, sizeof dst, "203.0.113.%d", i + 1);
        struct conn_event c = conn("10.77.0.9", dst, 25, PROTO_SMTP, i, i + 1);
        detect_conn(d, &c);
    }
    detect_flush(d, collect, &out);
    const struct finding *f = find(&out, "10.77.0.9", FK_SPAM_VOLUME);
    assert_true(says(f, "3 SMTP connections"));
    uint64_t key = f->key;
    unsigned first = out.n;
    assert_int_equal(first, 3);                   /* spam-volume, business-hours, verdict */
    detect_flush(d, collect, &out);               /* nothing new: nothing emitted */
    assert_int_equal(out.n, first);
    for (int i = 3; i < 30; i++) {                /* the same host goes on: a heavy day */
        char dst[32];
        snprintf(dst, sizeof dst, "203.0.113.%d", i + 1);
        struct conn_event c = conn("10.77.0.9", dst, 25, PROTO_SMTP, i, i + 1);
        detect_conn(d, &c);
    }
    detect_finish(d, collect, &out);
    bool again = false;
    for (unsigned i = first; i < out.n; i++)
        if (out.f[i].kind == FK_SPAM_VOLUME) {
            again = true;
            assert_int_equal(out.f[i].key, key);  /* it replaces the first one */
            assert_int_equal(out.f[i].severity, 1);
            assert_true(says(&out.f[i], "30 SMTP connections"));
            assert_int_equal(out.f[i].nev, 1);    /* the day's line, rebuilt, not added */
        }
    assert_true(again);
    detect_free(d);
}

/* A bot's C&C connection can last days: a flush while it is open already names it; the
 * keepalive cadence waits for the session's end. */
static void test_flush_open_irc(void **state)
{
    (void)state;
    struct detect *d = mk(NULL);
    static struct collected out;
    memset(&out, 0, sizeof out);
    struct conn_event c = conn("10.77.0.1", "198.51.100.7", 80, PROTO_IRC, 0, 600);
    irc(d, &c, DIR_TOSERVER, 0.1, "NICK ^auzwybp");
    irc(d, &c, DIR_TOSERVER, 0.1, "USER BOT 0 * :^auzwybp");
    for (int i = 1; i <= 4; i++)
        irc(d, &c, DIR_TOSERVER, 10.0 * i, "PONG irc.sina.test");
    detect_flush(d, collect, &out);
    assert_non_null(find(&out, "10.77.0.1", FK_IRC_BOT_NICK));
    assert_non_null(find(&out, "10.77.0.1", FK_IRC_NONSTD_PORT));
    assert_null(find(&out, "10.77.0.1", FK_IRC_KEEPALIVE));
    assert_string_equal(find(&out, "10.77.0.1", FK_HOST_VERDICT)->verdict, "bot");
    unsigned before = out.n;
    detect_flush(d, collect, &out);              /* nothing new while it goes on */
    assert_int_equal(out.n, before);
    detect_conn(d, &c);                          /* it ends: the cadence now */
    detect_finish(d, collect, &out);
    bool keepalive = false;
    for (unsigned i = before; i < out.n; i++)
        keepalive |= out.f[i].kind == FK_IRC_KEEPALIVE;
    assert_true(keepalive);
    detect_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nick_table),
        cmocka_unit_test(test_shape_and_user),
        cmocka_unit_test(test_encoded),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_business_hours),
        cmocka_unit_test(test_hmap),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_irc_bot),
        cmocka_unit_test(test_irc_human),
        cmocka_unit_test(test_group_and_text),
        cmocka_unit_test(test_group_in_step),
        cmocka_unit_test(test_webchat),
        cmocka_unit_test(test_relay_timing),
        cmocka_unit_test(test_spam_volume),
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_hours),
        cmocka_unit_test(test_p2p_policy),
        cmocka_unit_test(test_downloads),
        cmocka_unit_test(test_flood_and_memcap),
        cmocka_unit_test(test_flush),
        cmocka_unit_test(test_flush_open_irc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
