/* SPDX-License-Identifier: MIT
 * Unit tests for proto/: each probe on real-shaped first bytes, near misses that must not
 * match, and every truncation of a positive sample (a prefix of real traffic is never
 * rejected; under ASan this also catches reads past the bytes given). */
#include <stdlib.h>

#include "proto/proto.h"
#include "testutil.h"

struct sample {
    enum proto_id want;
    bool tcp;
    uint16_t port;
    const char *c2s, *s2c;   /* first bytes each way; NULL: nothing yet */
    size_t c2s_len, s2c_len; /* 0: strlen */
};

#define S(w, p, c, s) { PROTO_##w, true, p, c, s, 0, 0 }
#define SB(w, t, p, c, cl, s, sl) { PROTO_##w, t, p, c, s, cl, sl }

static const struct sample positives[] = {
    /* the founding case: a bot's IRC on port 80, decided at its first line */
    S(IRC, 80, "NICK ^auzwybp\r\nUSER BOT 0 * :^auzwybp\r\n", NULL),
    S(IRC, 80, "USER BOT 0 * :^auzwybp\r\n", NULL),
    S(IRC, 6667, NULL, ":irc.sina.net 001 ^auzwybp :Welcome to the Sina Network ^auzwybp\r\n"),
    S(IRC, 8000, "PRIVMSG bob :\x01" "DCC SEND hello.txt 167772161 5555 12\x01\r\n", NULL),
    S(IRC, 6667, "USER foo\nNICK foo\n", NULL),
    S(IRC, 6667, "STARTTLS\r\n", ":irc.joulunet.org 670  :STARTTLS successful\r\n"),
    S(HTTP, 6667, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", NULL),
    S(HTTP, 80, "CONNECT mail.example.com:25 HTTP/1.0\r\n\r\n", NULL),
    S(HTTP, 80, NULL, "HTTP/1.1 200 OK\r\n"),
    /* a method outside the table (UPnP, suricata-verify's detect-app-layer-protocol-03) */
    S(HTTP, 80, "NOTMETHOD /WANIPConnection HTTP/1.1\r\nHost: 192.168.0.1\r\n\r\n", NULL),
    S(HTTP, 2869, "SUBSCRIBE /upnp/event HTTP/1.1\r\n", NULL),
    S(SMTP, 2525, NULL, "220 mx.example.com ESMTP Postfix\r\n"),
    S(SMTP, 2525, "EHLO client\r\n", "220 host ready\r\n"),
    S(FTP, 21, NULL, "220 ProFTPD Server (Debian)\r\n"),
    S(FTP, 2100, "USER anonymous\r\n", "220 Welcome\r\n"),
    S(POP3, 110, NULL, "+OK Dovecot ready.\r\n"),
    S(IMAP, 143, NULL, "* OK [CAPABILITY IMAP4rev1] ready\r\n"),
    S(SSH, 2222, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", NULL),
    SB(TLS, true, 8443, "\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03", 11, NULL, 0),
    SB(BITTORRENT, true, 51413, "\x13" "BitTorrent protocol\0\0\0\0\0\x10\0\x05", 28, NULL, 0),
    SB(DNS, false, 53, "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07" "example\x03" "com\0"
       "\x00\x01\x00\x01", 29, NULL, 0),
    SB(BT_DHT, false, 40000, "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe", 56,
       NULL, 0),
    SB(SOCKS, true, 1182, "\x04\x01\x00\x19\x0a\x00\x00\x05" "bob\0", 12, NULL, 0),
    SB(SOCKS, true, 8888, "\x05\x01\x00", 3, "\x05\x00", 2),
    SB(SMB, true, 445, "\x00\x00\x00\x45\xfeSMB\x40\x00", 10, NULL, 0),
    /* uTP: a SYN each way would be odd; a SYN and a state reply */
    SB(BITTORRENT, false, 40000, "\x41\x00\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x10"
       "\x00\x00\x00\x01\x00\x00", 20, "\x21\x00\x12\x34\x00\x00\x00\x02\x00\x00\x00\x05"
       "\x00\x10\x00\x00\x00\x05\x00\x01", 20),
};

static const struct sample negatives[] = {
    /* near misses: IRC words inside another protocol, or the wrong shape */
    S(HTTP, 80, "POST /x HTTP/1.1\r\nContent-Length: 20\r\n\r\nNICK foo\r\nUSER a b c d\r\n", NULL),
    S(SMTP, 25, "HELO foo\r\n", "220 mail ESMTP\r\n"),
    S(POP3, 110, "USER bob\r\n", "+OK ready\r\n"),
    S(FTP, 21, "USER anonymous\r\n", "220 FTP ready\r\n"),
    S(UNKNOWN, 80, "\x01\x02garbage\n", NULL),
    /* request lines of HTTP's cousins: any method, but not HTTP/1.x at the end */
    S(UNKNOWN, 554, "DESCRIBE rtsp://cam/live RTSP/1.0\r\nCSeq: 1\r\n\r\n", NULL),
    /* SIP's INVITE is an IRC command too; its request line ends in SIP/2.0 */
    S(UNKNOWN, 5060, "INVITE sip:bob@example.org SIP/2.0\r\nVia: x\r\n\r\n", NULL),
    /* a NetBIOS name query has DNS's shape but is not DNS (RFC 1002 4.2.12) */
    SB(UNKNOWN, false, 137, "\x80\x01\x00\x10\x00\x01\x00\x00\x00\x00\x00\x00\x20"
       "FHEPFCELEHFCEPFFFACACACACACACABN\x00\x00\x20\x00\x01", 50, NULL, 0),
    /* a NetBIOS session set up and nothing after it: likely nbss, decided at the end */
    SB(NBSS, true, 139, "\x81\x00\x00\x44\x20" "EEEFEEEEEEEEEEEEEEEEEEEEEEEEEEEE\x00\x20"
       "FDFDFDFDFDFDFDFDFDFDFDFDFDFDFDFD\x00", 72, "\x82\x00\x00\x00", 4),
};

static struct proto_stats st;
static struct proto_engine pe = { .stats = &st, .memcap = 1 << 20 };

static struct flow *mkflow(bool tcp, uint16_t port, bool midstream)
{
    static struct flow f;
    memset(&f, 0, sizeof f);
    f.key.proto = tcp ? IPPROTO_NUM_TCP : IPPROTO_NUM_UDP;
    f.key.port[0] = 50000;
    f.key.port[1] = port;
    f.client_side = 0;
    f.midstream = midstream;
    return &f;
}

static size_t slen(const char *s, size_t given) { return s ? (given ? given : strlen(s)) : 0; }

/* Feeds the sample: server bytes first when both (the greeting comes first). With at_end,
 * the verdict after the flow ended (undecided with payload: unknown). */
static enum proto_id identify(const struct sample *s, size_t cut_c, size_t cut_s, bool at_end)
{
    struct flow *f = mkflow(s->tcp, s->port, false);
    if (s->s2c && cut_s)
        proto_flow_data(&pe, f, DIR_TOCLIENT, (const uint8_t *)s->s2c, cut_s);
    if (s->c2s && cut_c)
        proto_flow_data(&pe, f, DIR_TOSERVER, (const uint8_t *)s->c2s, cut_c);
    enum proto_id got = f->app_proto;
    proto_flow_end(&pe, f);                    /* frees the state */
    return at_end ? f->app_proto : got;
}

static void test_positives(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof positives / sizeof positives[0]; i++) {
        const struct sample *s = &positives[i];
        enum proto_id got = identify(s, slen(s->c2s, s->c2s_len), slen(s->s2c, s->s2c_len), false);
        if (got != s->want)
            fail_msg("sample %zu: want %s, got %s", i, proto_name[s->want], proto_name[got]);
    }
}

static void test_near_misses(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof negatives / sizeof negatives[0]; i++) {
        const struct sample *s = &negatives[i];
        enum proto_id got = identify(s, slen(s->c2s, s->c2s_len), slen(s->s2c, s->s2c_len), true);
        if (got != s->want)
            fail_msg("near miss %zu: want %s, got %s", i, proto_name[s->want], proto_name[got]);
    }
}

static void test_every_truncation_is_not_rejected(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof positives / sizeof positives[0]; i++) {
        const struct sample *s = &positives[i];
        size_t cl = slen(s->c2s, s->c2s_len), sl = slen(s->s2c, s->s2c_len);
        if (!s->tcp)
            continue;                          /* a UDP datagram comes whole */
        for (size_t n = 1; n < (cl ? cl : sl); n++) {
            /* copy the prefix so ASan sees exactly n bytes */
            uint8_t *b = malloc(n);
            memcpy(b, cl ? s->c2s : s->s2c, n);
            struct flow *f = mkflow(true, s->port, false);
            proto_flow_data(&pe, f, cl ? DIR_TOSERVER : DIR_TOCLIENT, b, n);
            enum proto_id got = f->app_proto;
            proto_flow_end(&pe, f);
            free(b);
            if (got != PROTO_NONE && got != s->want)
                fail_msg("sample %zu cut at %zu: decided %s", i, n, proto_name[got]);
        }
    }
}

static void test_irc_midstream_skips_partial_line(void **state)
{
    (void)state;
    static const char d[] = "ybp :encrypted\r\nPING :irc.sina.net\r\n";
    struct flow *f = mkflow(true, 80, true);
    proto_flow_data(&pe, f, DIR_TOCLIENT, (const uint8_t *)d, sizeof d - 1);
    assert_int_equal(f->app_proto, PROTO_IRC);
    assert_true(f->app_unusual_port);
    proto_flow_end(&pe, f);
}

static void test_unknown_has_entropy(void **state)
{
    (void)state;
    uint8_t b[1024];
    uint32_t x = 1;
    for (size_t i = 0; i < sizeof b; i++) {
        x = x * 1664525 + 1013904223;
        b[i] = (uint8_t)(x >> 24);
    }
    struct flow *f = mkflow(true, 443, false);
    proto_flow_data(&pe, f, DIR_TOSERVER, b, sizeof b);
    assert_int_equal(f->app_proto, PROTO_UNKNOWN);
    assert_true(f->app_entropy_x100 > 750);    /* random bytes: close to 8 bits per byte */
    assert_int_equal(f->app_sample_bytes, 1024);
    assert_int_equal(proto_entropy_x100((const uint8_t *)"aaaa", 4), 0);
    assert_int_equal(proto_entropy_x100((const uint8_t *)"abab", 4), 100);
}

static void test_bittorrent_peer_ids(void **state)
{
    (void)state;
    static const struct { const char *id, *client, *version, *style; } ids[] = {
        { "-TR2940-k8hj0wgej6ch", "Transmission", "2.9.4", "azureus" },
        { "-lt0D60-\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c", "libtorrent (rasterbar)", "0.13.6", "azureus" },
        { "-DE13F0-abcdefghijkl", "Deluge", "1.3.15", "azureus" },
        { "-SD0100-abcdefghijkl", "Thunder (Xunlei)", "0.1.0", "azureus" },
        { "A2-1-36-0-abcdefghij", "aria2", "1.36.0", "other" },
        { "M4-3-6--abcdefghijkl", "BitTorrent (Mainline)", "4.3.6", "mainline" },
        { "S58B-----abcdefghijk", "Shad0w", "5.8.11", "shadow" },
        { "-ZZ1000-abcdefghijkl", NULL, "", "azureus" },
        { "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13", NULL, "", "unknown" },
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct bt_handshake h;
        memcpy(h.peer_id, ids[i].id, 20);
        bt_identify_client(&h);
        if ((ids[i].client == NULL) != (h.client == NULL) ||
            (h.client && strcmp(h.client, ids[i].client) != 0) ||
            strcmp(h.version, ids[i].version) != 0 || strcmp(h.style, ids[i].style) != 0)
            fail_msg("peer id %zu: got %s %s %s", i, h.client ? h.client : "-", h.version, h.style);
    }
}

struct proxies {
    int n;
    struct proxy_req last;
    char host[64];
};

static void proxy_collect(void *ctx, const struct flow *f, const struct app_event *ev)
{
    (void)f;
    struct proxies *p = ctx;
    if (ev->type != APP_EV_PROXY)
        return;
    p->n++;
    p->last = *ev->u.proxy;
    snprintf(p->host, sizeof p->host, "%.*s", (int)ev->u.proxy->host.len,
             (const char *)ev->u.proxy->host.p);
}

/* The third seed: a trojaned proxy on 1182 relaying spam to a mail server. */
static void test_socks_relaying_smtp(void **state)
{
    (void)state;
    struct proxies got = { 0 };
    struct app_sink sk = { .emit = proxy_collect, .ctx = &got };
    struct proto_engine p2 = { .stats = &st, .memcap = 1 << 20, .sink = &sk };
    struct flow *f = mkflow(true, 1182, false);
    proto_flow_data(&p2, f, DIR_TOSERVER, (const uint8_t *)"\x04\x01\x00\x19\x0a\x00\x00\x05" "bob\0", 12);
    assert_int_equal(f->app_proto, PROTO_SOCKS);
    proto_flow_data(&p2, f, DIR_TOCLIENT, (const uint8_t *)"\x00\x5a\x00\x00\x00\x00\x00\x00"
                    "220 mx.victim.example ESMTP\r\n", 37);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.last.kind, "socks4");
    assert_string_equal(got.host, "10.0.0.5");
    assert_int_equal(got.last.port, 25);
    assert_true(got.last.success);
    assert_int_equal(got.last.tunnel_proto, PROTO_SMTP);
    proto_flow_end(&p2, f);
    assert_int_equal(f->app_tunnel, PROTO_SMTP);
    assert_int_equal(got.n, 1);

    /* SOCKS5 with a domain name, refused */
    memset(&got, 0, sizeof got);
    f = mkflow(true, 1080, false);
    proto_flow_data(&p2, f, DIR_TOSERVER, (const uint8_t *)"\x05\x01\x00", 3);
    proto_flow_data(&p2, f, DIR_TOCLIENT, (const uint8_t *)"\x05\x00", 2);
    proto_flow_data(&p2, f, DIR_TOSERVER, (const uint8_t *)"\x05\x01\x00\x03\x0bmx.evil.com\x00\x19", 18);
    proto_flow_data(&p2, f, DIR_TOCLIENT, (const uint8_t *)"\x05\x02\x00\x01\0\0\0\0\0\0", 10);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.host, "mx.evil.com");
    assert_false(got.last.success);
    assert_int_equal(got.last.reply, 2);
    proto_flow_end(&p2, f);
}

struct tlsgot {
    int n;
    struct tls_hello h;
};

static void tls_collect(void *ctx, const struct flow *f, const struct app_event *ev)
{
    (void)f;
    struct tlsgot *g = ctx;
    if (ev->type == APP_EV_TLS) {
        g->n++;
        g->h = *ev->u.tls;
    }
}

static void test_tls_client_hello_ja3(void **state)
{
    (void)state;
    static const uint8_t hello[] = "\x16\x03\x01\x00\x61\x01\x00\x00\x5d\x03\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x06\x0a\x0a\x13\x01\xc0\x2f\x01\x00\x00\x2e\x00\x00\x00\x11\x00\x0f\x00\x00\x0c\x63\x32\x2e\x65\x76\x69\x6c\x2e\x74\x65\x73\x74\x00\x0a\x00\x06\x00\x04\x0a\x0a\x00\x1d\x00\x0b\x00\x02\x01\x00\x00\x2b\x00\x05\x04\x0a\x0a\x03\x04";
    struct tlsgot got = { 0 };
    struct app_sink sk = { .emit = tls_collect, .ctx = &got };
    struct proto_engine p2 = { .stats = &st, .memcap = 1 << 20, .sink = &sk };
    struct flow *f = mkflow(true, 4443, false);
    proto_flow_data(&p2, f, DIR_TOSERVER, hello, 20);         /* split inside the hello */
    proto_flow_data(&p2, f, DIR_TOSERVER, hello + 20, sizeof hello - 1 - 20);
    assert_int_equal(f->app_proto, PROTO_TLS);
    proto_flow_end(&p2, f);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.h.sni, "c2.evil.test");
    assert_int_equal(got.h.client_version, 0x0304);          /* from supported_versions */
    assert_string_equal(got.h.ja3, "771,4865-49199,0-10-11-43,29,0");   /* GREASE left out */
    assert_int_equal(strlen(got.h.ja3_hash), 32);
}

struct sshgot {
    int n;
    char client[64], server[64];
};

static void ssh_collect(void *ctx, const struct flow *f, const struct app_event *ev)
{
    (void)f;
    struct sshgot *g = ctx;
    if (ev->type != APP_EV_SSH)
        return;
    g->n++;
    snprintf(g->client, 64, "%.*s", (int)ev->u.ssh->software[0].len,
             (const char *)ev->u.ssh->software[0].p);
    snprintf(g->server, 64, "%.*s", (int)ev->u.ssh->software[1].len,
             (const char *)ev->u.ssh->software[1].p);
}

static void test_ssh_banners(void **state)
{
    (void)state;
    struct sshgot got = { 0 };
    struct app_sink sk = { .emit = ssh_collect, .ctx = &got };
    struct proto_engine p2 = { .stats = &st, .memcap = 1 << 20, .sink = &sk };
    struct flow *f = mkflow(true, 22, false);
    static const char srv[] = "a line before the banner\r\nSSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
    static const char cli[] = "SSH-2.0-libssh2_1.10.0\r\n";
    proto_flow_data(&p2, f, DIR_TOCLIENT, (const uint8_t *)srv, sizeof srv - 1);
    proto_flow_data(&p2, f, DIR_TOSERVER, (const uint8_t *)cli, sizeof cli - 1);
    assert_int_equal(f->app_proto, PROTO_SSH);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.client, "libssh2_1.10.0");
    assert_string_equal(got.server, "OpenSSH_9.2p1 Debian-2");
    proto_flow_end(&p2, f);
    assert_int_equal(got.n, 1);
}

struct dnsgot {
    int n;
    struct dns_msg last;
};

static void dns_collect(void *ctx, const struct flow *f, const struct app_event *ev)
{
    (void)f;
    struct dnsgot *g = ctx;
    if (ev->type == APP_EV_DNS) {
        g->n++;
        g->last = *ev->u.dns;
    }
}

static void test_dns_messages(void **state)
{
    (void)state;
    struct dnsgot got = { 0 };
    struct app_sink sk = { .emit = dns_collect, .ctx = &got };
    struct proto_engine p2 = { .stats = &st, .memcap = 1 << 20, .sink = &sk };
    /* an answer with a compressed CNAME and an A record */
    static const uint8_t ans[] = "\x12\x34\x81\x80\x00\x01\x00\x02\x00\x00\x00\x00"
        "\x03www\x04" "evil\x04test\x00\x00\x01\x00\x01"
        "\xc0\x0c\x00\x05\x00\x01\x00\x00\x00\x3c\x00\x05\x02" "c2\xc0\x10"
        "\xc0\x2b\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x00\x00\x07";
    struct flow *f = mkflow(false, 53, false);
    proto_flow_data(&p2, f, DIR_TOCLIENT, ans, sizeof ans - 1);
    assert_int_equal(f->app_proto, PROTO_DNS);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.last.qname, "www.evil.test");
    assert_int_equal(got.last.nanswers, 2);
    assert_string_equal(got.last.answers[0].rdata, "c2.evil.test");
    assert_string_equal(got.last.answers[1].name, "c2.evil.test");
    assert_string_equal(got.last.answers[1].rdata, "10.0.0.7");
    /* a pointer to itself and a forward pointer: refused, nothing overread */
    static const uint8_t loop[] = "\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00"
        "\x01" "a\x00\x00\x01\x00\x01\xc0\x13\x00\x01\x00\x01\x00\x00\x00\x01\x00\x04\x01\x02\x03\x04"
        "\xc0\x30";
    proto_flow_data(&p2, f, DIR_TOCLIENT, loop, sizeof loop - 1);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.last.nanswers, 0);
    proto_flow_end(&p2, f);

    /* over TCP: a length-framed query split across segments */
    static const uint8_t q[] = "\x00\x1d\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
        "\x07" "example\x03" "com\x00\x00\x10\x00\x01";
    f = mkflow(true, 53, false);
    proto_flow_data(&p2, f, DIR_TOSERVER, q, 9);
    proto_flow_data(&p2, f, DIR_TOSERVER, q + 9, sizeof q - 1 - 9);
    assert_int_equal(got.n, 3);
    assert_string_equal(got.last.qname, "example.com");
    assert_int_equal(got.last.qtype, 16);
    proto_flow_end(&p2, f);
}

static struct app_expect last_expect;
static int nexpect;

static void ftp_expect(void *ctx, const struct app_expect *x)
{
    proto_expect(ctx, x);
    last_expect = *x;
    nexpect++;
}

static void ftp_ignore(void *ctx, const struct flow *f, const struct app_event *ev)
{
    (void)ctx;
    (void)f;
    (void)ev;
}

/* PORT, EPRT and EPSV announce data connections; the one that comes is ftp-data, tied back. */
static void test_ftp_data_connections(void **state)
{
    (void)state;
    static struct proto_engine p2;
    memset(&p2, 0, sizeof p2);
    struct app_sink sk = { .emit = ftp_ignore, .ctx = &p2, .expect = ftp_expect };
    p2.stats = &st;
    p2.memcap = 1 << 20;
    p2.sink = &sk;
    nexpect = 0;
    struct flow *ctl = calloc(1, sizeof *ctl);
    ctl->key.proto = IPPROTO_NUM_TCP;
    ctl->key.family = 4;
    memcpy(ctl->key.addr[0], "\x0a\x00\x00\x01", 4);    /* client */
    memcpy(ctl->key.addr[1], "\x0a\x00\x00\x02", 4);    /* server */
    ctl->key.port[0] = 40000;
    ctl->key.port[1] = 21;
    ctl->id = 7;
    proto_flow_data(&p2, ctl, DIR_TOCLIENT, (const uint8_t *)"220 FTP ready\r\n", 15);
    proto_flow_data(&p2, ctl, DIR_TOSERVER, (const uint8_t *)"PORT 10,0,0,1,195,80\r\n", 22);
    assert_int_equal(ctl->app_proto, PROTO_FTP);
    assert_int_equal(nexpect, 1);
    assert_int_equal(last_expect.listen_port, 195 * 256 + 80);
    assert_memory_equal(last_expect.listen_addr, "\x0a\x00\x00\x01", 4);   /* the client */
    proto_flow_data(&p2, ctl, DIR_TOSERVER, (const uint8_t *)"EPRT |1|10.0.0.1|6001|\r\n", 24);
    assert_int_equal(last_expect.listen_port, 6001);
    proto_flow_data(&p2, ctl, DIR_TOSERVER, (const uint8_t *)"EPSV\r\n", 6);
    proto_flow_data(&p2, ctl, DIR_TOCLIENT,
                    (const uint8_t *)"229 Entering Extended Passive Mode (|||6446|)\r\n", 47);
    assert_int_equal(nexpect, 3);
    assert_int_equal(last_expect.listen_port, 6446);
    assert_memory_equal(last_expect.listen_addr, "\x0a\x00\x00\x02", 4);   /* the server */
    /* the passive data connection arrives: client -> server:6446 */
    struct flow *data = calloc(1, sizeof *data);
    data->key = ctl->key;
    data->key.port[0] = 40001;
    data->key.port[1] = 6446;
    data->id = 9;
    proto_flow_data(&p2, data, DIR_TOCLIENT, (const uint8_t *)"MZ\x90\x00", 4);
    assert_int_equal(data->app_proto, PROTO_FTP_DATA);
    assert_int_equal(data->id - data->related_back, 7);
    assert_int_equal(p2.nexpect, 2);
    proto_flow_end(&p2, data);
    proto_flow_end(&p2, ctl);
    free(data);
    free(ctl);
}

struct dhtgot {
    int n;
    char query[32];
    size_t info_hash_len;
};

static void dht_collect(void *ctx, const struct flow *f, const struct app_event *ev)
{
    (void)f;
    struct dhtgot *g = ctx;
    if (ev->type != APP_EV_DHT)
        return;
    g->n++;
    snprintf(g->query, sizeof g->query, "%.*s", (int)ev->u.dht->query.len,
             (const char *)ev->u.dht->query.p);
    g->info_hash_len = ev->u.dht->info_hash.len;
}

static void test_dht_messages(void **state)
{
    (void)state;
    struct dhtgot got = { 0 };
    struct app_sink sk = { .emit = dht_collect, .ctx = &got };
    struct proto_engine p2 = { .stats = &st, .memcap = 1 << 20, .sink = &sk };
    static const char q[] = "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e"
                            "1:q9:get_peers1:t2:aa1:y1:qe";
    struct flow *f = mkflow(false, 40000, false);
    proto_flow_data(&p2, f, DIR_TOSERVER, (const uint8_t *)q, sizeof q - 1);
    assert_int_equal(f->app_proto, PROTO_BT_DHT);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.query, "get_peers");
    assert_int_equal(got.info_hash_len, 20);
    /* hostile: nesting past the limit, a length past the end: no event, nothing overread */
    static const char deep[] = "d1:tlllllllllllllllllli1eeeeeeeeeeeeeeeeeee1:y1:qe";
    proto_flow_data(&p2, f, DIR_TOSERVER, (const uint8_t *)deep, sizeof deep - 1);
    static const char longstr[] = "d1:t99999:x1:y1:qe";
    proto_flow_data(&p2, f, DIR_TOSERVER, (const uint8_t *)longstr, sizeof longstr - 1);
    assert_int_equal(got.n, 1);
    proto_flow_end(&p2, f);
}

struct smbgot {
    int n;
    char share[256];
};

static void smb_collect(void *ctx, const struct flow *f, const struct app_event *ev)
{
    (void)f;
    struct smbgot *g = ctx;
    if (ev->type != APP_EV_SMB)
        return;
    g->n++;
    snprintf(g->share, sizeof g->share, "%s", ev->u.smb->share);
}

static void test_smb_tree_connect(void **state)
{
    (void)state;
    struct smbgot got = { 0 };
    struct app_sink sk = { .emit = smb_collect, .ctx = &got };
    struct proto_engine p2 = { .stats = &st, .memcap = 1 << 20, .sink = &sk };
    static const uint8_t tc[] = "\x00\x00\x00\x5a\xfe\x53\x4d\x42\x40\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09\x00\x00\x00\x48\x00\x12\x00\x5c\x00\x5c\x00\x68\x00\x5c\x00\x73\x00\x68\x00\x61\x00\x72\x00\x65\x00";
    static const uint8_t bad[] = "\x00\x00\x00\x48\xfe\x53\x4d\x42\x40\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09\x00\x00\x00\x60\xea\xa0\x0f";
    struct flow *f = mkflow(true, 8445, false);
    proto_flow_data(&p2, f, DIR_TOSERVER, tc, 30);           /* split inside the message */
    proto_flow_data(&p2, f, DIR_TOSERVER, tc + 30, sizeof tc - 1 - 30);
    assert_int_equal(f->app_proto, PROTO_SMB);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.share, "\\\\h\\share");
    /* a path offset and length far outside the message: no share, nothing overread */
    proto_flow_data(&p2, f, DIR_TOSERVER, bad, sizeof bad - 1);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.share, "");
    proto_flow_end(&p2, f);
}

static void test_gap_gives_up(void **state)
{
    (void)state;
    struct flow *f = mkflow(true, 6667, false);
    proto_flow_data(&pe, f, DIR_TOSERVER, (const uint8_t *)"NI", 2);
    proto_flow_data(&pe, f, DIR_TOSERVER, NULL, 100);
    assert_int_equal(f->app_proto, PROTO_UNKNOWN);
    assert_null(f->app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positives),
        cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_every_truncation_is_not_rejected),
        cmocka_unit_test(test_irc_midstream_skips_partial_line),
        cmocka_unit_test(test_unknown_has_entropy),
        cmocka_unit_test(test_gap_gives_up),
        cmocka_unit_test(test_bittorrent_peer_ids),
        cmocka_unit_test(test_socks_relaying_smtp),
        cmocka_unit_test(test_tls_client_hello_ja3),
        cmocka_unit_test(test_ssh_banners),
        cmocka_unit_test(test_dns_messages),
        cmocka_unit_test(test_ftp_data_connections),
        cmocka_unit_test(test_dht_messages),
        cmocka_unit_test(test_smb_tree_connect),
    };
    return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
