/* SPDX-License-Identifier: MIT
 * p2p.c — detector 8: which application speaks BitTorrent on an internal host, and whether
 * the policy allows it. The first seed's analyst wanted exactly this: a game's background
 * downloader and a screensaver both spoke BitTorrent, and policy had to allow one and not
 * the other. Evidence, strongest first: the peer id in a handshake (BEP 20 client codes,
 * bittorrent.c), the tracker announce's User-Agent, the DHT "v" key (BEP 5), and .torrent
 * files fetched over HTTP. Policy (config: policy.p2p) names clients to allow or deny; with
 * no policy nothing is sanctioned (default deny), since unsanctioned software is what the
 * analyst is looking for. */
#include "detect/internal.h"

#include <ctype.h>
#include <string.h>

#include "proto/proto.h"

/* BEP 5's "v": two characters naming the client, then a 2-byte version. */
static const char *dht_client(struct bytes v)
{
    static const struct { char code[3]; const char *name; } t[] = {
        { "UT", "uTorrent" }, { "LT", "libtorrent" }, { "TR", "Transmission" },
        { "A2", "aria2" }, { "BC", "BitComet" }, { "AZ", "Vuze" }, { "DE", "Deluge" },
        { "qB", "qBittorrent" }, { "lt", "libTorrent" }, { "KT", "KTorrent" },
    };
    if (v.len < 2)
        return NULL;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (v.p[0] == t[i].code[0] && v.p[1] == t[i].code[1])
            return t[i].name;
    return NULL;
}

static bool name_in(const char list[][DETECT_NAME_LEN], unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++) {
        if (strcmp(list[i], "*") == 0)
            return true;
        size_t k = strlen(list[i]);
        if (strncasecmp(list[i], name, k) == 0 && (!name[k] || !isalnum((unsigned char)name[k])))
            return true;
    }
    return false;
}

static bool allowed(const struct detect *d, const char *client)
{
    if (name_in(d->cfg.p2p_deny, d->cfg.np2p_deny, client))
        return false;
    if (name_in(d->cfg.p2p_allow, d->cfg.np2p_allow, client))
        return true;
    return d->cfg.p2p_default == P2P_ALLOW;
}

static void seen(struct detect *d, struct host *h, const char *client, const char *how,
                 uint64_t flow_id, uint64_t ts)
{
    h->stages |= 1u << STAGE_P2P;
    bool known = false;
    for (unsigned i = 0; i < h->np2p; i++)
        known |= strcmp(h->p2p[i], client) == 0;
    if (!known && h->np2p < HOST_MAX_P2P)
        snprintf(h->p2p[h->np2p++], DETECT_NAME_LEN, "%s", client);
    struct finding *f = finding_of(d, h, FK_P2P_APP, 3, 0.9);
    if (!f)
        return;
    char names[200] = "";
    for (unsigned i = 0; i < h->np2p; i++) {
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s%s", i ? ", " : "", h->p2p[i]);
    }
    finding_summary(f, "BitTorrent spoken by %s", names);
    finding_evidence(f, flow_id, ts, "%s: %s", client, how);
    if (allowed(d, client))
        return;
    struct finding *x = finding_of(d, h, FK_P2P_DENIED, 2, 0.9);
    if (!x)
        return;
    char denied[200] = "";
    for (unsigned i = 0; i < h->np2p; i++)
        if (!allowed(d, h->p2p[i])) {
            size_t l = strlen(denied);
            snprintf(denied + l, sizeof denied - l, "%s%s", l ? ", " : "", h->p2p[i]);
        }
    finding_summary(x, "P2P application not allowed by policy: %s", denied);
    if (!known)
        finding_evidence(x, flow_id, ts, "%s (%s)", client, how);
}

void p2p_app(struct detect *d, const struct conn_event *c, const struct app_event *ev)
{
    char how[EVIDENCE_TEXT];
    if (ev->type == APP_EV_BITTORRENT) {
        const struct bt_handshake *b = ev->u.bt;
        const uint8_t *sender = ev->dir == DIR_TOSERVER ? c->src : c->dst;
        struct host *h = detect_host(d, c->family, sender);
        if (!h)
            return;
        char client[DETECT_NAME_LEN], pid[48];
        snprintf(client, sizeof client, "%s", b->client ? b->client : "unknown BitTorrent client");
        text_copy(pid, 21, b->peer_id, 8);
        snprintf(how, sizeof how, "handshake peer id %s... (%s style%s%s)", pid, b->style,
                 b->version[0] ? ", version " : "", b->version);
        seen(d, h, client, how, c->flow_id, ev->ts_us);
    } else if (ev->type == APP_EV_DHT) {
        const struct dht_msg *m = ev->u.dht;
        const uint8_t *sender = ev->dir == DIR_TOSERVER ? c->src : c->dst;
        struct host *h = detect_host(d, c->family, sender);
        if (!h)
            return;
        const char *client = dht_client(m->client_version);
        snprintf(how, sizeof how, "DHT node (BEP 5)%s", client ? ", \"v\" names it" : "");
        seen(d, h, client ? client : "unknown DHT client", how, c->flow_id, ev->ts_us);
    } else if (ev->type == APP_EV_HTTP) {
        const struct http_txn *t = ev->u.http;
        bool torrent = t->resp_file && strcmp(t->resp_file, "torrent") == 0;
        if (!t->bittorrent_announce && !torrent)
            return;
        struct host *h = detect_host(d, c->family, c->src);
        if (!h)
            return;
        char ua[DETECT_NAME_LEN], uri[80];
        size_t k = 0;
        while (k < t->user_agent.len && t->user_agent.p[k] != '/' && t->user_agent.p[k] != ' ')
            k++;
        text_copy(ua, sizeof ua, t->user_agent.p, k);
        text_copy(uri, sizeof uri, t->uri.p, t->uri.len);
        if (t->bittorrent_announce) {
            char full[80];
            text_copy(full, sizeof full, t->user_agent.p, t->user_agent.len);
            snprintf(how, sizeof how, "tracker announce, User-Agent %s", full);
            seen(d, h, ua[0] ? ua : "unknown BitTorrent client", how, c->flow_id, ev->ts_us);
        } else {
            struct finding *f = finding_of(d, h, FK_P2P_APP, 3, 0.7);
            if (f) {
                if (!f->summary[0])
                    finding_summary(f, "fetched .torrent files");
                finding_evidence(f, c->flow_id, ev->ts_us, ".torrent file fetched: %s", uri);
            }
            h->stages |= 1u << STAGE_P2P;
        }
    }
}
