/* SPDX-License-Identifier: MIT
 * prefilter.h — Vectorscan multi-pattern prefilter over the fast patterns of one group of
 * rules (prefilter.c). */
#ifndef BW_PREFILTER_H
#define BW_PREFILTER_H

#include <stdint.h>
#include <stdio.h>

#include "rules/rules.h"
#include "util/rd.h"

struct prefilter;

/* The buffer k of the evaluation m, built on demand; false if it does not exist. */
typedef bool (*pf_getbuf_fn)(void *m, unsigned k, struct bytes *out);

/* Builds the prefilter of the rules rs->rule[idx[0..n)] (positions 0..n-1 in the group);
 * ports: the group's packets have ports (TCP, UDP), so rules may be indexed by port.
 * by_app: the fast patterns of rules of an app_proto go into databases of their own,
 * scanned only for flows of that protocol (packet groups: not for stream windows, whose
 * tail was scanned with the flow's earlier app_proto).
 * *scratch is allocated or grown for its databases (one scratch serves every group).
 * BW_E_NOMEM / BW_E_SYNTAX with d filled. */
enum bw_status pf_build(const struct rules *rs, const uint32_t *idx, uint32_t n, bool ports,
                        bool by_app, struct prefilter **out, void **scratch, struct bw_diag *d);

/* For a TCP stream window (tail + new chunk): the payload is scanned from `from` only (the
 * tail was scanned with earlier chunks), and every hit that starts at or after next_tail
 * (it will still be in the next window's tail) is passed to keep, so the caller can make
 * its rules candidates again with the next chunk. Offsets are in the window. */
struct pf_tail {
    size_t from, next_tail;
    void (*keep)(void *ctx, uint32_t pos, size_t start);
    void *ctx;
};

/* Sets in bits (pf_words() words) the positions of the rules to evaluate: those whose fast
 * pattern occurs in its buffer, and those without one; app: the flow's app_proto (0: none).
 * tail: NULL, or as above. */
void pf_scan(const struct prefilter *pf, void *scratch, pf_getbuf_fn get, void *m,
             uint8_t app, uint64_t *bits, const struct pf_tail *tail);
/* The longest fast pattern of buffer buf in the group (0: none). */
uint32_t pf_maxlen(const struct prefilter *pf, unsigned buf);
uint32_t pf_words(const struct prefilter *pf);

/* Adds the rules indexed by host (single-host address lists, no fast pattern) for a packet
 * between src and dst. */
/* Adds the rules indexed by port (no fast pattern, a specific port set). */
void pf_scan_ports(const struct prefilter *pf, uint16_t sport, uint16_t dport, uint64_t *bits);

void pf_scan_hosts(const struct prefilter *pf, uint8_t family, const uint8_t *src,
                   const uint8_t *dst, uint64_t *bits);

/* Profiling (rules --rules-profile): from now on every database of pf counts its scans,
 * bytes, hits and time. False when out of memory. */
bool pf_profile(struct prefilter *pf);
/* The monotonic clock in nanoseconds, for profiling (here and in match.c). */
uint64_t pf_now_ns(void);
/* One table row per database of pf (nothing when pf is not profiled); group names it. */
void pf_profile_print(const struct prefilter *pf, const char *group, FILE *out);

void pf_free(struct prefilter *pf);
void pf_free_scratch(void *scratch);

#endif
