/* SPDX-License-Identifier: MIT
 * stats.c — the end-of-run summary on stderr: what was read, what was malformed and why,
 * what every cap refused. Lines with nothing to say are left out. */
#include "util/stats.h"

#include <inttypes.h>

const char *const decode_err_name[DEC_ERR_MAX] = {
#define X(name, doc) #name,
    DECODE_ERRORS(X)
#undef X
};

const char *const flow_end_name[FLOW_END_MAX] = {
    "",
#define X(id, name, doc) name,
    FLOW_ENDS(X)
#undef X
};

static void human(char *b, size_t n, double v)
{
    const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int i = 0;
    while (v >= 1024 && i < 4) {
        v /= 1024;
        i++;
    }
    snprintf(b, n, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

void stats_print(FILE *f, const struct bw_stats *s, double elapsed)
{
    char b1[32], b2[32];
    human(b1, sizeof b1, (double)s->input.bytes);
    fprintf(f, "botwatch: %" PRIu64 " packets, %s in %" PRIu64 " file(s)", s->input.pkts, b1,
            s->input.files);
    if (s->input.files_failed)
        fprintf(f, " (%" PRIu64 " unusable)", s->input.files_failed);
    double t = elapsed > 1e-9 ? elapsed : 1e-9;
    fprintf(f, "; %.3f s, %.1f MB/s, %.0f packets/s\n", elapsed, s->input.bytes / t / 1e6,
            s->input.pkts / t);

    const __typeof__(s->decode) *d = &s->decode;
    fprintf(f, "  decode: ipv4 %" PRIu64 ", ipv6 %" PRIu64 ", tcp %" PRIu64 ", udp %" PRIu64
            ", icmp %" PRIu64 ", icmpv6 %" PRIu64 ", other %" PRIu64 ", non-ip %" PRIu64 "\n",
            d->ipv4, d->ipv6, d->tcp, d->udp, d->icmp, d->icmpv6, d->other_l4, d->non_ip);
    if (d->snapped)
        fprintf(f, "  decode: %" PRIu64 " packets cut by the snap length\n", d->snapped);
    if (d->ipv4_tso)
        fprintf(f, "  decode: %" PRIu64 " IPv4 packets with total length 0 (segmentation "
                "offload): frame length used\n", d->ipv4_tso);
    fprintf(f, "  decode errors: %" PRIu64 " packets", d->errors);
    for (int i = 0; i < DEC_ERR_MAX; i++)
        if (d->err[i])
            fprintf(f, ", %s %" PRIu64, decode_err_name[i], d->err[i]);
    fputc('\n', f);

    const __typeof__(s->frag) *fr = &s->frag;
    if (fr->fragments) {
        human(b1, sizeof b1, (double)fr->memuse_peak);
        fprintf(f, "  fragments: %" PRIu64 ", datagrams reassembled %" PRIu64
                ", timed out %" PRIu64 ", incomplete at end %" PRIu64 ", overlaps %" PRIu64
                " (differing %" PRIu64
                "), too large %" PRIu64 ", snapped %" PRIu64 ", memcap drops %" PRIu64
                ", peak memory %s\n",
                fr->fragments, fr->reassembled, fr->timeout, fr->incomplete, fr->overlap,
                fr->overlap_differ,
                fr->too_large, fr->snapped, fr->memcap_drop, b1);
    }

    const __typeof__(s->flow) *fl = &s->flow;
    human(b1, sizeof b1, (double)fl->memuse_peak);
    fprintf(f, "  flows: %" PRIu64 " (peak %" PRIu64 " at once, %s); ended:", fl->created,
            fl->active_peak, b1);
    for (int i = 1; i < FLOW_END_MAX; i++)
        fprintf(f, " %s %" PRIu64 "%s", flow_end_name[i], fl->ended[i],
                i + 1 < FLOW_END_MAX ? "," : "");
    fprintf(f, "; evictions %" PRIu64 "; port reuse %" PRIu64 "\n", fl->evicted,
            fl->port_reuse);

    const __typeof__(s->stream) *st = &s->stream;
    human(b1, sizeof b1, (double)st->delivered_bytes);
    human(b2, sizeof b2, (double)st->memuse_peak);
    fprintf(f, "  reassembly: %s delivered, %" PRIu64 " out-of-order segments, %" PRIu64
            " retransmissions, overlaps %" PRIu64 " (differing %" PRIu64 ", unchecked %" PRIu64
            "), gaps %" PRIu64 " (%" PRIu64 " bytes), midstream %" PRIu64 "\n",
            b1, st->segments_ooo, st->retransmissions, st->overlaps, st->overlaps_differ,
            st->overlaps_unchecked, st->gaps, st->gap_bytes, st->midstream);
    fprintf(f, "  reassembly caps: depth reached %" PRIu64 " (%" PRIu64 " bytes not delivered)"
            ", out-of-order cap %" PRIu64 ", memcap drops %" PRIu64 ", bogus seq %" PRIu64
            ", peak memory %s\n",
            st->depth_reached, st->depth_bytes, st->ooo_cap, st->memcap_drop, st->bogus_seq, b2);
}
