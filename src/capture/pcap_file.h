/* SPDX-License-Identifier: MIT
 * pcap_file.h — reading pcap and pcapng files (or standard input) through libpcap. */
#ifndef BW_PCAP_FILE_H
#define BW_PCAP_FILE_H

#include <stdbool.h>

#include "engine.h"
#include "util/status.h"

struct capture_opts {
    const char *bpf;      /* BPF filter expression, or NULL */
    bool progress;        /* draw a progress bar on stderr (caller checked it is a terminal) */
};

/* Feeds every packet of one file to the engine. On failure d names the file and, where it
 * applies, the packet number; packets read before the failure have been processed.
 * Returns BW_E_IO for an unusable or truncated file, BW_E_SYNTAX for a bad filter. */
enum bw_status capture_file(struct engine *e, const char *path, const struct capture_opts *o,
                            struct bw_diag *d);

#endif
