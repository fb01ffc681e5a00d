/* SPDX-License-Identifier: MIT
 * spam.c — detector 6: SMTP off its ports, and outbound mail per internal host per local day
 * (the third seed's firewall-log count, done for the analyst): connections, recipients,
 * distinct destination servers, messages the server took (250 after the final dot) versus
 * refused or cut off. A host that is not a mail server sending mail straight to outside
 * servers is what a spam bot or a relayed spammer looks like. */
#include "detect/internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/proto.h"

enum { DAY_MAX_SERVERS = 64 };

struct smtp_day {
    int64_t day;                         /* local days since 1970 */
    uint32_t conns, conns_ext, rcpt, delivered, refused, cut, unanswered;
    uint32_t fins, timeouts;             /* closed gracefully; timed out (a log's only view) */
    uint32_t nserv;                      /* distinct servers, counted up to DAY_MAX_SERVERS */
    uint64_t serv[DAY_MAX_SERVERS];
    uint64_t first_flow, first_us, last_us;
};

static bool smtp_port_usual(uint16_t p)
{
    return p == 25 || p == 465 || p == 587;
}

static struct smtp_day *day_of(struct detect *d, struct host *h, uint64_t ts)
{
    struct local_time lt;
    site_local_time(h->site, ts, &lt);
    for (unsigned i = h->ndays; i-- > 0;)
        if (h->days[i].day == lt.day)
            return &h->days[i];
    if (h->ndays >= HOST_MAX_DAYS)
        return NULL;
    if (h->ndays == h->capdays) {                 /* most hosts mail on a day or two */
        unsigned cap = h->capdays ? h->capdays * 2 : 2;
        struct smtp_day *nd = detect_alloc(d, cap * sizeof *nd);
        if (!nd)
            return NULL;
        if (h->ndays)
            memcpy(nd, h->days, h->ndays * sizeof *nd);
        detect_release(d, h->days, h->capdays * sizeof *nd);
        h->days = nd;
        h->capdays = cap;
    }
    struct smtp_day *sd = &h->days[h->ndays++];
    sd->day = lt.day;
    sd->first_us = ts;
    return sd;
}

static void port_finding(struct detect *d, struct host *h, const struct conn_event *c)
{
    if (smtp_port_usual(c->dport))
        return;
    struct finding *f = finding_of(d, h, FK_SMTP_NONSTD_PORT, 2, 0.9);
    if (!f)
        return;
    char a[48];
    finding_summary(f, "SMTP on TCP port %u (not 25, 465 or 587)", c->dport);
    finding_evidence(f, c->flow_id, c->start_us, "SMTP session to %s:%u",
                     addr_text(c->family, c->dst, a), c->dport);
}

void spam_conn(struct detect *d, const struct conn_event *c)
{
    bool smtp = c->app_proto == PROTO_SMTP;
    /* port 25 with nothing identified: a SYN never answered in a capture, or any SMTP
     * connection in a firewall log (no payload there) */
    bool attempt = !smtp && c->ip_proto == 6 && c->dport == 25 && c->app_proto == PROTO_NONE;
    if (!smtp && !attempt)
        return;
    struct host *srv = detect_host(d, c->family, c->dst);
    if (srv && smtp)
        srv->smtp_received++;
    struct host *h = detect_host(d, c->family, c->src);
    if (!h)
        return;
    if (smtp)
        port_finding(d, h, c);
    struct smtp_day *sd = day_of(d, h, c->start_us);
    if (!sd)
        return;
    sd->conns++;
    if (!sd->first_flow)
        sd->first_flow = c->flow_id;
    if (c->start_us > sd->last_us)
        sd->last_us = c->start_us;
    if (!detect_is_home(d, c->family, c->dst))
        sd->conns_ext++;
    if (!c->answered)
        sd->unanswered++;
    if (c->how == CONN_FIN)
        sd->fins++;
    else if (c->how == CONN_TIMEOUT)
        sd->timeouts++;
    uint64_t hv = hmap_hash(c->dst, 16, c->family);
    for (unsigned i = 0; i < sd->nserv && i < DAY_MAX_SERVERS; i++)
        if (sd->serv[i] == hv)
            return;
    if (sd->nserv < DAY_MAX_SERVERS)
        sd->serv[sd->nserv] = hv;
    if (sd->nserv < UINT32_MAX)
        sd->nserv++;
}

void spam_app(struct detect *d, const struct conn_event *c, const struct app_event *ev)
{
    const struct smtp_tx *t = ev->u.smtp;
    struct host *h = detect_host(d, c->family, c->src);
    if (!h)
        return;
    struct smtp_day *sd = day_of(d, h, ev->ts_us);
    if (!sd)
        return;
    sd->rcpt += t->rcpt_total;
    bool all_refused = t->nrcpt > 0;
    for (unsigned i = 0; i < t->nrcpt; i++)
        all_refused &= t->rcpt_code[i] >= 400;
    if (t->delivered)
        sd->delivered++;
    else if (t->mail_code >= 400 || all_refused || t->end_code >= 400)
        sd->refused++;
    else if (t->data)
        sd->cut++;
}

static bool is_mail_server(struct detect *d, const struct host *h)
{
    return h->smtp_received > 0 ||
           net_prefix_match(d->cfg.mail_servers, d->cfg.nmail, h->family, h->a);
}

void spam_finish(struct detect *d, struct host *h)
{
    if (!h->ndays || is_mail_server(d, h))
        return;
    uint64_t conns = 0, ext = 0, rcpt = 0, deliv = 0, refused = 0, cut = 0;
    bool heavy = false;
    const struct detect_thresholds *th = &d->cfg.th;
    for (unsigned i = 0; i < h->ndays; i++) {
        const struct smtp_day *sd = &h->days[i];
        conns += sd->conns;
        ext += sd->conns_ext;
        rcpt += sd->rcpt;
        deliv += sd->delivered;
        refused += sd->refused;
        cut += sd->cut;
        heavy |= sd->conns_ext && (sd->conns >= th->spam_conns_day || sd->rcpt >= th->spam_rcpt_day
                                   || sd->nserv >= th->spam_servers_day);
    }
    if (!ext)
        return;                          /* mail handed to an internal server: submission */
    struct finding *f = finding_of(d, h, FK_SPAM_VOLUME, heavy ? 1 : 2, heavy ? 0.85 : 0.6);
    if (!f)
        return;
    finding_clear_evidence(f);                 /* rebuilt from the day counts */
    finding_summary(f, "not a mail server, yet sent mail straight to outside servers: %" PRIu64
                    " SMTP connection%s (%" PRIu64 " outside) on %u day%s, %" PRIu64
                    " recipient%s; messages delivered %" PRIu64 ", refused %" PRIu64 ", cut off %"
                    PRIu64, conns, conns == 1 ? "" : "s", ext, h->ndays, h->ndays == 1 ? "" : "s",
                    rcpt, rcpt == 1 ? "" : "s", deliv, refused, cut);
    for (unsigned i = 0; i < h->ndays; i++) {
        const struct smtp_day *sd = &h->days[i];
        time_t day_s = (time_t)(sd->day * 86400);
        struct tm tm;
        gmtime_r(&day_s, &tm);
        finding_evidence(f, sd->first_flow, sd->last_us, "%04d-%02d-%02d: %u SMTP connections "
                         "(%u outside, %u unanswered) to %u server%s, %u recipients; delivered "
                         "%u, refused %u, cut off %u; closed by FINs %u, timed out %u",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, sd->conns, sd->conns_ext,
                         sd->unanswered, sd->nserv, sd->nserv == 1 ? "" : "s", sd->rcpt,
                         sd->delivered, sd->refused, sd->cut, sd->fins, sd->timeouts);
    }
    h->stages |= 1u << STAGE_SPAM;
}
