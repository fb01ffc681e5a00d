/* SPDX-License-Identifier: MIT
 * proto.h — application protocols: identification by content on any port.
 * Each protocol is one file exporting one struct proto_desc; protocols.def lists them. A probe
 * looks at the first bytes of both directions and answers yes, no, or need more; the port only
 * orders the guesses, the bytes decide (IRC on port 80 is the founding case). */
#ifndef BW_PROTO_H
#define BW_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event/event.h"
#include "flow/flow.h"
#include "util/rd.h"

enum proto_id {
    PROTO_NONE = 0,        /* no payload seen: nothing to identify */
#define PROTO(id, name, desc) PROTO_##id,
#include "proto/protocols.def"
#undef PROTO
    PROTO_UNKNOWN,         /* payload seen, nothing matched */
    PROTO_MAX
};

/* PROBE_LIKELY: consistent so far but not proof (a NetBIOS session set up and nothing after
 * it yet); probing goes on, and the flow takes the first likely protocol only if nothing has
 * said yes when identification ends. */
enum probe_verdict { PROBE_NO, PROBE_NEED_MORE, PROBE_LIKELY, PROBE_YES };

enum { PT_TCP = 1, PT_UDP = 2 };

/* What a probe sees: the first bytes of each direction (by enum flow_dir), never more than
 * PROBE_BUF each; for UDP, the datagram at hand in its direction. */
struct probe_in {
    const uint8_t *data[2];
    size_t len[2];
    enum flow_dir dir;     /* the direction that just grew */
    bool tcp;
    bool midstream;        /* no handshake seen: the first bytes may start inside a message */
    uint16_t server_port;
};

typedef enum probe_verdict (*proto_probe_fn)(const struct probe_in *in);

/* For protocols either side may open with (TLS hellos, BitTorrent handshakes): yes if either
 * direction is sure, no if either rules it out, else wait. */
static inline enum probe_verdict probe_either(enum probe_verdict a, enum probe_verdict b)
{
    if (a == PROBE_YES || b == PROBE_YES)
        return PROBE_YES;
    if (a == PROBE_NO || b == PROBE_NO)
        return PROBE_NO;
    return PROBE_NEED_MORE;
}

enum { PROTO_MAX_PORTS = 8 };

/* A parser takes a decided flow's bytes: reassembled TCP in order (data == NULL: a gap of
 * len bytes that were never seen) and emits events to the sink. Its state (state_size bytes,
 * zeroed) lives from the decision to the end of the flow; fini is called at the end to
 * flush what is incomplete. Protocols without a parser yet leave parse NULL. */
typedef void (*proto_parse_fn)(struct app_sink *sink, const struct flow *f, void *state,
                               enum flow_dir dir, const uint8_t *data, size_t len);
typedef void (*proto_fini_fn)(struct app_sink *sink, const struct flow *f, void *state);

struct proto_desc {
    enum proto_id id;
    const char *name;
    uint8_t transports;                    /* PT_TCP | PT_UDP */
    uint16_t ports[PROTO_MAX_PORTS];       /* registered/usual server ports: order, not verdict */
    proto_probe_fn probe;
    size_t state_size;
    proto_parse_fn parse;
    proto_fini_fn fini;
    /* For protocols that carry others (proxies): the enum proto_id inside, 0 if not known. */
    uint8_t (*tunnel)(const void *state);
};

#define PROTO(id, name, desc) extern const struct proto_desc desc;
#include "proto/protocols.def"
#undef PROTO

extern const char *const proto_name[PROTO_MAX];

/* The protocol registered for a server port (first in protocols.def order), or PROTO_NONE. */
enum proto_id proto_by_port(uint16_t port, bool tcp);
/* True when port is one of p's usual server ports. */
bool proto_port_is_usual(enum proto_id p, uint16_t port);

/* ---- per-flow identification (registry.c) ---- */

enum { PROBE_BUF = 1024, PROBE_UDP_DATAGRAMS = 4 };

struct proto_stats {
    uint64_t flows[PROTO_MAX];   /* flows by identified protocol, counted when they end */
    uint64_t unusual_port;       /* identified on a port not usual for the protocol */
    uint64_t gave_up_gap;        /* identification stopped by a hole in the first bytes */
    uint64_t memuse, memuse_peak, memcap_drop;
    uint64_t parser_memcap_drop; /* decided flows left unparsed for want of memory */
    uint64_t events;             /* application events emitted */
    uint64_t expected, expect_matched, expect_dropped;  /* announced connections */
    uint64_t irc_overlong;       /* IRC lines cut at 512 bytes */
};

enum { PROTO_EXPECT_MAX = 64 };   /* connections announced and not yet seen */

struct proto_engine {
    struct proto_stats *stats;
    uint64_t memcap;             /* identification and parser state of all flows */
    struct app_sink *sink;       /* where parsers' events go (NULL: nowhere) */
    struct app_expect expect[PROTO_EXPECT_MAX];
    unsigned nexpect;
};

/* A parser's announcement of a connection to come (an FTP data connection); the oldest is
 * dropped (and counted) when the table is full. */
void proto_expect(struct proto_engine *pe, const struct app_expect *x);

/* Feeds payload of one direction: reassembled TCP bytes (data == NULL for a gap) or one UDP
 * datagram. Decides the flow's app_proto as soon as a probe says yes or all say no. */
void proto_flow_data(struct proto_engine *pe, struct flow *f, enum flow_dir dir,
                     const uint8_t *data, size_t len);
/* Decides a flow's protocol from context rather than its bytes (tests, fuzzing: each parser
 * is fuzzed alone this way). The flow must be undecided. */
void proto_flow_force(struct proto_engine *pe, struct flow *f, enum proto_id id);

/* The conversation is over (TCP closed): an undecided flow with payload becomes unknown
 * (with its entropy), the parser reports what it holds, and all state is freed. Later bytes
 * of the flow are not parsed. Idempotent. */
void proto_flow_close(struct proto_engine *pe, struct flow *f);
/* At the end of a flow: proto_flow_close, and the flow is counted by protocol. */
void proto_flow_end(struct proto_engine *pe, struct flow *f);

void proto_stats_print(FILE *out, const struct proto_stats *ps);

/* irc.c: splits one IRC line (without CR/LF) by the RFC 2812 grammar; slices borrow. */
void irc_parse_line(struct bytes line, struct irc_msg *m);

/* One-shot identification for bytes carried inside another protocol (a proxy's tunnel):
 * runs every probe on in; returns the protocol that said yes, PROTO_NONE while any still
 * needs more, PROTO_UNKNOWN when all said no. */
enum proto_id proto_identify(const struct probe_in *in);

/* bittorrent.c: names the client and version from h->peer_id (BEP 20 conventions). */
void bt_identify_client(struct bt_handshake *h);

/* Shannon entropy of a byte sample, in hundredths of a bit per byte (0..800). */
unsigned proto_entropy_x100(const uint8_t *p, size_t n);

#endif
