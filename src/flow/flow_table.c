/* SPDX-License-Identifier: MIT
 * flow_table.c — hash table of bidirectional flows, per-state idle timeouts, and eviction of
 * the least recently active flow when the memory cap is reached. All time is packet time. */
#include "flow/flow.h"
#include "util/hugemem.h"
#include "util/poison.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static void key_secret_init(void);

const char *const flow_tmo_name[TMO_MAX] = {
    "tcp-new", "tcp-established", "tcp-closing", "tcp-closed", "udp", "other",
};

enum { SEC = 1000000, FLOW_REQUEUE_US = SEC };
_Static_assert(sizeof(struct flow) % 64 == 0, "flow records fill whole cache lines");
_Static_assert(offsetof(struct flow, half) % 8 == 0, "the short record ends on a boundary");

/* Flow records come from 2 MiB slabs on huge pages (util/hugemem.h): no malloc per flow, few
 * page faults and TLB misses for a table read at random, and the end of a run walks the slabs
 * in memory order instead of chasing list pointers. Records of protocols other than TCP stop
 * before the TCP halves, so they take three cache lines instead of five. A free record has
 * id 0 (slabs start zeroed) and, under AddressSanitizer, is poisoned to catch stale pointers. */
struct flow_slab {
    struct flow_slab *next;
    uint8_t pad[56];
    uint8_t data[];
};
#define FLOW_SMALL_SIZE ((offsetof(struct flow, half) + 63) & ~(size_t)63)
#define POOL_TCP 1

static struct flow *pool_rec(struct flow_slab *s, const struct flow_pool *pl, size_t i)
{
    return (struct flow *)(void *)(s->data + i * pl->rec_size);
}

static void pools_init(struct flow_table *ft)
{
    for (int i = 0; i < 2; i++) {
        struct flow_pool *pl = &ft->pool[i];
        pl->rec_size = i == POOL_TCP ? sizeof(struct flow) : FLOW_SMALL_SIZE;
        pl->per_slab = (HUGEMEM_PAGE - sizeof(struct flow_slab)) / pl->rec_size;
        pl->used = pl->per_slab;              /* no slab yet */
    }
}

static struct flow *flow_alloc(struct flow_table *ft, bool tcp)
{
    struct flow_pool *pl = &ft->pool[tcp];
    struct flow *f = pl->free;
    if (f) {
        UNPOISON(f, pl->rec_size);
        pl->free = f->hnext;
        return f;
    }
    if (pl->used == pl->per_slab) {
        struct flow_slab *s = huge_alloc(HUGEMEM_PAGE);
        if (!s)
            return NULL;
        s->next = pl->slabs;
        pl->slabs = s;
        pl->used = 0;
        POISON(s->data, pl->per_slab * pl->rec_size);
    }
    f = pool_rec(pl->slabs, pl, pl->used++);
    UNPOISON(f, pl->rec_size);
    return f;
}

static void flow_release(struct flow_table *ft, struct flow *f)
{
    struct flow_pool *pl = &ft->pool[f->key.proto == IPPROTO_NUM_TCP];
    f->id = 0;
    if (ft->finishing)
        return;                              /* the slabs go all at once */
    f->hnext = pl->free;
    pl->free = f;
    POISON(f, pl->rec_size);
}

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
    key_secret_init();
    pools_init(ft);
    /* About two flows per bucket at the memory cap, within sane bounds. */
    uint64_t want = lim->memcap / sizeof(struct flow) / 2;
    size_t n = 1024;
    while (n < want && n < ((size_t)1 << 22))
        n <<= 1;
    ft->nbucket = n;
    ft->bucket = huge_alloc(n * sizeof *ft->bucket);
    return ft->bucket ? 0 : -1;
}

/* The key's five words, each XORed with a secret and multiplied by its own odd constant
 * (five independent multiplies instead of a chain of five), summed, then mixed so the low
 * bits (the bucket) depend on every input bit. The secrets are drawn at random once per
 * process: the addresses and ports are the attacker's, and with a fixed function a capture
 * could be crafted so that all its flows share a bucket. Nothing botwatch writes depends on
 * bucket order (flows end by time, by eviction order or, at the end, by id). */
static uint64_t key_secret[5];

static void key_secret_init(void)
{
    if (key_secret[0] | key_secret[1])
        return;
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
        struct timespec ts;                  /* no entropy yet: still unknown from outside */
        clock_gettime(CLOCK_MONOTONIC, &ts);
        seed = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec ^
               (uint64_t)(uintptr_t)&seed;
    }
    for (int i = 0; i < 5; i++) {            /* splitmix64 */
        uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        key_secret[i] = z ^ (z >> 31);
    }
    key_secret[0] |= 1;                      /* never all zero: initialised */
}

static inline uint64_t key_mix(const uint64_t w[5])
{
    uint64_t h = (w[0] ^ key_secret[0]) * 0x9e3779b97f4a7c15ull +
                 (w[1] ^ key_secret[1]) * 0xc2b2ae3d27d4eb4full +
                 (w[2] ^ key_secret[2]) * 0x165667b19e3779f9ull +
                 (w[3] ^ key_secret[3]) * 0xd6e8feb86659fd93ull +
                 (w[4] ^ key_secret[4]) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return h;
}

static uint64_t key_hash(const struct flow_key *k)
{
    uint64_t w[5];
    memcpy(w, k, sizeof w);
    return key_mix(w);
}
_Static_assert(sizeof(struct flow_key) == 40, "flow_key is hashed as five 64-bit words");

/* Builds the canonical key; *side is the key side the packet's source is on: side 0 holds
 * the lower address (compared as bytes, i.e. as big-endian numbers), then the lower port.
 * The key is assembled as the five 64-bit words it is hashed and compared as, and stored
 * once: writing it field by field and reading it back as words stalled store forwarding.
 * Returns its hash. */
static uint64_t key_of(const struct pkt *p, struct flow_key *k, uint8_t *side)
{
    uint64_t s0, s1, d0, d1;                 /* the addresses as stored (byte order kept) */
    int c;
    if (p->family == 4) {
        uint32_t a, b;
        memcpy(&a, p->src, 4);
        memcpy(&b, p->dst, 4);
        s0 = a;
        d0 = b;
        s1 = d1 = 0;
        uint32_t ha = __builtin_bswap32(a), hb = __builtin_bswap32(b);
        c = (ha > hb) - (ha < hb);
    } else {
        memcpy(&s0, p->src, 8);
        memcpy(&s1, p->src + 8, 8);
        memcpy(&d0, p->dst, 8);
        memcpy(&d1, p->dst + 8, 8);
        uint64_t ha = __builtin_bswap64(s0), hb = __builtin_bswap64(d0);
        if (ha == hb) {
            ha = __builtin_bswap64(s1);
            hb = __builtin_bswap64(d1);
        }
        c = (ha > hb) - (ha < hb);
    }
    if (c == 0)
        c = (p->sport > p->dport) - (p->sport < p->dport);
    uint8_t sd = c > 0;
    *side = sd;
    uint16_t lo_port = sd ? p->dport : p->sport, hi_port = sd ? p->sport : p->dport;
    uint64_t w0 = sd ? d0 : s0, w1 = sd ? d1 : s1, w2 = sd ? s0 : d0, w3 = sd ? s1 : d1, w4;
    /* port[0], port[1], proto, family, pad[2]: the struct's bytes as one word */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w4 = (uint64_t)lo_port | (uint64_t)hi_port << 16 | (uint64_t)p->proto << 32 |
         (uint64_t)p->family << 40;
#else
    struct flow_key tail = { .port = { lo_port, hi_port }, .proto = p->proto,
                             .family = p->family };
    memcpy(&w4, &tail.port, 8);
#endif
    /* one 8-byte store each (a staging array was read back as 16-byte vectors: stalls) */
    char *kb = (char *)k;
    memcpy(kb, &w0, 8);
    memcpy(kb + 8, &w1, 8);
    memcpy(kb + 16, &w2, 8);
    memcpy(kb + 24, &w3, 8);
    memcpy(kb + 32, &w4, 8);
    const uint64_t w[5] = { w0, w1, w2, w3, w4 };
    return key_mix(w);
}

static inline bool key_eq(const struct flow_key *a, const struct flow_key *b)
{
    uint64_t x[5], y[5];
    memcpy(x, a, sizeof x);
    memcpy(y, b, sizeof y);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4])) == 0;
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
    if (!ft->finishing) {                  /* at the end everything goes: skip the unlinking */
        struct flow **pp = &ft->bucket[key_hash(&f->key) & (ft->nbucket - 1)];
        while (*pp && *pp != f)
            pp = &(*pp)->hnext;
        if (*pp)
            *pp = f->hnext;
        list_unlink(ft, f);
    }
    f->end = (uint8_t)why;
    tcp_stream_flush(ft, f);
    ft->on_end(ft->ctx, f);
    tcp_stream_release(ft, f);
    ft->stats->flow.ended[why]++;
    ft->stats->flow.active--;
    ft->stats->flow.memuse -= ft->pool[f->key.proto == IPPROTO_NUM_TCP].rec_size;
    flow_release(ft, f);
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
        uint64_t tmo = ft->lim.timeout_us[c];
        while ((f = ft->list[c].head) && now_us > f->queued_us && now_us - f->queued_us > tmo) {
            if (now_us - f->last_us > tmo) {
                flow_end(ft, f, closed_reason(f, FLOW_END_timeout));
            } else {                         /* active since it was queued: to the tail */
                list_unlink(ft, f);
                f->queued_us = f->last_us;
                list_append(ft, f);
            }
        }
    }
}

void flow_table_each(struct flow_table *ft, void (*fn)(void *ctx, struct flow *f), void *ctx)
{
    for (int c = 0; c < TMO_MAX; c++)        /* every live flow is on its class's list */
        for (struct flow *f = ft->list[c].head; f; f = f->next)
            fn(ctx, f);
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
    ft->stats->flow.evicted++;
    flow_end(ft, victim, closed_reason(victim, FLOW_END_forced));
    return true;
}

/* Ends every open flow in flow id order. Ids are dense, so flows are placed by id into a
 * table spanning the open ids; only when that span is very sparse is it sorted instead. */
static int cmp_id(const void *a, const void *b)
{
    uint64_t x = (*(struct flow *const *)a)->id, y = (*(struct flow *const *)b)->id;
    return (x > y) - (x < y);
}

void flow_table_finish(struct flow_table *ft)
{
    /* The live records, found by walking the slabs in memory order. */
    size_t n = (size_t)ft->stats->flow.active, i = 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int k = 0; k < 2; k++) {
        struct flow_pool *pl = &ft->pool[k];
        for (struct flow_slab *s = pl->slabs; s; s = s->next) {
            size_t used = s == pl->slabs ? pl->used : pl->per_slab;
            for (size_t r = 0; r < used; r++) {
                const struct flow *f = pool_rec(s, pl, r);
                UNPOISON(f, pl->rec_size);
                if (f->id) {
                    lo = f->id < lo ? f->id : lo;
                    hi = f->id > hi ? f->id : hi;
                }
            }
        }
    }
    bool by_index = n && hi - lo < 4 * (uint64_t)n;
    size_t slots = by_index ? (size_t)(hi - lo + 1) : n;
    struct flow **all = n ? calloc(slots, sizeof *all) : NULL;
    if (all) {
        for (int k = 0; k < 2; k++) {
            struct flow_pool *pl = &ft->pool[k];
            for (struct flow_slab *s = pl->slabs; s; s = s->next) {
                size_t used = s == pl->slabs ? pl->used : pl->per_slab;
                for (size_t r = 0; r < used && i < n; r++) {
                    struct flow *f = pool_rec(s, pl, r);
                    if (f->id)
                        all[by_index ? (size_t)(f->id - lo) : i++] = f;
                }
            }
        }
        if (!by_index)
            qsort(all, i, sizeof *all, cmp_id);
        ft->finishing = true;
        for (size_t j = 0; j < slots; j++)
            if (all[j])
                flow_end(ft, all[j], closed_reason(all[j], FLOW_END_shutdown));
        free(all);
        memset(ft->list, 0, sizeof ft->list);   /* every flow has ended */
    }
    ft->finishing = false;
    for (int c = 0; c < TMO_MAX; c++)      /* only if the table could not be had */
        while (ft->list[c].head)
            flow_end(ft, ft->list[c].head, closed_reason(ft->list[c].head, FLOW_END_shutdown));
    for (int k = 0; k < 2; k++) {
        struct flow_pool *pl = &ft->pool[k];
        for (struct flow_slab *s = pl->slabs, *next; s; s = next) {
            next = s->next;
            UNPOISON(s->data, pl->per_slab * pl->rec_size);
            huge_free(s, HUGEMEM_PAGE);
        }
        pl->slabs = NULL;
        pl->free = NULL;
    }
    huge_free(ft->bucket, ft->nbucket * sizeof *ft->bucket);
    ft->bucket = NULL;
}

static bool well_known(uint16_t port)
{
    return port != 0 && port < 1024;
}

static struct flow *flow_new(struct flow_table *ft, const struct flow_key *k, size_t b,
                             const struct pkt *p, uint8_t src_side)
{
    bool tcp = p->proto == IPPROTO_NUM_TCP;
    size_t size = ft->pool[tcp].rec_size;
    while (ft->stats->flow.memuse + size > ft->lim.memcap)
        if (!evict_one(ft)) {
            ft->stats->flow.nomem++;
            return NULL;
        }
    struct flow *f = flow_alloc(ft, tcp);
    if (f)
        memset(f, 0, size);
    if (!f) {
        ft->stats->flow.nomem++;
        return NULL;
    }
    f->key = *k;
    f->id = ft->next_id++;
    f->first_us = f->last_us = f->queued_us = p->ts_us;
    /* Who started it: the SYN's sender; the SYN/ACK's receiver; otherwise the first sender,
     * unless it sends from a well-known port to an ephemeral one (a reply seen first). */
    bool src_is_client = true;
    bool icmp6 = p->proto == IPPROTO_NUM_ICMPV6;
    if (p->proto == IPPROTO_NUM_TCP && (p->tcp_flags & TCP_SYN))
        src_is_client = !(p->tcp_flags & TCP_ACK);
    else if (p->proto == IPPROTO_NUM_ICMP || icmp6)
        src_is_client = !icmp_is_echo_reply(p->icmp_type, icmp6);  /* the pinger is the client */
    else if (well_known(p->sport) && !well_known(p->dport) && p->dport != 0)
        src_is_client = false;
    f->client_side = src_is_client ? src_side : !src_side;
    if (p->proto == IPPROTO_NUM_TCP && (p->tcp_flags & TCP_SYN)) {
        f->tmo = TMO_TCP_NEW;
        f->tcp_state = TCPS_SYN_SENT;
    } else if (p->proto == IPPROTO_NUM_TCP) {
        /* no handshake seen: picked up in the middle (or only its last packets) */
        f->tmo = TMO_TCP_EST;
        f->tcp_state = TCPS_ESTABLISHED;
        f->midstream = true;
        ft->stats->stream.midstream++;
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
    stats_mem_add(&ft->stats->flow.memuse, &ft->stats->flow.memuse_peak, size);
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

void flow_lookup_key(const struct pkt *p, struct flow_lookup *lk)
{
    lk->hash = key_of(p, &lk->key, &lk->side);
}

void flow_table_prefetch_bucket(const struct flow_table *ft, const struct flow_lookup *lk)
{
    __builtin_prefetch(&ft->bucket[lk->hash & (ft->nbucket - 1)]);
}

void flow_table_prefetch_flow(const struct flow_table *ft, const struct flow_lookup *lk)
{
    const struct flow *f = ft->bucket[lk->hash & (ft->nbucket - 1)];
    /* every line of the record: TCP state sits in the later ones; a shorter record of
     * another protocol is followed by someone else's */
    size_t size = ft->pool[lk->key.proto == IPPROTO_NUM_TCP].rec_size;
    if (f)
        for (size_t off = 0; off < size; off += 64)
            __builtin_prefetch((const char *)f + off);
}

struct flow *flow_table_packet(struct flow_table *ft, const struct pkt *p, enum flow_dir *dirp)
{
    struct flow_lookup lk;
    flow_lookup_key(p, &lk);
    return flow_table_packet_keyed(ft, p, &lk, dirp);
}

struct flow *flow_table_packet_keyed(struct flow_table *ft, const struct pkt *p,
                                     const struct flow_lookup *lk, enum flow_dir *dirp)
{
    const struct flow_key *kp = &lk->key;
    uint8_t side = lk->side;
    size_t b = lk->hash & (ft->nbucket - 1);
    struct flow *f = ft->bucket[b];
    while (f && !key_eq(&f->key, kp))
        f = f->hnext;
    if (f && is_port_reuse(f, p, side == f->client_side ? DIR_TOSERVER : DIR_TOCLIENT)) {
        ft->stats->flow.port_reuse++;
        flow_end(ft, f, closed_reason(f, FLOW_END_timeout));
        f = NULL;
    }
    if (!f) {
        f = flow_new(ft, kp, b, p, side);
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
        bool was_closed = f->tcp_state == TCPS_CLOSED;
        tcp_track(f, dir, p);
        tcp_stream_packet(ft, f, dir, p);
        if (!was_closed && f->tcp_state == TCPS_CLOSED && ft->on_close)
            ft->on_close(ft->ctx, f);       /* the conversation is over; the record lingers */
    }
    /* Refresh the flow's place: the tail of its (possibly new) class list. */
    enum flow_tmo t = tmo_of(f);
    if (t != f->tmo || f->last_us - f->queued_us >= FLOW_REQUEUE_US) {
        list_unlink(ft, f);
        f->tmo = (uint8_t)t;
        f->queued_us = f->last_us;
        list_append(ft, f);
    }
    return f;
}
