/* SPDX-License-Identifier: MIT
 * relay.c — detector 7: an internal host used from outside as a proxy, and the mail it sends
 * for its users. Two kinds of evidence:
 *   direct: a SOCKS or HTTP CONNECT request from an outside address to an internal host
 *           (open-proxy), whose tunnel carries SMTP or asks for port 25 (spam-relay);
 *   timing: an inbound connection from outside to a proxy-like service of the host (SOCKS,
 *           a tunnel, or an unidentified protocol on a proxy port) during which, or within
 *           the relay window after which, the host opens SMTP connections to outside servers
 *           (spam-relay). This is what works on firewall logs, where there is no payload.
 * Known trojan proxy ports (the third seed's WinGate on 1180-1185) are named in the evidence
 * as a hint; they never decide. */
#include "detect/internal.h"

#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

struct span {
    uint64_t start_us, end_us, flow_id;
    uint8_t peer[16];
    uint16_t port;
    uint8_t app_proto;
    bool matched;                /* outbound: already tied to an inbound connection */
};

static bool trojan_port(uint16_t p)
{
    return p >= 1180 && p <= 1185;
}

static bool proxy_port(uint16_t p)
{
    return trojan_port(p) || p == 1080 || p == 3128 || p == 8080 || p == 8000 || p == 8888 ||
           p == 6588 || p == 3127;
}

static const char *port_hint(uint16_t p)
{
    return trojan_port(p) ? " (a known trojaned-WinGate proxy port; a hint only)" : "";
}

/* A ring of the last HOST_MAX_SPANS spans. It starts at 8 and grows as it fills, in order
 * (it wraps only once it is full size): most hosts see a handful of such connections, and
 * 12 KB for each was a fifth of a run's page faults. */
static struct span *ring_add(struct detect *d, struct span **ring, unsigned *n, unsigned *cap,
                             uint64_t *total)
{
    if (*n == *cap && *cap < HOST_MAX_SPANS) {
        unsigned nc = *cap ? *cap * 4 : 8;
        nc = nc > HOST_MAX_SPANS ? HOST_MAX_SPANS : nc;
        struct span *r = detect_alloc(d, nc * sizeof *r);
        if (!r)
            return NULL;
        if (*ring) {
            memcpy(r, *ring, *n * sizeof *r);
            detect_release(d, *ring, *cap * sizeof **ring);
        }
        *ring = r;
        *cap = nc;
    }
    struct span *s = &(*ring)[*total % HOST_MAX_SPANS];
    (*total)++;
    if (*n < HOST_MAX_SPANS)
        (*n)++;
    memset(s, 0, sizeof *s);
    return s;
}

static void relay_summary(struct finding *f, const struct host *h)
{
    char a[80] = "", b[100] = "";
    if (h->relay_requests)
        snprintf(a, sizeof a, "%u proxy request%s from outside for SMTP", h->relay_requests,
                 h->relay_requests == 1 ? "" : "s");
    if (h->relayed)
        snprintf(b, sizeof b, "%u outbound SMTP connection%s during or just after inbound "
                 "proxy connections", h->relayed, h->relayed == 1 ? "" : "s");
    finding_summary(f, "relays mail for outside hosts: %s%s%s", a, a[0] && b[0] ? "; " : "", b);
}

static bool overlaps(const struct detect *d, const struct span *in, uint64_t out_start)
{
    return out_start + 1000000 >= in->start_us &&
           out_start <= in->end_us + d->cfg.th.relay_window_us;
}

static void relay_found(struct detect *d, struct host *h, uint8_t family, const struct span *in,
                        const struct span *out)
{
    struct finding *f = finding_of(d, h, FK_SPAM_RELAY, 1, 0.8);
    if (!f)
        return;
    char a[48], b[48];
    double lag = ((double)out->start_us - (double)in->start_us) / 1e6;
    finding_evidence(f, out->flow_id, out->start_us, "SMTP to %s:%u %.1f s after %s connected "
                     "in to port %u (%s, flow %" PRIu64 ")%s", addr_text(family, out->peer, b),
                     out->port, lag, addr_text(family, in->peer, a), in->port,
                     in->app_proto ? proto_name[in->app_proto] : "no payload", in->flow_id,
                     port_hint(in->port));
    h->relayed++;
    relay_summary(f, h);
    h->stages |= 1u << STAGE_INBOUND | 1u << STAGE_SPAM;
    if (!h->find[FK_OPEN_PROXY]) {
        struct finding *p = finding_of(d, h, FK_OPEN_PROXY, 2, 0.6);
        if (p) {
            finding_summary(p, "accepts connections from outside on port %u and then connects "
                            "out: an open proxy", in->port);
            finding_evidence(p, in->flow_id, in->start_us, "inbound from %s to port %u%s",
                             a, in->port, port_hint(in->port));
        }
    }
}

void relay_conn(struct detect *d, const struct conn_event *c)
{
    if (c->ip_proto != 6 || !c->answered)
        return;
    bool src_home = detect_is_home(d, c->family, c->src);
    bool dst_home = detect_is_home(d, c->family, c->dst);
    struct host *h;
    struct span *sp;
    if (!src_home && dst_home) {
        bool proxyish = c->app_proto == PROTO_SOCKS || c->app_tunnel ||
                        ((c->app_proto == PROTO_NONE || c->app_proto == PROTO_UNKNOWN) &&
                         proxy_port(c->dport)) || trojan_port(c->dport);
        if (!proxyish || !(h = detect_host(d, c->family, c->dst)) ||
            !(sp = ring_add(d, &h->inb, &h->ninb, &h->inb_cap, &h->inb_total)))
            return;
        memcpy(sp->peer, c->src, 16);
    } else if (src_home && !dst_home &&
               (c->app_proto == PROTO_SMTP || (c->dport == 25 && c->app_proto == PROTO_NONE))) {
        if (!(h = detect_host(d, c->family, c->src)) ||
            !(sp = ring_add(d, &h->outb, &h->noutb, &h->outb_cap, &h->outb_total)))
            return;
        memcpy(sp->peer, c->dst, 16);
    } else {
        return;
    }
    sp->start_us = c->start_us;
    sp->end_us = c->end_us;
    sp->flow_id = c->flow_id;
    sp->port = c->dport;
    sp->app_proto = c->app_proto;
}

static int span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return x->start_us < y->start_us ? -1 : x->start_us > y->start_us;
}

/* Each outbound SMTP connection is tied to the inbound connection that began last before it
 * (and was still open, or closed at most the relay window before), if there is one. */
void relay_finish(struct detect *d, struct host *h)
{
    if (!h->ninb || !h->noutb)
        return;
    qsort(h->inb, h->ninb, sizeof *h->inb, span_cmp);
    qsort(h->outb, h->noutb, sizeof *h->outb, span_cmp);
    for (unsigned i = 0; i < h->noutb; i++) {
        struct span *out = &h->outb[i];
        const struct span *best = NULL, *after = NULL;
        if (out->matched)
            continue;
        for (unsigned j = 0; j < h->ninb && h->inb[j].start_us <= out->start_us + 1000000; j++) {
            if (!overlaps(d, &h->inb[j], out->start_us))
                continue;
            if (h->inb[j].start_us <= out->start_us)
                best = &h->inb[j];
            else if (!after)
                after = &h->inb[j];     /* logs with whole seconds may order them wrongly */
        }
        if (!best)
            best = after;
        if (best) {
            out->matched = true;
            relay_found(d, h, h->family, best, out);
        }
    }
}

/* Direct evidence: the proxy request itself, from outside to an internal host. */
void relay_app(struct detect *d, const struct conn_event *c, const struct app_event *ev)
{
    if (detect_is_home(d, c->family, c->src) || !detect_is_home(d, c->family, c->dst))
        return;
    const char *kind, *command;
    char target[160];
    bool success, smtp;
    if (ev->type == APP_EV_PROXY) {
        const struct proxy_req *p = ev->u.proxy;
        kind = p->kind;
        command = p->command;
        success = p->replied && p->success;
        smtp = p->port == 25 || p->tunnel_proto == PROTO_SMTP;
        char host[128];
        text_copy(host, sizeof host, p->host.p, p->host.len);
        snprintf(target, sizeof target, "%s:%u", host, p->port);
    } else {
        const struct http_txn *t = ev->u.http;
        bool connect = t->method.len == 7 && memcmp(t->method.p, "CONNECT", 7) == 0;
        bool absolute = t->uri.len > 7 && strncasecmp((const char *)t->uri.p, "http://", 7) == 0;
        if (!connect && !absolute)
            return;
        kind = connect ? "http-connect" : "http-proxy";
        command = connect ? "connect" : "get";
        success = t->status >= 200 && t->status < 300;
        text_copy(target, sizeof target, t->uri.p, t->uri.len);
        size_t tl = strlen(target);
        smtp = connect && tl > 3 && strcmp(target + tl - 3, ":25") == 0;
    }
    struct host *h = detect_host(d, c->family, c->dst);
    if (!h)
        return;
    struct finding *f = finding_of(d, h, FK_OPEN_PROXY, success ? 1 : 2, success ? 0.9 : 0.6);
    if (!f)
        return;
    char a[48];
    addr_text(c->family, c->src, a);
    finding_summary(f, "open proxy: outside hosts use it (%s on port %u)%s", kind, c->dport,
                    port_hint(c->dport));
    finding_evidence(f, c->flow_id, ev->ts_us, "%s %s %s from %s: %s", kind, command, target, a,
                     success ? "granted" : "refused or unanswered");
    h->stages |= 1u << STAGE_INBOUND;
    if (smtp && success) {
        struct finding *r = finding_of(d, h, FK_SPAM_RELAY, 1, 0.9);
        if (!r)
            return;
        h->relay_requests++;
        relay_summary(r, h);
        finding_evidence(r, c->flow_id, ev->ts_us, "%s tunnel to %s for %s carries SMTP", kind,
                         target, a);
        h->stages |= 1u << STAGE_SPAM;
    }
}
