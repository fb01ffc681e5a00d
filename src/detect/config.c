/* SPDX-License-Identifier: MIT
 * config.c — the detectors' configuration: defaults, and a YAML file (libyaml) over them.
 * Everything works with no file. Unknown keys are errors with their line and column: a
 * misspelt threshold that silently does nothing is worse than a refusal. The keys are in
 * docs/detect.md and etc/botwatch.yaml. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "detect/detect.h"

bool net_prefix_parse(const char *s, struct net_prefix *p)
{
    char buf[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    memset(p, 0, sizeof *p);
    unsigned max;
    if (inet_pton(AF_INET, buf, p->a) == 1) {
        p->family = 4;
        max = 32;
    } else if (inet_pton(AF_INET6, buf, p->a) == 1) {
        p->family = 6;
        max = 128;
    } else {
        return false;
    }
    unsigned bits = max;
    if (slash) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(slash + 1, &end, 10);
        if (errno || end == slash + 1 || *end || v > max)
            return false;
        bits = (unsigned)v;
    }
    p->bits = (uint8_t)bits;
    for (unsigned i = bits; i < 128; i++)          /* normalise: host bits zero */
        p->a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
    return true;
}

bool net_prefix_match(const struct net_prefix *p, unsigned n, uint8_t family, const uint8_t *a)
{
    for (unsigned i = 0; i < n; i++) {
        if (p[i].family != family)
            continue;
        unsigned bits = p[i].bits, full = bits / 8, rest = bits % 8;
        if (memcmp(p[i].a, a, full) != 0)
            continue;
        if (rest && ((p[i].a[full] ^ a[full]) & (uint8_t)(0xff00 >> rest)))
            continue;
        return true;
    }
    return false;
}

static void site_default(struct site *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->tz, sizeof s->tz, "UTC");
    s->bh_days = 0x1f;                             /* Monday to Friday */
    s->bh_start = 8;
    s->bh_end = 18;
}

void detect_config_default(struct detect_config *c)
{
    memset(c, 0, sizeof *c);
    static const char *const home[] = { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                        "fc00::/7" };
    for (size_t i = 0; i < sizeof home / sizeof home[0]; i++)
        net_prefix_parse(home[i], &c->home[c->nhome++]);
    site_default(&c->default_site);
    c->p2p_default = P2P_DENY;
    c->th = (struct detect_thresholds){
        .nick_score = 0.5,
        .group_min_hosts = 2,
        .group_join_window_us = 300ull * 1000000,
        .encoded_min = 2,
        .keepalive_min = 3,
        .keepalive_max_cv = 0.25,
        .spam_conns_day = 20,
        .spam_rcpt_day = 50,
        .spam_servers_day = 5,
        .relay_window_us = 60ull * 1000000,
        .scan_targets = 20,
        .scan_window_us = 300ull * 1000000,
        .flood_pkts = 10000,
        .flood_pps = 1000,
        .webchat_window_us = 1800ull * 1000000,
    };
    c->memcap = 256ull << 20;
}

/* ---- YAML ---- */

struct ctx {
    yaml_document_t doc;
    const char *path;
    struct bw_diag *d;
};

static bool fail(struct ctx *x, const yaml_node_t *n, const char *what, const char *arg)
{
    snprintf(x->d->msg, sizeof x->d->msg, "%s:%zu:%zu: %s%s%s%s", x->path,
             n ? n->start_mark.line + 1 : 0, n ? n->start_mark.column + 1 : 0, what,
             arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
    return false;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static bool get_text(struct ctx *x, yaml_node_t *n, char *out, size_t cap)
{
    const char *s = scalar(n);
    if (!s)
        return fail(x, n, "expected a text value", NULL);
    if (strlen(s) >= cap)
        return fail(x, n, "value too long", s);
    snprintf(out, cap, "%s", s);
    return true;
}

static bool get_double(struct ctx *x, yaml_node_t *n, double lo, double hi, double *out)
{
    const char *s = scalar(n);
    char *end;
    if (!s)
        return fail(x, n, "expected a number", NULL);
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi)
        return fail(x, n, "number out of range or not a number", s);
    *out = v;
    return true;
}

static bool get_unsigned(struct ctx *x, yaml_node_t *n, unsigned *out)
{
    double v;
    if (!get_double(x, n, 0, 1e9, &v))
        return false;
    *out = (unsigned)v;
    return true;
}

static bool get_seconds(struct ctx *x, yaml_node_t *n, uint64_t *out)
{
    double v;
    if (!get_double(x, n, 0, 1e9, &v))
        return false;
    *out = (uint64_t)(v * 1e6);
    return true;
}

/* A list of prefixes: a YAML sequence, or one scalar with commas ("10.0.0.0/8, fd00::/8"). */
static bool get_nets(struct ctx *x, yaml_node_t *n, struct net_prefix *out, unsigned *count)
{
    *count = 0;
    char item[64];
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             it < n->data.sequence.items.top; it++) {
            yaml_node_t *e = yaml_document_get_node(&x->doc, *it);
            if (!get_text(x, e, item, sizeof item))
                return false;
            if (*count >= DETECT_MAX_NETS)
                return fail(x, e, "too many networks (64 at most)", NULL);
            if (!net_prefix_parse(item, &out[*count]))
                return fail(x, e, "not an address or prefix", item);
            (*count)++;
        }
        return true;
    }
    const char *s = scalar(n);
    if (!s)
        return fail(x, n, "expected a list of networks", NULL);
    while (*s) {
        s += strspn(s, " ,[]");
        size_t k = strcspn(s, " ,[]");
        if (!k)
            break;
        if (k >= sizeof item)
            return fail(x, n, "network too long", NULL);
        memcpy(item, s, k);
        item[k] = 0;
        if (*count >= DETECT_MAX_NETS)
            return fail(x, n, "too many networks (64 at most)", NULL);
        if (!net_prefix_parse(item, &out[*count]))
            return fail(x, n, "not an address or prefix", item);
        (*count)++;
        s += k;
    }
    return true;
}

static bool get_names(struct ctx *x, yaml_node_t *n, char out[][DETECT_NAME_LEN],
                      unsigned *count)
{
    *count = 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(x, n, "expected a list of names", NULL);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        if (*count >= DETECT_MAX_NAMES)
            return fail(x, n, "too many names (32 at most)", NULL);
        if (!get_text(x, yaml_document_get_node(&x->doc, *it), out[*count], DETECT_NAME_LEN))
            return false;
        (*count)++;
    }
    return true;
}

bool business_hours_parse(const char *s, struct site *site)
{
    static const char *const days[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    char d1[4], d2[4];
    unsigned h1, m1 = 0, h2, m2 = 0;
    int n = 0;
    if (sscanf(s, "%3[A-Za-z]-%3[A-Za-z] %u:%u-%u:%u%n", d1, d2, &h1, &m1, &h2, &m2, &n) != 6 ||
        s[n]) {
        m1 = m2 = 0;
        n = 0;
        if (sscanf(s, "%3[A-Za-z]-%3[A-Za-z] %u-%u%n", d1, d2, &h1, &h2, &n) != 4 || s[n])
            return false;
    }
    int a = -1, b = -1;
    for (int i = 0; i < 7; i++) {
        if (strcasecmp(d1, days[i]) == 0)
            a = i;
        if (strcasecmp(d2, days[i]) == 0)
            b = i;
    }
    if (a < 0 || b < 0 || h1 > 23 || h2 > 24 || m1 || m2 || h1 >= h2)
        return false;                  /* whole hours: the profile is hourly */
    site->bh_days = 0;
    for (int i = a;; i = (i + 1) % 7) {
        site->bh_days |= (uint8_t)(1u << i);
        if (i == b)
            break;
    }
    site->bh_start = (uint8_t)h1;
    site->bh_end = (uint8_t)h2;
    return true;
}

typedef bool (*map_fn)(struct ctx *x, const char *key, yaml_node_t *v, void *arg);

static bool walk_map(struct ctx *x, yaml_node_t *n, map_fn fn, void *arg)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return fail(x, n, "expected a mapping", NULL);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&x->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(&x->doc, p->value);
        const char *key = scalar(k);
        if (!key)
            return fail(x, k, "expected a key", NULL);
        if (!fn(x, key, v, arg))
            return false;
    }
    return true;
}

static bool site_key(struct ctx *x, const char *key, yaml_node_t *v, void *arg)
{
    struct site *s = arg;
    if (!strcmp(key, "name"))
        return get_text(x, v, s->name, sizeof s->name);
    if (!strcmp(key, "networks"))
        return get_nets(x, v, s->nets, &s->nnets);
    if (!strcmp(key, "timezone"))
        return get_text(x, v, s->tz, sizeof s->tz);
    if (!strcmp(key, "business_hours")) {
        const char *t = scalar(v);
        if (!t || !business_hours_parse(t, s))
            return fail(x, v, "business_hours must look like 'Mon-Fri 08:00-18:00' (whole "
                        "hours)", t);
        return true;
    }
    return fail(x, v, "unknown key in a site", key);
}

static bool p2p_key(struct ctx *x, const char *key, yaml_node_t *v, void *arg)
{
    struct detect_config *c = arg;
    if (!strcmp(key, "default")) {
        const char *t = scalar(v);
        if (t && !strcmp(t, "allow"))
            c->p2p_default = P2P_ALLOW;
        else if (t && !strcmp(t, "deny"))
            c->p2p_default = P2P_DENY;
        else
            return fail(x, v, "policy.p2p.default must be allow or deny", t);
        return true;
    }
    if (!strcmp(key, "allow"))
        return get_names(x, v, c->p2p_allow, &c->np2p_allow);
    if (!strcmp(key, "deny"))
        return get_names(x, v, c->p2p_deny, &c->np2p_deny);
    return fail(x, v, "unknown key in policy.p2p", key);
}

static bool policy_key(struct ctx *x, const char *key, yaml_node_t *v, void *arg)
{
    if (!strcmp(key, "p2p"))
        return walk_map(x, v, p2p_key, arg);
    return fail(x, v, "unknown key in policy", key);
}

static bool threshold_key(struct ctx *x, const char *key, yaml_node_t *v, void *arg)
{
    struct detect_thresholds *t = arg;
    if (!strcmp(key, "nick_score"))
        return get_double(x, v, 0, 1, &t->nick_score);
    if (!strcmp(key, "group_min_hosts"))
        return get_unsigned(x, v, &t->group_min_hosts);
    if (!strcmp(key, "group_join_window"))
        return get_seconds(x, v, &t->group_join_window_us);
    if (!strcmp(key, "encoded_min"))
        return get_unsigned(x, v, &t->encoded_min);
    if (!strcmp(key, "keepalive_min"))
        return get_unsigned(x, v, &t->keepalive_min);
    if (!strcmp(key, "keepalive_max_cv"))
        return get_double(x, v, 0, 10, &t->keepalive_max_cv);
    if (!strcmp(key, "spam_conns_day"))
        return get_unsigned(x, v, &t->spam_conns_day);
    if (!strcmp(key, "spam_rcpt_day"))
        return get_unsigned(x, v, &t->spam_rcpt_day);
    if (!strcmp(key, "spam_servers_day"))
        return get_unsigned(x, v, &t->spam_servers_day);
    if (!strcmp(key, "relay_window"))
        return get_seconds(x, v, &t->relay_window_us);
    if (!strcmp(key, "scan_targets"))
        return get_unsigned(x, v, &t->scan_targets);
    if (!strcmp(key, "scan_window"))
        return get_seconds(x, v, &t->scan_window_us);
    if (!strcmp(key, "flood_pkts")) {
        unsigned u;
        if (!get_unsigned(x, v, &u))
            return false;
        t->flood_pkts = u;
        return true;
    }
    if (!strcmp(key, "flood_pps"))
        return get_double(x, v, 0, 1e12, &t->flood_pps);
    if (!strcmp(key, "webchat_window"))
        return get_seconds(x, v, &t->webchat_window_us);
    return fail(x, v, "unknown threshold", key);
}

static bool top_key(struct ctx *x, const char *key, yaml_node_t *v, void *arg)
{
    struct detect_config *c = arg;
    if (!strcmp(key, "home_net"))
        return get_nets(x, v, c->home, &c->nhome);
    if (!strcmp(key, "mail_servers"))
        return get_nets(x, v, c->mail_servers, &c->nmail);
    if (!strcmp(key, "timezone"))
        return get_text(x, v, c->default_site.tz, sizeof c->default_site.tz);
    if (!strcmp(key, "business_hours")) {
        const char *t = scalar(v);
        if (!t || !business_hours_parse(t, &c->default_site))
            return fail(x, v, "business_hours must look like 'Mon-Fri 08:00-18:00'", t);
        return true;
    }
    if (!strcmp(key, "sites")) {
        if (v->type != YAML_SEQUENCE_NODE)
            return fail(x, v, "sites must be a list", NULL);
        for (yaml_node_item_t *it = v->data.sequence.items.start;
             it < v->data.sequence.items.top; it++) {
            if (c->nsites >= DETECT_MAX_SITES)
                return fail(x, v, "too many sites (16 at most)", NULL);
            struct site *s = &c->sites[c->nsites];
            *s = c->default_site;
            s->name[0] = 0;
            s->nnets = 0;
            yaml_node_t *e = yaml_document_get_node(&x->doc, *it);
            if (!walk_map(x, e, site_key, s))
                return false;
            if (!s->name[0] || !s->nnets)
                return fail(x, e, "a site needs a name and networks", NULL);
            c->nsites++;
        }
        return true;
    }
    if (!strcmp(key, "policy"))
        return walk_map(x, v, policy_key, c);
    if (!strcmp(key, "thresholds"))
        return walk_map(x, v, threshold_key, &c->th);
    if (!strcmp(key, "memcap")) {
        double mb;
        if (!get_double(x, v, 1, 1 << 20, &mb))
            return false;
        c->memcap = (uint64_t)(mb * 1048576);
        return true;
    }
    if (!strcmp(key, "rules") || !strcmp(key, "vars"))
        return true;                   /* read by the rule engine */
    return fail(x, v, "unknown key", key);
}

enum bw_status detect_config_parse(struct detect_config *c, const uint8_t *text, size_t n,
                                   const char *name, struct bw_diag *d)
{
    yaml_parser_t p;
    struct ctx x = { .path = name, .d = d };
    if (!yaml_parser_initialize(&p)) {
        snprintf(d->msg, sizeof d->msg, "%s: cannot start the YAML parser", name);
        return BW_E_NOMEM;
    }
    yaml_parser_set_input_string(&p, text, n);
    enum bw_status st = BW_OK;
    if (!yaml_parser_load(&p, &x.doc)) {
        snprintf(d->msg, sizeof d->msg, "%s:%zu:%zu: %s", name, p.problem_mark.line + 1,
                 p.problem_mark.column + 1, p.problem ? p.problem : "YAML syntax error");
        st = BW_E_SYNTAX;
    } else {
        yaml_node_t *root = yaml_document_get_root_node(&x.doc);
        if (root && !walk_map(&x, root, top_key, c))    /* an empty file is no change */
            st = BW_E_SYNTAX;
        yaml_document_delete(&x.doc);
    }
    yaml_parser_delete(&p);
    return st;
}

enum bw_status detect_config_load(struct detect_config *c, const char *path, struct bw_diag *d)
{
    enum { CONFIG_MAX = 1 << 20 };
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(d->msg, sizeof d->msg, "%s: %s", path, strerror(errno));
        return BW_E_IO;
    }
    uint8_t *buf = malloc(CONFIG_MAX + 1);
    if (!buf) {
        fclose(fp);
        snprintf(d->msg, sizeof d->msg, "%s: out of memory", path);
        return BW_E_NOMEM;
    }
    size_t n = fread(buf, 1, CONFIG_MAX + 1, fp);
    bool err = ferror(fp);
    fclose(fp);
    enum bw_status st;
    if (err) {
        snprintf(d->msg, sizeof d->msg, "%s: read error", path);
        st = BW_E_IO;
    } else if (n > CONFIG_MAX) {
        snprintf(d->msg, sizeof d->msg, "%s: larger than 1 MiB: not a configuration", path);
        st = BW_E_SYNTAX;
    } else {
        st = detect_config_parse(c, buf, n, path, d);
    }
    free(buf);
    return st;
}
