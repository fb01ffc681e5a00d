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
    double size, start, last;
    const char *name;
};

static void progress_draw(struct progress *pg, bool done)
{
    double t = now_s();
    if (!done && t - pg->last < 0.2)
        return;
    pg->last = t;
    long pos = ftell(pg->fp);
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
    if (o->bpf) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, o->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
            pcap_setfilter(p, &prog) != 0) {
            snprintf(d->msg, sizeof d->msg, "%.60s: bad filter '%.60s': %.100s", path, o->bpf,
                     pcap_geterr(p));
            pcap_close(p);
            return BW_E_SYNTAX;
        }
        pcap_freecode(&prog);
    }

    struct progress pg = { .on = false, .name = path };
    struct stat sb;
    pg.fp = pcap_file(p);
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
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        n++;
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
        engine_packet(e, dlt, ts, h->len, h->caplen, data);
        if (pg.on && n % PROGRESS_EVERY_PKTS == 0)
            progress_draw(&pg, false);
    }
    if (rc == PCAP_ERROR) {
        d->pkt_no = n + 1;
        snprintf(d->msg, sizeof d->msg, "%s: packet %" PRIu64 ": %s", path, n + 1,
                 !is_stdin && mapfile_shrank() ? "the file shrank while it was read"
                                               : pcap_geterr(p));
        e->stats.input.files_failed++;
        st = BW_E_IO;
    }
    if (pg.on)
        progress_draw(&pg, true);
    pcap_close(p);
    return st;
}
