/* SPDX-License-Identifier: MIT
 * logs.h — firewall syslog (issue #5): syslog framing and times (syslog.c), Cisco PIX/ASA
 * messages (pix.c), netfilter LOG lines (netfilter.c) and the driver that pairs built and
 * teardown records into connection events for the detectors (logs.c). docs/logs.md has the
 * formats, the fields and every inference. Parsed records borrow from the line: slices are
 * valid only until the next line is read. */
#ifndef BW_LOGS_H
#define BW_LOGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "detect/detect.h"
#include "util/rd.h"
#include "util/status.h"

enum { LOGS_MAX_LINE = 8192 };   /* longer lines are counted as "overlong" and skipped */

/* Why a line gave no record. Every line is either a record or one of these. */
#define LOG_BAD_REASONS(X)                                                     \
    X(NONE, "none")                                                            \
    X(OVERLONG, "overlong-line")                                               \
    X(NOT_FIREWALL, "not-a-firewall-line")                                     \
    X(BAD_TIME, "bad-timestamp")                                               \
    X(NO_TIME, "no-timestamp")                                                 \
    X(BAD_MSGID, "bad-message-id")                                             \
    X(UNSUPPORTED_ID, "unsupported-message-id")                                \
    X(MALFORMED, "malformed-message")                                          \
    X(BAD_ADDRESS, "bad-address")                                              \
    X(ADDRESS_IS_NAME, "address-is-a-name")                                    \
    X(NF_MALFORMED, "netfilter-malformed")

enum log_bad {
#define X(id, name) LB_##id,
    LOG_BAD_REASONS(X)
#undef X
    LB_MAX
};
extern const char *const log_bad_name[LB_MAX];

/* ---- syslog framing (syslog.c) ---- */

/* What comes before the message: "<PRI>", a time in one of three shapes, a host name. */
struct syslog_hdr {
    bool has_time, has_year, has_zone;   /* has_zone: ISO 8601 with Z or an offset */
    int year, mon, mday, hour, min, sec; /* mon 1..12 */
    uint32_t usec;
    int zone_off_s;                      /* with has_zone */
    struct bytes host;                   /* may be empty */
    struct bytes msg;                    /* the message: from "%ASA-" / "%PIX-" or the rest */
};

/* Splits one line (no newline). BW_OK, or BW_E_MALFORMED with *why = LB_BAD_TIME when a
 * time was started but is wrong. A line with no time at all is BW_OK with has_time false. */
enum bw_status syslog_split(const uint8_t *p, size_t n, struct syslog_hdr *h, enum log_bad *why);

/* Local time to UTC: the log's year-less times get a year (rolled over at new year) and are
 * converted from an IANA zone. The zone's offset is cached per local hour. */
struct logs_clock {
    int year;               /* for year-less times; advanced at each new year */
    int last_mon;           /* 0: none yet */
    char tz[64];            /* "UTC" or an IANA name */
    int64_t cache_hour;     /* local hours since 1970 last converted, and its offset */
    int cache_off;
    bool cache_valid, is_utc;
};
/* BW_E_SYNTAX with d->msg when tz names no zone in the system's tz database. */
enum bw_status logs_clock_init(struct logs_clock *c, int year, const char *tz, struct bw_diag *d);
/* Microseconds since 1970 UTC for the header's time; *off_s gets the UTC offset used
 * (local = UTC + off). False when the fields are out of range. */
bool logs_clock_utc(struct logs_clock *c, const struct syslog_hdr *h, uint64_t *us, int *off_s);
/* Days since 1970-01-01 of a proleptic Gregorian date (mon 1..12). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

/* ---- records (pix.c, netfilter.c) ---- */

enum log_kind {
    LR_NONE,
    LR_CONN_BUILT,       /* 302013, 302015 */
    LR_CONN_TEARDOWN,    /* 302014, 302016 */
    LR_DENY,             /* 106001, 106006, 106015, 106023, 106100 denied, 710003 */
    LR_ACL_PERMIT,       /* 106100 permitted / est-allowed: an ACL hit, not a connection */
    LR_XLATE_BUILT,      /* 305011 */
    LR_XLATE_TEARDOWN,   /* 305010, 305012 */
    LR_PACKET,           /* a netfilter LOG line */
};

struct log_endpoint {
    struct bytes iface;           /* empty when the message names none */
    struct bytes addr_text;       /* as written (an address, or a name from "names") */
    uint8_t family;               /* 4 or 6; 0: addr_text is not an address */
    uint8_t a[16];
    uint16_t port;
    bool has_port;
    struct bytes mapped_text;     /* "(mapped/port)" or the translation's mapped side */
    uint8_t mfamily, ma[16];
    uint16_t mport;
    bool has_mapped;
};

struct log_rec {
    enum log_kind kind;
    unsigned msgid;               /* 302013 ...; 0 for netfilter */
    char vendor;                  /* 'A' ASA, 'P' PIX, 'N' netfilter */
    unsigned level;               /* syslog severity in the message id (ASA/PIX) */
    uint8_t ip_proto;             /* 6, 17, 1, 58 or another number */
    int dir;                      /* built: 1 outbound, -1 inbound, 0 not said */
    uint64_t conn_id;
    struct log_endpoint ep[2];    /* as written: [0] "for"/"from"/"src", [1] "to"/"dst" */
    bool has_duration, has_bytes;
    uint64_t duration_s, bytes;
    struct bytes reason;          /* teardown reason ("TCP FINs"), deny's ACL name */
    uint8_t tcp_flags;            /* deny and netfilter: the packet's flags (TCP bits) */
    bool has_flags;
    uint32_t hit_count;           /* 106100 */
    uint32_t nf_len;              /* netfilter LEN= */
};

/* Parses the ASA/PIX message (from "%ASA-" or "ASA-"). BW_OK with a record;
 * BW_E_MALFORMED with *why otherwise (LB_UNSUPPORTED_ID for ids we do not read). */
enum bw_status pix_parse(const uint8_t *p, size_t n, struct log_rec *r, enum log_bad *why);
/* True when msg starts like an ASA/PIX message ("%ASA-", "%PIX-", "ASA-", "PIX-"). */
bool pix_is_message(const uint8_t *p, size_t n);

/* Parses a netfilter LOG message (anything holding "IN=... SRC=... DST=... PROTO=").
 * BW_OK, or BW_E_MALFORMED with *why. */
enum bw_status nf_parse(const uint8_t *p, size_t n, struct log_rec *r, enum log_bad *why);
bool nf_is_message(const uint8_t *p, size_t n);

/* Parses an address (dotted IPv4 or IPv6 text) into family and a[16]. */
bool log_addr_parse(const uint8_t *p, size_t n, uint8_t *family, uint8_t a[16]);

/* ---- the driver (logs.c) ---- */

struct logs_config {
    int year;                     /* for year-less times */
    const char *tz;               /* IANA zone of the log's local times, "UTC" default */
    const char *eve_path;         /* NULL: no EVE */
    FILE *report;                 /* NULL: no report */
    FILE *dump;                   /* --dump-records: each record as JSON (debugging aid) */
    bool quiet;
    uint64_t conn_max;            /* open connections kept for pairing */
    struct detect_config detect;
};

void logs_config_default(struct logs_config *c);

/* Reads every file (NULL-terminated list; "-" is standard input; gzip or plain), pairs the
 * records into connections, runs the detectors and writes EVE, the report and (unless
 * quiet) a summary on stderr. Returns the exit status botwatch(1) documents: 0, 1 (an input
 * unusable), 2 (bad configuration), 3 (an output failed). */
int logs_main(const struct logs_config *cfg, char *const *files, int nfiles);

#endif
