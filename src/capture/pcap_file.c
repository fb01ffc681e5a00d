/* SPDX-License-Identifier: MIT
 * pcap_file.c — one capture file through libpcap (pcap and pcapng; "-" is stdin), with an
 * optional BPF filter compiled for the file's link type, and a progress bar for long reads. */
#include "capture/pcap_file.h"
#include "capture/mapfile.h"

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum {
    PROGRESS_MIN_BYTES = 16 << 20,   /* smaller files finish before a bar is worth drawing */
    PROGRESS_EVERY_PKTS = 4096,      /* how often the clock is read */
    PROGRESS_WIDTH = 30,
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct progress {
    bool on;
    FILE *fp;
    const uint64_t *pos;   /* the direct reader's offset; NULL: ask the stream */
    double size, start, last;
    const char *name;
};

static void progress_draw(struct progress *pg, bool done)
{
    double t = now_s();
    if (!done && t - pg->last < 0.2)
        return;
    pg->last = t;
    long pos = pg->pos ? (long)*pg->pos : ftell(pg->fp);
    double frac = done ? 1.0 : (pos > 0 ? pos / pg->size : 0);
    if (frac > 1)
        frac = 1;
    int fill = (int)(frac * PROGRESS_WIDTH);
    double rate = t > pg->start ? frac * pg->size / (t - pg->start) / 1e6 : 0;
    fprintf(stderr, "\r%.40s [%.*s%*s] %3.0f%% %7.1f MB/s", pg->name, fill,
            "##############################", PROGRESS_WIDTH - fill, "", frac * 100, rate);
    if (done)
        fputs("\r\033[K", stderr);           /* clear the bar: the summary follows */
    fflush(stderr);
}

/* ---- classic pcap read straight from the mapping
 *
 * libpcap reads a frame by copying it from the stream's buffer (itself filled by a copy from
 * the file) into its own buffer, and the engine copies it again into its look-ahead window.
 * For the commonest input, a classic pcap file (version 2.4, this machine's byte order,
 * microsecond or nanosecond stamps, no FCS annotation), botwatch walks the records itself and
 * copies each frame once, from the mapping into the window. libpcap has still opened the
 * file (checked the header, compiled the filter, which pcap_offline_filter applies here), and
 * reads every other format. Records are taken exactly as libpcap 1.10's sf-pcap.c takes them:
 * a captured length above 262144 (its maximum for these link types) is an error; one above
 * the file's snapshot length is cut to it; a short header or frame is a truncated file; the
 * messages are libpcap's. tests/conformance/readers.py compares the two readers on every
 * fixture, damaged copies of them and the corpus (a file on stdin goes through libpcap). */
enum {
    PCAP_MAGIC_US = 0xa1b2c3d4, PCAP_MAGIC_NS = 0xa1b23c4d, PCAP_FILE_HDR = 24,
    PCAP_REC_HDR = 16, PCAP_MAX_CAPLEN = 262144,
};

struct direct {
    const uint8_t *base;
    size_t size;
    bool nsec;
    uint32_t snapshot;
    /* the walk (direct_walk): its progress is volatile, so that a walk cut short by a file
     * that shrank under it (mapfile_guarded) leaves it as of the last whole packet */
    struct engine *e;
    int dlt;
    FILE *fp;
    const struct bpf_program *filter;
    struct progress *pg;
    volatile uint64_t off, n;
    volatile int rc;                         /* 0 at the end, -1 on a fault (msg) */
    char msg[PCAP_ERRBUF_SIZE];
};

static bool direct_usable(FILE *fp, pcap_t *p, struct direct *dr)
{
    uint32_t h[6];
    if (!mapfile_view(fp, &dr->base, &dr->size) || dr->size < PCAP_FILE_HDR ||
        !mapfile_copy(fp, 0, h, sizeof h))
        return false;
    if (h[0] != PCAP_MAGIC_US && h[0] != PCAP_MAGIC_NS)
        return false;                        /* other byte order, pcapng, modified pcap */
    if ((h[1] & 0xffff) != 2 || (h[1] >> 16) != 4 || (h[5] & 0xffff0000u))
        return false;                        /* version 2.4 only; no FCS or reserved bits */
    int snap = pcap_snapshot(p);             /* libpcap's, already made sane */
    if (snap <= 0 || snap > PCAP_MAX_CAPLEN)
        return false;
    dr->nsec = h[0] == PCAP_MAGIC_NS;
    dr->snapshot = (uint32_t)snap;
    return true;
}

/* Every record to the end or the first fault. Runs under mapfile_guarded: the mapping is
 * read only by the two memcpy below, where the engine is between packets. */
static void direct_walk(void *ctx)
{
    struct direct *dr = ctx;
    uint64_t off = dr->off, n = dr->n, next_release = off + (4u << 20);
    for (;;) {
        size_t left = dr->size - off;
        if (left == 0) {
            dr->rc = 0;
            return;
        }
        if (left < PCAP_REC_HDR) {
            snprintf(dr->msg, sizeof dr->msg,
                     "truncated dump file; tried to read %d header bytes, only got %zu",
                     PCAP_REC_HDR, left);
            dr->rc = -1;
            return;
        }
        uint32_t h[4];                       /* seconds, fraction, caplen, len */
        memcpy(h, dr->base + off, sizeof h);
        left -= PCAP_REC_HDR;
        uint32_t caplen = h[2], len = h[3];
        if (caplen > PCAP_MAX_CAPLEN) {
            if (caplen > dr->snapshot)
                snprintf(dr->msg, sizeof dr->msg,
                         "invalid packet capture length %u, bigger than snaplen of %u", caplen,
                         dr->snapshot);
            else
                snprintf(dr->msg, sizeof dr->msg,
                         "invalid packet capture length %u, bigger than maximum of %u", caplen,
                         PCAP_MAX_CAPLEN);
            dr->rc = -1;
            return;
        }
        uint32_t keep = caplen > dr->snapshot ? dr->snapshot : caplen;
        if (left < caplen) {
            snprintf(dr->msg, sizeof dr->msg,
                     "truncated dump file; tried to read %u captured bytes, only got %zu",
                     left < keep ? keep : caplen, left);
            dr->rc = -1;
            return;
        }
        uint8_t *buf = engine_frame_buffer(dr->e, keep);
        if (!buf) {
            snprintf(dr->msg, sizeof dr->msg, "out of memory");
            dr->rc = -1;
            return;
        }
        memcpy(buf, dr->base + off + PCAP_REC_HDR, keep);
        off += PCAP_REC_HDR + (uint64_t)caplen;
        dr->off = off;
        if (off >= next_release) {
            mapfile_advance(dr->fp, off);
            next_release = off + (4u << 20);
        }
        uint32_t frac = dr->nsec ? h[1] / 1000 : h[1];
        if (dr->filter) {
            struct pcap_pkthdr ph = { .ts = { .tv_sec = h[0], .tv_usec = frac },
                                      .caplen = keep, .len = len };
            if (!pcap_offline_filter(dr->filter, &ph, buf))
                continue;                    /* refused: not counted */
        }
        engine_packet_copied(dr->e, dr->dlt, (uint64_t)h[0] * 1000000 + frac, len, keep);
        dr->n = ++n;
        if (dr->pg->on && n % PROGRESS_EVERY_PKTS == 0)
            progress_draw(dr->pg, false);
    }
}

enum bw_status capture_file(struct engine *e, const char *path, const struct capture_opts *o,
                            struct bw_diag *d)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    d->file = path;
    d->pkt_no = 0;
    e->stats.input.files++;
    /* We open the file ourselves: a regular file is read through a memory mapping
     * (capture/mapfile.h), standard input through a 1 MiB stdio buffer rather than 4 KiB
     * pieces; libpcap then parses pcap or pcapng from that stream as it would from a path. */
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *fp = is_stdin ? stdin : mapfile_open(path, NULL);
    pcap_t *p = NULL;
    if (!fp) {
        snprintf(err, sizeof err, "%s", strerror(errno));
    } else {
        if (is_stdin) {                      /* setvbuf takes a size only with a buffer */
            static char stdin_buf[1 << 20];
            setvbuf(fp, stdin_buf, _IOFBF, sizeof stdin_buf);
        }
        p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, err);
        if (!p && !is_stdin)
            fclose(fp);                      /* on success pcap_close closes it */
    }
    if (!p) {
        const char *why = err;               /* libpcap often starts with the path: once is enough */
        size_t n = strlen(path);
        if (strncmp(err, path, n) == 0 && strncmp(err + n, ": ", 2) == 0)
            why += n + 2;
        snprintf(d->msg, sizeof d->msg, "%.100s: cannot read capture: %.120s", path, why);
        e->stats.input.files_failed++;
        return BW_E_IO;
    }
    int dlt = pcap_datalink(p);
    if (!decode_link_supported(dlt)) {
        const char *name = pcap_datalink_val_to_name(dlt);
        snprintf(d->msg, sizeof d->msg, "%s: unsupported link type %d (%s)", path, dlt,
                 name ? name : "unknown");
        pcap_close(p);
        e->stats.input.files_failed++;
        return BW_E_IO;
    }
    struct bpf_program prog = { 0, NULL };
    if (o->bpf && (pcap_compile(p, &prog, o->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
                   pcap_setfilter(p, &prog) != 0)) {
        snprintf(d->msg, sizeof d->msg, "%.60s: bad filter '%.60s': %.100s", path, o->bpf,
                 pcap_geterr(p));
        pcap_freecode(&prog);
        pcap_close(p);
        return BW_E_SYNTAX;
    }
    struct direct dr = { .e = e, .dlt = dlt, .fp = fp, .filter = o->bpf ? &prog : NULL };
    bool direct = !is_stdin && direct_usable(fp, p, &dr);
    dr.off = PCAP_FILE_HDR;

    struct progress pg = { .on = false, .name = path };
    struct stat sb;
    pg.fp = pcap_file(p);
    pg.pos = direct ? (const uint64_t *)&dr.off : NULL;
    dr.pg = &pg;
    if (o->progress && pg.fp && fstat(fileno(pg.fp), &sb) == 0 && S_ISREG(sb.st_mode) &&
        sb.st_size >= PROGRESS_MIN_BYTES) {
        pg.on = true;
        pg.size = (double)sb.st_size;
        pg.start = pg.last = now_s();
    }

    enum bw_status st = BW_OK;
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t n = 0;
    int rc;
    char why[PCAP_ERRBUF_SIZE] = "";
    if (direct) {
        if (!mapfile_guarded(fp, direct_walk, &dr)) {
            dr.rc = -1;
            snprintf(dr.msg, sizeof dr.msg, "the file shrank while it was read");
        }
        n = dr.n;
        rc = dr.rc < 0 ? PCAP_ERROR : PCAP_ERROR_BREAK;
        snprintf(why, sizeof why, "%s", dr.msg);
    } else {
        while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
            n++;
            uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
            engine_packet(e, dlt, ts, h->len, h->caplen, data);
            if (pg.on && n % PROGRESS_EVERY_PKTS == 0)
                progress_draw(&pg, false);
        }
        if (rc == PCAP_ERROR)
            snprintf(why, sizeof why, "%s",
                     !is_stdin && mapfile_shrank() ? "the file shrank while it was read"
                                                   : pcap_geterr(p));
    }
    pcap_freecode(&prog);
    if (rc == PCAP_ERROR) {
        d->pkt_no = n + 1;
        snprintf(d->msg, sizeof d->msg, "%.100s: packet %" PRIu64 ": %.120s", path, n + 1, why);
        e->stats.input.files_failed++;
        st = BW_E_IO;
    }
    if (pg.on)
        progress_draw(&pg, true);
    pcap_close(p);
    return st;
}
