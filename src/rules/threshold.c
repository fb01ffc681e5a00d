/* SPDX-License-Identifier: MIT
 * threshold.c — Snort 2.9's threshold.conf directives (Snort manual 2.4): event_filter
 * (and its older name threshold) and suppress, from --threshold-file or inside a rule file.
 * They are kept as read and applied to the rules when matching is prepared, so a directive
 * may come before the rule it names.
 *   event_filter gen_id 1, sig_id 2001, type limit, track by_src, count 1, seconds 60
 *   suppress gen_id 1, sig_id 2001[, track by_src, ip 10.1.1.0/24]
 * sig_id 0 means every rule of that gen_id. */
#include "rules/rules_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static bool num(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || *end || errno || v > UINT32_MAX || *s == '-')
        return false;
    *out = (uint32_t)v;
    return true;
}

static int terr(struct rules *rs, const char *file, unsigned line, const char *what,
                const char *arg)
{
    if (rs->msg)
        fprintf(rs->msg, "%s:%u: error: %s%s%s%s\n", file, line, what, arg ? " '" : "",
                arg ? arg : "", arg ? "'" : "");
    rs->counts.errors++;
    return BW_E_SYNTAX;
}

enum bw_status rules_parse_threshold(struct rules *rs, const char *text, const char *file,
                                     unsigned line)
{
    size_t n = strlen(text);
    char *buf = malloc(n + 1);
    if (!buf)
        return BW_E_NOMEM;
    memcpy(buf, text, n + 1);
    char *s = trim(buf);
    char *kw = s;
    s += strcspn(s, " \t");
    if (*s)
        *s++ = '\0';
    struct rule_tdir t = { .gid = 0, .sid = UINT32_MAX };
    if (strcmp(kw, "event_filter") == 0 || strcmp(kw, "threshold") == 0)
        t.suppress = false;
    else if (strcmp(kw, "suppress") == 0)
        t.suppress = true;
    else {
        free(buf);
        return terr(rs, file, line, "unknown threshold directive", kw);
    }
    bool has_type = false, has_track = false, has_count = false, has_sec = false;
    char *ip = NULL;
    enum bw_status st = BW_OK;
    for (char *p = s; p && *p;) {
        char *comma = p;                 /* the next comma outside [lists] */
        for (int lvl = 0; *comma && (lvl > 0 || *comma != ','); comma++)
            lvl += *comma == '[' ? 1 : *comma == ']' ? -1 : 0;
        if (!*comma)
            comma = NULL;
        if (comma)
            *comma = '\0';
        char *f = trim(p);
        char *val = f + strcspn(f, " \t");
        if (*val)
            *val++ = '\0';
        val = trim(val);
        if (strcmp(f, "gen_id") == 0) {
            if (!num(val, &t.gid) || !t.gid)
                st = terr(rs, file, line, "bad gen_id", val);
        } else if (strcmp(f, "sig_id") == 0) {
            if (!num(val, &t.sid))
                st = terr(rs, file, line, "bad sig_id", val);
        } else if (strcmp(f, "type") == 0 && !t.suppress) {
            has_type = true;
            if (strcmp(val, "limit") == 0) t.th.type = TH_LIMIT;
            else if (strcmp(val, "threshold") == 0) t.th.type = TH_THRESHOLD;
            else if (strcmp(val, "both") == 0) t.th.type = TH_BOTH;
            else st = terr(rs, file, line, "bad type", val);
        } else if (strcmp(f, "track") == 0) {
            has_track = true;
            if (strcmp(val, "by_src") == 0) t.th.by_dst = 0;
            else if (strcmp(val, "by_dst") == 0) t.th.by_dst = 1;
            else st = terr(rs, file, line, "bad track", val);
        } else if (strcmp(f, "count") == 0 && !t.suppress) {
            has_count = true;
            if (!num(val, &t.th.count) || !t.th.count)
                st = terr(rs, file, line, "bad count", val);
        } else if (strcmp(f, "seconds") == 0 && !t.suppress) {
            has_sec = true;
            if (!num(val, &t.th.seconds))
                st = terr(rs, file, line, "bad seconds", val);
        } else if (strcmp(f, "ip") == 0 && t.suppress) {
            ip = val;
        } else {
            st = terr(rs, file, line, "unknown or misplaced field", f);
        }
        if (st != BW_OK)
            break;
        p = comma ? comma + 1 : NULL;
    }
    if (st == BW_OK && (!t.gid || t.sid == UINT32_MAX))
        st = terr(rs, file, line, "gen_id and sig_id are required", NULL);
    if (st == BW_OK && !t.suppress && !(has_type && has_track && has_count && has_sec))
        st = terr(rs, file, line, "event_filter wants type, track, count and seconds", NULL);
    if (st == BW_OK && t.suppress && (ip != NULL) != has_track)
        st = terr(rs, file, line, "suppress wants both track and ip, or neither", NULL);
    if (st == BW_OK && ip) {
        t.has_ip = true;
        st = rules_parse_netset(rs, ip, &t.ips, file, line);
        if (st != BW_OK)
            rs->counts.errors++;
    }
    if (st == BW_OK) {
        struct rule_tdir *v = realloc(rs->tdir, (rs->ntdir + 1) * sizeof *v);
        if (!v) {
            st = BW_E_NOMEM;
        } else {
            rs->tdir = v;
            rs->tdir[rs->ntdir++] = t;
            t.has_ip = false;
        }
    }
    if (t.has_ip) {
        free(t.ips.pos);
        free(t.ips.neg);
    }
    free(buf);
    return st;
}

enum bw_status rules_load_threshold(struct rules *rs, const char *path, struct bw_diag *d)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(d->msg, sizeof d->msg, "%s: %s", path, strerror(errno));
        return BW_E_IO;
    }
    char *line = NULL;
    size_t cap = 0;
    unsigned no = 0;
    while (getline(&line, &cap, fp) >= 0) {
        no++;
        char *s = trim(line);
        if (*s && *s != '#')
            rules_parse_threshold(rs, s, path, no);
    }
    free(line);
    fclose(fp);
    return BW_OK;
}

/* Applies the directives to the loaded rules (match.c calls it from rules_prepare). */
void rules_apply_thresholds(struct rules *rs)
{
    for (uint32_t k = 0; k < rs->ntdir; k++) {
        const struct rule_tdir *t = &rs->tdir[k];
        uint32_t hits = 0;
        for (uint32_t i = 0; i < rs->nrule; i++) {
            struct rule *r = rs->rule[i];
            if (r->gid != t->gid || (t->sid && r->sid != t->sid))
                continue;
            hits++;
            if (!t->suppress) {
                /* a specific filter wins over a sig_id 0 one, whatever the order */
                if (t->sid || r->th_from_file < 2) {
                    r->th = t->th;
                    r->th_from_file = t->sid ? 2 : 1;
                }
                continue;
            }
            struct rule_supp *v = realloc(r->supp, (r->nsupp + 1) * sizeof *v);
            if (!v)
                continue;
            r->supp = v;
            r->supp[r->nsupp++] = (struct rule_supp){ .by_dst = t->th.by_dst, .all = !t->has_ip,
                                                      .ips = t->has_ip ? &t->ips : NULL };
        }
        if (!hits && rs->msg && t->sid)
            fprintf(rs->msg, "botwatch: warning: %s for %u:%u: no such rule loaded\n",
                    t->suppress ? "suppress" : "event_filter", t->gid, t->sid);
    }
}
