/* SPDX-License-Identifier: MIT
 * detect.h — the bot and abuse detectors (issue #7). They consume connection events and
 * application events (event/event.h), never packets, so they run unchanged on captures and
 * firewall logs, and they conclude per internal host: findings with evidence, and one
 * host-verdict per host that had any finding. Offline, findings are written at the end of
 * the input, ordered by host then severity, so output is reproducible. */
#ifndef BW_DETECT_H
#define BW_DETECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "event/event.h"
#include "util/status.h"

/* ---- configuration (config.c reads it from YAML; everything has a default) ---- */

struct net_prefix {
    uint8_t family;              /* 4 or 6 */
    uint8_t bits;
    uint8_t a[16];
};

enum { DETECT_MAX_NETS = 64, DETECT_MAX_SITES = 16, DETECT_MAX_NAMES = 32,
       DETECT_NAME_LEN = 48 };

struct site {
    char name[DETECT_NAME_LEN];
    char tz[64];                            /* IANA time zone, e.g. "America/Chicago" */
    struct net_prefix nets[DETECT_MAX_NETS];
    unsigned nnets;
    uint8_t bh_days;                        /* business days: bit 0 Monday .. bit 6 Sunday */
    uint8_t bh_start, bh_end;               /* business hours [start, end) local */
    int64_t tz_hour;                        /* cache: the hour (since 1970) last converted */
    int tz_offset;                          /*        and its UTC offset in seconds */
    bool tz_valid;
};

struct detect_thresholds {
    double nick_score;           /* irc-bot-nick at or above (0..1) */
    unsigned group_min_hosts;    /* irc-bot-group: internal hosts in one channel */
    uint64_t group_join_window_us;
    unsigned encoded_min;        /* irc-encrypted-channel: encoded messages in a session */
    unsigned keepalive_min;      /* irc-keepalive: PING/PONG rounds */
    double keepalive_max_cv;     /* ... whose intervals vary at most this much (stddev/mean) */
    unsigned spam_conns_day;     /* spam-volume severity 1: outbound SMTP connections a day */
    unsigned spam_rcpt_day;      /*  ... or recipients a day */
    unsigned spam_servers_day;   /*  ... or distinct destination servers a day */
    uint64_t relay_window_us;    /* outbound after (or during) an inbound connection */
    unsigned scan_targets;       /* outbound-scan: failed (address, port) pairs in a window */
    uint64_t scan_window_us;
    uint64_t flood_pkts;         /* outbound-flood: packets to one destination ... */
    double flood_pps;            /* ... at this rate */
    uint64_t webchat_window_us;  /* web-chat: HTTP at most this long before the IRC */
};

enum p2p_policy { P2P_DENY, P2P_ALLOW };

struct detect_config {
    struct net_prefix home[DETECT_MAX_NETS];
    unsigned nhome;
    struct net_prefix mail_servers[DETECT_MAX_NETS];
    unsigned nmail;
    struct site sites[DETECT_MAX_SITES];
    unsigned nsites;
    struct site default_site;               /* hosts in no site: time zone "UTC" unless set */
    enum p2p_policy p2p_default;
    char p2p_allow[DETECT_MAX_NAMES][DETECT_NAME_LEN];
    unsigned np2p_allow;
    char p2p_deny[DETECT_MAX_NAMES][DETECT_NAME_LEN];
    unsigned np2p_deny;
    struct detect_thresholds th;
    uint64_t memcap;                        /* detector state, bytes */
};

void detect_config_default(struct detect_config *c);
/* Reads a YAML config over the defaults. BW_E_IO (no file) or BW_E_SYNTAX with d->msg as
 * "PATH:LINE:COL: what"; c may be partly filled then and must not be used. */
enum bw_status detect_config_load(struct detect_config *c, const char *path, struct bw_diag *d);
/* The same from memory; name is used in messages. */
enum bw_status detect_config_parse(struct detect_config *c, const uint8_t *text, size_t n,
                                   const char *name, struct bw_diag *d);
/* "10.0.0.0/8" or "fd00::/8" or a bare address. False on garbage. */
bool net_prefix_parse(const char *s, struct net_prefix *p);
/* "Mon-Fri 08:00-18:00", "Sun-Thu 9-17": whole hours only. False on anything else. */
bool business_hours_parse(const char *s, struct site *site);
bool net_prefix_match(const struct net_prefix *p, unsigned n, uint8_t family, const uint8_t *a);

/* ---- findings ---- */

#define FINDING_KINDS(X)                                  \
    X(IRC_NONSTD_PORT, "irc-nonstandard-port")            \
    X(IRC_BOT_NICK, "irc-bot-nick")                       \
    X(IRC_BOT_GROUP, "irc-bot-group")                     \
    X(IRC_ENCRYPTED, "irc-encrypted-channel")             \
    X(IRC_KEEPALIVE, "irc-keepalive")                     \
    X(SMTP_NONSTD_PORT, "smtp-nonstandard-port")          \
    X(SPAM_VOLUME, "spam-volume")                         \
    X(OPEN_PROXY, "open-proxy")                           \
    X(SPAM_RELAY, "spam-relay")                           \
    X(P2P_APP, "p2p-app")                                 \
    X(P2P_DENIED, "p2p-denied")                           \
    X(EXE_DOWNLOAD, "executable-download")                \
    X(OUT_SCAN, "outbound-scan")                          \
    X(OUT_FLOOD, "outbound-flood")                        \
    X(BUSINESS_HOURS, "business-hours")                   \
    X(WEB_CHAT, "web-chat")                               \
    X(HOST_VERDICT, "host-verdict")

enum finding_kind {
#define X(id, name) FK_##id,
    FINDING_KINDS(X)
#undef X
    FK_MAX
};
extern const char *const finding_kind_name[FK_MAX];

/* The stages of a host's life that the verdict reports as seen or not seen (BotHunter's
 * dialog, reduced to what botwatch can observe). */
#define STAGES(X)                                      \
    X(INBOUND, "inbound-proxy-use")                    \
    X(DOWNLOAD, "download")                            \
    X(CNC, "command-and-control")                      \
    X(SPAM, "spam")                                    \
    X(SCAN, "scan")                                    \
    X(FLOOD, "flood")                                  \
    X(P2P, "p2p")

enum stage {
#define X(id, name) STAGE_##id,
    STAGES(X)
#undef X
    STAGE_MAX
};
extern const char *const stage_name[STAGE_MAX];

enum { FINDING_MAX_EVIDENCE = 8, FINDING_MAX_MEMBERS = 32, FINDING_TEXT = 256,
       EVIDENCE_TEXT = 200 };

struct evidence {
    char what[EVIDENCE_TEXT];    /* may hold attacker text: escape when writing */
    uint64_t flow_id;            /* 0: none */
    uint64_t ts_us;
};

struct finding {
    uint8_t family;
    uint8_t host[16];
    enum finding_kind kind;
    int severity;                /* 1 high .. 3 low */
    double confidence;           /* 0..1 */
    char summary[FINDING_TEXT];
    char site[DETECT_NAME_LEN];  /* the host's configured site; empty: none */
    struct evidence *ev;         /* nev kept, room for ev_cap (grows up to
                                    FINDING_MAX_EVIDENCE): most findings have one or two */
    unsigned nev, ev_cap;
    uint64_t nev_total;          /* evidence items seen, kept or not */
    uint64_t ts_us;              /* the latest evidence */
    /* irc-bot-group */
    uint8_t (*members)[16];      /* nmembers, room for members_cap (up to FINDING_MAX_MEMBERS) */
    unsigned nmembers, members_cap;
    /* host-verdict */
    const char *verdict;         /* "bot", "relay", "suspicious", "policy", "benign" */
    uint32_t stages_seen;        /* bit per enum stage */
    /* bookkeeping: the same finding across flushes (a host and kind, or a channel) */
    uint64_t key;
    uint64_t emitted_hash;       /* content when last emitted; 0: never */
};

struct detect_stats {
    uint64_t conns, app_events, hosts, findings, dropped_nomem, sessions;
};

typedef void (*finding_fn)(void *ctx, const struct finding *f);

/* A finding's evidence and members are its own: a copy that outlives the call it was given
 * in (a report kept to the end) must be deep. finding_copy makes dst such a copy (false: out
 * of memory, dst holds no arrays); finding_free_parts frees a copy's arrays. */
bool finding_copy(struct finding *dst, const struct finding *src);
void finding_free_parts(struct finding *f);

struct detect;

/* NULL when out of memory. The config is copied. */
struct detect *detect_new(const struct detect_config *cfg);
void detect_free(struct detect *d);
/* A new configuration while running (SIGHUP): thresholds, policy and mail servers take
 * effect at once; home networks and sites stay as they were (hosts already carry them). */
void detect_reconfigure(struct detect *d, const struct detect_config *c);

/* A connection is over. */
void detect_conn(struct detect *d, const struct conn_event *c);
/* An application event on connection c (its counters as they are now). */
void detect_app(struct detect *d, const struct conn_event *c, const struct app_event *ev);
/* End of input: the correlations that need everything, then every finding not yet emitted
 * in its present form, in order (groups, then host by address, most severe first, the
 * host's verdict last). */
void detect_finish(struct detect *d, finding_fn emit, void *ctx);
/* While running (live, inline): the same correlations on what is known so far, and every
 * finding that is new or has changed since it was last emitted. A finding's `key` says which
 * earlier one it replaces. IRC sessions still open are judged when they end. */
void detect_flush(struct detect *d, finding_fn emit, void *ctx);
const struct detect_stats *detect_stats(const struct detect *d);

/* Pure scoring functions, exposed for the unit tests (nick_score.c). */
struct nick_score {
    double score;                /* 0 human-looking .. 1 bot-looking */
    char why[128];               /* the components that scored, e.g. "bracket tag, digits" */
};
void nick_score(const uint8_t *nick, size_t n, struct nick_score *out);
/* The nickname's shape: lower case -> 'a', upper -> 'A', digit -> '9', others kept; at most
 * cap-1 bytes. "^auzwybp" -> "^aaaaaaa", "[USA|XP|4821]" -> "[AAA|AA|9999]". */
void nick_shape(const uint8_t *nick, size_t n, char *out, size_t cap);
/* True when USER's username/realname look like a bot's ("BOT", known bot words). */
bool irc_user_botlike(const uint8_t *user, size_t n);
/* Text that is base64, hex or high-entropy without spaces (an encoded or encrypted line). */
bool text_encoded(const uint8_t *s, size_t n, const char **how);

/* report.c: the readable per-host report of --report. */
struct report;
struct report *report_new(void);
void report_add(void *report, const struct finding *f);   /* a finding_fn */
void report_write(struct report *r, FILE *out);
void report_free(struct report *r);

#endif
