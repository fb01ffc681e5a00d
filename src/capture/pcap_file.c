/* SPDX-License-Identifier: MIT
 * pcap_file.c — one capture file through libpcap (pcap and pcapng; "-" is stdin), with an
 * optional BPF filter compiled for the file's link type, and a progress bar for long reads. */
#include "capture/pcap_file.h"
#include "capture/mapfile.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
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

/* ---- classic pcap read in large pieces, frames handed on where they lie
 *
 * libpcap reads a frame by copying it from the stream's buffer (itself filled by a copy from
 * the file) into its own buffer, and the engine would copy it again into its look-ahead
 * window. For the commonest input, a classic pcap file (version 2.4, this machine's byte
 * order, microsecond or nanosecond stamps, no FCS annotation), botwatch reads the file in
 * pieces of 256 KiB into one buffer (read(2): one copy, by the kernel, of every byte) and
 * gives the engine each frame where it lies in that buffer. libpcap has still opened the
 * file (checked the header, compiled the filter, which pcap_offline_filter applies here), and
 * reads every other format. Records are taken exactly as libpcap 1.10's sf-pcap.c takes them:
 * a captured length above 262144 (its maximum for these link types) is an error; one above
 * the file's snapshot length is cut to it; a short header or frame is a truncated file; the
 * messages are libpcap's. A file that shrinks while it is read simply ends early (a
 * truncated file, or a shorter one). tests/conformance/readers.py compares the two readers on
 * every fixture, damaged copies of them and the corpus (a file on stdin goes through
 * libpcap). */
enum {
    PCAP_MAGIC_US = 0xa1b2c3d4, PCAP_MAGIC_NS = 0xa1b23c4d, PCAP_FILE_HDR = 24,
    PCAP_REC_HDR = 16, PCAP_MAX_CAPLEN = 262144,
    DIRECT_PIECE = 256 << 10,                /* one read(2): stays in the L2 cache */
    /* the buffer: pieces are appended until one no longer fits, then the unread rest moves
     * to the front (after the engine has drained: its window may point anywhere before) */
    DIRECT_BUF = 1 << 20,
};
_Static_assert(DIRECT_BUF >= 2 * (PCAP_REC_HDR + PCAP_MAX_CAPLEN) + DIRECT_PIECE,
               "a whole record always fits after the move");

struct direct {
    int fd;
    bool nsec;
    uint32_t snapshot;
    uint8_t *buf;
    size_t at, have;                         /* unread bytes: buf[at, have) */
    uint64_t off;                            /* file offset of buf[at] */
    uint64_t end;                            /* file offset of buf[have] */
    bool eof;
    int err;                                 /* the errno of a failed read, else 0 */
};

static bool direct_usable(int fd, pcap_t *p, struct direct *dr)
{
    uint32_t h[6];
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h)
        return false;
    if (h[0] != PCAP_MAGIC_US && h[0] != PCAP_MAGIC_NS)
        return false;                        /* other byte order, pcapng, modified pcap */
    if ((h[1] & 0xffff) != 2 || (h[1] >> 16) != 4 || (h[5] & 0xffff0000u))
        return false;                        /* version 2.4 only; no FCS or reserved bits */
    int snap = pcap_snapshot(p);             /* libpcap's, already made sane */
    if (snap <= 0 || snap > PCAP_MAX_CAPLEN)
        return false;
    dr->fd = fd;
    dr->nsec = h[0] == PCAP_MAGIC_NS;
    dr->snapshot = (uint32_t)snap;
    dr->off = dr->end = PCAP_FILE_HDR;
    return true;
}

/* Makes at least want unread bytes available, reading more of the file; false when the file
 * ends first (or a read fails: dr->err is then set). */
static bool direct_fill(struct direct *dr, struct engine *e, size_t want)
{
    while (dr->have - dr->at < want) {
        if (dr->eof)
            return false;
        if (DIRECT_BUF - dr->have < DIRECT_PIECE) {
            engine_drain(e);                 /* nothing in the window points here any more */
            memmove(dr->buf, dr->buf + dr->at, dr->have - dr->at);
            dr->have -= dr->at;
            dr->at = 0;
        }
        size_t room = DIRECT_BUF - dr->have;
        ssize_t n = pread(dr->fd, dr->buf + dr->have, room < DIRECT_PIECE ? room : DIRECT_PIECE,
                          (off_t)dr->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            dr->eof = true;
            dr->err = n < 0 ? errno : 0;
            return false;
        }
        dr->have += (size_t)n;
        dr->end += (uint64_t)n;
    }
    return true;
}

/* Every record to the end (0) or the first fault (-1, msg filled); *pkts counts the packets
 * given to the engine. */
static int direct_walk(struct direct *dr, struct engine *e, int dlt,
                       const struct bpf_program *filter, struct progress *pg, uint64_t *pkts,
                       char *msg, size_t msgsz)
{
    uint64_t n = 0;
    int rc = 0;
    for (;;) {
        if (!direct_fill(dr, e, PCAP_REC_HDR)) {
            size_t left = dr->have - dr->at;
            if (dr->err)
                snprintf(msg, msgsz, "error reading dump file: %s", strerror(dr->err));
            else if (left)
                snprintf(msg, msgsz,
                         "truncated dump file; tried to read %d header bytes, only got %zu",
                         PCAP_REC_HDR, left);
            rc = dr->err || left ? -1 : 0;
            break;
        }
        uint32_t h[4];                       /* seconds, fraction, caplen, len */
        memcpy(h, dr->buf + dr->at, sizeof h);
        uint32_t caplen = h[2], len = h[3];
        if (caplen > PCAP_MAX_CAPLEN) {
            if (caplen > dr->snapshot)
                snprintf(msg, msgsz,
                         "invalid packet capture length %u, bigger than snaplen of %u", caplen,
                         dr->snapshot);
            else
                snprintf(msg, msgsz,
                         "invalid packet capture length %u, bigger than maximum of %u", caplen,
                         PCAP_MAX_CAPLEN);
            rc = -1;
            break;
        }
        uint32_t keep = caplen > dr->snapshot ? dr->snapshot : caplen;
        if (!direct_fill(dr, e, PCAP_REC_HDR + (size_t)caplen)) {
            size_t left = dr->have - dr->at - PCAP_REC_HDR;
            if (dr->err)
                snprintf(msg, msgsz, "error reading dump file: %s", strerror(dr->err));
            else
                snprintf(msg, msgsz,
                         "truncated dump file; tried to read %u captured bytes, only got %zu",
                         left < keep ? keep : caplen, left);
            rc = -1;
            break;
        }
        const uint8_t *frame = dr->buf + dr->at + PCAP_REC_HDR;
        dr->at += PCAP_REC_HDR + (size_t)caplen;
        dr->off += PCAP_REC_HDR + (uint64_t)caplen;
        uint32_t frac = dr->nsec ? h[1] / 1000 : h[1];
        if (filter) {
            struct pcap_pkthdr ph = { .ts = { .tv_sec = h[0], .tv_usec = frac },
                                      .caplen = keep, .len = len };
            if (!pcap_offline_filter(filter, &ph, frame))
                continue;                    /* refused: not counted */
        }
        engine_packet_ref(e, dlt, (uint64_t)h[0] * 1000000 + frac, len, keep, frame);
        ++n;
        if (pg->on && n % PROGRESS_EVERY_PKTS == 0)
            progress_draw(pg, false);
    }
    engine_drain(e);                         /* before the buffer goes */
    *pkts = n;
    return rc;
}

enum bw_status capture_file(struct engine *e, const char *path, const struct capture_opts *o,
                            struct bw_diag *d)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    d->file = path;
    d->pkt_no = 0;
    e->stats.input.files++;
    /* We open the file ourselves: a regular file as a stream over a memory mapping
     * (capture/mapfile.h), standard input with a 1 MiB stdio buffer rather than 4 KiB
     * pieces; libpcap then parses pcap or pcapng from that stream as it would from a path,
     * and a classic pcap file is read on by direct_walk (above). */
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
    struct direct dr = { .fd = -1 };
    bool direct = !is_stdin && direct_usable(mapfile_fd(fp), p, &dr) &&
                  (dr.buf = malloc(DIRECT_BUF)) != NULL;

    struct progress pg = { .on = false, .name = path };
    struct stat sb;
    pg.fp = pcap_file(p);
    pg.pos = direct ? (const uint64_t *)&dr.off : NULL;
    if (o->progress && pg.fp && fstat(mapfile_fd(pg.fp), &sb) == 0 && S_ISREG(sb.st_mode) &&
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
        rc = direct_walk(&dr, e, dlt, o->bpf ? &prog : NULL, &pg, &n, why, sizeof why) < 0
                 ? PCAP_ERROR : PCAP_ERROR_BREAK;
        free(dr.buf);
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
