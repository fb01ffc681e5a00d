/* SPDX-License-Identifier: MIT
 * fast.c — the "fast" alert line, as Suricata's fast.log writes it (the year included, so a
 * capture spanning New Year sorts). The message comes from the rule file: it is still
 * escaped (bytes outside printable ASCII as \xNN) so a line is always one line. */
#include "output/fast.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "decode/decode.h"
#include "output/eve.h"

enum bw_status fast_open(struct fast *o, const char *path, struct bw_diag *d)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        o->is_stdout = true;
        return BW_OK;
    }
    o->f = fopen(path, "w");
    if (!o->f) {
        snprintf(d->msg, sizeof d->msg, "%s: cannot write fast alerts: %s", path,
                 strerror(errno));
        return BW_E_IO;
    }
    return BW_OK;
}

static void put_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f || c == '\\')
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
}

static void put_addr(FILE *f, uint8_t family, const uint8_t *a, uint16_t port, bool ports)
{
    char s[INET6_ADDRSTRLEN];
    inet_ntop(family == 4 ? AF_INET : AF_INET6, a, s, sizeof s);
    if (ports)
        fprintf(f, "%s:%u", s, port);
    else
        fputs(s, f);
}

void fast_alert(struct fast *o, const struct rule_alert *a)
{
    if (!o->f || o->failed)
        return;
    const struct rule *r = a->r;
    time_t t = (time_t)(a->ts_us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char pb[8];
    FILE *f = o->f;
    fprintf(f, "%02d/%02d/%04d-%02d:%02d:%02d.%06u  ", tm.tm_mon + 1, tm.tm_mday,
            tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
            (unsigned)(a->ts_us % 1000000));
    if (r->action != RA_ALERT)
        fprintf(f, "[%s] ", rule_action_name[r->action]);
    fprintf(f, "[**] [%u:%u:%u] ", r->gid, r->sid, r->rev);
    put_escaped(f, r->msg ? r->msg : "");
    fputs(" [**] ", f);
    if (r->class_desc) {
        fputs("[Classification: ", f);
        put_escaped(f, r->class_desc);
        fputs("] ", f);
    }
    bool ports = a->proto == IPPROTO_NUM_TCP || a->proto == IPPROTO_NUM_UDP;
    fprintf(f, "[Priority: %d] {%s} ", r->priority, eve_proto_name(a->proto, pb));
    put_addr(f, a->family, a->src, a->sport, ports);
    fputs(" -> ", f);
    put_addr(f, a->family, a->dst, a->dport, ports);
    fputc('\n', f);
    if (ferror(f))
        o->failed = true;
}

enum bw_status fast_close(struct fast *o, struct bw_diag *d)
{
    if (!o->f)
        return BW_OK;
    int saved = 0;
    if (fflush(o->f) != 0 || ferror(o->f)) {
        o->failed = true;
        saved = errno;
    }
    if (!o->is_stdout && fclose(o->f) != 0) {
        o->failed = true;
        saved = errno;
    }
    o->f = NULL;
    if (o->failed) {
        snprintf(d->msg, sizeof d->msg, "%s: writing fast alerts failed: %s", o->path,
                 strerror(saved));
        return BW_E_IO;
    }
    return BW_OK;
}
