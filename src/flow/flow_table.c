/* SPDX-License-Identifier: MIT
 * flow_table.c — hash table of bidirectional flows, per-state idle timeouts, and eviction of
 * the least recently active flow when the memory cap is reached. All time is packet time. */
#include "flow/flow.h"

#include <stdlib.h>
#include <string.h>

const char *const flow_tmo_name[TMO_MAX] = {
    "tcp-new", "tcp-established", "tcp-closing", "tcp-closed", "udp", "other",
};

enum { SEC = 1000000 };

void flow_limits_default(struct flow_limits *fl, struct stream_limits *sl)
{
    fl->memcap = 256ull << 20;
    fl->timeout_us[TMO_TCP_NEW] = 60ull * SEC;
    fl->timeout_us[TMO_TCP_EST] = 3600ull * SEC;
    fl->timeout_us[TMO_TCP_CLOSING] = 120ull * SEC;
    fl->timeout_us[TMO_TCP_CLOSED] = 10ull * SEC;
    fl->timeout_us[TMO_UDP] = 300ull * SEC;
    fl->timeout_us[TMO_OTHER] = 60ull * SEC;
    sl->depth = 1ull << 20;
    sl->ooo_max = 1ull << 20;
    sl->memcap = 256ull << 20;
}

int flow_table_init(struct flow_table *ft, const struct flow_limits *lim,
                    const struct stream_limits *slim, struct bw_stats *stats,
                    flow_end_fn on_end, stream_deliver_fn deliver, void *ctx)
{
    memset(ft, 0, sizeof *ft);
    ft->lim = *lim;
    ft->slim = *slim;
    ft->stats = stats;
    ft->on_end = on_end;
    ft->deliver = deliver;
    ft->ctx = ctx;
    ft->next_id = 1;
    /* About two flows per bucket at the memory cap, within sane bounds. */
    uint64_t want = lim->memcap / sizeof(struct flow) / 2;
    size_t n = 1024;
    while (n < want && n < ((size_t)1 << 22))
        n <<= 1;
    ft->nbucket = n;
    ft->bucket = calloc(n, sizeof *ft->bucket);
    return ft->bucket ? 0 : -1;
}

/* 64-bit multiply-xorshift over the key's five words. */
static uint64_t key_hash(const struct flow_key *k)
{
    uint64_t w[5];
    memcpy(w, k, sizeof w);
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 5; i++) {
        h ^= w[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return h;
}
_Static_assert(sizeof(struct flow_key) == 40, "flow_key is hashed as five 64-bit words");

/* Builds the canonical key; *side is the key side the packet's source is on. */
static void key_of(const struct pkt *p, struct flow_key *k, uint8_t *side)
{
    memset(k, 0, sizeof *k);
    size_t alen = p->family == 4 ? 4 : 16;
    int c = memcmp(p->src, p->dst, alen);
    if (c == 0)
        c = (p->sport > p->dport) - (p->sport < p->dport);
    *side = c > 0;
    memcpy(k->addr[*side], p->src, alen);
    memcpy(k->addr[!*side], p->dst, alen);
    k->port[*side] = p->sport;
    k->port[!*side] = p->dport;
    k->proto = p->proto;
    k->family = p->family;
}

static void list_unlink(struct flow_table *ft, struct flow *f)
{
    struct flow_list *l = &ft->list[f->tmo];
    if (f->prev)
        f->prev->next = f->next;
    else
        l->head = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        l->tail = f->prev;
    f->prev = f->next = NULL;
}

static void list_append(struct flow_table *ft, struct flow *f)
{
    struct flow_list *l = &ft->list[f->tmo];
    f->prev = l->tail;
    f->next = NULL;
    if (l->tail)
        l->tail->next = f;
    else
        l->head = f;
    l->tail = f;
}

/* Ends a flow: reassembly flushed, the consumer told, memory returned. */
static void flow_end(struct flow_table *ft, struct flow *f, enum flow_end why)
{
    struct flow **pp = &ft->bucket[key_hash(&f->key) & (ft->nbucket - 1)];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    list_unlink(ft, f);
    f->end = (uint8_t)why;
    tcp_stream_flush(ft, f);
    ft->on_end(ft->ctx, f);
    tcp_stream_release(ft, f);
    ft->stats->flow.ended[why]++;
    ft->stats->flow.active--;
    ft->stats->flow.memuse -= sizeof *f;
    free(f);
}

/* A flow that closed with FINs or RST ends as such, whenever it is finally removed. */
static enum flow_end closed_reason(const struct flow *f, enum flow_end otherwise)
{
    if (f->tcp_state == TCPS_CLOSED)
        return f->rst_by ? FLOW_END_rst : FLOW_END_fin;
    return otherwise;
}

void flow_table_expire(struct flow_table *ft, uint64_t now_us)
{
    for (int c = 0; c < TMO_MAX; c++) {
        struct flow *f;
        while ((f = ft->list[c].head) && now_us > f->last_us &&
               now_us - f->last_us > ft->lim.timeout_us[c])
            flow_end(ft, f, closed_reason(f, FLOW_END_timeout));
    }
}

/* Evicts the least recently active flow of all classes. False if there is none. */
static bool evict_one(struct flow_table *ft)
{
    struct flow *victim = NULL;
    for (int c = 0; c < TMO_MAX; c++) {
        struct flow *f = ft->list[c].head;
        if (f && (!victim || f->last_us < victim->last_us))
            victim = f;
    }
    if (!victim)
        return false;
    flow_end(ft, victim, closed_reason(victim, FLOW_END_forced));
    return true;
}

static int cmp_id(const void *a, const void *b)
{
    uint64_t x = (*(struct flow *const *)a)->id, y = (*(struct flow *const *)b)->id;
    return (x > y) - (x < y);
}

void flow_table_finish(struct flow_table *ft)
{
    size_t n = (size_t)ft->stats->flow.active, i = 0;
    struct flow **all = n ? malloc(n * sizeof *all) : NULL;
    if (all) {
        for (int c = 0; c < TMO_MAX; c++)
            for (struct flow *f = ft->list[c].head; f && i < n; f = f->next)
                all[i++] = f;
        qsort(all, i, sizeof *all, cmp_id);
        for (size_t j = 0; j < i; j++)
            flow_end(ft, all[j], closed_reason(all[j], FLOW_END_shutdown));
        free(all);
    }
    for (int c = 0; c < TMO_MAX; c++)      /* only if the array could not be had */
        while (ft->list[c].head)
            flow_end(ft, ft->list[c].head, closed_reason(ft->list[c].head, FLOW_END_shutdown));
    free(ft->bucket);
    ft->bucket = NULL;
}

static bool well_known(uint16_t port)
{
    return port != 0 && port < 1024;
}

static struct flow *flow_new(struct flow_table *ft, const struct flow_key *k, size_t b,
                             const struct pkt *p, uint8_t src_side)
{
    while (ft->stats->flow.memuse + sizeof(struct flow) > ft->lim.memcap)
        if (!evict_one(ft)) {
            ft->stats->flow.nomem++;
            return NULL;
        }
    struct flow *f = calloc(1, sizeof *f);
    if (!f) {
        ft->stats->flow.nomem++;
        return NULL;
    }
    f->key = *k;
    f->id = ft->next_id++;
    f->first_us = f->last_us = p->ts_us;
    /* Who started it: the SYN's sender; the SYN/ACK's receiver; otherwise the first sender,
     * unless it sends from a well-known port to an ephemeral one (a reply seen first). */
    bool src_is_client = true;
    if (p->proto == IPPROTO_NUM_TCP && (p->tcp_flags & TCP_SYN))
        src_is_client = !(p->tcp_flags & TCP_ACK);
    else if (well_known(p->sport) && !well_known(p->dport) && p->dport != 0)
        src_is_client = false;
    f->client_side = src_is_client ? src_side : !src_side;
    if (p->proto == IPPROTO_NUM_TCP) {
        f->tmo = TMO_TCP_NEW;
        f->tcp_state = TCPS_SYN_SENT;
    } else {
        f->tmo = p->proto == IPPROTO_NUM_UDP ? TMO_UDP : TMO_OTHER;
        f->icmp_type = p->icmp_type;
        f->icmp_code = p->icmp_code;
    }
    f->hnext = ft->bucket[b];
    ft->bucket[b] = f;
    list_append(ft, f);
    ft->stats->flow.created++;
    if (++ft->stats->flow.active > ft->stats->flow.active_peak)
        ft->stats->flow.active_peak = ft->stats->flow.active;
    stats_mem_add(&ft->stats->flow.memuse, &ft->stats->flow.memuse_peak, sizeof *f);
    return f;
}

/* A SYN on a flow that has closed (or is closing) with another initial sequence number is a
 * new connection reusing the 5-tuple, as TCP allows after TIME-WAIT. */
static bool is_port_reuse(const struct flow *f, const struct pkt *p, enum flow_dir dir)
{
    if (p->proto != IPPROTO_NUM_TCP || (p->tcp_flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
        return false;
    if (f->tcp_state != TCPS_CLOSED && f->tcp_state != TCPS_CLOSING)
        return false;
    const struct tcp_half *h = &f->half[dir];
    return !(dir == DIR_TOSERVER && h->syn_seen && h->isn == p->tcp_seq);
}

static void tcp_track(struct flow *f, enum flow_dir dir, const struct pkt *p)
{
    uint8_t fl = p->tcp_flags;
    f->tcp_flags[dir] |= fl;
    if (f->tcp_state == TCPS_CLOSED)
        return;
    if (fl & TCP_RST) {
        f->tcp_state = TCPS_CLOSED;
        f->rst_by = (uint8_t)(1 + dir);
        return;
    }
    switch (f->tcp_state) {
    case TCPS_SYN_SENT:
        if (dir == DIR_TOCLIENT && (fl & TCP_SYN) && (fl & TCP_ACK))
            f->tcp_state = TCPS_SYN_RECV;
        else if (!(fl & TCP_SYN) && (p->payload_len || (fl & TCP_FIN)))
            f->tcp_state = TCPS_ESTABLISHED;     /* handshake not (fully) seen */
        break;
    case TCPS_SYN_RECV:
        if (!(fl & TCP_SYN) && (fl & TCP_ACK))
            f->tcp_state = TCPS_ESTABLISHED;
        break;
    default:
        break;
    }
    if (fl & TCP_FIN) {
        bool both = f->half[!dir].fin_seen;
        f->half[dir].fin_seen = true;
        f->tcp_state = both ? TCPS_CLOSED : TCPS_CLOSING;
    }
}

static enum flow_tmo tmo_of(const struct flow *f)
{
    switch (f->tcp_state) {
    case TCPS_NONE:
        return (enum flow_tmo)f->tmo;
    case TCPS_SYN_SENT:
    case TCPS_SYN_RECV:
        return TMO_TCP_NEW;
    case TCPS_ESTABLISHED:
        return TMO_TCP_EST;
    case TCPS_CLOSING:
        return TMO_TCP_CLOSING;
    default:
        return TMO_TCP_CLOSED;
    }
}

struct flow *flow_table_packet(struct flow_table *ft, const struct pkt *p, enum flow_dir *dirp)
{
    struct flow_key k;
    uint8_t side;
    key_of(p, &k, &side);
    size_t b = key_hash(&k) & (ft->nbucket - 1);
    struct flow *f = ft->bucket[b];
    while (f && memcmp(&f->key, &k, sizeof k) != 0)
        f = f->hnext;
    if (f && is_port_reuse(f, p, side == f->client_side ? DIR_TOSERVER : DIR_TOCLIENT)) {
        ft->stats->flow.port_reuse++;
        flow_end(ft, f, closed_reason(f, FLOW_END_timeout));
        f = NULL;
    }
    if (!f) {
        f = flow_new(ft, &k, b, p, side);
        if (!f)
            return NULL;
    }
    enum flow_dir dir = side == f->client_side ? DIR_TOSERVER : DIR_TOCLIENT;
    *dirp = dir;
    f->pkts[dir] += p->frag_pkts ? p->frag_pkts : 1;
    f->bytes[dir] += p->frag_pkts ? p->frag_bytes : p->wirelen;
    if (p->ts_us > f->last_us)
        f->last_us = p->ts_us;
    if (p->payload_len)
        f->payload_seen = true;
    if (p->proto == IPPROTO_NUM_TCP) {
        tcp_track(f, dir, p);
        tcp_stream_packet(ft, f, dir, p);
    }
    /* Refresh the flow's place: the tail of its (possibly new) class list. */
    list_unlink(ft, f);
    f->tmo = (uint8_t)tmo_of(f);
    list_append(ft, f);
    return f;
}
