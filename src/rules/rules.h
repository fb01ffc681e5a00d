/* SPDX-License-Identifier: MIT
 * rules.h — the Snort-syntax rule engine (issue #4, docs/rules.md): rule files are parsed
 * once at startup into struct rule (parse.c, vars.c), then every packet and every chunk of
 * reassembled TCP stream is matched against them (match.c). Alerts go to a callback the
 * engine gives (fast lines, EVE alert events). Rules live for the whole process (malloc at
 * startup, STYLE.md 2.6); per-flow state (flowbits, the stream tail) is capped and counted. */
#ifndef BW_RULES_H
#define BW_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "util/status.h"

enum rule_action { RA_ALERT, RA_LOG, RA_PASS, RA_DROP, RA_REJECT, RA_SDROP, RA_MAX };
extern const char *const rule_action_name[RA_MAX];

enum rule_proto { RP_IP, RP_TCP, RP_UDP, RP_ICMP };

/* The buffers an option can inspect. BUF_PAYLOAD is the packet payload, or for TCP the
 * reassembled stream chunk with up to RULES_STREAM_TAIL bytes of what came before it. */
enum rule_buf {
    BUF_PAYLOAD, BUF_HTTP_URI, BUF_HTTP_RAW_URI, BUF_HTTP_METHOD, BUF_HTTP_HEADER,
    BUF_HTTP_RAW_HEADER, BUF_HTTP_COOKIE, BUF_HTTP_UA, BUF_HTTP_HOST, BUF_HTTP_RAW_HOST,
    BUF_HTTP_STAT_CODE, BUF_HTTP_STAT_MSG, BUF_HTTP_CLIENT_BODY, BUF_FILE_DATA,
    BUF_HTTP_HEADER_NAMES, BUF_HTTP_PROTOCOL, BUF_HTTP_REQUEST_LINE, BUF_HTTP_RESPONSE_LINE,
    BUF_HTTP_START, BUF_HTTP_CONTENT_TYPE, BUF_HTTP_CONTENT_LEN, BUF_HTTP_CONNECTION,
    BUF_HTTP_ACCEPT, BUF_HTTP_ACCEPT_ENC, BUF_HTTP_ACCEPT_LANG, BUF_HTTP_REFERER,
    BUF_DNS_QUERY, BUF_TLS_SNI, BUF_MAX
};
extern const char *const rule_buf_name[BUF_MAX];

enum { RULES_STREAM_TAIL = 1024,     /* bytes of earlier stream kept to match across segments */
       RULES_BACKTRACK_MAX = 4096,   /* content/pcre retries per rule evaluation */
       RULES_VAR_DEPTH = 16,         /* $VAR inside $VAR, include inside include */
       RULES_MAX_OPS = 64,
       RULES_DUPS_LISTED = 20 };     /* duplicate sids warned about one by one */

/* An address set after variables and lists are flattened: matches when (any or some entry
 * of pos contains the address) and no entry of neg does (docs/rules.md: nested negation). */
struct net { uint8_t family, bits; uint8_t a[16]; };
struct netset {
    struct net *pos, *neg;
    uint32_t npos, nneg;
    bool any;
};

struct prange { uint16_t lo, hi; };
struct portset {
    struct prange *pos, *neg;
    uint32_t npos, nneg;
    bool any;
};

enum rop_type { OP_CONTENT, OP_PCRE, OP_BYTE_TEST, OP_BYTE_JUMP, OP_ISDATAAT, OP_BYTE_EXTRACT };

enum { RULES_MAX_VARS = 8 };     /* byte_extract variables per rule */

/* One payload option, in rule order. */
struct rop {
    uint8_t type;            /* enum rop_type */
    uint8_t buf;             /* enum rule_buf */
    bool negate, relative, nocase, rawbytes, fast_pattern, fp_only;
    bool has_offset, has_depth, has_distance, has_within;
    int32_t offset, depth, distance, within;   /* content; also byte_* offset */
    uint32_t fp_off, fp_len;                   /* fast_pattern:off,len */
    uint8_t *pat;            /* content bytes (lowercased when nocase) */
    uint32_t len;
    uint32_t rare;           /* content: the index of its least common byte (searched for
                                first; set by the parser once the content is final) */
    void *re;                /* pcre2_code, JIT-compiled when first matched (most of a large
                                rule set's pcres never are: their JIT took a tenth of loading) */
    bool jit;                /* pcre2_jit_compile was called (where JIT is unavailable, the
                                pcre is interpreted) */
    void *md;                /* pcre2_match_data */
    /* byte_test / byte_jump / isdataat */
    uint8_t nbytes, bt_op, base;               /* base 0: binary, else 8/10/16 (string) */
    bool little, align, from_beginning, from_end, dce;
    uint32_t bt_mask;
    uint64_t bt_value;
    int32_t multiplier, post_offset;
    uint8_t align_to;        /* byte_extract: round the value up to 2 or 4 */
    uint8_t var;             /* byte_extract: the variable it sets (index) */
    /* a byte_extract variable (index + 1) instead of the number, 0 for the number */
    uint8_t v_offset, v_depth, v_distance, v_within, v_value;
};

enum { FB_SET, FB_UNSET, FB_TOGGLE, FB_ISSET, FB_ISNOTSET };
struct fbop {
    uint8_t cmd;
    bool any;                /* a|b: any of them (else all, a&b) */
    uint32_t n;
    uint32_t *bit;
};

enum { TH_NONE, TH_LIMIT, TH_THRESHOLD, TH_BOTH, TH_DETECTION };
struct thresh {
    uint8_t type, by_dst;
    uint32_t count, seconds;
};

/* A suppress directive as it applies to one rule: every alert, or those whose tracked
 * address is in ips (which belongs to the directive in struct rules). */
struct rule_supp { bool by_dst, all; const struct netset *ips; };

/* A threshold.conf directive (threshold.c), kept until rules_prepare applies it. */
struct rule_tdir {
    uint32_t gid, sid;           /* sid 0: every rule of gid */
    bool suppress, has_ip;
    struct thresh th;            /* event_filter; for suppress only th.by_dst */
    struct netset ips;
};

/* dsize / urilen / itype / icode: lo..hi inclusive */
struct range { bool set; uint32_t lo, hi; };

struct rule {
    uint32_t gid, sid, rev;
    uint8_t action, proto, app_proto;   /* app_proto: enum proto_id, 0 = any */
    bool bidir, noalert, stream_mode, has_payload_ops;
    uint8_t flow_dir;        /* 0, 1 to_server, 2 to_client */
    uint8_t flow_est;        /* 0, 1 established, 2 not_established, 3 stateless */
    uint8_t flow_stream;     /* 0, 1 only_stream, 2 no_stream */
    uint8_t flags_mode;      /* 0 none, '=' exact, '+' all of, '*' any of, '!' none of */
    uint8_t flags_want, flags_ignore;
    int priority;
    struct range dsize, urilen, itype, icode;
    struct netset src, dst;
    struct portset sp, dp;
    struct rop *ops;
    uint32_t nops;
    int32_t fp;              /* index of the fast-pattern content, -1 if none */
    struct fbop *fb;
    uint32_t nfb;
    struct thresh th, df;
    struct { uint8_t proto; bool neg; } alp[4];   /* app-layer-protocol conditions */
    struct { uint8_t who, op; uint32_t n; } ssize;  /* stream_size; who 0: none */
    uint32_t nalp;
    struct rule_supp *supp;
    uint32_t nsupp;
    uint8_t th_from_file;    /* 1: a sig_id 0 event_filter set th, 2: one naming this sid */
    char *msg;
    const char *classtype, *class_desc;  /* class_desc: from classification.config */
    const char *file;        /* interned in struct rules */
    unsigned line;
    uint32_t index;          /* position in rules->rule */
};

/* ---- loading ---- */

enum { RULES_SKIP_KINDS = 128 };

struct rules_skip { char name[40]; uint32_t n; };
struct rules_counts {
    uint32_t loaded, skipped, errors;
    uint32_t nkinds;
    struct rules_skip kind[RULES_SKIP_KINDS];   /* skipped rules by keyword */
};

struct rule_var { char *name, *value; };
struct rule_class { char *name, *desc; int priority; };

struct rules_rt;

struct rules {
    struct rule **rule;
    uint32_t nrule, caprule;
    struct rule_var *var;
    uint32_t nvar, capvar;
    struct rule_class *cls;
    uint32_t ncls;
    char **fbname;           /* flowbit names, index = bit */
    uint32_t nfb, capfb;
    char **files;            /* interned file names */
    uint32_t nfiles;
    struct rules_counts counts;
    struct rule_tdir *tdir;  /* event_filter / suppress directives */
    uint32_t ntdir;
    bool tdir_applied;
    FILE *msg;               /* warnings and errors go here (stderr); NULL: quiet */
    unsigned depth;          /* include depth while loading */
    uint32_t vargen;         /* bumped by every variable change */
    struct hdr_cache *hcache;   /* parsed header address and port lists (parse.c) */
    uint32_t *sididx;        /* gid:sid -> 1 + index in rule, open addressing (parse.c) */
    uint32_t dups_listed;    /* duplicate-sid warnings written (RULES_DUPS_LISTED at most) */
    uint32_t sidcap;         /* its slots, a power of two, at most half full */
    struct rules_rt *rt;     /* matching state (match.c), built by rules_prepare */
    uint32_t profile;        /* --rules-profile N: time every rule and prefilter database
                                from rules_prepare on; N rules are listed (0: off) */
};

/* Sets up defaults: every variable the ET Open and Snort community rules use, and the
 * built-in classifications (the same as etc/classification.config). msg: where
 * diagnostics go (NULL: nowhere). */
void rules_init(struct rules *rs, FILE *msg);
void rules_free(struct rules *rs);

/* Sets (or replaces) a variable, as a "var NAME VALUE" line would. The value is checked when
 * a rule uses it. BW_E_SYNTAX if name is not a valid identifier. */
enum bw_status rules_set_var(struct rules *rs, const char *name, const char *value);
const char *rules_get_var(const struct rules *rs, const char *name);

/* Forgets every classification (before loading a replacement file). */
void rules_clear_classification(struct rules *rs);

/* Loads classification.config lines ("config classification: name,desc,prio"). */
enum bw_status rules_load_classification(struct rules *rs, const char *path,
                                         struct bw_diag *d);

/* Loads a rule file, or every *.rules file of a directory in name order. A rule with broken
 * syntax is reported (file:line:col with a caret) and counted as an error; a rule with an
 * unsupported keyword is skipped with a warning; the rest load. BW_E_IO when the path
 * cannot be read (d says why). */
enum bw_status rules_load_path(struct rules *rs, const char *path, struct bw_diag *d);

/* Parses one line of rule text (a rule, var/ipvar/portvar, include, config, comment).
 * Used by the loader and by tests: BW_OK, BW_E_SYNTAX (reported, counted as error) or
 * BW_E_LIMIT (unsupported keyword: skipped and counted). file is kept by reference. */
enum bw_status rules_parse_line(struct rules *rs, const char *line, const char *file,
                                unsigned lineno);

/* threshold.conf: event_filter (or threshold) and suppress lines, from a file or one line
 * (rules_parse_line passes them here too). Applied to the rules by rules_prepare. Errors are
 * reported as file:line and counted; BW_E_IO when the file cannot be read. */
enum bw_status rules_load_threshold(struct rules *rs, const char *path, struct bw_diag *d);
enum bw_status rules_parse_threshold(struct rules *rs, const char *line, const char *file,
                                     unsigned lineno);

/* Prints the skipped-by-keyword summary and the last line
 * "rules: L loaded, S skipped, E errors". */
void rules_print_summary(const struct rules *rs, FILE *out);

/* ---- matching (match.c) ---- */

/* One alert: the rule, the flow, and the direction of the bytes that matched. */
struct rule_alert {
    const struct rule *r;
    const struct flow *f;
    enum flow_dir dir;
    uint64_t ts_us;
    uint8_t family, proto;
    const uint8_t *src, *dst;
    uint16_t sport, dport;
};

typedef void (*rules_alert_fn)(void *ctx, const struct rule_alert *a);

struct rules_stats {
    uint64_t alerts, suppressed, pass;
    uint64_t flows_tracked, flow_memcap_drop, backtrack_limit;
    uint64_t thresh_memcap_drop;
    uint64_t memuse;
};

/* Builds the matching structures; call once after loading, before rules_packet.
 * BW_E_NOMEM or BW_E_SYNTAX (a rule set that cannot be compiled) with d filled. */
enum bw_status rules_prepare(struct rules *rs, uint64_t memcap, rules_alert_fn fn, void *ctx,
                             struct bw_diag *d);

/* A decoded packet of flow f (f may be NULL). TCP payload is matched on the stream instead
 * (rules_stream) unless a rule asks for packets (flags, no_stream, no payload options). */
void rules_packet(struct rules *rs, struct flow *f, enum flow_dir dir, const struct pkt *p);

/* A chunk of reassembled TCP bytes in order (data NULL: a gap of len bytes). */
void rules_stream(struct rules *rs, struct flow *f, enum flow_dir dir, uint64_t ts_us,
                  const uint8_t *data, size_t len);

/* A TCP flow has closed: the stream state of each direction that has delivered everything
 * up to its FIN (tail, pending head) is freed; flowbits stay until rules_flow_end. */
void rules_flow_close(struct rules *rs, struct flow *f);

/* The flow is ending: its rule state (f->rules_state) is freed. */
void rules_flow_end(struct rules *rs, struct flow *f);

const struct rules_stats *rules_get_stats(const struct rules *rs);

/* With rs->profile set before rules_prepare: the rules that took the most time (rs->profile
 * of them), then every prefilter database, as tables (docs/rules.md "Profiling"). */
void rules_profile_print(const struct rules *rs, FILE *out);

/* Evaluates one rule's payload options on a buffer (tests): base is where the packet starts
 * in buf (bytes before it are the stream tail). */
bool rules_match_payload(const struct rule *r, const uint8_t *buf, size_t len, size_t base);

#endif
