/* SPDX-License-Identifier: MIT
 * mapfile.h — a capture file as a stdio stream over a read-only memory mapping, for libpcap.
 *
 * read(2) copies every byte of a capture from the page cache into the stream's buffer: a
 * fifth of a decode+flows+reassembly run over a capture in the page cache. A mapping lets
 * the stream's buffer be filled straight from the page cache by a user-space memcpy, with
 * no system call per buffer. libpcap still parses the file (pcap or pcapng) from the stream.
 *
 * A mapped file that shrinks while it is read (truncated or rotated by another program)
 * would raise SIGBUS on the vanished pages; the stream catches that and reports a read
 * error instead, so the caller ends the file as it would a truncated one. */
#ifndef BW_MAPFILE_H
#define BW_MAPFILE_H

#include <stdbool.h>
#include <stdio.h>

/* Opens path for reading: mapped when it is a non-empty regular file and the mapping
 * succeeds, otherwise an ordinary stream. NULL with errno set when the
 * file cannot be opened. *mapped tells which (may be NULL). */
FILE *mapfile_open(const char *path, bool *mapped);

/* True when a mapped stream hit pages that vanished (the file shrank) since the last
 * mapfile_open. */
bool mapfile_shrank(void);

#endif
