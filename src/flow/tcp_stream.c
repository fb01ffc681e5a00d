/* SPDX-License-Identifier: MIT
 * tcp_stream.c — per-direction TCP reassembly (RFC 9293 3.4, 3.10.7): in-order delivery to
 * the layer above, with
 *   - retransmissions and overlaps: the first copy of a byte wins (Snort's "first" policy);
 *     re-sent bytes are compared with what was delivered or queued, and a difference is counted
 *     (overlapping segments with different bytes are the classic IDS evasion, Ptacek & Newsham);
 *   - out-of-order segments held in a sorted, non-overlapping list until the hole fills;
 *   - gaps: a hole is given up on when the receiver acknowledges past it (the capture missed
 *     the bytes), when the per-flow out-of-order cap is reached, or when the flow ends; it is
 *     delivered as an explicit gap (data == NULL), never as invented bytes;
 *   - midstream pickup: the first data seen sets the base when no SYN was seen;
 *   - a per-direction delivery depth and a global memory cap, both counted. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "util/pool.h"

enum {
    STREAM_RING = 2048,           /* delivered bytes kept to compare retransmissions with */
    STREAM_RING_MIN = 64,         /* first window size; both are powers of two */
    SEQ_SANE_WINDOW = 1 << 30,    /* an ACK further ahead than this is bogus, not a gap */
};

struct stream_seg {
    struct stream_seg *next;
    uint32_t seq, len;
    uint8_t data[];
};

static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

static bool mem_take(struct flow_table *ft, size_t n)
{
    struct bw_stats *s = ft->stats;
    if (s->stream.memuse + n > ft->slim.memcap)
        return false;
    stats_mem_add(&s->stream.memuse, &s->stream.memuse_peak, n);
    return true;
}

static void mem_give(struct flow_table *ft, size_t n)
{
    ft->stats->stream.memuse -= n;
}

/* Keeps the tail of what was just delivered, for retransmission comparisons. The window
 * starts small and doubles with the data up to STREAM_RING, so the many flows that carry a
 * few hundred bytes cost a few hundred bytes. */
static void ring_put(struct flow_table *ft, struct tcp_half *h, const uint8_t *d, size_t n)
{
    if (n > STREAM_RING) {
        d += n - STREAM_RING;
        n = STREAM_RING;
    }
    if (h->ring_fill + n > h->ring_cap && h->ring_cap < STREAM_RING) {
        uint32_t cap = h->ring_cap ? h->ring_cap : STREAM_RING_MIN;
        while (cap < h->ring_fill + n && cap < STREAM_RING)
            cap *= 2;
        bool took = mem_take(ft, cap);
        uint8_t *nr = took ? pool_get(cap) : NULL;
        if (!nr) {                           /* the cap or no memory: keep what there is */
            if (took)
                mem_give(ft, cap);
            if (h->ring_cap == 0)
                return;                      /* no window: retransmissions go unchecked */
        } else {
            if (h->ring) {                   /* the kept bytes, oldest first, to the start */
                uint32_t fill = h->ring_fill, oc = h->ring_cap;
                uint32_t start = (h->ring_head + oc - fill) & (oc - 1);
                uint32_t first = oc - start < fill ? oc - start : fill;
                memcpy(nr, h->ring + start, first);
                memcpy(nr + first, h->ring, fill - first);
                pool_put(h->ring, oc);
                mem_give(ft, oc);
            }
            h->ring = nr;
            h->ring_head = (uint16_t)(h->ring_fill & (cap - 1));
            h->ring_cap = (uint16_t)cap;      /* at most STREAM_RING */
        }
    }
    uint32_t cap = h->ring_cap;
    if (n > cap) {
        d += n - cap;
        n = cap;
    }
    size_t first = cap - h->ring_head;
    if (first > n)
        first = n;
    memcpy(h->ring + h->ring_head, d, first);
    memcpy(h->ring, d + first, n - first);
    h->ring_head = (uint16_t)((h->ring_head + n) & (cap - 1));
    h->ring_fill = (uint16_t)(h->ring_fill + n > cap ? cap : h->ring_fill + n);
}

/* Compares re-sent bytes [seq, seq+len), all before next_seq, with the delivered copy.
 * Returns 1 if any byte differs, 0 if all compared equal, -1 if some were too old to check.
 * Bytes the receiver has acknowledged are not compared: it will not take a second copy of
 * them, so a different one deceives nobody (and is not worth keeping a window for). */
static int ring_cmp(const struct tcp_half *h, uint32_t seq, const uint8_t *d, uint32_t len)
{
    if (h->acked_set && seq_diff(h->acked, seq) > 0) {
        uint32_t done = h->acked - seq;
        if (done >= len)
            return 0;
        seq += done;
        d += done;
        len -= done;
    }
    uint32_t back = h->next_seq - seq;        /* >= len */
    uint32_t skip = 0;
    int res = 0;
    if (back > h->ring_fill) {
        skip = back - h->ring_fill < len ? back - h->ring_fill : len;
        res = -1;
    }
    for (uint32_t i = skip; i < len; i++) {
        uint32_t dist = back - i;             /* 1..ring_fill bytes before next_seq */
        uint32_t at = (h->ring_head + h->ring_cap - dist) & (h->ring_cap - 1);
        if (h->ring[at] != d[i])
            return 1;
    }
    return res;
}

static void deliver(struct flow_table *ft, struct flow *f, enum flow_dir dir,
                    const uint8_t *d, uint32_t n)
{
    struct tcp_half *h = &f->half[dir];
    h->next_seq += n;
    if (h->depth_hit) {
        ft->stats->stream.depth_bytes += n;
        return;
    }
    uint64_t depth = ft->slim.depth;
    if (depth && h->delivered + n > depth) {
        uint32_t keep = (uint32_t)(depth - h->delivered);
        ft->stats->stream.depth_bytes += n - keep;
        ft->stats->stream.depth_reached++;
        h->depth_hit = true;
        n = keep;
    }
    if (n == 0)
        return;
    if (ft->deliver)
        ft->deliver(ft->ctx, f, dir, d, n);
    h->delivered += n;
    ft->stats->stream.delivered_bytes += n;
    ring_put(ft, h, d, n);
}

/* Gives up on the hole before the first held segment, or before `upto` if sooner. */
static void gap(struct flow_table *ft, struct flow *f, enum flow_dir dir, uint32_t len)
{
    struct tcp_half *h = &f->half[dir];
    h->gaps++;
    h->gap_bytes = h->gap_bytes > UINT32_MAX - len ? UINT32_MAX : h->gap_bytes + len;
    ft->stats->stream.gaps++;
    ft->stats->stream.gap_bytes += len;
    h->next_seq += len;
    h->ring_fill = 0;                        /* the kept window is no longer contiguous */
    if (!h->depth_hit && ft->deliver)
        ft->deliver(ft->ctx, f, dir, NULL, len);
}

static void seg_free(struct flow_table *ft, struct tcp_half *h, struct stream_seg *s)
{
    h->ooo_bytes -= s->len;
    mem_give(ft, sizeof *s + s->len);
    free(s);
}

/* Delivers held segments that have become contiguous with next_seq. */
static void drain(struct flow_table *ft, struct flow *f, enum flow_dir dir)
{
    struct tcp_half *h = &f->half[dir];
    struct stream_seg *s;
    while ((s = h->ooo) && seq_diff(s->seq, h->next_seq) <= 0) {
        h->ooo = s->next;
        uint32_t done = h->next_seq - s->seq;
        if (done < s->len)
            deliver(ft, f, dir, s->data + done, s->len - done);
        seg_free(ft, h, s);
    }
}

/* Queues the parts of [seq, seq+len) not already held; overlaps are compared. Sets *overlap and
 * *differ. seq is at or after next_seq. */
static void hold(struct flow_table *ft, struct tcp_half *h, uint32_t seq, const uint8_t *d,
                 uint32_t len, bool *overlap, bool *differ)
{
    uint32_t base = h->next_seq;
    uint32_t from = seq - base, to = from + len, cur = from;   /* offsets from next_seq */
    struct stream_seg **pp = &h->ooo;
    while (cur < to) {
        struct stream_seg *s = *pp;
        uint32_t soff = s ? s->seq - base : to, send = s ? soff + s->len : to;
        if (s && send <= cur) {
            pp = &s->next;
            continue;
        }
        uint32_t hole_end = soff < to ? soff : to;
        if (soff > cur) {                    /* a hole: queue our bytes for it */
            uint32_t n = hole_end - cur;
            if (!mem_take(ft, sizeof(struct stream_seg) + n)) {
                ft->stats->stream.memcap_drop++;
                return;
            }
            struct stream_seg *ns = malloc(sizeof *ns + n);
            if (!ns) {
                mem_give(ft, sizeof *ns + n);
                ft->stats->stream.memcap_drop++;
                return;
            }
            ns->seq = base + cur;
            ns->len = n;
            memcpy(ns->data, d + (cur - from), n);
            ns->next = s;
            *pp = ns;
            pp = &ns->next;
            h->ooo_bytes += n;
            cur = hole_end;
            continue;
        }
        /* s covers cur: the held copy wins; compare */
        uint32_t oend = send < to ? send : to;
        *overlap = true;
        if (memcmp(s->data + (cur - soff), d + (cur - from), oend - cur) != 0)
            *differ = true;
        cur = oend;
        pp = &s->next;
    }
}

static void data_segment(struct flow_table *ft, struct flow *f, enum flow_dir dir,
                         uint32_t seq, const uint8_t *d, uint32_t len)
{
    struct tcp_half *h = &f->half[dir];
    struct bw_stats *st = ft->stats;
    bool overlap = false, differ = false, unchecked = false;

    if (h->depth_hit) {                      /* past the depth: only keep counting */
        int32_t ahead = seq_diff(seq + len, h->next_seq);
        if (ahead > 0 && ahead <= SEQ_SANE_WINDOW) {
            st->stream.depth_bytes += (uint32_t)ahead < len ? (uint32_t)ahead : len;
            h->next_seq = seq + len;
        }
        return;
    }
    int32_t rel = seq_diff(seq, h->next_seq);
    if (rel > SEQ_SANE_WINDOW || rel < -SEQ_SANE_WINDOW) {  /* nowhere near: bogus, ignored */
        st->stream.bogus_seq++;
        return;
    }
    if (rel < 0) {                           /* starts with bytes already delivered */
        uint32_t old = (uint32_t)-rel < len ? (uint32_t)-rel : len;
        /* a 1-byte keep-alive probe re-sends the last byte with any value: not evasion */
        bool keepalive = len == 1 && old == 1 && seq == h->next_seq - 1;
        int c = keepalive ? 0 : ring_cmp(h, seq, d, old);
        if (c > 0)
            differ = true;
        else if (c < 0)
            unchecked = true;
        if (old == len) {
            st->stream.retransmissions++;
            h->retransmissions++;
            if (differ) {
                h->overlaps++;
                h->overlaps_differ++;
                st->stream.overlaps++;
                st->stream.overlaps_differ++;
            }
            return;
        }
        overlap = true;
        seq += old;
        d += old;
        len -= old;
    }
    if (seq == h->next_seq) {                /* in order: deliver up to the first held segment */
        uint32_t n = len;
        if (h->ooo && seq_diff(h->ooo->seq, seq) < (int32_t)n)
            n = (uint32_t)seq_diff(h->ooo->seq, seq);
        deliver(ft, f, dir, d, n);
        seq += n;
        d += n;
        len -= n;
    } else {
        st->stream.segments_ooo++;
    }
    if (len)
        hold(ft, h, seq, d, len, &overlap, &differ);
    if (h->ooo)
        drain(ft, f, dir);
    while (h->ooo && h->ooo_bytes > ft->slim.ooo_max) {   /* cap: give up on the first hole */
        st->stream.ooo_cap++;
        gap(ft, f, dir, h->ooo->seq - h->next_seq);
        drain(ft, f, dir);
    }
    if (overlap) {
        h->overlaps++;
        st->stream.overlaps++;
    }
    if (differ) {
        h->overlaps_differ++;
        st->stream.overlaps_differ++;
    }
    if (unchecked)
        st->stream.overlaps_unchecked++;
}

static void ring_release(struct flow_table *ft, struct tcp_half *h)
{
    if (h->ring) {
        pool_put(h->ring, h->ring_cap);
        h->ring = NULL;
        mem_give(ft, h->ring_cap);
        h->ring_cap = h->ring_fill = h->ring_head = 0;
    }
}

/* The peer acknowledged `ack`: bytes before it that we never saw were lost by the capture. */
static void acked(struct flow_table *ft, struct flow *f, enum flow_dir dir, uint32_t ack)
{
    struct tcp_half *h = &f->half[dir];
    if (!h->base_set)
        return;
    if (!h->acked_set || (seq_diff(ack, h->acked) > 0 && seq_diff(ack, h->next_seq) <= 1)) {
        h->acked = ack;
        h->acked_set = true;
        /* Everything delivered is acknowledged (up to and with the FIN, or simply all of it):
         * re-sent copies of those bytes are never compared, so the window can go back to the
         * pool until more data comes. A request/response flow holds a window only while an
         * answer is in flight, not for its whole life. */
        if ((h->fin_seen && h->next_seq == h->fin_seq && ack == h->fin_seq + 1) ||
            (ack == h->next_seq && !h->ooo))
            ring_release(ft, h);
    }
    if (h->depth_hit)
        return;
    int32_t ahead = seq_diff(ack, h->next_seq);
    if (ahead <= 0 || ahead > SEQ_SANE_WINDOW)
        return;
    uint32_t upto = h->next_seq + (uint32_t)ahead;
    if (h->fin_seen && seq_diff(upto, h->fin_seq) > 0)
        upto = h->fin_seq;
    while (seq_diff(upto, h->next_seq) > 0) {
        uint32_t n = upto - h->next_seq;
        if (h->ooo && seq_diff(h->ooo->seq, h->next_seq) < (int32_t)n)
            n = h->ooo->seq - h->next_seq;
        if (n == 0)
            break;                           /* cannot happen after drain; never loop */
        gap(ft, f, dir, n);
        drain(ft, f, dir);
    }
}

void tcp_stream_packet(struct flow_table *ft, struct flow *f, enum flow_dir dir,
                       const struct pkt *p)
{
    struct tcp_half *h = &f->half[dir];
    uint8_t fl = p->tcp_flags;
    uint32_t seq = p->tcp_seq;
    if (fl & TCP_SYN) {
        if (!h->syn_seen) {
            h->syn_seen = true;
            h->isn = seq;
        }
        if (!h->base_set) {
            h->base_set = true;
            h->next_seq = seq + 1;
        }
        seq++;                               /* data on a SYN starts after it */
    }
    if ((fl & TCP_ACK) && !(fl & TCP_RST))
        acked(ft, f, !dir, p->tcp_ack);
    uint32_t len = p->payload_len;
    if (len && (fl & TCP_RST))
        len = 0;                             /* text in a reset is not stream data */
    if (len && !h->base_set) {               /* no SYN seen: pick the stream up here */
        h->base_set = true;
        h->next_seq = seq;
    }
    if (fl & TCP_FIN)
        h->fin_seq = seq + len;
    if (len)
        data_segment(ft, f, dir, seq, p->payload, len);
}

void tcp_stream_flush(struct flow_table *ft, struct flow *f)
{
    if (f->key.proto != IPPROTO_NUM_TCP)
        return;
    for (int dir = 0; dir < 2; dir++) {
        struct tcp_half *h = &f->half[dir];
        while (h->ooo) {
            gap(ft, f, (enum flow_dir)dir, h->ooo->seq - h->next_seq);
            drain(ft, f, (enum flow_dir)dir);
        }
    }
}

void tcp_stream_release(struct flow_table *ft, struct flow *f)
{
    if (f->key.proto != IPPROTO_NUM_TCP)
        return;                              /* a short record: it has no halves */
    for (int dir = 0; dir < 2; dir++) {
        struct tcp_half *h = &f->half[dir];
        while (h->ooo) {
            struct stream_seg *s = h->ooo;
            h->ooo = s->next;
            seg_free(ft, h, s);
        }
        ring_release(ft, h);
    }
}
