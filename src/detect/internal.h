/* SPDX-License-Identifier: MIT
 * internal.h — state shared by the detector files (detect/). One struct host per internal
 * host; each detector keeps its own part of it and its own tables; findings hang off the
 * host, at most one of each kind (evidence accumulates), except channel groups. */
#ifndef BW_DETECT_INTERNAL_H
#define BW_DETECT_INTERNAL_H

#include <inttypes.h>
#include <stdarg.h>

#include "detect/detect.h"
#include "util/hmap.h"

struct span;
struct smtp_day;
struct scan_state;
struct hour_bin;
struct chat_fetch;
struct irc_sess;

enum hours_pattern { HOURS_UNKNOWN, HOURS_SHORT, HOURS_BUSINESS, HOURS_MIXED, HOURS_ALWAYS };

enum { HOST_MAX_SPANS = 256, HOST_MAX_DAYS = 400, HOST_MAX_HOURS = 24 * 7 * 8,
       HOST_MAX_FETCHES = 8, HOST_MAX_P2P = 8 };

struct host {
    uint8_t family;
    uint8_t a[16];
    struct site *site;
    bool site_named;                 /* in a configured site, not the default */
    struct finding *find[FK_MAX];
    uint32_t stages;                 /* bit per enum stage: seen */
    /* hours.c: initiated connections by absolute hour */
    struct hour_bin *hours;
    unsigned nhours, caphours;
    uint64_t initiated;
    int hours_pattern;               /* enum hours_pattern, set by hours_finish */
    /* spam.c */
    struct smtp_day *days;
    unsigned ndays, capdays;
    uint64_t smtp_received;          /* inbound SMTP connections: it is a mail server */
    /* relay.c: recent inbound connections from outside, recent outbound SMTP */
    struct span *inb, *outb;
    unsigned ninb, noutb;            /* rings of HOST_MAX_SPANS, grown to it as they fill */
    unsigned inb_cap, outb_cap;
    uint64_t inb_total, outb_total;
    uint32_t relayed, relay_requests;   /* outbound SMTP tied to inbound use; SMTP tunnels */
    /* scan.c */
    struct scan_state *scan;
    /* irc_bot.c: web pages that served a chat client */
    struct chat_fetch *fetches;
    unsigned nfetch;
    struct finding *group;           /* an irc-bot-group this host is in */
    /* p2p.c: clients seen, to report each once */
    char p2p[HOST_MAX_P2P][DETECT_NAME_LEN];
    unsigned np2p;
};

struct detect {
    struct detect_config cfg;
    struct detect_stats st;
    struct hmap hosts;               /* struct host, by address */
    struct hmap irc;                 /* struct irc_sess, by flow id */
    struct hmap chans;               /* struct irc_chan, by server and name */
    struct finding **groups;         /* irc-bot-group findings, one per channel */
    size_t ngroups;
    uint64_t mem;                    /* bytes held, against cfg.memcap */
    uint64_t last_us;                /* latest event time */
    struct host *last_host;          /* detect_host's one-entry cache */
    bool rules_loaded;
};

/* detect.c */
bool detect_is_home(const struct detect *d, uint8_t family, const uint8_t *a);
/* The host record of an internal address (created on first use); NULL when the address is
 * not internal or memory ran out (counted). */
struct host *detect_host(struct detect *d, uint8_t family, const uint8_t *a);
void *detect_alloc(struct detect *d, size_t n);            /* zeroed; counted against memcap */
void detect_release(struct detect *d, void *p, size_t n);
/* The host's finding of a kind, created with severity and confidence; a later call can raise
 * both (never lower). */
struct finding *finding_of(struct detect *d, struct host *h, enum finding_kind k,
                           int severity, double confidence);
void finding_evidence(struct finding *f, uint64_t flow_id, uint64_t ts_us, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Evidence rebuilt from state at each flush starts over. */
void finding_clear_evidence(struct finding *f);
/* A new finding (zeroed), charged to the memcap with room for all its evidence; released
 * with finding_release (while running) or finding_free_parts + free (at the end). */
struct finding *finding_new(struct detect *d);
void finding_release(struct detect *d, struct finding *f);
/* Adds a member host (irc-bot-group) unless it is there already or the list is full. */
void finding_add_member(struct finding *f, const uint8_t host[16]);
void finding_summary(struct finding *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Printable copy of attacker bytes for evidence text: control bytes as \xNN, at most cap-1. */
void text_copy(char *out, size_t cap, const uint8_t *s, size_t n);
const char *addr_text(uint8_t family, const uint8_t *a, char buf[48]);
uint16_t conn_server_port(const struct conn_event *c);

/* The detectors' entry points, called by detect.c in this order for each event. */
void irc_app(struct detect *d, const struct conn_event *c, const struct app_event *ev);
void irc_conn(struct detect *d, const struct conn_event *c);
void irc_http(struct detect *d, const struct conn_event *c, const struct http_txn *t);
void irc_finish(struct detect *d, bool final);
void irc_free(struct detect *d);
void spam_app(struct detect *d, const struct conn_event *c, const struct app_event *ev);
void spam_conn(struct detect *d, const struct conn_event *c);
void spam_finish(struct detect *d, struct host *h);
void relay_app(struct detect *d, const struct conn_event *c, const struct app_event *ev);
void relay_conn(struct detect *d, const struct conn_event *c);
void relay_finish(struct detect *d, struct host *h);
void p2p_app(struct detect *d, const struct conn_event *c, const struct app_event *ev);
void download_app(struct detect *d, const struct conn_event *c, const struct app_event *ev);
void scan_conn(struct detect *d, struct host *h, const struct conn_event *c);
void scan_finish(struct detect *d, struct host *h);
void scan_free(struct scan_state *s);
void hours_conn(struct detect *d, struct host *h, const struct conn_event *c);
void hours_finish(struct detect *d, struct host *h);
/* hours.c: local time of a packet time at a site */
struct local_time {
    int64_t day;                     /* days since 1970-01-01, local */
    int wday;                        /* 0 Monday .. 6 Sunday */
    int hour;
    int utc_offset_s;
};
void site_local_time(struct site *s, uint64_t ts_us, struct local_time *lt);
bool site_business_hour(const struct site *s, const struct local_time *lt);
void host_free_parts(struct detect *d, struct host *h);
void verdict_host(struct detect *d, struct host *h);

#endif
