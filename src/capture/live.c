/* SPDX-License-Identifier: MIT
 * live.c — an interface through libpcap, continuously: the same engine as `scan`, with flows
 * expired on idle ticks as well as by arriving packets, statistics every interval (with the
 * kernel's drop counts from pcap_stats), a clean stop on SIGINT/SIGTERM that ends every open
 * flow and writes every finding, and SIGHUP to reload the detectors' configuration without
 * losing flow state. Root is needed only to open the interface (--user drops it after). */
#include "capture/live.h"
#include "capture/signals.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void wake(void *ctx)
{
    pcap_breakloop(ctx);                       /* safe from a signal handler (pcap(3PCAP)) */
}

static uint64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

struct live_ctx {
    struct engine *e;
    int dlt;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct live_ctx *c = (struct live_ctx *)user;
    uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
    engine_packet(c->e, c->dlt, ts, h->len, h->caplen, bytes);
}

static enum bw_status drop_root(const char *user, struct bw_diag *d)
{
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(d->msg, sizeof d->msg, "--user %s: no such user%s%s", user,
                 errno ? ": " : "", errno ? strerror(errno) : "");
        return BW_E_SYNTAX;
    }
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        snprintf(d->msg, sizeof d->msg, "--user %s: cannot drop privileges: %s", user,
                 strerror(errno));
        return BW_E_IO;
    }
    if (setuid(0) == 0) {                      /* must not be able to get root back */
        snprintf(d->msg, sizeof d->msg, "--user %s: root could be regained; refusing", user);
        return BW_E_IO;
    }
    return BW_OK;
}

static void kernel_stats(pcap_t *p)
{
    struct pcap_stat ps;
    if (pcap_stats(p, &ps) == 0)
        fprintf(stderr, "live: kernel received %u, dropped %u (buffer full), interface dropped "
                "%u\n", ps.ps_recv, ps.ps_drop, ps.ps_ifdrop);
}

enum bw_status capture_live(struct engine *e, const struct live_opts *o, struct bw_diag *d)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    d->file = o->iface;
    pcap_t *p = pcap_create(o->iface, err);
    if (!p) {
        snprintf(d->msg, sizeof d->msg, "%.64s: %.180s", o->iface, err);
        return BW_E_IO;
    }
    pcap_set_snaplen(p, 262144);
    pcap_set_promisc(p, o->promisc);
    pcap_set_timeout(p, LIVE_TICK_MS);
    pcap_set_immediate_mode(p, 1);            /* act on each packet, not on a full buffer */
    if (o->buffer_bytes)
        pcap_set_buffer_size(p, (int)o->buffer_bytes);
    int rc = pcap_activate(p);
    if (rc < 0) {
        snprintf(d->msg, sizeof d->msg, "%s: %s", o->iface,
                 rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc));
        pcap_close(p);
        return rc == PCAP_ERROR_NO_SUCH_DEVICE ? BW_E_SYNTAX : BW_E_IO;
    }
    if (o->bpf) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, o->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(d->msg, sizeof d->msg, "bad filter '%s': %s", o->bpf, pcap_geterr(p));
            pcap_close(p);
            return BW_E_SYNTAX;
        }
        rc = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (rc != 0) {
            snprintf(d->msg, sizeof d->msg, "%s: cannot set the filter: %s", o->iface,
                     pcap_geterr(p));
            pcap_close(p);
            return BW_E_IO;
        }
    }
    if (o->user) {
        enum bw_status st = drop_root(o->user, d);
        if (st != BW_OK) {
            pcap_close(p);
            return st;
        }
    }
    /* Wait with poll, read without blocking: a quiet interface still gets its idle ticks
     * (flow expiry, statistics, findings, SIGHUP) every LIVE_TICK_MS. */
    int fd = pcap_get_selectable_fd(p);
    if (fd >= 0 && pcap_setnonblock(p, 1, err) != 0)
        fd = -1;
    signals_install(wake, p);
    if (o->ready)
        o->ready(o->ready_ctx);
    struct live_ctx c = { e, pcap_datalink(p) };
    uint64_t start = wall_us(), next_stats = start + o->stats_interval_us;
    enum bw_status st = BW_OK;
    while (!signals_stop_requested()) {
        if (fd >= 0) {
            struct pollfd pfd = { fd, POLLIN, 0 };
            poll(&pfd, 1, LIVE_TICK_MS);         /* EINTR (a signal) is as good as a tick */
        }
        int n = pcap_dispatch(p, -1, on_packet, (u_char *)&c);
        if (n == PCAP_ERROR) {
            snprintf(d->msg, sizeof d->msg, "%s: %s", o->iface, pcap_geterr(p));
            st = BW_E_IO;
            break;
        }
        uint64_t now = wall_us();
        engine_tick(e, now);                  /* idle or not, time moves on */
        if (signals_take_reload()) {
            if (o->reload)
                o->reload(o->reload_ctx);
        }
        if (o->stats_interval_us && now >= next_stats) {
            kernel_stats(p);
            stats_print(stderr, &e->stats, (double)(now - start) / 1e6);
            engine_stats_event(e);
            next_stats = now + o->stats_interval_us;
        }
    }
    if (signals_stop_requested())
        fprintf(stderr, "live: stopping: ending open flows and writing findings\n");
    signals_restore();
    if (!o->quiet)
        kernel_stats(p);                      /* the rest follows from engine_finish */
    pcap_close(p);
    return st;
}
