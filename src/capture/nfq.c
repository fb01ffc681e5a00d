/* SPDX-License-Identifier: MIT
 * nfq.c — inline mode through libnetfilter_queue. Each queued packet (an IP packet, no link
 * header) goes through the engine at once (no look-ahead), then gets its flow's verdict:
 * accept unless a rule marked the flow drop or reject (the rest of the flow goes the same
 * way). A reject is dropped here and answered by the rule engine's reset. The kernel's
 * fail-open flag (--fail-open) accepts packets when the queue is full instead of dropping
 * them; the iptables/nft rule's bypass option (docs/inline.md) accepts them when nothing is
 * bound to the queue, i.e. when botwatch is not running. */
#include "capture/nfq.h"

#include <errno.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libnetfilter_queue/libnetfilter_queue.h>
#include <pcap/dlt.h>

#include "capture/reject.h"
#include "capture/signals.h"

enum { NFQ_COPY = 0xffff, NFQ_RCVBUF = 8 << 20 };

struct nfq_ctx {
    struct engine *e;
    struct nfq_stats *st;
    struct reject_sock rej;
};

static uint64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
                     void *data)
{
    (void)msg;
    struct nfq_ctx *c = data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (!ph)
        return 0;
    uint32_t id = ntohl(ph->packet_id);
    unsigned char *pkt;
    int len = nfq_get_payload(nfa, &pkt);
    struct timeval tv;
    uint64_t ts = nfq_get_timestamp(nfa, &tv) == 0
                      ? (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec : wall_us();
    enum flow_verdict v = VERDICT_ACCEPT;
    c->st->packets++;
    if (len > 0) {
        engine_packet(c->e, DLT_RAW, ts, (uint32_t)len, (uint32_t)len, pkt);
        v = engine_verdict(c->e);
    }
    uint32_t nf = NF_ACCEPT;
    if (v == VERDICT_DROP) {
        nf = NF_DROP;
        c->st->dropped++;
    } else if (v == VERDICT_REJECT) {
        nf = NF_DROP;
        c->st->rejected++;
        if (len > 0)
            c->st->resets_sent += reject_send(&c->rej, pkt, (size_t)len);
    } else {
        c->st->accepted++;
    }
    if (nfq_set_verdict(qh, id, nf, 0, NULL) < 0)
        c->st->verdict_errors++;
    return 0;
}

enum bw_status capture_nfq(struct engine *e, const struct nfq_opts *o, struct nfq_stats *st,
                           struct bw_diag *d)
{
    memset(st, 0, sizeof *st);
    struct nfq_handle *h = nfq_open();
    if (!h) {
        snprintf(d->msg, sizeof d->msg, "cannot open netfilter queue: %s (root or "
                 "CAP_NET_ADMIN needed)", strerror(errno));
        return BW_E_IO;
    }
    struct nfq_ctx c = { e, st, { -1, -1 } };
    if (reject_open(&c.rej) != 0)
        fprintf(stderr, "inline: cannot open raw sockets: reject rules will only drop\n");
    struct nfq_q_handle *qh = nfq_create_queue(h, o->queue, on_packet, &c);
    if (!qh) {
        snprintf(d->msg, sizeof d->msg, "cannot bind queue %u: %s (is another program bound "
                 "to it?)", o->queue, strerror(errno));
        nfq_close(h);
        return BW_E_IO;
    }
    enum bw_status rc = BW_OK;
    if (nfq_set_mode(qh, NFQNL_COPY_PACKET, NFQ_COPY) < 0) {
        snprintf(d->msg, sizeof d->msg, "queue %u: cannot ask for packet copies: %s",
                 o->queue, strerror(errno));
        rc = BW_E_IO;
    }
    if (rc == BW_OK && o->maxlen && nfq_set_queue_maxlen(qh, o->maxlen) < 0) {
        snprintf(d->msg, sizeof d->msg, "queue %u: cannot set the maximum length: %s",
                 o->queue, strerror(errno));
        rc = BW_E_IO;
    }
    if (rc == BW_OK && o->fail_open &&
        nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN) < 0) {
        snprintf(d->msg, sizeof d->msg, "queue %u: the kernel refuses fail-open: %s",
                 o->queue, strerror(errno));
        rc = BW_E_IO;
    }
    int fd = nfq_fd(h);
    int rcvbuf = NFQ_RCVBUF;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
    if (rc == BW_OK) {
        signals_install(NULL, NULL);
        if (o->ready)
            o->ready(o->ready_ctx);
    }
    static char buf[NFQ_COPY + 4096] __attribute__((aligned));
    uint64_t start = wall_us(), next_stats = start + o->stats_interval_us;
    while (rc == BW_OK && !signals_stop_requested()) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        int n = poll(&pfd, 1, 200);
        if (n > 0) {
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r >= 0) {
                nfq_handle_packet(h, buf, (int)r);
            } else if (errno == ENOBUFS) {
                st->kernel_overruns++;        /* the kernel dropped (or, fail-open, passed) */
            } else if (errno != EINTR && errno != EAGAIN) {
                snprintf(d->msg, sizeof d->msg, "queue %u: %s", o->queue, strerror(errno));
                rc = BW_E_IO;
            }
        } else if (n < 0 && errno != EINTR) {
            snprintf(d->msg, sizeof d->msg, "queue %u: poll: %s", o->queue, strerror(errno));
            rc = BW_E_IO;
        }
        uint64_t now = wall_us();
        engine_tick(e, now);
        if (signals_take_reload() && o->reload)
            o->reload(o->reload_ctx);
        if (o->stats_interval_us && now >= next_stats) {
            fprintf(stderr, "inline: %" PRIu64 " packets: accepted %" PRIu64 ", dropped %" PRIu64
                    ", rejected %" PRIu64 "; kernel overruns %" PRIu64 "\n", st->packets,
                    st->accepted, st->dropped, st->rejected, st->kernel_overruns);
            engine_stats_event(e);
            next_stats = now + o->stats_interval_us;
        }
    }
    if (signals_stop_requested())
        fprintf(stderr, "inline: stopping: ending open flows and writing findings\n");
    signals_restore();
    nfq_destroy_queue(qh);
    nfq_close(h);
    reject_close(&c.rej);
    return rc;
}
