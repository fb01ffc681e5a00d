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

/* The line is put together in memory and written with one fwrite: stdio's per-call
 * locking made a character-by-character message most of an alert's cost. A line longer
 * than the buffer (a very long msg) is written in pieces, byte for byte the same. */
struct line {
    FILE *f;
    size_t n;
    char b[1024];
};

static void flush_line(struct line *l)
{
    fwrite(l->b, 1, l->n, l->f);
    l->n = 0;
}

static void put_bytes(struct line *l, const char *s, size_t n)
{
    while (n) {
        if (l->n == sizeof l->b)
            flush_line(l);
        size_t k = sizeof l->b - l->n < n ? sizeof l->b - l->n : n;
        memcpy(l->b + l->n, s, k);
        l->n += k;
        s += k;
        n -= k;
    }
}

static void put_str(struct line *l, const char *s)
{
    put_bytes(l, s, strlen(s));
}

static void put_uint(struct line *l, uint64_t v, int width)
{
    char d[24];
    int k = 0;
    do {
        d[sizeof d - 1 - k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || k < width);
    put_bytes(l, d + sizeof d - k, (size_t)k);
}

static void put_escaped(struct line *l, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
            put_bytes(l, e, 4);
        } else {
            if (l->n == sizeof l->b)
                flush_line(l);
            l->b[l->n++] = (char)c;
        }
    }
}

static void put_addr(struct line *l, uint8_t family, const uint8_t *a, uint16_t port,
                     bool ports)
{
    char s[INET6_ADDRSTRLEN];
    inet_ntop(family == 4 ? AF_INET : AF_INET6, a, s, sizeof s);
    put_str(l, s);
    if (ports) {
        put_bytes(l, ":", 1);
        put_uint(l, port, 1);
    }
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
    struct line l = { .f = o->f };
    /* mm/dd/yyyy-hh:mm:ss.uuuuuu, two spaces */
    put_uint(&l, (uint64_t)tm.tm_mon + 1, 2);
    put_bytes(&l, "/", 1);
    put_uint(&l, (uint64_t)tm.tm_mday, 2);
    put_bytes(&l, "/", 1);
    put_uint(&l, (uint64_t)tm.tm_year + 1900, 4);
    put_bytes(&l, "-", 1);
    put_uint(&l, (uint64_t)tm.tm_hour, 2);
    put_bytes(&l, ":", 1);
    put_uint(&l, (uint64_t)tm.tm_min, 2);
    put_bytes(&l, ":", 1);
    put_uint(&l, (uint64_t)tm.tm_sec, 2);
    put_bytes(&l, ".", 1);
    put_uint(&l, a->ts_us % 1000000, 6);
    put_bytes(&l, "  ", 2);
    if (r->action != RA_ALERT) {
        put_bytes(&l, "[", 1);
        put_str(&l, rule_action_name[r->action]);
        put_bytes(&l, "] ", 2);
    }
    put_bytes(&l, "[**] [", 6);
    put_uint(&l, r->gid, 1);
    put_bytes(&l, ":", 1);
    put_uint(&l, r->sid, 1);
    put_bytes(&l, ":", 1);
    put_uint(&l, r->rev, 1);
    put_bytes(&l, "] ", 2);
    put_escaped(&l, r->msg ? r->msg : "");
    put_bytes(&l, " [**] ", 6);
    if (r->class_desc) {
        put_str(&l, "[Classification: ");
        put_escaped(&l, r->class_desc);
        put_bytes(&l, "] ", 2);
    }
    bool ports = a->proto == IPPROTO_NUM_TCP || a->proto == IPPROTO_NUM_UDP;
    put_str(&l, "[Priority: ");
    put_uint(&l, (uint64_t)(r->priority < 0 ? 0 : r->priority), 1);
    put_str(&l, "] {");
    put_str(&l, eve_proto_name(a->proto, pb));
    put_bytes(&l, "} ", 2);
    put_addr(&l, a->family, a->src, a->sport, ports);
    put_bytes(&l, " -> ", 4);
    put_addr(&l, a->family, a->dst, a->dport, ports);
    put_bytes(&l, "\n", 1);
    flush_line(&l);
    if (ferror(o->f))
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
