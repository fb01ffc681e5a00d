/* SPDX-License-Identifier: MIT
 * flow.h — the bidirectional flow table and the per-direction TCP reassembly that hangs off
 * each TCP flow. A flow is keyed on the 5-tuple; the initiator (client) is decided from the
 * first packets (SYN sender, SYN/ACK receiver, else the first sender unless the port pattern
 * says the server spoke first). Time is packet time only. */
#ifndef BW_FLOW_H
#define BW_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "util/stats.h"

enum flow_dir { DIR_TOSERVER = 0, DIR_TOCLIENT = 1 };

/* Inline mode (botwatch inline): what happens to a flow's packets from now on. A rule's
 * action sets it; PASS exempts the flow from later drops. */
enum flow_verdict { VERDICT_ACCEPT = 0, VERDICT_DROP, VERDICT_REJECT, VERDICT_PASS };

enum tcp_state {
    TCPS_NONE = 0,     /* not TCP */
    TCPS_SYN_SENT,     /* SYN from the client seen */
    TCPS_SYN_RECV,     /* SYN/ACK from the server seen */
    TCPS_ESTABLISHED,  /* handshake completed, or picked up midstream with data */
    TCPS_CLOSING,      /* a FIN in one direction */
    TCPS_CLOSED,       /* FINs both ways, or a reset */
};

/* Timeout classes: each has one idle timeout and one list in order of last activity, so the
 * head of each list is the next flow of that class to time out. A busy flow is moved to its
 * list's tail at most once per second of packet time (FLOW_REQUEUE_US): moving it on every
 * packet touches three flows' cache lines, and expiry is checked once a second anyway. */
enum flow_tmo {
    TMO_TCP_NEW,       /* handshake not complete */
    TMO_TCP_EST,
    TMO_TCP_CLOSING,
    TMO_TCP_CLOSED,    /* linger after FINs/RST for the last ACKs and retransmissions */
    TMO_UDP,
    TMO_OTHER,         /* ICMP, ICMPv6, other IP protocols */
    TMO_MAX
};

extern const char *const flow_tmo_name[TMO_MAX];

struct flow_key {
    uint8_t addr[2][16];   /* side 0 is the lower (address, port) of the two */
    uint16_t port[2];
    uint8_t proto, family;
    uint8_t pad[2];        /* zero: the key is hashed and compared as bytes */
};

struct stream_seg;

/* One direction of a TCP stream. Sequence numbers compare modulo 2^32 (RFC 1982). */
struct tcp_half {
    uint32_t isn;          /* initial sequence number, if a SYN was seen */
    uint32_t next_seq;     /* the next byte to deliver */
    uint32_t fin_seq;      /* sequence number of the FIN, if seen */
    uint32_t acked;        /* the peer has acknowledged everything before this */
    uint32_t ooo_bytes;
    uint16_t ring_cap;     /* at most 2 KiB */
    uint16_t ring_fill, ring_head;
    bool syn_seen : 1, base_set : 1, fin_seen : 1, depth_hit : 1, acked_set : 1;
    /* per-flow counters for the flow event */
    uint32_t gaps, overlaps, overlaps_differ, retransmissions;
    uint32_t gap_bytes;    /* saturates at 4 GiB */
    uint64_t delivered;    /* bytes delivered in order */
    struct stream_seg *ooo;/* segments held ahead of a hole, sorted, never overlapping */
    uint8_t *ring;         /* the last delivered bytes (up to 2 KiB), to compare retransmissions;
                              returned whenever everything delivered is acknowledged */
};

/* Field order matters: a lookup reads hnext and key, and every packet updates last_us, so
 * those share the first 64-byte cache line (flows are allocated 64-byte aligned). */
struct flow {
    _Alignas(64) struct flow *hnext; /* hash chain; records fill whole cache lines */
    struct flow_key key;
    uint64_t last_us;
    uint64_t queued_us;              /* last_us when last placed at its list's tail */
    /* second line: per-packet counters and state */
    uint64_t pkts[2], bytes[2];      /* by enum flow_dir */
    uint8_t client_side;             /* which key side is the client */
    uint8_t tmo;                     /* enum flow_tmo */
    uint8_t tcp_state;               /* enum tcp_state */
    uint8_t end;                     /* enum flow_end, once ended */
    uint8_t rst_by;                  /* 0, or 1 + the enum flow_dir of the RST's sender */
    uint8_t tcp_flags[2];            /* OR of every TCP flag byte, by direction */
    uint8_t icmp_type, icmp_code;    /* of the first ICMP packet */
    bool payload_seen, midstream;
    bool app_unusual_port;           /* identified on a port not usual for the protocol */
    uint8_t verdict;                 /* enum flow_verdict: what inline mode does with it */
    uint16_t app_sample_bytes;       /* unknown flows: the entropy below is over this many */
    struct flow *prev, *next;        /* timeout-class list, least recently active first */
    uint64_t id;                     /* 1, 2, 3 ... in order of creation */
    uint64_t first_us;
    /* application layer (proto/registry.c) */
    void *app;                       /* identification state while undecided */
    uint8_t app_proto;               /* enum proto_id; 0 until decided */
    uint8_t app_tunnel;              /* enum proto_id carried inside (a proxy's tunnel), or 0 */
    uint16_t app_entropy_x100;       /* unknown flows: bits per byte of the first bytes x 100 */
    uint32_t related_back;           /* id minus the related flow's id (an FTP data
                                        connection's control flow), 0 if none */
    void *rules_state;               /* the rule engine's (rules/match.c), NULL until it
                                        needs some; cleared when the rules are replaced */
    /* TCP only, by enum flow_dir (the sender's direction); records of other protocols end
     * here and are shorter (flow_table.c: FLOW_SMALL_SIZE), so never touch it for them. */
    struct tcp_half half[2];
};

/* Called for every flow as it ends, before it is freed. The flow's memory is the table's. */
typedef void (*flow_end_fn)(void *ctx, struct flow *f);

/* Delivery of reassembled bytes to the layer above: data in order; data == NULL means a gap of
 * len bytes that were never seen (no bytes are invented). The bytes are valid during the call. */
typedef void (*stream_deliver_fn)(void *ctx, struct flow *f, enum flow_dir dir,
                                  const uint8_t *data, size_t len);

struct flow_limits {
    uint64_t memcap;                 /* bytes of flow records */
    uint64_t timeout_us[TMO_MAX];
};

struct stream_limits {
    uint64_t depth;                  /* bytes delivered per direction per flow; 0 = no limit */
    uint64_t ooo_max;                /* bytes held out of order per direction per flow */
    uint64_t memcap;                 /* bytes held by all streams (out-of-order + windows) */
};

struct flow_list {
    struct flow *head, *tail;
};

struct flow_slab;
struct flow_table {
    struct flow **bucket;
    size_t nbucket;
    struct flow_list list[TMO_MAX];
    struct flow_limits lim;
    struct stream_limits slim;
    struct bw_stats *stats;
    uint64_t next_id;
    flow_end_fn on_end;
    flow_end_fn on_close;    /* optional: a TCP flow just closed (FINs both ways or RST) */
    stream_deliver_fn deliver;
    void *ctx;
    bool finishing;          /* flow_table_finish: flows are not unlinked one by one */
    /* Flow records come from slabs, never returned before the end: pool 0 holds records
     * without the TCP halves (UDP, ICMP, other: 192 bytes), pool 1 full TCP records. */
    struct flow_pool {
        struct flow_slab *slabs;
        struct flow *free;   /* chained through hnext */
        size_t used;         /* records handed out from the newest slab */
        size_t rec_size, per_slab;
    } pool[2];
};

/* Defaults an analyst would expect (Suricata's order of magnitude). */
void flow_limits_default(struct flow_limits *fl, struct stream_limits *sl);

int flow_table_init(struct flow_table *ft, const struct flow_limits *lim,
                    const struct stream_limits *slim, struct bw_stats *stats,
                    flow_end_fn on_end, stream_deliver_fn deliver, void *ctx);
/* Ends every flow still open (reason shutdown, or fin/rst when they had closed), in flow id
 * order, then frees the table. */
void flow_table_finish(struct flow_table *ft);

/* Finds or creates the flow of a decoded packet, accounts the packet, advances TCP state and
 * feeds TCP payload to reassembly. Returns NULL only when no flow could be had (memcap with
 * nothing to evict, or out of memory), which is counted. */
struct flow *flow_table_packet(struct flow_table *ft, const struct pkt *p, enum flow_dir *dir);

/* The same in two steps, so a caller that sees packets ahead can prefetch: flow_lookup_key
 * computes the key and its hash; flow_table_prefetch_bucket / _flow pull the bucket and the
 * first flow of its chain into cache; flow_table_packet_keyed does the work. */
struct flow_lookup {
    struct flow_key key;
    uint64_t hash;
    uint8_t side;
};
void flow_lookup_key(const struct pkt *p, struct flow_lookup *lk);
void flow_table_prefetch_bucket(const struct flow_table *ft, const struct flow_lookup *lk);
void flow_table_prefetch_flow(const struct flow_table *ft, const struct flow_lookup *lk);
struct flow *flow_table_packet_keyed(struct flow_table *ft, const struct pkt *p,
                                     const struct flow_lookup *lk, enum flow_dir *dir);

/* Ends flows idle past their class's timeout at packet time now_us. */
void flow_table_expire(struct flow_table *ft, uint64_t now_us);
/* Calls fn for every flow in the table. */
void flow_table_each(struct flow_table *ft, void (*fn)(void *ctx, struct flow *f), void *ctx);

/* tcp_stream.c */
void tcp_stream_packet(struct flow_table *ft, struct flow *f, enum flow_dir dir,
                       const struct pkt *p);
/* Delivers what is held out of order, with gaps for the holes; called when a flow ends. */
void tcp_stream_flush(struct flow_table *ft, struct flow *f);
void tcp_stream_release(struct flow_table *ft, struct flow *f);

#endif
