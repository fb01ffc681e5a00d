/* SPDX-License-Identifier: MIT
 * parse.c — Snort 2.9 rule syntax (Snort manual ch. 3; Suricata's additions where the ET Open
 * rules use them): header (action, protocol, addresses, ports, direction) and options, into
 * struct rule. Broken syntax is an error for that rule only, reported as file:line:col with
 * a caret; an option we do not implement skips the rule with a warning naming it. Rule text
 * is the operator's, not the wire's, but it is still bounded: every number is range-checked
 * and lists and variables have a depth limit. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rules/rules_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto/proto.h"

const char *const rule_action_name[RA_MAX] = { "alert", "log", "pass", "drop", "reject",
                                               "sdrop" };

const char *const rule_buf_name[BUF_MAX] = {
    "pkt_data", "http_uri", "http_raw_uri", "http_method", "http_header", "http_raw_header",
    "http_cookie", "http_user_agent", "http_host", "http_raw_host", "http_stat_code",
    "http_stat_msg", "http_client_body", "file_data", "http_header_names", "http_protocol",
    "http_request_line", "http_response_line", "http_start", "http_content_type",
    "http_content_len", "http_connection", "http_accept", "http_accept_enc",
    "http_accept_lang", "http_referer", "dns_query", "tls_sni",
};

enum { FP_WEAK = 4 };           /* marked fast patterns shorter than this may give way */

/* What one rule's parse needs: where we are for messages, and the option state. */
struct pctx {
    struct rules *rs;
    const char *line, *file;
    unsigned lineno;
    const char *anchor;      /* errors inside a variable's value point here */
    const char *buf;         /* the rule's working copy, aligned with line */
    size_t buflen;
    struct rule *r;
    int last;                /* last content/pcre op, -1 if none */
    uint8_t sticky;          /* buffer for the options that follow */
    const char *skip_kw;     /* set when an unsupported keyword is met */
    char var[RULES_MAX_VARS][32];   /* byte_extract names, in order */
    unsigned nvars;
};

/* A byte_extract variable's index + 1, or 0 if s is not one. */
static uint8_t var_lookup(const struct pctx *pc, const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    for (unsigned i = 0; i < pc->nvars; i++)
        if (strlen(pc->var[i]) == n && strncmp(pc->var[i], s, n) == 0)
            return (uint8_t)(i + 1);
    return 0;
}

static int perr(struct pctx *pc, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* file:line:col: error: message, the line, and a caret under the fault. */
static int perr(struct pctx *pc, const char *at, const char *fmt, ...)
{
    FILE *o = pc->rs->msg;
    if (!o)
        return BW_E_SYNTAX;
    size_t n = strlen(pc->line);
    bool in_buf = pc->buf && at >= pc->buf && at <= pc->buf + pc->buflen;
    if (!in_buf && (!at || at < pc->line || at > pc->line + n))
        at = pc->anchor ? pc->anchor : pc->line;
    if (pc->buf && at >= pc->buf && at <= pc->buf + pc->buflen)
        at = pc->line + (at - pc->buf);
    if (at < pc->line || at > pc->line + n)
        at = pc->line;
    size_t col = (size_t)(at - pc->line);
    fprintf(o, "%s:%u:%zu: error: ", pc->file, pc->lineno, col + 1);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o, fmt, ap);
    va_end(ap);
    if (pc->r && pc->r->sid)
        fprintf(o, " (sid %u)", pc->r->sid);
    fputs("\n  ", o);
    for (size_t i = 0; i < n; i++)
        fputc(pc->line[i] == '\t' ? ' ' : (isprint((unsigned char)pc->line[i]) ? pc->line[i]
                                                                              : '?'), o);
    fputs("\n  ", o);
    for (size_t i = 0; i < col; i++)
        fputc(' ', o);
    fputs("^\n", o);
    return BW_E_SYNTAX;
}

static void *xrealloc_n(void *p, size_t n, size_t sz)
{
    if (n && sz > SIZE_MAX / n)
        return NULL;
    return realloc(p, n * sz);
}

/* ---- numbers ---- */

static bool parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return false;
    char *end;
    errno = 0;
    long long v;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        v = strtoll(s + 2, &end, 16);
    else
        v = strtoll(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (*end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    int64_t v;
    if (!parse_i64(s, 0, UINT32_MAX, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* "N", "<N", ">N", "<=N", ">=N", "N<>M" (inclusive), "!N" is not accepted */
static bool parse_range(const char *s, uint32_t max, struct range *r)
{
    while (isspace((unsigned char)*s))
        s++;
    const char *lg = strstr(s, "<>");
    int64_t a, b;
    char buf[64];
    if (lg) {
        size_t n = (size_t)(lg - s);
        if (n >= sizeof buf)
            return false;
        memcpy(buf, s, n);
        buf[n] = '\0';
        if (!parse_i64(buf, 0, max, &a) || !parse_i64(lg + 2, 0, max, &b) || a > b)
            return false;
        *r = (struct range){ true, (uint32_t)a, (uint32_t)b };
        return true;
    }
    if (s[0] == '<' && s[1] == '=') {
        if (!parse_i64(s + 2, 0, max, &a))
            return false;
        *r = (struct range){ true, 0, (uint32_t)a };
    } else if (s[0] == '>' && s[1] == '=') {
        if (!parse_i64(s + 2, 0, max, &a))
            return false;
        *r = (struct range){ true, (uint32_t)a, max };
    } else if (s[0] == '<') {
        if (!parse_i64(s + 1, 0, max, &a) || a == 0)
            return false;
        *r = (struct range){ true, 0, (uint32_t)a - 1 };
    } else if (s[0] == '>') {
        if (!parse_i64(s + 1, 0, max, &a) || a >= max)
            return false;
        *r = (struct range){ true, (uint32_t)a + 1, max };
    } else {
        if (s[0] == '=')
            s++;
        if (!parse_i64(s, 0, max, &a))
            return false;
        *r = (struct range){ true, (uint32_t)a, (uint32_t)a };
    }
    return true;
}

/* ---- addresses ---- */

static bool net_push(struct net **v, uint32_t *n, const struct net *x)
{
    struct net *p = xrealloc_n(*v, *n + 1, sizeof *p);
    if (!p)
        return false;
    p[(*n)++] = *x;
    *v = p;
    return true;
}

static bool parse_net(const char *s, struct net *out)
{
    char buf[128];
    size_t n = strlen(s);
    if (n >= sizeof buf)
        return false;
    memcpy(buf, s, n + 1);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, out->a) == 1) {
        out->family = 4;
        out->bits = 32;
    } else if (inet_pton(AF_INET6, buf, out->a) == 1) {
        out->family = 6;
        out->bits = 128;
    } else {
        return false;
    }
    if (slash) {
        int64_t b;
        uint8_t mask[4];
        if (parse_i64(slash + 1, 0, out->bits, &b)) {
            out->bits = (uint8_t)b;
        } else if (out->family == 4 && inet_pton(AF_INET, slash + 1, mask) == 1) {
            uint32_t m = (uint32_t)mask[0] << 24 | (uint32_t)mask[1] << 16 |
                         (uint32_t)mask[2] << 8 | mask[3];
            unsigned bits = 0;
            while (bits < 32 && (m & (0x80000000u >> bits)))
                bits++;
            if (bits < 32 && (m << bits))
                return false;             /* not a contiguous netmask */
            out->bits = (uint8_t)bits;
        } else {
            return false;
        }
    }
    return true;
}

/* Splits a [list] at its top-level commas; calls fn on each element. */
typedef int (*elem_fn)(struct pctx *pc, const char *s, size_t n, bool neg, void *out,
                       unsigned depth);

static int walk_list(struct pctx *pc, const char *s, size_t n, bool neg, void *out,
                     unsigned depth, elem_fn fn, const char *what)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (depth > RULES_VAR_DEPTH)
        return perr(pc, s, "%s nested too deeply", what);
    if (n && s[0] == '!')
        return walk_list(pc, s + 1, n - 1, !neg, out, depth + 1, fn, what);
    if (n && s[0] == '[') {
        if (s[n - 1] != ']')
            return perr(pc, s, "%s list without ']'", what);
        const char *p = s + 1, *end = s + n - 1, *start = p;
        int lvl = 0;
        bool any = false;
        for (; p <= end; p++) {
            if (p < end && *p == '[')
                lvl++;
            else if (p < end && *p == ']') {
                if (--lvl < 0)
                    return perr(pc, p, "unbalanced ']' in %s", what);
            } else if (p == end || (*p == ',' && lvl == 0)) {
                if (p == end && lvl != 0)
                    return perr(pc, start, "unbalanced '[' in %s", what);
                int st = walk_list(pc, start, (size_t)(p - start), neg, out, depth + 1, fn,
                                   what);
                if (st)
                    return st;
                any = true;
                start = p + 1;
            }
        }
        if (!any)
            return perr(pc, s, "empty %s list", what);
        return BW_OK;
    }
    return fn(pc, s, n, neg, out, depth);
}

static int var_ref(struct pctx *pc, const char *s, size_t n, const char **val)
{
    char name[64];
    if (n < 2 || n - 1 >= sizeof name)
        return perr(pc, s, "bad variable name");
    memcpy(name, s + 1, n - 1);
    name[n - 1] = '\0';
    *val = rules_get_var(pc->rs, name);
    if (!*val)
        return perr(pc, s, "undefined variable $%s", name);
    return BW_OK;
}

static int addr_elem(struct pctx *pc, const char *s, size_t n, bool neg, void *out,
                     unsigned depth)
{
    struct netset *ns = out;
    if (n == 0)
        return perr(pc, s, "empty address");
    if (s[0] == '$') {
        const char *val;
        int st = var_ref(pc, s, n, &val);
        if (st)
            return st;
        return walk_list(pc, val, strlen(val), neg, out, depth + 1, addr_elem, "address");
    }
    if (n == 3 && strncmp(s, "any", 3) == 0) {
        if (neg)
            return perr(pc, s, "!any matches nothing");
        ns->any = true;
        return BW_OK;
    }
    char buf[128];
    if (n >= sizeof buf)
        return perr(pc, s, "address too long");
    memcpy(buf, s, n);
    buf[n] = '\0';
    struct net x;
    if (!parse_net(buf, &x))
        return perr(pc, s, "bad address '%s'", buf);
    if (!(neg ? net_push(&ns->neg, &ns->nneg, &x) : net_push(&ns->pos, &ns->npos, &x)))
        return BW_E_NOMEM;
    return BW_OK;
}

/* ---- parsed header lists, by their text ---- */

/* A rule set names the same few address and port lists thousands of times ($HOME_NET,
 * $HTTP_PORTS: a hundred ports, each parsed and appended): each text is parsed once per
 * variable generation and copied after that. */
enum { HCACHE_SLOTS = 256 };
struct hcache_ent {
    char *text;
    uint32_t gen;
    bool port;
    struct netset ns;
    struct portset ps;
};
struct hdr_cache { struct hcache_ent e[HCACHE_SLOTS]; };

static struct hcache_ent *hcache_slot(struct rules *rs, const char *text, bool port)
{
    if (!rs->hcache && !(rs->hcache = calloc(1, sizeof *rs->hcache)))
        return NULL;
    uint32_t h = 2166136261u ^ port;
    for (const char *c = text; *c; c++)
        h = (h ^ (uint8_t)*c) * 16777619u;
    return &rs->hcache->e[h % HCACHE_SLOTS];
}

static void hcache_clear(struct hcache_ent *c)
{
    free(c->text);
    free(c->ns.pos);
    free(c->ns.neg);
    free(c->ps.pos);
    free(c->ps.neg);
    memset(c, 0, sizeof *c);
}

void rules_hcache_free(struct rules *rs)
{
    for (uint32_t i = 0; rs->hcache && i < HCACHE_SLOTS; i++)
        hcache_clear(&rs->hcache->e[i]);
    free(rs->hcache);
    rs->hcache = NULL;
}

static bool copy_vec(void **dst, const void *src, uint32_t n, size_t size)
{
    *dst = NULL;
    if (!n)
        return true;
    if (!(*dst = malloc(n * size)))
        return false;
    memcpy(*dst, src, n * size);
    return true;
}

/* A set's positive and negative lists, copied deep; on failure neither is kept. */
static bool lists_copy(void **dpos, const void *spos, uint32_t npos, size_t psize,
                       void **dneg, const void *sneg, uint32_t nneg, size_t nsize)
{
    if (copy_vec(dpos, spos, npos, psize) && copy_vec(dneg, sneg, nneg, nsize))
        return true;
    free(*dpos);
    *dpos = NULL;
    return false;
}

static bool netset_copy(struct netset *d, const struct netset *s)
{
    *d = *s;
    if (lists_copy((void **)&d->pos, s->pos, s->npos, sizeof *s->pos, (void **)&d->neg,
                   s->neg, s->nneg, sizeof *s->neg))
        return true;
    memset(d, 0, sizeof *d);
    return false;
}

static bool portset_copy(struct portset *d, const struct portset *s)
{
    *d = *s;
    if (lists_copy((void **)&d->pos, s->pos, s->npos, sizeof *s->pos, (void **)&d->neg,
                   s->neg, s->nneg, sizeof *s->neg))
        return true;
    memset(d, 0, sizeof *d);
    return false;
}

/* The cached list of text, or NULL. */
static struct hcache_ent *hcache_get(struct rules *rs, const char *text, bool port)
{
    struct hcache_ent *c = hcache_slot(rs, text, port);
    if (c && c->text && c->gen == rs->vargen && c->port == port && strcmp(c->text, text) == 0)
        return c;
    return NULL;
}

static void hcache_put(struct rules *rs, const char *text, const struct netset *ns,
                       const struct portset *ps)
{
    struct hcache_ent *c = hcache_slot(rs, text, ps != NULL);
    if (!c)
        return;
    hcache_clear(c);
    size_t n = strlen(text);
    if (!(c->text = malloc(n + 1)))
        return;
    memcpy(c->text, text, n + 1);
    c->gen = rs->vargen;
    c->port = ps != NULL;
    if (!(ns ? netset_copy(&c->ns, ns) : portset_copy(&c->ps, ps)))
        hcache_clear(c);
}

static int parse_addr(struct pctx *pc, const char *s, struct netset *ns)
{
    memset(ns, 0, sizeof *ns);
    struct hcache_ent *c = hcache_get(pc->rs, s, false);
    if (c)
        return netset_copy(ns, &c->ns) ? BW_OK : BW_E_NOMEM;
    pc->anchor = s;
    int st = walk_list(pc, s, strlen(s), false, ns, 0, addr_elem, "address");
    if (st)
        return st;
    if (!ns->npos)
        ns->any = true;       /* only negations: everything but them */
    hcache_put(pc->rs, s, ns, NULL);
    return BW_OK;
}

enum bw_status rules_parse_netset(struct rules *rs, const char *text, struct netset *out,
                                  const char *file, unsigned line)
{
    struct pctx pc = { .rs = rs, .line = text, .file = file, .lineno = line };
    int st = parse_addr(&pc, text, out);
    if (st) {
        free(out->pos);
        free(out->neg);
        memset(out, 0, sizeof *out);
    }
    return (enum bw_status)st;
}

static int port_elem(struct pctx *pc, const char *s, size_t n, bool neg, void *out,
                     unsigned depth)
{
    struct portset *ps = out;
    if (n == 0)
        return perr(pc, s, "empty port");
    if (s[0] == '$') {
        const char *val;
        int st = var_ref(pc, s, n, &val);
        if (st)
            return st;
        return walk_list(pc, val, strlen(val), neg, out, depth + 1, port_elem, "port");
    }
    if (n == 3 && strncmp(s, "any", 3) == 0) {
        if (neg)
            return perr(pc, s, "!any matches nothing");
        ps->any = true;
        return BW_OK;
    }
    char buf[32];
    if (n >= sizeof buf)
        return perr(pc, s, "bad port");
    memcpy(buf, s, n);
    buf[n] = '\0';
    struct prange r = { 0, 65535 };
    char *colon = strchr(buf, ':');
    int64_t v;
    if (colon) {
        *colon = '\0';
        if (buf[0] && !parse_i64(buf, 0, 65535, &v))
            return perr(pc, s, "bad port '%.*s'", (int)n, s);
        if (buf[0])
            r.lo = (uint16_t)v;
        if (colon[1] && !parse_i64(colon + 1, 0, 65535, &v))
            return perr(pc, s, "bad port '%.*s'", (int)n, s);
        if (colon[1])
            r.hi = (uint16_t)v;
        if (!buf[0] && !colon[1])
            return perr(pc, s, "bad port range ':'");
        if (r.lo > r.hi)
            return perr(pc, s, "port range %u:%u is backwards", r.lo, r.hi);
    } else {
        if (!parse_i64(buf, 0, 65535, &v))
            return perr(pc, s, "bad port '%.*s'", (int)n, s);
        r.lo = r.hi = (uint16_t)v;
    }
    struct prange **vec = neg ? &ps->neg : &ps->pos;
    uint32_t *cnt = neg ? &ps->nneg : &ps->npos;
    struct prange *p = xrealloc_n(*vec, *cnt + 1, sizeof *p);
    if (!p)
        return BW_E_NOMEM;
    p[(*cnt)++] = r;
    *vec = p;
    return BW_OK;
}

static int parse_ports(struct pctx *pc, const char *s, struct portset *ps)
{
    memset(ps, 0, sizeof *ps);
    struct hcache_ent *c = hcache_get(pc->rs, s, true);
    if (c)
        return portset_copy(ps, &c->ps) ? BW_OK : BW_E_NOMEM;
    pc->anchor = s;
    int st = walk_list(pc, s, strlen(s), false, ps, 0, port_elem, "port");
    if (st)
        return st;
    if (!ps->npos)
        ps->any = true;
    hcache_put(pc->rs, s, NULL, ps);
    return BW_OK;
}

/* ---- option values ---- */

/* A quoted string (quotes optional) with \" \\ \; \: escapes, then |hex| runs when hex is
 * set. out is malloc'd. *neg is set for a leading '!'. */
static int parse_string(struct pctx *pc, const char *v, bool hex, bool *neg, uint8_t **out,
                        uint32_t *outlen, bool keep_escapes)
{
    const char *s = v;
    while (isspace((unsigned char)*s))
        s++;
    *neg = false;
    if (*s == '!') {
        *neg = true;
        s++;
        while (isspace((unsigned char)*s))
            s++;
    }
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    } else if (n && s[0] == '"') {
        return perr(pc, s, "string without closing quote");
    }
    uint8_t *b = malloc(n + 1);
    if (!b)
        return BW_E_NOMEM;
    size_t m = 0;
    bool inhex = false;
    int nib = -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (hex && c == '|') {
            if (inhex && nib >= 0) {
                free(b);
                return perr(pc, s + i, "odd number of hex digits");
            }
            inhex = !inhex;
            continue;
        }
        if (inhex) {
            if (isspace((unsigned char)c))
                continue;
            if (!isxdigit((unsigned char)c)) {
                free(b);
                return perr(pc, s + i, "bad hex digit '%c'", c);
            }
            int d = isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10);
            if (nib < 0) {
                nib = d;
            } else {
                b[m++] = (uint8_t)(nib << 4 | d);
                nib = -1;
            }
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= n) {
                free(b);
                return perr(pc, s + i, "backslash at the end of a string");
            }
            if (keep_escapes) {              /* pcre: the regex engine reads them */
                b[m++] = (uint8_t)c;
                b[m++] = (uint8_t)s[++i];
                continue;
            }
            c = s[++i];
            if (!hex && c != '"' && c != '\\' && c != ';' && c != ':') {
                b[m++] = '\\';                  /* msg: an unknown escape stays as written */
            } else if (c != '"' && c != '\\' && c != ';' && c != ':' && c != '|') {
                free(b);
                return perr(pc, s + i - 1, "unknown escape '\\%c'", c);
            }
        } else if (c == '"') {
            free(b);
            return perr(pc, s + i, "unescaped '\"' inside a string");
        }
        b[m++] = (uint8_t)c;
    }
    if (inhex) {
        free(b);
        return perr(pc, s, "'|' hex run not closed");
    }
    *out = b;
    *outlen = (uint32_t)m;
    return BW_OK;
}

static struct rop *new_op(struct pctx *pc, uint8_t type)
{
    struct rule *r = pc->r;
    if (r->nops >= RULES_MAX_OPS)
        return NULL;
    struct rop *o = xrealloc_n(r->ops, r->nops + 1, sizeof *o);
    if (!o)
        return NULL;
    r->ops = o;
    o = &r->ops[r->nops++];
    memset(o, 0, sizeof *o);
    o->type = type;
    o->buf = pc->sticky;
    return o;
}

static struct rop *last_content(struct pctx *pc, const char *kw, const char *at, int *st)
{
    if (pc->last < 0 || pc->r->ops[pc->last].type != OP_CONTENT) {
        *st = perr(pc, at, "'%s' needs a content before it", kw);
        return NULL;
    }
    return &pc->r->ops[pc->last];
}

static int kw_content(struct pctx *pc, char *v, const char *at)
{
    bool neg;
    uint8_t *pat;
    uint32_t len;
    int st = parse_string(pc, v, true, &neg, &pat, &len, false);
    if (st)
        return st;
    if (len == 0) {
        free(pat);
        return perr(pc, at, "empty content");
    }
    struct rop *o = new_op(pc, OP_CONTENT);
    if (!o) {
        free(pat);
        return perr(pc, at, "too many options (at most %d)", RULES_MAX_OPS);
    }
    o->pat = pat;
    o->len = len;
    o->negate = neg;
    pc->last = (int)(o - pc->r->ops);
    return BW_OK;
}

static int kw_uricontent(struct pctx *pc, char *v, const char *at)
{
    uint8_t save = pc->sticky;
    pc->sticky = BUF_HTTP_URI;
    int st = kw_content(pc, v, at);
    pc->sticky = save;
    return st;
}

static int kw_nocase(struct pctx *pc, char *v, const char *at)
{
    (void)v;
    int st = 0;
    struct rop *o = last_content(pc, "nocase", at, &st);
    if (!o)
        return st;
    o->nocase = true;
    for (uint32_t i = 0; i < o->len; i++)
        o->pat[i] = (uint8_t)tolower(o->pat[i]);
    return BW_OK;
}

static int kw_rawbytes(struct pctx *pc, char *v, const char *at)
{
    (void)v;
    int st = 0;
    struct rop *o = last_content(pc, "rawbytes", at, &st);
    if (!o)
        return st;
    o->rawbytes = true;
    return BW_OK;
}

/* depth, offset, distance, within: a number, or a byte_extract variable of the rule. */
static int kw_position(struct pctx *pc, const char *kw, char *v, const char *at)
{
    int st = 0;
    struct rop *o = last_content(pc, kw, at, &st);
    if (!o)
        return st;
    int64_t n;
    bool neg_ok = strcmp(kw, "distance") == 0 || strcmp(kw, "offset") == 0;
    const char *t = v;
    while (isspace((unsigned char)*t))
        t++;
    uint8_t var = 0;
    if (isalpha((unsigned char)*t) || *t == '_') {
        var = var_lookup(pc, t);
        if (!var)
            return perr(pc, at, "%s: '%s' is not a byte_extract variable of this rule", kw,
                        trim(v));
    }
    if (var) {
        static const char *const kws[] = { "depth", "offset", "distance", "within" };
        if ((strcmp(kw, "depth") == 0 || strcmp(kw, "offset") == 0) &&
            (o->has_distance || o->has_within))
            return perr(pc, at, "%s cannot be mixed with distance/within", kw);
        if ((strcmp(kw, "distance") == 0 || strcmp(kw, "within") == 0) &&
            (o->has_depth || o->has_offset))
            return perr(pc, at, "%s cannot be mixed with depth/offset", kw);
        if (strcmp(kw, kws[0]) == 0) o->has_depth = true, o->v_depth = var;
        else if (strcmp(kw, kws[1]) == 0) o->has_offset = true, o->v_offset = var;
        else if (strcmp(kw, kws[2]) == 0) o->has_distance = true, o->relative = true,
                                          o->v_distance = var;
        else o->has_within = true, o->relative = true, o->v_within = var;
        return BW_OK;
    }
    if (!parse_i64(v, neg_ok ? -65535 : 0, 65535, &n))
        return perr(pc, at, "bad %s '%s'", kw, trim(v));
    if (strcmp(kw, "depth") == 0) {
        if (o->has_distance || o->has_within)
            return perr(pc, at, "depth cannot be mixed with distance/within");
        if (n < o->len)
            return perr(pc, at, "depth %lld is less than the content's %u bytes",
                        (long long)n, o->len);
        o->has_depth = true;
        o->depth = (int32_t)n;
    } else if (strcmp(kw, "offset") == 0) {
        if (o->has_distance || o->has_within)
            return perr(pc, at, "offset cannot be mixed with distance/within");
        if (n < 0)
            return perr(pc, at, "negative offset");
        o->has_offset = true;
        o->offset = (int32_t)n;
    } else if (strcmp(kw, "distance") == 0) {
        if (o->has_depth || o->has_offset)
            return perr(pc, at, "distance cannot be mixed with depth/offset");
        o->has_distance = true;
        o->relative = true;
        o->distance = (int32_t)n;
    } else {
        if (o->has_depth || o->has_offset)
            return perr(pc, at, "within cannot be mixed with depth/offset");
        if (n < o->len)
            return perr(pc, at, "within %lld is less than the content's %u bytes",
                        (long long)n, o->len);
        o->has_within = true;
        o->relative = true;
        o->within = (int32_t)n;
    }
    return BW_OK;
}

static int kw_depth(struct pctx *pc, char *v, const char *at)
{
    return kw_position(pc, "depth", v, at);
}
static int kw_offset(struct pctx *pc, char *v, const char *at)
{
    return kw_position(pc, "offset", v, at);
}
static int kw_distance(struct pctx *pc, char *v, const char *at)
{
    return kw_position(pc, "distance", v, at);
}
static int kw_within(struct pctx *pc, char *v, const char *at)
{
    return kw_position(pc, "within", v, at);
}

static int kw_fast_pattern(struct pctx *pc, char *v, const char *at)
{
    int st = 0;
    struct rop *o = last_content(pc, "fast_pattern", at, &st);
    if (!o)
        return st;
    if (o->negate && !v)
        return perr(pc, at, "fast_pattern on a negated content");
    o->fast_pattern = true;
    if (v) {
        v = trim(v);
        if (strcmp(v, "only") == 0) {
            o->fp_only = true;
        } else {
            char *comma = strchr(v, ',');
            uint32_t off, len;
            if (!comma)
                return perr(pc, at, "bad fast_pattern '%s' (only, or offset,length)", v);
            *comma = '\0';
            if (!parse_u32(v, &off) || !parse_u32(comma + 1, &len) || len == 0 ||
                (uint64_t)off + len > o->len)
                return perr(pc, at, "fast_pattern offset,length outside the content");
            o->fp_off = off;
            o->fp_len = len;
        }
    }
    return BW_OK;
}

/* A content modifier naming a buffer (http_uri ...) moves the content before it there. */
static int buf_modifier(struct pctx *pc, uint8_t buf, const char *kw, const char *at)
{
    int st = 0;
    struct rop *o = last_content(pc, kw, at, &st);
    if (!o)
        return st;
    o->buf = buf;
    return BW_OK;
}

static const struct { const char *kw; uint8_t buf; bool sticky; } buf_kw[] = {
    { "http_uri", BUF_HTTP_URI, false },
    { "http_raw_uri", BUF_HTTP_RAW_URI, false },
    { "http_method", BUF_HTTP_METHOD, false },
    { "http_header", BUF_HTTP_HEADER, false },
    { "http_raw_header", BUF_HTTP_RAW_HEADER, false },
    { "http_cookie", BUF_HTTP_COOKIE, false },
    { "http_raw_cookie", BUF_HTTP_COOKIE, false },
    { "http_user_agent", BUF_HTTP_UA, false },
    { "http_host", BUF_HTTP_HOST, false },
    { "http_raw_host", BUF_HTTP_RAW_HOST, false },
    { "http_stat_code", BUF_HTTP_STAT_CODE, false },
    { "http_stat_msg", BUF_HTTP_STAT_MSG, false },
    { "http_client_body", BUF_HTTP_CLIENT_BODY, false },
    { "http_server_body", BUF_FILE_DATA, false },
    { "pkt_data", BUF_PAYLOAD, true },
    { "file_data", BUF_FILE_DATA, true },
    { "dns_query", BUF_DNS_QUERY, true },
    { "dns.query", BUF_DNS_QUERY, true },
    { "http_header_names", BUF_HTTP_HEADER_NAMES, true },
    { "http_protocol", BUF_HTTP_PROTOCOL, true },
    { "http_request_line", BUF_HTTP_REQUEST_LINE, true },
    { "http_response_line", BUF_HTTP_RESPONSE_LINE, true },
    { "http_start", BUF_HTTP_START, true },
    { "http_content_type", BUF_HTTP_CONTENT_TYPE, true },
    { "http_content_len", BUF_HTTP_CONTENT_LEN, true },
    { "http_connection", BUF_HTTP_CONNECTION, true },
    { "http_accept", BUF_HTTP_ACCEPT, true },
    { "http_accept_enc", BUF_HTTP_ACCEPT_ENC, true },
    { "http_accept_lang", BUF_HTTP_ACCEPT_LANG, true },
    { "http_referer", BUF_HTTP_REFERER, true },
    { "http.uri", BUF_HTTP_URI, true },
    { "http.uri.raw", BUF_HTTP_RAW_URI, true },
    { "http.method", BUF_HTTP_METHOD, true },
    { "http.header", BUF_HTTP_HEADER, true },
    { "http.header.raw", BUF_HTTP_RAW_HEADER, true },
    { "http.cookie", BUF_HTTP_COOKIE, true },
    { "http.user_agent", BUF_HTTP_UA, true },
    { "http.host", BUF_HTTP_HOST, true },
    { "http.host.raw", BUF_HTTP_RAW_HOST, true },
    { "http.stat_code", BUF_HTTP_STAT_CODE, true },
    { "http.stat_msg", BUF_HTTP_STAT_MSG, true },
    { "http.request_body", BUF_HTTP_CLIENT_BODY, true },
    { "http.response_body", BUF_FILE_DATA, true },
    { "http.header_names", BUF_HTTP_HEADER_NAMES, true },
    { "http.protocol", BUF_HTTP_PROTOCOL, true },
    { "http.request_line", BUF_HTTP_REQUEST_LINE, true },
    { "http.response_line", BUF_HTTP_RESPONSE_LINE, true },
    { "http.start", BUF_HTTP_START, true },
    { "http.content_type", BUF_HTTP_CONTENT_TYPE, true },
    { "http.content_len", BUF_HTTP_CONTENT_LEN, true },
    { "http.connection", BUF_HTTP_CONNECTION, true },
    { "http.accept", BUF_HTTP_ACCEPT, true },
    { "http.accept_enc", BUF_HTTP_ACCEPT_ENC, true },
    { "http.accept_lang", BUF_HTTP_ACCEPT_LANG, true },
    { "http.referer", BUF_HTTP_REFERER, true },
    { "file.data", BUF_FILE_DATA, true },
    { "tls_sni", BUF_TLS_SNI, true },
    { "tls.sni", BUF_TLS_SNI, true },
};

static int kw_pcre(struct pctx *pc, char *v, const char *at)
{
    bool neg;
    uint8_t *s;
    uint32_t n;
    int st = parse_string(pc, v, false, &neg, &s, &n, true);
    if (st)
        return st;
    /* /re/flags or m<d>re<d>flags */
    uint32_t i = 0;
    char delim = '/';
    if (n && s[0] == 'm' && n > 1) {
        delim = (char)s[1];
        i = 2;
    } else if (n && s[0] == '/') {
        i = 1;
    } else {
        free(s);
        return perr(pc, at, "pcre must look like \"/regex/flags\"");
    }
    uint32_t end = n;
    while (end > i && s[end - 1] != (uint8_t)delim)
        end--;
    if (end <= i) {
        free(s);
        return perr(pc, at, "pcre without a closing '%c'", delim);
    }
    uint32_t opts = 0;
    uint8_t buf = pc->sticky;
    bool rel = false, rawb = false;
    for (uint32_t k = end; k < n; k++) {
        switch (s[k]) {
        case 'i': opts |= PCRE2_CASELESS; break;
        case 's': opts |= PCRE2_DOTALL; break;
        case 'm': opts |= PCRE2_MULTILINE; break;
        case 'x': opts |= PCRE2_EXTENDED; break;
        case 'A': opts |= PCRE2_ANCHORED; break;
        case 'E': opts |= PCRE2_DOLLAR_ENDONLY; break;
        case 'G': opts |= PCRE2_UNGREEDY; break;
        case 'R': rel = true; break;
        case 'B': rawb = true; break;
        case 'O': break;                          /* match-limit override: nothing to do */
        case 'U': buf = BUF_HTTP_URI; break;
        case 'I': buf = BUF_HTTP_RAW_URI; break;
        case 'P': buf = BUF_HTTP_CLIENT_BODY; break;
        case 'Q': buf = BUF_FILE_DATA; break;
        case 'H': buf = BUF_HTTP_HEADER; break;
        case 'D': buf = BUF_HTTP_RAW_HEADER; break;
        case 'M': buf = BUF_HTTP_METHOD; break;
        case 'C': case 'K': buf = BUF_HTTP_COOKIE; break;
        case 'S': buf = BUF_HTTP_STAT_CODE; break;
        case 'Y': buf = BUF_HTTP_STAT_MSG; break;
        case 'V': buf = BUF_HTTP_UA; break;
        case 'W': buf = BUF_HTTP_HOST; break;
        case 'Z': buf = BUF_HTTP_RAW_HOST; break;
        default: {
            char bad = (char)s[k];
            free(s);
            return perr(pc, at, "unknown pcre flag '%c'", bad);
        }
        }
    }
    int err;
    PCRE2_SIZE eoff;
    pcre2_code *re = pcre2_compile(s + i, end - 1 - i, opts, &err, &eoff, NULL);
    free(s);
    if (!re) {
        PCRE2_UCHAR m[128];
        pcre2_get_error_message(err, m, sizeof m);
        return perr(pc, at, "pcre: %s at offset %zu", (char *)m, (size_t)eoff);
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    struct rop *o = md ? new_op(pc, OP_PCRE) : NULL;
    if (!o) {
        pcre2_match_data_free(md);
        pcre2_code_free(re);
        return perr(pc, at, "too many options (at most %d)", RULES_MAX_OPS);
    }
    o->re = re;
    o->md = md;
    o->negate = neg;
    o->relative = rel;
    o->rawbytes = rawb;
    o->buf = buf;
    pc->last = (int)(o - pc->r->ops);
    return BW_OK;
}

/* Splits v at commas into at most max trimmed fields. */
static unsigned split(char *v, char **f, unsigned max)
{
    unsigned n = 0;
    char *p = v;
    while (n < max) {
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        f[n++] = trim(p);
        if (!c)
            break;
        p = c + 1;
    }
    return n;
}

/* endianness, string base and the like shared by byte_test and byte_jump */
static int byte_flag(struct pctx *pc, struct rop *o, const char *f, const char *at)
{
    if (strcmp(f, "relative") == 0) o->relative = true;
    else if (strcmp(f, "big") == 0) o->little = false;
    else if (strcmp(f, "little") == 0) o->little = true;
    else if (strcmp(f, "string") == 0) { if (!o->base) o->base = 10; }
    else if (strcmp(f, "dec") == 0) o->base = 10;
    else if (strcmp(f, "hex") == 0) o->base = 16;
    else if (strcmp(f, "oct") == 0) o->base = 8;
    else if (strcmp(f, "dce") == 0) o->little = true;
    else if (strncmp(f, "bitmask", 7) == 0) {
        int64_t m;
        if (!parse_i64(f + 7, 0, UINT32_MAX, &m))
            return perr(pc, at, "bad bitmask '%s'", f);
        o->bt_mask = (uint32_t)m;
    } else
        return -1;
    return BW_OK;
}

enum { BT_LT, BT_GT, BT_EQ, BT_AND, BT_XOR, BT_LE, BT_GE };

static int kw_byte_test(struct pctx *pc, char *v, const char *at)
{
    char *f[12];
    unsigned n = split(v, f, 12);
    if (n < 4)
        return perr(pc, at, "byte_test wants bytes, operator, value, offset");
    struct rop tmp = { .type = OP_BYTE_TEST, .buf = pc->sticky };
    int64_t x;
    if (!parse_i64(f[0], 0, 10, &x))
        return perr(pc, at, "byte_test: bytes to convert must be 0..10");
    tmp.nbytes = (uint8_t)x;
    const char *op = f[1];
    if (*op == '!') {
        tmp.negate = true;
        op++;
    }
    static const char *const ops[] = { "<", ">", "=", "&", "^", "<=", ">=" };
    tmp.bt_op = 255;
    for (unsigned k = 0; k < 7; k++)
        if (strcmp(op, ops[k]) == 0)
            tmp.bt_op = (uint8_t)k;
    if (!*op && tmp.negate)
        tmp.bt_op = BT_EQ;                 /* "!" alone is "not equal" */
    if (tmp.bt_op == 255)
        return perr(pc, at, "byte_test: unknown operator '%s'", f[1]);
    if ((tmp.v_value = var_lookup(pc, f[2])) == 0) {
        if (!parse_i64(f[2], 0, INT64_MAX, &x))
            return perr(pc, at, "byte_test: bad value '%s'", f[2]);
        tmp.bt_value = (uint64_t)x;
    }
    if ((tmp.v_offset = var_lookup(pc, f[3])) == 0) {
        if (!parse_i64(f[3], -65535, 65535, &x))
            return perr(pc, at, "byte_test: bad offset '%s'", f[3]);
        tmp.offset = (int32_t)x;
    }
    for (unsigned k = 4; k < n; k++) {
        int st = byte_flag(pc, &tmp, f[k], at);
        if (st < 0)
            return perr(pc, at, "byte_test: unknown argument '%s'", f[k]);
        if (st)
            return st;
    }
    if (!tmp.base && (tmp.nbytes == 0 || (tmp.nbytes > 4 && tmp.nbytes != 8)))
        return perr(pc, at, "byte_test: binary conversion of 1, 2, 4 or 8 bytes only");
    struct rop *o = new_op(pc, OP_BYTE_TEST);
    if (!o)
        return perr(pc, at, "too many options");
    *o = tmp;
    pc->last = -1;
    return BW_OK;
}

static int kw_byte_jump(struct pctx *pc, char *v, const char *at)
{
    char *f[16];
    unsigned n = split(v, f, 16);
    if (n < 2)
        return perr(pc, at, "byte_jump wants bytes, offset");
    struct rop tmp = { .type = OP_BYTE_JUMP, .buf = pc->sticky, .multiplier = 1 };
    int64_t x;
    if (!parse_i64(f[0], 0, 10, &x))
        return perr(pc, at, "byte_jump: bytes to convert must be 0..10");
    tmp.nbytes = (uint8_t)x;
    if ((tmp.v_offset = var_lookup(pc, f[1])) == 0) {
        if (!parse_i64(f[1], -65535, 65535, &x))
            return perr(pc, at, "byte_jump: bad offset '%s'", f[1]);
        tmp.offset = (int32_t)x;
    }
    for (unsigned k = 2; k < n; k++) {
        if (strcmp(f[k], "align") == 0) tmp.align = true;
        else if (strcmp(f[k], "from_beginning") == 0) tmp.from_beginning = true;
        else if (strcmp(f[k], "from_end") == 0) tmp.from_end = true;
        else if (strncmp(f[k], "multiplier", 10) == 0) {
            if (!parse_i64(f[k] + 10, 1, 65535, &x))
                return perr(pc, at, "byte_jump: bad multiplier");
            tmp.multiplier = (int32_t)x;
        } else if (strncmp(f[k], "post_offset", 11) == 0) {
            if (!parse_i64(f[k] + 11, -65535, 65535, &x))
                return perr(pc, at, "byte_jump: bad post_offset");
            tmp.post_offset = (int32_t)x;
        } else {
            int st = byte_flag(pc, &tmp, f[k], at);
            if (st < 0)
                return perr(pc, at, "byte_jump: unknown argument '%s'", f[k]);
            if (st)
                return st;
        }
    }
    if (!tmp.base && tmp.nbytes > 4 && tmp.nbytes != 8)
        return perr(pc, at, "byte_jump: binary conversion of 0, 1, 2, 4 or 8 bytes only");
    struct rop *o = new_op(pc, OP_BYTE_JUMP);
    if (!o)
        return perr(pc, at, "too many options");
    *o = tmp;
    pc->last = -1;
    return BW_OK;
}

/* byte_extract:bytes,offset,name[,relative][,multiplier N][,big|little][,string]
 *   [,hex|dec|oct][,align 2|4][,dce][,bitmask M]: the value goes into a variable that
 * later offset/depth/distance/within/byte_test/byte_jump/isdataat of the rule may name. */
static int kw_byte_extract(struct pctx *pc, char *v, const char *at)
{
    char *f[16];
    unsigned n = split(v, f, 16);
    if (n < 3)
        return perr(pc, at, "byte_extract wants bytes, offset, name");
    struct rop tmp = { .type = OP_BYTE_EXTRACT, .buf = pc->sticky, .multiplier = 1 };
    int64_t x;
    if (!parse_i64(f[0], 1, 10, &x))
        return perr(pc, at, "byte_extract: bytes to convert must be 1..10");
    tmp.nbytes = (uint8_t)x;
    if (!parse_i64(f[1], -65535, 65535, &x))
        return perr(pc, at, "byte_extract: bad offset '%s'", f[1]);
    tmp.offset = (int32_t)x;
    const char *name = f[2];
    if (!(isalpha((unsigned char)*name) || *name == '_') || strlen(name) >= sizeof pc->var[0] ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
            strlen(name))
        return perr(pc, at, "byte_extract: bad variable name '%s'", name);
    if (var_lookup(pc, name))
        return perr(pc, at, "byte_extract: variable '%s' defined twice", name);
    if (pc->nvars == RULES_MAX_VARS)
        return perr(pc, at, "byte_extract: at most %d variables per rule", RULES_MAX_VARS);
    for (unsigned k = 3; k < n; k++) {
        if (strncmp(f[k], "multiplier", 10) == 0) {
            if (!parse_i64(f[k] + 10, 1, 65535, &x))
                return perr(pc, at, "byte_extract: bad multiplier");
            tmp.multiplier = (int32_t)x;
        } else if (strncmp(f[k], "align", 5) == 0) {
            if (!parse_i64(f[k] + 5, 2, 4, &x) || x == 3)
                return perr(pc, at, "byte_extract: align 2 or 4");
            tmp.align_to = (uint8_t)x;
        } else {
            int st = byte_flag(pc, &tmp, f[k], at);
            if (st < 0)
                return perr(pc, at, "byte_extract: unknown argument '%s'", f[k]);
            if (st)
                return st;
        }
    }
    if (!tmp.base && tmp.nbytes > 4 && tmp.nbytes != 8)
        return perr(pc, at, "byte_extract: binary conversion of 1 to 4 or 8 bytes only");
    struct rop *o = new_op(pc, OP_BYTE_EXTRACT);
    if (!o)
        return perr(pc, at, "too many options");
    *o = tmp;
    o->var = (uint8_t)pc->nvars;
    snprintf(pc->var[pc->nvars++], sizeof pc->var[0], "%s", name);
    pc->last = -1;
    return BW_OK;
}

static int kw_isdataat(struct pctx *pc, char *v, const char *at)
{
    char *f[4];
    unsigned n = split(v, f, 4);
    struct rop tmp = { .type = OP_ISDATAAT, .buf = pc->sticky };
    const char *num = f[0];
    if (*num == '!') {
        tmp.negate = true;
        num++;
    }
    int64_t x;
    if ((tmp.v_offset = var_lookup(pc, num)) == 0) {
        if (!parse_i64(num, 0, 65535, &x))
            return perr(pc, at, "isdataat: bad number '%s'", f[0]);
        tmp.offset = (int32_t)x;
    }
    for (unsigned k = 1; k < n; k++) {
        if (strcmp(f[k], "relative") == 0)
            tmp.relative = true;
        else if (strcmp(f[k], "rawbytes") == 0)
            tmp.rawbytes = true;
        else
            return perr(pc, at, "isdataat: unknown argument '%s'", f[k]);
    }
    struct rop *o = new_op(pc, OP_ISDATAAT);
    if (!o)
        return perr(pc, at, "too many options");
    *o = tmp;
    return BW_OK;
}

static int kw_range(struct pctx *pc, const char *kw, char *v, const char *at, uint32_t max,
                    struct range *r)
{
    if (r->set)
        return perr(pc, at, "%s given twice", kw);
    if (!parse_range(v, max, r))
        return perr(pc, at, "bad %s '%s'", kw, trim(v));
    return BW_OK;
}

static int kw_dsize(struct pctx *pc, char *v, const char *at)
{
    return kw_range(pc, "dsize", v, at, 65535, &pc->r->dsize);
}
static int kw_itype(struct pctx *pc, char *v, const char *at)
{
    return kw_range(pc, "itype", v, at, 255, &pc->r->itype);
}
static int kw_icode(struct pctx *pc, char *v, const char *at)
{
    return kw_range(pc, "icode", v, at, 255, &pc->r->icode);
}
static int kw_urilen(struct pctx *pc, char *v, const char *at)
{
    char *comma = strchr(v, ',');
    if (comma) {
        const char *m = trim(comma + 1);
        if (strcmp(m, "norm") != 0 && strcmp(m, "raw") != 0)
            return perr(pc, at, "urilen: want norm or raw after the comma");
        *comma = '\0';
    }
    return kw_range(pc, "urilen", v, at, 65535, &pc->r->urilen);
}

static int kw_flow(struct pctx *pc, char *v, const char *at)
{
    char *f[8];
    unsigned n = split(v, f, 8);
    struct rule *r = pc->r;
    for (unsigned k = 0; k < n; k++) {
        const char *s = f[k];
        if (strcmp(s, "to_server") == 0 || strcmp(s, "from_client") == 0) r->flow_dir = 1;
        else if (strcmp(s, "to_client") == 0 || strcmp(s, "from_server") == 0) r->flow_dir = 2;
        else if (strcmp(s, "established") == 0) r->flow_est = 1;
        else if (strcmp(s, "not_established") == 0) r->flow_est = 2;
        else if (strcmp(s, "stateless") == 0) r->flow_est = 3;
        else if (strcmp(s, "only_stream") == 0) r->flow_stream = 1;
        else if (strcmp(s, "no_stream") == 0) r->flow_stream = 2;
        else if (!*s)
            continue;
        else
            return perr(pc, at, "flow: unknown option '%s'", s);
    }
    return BW_OK;
}

static uint32_t flowbit_id(struct rules *rs, const char *name, bool *oom)
{
    for (uint32_t i = 0; i < rs->nfb; i++)
        if (strcmp(rs->fbname[i], name) == 0)
            return i;
    if (rs->nfb == rs->capfb) {
        uint32_t cap = rs->capfb ? rs->capfb * 2 : 64;
        char **p = xrealloc_n(rs->fbname, cap, sizeof *p);
        if (!p) {
            *oom = true;
            return 0;
        }
        rs->fbname = p;
        rs->capfb = cap;
    }
    size_t n = strlen(name);
    char *c = malloc(n + 1);
    if (!c) {
        *oom = true;
        return 0;
    }
    memcpy(c, name, n + 1);
    rs->fbname[rs->nfb] = c;
    return rs->nfb++;
}

static int kw_flowbits(struct pctx *pc, char *v, const char *at)
{
    char *comma = strchr(v, ',');
    if (comma)
        *comma = '\0';
    char *cmd = trim(v);
    static const char *const cmds[] = { "set", "unset", "toggle", "isset", "isnotset" };
    if (strcmp(cmd, "noalert") == 0) {
        pc->r->noalert = true;
        return BW_OK;
    }
    if (strcmp(cmd, "reset") == 0)
        return perr(pc, at, "flowbits:reset is not supported");
    int c = -1;
    for (int k = 0; k < 5; k++)
        if (strcmp(cmd, cmds[k]) == 0)
            c = k;
    if (c < 0)
        return perr(pc, at, "flowbits: unknown command '%s'", cmd);
    if (!comma)
        return perr(pc, at, "flowbits:%s needs a name", cmd);
    char *names = trim(comma + 1);
    char *extra = strchr(names, ',');          /* Snort group name: ignored */
    if (extra)
        *extra = '\0';
    names = trim(names);
    if (!*names)
        return perr(pc, at, "flowbits:%s needs a name", cmd);
    struct fbop op = { .cmd = (uint8_t)c, .any = strchr(names, '|') != NULL };
    if (strchr(names, '|') && strchr(names, '&'))
        return perr(pc, at, "flowbits: '|' and '&' cannot be mixed");
    char *p = names;
    while (p) {
        char *sep = strpbrk(p, "|&");
        if (sep)
            *sep = '\0';
        char *nm = trim(p);
        if (!*nm || strspn(nm, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789_.-") != strlen(nm)) {
            free(op.bit);
            return perr(pc, at, "flowbits: bad name '%s'", nm);
        }
        bool oom = false;
        uint32_t id = flowbit_id(pc->rs, nm, &oom);
        uint32_t *b = oom ? NULL : xrealloc_n(op.bit, op.n + 1, sizeof *b);
        if (!b) {
            free(op.bit);
            return BW_E_NOMEM;
        }
        op.bit = b;
        op.bit[op.n++] = id;
        p = sep ? sep + 1 : NULL;
    }
    struct fbop *fb = xrealloc_n(pc->r->fb, pc->r->nfb + 1, sizeof *fb);
    if (!fb) {
        free(op.bit);
        return BW_E_NOMEM;
    }
    pc->r->fb = fb;
    fb[pc->r->nfb++] = op;
    return BW_OK;
}

static int parse_thresh(struct pctx *pc, const char *kw, char *v, const char *at,
                        struct thresh *t, bool want_type)
{
    if (t->type)
        return perr(pc, at, "%s given twice", kw);
    char *f[8];
    unsigned n = split(v, f, 8);
    bool has_track = false, has_count = false, has_sec = false;
    t->type = want_type ? 0 : TH_DETECTION;
    for (unsigned k = 0; k < n; k++) {
        char *sp = f[k];
        while (*sp && !isspace((unsigned char)*sp))
            sp++;
        char *val = *sp ? trim(sp + 1) : sp;
        *sp = '\0';
        const char *key = f[k];
        if (want_type && strcmp(key, "type") == 0) {
            if (strcmp(val, "limit") == 0) t->type = TH_LIMIT;
            else if (strcmp(val, "threshold") == 0) t->type = TH_THRESHOLD;
            else if (strcmp(val, "both") == 0) t->type = TH_BOTH;
            else return perr(pc, at, "%s: unknown type '%s'", kw, val);
        } else if (strcmp(key, "track") == 0) {
            if (strcmp(val, "by_src") == 0) t->by_dst = 0;
            else if (strcmp(val, "by_dst") == 0) t->by_dst = 1;
            else return perr(pc, at, "%s: track by_src or by_dst, not '%s'", kw, val);
            has_track = true;
        } else if (strcmp(key, "count") == 0) {
            if (!parse_u32(val, &t->count) || t->count == 0)
                return perr(pc, at, "%s: bad count '%s'", kw, val);
            has_count = true;
        } else if (strcmp(key, "seconds") == 0) {
            if (!parse_u32(val, &t->seconds))
                return perr(pc, at, "%s: bad seconds '%s'", kw, val);
            has_sec = true;
        } else {
            return perr(pc, at, "%s: unknown argument '%s'", kw, key);
        }
    }
    if (!t->type || !has_track || !has_count || !has_sec)
        return perr(pc, at, "%s wants %strack, count and seconds", kw,
                    want_type ? "type, " : "");
    return BW_OK;
}

static int kw_threshold(struct pctx *pc, char *v, const char *at)
{
    return parse_thresh(pc, "threshold", v, at, &pc->r->th, true);
}
static int kw_detection_filter(struct pctx *pc, char *v, const char *at)
{
    return parse_thresh(pc, "detection_filter", v, at, &pc->r->df, false);
}

/* flags:[modifier]FSRPAUCE12 or 0[,ignore] */
static uint8_t flag_bit(char c)
{
    switch (c) {
    case 'F': return TCP_FIN; case 'S': return TCP_SYN; case 'R': return TCP_RST;
    case 'P': return TCP_PSH; case 'A': return TCP_ACK; case 'U': return TCP_URG;
    case 'C': case '1': return TCP_CWR; case 'E': case '2': return TCP_ECE;
    default: return 0;
    }
}

static int kw_flags(struct pctx *pc, char *v, const char *at)
{
    struct rule *r = pc->r;
    char *comma = strchr(v, ',');
    if (comma) {
        *comma = '\0';
        for (const char *s = trim(comma + 1); *s; s++) {
            uint8_t b = flag_bit(*s);
            if (!b)
                return perr(pc, at, "flags: bad ignore flag '%c'", *s);
            r->flags_ignore |= b;
        }
    }
    r->flags_mode = '=';
    for (const char *s = trim(v); *s; s++) {
        if (*s == '+' || *s == '*' || *s == '!')
            r->flags_mode = (uint8_t)*s;
        else if (*s == '0')
            continue;
        else {
            uint8_t b = flag_bit(*s);
            if (!b)
                return perr(pc, at, "flags: unknown flag '%c'", *s);
            r->flags_want |= b;
        }
    }
    return BW_OK;
}

static int kw_msg(struct pctx *pc, char *v, const char *at)
{
    bool neg;
    uint8_t *s;
    uint32_t n;
    int st = parse_string(pc, v, false, &neg, &s, &n, false);
    if (st)
        return st;
    if (neg) {
        free(s);
        return perr(pc, at, "msg cannot be negated");
    }
    s[n] = '\0';
    free(pc->r->msg);
    pc->r->msg = (char *)s;
    return BW_OK;
}

static int kw_u32(struct pctx *pc, const char *kw, char *v, const char *at, uint32_t *out,
                  bool nonzero)
{
    if (!parse_u32(v, out) || (nonzero && *out == 0))
        return perr(pc, at, "bad %s '%s'", kw, trim(v));
    return BW_OK;
}

static int kw_sid(struct pctx *pc, char *v, const char *at)
{
    return kw_u32(pc, "sid", v, at, &pc->r->sid, true);
}
static int kw_rev(struct pctx *pc, char *v, const char *at)
{
    return kw_u32(pc, "rev", v, at, &pc->r->rev, false);
}
static int kw_gid(struct pctx *pc, char *v, const char *at)
{
    return kw_u32(pc, "gid", v, at, &pc->r->gid, true);
}
static int kw_priority(struct pctx *pc, char *v, const char *at)
{
    uint32_t p = 0;
    int st = kw_u32(pc, "priority", v, at, &p, false);
    if (!st)
        pc->r->priority = (int)(p > 255 ? 255 : p);
    return st;
}

static int kw_classtype(struct pctx *pc, char *v, const char *at)
{
    const char *name = trim(v);
    for (uint32_t i = 0; i < pc->rs->ncls; i++)
        if (strcmp(pc->rs->cls[i].name, name) == 0) {
            pc->r->classtype = pc->rs->cls[i].name;
            pc->r->class_desc = pc->rs->cls[i].desc;
            if (!pc->r->priority)
                pc->r->priority = -pc->rs->cls[i].priority;   /* a default, marked */
            return BW_OK;
        }
    if (pc->rs->ncls == 0)
        return BW_OK;              /* no classification.config loaded: nothing to check */
    return perr(pc, at, "unknown classtype '%s'", name);
}

/* app-layer-protocol:[!]name[,final] (Suricata): the flow's identified protocol */
static int kw_app_layer_protocol(struct pctx *pc, char *v, const char *at)
{
    struct rule *r = pc->r;
    char *comma = strchr(v, ',');
    if (comma) {
        if (strcmp(trim(comma + 1), "final") != 0)
            return perr(pc, at, "app-layer-protocol: only ',final' may follow the name");
        *comma = '\0';
    }
    char *name = trim(v);
    bool neg = *name == '!';
    if (neg)
        name = trim(name + 1);
    int id = -1;
    if (strcmp(name, "http1") == 0)
        id = PROTO_HTTP;
    else if (strcmp(name, "unknown") == 0 || strcmp(name, "failed") == 0)
        id = PROTO_UNKNOWN;
    for (int k = 1; id < 0 && k < PROTO_UNKNOWN; k++)
        if (strcmp(name, proto_name[k]) == 0)
            id = k;
    if (id < 0)
        return perr(pc, at, "app-layer-protocol: unknown protocol '%s'", name);
    if (r->nalp == sizeof r->alp / sizeof r->alp[0])
        return perr(pc, at, "app-layer-protocol given too often");
    r->alp[r->nalp].proto = (uint8_t)id;
    r->alp[r->nalp++].neg = neg;
    return BW_OK;
}

/* stream_size:server|client|both|either,<op>,N (Snort 2.9): bytes of the TCP stream
 * reassembled so far in that direction (docs/rules.md) */
static int kw_stream_size(struct pctx *pc, char *v, const char *at)
{
    char *f[4];
    if (split(v, f, 4) != 3)
        return perr(pc, at, "stream_size wants server|client|both|either, operator, number");
    static const char *const who[] = { "", "server", "client", "both", "either" };
    static const char *const ops[] = { "<", ">", "=", "!=", "<=", ">=" };
    struct rule *r = pc->r;
    r->ssize.who = 0;
    for (uint8_t k = 1; k < 5; k++)
        if (strcmp(f[0], who[k]) == 0)
            r->ssize.who = k;
    if (!r->ssize.who)
        return perr(pc, at, "stream_size: server, client, both or either, not '%s'", f[0]);
    r->ssize.op = 255;
    for (uint8_t k = 0; k < 6; k++)
        if (strcmp(f[1], ops[k]) == 0)
            r->ssize.op = k;
    if (r->ssize.op == 255)
        return perr(pc, at, "stream_size: unknown operator '%s'", f[1]);
    if (!parse_u32(f[2], &r->ssize.n))
        return perr(pc, at, "stream_size: bad number '%s'", f[2]);
    return BW_OK;
}

static int kw_ignore(struct pctx *pc, char *v, const char *at)
{
    (void)pc;
    (void)v;
    (void)at;
    return BW_OK;
}

typedef int (*kw_fn)(struct pctx *pc, char *v, const char *at);

static const struct { const char *name; kw_fn fn; bool needs_value; } keywords[] = {
    { "msg", kw_msg, true },
    { "sid", kw_sid, true },
    { "rev", kw_rev, true },
    { "gid", kw_gid, true },
    { "classtype", kw_classtype, true },
    { "priority", kw_priority, true },
    { "reference", kw_ignore, true },
    { "metadata", kw_ignore, true },
    { "content", kw_content, true },
    { "uricontent", kw_uricontent, true },
    { "nocase", kw_nocase, false },
    { "rawbytes", kw_rawbytes, false },
    { "depth", kw_depth, true },
    { "offset", kw_offset, true },
    { "distance", kw_distance, true },
    { "within", kw_within, true },
    { "fast_pattern", kw_fast_pattern, false },
    { "pcre", kw_pcre, true },
    { "byte_test", kw_byte_test, true },
    { "byte_jump", kw_byte_jump, true },
    { "byte_extract", kw_byte_extract, true },
    { "isdataat", kw_isdataat, true },
    { "dsize", kw_dsize, true },
    { "urilen", kw_urilen, true },
    { "itype", kw_itype, true },
    { "icode", kw_icode, true },
    { "flow", kw_flow, true },
    { "flowbits", kw_flowbits, true },
    { "threshold", kw_threshold, true },
    { "detection_filter", kw_detection_filter, true },
    { "flags", kw_flags, true },
    { "app-layer-protocol", kw_app_layer_protocol, true },
    { "stream_size", kw_stream_size, true },
};

static int do_option(struct pctx *pc, char *name, char *val, const char *at)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strcmp(name, keywords[i].name) == 0) {
            if (keywords[i].needs_value && !val)
                return perr(pc, at, "'%s' needs a value", name);
            if (!keywords[i].needs_value && val && strcmp(name, "fast_pattern") != 0)
                return perr(pc, at, "'%s' takes no value", name);
            return keywords[i].fn(pc, val, at);
        }
    for (size_t i = 0; i < sizeof buf_kw / sizeof buf_kw[0]; i++)
        if (strcmp(name, buf_kw[i].kw) == 0) {
            if (val)
                return perr(pc, at, "'%s' takes no value", name);
            if (buf_kw[i].sticky) {
                pc->sticky = buf_kw[i].buf;
                pc->last = -1;
                return BW_OK;
            }
            return buf_modifier(pc, buf_kw[i].buf, name, at);
        }
    pc->skip_kw = name;
    return BW_E_LIMIT;
}

/* ---- the rule ---- */

void rule_free(struct rule *r)
{
    if (!r)
        return;
    for (uint32_t i = 0; i < r->nops; i++) {
        free(r->ops[i].pat);
        pcre2_match_data_free(r->ops[i].md);
        pcre2_code_free(r->ops[i].re);
    }
    free(r->ops);
    for (uint32_t i = 0; i < r->nfb; i++)
        free(r->fb[i].bit);
    free(r->fb);
    free(r->src.pos);
    free(r->src.neg);
    free(r->dst.pos);
    free(r->dst.neg);
    free(r->sp.pos);
    free(r->sp.neg);
    free(r->dp.pos);
    free(r->dp.neg);
    free(r->supp);
    free(r->msg);
    free(r);
}

static void count_skip(struct rules *rs, const char *kw)
{
    rs->counts.skipped++;
    for (uint32_t i = 0; i < rs->counts.nkinds; i++)
        if (strcmp(rs->counts.kind[i].name, kw) == 0) {
            rs->counts.kind[i].n++;
            return;
        }
    if (rs->counts.nkinds < RULES_SKIP_KINDS) {
        uint32_t i = rs->counts.nkinds++;
        snprintf(rs->counts.kind[i].name, sizeof rs->counts.kind[i].name, "%s", kw);
        rs->counts.kind[i].n = 1;
    }
}

/* ---- one rule per gid:sid ----
 *
 * A rule set assembled from several sources (two releases of ET Open, a vendor set and a
 * local file) often has the same gid:sid more than once. Snort 2.9 and Suricata both keep
 * one: the highest revision (on equal revisions Suricata keeps the first, Snort the last;
 * botwatch keeps the first, and Snort's fatal error on a different protocol does not apply
 * to a set that mixes Snort and Suricata syntax). The one kept takes the slot of the first
 * in load order; each one dropped is a warning and counts as skipped ("duplicate sid"). */
static uint32_t *sid_slot(const struct rules *rs, uint32_t gid, uint32_t sid)
{
    uint64_t h = ((uint64_t)gid << 32 | sid) * 0x9e3779b97f4a7c15ull;
    uint32_t mask = rs->sidcap - 1;
    for (uint32_t i = (uint32_t)(h >> 40) & mask;; i = (i + 1) & mask) {
        uint32_t *s = &rs->sididx[i];
        if (!*s)
            return s;
        const struct rule *o = rs->rule[*s - 1];
        if (o->gid == gid && o->sid == sid)
            return s;
    }
}

static bool sid_index_grow(struct rules *rs)
{
    uint32_t cap = rs->sidcap ? rs->sidcap * 2 : 1024;
    uint32_t *old = rs->sididx, oldcap = rs->sidcap;
    rs->sididx = calloc(cap, sizeof *rs->sididx);
    if (!rs->sididx) {
        rs->sididx = old;
        return false;
    }
    rs->sidcap = cap;
    for (uint32_t i = 0; i < oldcap; i++)
        if (old[i]) {
            const struct rule *o = rs->rule[old[i] - 1];
            *sid_slot(rs, o->gid, o->sid) = old[i];
        }
    free(old);
    return true;
}

/* Adds r (file and line set), or keeps the rule already there for its gid:sid. BW_OK when r
 * was taken (it may have replaced an older revision: freed); BW_E_LIMIT when it was not
 * (the caller frees it); BW_E_NOMEM. */
static enum bw_status add_rule(struct rules *rs, struct rule *r)
{
    if ((rs->nrule + 1) * 2 > rs->sidcap && !sid_index_grow(rs))
        return BW_E_NOMEM;
    uint32_t *slot = sid_slot(rs, r->gid, r->sid);
    if (*slot) {
        struct rule *o = rs->rule[*slot - 1];
        bool newer = r->rev > o->rev;
        if (rs->msg && rs->dups_listed < RULES_DUPS_LISTED)
            fprintf(rs->msg, "%s:%u: warning: sid %u:%u rev %u duplicates the rule at %s:%u "
                    "(rev %u): %s\n", r->file, r->line, r->gid, r->sid, r->rev, o->file,
                    o->line, o->rev, newer ? "this higher revision replaces it"
                                            : "that one is kept");
        else if (rs->msg && rs->dups_listed == RULES_DUPS_LISTED)
            fprintf(rs->msg, "%s:%u: warning: more sids given again; they are not listed one "
                    "by one (the summary counts them as \"duplicate sid\")\n", r->file,
                    r->line);
        rs->dups_listed++;
        count_skip(rs, "duplicate sid");
        if (!newer)
            return BW_E_LIMIT;
        r->index = o->index;
        rs->rule[o->index] = r;
        rule_free(o);
        return BW_OK;
    }
    if (rs->nrule == rs->caprule) {
        uint32_t cap = rs->caprule ? rs->caprule * 2 : 256;
        struct rule **v = xrealloc_n(rs->rule, cap, sizeof *v);
        if (!v)
            return BW_E_NOMEM;
        rs->rule = v;
        rs->caprule = cap;
    }
    r->index = rs->nrule;
    rs->rule[rs->nrule++] = r;
    *slot = rs->nrule;
    rs->counts.loaded++;
    return BW_OK;
}

/* Looks for sid:N in the option text, for a warning about a rule we do not parse. */
static uint32_t sniff_sid(const char *opts)
{
    const char *p = opts;
    while ((p = strstr(p, "sid")) != NULL) {
        bool start = p == opts || p[-1] == ';' || p[-1] == ' ' || p[-1] == '(';
        const char *q = p + 3;
        while (*q == ' ')
            q++;
        if (start && *q == ':')
            return (uint32_t)strtoul(q + 1, NULL, 10);
        p += 3;
    }
    return 0;
}

/* Splits the option text at ';' outside quotes (backslash escapes one character). */
static int parse_options(struct pctx *pc, char *opts)
{
    char *p = opts;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        char *start = p;
        bool q = false;
        for (; *p; p++) {
            if (*p == '\\' && p[1]) {
                p++;
                continue;
            }
            if (*p == '"')
                q = !q;
            else if (*p == ';' && !q)
                break;
        }
        if (!*p)
            return perr(pc, start, q ? "string not closed by '\"'" : "option not ended by ';'");
        *p++ = '\0';
        const char *at = start;
        char *colon = NULL;
        bool qq = false;
        for (char *c = start; *c; c++) {
            if (*c == '"')
                qq = !qq;
            if (*c == ':' && !qq) {
                colon = c;
                break;
            }
        }
        char *val = NULL;
        if (colon) {
            *colon = '\0';
            val = colon + 1;
        }
        char *name = trim(start);
        if (!*name)
            return perr(pc, at, "empty option");
        int st = do_option(pc, name, val, at);
        if (st)
            return st;
    }
    return BW_OK;
}

/* The next whitespace-separated token; spaces inside [lists] are part of it. A '[' that is
 * never closed ends the token at the first space (*open set). */
static bool header_token(char **p, char **tok, bool *open)
{
    char *s = *p;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return false;
    *tok = s;
    int lvl = 0;
    char *sp = NULL;
    while (*s && (lvl > 0 || !isspace((unsigned char)*s))) {
        if (*s == '[')
            lvl++;
        else if (*s == ']')
            lvl--;
        else if (!sp && isspace((unsigned char)*s))
            sp = s;
        s++;
    }
    *open = lvl > 0;
    if (*open && sp)
        s = sp;
    if (*s)
        *s++ = '\0';
    *p = s;
    return true;
}

/* ---- the fast pattern ---- */

/* Strings in (nearly) every HTTP message: as a fast pattern they make a rule a candidate
 * on every request or response, so their bytes do not count in a pattern's worth; nor does
 * a pattern that is one of the whole words. Lowercase. */
static const char *const fp_common[] = {
    "http/1.", "get /", "get ", "post /", "post ", "user-agent", "accept-encoding",
    "accept-language", "accept", "content-length", "content-type", "connection",
    "keep-alive", "cache-control", "referer", "cookie", "host", "mozilla/", "\r\n",
};
static const char *const fp_common_word[] = { "get", "post", "head", "put", "200" };

/* The prefilter's view of content o when chosen (prefilter.c does the same): its
 * fast_pattern slice, without leading NULs (Vectorscan's literal API cannot take them). */
static void fp_bytes(const struct rop *o, const uint8_t **p, size_t *n)
{
    *p = o->pat + o->fp_off;
    *n = o->fp_len ? o->fp_len : o->len;
    while (*n && (*p)[0] == 0)
        (*p)++, (*n)--;
}

/* What a pattern is worth as a prefilter: its bytes that are neither NUL (runs of them
 * fill binary headers) nor inside a common string. */
static size_t fp_worth(const uint8_t *p, size_t n)
{
    uint8_t low[256];
    bool covered[256] = { false };
    if (n > sizeof low)
        n = sizeof low;
    for (size_t i = 0; i < n; i++)
        low[i] = (uint8_t)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
    for (size_t w = 0; w < sizeof fp_common_word / sizeof fp_common_word[0]; w++)
        if (strlen(fp_common_word[w]) == n && memcmp(low, fp_common_word[w], n) == 0)
            return 0;
    for (size_t t = 0; t < sizeof fp_common / sizeof fp_common[0]; t++) {
        size_t tl = strlen(fp_common[t]);
        for (size_t i = 0; i + tl <= n; i++)
            if (memcmp(low + i, fp_common[t], tl) == 0)
                for (size_t k = 0; k < tl; k++)
                    covered[i + k] = true;
    }
    size_t worth = 0;
    for (size_t i = 0; i < n; i++)
        worth += !covered[i] && low[i] != 0;
    return worth;
}

/* How common a byte is in traffic, roughly (0 rare .. 9 everywhere): the matcher looks for
 * a content's least common byte first. Text dominates: lowercase letters, space, digits;
 * binary protocols add NUL and 0xff. */
static unsigned byte_commonness(uint8_t c, bool nocase)
{
    if (c == ' ' || c == 0 || (c >= 'a' && c <= 'z' && nocase))
        return 9;
    if (c >= 'a' && c <= 'z')
        return 8;
    if (c >= '0' && c <= '9')
        return 7;
    if (c >= 'A' && c <= 'Z')
        return 6;
    if (c == '\r' || c == '\n' || c == '/' || c == '.' || c == '-' || c == ':' || c == '=' ||
        c == 0xff || c == ',' || c == ';' || c == '\t')
        return 5;
    if (c >= 0x20 && c < 0x7f)
        return 3;
    return c < 0x20 ? 2 : 1;
}

/* The index of pat's least common byte, the earliest among equals. */
uint32_t rare_byte(const uint8_t *pat, uint32_t len, bool nocase)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < len; i++)
        if (byte_commonness(pat[i], nocase) < byte_commonness(pat[best], nocase))
            best = i;
    return best;
}

/* The fast pattern (r->fp): every positive content must match for the rule to, so any of
 * them is a correct prefilter; which one only decides how often the rule is evaluated for
 * nothing. The one marked fast_pattern, unless it is shorter than FP_WEAK bytes ("==",
 * "a=", which ET marks); else the positive content worth most (fp_worth: a URI's "_W"
 * rather than "User-Agent:", "|07|dq" rather than a DNS header of NULs); ties go to the
 * marked one, then to the earlier. */
static void choose_fast_pattern(struct rule *r)
{
    int32_t best = -1;
    size_t best_worth = 0;
    bool best_marked = false;
    for (uint32_t i = 0; i < r->nops; i++) {
        const struct rop *o = &r->ops[i];
        if (o->type != OP_CONTENT || o->negate)
            continue;
        const uint8_t *p;
        size_t n;
        fp_bytes(o, &p, &n);
        if (o->fast_pattern && n >= FP_WEAK) {
            r->fp = (int32_t)i;
            return;
        }
        size_t worth = fp_worth(p, n);
        if (best < 0 || worth > best_worth ||
            (worth == best_worth && o->fast_pattern && !best_marked)) {
            best = (int32_t)i;
            best_worth = worth;
            best_marked = o->fast_pattern;
        }
    }
    r->fp = best;
}

static bool sets_stream_mode(const struct rule *r)
{
    if (!r->has_payload_ops || r->flags_mode || r->flow_stream == 2)
        return false;
    return r->proto == RP_TCP || (r->app_proto && r->app_proto != PROTO_DNS &&
                                  r->app_proto != PROTO_BT_DHT);
}

static int parse_rule(struct pctx *pc, const char *text)
{
    size_t n = strlen(text);
    char *buf = malloc(n + 2);
    struct rule *r = calloc(1, sizeof *r);
    if (!buf || !r) {
        free(buf);
        free(r);
        return BW_E_NOMEM;
    }
    memcpy(buf, text, n + 1);
    r->gid = 1;
    r->fp = -1;
    pc->r = r;
    pc->last = -1;
    pc->sticky = BUF_PAYLOAD;
    pc->skip_kw = NULL;
    pc->nvars = 0;
    pc->buf = buf;
    pc->buflen = n;
    int st = BW_OK;
    char *tok[7], *extra, *p = buf;
    char *paren = strchr(buf, '(');
    if (paren)
        *paren = '\0';
    static const char *const field[] = { "action", "protocol", "source address",
                                         "source port", "direction", "destination address",
                                         "destination port" };
    bool open = false;
    for (int i = 0; i < 7; i++) {
        if (!header_token(&p, &tok[i], &open)) {
            st = perr(pc, p, "rule header ends before its %s", field[i]);
            goto out;
        }
        if (open) {
            st = perr(pc, tok[i], "unbalanced '[' in the %s", field[i]);
            goto out;
        }
    }
    if (header_token(&p, &extra, &open)) {
        st = perr(pc, extra, paren ? "expected '(' before the options" : "rule has no options");
        goto out;
    }
    if (!paren) {
        st = perr(pc, buf + n, "rule has no options");
        goto out;
    }
    r->action = RA_MAX;
    for (int a = 0; a < RA_MAX; a++)
        if (strcmp(tok[0], rule_action_name[a]) == 0)
            r->action = (uint8_t)a;
    if (r->action == RA_MAX) {
        st = perr(pc, tok[0], "unknown action '%s'", tok[0]);
        goto out;
    }
    if (strcmp(tok[1], "tcp") == 0) r->proto = RP_TCP;
    else if (strcmp(tok[1], "udp") == 0) r->proto = RP_UDP;
    else if (strcmp(tok[1], "icmp") == 0) r->proto = RP_ICMP;
    else if (strcmp(tok[1], "ip") == 0) r->proto = RP_IP;
    else {
        r->proto = RP_IP;
        for (int k = 1; k < PROTO_MAX; k++)
            if (proto_name[k] && strcmp(tok[1], proto_name[k]) == 0)
                r->app_proto = (uint8_t)k;
        if (!r->app_proto) {
            static const char *const later[] = { "ftp-data", "smb", "dcerpc", "nfs", "sip",
                                                 "snmp", "tftp", "krb5", "dhcp", "ntp",
                                                 "rdp", "modbus", "dnp3", "enip", "http2",
                                                 "mqtt", "rfb", "ikev2", "tcp-pkt",
                                                 "tcp-stream", "pkthdr", "ipv6", "icmpv6" };
            for (size_t k = 0; k < sizeof later / sizeof later[0]; k++)
                if (strcmp(tok[1], later[k]) == 0) {
                    pc->skip_kw = "protocol";
                    st = BW_E_LIMIT;
                    goto out;
                }
            st = perr(pc, tok[1], "unknown protocol '%s'", tok[1]);
            goto out;
        }
    }
    if ((st = parse_addr(pc, tok[2], &r->src)) || (st = parse_ports(pc, tok[3], &r->sp)))
        goto out;
    if (strcmp(tok[4], "->") == 0)
        r->bidir = false;
    else if (strcmp(tok[4], "<>") == 0)
        r->bidir = true;
    else {
        st = perr(pc, tok[4], "direction must be -> or <>, not '%s'", tok[4]);
        goto out;
    }
    if ((st = parse_addr(pc, tok[5], &r->dst)) || (st = parse_ports(pc, tok[6], &r->dp)))
        goto out;
    p = paren;
    char *close = strrchr(p + 1, ')');
    if (!close) {
        st = perr(pc, p, "options not closed by ')'");
        goto out;
    }
    for (char *c = close + 1; *c; c++)
        if (!isspace((unsigned char)*c)) {
            st = perr(pc, c, "text after the closing ')'");
            goto out;
        }
    *close = '\0';
    pc->anchor = p + 1;
    uint32_t sniffed = sniff_sid(p + 1);
    st = parse_options(pc, p + 1);
    if (st == BW_E_LIMIT) {
        if (pc->rs->msg)
            fprintf(pc->rs->msg, "%s:%u: warning: sid %u: unsupported %s '%s': rule skipped\n",
                    pc->file, pc->lineno, r->sid ? r->sid : sniffed,
                    strcmp(pc->skip_kw, "protocol") == 0 ? "protocol" : "keyword",
                    strcmp(pc->skip_kw, "protocol") == 0 ? tok[1] : pc->skip_kw);
        count_skip(pc->rs, strcmp(pc->skip_kw, "protocol") == 0 ? tok[1] : pc->skip_kw);
        goto out;
    }
    if (st)
        goto out;
    if (!r->sid) {
        st = perr(pc, text, "rule has no sid");
        goto out;
    }
    if (r->itype.set || r->icode.set) {
        if (r->proto != RP_ICMP && r->proto != RP_IP) {
            st = perr(pc, text, "itype/icode on a %s rule", tok[1]);
            goto out;
        }
    }
    if (r->ssize.who && r->proto != RP_TCP && r->proto != RP_IP && !r->app_proto) {
        st = perr(pc, text, "stream_size on a %s rule", tok[1]);
        goto out;
    }
    if (r->flags_mode && r->proto != RP_TCP && r->proto != RP_IP) {
        st = perr(pc, text, "flags on a %s rule", tok[1]);
        goto out;
    }
    choose_fast_pattern(r);
    for (uint32_t i = 0; i < r->nops; i++)
        if (r->ops[i].type == OP_CONTENT)
            r->ops[i].rare = rare_byte(r->ops[i].pat, r->ops[i].len, r->ops[i].nocase);
    r->has_payload_ops = r->nops > 0;
    r->stream_mode = sets_stream_mode(r);
    if (r->priority < 0)
        r->priority = -r->priority;
    else if (!r->priority)
        r->priority = 3;
    r->file = pc->file;
    r->line = pc->lineno;
    st = add_rule(pc->rs, r);
    if (st == BW_OK)
        r = NULL;
    else if (st == BW_E_LIMIT)
        st = BW_OK;                          /* a duplicate: reported, counted, dropped */
out:
    if (st == BW_E_SYNTAX || st == BW_E_NOMEM)
        pc->rs->counts.errors++;
    rule_free(r);
    pc->r = NULL;
    free(buf);
    return st;
}

/* "var NAME VALUE", "ipvar", "portvar" */
static int parse_var(struct pctx *pc, char *s)
{
    char *name = s;
    while (*s && !isspace((unsigned char)*s))
        s++;
    if (*s)
        *s++ = '\0';
    char *val = trim(s);
    if (!*val)
        return perr(pc, pc->line, "variable %s has no value", name);
    enum bw_status st = rules_set_var(pc->rs, name, val);
    if (st == BW_E_SYNTAX)
        return perr(pc, pc->line, "bad variable name '%s'", name);
    return st;
}

static const char *intern_file(struct rules *rs, const char *path)
{
    for (uint32_t i = 0; i < rs->nfiles; i++)
        if (strcmp(rs->files[i], path) == 0)
            return rs->files[i];
    char **v = xrealloc_n(rs->files, rs->nfiles + 1, sizeof *v);
    if (!v)
        return NULL;
    rs->files = v;
    size_t n = strlen(path);
    char *c = malloc(n + 1);
    if (!c)
        return NULL;
    memcpy(c, path, n + 1);
    rs->files[rs->nfiles++] = c;
    return c;
}

static enum bw_status load_file(struct rules *rs, const char *path, struct bw_diag *d);

/* include PATH: relative to the including file's directory; $VARS expanded. */
static int do_include(struct pctx *pc, char *arg)
{
    char path[4096], exp[4096];
    arg = trim(arg);
    size_t m = 0;
    for (const char *s = arg; *s && m + 1 < sizeof exp;) {
        if (*s == '$') {
            const char *e = s + 1;
            while (isalnum((unsigned char)*e) || *e == '_')
                e++;
            char name[64];
            size_t nl = (size_t)(e - s - 1);
            if (nl == 0 || nl >= sizeof name)
                return perr(pc, pc->line, "bad variable in include");
            memcpy(name, s + 1, nl);
            name[nl] = '\0';
            const char *v = rules_get_var(pc->rs, name);
            if (!v)
                return perr(pc, pc->line, "undefined variable $%s in include", name);
            m += (size_t)snprintf(exp + m, sizeof exp - m, "%s", v);
            if (m >= sizeof exp)
                return perr(pc, pc->line, "include path too long");
            s = e;
        } else {
            exp[m++] = *s++;
        }
    }
    exp[m] = '\0';
    if (exp[0] == '/') {
        snprintf(path, sizeof path, "%s", exp);
    } else {
        const char *slash = strrchr(pc->file, '/');
        int dl = slash ? (int)(slash - pc->file) : 1;
        if (snprintf(path, sizeof path, "%.*s/%s", dl, slash ? pc->file : ".", exp) >=
            (int)sizeof path)
            return perr(pc, pc->line, "include path too long");
    }
    if (pc->rs->depth >= RULES_VAR_DEPTH)
        return perr(pc, pc->line, "includes nested too deeply");
    struct bw_diag d = { .msg = "" };
    pc->rs->depth++;
    enum bw_status st = load_file(pc->rs, path, &d);
    pc->rs->depth--;
    if (st == BW_E_IO)
        return perr(pc, pc->line, "include: %s", d.msg);
    return BW_OK;
}

enum bw_status rules_parse_line(struct rules *rs, const char *line, const char *file,
                                unsigned lineno)
{
    struct pctx pc = { .rs = rs, .line = line, .file = file, .lineno = lineno };
    const char *s = line;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s || *s == '#')
        return BW_OK;
    size_t n = strlen(s);
    char *copy = malloc(n + 1);
    if (!copy)
        return BW_E_NOMEM;
    memcpy(copy, s, n + 1);
    int st;
    char *rest = copy + strcspn(copy, " \t");
    char *kw = copy;
    if (*rest)
        *rest++ = '\0';
    if (strcmp(kw, "var") == 0 || strcmp(kw, "ipvar") == 0 || strcmp(kw, "portvar") == 0) {
        st = parse_var(&pc, rest);
        if (st)
            rs->counts.errors++;
    } else if (strcmp(kw, "include") == 0) {
        st = do_include(&pc, rest);
        if (st)
            rs->counts.errors++;
    } else if (strcmp(kw, "event_filter") == 0 || strcmp(kw, "suppress") == 0 ||
               strcmp(kw, "threshold") == 0) {
        st = rules_parse_threshold(rs, s, file, lineno);
    } else if (strcmp(kw, "config") == 0) {
        static const char key[] = "classification:";
        char *r = trim(rest);
        st = BW_OK;
        if (strncmp(r, key, sizeof key - 1) == 0 &&
            rules_add_class_line(rs, r + sizeof key - 1) != BW_OK) {
            st = perr(&pc, line, "bad classification");
            rs->counts.errors++;
        }
    } else {
        st = parse_rule(&pc, line);
    }
    free(copy);
    return (enum bw_status)st;
}

static enum bw_status load_file(struct rules *rs, const char *path, struct bw_diag *d)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(d->msg, sizeof d->msg, "%s: %s", path, strerror(errno));
        return BW_E_IO;
    }
    const char *file = intern_file(rs, path);
    if (!file) {
        fclose(fp);
        snprintf(d->msg, sizeof d->msg, "out of memory");
        return BW_E_NOMEM;
    }
    char *acc = NULL, *line = NULL;
    size_t cap = 0, acclen = 0;
    unsigned no = 0, start = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, fp)) >= 0) {
        no++;
        size_t n = (size_t)got;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        bool cont = n && line[n - 1] == '\\';
        if (cont)
            line[--n] = '\0';
        char *na = realloc(acc, acclen + n + 1);
        if (!na)
            break;
        acc = na;
        if (!acclen)
            start = no;
        memcpy(acc + acclen, line, n + 1);
        acclen += n;
        if (cont)
            continue;
        rules_parse_line(rs, acc, file, start);
        acclen = 0;
    }
    if (acclen)
        rules_parse_line(rs, acc, file, start);
    free(acc);
    free(line);
    fclose(fp);
    return BW_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

enum bw_status rules_load_path(struct rules *rs, const char *path, struct bw_diag *d)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(d->msg, sizeof d->msg, "%s: %s", path, strerror(errno));
        return BW_E_IO;
    }
    if (!S_ISDIR(sb.st_mode))
        return load_file(rs, path, d);
    DIR *dir = opendir(path);
    if (!dir) {
        snprintf(d->msg, sizeof d->msg, "%s: %s", path, strerror(errno));
        return BW_E_IO;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 7 || strcmp(de->d_name + l - 6, ".rules") != 0)
            continue;
        char **v = xrealloc_n(names, n + 1, sizeof *v);
        char *full = malloc(strlen(path) + l + 2);
        if (!v || !full) {
            free(full);
            if (v)
                names = v;
            break;
        }
        names = v;
        sprintf(full, "%s/%s", path, de->d_name);
        names[n++] = full;
    }
    closedir(dir);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    enum bw_status st = BW_OK;
    for (size_t i = 0; i < n; i++) {
        if (st == BW_OK)
            st = load_file(rs, names[i], d);
        free(names[i]);
    }
    free(names);
    return st;
}

static int cmp_kind(const void *a, const void *b)
{
    const struct rules_skip *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->name, y->name);
}

void rules_print_summary(const struct rules *rs, FILE *out)
{
    const struct rules_counts *c = &rs->counts;
    if (c->nkinds) {
        struct rules_counts sorted = *c;
        qsort(sorted.kind, sorted.nkinds, sizeof sorted.kind[0], cmp_kind);
        fputs("skipped by keyword:", out);
        for (uint32_t i = 0; i < sorted.nkinds; i++)
            fprintf(out, "%s %s %u", i ? "," : "", sorted.kind[i].name, sorted.kind[i].n);
        fputc('\n', out);
    }
    fprintf(out, "rules: %u loaded, %u skipped, %u errors\n", c->loaded, c->skipped,
            c->errors);
}
