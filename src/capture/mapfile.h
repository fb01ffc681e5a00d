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
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Opens path for reading: mapped when it is a non-empty regular file and the mapping
 * succeeds, otherwise an ordinary stream. NULL with errno set when the
 * file cannot be opened. *mapped tells which (may be NULL). */
FILE *mapfile_open(const char *path, bool *mapped);

/* The mapping under fp, if fp is the mapped stream open now: for a reader that takes the
 * bytes itself (classic pcap frames straight into the engine). */
bool mapfile_view(FILE *fp, const uint8_t **base, size_t *size);

/* Copies n bytes at offset off of fp's mapping into dst; false when that is outside the file
 * or its pages vanished (the file shrank: mapfile_shrank() says so). Every read of the mapping
 * must go through here or the stream, never a plain pointer: only these survive SIGBUS.
 * Pages well behind off are released as the stream's are. */
bool mapfile_copy(FILE *fp, size_t off, void *dst, size_t n);

/* Runs fn(ctx) under one SIGBUS guard for fp's mapping, so that fn may read the mapping
 * through plain pointers (mapfile_view) instead of a guarded copy each. Returns false when
 * the mapping's pages vanished while fn ran: fn was cut short at that read, and anything of
 * its progress that must survive has to be in memory the compiler cannot cache (volatile).
 * fn must read the mapping only where cutting it short leaves nothing half done. */
bool mapfile_guarded(FILE *fp, void (*fn)(void *ctx), void *ctx);

/* The guarded reader is at off: pages well behind it are released as the stream's are. */
void mapfile_advance(FILE *fp, size_t off);

/* True when a mapped stream hit pages that vanished (the file shrank) since the last
 * mapfile_open. */
bool mapfile_shrank(void);

#endif
