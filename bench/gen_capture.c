/*
 * gen_capture — writes a deterministic, synthetic capture of mixed Ethernet traffic for the
 * botwatch benchmark (bench/README.md).  Links only libpcap: pcap_open_dead + pcap_dump.
 *
 *   gen_capture [-s MB] [-o FILE] [-S SEED] [-v]
 *
 * Traffic model
 * -------------
 * The tap sits on the uplink between an internal network (10.0.0.0/8, fd00:b07::/32) and the
 * Internet (public-looking IPv4 addresses, 2001:db8::/32).  Every frame is synthetic and is only
 * ever written to the output file.
 *
 * Each flow is planned in full when it starts: its application payload is written into a
 * per-flow buffer and its packets into a per-flow script (direction, flags, relative sequence
 * numbers, payload slice, delay after the flow's previous packet).  Delays follow from the
 * round-trip time between the tap and each end (internal hosts are close: 0.05-1.5 ms;
 * external ones are 4-250 ms away), server processing time and client think time.  A
 * min-heap keyed on each flow's next packet time interleaves the scripts, so the capture's
 * timestamps never go backwards and tens of thousands of flows are open at once.
 *
 * New flows arrive as four Poisson processes, one per class.  Each class's arrival rate is
 * set so that it carries its share of a 1 Gbit/s average (rate = share * 125 MB/s / running
 * mean of the class's planned bytes per flow):
 *
 *   class        target share of bytes
 *   small TCP    43 %        HTTP/1.1 keep-alive (1-5 request/response pairs), SMTP sessions
 *                            (banner .. QUIT), IRC sessions (NICK/USER, MOTD, JOIN, chatter,
 *                            QUIT), and failed connections (SYN answered by RST, or SYN retried
 *                            unanswered, often scan-like ports).  Full 3-way handshake, text
 *                            payloads, delayed ACKs, FIN both ways (3 % end with RST).
 *   bulk TCP     50 %        HTTP downloads (80 %) and uploads (20 %) of 1-24 MB (log-uniform)
 *                            at 20-300 Mbit/s (done within 2 s), MSS-sized segments; 2 % of
 *                            segments appear twice (lost after the tap, retransmitted), 1 %
 *                            arrive out of order; the receiver's cumulative ACKs stall at
 *                            the holes.
 *   UDP           6 %        DNS query/response (90 %: A/AAAA, CNAMEs, NXDOMAIN, 2 %
 *                            retried after a timeout, 0.5 % large EDNS answers that are sent as
 *                            IPv4 fragments) and NTP client/server exchanges (10 %).
 *   ICMP          1 %        echo request/reply series (80 %, 10 % unanswered) and UDP probes
 *                            answered by ICMP port unreachable (20 %).
 *
 * About 4 % of small-TCP and UDP flows (5 % of bulk flows) are IPv6; 0.5 % of small-TCP and
 * UDP flows are carried in 802.1Q VLAN-tagged frames.  70 % of TCP flows use timestamps
 * (Linux-like options), the rest Windows-like options without them, so TCP header lengths
 * vary (20, 32 and 40 bytes).  IPv4 header, TCP, UDP and ICMP checksums are all correct.
 *
 * New flows stop being started once the bytes written plus the bytes still planned for open
 * flows reach the requested size; the open flows then run to completion, so every flow in the
 * file is complete and the file is within a fraction of a percent of the requested size.
 *
 * Everything is drawn from one xoshiro256** generator seeded with -S, in a fixed order (no
 * call's arguments draw more than once, as C leaves their order unspecified), and ln/exp are
 * computed here without libm, so a seed produces the same file with any compiler.
 */
#include <pcap/pcap.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- parameters */

#define RATE_BYTES_PER_S 125e6  /* 1 Gbit/s average */
#define EPOCH_S 1710234000u     /* 2024-03-12 09:00:00 UTC */
#define N_INT 6000              /* internal client hosts */
#define N_EXT 4000              /* external hosts */
#define P_RTX 0.02              /* bulk: segment seen twice (retransmitted) */
#define P_OOO 0.01              /* bulk: segment seen out of order */
#define MAX_DELAY_NS 4000000000ull

enum { C_SMALL, C_BULK, C_UDP, C_ICMP, N_CLASS };
static const double class_share[N_CLASS] = {0.43, 0.50, 0.06, 0.01};
static const char *const class_name[N_CLASS] = {"small-tcp", "bulk-tcp", "udp", "icmp"};

enum {
    S_HTTP, S_SMTP, S_IRC, S_FAILED, S_GET, S_POST, S_DNS, S_DNS_FRAG, S_NTP, S_ECHO, S_UNREACH,
    N_SUB
};
static const char *const sub_name[N_SUB] = {"http",  "smtp", "irc",     "failed",
                                            "bulk-get", "bulk-post", "dns", "dns-frag",
                                            "ntp",   "icmp-echo", "icmp-unreach"};

/* ---------------------------------------------------------------- PRNG and math (no libm) */

static uint64_t rs[4];

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rnd(void)
{
    uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;
    rs[2] ^= rs[0];
    rs[3] ^= rs[1];
    rs[1] ^= rs[2];
    rs[0] ^= rs[3];
    rs[2] ^= t;
    rs[3] = rotl(rs[3], 45);
    return r;
}

static uint32_t rnd_below(uint32_t n) { return (uint32_t)(((rnd() >> 32) * n) >> 32); }
static double rnd_unit(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }
static int chance(double p) { return rnd_unit() < p; }

static double my_ln(double x) /* x > 0 */
{
    union { double d; uint64_t u; } v = {x};
    int e = (int)((v.u >> 52) & 0x7ff) - 1023;
    v.u = (v.u & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    double m = v.d;
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e++;
    }
    double s = (m - 1) / (m + 1), s2 = s * s, term = s, sum = 0;
    for (int k = 1; k < 20; k += 2) {
        sum += term / k;
        term *= s2;
    }
    return 2 * sum + e * 0.6931471805599453;
}

static double my_exp(double y)
{
    if (y < -700) return 0;
    double z = y * 1.4426950408889634;
    int k = (int)z;
    if (z < k) k--;
    double f = (z - k) * 0.6931471805599453, term = 1, sum = 1;
    for (int n = 1; n < 16; n++) {
        term *= f / n;
        sum += term;
    }
    union { double d; uint64_t u; } p = {0};
    p.u = (uint64_t)(k + 1023) << 52;
    return sum * p.d;
}

static double rnd_exp(double mean) { return -mean * my_ln(1.0 - rnd_unit()); }
static double rnd_logu(double lo, double hi) { return lo * my_exp(rnd_unit() * my_ln(hi / lo)); }

/* Durations are kept in nanoseconds. */
#define MS(x) ((uint64_t)((x) * 1e6))
#define US(x) ((uint64_t)((x) * 1e3))
static uint64_t rnd_ms(double lo, double hi) { return MS(rnd_logu(lo, hi)); }

/* ---------------------------------------------------------------- hosts */

typedef struct {
    uint32_t ip4;
    uint16_t next_port;
} Host;

/* Internal servers follow the N_INT internal clients in int_host[]. */
enum { IS_RES1, IS_RES2, IS_MX, IS_WEB0, N_ISRV = IS_WEB0 + 8 };
static Host int_host[N_INT + N_ISRV], ext_host[N_EXT];
static const uint32_t pub_resolver[3] = {0x08080808, 0x01010101, 0x09090909};
static const uint8_t router_mac[6] = {0x00, 0x0c, 0x29, 0x5e, 0xaa, 0x01};

static int public_ok(uint32_t a)
{
    unsigned o1 = a >> 24, o2 = (a >> 16) & 255, o4 = a & 255;
    if (o1 == 0 || o1 == 10 || o1 == 127 || o1 >= 224 || o4 == 0 || o4 == 255) return 0;
    if ((o1 == 100 && (o2 & 0xc0) == 64) || (o1 == 169 && o2 == 254)) return 0;
    if ((o1 == 172 && (o2 & 0xf0) == 16) || (o1 == 192 && (o2 == 168 || o2 == 0))) return 0;
    if (o1 == 198 && (o2 & 0xfe) == 18) return 0;
    return 1;
}

static void hosts_init(void)
{
    for (uint32_t i = 0; i < N_INT; i++) {
        int_host[i].ip4 = (10u << 24) | ((1 + i / 500) << 16) | ((16 + (i % 500) / 250) << 8) |
                          (1 + i % 250);
        int_host[i].next_port = (uint16_t)(32768 + rnd_below(28000));
    }
    static const uint32_t srv[N_ISRV] = {0x0a000035, 0x0a000135, 0x0a000219, 0x0a00030a,
                                         0x0a00030b, 0x0a00030c, 0x0a00030d, 0x0a00030e,
                                         0x0a00030f, 0x0a000310, 0x0a000311};
    for (int i = 0; i < N_ISRV; i++) int_host[N_INT + i].ip4 = srv[i];
    for (uint32_t i = 0; i < N_EXT; i++) {
        uint32_t a;
        int dup;
        do {
            a = (uint32_t)rnd();
            dup = 0;
            for (uint32_t j = 0; j < i && !dup; j++) dup = ext_host[j].ip4 == a;
        } while (!public_ok(a) || dup);
        ext_host[i].ip4 = a;
        ext_host[i].next_port = (uint16_t)(49152 + rnd_below(16000));
    }
}

/* Popular servers get most of the flows: index = N * u^3. */
static uint32_t pick_ext(void)
{
    double u = rnd_unit();
    return (uint32_t)(N_EXT * u * u * u);
}

static uint16_t take_port(Host *h, int high)
{
    uint16_t p = h->next_port;
    uint32_t n = (uint32_t)p + 1 + rnd_below(8);
    if (high ? n > 65535 : n > 60999) n = high ? 49152 : 32768;
    h->next_port = (uint16_t)n;
    return p;
}

/* Deterministic domain name for external host idx (independent of the main generator). */
static void host_name(uint32_t idx, const char *prefix, char *out, size_t n)
{
    static const char *const syl[] = {
        "ka",  "lo",   "mi",  "ra",   "ven",  "to",  "sa",   "ne",  "dor",  "li",
        "qu",  "ex",   "zen", "pa",   "ri",   "mo",  "tel",  "net", "var",  "sys",
        "bit", "data", "web", "shop", "news", "go",  "nova", "star", "link", "hub",
        "box", "lab",  "zo",  "ta",   "mer",  "ion", "ark",  "vi",  "pro",  "tek"};
    static const char *const tld[] = {"com", "com", "com", "net", "org", "io", "de", "fr",
                                      "co.uk", "ru", "com.br", "jp", "nl", "info", "eu"};
    uint64_t x = idx * 0x2545F4914F6CDD1Dull + 77;
    uint64_t h = splitmix(&x);
    size_t ns = sizeof syl / sizeof *syl;
    int nsyl = 2 + (int)(h & 1);
    char base[64] = "";
    size_t bl = 0;
    for (int i = 0; i < nsyl; i++) {
        h = splitmix(&x);
        bl += (size_t)snprintf(base + bl, sizeof base - bl, "%s", syl[h % ns]);
    }
    h = splitmix(&x);
    snprintf(out, n, "%s%s.%s", prefix, base, tld[h % (sizeof tld / sizeof *tld)]);
}

/* ---------------------------------------------------------------- flows and scripts */

enum { K_TCP, K_UDP, K_ICMP, K_FRAG };
enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };

/* One planned packet. */
typedef struct {
    uint32_t delay; /* ns after the flow's previous packet */
    uint32_t seq;   /* TCP: relative seq; FRAG: fragment offset in bytes; ICMP: echo seq */
    uint32_t ack;   /* TCP: relative ack */
    uint32_t off;   /* payload offset (flow_payload) */
    uint16_t len;   /* payload length */
    uint8_t dir;    /* 0 client->server, 1 server->client */
    uint8_t flags;  /* TCP flags; FRAG: 1 = more fragments; ICMP: type */
    uint8_t kind;   /* K_* */
    uint8_t code;   /* ICMP code */
    uint16_t pad;
} Pkt;

typedef struct {
    uint64_t t_next;  /* time of the next packet, ns since the start of the capture */
    uint64_t pending; /* planned bytes (pcap records) not yet written */
    uint32_t id;
    uint8_t sub, v6, ts_opt, internal[2];
    uint16_t vlan;
    uint8_t addr[2][16]; /* [0] client, [1] server */
    uint8_t mac[2][6];
    uint16_t port[2], win[2], ipid[2], seg[2], frag_id, icmp_id;
    uint8_t ttl[2];
    uint32_t isn[2], tsbase[2], last_ts[2], flowlabel[2], bin_salt;
    uint64_t rtt[2]; /* round trip between the tap and that side, ns */
    uint8_t *pay;    /* text payload; offsets past pay_len read the random block */
    uint32_t pay_len, pay_cap;
    Pkt *pk;
    uint32_t npk, cap_pk, pos;
} Flow;

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fprintf(stderr, "gen_capture: out of memory\n");
        exit(1);
    }
    return p;
}

static Pkt *push(Flow *f, uint64_t delay)
{
    if (f->npk == f->cap_pk) {
        f->cap_pk = f->cap_pk ? f->cap_pk * 2 : 32;
        f->pk = xrealloc(f->pk, f->cap_pk * sizeof *f->pk);
    }
    Pkt *p = &f->pk[f->npk++];
    memset(p, 0, sizeof *p);
    p->delay = (uint32_t)(delay > MAX_DELAY_NS ? MAX_DELAY_NS : delay);
    return p;
}

static uint32_t pay_reserve(Flow *f, uint32_t n)
{
    if (f->pay_len + n > f->pay_cap) {
        while (f->pay_len + n > f->pay_cap) f->pay_cap = f->pay_cap ? f->pay_cap * 2 : 1024;
        f->pay = xrealloc(f->pay, f->pay_cap);
    }
    uint32_t off = f->pay_len;
    f->pay_len += n;
    return off;
}

__attribute__((format(printf, 2, 3))) static void pay_printf(Flow *f, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        uint32_t room = f->pay_cap - f->pay_len;
        int n = vsnprintf((char *)f->pay + f->pay_len, room, fmt, ap);
        va_end(ap);
        if (n >= 0 && (uint32_t)n < room) {
            f->pay_len += (uint32_t)n;
            return;
        }
        uint32_t off = pay_reserve(f, (uint32_t)n + 1);
        f->pay_len = off;
    }
}

/* Filler text: a fixed corpus of words, copied from a random position. */
static char corpus[1 << 16];
#define BIN_SIZE (1u << 18)
static uint8_t binblock[BIN_SIZE]; /* bulk bodies */

static void corpus_init(void)
{
    static const char *const w[] = {
        "the",     "network", "server",  "update",   "report", "customer", "account", "order",
        "system",  "release", "weekly",  "meeting",  "please", "review",   "attached", "data",
        "service", "policy",  "support", "new",      "access", "storage",  "project",  "team",
        "office",  "price",   "market",  "product",  "online", "security", "with",     "and",
        "for",     "from",    "this",    "that",     "will",   "have",     "about",    "more",
        "news",    "today",   "version", "download", "page",   "contact",  "search",   "home"};
    size_t n = 0, col = 0, nw = sizeof w / sizeof *w;
    while (n + 16 < sizeof corpus) {
        const char *s = w[rnd_below((uint32_t)nw)];
        size_t l = strlen(s);
        memcpy(corpus + n, s, l);
        n += l;
        col += l + 1;
        if (chance(0.08)) corpus[n++] = '.';
        if (col > 68) {
            corpus[n++] = '\n';
            col = 0;
        } else {
            corpus[n++] = ' ';
        }
    }
    while (n < sizeof corpus) corpus[n++] = ' ';
    for (uint32_t i = 0; i < BIN_SIZE; i += 8) {
        uint64_t r = rnd();
        memcpy(binblock + i, &r, 8);
    }
}

static void pay_text(Flow *f, uint32_t n)
{
    uint32_t off = pay_reserve(f, n), pos = rnd_below(sizeof corpus);
    while (n) {
        uint32_t k = (uint32_t)sizeof corpus - pos;
        if (k > n) k = n;
        memcpy(f->pay + off, corpus + pos, k);
        off += k;
        n -= k;
        pos = 0;
    }
}

static void flow_payload(const Flow *f, uint32_t off, uint32_t len, uint8_t *dst)
{
    if (off < f->pay_len) {
        uint32_t n = f->pay_len - off < len ? f->pay_len - off : len;
        memcpy(dst, f->pay + off, n);
        dst += n;
        off += n;
        len -= n;
    }
    while (len) {
        uint32_t pos = (off - f->pay_len + f->bin_salt) % BIN_SIZE, n = BIN_SIZE - pos;
        if (n > len) n = len;
        memcpy(dst, binblock + pos, n);
        dst += n;
        off += n;
        len -= n;
    }
}

/* ---------------------------------------------------------------- endpoints */

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}

static void int_mac(uint32_t ip4, uint8_t *mac)
{
    mac[0] = 0x02, mac[1] = 0x00;
    put32(mac + 2, ip4);
}

/* Sets side (0 client, 1 server) of f to host h; internal selects int_host vs ext_host
 * semantics (MAC, v6 prefix, round-trip time). idx is used for the IPv6 address. */
static void set_side(Flow *f, int side, uint32_t ip4, int internal, uint32_t idx)
{
    f->internal[side] = (uint8_t)internal;
    if (f->v6) {
        uint8_t *a = f->addr[side];
        memset(a, 0, 16);
        if (internal) {
            a[0] = 0xfd, a[2] = 0x0b, a[3] = 0x07;
            put16(a + 4, (ip4 >> 16) & 0xff);
            put16(a + 14, ip4 & 0xffff);
        } else {
            a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
            put16(a + 4, 0x1000 + (idx >> 8));
            put16(a + 6, idx & 0xff);
            a[15] = (uint8_t)(1 + idx % 7);
        }
    } else {
        put32(f->addr[side], ip4);
    }
    if (internal)
        int_mac(ip4, f->mac[side]);
    else
        memcpy(f->mac[side], router_mac, 6);
    f->rtt[side] = internal ? US(rnd_logu(50, 1500)) : rnd_ms(4, 250);
    f->ttl[side] = internal ? (f->ts_opt ? 64 : 128)
                            : (uint8_t)(chance(0.75) ? 64 : 128);
    if (!internal) f->ttl[side] = (uint8_t)(f->ttl[side] - 6 - rnd_below(14)); /* hops */
}

static uint32_t next_flow_id;

static Flow *flow_new(int sub, int v6, int vlan_ok)
{
    Flow *f = xrealloc(NULL, sizeof *f);
    memset(f, 0, sizeof *f);
    f->id = next_flow_id++;
    f->sub = (uint8_t)sub;
    f->v6 = (uint8_t)v6;
    if (vlan_ok && chance(0.005)) f->vlan = (uint16_t)(10 * (1 + rnd_below(3)));
    f->ts_opt = (uint8_t)chance(0.7);
    for (int d = 0; d < 2; d++) {
        f->isn[d] = (uint32_t)rnd();
        f->tsbase[d] = (uint32_t)rnd();
        f->ipid[d] = (uint16_t)rnd();
        f->win[d] = (uint16_t)(256 + rnd_below(4000));
        f->flowlabel[d] = (uint32_t)rnd() & 0xfffff;
        f->seg[d] = (uint16_t)((v6 ? 1440 : 1460) - (f->ts_opt ? 12 : 0));
    }
    f->frag_id = (uint16_t)rnd();
    f->icmp_id = (uint16_t)rnd();
    f->bin_salt = rnd_below(BIN_SIZE);
    f->pay_cap = 1024;
    f->pay = xrealloc(NULL, f->pay_cap);
    return f;
}

/* Client internal (index ci into int_host) talking to external server e. */
static void out_flow(Flow *f, uint32_t ci, uint32_t e, uint16_t sport)
{
    set_side(f, 0, int_host[ci].ip4, 1, ci);
    set_side(f, 1, ext_host[e].ip4, 0, e);
    f->port[0] = take_port(&int_host[ci], 0);
    f->port[1] = sport;
}

/* External client e talking to internal server si. */
static void in_flow(Flow *f, uint32_t e, uint32_t si, uint16_t sport)
{
    set_side(f, 0, ext_host[e].ip4, 0, e);
    set_side(f, 1, int_host[si].ip4, 1, si);
    f->port[0] = take_port(&ext_host[e], 1);
    f->port[1] = sport;
}

/* ---------------------------------------------------------------- TCP script builder */

typedef struct {
    Flow *f;
    uint32_t nxt[2]; /* next relative sequence number per direction */
    int last_dir;    /* direction of the previous packet */
    int last_data;   /* previous packet carried something that needs an answer */
    int lines;       /* split messages at line ends */
} TB;

static void tb_pkt(TB *b, int dir, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t off,
                   uint32_t len, uint64_t delay)
{
    Pkt *p = push(b->f, delay);
    p->kind = K_TCP;
    p->dir = (uint8_t)dir;
    p->flags = flags;
    p->seq = seq;
    p->ack = (flags & F_ACK) ? ack : 0;
    p->off = off;
    p->len = (uint16_t)len;
    b->last_dir = dir;
    b->last_data = len > 0 || (flags & (F_SYN | F_FIN));
}

/* A packet at the sender's current sequence number, acknowledging everything seen so far. */
static void tb_emit(TB *b, int dir, uint8_t flags, uint32_t off, uint32_t len, uint64_t delay)
{
    tb_pkt(b, dir, flags, b->nxt[dir], b->nxt[!dir], off, len, delay);
    b->nxt[dir] += len + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
}

static void tb_ack(TB *b, int dir, uint32_t ack, uint64_t delay)
{
    tb_pkt(b, dir, F_ACK, b->nxt[dir], ack, 0, 0, delay);
}

/* Delay before a packet from dir that follows `gap` after the sender could act: a reply to
 * the other side's data is seen one round trip (tap -> sender -> tap) later. */
static uint64_t tb_delay(const TB *b, int dir, uint64_t gap)
{
    return gap + ((b->last_dir != dir && b->last_data) ? b->f->rtt[dir] : 0);
}

static void tcp_handshake(TB *b)
{
    Flow *f = b->f;
    tb_emit(b, 0, F_SYN, 0, 0, 0);
    tb_emit(b, 1, F_SYN | F_ACK, 0, 0, f->rtt[1] + US(rnd_logu(10, 300)));
    tb_emit(b, 0, F_ACK, 0, 0, f->rtt[0]);
}

/* Sends pay[off, off+len) from dir as back-to-back segments, then the receiver's ACKs: one per
 * two segments, plus a delayed ACK for an odd last segment unless `reply` says the receiver
 * answers at once (its reply carries the ACK).  With b->lines set, segments end at line ends,
 * as from a server that writes a line at a time (IRC). */
static void tcp_msg(TB *b, int dir, uint32_t off, uint32_t len, uint64_t gap, int reply)
{
    Flow *f = b->f;
    int r = !dir;
    uint32_t seg = f->seg[dir], start = b->nxt[dir], ends[128], nseg = 0, pos = 0;
    uint64_t d = tb_delay(b, dir, gap);
    while (pos < len && nseg < 128) {
        uint32_t l = len - pos < seg ? len - pos : seg;
        if (b->lines && pos + l < len) {
            uint32_t k = l;
            while (k > 1 && f->pay[off + pos + k - 1] != '\n') k--;
            if (k > 1) l = k;
        }
        if (nseg == 127) l = len - pos; /* cannot happen with the message sizes used here */
        tb_emit(b, dir, (uint8_t)(F_ACK | (pos + l == len ? F_PSH : 0)), off + pos, l, d);
        pos += l;
        ends[nseg++] = pos;
        d = US(12 + rnd_below(40));
    }
    uint32_t nacks = nseg / 2;
    for (uint32_t j = 1; j <= nacks; j++)
        tb_ack(b, r, start + ends[2 * j - 1], j == 1 ? f->rtt[r] : US(5 + rnd_below(30)));
    if ((nseg & 1) && !reply)
        tb_ack(b, r, start + len,
               nacks ? US(5 + rnd_below(30)) : f->rtt[r] + US(rnd_logu(40, 40000)));
}

/* One line-sized message from dir, sent lo..hi ms (log-uniform) after the sender could act.
 * At most one argument may draw from the generator: C leaves the order of evaluation of
 * arguments unspecified, and the file must not depend on the compiler. */
__attribute__((format(printf, 6, 7))) static void say(TB *b, int dir, double lo, double hi,
                                                      int reply, const char *fmt, ...)
{
    Flow *f = b->f;
    uint32_t off = f->pay_len;
    char tmp[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof tmp) n = sizeof tmp - 1;
    uint32_t at = pay_reserve(f, (uint32_t)n); /* may move f->pay */
    memcpy(f->pay + at, tmp, (size_t)n);
    tcp_msg(b, dir, off, (uint32_t)n, MS(rnd_logu(lo, hi)), reply);
}

static void tcp_close(TB *b, int closer, uint64_t idle)
{
    Flow *f = b->f;
    if (chance(0.03)) {
        tb_emit(b, closer, F_RST | F_ACK, 0, 0, tb_delay(b, closer, idle));
        return;
    }
    tb_emit(b, closer, F_FIN | F_ACK, 0, 0, tb_delay(b, closer, idle));
    tb_emit(b, !closer, F_FIN | F_ACK, 0, 0, f->rtt[!closer] + US(rnd_logu(20, 2000)));
    tb_emit(b, closer, F_ACK, 0, 0, f->rtt[closer]);
}

/* Bulk transfer of stream bytes [off, off+len) from dir at rate bits/s.  A few segments are
 * lost after the tap (seen twice: the original, then the retransmission a few segments
 * later) or delayed (seen out of order); the receiver ACKs every second segment, cumulatively,
 * so its ACK stays at the first hole until the hole is filled. */
static void tcp_bulk(TB *b, int dir, uint32_t off, uint32_t len, uint64_t gap, double rate)
{
    Flow *f = b->f;
    int r = !dir;
    enum { MAXDEF = 64 };
    struct { uint32_t rel, off, len; int cnt; } def[MAXDEF];
    int nd = 0;
    uint32_t seg = f->seg[dir], base = b->nxt[dir], sent = 0, ndata = 0;
    double seg_ns = (seg + 66) * 8e9 / rate;
    /* a retransmission is seen about one round trip (tap -> sender -> tap) after the original;
     * none is planned in the last stretch of the stream, so the stream's last segment is
     * always the last new data */
    uint32_t rtx_segs = (uint32_t)((double)f->rtt[dir] / seg_ns);
    if (rtx_segs > 400) rtx_segs = 400;
    uint64_t calm = (uint64_t)(rtx_segs + 40) * seg;
    uint64_t d = tb_delay(b, dir, gap);
    while (sent < len || nd) {
        for (int i = 0; i < nd; i++) def[i].cnt--;
        int pick = -1;
        for (int i = 0; i < nd && pick < 0; i++)
            if (def[i].cnt <= 0) pick = i;
        if (pick < 0 && sent >= len) {
            pick = 0;
            for (int i = 1; i < nd; i++)
                if (def[i].cnt < def[pick].cnt) pick = i;
        }
        uint32_t srel, soff, slen;
        if (pick >= 0) {
            srel = def[pick].rel, soff = def[pick].off, slen = def[pick].len;
            memmove(&def[pick], &def[pick + 1], (size_t)(nd - pick - 1) * sizeof *def);
            nd--;
        } else {
            srel = base + sent, soff = off + sent, slen = len - sent < seg ? len - sent : seg;
            sent += slen;
            double u = (uint64_t)sent + calm < len ? rnd_unit() : 1.0;
            if (u < P_OOO && nd < MAXDEF) {
                /* held back: goes out 1-3 segments later */
                def[nd].rel = srel, def[nd].off = soff, def[nd].len = slen;
                def[nd++].cnt = 1 + (int)rnd_below(3);
                srel = base + sent, soff = off + sent, slen = len - sent < seg ? len - sent : seg;
                sent += slen;
            } else if (u < P_OOO + P_RTX && nd < MAXDEF) {
                /* seen now, lost after the tap, retransmitted about one round trip later */
                def[nd].rel = srel, def[nd].off = soff, def[nd].len = slen;
                def[nd++].cnt = 3 + (int)rtx_segs + (int)rnd_below(8);
            }
        }
        uint8_t fl = (uint8_t)(F_ACK | (srel + slen == base + len ? F_PSH : 0));
        tb_pkt(b, dir, fl, srel, b->nxt[r], soff, slen, d);
        d = (uint64_t)(seg_ns * (0.8 + 0.4 * rnd_unit()));
        if (++ndata % 2 == 0 || (sent >= len && nd == 0)) {
            uint32_t hole = base + sent;
            for (int i = 0; i < nd; i++)
                if (def[i].rel < hole) hole = def[i].rel;
            uint64_t da = US(5 + rnd_below(40));
            if (da > d / 2) da = d / 2;
            tb_ack(b, r, hole, da);
            d -= da;
        }
    }
    b->nxt[dir] = base + len;
}

/* ---------------------------------------------------------------- application text */

static const char *const user_agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.3 Safari/605.1.15",
    "curl/7.88.1", "python-requests/2.31.0", "Wget/1.21.3"};
static const char *const servers[] = {"nginx/1.24.0", "Apache/2.4.58 (Debian)", "cloudflare",
                                      "Microsoft-IIS/10.0", "gws", "openresty"};
#define DAY "Tue, 12 Mar 2024"

#define PICK(a) (a)[rnd_below((uint32_t)(sizeof(a) / sizeof *(a)))]

/* "Date:" and "Server:" response header lines. */
static void pay_date_server(Flow *f)
{
    uint32_t sec = rnd_below(60);
    const char *srv = PICK(servers);
    pay_printf(f, "Date: %s 09:00:%02u GMT\r\nServer: %s\r\n", DAY, sec, srv);
}

static void http_exchange(TB *b, const char *host, int first)
{
    Flow *f = b->f;
    char path[160];
    int html = 1;
    switch (rnd_below(6)) {
    case 0: snprintf(path, sizeof path, "/"); break;
    case 1: snprintf(path, sizeof path, "/index.html"); break;
    case 2: snprintf(path, sizeof path, "/news/%u/story-%u.html", 2024, rnd_below(99999)); break;
    case 3: snprintf(path, sizeof path, "/api/v2/items/%u", rnd_below(1000000)), html = 0; break;
    case 4:
        snprintf(path, sizeof path, "/docs/%06x/readme.txt", rnd_below(1u << 24)), html = 0;
        break;
    default: snprintf(path, sizeof path, "/robots.txt"), html = 0; break;
    }
    uint32_t off = f->pay_len;
    pay_printf(f,
               "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: %s\r\n"
               "Accept-Language: en-US,en;q=0.9\r\nConnection: keep-alive\r\n",
               path, host, PICK(user_agents), html ? "text/html,*/*;q=0.8" : "*/*");
    if (chance(0.3)) pay_printf(f, "Cookie: sid=%016llx\r\n", (unsigned long long)rnd());
    pay_printf(f, "\r\n");
    tcp_msg(b, 0, off, f->pay_len - off, first ? US(rnd_logu(50, 3000)) : MS(rnd_exp(300)), 1);

    off = f->pay_len;
    uint32_t roll = rnd_below(100), body = 0;
    const char *status = "200 OK";
    if (roll < 8) {
        pay_printf(f, "HTTP/1.1 304 Not Modified\r\n");
        pay_date_server(f);
        pay_printf(f, "ETag: \"%08x\"\r\n\r\n", (uint32_t)rnd());
    } else {
        if (roll < 15) status = "404 Not Found", body = 150 + rnd_below(300);
        else if (roll < 20) status = "301 Moved Permanently", body = 160 + rnd_below(60);
        else body = (uint32_t)rnd_logu(200, 14000);
        pay_printf(f, "HTTP/1.1 %s\r\n", status);
        pay_date_server(f);
        if (roll >= 15 && roll < 20) pay_printf(f, "Location: https://%s%s\r\n", host, path);
        pay_printf(f, "Content-Type: %s\r\nContent-Length: %u\r\nConnection: keep-alive\r\n",
                   html || roll < 20 ? "text/html; charset=utf-8" : "text/plain; charset=utf-8",
                   body);
        if (chance(0.5)) pay_printf(f, "Cache-Control: max-age=%u\r\n", 60 * (1 + rnd_below(60)));
        pay_printf(f, "\r\n");
        static const char pre[] = "<!DOCTYPE html>\n<html><head><title>Page</title></head>\n"
                                  "<body>\n<p>";
        static const char post[] = "</p>\n</body></html>\n";
        uint32_t pl = sizeof pre - 1, ql = sizeof post - 1;
        if ((html || roll < 20) && body > pl + ql) {
            pay_printf(f, "%s", pre);
            pay_text(f, body - pl - ql);
            pay_printf(f, "%s", post);
        } else {
            pay_text(f, body);
        }
    }
    tcp_msg(b, 1, off, f->pay_len - off, US(rnd_logu(200, 40000)), 0);
}

static void build_http(Flow *f)
{
    TB b = {.f = f};
    uint32_t e;
    char host[96];
    if (chance(0.9)) {
        e = pick_ext();
        uint32_t ci = rnd_below(N_INT);
        out_flow(f, ci, e, chance(0.85) ? 80 : 8080);
    } else { /* Internet client to one of our web servers */
        e = rnd_below(N_EXT);
        uint32_t si = N_INT + IS_WEB0 + rnd_below(N_ISRV - IS_WEB0);
        in_flow(f, e, si, 80);
        e = si;
    }
    host_name(e, "www.", host, sizeof host);
    tcp_handshake(&b);
    int n = chance(0.55) ? 1 : 2 + (int)rnd_below(4);
    for (int i = 0; i < n; i++) http_exchange(&b, host, i == 0);
    double idle = rnd_exp(1200);
    tcp_close(&b, chance(0.6), MS(idle > 3900 ? 3900 : idle));
}

static void build_smtp(Flow *f)
{
    TB b = {.f = f};
    char mx[96], from[96], to[96];
    int inbound = chance(0.5);
    uint32_t e = inbound ? rnd_below(N_EXT) : pick_ext();
    if (inbound) {
        in_flow(f, e, N_INT + IS_MX, 25);
        snprintf(mx, sizeof mx, "mx.corp.example");
        host_name(e, "", from, sizeof from);
        snprintf(to, sizeof to, "corp.example");
    } else {
        out_flow(f, rnd_below(N_INT), e, 25);
        host_name(e, "mx.", mx, sizeof mx);
        snprintf(from, sizeof from, "corp.example");
        host_name(e, "", to, sizeof to);
    }
    tcp_handshake(&b);
    say(&b, 1, 1, 60, 1, "220 %s ESMTP Postfix\r\n", mx);
    say(&b, 0, 0.1, 3, 1, "EHLO mail.%s\r\n", from);
    say(&b, 1, 0.1, 3, 1,
        "250-%s\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-ETRN\r\n250-ENHANCEDSTATUSCODES\r\n"
        "250-8BITMIME\r\n250 DSN\r\n", mx);
    say(&b, 0, 0.1, 3, 1, "MAIL FROM:<user%u@%s>\r\n", rnd_below(5000), from);
    say(&b, 1, 0.1, 3, 1, "250 2.1.0 Ok\r\n");
    say(&b, 0, 0.1, 3, 1, "RCPT TO:<user%u@%s>\r\n", rnd_below(5000), to);
    say(&b, 1, 0.2, 200, 1, "250 2.1.5 Ok\r\n");
    say(&b, 0, 0.1, 3, 1, "DATA\r\n");
    say(&b, 1, 0.1, 3, 1, "354 End data with <CR><LF>.<CR><LF>\r\n");
    uint32_t off = f->pay_len;
    uint32_t subj = rnd_below(100), sec = rnd_below(60), mid = (uint32_t)rnd();
    pay_printf(f,
               "From: <user@%s>\r\nTo: <user@%s>\r\nSubject: weekly report %u\r\n"
               "Date: %s 09:00:%02u +0000\r\nMessage-ID: <%08x@%s>\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=us-ascii\r\n\r\n",
               from, to, subj, DAY, sec, mid, from);
    pay_text(f, (uint32_t)rnd_logu(300, 12000)); /* corpus text has no "\n.\n" lines */
    pay_printf(f, "\r\n.\r\n");
    tcp_msg(&b, 0, off, f->pay_len - off, US(rnd_logu(100, 3000)), 1);
    say(&b, 1, 1, 300, 1, "250 2.0.0 Ok: queued as %010llX\r\n",
        (unsigned long long)(rnd() >> 24));
    say(&b, 0, 0.1, 3, 1, "QUIT\r\n");
    say(&b, 1, 0.05, 1, 0, "221 2.0.0 Bye\r\n");
    tcp_close(&b, 1, US(rnd_logu(20, 500)));
}

static void build_irc(Flow *f)
{
    TB b = {.f = f, .lines = 1};
    char srv[96], nick[16], chan[24];
    uint32_t e = pick_ext(), ci = rnd_below(N_INT);
    out_flow(f, ci, e, chance(0.8) ? 6667 : 7000);
    host_name(e, "irc.", srv, sizeof srv);
    snprintf(nick, sizeof nick, "user%u", rnd_below(100000));
    snprintf(chan, sizeof chan, "#chan%u", rnd_below(300));
    uint32_t ip = int_host[ci].ip4;
    char cli[40];
    snprintf(cli, sizeof cli, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
    tcp_handshake(&b);
    say(&b, 0, 0.1, 5, 1, "NICK %s\r\nUSER %s 0 * :%s\r\n", nick, nick, nick);
    uint32_t off = f->pay_len;
    pay_printf(f,
               ":%s 001 %s :Welcome to the Internet Relay Network %s!~%s@%s\r\n"
               ":%s 002 %s :Your host is %s, running version ircd-2.11.2\r\n"
               ":%s 003 %s :This server was created Mon Jan 8 2024\r\n"
               ":%s 375 %s :- %s Message of the Day -\r\n",
               srv, nick, nick, nick, cli, srv, nick, srv, srv, nick, srv, nick, srv);
    for (uint32_t i = 0, n = 3 + rnd_below(15); i < n; i++) {
        pay_printf(f, ":%s 372 %s :- ", srv, nick);
        pay_text(f, 20 + rnd_below(50));
        pay_printf(f, "\r\n");
    }
    pay_printf(f, ":%s 376 %s :End of MOTD command.\r\n", srv, nick);
    /* corpus text contains '\n' only: make the MOTD lines clean by replacing it */
    for (uint32_t i = off; i < f->pay_len - 2; i++)
        if (f->pay[i] == '\n' && f->pay[i - 1] != '\r') f->pay[i] = ' ';
    tcp_msg(&b, 1, off, f->pay_len - off, MS(rnd_logu(1, 80)), 0);
    say(&b, 0, 100, 1500, 1, "JOIN %s\r\n", chan);
    say(&b, 1, 0.1, 3, 0,
        ":%s!~%s@%s JOIN %s\r\n:%s 332 %s %s :welcome, read the topic\r\n"
        ":%s 353 %s = %s :%s alice bob carol dave eve mallory\r\n"
        ":%s 366 %s %s :End of NAMES list.\r\n",
        nick, nick, cli, chan, srv, nick, chan, srv, nick, chan, nick, srv, nick, chan);
    for (uint32_t i = 0, n = 1 + rnd_below(8); i < n; i++) {
        static const char *const who[] = {"alice", "bob", "carol", "dave", "eve", "mallory"};
        switch (rnd_below(3)) {
        case 0:
            say(&b, 1, 50, 1500, 1, "PING :%s\r\n", srv);
            say(&b, 0, 0.1, 2, 0, "PONG :%s\r\n", srv);
            break;
        case 1: {
            const char *w = PICK(who);
            uint32_t h = rnd_below(999);
            say(&b, 1, 50, 1500, 0, ":%s!~%s@host%u.example PRIVMSG %s :%s\r\n", w, w, h, chan,
                "anyone seen the new release");
            break;
        }
        default:
            say(&b, 0, 50, 1500, 0, "PRIVMSG %s :%s\r\n", chan,
                "the weekly report is on the server");
            break;
        }
    }
    say(&b, 0, 50, 1000, 1, "QUIT :Leaving\r\n");
    say(&b, 1, 0.1, 2, 0, "ERROR :Closing Link: %s (Quit: Leaving)\r\n", cli);
    tcp_close(&b, 1, US(rnd_logu(20, 500)));
}

/* SYN to a closed port (RST) or a filtered one (two retries, no answer), half of them scans
 * from the Internet. */
static void build_failed(Flow *f)
{
    static const uint16_t ports[] = {22, 23, 445, 3389, 1433, 5900, 8080, 8443, 2323, 5555};
    uint16_t port = PICK(ports);
    int outbound = chance(0.5);
    uint32_t ci = rnd_below(N_INT), e = rnd_below(N_EXT);
    if (outbound)
        out_flow(f, ci, e, port);
    else
        in_flow(f, e, ci, port);
    TB b = {.f = f};
    tb_pkt(&b, 0, F_SYN, 0, 0, 0, 0, 0);
    if (chance(0.6)) {
        tb_pkt(&b, 1, F_RST | F_ACK, 0, 1, 0, 0, f->rtt[1]);
    } else {
        tb_pkt(&b, 0, F_SYN, 0, 0, 0, 0, MS(1000));
        tb_pkt(&b, 0, F_SYN, 0, 0, 0, 0, MS(2000));
    }
}

static void build_bulk(Flow *f, int upload)
{
    TB b = {.f = f};
    char host[96], file[64];
    static const char *const ext[] = {"iso", "tar.xz", "zip", "bin", "deb", "mp4"};
    uint32_t e = pick_ext();
    uint32_t ci = rnd_below(N_INT);
    out_flow(f, ci, e, chance(0.8) ? 80 : 8080);
    host_name(e, upload ? "upload." : "dl.", host, sizeof host);
    uint32_t num = rnd_below(9999);
    snprintf(file, sizeof file, "%s-%u.%s", upload ? "backup" : "release", num, PICK(ext));
    uint32_t body = (uint32_t)rnd_logu(1e6, 24e6);
    /* 20-300 Mbit/s, but fast enough to finish within 2 s */
    double rate = rnd_logu(20e6, 300e6);
    if (rate < body * 8.0 / 2.0) rate = body * 8.0 / 2.0;
    tcp_handshake(&b);
    if (!upload) {
        uint32_t off = f->pay_len;
        pay_printf(f, "GET /pub/%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n\r\n",
                   file, host, PICK(user_agents));
        tcp_msg(&b, 0, off, f->pay_len - off, US(rnd_logu(50, 2000)), 1);
        /* the response header is the last text: the body continues into the random block */
        off = f->pay_len;
        pay_printf(f, "HTTP/1.1 200 OK\r\n");
        pay_date_server(f);
        pay_printf(f, "Content-Type: application/octet-stream\r\nContent-Length: %u\r\n\r\n",
                   body);
        tcp_bulk(&b, 1, off, f->pay_len - off + body, MS(rnd_logu(0.5, 30)), rate);
        tcp_close(&b, 0, MS(rnd_logu(1, 300)));
    } else {
        uint32_t roff = f->pay_len;
        pay_printf(f, "HTTP/1.1 201 Created\r\n");
        pay_date_server(f);
        pay_printf(f, "Content-Length: 0\r\n\r\n");
        uint32_t rlen = f->pay_len - roff, off = f->pay_len;
        pay_printf(f, "POST /upload/%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
                      "Content-Type: application/octet-stream\r\nContent-Length: %u\r\n\r\n",
                   file, host, PICK(user_agents), body);
        tcp_bulk(&b, 0, off, f->pay_len - off + body, US(rnd_logu(50, 2000)), rate);
        tcp_msg(&b, 1, roff, rlen, MS(rnd_logu(1, 100)), 0);
        tcp_close(&b, 0, MS(rnd_logu(1, 300)));
    }
}

/* ---------------------------------------------------------------- UDP and ICMP */

static uint32_t dns_name(uint8_t *p, const char *name)
{
    uint32_t n = 0;
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t l = dot ? (size_t)(dot - name) : strlen(name);
        p[n++] = (uint8_t)l;
        memcpy(p + n, name, l);
        n += (uint32_t)l;
        name += l + (dot ? 1 : 0);
    }
    p[n++] = 0;
    return n;
}

static void udp_pkt(Flow *f, int dir, uint32_t off, uint32_t len, uint64_t delay)
{
    Pkt *p = push(f, delay);
    p->kind = K_UDP;
    p->dir = (uint8_t)dir;
    p->off = off;
    p->len = (uint16_t)len;
}

static uint64_t csum_add(uint64_t s, const void *data, size_t n)
{
    const uint8_t *p = data;
    while (n >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        s += w;
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        uint16_t w;
        memcpy(&w, p, 2);
        s += w;
        p += 2;
        n -= 2;
    }
    if (n) {
        uint16_t w = 0;
        memcpy(&w, p, 1);
        s += w;
    }
    return s;
}

/* Ones-complement sum of native-order words: store the result with memcpy (RFC 1071). */
static uint16_t csum_fold(uint64_t s)
{
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* UDP checksum of a datagram (header + payload) sent by dir. */
static uint16_t udp_csum(const Flow *f, int dir, const uint8_t *dgram, uint32_t len)
{
    uint8_t ph[40];
    size_t al = f->v6 ? 16 : 4;
    memcpy(ph, f->addr[dir], al);
    memcpy(ph + al, f->addr[!dir], al);
    uint64_t s = csum_add(0, ph, 2 * al);
    uint8_t tail[4] = {0, 17, 0, 0};
    put16(tail + 2, len);
    s = csum_add(s, tail, 4);
    uint16_t c = csum_fold(csum_add(s, dgram, len));
    return c ? c : 0xffff;
}

static void build_dns(Flow *f, int large)
{
    static const char *const pfx[] = {"www.", "", "api.", "cdn.", "mail.", "img.", "static."};
    char name[96];
    uint32_t e = pick_ext();
    host_name(e, PICK(pfx), name, sizeof name);
    uint32_t ci = rnd_below(N_INT);
    int ext_res = chance(0.3);
    set_side(f, 0, int_host[ci].ip4, 1, ci);
    if (ext_res) {
        uint32_t k = rnd_below(3);
        set_side(f, 1, pub_resolver[k], 0, 4090 + k);
    } else {
        uint32_t k = N_INT + (chance(0.5) ? IS_RES1 : IS_RES2);
        set_side(f, 1, int_host[k].ip4, 1, k);
        if (f->v6) {
            memset(f->addr[1] + 4, 0, 12);
            f->addr[1][15] = 0x53;
        }
    }
    f->port[0] = take_port(&int_host[ci], 0);
    f->port[1] = 53;

    uint16_t id = (uint16_t)rnd();
    uint16_t qtype = large ? 1 : chance(0.15) ? 28 : 1;
    uint8_t q[160];
    put16(q, id);
    put16(q + 2, 0x0100);
    put16(q + 4, 1);
    put16(q + 6, 0), put16(q + 8, 0), put16(q + 10, large ? 1 : 0);
    uint32_t qn = 12 + dns_name(q + 12, name);
    put16(q + qn, qtype), put16(q + qn + 2, 1);
    uint32_t qlen = qn + 4, qsect = qlen - 12;
    if (large) { /* EDNS OPT: root name, type 41, UDP size 4096 */
        static const uint8_t opt[11] = {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
        memcpy(q + qlen, opt, sizeof opt);
        qlen += sizeof opt;
    }
    uint32_t qoff = pay_reserve(f, qlen);
    memcpy(f->pay + qoff, q, qlen);
    udp_pkt(f, 0, qoff, qlen, 0);
    if (chance(0.02)) udp_pkt(f, 0, qoff, qlen, MS(1000)); /* timeout, retry */

    /* response: header, question, answers */
    uint8_t r[4200];
    uint32_t n = 12;
    int nx = !large && chance(0.05), cname = !large && !nx && chance(0.2);
    uint32_t nans = large ? (uint32_t)(rnd_logu(1600, 4000) - 40 - qsect) / 16
                    : nx  ? 0
                          : 1 + rnd_below(4);
    memcpy(r, q, 12);
    put16(r + 2, nx ? 0x8183 : 0x8180);
    put16(r + 6, nans + (uint32_t)cname);
    memcpy(r + n, q + 12, qsect);
    n += qsect;
    uint16_t owner = 0xc00c;
    if (cname) {
        char target[120];
        uint32_t edge = rnd_below(99), cdn = rnd_below(9);
        snprintf(target, sizeof target, "edge-%u.cdn-%u.net", edge, cdn);
        put16(r + n, 0xc00c), put16(r + n + 2, 5), put16(r + n + 4, 1);
        put32(r + n + 6, 60 + rnd_below(3600));
        uint32_t tl = dns_name(r + n + 12, target);
        put16(r + n + 10, tl);
        owner = (uint16_t)(0xc000 | (n + 12));
        n += 12 + tl;
    }
    for (uint32_t i = 0; i < nans; i++) {
        uint32_t rl = qtype == 28 ? 16 : 4;
        put16(r + n, owner), put16(r + n + 2, qtype), put16(r + n + 4, 1);
        put32(r + n + 6, 30 + rnd_below(3600));
        put16(r + n + 10, rl);
        if (rl == 4) {
            put32(r + n + 12, ext_host[rnd_below(N_EXT)].ip4);
        } else {
            static const uint8_t pre6[4] = {0x20, 0x01, 0x0d, 0xb8};
            memcpy(r + n + 12, pre6, 4);
            for (int k = 4; k < 16; k++) r[n + 12 + k] = (uint8_t)rnd();
        }
        n += 12 + rl;
    }
    if (large) {
        static const uint8_t opt[11] = {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
        memcpy(r + n, opt, sizeof opt);
        n += sizeof opt;
    }
    uint64_t d = f->rtt[1] + (chance(0.7) ? US(rnd_logu(30, 500)) : MS(rnd_logu(2, 80)));
    if (!large) {
        uint32_t roff = pay_reserve(f, n);
        memcpy(f->pay + roff, r, n);
        udp_pkt(f, 1, roff, n, d);
        return;
    }
    /* large answer: UDP datagram sent as IPv4 fragments of 1480 bytes, sometimes last first */
    uint32_t dl = 8 + n, doff = pay_reserve(f, dl);
    uint8_t *dg = f->pay + doff;
    put16(dg, f->port[1]), put16(dg + 2, f->port[0]), put16(dg + 4, dl), put16(dg + 6, 0);
    memcpy(dg + 8, r, n);
    uint16_t c = udp_csum(f, 1, dg, dl);
    memcpy(dg + 6, &c, 2); /* csum_fold's result is in memory order */
    uint32_t nfrag = (dl + 1479) / 1480;
    int rev = chance(0.25);
    for (uint32_t i = 0; i < nfrag; i++) {
        uint32_t k = rev ? nfrag - 1 - i : i, fo = k * 1480;
        Pkt *p = push(f, i ? US(2 + rnd_below(20)) : d);
        p->kind = K_FRAG;
        p->dir = 1;
        p->seq = fo;
        p->off = doff + fo;
        p->len = (uint16_t)(dl - fo < 1480 ? dl - fo : 1480);
        p->flags = k < nfrag - 1;
    }
}

static void build_ntp(Flow *f)
{
    uint32_t ci = rnd_below(N_INT), e = rnd_below(64);
    set_side(f, 0, int_host[ci].ip4, 1, ci);
    set_side(f, 1, ext_host[e].ip4, 0, e);
    f->port[0] = chance(0.5) ? 123 : take_port(&int_host[ci], 0);
    f->port[1] = 123;
    uint8_t m[96] = {0};
    uint32_t sec = EPOCH_S + 2208988800u; /* NTP era 0 */
    m[0] = 0x23, m[2] = 6, m[3] = 0xe9;   /* v4 client, poll 6, precision -23 */
    put32(m + 40, sec), put32(m + 44, (uint32_t)rnd());
    uint8_t *s = m + 48;
    s[0] = 0x24, s[1] = 2, s[2] = 6, s[3] = 0xe8; /* v4 server, stratum 2 */
    put32(s + 4, rnd_below(2000)), put32(s + 8, rnd_below(4000));
    put32(s + 12, ext_host[rnd_below(N_EXT)].ip4);
    put32(s + 16, sec - 30), put32(s + 20, (uint32_t)rnd());
    memcpy(s + 24, m + 40, 8);
    put32(s + 32, sec), put32(s + 36, (uint32_t)rnd());
    put32(s + 40, sec), put32(s + 44, (uint32_t)rnd());
    uint32_t off = pay_reserve(f, 96);
    memcpy(f->pay + off, m, 96);
    udp_pkt(f, 0, off, 48, 0);
    udp_pkt(f, 1, off + 48, 48, f->rtt[1] + US(rnd_logu(20, 500)));
}

static void icmp_pkt(Flow *f, int dir, uint8_t type, uint8_t code, uint32_t seq, uint32_t off,
                     uint32_t len, uint64_t delay)
{
    Pkt *p = push(f, delay);
    p->kind = K_ICMP;
    p->dir = (uint8_t)dir;
    p->flags = type;
    p->code = code;
    p->seq = seq;
    p->off = off;
    p->len = (uint16_t)len;
}

static void build_echo(Flow *f)
{
    uint32_t ci = rnd_below(N_INT), e = pick_ext();
    set_side(f, 0, int_host[ci].ip4, 1, ci);
    set_side(f, 1, ext_host[e].ip4, 0, e);
    uint32_t off, len;
    if (f->ts_opt) { /* Linux ping: 8-byte time stamp, then 0x10.. */
        len = 56, off = pay_reserve(f, len);
        put32(f->pay + off, EPOCH_S), put32(f->pay + off + 4, rnd_below(1000000));
        for (uint32_t i = 8; i < len; i++) f->pay[off + i] = (uint8_t)i;
    } else { /* Windows ping */
        len = 32, off = pay_reserve(f, len);
        memcpy(f->pay + off, "abcdefghijklmnopqrstuvwabcdefghi", 32);
    }
    int answered = !chance(0.1);
    uint32_t n = 1 + rnd_below(5);
    uint64_t gap = 0;
    for (uint32_t i = 1; i <= n; i++) {
        icmp_pkt(f, 0, 8, 0, i, off, len, gap);
        gap = MS(1000);
        if (answered) {
            icmp_pkt(f, 1, 0, 0, i, off, len, f->rtt[1]);
            gap -= f->rtt[1];
        }
    }
}

/* UDP probes to a closed port, each answered by ICMP port unreachable quoting the probe's IP
 * header and first 8 bytes. */
static void build_unreach(Flow *f)
{
    uint32_t ci = rnd_below(N_INT), e = rnd_below(N_EXT);
    set_side(f, 0, int_host[ci].ip4, 1, ci);
    set_side(f, 1, ext_host[e].ip4, 0, e);
    f->port[0] = take_port(&int_host[ci], 0);
    f->port[1] = (uint16_t)(33434 + rnd_below(60));
    uint32_t poff = pay_reserve(f, 32);
    for (uint32_t i = 0; i < 32; i++) f->pay[poff + i] = (uint8_t)(0x40 + i);
    uint32_t n = 1 + rnd_below(3);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t dg[40];
        put16(dg, f->port[0]), put16(dg + 2, f->port[1]), put16(dg + 4, 40), put16(dg + 6, 0);
        memcpy(dg + 8, f->pay + poff, 32);
        uint16_t uc = udp_csum(f, 0, dg, 40);
        uint32_t qoff = pay_reserve(f, 28);
        uint8_t *q = f->pay + qoff;
        q[0] = 0x45, q[1] = 0;
        put16(q + 2, 60), put16(q + 4, (uint16_t)(f->ipid[0] + i)), put16(q + 6, 0);
        q[8] = (uint8_t)(f->ttl[0] - 8 - rnd_below(10)), q[9] = 17, q[10] = q[11] = 0;
        memcpy(q + 12, f->addr[0], 4), memcpy(q + 16, f->addr[1], 4);
        uint16_t hc = csum_fold(csum_add(0, q, 20));
        memcpy(q + 10, &hc, 2);
        memcpy(q + 20, dg, 6);
        memcpy(q + 26, &uc, 2);
        udp_pkt(f, 0, poff, 32, i ? MS(rnd_logu(1, 500)) : 0);
        icmp_pkt(f, 1, 3, 3, 0, qoff, 28, f->rtt[1]);
    }
}

/* ---------------------------------------------------------------- frames */


static uint32_t tcp_hdr_len(const Flow *f, uint8_t flags)
{
    if (flags & F_RST) return 20;
    if (flags & F_SYN) return f->ts_opt ? 40 : 32;
    return f->ts_opt ? 32 : 20;
}

static uint32_t frame_len(const Flow *f, const Pkt *p)
{
    uint32_t n = 14 + (f->vlan ? 4 : 0) + (f->v6 ? 40 : 20) + p->len;
    switch (p->kind) {
    case K_TCP: return n + tcp_hdr_len(f, p->flags);
    case K_UDP:
    case K_ICMP: return n + 8;
    default: return n;
    }
}

static uint8_t frame[2048];

static uint32_t build_frame(Flow *f, const Pkt *p, uint64_t t)
{
    int dir = p->dir;
    uint8_t *q = frame;
    memcpy(q, f->mac[!dir], 6);
    memcpy(q + 6, f->mac[dir], 6);
    q += 12;
    if (f->vlan) {
        put16(q, 0x8100), put16(q + 2, f->vlan);
        q += 4;
    }
    put16(q, f->v6 ? 0x86dd : 0x0800);
    q += 2;
    uint8_t *ip = q, *l4 = ip + (f->v6 ? 40 : 20);
    uint32_t l4len = 0;
    uint8_t proto = 17;
    switch (p->kind) {
    case K_TCP: {
        uint32_t hl = tcp_hdr_len(f, p->flags);
        proto = 6;
        put16(l4, f->port[dir]), put16(l4 + 2, f->port[!dir]);
        put32(l4 + 4, f->isn[dir] + p->seq);
        put32(l4 + 8, (p->flags & F_ACK) ? f->isn[!dir] + p->ack : 0);
        l4[12] = (uint8_t)(hl << 2), l4[13] = p->flags;
        uint32_t win = (p->flags & F_RST)   ? 0
                       : (p->flags & F_SYN) ? (dir ? 65160u : 64240u)
                                            : f->win[dir];
        put16(l4 + 14, win), put16(l4 + 16, 0), put16(l4 + 18, 0);
        uint8_t *o = l4 + 20;
        uint32_t tsval = f->tsbase[dir] + (uint32_t)(t / 1000000);
        uint32_t tsecr = (p->flags & F_SYN) && !dir ? 0 : f->last_ts[!dir];
        if (hl > 20) {
            if (p->flags & F_SYN) {
                o[0] = 2, o[1] = 4;
                put16(o + 2, f->v6 ? 1440 : 1460);
                o += 4;
                if (f->ts_opt) {
                    o[0] = 4, o[1] = 2, o[2] = 8, o[3] = 10;
                    put32(o + 4, tsval), put32(o + 8, tsecr);
                    o[12] = 1, o[13] = 3, o[14] = 3, o[15] = 7;
                } else {
                    o[0] = 1, o[1] = 3, o[2] = 3, o[3] = 8, o[4] = 1, o[5] = 1, o[6] = 4, o[7] = 2;
                }
            } else {
                o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
                put32(o + 4, tsval), put32(o + 8, tsecr);
            }
            f->last_ts[dir] = tsval;
        }
        flow_payload(f, p->off, p->len, l4 + hl);
        l4len = hl + p->len;
        break;
    }
    case K_UDP:
        put16(l4, f->port[dir]), put16(l4 + 2, f->port[!dir]);
        put16(l4 + 4, 8u + p->len), put16(l4 + 6, 0);
        flow_payload(f, p->off, p->len, l4 + 8);
        l4len = 8u + p->len;
        break;
    case K_ICMP:
        proto = 1;
        l4[0] = p->flags, l4[1] = p->code;
        put16(l4 + 2, 0);
        if (p->flags == 8 || p->flags == 0)
            put16(l4 + 4, f->icmp_id), put16(l4 + 6, p->seq);
        else
            put32(l4 + 4, 0);
        flow_payload(f, p->off, p->len, l4 + 8);
        l4len = 8u + p->len;
        break;
    default: /* K_FRAG: a slice of a prebuilt UDP datagram */
        flow_payload(f, p->off, p->len, l4);
        l4len = p->len;
        break;
    }
    if (f->v6) {
        put32(ip, 0x60000000u | f->flowlabel[dir]);
        put16(ip + 4, l4len);
        ip[6] = proto, ip[7] = f->ttl[dir];
        memcpy(ip + 8, f->addr[dir], 16), memcpy(ip + 24, f->addr[!dir], 16);
    } else {
        ip[0] = 0x45, ip[1] = 0;
        put16(ip + 2, 20 + l4len);
        uint32_t frag = 0, id;
        if (p->kind == K_FRAG) {
            id = f->frag_id;
            frag = (p->flags ? 0x2000 : 0) | (p->seq / 8);
        } else {
            id = f->ipid[dir]++;
            if (p->kind == K_TCP) frag = 0x4000; /* DF */
        }
        put16(ip + 4, id), put16(ip + 6, frag);
        ip[8] = f->ttl[dir], ip[9] = proto, ip[10] = ip[11] = 0;
        memcpy(ip + 12, f->addr[dir], 4), memcpy(ip + 16, f->addr[!dir], 4);
        uint16_t c = csum_fold(csum_add(0, ip, 20));
        memcpy(ip + 10, &c, 2);
    }
    if (p->kind != K_FRAG) {
        uint64_t s = 0;
        if (proto != 1 || f->v6) { /* pseudo header */
            size_t al = f->v6 ? 16 : 4;
            s = csum_add(s, f->addr[dir], al);
            s = csum_add(s, f->addr[!dir], al);
            uint8_t tail[4] = {0, proto, 0, 0};
            put16(tail + 2, l4len);
            s = csum_add(s, tail, 4);
        }
        uint16_t c = csum_fold(csum_add(s, l4, l4len));
        if (proto == 17 && c == 0) c = 0xffff;
        memcpy(l4 + (proto == 6 ? 16 : proto == 17 ? 6 : 2), &c, 2);
    }
    return (uint32_t)(l4 + l4len - frame);
}

/* ---------------------------------------------------------------- scheduler */

static Flow **heap;
static size_t hn, hcap;

static int before(const Flow *a, const Flow *b)
{
    return a->t_next < b->t_next || (a->t_next == b->t_next && a->id < b->id);
}

static void sift_down(size_t i)
{
    Flow *x = heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= hn) break;
        if (c + 1 < hn && before(heap[c + 1], heap[c])) c++;
        if (!before(heap[c], x)) break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = x;
}

static void heap_push(Flow *f)
{
    if (hn == hcap) {
        hcap = hcap ? hcap * 2 : 1024;
        heap = xrealloc(heap, hcap * sizeof *heap);
    }
    size_t i = hn++;
    while (i && before(f, heap[(i - 1) / 2])) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = f;
}

static struct {
    uint64_t flows, pkts, bytes;
} sub_stat[N_SUB], class_stat[N_CLASS];
static uint64_t v6_flows, vlan_flows, planned_sum[N_CLASS], planned_n[N_CLASS];

static int class_of(int sub)
{
    if (sub <= S_FAILED) return C_SMALL;
    if (sub <= S_POST) return C_BULK;
    if (sub <= S_NTP) return C_UDP;
    return C_ICMP;
}

static Flow *spawn(int cls)
{
    Flow *f;
    int sub;
    switch (cls) {
    case C_SMALL: {
        uint32_t r = rnd_below(100);
        sub = r < 68 ? S_HTTP : r < 78 ? S_SMTP : r < 88 ? S_IRC : S_FAILED;
        f = flow_new(sub, chance(0.04), 1);
        if (sub == S_HTTP) build_http(f);
        else if (sub == S_SMTP) build_smtp(f);
        else if (sub == S_IRC) build_irc(f);
        else build_failed(f);
        break;
    }
    case C_BULK:
        sub = chance(0.2) ? S_POST : S_GET;
        f = flow_new(sub, chance(0.05), 0);
        build_bulk(f, sub == S_POST);
        break;
    case C_UDP:
        if (chance(0.1)) {
            f = flow_new(sub = S_NTP, 0, 1);
            build_ntp(f);
        } else {
            int large = chance(0.005);
            sub = large ? S_DNS_FRAG : S_DNS;
            f = flow_new(sub, !large && chance(0.04), 1);
            build_dns(f, large);
        }
        break;
    default:
        sub = chance(0.8) ? S_ECHO : S_UNREACH;
        f = flow_new(sub, 0, 0);
        if (sub == S_ECHO) build_echo(f);
        else build_unreach(f);
        break;
    }
    for (uint32_t i = 0; i < f->npk; i++) f->pending += 16 + frame_len(f, &f->pk[i]);
    planned_sum[cls] += f->pending;
    planned_n[cls]++;
    sub_stat[sub].flows++;
    class_stat[cls].flows++;
    v6_flows += f->v6;
    vlan_flows += f->vlan != 0;
    return f;
}

static void usage(FILE *o)
{
    fprintf(o, "usage: gen_capture [-s MB] [-o FILE] [-S SEED] [-v]\n"
               "  -s MB    approximate file size in megabytes (10^6 bytes), default 600\n"
               "  -o FILE  output pcap, default mixed.pcap\n"
               "  -S SEED  PRNG seed, default 1\n"
               "  -v       print the traffic breakdown to stderr\n");
}

int main(int argc, char **argv)
{
    double mb = 600;
    const char *out = "mixed.pcap";
    uint64_t seed = 1;
    int verbose = 0, c;
    while ((c = getopt(argc, argv, "s:o:S:vh")) != -1) {
        switch (c) {
        case 's': mb = strtod(optarg, NULL); break;
        case 'o': out = optarg; break;
        case 'S': seed = strtoull(optarg, NULL, 0); break;
        case 'v': verbose = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || !(mb > 0)) {
        usage(stderr);
        return 2;
    }
    uint64_t target = (uint64_t)(mb * 1e6);
    uint64_t sx = seed;
    for (int i = 0; i < 4; i++) rs[i] = splitmix(&sx);
    hosts_init();
    corpus_init();

    pcap_t *pd = pcap_open_dead(DLT_EN10MB, 65535);
    FILE *fp = fopen(out, "wb");
    if (!pd || !fp) {
        fprintf(stderr, "gen_capture: cannot open %s\n", out);
        return 1;
    }
    setvbuf(fp, NULL, _IOFBF, 1 << 22);
    pcap_dumper_t *dump = pcap_dump_fopen(pd, fp);
    if (!dump) {
        fprintf(stderr, "gen_capture: %s\n", pcap_geterr(pd));
        return 1;
    }

    static const double mean_guess[N_CLASS] = {5000, 7e6, 300, 600};
    double next_arrival[N_CLASS];
    const double never = 1e30;
    for (int k = 0; k < N_CLASS; k++)
        next_arrival[k] = rnd_exp(1e9 * mean_guess[k] / (class_share[k] * RATE_BYTES_PER_S));
    uint64_t written = 24, pending = 0, t = 0, peak = 0, pkts = 0;
    for (;;) {
        /* Start the flows that arrive before the next packet is due.  A flow that would take
         * the file past the requested size is dropped and its class closed, so the file ends
         * just under the target with every flow complete. */
        int k = 0;
        for (int j = 1; j < N_CLASS; j++)
            if (next_arrival[j] < next_arrival[k]) k = j;
        if (next_arrival[k] < never && (!hn || (uint64_t)next_arrival[k] <= heap[0]->t_next)) {
            uint64_t ta = (uint64_t)next_arrival[k];
            Flow *f = spawn(k);
            if (written + pending + f->pending > target) {
                class_stat[k].flows--, sub_stat[f->sub].flows--;
                v6_flows -= f->v6, vlan_flows -= f->vlan != 0;
                next_flow_id--;
                free(f->pk), free(f->pay), free(f);
                next_arrival[k] = never;
                continue;
            }
            f->t_next = ta + f->pk[0].delay;
            pending += f->pending;
            heap_push(f);
            if (hn > peak) peak = hn;
            double mean = planned_n[k] >= 20 ? (double)planned_sum[k] / (double)planned_n[k]
                                             : mean_guess[k];
            double rate = class_share[k] * RATE_BYTES_PER_S / mean; /* flows per second */
            next_arrival[k] += rnd_exp(1e9 / rate);
            continue;
        }
        if (!hn) break;
        Flow *f = heap[0];
        const Pkt *p = &f->pk[f->pos];
        t = f->t_next;
        uint32_t len = build_frame(f, p, t);
        if (len != frame_len(f, p)) {
            fprintf(stderr, "gen_capture: internal error: frame length %u != %u\n", len,
                    frame_len(f, p));
            return 1;
        }
        struct pcap_pkthdr h;
        h.ts.tv_sec = (time_t)(EPOCH_S + t / 1000000000u);
        h.ts.tv_usec = (suseconds_t)(t % 1000000000u / 1000u);
        h.caplen = h.len = len;
        pcap_dump((u_char *)dump, &h, frame);
        written += 16 + len;
        pending -= 16 + len;
        f->pending -= 16 + len;
        pkts++;
        int cls = class_of(f->sub);
        sub_stat[f->sub].pkts++, sub_stat[f->sub].bytes += len;
        class_stat[cls].pkts++, class_stat[cls].bytes += len;
        if (++f->pos == f->npk) {
            heap[0] = heap[--hn];
            free(f->pk);
            free(f->pay);
            free(f);
        } else {
            f->t_next += f->pk[f->pos].delay;
            heap[0] = f;
        }
        if (hn) sift_down(0);
    }
    if (pcap_dump_flush(dump) != 0 || ferror(fp)) {
        fprintf(stderr, "gen_capture: write error on %s\n", out);
        return 1;
    }
    pcap_dump_close(dump);
    pcap_close(pd);
    free(heap);

    double secs = (double)t / 1e9;
    printf("gen_capture: %s: %llu packets, %llu bytes, %llu flows, %.2f s of traffic "
           "(%.0f Mbit/s), peak %llu flows open\n",
           out, (unsigned long long)pkts, (unsigned long long)written,
           (unsigned long long)next_flow_id, secs, secs > 0 ? (double)written * 8 / secs / 1e6 : 0,
           (unsigned long long)peak);
    if (verbose) {
        fprintf(stderr, "%-13s %9s %10s %14s %7s\n", "class", "flows", "packets", "bytes",
                "bytes%");
        for (int k = 0; k < N_CLASS; k++)
            fprintf(stderr, "%-13s %9llu %10llu %14llu %6.1f%%\n", class_name[k],
                    (unsigned long long)class_stat[k].flows, (unsigned long long)class_stat[k].pkts,
                    (unsigned long long)class_stat[k].bytes,
                    100.0 * (double)class_stat[k].bytes / (double)written);
        for (int k = 0; k < N_SUB; k++)
            fprintf(stderr, "  %-11s %9llu %10llu %14llu %6.1f%%\n", sub_name[k],
                    (unsigned long long)sub_stat[k].flows, (unsigned long long)sub_stat[k].pkts,
                    (unsigned long long)sub_stat[k].bytes,
                    100.0 * (double)sub_stat[k].bytes / (double)written);
        fprintf(stderr, "ipv6 flows %llu, vlan-tagged flows %llu\n", (unsigned long long)v6_flows,
                (unsigned long long)vlan_flows);
    }
    return 0;
}
